// Migration 8: paper documents received (văn bản đến bằng giấy) in the incoming register. NĐ30
// Đ22: số đến is one series a year for every document received, electronic or paper, unique in the
// register: incoming_numbers holds every number given, whatever carries it, filled by triggers
// from inbox_items (when a received file is accepted) and paper_incoming.
import type Database from 'better-sqlite3';

export function up(db: Database.Database): void {
  db.exec(`
    CREATE TABLE paper_incoming (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      incoming_year INTEGER NOT NULL,
      incoming_number INTEGER NOT NULL CHECK (incoming_number > 0),
      received_at TEXT NOT NULL,
      sender TEXT NOT NULL,
      number_symbol TEXT,
      issue_date TEXT,
      title TEXT NOT NULL,
      doc_type TEXT,
      urgency TEXT NOT NULL DEFAULT 'normal' CHECK (urgency IN ('normal', 'urgent', 'very-urgent', 'flash')),
      passed_to TEXT,
      passed_at TEXT,
      record_number TEXT,
      note TEXT,
      created_at TEXT NOT NULL,
      UNIQUE (incoming_year, incoming_number)
    );

    CREATE TABLE incoming_numbers (
      incoming_year INTEGER NOT NULL,
      incoming_number INTEGER NOT NULL,
      kind TEXT NOT NULL CHECK (kind IN ('electronic', 'paper')),
      ref_id INTEGER NOT NULL,
      PRIMARY KEY (incoming_year, incoming_number)
    );
    INSERT INTO incoming_numbers (incoming_year, incoming_number, kind, ref_id)
      SELECT incoming_year, incoming_number, 'electronic', id FROM inbox_items WHERE incoming_number IS NOT NULL;
    CREATE TRIGGER inbox_incoming_number_taken AFTER UPDATE OF incoming_number ON inbox_items
      WHEN NEW.incoming_number IS NOT NULL AND OLD.incoming_number IS NULL
      BEGIN INSERT INTO incoming_numbers (incoming_year, incoming_number, kind, ref_id) VALUES (NEW.incoming_year, NEW.incoming_number, 'electronic', NEW.id); END;
    CREATE TRIGGER paper_incoming_number_taken AFTER INSERT ON paper_incoming
      BEGIN INSERT INTO incoming_numbers (incoming_year, incoming_number, kind, ref_id) VALUES (NEW.incoming_year, NEW.incoming_number, 'paper', NEW.id); END;
    CREATE TRIGGER incoming_numbers_no_delete BEFORE DELETE ON incoming_numbers BEGIN SELECT RAISE(ABORT, 'numbers given are never taken back'); END;
  `);
}
