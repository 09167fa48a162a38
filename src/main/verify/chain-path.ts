// Path building: from the signer up through candidate issuers to a trust anchor, trying the
// alternatives when a name has several certificates (re-keyed or cross-certified CAs), and keeping
// the best path found when none is fully valid.
import { hasKeyUsage, isSelfIssued, mayHaveIssued, sameSubjectAndKey, signedBy, type CertView } from './chain-cert.js';

export type PathEnd = 'anchor' | 'self-signed' | 'missing';

export interface BuiltPath {
  /** Signer first; the anchor (the store's own certificate) last when end is 'anchor'. */
  certs: CertView[];
  end: PathEnd;
  /** Per certificate: its signature verifies with the next one's key (anchor / self-signed: own key). */
  signatureValid: boolean[];
  status: 'trusted' | 'untrusted' | 'incomplete';
  /** Structural problems of this path. */
  problems: string[];
}

const MAX_DEPTH = 12;
/** Enough for real PKIs; bounds the work on a pool crafted to explode the search. */
const MAX_PATHS = 64;

interface Search {
  pool: CertView[];
  anchors: CertView[];
  found: BuiltPath[];
}

function anchorFor(c: CertView, anchors: CertView[]): CertView | undefined {
  // Same DER, or the same subject and key under another encoding / validity (a re-issued root).
  return anchors.find((a) => a.fingerprint === c.fingerprint) ?? anchors.find((a) => sameSubjectAndKey(a, c));
}

/** Issuer candidates, anchors first, then those whose signature on `c` verifies. */
function issuersOf(c: CertView, path: CertView[], s: Search): CertView[] {
  const seen = new Set<string>();
  const out: Array<{ v: CertView; score: number }> = [];
  for (const [list, bonus] of [[s.anchors, 2], [s.pool, 0]] as const) {
    for (const v of list) {
      if (seen.has(v.fingerprint) || !mayHaveIssued(v, c)) continue;
      seen.add(v.fingerprint);
      // Never revisit a certificate (or its twin with the same key): that is a loop.
      if (path.some((p) => p.fingerprint === v.fingerprint || sameSubjectAndKey(p, v))) continue;
      out.push({ v, score: bonus + (signedBy(c, v) ? 1 : 0) });
    }
  }
  return out.sort((a, b) => b.score - a.score).map((x) => x.v);
}

/** pathLenConstraint: how many non-self-issued intermediates may follow a CA towards the leaf. */
function pathLenViolated(certs: CertView[], k: number): boolean {
  const limit = certs[k].pathLen;
  if (limit === undefined) return false;
  const below = certs.slice(1, k).filter((c) => !isSelfIssued(c)).length;
  return below > limit;
}

/**
 * Signatures and CA rules of a complete candidate path. The anchor is trusted as configured
 * (RFC 5280 §6.1: its own constraints are not processed).
 */
function evaluate(certs: CertView[], end: PathEnd): BuiltPath {
  const problems: string[] = [];
  const signatureValid: boolean[] = [];
  const last = certs.length - 1;
  certs.forEach((c, i) => {
    const issuer = certs[i + 1];
    const isAnchor = end === 'anchor' && i === last;
    if (issuer) signatureValid.push(signedBy(c, issuer));
    else if (end === 'missing') signatureValid.push(false);
    else signatureValid.push(isSelfIssued(c) ? signedBy(c, c) : true);
    if (issuer && !signatureValid[i]) problems.push('CA_SIGNATURE_INVALID');
    if (isAnchor) return;
    if (c.unknownCritical.length) problems.push('UNKNOWN_CRITICAL_EXTENSION');
    if (i === 0) return;
    if (!c.ca) problems.push('CA_NOT_CA');
    if (!hasKeyUsage(c, 'keyCertSign')) problems.push('CA_KEY_USAGE');
    if (pathLenViolated(certs, i)) problems.push('PATH_LEN');
  });
  if (end === 'missing') problems.push('ISSUER_MISSING');
  if (end === 'self-signed') problems.push('UNTRUSTED_ROOT');
  const status = end === 'missing' ? 'incomplete' : end === 'anchor' && problems.length === 0 ? 'trusted' : 'untrusted';
  return { certs, end, signatureValid, status, problems: [...new Set(problems)] };
}

/** Depth-first search; true when a trusted path was found (stop searching). */
function explore(path: CertView[], s: Search): boolean {
  const cur = path[path.length - 1];
  const anchor = anchorFor(cur, s.anchors);
  if (anchor) {
    // The store's copy ends the path, except for a signer that is itself trusted: its own
    // certificate (validity, key usage) is what is being judged.
    const p = evaluate(path.length === 1 ? path : [...path.slice(0, -1), anchor], 'anchor');
    s.found.push(p);
    return p.status === 'trusted';
  }
  const issuers = path.length < MAX_DEPTH ? issuersOf(cur, path, s) : [];
  for (const issuer of issuers) {
    if (explore([...path, issuer], s) || s.found.length >= MAX_PATHS) return true;
  }
  if (!issuers.length) {
    const selfSigned = isSelfIssued(cur) && signedBy(cur, cur);
    s.found.push(evaluate(path, selfSigned ? 'self-signed' : 'missing'));
  }
  return false;
}

function rank(p: BuiltPath): number {
  const base = p.status === 'trusted' ? 3000 : p.end === 'anchor' ? 2000 : p.end === 'self-signed' ? 1000 : 0;
  return base - p.problems.length * 10 - p.certs.length;
}

/** The best path from `signer` (trusted if there is one). */
export function buildPath(signer: CertView, pool: CertView[], anchors: CertView[]): BuiltPath {
  const s: Search = { pool, anchors, found: [] };
  explore([signer], s);
  return s.found.reduce((best, p) => (rank(p) > rank(best) ? p : best));
}
