// Migration 7: what issue 13 still lacked.
// - Several inboxes per desk (one per transport kind: a shared folder, the mail, the axis), all read
//   by one `exchange sync`; the single inbox of exchange_self becomes the first row.
// - The envelope signature's verdict with the desk's trust store and revocation data (valid,
//   invalid, untrusted, revoked, missing), beside the cryptographic check kept as it was.
// - Status 13 (the sender takes a document back before it is processed): the receiver's copy can
//   be "withdrawn", and the sender's recipient row "withdraw-requested" then "withdrawn".
// SQLite cannot widen a CHECK in place: exchange_incoming and outbox_recipients are rebuilt with
// the same columns and rows (nothing references them).
import type Database from 'better-sqlite3';

export function up(db: Database.Database): void {
  db.exec(`
    CREATE TABLE exchange_inboxes (
      kind TEXT PRIMARY KEY CHECK (kind IN ('folder', 'mail', 'axis')),
      address TEXT NOT NULL,
      -- Transport settings other than the address (JSON; secrets are named by environment variable only).
      config TEXT NOT NULL DEFAULT '{}',
      updated_at TEXT NOT NULL
    );
    INSERT INTO exchange_inboxes (kind, address, config, updated_at)
      SELECT inbox_kind, inbox_address, inbox_config, updated_at FROM exchange_self WHERE inbox_kind IS NOT NULL AND inbox_address IS NOT NULL;

    CREATE TABLE exchange_incoming_v7 (
      inbox_id INTEGER PRIMARY KEY REFERENCES inbox_items(id),
      edxml_document_id TEXT NOT NULL,
      from_organ_id TEXT,
      from_name TEXT,
      code_number TEXT,
      code_notation TEXT,
      subject TEXT,
      promulgation_date TEXT,
      priority INTEGER NOT NULL DEFAULT 0,
      business_type INTEGER NOT NULL DEFAULT 0,
      progress TEXT NOT NULL DEFAULT 'new' CHECK (progress IN ('new', 'assigned', 'processing', 'done')),
      frozen TEXT CHECK (frozen IN ('recalled', 'updated', 'replaced', 'withdrawn')),
      frozen_reason TEXT,
      frozen_at TEXT,
      replaced_by INTEGER REFERENCES inbox_items(id),
      envelope_signature TEXT NOT NULL CHECK (envelope_signature IN ('valid', 'missing', 'broken')),
      envelope_signer TEXT,
      envelope_reason TEXT,
      package_sha256 TEXT NOT NULL,
      received_at TEXT NOT NULL,
      -- The signer certificate judged with the trust store and CRLs/OCSP at arrival; NULL: received before version 7.
      envelope_verdict TEXT CHECK (envelope_verdict IN ('valid', 'invalid', 'untrusted', 'revoked', 'missing')),
      -- JSON: { problems: [...], chain, certificate } as the check found them.
      envelope_detail TEXT
    );
    INSERT INTO exchange_incoming_v7 (inbox_id, edxml_document_id, from_organ_id, from_name, code_number, code_notation, subject, promulgation_date, priority,
        business_type, progress, frozen, frozen_reason, frozen_at, replaced_by, envelope_signature, envelope_signer, envelope_reason, package_sha256, received_at)
      SELECT inbox_id, edxml_document_id, from_organ_id, from_name, code_number, code_notation, subject, promulgation_date, priority,
        business_type, progress, frozen, frozen_reason, frozen_at, replaced_by, envelope_signature, envelope_signer, envelope_reason, package_sha256, received_at
      FROM exchange_incoming;
    DROP TABLE exchange_incoming;
    ALTER TABLE exchange_incoming_v7 RENAME TO exchange_incoming;
    CREATE INDEX exchange_incoming_document ON exchange_incoming(edxml_document_id);

    CREATE TABLE outbox_recipients_v7 (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      document_id INTEGER NOT NULL REFERENCES documents(id),
      name TEXT NOT NULL,
      organ_id TEXT,
      status TEXT NOT NULL DEFAULT 'pending'
        CHECK (status IN ('pending', 'sent', 'received', 'accepted', 'rejected', 'recall-requested', 'recalled', 'withdraw-requested', 'withdrawn')),
      updated_at TEXT NOT NULL,
      note TEXT,
      UNIQUE (document_id, name)
    );
    INSERT INTO outbox_recipients_v7 (id, document_id, name, organ_id, status, updated_at, note)
      SELECT id, document_id, name, organ_id, status, updated_at, note FROM outbox_recipients;
    DROP TABLE outbox_recipients;
    ALTER TABLE outbox_recipients_v7 RENAME TO outbox_recipients;
  `);
}
