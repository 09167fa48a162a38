// Certificates as authorities publish them: PEM (one or more), a DER certificate, or a PKCS#7
// "certs-only" bundle (.p7b/.p7c, DER or PEM), which is how rootca.gov.vn serves its chain.
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';

const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----([A-Za-z0-9+/=\s]+?)-----END \1-----/g;
const SIGNED_DATA = '1.2.840.113549.1.7.2';

function toArrayBuffer(b: Uint8Array): ArrayBuffer {
  return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;
}

/** The certificates of a PKCS#7 SignedData bundle; [] when `der` is not one. */
function fromPkcs7(der: Buffer): Buffer[] {
  try {
    const info = pkijs.ContentInfo.fromBER(toArrayBuffer(der));
    if (info.contentType !== SIGNED_DATA) return [];
    const sd = new pkijs.SignedData({ schema: info.content });
    return (sd.certificates ?? []).filter((c): c is pkijs.Certificate => c instanceof pkijs.Certificate).map((c) => Buffer.from(c.toSchema().toBER(false)));
  } catch {
    return [];
  }
}

/** Whether DER bytes are an X.509 certificate (SEQUENCE of tbsCertificate, algorithm, signature). */
function isCertificate(der: Buffer): boolean {
  try {
    const asn = asn1js.fromBER(toArrayBuffer(der));
    if (asn.offset === -1) return false;
    pkijs.Certificate.fromBER(toArrayBuffer(der));
    return true;
  } catch {
    return false;
  }
}

function fromDer(der: Buffer): Buffer[] {
  if (der[0] !== 0x30) return [];
  const bundle = fromPkcs7(der);
  if (bundle.length) return bundle;
  return isCertificate(der) ? [der] : [];
}

/** Every certificate in a file's bytes (DER each); [] when there is none. */
export function certificatesIn(data: Buffer): Buffer[] {
  const text = data.subarray(0, Math.min(data.length, 1 << 20)).toString('latin1');
  if (!text.includes('-----BEGIN')) return fromDer(data);
  const out: Buffer[] = [];
  for (const m of text.matchAll(PEM_BLOCK)) {
    const der = Buffer.from(m[2]!.replace(/\s+/g, ''), 'base64');
    out.push(...(m[1] === 'CERTIFICATE' || m[1] === 'X509 CERTIFICATE' ? [der] : fromDer(der)));
  }
  return out;
}
