// Builds a detached CMS SignedData for a PDF signature: PAdES baseline B-B
// (content-type, message-digest, ESS signing-certificate-v2; the time goes in the PDF's /M),
// or, for old verifiers, adbe.pkcs7.detached with a signing-time attribute.
import { createHash } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { DIGEST_OID, ECDSA_OID, OID } from './oids.js';
import { maxSignatureSize, type DigestAlgorithm, type Signer } from './signer.js';
import { timestampAttribute, type Timestamper } from '../sign/timestamp.js';

export interface CmsOptions {
  digest: DigestAlgorithm;
  /** Adds a signing-time attribute (only for the adbe.pkcs7.detached profile; PAdES forbids it). */
  signingTime?: Date;
  /** The intermediates to embed (signer excluded), in place of the signer's own chain (the token's). */
  chain?: readonly Buffer[];
  /**
   * Revocation data of the signer's path, embedded as a signed adbe-revocationInfoArchival attribute
   * so that a receiver can verify offline: DER CRLs and DER OCSPResponses.
   */
  revocation?: { crls: readonly Buffer[]; ocsps: readonly Buffer[] };
  /** The content itself, carried inside the SignedData (attached); absent = detached. */
  encapsulate?: Buffer;
}

function toArrayBuffer(b: Buffer): ArrayBuffer {
  return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;
}

export function parseCertificate(der: Buffer): pkijs.Certificate {
  return pkijs.Certificate.fromBER(toArrayBuffer(der));
}

function signingCertificateV2(cert: Buffer, parsed: pkijs.Certificate): asn1js.Sequence {
  const hash = createHash('sha256').update(cert).digest();
  // ESSCertIDv2 with the default hash algorithm (SHA-256, so omitted) and the issuer/serial.
  const issuerSerial = new asn1js.Sequence({
    value: [
      new asn1js.Sequence({
        value: [new asn1js.Constructed({ idBlock: { tagClass: 3, tagNumber: 4 }, value: [parsed.issuer.toSchema()] })],
      }),
      new asn1js.Integer({ valueHex: parsed.serialNumber.valueBlock.valueHexView.slice().buffer }),
    ],
  });
  const essCertIdV2 = new asn1js.Sequence({ value: [new asn1js.OctetString({ valueHex: toArrayBuffer(hash) }), issuerSerial] });
  return new asn1js.Sequence({ value: [new asn1js.Sequence({ value: [essCertIdV2] })] });
}

/** RevocationInfoArchival ::= SEQUENCE { crl [0] EXPLICIT SEQUENCE OF CRL, ocsp [1] EXPLICIT SEQUENCE OF OCSPResponse, ... } */
function revocationInfoArchival(r: { crls: readonly Buffer[]; ocsps: readonly Buffer[] }): asn1js.Sequence {
  const items = (ders: readonly Buffer[]) => new asn1js.Sequence({ value: ders.map((d) => asn1js.fromBER(toArrayBuffer(d)).result) });
  const value: asn1js.AsnType[] = [];
  if (r.crls.length) value.push(new asn1js.Constructed({ idBlock: { tagClass: 3, tagNumber: 0 }, value: [items(r.crls)] }));
  if (r.ocsps.length) value.push(new asn1js.Constructed({ idBlock: { tagClass: 3, tagNumber: 1 }, value: [items(r.ocsps)] }));
  return new asn1js.Sequence({ value });
}

function derOf(s: { toSchema(): asn1js.AsnType }): Buffer {
  return Buffer.from(s.toSchema().toBER(false));
}

function signatureAlgorithm(signer: Signer, digest: DigestAlgorithm): pkijs.AlgorithmIdentifier {
  if (signer.scheme === 'ecdsa') return new pkijs.AlgorithmIdentifier({ algorithmId: ECDSA_OID[digest] });
  if (signer.scheme === 'rsa-pss') {
    const hashAlg = new pkijs.AlgorithmIdentifier({ algorithmId: DIGEST_OID[digest], algorithmParams: new asn1js.Null() });
    const params = new pkijs.RSASSAPSSParams({
      hashAlgorithm: hashAlg,
      maskGenAlgorithm: new pkijs.AlgorithmIdentifier({ algorithmId: OID.mgf1, algorithmParams: hashAlg.toSchema() }),
      saltLength: digest === 'sha256' ? 32 : digest === 'sha384' ? 48 : 64,
    });
    return new pkijs.AlgorithmIdentifier({ algorithmId: OID.rsassaPss, algorithmParams: params.toSchema() });
  }
  return new pkijs.AlgorithmIdentifier({ algorithmId: OID.rsaEncryption, algorithmParams: new asn1js.Null() });
}

/** The signed attributes in DER order, and their DER encoding as a SET (what the key signs). */
export function buildSignedAttributes(signer: Signer, contentDigest: Buffer, opts: CmsOptions): { attributes: pkijs.Attribute[]; der: Buffer } {
  const parsed = parseCertificate(signer.certificate);
  const attrs = [
    new pkijs.Attribute({ type: OID.contentType, values: [new asn1js.ObjectIdentifier({ value: OID.data })] }),
    new pkijs.Attribute({ type: OID.messageDigest, values: [new asn1js.OctetString({ valueHex: toArrayBuffer(contentDigest) })] }),
    new pkijs.Attribute({ type: OID.signingCertificateV2, values: [signingCertificateV2(signer.certificate, parsed)] }),
  ];
  if (opts.signingTime) attrs.push(new pkijs.Attribute({ type: OID.signingTime, values: [new asn1js.UTCTime({ valueDate: opts.signingTime })] }));
  if (opts.revocation && (opts.revocation.crls.length || opts.revocation.ocsps.length))
    attrs.push(new pkijs.Attribute({ type: OID.adbeRevocationInfoArchival, values: [revocationInfoArchival(opts.revocation)] }));
  // DER orders a SET OF by the encodings of its members.
  const sorted = attrs.map((a) => ({ a, der: derOf(a) })).sort((x, y) => Buffer.compare(x.der, y.der));
  const set = new asn1js.Set({ value: sorted.map((s) => s.a.toSchema()) });
  return { attributes: sorted.map((s) => s.a), der: Buffer.from(set.toBER(false)) };
}

/**
 * Puts the signed attributes, the signature value and the certificates together; `unsigned`:
 * unsigned attributes of the signer (a signature timestamp).
 */
export function assembleSignedData(signer: Signer, attributes: pkijs.Attribute[], signatureValue: Buffer, digest: DigestAlgorithm, unsigned: pkijs.Attribute[] = [], chain: readonly Buffer[] = signer.chain, encapsulate?: Buffer): Buffer {
  const parsed = parseCertificate(signer.certificate);
  const certs = [parsed, ...chain.filter((c) => !c.equals(signer.certificate)).map(parseCertificate)];
  const signerInfo = new pkijs.SignerInfo({
    version: 1,
    sid: new pkijs.IssuerAndSerialNumber({ issuer: parsed.issuer, serialNumber: parsed.serialNumber }),
    digestAlgorithm: new pkijs.AlgorithmIdentifier({ algorithmId: DIGEST_OID[digest] }),
    signedAttrs: new pkijs.SignedAndUnsignedAttributes({ type: 0, attributes }),
    signatureAlgorithm: signatureAlgorithm(signer, digest),
    signature: new asn1js.OctetString({ valueHex: toArrayBuffer(signatureValue) }),
    ...(unsigned.length ? { unsignedAttrs: new pkijs.SignedAndUnsignedAttributes({ type: 1, attributes: unsigned }) } : {}),
  });
  const signedData = new pkijs.SignedData({
    version: 1,
    digestAlgorithms: [new pkijs.AlgorithmIdentifier({ algorithmId: DIGEST_OID[digest] })],
    encapContentInfo: new pkijs.EncapsulatedContentInfo({
      eContentType: OID.data,
      ...(encapsulate ? { eContent: new asn1js.OctetString({ valueHex: toArrayBuffer(encapsulate) }) } : {}),
    }),
    certificates: certs,
    signerInfos: [signerInfo],
  });
  const contentInfo = new pkijs.ContentInfo({ contentType: OID.signedData, content: signedData.toSchema(true) });
  return Buffer.from(contentInfo.toSchema().toBER(false));
}

/**
 * Signs `contentDigest` (the digest of the PDF's byte ranges) and returns the DER of the CMS; with
 * `timestamp`, the signature value is timestamped and the token added as an unsigned attribute.
 */
export async function buildCms(signer: Signer, contentDigest: Buffer, opts: CmsOptions, timestamp?: Timestamper): Promise<Buffer> {
  const { attributes, der } = buildSignedAttributes(signer, contentDigest, opts);
  const value = await signer.sign(der, opts.digest);
  const unsigned = timestamp ? [timestampAttribute(await timestamp(value))] : [];
  return assembleSignedData(signer, attributes, value, opts.digest, unsigned, opts.chain, opts.encapsulate);
}

/** The size of the CMS this signer will make, found by a dry run with a blank signature of maximum size. */
export function estimateCmsSize(signer: Signer, opts: CmsOptions): number {
  const digestLen = opts.digest === 'sha256' ? 32 : opts.digest === 'sha384' ? 48 : 64;
  const { attributes } = buildSignedAttributes(signer, Buffer.alloc(digestLen), opts);
  return assembleSignedData(signer, attributes, Buffer.alloc(maxSignatureSize(signer.key), 0xff), opts.digest, [], opts.chain).length;
}
