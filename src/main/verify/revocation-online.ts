// Asking the network: the certificate's OCSP responders (AIA) and CRL distribution points, each
// answer checked like offline evidence and cached when it proved usable.
import type { CertView } from './chain-cert.js';
import { checkCrl, parseCrl } from './revocation-crl.js';
import { cacheGet, cachePut, httpFetch, pemToDer } from './revocation-http.js';
import { buildOcspRequest, checkOcsp, parseOcsp } from './revocation-ocsp.js';
import type { RevocationResult } from './revocation.js';

export interface OnlineOptions {
  cacheDir?: string;
  timeoutMs: number;
}

const decisive = (r: RevocationResult | null): r is RevocationResult => r?.status === 'good' || r?.status === 'revoked';

function httpUrls(urls: string[]): string[] {
  return urls.filter((u) => /^https?:\/\//i.test(u));
}

function networkFailure(source: 'crl' | 'ocsp', url: string, e: unknown): RevocationResult {
  // The network said nothing about the certificate: like OCSP's tryLater, ask again later.
  return { status: 'unknown', source, detail: `TRY_LATER: ${url}: ${(e as Error).message}` };
}

async function askResponder(url: string, cert: CertView, issuer: CertView, at: Date, opts: OnlineOptions): Promise<RevocationResult> {
  const request = buildOcspRequest(cert, issuer);
  // The request body holds the CertID, so URL + request names one certificate's answer.
  const key = `ocsp ${url} ${request.toString('hex')}`;
  const cached = cacheGet(opts.cacheDir, key);
  const fromCache = cached ? checkOcsp(cached, cert, issuer, at) : null;
  if (decisive(fromCache)) return fromCache;

  let der: Buffer;
  try {
    der = await httpFetch(url, {
      method: 'POST',
      body: request,
      contentType: 'application/ocsp-request',
      accept: 'application/ocsp-response',
      timeoutMs: opts.timeoutMs,
      maxBytes: 1024 * 1024,
    });
  } catch (e) {
    return networkFailure('ocsp', url, e);
  }
  const parsed = parseOcsp(der);
  if ('error' in parsed) {
    const detail = parsed.error === 'tryLater' ? `TRY_LATER: ${url}` : `OCSP_${parsed.error}: ${url}`;
    return { status: 'unknown', source: 'ocsp', detail };
  }
  const r = checkOcsp(der, cert, issuer, at) ?? { status: 'unknown', source: 'ocsp', detail: `OCSP_NO_MATCHING_RESPONSE: ${url}` };
  if (decisive(r)) cachePut(opts.cacheDir, key, der, r.nextUpdate);
  return r;
}

async function downloadCrl(url: string, cert: CertView, issuer: CertView, at: Date, opts: OnlineOptions): Promise<RevocationResult> {
  const key = `crl ${url}`;
  const cached = cacheGet(opts.cacheDir, key);
  const fromCache = cached ? checkCrl(cached, cert, issuer, at) : null;
  if (decisive(fromCache)) return fromCache;

  let der: Buffer;
  try {
    der = pemToDer(await httpFetch(url, { method: 'GET', timeoutMs: opts.timeoutMs }));
  } catch (e) {
    return networkFailure('crl', url, e);
  }
  const r = checkCrl(der, cert, issuer, at) ?? { status: 'unknown', source: 'crl', detail: `CRL_NOT_FOR_ISSUER: ${url}` };
  // A CRL is about every certificate of its issuer: keep it whenever its signature checked out.
  if (decisive(r)) cachePut(opts.cacheDir, key, der, parseCrl(der)?.nextUpdate?.value);
  return r;
}

/** Answers of the certificate's OCSP responders, stopping at the first decisive one. */
export async function fetchOcspOnline(cert: CertView, issuer: CertView, at: Date, opts: OnlineOptions): Promise<RevocationResult[]> {
  const out: RevocationResult[] = [];
  for (const url of httpUrls(cert.ocspUrls)) {
    const r = await askResponder(url, cert, issuer, at, opts);
    out.push(r);
    if (decisive(r)) break;
  }
  return out;
}

/** Verdicts of the certificate's CRL distribution points, stopping at the first decisive one. */
export async function fetchCrlOnline(cert: CertView, issuer: CertView, at: Date, opts: OnlineOptions): Promise<RevocationResult[]> {
  const out: RevocationResult[] = [];
  for (const url of httpUrls(cert.crlUrls)) {
    const r = await downloadCrl(url, cert, issuer, at, opts);
    out.push(r);
    if (decisive(r)) break;
  }
  return out;
}
