// What one CRL says about one certificate (RFC 5280 §5, §6.3), checked with Node's crypto.
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { EXT, hasKeyUsage, nameDer, toArrayBuffer, type CertView } from './chain-cert.js';
import type { RevocationResult } from './revocation.js';
import { signatureBytes, verifySigned } from './revocation-signature.js';

/** CRLReason names by code (RFC 5280 §5.3.1; 7 is unused). */
export const CRL_REASONS: Record<number, string> = {
  0: 'unspecified',
  1: 'keyCompromise',
  2: 'cACompromise',
  3: 'affiliationChanged',
  4: 'superseded',
  5: 'cessationOfOperation',
  6: 'certificateHold',
  8: 'removeFromCRL',
  9: 'privilegeWithdrawn',
  10: 'aACompromise',
};

const CRL_EXT = {
  reasonCode: '2.5.29.21',
  deltaCrlIndicator: '2.5.29.27',
  issuingDistributionPoint: '2.5.29.28',
  authorityKeyIdentifier: EXT.authorityKeyIdentifier,
  crlNumber: '2.5.29.20',
} as const;

const UNDERSTOOD_CRITICAL = new Set<string>([CRL_EXT.issuingDistributionPoint, CRL_EXT.deltaCrlIndicator]);

/** Clock skew allowed between the evidence's producer and the time being judged. */
const SKEW_MS = 5 * 60_000;

/**
 * Whether evidence saying "good" speaks for the time `at`: produced after it, or produced before it
 * with a nextUpdate (the issuer's promise of no change until then) not earlier than it.
 */
export function covers(thisUpdate: Date, nextUpdate: Date | undefined, at: Date): boolean {
  if (thisUpdate.getTime() >= at.getTime() - SKEW_MS) return true;
  return Boolean(nextUpdate && nextUpdate.getTime() >= at.getTime());
}

/** Positive INTEGER bytes without DER's sign padding, as hex, so serials compare by value. */
export function serialHex(i: asn1js.Integer): string {
  const b = Buffer.from(i.valueBlock.valueHexView);
  let k = 0;
  while (k < b.length - 1 && b[k] === 0) k++;
  return b.subarray(k).toString('hex');
}

const parsed = new WeakMap<Buffer, pkijs.CertificateRevocationList | null>();

export function parseCrl(der: Buffer): pkijs.CertificateRevocationList | null {
  if (parsed.has(der)) return parsed.get(der) ?? null;
  let crl: pkijs.CertificateRevocationList | null = null;
  try {
    crl = pkijs.CertificateRevocationList.fromBER(toArrayBuffer(der));
  } catch {
    crl = null;
  }
  parsed.set(der, crl);
  return crl;
}

function extension(exts: pkijs.Extensions | pkijs.Extension[] | undefined, oid: string): pkijs.Extension | undefined {
  const list = Array.isArray(exts) ? exts : exts?.extensions;
  return list?.find((e) => e.extnID === oid);
}

/** Whether this CRL was issued by `issuer`'s key (name, key identifier), before checking any signature. */
function fromIssuer(crl: pkijs.CertificateRevocationList, cert: CertView, issuer: CertView): boolean {
  if (!nameDer(crl.issuer).equals(cert.issuer)) return false;
  const aki = extension(crl.crlExtensions, CRL_EXT.authorityKeyIdentifier)?.parsedValue;
  if (aki instanceof pkijs.AuthorityKeyIdentifier && aki.keyIdentifier && issuer.ski) {
    // A CA that changed keys keeps its name: a CRL signed by its other key is simply not this one.
    return Buffer.from(aki.keyIdentifier.valueBlock.valueHexView).equals(issuer.ski);
  }
  return true;
}

/**
 * Why this CRL cannot decide for this certificate, or null when it can: delta CRLs, partitioned
 * (only some reasons, indirect) CRLs and unknown critical extensions are out of scope, and the
 * CA/user partitions must include the certificate.
 */
function outOfScope(crl: pkijs.CertificateRevocationList, cert: CertView): string | null {
  const exts = crl.crlExtensions?.extensions ?? [];
  if (exts.some((e) => e.critical && !UNDERSTOOD_CRITICAL.has(e.extnID))) return 'CRL_UNKNOWN_CRITICAL_EXTENSION';
  if (extension(exts, CRL_EXT.deltaCrlIndicator)) return 'CRL_DELTA_UNSUPPORTED';
  const idp = extension(exts, CRL_EXT.issuingDistributionPoint)?.parsedValue;
  if (idp instanceof pkijs.IssuingDistributionPoint) {
    if (idp.indirectCRL || idp.onlySomeReasons !== undefined || idp.onlyContainsAttributeCerts) return 'CRL_PARTITION_UNSUPPORTED';
    if (idp.onlyContainsUserCerts && cert.ca) return 'CRL_SCOPE';
    if (idp.onlyContainsCACerts && !cert.ca) return 'CRL_SCOPE';
  }
  return null;
}

function verifyCrlSignature(crl: pkijs.CertificateRevocationList, issuer: CertView): boolean {
  if (!issuer.publicKey) return false;
  return verifySigned(crl.signatureAlgorithm, issuer.publicKey, crl.tbsView, signatureBytes(crl.signatureValue));
}

function reasonOf(entry: pkijs.RevokedCertificate): string | undefined {
  const v = extension(entry.crlEntryExtensions, CRL_EXT.reasonCode)?.parsedValue;
  if (v instanceof asn1js.Enumerated) return CRL_REASONS[v.valueBlock.valueDec] ?? `reason${v.valueBlock.valueDec}`;
  return undefined;
}

function unusable(detail: string, problem?: string): RevocationResult {
  return { status: 'unknown', source: 'crl', detail, problems: problem ? [problem] : undefined };
}

/**
 * What `crlDer` says about `cert`: null when the CRL is not about it (other issuer, other
 * partition, unreadable), 'unknown' with a problem when it is but cannot be trusted.
 */
export function checkCrl(crlDer: Buffer, cert: CertView, issuer: CertView, at: Date): RevocationResult | null {
  const crl = parseCrl(crlDer);
  if (!crl || !fromIssuer(crl, cert, issuer)) return null;
  const scope = outOfScope(crl, cert);
  if (scope === 'CRL_SCOPE') return null;
  if (scope) return unusable(scope);
  if (!hasKeyUsage(issuer, 'cRLSign')) return unusable('CRL_ISSUER_KEY_USAGE', 'CRL_ISSUER_KEY_USAGE');
  if (!verifyCrlSignature(crl, issuer)) return unusable('CRL_SIGNATURE_INVALID', 'CRL_SIGNATURE_INVALID');

  const thisUpdate = crl.thisUpdate.value;
  const nextUpdate = crl.nextUpdate?.value;
  const serial = serialHex(cert.cert.serialNumber);
  const entry = (crl.revokedCertificates ?? []).find((e) => serialHex(e.userCertificate) === serial);
  const reason = entry ? reasonOf(entry) : undefined;
  const revokedAt = entry?.revocationDate.value;
  // removeFromCRL only means something in a delta CRL; a revocation dated in the future has not happened yet.
  if (entry && revokedAt && reason !== 'removeFromCRL' && revokedAt.getTime() <= Date.now()) {
    return { status: 'revoked', source: 'crl', revokedAt, reason, thisUpdate, nextUpdate };
  }
  if (!covers(thisUpdate, nextUpdate, at)) return { status: 'unknown', source: 'crl', thisUpdate, nextUpdate, detail: 'STALE_CRL' };
  return { status: 'good', source: 'crl', thisUpdate, nextUpdate };
}
