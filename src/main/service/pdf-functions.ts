// The signing service's PDF functions, done by Kyso's engine as `kyso sign --role` does them:
// SignApproved = the leader's signature image at their name, SignIssued = the clerk's number and
// date filled and the seal over the left third of the leader's signature (only on a file whose
// earlier signatures stand), SignIncome = the "ĐẾN" stamp, SignAppendix = the attachment stamp,
// SignCopy = the electronic copy mark. Each: fetch the file, show it and wait for the user's PIN
// in Kyso (never the page), check the signer's certificate, sign, upload, answer.
import { createHash, randomBytes } from 'node:crypto';
import { closeSync, mkdirSync, openSync, readFileSync, readSync, rmSync } from 'node:fs';
import { basename, join } from 'node:path';
import { KysoError, toKysoError, type ErrorCode, type ErrorPayload } from '../../shared/errors.js';
import { isoVietnam, vietnamDay } from '../appearance/time.js';
import type { Signer } from '../cms/signer.js';
import { describeCertificate } from '../cms/certinfo.js';
import { signIncomingStamp } from '../sign/incoming-stamp.js';
import { signVisible, type VisibleOptions } from '../sign/visible.js';
import { checkSignerCertificate, type SignerWarning } from '../trust/signer-check.js';
import type { TrustStore } from '../verify/chain.js';
import { verifyPdf } from '../verify/verify.js';
import type { OriginPolicy } from './origins.js';
import { errorResponse, okResponse, PdfRequestSchema, type PdfFunction, type PdfRequest, type ServiceFunction, type ServiceResponse } from './protocol.js';
import { fetchSource, requestUrl, uploadSigned, type PageSession, type TransferLimits } from './transfer.js';

/** What Kyso's window shows before it asks for the PIN: who asks, for what, on which document. */
export interface SigningPrompt {
  origin: string;
  /** A PDF function, or a data function (data-functions.ts: then `data` says what is signed). */
  function: PdfFunction | ServiceFunction;
  /** The downloaded document (its first page is shown). */
  file: string;
  fileName: string;
  docNumber?: string;
  issued?: string;
  /** Asked again: the PIN given last was wrong (the error says how many tries are left). */
  pinError?: ErrorPayload;
  /** Data functions (SignXML, SignMsg, SignHash, SignJson, SignFiles): what is signed, for the window to show. */
  data?: { kind: string; bytes: number; sha256: string; preview: string; files?: string[] };
}

/** The token the user chose in Kyso's window (the CLI's is fixed by --token). */
export interface ChosenToken {
  label: string;
  serial?: string;
}

/** The user's answer in Kyso's window: the PIN (and the token chosen), or cancel. */
export type ConfirmSigning = (p: SigningPrompt) => Promise<{ pin: string; token?: ChosenToken } | 'cancel'>;

/** Wrong PINs the user may correct by typing again (a locked token is not one of them). */
const WRONG_PIN = new Set(['TOKEN_PIN_INCORRECT', 'TOKEN_PIN_INCORRECT_COUNT_LOW', 'TOKEN_PIN_INCORRECT_FINAL_TRY']);

/** A token opened and logged in with the PIN the user gave; closed after the signature. */
export interface OpenedSigner {
  signer: Signer & { readonly chain: readonly Buffer[] };
  close(): void;
}

export interface PersonImages {
  /** The leader's handwritten signature (blue, transparent PNG). */
  signature?: { bytes: Buffer; source: string };
  /** The organisation's seal (red, transparent PNG, real size). */
  seal?: { bytes: Buffer; source: string };
}

export interface ServiceAudit {
  (e: { action: string; subject: string; details: Record<string, unknown> }): void;
}

export interface PdfServiceContext {
  policy: OriginPolicy;
  confirm: ConfirmSigning;
  openSigner: (pin: string, token?: ChosenToken) => OpenedSigner;
  /** The app asks for the PIN again after a wrong one; the CLI answers Status 8 (its PIN does not change). */
  askAgainOnWrongPin?: boolean;
  /** The app asks the user for a file when the request names none; the CLI cannot. */
  pickFile?: (q: { origin: string; function: PdfFunction | ServiceFunction }) => Promise<{ path: string; name: string } | null>;
  /** Told each call's answer once it is made, with Kyso's error when it failed (the app closes its confirmation panel). */
  settled?: (answer: ServiceResponse, error?: ErrorPayload) => void;
  images: PersonImages;
  person: { signerName?: string; signerTitle?: string; organisation?: string; preset?: string };
  trust: { trust: TrustStore; extraCerts: Buffer[]; crls: Buffer[]; online: boolean; cacheDir?: string };
  /** Where each call's files are kept (the signed file stays there if the upload fails). */
  workDir: string;
  limits?: TransferLimits;
  audit?: ServiceAudit;
  log: (line: string) => void;
}

function parseRequest(raw: unknown): PdfRequest {
  const r = PdfRequestSchema.safeParse(raw);
  if (!r.success) throw new KysoError('SERVICE_REQUEST_INVALID', { reason: r.error.issues.map((i) => `${i.path.join('.') || 'request'}: ${i.message}`).join('; ') });
  return r.data;
}

/** "2019-03-12T12:00:00+07:00" (or "2019-03-12") → the calendar day in Vietnam. */
export function issuedDay(value: string): string {
  const v = value.trim();
  if (/^\d{4}-\d{2}-\d{2}$/.test(v)) return v;
  const t = Date.parse(v);
  if (!Number.isFinite(t)) throw new KysoError('ISSUE_DATE_INVALID', { value });
  return vietnamDay(new Date(t));
}

function metaValue(req: PdfRequest, ...keys: string[]): string | undefined {
  const want = keys.map((k) => k.toLowerCase());
  const m = req.MetaData.find((x) => want.includes(x.Key.toLowerCase()));
  return m && m.Value !== null && m.Value !== undefined && String(m.Value).trim() ? String(m.Value) : undefined;
}

function isPdfFile(path: string): boolean {
  const fd = openSync(path, 'r');
  try {
    const b = Buffer.alloc(1024);
    const n = readSync(fd, b, 0, b.length, 0);
    return b.subarray(0, n).includes(Buffer.from('%PDF-'));
  } finally {
    closeSync(fd);
  }
}

/** A safe local name for the document, from its URL. */
function documentName(url: URL | undefined, local: string | undefined): string {
  let name = url ? decodeURIComponent(basename(url.pathname)) : local ? basename(local) : '';
  name = name.replace(/[^\p{L}\p{N}._ -]/gu, '_').replace(/^\.+/, '');
  if (!name) name = 'van-ban.pdf';
  if (!/\.pdf$/i.test(name)) name += '.pdf';
  return name;
}

const sha256 = (path: string): string => createHash('sha256').update(readFileSync(path)).digest('hex');

/** The earlier signatures of a file the clerk is about to issue must stand (NĐ 30 Đ5). */
async function checkEarlierSignatures(file: string, fileName: string, ctx: PdfServiceContext): Promise<void> {
  const report = await verifyPdf(file, { trust: ctx.trust.trust, extraCerts: ctx.trust.extraCerts, crls: ctx.trust.crls, online: ctx.trust.online, cacheDir: ctx.trust.cacheDir });
  for (const s of report.signatures) {
    if (s.kind !== 'signature') continue;
    const stands = s.integrity === 'valid' && s.modificationsAfter !== 'disallowed' && (s.indication === 'TOTAL_PASSED' || (s.indication === 'INDETERMINATE' && s.subIndication === 'TRY_LATER'));
    if (!stands)
      throw new KysoError('SIGNATURE_REQUIRED_INVALID', {
        id: fileName,
        roleVi: `chữ ký ${s.field}`,
        roleEn: `signature ${s.field}`,
        signer: s.signer?.commonName ?? '?',
        reasonVi: s.messages.vi,
        reasonEn: s.messages.en,
      });
  }
}

/** Runs one PDF function for a page of `origin`; always answers (errors as Status ≠ 0). */
export async function runPdfFunction(fn: PdfFunction, raw: unknown, origin: string, ctx: PdfServiceContext): Promise<ServiceResponse> {
  let error: ErrorPayload | undefined;
  const answer = await signPdfFunction(fn, raw, origin, ctx, (e) => (error = e));
  ctx.settled?.(answer, error);
  return answer;
}

/**
 * The token logged in with the PIN the user gave. A wrong PIN is asked again in the app (the prompt
 * carries the error, with the tries left); cancelling then answers Status 11.
 */
/** The token's certificate checked as every signature's is (validity, chain completed, revocation), with the desk's trust. */
export function checkOpenedSigner(opened: OpenedSigner, ctx: PdfServiceContext): ReturnType<typeof checkSignerCertificate> {
  const t = ctx.trust;
  return checkSignerCertificate({ certificate: opened.signer.certificate, tokenChain: opened.signer.chain, extraCerts: t.extraCerts, trust: t.trust, crls: t.crls, online: t.online, cacheDir: t.cacheDir });
}

export async function openWithPin(prompt: SigningPrompt, first: { pin: string; token?: ChosenToken }, ctx: PdfServiceContext): Promise<OpenedSigner> {
  let answer = first;
  for (;;) {
    try {
      return ctx.openSigner(answer.pin, answer.token);
    } catch (e) {
      const err = toKysoError(e);
      if (!ctx.askAgainOnWrongPin || !WRONG_PIN.has(err.code)) throw err;
      const again = await ctx.confirm({ ...prompt, pinError: err.toPayload() });
      if (again === 'cancel') throw new KysoError('SERVICE_CANCELLED');
      answer = again;
    }
  }
}

async function signPdfFunction(fn: PdfFunction, raw: unknown, origin: string, ctx: PdfServiceContext, failed: (e: ErrorPayload) => void): Promise<ServiceResponse> {
  const callDir = join(ctx.workDir, `${new Date().toISOString().replace(/[:.]/g, '-')}-${randomBytes(4).toString('hex')}`);
  let subject = '';
  try {
    const req = parseRequest(raw);
    const session: PageSession = { sessionId: req.SessionId, jwt: req.JWTToken };
    mkdirSync(callDir, { recursive: true, mode: 0o700 });
    // 1. The document: from the page's server, or chosen by the user in Kyso.
    const sourceUrl = req.FileName ? requestUrl(req.FileName, origin) : undefined;
    const uploadUrl = req.FileUploadHandler ? requestUrl(req.FileUploadHandler, origin) : undefined;
    if (uploadUrl) ctx.policy.checkFileUrl(uploadUrl, origin);
    let source: string;
    let pickedName: string | undefined;
    if (sourceUrl) {
      source = join(callDir, 'source.pdf');
      await fetchSource({ url: sourceUrl, origin, policy: ctx.policy, session, dest: source, limits: ctx.limits });
    } else {
      if (!ctx.pickFile) throw new KysoError('SERVICE_NO_FILE_UNATTENDED');
      const picked = await ctx.pickFile({ origin, function: fn });
      if (!picked) throw new KysoError('SERVICE_NO_FILE');
      source = picked.path;
      pickedName = picked.name;
    }
    const fileName = documentName(sourceUrl, pickedName ?? source);
    subject = fileName;
    if (!isPdfFile(source)) throw new KysoError('PDF_NOT_PDF', { path: fileName });

    const docNumber = req.DocNumber.trim() || undefined;
    const issued = req.IssuedDate.trim() ? issuedDay(req.IssuedDate) : undefined;
    if (fn === 'SignIncome' && !docNumber) throw new KysoError('SERVICE_REQUEST_INVALID', { reason: 'DocNumber (số đến) is required for SignIncome' });
    if (fn === 'SignAppendix' && !docNumber) throw new KysoError('SERVICE_REQUEST_INVALID', { reason: 'DocNumber (the main document\'s number and symbol) is required for SignAppendix' });

    // 2. The user sees who asks, the function and the document, and gives the PIN in Kyso.
    const prompt: SigningPrompt = { origin, function: fn, file: source, fileName, docNumber, issued };
    const answer = await ctx.confirm(prompt);
    if (answer === 'cancel') throw new KysoError('SERVICE_CANCELLED');

    // 3. The earlier signatures (SignIssued), the token, the signer's certificate, the signature.
    if (fn === 'SignIssued') await checkEarlierSignatures(source, fileName, ctx);
    const opened = await openWithPin(prompt, answer, ctx);
    const output = join(callDir, fileName);
    let warnings: SignerWarning[];
    let signingTime: Date;
    let field: string;
    let signerName: string;
    try {
      const checked = await checkOpenedSigner(opened, ctx);
      warnings = checked.warnings;
      const common = { input: source, output, signer: opened.signer, chain: checked.chain, revocation: checked.revocation, reason: metaValue(req, 'Reason'), location: metaValue(req, 'Location') };
      if (fn === 'SignIncome') {
        // The same "ĐẾN" stamp as `kyso inbox accept --stamp` (placement under "Số:", never over text).
        const incomingNumber = Number.parseInt(docNumber!.trim(), 10);
        if (!/^\d+$/.test(docNumber!.trim()) || !Number.isSafeInteger(incomingNumber) || incomingNumber <= 0)
          throw new KysoError('SERVICE_REQUEST_INVALID', { reason: `DocNumber (số đến) must be a number, not "${docNumber}"` });
        const when = req.IssuedDate.trim() ? new Date(req.IssuedDate.trim()) : new Date();
        const cert = describeCertificate(opened.signer.certificate);
        const r = await signIncomingStamp({
          ...common,
          content: {
            organisation: ctx.person.organisation ?? cert.organization ?? cert.commonName,
            incomingNumber,
            arrivedAt: Number.isNaN(when.getTime()) ? new Date() : when,
          },
        });
        ({ signingTime, fieldName: field } = r);
        signerName = r.signer.commonName;
      } else {
        const r = await signVisible({ ...common, visible: visibleFor(fn, req, ctx, docNumber, issued) });
        ({ signingTime, fieldName: field } = r);
        signerName = r.signer.commonName;
      }
    } finally {
      opened.close();
    }
    for (const w of warnings) ctx.log(`Cảnh báo [${w.code}]: ${w.vi} | Warning: ${w.en}`);

    // 4. The signed file goes to the page's upload handler; its answer goes back as it came.
    let handler: Record<string, unknown> | undefined;
    if (uploadUrl) handler = await uploadSigned({ url: uploadUrl, origin, policy: ctx.policy, session, file: output, fileName });
    ctx.audit?.({
      action: `service.${fn}`,
      subject: fileName,
      details: { origin, function: fn, field, signer: signerName, source: sourceUrl?.href ?? null, uploadedTo: uploadUrl?.href ?? null, before: sha256(source), after: sha256(output), docNumber: docNumber ?? null, issued: issued ?? null, warnings: warnings.map((w) => w.code) },
    });
    // Uploaded: nothing of the document stays on this machine. Otherwise the signed file is the answer.
    if (handler) rmSync(callDir, { recursive: true, force: true });
    const documentDate = fn === 'SignIssued' ? (req.IssuedDate.trim() || isoVietnam(signingTime)) : '';
    return okResponse({
      Message: 'Ký số thành công',
      FileName: typeof handler?.FileName === 'string' ? handler.FileName : output,
      FileServer: handler === undefined ? '' : typeof handler.FileServer === 'string' ? handler.FileServer : JSON.stringify(handler.FileServer ?? ''),
      DocumentNumber: fn === 'SignIssued' ? (docNumber ?? '') : '',
      DocumentDate: documentDate,
      ...(handler ? { HandlerResponse: handler } : {}),
      ...(warnings.length ? { Warnings: warnings.map((w) => w.vi) } : {}),
    });
  } catch (e) {
    const err = toKysoError(e);
    failed(err.toPayload());
    // The signed file stays only when it could not be uploaded (the message says where).
    if (err.code !== 'SERVICE_UPLOAD_FAILED' && err.code !== 'SERVICE_UPLOAD_REFUSED') rmSync(callDir, { recursive: true, force: true });
    ctx.log(`${fn} ${origin}: [${err.code}] ${err.message}`);
    if (ctx.audit && err.code !== 'SERVICE_ORIGIN_NOT_ALLOWED')
      ctx.audit({ action: `service.${fn}.refused`, subject: subject || origin, details: { origin, function: fn, code: err.code, ...err.details } });
    return errorResponse(err.code as ErrorCode, err.details);
  }
}

function visibleFor(fn: Exclude<PdfFunction, 'SignIncome'>, req: PdfRequest, ctx: PdfServiceContext, docNumber: string | undefined, issued: string | undefined): VisibleOptions {
  const p = ctx.person;
  switch (fn) {
    case 'SignApproved':
      return {
        role: 'leader',
        preset: p.preset,
        image: ctx.images.signature,
        signerName: metaValue(req, 'SignerName') ?? p.signerName,
        signerTitle: metaValue(req, 'SignerTitle', 'Position') ?? p.signerTitle,
      };
    case 'SignIssued':
      if (!ctx.images.seal && (p.preset ?? 'nd30') === 'nd30') throw new KysoError('SEAL_IMAGE_MISSING', {});
      return { role: 'org', preset: p.preset, image: ctx.images.seal, docNumber, issued: issued ?? vietnamDay(new Date()), organisation: p.organisation };
    case 'SignAppendix':
      return { role: 'attachment', preset: p.preset, docNumber, organisation: p.organisation };
    case 'SignCopy':
      return { role: 'copy', preset: p.preset, copyForm: metaValue(req, 'CopyForm') ?? 'SAO Y', organisation: p.organisation };
  }
}
