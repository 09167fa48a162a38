// The exchange engine: issued documents leave as signed edXML packages through the send queue
// (one row per recipient, at-least-once, retried with exponential backoff, a failing recipient
// never holding the others); packages that arrive are taken in once (DocumentId + SHA-256), their
// PDF verified and registered, and answered with statuses (01 at once; 02/03 on the clerk's
// decision; 04/05/06 as the matter moves; 15/16 — or 03/02 — to a recall, update or replace).
// Each arrival is one transaction; the transport moves the package aside only after the commit.
import { createHash } from 'node:crypto';
import { closeSync, existsSync, fsyncSync, linkSync, mkdirSync, openSync, readFileSync, rmSync, writeSync, chmodSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Signer } from '../cms/signer.js';
import { KysoError, toKysoError } from '../../shared/errors.js';
import { appendAudit } from '../store/audit.js';
import { judgeEnvelope } from './envelope-trust.js';
import { getDocument, getRevision, listAttachments, type UrgencyValue } from '../store/documents.js';
import * as X from '../store/exchange.js';
import { getInbox } from '../store/inbox.js';
import { addRecipient, findOutbox } from '../store/outbox.js';
import { prep } from '../store/sql.js';
import { crashPoint } from '../workflow/crash.js';
import { docSubject, inboxSubject, type DeskContext } from '../workflow/context.js';
import { decideIncoming, insertIncoming, prepareIncoming } from '../workflow/inbox.js';
import { recall as recallOutbox } from '../workflow/outbox.js';
import { makeDocumentId, splitNumberSymbol, type Attachment, type BusinessDocType, type Organ, type ParsedEnvelope, type Priority, type StatusCode } from './edxml-model.js';
import { parseEdxml } from './edxml-read.js';
import { signEnvelope } from './edxml-sign.js';
import { buildEdoc, buildStatus, edxmlTimestamp, type OutgoingFile } from './edxml-write.js';
import type { IncomingPackage, Transport } from './transport.js';
import { openTransport } from './transports.js';
import { applyRoute, routeAttachment } from './routing.js';

const BACKOFF_BASE_MS = 30_000;
const BACKOFF_MAX_MS = 6 * 3600_000;

const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

/** Stores bytes in the content store synchronously (flushed, then linked under their SHA-256). */
export function storeBytes(ctx: DeskContext, bytes: Buffer): string {
  const files = ctx.store.files;
  const sha = sha256(bytes);
  if (files.has(sha)) return sha;
  const tmp = files.stagingPath('.edxml');
  const fd = openSync(tmp, 'wx', 0o644);
  try {
    let off = 0;
    while (off < bytes.length) off += writeSync(fd, bytes, off, bytes.length - off);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  const target = files.pathOf(sha);
  mkdirSync(dirname(target), { recursive: true });
  try {
    linkSync(tmp, target);
    chmodSync(target, 0o444);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw toKysoError(e);
  } finally {
    rmSync(tmp, { force: true });
  }
  return sha;
}

const safe = (s: string): string => s.replace(/[^A-Za-z0-9.-]+/g, '-').slice(0, 60);

function selfOrgan(self: X.SelfRow): Organ {
  return { organId: self.organ_id, organName: self.name };
}

const PRIORITY: Record<UrgencyValue, Priority> = { normal: 0, urgent: 1, 'very-urgent': 2, flash: 3 };
const URGENCY: UrgencyValue[] = ['normal', 'urgent', 'very-urgent', 'flash'];

// -- sending --------------------------------------------------------------------------------

export interface QueueOptions {
  signer?: Signer;
  /** 2 update or 3 replace: the earlier document of ours it changes. */
  business?: { type: 2 | 3; relatesTo: number; reason?: string };
}

function edxmlIdOf(ctx: DeskContext, self: X.SelfRow, documentId: number): string {
  const known = X.outgoingOf(ctx.store.db, documentId);
  if (known) return known.edxml_document_id;
  const doc = getDocument(ctx.store.db, documentId);
  if (!doc.number_symbol || !doc.issue_date) throw new KysoError('DOCUMENT_STEP_NOT_ALLOWED', { id: String(documentId), expected: 'org', requested: 'send' });
  const { number, notation } = splitNumberSymbol(doc.number_symbol);
  return makeDocumentId(self.organ_id, doc.issue_date, number, notation);
}

/** The agencies a document went to through the exchange (what a recall or a withdrawal reaches). */
export function sentRecipients(ctx: DeskContext, documentId: number): string[] {
  return [...new Set(X.queueFor(ctx.store.db, documentId).filter((q) => q.kind === 'edoc').map((q) => q.organ_id))];
}

/** Queues an issued document to agencies of the address book: the PDF and its attachments in one envelope, signed. */
export async function queueDocument(ctx: DeskContext, documentId: number, organIds: string[], o: QueueOptions = {}): Promise<void> {
  const db = ctx.store.db;
  const self = X.requireSelf(db);
  const doc = getDocument(db, documentId);
  const item = findOutbox(db, documentId);
  if (!item) throw new KysoError('DOCUMENT_STEP_NOT_ALLOWED', { id: String(documentId), expected: 'org', requested: 'send' });
  if (item.status === 'recalled') throw new KysoError('OUTBOX_RECALLED', { id: String(documentId) });
  if (doc.secrecy !== 'none') throw new KysoError('DOCUMENT_SECRET', { id: String(documentId), secrecy: doc.secrecy });
  if (organIds.length === 0) throw new KysoError('USAGE', { reason: 'give at least one --to ORGAN_ID' });
  const peers = organIds.map((id) => X.getPeer(db, id));
  const edxmlId = edxmlIdOf(ctx, self, documentId);
  const { number, notation } = splitNumberSymbol(doc.number_symbol!);
  const files: OutgoingFile[] = [];
  const rev = getRevision(db, doc.current_revision_id!);
  files.push({ name: doc.file_name.toLowerCase().endsWith('.pdf') ? doc.file_name : `${doc.file_name}.pdf`, contentType: 'application/pdf', data: readFileSync(ctx.store.files.require(rev.sha256)) });
  for (const a of listAttachments(db, documentId)) {
    files.push({ name: a.name.toLowerCase().endsWith('.pdf') ? a.name : `${a.name}.pdf`, contentType: 'application/pdf', data: readFileSync(ctx.store.files.require(a.signed_sha256 ?? a.pdf_sha256)) });
  }
  let business: { businessDocType: BusinessDocType; reason: string | null; documentId: string | null; paper: boolean; replacements: Array<{ documentId: string; organIds: string[] }> } = {
    businessDocType: 0,
    reason: 'Văn bản điện tử mới',
    documentId: null,
    paper: doc.paper_copy_required === 1,
    replacements: [],
  };
  if (o.business) {
    const old = X.outgoingOf(db, o.business.relatesTo);
    if (!old) throw new KysoError('DOCUMENT_STEP_NOT_ALLOWED', { id: String(o.business.relatesTo), expected: 'send', requested: o.business.type === 3 ? 'replace' : 'update' });
    business =
      o.business.type === 3
        ? { ...business, businessDocType: 3, reason: o.business.reason ?? 'Văn bản thay thế', replacements: [{ documentId: old.edxml_document_id, organIds }] }
        : { ...business, businessDocType: 2, reason: o.business.reason ?? 'Cập nhật văn bản điện tử', documentId: old.edxml_document_id };
  }
  const at = ctx.now();
  let xml = buildEdoc({
    from: selfOrgan(self),
    to: peers.map((p) => ({ organId: p.organ_id, organName: p.name })),
    documentId: edxmlId,
    code: { number, notation },
    promulgation: { date: doc.issue_date! },
    documentType: { type: '1', typeName: doc.doc_type ?? '' },
    subject: doc.title,
    priority: PRIORITY[doc.urgency],
    business,
    traces: [{ organId: self.organ_id, timestamp: edxmlTimestamp(at) }],
    files,
  });
  if (o.signer) xml = await signEnvelope(xml, o.signer);
  const sha = storeBytes(ctx, Buffer.from(xml, 'utf8'));
  ctx.store.tx(() => {
    X.setOutgoing(db, documentId, edxmlId, business.businessDocType, o.business?.relatesTo ?? null, at.toISOString());
    for (const p of peers) {
      addRecipient(db, documentId, p.name, p.organ_id, at.toISOString());
      prep(db, 'UPDATE outbox_recipients SET organ_id = ? WHERE document_id = ? AND name = ?').run(p.organ_id, documentId, p.name);
      X.enqueue(
        db,
        { organ_id: p.organ_id, kind: 'edoc', document_id: documentId, inbox_id: null, edxml_document_id: edxmlId, business_type: business.businessDocType, status_code: null, sha256: sha, file_name: `${safe(self.organ_id)}_{id}_edoc_${sha.slice(0, 16)}.edxml`, subject: doc.title },
        at.toISOString(),
      );
    }
    appendAudit(db, { at: at.toISOString(), actor: ctx.actor, action: 'exchange.queued', subject: docSubject(documentId), details: { documentId: edxmlId, to: organIds, sha256: sha, businessDocType: business.businessDocType, signed: Boolean(o.signer) } });
  });
}

/** Recalls an issued document: frozen here (the outbox's recall) and a recall envelope queued to every recipient it went to. */
export async function recallDocument(ctx: DeskContext, documentId: number, reason: string, o: { signer?: Signer } = {}): Promise<void> {
  const db = ctx.store.db;
  const self = X.getSelf(db);
  const recipients = self ? sentRecipients(ctx, documentId) : [];
  if (!self || recipients.length === 0) {
    recallOutbox(ctx, documentId, reason);
    return;
  }
  const doc = getDocument(db, documentId);
  const edxmlId = edxmlIdOf(ctx, self, documentId);
  const { number, notation } = splitNumberSymbol(doc.number_symbol!);
  const at = ctx.now();
  let xml = buildEdoc({
    from: selfOrgan(self),
    to: recipients.map((id) => ({ organId: id, organName: X.findPeer(db, id)?.name ?? null })),
    documentId: edxmlId,
    code: { number, notation },
    promulgation: { date: doc.issue_date! },
    subject: doc.title,
    priority: PRIORITY[doc.urgency],
    business: { businessDocType: 1, reason, documentId: edxmlId, paper: false, replacements: [] },
    traces: [{ organId: self.organ_id, timestamp: edxmlTimestamp(at) }],
    files: [],
  });
  if (o.signer) xml = await signEnvelope(xml, o.signer);
  const sha = storeBytes(ctx, Buffer.from(xml, 'utf8'));
  ctx.store.tx(() => {
    recallOutbox(ctx, documentId, reason);
    for (const id of recipients)
      X.enqueue(
        db,
        { organ_id: id, kind: 'edoc', document_id: documentId, inbox_id: null, edxml_document_id: edxmlId, business_type: 1, status_code: null, sha256: sha, file_name: `${safe(self.organ_id)}_{id}_recall_${sha.slice(0, 16)}.edxml`, subject: `Thu hồi: ${doc.title}` },
        at.toISOString(),
      );
  });
}

/** Recipients' rows of the outbox a withdrawal (13) can still reach: sent, arrived, not decided. */
const WITHDRAWABLE = new Set(['pending', 'sent', 'received']);

/**
 * Takes a sent document back from recipients that have not processed it (status 13, "văn thư yêu
 * cầu lấy lại"): the document itself stays valid (unlike a recall). A package still in the queue
 * is simply not sent; the others are asked with a 13 and answer 15 (taken back) or 16 (too late:
 * registered). Recipients that have registered, returned or given it back already are refused.
 */
export async function withdrawDocument(ctx: DeskContext, documentId: number, reason: string, o: { to?: string[]; signer?: Signer } = {}): Promise<{ asked: string[]; cancelled: string[] }> {
  const db = ctx.store.db;
  const self = X.requireSelf(db);
  if (!reason.trim()) throw new KysoError('USAGE', { reason: 'give the reason: --reason TEXT' });
  const doc = getDocument(db, documentId);
  const edxmlId = X.outgoingOf(db, documentId)?.edxml_document_id;
  const sentTo = sentRecipients(ctx, documentId);
  if (!edxmlId || sentTo.length === 0) throw new KysoError('DOCUMENT_STEP_NOT_ALLOWED', { id: String(documentId), expected: 'send', requested: 'withdraw' });
  for (const id of o.to ?? []) if (!sentTo.includes(id)) throw new KysoError('EXCHANGE_PEER_UNKNOWN', { organId: id });
  const targets = o.to && o.to.length ? o.to : sentTo;
  const rows = prep(db, 'SELECT organ_id, status FROM outbox_recipients WHERE document_id = ?').all(documentId) as Array<{ organ_id: string | null; status: string }>;
  const statusOf = (id: string): string => rows.find((r) => r.organ_id === id)?.status ?? 'pending';
  const late = targets.filter((id) => !WITHDRAWABLE.has(statusOf(id)));
  // Asked for by name, a recipient that cannot be reached by a 13 any more is an error; asked for all, the reachable ones are asked.
  if ((o.to && o.to.length && late.length) || late.length === targets.length) throw new KysoError('EXCHANGE_WITHDRAW_TOO_LATE', { id: String(documentId), organIds: late.join(', ') });
  const reachable = targets.filter((id) => WITHDRAWABLE.has(statusOf(id)));
  const { number, notation } = splitNumberSymbol(doc.number_symbol!);
  const at = ctx.now();
  const iso = at.toISOString();
  const unsent = new Set(
    (prep(db, "SELECT organ_id FROM exchange_queue WHERE document_id = ? AND kind = 'edoc' AND state = 'queued'").all(documentId) as Array<{ organ_id: string }>).map((r) => r.organ_id),
  );
  const asked = reachable.filter((id) => !unsent.has(id));
  const cancelled = reachable.filter((id) => unsent.has(id));
  // Each message names the one recipient it is for in ResponseFor (as the official sample does).
  const messages: Array<{ organId: string; sha: string }> = [];
  for (const id of asked) {
    let xml = buildStatus({
      from: selfOrgan(self),
      responseFor: { organId: id, code: [number, notation].filter(Boolean).join('/'), documentId: edxmlId, promulgationDate: doc.issue_date },
      statusCode: '13',
      description: reason.trim(),
      timestamp: edxmlTimestamp(at),
      staff: { staff: ctx.actor },
    });
    if (o.signer) xml = await signEnvelope(xml, o.signer);
    messages.push({ organId: id, sha: storeBytes(ctx, Buffer.from(xml, 'utf8')) });
  }
  ctx.store.tx(() => {
    for (const id of cancelled) {
      prep(db, "UPDATE exchange_queue SET state = 'failed', last_error = 'WITHDRAWN before it was sent' WHERE document_id = ? AND organ_id = ? AND kind = 'edoc' AND state = 'queued'").run(documentId, id);
      prep(db, "UPDATE outbox_recipients SET status = 'withdrawn', updated_at = ?, note = ? WHERE document_id = ? AND organ_id = ?").run(iso, reason.trim(), documentId, id);
    }
    for (const m of messages) {
      X.enqueue(
        db,
        { organ_id: m.organId, kind: 'status', document_id: documentId, inbox_id: null, edxml_document_id: edxmlId, business_type: null, status_code: '13', sha256: m.sha, file_name: `${safe(self.organ_id)}_{id}_status-13_${m.sha.slice(0, 16)}.edxml`, subject: `13 ${doc.title}` },
        iso,
      );
      prep(db, "UPDATE outbox_recipients SET status = 'withdraw-requested', updated_at = ?, note = ? WHERE document_id = ? AND organ_id = ?").run(iso, reason.trim(), documentId, m.organId);
    }
    appendAudit(db, { at: iso, actor: ctx.actor, action: 'outbox.withdraw', subject: docSubject(documentId), details: { reason: reason.trim(), asked, cancelled, refused: late } });
  });
  return { asked, cancelled };
}

// -- statuses we answer ---------------------------------------------------------------------

/** What a status answers: a received document (an inbox item, or a package refused before it became one). */
type StatusTarget = Pick<X.IncomingRow, 'edxml_document_id' | 'from_organ_id' | 'code_number' | 'code_notation' | 'promulgation_date' | 'subject'> & { inbox_id: number | null };

/** Builds, stores and queues one status message about a received document. Call inside a transaction. */
function queueStatus(ctx: DeskContext, facts: StatusTarget, code: StatusCode, description: string, at: Date): void {
  const db = ctx.store.db;
  const self = X.requireSelf(db);
  const subject = facts.inbox_id === null ? null : inboxSubject(facts.inbox_id);
  if (!facts.from_organ_id || !X.findPeer(db, facts.from_organ_id)) {
    appendAudit(db, { at: at.toISOString(), actor: ctx.actor, action: 'exchange.status.unaddressed', subject, details: { statusCode: code, from: facts.from_organ_id, documentId: facts.edxml_document_id } });
    return;
  }
  const xml = buildStatus({
    from: selfOrgan(self),
    responseFor: {
      organId: facts.from_organ_id,
      code: [facts.code_number, facts.code_notation].filter(Boolean).join('/'),
      documentId: facts.edxml_document_id,
      promulgationDate: facts.promulgation_date,
    },
    statusCode: code,
    description,
    timestamp: edxmlTimestamp(at),
    staff: { staff: ctx.actor },
  });
  const sha = storeBytes(ctx, Buffer.from(xml, 'utf8'));
  X.enqueue(
    db,
    {
      organ_id: facts.from_organ_id,
      kind: 'status',
      document_id: null,
      inbox_id: facts.inbox_id,
      edxml_document_id: facts.edxml_document_id,
      business_type: null,
      status_code: code,
      sha256: sha,
      file_name: `${safe(self.organ_id)}_{id}_status-${code}_${sha.slice(0, 16)}.edxml`,
      subject: `${code} ${facts.subject ?? ''}`.trim(),
    },
    at.toISOString(),
  );
  appendAudit(db, { at: at.toISOString(), actor: ctx.actor, action: 'exchange.status.queued', subject, details: { statusCode: code, to: facts.from_organ_id, description, documentId: facts.edxml_document_id } });
}

function frozenCheck(ctx: DeskContext, id: number): X.IncomingRow | undefined {
  const facts = X.incomingOf(ctx.store.db, id);
  if (facts?.frozen) throw new KysoError('EXCHANGE_DOCUMENT_FROZEN', { id: String(id), state: facts.frozen });
  return facts;
}

/** Accept (03 with the số đến) or reject (02 with the reason), answered to the sender in the same transaction. */
export function decideExchanged(ctx: DeskContext, id: number, decision: { accept: true } | { accept: false; reason: string }): ReturnType<typeof decideIncoming> {
  const facts = frozenCheck(ctx, id);
  if (!facts) return decideIncoming(ctx, id, decision);
  const row = getInbox(ctx.store.db, id);
  if (row.status !== 'new' || (decision.accept && row.indication === 'TOTAL_FAILED')) return decideIncoming(ctx, id, decision); // refused, with its audit entry
  return ctx.store.tx(() => {
    const view = decideIncoming(ctx, id, decision);
    const at = ctx.now();
    if (decision.accept) queueStatus(ctx, facts, '03', `Tiếp nhận, vào sổ văn bản đến số ${view.incomingNumber} | Accepted, incoming number ${view.incomingNumber}`, at);
    else queueStatus(ctx, facts, '02', decision.reason.trim(), at);
    return view;
  });
}

/**
 * An item accepted by another path (accepted and stamped with "ĐẾN" in one step): answered 03 to
 * its sender when it came through the exchange; nothing when it came by hand.
 */
export function answerAccepted(ctx: DeskContext, id: number): void {
  const facts = frozenCheck(ctx, id);
  if (!facts) return;
  const row = getInbox(ctx.store.db, id);
  if (row.status !== 'accepted') return;
  ctx.store.tx(() => queueStatus(ctx, facts, '03', `Tiếp nhận, vào sổ văn bản đến số ${row.incoming_number} | Accepted, incoming number ${row.incoming_number}`, ctx.now()));
}

const PROGRESS: Record<'assigned' | 'processing' | 'done', { code: StatusCode; text: string }> = {
  assigned: { code: '04', text: 'Phân công xử lý | Assigned' },
  processing: { code: '05', text: 'Đang xử lý | In process' },
  done: { code: '06', text: 'Hoàn thành xử lý | Done' },
};

/** Assign (04), in process (05), done (06): recorded and answered to the sender. */
export function setIncomingProgress(ctx: DeskContext, id: number, progress: 'assigned' | 'processing' | 'done', note?: string): X.IncomingRow {
  const db = ctx.store.db;
  const row = getInbox(db, id);
  const facts = frozenCheck(ctx, id);
  if (!facts) throw new KysoError('EXCHANGE_NOT_CONFIGURED', { what: `inbox item ${id} did not arrive through the exchange` });
  if (row.status !== 'accepted') throw new KysoError('DOCUMENT_STEP_NOT_ALLOWED', { id: String(id), expected: 'accept', requested: progress });
  const at = ctx.now();
  return ctx.store.tx(() => {
    X.setProgress(db, id, progress);
    const p = PROGRESS[progress];
    queueStatus(ctx, facts, p.code, note ? `${p.text}: ${note}` : p.text, at);
    appendAudit(db, { at: at.toISOString(), actor: ctx.actor, action: `inbox.${progress}`, subject: inboxSubject(id), details: { note: note ?? null } });
    return X.incomingOf(db, id)!;
  });
}

// -- receiving ------------------------------------------------------------------------------

function isPdf(a: Attachment): boolean {
  return a.contentType.toLowerCase().includes('pdf') || a.name.toLowerCase().endsWith('.pdf') || a.data.subarray(0, 5).toString('latin1') === '%PDF-';
}

/** The document's PDF: the first PDF attachment, or one inside a nested edXML (as real traffic nests them). */
function mainPdf(p: ParsedEnvelope): Attachment | undefined {
  for (const a of p.attachments) if (isPdf(a) && a.data.subarray(0, 5).toString('latin1') === '%PDF-') return a;
  for (const a of p.attachments) {
    for (const e of a.entries ?? []) if (e.data.subarray(0, 5).toString('latin1') === '%PDF-') return { ...a, name: e.name, contentType: 'application/pdf', data: e.data, entries: undefined };
    for (const n of a.nested ?? []) {
      const inner = mainPdf(n);
      if (inner) return inner;
    }
  }
  return undefined;
}

export interface SyncReport {
  sent: number;
  /** Packages addressed to another agency: not registered, answered 02. */
  misaddressed: number;
  /** Inboxes that could not be read this pass (the others were): kind and error code. */
  inboxFailed: Array<{ kind: X.TransportKind; code: string; details: Record<string, unknown> }>;
  failed: Array<{ queueId: number; organId: string; code: string; permanent: boolean }>;
  received: number;
  duplicates: number;
  statuses: number;
  unreadable: Array<{ file: string; code: string; element?: string }>;
}

function changeCodes(self: X.SelfRow): { agree: StatusCode; refuse: StatusCode } {
  return self.change_answers === '03-02' ? { agree: '03', refuse: '02' } : { agree: '15', refuse: '16' };
}

const RECIPIENT_STATUS: Partial<Record<StatusCode, string>> = { '01': 'received', '02': 'rejected', '03': 'accepted', '04': 'accepted', '05': 'accepted', '06': 'accepted' };

/**
 * The agencies a package names when none of them is this one (it was misaddressed); undefined when
 * it is for us, or names no agency at all (real traffic carries empty or "null" OrganIds: kept).
 */
function misaddressed(to: Organ[], self: X.SelfRow): string[] | undefined {
  const named = [...new Set(to.map((t) => t.organId?.trim()).filter((id): id is string => Boolean(id) && id !== 'null'))];
  if (named.length === 0 || named.includes(self.organ_id)) return undefined;
  return named;
}

/**
 * Status 13 from the sender of a document we received: its clerk takes it back before it is
 * processed. A copy not yet decided is frozen as withdrawn and answered 15 (agreed); a copy
 * already registered (or decided) stays and is answered 16 with the reason. Always 15/16 (the
 * samples' texts: "đồng ý / từ chối cập nhật, lấy lại"): the 03/02 setting is for recalls.
 */
function applyWithdrawal(ctx: DeskContext, parsed: Extract<ParsedEnvelope, { kind: 'status' }>, key: string, sha: string, at: Date): void {
  const db = ctx.store.db;
  const h = parsed.header;
  const iso = at.toISOString();
  const documentId = h.responseFor.documentId;
  const copies = documentId ? X.incomingByDocument(db, documentId, h.from.organId).filter((c) => !c.frozen) : [];
  const reason = h.description?.trim() || null;
  ctx.store.tx(() => {
    for (const c of copies) {
      const row = getInbox(db, c.inbox_id);
      if (row.status === 'new' && c.progress === 'new') {
        X.freezeIncoming(db, c.inbox_id, 'withdrawn', reason, iso, null);
        queueStatus(ctx, c, '15', `Đồng ý trả lại văn bản cho bên gửi | Withdrawal agreed${reason ? `: ${reason}` : ''}`, at);
        appendAudit(db, { at: iso, actor: ctx.actor, action: 'inbox.withdrawn', subject: inboxSubject(c.inbox_id), details: { reason, from: h.from.organId } });
      } else {
        const why =
          row.status === 'accepted'
            ? `Văn bản đã vào sổ văn bản đến số ${row.incoming_number}, không lấy lại được; đề nghị thu hồi nếu cần | Already registered as incoming number ${row.incoming_number}, cannot be taken back; recall it if needed`
            : 'Văn bản đã được xử lý, không lấy lại được | Already decided, cannot be taken back';
        queueStatus(ctx, c, '16', why, at);
        appendAudit(db, { at: iso, actor: ctx.actor, action: 'inbox.withdraw.refused', subject: inboxSubject(c.inbox_id), details: { reason, from: h.from.organId, status: row.status } });
      }
    }
    X.recordReceived(db, { documentId: key, sha256: sha, kind: 'status', from: h.from.organId, businessType: null, statusCode: '13', inboxId: copies[0]?.inbox_id ?? null, localDocumentId: null, outcome: copies.length ? 'withdrawal answered' : 'nothing to withdraw' }, iso);
    appendAudit(db, { at: iso, actor: ctx.actor, action: 'exchange.status.received', subject: copies[0] ? inboxSubject(copies[0].inbox_id) : null, details: { from: h.from.organId, statusCode: '13', description: h.description, documentId: key } });
    crashPoint('exchange-in-receive');
  });
}

async function receiveOne(ctx: DeskContext, self: X.SelfRow, pkg: IncomingPackage, report: SyncReport): Promise<void> {
  const db = ctx.store.db;
  const bytes = readFileSync(pkg.path);
  const sha = sha256(bytes);
  let parsed: ParsedEnvelope;
  try {
    parsed = parseEdxml(bytes);
  } catch (e) {
    const err = toKysoError(e);
    const key = `unreadable:${pkg.fileName}`;
    if (!X.wasReceived(db, key, sha)) {
      storeBytes(ctx, bytes);
      const at = ctx.now().toISOString();
      ctx.store.tx(() => {
        X.recordReceived(db, { documentId: key, sha256: sha, kind: 'unreadable', from: pkg.from ?? null, businessType: null, statusCode: null, inboxId: null, localDocumentId: null, outcome: `${err.code} ${JSON.stringify(err.details)}` }, at);
        appendAudit(db, { at, actor: ctx.actor, action: 'exchange.unreadable', subject: null, details: { file: pkg.fileName, sha256: sha, code: err.code, ...err.details } });
      });
    }
    report.unreadable.push({ file: pkg.fileName, code: err.code, element: typeof err.details.element === 'string' ? err.details.element : undefined });
    return;
  }
  const key = parsed.kind === 'status' ? (parsed.header.responseFor.documentId ?? `status:${sha}`) : (parsed.header.documentId ?? `edoc:${sha}`);
  if (X.wasReceived(db, key, sha)) {
    report.duplicates++;
    return;
  }
  const at = ctx.now();
  const iso = at.toISOString();
  if (parsed.kind === 'status') {
    const h = parsed.header;
    if (h.statusCode === '13') {
      applyWithdrawal(ctx, parsed, key, sha, at);
      report.statuses++;
      return;
    }
    const ours = h.responseFor.documentId ? X.outgoingByEdxmlId(db, h.responseFor.documentId) : undefined;
    ctx.store.tx(() => {
      if (ours && h.from.organId) {
        X.addStatus(db, { documentId: ours.document_id, organId: h.from.organId, statusCode: h.statusCode, description: h.description, at: iso }, iso);
        const latestBusiness = (prep(db, 'SELECT business_type FROM exchange_queue WHERE document_id = ? AND organ_id = ? AND kind = ? ORDER BY id DESC LIMIT 1').get(ours.document_id, h.from.organId, 'edoc') as { business_type: number } | undefined)?.business_type;
        let status = RECIPIENT_STATUS[h.statusCode];
        if (latestBusiness === 1 && (h.statusCode === '15' || h.statusCode === '03')) status = 'recalled';
        if (latestBusiness === 1 && (h.statusCode === '16' || h.statusCode === '02')) status = undefined;
        // A withdrawal (13) asked of this recipient: an 01 of the first arrival coming late does not
        // move the row; 15 → withdrawn, 16 → it keeps the document; a 03 or 02 sent before the 13
        // was seen keeps its usual meaning (the answer to the 13 follows).
        const current = (prep(db, 'SELECT status FROM outbox_recipients WHERE document_id = ? AND organ_id = ?').get(ours.document_id, h.from.organId) as { status: string } | undefined)?.status;
        if (current === 'withdraw-requested') status = h.statusCode === '15' ? 'withdrawn' : h.statusCode === '16' || h.statusCode === '03' ? 'accepted' : h.statusCode === '02' ? 'rejected' : undefined;
        if (current === 'withdrawn') status = undefined;
        if (status) prep(db, 'UPDATE outbox_recipients SET status = ?, updated_at = ?, note = ? WHERE document_id = ? AND organ_id = ?').run(status, iso, h.description, ours.document_id, h.from.organId);
      }
      X.recordReceived(db, { documentId: key, sha256: sha, kind: 'status', from: h.from.organId, businessType: null, statusCode: h.statusCode, inboxId: null, localDocumentId: ours?.document_id ?? null, outcome: ours ? 'applied' : 'unknown document' }, iso);
      appendAudit(db, { at: iso, actor: ctx.actor, action: 'exchange.status.received', subject: ours ? docSubject(ours.document_id) : null, details: { from: h.from.organId, statusCode: h.statusCode, description: h.description, documentId: key } });
      crashPoint('exchange-in-receive');
    });
    report.statuses++;
    return;
  }
  if (routeAttachment(parsed)) {
    // A draft routed from another desk of the agency (doc forward).
    const stored = (a: Attachment): { sha256: string; size: number } => ({ sha256: storeBytes(ctx, a.data), size: a.data.length });
    for (const a of parsed.attachments) stored(a);
    ctx.store.tx(() => {
      const local = applyRoute(ctx, parsed, stored, iso);
      X.recordReceived(db, { documentId: key, sha256: sha, kind: 'forward', from: parsed.header.from.organId, businessType: 0, statusCode: null, inboxId: null, localDocumentId: local, outcome: 'routed' }, iso);
      crashPoint('exchange-in-receive');
    });
    report.received++;
    return;
  }
  const h = parsed.header;
  const b = parsed.business;
  const codes = changeCodes(self);
  const addressees = misaddressed(h.to, self);
  if (addressees) {
    // Not for this agency (QN Đ10: checked on arrival): not registered, returned the same day with the reason.
    storeBytes(ctx, bytes);
    const names = addressees.join(', ');
    ctx.store.tx(() => {
      queueStatus(
        ctx,
        { inbox_id: null, edxml_document_id: key, from_organ_id: h.from.organId, code_number: h.code.number, code_notation: h.code.notation, promulgation_date: h.promulgation.date, subject: h.subject },
        '02',
        `Gửi nhầm địa chỉ: văn bản gửi cho ${names}, không phải ${self.organ_id} (${self.name}) | Misaddressed: the document is for ${names}, not ${self.organ_id} (${self.name})`,
        at,
      );
      X.recordReceived(db, { documentId: key, sha256: sha, kind: 'edoc', from: h.from.organId, businessType: b.businessDocType, statusCode: null, inboxId: null, localDocumentId: null, outcome: 'misaddressed' }, iso);
      appendAudit(db, { at: iso, actor: ctx.actor, action: 'exchange.misaddressed', subject: null, details: { documentId: key, from: h.from.organId, to: addressees, file: pkg.fileName, sha256: sha } });
      crashPoint('exchange-in-receive');
    });
    report.misaddressed++;
    return;
  }
  if (b.businessDocType === 1) {
    const target = b.documentId ?? h.documentId ?? key;
    const copies = X.incomingByDocument(db, target, h.from.organId).filter((c) => !c.frozen);
    ctx.store.tx(() => {
      for (const c of copies) {
        if (c.progress === 'done') {
          queueStatus(ctx, c, codes.refuse, `Văn bản đã xử lý xong, không thu hồi được | Already processed, cannot be recalled`, at);
        } else {
          X.freezeIncoming(db, c.inbox_id, 'recalled', b.reason, iso, null);
          queueStatus(ctx, c, codes.agree, `Đồng ý thu hồi | Recall agreed${b.reason ? `: ${b.reason}` : ''}`, at);
          appendAudit(db, { at: iso, actor: ctx.actor, action: 'inbox.recalled', subject: inboxSubject(c.inbox_id), details: { reason: b.reason, from: h.from.organId } });
        }
      }
      X.recordReceived(db, { documentId: key, sha256: sha, kind: 'edoc', from: h.from.organId, businessType: 1, statusCode: null, inboxId: copies[0]?.inbox_id ?? null, localDocumentId: null, outcome: copies.length ? 'recalled' : 'nothing to recall' }, iso);
      crashPoint('exchange-in-receive');
    });
    report.received++;
    return;
  }
  const pdf = mainPdf(parsed);
  if (!pdf) {
    ctx.store.tx(() => {
      X.recordReceived(db, { documentId: key, sha256: sha, kind: 'edoc', from: h.from.organId, businessType: b.businessDocType, statusCode: null, inboxId: null, localDocumentId: null, outcome: 'no PDF' }, iso);
      appendAudit(db, { at: iso, actor: ctx.actor, action: 'exchange.no-pdf', subject: null, details: { documentId: key, from: h.from.organId } });
    });
    report.unreadable.push({ file: pkg.fileName, code: 'EDXML_INVALID', element: 'AttachmentEncoded' });
    return;
  }
  const packageSha = storeBytes(ctx, bytes);
  const envelope = await judgeEnvelope(parsed.signature, ctx.judgeCertificate ? (c, pool, t) => ctx.judgeCertificate!(c, pool, t) : undefined, at);
  const prepared = await prepareIncoming(ctx, { bytes: pdf.data, fileName: pdf.name });
  const numberSymbol = [h.code.number, h.code.notation].filter(Boolean).join('/') || null;
  ctx.store.tx(() => {
    const inboxId = insertIncoming(
      ctx,
      prepared,
      { title: h.subject ?? undefined, sender: h.from.organName ?? h.from.organId ?? undefined, number: numberSymbol ?? undefined, issueDate: h.promulgation.date ?? undefined, urgency: URGENCY[h.priority] },
      { documentId: key, from: h.from.organId, envelopeSignature: parsed.signature.status, envelope: envelope.status, envelopeProblems: envelope.problems },
    );
    const facts: Omit<X.IncomingRow, 'progress' | 'frozen' | 'frozen_reason' | 'frozen_at' | 'replaced_by'> = {
      inbox_id: inboxId,
      edxml_document_id: key,
      from_organ_id: h.from.organId,
      from_name: h.from.organName,
      code_number: h.code.number,
      code_notation: h.code.notation,
      subject: h.subject,
      promulgation_date: h.promulgation.date,
      priority: h.priority,
      business_type: b.businessDocType,
      envelope_signature: parsed.signature.status,
      envelope_signer: parsed.signature.signer ?? null,
      envelope_reason: parsed.signature.reason ?? null,
      package_sha256: packageSha,
      received_at: iso,
      envelope_verdict: envelope.status,
      envelope_detail: JSON.stringify(envelope),
    };
    X.insertIncomingFacts(db, facts);
    const full = X.incomingOf(db, inboxId)!;
    queueStatus(ctx, full, '01', 'Đã đến | Arrived', at);
    // Update (2) and replace (3): the earlier copies are frozen and linked to this one.
    const earlier = b.businessDocType === 2 ? (b.documentId ? [b.documentId] : []) : b.businessDocType === 3 ? b.replacements.map((r) => r.documentId) : [];
    for (const old of [...new Set(earlier)]) {
      for (const c of X.incomingByDocument(db, old, h.from.organId).filter((x) => !x.frozen && x.inbox_id !== inboxId)) {
        X.freezeIncoming(db, c.inbox_id, b.businessDocType === 2 ? 'updated' : 'replaced', b.reason, iso, inboxId);
        queueStatus(ctx, c, codes.agree, `${b.businessDocType === 2 ? 'Đồng ý cập nhật | Update agreed' : 'Đồng ý thay thế | Replacement agreed'}`, at);
        appendAudit(db, { at: iso, actor: ctx.actor, action: b.businessDocType === 2 ? 'inbox.updated' : 'inbox.replaced', subject: inboxSubject(c.inbox_id), details: { by: inboxId, reason: b.reason } });
      }
    }
    X.recordReceived(db, { documentId: key, sha256: sha, kind: 'edoc', from: h.from.organId, businessType: b.businessDocType, statusCode: null, inboxId, localDocumentId: null, outcome: 'registered' }, iso);
    crashPoint('exchange-in-receive');
  });
  report.received++;
}

/** Sends every queued package that is due; a failure is kept for a retry after its backoff. */
async function sendDue(ctx: DeskContext, transport: (kind: X.TransportKind) => Promise<Transport>, report: SyncReport): Promise<void> {
  const db = ctx.store.db;
  for (;;) {
    const due = X.dueQueue(db, ctx.now().toISOString(), 200);
    if (due.length === 0) break;
    for (const q of due) {
      const peer = X.findPeer(db, q.organ_id);
      try {
        if (!peer) throw new KysoError('EXCHANGE_PEER_UNKNOWN', { organId: q.organ_id });
        const r = await (await transport(peer.transport)).send({ queueId: q.id, organId: q.organ_id, address: peer.address, fileName: q.file_name, path: ctx.store.files.require(q.sha256), sha256: q.sha256, subject: q.subject });
        crashPoint('exchange-after-send');
        const at = ctx.now().toISOString();
        ctx.store.tx(() => {
          X.markQueueSent(db, q.id, at, r.remoteId ?? null);
          if (q.kind === 'edoc' && q.document_id !== null && q.business_type !== 1) {
            prep(db, "UPDATE outbox_recipients SET status = 'sent', updated_at = ? WHERE document_id = ? AND organ_id = ? AND status = 'pending'").run(at, q.document_id, q.organ_id);
            const pending = (prep(db, "SELECT COUNT(*) AS n FROM outbox_recipients WHERE document_id = ? AND status = 'pending'").get(q.document_id) as { n: number }).n;
            if (pending === 0) prep(db, "UPDATE outbox_items SET status = 'sent', sent_at = COALESCE(sent_at, ?) WHERE document_id = ? AND status = 'waiting'").run(at, q.document_id);
          }
          appendAudit(db, { at, actor: ctx.actor, action: 'exchange.sent', subject: q.document_id ? docSubject(q.document_id) : q.inbox_id ? inboxSubject(q.inbox_id) : null, details: { queueId: q.id, to: q.organ_id, kind: q.kind, statusCode: q.status_code, sha256: q.sha256 } });
        });
        crashPoint('exchange-after-send-commit');
        report.sent++;
      } catch (e) {
        const err = toKysoError(e);
        const permanent = err.code === 'EXCHANGE_REFUSED' || err.code === 'EXCHANGE_PEER_UNKNOWN';
        const delay = Math.min(BACKOFF_BASE_MS * 2 ** q.attempts, BACKOFF_MAX_MS);
        X.markQueueRetry(db, q.id, new Date(ctx.now().getTime() + delay).toISOString(), `${err.code} ${JSON.stringify(err.details)}`.slice(0, 500), permanent);
        report.failed.push({ queueId: q.id, organId: q.organ_id, code: err.code, permanent });
      }
    }
  }
}

/** One pass: send what is due, take in what has arrived (statuses applied as they come). */
export async function sync(ctx: DeskContext, o: { transport?: (kind: X.TransportKind, inbox: X.InboxConfigRow | undefined) => Transport | Promise<Transport>; env?: NodeJS.ProcessEnv } = {}): Promise<SyncReport> {
  const db = ctx.store.db;
  const self = X.requireSelf(db);
  const inboxes = X.listInboxes(db);
  const open = o.transport ?? ((kind: X.TransportKind, inbox: X.InboxConfigRow | undefined) => openTransport(kind, inbox, { dataDir: ctx.store.dataDir, env: o.env }));
  // One transport per kind for the pass, opened on first use (mail and axis load their code then);
  // a kind that cannot be opened fails each of its packages (retried later), not the whole pass.
  const transports = new Map<string, Promise<Transport>>();
  const transport = (kind: X.TransportKind): Promise<Transport> => {
    let t = transports.get(kind);
    if (!t) {
      t = Promise.resolve().then(() => open(kind, inboxes.find((i) => i.kind === kind)));
      t.catch(() => undefined);
      transports.set(kind, t);
    }
    return t;
  };
  const report: SyncReport = { sent: 0, failed: [], received: 0, duplicates: 0, statuses: 0, unreadable: [], misaddressed: 0, inboxFailed: [] };
  try {
    await sendDue(ctx, transport, report);
    // Every inbox of the desk (a folder, the mail, the axis), each on its own: one that cannot be
    // reached is reported and the others are still read.
    for (const inbox of inboxes) {
      try {
        const t = await transport(inbox.kind);
        for (;;) {
          const pkgs = await t.receive(200);
          if (pkgs.length === 0) break;
          for (const pkg of pkgs) {
            await receiveOne(ctx, self, pkg, report);
            crashPoint('exchange-before-ack');
            await t.acknowledge(pkg);
          }
          if (pkgs.length < 200) break;
        }
      } catch (e) {
        const err = toKysoError(e);
        if (err.code === 'INTERNAL') throw err;
        report.inboxFailed.push({ kind: inbox.kind, code: err.code, details: err.details });
        appendAudit(db, { at: ctx.now().toISOString(), actor: ctx.actor, action: 'exchange.inbox.failed', subject: null, details: { kind: inbox.kind, code: err.code, ...err.details } });
      }
    }
    // What the arrivals asked for (01 at once, 15/16 to a recall) leaves in the same pass.
    if (inboxes.length) await sendDue(ctx, transport, report);
  } finally {
    for (const t of transports.values()) await t.then((x) => x.close(), () => undefined);
  }
  return report;
}

// -- configuration --------------------------------------------------------------------------

export function configureSelf(ctx: DeskContext, o: { organId: string; name: string; changeAnswers?: '15-16' | '03-02' }): X.SelfRow {
  const at = ctx.now().toISOString();
  return ctx.store.tx(() => {
    X.setSelf(ctx.store.db, o, at);
    appendAudit(ctx.store.db, { at, actor: ctx.actor, action: 'exchange.self', subject: null, details: { organId: o.organId, name: o.name, changeAnswers: o.changeAnswers ?? null } });
    return X.requireSelf(ctx.store.db);
  });
}

export function configureInbox(ctx: DeskContext, kind: X.TransportKind, address: string, config: Record<string, string> = {}): X.SelfRow {
  const at = ctx.now().toISOString();
  if (kind === 'folder') mkdirSync(address, { recursive: true });
  return ctx.store.tx(() => {
    X.setInbox(ctx.store.db, kind, address, config, at);
    appendAudit(ctx.store.db, { at, actor: ctx.actor, action: 'exchange.inbox', subject: null, details: { kind, address } });
    return X.requireSelf(ctx.store.db);
  });
}

export function removeInboxConfig(ctx: DeskContext, kind: X.TransportKind): boolean {
  const at = ctx.now().toISOString();
  return ctx.store.tx(() => {
    const removed = X.removeInbox(ctx.store.db, kind, at);
    appendAudit(ctx.store.db, { at, actor: ctx.actor, action: 'exchange.inbox.removed', subject: null, details: { kind, removed } });
    return removed;
  });
}

export function addPeer(ctx: DeskContext, p: { organId: string; name: string; transport: X.TransportKind; address: string }): X.PeerRow {
  const at = ctx.now().toISOString();
  if (p.transport === 'folder' && !existsSync(p.address)) mkdirSync(p.address, { recursive: true });
  return ctx.store.tx(() => {
    X.upsertPeer(ctx.store.db, p, at);
    appendAudit(ctx.store.db, { at, actor: ctx.actor, action: 'exchange.peer', subject: null, details: p });
    return X.getPeer(ctx.store.db, p.organId);
  });
}
