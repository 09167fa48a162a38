// One certificate read once for path building and revocation checking: the raw DER of its names
// (compared byte for byte), its key, and the extensions that matter for validation.
import { createHash, X509Certificate, type KeyObject } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { describeCertificate, nameDer, readCertificate, type CertificateInfo } from '../cms/certinfo.js';

export const EXT = {
  subjectKeyIdentifier: '2.5.29.14',
  keyUsage: '2.5.29.15',
  subjectAltName: '2.5.29.17',
  issuerAltName: '2.5.29.18',
  basicConstraints: '2.5.29.19',
  cRLDistributionPoints: '2.5.29.31',
  certificatePolicies: '2.5.29.32',
  authorityKeyIdentifier: '2.5.29.35',
  extKeyUsage: '2.5.29.37',
  authorityInfoAccess: '1.3.6.1.5.5.7.1.1',
  ocspNoCheck: '1.3.6.1.5.5.7.48.1.5',
} as const;

export const KP = {
  timeStamping: '1.3.6.1.5.5.7.3.8',
  ocspSigning: '1.3.6.1.5.5.7.3.9',
  any: '2.5.29.37.0',
} as const;

const AD_OCSP = '1.3.6.1.5.5.7.48.1';

/**
 * Critical extensions we process (or that carry no constraint for us). A certificate with any other
 * critical extension (name constraints, policy constraints...) must not be accepted (RFC 5280 §4.2).
 */
const UNDERSTOOD_CRITICAL = new Set<string>([
  EXT.subjectKeyIdentifier,
  EXT.keyUsage,
  EXT.subjectAltName,
  EXT.issuerAltName,
  EXT.basicConstraints,
  EXT.cRLDistributionPoints,
  EXT.certificatePolicies,
  EXT.authorityKeyIdentifier,
  EXT.extKeyUsage,
  EXT.authorityInfoAccess,
  EXT.ocspNoCheck,
]);

export interface CertView {
  der: Buffer;
  x509: X509Certificate;
  cert: pkijs.Certificate;
  info: CertificateInfo;
  /** DER of the subject and issuer names, as encoded in the certificate. */
  subject: Buffer;
  issuer: Buffer;
  /** The subjectPublicKey BIT STRING's bits: what OCSP's issuerKeyHash and SKI method 1 hash. */
  keyBits: Buffer;
  /** SubjectPublicKeyInfo DER, for "same key" comparisons. */
  spki: Buffer;
  /** undefined when Node cannot load the key (unsupported algorithm or curve). */
  publicKey?: KeyObject;
  ski?: Buffer;
  /** keyIdentifier of the authorityKeyIdentifier extension. */
  aki?: Buffer;
  ca: boolean;
  pathLen?: number;
  eku?: string[];
  crlUrls: string[];
  ocspUrls: string[];
  ocspNoCheck: boolean;
  unknownCritical: string[];
  fingerprint: string;
}

function toArrayBuffer(b: Uint8Array): ArrayBuffer {
  return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;
}

export { nameDer };

function octets(v: unknown): Buffer | undefined {
  return v instanceof asn1js.OctetString ? Buffer.from(v.valueBlock.valueHexView) : undefined;
}

/** http(s) URIs among GeneralNames. */
function uris(names: pkijs.GeneralName[] | undefined): string[] {
  return (names ?? []).filter((n) => n.type === 6 && typeof n.value === 'string').map((n) => n.value as string);
}

function crlUrlsOf(v: pkijs.CRLDistributionPoints): string[] {
  const out: string[] = [];
  for (const dp of v.distributionPoints ?? []) {
    // A DP with its own cRLIssuer points to an indirect CRL, which we do not process.
    if (dp.cRLIssuer && dp.cRLIssuer.length) continue;
    if (Array.isArray(dp.distributionPoint)) out.push(...uris(dp.distributionPoint));
  }
  return out;
}

function ocspUrlsOf(v: pkijs.InfoAccess): string[] {
  return uris(v.accessDescriptions.filter((d) => d.accessMethod === AD_OCSP).map((d) => d.accessLocation));
}

function publicKeyOf(x509: X509Certificate): KeyObject | undefined {
  try {
    return x509.publicKey;
  } catch {
    return undefined;
  }
}

const views = new WeakMap<Buffer, CertView>();

/** Reads a DER certificate (memoised per Buffer object). Throws on a certificate that does not parse. */
export function viewCertificate(der: Buffer): CertView {
  const known = views.get(der);
  if (known) return known;
  const cert = readCertificate(der);
  const x509 = new X509Certificate(der);
  const view: CertView = {
    der,
    x509,
    cert,
    info: describeCertificate(der, cert),
    subject: nameDer(cert.subject),
    issuer: nameDer(cert.issuer),
    keyBits: Buffer.from(cert.subjectPublicKeyInfo.subjectPublicKey.valueBlock.valueHexView),
    spki: Buffer.from(cert.subjectPublicKeyInfo.toSchema().toBER(false)),
    publicKey: publicKeyOf(x509),
    ca: false,
    crlUrls: [],
    ocspUrls: [],
    ocspNoCheck: false,
    unknownCritical: [],
    fingerprint: createHash('sha256').update(der).digest('hex'),
  };
  for (const ext of cert.extensions ?? []) readExtension(view, ext);
  views.set(der, view);
  return view;
}

function readExtension(view: CertView, ext: pkijs.Extension): void {
  const v: unknown = ext.parsedValue;
  switch (ext.extnID) {
    case EXT.subjectKeyIdentifier:
      view.ski = octets(v);
      break;
    case EXT.authorityKeyIdentifier:
      if (v instanceof pkijs.AuthorityKeyIdentifier) view.aki = octets(v.keyIdentifier);
      break;
    case EXT.basicConstraints:
      if (v instanceof pkijs.BasicConstraints) {
        view.ca = Boolean(v.cA);
        if (typeof v.pathLenConstraint === 'number') view.pathLen = v.pathLenConstraint;
      }
      break;
    case EXT.extKeyUsage:
      if (v instanceof pkijs.ExtKeyUsage) view.eku = v.keyPurposes;
      break;
    case EXT.cRLDistributionPoints:
      if (v instanceof pkijs.CRLDistributionPoints) view.crlUrls = crlUrlsOf(v);
      break;
    case EXT.authorityInfoAccess:
      if (v instanceof pkijs.InfoAccess) view.ocspUrls = ocspUrlsOf(v);
      break;
    case EXT.ocspNoCheck:
      view.ocspNoCheck = true;
      break;
  }
  if (ext.critical && !UNDERSTOOD_CRITICAL.has(ext.extnID)) view.unknownCritical.push(ext.extnID);
}

/** Certificates from a mixed list, skipping the ones that do not parse. */
export function viewAll(ders: Buffer[]): CertView[] {
  const out: CertView[] = [];
  const seen = new Set<string>();
  for (const der of ders) {
    try {
      const v = viewCertificate(der);
      if (!seen.has(v.fingerprint)) out.push(v);
      seen.add(v.fingerprint);
    } catch {
      // not a certificate we can read: it cannot be part of a path
    }
  }
  return out;
}

/** Whether `cert` was signed by `issuer`'s key (Node's OpenSSL does RSA, RSA-PSS, ECDSA, EdDSA). */
export function signedBy(cert: CertView, issuer: CertView): boolean {
  if (!issuer.publicKey) return false;
  try {
    return cert.x509.verify(issuer.publicKey);
  } catch {
    return false;
  }
}

/** Name chaining plus, when both sides carry them, matching key identifiers. */
export function mayHaveIssued(issuer: CertView, cert: CertView): boolean {
  if (!issuer.subject.equals(cert.issuer)) return false;
  if (cert.aki && issuer.ski && !cert.aki.equals(issuer.ski)) return false;
  return true;
}

export function sameSubjectAndKey(a: CertView, b: CertView): boolean {
  return a.subject.equals(b.subject) && a.spki.equals(b.spki);
}

export function isSelfIssued(c: CertView): boolean {
  return c.subject.equals(c.issuer);
}

export function hasKeyUsage(c: CertView, ...any: string[]): boolean {
  const ku = c.info.keyUsage as string[] | undefined;
  return !ku || any.some((u) => ku.includes(u));
}

export { toArrayBuffer };
