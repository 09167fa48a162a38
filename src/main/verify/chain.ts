// Certificate path validation for a signature: builds a path from the signing certificate to a
// trust anchor through the candidate intermediates, checks every signature with Node's crypto and
// the CA constraints (RFC 5280 §6.1, simplified: no policy or name-constraint processing), then
// judges validity and revocation at the signature's time.
import { readFileSync } from 'node:fs';
import type { CertificateInfo } from '../cms/certinfo.js';
import { ekuForbidsSigning } from '../cms/certinfo.js';
import { hasKeyUsage, KP, viewAll, viewCertificate, type CertView } from './chain-cert.js';
import { buildPath, type BuiltPath } from './chain-path.js';
import { checkRevocation, type RevocationResult, type RevocationSources } from './revocation.js';

export interface TrustStore {
  /** DER certificates. */
  anchors: Buffer[];
}

export type ChainStatus = 'trusted' | 'untrusted' | 'incomplete';
export type CertStatus = 'valid' | 'expired' | 'not-yet-valid' | 'revoked' | 'revocation-unknown';
export type Purpose = 'signing' | 'timestamping' | 'ocsp';

export interface ValidateOptions {
  /** DER of the signing certificate. */
  signer: Buffer;
  /** Candidate intermediates: CMS certificates, the PDF's DSS /Certs, extra files. */
  pool: Buffer[];
  trust: TrustStore;
  /** The time the signature is to be judged at (signing/timestamp time). */
  at: Date;
  /** Current time (default new Date()). */
  now?: Date;
  revocation: RevocationSources;
  /** Key-usage / EKU rules for the leaf (default 'signing'). */
  purpose?: Purpose;
}

export interface ChainLink {
  der: Buffer;
  info: CertificateInfo;
  /** This certificate's signature verifies with the next link's key (an anchor: trusted as is). */
  signatureValid: boolean;
  revocation?: RevocationResult;
}

export interface ChainResult {
  /** trusted = path to an anchor with every signature verifying; untrusted = path ends at a
   * self-signed cert not in the store (or breaks a rule); incomplete = an issuer is missing. */
  chain: ChainStatus;
  /** Signer first, anchor last (when found). */
  path: ChainLink[];
  /** Status of the signer cert (and the CAs) at `at`, incl. revocation. */
  certificate: CertStatus;
  /** Every cert of the path valid (and not revoked) at `now`. */
  validAtNow: boolean;
  keyUsageOk: boolean;
  revokedAt?: Date;
  revocationReason?: string;
  /** Which evidence decided. */
  revocationSource?: 'crl' | 'ocsp';
  /** Short machine codes, e.g. 'CA_SIGNATURE_INVALID', 'CA_NOT_CA', 'PATH_LEN', 'KEY_USAGE'... */
  problems: string[];
}

const PEM_CERT = /-----BEGIN CERTIFICATE-----([A-Za-z0-9+/=\s]+?)-----END CERTIFICATE-----/g;

/** Certificates of PEM text (any number of blocks). */
export function certificatesFromPem(text: string): Buffer[] {
  return [...text.matchAll(PEM_CERT)].map((m) => Buffer.from(m[1].replace(/\s+/g, ''), 'base64'));
}

/** Trust anchors from PEM files holding one or more certificates (a DER file is taken as one); duplicates dropped. */
export function loadTrustStore(pemPaths: string[]): TrustStore {
  const anchors: Buffer[] = [];
  const add = (der: Buffer) => {
    if (!anchors.some((a) => a.equals(der))) anchors.push(der);
  };
  for (const path of pemPaths) {
    const data = readFileSync(path);
    const pem = certificatesFromPem(data.toString('latin1'));
    if (pem.length) pem.forEach(add);
    else if (data[0] === 0x30) add(data);
    else throw new Error(`${path}: no certificate found`);
  }
  return { anchors };
}

type TimeStatus = 'valid' | 'expired' | 'not-yet-valid';

function timeStatus(c: CertView, t: Date): TimeStatus {
  if (t.getTime() < c.info.notBefore.getTime()) return 'not-yet-valid';
  if (t.getTime() > c.info.notAfter.getTime()) return 'expired';
  return 'valid';
}

/**
 * Key usage of the leaf for its purpose; pushes 'KEY_USAGE' / 'EXT_KEY_USAGE' when it fails, and
 * 'SIGNER_IS_CA' (not a failure) for a CA certificate.
 */
function checkLeafUsage(leaf: CertView, purpose: Purpose, problems: string[]): boolean {
  let ok = hasKeyUsage(leaf, 'digitalSignature', 'nonRepudiation');
  if (!ok) problems.push('KEY_USAGE');
  // RFC 5280 §4.2.1.12: the certificate may be used only for the purposes its EKU lists.
  const ekuOk =
    purpose === 'signing'
      ? !ekuForbidsSigning(leaf.eku)
      : leaf.eku?.includes(purpose === 'timestamping' ? KP.timeStamping : KP.ocspSigning);
  if (!ekuOk) {
    problems.push('EXT_KEY_USAGE');
    ok = false;
  }
  if (leaf.ca) problems.push('SIGNER_IS_CA');
  return ok;
}

/**
 * Revocation of every link that has an issuer in the path and is not the anchor (or untrusted
 * root) itself; the last link of an incomplete path cannot be checked.
 */
async function checkLinks(built: BuiltPath, opts: ValidateOptions, purpose: Purpose): Promise<(RevocationResult | undefined)[]> {
  const out: (RevocationResult | undefined)[] = [];
  for (let i = 0; i < built.certs.length; i++) {
    const cert = built.certs[i];
    const issuer = built.certs[i + 1];
    if (!issuer) {
      out.push(built.end === 'missing' ? { status: 'unknown', detail: 'ISSUER_MISSING' } : undefined);
    } else if (i === 0 && purpose === 'ocsp' && cert.ocspNoCheck) {
      // RFC 6960 §4.2.2.2.1: a responder certificate with id-pkix-ocsp-nocheck is not checked.
      out.push({ status: 'good', detail: 'OCSP_NOCHECK' });
    } else {
      out.push(await checkRevocation(cert.der, issuer.der, opts.at, opts.revocation));
    }
  }
  return out;
}

function revokedBy(r: RevocationResult | undefined, t: Date): boolean {
  return r?.status === 'revoked' && (!r.revokedAt || r.revokedAt.getTime() <= t.getTime());
}

/** The status at `at`: revoked, then the signer's own validity, then the CAs', then unknown revocation. */
function certificateStatus(built: BuiltPath, revs: (RevocationResult | undefined)[], at: Date, problems: string[]): CertStatus {
  const revokedIdx = revs.findIndex((r) => revokedBy(r, at));
  if (revokedIdx >= 0) {
    problems.push(revokedIdx === 0 ? 'REVOKED' : 'CA_REVOKED');
    return 'revoked';
  }
  if (revs.some((r) => r?.status === 'revoked')) problems.push('REVOKED_AFTER_SIGNING');

  const times = built.certs.map((c) => timeStatus(c, at));
  let status: CertStatus = 'valid';
  times.forEach((t, i) => {
    if (t === 'valid') return;
    problems.push(`${i === 0 ? '' : 'CA_'}${t === 'expired' ? 'EXPIRED' : 'NOT_YET_VALID'}`);
    if (status === 'valid') status = t;
  });
  if (status !== 'valid') return status;

  if (revs.some((r) => r !== undefined && r.status === 'unknown')) {
    problems.push('REVOCATION_UNKNOWN');
    return 'revocation-unknown';
  }
  return 'valid';
}

/** Validates the signer certificate's path and status (see ChainResult). */
export async function validateCertificate(opts: ValidateOptions): Promise<ChainResult> {
  const purpose = opts.purpose ?? 'signing';
  const now = opts.now ?? new Date();
  const signer = viewCertificate(opts.signer);
  const built = buildPath(signer, viewAll(opts.pool), viewAll(opts.trust.anchors));
  const problems = [...built.problems];

  const keyUsageOk = checkLeafUsage(signer, purpose, problems);
  const revs = await checkLinks(built, opts, purpose);
  const certificate = certificateStatus(built, revs, opts.at, problems);
  for (const r of revs) problems.push(...(r?.problems ?? []));

  const validAtNow = built.certs.every((c, i) => timeStatus(c, now) === 'valid' && !revokedBy(revs[i], now));
  const revoked = revs.find((r) => r?.status === 'revoked');
  const decided = revoked ?? revs[0];
  return {
    chain: built.status,
    path: built.certs.map((c, i) => ({ der: c.der, info: c.info, signatureValid: built.signatureValid[i], revocation: revs[i] })),
    certificate,
    validAtNow,
    keyUsageOk,
    revokedAt: revoked?.revokedAt,
    revocationReason: revoked?.reason,
    revocationSource: decided && decided.status !== 'unknown' ? decided.source : undefined,
    problems: [...new Set(problems)],
  };
}
