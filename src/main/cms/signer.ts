// A signer hides where the private key lives (a PKCS#11 token, or a software key in tests).
// The CMS layer asks it to sign the DER of the signed attributes; nothing else leaves the key.
import type { KeyObject } from 'node:crypto';
import { sign as nodeSign, createPublicKey } from 'node:crypto';

export type DigestAlgorithm = 'sha256' | 'sha384' | 'sha512';

/** How the signature value is made. RSA PKCS#1 v1.5 is what most Vietnamese files carry; PSS is what TT 15/2025 asks for. */
export type SignatureScheme = 'rsa-pkcs1' | 'rsa-pss' | 'ecdsa';

export type KeyDescription =
  | { type: 'RSA'; bits: number }
  | { type: 'EC'; curve: 'P-256' | 'P-384' | 'P-521'; bits: number };

export interface Signer {
  /** DER of the signer's certificate. */
  readonly certificate: Buffer;
  /** DER of the intermediate certificates to embed (signer excluded, root optional). */
  readonly chain: readonly Buffer[];
  readonly key: KeyDescription;
  readonly scheme: SignatureScheme;
  /**
   * Signs `data` (the DER of the CMS signed attributes) with the given digest.
   * Returns the value as CMS carries it: the raw RSA signature, or for ECDSA the DER SEQUENCE { r, s }.
   */
  sign(data: Buffer, digest: DigestAlgorithm): Promise<Buffer>;
  /** Signs a hash computed elsewhere (the same value form as sign()); signers that cannot leave it out. */
  signDigest?(hash: Buffer, digest: DigestAlgorithm): Promise<Buffer>;
}

/** The largest signature value the key can make, in bytes, so a placeholder can be sized without signing. */
export function maxSignatureSize(key: KeyDescription): number {
  if (key.type === 'RSA') return Math.ceil(key.bits / 8);
  // DER SEQUENCE { INTEGER r, INTEGER s }: each integer may gain a leading zero byte.
  const n = Math.ceil(key.bits / 8) + 1;
  const body = 2 * (2 + n);
  return body < 128 ? 2 + body : 3 + body;
}

/** Converts a PKCS#11 ECDSA value (r || s, fixed width) to DER SEQUENCE { r, s }. */
export function ecdsaRawToDer(raw: Buffer): Buffer {
  if (raw.length % 2 !== 0) throw new Error('ECDSA signature has odd length');
  const half = raw.length / 2;
  const int = (b: Buffer): Buffer => {
    let i = 0;
    while (i < b.length - 1 && b[i] === 0) i++;
    let v = b.subarray(i);
    if (v[0]! & 0x80) v = Buffer.concat([Buffer.from([0]), v]);
    return Buffer.concat([Buffer.from([0x02, v.length]), v]);
  };
  const body = Buffer.concat([int(raw.subarray(0, half)), int(raw.subarray(half))]);
  const len = body.length < 128 ? Buffer.from([body.length]) : Buffer.from([0x81, body.length]);
  return Buffer.concat([Buffer.from([0x30]), len, body]);
}

/** A signer over a key held in memory: for tests and for the benchmark's baseline, never for users' keys. */
export class SoftwareSigner implements Signer {
  readonly key: KeyDescription;

  constructor(
    private readonly privateKey: KeyObject,
    readonly certificate: Buffer,
    readonly chain: readonly Buffer[] = [],
    readonly scheme: SignatureScheme = privateKey.asymmetricKeyType === 'ec' ? 'ecdsa' : 'rsa-pkcs1',
  ) {
    const pub = createPublicKey(privateKey);
    const d = pub.asymmetricKeyDetails ?? {};
    if (pub.asymmetricKeyType === 'ec') {
      const curve = d.namedCurve === 'prime256v1' ? 'P-256' : d.namedCurve === 'secp384r1' ? 'P-384' : 'P-521';
      this.key = { type: 'EC', curve, bits: curve === 'P-256' ? 256 : curve === 'P-384' ? 384 : 521 };
    } else {
      this.key = { type: 'RSA', bits: d.modulusLength ?? 2048 };
    }
  }

  async sign(data: Buffer, digest: DigestAlgorithm): Promise<Buffer> {
    if (this.scheme === 'ecdsa') return nodeSign(digest, data, { key: this.privateKey, dsaEncoding: 'der' });
    if (this.scheme === 'rsa-pss') {
      const saltLength = digest === 'sha256' ? 32 : digest === 'sha384' ? 48 : 64;
      return nodeSign(digest, data, { key: this.privateKey, padding: 6 /* RSA_PKCS1_PSS_PADDING */, saltLength });
    }
    return nodeSign(digest, data, this.privateKey);
  }
}
