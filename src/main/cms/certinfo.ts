// What a person needs to know about a certificate, read once from its DER:
// names (Vietnamese kept intact), serial, validity, key usage, CA or not.
import { createHash } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { parseCertificate } from './build.js';

export const KEY_USAGE_NAMES = [
  'digitalSignature',
  'nonRepudiation',
  'keyEncipherment',
  'dataEncipherment',
  'keyAgreement',
  'keyCertSign',
  'cRLSign',
  'encipherOnly',
  'decipherOnly',
] as const;
export type KeyUsageName = (typeof KEY_USAGE_NAMES)[number];

export interface CertificateInfo {
  subject: string;
  commonName: string;
  organization?: string;
  issuer: string;
  issuerCommonName: string;
  serialNumber: string;
  notBefore: Date;
  notAfter: Date;
  /** undefined when the certificate has no keyUsage extension (any use allowed). */
  keyUsage?: KeyUsageName[];
  /** The extended key usage's purposes (OIDs); undefined when there is no such extension. */
  extKeyUsage?: string[];
  isCa: boolean;
  selfIssued: boolean;
  /** SHA-256 of the DER, hex: how the archive and the UI name a certificate. */
  fingerprint: string;
}

const ATTR_SHORT: Record<string, string> = {
  '2.5.4.3': 'CN',
  '2.5.4.6': 'C',
  '2.5.4.7': 'L',
  '2.5.4.8': 'ST',
  '2.5.4.10': 'O',
  '2.5.4.11': 'OU',
  '2.5.4.12': 'T',
  '2.5.4.5': 'serialNumber',
  '0.9.2342.19200300.100.1.1': 'UID',
  '1.2.840.113549.1.9.1': 'E',
};

function attrValue(v: unknown): string {
  const block = (v as { valueBlock?: { value?: unknown } }).valueBlock;
  if (block && typeof block.value === 'string') return block.value;
  return '';
}

/** The attributes of a name, most specific first as people read them ("CN=..., O=..., C=VN"). */
export function nameAttributes(name: pkijs.RelativeDistinguishedNames): Array<{ type: string; value: string }> {
  return name.typesAndValues.map((tv) => ({ type: ATTR_SHORT[tv.type] ?? tv.type, value: attrValue(tv.value) })).reverse();
}

export function formatName(name: pkijs.RelativeDistinguishedNames): string {
  return nameAttributes(name)
    .map((a) => `${a.type}=${a.value}`)
    .join(', ');
}

/** A name's DER as the certificate carries it (compared as encoded), or re-encoded when PKI.js built it. */
export function nameDer(name: pkijs.RelativeDistinguishedNames): Buffer {
  if (name.valueBeforeDecode.byteLength) return Buffer.from(name.valueBeforeDecode);
  return Buffer.from(name.toSchema().toBER(false));
}

// Parsed certificates by their DER. A verification meets the same few certificates again and again
// (the CMS carries them, the report describes the signer, the path builder and the revocation
// checks read them), and PKI.js takes milliseconds per parse: each is parsed once. A handful of
// entries: a long-running process (the app) must not hold every certificate it ever saw.
const PARSED_MAX = 64;
const parsed = new Map<string, pkijs.Certificate>();

function remember(key: string, cert: pkijs.Certificate): void {
  parsed.delete(key);
  parsed.set(key, cert);
  if (parsed.size > PARSED_MAX) parsed.delete(parsed.keys().next().value as string);
}

/**
 * The certificate `der` as PKI.js reads it, parsed once per distinct DER (the object is shared:
 * read it, never change it). Throws on bytes that are not a certificate.
 */
export function readCertificate(der: Buffer): pkijs.Certificate {
  const key = der.toString('latin1');
  const known = parsed.get(key);
  if (known) return known;
  const cert = parseCertificate(der);
  remember(key, cert);
  return cert;
}

/** Records what PKI.js already parsed elsewhere (the certificates of a CMS) as the reading of `der`. */
export function rememberCertificate(der: Buffer, cert: pkijs.Certificate): void {
  remember(der.toString('latin1'), cert);
}

function firstAttr(name: pkijs.RelativeDistinguishedNames, type: string): string | undefined {
  return nameAttributes(name).find((a) => a.type === type)?.value;
}

export function describeCertificate(der: Buffer, cert: pkijs.Certificate = readCertificate(der)): CertificateInfo {
  let keyUsage: KeyUsageName[] | undefined;
  let extKeyUsage: string[] | undefined;
  let isCa = false;
  for (const ext of cert.extensions ?? []) {
    if (ext.extnID === '2.5.29.15') {
      const bits = ext.parsedValue instanceof asn1js.BitString ? new Uint8Array(ext.parsedValue.valueBlock.valueHexView) : new Uint8Array();
      keyUsage = KEY_USAGE_NAMES.filter((_, i) => ((bits[i >> 3] ?? 0) >> (7 - (i & 7))) & 1);
    } else if (ext.extnID === '2.5.29.37') {
      extKeyUsage = ext.parsedValue instanceof pkijs.ExtKeyUsage ? ext.parsedValue.keyPurposes : [];
    } else if (ext.extnID === '2.5.29.19') {
      isCa = Boolean((ext.parsedValue as pkijs.BasicConstraints | undefined)?.cA);
    }
  }
  const subject = formatName(cert.subject);
  const issuer = formatName(cert.issuer);
  return {
    subject,
    commonName: firstAttr(cert.subject, 'CN') ?? subject,
    organization: firstAttr(cert.subject, 'O'),
    issuer,
    issuerCommonName: firstAttr(cert.issuer, 'CN') ?? issuer,
    serialNumber: Buffer.from(cert.serialNumber.valueBlock.valueHexView).toString('hex').toUpperCase(),
    notBefore: cert.notBefore.value,
    notAfter: cert.notAfter.value,
    keyUsage,
    extKeyUsage,
    isCa,
    selfIssued: nameDer(cert.subject).equals(nameDer(cert.issuer)),
    fingerprint: createHash('sha256').update(der).digest('hex'),
  };
}

/**
 * Extended key usages that name a job other than signing documents. Signing certificates carry no
 * EKU, or clientAuth and emailProtection, documentSigning, Microsoft's or Adobe's document signing,
 * anyExtendedKeyUsage...: too many to list, so a certificate is refused only for what it is not.
 */
const OTHER_JOBS: ReadonlySet<string> = new Set([
  '1.3.6.1.5.5.7.3.1', // serverAuth
  '1.3.6.1.5.5.7.3.3', // codeSigning
  '1.3.6.1.5.5.7.3.8', // timeStamping
  '1.3.6.1.5.5.7.3.9', // OCSPSigning
]);

/** RFC 5280 §4.2.1.12: an extended key usage that lists only other jobs forbids signing documents. */
export function ekuForbidsSigning(eku: readonly string[] | undefined): boolean {
  return eku !== undefined && eku.every((p) => OTHER_JOBS.has(p));
}

/**
 * Whether the certificate may make document signatures: digitalSignature or nonRepudiation (or no
 * keyUsage at all), and no extended key usage that names only other jobs. The verifier judges
 * signatures by the same rule, so Kyso never makes one it would refuse.
 */
export function canSignDocuments(info: CertificateInfo): boolean {
  const usage = !info.keyUsage || info.keyUsage.includes('digitalSignature') || info.keyUsage.includes('nonRepudiation');
  return usage && !ekuForbidsSigning(info.extKeyUsage);
}
