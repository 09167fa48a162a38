// Certificates as found on a token: what to show about them, the key they carry, and the order
// of a chain.
import { X509Certificate } from 'node:crypto';
import { describeCertificate } from '../cms/certinfo.js';
import type { KeyDescription } from '../cms/signer.js';
import { KysoError } from '../../shared/errors.js';

export interface CertInfo {
  /** CKA_ID in lower-case hex: pairs the certificate with its private key; what --key-id names. */
  id: string;
  /** CKA_LABEL (UTF-8). */
  label: string;
  /** "CN=Nguyễn Văn Đức, O=..., C=VN": most specific first, Vietnamese kept as written. */
  subject: string;
  commonName: string;
  issuer: string;
  /** Upper-case hex. */
  serialNumber: string;
  /** ISO 8601. */
  notBefore: string;
  notAfter: string;
  /** Names from the keyUsage extension; empty when the certificate has none (no restriction). */
  keyUsage: string[];
  isCa: boolean;
  /**
   * Whether the token holds the private key of this certificate. null when it cannot be known before
   * logging in (private keys are private objects). Before login, true may also come from a public-key
   * object with the same CKA_ID: a strong hint, not a proof.
   */
  hasPrivateKey: boolean | null;
  der: Buffer;
}

/** CertInfo as plain JSON: the DER as base64 (or left out). */
export type CertInfoJson = Omit<CertInfo, 'der'> & { der?: string };

/** What Kyso shows about a token certificate; undefined when the object is not a parsable X.509 certificate. */
export function describeTokenCertificate(der: Buffer, id: string, label: string, hasPrivateKey: boolean | null): CertInfo | undefined {
  let info;
  try {
    info = describeCertificate(der);
  } catch {
    return undefined;
  }
  return {
    id,
    label,
    subject: info.subject,
    commonName: info.commonName,
    issuer: info.issuer,
    serialNumber: info.serialNumber,
    notBefore: info.notBefore.toISOString(),
    notAfter: info.notAfter.toISOString(),
    keyUsage: info.keyUsage ? [...info.keyUsage] : [],
    isCa: info.isCa,
    hasPrivateKey,
    der,
  };
}

const CURVES: Record<string, { curve: 'P-256' | 'P-384' | 'P-521'; bits: number }> = {
  prime256v1: { curve: 'P-256', bits: 256 },
  secp384r1: { curve: 'P-384', bits: 384 },
  secp521r1: { curve: 'P-521', bits: 521 },
};

/** The key type and size of a certificate's public key; TOKEN_KEY_UNSUPPORTED for anything but RSA and NIST P curves. */
export function keyDescriptionOf(der: Buffer): KeyDescription {
  const pub = new X509Certificate(der).publicKey;
  const details = pub.asymmetricKeyDetails ?? {};
  if (pub.asymmetricKeyType === 'rsa') {
    const bits = details.modulusLength ?? 0;
    if (bits < 1024) throw new KysoError('TOKEN_KEY_UNSUPPORTED', { keyType: `RSA ${bits}` });
    return { type: 'RSA', bits };
  }
  if (pub.asymmetricKeyType === 'ec') {
    const c = CURVES[details.namedCurve ?? ''];
    if (!c) throw new KysoError('TOKEN_KEY_UNSUPPORTED', { keyType: `EC ${details.namedCurve ?? '?'}` });
    return { type: 'EC', ...c };
  }
  throw new KysoError('TOKEN_KEY_UNSUPPORTED', { keyType: pub.asymmetricKeyType ?? 'unknown' });
}

/**
 * The chain to embed for `signer`: the certificates of `pool` (the signer's own excluded, duplicates
 * dropped), issuer first after issuer from the signer up; those not on that path follow in their order.
 */
export function orderChain(signer: Buffer, pool: readonly Buffer[]): Buffer[] {
  const unique: Buffer[] = [];
  for (const der of pool) {
    if (der.equals(signer) || unique.some((u) => u.equals(der))) continue;
    unique.push(der);
  }
  const parsed = new Map<Buffer, X509Certificate>();
  for (const der of unique) {
    try {
      parsed.set(der, new X509Certificate(der));
    } catch {
      // unparsable: kept, at the end
    }
  }
  const path: Buffer[] = [];
  let current: X509Certificate;
  try {
    current = new X509Certificate(signer);
  } catch {
    return unique;
  }
  for (;;) {
    // A self-issued certificate (a root) ends the path.
    if (current.checkIssued(current)) break;
    const next = unique.find((der) => !path.includes(der) && parsed.has(der) && current.checkIssued(parsed.get(der)!));
    if (!next) break;
    path.push(next);
    current = parsed.get(next)!;
  }
  return [...path, ...unique.filter((der) => !path.includes(der))];
}
