// Migration 5: the clerk's books. The incoming stamp ("ĐẾN") and its later filling (Chuyển, Lưu hồ
// sơ số) as signed revisions of a received file; paper documents in the outgoing register, whose
// numbers share the year's series with electronic ones (NĐ30 Đ15: one series, 01 from 1 January);
// electronic copies (SAO Y, SAO LỤC, TRÍCH SAO) with their own number, linked to their original.
import type Database from 'better-sqlite3';

export function up(db: Database.Database): void {
  db.exec(`
    -- Each file a received document has been after its arrival: stamped, then routed. Never changed.
    CREATE TABLE inbox_revisions (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      inbox_id INTEGER NOT NULL REFERENCES inbox_items(id),
      seq INTEGER NOT NULL,
      step TEXT NOT NULL CHECK (step IN ('stamp', 'route')),
      sha256 TEXT NOT NULL CHECK (length(sha256) = 64),
      size INTEGER NOT NULL,
      field TEXT NOT NULL,
      signer_cn TEXT NOT NULL,
      -- Where the stamp was drawn and how (page, box, font size): the routing revision writes into it.
      stamp_json TEXT NOT NULL,
      created_at TEXT NOT NULL,
      UNIQUE (inbox_id, seq)
    );
    CREATE TRIGGER inbox_revisions_no_update BEFORE UPDATE ON inbox_revisions BEGIN SELECT RAISE(ABORT, 'revisions are never changed'); END;
    CREATE TRIGGER inbox_revisions_no_delete BEFORE DELETE ON inbox_revisions BEGIN SELECT RAISE(ABORT, 'revisions are never deleted'); END;

    -- Chuyển (unit or person it was passed on to), when; Lưu hồ sơ số (the record it is filed in).
    ALTER TABLE inbox_items ADD COLUMN passed_to TEXT;
    ALTER TABLE inbox_items ADD COLUMN passed_at TEXT;
    ALTER TABLE inbox_items ADD COLUMN record_number TEXT;
    ALTER TABLE inbox_items ADD COLUMN doc_type TEXT;

    -- Documents issued on paper, registered in the outgoing register.
    CREATE TABLE paper_documents (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      number_seq INTEGER NOT NULL CHECK (number_seq > 0),
      number_symbol TEXT NOT NULL,
      issue_year INTEGER NOT NULL,
      issue_date TEXT NOT NULL,
      title TEXT NOT NULL,
      doc_type TEXT,
      signer TEXT,
      recipients TEXT NOT NULL DEFAULT '',
      keeping_unit TEXT,
      copies INTEGER,
      sent_at TEXT,
      note TEXT,
      created_at TEXT NOT NULL
    );

    -- The year's outgoing numbers, whatever carries them: one row per number given (unique), filled
    -- by triggers from documents (when the organisation signs) and paper documents.
    CREATE TABLE outgoing_numbers (
      issue_year INTEGER NOT NULL,
      number_seq INTEGER NOT NULL,
      kind TEXT NOT NULL CHECK (kind IN ('electronic', 'paper')),
      ref_id INTEGER NOT NULL,
      PRIMARY KEY (issue_year, number_seq)
    );
    INSERT INTO outgoing_numbers (issue_year, number_seq, kind, ref_id)
      SELECT issue_year, number_seq, 'electronic', id FROM documents WHERE number_seq IS NOT NULL AND issue_year IS NOT NULL;
    CREATE TRIGGER documents_number_taken AFTER UPDATE OF number_seq ON documents
      WHEN NEW.number_seq IS NOT NULL AND OLD.number_seq IS NULL
      BEGIN INSERT INTO outgoing_numbers (issue_year, number_seq, kind, ref_id) VALUES (NEW.issue_year, NEW.number_seq, 'electronic', NEW.id); END;
    CREATE TRIGGER paper_number_taken AFTER INSERT ON paper_documents
      BEGIN INSERT INTO outgoing_numbers (issue_year, number_seq, kind, ref_id) VALUES (NEW.issue_year, NEW.number_seq, 'paper', NEW.id); END;
    CREATE TRIGGER outgoing_numbers_no_delete BEFORE DELETE ON outgoing_numbers BEGIN SELECT RAISE(ABORT, 'numbers given are never taken back'); END;

    -- Electronic copies (bản sao điện tử, NĐ30 Đ25–27): their own numbers, per year.
    CREATE TABLE copies (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      form TEXT NOT NULL CHECK (form IN ('SAO Y', 'SAO LỤC', 'TRÍCH SAO')),
      source TEXT NOT NULL CHECK (source IN ('outgoing', 'incoming')),
      document_id INTEGER REFERENCES documents(id),
      inbox_id INTEGER REFERENCES inbox_items(id),
      source_sha256 TEXT NOT NULL CHECK (length(source_sha256) = 64),
      pages TEXT,
      copy_year INTEGER NOT NULL,
      number_seq INTEGER NOT NULL,
      number_symbol TEXT NOT NULL,
      title TEXT NOT NULL,
      sha256 TEXT NOT NULL CHECK (length(sha256) = 64),
      size INTEGER NOT NULL,
      field TEXT NOT NULL,
      signer_cn TEXT NOT NULL,
      created_at TEXT NOT NULL,
      CHECK ((source = 'outgoing' AND document_id IS NOT NULL AND inbox_id IS NULL) OR (source = 'incoming' AND inbox_id IS NOT NULL AND document_id IS NULL)),
      CHECK (form = 'TRÍCH SAO' OR pages IS NULL),
      UNIQUE (copy_year, number_seq)
    );
    CREATE TRIGGER copies_no_update BEFORE UPDATE ON copies BEGIN SELECT RAISE(ABORT, 'copies are never changed'); END;
    CREATE TRIGGER copies_no_delete BEFORE DELETE ON copies BEGIN SELECT RAISE(ABORT, 'copies are never deleted'); END;
  `);
}
