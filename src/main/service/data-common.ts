// What the signing service's data functions (SignXML, SignMsg, SignHash, SignJson and their Verify
// twins) share: reading the request's fields (base64, hash names, size limits), asking the user in
// Kyso's window the way the PDF functions do (same ConfirmSigning, same openSigner, same certificate
// check), and turning a signer's certificate path into a verdict a page can read.
import { createHash, randomBytes, X509Certificate } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { KysoError } from '../../shared/errors.js';
import { describeCertificate } from '../cms/certinfo.js';
import type { DigestAlgorithm } from '../cms/signer.js';
import type { SignerWarning } from '../trust/signer-check.js';
import { validateCertificate, type ChainResult } from '../verify/chain.js';
import { checkOpenedSigner, openWithPin, type OpenedSigner, type PdfServiceContext, type SigningPrompt } from './pdf-functions.js';
import type { ServiceFunction } from './protocol.js';

/** The largest data a data function signs or checks (decoded), bytes: files go by address instead. */
export const DATA_MAX_BYTES = 8 * 1024 * 1024;

export type DataRequest = Record<string, unknown>;

/** The request's text frame: JSON (or a JSON string holding JSON); SignMsg also takes bare base64. */
export function parseDataFrame(text: string, fn: ServiceFunction): DataRequest {
  let v: unknown;
  try {
    v = JSON.parse(text);
    if (typeof v === 'string') {
      const inner = v.trim();
      v = inner.startsWith('{') ? JSON.parse(inner) : fn === 'SignMsg' ? { Base64Content: inner } : v;
    }
  } catch {
    // vgcaplugin.js callers of SignMsg send the base64 of the message itself, not JSON.
    if (fn === 'SignMsg' && /^[A-Za-z0-9+/=\s_-]+$/.test(text.trim())) return { Base64Content: text.trim() };
    throw new KysoError('SERVICE_REQUEST_INVALID', { reason: 'the request is not JSON' });
  }
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new KysoError('SERVICE_REQUEST_INVALID', { reason: 'the request is not a JSON object' });
  return v as DataRequest;
}

/** A text field of the request (case of the first letter ignored, as callers vary); '' when absent. */
export function field(req: DataRequest, name: string): string {
  const v = req[name] ?? req[name[0]!.toLowerCase() + name.slice(1)];
  if (v === undefined || v === null) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  throw new KysoError('SERVICE_REQUEST_INVALID', { reason: `${name} must be text` });
}

/** "true" / true / "1" as callers send booleans. */
export function flag(req: DataRequest, name: string, fallback: boolean): boolean {
  const v = field(req, name).trim().toLowerCase();
  if (!v) return fallback;
  return v === 'true' || v === '1' || v === 'yes';
}

function mb(n: number): string {
  return (n / 1024 / 1024).toFixed(1);
}

/** Refuses data over the limit before it is decoded (base64 is 4/3 of it). */
export function checkSize(bytes: number, limit = DATA_MAX_BYTES): void {
  if (bytes > limit) throw new KysoError('SERVICE_DATA_TOO_LARGE', { size: mb(bytes), limit: Math.round(limit / 1024 / 1024) });
}

/** Decodes a base64 field strictly (standard or URL alphabet, whitespace allowed); refuses anything else. */
export function base64Field(req: DataRequest, name: string, o: { required?: boolean; limit?: number } = {}): Buffer | undefined {
  const raw = field(req, name);
  if (!raw) {
    if (o.required ?? true) throw new KysoError('SERVICE_REQUEST_INVALID', { reason: `${name} is missing (thiếu ${name})` });
    return undefined;
  }
  checkSize(Math.floor((raw.length * 3) / 4), o.limit);
  const clean = raw.replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/_-]*={0,2}$/.test(clean) || clean.replace(/=+$/, '').length % 4 === 1) throw new KysoError('SERVICE_BASE64_INVALID', { field: name });
  return Buffer.from(clean.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
}

const HASHES: Record<string, DigestAlgorithm> = { sha256: 'sha256', 'sha-256': 'sha256', sha384: 'sha384', 'sha-384': 'sha384', sha512: 'sha512', 'sha-512': 'sha512' };
export const HASH_NAMES = 'SHA256, SHA384, SHA512';

/** "Sha256", "SHA-256", "sha256" → sha256; SHA-1, MD5 and unknown names are refused. */
export function hashAlgorithm(value: string, fallback: DigestAlgorithm = 'sha256', supported = HASH_NAMES): DigestAlgorithm {
  const v = value.trim().toLowerCase();
  if (!v) return fallback;
  const d = HASHES[v];
  if (!d || !supported.toLowerCase().replace(/-/g, '').includes(d)) throw new KysoError('SERVICE_ALGORITHM_UNSUPPORTED', { algorithm: value, supported });
  return d;
}

export const sha256Hex = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

/** The signer a data function signs with, after the user agreed in Kyso's window. */
export interface DataSigning {
  opened: OpenedSigner;
  /** Intermediates to embed, signer's issuer first. */
  chain: Buffer[];
  warnings: SignerWarning[];
}

/**
 * Shows the user what the page asks to sign (origin, function, the data's size, hash and first
 * characters) through the same ConfirmSigning the PDF functions use, then opens the token with the
 * PIN, checks the signer's certificate as every signature does, and runs `work`; the token is closed after.
 */
export async function withDataSigner<T>(
  fn: ServiceFunction,
  origin: string,
  ctx: PdfServiceContext,
  what: { kind: string; data: Buffer; name: string; files?: string[] },
  work: (s: DataSigning) => Promise<T>,
): Promise<T> {
  const callDir = join(ctx.workDir, `${new Date().toISOString().replace(/[:.]/g, '-')}-${randomBytes(4).toString('hex')}`);
  mkdirSync(callDir, { recursive: true, mode: 0o700 });
  try {
    const file = join(callDir, what.name);
    writeFileSync(file, what.data, { mode: 0o600 });
    const preview = what.data.subarray(0, 400).toString('utf8').replace(/[^\P{C}\n\t]/gu, '·');
    const prompt: SigningPrompt = { origin, function: fn, file, fileName: what.name, data: { kind: what.kind, bytes: what.data.length, sha256: sha256Hex(what.data), preview, files: what.files } };
    const answer = await ctx.confirm(prompt);
    if (answer === 'cancel') throw new KysoError('SERVICE_CANCELLED');
    // The token chosen in Kyso's window (the CLI's is fixed); a wrong PIN is asked again there.
    const opened = await openWithPin(prompt, answer, ctx);
    try {
      const checked = await checkOpenedSigner(opened, ctx);
      for (const w of checked.warnings) ctx.log(`Cảnh báo [${w.code}]: ${w.vi} | Warning: ${w.en}`);
      return await work({ opened, chain: checked.chain, warnings: checked.warnings });
    } finally {
      opened.close();
    }
  } finally {
    // Nothing of the page's data stays on this machine.
    rmSync(callDir, { recursive: true, force: true });
  }
}

/** The signer's certificate as the service's callers read it (GetCertInfo's names). */
export function certFields(der: Buffer): Record<string, string> {
  const x = new X509Certificate(der);
  const info = describeCertificate(der);
  return {
    Subject: x.subject.replace(/\n/g, ', '),
    CommonName: info.commonName ?? '',
    Issuer: x.issuer.replace(/\n/g, ', '),
    SerialNumber: x.serialNumber,
    NotBefore: new Date(x.validFrom).toISOString(),
    NotAfter: new Date(x.validTo).toISOString(),
  };
}

/** One signature's verdict, in the service's shape: Status 0 only when intact, by a valid certificate, trusted. */
export interface Verdict {
  Status: number;
  Message: string;
  Valid: boolean;
  /** The signature matches the data (intact). */
  SignatureStatus: { Status: number; Description: string };
  /** The signer's certificate: valid, expired, revoked, unknown revocation... and its chain. */
  SignerCertStatus: { Status: number; Description: string; Chain: ChainResult['chain']; Certificate: ChainResult['certificate'] };
  Signer?: Record<string, string>;
  Problems: string[];
}

const CERT_TEXT: Record<ChainResult['certificate'], string> = {
  valid: 'Chứng thư số còn hiệu lực | The certificate is valid',
  expired: 'Chứng thư số đã hết hạn | The certificate has expired',
  'not-yet-valid': 'Chứng thư số chưa có hiệu lực | The certificate is not yet valid',
  revoked: 'Chứng thư số đã bị thu hồi | The certificate is revoked',
  'revocation-unknown': 'Chưa xác định được tình trạng thu hồi của chứng thư số | The revocation status is unknown',
};
const CHAIN_TEXT: Record<ChainResult['chain'], string> = {
  trusted: 'chuỗi chứng thư đến CA tin cậy | chain to a trusted CA',
  untrusted: 'chứng thư không do CA tin cậy cấp | not issued by a trusted CA',
  incomplete: 'thiếu chứng thư CA trung gian | an intermediate CA certificate is missing',
};

/**
 * Judges a signature already checked for integrity: the signer's path to the trust store, its
 * validity and revocation at `at` (the service's CRLs; online when the service may go online).
 */
export async function verdictOf(o: { intact: boolean; brokenReason?: string; signer?: Buffer; pool: Buffer[]; at?: Date; ctx: PdfServiceContext }): Promise<Verdict> {
  const problems: string[] = [];
  const sigStatus = o.intact
    ? { Status: 0, Description: 'Chữ ký khớp với dữ liệu | The signature matches the data' }
    : { Status: 1, Description: `Chữ ký không khớp với dữ liệu (dữ liệu đã bị thay đổi hoặc chữ ký hỏng) | The signature does not match the data${o.brokenReason ? ` (${o.brokenReason})` : ''}` };
  if (!o.signer) {
    return {
      Status: 1,
      Message: 'Không tìm thấy chứng thư số của người ký trong chữ ký | The signature carries no signer certificate',
      Valid: false,
      SignatureStatus: sigStatus,
      SignerCertStatus: { Status: 1, Description: 'Không có chứng thư số | No certificate', Chain: 'incomplete', Certificate: 'revocation-unknown' },
      Problems: ['NO_SIGNER_CERTIFICATE'],
    };
  }
  let chain: ChainResult;
  try {
    chain = await validateCertificate({
      signer: o.signer,
      pool: [...o.pool, ...o.ctx.trust.extraCerts],
      trust: o.ctx.trust.trust,
      at: o.at ?? new Date(),
      revocation: { crls: o.ctx.trust.crls, ocsps: [], online: o.ctx.trust.online, cacheDir: o.ctx.trust.cacheDir },
    });
  } catch (e) {
    problems.push(`CHAIN_ERROR: ${(e as Error).message}`);
    chain = { chain: 'incomplete', path: [], certificate: 'revocation-unknown', validAtNow: false, keyUsageOk: false, problems };
  }
  problems.push(...chain.problems);
  const certOk = chain.certificate === 'valid' && chain.chain === 'trusted';
  const certStatus = { Status: certOk ? 0 : 1, Description: `${CERT_TEXT[chain.certificate]}; ${CHAIN_TEXT[chain.chain]}`, Chain: chain.chain, Certificate: chain.certificate };
  const valid = o.intact && certOk;
  const message = valid
    ? 'Chữ ký số hợp lệ: dữ liệu nguyên vẹn, chứng thư số tin cậy | The signature is valid: the data is intact and the certificate trusted'
    : !o.intact
      ? sigStatus.Description
      : certStatus.Description;
  return { Status: valid ? 0 : o.intact ? 9 : 1, Message: message, Valid: valid, SignatureStatus: sigStatus, SignerCertStatus: certStatus, Signer: certFields(o.signer), Problems: [...new Set(problems)] };
}
