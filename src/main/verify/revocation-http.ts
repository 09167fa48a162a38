// Fetching revocation evidence over http(s) with a hard deadline, and the on-disk cache of what
// was fetched (one file per URL hash, reused until the evidence's nextUpdate).
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { join } from 'node:path';
import { rootCertificates } from 'node:tls';

export interface FetchOptions {
  method: 'GET' | 'POST';
  body?: Buffer;
  contentType?: string;
  accept?: string;
  timeoutMs: number;
  /** Larger answers are refused (CRLs of big CAs run to tens of MB). */
  maxBytes?: number;
}

const DEFAULT_MAX_BYTES = 64 * 1024 * 1024;
const MAX_REDIRECTS = 3;

let deferredCa: { file: string; ca: string[] | undefined } | undefined;

/**
 * The roots an https request must trust beyond Node's defaults. The `kyso` command (bin/kyso)
 * starts Node without NODE_EXTRA_CA_CERTS, which Node 20 would read at every start, and names the
 * file in KYSO_DEFERRED_CA_CERTS instead: then Node's own roots plus that file's, read on the first
 * https request. Undefined: Node's defaults (which hold NODE_EXTRA_CA_CERTS when Node read it).
 * A file that cannot be read is skipped with a warning, as Node itself does.
 */
export function deferredExtraCa(): string[] | undefined {
  const file = process.env.KYSO_DEFERRED_CA_CERTS;
  if (!file) return undefined;
  if (deferredCa?.file !== file) {
    let ca: string[] | undefined;
    try {
      ca = [...rootCertificates, readFileSync(file, 'utf8')];
    } catch (e) {
      process.emitWarning(`Ignoring extra certs from \`${file}\`, load failed: ${(e as Error).message}`);
    }
    deferredCa = { file, ca };
  }
  return deferredCa.ca;
}

function requestOnce(url: URL, opts: FetchOptions, deadline: number): Promise<{ status: number; location?: string; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const secure = url.protocol === 'https:';
    const headers: Record<string, string | number> = { Connection: 'close' };
    if (opts.contentType) headers['Content-Type'] = opts.contentType;
    if (opts.accept) headers.Accept = opts.accept;
    if (opts.body) headers['Content-Length'] = opts.body.length;
    // agent:false: a one-off socket, so nothing stays open (and keeps the process alive) afterwards.
    const req = secure
      ? https.request(url, { method: opts.method, headers, agent: false, ca: deferredExtraCa() })
      : http.request(url, { method: opts.method, headers, agent: false });
    // One timer for the whole exchange: connect, send, and a body that trickles in slowly.
    const timer = setTimeout(() => req.destroy(new Error(`timeout after ${opts.timeoutMs} ms`)), Math.max(0, deadline - Date.now()));
    const fail = (e: Error) => {
      clearTimeout(timer);
      reject(e);
    };
    req.on('error', fail);
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        size += c.length;
        if (size > (opts.maxBytes ?? DEFAULT_MAX_BYTES)) req.destroy(new Error(`answer larger than ${opts.maxBytes ?? DEFAULT_MAX_BYTES} bytes`));
        else chunks.push(c);
      });
      res.on('error', fail);
      // A body cut short (deadline, size limit, server gone) must not leave the promise pending.
      res.on('close', () => {
        if (!res.complete) fail(new Error('connection closed before the end of the answer'));
      });
      res.on('end', () => {
        clearTimeout(timer);
        resolve({ status: res.statusCode ?? 0, location: res.headers.location, body: Buffer.concat(chunks) });
      });
    });
    req.end(opts.body);
  });
}

/** The body of a 200 answer; throws on network errors, other statuses and the deadline. */
export async function httpFetch(url: string, opts: FetchOptions): Promise<Buffer> {
  const deadline = Date.now() + opts.timeoutMs;
  let target = new URL(url);
  for (let hop = 0; ; hop++) {
    if (target.protocol !== 'http:' && target.protocol !== 'https:') throw new Error(`unsupported URL ${target.href}`);
    const r = await requestOnce(target, opts, deadline);
    if (r.status === 200) return r.body;
    const redirect = [301, 302, 303, 307, 308].includes(r.status) && r.location && opts.method === 'GET';
    if (!redirect || hop >= MAX_REDIRECTS) throw new Error(`HTTP ${r.status}`);
    target = new URL(r.location as string, target);
  }
}

/** Evidence is sometimes served as PEM; everything downstream wants DER. */
export function pemToDer(body: Buffer): Buffer {
  const text = body.subarray(0, 64).toString('latin1');
  if (!text.includes('-----BEGIN')) return body;
  const b64 = body.toString('latin1').replace(/-----[^-]+-----/g, '').replace(/\s+/g, '');
  return Buffer.from(b64, 'base64');
}

interface CacheMeta {
  key: string;
  fetchedAt: string;
  nextUpdate: string;
}

function cachePaths(dir: string, key: string): { data: string; meta: string } {
  const h = createHash('sha256').update(key).digest('hex');
  return { data: join(dir, `${h}.der`), meta: join(dir, `${h}.json`) };
}

/** The cached answer for `key` while its nextUpdate is still ahead, else null. */
export function cacheGet(dir: string | undefined, key: string, now = new Date()): Buffer | null {
  if (!dir) return null;
  const p = cachePaths(dir, key);
  try {
    const meta = JSON.parse(readFileSync(p.meta, 'utf8')) as CacheMeta;
    if (meta.key !== key || !(new Date(meta.nextUpdate).getTime() > now.getTime())) return null;
    return readFileSync(p.data);
  } catch {
    return null;
  }
}

function writeAtomic(path: string, data: string | Buffer): void {
  const tmp = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  writeFileSync(tmp, data);
  renameSync(tmp, path);
}

/** Stores an answer that proved usable; evidence without a nextUpdate is never reused. */
export function cachePut(dir: string | undefined, key: string, der: Buffer, nextUpdate: Date | undefined): void {
  if (!dir || !nextUpdate || nextUpdate.getTime() <= Date.now()) return;
  try {
    mkdirSync(dir, { recursive: true });
    const p = cachePaths(dir, key);
    // Data first, then the meta that makes it visible: a reader never sees half an entry.
    writeAtomic(p.data, der);
    const meta: CacheMeta = { key, fetchedAt: new Date().toISOString(), nextUpdate: nextUpdate.toISOString() };
    writeAtomic(p.meta, JSON.stringify(meta));
  } catch {
    // A cache that cannot be written only costs a later fetch.
  }
}
