// Migration 6: exchange between desks and agencies (edXML over a folder, mail or the axis): this
// desk's identity and inbox, the address book, the send queue (at-least-once, retried with
// backoff, one row per recipient), received packages (idempotent by DocumentId + SHA-256), what
// the inbox knows of each received edXML (sender, number, subject, progress, recall/replacement)
// and every status each recipient sent back.
import type Database from 'better-sqlite3';

export function up(db: Database.Database): void {
  db.exec(`
    CREATE TABLE exchange_self (
      id INTEGER PRIMARY KEY CHECK (id = 1),
      organ_id TEXT NOT NULL,
      name TEXT NOT NULL,
      -- How a recall, update or replacement is answered: 15/16 (QCVN 102) or 03/02 (some systems).
      change_answers TEXT NOT NULL DEFAULT '15-16' CHECK (change_answers IN ('15-16', '03-02')),
      inbox_kind TEXT CHECK (inbox_kind IN ('folder', 'mail', 'axis')),
      inbox_address TEXT,
      -- Transport settings other than the address (JSON; secrets are named by environment variable only).
      inbox_config TEXT NOT NULL DEFAULT '{}',
      updated_at TEXT NOT NULL
    );

    CREATE TABLE exchange_peers (
      organ_id TEXT PRIMARY KEY,
      name TEXT NOT NULL,
      transport TEXT NOT NULL CHECK (transport IN ('folder', 'mail', 'axis')),
      address TEXT NOT NULL,
      created_at TEXT NOT NULL,
      updated_at TEXT NOT NULL
    );

    -- One row per package per recipient. The file is in the content store, named by its SHA-256.
    CREATE TABLE exchange_queue (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      organ_id TEXT NOT NULL,
      kind TEXT NOT NULL CHECK (kind IN ('edoc', 'status', 'forward')),
      document_id INTEGER REFERENCES documents(id),
      inbox_id INTEGER REFERENCES inbox_items(id),
      edxml_document_id TEXT NOT NULL,
      business_type INTEGER,
      status_code TEXT,
      sha256 TEXT NOT NULL CHECK (length(sha256) = 64),
      file_name TEXT NOT NULL,
      subject TEXT NOT NULL,
      state TEXT NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'sent', 'failed')),
      attempts INTEGER NOT NULL DEFAULT 0,
      next_attempt_at TEXT NOT NULL,
      last_error TEXT,
      remote_id TEXT,
      created_at TEXT NOT NULL,
      sent_at TEXT,
      CHECK (state <> 'sent' OR sent_at IS NOT NULL)
    );
    CREATE INDEX exchange_queue_due ON exchange_queue(state, next_attempt_at);
    CREATE INDEX exchange_queue_document ON exchange_queue(document_id);

    -- Every package taken in, once: a package delivered again is recognised and only acknowledged.
    CREATE TABLE exchange_received (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      edxml_document_id TEXT NOT NULL,
      sha256 TEXT NOT NULL CHECK (length(sha256) = 64),
      kind TEXT NOT NULL CHECK (kind IN ('edoc', 'status', 'forward', 'unreadable')),
      from_organ_id TEXT,
      business_type INTEGER,
      status_code TEXT,
      inbox_id INTEGER REFERENCES inbox_items(id),
      document_id INTEGER REFERENCES documents(id),
      outcome TEXT NOT NULL,
      received_at TEXT NOT NULL,
      UNIQUE (edxml_document_id, sha256)
    );

    -- What an inbox item received by exchange says about itself.
    CREATE TABLE exchange_incoming (
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
      frozen TEXT CHECK (frozen IN ('recalled', 'updated', 'replaced')),
      frozen_reason TEXT,
      frozen_at TEXT,
      replaced_by INTEGER REFERENCES inbox_items(id),
      envelope_signature TEXT NOT NULL CHECK (envelope_signature IN ('valid', 'missing', 'broken')),
      envelope_signer TEXT,
      envelope_reason TEXT,
      package_sha256 TEXT NOT NULL,
      received_at TEXT NOT NULL
    );
    CREATE INDEX exchange_incoming_document ON exchange_incoming(edxml_document_id);

    -- Our issued documents as the exchange names them (DocumentId), and what replaced what.
    CREATE TABLE exchange_outgoing (
      document_id INTEGER PRIMARY KEY REFERENCES documents(id),
      edxml_document_id TEXT NOT NULL UNIQUE,
      business_type INTEGER NOT NULL DEFAULT 0,
      relates_to INTEGER REFERENCES documents(id),
      created_at TEXT NOT NULL
    );

    -- Every status a recipient sent back, in order of arrival; the latest is the recipient's status.
    CREATE TABLE exchange_status_history (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      document_id INTEGER NOT NULL REFERENCES documents(id),
      organ_id TEXT NOT NULL,
      status_code TEXT NOT NULL,
      description TEXT,
      at TEXT NOT NULL,
      received_at TEXT NOT NULL
    );
    CREATE INDEX exchange_status_document ON exchange_status_history(document_id, organ_id, id);

    -- Drafts routed between desks of one agency (doc forward): the same draft on every desk.
    CREATE TABLE exchange_routes (
      document_id INTEGER PRIMARY KEY REFERENCES documents(id),
      route_id TEXT NOT NULL UNIQUE,
      origin_organ_id TEXT,
      updated_at TEXT NOT NULL
    );
  `);
}
