// Documents on the desk: adding a draft (refusing state secrets), revising it after it was sent
// back, attaching files (Office files converted to PDF), sending it back to the drafter, and the
// full picture of one document with its revisions, signatures and verdicts.
import { copyFileSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import type { DocumentSummary, FileVerdict } from '../../shared/contract.js';
import { KysoError } from '../../shared/errors.js';
import { appendAudit } from '../store/audit.js';
import {
  activeSignatures,
  allSignatures,
  getDocument,
  getRevision,
  insertAttachment,
  insertDocument,
  insertRevision,
  listAttachments,
  listRevisions,
  roundBase,
  updateDocument,
  updateSignatureReport,
  type DocumentRow,
  type SecrecyValue,
  type UrgencyValue,
} from '../store/documents.js';
import { addRecipient, findOutbox, recipientsOf } from '../store/outbox.js';
import { PdfReader } from '../pdf/reader.js';
import { AtomicFile } from '../io/atomic.js';
import { docSubject, failed, refuse, summary, type DeskContext } from './context.js';
import { convertToPdf, isOfficeFile } from './office.js';
import { checkPdfA, convertPdfToPdfA, type PdfAConversion } from './pdfa.js';
import { canReturn, isMethod, SECRECY_MARKS, type Method } from './rules.js';
import { findSecrecyMark } from './secrecy.js';
import { fileVerdict, signatureVerdict } from './verdict.js';

export interface NewDocument {
  /** The PDF: a path, or its bytes with fileName. */
  path?: string;
  /** The file at path is a temporary file of Kyso's (an upload), moved into the store rather than copied. */
  move?: boolean;
  bytes?: Buffer;
  fileName?: string;
  /** Trích yếu; default the file name. */
  title?: string;
  method: Method;
  urgency?: UrgencyValue;
  /** Loại văn bản (Quyết định, Công văn…). */
  docType?: string;
  /** A secrecy mark set by hand: the document is then refused (state secrets are not handled electronically). */
  secrecy?: SecrecyValue;
  paperCopy?: boolean;
  /** Nơi nhận. */
  recipients?: string[];
  /**
   * Convert to PDF/A before the first signature: Ghostscript PDF/A-2b for a PDF (OCR text layer
   * for a scan when tesseract is there), LibreOffice's PDF/A-2 export for an Office draft.
   */
  pdfa?: boolean;
}

/** Copies or writes the input into the staging folder, where it is checked before being kept. */
function stage(ctx: DeskContext, o: { path?: string; move?: boolean; bytes?: Buffer }, ext: string): string {
  const staged = ctx.store.files.stagingPath(ext);
  if (o.bytes) {
    // Flushed when the store adopts it.
    writeFileSync(staged, o.bytes, { flag: 'wx' });
    return staged;
  }
  if (!o.path) throw new KysoError('USAGE', { reason: 'give a file' });
  try {
    if (o.move) renameSync(o.path, staged);
    else copyFileSync(o.path, staged);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new KysoError('FILE_NOT_FOUND', { path: o.path });
    throw new KysoError('FILE_READ_FAILED', { path: o.path, reason: code ?? String(e) });
  }
  return staged;
}

/** Refuses what is not a readable, unencrypted PDF. */
export function checkPdf(path: string, shownAs: string): void {
  let r: PdfReader;
  try {
    r = PdfReader.open(path);
  } catch (e) {
    if (e instanceof KysoError && (e.code === 'PDF_NOT_PDF' || e.code === 'PDF_MALFORMED')) throw new KysoError(e.code, { ...e.details, path: shownAs });
    throw e;
  }
  try {
    if (r.isEncrypted) throw new KysoError('PDF_ENCRYPTED', { path: shownAs });
    if (r.pages().length === 0) throw new KysoError('PDF_MALFORMED', { reason: 'no pages', path: shownAs });
  } finally {
    r.close();
  }
}

export type PdfAReport = { part: number | null; conformance: string | null; missing: string[]; ocr: PdfAConversion['ocr'] };

export async function addDocument(ctx: DeskContext, o: NewDocument): Promise<DocumentSummary & { pdfa?: PdfAReport }> {
  const fileName = o.fileName ?? (o.path ? basename(o.path) : 'document.pdf');
  if (!isMethod(o.method)) throw new KysoError('USAGE', { reason: '--method must be 1, 2 or 3' });
  if (o.secrecy && o.secrecy !== 'none')
    refuse(ctx, 'document.add', null, new KysoError('DOCUMENT_SECRET', { mark: SECRECY_MARKS[o.secrecy], where: 'đánh dấu khi nhập | flagged' }), { fileName });
  const office = o.pdfa === true && isOfficeFile(fileName);
  let staged = stage(ctx, o, office ? extname(fileName).toLowerCase() : '.pdf');
  let pdfa: PdfAConversion | undefined;
  try {
    if (o.pdfa) {
      const converted = ctx.store.files.stagingPath('.pdf');
      try {
        if (office) {
          const work = `${converted}.d`;
          mkdirSync(work);
          const named = join(work, basename(fileName));
          renameSync(staged, named);
          staged = named;
          const pdf = await convertToPdf(named, work, 180_000, { pdfa: true });
          renameSync(pdf, converted);
          rmSync(work, { recursive: true, force: true });
          pdfa = { output: converted, check: checkPdfA(converted), ocr: 'not-needed' };
        } else {
          pdfa = await convertPdfToPdfA(staged, converted);
          rmSync(staged, { force: true });
        }
      } catch (e) {
        rmSync(converted, { force: true });
        failed(ctx, 'document.add', null, e, { fileName });
      }
      staged = converted;
    }
    try {
      checkPdf(staged, fileName);
    } catch (e) {
      refuse(ctx, 'document.add', null, e as KysoError, { fileName });
    }
    const mark = await findSecrecyMark(staged);
    if (mark) refuse(ctx, 'document.add', null, new KysoError('DOCUMENT_SECRET', { mark: SECRECY_MARKS[mark.secrecy], where: mark.where }), { fileName });
    const stored = await ctx.store.files.adopt(staged);
    const at = ctx.now().toISOString();
    const title = o.title?.trim() || basename(fileName, extname(fileName));
    const id = ctx.store.tx(() => {
      const db = ctx.store.db;
      const id = insertDocument(db, { title, docType: o.docType ?? null, fileName, method: o.method, urgency: o.urgency ?? 'normal', secrecy: 'none', paperCopy: o.paperCopy ?? false, at });
      const rev = insertRevision(db, { documentId: id, round: 1, step: 'import', sha256: stored.sha256, size: stored.size, fileName, at });
      updateDocument(db, id, { current_revision_id: rev.id });
      for (const r of o.recipients ?? []) if (r.trim()) addRecipient(db, id, r.trim(), null, at);
      appendAudit(db, {
        at,
        actor: ctx.actor,
        action: 'document.added',
        subject: docSubject(id),
        details: {
          title, fileName, method: o.method, urgency: o.urgency ?? 'normal', sha256: stored.sha256, size: stored.size, recipients: o.recipients ?? [], paperCopy: o.paperCopy ?? false,
          ...(pdfa ? { pdfa: { part: pdfa.check.part ?? null, conformance: pdfa.check.conformance ?? null, missing: pdfa.check.missing, ocr: pdfa.ocr } } : {}),
        },
      });
      return id;
    });
    const pdfaReport = pdfa ? { pdfa: { part: pdfa.check.part ?? null, conformance: pdfa.check.conformance ?? null, missing: pdfa.check.missing, ocr: pdfa.ocr } } : {};
    return { ...summary(ctx, getDocument(ctx.store.db, id)), ...pdfaReport };
  } finally {
    rmSync(staged, { force: true });
  }
}

/** A new draft file for a document sent back (or not yet signed): the next round starts from it. */
export async function reviseDocument(ctx: DeskContext, id: number, o: { path?: string; bytes?: Buffer; fileName?: string }): Promise<DocumentSummary> {
  const doc = getDocument(ctx.store.db, id);
  const fileName = o.fileName ?? (o.path ? basename(o.path) : doc.file_name);
  if (doc.state === 'issued') refuse(ctx, 'document.revise', docSubject(id), new KysoError('DOCUMENT_ISSUED', { id: String(id) }));
  if (doc.state !== 'draft' && doc.state !== 'returned')
    refuse(ctx, 'document.revise', docSubject(id), new KysoError('DOCUMENT_STEP_NOT_ALLOWED', { id: String(id), expected: 'return', requested: 'revise' }));
  const staged = stage(ctx, o, '.pdf');
  try {
    try {
      checkPdf(staged, fileName);
    } catch (e) {
      refuse(ctx, 'document.revise', docSubject(id), e as KysoError, { fileName });
    }
    const mark = await findSecrecyMark(staged);
    if (mark) refuse(ctx, 'document.revise', docSubject(id), new KysoError('DOCUMENT_SECRET', { mark: SECRECY_MARKS[mark.secrecy], where: mark.where }), { fileName });
    const stored = await ctx.store.files.adopt(staged);
    const at = ctx.now().toISOString();
    ctx.store.tx(() => {
      const db = ctx.store.db;
      const now = getDocument(db, id);
      if (now.current_revision_id !== doc.current_revision_id) throw new KysoError('DOCUMENT_CHANGED', { id: String(id) });
      const round = activeSignatures(db, now).length > 0 ? now.round + 1 : now.round;
      const rev = insertRevision(db, { documentId: id, round, step: 'import', sha256: stored.sha256, size: stored.size, fileName, at });
      updateDocument(db, id, { current_revision_id: rev.id, round, state: 'draft', file_name: fileName, updated_at: at });
      appendAudit(db, { at, actor: ctx.actor, action: 'document.revised', subject: docSubject(id), details: { seq: rev.seq, sha256: stored.sha256, size: stored.size, fileName } });
    });
    return summary(ctx, getDocument(ctx.store.db, id));
  } finally {
    rmSync(staged, { force: true });
  }
}

/** The leader sends the draft back to the drafter with a comment; the next round starts from the unsigned draft. */
export function returnDocument(ctx: DeskContext, id: number, comment: string): DocumentSummary {
  const doc = getDocument(ctx.store.db, id);
  if (!comment.trim()) throw new KysoError('USAGE', { reason: 'a comment is required when returning a draft' });
  if (doc.state === 'issued') refuse(ctx, 'document.return', docSubject(id), new KysoError('DOCUMENT_ISSUED', { id: String(id) }));
  if (!canReturn(doc.method, doc.state))
    refuse(ctx, 'document.return', docSubject(id), new KysoError('DOCUMENT_RETURN_NOT_ALLOWED', { id: String(id), state: doc.state }));
  const at = ctx.now().toISOString();
  ctx.store.tx(() => {
    const db = ctx.store.db;
    const now = getDocument(db, id);
    if (now.current_revision_id !== doc.current_revision_id) throw new KysoError('DOCUMENT_CHANGED', { id: String(id) });
    const base = roundBase(db, now);
    updateDocument(db, id, { state: 'returned', round: now.round + 1, current_revision_id: base.id, comment: comment.trim(), updated_at: at });
    appendAudit(db, { at, actor: ctx.actor, action: 'document.returned', subject: docSubject(id), details: { comment: comment.trim(), fromState: now.state, baseSeq: base.seq } });
  });
  return summary(ctx, getDocument(ctx.store.db, id));
}

export interface AttachmentView {
  id: string;
  name: string;
  sourceName: string;
  converted: boolean;
  pdfSha256: string;
  signedSha256: string | null;
  signer: string | null;
  signedAt: string | null;
  indication: string | null;
}

/** Adds a file sent with the document; Office files are converted to PDF with LibreOffice first. */
export async function attachFile(ctx: DeskContext, id: number, o: { path: string; name?: string }): Promise<AttachmentView> {
  const doc = getDocument(ctx.store.db, id);
  const sourceName = basename(o.path);
  if (doc.state === 'issued') refuse(ctx, 'attachment.add', docSubject(id), new KysoError('DOCUMENT_ISSUED', { id: String(id) }), { file: sourceName });
  const ext = extname(sourceName).toLowerCase();
  const office = isOfficeFile(sourceName);
  if (!office && ext !== '.pdf') refuse(ctx, 'attachment.add', docSubject(id), new KysoError('ATTACHMENT_UNSUPPORTED', { name: sourceName }));
  const work = join(ctx.store.files.staging, `attach-${Date.now()}-${process.pid}`);
  mkdirSync(work, { recursive: true });
  try {
    const source = stage(ctx, { path: o.path }, ext);
    let pdf = source;
    if (office) {
      // LibreOffice names its output after the input: give it the original name.
      const named = join(work, sourceName);
      copyFileSync(source, named);
      try {
        pdf = await convertToPdf(named, work);
      } catch (e) {
        rmSync(source, { force: true });
        failed(ctx, 'attachment.add', docSubject(id), e, { file: sourceName });
      }
    }
    try {
      checkPdf(pdf, sourceName);
    } catch (e) {
      rmSync(source, { force: true });
      refuse(ctx, 'attachment.add', docSubject(id), e as KysoError, { file: sourceName });
    }
    const pdfStored = office ? await ctx.store.files.adopt(pdf) : undefined;
    const sourceStored = await ctx.store.files.adopt(source);
    const at = ctx.now().toISOString();
    const name = o.name ?? (office ? `${basename(sourceName, extname(sourceName))}.pdf` : sourceName);
    const row = ctx.store.tx(() => {
      const db = ctx.store.db;
      if (getDocument(db, id).state === 'issued') throw new KysoError('DOCUMENT_ISSUED', { id: String(id) });
      const row = insertAttachment(db, { documentId: id, name, sourceSha256: sourceStored.sha256, sourceName, pdfSha256: (pdfStored ?? sourceStored).sha256, at });
      appendAudit(db, {
        at,
        actor: ctx.actor,
        action: 'attachment.added',
        subject: docSubject(id),
        details: { seq: row.seq, name, sourceName, sourceSha256: sourceStored.sha256, pdfSha256: row.pdf_sha256, converted: office },
      });
      return row;
    });
    return attachmentView(row);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

function attachmentView(a: ReturnType<typeof listAttachments>[number]): AttachmentView {
  return {
    id: String(a.id),
    name: a.name,
    sourceName: a.source_name,
    converted: a.source_sha256 !== a.pdf_sha256,
    pdfSha256: a.pdf_sha256,
    signedSha256: a.signed_sha256,
    signer: a.signer_cn,
    signedAt: a.signed_at,
    indication: a.indication,
  };
}

export function currentPath(ctx: DeskContext, doc: DocumentRow): string {
  if (doc.current_revision_id === null) throw new KysoError('INTERNAL', { reason: `document ${doc.id} has no revision` });
  return ctx.store.files.require(getRevision(ctx.store.db, doc.current_revision_id).sha256);
}

export interface DocumentDetails extends DocumentSummary {
  docType: string | null;
  secrecy: SecrecyValue;
  paperCopyRequired: boolean;
  issuedAt: string | null;
  round: number;
  revisions: Array<{ seq: number; round: number; step: string; sha256: string; size: number; createdAt: string; current: boolean }>;
  /** Every signature of the current round, with its last verdict. */
  signatureDetails: Array<{
    role: string;
    signer: string;
    organisation: string | null;
    serial: string;
    field: string;
    signedAt: string;
    indication: string | null;
    verdict: FileVerdict['signatures'][number] | null;
    verifiedAt: string | null;
  }>;
  /** Signatures of earlier rounds (drafts sent back). */
  earlierSignatures: Array<{ role: string; signer: string; signedAt: string; round: number }>;
  attachments: AttachmentView[];
  recipients: Array<{ name: string; status: string; updatedAt: string }>;
  outbox: { status: string; sendBy: string; sentAt: string | null; recalledAt: string | null } | null;
  /** The current revision's verification (when asked for). */
  verdict: FileVerdict | null;
}

/** One document in full; with verify, its current file is verified now and the verdicts kept. */
export async function showDocument(ctx: DeskContext, id: number, o: { verify?: boolean } = {}): Promise<DocumentDetails> {
  const db = ctx.store.db;
  let doc = getDocument(db, id);
  let verdict: FileVerdict | null = null;
  if (o.verify) {
    const report = await ctx.verify(currentPath(ctx, doc));
    const at = ctx.now();
    verdict = fileVerdict(report, at);
    ctx.store.tx(() => {
      for (const s of activeSignatures(db, doc)) {
        const r = report.signatures.find((x) => x.field === s.field);
        if (r) updateSignatureReport(db, s.id, { indication: r.indication, report_json: JSON.stringify(r), verified_at: at.toISOString() });
      }
    });
    doc = getDocument(db, id);
  }
  const current = doc.current_revision_id;
  const active = activeSignatures(db, doc);
  const activeIds = new Set(active.map((s) => s.id));
  const revRound = new Map(listRevisions(db, id).map((r) => [r.id, r.round]));
  const out = findOutbox(db, id);
  return {
    ...summary(ctx, doc),
    docType: doc.doc_type,
    secrecy: doc.secrecy,
    paperCopyRequired: doc.paper_copy_required === 1,
    issuedAt: doc.issued_at,
    round: doc.round,
    revisions: listRevisions(db, id).map((r) => ({ seq: r.seq, round: r.round, step: r.step, sha256: r.sha256, size: r.size, createdAt: r.created_at, current: r.id === current })),
    signatureDetails: active.map((s) => ({
      role: s.role,
      signer: s.signer_cn,
      organisation: s.signer_org,
      serial: s.signer_serial,
      field: s.field,
      signedAt: s.signed_at,
      indication: s.indication,
      verdict: s.report_json ? signatureVerdict(JSON.parse(s.report_json)) : null,
      verifiedAt: s.verified_at,
    })),
    earlierSignatures: allSignatures(db, id)
      .filter((s) => !activeIds.has(s.id))
      .map((s) => ({ role: s.role, signer: s.signer_cn, signedAt: s.signed_at, round: revRound.get(s.revision_id) ?? 0 })),
    attachments: listAttachments(db, id).map(attachmentView),
    recipients: recipientsOf(db, id).map((r) => ({ name: r.name, status: r.status, updatedAt: r.updated_at })),
    outbox: out ? { status: out.status, sendBy: out.send_by, sentAt: out.sent_at, recalledAt: out.recalled_at } : null,
    verdict,
  };
}

/** Writes the current revision (or a signed attachment) to a file of the person's choosing. */
export async function exportDocument(ctx: DeskContext, id: number, output: string): Promise<{ output: string; sha256: string; size: number }> {
  const doc = getDocument(ctx.store.db, id);
  const rev = getRevision(ctx.store.db, doc.current_revision_id!);
  const src = ctx.store.files.require(rev.sha256);
  const f = await AtomicFile.fromCopy(src, output);
  try {
    await f.commit();
  } catch (e) {
    f.abort();
    throw e;
  }
  if (!(await ctx.store.files.check(rev.sha256))) throw new KysoError('STORE_FILE_DAMAGED', { path: src, sha256: rev.sha256 });
  return { output, sha256: rev.sha256, size: rev.size };
}

export function failIfSecret(ctx: DeskContext, doc: DocumentRow, action: string): void {
  if (doc.secrecy !== 'none')
    refuse(ctx, action, docSubject(doc.id), new KysoError('DOCUMENT_SECRET', { mark: SECRECY_MARKS[doc.secrecy], where: 'đánh dấu | flagged' }));
}
