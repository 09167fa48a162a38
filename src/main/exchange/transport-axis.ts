// The national document exchange axis (trục liên thông văn bản quốc gia) and the provinces'
// LGSPs that front it, as a REST client in the style of the VNPT SDKVXP the agencies' systems use:
//   POST {url}/sendEdoc             multipart part `file_doc`, header `hash-file` = SHA-256 hex of the .edxml
//   POST {url}/getReceivedEdocList  what waits for this system
//   POST {url}/getSentEdocList      what this system sent
//   POST {url}/getEdoc              JSON {"filePath","docId"} → the .edxml
//   POST {url}/updateStatus         JSON {"status":"done|fail|processing","docId"}
//   POST {url}/getAgenciesList      the agencies connected to the axis
// Every request carries the system's identity and an HMAC over it (see signedHeaders()).
//
// The endpoints, headers and signature come from reading public SDKs and integrations (see
// ../shared/real/README.md), not from a specification; the JSON field names of the answers vary
// between deployments, so they are read tolerantly here. The real axis cannot be reached from the
// project's machines: this client is tested against a stand-in server written from the same notes
// (test/fixtures/axis-server.ts). Keep what is uncertain in this one file.
import { createHash, createHmac } from 'node:crypto';
import { createWriteStream, openAsBlob } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { KysoError, type ErrorCode } from '../../shared/errors.js';
import type { IncomingPackage, OutgoingPackage, SendResult, Transport } from './transport.js';

export interface AxisTransportOptions {
  /** The endpoint the SDK calls are appended to, e.g. "https://lgsp.quangninh.gov.vn/vxp". */
  url: string;
  /** This agency's system id on the axis (systemid). */
  systemId: string;
  /** The shared secret the axis issued with the system id (key of the HMAC). */
  secret: string;
  /** Where received packages are copied. */
  receiveDir: string;
  /** Per request (default 30 s). */
  timeoutMs?: number;
  /** The clock the timestamp header is taken from (tests). */
  now?: () => Date;
}

/** An agency on the axis, for the address book. */
export interface AxisAgency {
  /** Mã định danh (e.g. "000.00.00.G22"). */
  organId: string;
  name: string;
  /** The parent agency's code, when the axis says. */
  parentId?: string;
  email?: string;
  phone?: string;
  address?: string;
}

/** A package waiting for this system, as the axis lists it. */
export interface AxisDocumentRef {
  docId: string;
  fileName?: string;
  from?: string;
  createdAt?: string;
}

export type AxisStatus = 'done' | 'fail' | 'processing';

const VN_OFFSET_MS = 7 * 3600_000;
const pad = (n: number, w = 2): string => String(n).padStart(w, '0');

/**
 * The SDK's timestamp, Java pattern ddMMyyyy'T'HHmmss+SSSS in Vietnam time (UTC+7): the "+" is a
 * literal and the four digits after it the milliseconds, e.g. 03122026T215300+0042.
 */
export function axisTimestamp(d: Date): string {
  const v = new Date(d.getTime() + VN_OFFSET_MS);
  return `${pad(v.getUTCDate())}${pad(v.getUTCMonth() + 1)}${v.getUTCFullYear()}T${pad(v.getUTCHours())}${pad(v.getUTCMinutes())}${pad(v.getUTCSeconds())}+${pad(v.getUTCMilliseconds(), 4)}`;
}

/** The instant an axisTimestamp() names, or null when it is not one. */
export function parseAxisTimestamp(s: string): Date | null {
  const m = /^(\d{2})(\d{2})(\d{4})T(\d{2})(\d{2})(\d{2})\+(\d{4})$/.exec(s);
  if (!m) return null;
  const [dd, mm, yyyy, hh, mi, ss, ms] = m.slice(1).map(Number) as [number, number, number, number, number, number, number];
  const t = Date.UTC(yyyy, mm - 1, dd, hh, mi, ss, ms) - VN_OFFSET_MS;
  return Number.isFinite(t) ? new Date(t) : null;
}

/** The JSON the HMAC is made over: the signed headers' names and values, in the order named. */
export function signHeaderJson(pairs: Array<[string, string]>): string {
  return JSON.stringify(Object.fromEntries(pairs));
}

export function axisHmac(secret: string, signHeader: string): string {
  return createHmac('sha256', secret).update(signHeader, 'utf8').digest('hex');
}

/**
 * The identity headers of one request: `systemid` and `timestamp`, the same again as
 * `XroadVnpt-<name>`, the list of signed names, their JSON, and the HMAC-SHA256 of that JSON.
 */
export function signedHeaders(systemId: string, secret: string, now: Date): Record<string, string> {
  const pairs: Array<[string, string]> = [
    ['systemid', systemId],
    ['timestamp', axisTimestamp(now)],
  ];
  const signHeader = signHeaderJson(pairs);
  const headers: Record<string, string> = {};
  for (const [k, v] of pairs) {
    headers[k] = v;
    headers[`XroadVnpt-${k}`] = v;
  }
  headers['XroadVnpt-sign-header-key'] = pairs.map(([k]) => k).join(';');
  headers['XroadVnpt-sign-header'] = signHeader;
  headers['XroadVnpt-hash-header'] = axisHmac(secret, signHeader);
  return headers;
}

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type JsonObject = { [k: string]: Json };

const isObject = (v: Json | undefined): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The first of several spellings a deployment may use for one field, as text. */
function field(o: JsonObject, ...names: string[]): string | undefined {
  for (const n of names) {
    const v = o[n];
    if (typeof v === 'string' && v !== '') return v;
    if (typeof v === 'number') return String(v);
  }
  return undefined;
}

/** The list an answer carries, whether bare or under data / result / agencies / docs. */
function listOf(body: Json): JsonObject[] {
  if (Array.isArray(body)) return body.filter(isObject);
  if (isObject(body)) {
    for (const k of ['data', 'result', 'agencies', 'docs', 'items']) {
      const v = body[k];
      if (Array.isArray(v)) return v.filter(isObject);
    }
  }
  return [];
}

/** Maps a failed answer: credentials, "no" to this request, or "come back later". */
export function axisErrorCode(httpStatus: number): ErrorCode {
  if (httpStatus === 401 || httpStatus === 403) return 'EXCHANGE_AUTH';
  if (httpStatus === 408 || httpStatus === 429 || httpStatus >= 500) return 'EXCHANGE_UNREACHABLE';
  return 'EXCHANGE_REFUSED';
}

export class AxisTransport implements Transport {
  readonly kind = 'axis' as const;
  private readonly o: AxisTransportOptions;
  private readonly base: string;

  constructor(options: AxisTransportOptions) {
    this.o = options;
    this.base = options.url.replace(/\/+$/, '');
  }

  private error(code: ErrorCode, reason: string, cause?: unknown): KysoError {
    return new KysoError(code, { transport: 'axis', server: this.base, reason: reason.replace(/\s+/g, ' ').slice(0, 300) }, cause === undefined ? undefined : { cause });
  }

  /** One signed request; a non-2xx answer or an answer saying FAIL becomes our error. */
  private async request(op: string, init: { body?: string | FormData; headers?: Record<string, string> }): Promise<Response> {
    const headers = { ...signedHeaders(this.o.systemId, this.o.secret, (this.o.now ?? (() => new Date()))()), ...init.headers };
    let res: Response;
    try {
      res = await fetch(`${this.base}/${op}`, { method: 'POST', headers, body: init.body, signal: AbortSignal.timeout(this.o.timeoutMs ?? 30_000) });
    } catch (e) {
      const cause = (e as { cause?: { code?: string; message?: string } }).cause;
      const reason = cause?.code ?? cause?.message ?? (e as Error).message;
      throw this.error('EXCHANGE_UNREACHABLE', `${op}: ${reason}`, e);
    }
    if (!res.ok) {
      const text = await res.text().catch(() => '');
      throw this.error(axisErrorCode(res.status), `${op}: HTTP ${res.status} ${describeFailure(text)}`);
    }
    return res;
  }

  private async json(op: string, payload: JsonObject): Promise<Json> {
    const res = await this.request(op, { body: JSON.stringify(payload), headers: { 'content-type': 'application/json' } });
    const text = await res.text();
    let body: Json;
    try {
      body = JSON.parse(text) as Json;
    } catch {
      throw this.error('EXCHANGE_REFUSED', `${op}: the answer is not JSON (${text.slice(0, 80)})`);
    }
    this.checkStatus(op, body);
    return body;
  }

  /** An HTTP 200 whose body says it failed. */
  private checkStatus(op: string, body: Json): void {
    if (!isObject(body)) return;
    const status = field(body, 'status', 'Status');
    if (status !== undefined && !/^(ok|success|0|200)$/i.test(status)) throw this.error('EXCHANGE_REFUSED', `${op}: ${describeFailure(JSON.stringify(body))}`);
  }

  async send(pkg: OutgoingPackage): Promise<SendResult> {
    const form = new FormData();
    // A file-backed Blob: the file is streamed into the request, never read whole.
    form.append('file_doc', await openAsBlob(pkg.path, { type: 'application/xml' }), pkg.fileName);
    const res = await this.request('sendEdoc', { body: form, headers: { 'hash-file': pkg.sha256 } });
    const text = await res.text();
    let body: Json = null;
    try {
      body = JSON.parse(text) as Json;
    } catch {
      throw this.error('EXCHANGE_REFUSED', `sendEdoc: the answer is not JSON (${text.slice(0, 80)})`);
    }
    this.checkStatus('sendEdoc', body);
    const docId = isObject(body) ? field(body, 'docId', 'DocId', 'docID', 'id') : undefined;
    return docId ? { remoteId: docId } : {};
  }

  /** What waits for this system on the axis (not yet updated to done). */
  async listReceived(): Promise<AxisDocumentRef[]> {
    return this.refs(await this.json('getReceivedEdocList', {}));
  }

  /** What this system has sent, as the axis keeps it. */
  async listSent(): Promise<AxisDocumentRef[]> {
    return this.refs(await this.json('getSentEdocList', {}));
  }

  private refs(body: Json): AxisDocumentRef[] {
    const out: AxisDocumentRef[] = [];
    for (const item of listOf(body)) {
      const docId = field(item, 'docId', 'DocId', 'docID', 'id');
      if (!docId) continue;
      out.push({ docId, fileName: field(item, 'fileName', 'filename', 'name'), from: field(item, 'from', 'fromCode', 'organId', 'sender'), createdAt: field(item, 'createdTime', 'created_time', 'createdAt', 'time') });
    }
    return out;
  }

  /** Copies one package to `path` (through a temporary name), checking the hash when the axis gives one. */
  async getEdoc(docId: string, path: string): Promise<{ sha256: string }> {
    const res = await this.request('getEdoc', { body: JSON.stringify({ filePath: path, docId }), headers: { 'content-type': 'application/json' } });
    const type = res.headers.get('content-type') ?? '';
    const tmp = `${path}.part`;
    const hash = createHash('sha256');
    try {
      if (/json/i.test(type)) {
        // Some deployments answer {"status":"OK","data":"<base64 of the .edxml>"}.
        const body = JSON.parse(await res.text()) as Json;
        this.checkStatus('getEdoc', body);
        const b64 = isObject(body) ? field(body, 'data', 'content', 'file') : undefined;
        if (!b64) throw this.error('EXCHANGE_REFUSED', `getEdoc ${docId}: the answer carries no file`);
        const bytes = Buffer.from(b64, 'base64');
        hash.update(bytes);
        await pipeline(Readable.from([bytes]), createWriteStream(tmp));
      } else {
        if (!res.body) throw this.error('EXCHANGE_REFUSED', `getEdoc ${docId}: empty answer`);
        const hashing = new Transform({
          transform(chunk: Buffer, _enc, cb) {
            hash.update(chunk);
            cb(null, chunk);
          },
        });
        await pipeline(Readable.fromWeb(res.body as WebReadableStream<Uint8Array>), hashing, createWriteStream(tmp));
      }
      const sha256 = hash.digest('hex');
      const announced = res.headers.get('hash-file');
      if (announced && announced.toLowerCase() !== sha256) throw this.error('EXCHANGE_UNREACHABLE', `getEdoc ${docId}: the file arrived damaged (SHA-256 ${sha256}, announced ${announced})`);
      await rename(tmp, path);
      return { sha256 };
    } catch (e) {
      await rm(tmp, { force: true });
      if (e instanceof KysoError) throw e;
      throw this.error('EXCHANGE_UNREACHABLE', `getEdoc ${docId}: ${(e as Error).message}`, e);
    }
  }

  async updateStatus(docId: string, status: AxisStatus): Promise<void> {
    await this.json('updateStatus', { status, docId });
  }

  /** The agencies connected to the axis (for the address book). */
  async listAgencies(): Promise<AxisAgency[]> {
    const body = await this.json('getAgenciesList', {});
    const out: AxisAgency[] = [];
    for (const a of listOf(body)) {
      const organId = field(a, 'organId', 'code', 'OrganId', 'maDinhDanh', 'id');
      const name = field(a, 'name', 'organName', 'OrganName', 'ten');
      if (!organId || !name) continue;
      out.push({
        organId,
        name,
        parentId: field(a, 'parentId', 'pcode', 'parentCode'),
        email: field(a, 'email', 'mail'),
        phone: field(a, 'phone', 'telephone', 'tel'),
        address: field(a, 'address', 'organAdd'),
      });
    }
    return out;
  }

  async receive(limit = 100): Promise<IncomingPackage[]> {
    await mkdir(this.o.receiveDir, { recursive: true });
    const out: IncomingPackage[] = [];
    let firstError: unknown = null;
    for (const ref of await this.listReceived()) {
      if (out.length >= limit) break;
      const fileName = ref.fileName && /\.edxml$/i.test(ref.fileName) ? ref.fileName : `${ref.docId}.edxml`;
      const path = join(this.o.receiveDir, `axis-${ref.docId.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 150)}.edxml`);
      try {
        await this.getEdoc(ref.docId, path);
      } catch (e) {
        // One document the axis cannot hand over must not hold back the others: it stays listed
        // and is tried again next time. The error is reported when nothing at all came through.
        firstError ??= e;
        continue;
      }
      out.push({ transportId: ref.docId, fileName, path, from: ref.from });
    }
    if (out.length === 0 && firstError !== null) throw firstError;
    return out;
  }

  /** Tells the axis the package is taken (status done): it stops listing it. */
  async acknowledge(pkg: IncomingPackage): Promise<void> {
    await this.updateStatus(pkg.transportId, 'done');
  }

  async close(): Promise<void> {
    // Stateless: nothing held open.
  }
}

function describeFailure(text: string): string {
  try {
    const body = JSON.parse(text) as Json;
    if (isObject(body)) {
      const code = field(body, 'ErrorCode', 'errorCode', 'code');
      const desc = field(body, 'ErrorDesc', 'errorDesc', 'message', 'error');
      return [code, desc].filter(Boolean).join(' ') || text.slice(0, 200);
    }
  } catch {
    // not JSON: the text itself
  }
  return text.slice(0, 200);
}
