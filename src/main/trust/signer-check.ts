// Before the token signs (TT 15/2025): the signer's own certificate is checked as a receiver will
// check it (validity, key usage, path to a trusted root, revocation), with the verifier's own path
// building and revocation code, and what a receiver needs is gathered to go into the signature:
// every intermediate (a token often holds only the signer's certificate) and the CRLs / OCSP
// responses that said "good". A revoked certificate stops the signing (CERT_REVOKED); what cannot
// be established (no path to a trusted root, revocation unknown) is a warning that says why.
//
// Intermediates come from the token, from files given (--cert, the desk's DATA/certs), from the
// trust store, from the CA catalogue (downloaded on first use, fingerprint checked) and from the
// certificate's authorityInfoAccess caIssuers address over http(s), cached.
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as pkijs from 'pkijs';
import { KysoError } from '../../shared/errors.js';
import { validateCertificate, type ChainResult, type TrustStore } from '../verify/chain.js';
import { viewAll, viewCertificate, type CertView } from '../verify/chain-cert.js';
import { buildPath } from '../verify/chain-path.js';
import { checkCrl } from '../verify/revocation-crl.js';
import { cacheGet, cachePut, httpFetch } from '../verify/revocation-http.js';
import { buildOcspRequest, checkOcsp } from '../verify/revocation-ocsp.js';
import type { RevocationResult } from '../verify/revocation.js';
import { catalogueCertificates, catalogueIssuersOf, fetchCatalogueEntry } from './catalogue.js';
import { certificatesIn } from './formats.js';

export interface SignerCheckOptions {
  /** DER of the signer's certificate. */
  certificate: Buffer;
  /** The CA certificates the token holds. */
  tokenChain: readonly Buffer[];
  /** Intermediates from files: --cert, the desk's DATA/certs. */
  extraCerts?: Buffer[];
  trust: TrustStore;
  /** CRLs at hand: --crl, the desk's DATA/crl. */
  crls?: Buffer[];
  /** May ask OCSP responders, CRL distribution points, caIssuers addresses and the catalogue's. */
  online: boolean;
  /** May ask OCSP responders and CRL distribution points (default: `online`). */
  onlineRevocation?: boolean;
  /** Cache of fetched revocation data and caIssuers certificates. */
  cacheDir?: string;
  /** Per request, default 4000 ms: the person is waiting to sign. */
  timeoutMs?: number;
  now?: Date;
}

/** A warning for the person signing, in both languages, with a machine code. */
export interface SignerWarning {
  code: 'CHAIN_INCOMPLETE' | 'CHAIN_UNTRUSTED' | 'REVOCATION_UNKNOWN' | 'CATALOGUE_REFUSED';
  /** The certificate it is about. */
  certificate: string;
  vi: string;
  en: string;
}

export interface SignerCheck {
  /** The intermediates to embed, signer's issuer first (the trust anchor itself left out). */
  chain: Buffer[];
  /** The revocation data that vouched for the path, to embed. */
  revocation: { crls: Buffer[]; ocsps: Buffer[] };
  /** trusted / untrusted / incomplete, as the verifier says it. */
  status: ChainResult['chain'];
  /** Signer first: each certificate's common name and revocation status. */
  path: Array<{ commonName: string; role: CertRole; revocation: RevocationResult['status'] | 'anchor' }>;
  warnings: SignerWarning[];
}

export type CertRole = 'signer' | 'sub-CA' | 'root';

const AD_CA_ISSUERS = '1.3.6.1.5.5.7.48.2';
const AIA = '1.3.6.1.5.5.7.1.1';
const DAY = 86_400_000;

/** http(s) caIssuers addresses of a certificate's authorityInfoAccess. */
export function caIssuersUrls(c: CertView): string[] {
  const ext = (c.cert.extensions ?? []).find((e) => e.extnID === AIA)?.parsedValue;
  if (!(ext instanceof pkijs.InfoAccess)) return [];
  return ext.accessDescriptions
    .filter((d) => d.accessMethod === AD_CA_ISSUERS && d.accessLocation.type === 6 && typeof d.accessLocation.value === 'string')
    .map((d) => d.accessLocation.value as string)
    .filter((u) => /^https?:\/\//i.test(u));
}

/** The certificates at a caIssuers address (DER, PEM or PKCS#7), from the cache while it is fresh. */
async function fetchCaIssuers(url: string, o: SignerCheckOptions, problems: string[]): Promise<Buffer[]> {
  const key = `caIssuers ${url}`;
  const cached = cacheGet(o.cacheDir, key);
  if (cached) return certificatesIn(cached);
  try {
    const body = await httpFetch(url, { method: 'GET', timeoutMs: o.timeoutMs ?? 4000, maxBytes: 1024 * 1024 });
    const certs = certificatesIn(body);
    // A CA certificate changes rarely: a month, or until it expires.
    if (certs.length) {
      const until = Math.min(Date.now() + 30 * DAY, ...certs.map((c) => viewCertificate(c).info.notAfter.getTime()));
      cachePut(o.cacheDir, key, body, new Date(until));
    }
    return certs;
  } catch (e) {
    problems.push(`${url}: ${(e as Error).message}`);
    return [];
  }
}

function roleOf(i: number, n: number, anchored: boolean): CertRole {
  if (i === 0) return 'signer';
  return anchored && i === n - 1 ? 'root' : 'sub-CA';
}

const ROLE_VI: Record<CertRole, string> = { signer: 'chứng thư số của người ký', 'sub-CA': 'CA trung gian', root: 'CA gốc' };
const ROLE_EN: Record<CertRole, string> = { signer: "the signer's certificate", 'sub-CA': 'the sub-CA', root: 'the root CA' };

/** Why a revocation status is unknown, said plainly. */
function why(r: RevocationResult, c: CertView, online: boolean): { vi: string; en: string } {
  const d = r.detail ?? 'NO_EVIDENCE';
  const tryLater = /TRY_LATER: (\S+?): (.*)/.exec(d);
  if (tryLater) return { vi: `máy chủ ${tryLater[1]} không trả lời (${tryLater[2]})`, en: `the server ${tryLater[1]} did not answer (${tryLater[2]})` };
  if (/STALE/.test(d)) return { vi: 'danh sách thu hồi (CRL) hoặc trả lời OCSP đã cũ', en: 'the CRL or OCSP answer at hand is out of date' };
  if (/ISSUER_MISSING/.test(d)) return { vi: 'không tìm thấy chứng thư của tổ chức cấp', en: "its issuer's certificate was not found" };
  if (/SIGNATURE_INVALID|UNAUTHORIZED/.test(d)) return { vi: `bằng chứng thu hồi không đáng tin (${d})`, en: `the revocation data cannot be trusted (${d})` };
  const hasUrls = c.crlUrls.length + c.ocspUrls.length > 0;
  if (!online && hasUrls) return { vi: 'đang ký ngoại tuyến (--offline) và không có CRL phù hợp', en: 'signing offline (--offline) with no matching CRL given' };
  if (!hasUrls) return { vi: 'chứng thư không ghi địa chỉ CRL hay OCSP và không có CRL phù hợp', en: 'the certificate names no CRL or OCSP address and no matching CRL was given' };
  return { vi: `không có bằng chứng (${d})`, en: `no evidence (${d})` };
}

/**
 * The pool and anchors, completed until the path reaches an anchor or nothing more can be found:
 * the catalogue (downloaded on first use when online), then the caIssuers addresses.
 */
async function complete(signer: CertView, o: SignerCheckOptions, pool: Buffer[], anchors: Buffer[], warnings: SignerWarning[], problems: string[]): Promise<void> {
  const tried = new Set<string>();
  for (let round = 0; round < 8; round++) {
    const built = buildPath(signer, viewAll(pool), viewAll(anchors));
    if (built.end !== 'missing') return;
    const last = built.certs[built.certs.length - 1]!;
    let found = false;
    if (o.online) {
      for (const entry of catalogueIssuersOf(last.info.issuerCommonName)) {
        if (tried.has(entry.id)) continue;
        tried.add(entry.id);
        try {
          const der = await fetchCatalogueEntry(entry, o.timeoutMs ?? 4000);
          (entry.kind === 'root' ? anchors : pool).push(der);
          found = true;
        } catch (e) {
          const err = e as KysoError;
          warnings.push({ code: 'CATALOGUE_REFUSED', certificate: entry.name, vi: `Không dùng được chứng thư "${entry.name}" của danh mục: ${err.code}.`, en: `The catalogue certificate "${entry.name}" could not be used: ${err.code}.` });
        }
      }
      for (const url of caIssuersUrls(last)) {
        if (tried.has(url)) continue;
        tried.add(url);
        const certs = await fetchCaIssuers(url, o, problems);
        if (certs.length) {
          pool.push(...certs);
          found = true;
        }
      }
    }
    if (!found) return;
  }
}

/** The CRLs and OCSP responses that say "good" or "revoked" about `cert`, from what is at hand and the cache. */
export function evidenceFor(cert: CertView, issuer: CertView, at: Date, o: Pick<SignerCheckOptions, 'crls' | 'cacheDir'>): { crls: Buffer[]; ocsps: Buffer[] } {
  const decisive = (r: RevocationResult | null) => r?.status === 'good' || r?.status === 'revoked';
  const crls = (o.crls ?? []).filter((d) => decisive(checkCrl(d, cert, issuer, at)));
  const ocsps: Buffer[] = [];
  // What the verifier's online checks fetched and cached (same keys as revocation-online.ts).
  for (const url of cert.crlUrls) {
    const d = cacheGet(o.cacheDir, `crl ${url}`);
    if (d && decisive(checkCrl(d, cert, issuer, at))) crls.push(d);
  }
  for (const url of cert.ocspUrls) {
    const d = cacheGet(o.cacheDir, `ocsp ${url} ${buildOcspRequest(cert, issuer).toString('hex')}`);
    if (d && decisive(checkOcsp(d, cert, issuer, at))) ocsps.push(d);
  }
  // One OCSP answer is enough; the CRL then only adds weight to the signature.
  return ocsps.length ? { crls: [], ocsps: ocsps.slice(0, 1) } : { crls: crls.slice(0, 1), ocsps: [] };
}

const dateOf = (d: Date | undefined): string => (d ? d.toISOString().slice(0, 10) : '?');

/**
 * Checks the signer's certificate now and gathers what goes into the signature. Throws
 * CERT_REVOKED, CERT_EXPIRED, CERT_NOT_YET_VALID or CERT_KEY_USAGE; everything else is a warning.
 */
export async function checkSignerCertificate(opts: SignerCheckOptions): Promise<SignerCheck> {
  // What is fetched online is read back from the cache to be embedded: there is always one.
  const o = { ...opts, cacheDir: opts.cacheDir ?? join(tmpdir(), `kyso-${process.getuid?.() ?? 'user'}`, 'revocation') };
  const now = o.now ?? new Date();
  const signer = viewCertificate(o.certificate);
  const fromCatalogue = catalogueCertificates();
  const anchors = [...o.trust.anchors, ...fromCatalogue.anchors];
  const pool = [...o.tokenChain, ...(o.extraCerts ?? []), ...fromCatalogue.intermediates];
  const warnings: SignerWarning[] = [];
  const fetchProblems: string[] = [];
  await complete(signer, o, pool, anchors, warnings, fetchProblems);

  const result = await validateCertificate({
    signer: o.certificate,
    pool,
    trust: { anchors },
    at: now,
    now,
    revocation: { crls: o.crls ?? [], ocsps: [], online: o.onlineRevocation ?? o.online, cacheDir: o.cacheDir, timeoutMs: o.timeoutMs ?? 4000 },
  });
  const links = result.path;
  const end = viewCertificate(links[links.length - 1]!.der);
  const anchored = links.length > 1 && (result.chain === 'trusted' || end.subject.equals(end.issuer));
  const named = (i: number) => links[i]!.info.commonName;

  const revoked = links.findIndex((l) => l.revocation?.status === 'revoked');
  if (revoked >= 0) {
    const r = links[revoked]!.revocation!;
    throw new KysoError('CERT_REVOKED', { subject: named(revoked), revokedAt: dateOf(r.revokedAt), reason: r.reason ?? 'unspecified', role: roleOf(revoked, links.length, anchored) });
  }
  for (let i = 0; i < links.length; i++) {
    const info = links[i]!.info;
    if (now < info.notBefore) throw new KysoError('CERT_NOT_YET_VALID', { subject: info.commonName, notBefore: dateOf(info.notBefore) });
    if (now > info.notAfter) throw new KysoError('CERT_EXPIRED', { subject: info.commonName, notAfter: dateOf(info.notAfter) });
  }
  if (!result.keyUsageOk) throw new KysoError('CERT_KEY_USAGE', { subject: signer.info.commonName });

  const last = links[links.length - 1]!;
  if (result.chain === 'incomplete') {
    const tried = fetchProblems.length ? ` (${fetchProblems.join('; ')})` : '';
    warnings.push({
      code: 'CHAIN_INCOMPLETE',
      certificate: last.info.commonName,
      vi: `Không tìm thấy chứng thư của tổ chức cấp "${last.info.issuerCommonName}" cho "${last.info.commonName}"${tried}: người nhận có thể không kiểm tra được chữ ký. Thêm chứng thư CA trung gian (--cert) hoặc nhập chứng thư trong danh mục (kyso trust import).`,
      en: `The certificate of the issuer "${last.info.issuerCommonName}" of "${last.info.commonName}" was not found${tried}: a receiver may not be able to check the signature. Give the sub-CA's certificate (--cert) or import the catalogue certificate (kyso trust import).`,
    });
  } else if (result.chain === 'untrusted') {
    const problems = result.problems.join(', ');
    const notAnchor = result.problems.includes('UNTRUSTED_ROOT');
    warnings.push({
      code: 'CHAIN_UNTRUSTED',
      certificate: last.info.commonName,
      vi: notAnchor
        ? `Chuỗi chứng thư của người ký kết thúc ở "${last.info.commonName}", không phải chứng thư gốc được tin cậy (${problems}).`
        : `Chuỗi chứng thư của người ký đến "${last.info.commonName}" không hợp lệ (${problems}): người nhận sẽ không tin cậy chữ ký.`,
      en: notAnchor
        ? `The signer's chain ends at "${last.info.commonName}", which is not a trusted root (${problems}).`
        : `The signer's chain to "${last.info.commonName}" does not hold (${problems}): a receiver will not trust the signature.`,
    });
  }
  links.forEach((l, i) => {
    if (l.revocation?.status !== 'unknown' || l.revocation.detail === 'ISSUER_MISSING') return;
    const role = roleOf(i, links.length, anchored);
    const reason = why(l.revocation, viewCertificate(l.der), o.onlineRevocation ?? o.online);
    warnings.push({
      code: 'REVOCATION_UNKNOWN',
      certificate: l.info.commonName,
      vi: `Chưa kiểm tra được tình trạng thu hồi của ${ROLE_VI[role]} "${l.info.commonName}": ${reason.vi}.`,
      en: `The revocation status of ${ROLE_EN[role]} '${l.info.commonName}' could not be checked: ${reason.en}.`,
    });
  });

  // Intermediates: the path without the signer and without a self-signed end (the receiver's anchor).
  const chain = links.slice(1).map((l) => l.der).filter((d) => {
    const v = viewCertificate(d);
    return !v.subject.equals(v.issuer);
  });
  const revocation = { crls: [] as Buffer[], ocsps: [] as Buffer[] };
  for (let i = 0; i + 1 < links.length; i++) {
    const e = evidenceFor(viewCertificate(links[i]!.der), viewCertificate(links[i + 1]!.der), now, o);
    for (const d of e.crls) if (!revocation.crls.some((x) => x.equals(d))) revocation.crls.push(d);
    for (const d of e.ocsps) if (!revocation.ocsps.some((x) => x.equals(d))) revocation.ocsps.push(d);
  }
  return {
    chain,
    revocation,
    status: result.chain,
    path: links.map((l, i) => ({ commonName: l.info.commonName, role: roleOf(i, links.length, anchored), revocation: l.revocation?.status ?? 'anchor' })),
    warnings,
  };
}
