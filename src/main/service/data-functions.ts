// The signing service's data functions: signatures over data a page sends (not a PDF it points
// to). SignMsg / VerifyMsg: CMS SignedData (DER, base64), detached by default; SignHash: a hash
// computed by the page, signed raw (PKCS#1 v1.5 over its DigestInfo) or as a detached CMS;
// SignJson / VerifyJson: JWS compact serialisation with the chain in x5c; SignXML / VerifyXML in
// data-xml.ts; SignFiles and Comment in data-files.ts. Every signature goes through the same
// consent as the PDF functions; every Verify answers a verdict and never throws.
import { toKysoError, KysoError, type ErrorCode } from '../../shared/errors.js';
import { buildCms } from '../cms/build.js';
import type { DigestAlgorithm, Signer } from '../cms/signer.js';
import { bufferContent, checkCms, settleDigest } from '../verify/cms.js';
import { createHash, verify as nodeVerify, constants, X509Certificate } from 'node:crypto';
import { base64Field, checkSize, DATA_MAX_BYTES, field, flag, hashAlgorithm, parseDataFrame, sha256Hex, verdictOf, withDataSigner, type DataRequest, type DataSigning } from './data-common.js';
import { runComment, runSignFiles } from './data-files.js';
import { runSignXml, runVerifyXml } from './data-xml.js';
import type { PdfServiceContext } from './pdf-functions.js';
import { errorResponse, okResponse, type ServiceFunction, type ServiceResponse } from './protocol.js';

export const DATA_FUNCTIONS = ['Comment', 'SignFiles', 'SignXML', 'VerifyXML', 'SignJson', 'VerifyJson', 'SignHash', 'SignMsg', 'VerifyMsg'] as const;
export type DataFunction = (typeof DATA_FUNCTIONS)[number];
export function isDataFunction(s: string): s is DataFunction {
  return (DATA_FUNCTIONS as readonly string[]).includes(s);
}

/** An answer: the service's object, or (VerifyXML, as its callers read it) a list of per-signature verdicts. */
export type DataAnswer = ServiceResponse | Array<Record<string, unknown>>;

/** Runs one data function on the request's raw text frame; always answers (errors as Status ≠ 0). */
export async function runDataFunction(fn: DataFunction, text: string, origin: string, ctx: PdfServiceContext): Promise<DataAnswer> {
  try {
    const req = parseDataFrame(text, fn);
    switch (fn) {
      case 'SignMsg':
        return await signMsg(req, origin, ctx);
      case 'SignHash':
        return await signHash('SignHash', req, origin, ctx);
      case 'VerifyMsg':
        return await verifyMsg(req, ctx);
      case 'SignJson':
        return await signJson(req, origin, ctx);
      case 'VerifyJson':
        return await verifyJson(req, ctx);
      case 'SignXML':
        return await runSignXml(req, origin, ctx);
      case 'VerifyXML':
        return await runVerifyXml(req, ctx);
      case 'SignFiles':
        return await runSignFiles(req, origin, ctx);
      case 'Comment':
        return await runComment(req, origin, ctx);
    }
  } catch (e) {
    const err = toKysoError(e);
    ctx.log(`${fn} ${origin}: [${err.code}] ${err.message}`);
    if (ctx.audit && err.code !== 'SERVICE_ORIGIN_NOT_ALLOWED') ctx.audit({ action: `service.${fn}.refused`, subject: origin, details: { origin, function: fn, code: err.code, ...err.details } });
    return errorResponse(err.code as ErrorCode, err.details);
  }
}

const b64 = (b: Buffer): string => b.toString('base64');
const b64url = (b: Buffer): string => b.toString('base64url');

/** What every signing answer carries besides the signature: the signer's certificate (CertBase64, as callers read it). */
function signedAnswer(s: DataSigning, fields: Record<string, unknown>): ServiceResponse {
  return okResponse({
    Message: 'Ký số thành công',
    CertBase64: b64(s.opened.signer.certificate),
    ...fields,
    ...(s.warnings.length ? { Warnings: s.warnings.map((w) => w.vi) } : {}),
  });
}

function audit(ctx: PdfServiceContext, fn: ServiceFunction, origin: string, data: Buffer, s: DataSigning, extra: Record<string, unknown> = {}): void {
  ctx.audit?.({ action: `service.${fn}`, subject: `sha256:${sha256Hex(data)}`, details: { origin, function: fn, bytes: data.length, signer: new X509Certificate(s.opened.signer.certificate).subject.replace(/\n/g, ', '), warnings: s.warnings.map((w) => w.code), ...extra } });
}

// ---------------------------------------------------------------------------------------------
// CMS: SignMsg, SignHash, VerifyMsg

/**
 * SignMsg: Base64Content (the message) → Signature, the DER of a CMS SignedData in base64: detached
 * unless Attached / Detached asks otherwise. A request with HashValue (callers use SignMsg so) is a SignHash.
 */
async function signMsg(req: DataRequest, origin: string, ctx: PdfServiceContext): Promise<ServiceResponse> {
  if (field(req, 'HashValue')) return signHash('SignMsg', req, origin, ctx);
  const content = base64Field(req, 'Base64Content')!;
  const digest = hashAlgorithm(field(req, 'HashAlg'));
  const attached = flag(req, 'Attached', !flag(req, 'Detached', true));
  return withDataSigner('SignMsg', origin, ctx, { kind: 'message', data: content, name: 'message.bin' }, async (s) => {
    const cms = await buildCms(s.opened.signer, createHash(digest).update(content).digest(), { digest, chain: s.chain, signingTime: new Date(), ...(attached ? { encapsulate: content } : {}) });
    audit(ctx, 'SignMsg', origin, content, s, { form: attached ? 'cms-attached' : 'cms-detached' });
    return signedAnswer(s, { Signature: b64(cms), SignatureFormat: attached ? 'CMS attached' : 'CMS detached', HashAlg: digest.toUpperCase() });
  });
}

/**
 * SignHash: HashValue (base64 digest) and HashAlg → Signature: with Encode "RSA" (the default, as
 * callers send it) the raw signature value (RSA PKCS#1 v1.5 over the DigestInfo; ECDSA as DER);
 * with Encode "CMS" / "PKCS7" a detached CMS whose message-digest is the given hash.
 */
async function signHash(fn: 'SignHash' | 'SignMsg', req: DataRequest, origin: string, ctx: PdfServiceContext): Promise<ServiceResponse> {
  const hash = base64Field(req, 'HashValue')!;
  const digest = hashAlgorithm(field(req, 'HashAlg'));
  const want = { sha256: 32, sha384: 48, sha512: 64 }[digest];
  if (hash.length !== want) throw new KysoError('SERVICE_REQUEST_INVALID', { reason: `HashValue has ${hash.length} bytes; a ${digest.toUpperCase()} hash has ${want} (HashValue dài ${hash.length} byte, ${digest.toUpperCase()} cần ${want})` });
  const encode = (field(req, 'Encode') || 'RSA').trim().toUpperCase();
  if (!['RSA', 'RAW', 'CMS', 'PKCS7'].includes(encode)) throw new KysoError('SERVICE_ALGORITHM_UNSUPPORTED', { algorithm: `Encode ${encode}`, supported: 'Encode RSA (chữ ký thô | raw) hoặc | or CMS' });
  return withDataSigner(fn, origin, ctx, { kind: 'hash', data: Buffer.from(hash.toString('hex')), name: 'hash.txt' }, async (s) => {
    let signature: Buffer;
    if (encode === 'CMS' || encode === 'PKCS7') {
      signature = await buildCms(s.opened.signer, hash, { digest, chain: s.chain, signingTime: new Date() });
    } else {
      const signer = s.opened.signer as Signer;
      if (!signer.signDigest) throw new KysoError('TOKEN_MECHANISM_UNSUPPORTED', { mechanism: 'raw signature of a hash' });
      signature = await signer.signDigest(hash, digest);
    }
    audit(ctx, fn, origin, hash, s, { form: encode === 'CMS' || encode === 'PKCS7' ? 'cms-detached' : 'raw' });
    return signedAnswer(s, { Signature: b64(signature), SignatureFormat: encode === 'CMS' || encode === 'PKCS7' ? 'CMS detached' : s.opened.signer.scheme === 'ecdsa' ? 'ECDSA DER' : s.opened.signer.scheme === 'rsa-pss' ? 'RSASSA-PSS' : 'RSA PKCS#1 v1.5', HashAlg: digest.toUpperCase() });
  });
}

/** VerifyMsg: Signature (base64 CMS) and, for a detached one, Base64Content → a verdict. */
async function verifyMsg(req: DataRequest, ctx: PdfServiceContext): Promise<ServiceResponse> {
  const der = base64Field(req, 'Signature')!;
  const content = base64Field(req, 'Base64Content', { required: false });
  const check = checkCms(der, content ? bufferContent(content) : undefined);
  await settleDigest(check).catch(() => undefined);
  if (check.fault) {
    return okVerdictShape(await verdictOf({ intact: false, brokenReason: check.fault, pool: [], ctx }));
  }
  if (!check.eContent && !content) throw new KysoError('SERVICE_REQUEST_INVALID', { reason: 'a detached signature needs Base64Content (chữ ký tách rời cần kèm Base64Content)' });
  const intact = check.signatureValid && check.digestMatches && check.essCertMatches !== false;
  const verdict = await verdictOf({
    intact,
    brokenReason: !check.digestMatches ? 'the content digest differs' : !check.signatureValid ? 'the signature value does not verify' : undefined,
    signer: check.signerCert,
    pool: check.certificates,
    at: check.signingTimeAttr,
    ctx,
  });
  return okVerdictShape(verdict, {
    SigningTime: check.signingTimeAttr?.toISOString() ?? '',
    HashAlg: check.digestAlgorithm?.toUpperCase() ?? '',
    ...(check.eContent ? { Base64Content: b64(check.eContent) } : {}),
  });
}

/** A verdict as the service's answer: Status 0 = valid and trusted, otherwise why not. */
function okVerdictShape(v: Awaited<ReturnType<typeof verdictOf>>, extra: Record<string, unknown> = {}): ServiceResponse {
  const { Status, Message, ...rest } = v;
  return { ...okResponse({}), Status, Message, ...rest, ...extra };
}

// ---------------------------------------------------------------------------------------------
// JSON: JWS compact, RS256 / PS256 / ES256 (by the key), certificate chain in x5c

function jwsAlg(signer: Signer, digest: DigestAlgorithm): string {
  const bits = digest.slice(3);
  if (signer.scheme === 'ecdsa') return `ES${bits}`;
  return signer.scheme === 'rsa-pss' ? `PS${bits}` : `RS${bits}`;
}

/** ECDSA DER SEQUENCE { r, s } → r || s of fixed width (JWS wants the raw form). */
function ecdsaDerToJose(der: Buffer, size: number): Buffer {
  let i = 2;
  if (der[1]! & 0x80) i = 2 + (der[1]! & 0x7f);
  const read = (): Buffer => {
    const len = der[i + 1]!;
    const v = der.subarray(i + 2, i + 2 + len);
    i += 2 + len;
    const trimmed = v[0] === 0 ? v.subarray(1) : v;
    return Buffer.concat([Buffer.alloc(size - trimmed.length), trimmed]);
  };
  return Buffer.concat([read(), read()]);
}

/** The bytes a JsonContent stands for: a string as it is (UTF-8), an object or array as JSON.stringify writes it. */
function jsonPayload(req: DataRequest): Buffer {
  const v = req.JsonContent ?? req.jsonContent;
  if (v === undefined || v === null || v === '') throw new KysoError('SERVICE_REQUEST_INVALID', { reason: 'JsonContent is missing (thiếu JsonContent)' });
  const bytes = Buffer.from(typeof v === 'string' ? v : JSON.stringify(v), 'utf8');
  checkSize(bytes.length);
  return bytes;
}

/** SignJson: JsonContent → Signature, a JWS in compact form (header.payload.signature) with x5c; Detached "true" leaves the payload out. */
async function signJson(req: DataRequest, origin: string, ctx: PdfServiceContext): Promise<ServiceResponse> {
  const payload = jsonPayload(req);
  const digest = hashAlgorithm(field(req, 'HashAlg'));
  const detached = flag(req, 'Detached', false);
  return withDataSigner('SignJson', origin, ctx, { kind: 'json', data: payload, name: 'content.json' }, async (s) => {
    const signer = s.opened.signer as Signer;
    const header = { alg: jwsAlg(signer, digest), typ: 'JOSE', x5c: [signer.certificate, ...s.chain].map(b64) };
    const input = `${b64url(Buffer.from(JSON.stringify(header)))}.${b64url(payload)}`;
    let value = await signer.sign(Buffer.from(input, 'ascii'), digest);
    if (signer.scheme === 'ecdsa' && signer.key.type === 'EC') value = ecdsaDerToJose(value, Math.ceil(signer.key.bits / 8));
    const jws = `${detached ? input.split('.')[0] + '.' : input}.${b64url(value)}`;
    audit(ctx, 'SignJson', origin, payload, s, { form: detached ? 'jws-detached' : 'jws-compact', alg: header.alg });
    return signedAnswer(s, { Signature: jws, SignatureFormat: detached ? 'JWS compact, detached payload' : 'JWS compact', Algorithm: header.alg });
  });
}

const JWS_ALGS: Record<string, { hash: DigestAlgorithm; kind: 'rsa' | 'pss' | 'ec' }> = {
  RS256: { hash: 'sha256', kind: 'rsa' },
  RS384: { hash: 'sha384', kind: 'rsa' },
  RS512: { hash: 'sha512', kind: 'rsa' },
  PS256: { hash: 'sha256', kind: 'pss' },
  PS384: { hash: 'sha384', kind: 'pss' },
  PS512: { hash: 'sha512', kind: 'pss' },
  ES256: { hash: 'sha256', kind: 'ec' },
  ES384: { hash: 'sha384', kind: 'ec' },
  ES512: { hash: 'sha512', kind: 'ec' },
};

/** VerifyJson: Signature (JWS compact; JsonContent when its payload is detached) → a verdict and the payload. */
async function verifyJson(req: DataRequest, ctx: PdfServiceContext): Promise<ServiceResponse> {
  const jws = field(req, 'Signature').trim();
  checkSize(jws.length);
  const parts = jws.split('.');
  if (parts.length !== 3 || parts.some((p) => !/^[A-Za-z0-9_-]*$/.test(p))) throw new KysoError('SERVICE_BASE64_INVALID', { field: 'Signature (JWS)' });
  let header: { alg?: unknown; x5c?: unknown };
  try {
    header = JSON.parse(Buffer.from(parts[0]!, 'base64url').toString('utf8')) as typeof header;
  } catch {
    return okVerdictShape(await verdictOf({ intact: false, brokenReason: 'the JWS header is not JSON', pool: [], ctx }));
  }
  const alg = typeof header.alg === 'string' ? JWS_ALGS[header.alg] : undefined;
  if (!alg) throw new KysoError('SERVICE_ALGORITHM_UNSUPPORTED', { algorithm: String(header.alg), supported: Object.keys(JWS_ALGS).join(', ') });
  const certs = Array.isArray(header.x5c) ? header.x5c.filter((c): c is string => typeof c === 'string').map((c) => Buffer.from(c, 'base64')) : [];
  const payload = parts[1] ? Buffer.from(parts[1], 'base64url') : jsonPayload(req);
  const input = Buffer.from(`${parts[0]}.${parts[1] || b64url(payload)}`, 'ascii');
  const value = Buffer.from(parts[2]!, 'base64url');
  let intact = false;
  let reason: string | undefined;
  let signer: Buffer | undefined;
  try {
    signer = certs[0];
    if (!signer) reason = 'no x5c certificate in the header';
    else {
      const key = new X509Certificate(signer).publicKey;
      if (alg.kind === 'ec') intact = nodeVerify(alg.hash, input, { key, dsaEncoding: 'ieee-p1363' }, value);
      else if (alg.kind === 'pss') intact = nodeVerify(alg.hash, input, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST }, value);
      else intact = nodeVerify(alg.hash, input, key, value);
      if (!intact) reason = 'the signature value does not verify';
    }
  } catch (e) {
    reason = (e as Error).message;
  }
  const verdict = await verdictOf({ intact, brokenReason: reason, signer, pool: certs.slice(1), ctx });
  return okVerdictShape(verdict, { Algorithm: header.alg, JsonContent: payload.length <= DATA_MAX_BYTES ? payload.toString('utf8') : '' });
}
