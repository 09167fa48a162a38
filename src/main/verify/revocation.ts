// Is a certificate revoked? Decided from the evidence we were given (CRLs and OCSP responses from
// the PDF's DSS, the CMS or files), and, only when allowed, from the issuer's CRL distribution
// points and OCSP responder over http(s), with an on-disk cache.
import { viewCertificate, type CertView } from './chain-cert.js';
import { checkCrl } from './revocation-crl.js';
import { fetchCrlOnline, fetchOcspOnline } from './revocation-online.js';
import { checkOcsp } from './revocation-ocsp.js';

export interface RevocationSources {
  /** DER CRLs: from the PDF's DSS, from --crl files. */
  crls: Buffer[];
  /** DER OCSPResponse: from DSS, --ocsp files, or the CMS's adbe-revocationInfoArchival. */
  ocsps: Buffer[];
  /** May fetch CRL distribution points / AIA OCSP over http(s). */
  online: boolean;
  /** Where fetched CRLs/OCSP responses are cached (keyed by URL hash; reused until nextUpdate). */
  cacheDir?: string;
  /** Per request; default 5000. */
  timeoutMs?: number;
}

export interface RevocationResult {
  status: 'good' | 'revoked' | 'unknown';
  source?: 'crl' | 'ocsp';
  revokedAt?: Date;
  /** CRLReason name, e.g. 'keyCompromise'. */
  reason?: string;
  thisUpdate?: Date;
  nextUpdate?: Date;
  /** Why the answer is what it is, e.g. 'NO_EVIDENCE', 'STALE_CRL', 'TRY_LATER: ...'. */
  detail?: string;
  /** Evidence that was there but unusable, as short codes ('CRL_SIGNATURE_INVALID'...). */
  problems?: string[];
}

export const DEFAULT_TIMEOUT_MS = 5000;

/** Revoked beats good (a newer "good" does not undo a revocation), good beats unknown. */
export function combine(results: RevocationResult[]): RevocationResult {
  const problems = [...new Set(results.flatMap((r) => r.problems ?? []))];
  const pick = results.find((r) => r.status === 'revoked') ?? results.find((r) => r.status === 'good');
  if (pick) return withProblems(pick, problems);
  const details = results.map((r) => r.detail).filter((d): d is string => Boolean(d));
  return withProblems({ status: 'unknown', detail: details.length ? details.join('; ') : 'NO_EVIDENCE' }, problems);
}

function withProblems(r: RevocationResult, problems: string[]): RevocationResult {
  const out: RevocationResult = { ...r };
  delete out.problems;
  if (problems.length) out.problems = problems;
  return out;
}

export function isDecisive(r: RevocationResult): boolean {
  return r.status === 'good' || r.status === 'revoked';
}

/** The evidence at hand: every CRL and OCSP response that speaks about this certificate. */
function checkOffline(cert: CertView, issuer: CertView, at: Date, src: RevocationSources): RevocationResult[] {
  const out: RevocationResult[] = [];
  for (const der of src.ocsps) {
    const r = checkOcsp(der, cert, issuer, at);
    if (r) out.push(r);
  }
  for (const der of src.crls) {
    const r = checkCrl(der, cert, issuer, at);
    if (r) out.push(r);
  }
  return out;
}

/**
 * The revocation status of `cert` (issued by `issuer`), for a signature judged at `at`. A
 * revocation is reported with its date whatever `at` is: whether a revocation after `at` matters
 * is the caller's decision. "good" needs evidence that covers `at` (issued after it, or before it
 * with a nextUpdate not earlier than it).
 */
export async function checkRevocation(cert: Buffer, issuer: Buffer, at: Date, src: RevocationSources): Promise<RevocationResult> {
  const c = viewCertificate(cert);
  const i = viewCertificate(issuer);
  const results = checkOffline(c, i, at, src);
  const offline = combine(results);
  if (isDecisive(offline) || !src.online) return offline;

  const opts = { cacheDir: src.cacheDir, timeoutMs: src.timeoutMs ?? DEFAULT_TIMEOUT_MS };
  // OCSP first: one small answer about this certificate, where a CRL may be megabytes.
  const ocsp = await fetchOcspOnline(c, i, at, opts);
  results.push(...ocsp);
  if (ocsp.some(isDecisive)) return combine(results);
  results.push(...(await fetchCrlOnline(c, i, at, opts)));
  return combine(results);
}
