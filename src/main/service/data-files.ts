// SignFiles and Comment of the signing service. SignFiles: a list of PDFs, each signed the way one
// PDF function signs it (SignApproved by default) and uploaded to its handler, after one consent
// and one PIN for the whole list; a file that fails does not stop the others, and each file has
// its own status. Comment: the user's comment (ý kiến) on a PDF, written as a note annotation on
// the first page in the same revision as an approval signature that covers it, then uploaded.
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { basename, join } from 'node:path';
import { KysoError } from '../../shared/errors.js';
import { PdfDict, PdfName } from '../pdf/objects.js';
import { pdfDate, textString } from '../pdf/text.js';
import { signPdf } from '../sign/sign.js';
import { field, sha256Hex, type DataRequest } from './data-common.js';
import { checkOpenedSigner, openWithPin, runPdfFunction, type PdfServiceContext, type SigningPrompt } from './pdf-functions.js';
import { errorResponse, isPdfFunction, okResponse, STATUS, type PdfFunction, type ServiceResponse } from './protocol.js';
import { fetchSource, requestUrl, uploadSigned, type PageSession } from './transfer.js';

/** The longest list SignFiles takes in one call. */
export const MAX_BATCH = 50;

interface BatchItem {
  FileName: string;
  FileUploadHandler?: string;
  DocNumber?: string;
  IssuedDate?: string;
  MetaData?: unknown;
}

function batchItems(req: DataRequest): BatchItem[] {
  const list = req.Files ?? req.files ?? req.FileNames ?? req.fileNames;
  if (!Array.isArray(list) || list.length === 0) throw new KysoError('SERVICE_REQUEST_INVALID', { reason: 'Files must be a non-empty list (Files phải là danh sách tệp)' });
  if (list.length > MAX_BATCH) throw new KysoError('SERVICE_REQUEST_INVALID', { reason: `at most ${MAX_BATCH} files per call (tối đa ${MAX_BATCH} tệp mỗi lần)` });
  return list.map((x, i) => {
    if (typeof x === 'string') return { FileName: x };
    if (x && typeof x === 'object' && typeof (x as BatchItem).FileName === 'string') return x as BatchItem;
    throw new KysoError('SERVICE_REQUEST_INVALID', { reason: `Files[${i}] has no FileName` });
  });
}

/**
 * SignFiles: { Function (default SignApproved), FileUploadHandler, SessionId, JWTToken, MetaData,
 * Files: [url | { FileName, FileUploadHandler?, DocNumber?, IssuedDate?, MetaData? }] } →
 * Files: one answer per file in order (Status, Message, FileName, FileServer, Source); Status 0
 * when every file was signed, else Status 1 (SERVICE_BATCH_PARTIAL) with the per-file list.
 */
export async function runSignFiles(req: DataRequest, origin: string, ctx: PdfServiceContext): Promise<ServiceResponse> {
  const fn = (field(req, 'Function') || 'SignApproved') as PdfFunction;
  if (!isPdfFunction(fn)) throw new KysoError('SERVICE_REQUEST_INVALID', { reason: `Function "${fn}" is not a PDF signing function` });
  const items = batchItems(req);
  const names = items.map((i) => i.FileName);
  const listing = Buffer.from(names.join('\n'), 'utf8');
  // One consent, one PIN for the list: the window shows every file's address.
  const prompt: SigningPrompt = { origin, function: 'SignFiles', file: '', fileName: `${items.length} tệp | files`, data: { kind: 'files', bytes: listing.length, sha256: sha256Hex(listing), preview: names.slice(0, 10).join('\n'), files: names } };
  const first = await ctx.confirm(prompt);
  if (first === 'cancel') throw new KysoError('SERVICE_CANCELLED');
  // The PIN is tried once before the batch (asked again in Kyso's window when wrong), so every
  // file is signed with the token and PIN that opened; a file never asks again.
  let answer = first;
  const probe = await openWithPin(prompt, first, { ...ctx, confirm: async (p) => {
    const again = await ctx.confirm(p);
    if (again !== 'cancel') answer = again;
    return again;
  } });
  probe.close();
  const once: PdfServiceContext = { ...ctx, confirm: async () => answer, askAgainOnWrongPin: false };
  const results: Array<Record<string, unknown>> = [];
  for (const item of items) {
    // Sequential: the token signs one thing at a time, and the pages' servers are not flooded.
    const r = await runPdfFunction(fn, {
      FileUploadHandler: item.FileUploadHandler ?? field(req, 'FileUploadHandler'),
      SessionId: field(req, 'SessionId'),
      JWTToken: field(req, 'JWTToken'),
      FileName: item.FileName,
      DocNumber: item.DocNumber ?? '',
      IssuedDate: item.IssuedDate ?? '',
      MetaData: Array.isArray(item.MetaData) ? item.MetaData : Array.isArray(req.MetaData) ? req.MetaData : [],
    }, origin, once);
    results.push({ Source: item.FileName, Status: r.Status, Message: r.Message, FileName: r.FileName, FileServer: r.FileServer, ...(r.ErrorCode ? { ErrorCode: r.ErrorCode } : {}) });
    // A wrong PIN or a removed token fails every file after it: stop, and say so for the rest.
    if (r.Status === STATUS.PIN || r.Status === STATUS.TOKEN) break;
  }
  for (const item of items.slice(results.length)) results.push({ Source: item.FileName, Status: STATUS.REFUSED, Message: 'Chưa ký: dừng sau lỗi thẻ ký số | Not signed: stopped after a token error', FileName: '', FileServer: '' });
  const signed = results.filter((r) => r.Status === STATUS.OK).length;
  if (signed === items.length) return okResponse({ Message: `Đã ký ${signed}/${items.length} tệp`, Files: results, Signed: signed, Total: items.length });
  return { ...errorResponse('SERVICE_BATCH_PARTIAL', { signed, total: items.length, failed: items.length - signed }), Files: results, Signed: signed, Total: items.length };
}

function metaText(req: DataRequest, ...keys: string[]): string {
  const list = Array.isArray(req.MetaData) ? (req.MetaData as Array<{ Key?: unknown; Value?: unknown }>) : [];
  const want = keys.map((k) => k.toLowerCase());
  const m = list.find((x) => typeof x?.Key === 'string' && want.includes(x.Key.toLowerCase()));
  const direct = keys.map((k) => field(req, k)).find((v) => v.trim());
  return (direct ?? (m && m.Value !== null && m.Value !== undefined ? String(m.Value) : '')).trim();
}

/**
 * Comment: the PDF request's fields, the comment in Comment (or MetaData Key "Comment" / "Content"
 * / "YKien") → the PDF with a note annotation (author = the signer, text = the comment) on page 1,
 * covered by an invisible approval signature of the same revision; uploaded like a signed PDF.
 */
export async function runComment(req: DataRequest, origin: string, ctx: PdfServiceContext): Promise<ServiceResponse> {
  const comment = metaText(req, 'Comment', 'Content', 'YKien', 'NoiDung');
  if (!comment) throw new KysoError('SERVICE_REQUEST_INVALID', { reason: 'the comment text is missing: Comment or MetaData Key "Comment" (thiếu nội dung ý kiến)' });
  if (comment.length > 4000) throw new KysoError('SERVICE_REQUEST_INVALID', { reason: 'the comment is longer than 4000 characters (ý kiến dài quá 4000 ký tự)' });
  const name = field(req, 'FileName');
  if (!name) {
    if (!ctx.pickFile) throw new KysoError('SERVICE_NO_FILE_UNATTENDED');
  }
  const callDir = join(ctx.workDir, `${new Date().toISOString().replace(/[:.]/g, '-')}-${randomBytes(4).toString('hex')}`);
  mkdirSync(callDir, { recursive: true, mode: 0o700 });
  let keep = false;
  try {
    const session: PageSession = { sessionId: field(req, 'SessionId'), jwt: field(req, 'JWTToken') };
    const uploadUrl = field(req, 'FileUploadHandler') ? requestUrl(field(req, 'FileUploadHandler'), origin) : undefined;
    if (uploadUrl) ctx.policy.checkFileUrl(uploadUrl, origin);
    let source: string;
    let fileName: string;
    if (name) {
      const url = requestUrl(name, origin);
      source = join(callDir, 'source.pdf');
      await fetchSource({ url, origin, policy: ctx.policy, session, dest: source, limits: ctx.limits });
      fileName = decodeURIComponent(basename(url.pathname)).replace(/[^\p{L}\p{N}._ -]/gu, '_').replace(/^\.+/, '') || 'van-ban';
      if (!/\.pdf$/i.test(fileName)) fileName += '.pdf';
    } else {
      if (!ctx.pickFile) throw new KysoError('SERVICE_NO_FILE_UNATTENDED');
      const picked = await ctx.pickFile({ origin, function: 'Comment' });
      if (!picked) throw new KysoError('SERVICE_NO_FILE');
      source = picked.path;
      fileName = picked.name;
    }
    if (!readFileSync(source).subarray(0, 1024).includes(Buffer.from('%PDF-'))) throw new KysoError('PDF_NOT_PDF', { path: fileName });
    const prompt: SigningPrompt = { origin, function: 'Comment', file: source, fileName, data: { kind: 'comment', bytes: Buffer.byteLength(comment), sha256: sha256Hex(Buffer.from(comment)), preview: comment.slice(0, 400) } };
    const answer = await ctx.confirm(prompt);
    if (answer === 'cancel') throw new KysoError('SERVICE_CANCELLED');
    const output = join(callDir, fileName);
    const opened = await openWithPin(prompt, answer, ctx);
    let signerName = '';
    try {
      const checked = await checkOpenedSigner(opened, ctx);
      for (const w of checked.warnings) ctx.log(`Cảnh báo [${w.code}]: ${w.vi} | Warning: ${w.en}`);
      const r = await signPdf({
        input: source,
        output,
        signer: opened.signer,
        chain: checked.chain,
        revocation: checked.revocation,
        fieldName: `Comment${Date.now()}`,
        reason: 'Ý kiến | Comment',
        annotations: ({ update, pages, certificate, signingTime }) => {
          const page = pages[0]!;
          const [x0, , , y1] = [page.cropBox[0], page.cropBox[1], page.cropBox[2], page.cropBox[3]];
          const ref = update.add(
            new PdfDict([
              ['Type', PdfName.of('Annot')],
              ['Subtype', PdfName.of('Text')],
              ['Rect', [x0 + 20, y1 - 44, x0 + 44, y1 - 20]],
              ['Contents', textString(comment)],
              ['T', textString(certificate.commonName ?? 'Kyso')],
              ['Subj', textString('Ý kiến')],
              ['NM', textString(`kyso-comment-${signingTime.getTime()}`)],
              ['M', textString(pdfDate(signingTime))],
              ['Name', PdfName.of('Comment')],
              ['F', 4 | 64 | 128], // Print, ReadOnly, Locked
              ['Open', false],
              ['P', page.ref],
            ]),
          );
          return [{ page: 0, ref }];
        },
      });
      signerName = r.signer.commonName ?? '';
    } finally {
      opened.close();
    }
    let handler: Record<string, unknown> | undefined;
    keep = true;
    if (uploadUrl) handler = await uploadSigned({ url: uploadUrl, origin, policy: ctx.policy, session, file: output, fileName });
    ctx.audit?.({ action: 'service.Comment', subject: fileName, details: { origin, function: 'Comment', signer: signerName, comment, before: createHash('sha256').update(readFileSync(source)).digest('hex'), after: createHash('sha256').update(readFileSync(output)).digest('hex'), uploadedTo: uploadUrl?.href ?? null } });
    if (handler) keep = false;
    return okResponse({
      Message: 'Đã ghi ý kiến và ký số',
      FileName: typeof handler?.FileName === 'string' ? handler.FileName : output,
      FileServer: handler === undefined ? '' : typeof handler.FileServer === 'string' ? handler.FileServer : JSON.stringify(handler.FileServer ?? ''),
      ...(handler ? { HandlerResponse: handler } : {}),
    });
  } catch (e) {
    const code = (e as KysoError).code;
    // As for the PDF functions: the signed file stays only when its upload failed (the message says where).
    keep = keep && (code === 'SERVICE_UPLOAD_FAILED' || code === 'SERVICE_UPLOAD_REFUSED');
    throw e;
  } finally {
    if (!keep) rmSync(callDir, { recursive: true, force: true });
  }
}
