// Moving files between the signing service and the document-management system: the source PDF
// fetched from the page's server (size and time limits, only http(s), only from the page's own
// host unless the user allowed another), and the signed file POSTed to the page's upload handler
// as multipart field `uploadfile`, the page's session going along. The handler's answer is passed
// back to the page as it came, never acted on.
import { createWriteStream, readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { KysoError } from '../../shared/errors.js';
import type { OriginPolicy } from './origins.js';

export interface TransferLimits {
  /** Largest source file fetched, bytes. */
  maxBytes: number;
  /** Whole download or upload, milliseconds. */
  timeoutMs: number;
}

export const DEFAULT_LIMITS: TransferLimits = { maxBytes: 100 * 1024 * 1024, timeoutMs: 60_000 };

/** The page's session, forwarded to its own server (and nowhere else). */
export interface PageSession {
  sessionId: string;
  jwt: string;
}

function sessionHeaders(s: PageSession): Record<string, string> {
  return s.jwt ? { authorization: `Bearer ${s.jwt}` } : {};
}

/** A URL of the request, resolved against the page's origin (callers give relative paths too). */
export function requestUrl(value: string, origin: string): URL {
  let u: URL;
  try {
    u = new URL(value, origin);
  } catch {
    throw new KysoError('SERVICE_REQUEST_INVALID', { reason: `"${value}" is not an address` });
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') throw new KysoError('SERVICE_REQUEST_INVALID', { reason: `"${value}" is not an http(s) address` });
  return u;
}

/** Downloads the document to sign into `dest`; refuses another host, too large, too slow. */
export async function fetchSource(o: { url: URL; origin: string; policy: OriginPolicy; session: PageSession; dest: string; limits?: TransferLimits }): Promise<void> {
  const limits = o.limits ?? DEFAULT_LIMITS;
  o.policy.checkFileUrl(o.url, o.origin);
  const shown = o.url.origin + o.url.pathname;
  const limitMb = Math.round(limits.maxBytes / 1024 / 1024);
  let res: Response;
  const signal = AbortSignal.timeout(limits.timeoutMs);
  try {
    // No redirects: a redirect could lead to a host the rule above did not check.
    res = await fetch(o.url, { headers: sessionHeaders(o.session), redirect: 'error', signal });
  } catch (e) {
    throw new KysoError('SERVICE_FETCH_FAILED', { url: shown, reason: reason(e) });
  }
  if (!res.ok || !res.body) throw new KysoError('SERVICE_FETCH_FAILED', { url: shown, reason: `HTTP ${res.status}` });
  const declared = Number(res.headers.get('content-length') ?? NaN);
  if (declared > limits.maxBytes) throw new KysoError('SERVICE_FETCH_TOO_LARGE', { url: shown, limit: limitMb });
  let seen = 0;
  const counted = Readable.fromWeb(res.body as import('node:stream/web').ReadableStream<Uint8Array>).on('data', (c: Buffer) => {
    seen += c.length;
    if (seen > limits.maxBytes) counted.destroy(new KysoError('SERVICE_FETCH_TOO_LARGE', { url: shown, limit: limitMb }));
  });
  try {
    await pipeline(counted, createWriteStream(o.dest));
  } catch (e) {
    if (e instanceof KysoError) throw e;
    throw new KysoError('SERVICE_FETCH_FAILED', { url: shown, reason: reason(e) });
  }
}

/** What the upload handler answered, passed back to the page unchanged. */
export interface HandlerAnswer {
  Status?: unknown;
  Message?: unknown;
  FileName?: unknown;
  FileServer?: unknown;
  [k: string]: unknown;
}

/** POSTs the signed file to the page's upload handler; its JSON answer is returned as it came. */
export async function uploadSigned(o: { url: URL; origin: string; policy: OriginPolicy; session: PageSession; file: string; fileName: string; timeoutMs?: number }): Promise<HandlerAnswer> {
  o.policy.checkFileUrl(o.url, o.origin);
  const shown = o.url.origin + o.url.pathname;
  const form = new FormData();
  form.set('uploadfile', new Blob([readFileSync(o.file)], { type: 'application/pdf' }), basename(o.fileName));
  if (o.session.sessionId) form.set('SessionId', o.session.sessionId);
  if (o.session.jwt) form.set('JWTToken', o.session.jwt);
  let res: Response;
  try {
    res = await fetch(o.url, { method: 'POST', body: form, headers: sessionHeaders(o.session), redirect: 'error', signal: AbortSignal.timeout(o.timeoutMs ?? DEFAULT_LIMITS.timeoutMs) });
  } catch (e) {
    throw new KysoError('SERVICE_UPLOAD_FAILED', { url: shown, reason: reason(e), path: o.file });
  }
  const body = await res.text().catch(() => '');
  if (!res.ok) throw new KysoError('SERVICE_UPLOAD_REFUSED', { reason: `HTTP ${res.status} ${body.slice(0, 200)}`.trim(), path: o.file });
  let answer: HandlerAnswer;
  try {
    answer = JSON.parse(body) as HandlerAnswer;
  } catch {
    throw new KysoError('SERVICE_UPLOAD_REFUSED', { reason: `the handler's answer is not JSON: ${body.slice(0, 200)}`, path: o.file });
  }
  if (answer === null || typeof answer !== 'object') throw new KysoError('SERVICE_UPLOAD_REFUSED', { reason: 'the handler answered no object', path: o.file });
  if (answer.Status === false) throw new KysoError('SERVICE_UPLOAD_REFUSED', { reason: typeof answer.Message === 'string' && answer.Message ? answer.Message : 'Status false', path: o.file });
  return answer;
}

function reason(e: unknown): string {
  const err = e as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (err?.name === 'TimeoutError') return 'quá thời gian chờ | timed out';
  return err?.cause?.code ?? err?.cause?.message ?? err?.message ?? String(e);
}
