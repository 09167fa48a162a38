// The inbox (văn bản đến): received PDFs are kept, verified with the verification engine and
// listed; the clerk accepts one (it is registered with the next số đến of the year) or rejects it
// with a reason, which is kept for the reply to the sender (QN Đ10, Đ13; NĐ30 Đ21–23).
import { copyFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import type { FileVerdict, InboxItem } from '../../shared/contract.js';
import { KysoError, toKysoError, type ErrorPayload } from '../../shared/errors.js';
import { appendAudit } from '../store/audit.js';
import { fold } from '../store/fold.js';
import type { SecrecyValue, UrgencyValue } from '../store/documents.js';
import { incomingOf, type IncomingRow } from '../store/exchange.js';
import { unjudgedVerdict, type EnvelopeVerdict } from '../exchange/envelope-trust.js';
import { acceptInbox, getInbox, insertInbox, queryInbox, rejectInbox, type InboxQuery, type InboxRow } from '../store/inbox.js';
import type { FileReport } from '../verify/verify.js';
import { failed, inboxSubject, refuse, type DeskContext } from './context.js';
import { checkPdf } from './documents.js';
import { vnClock } from './rules.js';
import { findSecrecyMark } from './secrecy.js';
import { readIncomingHeader, type IncomingHeader } from './incoming-header.js';
import { fileVerdict } from './verdict.js';

export interface IncomingMeta {
  /** Trích yếu; default the file name. */
  title?: string;
  /** The sending organisation; default the organisation of the last signature. */
  sender?: string;
  number?: string;
  issueDate?: string;
  /** Tên loại: "Quyết định", "Công văn"; default what page 1 prints. */
  docType?: string;
  urgency?: UrgencyValue;
}

export interface InboxView extends InboxItem {
  title: string;
  sender: string | null;
  number: string | null;
  urgency: UrgencyValue;
  /** A secrecy mark seen on the document (it should not have come electronically). */
  secrecy: SecrecyValue;
  signers: string[];
  sha256: string;
  decidedAt: string | null;
  /** Received through the exchange: the sender's agency code, the edXML DocumentId and what the envelope said. */
  organId?: string | null;
  documentId?: string | null;
  exchange?: {
    progress: string;
    frozen: string | null;
    frozenReason: string | null;
    replacedBy: string | null;
    businessDocType: number;
    envelopeSignature: { status: string; signer: string | null; reason: string | null };
  };
}

export function inboxView(r: InboxRow): InboxView {
  return {
    id: String(r.id),
    fileName: r.file_name,
    receivedAt: r.received_at,
    incomingNumber: r.incoming_number,
    status: r.status,
    reason: r.reason,
    verdict: JSON.parse(r.verdict_json) as FileVerdict,
    title: r.title,
    sender: r.sender,
    number: r.number_symbol,
    issueDate: r.issue_date,
    docType: r.doc_type ?? null,
    urgency: r.urgency,
    secrecy: r.secrecy,
    signers: r.signers ? r.signers.split('; ') : [],
    sha256: r.sha256,
    decidedAt: r.decided_at,
  };
}

/** Who sent it, as the signatures tell: the organisation (or name) of the last signer. */
function senderOf(report: FileReport): string | null {
  const last = [...report.signatures].reverse().find((s) => s.signer);
  return last?.signer ? (last.signer.organization ?? last.signer.commonName) : null;
}

/** A received file kept in the store and verified, not yet listed. */
export interface PreparedIncoming {
  fileName: string;
  sha256: string;
  size: number;
  report: FileReport;
  secrecy: SecrecyValue;
  at: Date;
  /** What page 1 prints after "Số:" (the issuer's number and symbol), when it can be read. */
  numberSymbol: string | null;
  /** What page 1's NĐ 30 header says (issuer, number, date, type, subject), as far as it can be read. */
  header: IncomingHeader;
}

/** Keeps one received file in the store and verifies it; nothing is listed yet. */
export async function prepareIncoming(ctx: DeskContext, o: { path?: string; move?: boolean; bytes?: Buffer; fileName?: string }): Promise<PreparedIncoming> {
  const fileName = o.fileName ?? (o.path ? basename(o.path) : 'received.pdf');
  const files = ctx.store.files;
  const staged = files.stagingPath('.pdf');
  try {
    try {
      if (o.bytes) writeFileSync(staged, o.bytes, { flag: 'wx' });
      else if (o.move) renameSync(o.path!, staged);
      else copyFileSync(o.path!, staged);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      throw code === 'ENOENT' ? new KysoError('FILE_NOT_FOUND', { path: o.path ?? fileName }) : toKysoError(e);
    }
    try {
      checkPdf(staged, fileName);
    } catch (e) {
      refuse(ctx, 'inbox.import', null, toKysoError(e), { fileName });
    }
    const stored = await files.adopt(staged);
    const path = files.require(stored.sha256);
    let report: FileReport;
    try {
      report = await ctx.verify(path);
    } catch (e) {
      failed(ctx, 'inbox.import', null, e, { fileName, sha256: stored.sha256 });
    }
    const mark = await findSecrecyMark(path).catch(() => undefined);
    // The header as page 1 prints it (number and symbol: duplicates are found by it). A file
    // whose text cannot be read is still received, under its file name.
    const header = await readIncomingHeader(path).catch((): IncomingHeader => ({}));
    return { fileName, sha256: stored.sha256, size: stored.size, report, secrecy: mark?.secrecy ?? 'none', at: ctx.now(), numberSymbol: header.numberSymbol ?? null, header };
  } finally {
    rmSync(staged, { force: true });
  }
}

/** Lists a prepared file in the inbox, with its audit entry. Call inside a transaction. */
export function insertIncoming(ctx: DeskContext, p: PreparedIncoming, meta: IncomingMeta = {}, details: Record<string, unknown> = {}): number {
  const db = ctx.store.db;
  const { report, fileName, at } = p;
  const verdict = fileVerdict(report, at);
  const signers = report.signatures.map((s) => s.signer?.commonName).filter((x): x is string => Boolean(x));
  const h = p.header ?? {};
  // Given (the clerk, the edXML envelope) first, then what page 1 prints, then the signatures / file name.
  // The printed issuer ("SỞ Y TẾ") named in full by the certificate ("Sở Y tế tỉnh Quảng Ninh"): the certificate's name.
  const certified = senderOf(report);
  const issuer = h.issuer && certified && h.issuerName && fold(certified).includes(fold(h.issuerName)) ? certified : h.issuer;
  const from = {
    title: meta.title?.trim() ? 'given' : h.subject ? 'pdf' : 'file-name',
    sender: meta.sender ? 'given' : issuer && issuer !== certified ? 'pdf' : 'signature',
    number: meta.number ? 'given' : p.numberSymbol ? 'pdf' : null,
    issueDate: meta.issueDate ? 'given' : h.issueDate ? 'pdf' : null,
    docType: meta.docType ? 'given' : h.docType ? 'pdf' : null,
  };
  const id = insertInbox(db, {
    file_name: fileName,
    sha256: p.sha256,
    size: p.size,
    received_at: at.toISOString(),
    sender: meta.sender || issuer || certified,
    title: meta.title?.trim() || h.subject || basename(fileName, extname(fileName)),
    number_symbol: meta.number || p.numberSymbol || null,
    issue_date: meta.issueDate || h.issueDate || null,
    doc_type: meta.docType || h.docType || null,
    urgency: meta.urgency ?? 'normal',
    secrecy: p.secrecy,
    signers: signers.join('; '),
    indication: report.indication,
    verdict_json: JSON.stringify(verdict),
    verified_at: at.toISOString(),
  });
  appendAudit(db, {
    at: at.toISOString(),
    actor: ctx.actor,
    action: 'inbox.received',
    subject: inboxSubject(id),
    details: { fileName, sha256: p.sha256, size: p.size, indication: report.indication, subIndication: report.subIndication, signers, secrecy: p.secrecy, from, ...details },
  });
  return id;
}

/** Keeps one received file, verifies it and lists it in the inbox. */
export async function importIncoming(ctx: DeskContext, o: { path?: string; move?: boolean; bytes?: Buffer; fileName?: string }, meta: IncomingMeta = {}): Promise<InboxView> {
  const p = await prepareIncoming(ctx, o);
  const row = ctx.store.tx(() => getInbox(ctx.store.db, insertIncoming(ctx, p, meta)));
  return inboxView(row);
}

export interface ImportResult {
  file: string;
  item?: InboxView;
  error?: ErrorPayload;
}

/** Imports a file, or every PDF of a folder (each on its own: one bad file does not stop the rest). */
export async function importIncomingPath(ctx: DeskContext, path: string, meta: IncomingMeta = {}): Promise<ImportResult[]> {
  let st;
  try {
    st = statSync(path);
  } catch {
    throw new KysoError('FILE_NOT_FOUND', { path });
  }
  const list = st.isDirectory()
    ? readdirSync(path)
        .filter((f) => f.toLowerCase().endsWith('.pdf'))
        .sort()
        .map((f) => join(path, f))
    : [path];
  const out: ImportResult[] = [];
  for (const f of list) {
    try {
      out.push({ file: f, item: await importIncoming(ctx, { path: f }, st.isDirectory() ? { ...meta, title: undefined } : meta) });
    } catch (e) {
      out.push({ file: f, error: toKysoError(e).toPayload() });
    }
  }
  return out;
}

/** The envelope verdict kept at arrival; items received before it was kept are told as not checked. */
function envelopeOf(x: IncomingRow): NonNullable<InboxView['envelope']> {
  if (x.envelope_detail) {
    const v = JSON.parse(x.envelope_detail) as EnvelopeVerdict;
    return { status: v.status, vi: v.vi, en: v.en, signer: v.signer, problems: v.problems };
  }
  const v = unjudgedVerdict({ status: x.envelope_signature, signer: x.envelope_signer ?? undefined, reason: x.envelope_reason ?? undefined });
  return { status: v.status, vi: v.vi, en: v.en, signer: v.signer, problems: v.problems };
}

/** The inbox view with what the exchange knows of the item (sender's code, DocumentId, progress, recall). */
export function inboxViewWithExchange(ctx: DeskContext, r: InboxRow): InboxView {
  const v = inboxView(r);
  const x = incomingOf(ctx.store.db, r.id);
  if (!x) return v;
  return {
    ...v,
    organId: x.from_organ_id,
    documentId: x.edxml_document_id,
    exchange: {
      progress: x.progress,
      frozen: x.frozen,
      frozenReason: x.frozen_reason,
      replacedBy: x.replaced_by === null ? null : String(x.replaced_by),
      businessDocType: x.business_type,
      envelopeSignature: { status: x.envelope_signature, signer: x.envelope_signer, reason: x.envelope_reason },
    },
    envelope: envelopeOf(x),
  };
}

export function listInbox(ctx: DeskContext, q: InboxQuery = {}): InboxView[] {
  return queryInbox(ctx.store.db, q).map((r) => inboxViewWithExchange(ctx, r));
}

/**
 * Accepts (registers with the next số đến of the year) or rejects with a reason. A document whose
 * signature failed cannot be accepted: it is returned to the sender.
 */
export function decideIncoming(ctx: DeskContext, id: number, decision: { accept: true } | { accept: false; reason: string }): InboxView {
  const db = ctx.store.db;
  const subject = inboxSubject(id);
  let row: InboxRow;
  try {
    row = getInbox(db, id);
  } catch (e) {
    refuse(ctx, 'inbox.decide', subject, e as KysoError);
  }
  if (row.status !== 'new') refuse(ctx, 'inbox.decide', subject, new KysoError('INBOX_ALREADY_DECIDED', { status: row.status }));
  const at = ctx.now();
  if (decision.accept) {
    if (row.indication === 'TOTAL_FAILED') refuse(ctx, 'inbox.accept', subject, new KysoError('INBOX_SIGNATURE_INVALID', { id: String(id), indication: row.indication }));
    const year = vnClock(at).getUTCFullYear();
    return inboxView(
      ctx.store.tx(() => {
        const r = acceptInbox(db, id, year, at.toISOString());
        appendAudit(db, { at: at.toISOString(), actor: ctx.actor, action: 'inbox.accepted', subject, details: { incomingNumber: r.incoming_number, year, indication: r.indication } });
        return r;
      }),
    );
  }
  const reason = decision.reason.trim();
  if (!reason) throw new KysoError('USAGE', { reason: 'a reason is required to reject an incoming document' });
  return inboxView(
    ctx.store.tx(() => {
      const r = rejectInbox(db, id, reason, at.toISOString());
      appendAudit(db, { at: at.toISOString(), actor: ctx.actor, action: 'inbox.rejected', subject, details: { reason, indication: r.indication } });
      return r;
    }),
  );
}

export function inboxPath(ctx: DeskContext, id: number): string {
  return ctx.store.files.require(getInbox(ctx.store.db, id).sha256);
}
