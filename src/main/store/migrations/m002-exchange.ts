// Migration 2: the outbox (issued documents, their recipients and each one's status, recall),
// the inbox (received files with their verification and số đến) and the archive (hồ sơ).
import type Database from 'better-sqlite3';

export function up(db: Database.Database): void {
  db.exec(`
    -- Who an outgoing document goes to ("Nơi nhận"), from import on; status once it is issued.
    CREATE TABLE outbox_recipients (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      document_id INTEGER NOT NULL REFERENCES documents(id),
      name TEXT NOT NULL,
      organ_id TEXT,
      status TEXT NOT NULL DEFAULT 'pending'
        CHECK (status IN ('pending', 'sent', 'received', 'accepted', 'rejected', 'recall-requested', 'recalled')),
      updated_at TEXT NOT NULL,
      note TEXT,
      UNIQUE (document_id, name)
    );

    CREATE TABLE outbox_items (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      document_id INTEGER NOT NULL UNIQUE REFERENCES documents(id),
      queued_at TEXT NOT NULL,
      send_by TEXT NOT NULL,
      status TEXT NOT NULL DEFAULT 'waiting' CHECK (status IN ('waiting', 'sent', 'recalled')),
      sent_at TEXT,
      recalled_at TEXT,
      recall_reason TEXT,
      CHECK (status <> 'sent' OR sent_at IS NOT NULL),
      CHECK (status <> 'recalled' OR (recalled_at IS NOT NULL AND recall_reason IS NOT NULL))
    );
    CREATE INDEX outbox_status ON outbox_items(status, send_by);

    -- Received files (văn bản đến). incoming_number (số đến) runs from 1 each year.
    CREATE TABLE inbox_items (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      file_name TEXT NOT NULL,
      sha256 TEXT NOT NULL CHECK (length(sha256) = 64),
      size INTEGER NOT NULL,
      received_at TEXT NOT NULL,
      sender TEXT,
      title TEXT NOT NULL,
      number_symbol TEXT,
      issue_date TEXT,
      urgency TEXT NOT NULL DEFAULT 'normal' CHECK (urgency IN ('normal', 'urgent', 'very-urgent', 'flash')),
      secrecy TEXT NOT NULL DEFAULT 'none' CHECK (secrecy IN ('none', 'mat', 'toi-mat', 'tuyet-mat')),
      signers TEXT NOT NULL DEFAULT '',
      indication TEXT NOT NULL CHECK (indication IN ('TOTAL_PASSED', 'INDETERMINATE', 'TOTAL_FAILED')),
      verdict_json TEXT NOT NULL,
      verified_at TEXT NOT NULL,
      status TEXT NOT NULL DEFAULT 'new' CHECK (status IN ('new', 'accepted', 'rejected')),
      incoming_year INTEGER,
      incoming_number INTEGER,
      decided_at TEXT,
      reason TEXT,
      CHECK ((status = 'accepted') = (incoming_number IS NOT NULL)),
      CHECK (status <> 'rejected' OR reason IS NOT NULL)
    );
    CREATE UNIQUE INDEX inbox_incoming_number ON inbox_items(incoming_year, incoming_number) WHERE incoming_number IS NOT NULL;

    -- Hồ sơ: a record with its retention (years, or 'permanent'), and the documents filed in it.
    CREATE TABLE archive_records (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      code TEXT NOT NULL UNIQUE,
      title TEXT NOT NULL,
      retention TEXT NOT NULL CHECK (retention = 'permanent' OR (retention GLOB '[1-9]*' AND retention NOT GLOB '*[^0-9]*')),
      created_at TEXT NOT NULL
    );
    CREATE TABLE archive_entries (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      record_id INTEGER NOT NULL REFERENCES archive_records(id),
      source TEXT NOT NULL CHECK (source IN ('outgoing', 'incoming')),
      document_id INTEGER REFERENCES documents(id),
      inbox_id INTEGER REFERENCES inbox_items(id),
      sha256 TEXT NOT NULL CHECK (length(sha256) = 64),
      title TEXT NOT NULL,
      number_symbol TEXT,
      signers TEXT NOT NULL DEFAULT '',
      date TEXT NOT NULL,
      filed_at TEXT NOT NULL,
      CHECK ((source = 'outgoing' AND document_id IS NOT NULL AND inbox_id IS NULL) OR (source = 'incoming' AND inbox_id IS NOT NULL AND document_id IS NULL)),
      UNIQUE (record_id, document_id),
      UNIQUE (record_id, inbox_id)
    );
    CREATE INDEX archive_entries_record ON archive_entries(record_id);
    CREATE TRIGGER archive_entries_no_delete BEFORE DELETE ON archive_entries BEGIN SELECT RAISE(ABORT, 'archived entries are never deleted'); END;
  `);
}
