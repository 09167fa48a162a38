// The outbox: issued documents with their recipients, unsent first and the most urgent first,
// with the deadline of each (urgent at once; others the signing day, at the latest the next
// working morning) and a warning when it is passing. Sending itself comes with the exchange
// (edXML); here the clerk records what was sent, and recalls.
import type { OutboxItem } from '../../shared/contract.js';
import { KysoError } from '../../shared/errors.js';
import { appendAudit } from '../store/audit.js';
import { getDocument, getRevision, type UrgencyValue } from '../store/documents.js';
import { statusHistory } from '../store/exchange.js';
import { findOutbox, markSentRows, outboxRows, recallRows, recipientsOf } from '../store/outbox.js';
import { docSubject, refuse, type DeskContext } from './context.js';
import { failIfSecret } from './documents.js';
import { sendWarning, type SendWarning } from './rules.js';

export interface OutboxView extends OutboxItem {
  /** The same as status (kept for the command line's JSON). */
  state: 'waiting' | 'sent' | 'recalled';
  warning: SendWarning | null;
  paperCopyRequired: boolean;
  /** Recipients reached through the exchange also carry their agency code and last status (01…16). */
  recipients: Array<{ name: string; status: string; organId?: string; statusCode?: string | null; description?: string | null; at?: string | null; history?: Array<{ statusCode: string; description: string | null; at: string }> }>;
  sentAt: string | null;
  recalledAt: string | null;
  recallReason: string | null;
  /** Statuses from agencies that are not recipients: a package that reached the wrong agency, returned (02 "gửi nhầm địa chỉ"). */
  returnedBy?: Array<{ organId: string; statusCode: string; description: string | null; at: string }>;
}

type Row = ReturnType<typeof outboxRows>[number];

function view(ctx: DeskContext, r: Row, now: Date): OutboxView {
  const waiting = r.status === 'waiting';
  const issued = new Date(r.issued_at);
  return {
    documentId: String(r.document_id),
    title: r.title,
    number: r.number_symbol,
    urgency: r.urgency as UrgencyValue,
    issuedAt: r.issued_at,
    status: r.status,
    state: r.status,
    sendBy: r.send_by,
    late: waiting && now > new Date(r.send_by),
    warning: waiting ? sendWarning(issued, r.urgency as UrgencyValue, now, ctx.sendRules) : null,
    paperCopyRequired: r.paper_copy_required === 1,
    recipients: recipientsView(ctx, r.document_id),
    sentAt: r.sent_at,
    recalledAt: r.recalled_at,
    recallReason: r.recall_reason,
    sha256: currentFile(ctx, r.document_id),
    ...strayStatuses(ctx, r.document_id),
  };
}

function strayStatuses(ctx: DeskContext, documentId: number): Pick<OutboxView, 'returnedBy'> {
  const known = new Set(recipientsOf(ctx.store.db, documentId).map((x) => x.organ_id));
  const stray = statusHistory(ctx.store.db, documentId).filter((h) => !known.has(h.organ_id));
  return stray.length ? { returnedBy: stray.map((h) => ({ organId: h.organ_id, statusCode: h.status_code, description: h.description, at: h.at })) } : {};
}

function recipientsView(ctx: DeskContext, documentId: number): OutboxView['recipients'] {
  const rows = recipientsOf(ctx.store.db, documentId);
  const history = rows.some((x) => x.organ_id) ? statusHistory(ctx.store.db, documentId) : [];
  return rows.map((x) => {
    if (!x.organ_id) return { name: x.name, status: x.status };
    const mine = history.filter((h) => h.organ_id === x.organ_id);
    const last = mine[mine.length - 1];
    return {
      name: x.name,
      status: x.status,
      organId: x.organ_id,
      statusCode: last?.status_code ?? null,
      description: last?.description ?? null,
      at: last?.at ?? null,
      history: mine.map((h) => ({ statusCode: h.status_code, description: h.description, at: h.at })),
    };
  });
}

/** The SHA-256 of the issued file (the document's current revision). */
function currentFile(ctx: DeskContext, documentId: number): string {
  const doc = getDocument(ctx.store.db, documentId);
  if (doc.current_revision_id === null) throw new KysoError('INTERNAL', { reason: `document ${documentId} has no revision` });
  return getRevision(ctx.store.db, doc.current_revision_id).sha256;
}

export function listOutbox(ctx: DeskContext, now: Date = ctx.now()): OutboxView[] {
  return outboxRows(ctx.store.db).map((r) => view(ctx, r, now));
}

function one(ctx: DeskContext, id: number): OutboxView {
  const r = outboxRows(ctx.store.db).find((x) => x.document_id === id);
  if (!r) throw new KysoError('DOCUMENT_NOT_FOUND', { id: String(id) });
  return view(ctx, r, ctx.now());
}

/** Records the document as sent (to the named recipients, or to all). */
export function markSent(ctx: DeskContext, id: number, recipients?: string[]): OutboxView {
  const db = ctx.store.db;
  const subject = docSubject(id);
  let doc;
  try {
    doc = getDocument(db, id);
  } catch (e) {
    refuse(ctx, 'outbox.send', subject, e as KysoError);
  }
  failIfSecret(ctx, doc, 'outbox.send');
  const item = findOutbox(db, id);
  if (!item) refuse(ctx, 'outbox.send', subject, new KysoError('DOCUMENT_STEP_NOT_ALLOWED', { id: String(id), expected: 'org', requested: 'send' }));
  if (item.status === 'recalled') refuse(ctx, 'outbox.send', subject, new KysoError('OUTBOX_RECALLED', { id: String(id) }));
  const at = ctx.now().toISOString();
  ctx.store.tx(() => {
    markSentRows(db, id, at, recipients);
    appendAudit(db, { at, actor: ctx.actor, action: 'outbox.sent', subject, details: { recipients: recipients ?? recipientsOf(db, id).map((r) => r.name) } });
  });
  return one(ctx, id);
}

/** Recalls an issued document (thu hồi): frozen, recipients asked to destroy it, the recall recorded. */
export function recall(ctx: DeskContext, id: number, reason: string): OutboxView {
  const db = ctx.store.db;
  const subject = docSubject(id);
  if (!reason.trim()) throw new KysoError('USAGE', { reason: 'a reason is required to recall a document' });
  const item = findOutbox(db, id);
  if (!item) refuse(ctx, 'outbox.recall', subject, new KysoError('DOCUMENT_STEP_NOT_ALLOWED', { id: String(id), expected: 'org', requested: 'recall' }));
  if (item.status === 'recalled') refuse(ctx, 'outbox.recall', subject, new KysoError('OUTBOX_RECALLED', { id: String(id) }));
  const at = ctx.now().toISOString();
  ctx.store.tx(() => {
    recallRows(db, id, reason.trim(), at);
    appendAudit(db, { at, actor: ctx.actor, action: 'outbox.recalled', subject, details: { reason: reason.trim() } });
  });
  return one(ctx, id);
}
