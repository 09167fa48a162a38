// Files between the page and Kyso, by reference on both transports. Stored files are read at
// /files/<sha256> (the web server, or kyso://app/files/<sha256> in the desktop app: the same path
// under the page's own origin), with ranges. A file the user chooses reaches Kyso as raw bytes —
// the web page PUTs it to /files; the desktop app's main process opens it from its own dialog —
// and calls then name it by its SHA-256.
import { ReceivedFile, type FileKind, type FileRef, type Result } from '../shared/contract.js';
import { api, transport, webKey } from './api.js';
import { openPdfUrl, type PdfDocument } from './pdf.js';

/** A file Kyso has received, ready to be named in a call. */
export type Uploaded = FileRef & { size: number };

/** Where the page reads a stored file. */
export function fileUrl(sha256: string): string {
  return `/files/${sha256}`;
}

/** Headers the page's own requests carry (the web mode's access key). */
function keyHeaders(): Record<string, string> {
  return webKey ? { 'X-Kyso-Key': webKey } : {};
}

/** Opens a stored PDF with pdf.js, fetching only the ranges it draws. */
export function openStoredPdf(sha256: string): Promise<PdfDocument> {
  return openPdfUrl(fileUrl(sha256), keyHeaders());
}

/** Offers a stored file to save under `name` (a download by URL: the bytes never pass through the page's script). */
export function saveStored(sha256: string, name: string): void {
  const a = document.createElement('a');
  a.href = `${fileUrl(sha256)}?download=${encodeURIComponent(name)}`;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
}

/**
 * A large file goes in blocks of at most this size over this many connections at once: Chromium
 * passes one request's file body on in small pieces, one at a time (a 500 MB body took twice as
 * long as `cp` plus `sha256sum`); parallel bodies fill the loopback connection (HTTP/1.1 allows six
 * per host: two stay free for the page's calls).
 */
const BLOCK = 16 << 20;
const CONNECTIONS = 4;

/** Blocks of equal size, as many as a whole number of rounds over the connections (no round half empty). */
export function blockSize(size: number): number {
  const blocks = Math.ceil(size / BLOCK / CONNECTIONS) * CONNECTIONS;
  return Math.ceil(size / blocks);
}

/** Web mode: streams a chosen file to PUT /files, a large one in parallel blocks (the browser reads it from disk as it sends). */
export async function uploadFile(file: File): Promise<Result<Uploaded>> {
  const got = file.size > BLOCK ? await sendInBlocks(file) : await request('/files', 'PUT', file);
  if (!got.ok) return got;
  const parsed = ReceivedFile.safeParse(got.value);
  if (!parsed.success) return { ok: false, error: { code: 'INTERNAL', details: { reason: 'malformed answer to PUT /files' } } };
  return { ok: true, value: { name: file.name, ...parsed.data } };
}

/** One request of an upload; its answer as the server gave it. */
async function request(path: string, method: string, body?: Blob, signal?: AbortSignal): Promise<Result<unknown>> {
  let res: Response;
  try {
    res = await fetch(path, { method, headers: { 'Content-Type': 'application/octet-stream', ...keyHeaders() }, body, signal });
  } catch (e) {
    return { ok: false, error: { code: 'INTERNAL', details: { reason: `Kyso server unreachable (${(e as Error).message})` } } };
  }
  const answer = (await res.json().catch(() => null)) as Result<unknown> | null;
  return answer ?? { ok: false, error: { code: 'INTERNAL', details: { reason: `HTTP ${res.status}` } } };
}

/** POST /files/parts, the blocks by PUT (each a slice of the file, never read into the page), then …/end. */
async function sendInBlocks(file: File): Promise<Result<unknown>> {
  const begun = await request(`/files/parts?size=${file.size}`, 'POST');
  if (!begun.ok) return begun;
  const id = (begun.value as { id?: unknown } | null)?.id;
  if (typeof id !== 'string' || !/^[0-9a-f]{32}$/.test(id)) return { ok: false, error: { code: 'INTERNAL', details: { reason: 'malformed answer to POST /files/parts' } } };
  const stop = new AbortController();
  const block = blockSize(file.size);
  let next = 0;
  let failed: Result<unknown> | undefined;
  const worker = async (): Promise<void> => {
    while (!failed && next < file.size) {
      const offset = next;
      next += block;
      const r = await request(`/files/parts/${id}?offset=${offset}`, 'PUT', file.slice(offset, offset + block), stop.signal);
      if (!r.ok && !failed) {
        failed = r;
        stop.abort();
      }
    }
  };
  await Promise.all(Array.from({ length: CONNECTIONS }, worker));
  if (failed) {
    // The server has dropped the upload already when a block failed there; this covers a block lost on the way.
    await request(`/files/parts/${id}`, 'DELETE');
    return failed;
  }
  return request(`/files/parts/${id}/end`, 'POST');
}

/** Desktop app: the main process's own file dialog; null when cancelled. */
export async function pickFile(kind: FileKind): Promise<Result<Uploaded | null>> {
  return api.files.pick({ kind });
}

export const chooseWithDialog = transport === 'electron';
