// The web mode's server: the built renderer and the same service table as the desktop app, over
// HTTP on the loopback interface only. Every request must carry the per-launch secret (the
// ?key= of the printed address, then a cookie for the page's files and a header for API calls)
// and come from our own origin; a browser tab on another site cannot read the files or call the
// API, and a DNS-rebinding name is refused by the Host check.
// Files never travel inside API calls: PUT /files streams the raw bytes of a file to disk while
// hashing them and answers its SHA-256, which calls then name (a large file may come in blocks over
// several connections: POST /files/parts, PUT /files/parts/<id>?offset=N…, POST
// /files/parts/<id>/end answers the same); GET /files/<sha256> serves a stored
// file with HTTP ranges, so pdf.js fetches only the parts of a large scan it draws.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createReadStream, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import type { ReceivedFile, Result } from '../../shared/contract.js';
import { toKysoError } from '../../shared/errors.js';
import type { Dispatch } from '../api/dispatch.js';
import { pageTreeBody, pageTreeChunkIndexes, pageTreeLength, parseChunkSize } from '../api/page-tree.js';
import type { FileAccess } from '../api/services.js';
import { attachmentDisposition, contentRange, parseRange } from '../io/range.js';
import { CONTENT_SECURITY_POLICY } from './csp.js';
import { contentType, staticFile } from './static.js';

export { CONTENT_SECURITY_POLICY };

export interface WebServerOptions {
  dispatch: Dispatch;
  /** The built renderer (index.html and assets/). */
  staticDir: string;
  /** 0 = any free port. */
  port?: number;
  /** Fixed secret for tests; default: 32 random bytes, new at each launch. */
  key?: string;
  /** Largest API call body (calls carry no files, only their SHA-256). */
  maxBody?: number;
  /** Where PUT /files writes and GET /files/<sha256> reads; without it both answer 404. */
  files?: FileAccess;
  /** Largest file PUT /files takes. */
  maxUpload?: number;
}

export interface WebServer {
  url: string;
  origin: string;
  port: number;
  key: string;
  server: Server;
  close(): Promise<void>;
}

const HOST = '127.0.0.1';

function sameSecret(a: string | undefined, b: string): boolean {
  if (!a) return false;
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function cookie(req: IncomingMessage, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === name) return v.join('=');
  }
  return undefined;
}

function send(res: ServerResponse, status: number, body: string | Buffer, type: string, extra: Record<string, string> = {}): void {
  res.writeHead(status, {
    'Content-Type': type,
    'Content-Length': Buffer.byteLength(body),
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'X-Frame-Options': 'DENY',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Resource-Policy': 'same-origin',
    'Content-Security-Policy': CONTENT_SECURITY_POLICY,
    ...extra,
  });
  res.end(body);
}

function refuse(res: ServerResponse, status: number, reason: string): void {
  const body: Result<never> = { ok: false, error: { code: 'API_FORBIDDEN', details: { reason } } };
  send(res, status, JSON.stringify(body), 'application/json; charset=utf-8');
}

const SECURITY_HEADERS = {
  'Cache-Control': 'no-store',
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'Content-Security-Policy': CONTENT_SECURITY_POLICY,
};

/** GET /files/<sha256>[?download=NAME]: the stored file, whole or the one range asked for. */
function serveFile(req: IncomingMessage, res: ServerResponse, files: FileAccess, sha256: string, download: string | null): void {
  const found = files.locate(sha256);
  if (!found) return send(res, 404, 'Not found', 'text/plain; charset=utf-8');
  const { path, size } = found;
  const range = parseRange(req.headers.range, size);
  const headers: Record<string, string | number> = {
    ...SECURITY_HEADERS,
    'Content-Type': found.contentType ?? (path.endsWith('.png') ? 'image/png' : 'application/pdf'),
    'Accept-Ranges': 'bytes',
    // Stored files never change (named by their content): the page may keep what it fetched.
    'Cache-Control': 'private, max-age=31536000, immutable',
    ETag: `"${sha256}"`,
  };
  if (download) headers['Content-Disposition'] = attachmentDisposition(download);
  if (range.kind === 'unsatisfiable') {
    res.writeHead(416, { ...headers, 'Content-Range': contentRange(range, size)!, 'Content-Length': 0 });
    return void res.end();
  }
  const [start, end] = range.kind === 'partial' ? [range.start, range.end] : [0, size - 1];
  const length = size === 0 ? 0 : end - start + 1;
  res.writeHead(range.kind === 'partial' ? 206 : 200, { ...headers, 'Content-Length': length, ...(range.kind === 'partial' ? { 'Content-Range': contentRange(range, size)! } : {}) });
  if (req.method === 'HEAD' || length === 0) return void res.end();
  const stream = createReadStream(path, { start, end, highWaterMark: 256 * 1024 });
  stream.on('error', () => res.destroy());
  res.on('close', () => stream.destroy());
  stream.pipe(res);
}

/** GET /files/<sha256>/page-tree?chunk=N: the chunks holding the page tree, in one answer. */
function servePageTree(res: ServerResponse, files: FileAccess, sha256: string, chunk: number | undefined): void {
  const found = files.locate(sha256);
  if (!found || !chunk) return send(res, found ? 400 : 404, found ? 'chunk=N expected' : 'Not found', 'text/plain; charset=utf-8');
  const indexes = pageTreeChunkIndexes(found.path, found.size, chunk);
  res.writeHead(200, {
    ...SECURITY_HEADERS,
    'Content-Type': 'application/octet-stream',
    'Content-Length': pageTreeLength(found.size, chunk, indexes),
    'Cache-Control': 'private, max-age=31536000, immutable',
  });
  const body = Readable.from(pageTreeBody(found.path, found.size, chunk, indexes));
  body.on('error', () => res.destroy());
  body.pipe(res);
}

/** PUT /files: the request's body streamed to an upload; answers its SHA-256 and size. */
async function receiveFile(req: IncomingMessage, res: ServerResponse, files: FileAccess, maxUpload: number): Promise<void> {
  const declared = req.headers['content-length'] === undefined ? undefined : Number(req.headers['content-length']);
  if (declared !== undefined && !(Number.isSafeInteger(declared) && declared >= 0)) return refuse(res, 400, 'bad Content-Length');
  if (declared !== undefined && declared > maxUpload) return refuse(res, 413, 'file too large');
  let body: Result<ReceivedFile>;
  let status = 200;
  try {
    body = { ok: true, value: await files.uploads.receive(req, { expected: declared, maxBytes: maxUpload }) };
  } catch (e) {
    const err = toKysoError(e);
    body = { ok: false, error: err.toPayload() };
    status = err.code === 'UPLOAD_DISK_FULL' ? 507 : err.code === 'UPLOAD_INCOMPLETE' ? 400 : 500;
    // What remains of a refused body is not read: the connection goes with the answer.
    res.setHeader('Connection', 'close');
  }
  if (!res.destroyed) send(res, status, JSON.stringify(body), 'application/json; charset=utf-8');
}

/** The parted upload: POST /files/parts?size=N, PUT /files/parts/<id>?offset=N, POST /files/parts/<id>/end, DELETE /files/parts/<id>. */
async function receiveParts(req: IncomingMessage, res: ServerResponse, url: URL, files: FileAccess, maxUpload: number): Promise<void> {
  const m = /^\/files\/parts(?:\/([0-9a-f]{32})(\/end)?)?$/.exec(url.pathname);
  if (!m) return send(res, 404, 'Not found', 'text/plain; charset=utf-8');
  const [, id, end] = m;
  const method = !id ? 'POST' : end ? 'POST' : req.method === 'DELETE' ? 'DELETE' : 'PUT';
  if (req.method !== method) return refuse(res, 405, 'method not allowed');
  const declared = req.headers['content-length'] === undefined ? undefined : Number(req.headers['content-length']);
  let body: Result<unknown>;
  let status = 200;
  try {
    if (!id) body = { ok: true, value: { id: files.uploads.begin(Number(url.searchParams.get('size') ?? NaN), { maxBytes: maxUpload }) } };
    else if (end) body = { ok: true, value: await files.uploads.end(id) };
    else if (method === 'DELETE') {
      files.uploads.abort(id);
      body = { ok: true, value: null };
    } else {
      if (declared === undefined || !Number.isSafeInteger(declared)) return refuse(res, 411, 'a block needs its Content-Length');
      body = { ok: true, value: await files.uploads.part(id, Number(url.searchParams.get('offset') ?? NaN), declared, req) };
    }
  } catch (e) {
    const err = toKysoError(e);
    body = { ok: false, error: err.toPayload() };
    status = err.code === 'UPLOAD_DISK_FULL' ? 507 : err.code === 'UPLOAD_NOT_FOUND' ? 404 : err.code === 'UPLOAD_INCOMPLETE' || err.code === 'USAGE' ? 400 : 500;
    // What remains of a refused body is not read: the connection goes with the answer.
    res.setHeader('Connection', 'close');
  }
  if (!res.destroyed) send(res, status, JSON.stringify(body), 'application/json; charset=utf-8');
}

function readBody(req: IncomingMessage, max: number): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > max) {
        resolve(undefined);
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

export async function startWebServer(o: WebServerOptions): Promise<WebServer> {
  const key = o.key ?? randomBytes(32).toString('base64url');
  const maxBody = o.maxBody ?? 8 * 1024 * 1024;
  const maxUpload = o.maxUpload ?? 8 * 1024 * 1024 * 1024;
  let port = 0;
  let cookieName = 'kyso_key';

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const origin = `http://${HOST}:${port}`;
    const hosts = [`${HOST}:${port}`, `localhost:${port}`];
    if (!hosts.includes(req.headers.host ?? '')) return refuse(res, 403, 'wrong host');
    // Browsers send Origin on every cross-origin request and on same-origin POSTs: anything but ours is refused.
    const from = req.headers.origin;
    if (from !== undefined && from !== origin && from !== `http://localhost:${port}`) return refuse(res, 403, 'foreign origin');
    const url = new URL(req.url ?? '/', origin);

    if (url.pathname === '/files' || url.pathname.startsWith('/files/parts')) {
      const parts = url.pathname !== '/files';
      if (!parts && req.method !== 'PUT') return refuse(res, 405, 'method not allowed');
      // As for API calls, only the header counts: no other page can send it.
      if (!sameSecret(req.headers['x-kyso-key'] as string | undefined, key)) return refuse(res, 403, 'missing or wrong access key');
      if (!o.files) return send(res, 404, 'Not found', 'text/plain; charset=utf-8');
      return parts ? receiveParts(req, res, url, o.files, maxUpload) : receiveFile(req, res, o.files, maxUpload);
    }

    if (url.pathname.startsWith('/api/')) {
      if (req.method !== 'POST') return refuse(res, 405, 'method not allowed');
      // Only the header counts for API calls: a cookie would be sent by any page's form as well.
      if (!sameSecret(req.headers['x-kyso-key'] as string | undefined, key)) return refuse(res, 403, 'missing or wrong access key');
      if (!(req.headers['content-type'] ?? '').startsWith('application/json')) return refuse(res, 415, 'JSON expected');
      const body = await readBody(req, maxBody);
      if (!body) return refuse(res, 413, 'request too large');
      let input: unknown;
      try {
        input = body.length ? JSON.parse(body.toString('utf8')) : {};
      } catch {
        const bad: Result<never> = { ok: false, error: { code: 'API_INVALID_INPUT', details: { name: url.pathname.slice(5), reason: 'not JSON' } } };
        return send(res, 400, JSON.stringify(bad), 'application/json; charset=utf-8');
      }
      const result = await o.dispatch(decodeURIComponent(url.pathname.slice(5)), input);
      return send(res, 200, JSON.stringify(result), 'application/json; charset=utf-8');
    }

    if (req.method !== 'GET' && req.method !== 'HEAD') return refuse(res, 405, 'method not allowed');
    const fromQuery = url.searchParams.get('key') ?? undefined;
    const authorised = sameSecret(fromQuery, key) || sameSecret(cookie(req, cookieName), key) || sameSecret(req.headers['x-kyso-key'] as string | undefined, key);
    if (!authorised) return refuse(res, 403, 'missing or wrong access key');
    const setCookie = { 'Set-Cookie': `${cookieName}=${key}; HttpOnly; SameSite=Strict; Path=/` };

    const stored = /^\/files\/([0-9a-f]{64})(\/page-tree)?$/.exec(url.pathname);
    if (stored) {
      // Read by the page's own fetches (the key header) and by a download link (the cookie).
      if (!o.files) return send(res, 404, 'Not found', 'text/plain; charset=utf-8');
      if (stored[2]) return servePageTree(res, o.files, stored[1]!, parseChunkSize(url.searchParams.get('chunk')));
      return serveFile(req, res, o.files, stored[1]!, url.searchParams.get('download'));
    }

    const file = staticFile(o.staticDir, url.pathname);
    const stat = file ? statSync(file, { throwIfNoEntry: false }) : undefined;
    if (!file || !stat?.isFile()) return send(res, 404, 'Not found', 'text/plain; charset=utf-8');
    res.writeHead(200, {
      'Content-Type': contentType(file),
      'Content-Length': stat.size,
      'Cache-Control': 'no-store',
      'X-Content-Type-Options': 'nosniff',
      'Referrer-Policy': 'no-referrer',
      'X-Frame-Options': 'DENY',
      'Cross-Origin-Resource-Policy': 'same-origin',
      'Content-Security-Policy': CONTENT_SECURITY_POLICY,
      ...setCookie,
    });
    if (req.method === 'HEAD') return void res.end();
    createReadStream(file).pipe(res);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) refuse(res, 500, 'internal error');
      else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port ?? 0, HOST, () => resolve());
  });
  port = (server.address() as AddressInfo).port;
  cookieName = `kyso_key_${port}`;
  const origin = `http://${HOST}:${port}`;
  return {
    url: `${origin}/?key=${key}`,
    origin,
    port,
    key,
    server,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
