// Rows of the exchange: this desk's identity and inbox, the address book, the send queue,
// received packages, what the inbox knows of each edXML and the statuses recipients sent back.
import type Database from 'better-sqlite3';
import { KysoError } from '../../shared/errors.js';
import { prep } from './sql.js';

export type TransportKind = 'folder' | 'mail' | 'axis';
export type PackageKind = 'edoc' | 'status' | 'forward';

export interface SelfRow {
  organ_id: string;
  name: string;
  change_answers: '15-16' | '03-02';
  inbox_kind: TransportKind | null;
  inbox_address: string | null;
  inbox_config: string;
}

export interface PeerRow {
  organ_id: string;
  name: string;
  transport: TransportKind;
  address: string;
  created_at: string;
  updated_at: string;
}

export interface QueueRow {
  id: number;
  organ_id: string;
  kind: PackageKind;
  document_id: number | null;
  inbox_id: number | null;
  edxml_document_id: string;
  business_type: number | null;
  status_code: string | null;
  sha256: string;
  file_name: string;
  subject: string;
  state: 'queued' | 'sent' | 'failed';
  attempts: number;
  next_attempt_at: string;
  last_error: string | null;
  remote_id: string | null;
  created_at: string;
  sent_at: string | null;
}

export interface IncomingRow {
  inbox_id: number;
  edxml_document_id: string;
  from_organ_id: string | null;
  from_name: string | null;
  code_number: string | null;
  code_notation: string | null;
  subject: string | null;
  promulgation_date: string | null;
  priority: number;
  business_type: number;
  progress: 'new' | 'assigned' | 'processing' | 'done';
  frozen: 'recalled' | 'updated' | 'replaced' | 'withdrawn' | null;
  frozen_reason: string | null;
  frozen_at: string | null;
  replaced_by: number | null;
  envelope_signature: 'valid' | 'missing' | 'broken';
  envelope_signer: string | null;
  envelope_reason: string | null;
  package_sha256: string;
  received_at: string;
  /** The envelope signer's certificate judged at arrival (valid…missing); null before version 7. */
  envelope_verdict: 'valid' | 'invalid' | 'untrusted' | 'revoked' | 'missing' | null;
  /** JSON of the verdict (sentences, problems). */
  envelope_detail: string | null;
}

export function getSelf(db: Database.Database): SelfRow | undefined {
  return prep(db, 'SELECT organ_id, name, change_answers, inbox_kind, inbox_address, inbox_config FROM exchange_self WHERE id = 1').get() as SelfRow | undefined;
}

export function requireSelf(db: Database.Database): SelfRow {
  const s = getSelf(db);
  if (!s) throw new KysoError('EXCHANGE_NOT_CONFIGURED', { what: 'this desk has no agency code (exchange self --organ-id ID --name NAME)' });
  return s;
}

export function setSelf(db: Database.Database, s: { organId: string; name: string; changeAnswers?: '15-16' | '03-02' }, at: string): void {
  prep(
    db,
    `INSERT INTO exchange_self (id, organ_id, name, change_answers, updated_at) VALUES (1, ?, ?, ?, ?)
     ON CONFLICT (id) DO UPDATE SET organ_id = excluded.organ_id, name = excluded.name,
       change_answers = COALESCE(?, change_answers), updated_at = excluded.updated_at`,
  ).run(s.organId, s.name, s.changeAnswers ?? '15-16', at, s.changeAnswers ?? null);
}

/** One of the desk's inboxes (one per transport kind). */
export interface InboxConfigRow {
  kind: TransportKind;
  address: string;
  config: string;
  updated_at: string;
}

/**
 * Sets the desk's inbox of this kind (the others stay: a desk may receive from a folder, the mail
 * and the axis at once). exchange_self keeps the last one set, as before version 7.
 */
export function setInbox(db: Database.Database, kind: TransportKind, address: string, config: Record<string, string>, at: string): void {
  const r = prep(db, 'UPDATE exchange_self SET inbox_kind = ?, inbox_address = ?, inbox_config = ?, updated_at = ? WHERE id = 1').run(kind, address, JSON.stringify(config), at);
  if (r.changes !== 1) requireSelf(db);
  prep(
    db,
    `INSERT INTO exchange_inboxes (kind, address, config, updated_at) VALUES (?, ?, ?, ?)
     ON CONFLICT (kind) DO UPDATE SET address = excluded.address, config = excluded.config, updated_at = excluded.updated_at`,
  ).run(kind, address, JSON.stringify(config), at);
}

/** Stops receiving through this kind; exchange_self then names another inbox, or none. */
export function removeInbox(db: Database.Database, kind: TransportKind, at: string): boolean {
  const gone = prep(db, 'DELETE FROM exchange_inboxes WHERE kind = ?').run(kind).changes > 0;
  const left = listInboxes(db).at(-1);
  prep(db, 'UPDATE exchange_self SET inbox_kind = ?, inbox_address = ?, inbox_config = ?, updated_at = ? WHERE id = 1').run(left?.kind ?? null, left?.address ?? null, left?.config ?? '{}', at);
  return gone;
}

/** The desk's inboxes, in the order they were set. */
export function listInboxes(db: Database.Database): InboxConfigRow[] {
  return prep(db, 'SELECT kind, address, config, updated_at FROM exchange_inboxes ORDER BY updated_at, kind').all() as InboxConfigRow[];
}

export function findInbox(db: Database.Database, kind: TransportKind): InboxConfigRow | undefined {
  return prep(db, 'SELECT kind, address, config, updated_at FROM exchange_inboxes WHERE kind = ?').get(kind) as InboxConfigRow | undefined;
}

export function upsertPeer(db: Database.Database, p: { organId: string; name: string; transport: TransportKind; address: string }, at: string): void {
  prep(
    db,
    `INSERT INTO exchange_peers (organ_id, name, transport, address, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)
     ON CONFLICT (organ_id) DO UPDATE SET name = excluded.name, transport = excluded.transport, address = excluded.address, updated_at = excluded.updated_at`,
  ).run(p.organId, p.name, p.transport, p.address, at, at);
}

export function listPeers(db: Database.Database): PeerRow[] {
  return prep(db, 'SELECT * FROM exchange_peers ORDER BY name, organ_id').all() as PeerRow[];
}

export function getPeer(db: Database.Database, organId: string): PeerRow {
  const p = prep(db, 'SELECT * FROM exchange_peers WHERE organ_id = ?').get(organId) as PeerRow | undefined;
  if (!p) throw new KysoError('EXCHANGE_PEER_UNKNOWN', { organId });
  return p;
}

export function findPeer(db: Database.Database, organId: string): PeerRow | undefined {
  return prep(db, 'SELECT * FROM exchange_peers WHERE organ_id = ?').get(organId) as PeerRow | undefined;
}

export function enqueue(
  db: Database.Database,
  r: Pick<QueueRow, 'organ_id' | 'kind' | 'document_id' | 'inbox_id' | 'edxml_document_id' | 'business_type' | 'status_code' | 'sha256' | 'file_name' | 'subject'>,
  at: string,
): number {
  const res = prep(
    db,
    `INSERT INTO exchange_queue (organ_id, kind, document_id, inbox_id, edxml_document_id, business_type, status_code, sha256, file_name, subject, next_attempt_at, created_at)
     VALUES (@organ_id, @kind, @document_id, @inbox_id, @edxml_document_id, @business_type, @status_code, @sha256, @file_name, @subject, @at, @at)`,
  ).run({ ...r, at });
  const id = Number(res.lastInsertRowid);
  // "{id}" in the name becomes the row's number, so a receiver reading names in order reads packages in the order they were made.
  if (r.file_name.includes('{id}')) prep(db, 'UPDATE exchange_queue SET file_name = ? WHERE id = ?').run(r.file_name.replace('{id}', String(id).padStart(10, '0')), id);
  return id;
}

export function dueQueue(db: Database.Database, now: string, limit: number): QueueRow[] {
  return prep(db, "SELECT * FROM exchange_queue WHERE state = 'queued' AND next_attempt_at <= ? ORDER BY id LIMIT ?").all(now, limit) as QueueRow[];
}

export function queueFor(db: Database.Database, documentId: number): QueueRow[] {
  return prep(db, 'SELECT * FROM exchange_queue WHERE document_id = ? ORDER BY id').all(documentId) as QueueRow[];
}

export function markQueueSent(db: Database.Database, id: number, at: string, remoteId: string | null): void {
  prep(db, "UPDATE exchange_queue SET state = 'sent', sent_at = ?, remote_id = ?, attempts = attempts + 1, last_error = NULL WHERE id = ?").run(at, remoteId, id);
}

export function markQueueRetry(db: Database.Database, id: number, nextAt: string, error: string, permanent: boolean): void {
  prep(db, 'UPDATE exchange_queue SET attempts = attempts + 1, next_attempt_at = ?, last_error = ?, state = ? WHERE id = ?').run(nextAt, error, permanent ? 'failed' : 'queued', id);
}

export function wasReceived(db: Database.Database, documentId: string, sha256: string): boolean {
  return prep(db, 'SELECT 1 FROM exchange_received WHERE edxml_document_id = ? AND sha256 = ?').get(documentId, sha256) !== undefined;
}

export function recordReceived(
  db: Database.Database,
  r: { documentId: string; sha256: string; kind: PackageKind | 'unreadable'; from: string | null; businessType: number | null; statusCode: string | null; inboxId: number | null; localDocumentId: number | null; outcome: string },
  at: string,
): void {
  prep(
    db,
    `INSERT INTO exchange_received (edxml_document_id, sha256, kind, from_organ_id, business_type, status_code, inbox_id, document_id, outcome, received_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(r.documentId, r.sha256, r.kind, r.from, r.businessType, r.statusCode, r.inboxId, r.localDocumentId, r.outcome, at);
}

export function insertIncomingFacts(db: Database.Database, r: Omit<IncomingRow, 'progress' | 'frozen' | 'frozen_reason' | 'frozen_at' | 'replaced_by'>): void {
  prep(
    db,
    `INSERT INTO exchange_incoming (inbox_id, edxml_document_id, from_organ_id, from_name, code_number, code_notation, subject, promulgation_date, priority, business_type,
       envelope_signature, envelope_signer, envelope_reason, package_sha256, received_at, envelope_verdict, envelope_detail)
     VALUES (@inbox_id, @edxml_document_id, @from_organ_id, @from_name, @code_number, @code_notation, @subject, @promulgation_date, @priority, @business_type,
       @envelope_signature, @envelope_signer, @envelope_reason, @package_sha256, @received_at, @envelope_verdict, @envelope_detail)`,
  ).run(r);
}

export function incomingOf(db: Database.Database, inboxId: number): IncomingRow | undefined {
  return prep(db, 'SELECT * FROM exchange_incoming WHERE inbox_id = ?').get(inboxId) as IncomingRow | undefined;
}

/** The inbox copies of a document (by its DocumentId) from one sender, newest first. */
export function incomingByDocument(db: Database.Database, documentId: string, fromOrganId: string | null): IncomingRow[] {
  return prep(db, 'SELECT * FROM exchange_incoming WHERE edxml_document_id = ? AND (? IS NULL OR from_organ_id = ?) ORDER BY inbox_id DESC').all(documentId, fromOrganId, fromOrganId) as IncomingRow[];
}

export function setProgress(db: Database.Database, inboxId: number, progress: IncomingRow['progress']): void {
  prep(db, 'UPDATE exchange_incoming SET progress = ? WHERE inbox_id = ?').run(progress, inboxId);
}

export function freezeIncoming(db: Database.Database, inboxId: number, state: 'recalled' | 'updated' | 'replaced' | 'withdrawn', reason: string | null, at: string, replacedBy: number | null): void {
  prep(db, 'UPDATE exchange_incoming SET frozen = ?, frozen_reason = ?, frozen_at = ?, replaced_by = ? WHERE inbox_id = ?').run(state, reason, at, replacedBy, inboxId);
}

export function setOutgoing(db: Database.Database, documentId: number, edxmlDocumentId: string, businessType: number, relatesTo: number | null, at: string): void {
  prep(db, 'INSERT INTO exchange_outgoing (document_id, edxml_document_id, business_type, relates_to, created_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (document_id) DO NOTHING').run(
    documentId,
    edxmlDocumentId,
    businessType,
    relatesTo,
    at,
  );
}

export function outgoingByEdxmlId(db: Database.Database, edxmlDocumentId: string): { document_id: number } | undefined {
  return prep(db, 'SELECT document_id FROM exchange_outgoing WHERE edxml_document_id = ?').get(edxmlDocumentId) as { document_id: number } | undefined;
}

export function outgoingOf(db: Database.Database, documentId: number): { edxml_document_id: string; business_type: number; relates_to: number | null } | undefined {
  return prep(db, 'SELECT edxml_document_id, business_type, relates_to FROM exchange_outgoing WHERE document_id = ?').get(documentId) as
    | { edxml_document_id: string; business_type: number; relates_to: number | null }
    | undefined;
}

export function addStatus(db: Database.Database, r: { documentId: number; organId: string; statusCode: string; description: string | null; at: string }, receivedAt: string): void {
  prep(db, 'INSERT INTO exchange_status_history (document_id, organ_id, status_code, description, at, received_at) VALUES (?, ?, ?, ?, ?, ?)').run(
    r.documentId,
    r.organId,
    r.statusCode,
    r.description,
    r.at,
    receivedAt,
  );
}

export interface StatusRow {
  organ_id: string;
  status_code: string;
  description: string | null;
  at: string;
}

export function statusHistory(db: Database.Database, documentId: number): StatusRow[] {
  return prep(db, 'SELECT organ_id, status_code, description, at FROM exchange_status_history WHERE document_id = ? ORDER BY id').all(documentId) as StatusRow[];
}

export function routeOf(db: Database.Database, routeId: string): { document_id: number } | undefined {
  return prep(db, 'SELECT document_id FROM exchange_routes WHERE route_id = ?').get(routeId) as { document_id: number } | undefined;
}

export function routeIdOf(db: Database.Database, documentId: number): string | undefined {
  return (prep(db, 'SELECT route_id FROM exchange_routes WHERE document_id = ?').get(documentId) as { route_id: string } | undefined)?.route_id;
}

export function setRoute(db: Database.Database, documentId: number, routeId: string, origin: string | null, at: string): void {
  prep(db, 'INSERT INTO exchange_routes (document_id, route_id, origin_organ_id, updated_at) VALUES (?, ?, ?, ?) ON CONFLICT (document_id) DO UPDATE SET updated_at = excluded.updated_at').run(
    documentId,
    routeId,
    origin,
    at,
  );
}
