// Migration 1: documents being signed, their revisions and signatures, attachments, the people and
// certificates seen signing, and the append-only audit log.
import type Database from 'better-sqlite3';

export function up(db: Database.Database): void {
  db.exec(`
    CREATE TABLE people (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      name TEXT NOT NULL,
      organisation TEXT NOT NULL DEFAULT '',
      title TEXT,
      created_at TEXT NOT NULL,
      UNIQUE (name, organisation)
    );

    CREATE TABLE certificates (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      person_id INTEGER NOT NULL REFERENCES people(id),
      fingerprint TEXT NOT NULL UNIQUE CHECK (length(fingerprint) = 64),
      subject TEXT NOT NULL,
      common_name TEXT NOT NULL,
      organisation TEXT,
      serial TEXT NOT NULL,
      issuer TEXT NOT NULL,
      not_before TEXT NOT NULL,
      not_after TEXT NOT NULL,
      der BLOB NOT NULL,
      first_seen TEXT NOT NULL
    );
    CREATE INDEX certificates_person ON certificates(person_id);

    -- A document on the signing desk (văn bản đi). number_seq/number_symbol: "số và ký hiệu",
    -- unique within the year of issue. round: bumped when the leader returns the draft.
    CREATE TABLE documents (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      title TEXT NOT NULL,
      doc_type TEXT,
      file_name TEXT NOT NULL,
      method INTEGER NOT NULL CHECK (method IN (1, 2, 3)),
      state TEXT NOT NULL CHECK (state IN ('draft', 'initialled', 'approved', 'issued', 'returned')),
      urgency TEXT NOT NULL CHECK (urgency IN ('normal', 'urgent', 'very-urgent', 'flash')),
      secrecy TEXT NOT NULL DEFAULT 'none' CHECK (secrecy IN ('none', 'mat', 'toi-mat', 'tuyet-mat')),
      paper_copy_required INTEGER NOT NULL DEFAULT 0 CHECK (paper_copy_required IN (0, 1)),
      number_seq INTEGER,
      number_symbol TEXT,
      issue_date TEXT,
      issue_year INTEGER,
      issued_at TEXT,
      round INTEGER NOT NULL DEFAULT 1,
      current_revision_id INTEGER REFERENCES revisions(id),
      comment TEXT,
      created_at TEXT NOT NULL,
      updated_at TEXT NOT NULL,
      CHECK (state <> 'issued' OR (number_symbol IS NOT NULL AND issue_date IS NOT NULL AND issued_at IS NOT NULL)),
      CHECK (state <> 'issued' OR secrecy = 'none')
    );
    CREATE UNIQUE INDEX documents_number ON documents(issue_year, number_seq) WHERE number_seq IS NOT NULL;
    CREATE INDEX documents_updated ON documents(updated_at);

    -- Every file a document has been: the imported draft, then one per signature. Never changed.
    CREATE TABLE revisions (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      document_id INTEGER NOT NULL REFERENCES documents(id),
      seq INTEGER NOT NULL,
      round INTEGER NOT NULL,
      step TEXT NOT NULL CHECK (step IN ('import', 'drafter', 'leader', 'org')),
      sha256 TEXT NOT NULL CHECK (length(sha256) = 64),
      size INTEGER NOT NULL,
      file_name TEXT NOT NULL,
      created_at TEXT NOT NULL,
      UNIQUE (document_id, seq)
    );

    CREATE TABLE signatures (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      revision_id INTEGER NOT NULL REFERENCES revisions(id),
      document_id INTEGER NOT NULL REFERENCES documents(id),
      idx INTEGER NOT NULL,
      role TEXT NOT NULL CHECK (role IN ('drafter', 'leader', 'org')),
      field TEXT NOT NULL,
      certificate_id INTEGER REFERENCES certificates(id),
      signer_cn TEXT NOT NULL,
      signer_org TEXT,
      signer_serial TEXT NOT NULL,
      signed_at TEXT NOT NULL,
      indication TEXT,
      report_json TEXT,
      verified_at TEXT,
      UNIQUE (revision_id, idx)
    );
    CREATE INDEX signatures_document ON signatures(document_id);

    -- Files sent with the document (phụ lục, văn bản kèm theo), each signed by the organisation.
    CREATE TABLE attachments (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      document_id INTEGER NOT NULL REFERENCES documents(id),
      seq INTEGER NOT NULL,
      name TEXT NOT NULL,
      source_sha256 TEXT NOT NULL CHECK (length(source_sha256) = 64),
      source_name TEXT NOT NULL,
      pdf_sha256 TEXT NOT NULL CHECK (length(pdf_sha256) = 64),
      -- Filled by the organisation's signature (the attachment stamp), in the issuing step.
      signed_sha256 TEXT CHECK (signed_sha256 IS NULL OR length(signed_sha256) = 64),
      signed_size INTEGER,
      field TEXT,
      certificate_id INTEGER REFERENCES certificates(id),
      signer_cn TEXT,
      signed_at TEXT,
      indication TEXT,
      report_json TEXT,
      created_at TEXT NOT NULL,
      CHECK ((signed_sha256 IS NULL) = (signed_at IS NULL)),
      UNIQUE (document_id, seq)
    );

    CREATE TABLE audit (
      seq INTEGER PRIMARY KEY,
      at TEXT NOT NULL,
      actor TEXT NOT NULL,
      action TEXT NOT NULL,
      subject TEXT,
      details TEXT NOT NULL,
      prev_hash TEXT NOT NULL,
      hash TEXT NOT NULL UNIQUE
    );
    CREATE INDEX audit_subject ON audit(subject, seq);
    CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
    CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;

    -- A revision is a file that existed: it is never changed or removed.
    CREATE TRIGGER revisions_no_update BEFORE UPDATE ON revisions BEGIN SELECT RAISE(ABORT, 'revisions are never changed'); END;
    CREATE TRIGGER revisions_no_delete BEFORE DELETE ON revisions BEGIN SELECT RAISE(ABORT, 'revisions are never deleted'); END;
    -- An issued document is immutable: no new revision, no change of its number, date or file.
    CREATE TRIGGER revisions_not_after_issue BEFORE INSERT ON revisions
      WHEN (SELECT state FROM documents WHERE id = NEW.document_id) = 'issued'
      BEGIN SELECT RAISE(ABORT, 'the document is issued and immutable'); END;
    CREATE TRIGGER documents_frozen_after_issue BEFORE UPDATE ON documents
      WHEN OLD.state = 'issued' AND (
        NEW.state IS NOT OLD.state OR NEW.current_revision_id IS NOT OLD.current_revision_id OR
        NEW.number_symbol IS NOT OLD.number_symbol OR NEW.number_seq IS NOT OLD.number_seq OR
        NEW.issue_date IS NOT OLD.issue_date OR NEW.title IS NOT OLD.title OR NEW.method IS NOT OLD.method)
      BEGIN SELECT RAISE(ABORT, 'the document is issued and immutable'); END;
    CREATE TRIGGER documents_no_delete BEFORE DELETE ON documents BEGIN SELECT RAISE(ABORT, 'documents are never deleted'); END;
  `);
}
