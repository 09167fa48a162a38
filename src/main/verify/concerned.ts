// Which certificate of a signature's path a verdict speaks of (the signer's, a sub-CA's, the
// root's), so that the messages can name it: "the revocation status of the sub-CA 'X' could not
// be checked" rather than "the certificate".
import type { ChainLink, ChainResult } from './chain.js';

export interface ConcernedCertificate {
  commonName: string;
  role: 'signer' | 'sub-CA' | 'root';
  notBefore: string;
  notAfter: string;
}

function describe(path: ChainLink[], i: number): ConcernedCertificate {
  const link = path[i]!;
  const last = i === path.length - 1 && i > 0;
  const selfIssued = link.info.subject === link.info.issuer;
  return {
    commonName: link.info.commonName,
    role: i === 0 ? 'signer' : last && selfIssued ? 'root' : 'sub-CA',
    notBefore: link.info.notBefore.toISOString(),
    notAfter: link.info.notAfter.toISOString(),
  };
}

/** The certificate a sub-indication is about, or null when it is about none in particular. */
export function concernedCertificate(chain: ChainResult | undefined, sub: string | null, at: Date, now: Date): ConcernedCertificate | null {
  if (!chain || !sub || !chain.path.length) return null;
  const path = chain.path;
  const find = (pred: (l: ChainLink) => boolean): number => path.findIndex(pred);
  let i = -1;
  if (sub === 'REVOKED' || sub === 'REVOKED_NO_POE') i = find((l) => l.revocation?.status === 'revoked');
  else if (sub === 'TRY_LATER') i = find((l) => l.revocation?.status === 'unknown');
  else if (sub === 'NOT_YET_VALID') i = find((l) => l.info.notBefore.getTime() > at.getTime());
  else if (sub === 'EXPIRED' || sub === 'OUT_OF_BOUNDS_NO_POE') {
    i = find((l) => l.info.notAfter.getTime() < at.getTime());
    if (i < 0) i = find((l) => l.info.notAfter.getTime() < now.getTime());
  }
  return i >= 0 ? describe(path, i) : null;
}
