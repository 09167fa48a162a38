// One signing step of one document, and a batch of them with one token session.
//
// A step is checked before anything else happens (order of the method, issue date, number, the
// earlier signatures still verifying); a refusal leaves one audit entry and nothing else. Then the
// signature is made into the staging folder, the file taken into the content store (flushed,
// linked under its SHA-256), verified, and only then are the rows and the audit entry committed in
// one transaction. A crash at any point leaves either the step whole or nothing of it but an
// unreferenced file.
import { rmSync } from 'node:fs';
import type { DocumentSummary } from '../../shared/contract.js';
import { KysoError, toKysoError, type ErrorPayload } from '../../shared/errors.js';
import { parseIssueDate, vietnamDay } from '../appearance/time.js';
import type { Signer } from '../cms/signer.js';
import { signVisible, type VisibleOptions } from '../sign/visible.js';
import { appendAudit } from '../store/audit.js';
import {
  activeSignatures,
  documentWithNumber,
  getDocument,
  insertRevision,
  insertSignature,
  lastNumberSeq,
  listAttachments,
  setAttachmentSigned,
  updateDocument,
  updateSignatureReport,
  upsertCertificate,
  type AttachmentRow,
  type DocumentRow,
} from '../store/documents.js';
import { queueOutbox } from '../store/outbox.js';
import { numberHolder } from '../store/books.js';
import type { FileReport, SignatureReport } from '../verify/verify.js';
import { docSubject, failed, invalidDetails, refuse, signatureStands, summary, type DeskContext } from './context.js';
import { crashPoint } from './crash.js';
import { currentPath, failIfSecret } from './documents.js';
import { readPrintedNumber, resolveNumber, type ResolvedNumber } from './numbers.js';
import { METHOD_STEPS, nextRole, requiredBefore, ROLE_NAMES, sendDeadline, STATE_AFTER, type StepRole } from './rules.js';

export interface StepRequest {
  role: StepRole;
  /** Organisation: "203/QĐ-SYT", "203" (printed symbol), "/QĐ-SYT" (next number), or nothing (next number, printed symbol). */
  number?: string;
  /** Organisation: the issue date YYYY-MM-DD; it must be the signing day in Vietnam (default today). */
  issueDate?: string;
  /** Organisation: draw number and date on the document (default: when page 1 has a "Số:" to fill). */
  fillNumber?: boolean;
  /** The signature, seal or initials image (PNG). */
  image?: { bytes: Buffer; source: string };
  preset?: string;
  page?: number;
  rect?: [number, number, number, number];
  anchor?: string;
  signerName?: string;
  signerTitle?: string;
  organisation?: string;
  reason?: string;
  location?: string;
}

/** A signer, or a function that opens one (asked only once the step's checks have passed). */
export type SignerSource = Signer | (() => Signer | Promise<Signer>);

const REASONS: Record<StepRole, string> = { drafter: 'Ký nháy', leader: 'Ký phê duyệt', org: 'Ký phát hành' };
const roleDetails = (r: StepRole): Record<string, string> => ({ role: r, roleVi: ROLE_NAMES[r].vi, roleEn: ROLE_NAMES[r].en });

interface CheckedStep {
  doc: DocumentRow;
  input: string;
  number?: ResolvedNumber;
  issued?: string;
  warnings: string[];
}

/**
 * The checks of a step, in the order a person would make them. Every refusal is audited once and
 * thrown; nothing else is written.
 */
export async function checkStep(ctx: DeskContext, id: number, req: StepRequest): Promise<CheckedStep> {
  const subject = docSubject(id);
  const db = ctx.store.db;
  let doc: DocumentRow;
  try {
    doc = getDocument(db, id);
  } catch (e) {
    refuse(ctx, 'document.sign', subject, e as KysoError, { role: req.role });
  }
  const role = req.role;
  const no: (e: KysoError) => never = (e) => refuse(ctx, 'document.sign', subject, e, { role });
  if (doc.state === 'issued') no(new KysoError('DOCUMENT_ISSUED', { id: String(id) }));
  if (!(METHOD_STEPS[doc.method] as readonly string[]).includes(role))
    no(new KysoError('DOCUMENT_STEP_NOT_ALLOWED', { id: String(id), expected: nextRole(doc.method, activeSignatures(db, doc).length) ?? 'none', requested: role }));
  const active = activeSignatures(db, doc);
  const expected = nextRole(doc.method, active.length);
  if (role !== expected) {
    const steps = METHOD_STEPS[doc.method];
    if (expected && steps.indexOf(role) > steps.indexOf(expected)) no(new KysoError('SIGNATURE_REQUIRED_MISSING', { id: String(id), ...roleDetails(expected) }));
    no(new KysoError('DOCUMENT_STEP_NOT_ALLOWED', { id: String(id), expected: expected ?? 'none', requested: role }));
  }
  const warnings: string[] = [];
  const input = currentPath(ctx, doc);
  let number: ResolvedNumber | undefined;
  let issued: string | undefined;
  if (role === 'org') {
    failIfSecret(ctx, doc, 'document.sign');
    // The organisation signs on the issue date (AG Đ13.2).
    const today = vietnamDay(ctx.now());
    try {
      issued = parseIssueDate(req.issueDate ?? today).iso;
    } catch (e) {
      no(e as KysoError);
    }
    if (issued !== today) no(new KysoError('ISSUE_DATE_NOT_SIGNING_DATE', { issued, today }));
  }
  // The earlier signatures must be there and still verify (NĐ30 Đ5: the clerk seals only what the
  // competent person signed).
  const needed = requiredBefore(doc.method, role);
  if (needed.length) {
    const report = await ctx.verify(input);
    for (const r of needed) {
      const row = active.find((s) => s.role === r);
      if (!row) no(new KysoError('SIGNATURE_REQUIRED_MISSING', { id: String(id), ...roleDetails(r) }));
      const rep = report.signatures.find((s) => s.field === row.field);
      if (!rep) no(new KysoError('SIGNATURE_REQUIRED_MISSING', { id: String(id), ...roleDetails(r) }));
      const stands = signatureStands(rep);
      if (!stands.ok) no(new KysoError('SIGNATURE_REQUIRED_INVALID', { id: String(id), ...roleDetails(r), signer: row.signer_cn, ...invalidDetails(rep) }));
      if ('warning' in stands && stands.warning) warnings.push(`${r}: ${stands.warning}`);
    }
    // Nothing else in the file may be broken either.
    for (const s of report.signatures) {
      if (s.integrity !== 'valid' || s.modificationsAfter === 'disallowed')
        no(new KysoError('SIGNATURE_REQUIRED_INVALID', { id: String(id), role: s.field, roleVi: `chữ ký ${s.field}`, roleEn: `signature ${s.field}`, signer: s.signer?.commonName ?? '?', ...invalidDetails(s) }));
    }
  }
  if (role === 'org') {
    const year = Number(issued!.slice(0, 4));
    try {
      const printed = await readPrintedNumber(input);
      number = resolveNumber(req.number, printed, () => lastNumberSeq(db, year) + 1, String(id));
    } catch (e) {
      if (e instanceof KysoError && e.code !== 'PDF_MALFORMED') no(e);
      throw e;
    }
    if (req.fillNumber === false) number = { ...number, fill: undefined };
    const other = documentWithNumber(db, year, number.seq);
    if (other && other.id !== id) no(new KysoError('DOC_NUMBER_DUPLICATE', { number: number.full, year, other: String(other.id) }));
    // A paper document of the year holds it (one series for paper and electronic, NĐ30 Đ15).
    const holder = numberHolder(db, year, number.seq);
    if (holder?.kind === 'paper') no(new KysoError('DOC_NUMBER_DUPLICATE', { number: number.full, year, other: `paper ${holder.ref_id}` }));
  }
  return { doc, input, number, issued, warnings };
}

function visibleFor(doc: DocumentRow, req: StepRequest, number: ResolvedNumber | undefined, issued: string | undefined): VisibleOptions {
  // Method 1 has no leader's signature in the file to put the seal over: the organisation's block
  // goes under the number (QN Đ14.3a), unless a place is given.
  const preset = req.preset ?? (req.role === 'org' && doc.method === 1 && !req.rect ? 'quang-ninh' : undefined);
  return {
    role: req.role,
    preset,
    image: req.image,
    page: req.page,
    rect: req.rect,
    anchor: req.anchor,
    signerName: req.signerName,
    signerTitle: req.signerTitle,
    organisation: req.organisation,
    ...(req.role === 'org' && number?.fill !== undefined ? { docNumber: number.fill, issued } : {}),
  };
}

function certificateFacts(signer: Signer, info: Awaited<ReturnType<typeof signVisible>>['signer']) {
  return {
    der: signer.certificate,
    subject: info.subject,
    commonName: info.commonName,
    organisation: info.organization,
    serial: info.serialNumber,
    issuer: info.issuer,
    notBefore: info.notBefore.toISOString(),
    notAfter: info.notAfter.toISOString(),
  };
}

/** The signer of a source, opening it when it is a function. */
function openSigner(source: SignerSource): Promise<Signer> {
  return typeof source === 'function' ? Promise.resolve().then(() => source()) : Promise.resolve(source);
}

interface SignedAttachment {
  row: AttachmentRow;
  sha256: string;
  size: number;
  field: string;
  report: SignatureReport;
}

/** Runs one step; returns the document as it is after it. */
export async function signStep(ctx: DeskContext, id: number, req: StepRequest, source: SignerSource): Promise<DocumentSummary> {
  const subject = docSubject(id);
  const files = ctx.store.files;
  const staged: string[] = [];
  try {
    const checked = await checkStep(ctx, id, req);
    const { doc, input, number, issued } = checked;
    const signer = await openSigner(source);
    // The certificate is checked before the token signs; its chain and revocation data go into every signature of the step.
    const certCheck = await ctx.checkSigner?.(signer);
    const embed = certCheck ? { chain: certCheck.chain, revocation: certCheck.revocation } : {};
    for (const w of certCheck?.warnings ?? []) checked.warnings.push(`${w.code}: ${w.en}`);
    const signingTime = ctx.now();
    const out = files.stagingPath();
    staged.push(out);
    const result = await signVisible({
      input,
      output: out,
      signer,
      ...embed,
      signingTime,
      reason: req.reason ?? REASONS[req.role],
      location: req.location,
      visible: visibleFor(doc, req, number, issued),
    });
    crashPoint('after-sign');

    // The organisation signs the attachments in the same step, each with the stamp naming the main
    // document's number and the signing time.
    const pendingAttachments = req.role === 'org' ? listAttachments(ctx.store.db, id).filter((a) => a.signed_sha256 === null) : [];
    const attachmentOutputs: Array<{ row: AttachmentRow; path: string; field: string }> = [];
    for (const a of pendingAttachments) {
      const aOut = files.stagingPath();
      staged.push(aOut);
      const r = await signVisible({
        input: files.require(a.pdf_sha256),
        output: aOut,
        signer,
        ...embed,
        signingTime,
        reason: 'Ký phát hành văn bản kèm theo',
        location: req.location,
        visible: { role: 'attachment', docNumber: number!.full, organisation: req.organisation, preset: req.preset },
      });
      attachmentOutputs.push({ row: a, path: aOut, field: r.fieldName });
    }

    const stored = await files.adopt(out);
    const storedAttachments: Array<{ row: AttachmentRow; sha256: string; size: number; field: string }> = [];
    for (const a of attachmentOutputs) storedAttachments.push({ ...a, ...(await files.adopt(a.path)) });
    crashPoint('after-file');

    const report = await ctx.verify(files.require(stored.sha256));
    const mine = report.signatures.find((s) => s.field === result.fieldName);
    if (!mine || mine.integrity !== 'valid') throw new KysoError('SIGN_RESULT_INVALID', { reason: mine ? mine.messages.en : 'signature not found in the output' });
    const signedAttachments: SignedAttachment[] = [];
    for (const a of storedAttachments) {
      const rep = await ctx.verify(files.require(a.sha256));
      const s = rep.signatures.find((x) => x.field === a.field);
      if (!s || s.integrity !== 'valid') throw new KysoError('SIGN_RESULT_INVALID', { reason: `attachment ${a.row.name}: ${s ? s.messages.en : 'signature not found'}` });
      signedAttachments.push({ ...a, report: s });
    }

    const at = signingTime.toISOString();
    ctx.store.tx(() => commit(ctx, { doc, req, number, issued, at, signingTime, stored, result, signer, report, mine, signedAttachments, warnings: checked.warnings }));
    crashPoint('after-commit');
    const warnings = certCheck?.warnings.map((w) => ({ vi: w.vi, en: w.en })) ?? [];
    return { ...summary(ctx, getDocument(ctx.store.db, id)), ...(warnings.length ? { warnings } : {}) };
  } catch (e) {
    for (const s of staged) rmSync(s, { force: true });
    failed(ctx, 'document.sign', subject, e, { role: req.role });
  }
}

function commit(
  ctx: DeskContext,
  s: {
    doc: DocumentRow;
    req: StepRequest;
    number: ResolvedNumber | undefined;
    issued: string | undefined;
    at: string;
    signingTime: Date;
    stored: { sha256: string; size: number };
    result: Awaited<ReturnType<typeof signVisible>>;
    signer: Signer;
    report: FileReport;
    mine: SignatureReport;
    signedAttachments: SignedAttachment[];
    warnings: string[];
  },
): void {
  const db = ctx.store.db;
  const id = s.doc.id;
  const now = getDocument(db, id);
  // Another window or process moved the document on meanwhile: this step no longer applies.
  if (now.current_revision_id !== s.doc.current_revision_id || now.state !== s.doc.state || now.round !== s.doc.round)
    throw new KysoError('DOCUMENT_CHANGED', { id: String(id) });
  const role = s.req.role;
  const year = s.issued ? Number(s.issued.slice(0, 4)) : undefined;
  if (s.number && year !== undefined) {
    const other = documentWithNumber(db, year, s.number.seq);
    if (other && other.id !== id) throw new KysoError('DOC_NUMBER_DUPLICATE', { number: s.number.full, year, other: String(other.id) });
  }
  const rev = insertRevision(db, { documentId: id, round: now.round, step: role, sha256: s.stored.sha256, size: s.stored.size, fileName: now.file_name, at: s.at });
  crashPoint('in-transaction');
  const certId = upsertCertificate(db, certificateFacts(s.signer, s.result.signer), s.at);
  insertSignature(db, {
    revision_id: rev.id,
    document_id: id,
    idx: s.mine.index,
    role,
    field: s.result.fieldName,
    certificate_id: certId,
    signer_cn: s.result.signer.commonName,
    signer_org: s.result.signer.organization ?? null,
    signer_serial: s.result.signer.serialNumber,
    signed_at: s.at,
    indication: s.mine.indication,
    report_json: JSON.stringify(s.mine),
    verified_at: s.at,
  });
  // The earlier signatures, verified again on the new file: their last report.
  for (const prev of activeSignatures(db, now)) {
    if (prev.revision_id === rev.id) continue;
    const r = s.report.signatures.find((x) => x.field === prev.field);
    if (r) updateSignatureReport(db, prev.id, { indication: r.indication, report_json: JSON.stringify(r), verified_at: s.at });
  }
  const patch: Parameters<typeof updateDocument>[2] = { state: STATE_AFTER[role], current_revision_id: rev.id, comment: null, updated_at: s.at };
  if (role === 'org') {
    Object.assign(patch, { number_seq: s.number!.seq, number_symbol: s.number!.full, issue_date: s.issued, issue_year: year, issued_at: s.at });
    for (const a of s.signedAttachments)
      setAttachmentSigned(db, a.row.id, {
        sha256: a.sha256,
        size: a.size,
        field: a.field,
        certificateId: certId,
        signerCn: s.result.signer.commonName,
        signedAt: s.at,
        indication: a.report.indication,
        reportJson: JSON.stringify(a.report),
      });
  }
  updateDocument(db, id, patch);
  if (role === 'org') queueOutbox(db, id, s.at, sendDeadline(s.signingTime, now.urgency, ctx.sendRules).toISOString());
  appendAudit(db, {
    at: s.at,
    actor: ctx.actor,
    action: 'document.signed',
    subject: docSubject(id),
    details: {
      role,
      seq: rev.seq,
      round: rev.round,
      sha256: s.stored.sha256,
      size: s.stored.size,
      field: s.result.fieldName,
      signer: s.result.signer.subject,
      certificate: s.result.signer.fingerprint,
      indication: s.mine.indication,
      ...(role === 'org' ? { number: s.number!.full, issueDate: s.issued, filled: s.number!.fill !== undefined } : {}),
      attachments: s.signedAttachments.map((a) => ({ name: a.row.name, sha256: a.sha256 })),
      warnings: s.warnings,
    },
  });
}

export interface BatchProgress {
  done: number;
  total: number;
  id: string;
  ok: boolean;
  error?: ErrorPayload;
}

export interface BatchResult {
  id: string;
  ok: boolean;
  document?: DocumentSummary;
  error?: ErrorPayload;
}

/**
 * Signs many documents in one token session (one PIN entry). Each document is its own step with
 * its own transaction: one failure is reported and the others go on. When the token cannot be
 * opened (a wrong PIN), it is not tried again for each document — a token locks after a few.
 */
export async function signBatch(
  ctx: DeskContext,
  ids: number[],
  req: Omit<StepRequest, 'number'> & { numbers?: Record<string, string> },
  source: SignerSource,
  onProgress?: (p: BatchProgress) => void,
): Promise<BatchResult[]> {
  const results: BatchResult[] = [];
  // One session for the batch: the source is opened once, at the first document that passes its
  // checks, and its answer (a signer, or the error of a wrong PIN) serves every later document.
  let opened: Promise<Signer> | undefined;
  const once = (): Promise<Signer> => (opened ??= openSigner(source));
  for (const id of ids) {
    let r: BatchResult;
    try {
      const document = await signStep(ctx, id, { ...req, number: req.numbers?.[String(id)] }, once);
      r = { id: String(id), ok: true, document };
    } catch (e) {
      r = { id: String(id), ok: false, error: toKysoError(e).toPayload() };
    }
    results.push(r);
    onProgress?.({ done: results.length, total: ids.length, id: r.id, ok: r.ok, error: r.error });
  }
  return results;
}
