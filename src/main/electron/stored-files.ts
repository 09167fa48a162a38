// kyso://app/files/<sha256>: the desktop page reads stored files (a document's revisions, received
// and archived files) the way the web page reads GET /files/<sha256> — by reference, one HTTP range
// at a time, so pdf.js fetches only what it draws and a scan of hundreds of MB never crosses IPC.
import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import { pageTreeBody, pageTreeChunkIndexes, pageTreeLength, parseChunkSize } from '../api/page-tree.js';
import type { FileAccess } from '../api/services.js';
import { attachmentDisposition, contentRange, parseRange } from '../io/range.js';

const STORED = /^\/files\/([0-9a-f]{64})(\/page-tree)?$/;

/** Whether a kyso://app URL's path names a stored file. */
export function isStoredFilePath(pathname: string): boolean {
  return STORED.test(pathname);
}

/**
 * Answers GET/HEAD kyso://app/files/<sha256> (Range honoured: 206, or 416 for a range past the end)
 * and kyso://app/files/<sha256>/page-tree?chunk=N (see api/page-tree.ts).
 */
export function serveStoredFile(request: Request, files: FileAccess): Response {
  const url = new URL(request.url);
  const m = STORED.exec(url.pathname);
  const found = m ? files.locate(m[1]!) : undefined;
  if (!m || !found || (request.method !== 'GET' && request.method !== 'HEAD'))
    return new Response('Not found', { status: 404, headers: { 'Content-Type': 'text/plain' } });
  const { path, size } = found;
  if (m[2]) {
    const chunk = parseChunkSize(url.searchParams.get('chunk'));
    if (!chunk) return new Response('chunk=N expected', { status: 400, headers: { 'Content-Type': 'text/plain' } });
    const indexes = pageTreeChunkIndexes(path, size, chunk);
    const body = Readable.toWeb(Readable.from(pageTreeBody(path, size, chunk, indexes))) as ReadableStream<Uint8Array>;
    return new Response(body, { status: 200, headers: { 'Content-Type': 'application/octet-stream', 'Content-Length': String(pageTreeLength(size, chunk, indexes)) } });
  }
  const range = parseRange(request.headers.get('range'), size);
  const headers: Record<string, string> = {
    'Content-Type': found.contentType ?? (path.endsWith('.png') ? 'image/png' : 'application/pdf'),
    'Accept-Ranges': 'bytes',
    'X-Content-Type-Options': 'nosniff',
    'Cache-Control': 'private, max-age=31536000, immutable',
  };
  const download = url.searchParams.get('download');
  if (download) headers['Content-Disposition'] = attachmentDisposition(download);
  if (range.kind === 'unsatisfiable') return new Response(null, { status: 416, headers: { ...headers, 'Content-Range': contentRange(range, size)! } });
  const [start, end] = range.kind === 'partial' ? [range.start, range.end] : [0, size - 1];
  const length = size === 0 ? 0 : end - start + 1;
  headers['Content-Length'] = String(length);
  if (range.kind === 'partial') headers['Content-Range'] = contentRange(range, size)!;
  const status = range.kind === 'partial' ? 206 : 200;
  if (request.method === 'HEAD' || length === 0) return new Response(null, { status, headers });
  const body = Readable.toWeb(createReadStream(path, { start, end, highWaterMark: 256 * 1024 })) as ReadableStream<Uint8Array>;
  return new Response(body, { status, headers });
}
