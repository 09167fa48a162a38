// How one signature is asked of a token: which PKCS#11 mechanism, with which parameters, over which
// bytes. Tokens differ: most sign with hash-and-sign mechanisms (CKM_SHA256_RSA_PKCS), some older
// Vietnamese tokens only with the raw ones (CKM_RSA_PKCS over a DigestInfo Kyso builds itself).
import { createHash } from 'node:crypto';
import type { Mechanism } from 'pkcs11js';
import type { DigestAlgorithm, KeyDescription, SignatureScheme } from '../cms/signer.js';
import { P11 } from './pkcs11.js';

export interface SignAttempt {
  /** For messages: "CKM_SHA256_RSA_PKCS". */
  name: string;
  mechanism: Mechanism;
  /** What C_Sign is given: the whole message, a hash, or a DigestInfo. */
  input: Buffer;
  /** The token returns r || s, which CMS wants as DER. */
  ecdsaRaw: boolean;
}

// DER of DigestInfo { AlgorithmIdentifier { hash OID, NULL }, OCTET STRING (hash) } up to the hash itself.
const DIGEST_INFO_PREFIX: Record<DigestAlgorithm, Buffer> = {
  sha256: Buffer.from('3031300d060960864801650304020105000420', 'hex'),
  sha384: Buffer.from('3041300d060960864801650304020205000430', 'hex'),
  sha512: Buffer.from('3051300d060960864801650304020305000440', 'hex'),
};

const HASH_LEN: Record<DigestAlgorithm, number> = { sha256: 32, sha384: 48, sha512: 64 };

const RSA_PKCS_WITH: Record<DigestAlgorithm, [number, string]> = {
  sha256: [P11.CKM_SHA256_RSA_PKCS, 'CKM_SHA256_RSA_PKCS'],
  sha384: [P11.CKM_SHA384_RSA_PKCS, 'CKM_SHA384_RSA_PKCS'],
  sha512: [P11.CKM_SHA512_RSA_PKCS, 'CKM_SHA512_RSA_PKCS'],
};

const RSA_PSS_WITH: Record<DigestAlgorithm, [number, string]> = {
  sha256: [P11.CKM_SHA256_RSA_PKCS_PSS, 'CKM_SHA256_RSA_PKCS_PSS'],
  sha384: [P11.CKM_SHA384_RSA_PKCS_PSS, 'CKM_SHA384_RSA_PKCS_PSS'],
  sha512: [P11.CKM_SHA512_RSA_PKCS_PSS, 'CKM_SHA512_RSA_PKCS_PSS'],
};

const HASH_MECHANISM: Record<DigestAlgorithm, number> = { sha256: P11.CKM_SHA256, sha384: P11.CKM_SHA384, sha512: P11.CKM_SHA512 };
const MGF1: Record<DigestAlgorithm, number> = { sha256: P11.CKG_MGF1_SHA256, sha384: P11.CKG_MGF1_SHA384, sha512: P11.CKG_MGF1_SHA512 };

export function digestInfo(digest: DigestAlgorithm, hash: Buffer): Buffer {
  return Buffer.concat([DIGEST_INFO_PREFIX[digest], hash]);
}

/** PSS as CMS (build.ts) declares it: MGF1 with the same hash, salt as long as the hash. */
function pssParameter(digest: DigestAlgorithm) {
  return { type: P11.CK_PARAMS_RSA_PSS, hashAlg: HASH_MECHANISM[digest], mgf: MGF1[digest], saltLen: HASH_LEN[digest] };
}

/**
 * The ways to make one signature, best first; the last is the fallback used when the token lacks the
 * earlier mechanisms. `forceRaw` keeps only the raw fallback (tests, and tokens whose hash-and-sign is broken).
 */
export function signAttempts(scheme: SignatureScheme, digest: DigestAlgorithm, data: Buffer, forceRaw = false): SignAttempt[] {
  const hash = createHash(digest).update(data).digest();
  if (scheme === 'ecdsa') {
    // Hash-and-sign ECDSA mechanisms are rare on tokens; CKM_ECDSA over our hash works everywhere.
    return [{ name: 'CKM_ECDSA', mechanism: { mechanism: P11.CKM_ECDSA }, input: hash, ecdsaRaw: true }];
  }
  if (scheme === 'rsa-pss') {
    const [mech, name] = RSA_PSS_WITH[digest];
    const parameter = pssParameter(digest);
    const raw: SignAttempt = { name: 'CKM_RSA_PKCS_PSS', mechanism: { mechanism: P11.CKM_RSA_PKCS_PSS, parameter }, input: hash, ecdsaRaw: false };
    return forceRaw ? [raw] : [{ name, mechanism: { mechanism: mech, parameter }, input: data, ecdsaRaw: false }, raw];
  }
  const [mech, name] = RSA_PKCS_WITH[digest];
  const raw: SignAttempt = { name: 'CKM_RSA_PKCS', mechanism: { mechanism: P11.CKM_RSA_PKCS }, input: digestInfo(digest, hash), ecdsaRaw: false };
  return forceRaw ? [raw] : [{ name, mechanism: { mechanism: mech }, input: data, ecdsaRaw: false }, raw];
}

/**
 * The way to sign a hash made elsewhere (the signing service's SignHash): only the raw mechanisms,
 * which take the hash (ECDSA, PSS) or a DigestInfo around it (PKCS#1 v1.5) instead of the message.
 */
export function digestSignAttempts(scheme: SignatureScheme, digest: DigestAlgorithm, hash: Buffer): SignAttempt[] {
  if (hash.length !== HASH_LEN[digest]) throw new Error(`a ${digest} hash has ${HASH_LEN[digest]} bytes, not ${hash.length}`);
  if (scheme === 'ecdsa') return [{ name: 'CKM_ECDSA', mechanism: { mechanism: P11.CKM_ECDSA }, input: hash, ecdsaRaw: true }];
  if (scheme === 'rsa-pss') return [{ name: 'CKM_RSA_PKCS_PSS', mechanism: { mechanism: P11.CKM_RSA_PKCS_PSS, parameter: pssParameter(digest) }, input: hash, ecdsaRaw: false }];
  return [{ name: 'CKM_RSA_PKCS', mechanism: { mechanism: P11.CKM_RSA_PKCS }, input: digestInfo(digest, hash), ecdsaRaw: false }];
}

/** Room for the signature C_Sign returns (it is sliced to the real length). */
export function signatureBufferSize(key: KeyDescription): number {
  return Math.max(1024, 2 * Math.ceil(key.bits / 8) + 16);
}

/** The scheme a key signs with when none is asked for, and whether an asked one fits the key. */
export function schemeFor(key: KeyDescription, asked?: SignatureScheme): SignatureScheme | undefined {
  if (key.type === 'EC') return asked === undefined || asked === 'ecdsa' ? 'ecdsa' : undefined;
  if (asked === undefined) return 'rsa-pkcs1';
  return asked === 'ecdsa' ? undefined : asked;
}
