// Migration 4: long-term archiving. Each seal of an archived file (PAdES B-LT validation data and a
// B-LTA document timestamp) and each later renewal is a row naming the file it was made from and
// the file it made (both kept in the content store, never overwritten), the timestamp's time, its
// TSA and how long that TSA's certificate lasts, so that renewals can be planned. Appraisal
// decisions at the end of a record's retention are rows too: nothing is destroyed without one.
import type Database from 'better-sqlite3';

export function up(db: Database.Database): void {
  db.exec(`
    CREATE TABLE archive_seals (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      entry_id INTEGER NOT NULL REFERENCES archive_entries(id),
      kind TEXT NOT NULL CHECK (kind IN ('seal', 'renewal')),
      input_sha256 TEXT NOT NULL CHECK (length(input_sha256) = 64),
      sha256 TEXT NOT NULL CHECK (length(sha256) = 64),
      size INTEGER NOT NULL,
      sealed_at TEXT NOT NULL,
      timestamp_time TEXT NOT NULL,
      tsa TEXT NOT NULL,
      tsa_not_after TEXT NOT NULL,
      digest TEXT NOT NULL,
      missing TEXT NOT NULL DEFAULT '[]'
    );
    CREATE INDEX archive_seals_by_entry ON archive_seals(entry_id, id);

    CREATE TABLE archive_appraisals (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      record_id INTEGER NOT NULL REFERENCES archive_records(id),
      decided_at TEXT NOT NULL,
      decided_by TEXT NOT NULL,
      decision TEXT NOT NULL CHECK (decision IN ('keep', 'transfer', 'destroy')),
      reason TEXT NOT NULL CHECK (length(reason) > 0),
      -- For 'keep': the years the retention is extended by.
      extend_years INTEGER CHECK (extend_years IS NULL OR extend_years > 0)
    );
    CREATE INDEX archive_appraisals_by_record ON archive_appraisals(record_id, id);
  `);
}
