// Checks a CMS SignedData the way a PDF signature needs: the signed content's digest, the signed
// attributes, the signature value with the signer certificate's key (Node's crypto: RSA PKCS#1
// v1.5, RSASSA-PSS, ECDSA, Ed25519, Ed448), and what the signature carries for later checks
// (certificates, signature timestamp, archived revocation data). Parsing is PKI.js/asn1js (BER,
// indefinite lengths included); no check is.
import { constants, createHash, createPublicKey, createVerify, publicDecrypt, verify as nodeVerify, X509Certificate, type Hash, type KeyObject } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { DIGEST_BY_OID, OID } from '../cms/oids.js';
import { rememberCertificate } from '../cms/certinfo.js';

export type HashName = 'sha1' | 'sha224' | 'sha256' | 'sha384' | 'sha512' | 'sha3-256' | 'sha3-384' | 'sha3-512' | 'shake256';

/** A hash of Node's crypto by our name; SHAKE256 with the 512-bit output RFC 8419 gives it in CMS. */
export function newHash(alg: HashName): Hash {
  return alg === 'shake256' ? createHash('shake256', { outputLength: 64 }) : createHash(alg);
}

/**
 * The bytes a signature covers, hashed on demand (a PDF's byte ranges, streamed from disk). The
 * digest may be computed on another thread, hence the promise: the caller awaits it last.
 */
export interface SignedContent {
  digest(alg: HashName): Promise<Buffer>;
  /** Feeds the bytes to `sink` in chunks (needed only for signatures without signed attributes). */
  feed(sink: (chunk: Buffer) => void): void;
}

export function bufferContent(b: Buffer): SignedContent {
  return { digest: async (alg) => newHash(alg).update(b).digest(), feed: (sink) => sink(b) };
}

export interface CmsCheck {
  /** A fault that stops the check: unparsable, not SignedData, several signers... */
  fault?: string;
  certificates: Buffer[];
  signerCert?: Buffer;
  digestAlgorithm?: HashName;
  signatureAlgorithm?: 'RSA PKCS#1 v1.5' | 'RSASSA-PSS' | 'ECDSA' | 'Ed25519' | 'Ed448';
  /**
   * A rule of the algorithm the signer broke although the value may verify (RFC 8419: Ed25519 with
   * SHA-512 only, Ed448 with SHAKE256 only): the signature then proves nothing.
   */
  cryptoConstraint?: string;
  /** Other signer infos of the CMS, not validated: who they name and why they were not taken. */
  otherSigners?: string[];
  /**
   * The hash the signature value was computed with: the signature algorithm's own (sha1WithRSA,
   * RSASSA-PSS parameters...), which need not be the digest algorithm's.
   */
  signatureHash?: HashName;
  /** RSASSA-PSS only: the hash of its mask generation function (MGF1), which need not be signatureHash. */
  mgf1Hash?: HashName;
  /** The digest of the content equals the message-digest attribute (or the encapsulated hash). */
  digestMatches: boolean;
  /**
   * Set while the digest of detached content is still being computed: resolves to what
   * digestMatches must become (rejects when the content cannot be read). Await it with
   * settleDigest() after the work that does not need it.
   */
  pendingDigest?: Promise<boolean>;
  /** The signature value verifies with the signer certificate's public key. */
  signatureValid: boolean;
  /** ESS signing-certificate(-v2) names the signer certificate; undefined when the attribute is absent. */
  essCertMatches?: boolean;
  signingTimeAttr?: Date;
  signatureValue?: Buffer;
  /** DER of the signature-time-stamp token (unsigned attribute), if any. */
  timestampToken?: Buffer;
  /** adbe-revocationInfoArchival (signed attribute): CRLs and OCSP responses the signer embedded. */
  archived: { crls: Buffer[]; ocsps: Buffer[] };
  /** The encapsulated content, when there is one (timestamp tokens: the TSTInfo). */
  eContent?: Buffer;
  eContentType?: string;
  warnings: string[];
}

const ADBE_REVOCATION = '1.2.840.113583.1.1.8';
const ED25519 = '1.3.101.112';
const ED448 = '1.3.101.113';
/** Digests beyond the ones Kyso signs with (cms/oids.ts), by OID: what other producers use. */
const MORE_DIGESTS: Record<string, HashName> = {
  '2.16.840.1.101.3.4.2.4': 'sha224',
  '2.16.840.1.101.3.4.2.8': 'sha3-256',
  '2.16.840.1.101.3.4.2.9': 'sha3-384',
  '2.16.840.1.101.3.4.2.10': 'sha3-512',
  '2.16.840.1.101.3.4.2.12': 'shake256', // id-shake256
  '2.16.840.1.101.3.4.2.18': 'shake256', // id-shake256-len (RFC 8419: 512 bits, the only output used with Ed448)
};
const SIG_ALG_HASH: Record<string, HashName> = {
  [OID.sha1WithRSA]: 'sha1',
  [OID.sha256WithRSA]: 'sha256',
  [OID.sha384WithRSA]: 'sha384',
  [OID.sha512WithRSA]: 'sha512',
  [OID.ecdsaWithSha1]: 'sha1',
  [OID.ecdsaWithSha256]: 'sha256',
  [OID.ecdsaWithSha384]: 'sha384',
  [OID.ecdsaWithSha512]: 'sha512',
};

const ab = (b: Buffer | Uint8Array): ArrayBuffer => {
  const u = b instanceof Buffer ? b : Buffer.from(b);
  return u.buffer.slice(u.byteOffset, u.byteOffset + u.byteLength) as ArrayBuffer;
};
const buf = (v: ArrayBuffer | Uint8Array): Buffer => Buffer.from(v instanceof Uint8Array ? v : new Uint8Array(v));

/** Parses DER, tolerating the zero padding a PDF /Contents carries after the CMS. */
export function parseDer(der: Buffer): asn1js.AsnType | undefined {
  const r = asn1js.fromBER(ab(der));
  return r.offset === -1 ? undefined : r.result;
}

function hashOf(oid: string): HashName | undefined {
  return DIGEST_BY_OID[oid] ?? MORE_DIGESTS[oid];
}

/** Two names that are the same bytes are the same name; others are compared as PKI.js does. */
function sameName(a: pkijs.RelativeDistinguishedNames, b: pkijs.RelativeDistinguishedNames): boolean {
  // PKI.js compares string values with localeCompare, whose first call sets up ICU collation
  // (≈15 ms): not worth it for the usual case of a signer info that copies the certificate's issuer.
  if (a.valueBeforeDecode.byteLength > 0 && Buffer.from(a.valueBeforeDecode).equals(Buffer.from(b.valueBeforeDecode))) return true;
  return a.isEqual(b);
}

function certMatchesSid(cert: pkijs.Certificate, sid: unknown): boolean {
  if (sid instanceof pkijs.IssuerAndSerialNumber) {
    return cert.serialNumber.isEqual(sid.serialNumber) && sameName(cert.issuer, sid.issuer);
  }
  // [0] SubjectKeyIdentifier
  const ski = (cert.extensions ?? []).find((e) => e.extnID === '2.5.29.14')?.parsedValue as asn1js.OctetString | undefined;
  const want = (sid as { valueBlock?: { valueHexView?: Uint8Array } })?.valueBlock?.valueHexView;
  return Boolean(ski && want && buf(ski.valueBlock.valueHexView).equals(buf(want)));
}

/** The hash named by an RSASSA-PSS MGF1 mask generation algorithm; undefined for any other mask generation. */
function mgf1HashOf(mgf: pkijs.AlgorithmIdentifier): HashName | undefined {
  if (mgf.algorithmId !== OID.mgf1) return undefined;
  try {
    return hashOf(new pkijs.AlgorithmIdentifier({ schema: mgf.algorithmParams }).algorithmId);
  } catch {
    return undefined;
  }
}

/**
 * The RSA key restricted to RSASSA-PSS with these parameters. Node's crypto takes MGF1's hash to be
 * the message hash; a key that carries the parameters is how OpenSSL is told another one.
 */
function pssKey(key: KeyObject, params: pkijs.RSASSAPSSParams): KeyObject {
  const info = new pkijs.PublicKeyInfo({ schema: parseDer(key.export({ type: 'spki', format: 'der' })) });
  info.algorithm = new pkijs.AlgorithmIdentifier({ algorithmId: OID.rsassaPss, algorithmParams: params.toSchema() });
  return createPublicKey({ key: Buffer.from(info.toSchema().toBER(false)), format: 'der', type: 'spki' });
}

interface SignatureValueCheck {
  ok: boolean;
  name: CmsCheck['signatureAlgorithm'];
  /** Undefined when the algorithm names a hash this check does not know (the signature then fails). */
  hash?: HashName;
  mgf1Hash?: HashName;
  /** See CmsCheck.cryptoConstraint. */
  constraint?: string;
}

/** Verifies `signature` over `data` per the signer info's algorithm with Node's crypto. */
function checkSignatureValue(key: KeyObject, alg: pkijs.AlgorithmIdentifier, digestAlg: HashName, data: Buffer | SignedContent, signature: Buffer): SignatureValueCheck {
  const oid = alg.algorithmId;
  if (oid === ED25519 || oid === ED448) return checkEdwards(key, oid === ED25519 ? 'Ed25519' : 'Ed448', digestAlg, data, signature);
  const name: CmsCheck['signatureAlgorithm'] = oid === OID.rsassaPss ? 'RSASSA-PSS' : oid.startsWith('1.2.840.10045') ? 'ECDSA' : 'RSA PKCS#1 v1.5';
  let hash: HashName | undefined = SIG_ALG_HASH[oid] ?? digestAlg;
  let mgf1Hash: HashName | undefined;
  let pss: pkijs.RSASSAPSSParams | undefined;
  if (name === 'RSASSA-PSS') {
    try {
      pss = new pkijs.RSASSAPSSParams({ schema: alg.algorithmParams });
    } catch {
      pss = new pkijs.RSASSAPSSParams(); // absent parameters: RFC 4055's SHA-1, MGF1 with SHA-1, 20 bytes of salt
    }
    hash = hashOf(pss.hashAlgorithm.algorithmId);
    mgf1Hash = mgf1HashOf(pss.maskGenAlgorithm);
    if (!hash || !mgf1Hash) return { ok: false, name, hash, mgf1Hash };
  }
  try {
    const opts: Parameters<typeof nodeVerify>[2] = pss
      ? { key: mgf1Hash === hash ? key : pssKey(key, pss), padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: pss.saltLength }
      : name === 'ECDSA'
        ? { key, dsaEncoding: 'der' }
        : { key, padding: constants.RSA_PKCS1_PADDING };
    if (Buffer.isBuffer(data)) return { ok: nodeVerify(hash, data, opts, signature), name, hash, mgf1Hash };
    // Without signed attributes the signature covers the content itself: stream it.
    const v = createVerify(hash);
    data.feed((c) => v.update(c));
    return { ok: v.verify(opts as never, signature), name, hash, mgf1Hash };
  } catch {
    return { ok: false, name, hash, mgf1Hash };
  }
}

/**
 * EdDSA (RFC 8419): pure Ed25519 or Ed448 over the signed attributes (or the content itself), the
 * digest algorithm fixed by the curve. The hash reported is the digest's, for the SHA-1 rules.
 */
function checkEdwards(key: KeyObject, name: 'Ed25519' | 'Ed448', digestAlg: HashName, data: Buffer | SignedContent, signature: Buffer): SignatureValueCheck {
  const want: HashName = name === 'Ed25519' ? 'sha512' : 'shake256';
  const constraint = digestAlg === want ? undefined : `${name} signatures must use ${want === 'sha512' ? 'SHA-512' : 'SHAKE256'} as digest algorithm (RFC 8419), not ${digestAlg}`;
  if (key.asymmetricKeyType !== name.toLowerCase()) return { ok: false, name, hash: digestAlg, constraint };
  let bytes: Buffer;
  if (Buffer.isBuffer(data)) bytes = data;
  else {
    // Pure EdDSA reads the message twice: no streaming (only signatures without signed attributes get here).
    const parts: Buffer[] = [];
    data.feed((c) => parts.push(Buffer.from(c)));
    bytes = Buffer.concat(parts);
  }
  try {
    return { ok: nodeVerify(null, bytes, key, signature), name, hash: digestAlg, constraint };
  } catch {
    return { ok: false, name, hash: digestAlg, constraint };
  }
}

function attrValues(attrs: pkijs.SignedAndUnsignedAttributes | undefined, type: string): asn1js.AsnType[] {
  return attrs?.attributes.find((a) => a.type === type)?.values ?? [];
}

/**
 * The certificates of a SignedData as its bytes carry them (the CertificateChoices that are plain
 * certificates, in order): the same bytes PKI.js would re-encode for DER input, without the cost
 * of re-encoding (≈10 ms of a verification).
 */
function carriedCertificates(signedData: unknown): Buffer[] | undefined {
  if (!(signedData instanceof asn1js.Sequence)) return undefined;
  // SignedData ::= SEQUENCE { version, digestAlgorithms, encapContentInfo, certificates [0] IMPLICIT ..., crls [1] ..., signerInfos }
  const field = signedData.valueBlock.value.find((b) => b.idBlock.tagClass === 3 && b.idBlock.tagNumber === 0);
  if (!(field instanceof asn1js.Constructed)) return undefined;
  return field.valueBlock.value.filter((b) => b.idBlock.tagClass === 1).map((b) => Buffer.from(b.valueBeforeDecodeView));
}

/** Waits for the content's digest, if it is still pending, and records whether it matched. */
export async function settleDigest(cms: CmsCheck): Promise<void> {
  if (!cms.pendingDigest) return;
  const pending = cms.pendingDigest;
  cms.pendingDigest = undefined;
  cms.digestMatches = await pending;
}

/**
 * Parses and checks a CMS SignedData over `content` (detached content: a PDF's byte ranges; absent
 * for a token that encapsulates its content). The digest of detached content is left pending (see
 * CmsCheck.pendingDigest) so that it can be computed elsewhere while the caller goes on.
 */
export function checkCms(der: Buffer, content?: SignedContent): CmsCheck {
  const out: CmsCheck = { certificates: [], digestMatches: false, signatureValid: false, archived: { crls: [], ocsps: [] }, warnings: [] };
  let signed: pkijs.SignedData;
  let carried: Buffer[] | undefined;
  try {
    const asn = parseDer(der);
    if (!asn) return { ...out, fault: 'the signature value is not DER-encoded CMS' };
    const ci = new pkijs.ContentInfo({ schema: asn });
    if (ci.contentType !== OID.signedData) return { ...out, fault: 'the CMS is not SignedData' };
    signed = new pkijs.SignedData({ schema: ci.content });
    carried = carriedCertificates(ci.content);
  } catch (e) {
    return { ...out, fault: `the CMS cannot be parsed (${(e as Error).message})` };
  }
  const certs: pkijs.Certificate[] = (signed.certificates ?? []).filter((c): c is pkijs.Certificate => c instanceof pkijs.Certificate);
  out.certificates = carried?.length === certs.length ? carried : certs.map((c) => Buffer.from(c.toSchema().toBER(false)));
  // What PKI.js parsed here is what the report and the path builder would parse again.
  if (carried?.length === certs.length) certs.forEach((c, i) => rememberCertificate(carried[i]!, c));
  if (signed.signerInfos.length === 0) return { ...out, fault: 'the CMS has no signer' };
  // Several signer infos (a countersignature kept beside, a second key): the one whose certificate
  // signs is validated, the others are reported. None signs: the first one's failure is the answer.
  const checks = signed.signerInfos.map((si) => checkSigner({ ...out, warnings: [...out.warnings], archived: { crls: [], ocsps: [] } }, signed, certs, si, content));
  const chosen = checks.find((c) => !c.fault && c.signatureValid) ?? checks[0]!;
  if (checks.length > 1) {
    chosen.otherSigners = signed.signerInfos.filter((_, i) => checks[i] !== chosen).map((si) => signerName(certs, si));
    chosen.warnings.push(`the CMS has ${checks.length} signer infos; the one whose certificate signs was validated, not: ${chosen.otherSigners.join('; ')}`);
  }
  return chosen;
}

/** Who a signer info names: its certificate's subject, or its identifier. */
function signerName(certs: pkijs.Certificate[], si: pkijs.SignerInfo): string {
  const cert = certs.find((c) => certMatchesSid(c, si.sid));
  if (cert) return cert.subject.typesAndValues.map((tv) => `${tv.type === '2.5.4.3' ? 'CN' : tv.type}=${tv.value.valueBlock.value}`).join(', ');
  return 'a signer whose certificate the CMS does not carry';
}

/** Checks one signer info of `signed` into `out` (see checkCms). */
function checkSigner(out: CmsCheck, signed: pkijs.SignedData, certs: pkijs.Certificate[], si: pkijs.SignerInfo, content: SignedContent | undefined): CmsCheck {
  const idx = certs.findIndex((c) => certMatchesSid(c, si.sid));
  if (idx >= 0) out.signerCert = out.certificates[idx];

  const digestAlg = hashOf(si.digestAlgorithm.algorithmId);
  if (!digestAlg) return { ...out, fault: `unknown digest algorithm ${si.digestAlgorithm.algorithmId}` };
  out.digestAlgorithm = digestAlg;
  out.signatureValue = buf(si.signature.valueBlock.valueHexView);
  const eContent = signed.encapContentInfo.eContent;
  if (eContent) out.eContent = buf(eContent.getValue());
  out.eContentType = signed.encapContentInfo.eContentType;

  // What the signed attributes (or the signature itself) must cover.
  const covered: SignedContent | undefined = out.eContent ? bufferContent(out.eContent) : content;
  if (si.signedAttrs) {
    const ct = attrValues(si.signedAttrs, OID.contentType)[0];
    if (!(ct instanceof asn1js.ObjectIdentifier) || ct.valueBlock.toString() !== out.eContentType)
      return { ...out, fault: 'the content-type attribute does not match the signed content' };
    const md = attrValues(si.signedAttrs, OID.messageDigest)[0];
    if (!(md instanceof asn1js.OctetString)) return { ...out, fault: 'the message-digest attribute is missing' };
    const expected = buf(md.valueBlock.valueHexView);
    if (out.eContent) out.digestMatches = expected.equals(newHash(digestAlg).update(out.eContent).digest());
    else if (covered) {
      out.pendingDigest = covered.digest(digestAlg).then((d) => d.equals(expected));
      // Awaited later (settleDigest); until then a failure must not count as unhandled.
      out.pendingDigest.catch(() => undefined);
    }

    const st = attrValues(si.signedAttrs, OID.signingTime)[0];
    if (st instanceof asn1js.UTCTime || st instanceof asn1js.GeneralizedTime) out.signingTimeAttr = st.toDate();

    const ess2 = attrValues(si.signedAttrs, OID.signingCertificateV2)[0];
    const ess1 = attrValues(si.signedAttrs, OID.signingCertificate)[0];
    if ((ess2 || ess1) && out.signerCert) out.essCertMatches = essMatches((ess2 ?? ess1)!, out.signerCert, ess2 ? 'v2' : 'v1');

    for (const v of attrValues(si.signedAttrs, ADBE_REVOCATION)) collectArchival(v, out.archived);

    // The signature covers the DER of the attributes as a SET (their encoding arrives as [0]).
    const encoded = Buffer.from(si.signedAttrs.encodedValue);
    const setDer = encoded.length ? Buffer.concat([Buffer.from([0x31]), encoded.subarray(1)]) : Buffer.from(new asn1js.Set({ value: si.signedAttrs.attributes.map((a) => a.toSchema()) }).toBER(false));
    if (out.signerCert) {
      const r = checkSignatureValue(new X509Certificate(out.signerCert).publicKey, si.signatureAlgorithm, digestAlg, setDer, out.signatureValue);
      out.signatureValid = r.ok;
      out.signatureAlgorithm = r.name;
      out.signatureHash = r.hash;
      out.mgf1Hash = r.mgf1Hash;
      out.cryptoConstraint = r.constraint;
    }
  } else {
    // No signed attributes (old producers): the signature is over the content itself.
    out.digestMatches = true;
    if (out.signerCert && covered) {
      const r = checkSignatureValue(new X509Certificate(out.signerCert).publicKey, si.signatureAlgorithm, digestAlg, covered, out.signatureValue);
      out.signatureValid = r.ok;
      out.digestMatches = r.ok;
      out.signatureAlgorithm = r.name;
      out.signatureHash = r.hash;
      out.mgf1Hash = r.mgf1Hash;
      out.cryptoConstraint = r.constraint;
    }
    out.warnings.push('the signature has no signed attributes');
  }
  const tst = attrValues(si.unsignedAttrs, OID.signatureTimeStampToken)[0];
  if (tst) out.timestampToken = Buffer.from(tst.toBER(false));
  return out;
}

function essMatches(v: asn1js.AsnType, cert: Buffer, version: 'v1' | 'v2'): boolean {
  try {
    const seq = v as asn1js.Sequence;
    const certs = seq.valueBlock.value[0] as asn1js.Sequence;
    const first = certs.valueBlock.value[0] as asn1js.Sequence;
    const parts = first.valueBlock.value;
    let hash: HashName = version === 'v1' ? 'sha1' : 'sha256';
    let i = 0;
    if (version === 'v2' && parts[0] instanceof asn1js.Sequence) {
      hash = hashOf((parts[0].valueBlock.value[0] as asn1js.ObjectIdentifier).valueBlock.toString()) ?? 'sha256';
      i = 1;
    }
    const want = buf((parts[i] as asn1js.OctetString).valueBlock.valueHexView);
    return newHash(hash).update(cert).digest().equals(want);
  } catch {
    return false;
  }
}

function collectArchival(v: asn1js.AsnType, into: { crls: Buffer[]; ocsps: Buffer[] }): void {
  // RevocationInfoArchival ::= SEQUENCE { crl [0] EXPLICIT SEQUENCE OF CRLs OPTIONAL,
  //   ocsp [1] EXPLICIT SEQUENCE OF OCSPResponse OPTIONAL, otherRevInfo [2] ... }
  if (!(v instanceof asn1js.Sequence)) return;
  for (const tagged of v.valueBlock.value) {
    const tag = tagged.idBlock.tagNumber;
    const inner = (tagged as asn1js.Constructed).valueBlock?.value?.[0];
    const items = inner instanceof asn1js.Sequence ? inner.valueBlock.value : [];
    for (const item of items) {
      const der = Buffer.from(item.toBER(false));
      if (tag === 0) into.crls.push(der);
      else if (tag === 1) into.ocsps.push(der);
    }
  }
}

/**
 * adbe.x509.rsa_sha1 (ISO 32000-1 12.8.3.2), the oldest PDF signature: no CMS. /Contents is a DER
 * OCTET STRING holding an RSA PKCS#1 v1.5 signature over the digest of the byte ranges (a DigestInfo,
 * SHA-1 as the name says, though writers put others), /Cert the signer's certificate first, then
 * its chain. Read as a CmsCheck so that the rest of the verification is the same.
 */
export function checkX509RsaSha1(contents: Buffer, certs: Buffer[], content: SignedContent): CmsCheck {
  const out: CmsCheck = { certificates: certs, digestMatches: false, signatureValid: false, archived: { crls: [], ocsps: [] }, warnings: [], signatureAlgorithm: 'RSA PKCS#1 v1.5' };
  const value = parseDer(contents);
  if (!(value instanceof asn1js.OctetString)) return { ...out, fault: 'the adbe.x509.rsa_sha1 signature value is not a DER OCTET STRING' };
  if (certs.length === 0) return { ...out, fault: 'the adbe.x509.rsa_sha1 signature has no /Cert' };
  out.signerCert = certs[0];
  out.signatureValue = buf(value.valueBlock.valueHexView);
  let digestInfo: pkijs.DigestInfo;
  try {
    const key = new X509Certificate(certs[0]!).publicKey;
    const decoded = publicDecrypt({ key, padding: constants.RSA_PKCS1_PADDING }, out.signatureValue);
    digestInfo = new pkijs.DigestInfo({ schema: parseDer(decoded) });
  } catch {
    // The value does not open with the certificate's key into a DigestInfo: the signature is wrong.
    out.digestAlgorithm = 'sha1';
    out.signatureHash = 'sha1';
    return out;
  }
  const alg = hashOf(digestInfo.digestAlgorithm.algorithmId);
  if (!alg) return { ...out, fault: `unknown digest algorithm ${digestInfo.digestAlgorithm.algorithmId}` };
  out.digestAlgorithm = alg;
  out.signatureHash = alg;
  out.signatureValid = true;
  const expected = buf(digestInfo.digest.valueBlock.valueHexView);
  out.pendingDigest = content.digest(alg).then((d) => d.equals(expected));
  out.pendingDigest.catch(() => undefined);
  return out;
}

/** TSTInfo essentials: what a timestamp says it stamped, and when. */
export function parseTstInfo(der: Buffer): { hash: HashName; imprint: Buffer; genTime: Date } | undefined {
  try {
    const asn = parseDer(der);
    if (!asn) return undefined;
    const info = new pkijs.TSTInfo({ schema: asn });
    const hash = hashOf(info.messageImprint.hashAlgorithm.algorithmId);
    if (!hash) return undefined;
    return { hash, imprint: buf(info.messageImprint.hashedMessage.valueBlock.valueHexView), genTime: info.genTime };
  } catch {
    return undefined;
  }
}

