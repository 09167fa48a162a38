// Signature timestamps (RFC 3161, as CAdES and PAdES B-T use them): the signature value is sent to
// a time-stamping authority (TSA) over http(s), and the token it answers with goes into the CMS as
// the unsigned attribute signature-time-stamp-token. A verifier then judges the certificate at
// the TSA's time instead of the time the signer's computer claimed, which is what keeps a document
// verifiable after the signer's certificate has expired (TT 15/2025 asks for it; the state TSA
// of Ban Cơ yếu Chính phủ is http://ca.gov.vn/tsa).
//
// The token is checked before it is used: the TSA granted the request, the token is a SignedData
// over a TSTInfo whose message imprint is the digest of this signature value and whose nonce is the
// one sent, and the TSA's signature over it verifies. Whether the TSA is trusted is the verifier's
// question (its certificate path is judged like the signer's).
import { createHash, randomBytes } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { KysoError } from '../../shared/errors.js';
import { DIGEST_OID, OID } from '../cms/oids.js';
import type { DigestAlgorithm } from '../cms/signer.js';
import { checkCms } from '../verify/cms.js';
import { httpFetch } from '../verify/revocation-http.js';

const DEFAULT_TIMEOUT_MS = 15_000;

/** Gets a timestamp token for a signature value; what buildCms() puts in the unsigned attributes. */
export type Timestamper = (signatureValue: Buffer) => Promise<Buffer>;
/** Gets a timestamp token for a digest already made (a document timestamp: of the byte ranges). */
export type DigestTimestamper = (hash: DigestAlgorithm, digest: Buffer) => Promise<Buffer>;

export interface TsaOptions {
  url: string;
  /** The digest of the signature value sent to the TSA (default sha256). */
  digest?: DigestAlgorithm;
  timeoutMs?: number;
}

const toArrayBuffer = (b: Buffer): ArrayBuffer => b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;

/** The DER of a TimeStampReq for `digest` (of `hash`), asking for the TSA's certificate. */
export function timestampRequest(hash: DigestAlgorithm, digest: Buffer, nonce: Buffer): Buffer {
  const req = new pkijs.TimeStampReq({
    version: 1,
    messageImprint: new pkijs.MessageImprint({
      hashAlgorithm: new pkijs.AlgorithmIdentifier({ algorithmId: DIGEST_OID[hash], algorithmParams: new asn1js.Null() }),
      hashedMessage: new asn1js.OctetString({ valueHex: toArrayBuffer(digest) }),
    }),
    nonce: new asn1js.Integer({ valueHex: toArrayBuffer(nonce) }),
    certReq: true,
  });
  return Buffer.from(req.toSchema().toBER(false));
}

/** A positive nonce of 64 bits with no leading zero byte (so its DER is exactly these bytes). */
function newNonce(): Buffer {
  const n = randomBytes(8);
  n[0] = (n[0]! & 0x7f) | 0x40;
  return n;
}

/**
 * The token of a TimeStampResp, exactly as the TSA encoded it (re-encoding could break its
 * signature), after checking it answers this request. Throws KysoError TSA_REFUSED or
 * TSA_RESPONSE_INVALID.
 */
export function readTimestampResponse(url: string, der: Buffer, expect: { hash: DigestAlgorithm; digest: Buffer; nonce: Buffer }): Buffer {
  const invalid = (reason: string): KysoError => new KysoError('TSA_RESPONSE_INVALID', { url, reason });
  const parsed = asn1js.fromBER(toArrayBuffer(der));
  if (parsed.offset === -1 || !(parsed.result instanceof asn1js.Sequence)) throw invalid('the answer is not a timestamp response');
  let resp: pkijs.TimeStampResp;
  try {
    resp = new pkijs.TimeStampResp({ schema: parsed.result });
  } catch (e) {
    throw invalid(`the answer is not a timestamp response (${(e as Error).message})`);
  }
  const status = resp.status.status;
  if (status !== 0 && status !== 1) {
    const text = (resp.status.statusStrings ?? []).map((s) => s.valueBlock.value).join('; ');
    throw new KysoError('TSA_REFUSED', { url, status, reason: text || `status ${status}` });
  }
  const tokenBlock = parsed.result.valueBlock.value[1];
  if (!tokenBlock) throw invalid('the response holds no token');
  const token = Buffer.from(tokenBlock.valueBeforeDecodeView);

  const cms = checkCms(token);
  if (cms.fault) throw invalid(cms.fault);
  if (cms.eContentType !== OID.tstInfo || !cms.eContent) throw invalid('the token does not hold a TSTInfo');
  if (!cms.signerCert) throw invalid("the token does not carry the TSA's certificate");
  if (!cms.digestMatches || !cms.signatureValid) throw invalid("the TSA's signature on the token does not verify");
  let info: pkijs.TSTInfo;
  try {
    info = pkijs.TSTInfo.fromBER(toArrayBuffer(cms.eContent));
  } catch (e) {
    throw invalid(`the TSTInfo cannot be read (${(e as Error).message})`);
  }
  if (info.messageImprint.hashAlgorithm.algorithmId !== DIGEST_OID[expect.hash]) throw invalid('the token stamps a digest of another algorithm');
  if (!Buffer.from(info.messageImprint.hashedMessage.valueBlock.valueHexView).equals(expect.digest)) throw invalid('the token stamps other data');
  const nonce = info.nonce ? Buffer.from(info.nonce.valueBlock.valueHexView) : undefined;
  if (!nonce || !nonce.equals(expect.nonce)) throw invalid('the token answers another request (nonce)');
  return token;
}

/** A DigestTimestamper that asks the TSA at `url` (http or https), with a fresh nonce each time. */
export function tsaDigestTimestamper(opts: TsaOptions): DigestTimestamper {
  return async (hash, digest) => {
    const nonce = newNonce();
    let answer: Buffer;
    try {
      answer = await httpFetch(opts.url, {
        method: 'POST',
        body: timestampRequest(hash, digest, nonce),
        contentType: 'application/timestamp-query',
        accept: 'application/timestamp-reply',
        timeoutMs: opts.timeoutMs ?? DEFAULT_TIMEOUT_MS,
        maxBytes: 1024 * 1024,
      });
    } catch (e) {
      throw new KysoError('TSA_UNAVAILABLE', { url: opts.url, reason: (e as Error).message });
    }
    return readTimestampResponse(opts.url, answer, { hash, digest, nonce });
  };
}

/** A Timestamper (signature timestamps) that asks the TSA at `url` for the digest of the signature value. */
export function tsaTimestamper(opts: TsaOptions): Timestamper {
  const hash = opts.digest ?? 'sha256';
  const stamp = tsaDigestTimestamper(opts);
  return (signatureValue) => stamp(hash, createHash(hash).update(signatureValue).digest());
}

/**
 * An ASN.1 value that encodes as the given bytes, verbatim: asn1js writes a parsed value anew, and
 * a token must go into the CMS byte for byte as the TSA made it. (asn1js's own RawData does not
 * take part in the writer its containers use.)
 */
class VerbatimDer {
  constructor(private readonly bytes: Buffer) {}

  toBER(_sizeOnly?: boolean, writer?: { write(b: ArrayBuffer): void }): ArrayBuffer {
    const ab = toArrayBuffer(this.bytes);
    writer?.write(ab);
    return ab;
  }
}

/** The unsigned attribute that carries a token in a SignerInfo: the token's bytes as they came. */
export function timestampAttribute(token: Buffer): pkijs.Attribute {
  return new pkijs.Attribute({ type: OID.signatureTimeStampToken, values: [new VerbatimDer(token) as unknown as asn1js.AsnType] });
}

/** Room to reserve in /Contents for a token: tokens with the TSA's chain run to 4–7 kB. */
export const TIMESTAMP_RESERVE = 12 * 1024;
