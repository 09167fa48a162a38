// The envelope signature: XML-DSig, enveloped, placed in edXMLHeader as the official SDK places
// it, over the whole package (Reference URI="", so the attachments are covered too), RSA-SHA256,
// exclusive c14n, the signer's certificate and its chain in KeyInfo. The private key never leaves
// the token: xml-crypto canonicalises, and its signature algorithm here asks our Signer.
import { createHash, X509Certificate } from 'node:crypto';
import { SignedXml } from 'xml-crypto';
import type { SignatureAlgorithm } from 'xml-crypto';
import type { Signer } from '../cms/signer.js';
import type { EnvelopeSignature } from './edxml-model.js';

const RSA_SHA256 = 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256';
const EXC_C14N = 'http://www.w3.org/2001/10/xml-exc-c14n#';
const ENVELOPED = 'http://www.w3.org/2000/09/xmldsig#enveloped-signature';
const SHA256 = 'http://www.w3.org/2001/04/xmlenc#sha256';

function pem(der: Buffer): string {
  const b64 = der.toString('base64').replace(/(.{64})/g, '$1\n');
  return `-----BEGIN CERTIFICATE-----\n${b64}\n-----END CERTIFICATE-----\n`;
}

/** xml-crypto's signature algorithm, answered by the token (asynchronously). */
class TokenRsaSha256 implements SignatureAlgorithm {
  constructor(private readonly signer: Signer) {}
  getSignature(signedInfo: string | NodeJS.ArrayBufferView, privateKey: unknown): string;
  getSignature(signedInfo: string | NodeJS.ArrayBufferView, privateKey: unknown, callback?: (err: Error | null, value?: string) => void): void;
  getSignature(signedInfo: string | NodeJS.ArrayBufferView, _privateKey: unknown, callback?: (err: Error | null, value?: string) => void): string | void {
    if (!callback) throw new Error('the token signs asynchronously');
    const data = typeof signedInfo === 'string' ? Buffer.from(signedInfo, 'utf8') : Buffer.from(signedInfo.buffer, signedInfo.byteOffset, signedInfo.byteLength);
    this.signer.sign(data, 'sha256').then(
      (v) => callback(null, v.toString('base64')),
      (e: unknown) => callback(e instanceof Error ? e : new Error(String(e))),
    );
  }
  verifySignature(): boolean {
    throw new Error('not used for signing');
  }
  getAlgorithmName(): 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256' {
    return RSA_SHA256;
  }
}

/** Signs a serialised package; returns it with the Signature appended to edXMLHeader. */
export async function signEnvelope(xml: string, signer: Signer): Promise<string> {
  if (signer.key.type !== 'RSA') throw new Error('the envelope is signed with RSA-SHA256: the organisation key must be RSA');
  const sig = new SignedXml({
    privateKey: 'held by the token',
    publicCert: [signer.certificate, ...signer.chain].map(pem).join(''),
    signatureAlgorithm: RSA_SHA256,
    canonicalizationAlgorithm: EXC_C14N,
  });
  const algorithm = new TokenRsaSha256(signer);
  (sig.SignatureAlgorithms as Record<string, new () => SignatureAlgorithm>)[RSA_SHA256] = function TokenAlgorithm() {
    return algorithm;
  } as unknown as new () => SignatureAlgorithm;
  sig.addReference({ xpath: '/*', uri: '', isEmptyUri: true, transforms: [ENVELOPED, EXC_C14N], digestAlgorithm: SHA256 });
  await new Promise<void>((resolve, reject) => {
    sig.computeSignature(xml, { location: { reference: "//*[local-name()='edXMLHeader']", action: 'append' } }, (err) => (err ? reject(err) : resolve()));
  });
  return sig.getSignedXml();
}

function firstDescendant(el: Element, name: string): Element | undefined {
  for (let n = el.firstChild; n; n = n.nextSibling) {
    if (n.nodeType !== 1) continue;
    const e = n as Element;
    if ((e.localName ?? e.nodeName).replace(/^.*:/, '') === name) return e;
    const d = firstDescendant(e, name);
    if (d) return d;
  }
  return undefined;
}

function descendants(el: Element, name: string, into: Element[] = []): Element[] {
  for (let n = el.firstChild; n; n = n.nextSibling) {
    if (n.nodeType !== 1) continue;
    const e = n as Element;
    if ((e.localName ?? e.nodeName).replace(/^.*:/, '') === name) into.push(e);
    descendants(e, name, into);
  }
  return into;
}

function commonName(cert: X509Certificate): string | undefined {
  return /(?:^|\n)CN=([^\n]*)/.exec(cert.subject)?.[1];
}

/**
 * Checks the envelope signature of a parsed package with Node's crypto (through xml-crypto's
 * canonicalisation): the signature over the whole document, by the certificate in KeyInfo.
 * Never throws: what is wrong is said in the result.
 */
export function verifyEnvelopeSignature(xml: string, doc: Document, header: Element): EnvelopeSignature {
  let signature: Element | undefined;
  for (let n = header.firstChild; n; n = n.nextSibling) {
    if (n.nodeType === 1 && ((n as Element).localName ?? n.nodeName).replace(/^.*:/, '') === 'Signature') signature = n as Element;
  }
  if (!signature) return { status: 'missing' };
  const certEl = firstDescendant(signature, 'X509Certificate');
  const b64 = (certEl?.textContent ?? '').replace(/\s+/g, '');
  if (!b64) return { status: 'broken', reason: 'no X509Certificate in KeyInfo' };
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(Buffer.from(b64, 'base64'));
  } catch {
    return { status: 'broken', reason: `the X509Certificate in KeyInfo cannot be read (${b64.length} base64 characters: truncated or damaged)` };
  }
  // Every readable certificate of KeyInfo, the signer's first: the chain the sender offers.
  const certificates = [cert.raw];
  for (const el of descendants(signature, 'X509Certificate').slice(1)) {
    try {
      certificates.push(new X509Certificate(Buffer.from((el.textContent ?? '').replace(/\s+/g, ''), 'base64')).raw);
    } catch {
      // A damaged extra certificate only makes the chain harder to build.
    }
  }
  const facts = { signer: commonName(cert), certificateSha256: createHash('sha256').update(cert.raw).digest('hex'), certificates };
  try {
    const sig = new SignedXml({ publicCert: cert.toString(), getCertFromKeyInfo: () => null });
    sig.loadSignature(signature as unknown as Node);
    const ok = sig.checkSignature(xml);
    if (!ok) return { status: 'broken', reason: 'the signature value does not match', ...facts };
    // Only a signature over the whole document (URI="") vouches for what we read from it.
    const refs = sig.getReferences();
    if (refs.length !== 1 || (refs[0]!.uri ?? '') !== '') return { status: 'broken', reason: 'the signature does not cover the whole package', ...facts };
    void doc;
    return { status: 'valid', ...facts };
  } catch (e) {
    return { status: 'broken', reason: (e as Error).message.split('\n')[0]!.slice(0, 200), ...facts };
  }
}
