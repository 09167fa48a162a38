// SignXML / VerifyXML of the signing service. SignXML signs an XML document (Base64Content, or the
// address in FileName) with an enveloped XML-DSig signature over the whole document (Reference
// URI="", transforms enveloped-signature + exclusive c14n), RSA-SHA256 (or -SHA512), the signer's
// certificate and its chain in KeyInfo/X509Data; the Signature is appended as the last child of
// the root element. The private key stays on the token: xml-crypto canonicalises and digests, the
// token signs SignedInfo. VerifyXML answers one verdict per Signature element found.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { X509Certificate } from 'node:crypto';
import { DOMParser } from '@xmldom/xmldom';
import { SignedXml, type SignatureAlgorithm } from 'xml-crypto';
import xpath from 'xpath';
import { KysoError } from '../../shared/errors.js';
import type { DigestAlgorithm, Signer } from '../cms/signer.js';
import { base64Field, checkSize, field, flag, hashAlgorithm, sha256Hex, verdictOf, withDataSigner, type DataRequest } from './data-common.js';
import type { PdfServiceContext } from './pdf-functions.js';
import { errorResponse, okResponse, type ServiceResponse } from './protocol.js';
import { fetchSource, requestUrl } from './transfer.js';

const DSIG = 'http://www.w3.org/2000/09/xmldsig#';
const EXC_C14N = 'http://www.w3.org/2001/10/xml-exc-c14n#';
const ENVELOPED = 'http://www.w3.org/2000/09/xmldsig#enveloped-signature';
const SIGNATURE_URI: Partial<Record<DigestAlgorithm, string>> = {
  sha256: 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
  sha512: 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha512',
};
const DIGEST_URI: Partial<Record<DigestAlgorithm, string>> = {
  sha256: 'http://www.w3.org/2001/04/xmlenc#sha256',
  sha512: 'http://www.w3.org/2001/04/xmlenc#sha512',
};

/**
 * The largest XML SignXML / VerifyXML take. xml-crypto's own work grows faster than the document
 * (measured on this machine under load: 1 MB signed in ≈ 4.5 s, checked in ≈ 5 s).
 */
export const XML_MAX_BYTES = 2 * 1024 * 1024;

// xml-crypto finds the element a Reference URI="" covers with the XPath "//*" and keeps the first
// result: the xpath library sorts the whole document's element set for it, which made checking a
// 1.9 MB document take 300 s. The first element of "//*" in document order is the document
// element, so answering that directly is the same result (once, for every user of xml-crypto).
const select1 = xpath.select1;
(xpath as { select1: typeof xpath.select1 }).select1 = function firstElementDirect(expression: string, node: Node) {
  if (expression === '//*' && node?.nodeType === 9) return (node as Document).documentElement;
  return select1(expression, node);
} as typeof xpath.select1;

function pem(der: Buffer): string {
  return `-----BEGIN CERTIFICATE-----\n${der.toString('base64').replace(/(.{64})/g, '$1\n')}\n-----END CERTIFICATE-----\n`;
}

/** xml-crypto's signature algorithm answered by the token, asynchronously. */
function tokenAlgorithm(signer: Signer, digest: DigestAlgorithm, uri: string): SignatureAlgorithm {
  return {
    getSignature(signedInfo: string | NodeJS.ArrayBufferView, _key: unknown, callback?: (err: Error | null, value?: string) => void): string {
      if (!callback) throw new Error('the token signs asynchronously');
      const data = typeof signedInfo === 'string' ? Buffer.from(signedInfo, 'utf8') : Buffer.from(signedInfo.buffer, signedInfo.byteOffset, signedInfo.byteLength);
      signer.sign(data, digest).then(
        (v) => callback(null, v.toString('base64')),
        (e: unknown) => callback(e instanceof Error ? e : new Error(String(e))),
      );
      return undefined as unknown as string;
    },
    verifySignature(): boolean {
      throw new Error('not used for signing');
    },
    getAlgorithmName: () => uri,
  } as SignatureAlgorithm;
}

/** Parses XML strictly: a document that does not parse is refused with the parser's reason. */
function parseXml(xml: string): Document {
  const errors: string[] = [];
  const doc = new DOMParser({
    // xmldom is lenient: what it only warns about (an unclosed element...) is not well-formed XML.
    errorHandler: { warning: (msg: string) => void errors.push(msg), error: (msg: string) => void errors.push(msg), fatalError: (msg: string) => void errors.push(msg) },
  }).parseFromString(xml, 'text/xml') as unknown as Document;
  if (errors.length || !doc?.documentElement) throw new KysoError('SERVICE_XML_INVALID', { reason: (errors[0] ?? 'no root element').split('\n')[0]!.replace(/^\[xmldom \w+\]\s*/, '').slice(0, 200) });
  if (/<!DOCTYPE/i.test(xml)) throw new KysoError('SERVICE_XML_INVALID', { reason: 'a DOCTYPE is not accepted (DOCTYPE không được chấp nhận)' });
  return doc;
}

/** The XML of the request: Base64Content, or fetched from FileName (the page's own server, as for PDFs). */
async function requestXml(req: DataRequest, origin: string, ctx: PdfServiceContext): Promise<Buffer> {
  const inline = base64Field(req, 'Base64Content', { required: false, limit: XML_MAX_BYTES });
  if (inline) return inline;
  const name = field(req, 'FileName');
  if (!name) throw new KysoError('SERVICE_REQUEST_INVALID', { reason: 'Base64Content or FileName is required (cần Base64Content hoặc FileName)' });
  const dir = mkdtempSync(join(ctx.workDir.replace(/\/+$/, '') + '-xml-'));
  try {
    const dest = join(dir, 'source.xml');
    await fetchSource({ url: requestUrl(name, origin), origin, policy: ctx.policy, session: { sessionId: field(req, 'SessionId'), jwt: field(req, 'JWTToken') }, dest, limits: { maxBytes: XML_MAX_BYTES, timeoutMs: ctx.limits?.timeoutMs ?? 60_000 } });
    return readFileSync(dest);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * SignXML: → Signature, the base64 of the signed document (UTF-8); with ReturnSignatureOnly "true"
 * the base64 of the ds:Signature element alone (the caller puts it into its document: the
 * enveloped transform leaves it out wherever it sits). HashAlg Sha256 (default) or Sha512.
 */
export async function runSignXml(req: DataRequest, origin: string, ctx: PdfServiceContext): Promise<ServiceResponse> {
  const bytes = await requestXml(req, origin, ctx);
  checkSize(bytes.length, XML_MAX_BYTES);
  const digest = hashAlgorithm(field(req, 'HashAlg'), 'sha256', 'SHA256, SHA512');
  const signatureOnly = flag(req, 'ReturnSignatureOnly', false);
  const xml = bytes.toString('utf8').replace(/^\uFEFF/, '');
  parseXml(xml);
  return withDataSigner('SignXML', origin, ctx, { kind: 'xml', data: bytes, name: 'document.xml' }, async (s) => {
    const signer = s.opened.signer as Signer;
    if (signer.key.type !== 'RSA' || signer.scheme !== 'rsa-pkcs1') throw new KysoError('SERVICE_ALGORITHM_UNSUPPORTED', { algorithm: `XML-DSig ${signer.key.type}`, supported: 'khóa RSA (RSA-SHA256) | an RSA key' });
    const uri = SIGNATURE_URI[digest]!;
    const sig = new SignedXml({ privateKey: 'held by the token', publicCert: [signer.certificate, ...s.chain].map(pem).join(''), signatureAlgorithm: uri, canonicalizationAlgorithm: EXC_C14N });
    const algorithm = tokenAlgorithm(signer, digest, uri);
    (sig.SignatureAlgorithms as Record<string, new () => SignatureAlgorithm>)[uri] = function TokenAlgorithm() {
      return algorithm;
    } as unknown as new () => SignatureAlgorithm;
    sig.addReference({ xpath: '/*', uri: '', isEmptyUri: true, transforms: [ENVELOPED, EXC_C14N], digestAlgorithm: DIGEST_URI[digest]! });
    await new Promise<void>((resolve, reject) => {
      sig.computeSignature(xml, { location: { reference: '/*', action: 'append' } }, (err) => (err ? reject(err) : resolve()));
    });
    const out = Buffer.from(signatureOnly ? sig.getSignatureXml() : sig.getSignedXml(), 'utf8');
    ctx.audit?.({ action: 'service.SignXML', subject: `sha256:${sha256Hex(bytes)}`, details: { origin, function: 'SignXML', bytes: bytes.length, signed: sha256Hex(out), signatureOnly, warnings: s.warnings.map((w) => w.code) } });
    return okResponse({
      Message: 'Ký số thành công',
      Signature: out.toString('base64'),
      CertBase64: signer.certificate.toString('base64'),
      SignatureFormat: signatureOnly ? 'XML-DSig Signature element (enveloped, URI="")' : 'XML-DSig enveloped',
      ...(s.warnings.length ? { Warnings: s.warnings.map((w) => w.vi) } : {}),
    });
  });
}

function signatureElements(doc: Document): Element[] {
  const list = doc.getElementsByTagNameNS(DSIG, 'Signature');
  const out: Element[] = [];
  for (let i = 0; i < list.length; i++) out.push(list.item(i)!);
  return out;
}

function x509Certificates(sig: Element): Buffer[] {
  const list = sig.getElementsByTagNameNS(DSIG, 'X509Certificate');
  const out: Buffer[] = [];
  for (let i = 0; i < list.length; i++) out.push(Buffer.from((list.item(i)!.textContent ?? '').replace(/\s+/g, ''), 'base64'));
  return out;
}

/**
 * VerifyXML: Data (the XML text, as callers send it) or Base64Content → a list, one entry per
 * ds:Signature: Status (0 = intact, covering the whole document, certificate valid and trusted),
 * Message, SigInfo.SignerCert, ValidationDetails.SignatureStatus / SignerCertStatus. A document
 * without a signature answers Status ≠ 0 (not a list).
 */
export async function runVerifyXml(req: DataRequest, ctx: PdfServiceContext): Promise<ServiceResponse | Array<Record<string, unknown>>> {
  const inline = field(req, 'Data');
  let bytes: Buffer;
  if (inline) {
    checkSize(Buffer.byteLength(inline), XML_MAX_BYTES);
    bytes = Buffer.from(inline, 'utf8');
  } else bytes = base64Field(req, 'Base64Content', { limit: XML_MAX_BYTES })!;
  checkSize(bytes.length, XML_MAX_BYTES);
  const xml = bytes.toString('utf8').replace(/^\uFEFF/, '');
  const doc = parseXml(xml);
  const sigs = signatureElements(doc);
  if (sigs.length === 0) return { ...errorResponse('SERVICE_XML_INVALID', { reason: 'the document has no ds:Signature (tài liệu không có chữ ký số)' }), Valid: false };
  const out: Array<Record<string, unknown>> = [];
  for (const el of sigs) {
    const certs = x509Certificates(el);
    let intact = false;
    let reason: string | undefined;
    let coversWhole = false;
    let signer: Buffer | undefined;
    try {
      signer = certs[0];
      if (!signer) reason = 'no X509Certificate in KeyInfo';
      else {
        const sx = new SignedXml({ publicCert: new X509Certificate(signer).toString(), getCertFromKeyInfo: () => null });
        sx.loadSignature(el as unknown as Node);
        intact = sx.checkSignature(xml);
        const refs = sx.getReferences();
        coversWhole = refs.length > 0 && refs.every((r) => (r.uri ?? '') === '');
        if (!intact) reason = 'the signature value or a digest does not match';
      }
    } catch (e) {
      reason = (e as Error).message.split('\n')[0]!.slice(0, 200);
      intact = false;
    }
    const verdict = await verdictOf({ intact, brokenReason: reason, signer, pool: certs.slice(1), ctx });
    const whole = intact && coversWhole;
    out.push({
      Status: whole ? verdict.Status : verdict.Status || 1,
      Message: intact && !coversWhole ? 'Chữ ký chỉ phủ một phần tài liệu | The signature covers only part of the document' : verdict.Message,
      Valid: verdict.Valid && whole,
      CoversWholeDocument: coversWhole,
      SigInfo: { SignerCert: verdict.Signer ?? null, SignatureAlgorithm: el.getElementsByTagNameNS(DSIG, 'SignatureMethod').item(0)?.getAttribute('Algorithm') ?? '' },
      ValidationDetails: { SignatureStatus: verdict.SignatureStatus, SignerCertStatus: verdict.SignerCertStatus, Problems: verdict.Problems },
    });
  }
  return out;
}
