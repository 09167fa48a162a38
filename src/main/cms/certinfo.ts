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

function firstAttr(name: pkijs.RelativeDistinguishedNames, type: string): string | undefined {
  return nameAttributes(name).find((a) => a.type === type)?.value;
}

export function describeCertificate(der: Buffer, parsed: pkijs.Certificate = parseCertificate(der)): CertificateInfo {
  let keyUsage: KeyUsageName[] | undefined;
  let isCa = false;
  for (const ext of parsed.extensions ?? []) {
    if (ext.extnID === '2.5.29.15') {
      const bits = ext.parsedValue instanceof asn1js.BitString ? new Uint8Array(ext.parsedValue.valueBlock.valueHexView) : new Uint8Array();
      keyUsage = KEY_USAGE_NAMES.filter((_, i) => ((bits[i >> 3] ?? 0) >> (7 - (i & 7))) & 1);
    } else if (ext.extnID === '2.5.29.19') {
      isCa = Boolean((ext.parsedValue as pkijs.BasicConstraints | undefined)?.cA);
    }
  }
  const subject = formatName(parsed.subject);
  const issuer = formatName(parsed.issuer);
  return {
    subject,
    commonName: firstAttr(parsed.subject, 'CN') ?? subject,
    organization: firstAttr(parsed.subject, 'O'),
    issuer,
    issuerCommonName: firstAttr(parsed.issuer, 'CN') ?? issuer,
    serialNumber: Buffer.from(parsed.serialNumber.valueBlock.valueHexView).toString('hex').toUpperCase(),
    notBefore: parsed.notBefore.value,
    notAfter: parsed.notAfter.value,
    keyUsage,
    isCa,
    selfIssued: Buffer.from(parsed.subject.toSchema().toBER(false)).equals(Buffer.from(parsed.issuer.toSchema().toBER(false))),
    fingerprint: createHash('sha256').update(der).digest('hex'),
  };
}

/** Whether the certificate may make document signatures: digitalSignature or nonRepudiation, or no keyUsage at all. */
export function canSignDocuments(info: CertificateInfo): boolean {
  return !info.keyUsage || info.keyUsage.includes('digitalSignature') || info.keyUsage.includes('nonRepudiation');
}
