// What one OCSP response says about one certificate (RFC 6960), checked with Node's crypto, and
// the request that asks a responder about it.
import { createHash } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { KP, mayHaveIssued, nameDer, sameSubjectAndKey, signedBy, toArrayBuffer, viewAll, type CertView } from './chain-cert.js';
import { covers, CRL_REASONS, serialHex } from './revocation-crl.js';
import type { RevocationResult } from './revocation.js';
import { HASH_BY_OID, signatureBytes, verifySigned } from './revocation-signature.js';

const OCSP_BASIC = '1.3.6.1.5.5.7.48.1.1';
const SHA1 = '1.3.14.3.2.26';

/** OCSPResponseStatus names (RFC 6960 §4.2.1; 4 is unused). */
export const OCSP_RESPONSE_STATUS: Record<number, string> = {
  0: 'successful',
  1: 'malformedRequest',
  2: 'internalError',
  3: 'tryLater',
  5: 'sigRequired',
  6: 'unauthorized',
};

export type ParsedOcsp = { basic: pkijs.BasicOCSPResponse } | { error: string };

const parsed = new WeakMap<Buffer, ParsedOcsp>();

/** The BasicOCSPResponse inside an OCSPResponse, or why there is none. */
export function parseOcsp(der: Buffer): ParsedOcsp {
  const known = parsed.get(der);
  if (known) return known;
  let out: ParsedOcsp;
  try {
    const resp = pkijs.OCSPResponse.fromBER(toArrayBuffer(der));
    const code = resp.responseStatus.valueBlock.valueDec;
    if (code !== 0) out = { error: OCSP_RESPONSE_STATUS[code] ?? `status${code}` };
    else if (!resp.responseBytes || resp.responseBytes.responseType !== OCSP_BASIC) out = { error: 'notBasic' };
    else out = { basic: pkijs.BasicOCSPResponse.fromBER(new Uint8Array(resp.responseBytes.response.valueBlock.valueHexView)) };
  } catch {
    out = { error: 'malformed' };
  }
  parsed.set(der, out);
  return out;
}

function hash(alg: string, data: Uint8Array): Buffer {
  return createHash(alg).update(data).digest();
}

/** Whether a CertID names `cert` issued by `issuer`, with whatever hash the responder chose. */
function sameCertId(id: pkijs.CertID, cert: CertView, issuer: CertView): boolean {
  const alg = HASH_BY_OID[id.hashAlgorithm.algorithmId];
  if (!alg) return false;
  return (
    serialHex(id.serialNumber) === serialHex(cert.cert.serialNumber) &&
    hash(alg, cert.issuer).equals(Buffer.from(id.issuerNameHash.valueBlock.valueHexView)) &&
    hash(alg, issuer.keyBits).equals(Buffer.from(id.issuerKeyHash.valueBlock.valueHexView))
  );
}

/** Whether a certificate is the one the ResponderID names (byName [1] or byKey [2], SHA-1 of the key). */
function isResponder(responderId: unknown, c: CertView): boolean {
  if (responderId instanceof pkijs.RelativeDistinguishedNames) return nameDer(responderId).equals(c.subject);
  if (responderId instanceof asn1js.OctetString) {
    return hash('sha1', c.keyBits).equals(Buffer.from(responderId.valueBlock.valueHexView));
  }
  return false;
}

/** RFC 6960 §4.2.2.2: the CA itself, or a certificate it issued for OCSP signing. */
function authorized(responder: CertView, issuer: CertView, producedAt: Date): boolean {
  if (sameSubjectAndKey(responder, issuer)) return true;
  const t = producedAt.getTime();
  return (
    mayHaveIssued(issuer, responder) &&
    signedBy(responder, issuer) &&
    Boolean(responder.eku?.includes(KP.ocspSigning)) &&
    responder.info.notBefore.getTime() <= t &&
    t <= responder.info.notAfter.getTime()
  );
}

/** null when the response is signed by an authorised responder, else the problem code. */
function responderProblem(basic: pkijs.BasicOCSPResponse, issuer: CertView): string | null {
  const data = basic.tbsResponseData;
  const included = viewAll((basic.certs ?? []).map((c) => Buffer.from(c.toSchema().toBER(false))));
  const candidates = [issuer, ...included].filter((c) => isResponder(data.responderID, c));
  let signedByUnauthorised = false;
  for (const c of candidates) {
    if (!c.publicKey) continue;
    if (!verifySigned(basic.signatureAlgorithm, c.publicKey, data.tbsView, signatureBytes(basic.signature))) continue;
    if (authorized(c, issuer, data.producedAt)) return null;
    signedByUnauthorised = true;
  }
  return signedByUnauthorised ? 'OCSP_RESPONDER_UNAUTHORIZED' : 'OCSP_SIGNATURE_INVALID';
}

/** good [0], revoked [1] with its time and optional reason, unknown [2]. */
function readStatus(single: pkijs.SingleResponse): Pick<RevocationResult, 'status' | 'revokedAt' | 'reason'> {
  const s = single.certStatus as asn1js.BaseBlock;
  const tag = s.idBlock.tagNumber;
  if (tag === 0) return { status: 'good' };
  if (tag !== 1) return { status: 'unknown' };
  const parts = (s as asn1js.Constructed).valueBlock.value;
  const time = parts[0];
  const revokedAt = time instanceof asn1js.GeneralizedTime ? time.toDate() : undefined;
  let reason: string | undefined;
  const tagged = parts[1] as asn1js.Constructed | undefined;
  const code = tagged?.valueBlock?.value?.[0];
  if (code instanceof asn1js.Enumerated) reason = CRL_REASONS[code.valueBlock.valueDec] ?? `reason${code.valueBlock.valueDec}`;
  return { status: 'revoked', revokedAt, reason };
}

/**
 * What `der` says about `cert`: null when it is not about it (or not a successful basic response),
 * 'unknown' with a problem when it is but its signer is not to be trusted.
 */
export function checkOcsp(der: Buffer, cert: CertView, issuer: CertView, at: Date): RevocationResult | null {
  const p = parseOcsp(der);
  if ('error' in p) return null;
  const single = p.basic.tbsResponseData.responses.find((r) => sameCertId(r.certID, cert, issuer));
  if (!single) return null;
  const problem = responderProblem(p.basic, issuer);
  if (problem) return { status: 'unknown', source: 'ocsp', detail: problem, problems: [problem] };

  const { thisUpdate, nextUpdate } = single;
  const st = readStatus(single);
  if (st.status === 'revoked') return { ...st, source: 'ocsp', thisUpdate, nextUpdate };
  if (st.status === 'unknown') return { status: 'unknown', source: 'ocsp', thisUpdate, nextUpdate, detail: 'OCSP_UNKNOWN' };
  if (!covers(thisUpdate, nextUpdate, at)) return { status: 'unknown', source: 'ocsp', thisUpdate, nextUpdate, detail: 'STALE_OCSP' };
  return { status: 'good', source: 'ocsp', thisUpdate, nextUpdate };
}

/** A DER OCSPRequest for one certificate, with the SHA-1 CertID every responder understands. */
export function buildOcspRequest(cert: CertView, issuer: CertView): Buffer {
  const certId = new pkijs.CertID({
    hashAlgorithm: new pkijs.AlgorithmIdentifier({ algorithmId: SHA1, algorithmParams: new asn1js.Null() }),
    issuerNameHash: new asn1js.OctetString({ valueHex: toArrayBuffer(hash('sha1', cert.issuer)) }),
    issuerKeyHash: new asn1js.OctetString({ valueHex: toArrayBuffer(hash('sha1', issuer.keyBits)) }),
    serialNumber: cert.cert.serialNumber,
  });
  const req = new pkijs.OCSPRequest({
    tbsRequest: new pkijs.TBSRequest({ requestList: [new pkijs.Request({ reqCert: certId })] }),
  });
  return Buffer.from(req.toSchema(true).toBER(false));
}
