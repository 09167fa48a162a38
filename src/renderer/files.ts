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

/** Web mode: streams a chosen file to PUT /files (the browser reads it from disk as it sends). */
export async function uploadFile(file: File): Promise<Result<Uploaded>> {
  let res: Response;
  try {
    res = await fetch('/files', { method: 'PUT', headers: { 'Content-Type': 'application/octet-stream', ...keyHeaders() }, body: file });
  } catch (e) {
    return { ok: false, error: { code: 'INTERNAL', details: { reason: `Kyso server unreachable (${(e as Error).message})` } } };
  }
  const body = (await res.json().catch(() => null)) as Result<unknown> | null;
  if (!body) return { ok: false, error: { code: 'INTERNAL', details: { reason: `HTTP ${res.status}` } } };
  if (!body.ok) return body;
  const got = ReceivedFile.safeParse(body.value);
  if (!got.success) return { ok: false, error: { code: 'INTERNAL', details: { reason: 'malformed answer to PUT /files' } } };
  return { ok: true, value: { name: file.name, ...got.data } };
}

/** Desktop app: the main process's own file dialog; null when cancelled. */
export async function pickFile(kind: FileKind): Promise<Result<Uploaded | null>> {
  return api.files.pick({ kind });
}

export const chooseWithDialog = transport === 'electron';
