// Rows of the outbox: issued documents waiting to be sent, their recipients and each recipient's
// status (sent, received, accepted, rejected, recall requested, recalled).
import type Database from 'better-sqlite3';
import { prep } from './sql.js';
import { KysoError } from '../../shared/errors.js';

export type RecipientStatus = 'pending' | 'sent' | 'received' | 'accepted' | 'rejected' | 'recall-requested' | 'recalled' | 'withdraw-requested' | 'withdrawn';

export interface RecipientRow {
  id: number;
  document_id: number;
  name: string;
  organ_id: string | null;
  status: RecipientStatus;
  updated_at: string;
  note: string | null;
}

export interface OutboxRow {
  id: number;
  document_id: number;
  queued_at: string;
  send_by: string;
  status: 'waiting' | 'sent' | 'recalled';
  sent_at: string | null;
  recalled_at: string | null;
  recall_reason: string | null;
}

export function addRecipient(db: Database.Database, documentId: number, name: string, organId: string | null, at: string): void {
  prep(db, 'INSERT INTO outbox_recipients (document_id, name, organ_id, updated_at) VALUES (?, ?, ?, ?) ON CONFLICT (document_id, name) DO NOTHING').run(
    documentId,
    name,
    organId,
    at,
  );
}

export function recipientsOf(db: Database.Database, documentId: number): RecipientRow[] {
  return prep(db, 'SELECT * FROM outbox_recipients WHERE document_id = ? ORDER BY id').all(documentId) as RecipientRow[];
}

export function queueOutbox(db: Database.Database, documentId: number, at: string, sendBy: string): void {
  prep(db, 'INSERT INTO outbox_items (document_id, queued_at, send_by) VALUES (?, ?, ?)').run(documentId, at, sendBy);
}

export function findOutbox(db: Database.Database, documentId: number): OutboxRow | undefined {
  return prep(db, 'SELECT * FROM outbox_items WHERE document_id = ?').get(documentId) as OutboxRow | undefined;
}

/** Marks the document sent to the named recipients (all when none is named). */
export function markSentRows(db: Database.Database, documentId: number, at: string, names?: string[]): void {
  const item = findOutbox(db, documentId);
  if (!item) throw new KysoError('DOCUMENT_STEP_NOT_ALLOWED', { id: String(documentId), expected: 'org', requested: 'send' });
  if (item.status === 'recalled') throw new KysoError('OUTBOX_RECALLED', { id: String(documentId) });
  for (const n of names ?? []) addRecipient(db, documentId, n, null, at);
  const all = recipientsOf(db, documentId);
  const chosen = names && names.length ? all.filter((r) => names.includes(r.name)) : all;
  const upd = prep(db, "UPDATE outbox_recipients SET status = 'sent', updated_at = ? WHERE id = ? AND status = 'pending'");
  for (const r of chosen) upd.run(at, r.id);
  const pending = (prep(db, "SELECT COUNT(*) AS n FROM outbox_recipients WHERE document_id = ? AND status = 'pending'").get(documentId) as { n: number }).n;
  if (pending === 0) prep(db, "UPDATE outbox_items SET status = 'sent', sent_at = COALESCE(sent_at, ?) WHERE document_id = ? AND status = 'waiting'").run(at, documentId);
}

/** Records a recall (thu hồi): the item is frozen, every recipient that had it is asked to destroy it. */
export function recallRows(db: Database.Database, documentId: number, reason: string, at: string): void {
  const item = findOutbox(db, documentId);
  if (!item) throw new KysoError('DOCUMENT_STEP_NOT_ALLOWED', { id: String(documentId), expected: 'org', requested: 'recall' });
  if (item.status === 'recalled') throw new KysoError('OUTBOX_RECALLED', { id: String(documentId) });
  prep(db, "UPDATE outbox_items SET status = 'recalled', recalled_at = ?, recall_reason = ? WHERE document_id = ?").run(at, reason, documentId);
  prep(db, "UPDATE outbox_recipients SET status = 'recall-requested', updated_at = ? WHERE document_id = ? AND status IN ('sent', 'received', 'accepted')").run(at, documentId);
}

/** The outbox with the documents' facts, unsent first, urgency first. */
export function outboxRows(db: Database.Database): Array<OutboxRow & { title: string; number_symbol: string | null; urgency: string; issued_at: string; paper_copy_required: number }> {
  return prep(db, 
      `SELECT o.*, d.title, d.number_symbol, d.urgency, d.issued_at, d.paper_copy_required FROM outbox_items o JOIN documents d ON d.id = o.document_id
       ORDER BY o.status <> 'waiting', CASE d.urgency WHEN 'flash' THEN 0 WHEN 'very-urgent' THEN 1 WHEN 'urgent' THEN 2 ELSE 3 END, o.send_by, o.id`,
    )
    .all() as Array<OutboxRow & { title: string; number_symbol: string | null; urgency: string; issued_at: string; paper_copy_required: number }>;
}
