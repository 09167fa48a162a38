// Checks the signature of a CRL or an OCSP response with Node's crypto: the signed bytes are the
// to-be-signed structure exactly as received, the algorithm comes from its AlgorithmIdentifier.
import { constants, verify, type KeyObject } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';

/** Digest names Node knows, by hash OID (for PSS parameters and OCSP CertIDs). */
export const HASH_BY_OID: Record<string, string> = {
  '1.3.14.3.2.26': 'sha1',
  '2.16.840.1.101.3.4.2.4': 'sha224',
  '2.16.840.1.101.3.4.2.1': 'sha256',
  '2.16.840.1.101.3.4.2.2': 'sha384',
  '2.16.840.1.101.3.4.2.3': 'sha512',
};

const RSA_PKCS1: Record<string, string> = {
  '1.2.840.113549.1.1.5': 'sha1',
  '1.2.840.113549.1.1.14': 'sha224',
  '1.2.840.113549.1.1.11': 'sha256',
  '1.2.840.113549.1.1.12': 'sha384',
  '1.2.840.113549.1.1.13': 'sha512',
};

const ECDSA: Record<string, string> = {
  '1.2.840.10045.4.1': 'sha1',
  '1.2.840.10045.4.3.1': 'sha224',
  '1.2.840.10045.4.3.2': 'sha256',
  '1.2.840.10045.4.3.3': 'sha384',
  '1.2.840.10045.4.3.4': 'sha512',
};

const RSA_PSS = '1.2.840.113549.1.1.10';
const MGF1 = '1.2.840.113549.1.1.8';
const EDDSA = new Set(['1.3.101.112', '1.3.101.113']);

/** PSS parameters as Node takes them; null when they ask for something Node cannot do. */
function pssParams(alg: pkijs.AlgorithmIdentifier): { hash: string; saltLength: number } | null {
  const params = alg.algorithmParams instanceof asn1js.Sequence
    ? new pkijs.RSASSAPSSParams({ schema: alg.algorithmParams })
    : new pkijs.RSASSAPSSParams(); // absent parameters mean all defaults (SHA-1, MGF1-SHA-1, 20)
  const hash = HASH_BY_OID[params.hashAlgorithm.algorithmId];
  if (!hash || params.maskGenAlgorithm.algorithmId !== MGF1) return null;
  // Node's MGF1 uses the message digest; a different MGF1 hash is legal but unsupported here.
  const mgfHash = params.maskGenAlgorithm.algorithmParams instanceof asn1js.Sequence
    ? new pkijs.AlgorithmIdentifier({ schema: params.maskGenAlgorithm.algorithmParams }).algorithmId
    : '1.3.14.3.2.26';
  if (HASH_BY_OID[mgfHash] !== hash) return null;
  return { hash, saltLength: params.saltLength };
}

/**
 * True when `signature` over `data` verifies with `key` under the algorithm `alg`. False for a bad
 * signature and for an algorithm we cannot check (the caller cannot trust either).
 */
export function verifySigned(alg: pkijs.AlgorithmIdentifier, key: KeyObject, data: Uint8Array, signature: Uint8Array): boolean {
  try {
    const oid = alg.algorithmId;
    if (RSA_PKCS1[oid]) {
      return verify(RSA_PKCS1[oid], data, { key, padding: constants.RSA_PKCS1_PADDING }, signature);
    }
    if (ECDSA[oid]) return verify(ECDSA[oid], data, { key, dsaEncoding: 'der' }, signature);
    if (oid === RSA_PSS) {
      const p = pssParams(alg);
      if (!p) return false;
      return verify(p.hash, data, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: p.saltLength }, signature);
    }
    if (EDDSA.has(oid)) return verify(null, data, key, signature);
    return false;
  } catch {
    return false;
  }
}

/** The bits of a BIT STRING signature value. */
export function signatureBytes(bits: asn1js.BitString): Uint8Array {
  return bits.valueBlock.valueHexView;
}
