// Verifies every signature of a PDF and says, in the vocabulary of ETSI EN 319 102-1, what a
// receiving clerk needs to know: is it intact, who signed, with a certificate valid and trusted
// at the signing time, and was the document changed after signing.
import { statSync } from 'node:fs';
import { describeCertificate, type CertificateInfo } from '../cms/certinfo.js';
import { OID } from '../cms/oids.js';
import { PdfString, isArray } from '../pdf/objects.js';
import { PdfReader } from '../pdf/reader.js';
import { KysoError } from '../../shared/errors.js';
import { classifyChanges, type ChangeKind } from './changes.js';
import { validateCertificate, type ChainResult, type ChainStatus, type CertStatus, type TrustStore } from './chain.js';
import { checkCms, checkX509RsaSha1, newHash, parseTstInfo, settleDigest, type CmsCheck, type HashName, type SignedContent } from './cms.js';
import { sameFile, ShortRangeError, type FileIdentity, type HashName as WorkerHashName, type RangeHasher } from './hash-worker.js';
import { findSignatures, readDss, type FoundSignature } from './signatures.js';
import { docMdpViolation, signatureMessages, fileMessages } from './messages.js';
import { concernedCertificate, type ConcernedCertificate } from './concerned.js';
import { trace } from '../util/trace.js';

export type Indication = 'TOTAL_PASSED' | 'INDETERMINATE' | 'TOTAL_FAILED';
export type SubIndication =
  | 'FORMAT_FAILURE'
  | 'HASH_FAILURE'
  | 'SIG_CRYPTO_FAILURE'
  | 'REVOKED'
  | 'EXPIRED'
  | 'NOT_YET_VALID'
  | 'NO_SIGNING_CERTIFICATE_FOUND'
  | 'NO_CERTIFICATE_CHAIN_FOUND'
  | 'CERTIFICATE_CHAIN_GENERAL_FAILURE'
  | 'CHAIN_CONSTRAINTS_FAILURE'
  | 'CRYPTO_CONSTRAINTS_FAILURE'
  | 'CRYPTO_CONSTRAINTS_FAILURE_NO_POE'
  | 'REVOKED_NO_POE'
  | 'OUT_OF_BOUNDS_NO_POE'
  | 'TRY_LATER'
  | 'SIGNED_DATA_NOT_FOUND';

export interface VerifyOptions {
  trust: TrustStore;
  crls?: Buffer[];
  ocsps?: Buffer[];
  /** Intermediate certificates from files, for chains a signature does not carry. */
  extraCerts?: Buffer[];
  /** May fetch CRLs and OCSP responses named in certificates (default false). */
  online?: boolean;
  cacheDir?: string;
  timeoutMs?: number;
  now?: Date;
  /** A proof that the file existed at this time (the archive's record of its receipt). */
  poe?: Date;
  /**
   * Hashes the signed byte ranges on another thread (the command line starts one on the file before
   * it loads the verifier). Used only when it opened this very file; otherwise hashing is done here.
   */
  rangeHasher?: RangeHasher;
}

export interface SignatureReport {
  index: number;
  field: string;
  kind: 'signature' | 'document-timestamp';
  signer: { commonName: string; organization?: string; serial: string; subject: string; issuer: string; notBefore: string; notAfter: string } | null;
  signedAt: string | null;
  /**
   * What the time the certificate was judged at rests on: the signature's own timestamp, a later
   * document timestamp over it (it existed then), the archive's record of its receipt, or only the
   * signer's claim.
   */
  signedAtSource: 'timestamp' | 'document-timestamp' | 'claimed' | 'proof-of-existence' | null;
  subFilter: string;
  coversWholeDocument: boolean;
  integrity: 'valid' | 'invalid';
  chain: ChainStatus;
  certificate: CertStatus;
  modificationsAfter: ChangeKind;
  indication: Indication;
  subIndication: SubIndication | null;
  messages: { vi: string; en: string };
  details: {
    byteRange: number[] | null;
    signedLength: number;
    digestAlgorithm: string | null;
    signatureAlgorithm: string | null;
    pages: number[];
    reason?: string;
    location?: string;
    faults: string[];
    warnings: string[];
    changes: string[];
    chainPath: string[];
    revocation: { source?: string; revokedAt?: string; reason?: string } | null;
    timestamp: { time: string; tsa: string; valid: boolean; problem?: string } | null;
    /** The certificate of the path the sub-indication speaks of (revoked, expired, status unknown). */
    concerned: ConcernedCertificate | null;
  };
}

export interface FileReport {
  file: string;
  size: number;
  signatures: SignatureReport[];
  indication: Indication;
  subIndication: SubIndication | null;
  messages: { vi: string; en: string };
}

const SHA1_CUTOFF = Date.UTC(2017, 0, 1);

/** A hasher on another thread, and whether it hashes the file this reader reads. */
interface RemoteHashing {
  hasher: RangeHasher;
  sameFile: Promise<boolean>;
}

function identityOf(path: string): FileIdentity | undefined {
  try {
    const s = statSync(path);
    return { dev: s.dev, ino: s.ino, size: s.size, mtimeMs: s.mtimeMs, ctimeMs: s.ctimeMs };
  } catch {
    return undefined;
  }
}

const WORKER_HASHES: ReadonlySet<HashName> = new Set(['sha1', 'sha256', 'sha384', 'sha512']);

const shortRange = (): KysoError => new KysoError('PDF_MALFORMED', { reason: 'the file ends inside a signed byte range' });

/** The byte ranges of a signature, read from disk and hashed on demand (once per algorithm). */
function rangeContent(r: PdfReader, br: [number, number, number, number], remote: RemoteHashing | undefined): SignedContent {
  const cache = new Map<HashName, Promise<Buffer>>();
  const feed = (sink: (c: Buffer) => void): void => {
    // One buffer, reused: the sink (a hash) consumes each chunk before the next read.
    const CHUNK = 4 * 1024 * 1024;
    const buf = Buffer.allocUnsafe(Math.min(CHUNK, Math.max(br[1], br[3], 1)));
    for (const [start, len] of [
      [br[0], br[1]],
      [br[2], br[3]],
    ] as const) {
      for (let off = 0; off < len; ) {
        const n = r.source.readInto(buf, start + off, Math.min(buf.length, len - off));
        if (n <= 0) throw shortRange();
        sink(buf.subarray(0, n));
        off += n;
      }
    }
  };
  const here = (alg: HashName): Promise<Buffer> => {
    try {
      const h = newHash(alg);
      feed((c) => h.update(c));
      return Promise.resolve(h.digest());
    } catch (e) {
      return Promise.reject(e);
    }
  };
  const there = async (alg: HashName, { hasher, sameFile }: RemoteHashing): Promise<Buffer> => {
    // The worker knows the SHA-1 and SHA-2 family; the rarer hashes are done here.
    if (!WORKER_HASHES.has(alg) || !(await sameFile)) return here(alg);
    try {
      return await hasher.digest(alg as WorkerHashName, [
        [br[0], br[1]],
        [br[2], br[3]],
      ]);
    } catch (e) {
      if (e instanceof ShortRangeError) throw shortRange();
      return here(alg); // the worker failed: the bytes are still here to hash
    }
  };
  return {
    digest(alg) {
      let d = cache.get(alg);
      if (!d) {
        d = remote ? there(alg, remote) : here(alg);
        d.catch(() => undefined); // awaited by whoever asked; a failure is not unhandled meanwhile
        cache.set(alg, d);
      }
      return d;
    },
    feed,
  };
}

function signerOf(info: CertificateInfo | undefined): SignatureReport['signer'] {
  if (!info) return null;
  return {
    commonName: info.commonName,
    organization: info.organization,
    serial: info.serialNumber,
    subject: info.subject,
    issuer: info.issuer,
    notBefore: info.notBefore.toISOString(),
    notAfter: info.notAfter.toISOString(),
  };
}

interface TimestampFinding {
  time: Date;
  tsa: string;
  valid: boolean;
  /** Which check failed, in words (imprint, TSA signature, TSA certificate untrusted, expired...). */
  problem?: string;
  /** What passed with a reservation (the TSA certificate's revocation status unknown). */
  note?: string;
}

/**
 * Checks a signature timestamp token (RFC 3161, PAdES B-T) over `signatureValue`, and says which
 * check failed when one does. Undefined when the token is no timestamp at all.
 */
async function checkSignatureTimestamp(token: Buffer, signatureValue: Buffer, opts: VerifyOptions, pool: Buffer[], revocation: Parameters<typeof validateCertificate>[0]['revocation']): Promise<TimestampFinding | undefined> {
  const cms = checkCms(token);
  // A token is a SignedData over a TSTInfo (id-ct-TSTInfo); anything else stamps nothing.
  if (cms.fault || !cms.eContent || cms.eContentType !== OID.tstInfo) return undefined;
  const tst = parseTstInfo(cms.eContent);
  if (!tst) return undefined;
  const tsa = cms.signerCert ? describeCertificate(cms.signerCert).commonName : '';
  const found = (problem?: string, note?: string): TimestampFinding => ({ time: tst.genTime, tsa, valid: !problem, problem, note });
  if (!newHash(tst.hash).update(signatureValue).digest().equals(tst.imprint)) return found("its message imprint is not the digest of the signature value (it stamps something else)");
  if (!cms.signerCert) return found("it does not carry the time-stamping authority's certificate");
  if (!cms.digestMatches) return found('its content does not match the digest its TSA signed (the token was altered)');
  if (!cms.signatureValid) return found("the time-stamping authority's signature on it does not verify");
  const chain = await validateCertificate({ signer: cms.signerCert, pool: [...cms.certificates, ...pool], trust: opts.trust, at: tst.genTime, now: opts.now, revocation, purpose: 'timestamping' });
  // Only a time-stamping authority's token proves a time: a trusted path, the timeStamping
  // extended key usage, and a certificate not known to be bad at that time. A token signed with
  // any other certificate (the signer's own, to backdate his signature) proves nothing.
  const who = `the TSA certificate (${tsa || 'no name'})`;
  if (chain.chain !== 'trusted') return found(`${who} does not chain to a trusted root`);
  if (!chain.keyUsageOk) return found(`${who} is not a time-stamping certificate (extended key usage)`);
  if (chain.problems.some((p) => /SIGNATURE_INVALID|NOT_CA|PATH_LEN/.test(p))) return found(`${who} has an invalid chain (${chain.problems.join(', ')})`);
  if (chain.certificate === 'expired') return found(`${who} had expired at the timestamp's time`);
  if (chain.certificate === 'not-yet-valid') return found(`${who} was not yet valid at the timestamp's time`);
  if (chain.certificate === 'revoked') return found(`${who} is revoked`);
  // A TSA's certificate is rarely given revocation data in a file; without it the token still
  // proves its time as far as the rest goes (as pdfsig and Acrobat take it), and the report says so.
  if (chain.certificate === 'revocation-unknown') return found(undefined, `the revocation status of ${who} is unknown`);
  return found();
}

export async function verifyPdf(path: string, opts: VerifyOptions): Promise<FileReport> {
  trace('verify: start');
  const hasher = opts.rangeHasher;
  // The hasher opened the file by its path on its own: it is used only if it is this path, and the
  // file did not change (or get replaced) around the moment this reader opened it.
  const before = hasher ? identityOf(path) : undefined;
  const reader = PdfReader.open(path);
  const after = hasher ? identityOf(path) : undefined;
  try {
    trace('verify: pdf opened');
    const remote: RemoteHashing | undefined = hasher && {
      hasher,
      sameFile: hasher.opened().then((f) => f?.path === path && sameFile(f.identity, before) && sameFile(f.identity, after) && f.identity.size === reader.size),
    };
    if (reader.isEncrypted) throw new KysoError('PDF_ENCRYPTED', { path });
    const found = findSignatures(reader);
    const dss = readDss(reader);
    trace('verify: signatures found');
    const contents = new Map<FoundSignature, SignedContent>();
    for (const sig of found) {
      if (!sig.byteRange) continue;
      const content = rangeContent(reader, sig.byteRange, remote);
      contents.set(sig, content);
      // Ask now for the digest most signatures use, so that the worker has every answer ready when
      // the signatures are checked one after the other (it answers from the states of its one pass).
      if (remote && sig.contents && sig.faults.length === 0) void content.digest('sha256');
    }
    const revocation = {
      crls: [...(opts.crls ?? []), ...dss.crls],
      ocsps: [...(opts.ocsps ?? []), ...dss.ocsps],
      online: opts.online ?? false,
      cacheDir: opts.cacheDir,
      timeoutMs: opts.timeoutMs,
    };
    // Document timestamps first: one that passes proves that everything it covers existed at its
    // time, so the signatures under it are judged then (what keeps an archived record valid once
    // its signers' certificates have expired).
    // The last one first (ETSI EN 319 102-1 past signature validation): its TSA's certificate must
    // hold at the validation time; each earlier one may rest on a later one that passed, which is
    // what renewing an archive's timestamps before their TSA certificates end provides.
    const byIndex = new Map<FoundSignature, SignatureReport>();
    const stamps: Array<{ covers: number; time: Date }> = [];
    const laterStamp = (sig: FoundSignature): Date | undefined =>
      stamps.filter((t) => t.covers > sig.signedLength).sort((a, b) => a.time.getTime() - b.time.getTime())[0]?.time;
    for (const sig of found.filter((f) => f.type === 'DocTimeStamp').sort((a, b) => b.signedLength - a.signedLength)) {
      const r = await verifyOne(reader, sig, contents.get(sig), opts, dss.certs, revocation, laterStamp(sig));
      byIndex.set(sig, r);
      if (r.indication === 'TOTAL_PASSED' && r.signedAt) stamps.push({ covers: sig.signedLength, time: new Date(r.signedAt) });
    }
    for (const sig of found.filter((f) => f.type !== 'DocTimeStamp')) {
      byIndex.set(sig, await verifyOne(reader, sig, contents.get(sig), opts, dss.certs, revocation, laterStamp(sig)));
    }
    const reports = found.map((sig) => byIndex.get(sig)!);
    return summarize(path, reader.size, reports);
  } finally {
    reader.close();
  }
}

/**
 * The permission a certification signature grants (ISO 32000-1 12.8.2.2): the /P of the DocMDP
 * transform its /Reference names, 2 when absent or out of range (as the signer reads it, see
 * ../sign/form.ts); undefined for an approval signature. An approval signature may set one too
 * (ISO 32000-2 12.7.5.5): the /P of its field's /Lock or of its FieldMDP transform, 1 to 3, is the
 * permission for everything after it; the strictest of them counts.
 */
function docMdpPermission(reader: PdfReader, sig: FoundSignature): { p: 1 | 2 | 3; byLock: boolean } | undefined {
  let permission: { p: 1 | 2 | 3; byLock: boolean } | undefined;
  const stricter = (p: 1 | 2 | 3, byLock: boolean): void => {
    if (permission === undefined || p < permission.p) permission = { p, byLock };
  };
  const lockP = (d: ReturnType<PdfReader['resolveDict']>): void => {
    const p = reader.resolve(d?.get('P'));
    if (p === 1 || p === 2 || p === 3) stricter(p, true);
  };
  try {
    const refs = reader.resolve(sig.dict.get('Reference'));
    for (const ref of isArray(refs) ? refs : []) {
      const transform = reader.resolveDict(ref);
      const method = transform?.name('TransformMethod');
      if (method === 'DocMDP') {
        const p = reader.resolve(reader.resolveDict(transform!.get('TransformParams'))?.get('P'));
        stricter(p === 1 || p === 3 ? p : 2, false);
      } else if (method === 'FieldMDP') lockP(reader.resolveDict(transform!.get('TransformParams')));
    }
  } catch {
    // An unreadable /Reference is the signer's own doing and certifies nothing.
  }
  try {
    if (sig.fieldRef) lockP(reader.resolveDict(reader.resolveDict(sig.fieldRef)?.get('Lock')));
  } catch {
    // No readable lock: no permission from it.
  }
  return permission;
}

// What the change classifier (changes-diff.ts) reports for the changes a certification permits
// besides ones of a lesser kind: its facts, prefixed "update N: " when there are several. A fact
// not listed here (a new kind of fact, the "… and N more" of a long list) counts as not permitted.
/** Validation data and document timestamps (which PAdES permits at every level) and their bookkeeping. */
const VALIDATION_AND_BOOKKEEPING = [
  /^DSS \(validation data\) (added|updated|removed)$/,
  /^catalog \/Version set to \/\d\.\d$/,
  /^object \d+.* deleted, no longer used$/,
  /^document timestamp .+ added$/,
  /^document information dictionary \(\/Info\) updated$/,
  /^XMP metadata updated$/,
  /^catalog \/Extensions updated$/,
  /^AcroForm \/SigFlags changed$/,
  /^\d+ bytes of trailing data after the last update ignored$/,
  /^the signed revision has broken cross-reference information/,
];
/** Form filling and signing (P=2). */
const FORMS_AND_SIGNATURES = [
  /^AcroForm \/\w+ changed$/,
  /^AcroForm \/DR \(form resources\) updated$/,
  /^form field .+ filled \(\/V changed\)$/,
  /^(widget of )?form field .+ made read-only \(\/Ff\)$/,
  /^(appearance of )?(widget of )?form field .+ changed$/,
  /^signature field .+ (added and signed|signed|changed)$/,
  /^empty signature field .+ added$/,
  /^page \d+: signature widget added outside the form \(obj \d+\)$/,
  /^structure tree \(tags\) updated for the annotations, fields or signatures added or removed$/,
  /^page \/StructParents added for the structure tree$/,
];

/**
 * Whether changes short of 'disallowed' are ones a certification with permission `p` allows:
 * 1 only validation data and document timestamps, 2 form filling and signing too, 3 annotations too.
 */
function certificationAllows(p: 1 | 2 | 3, changes: { kind: ChangeKind; details: string[] }): boolean {
  if (p === 3 || changes.kind === 'none') return true;
  if (changes.kind === 'annotations') return false;
  if (changes.kind === 'form-fill') return p === 2;
  // Signatures are the worst kind of change, not the only one: every fact must be permitted.
  const permitted = p === 1 ? VALIDATION_AND_BOOKKEEPING : [...VALIDATION_AND_BOOKKEEPING, ...FORMS_AND_SIGNATURES];
  return changes.details.every((d) => {
    const fact = d.replace(/^update \d+: /, '');
    return permitted.some((re) => re.test(fact));
  });
}

/** The certificates of an adbe.x509.rsa_sha1 signature's /Cert (a string, or an array of them). */
function x509Certs(reader: PdfReader, sig: FoundSignature): Buffer[] {
  try {
    const v = reader.resolve(sig.dict.get('Cert'));
    const items = isArray(v) ? v.map((x) => reader.resolve(x)) : [v];
    return items.filter((x): x is PdfString => x instanceof PdfString).map((x) => Buffer.from(x.bytes));
  } catch {
    return [];
  }
}

/** The signature algorithm with the hashes it used, e.g. "RSASSA-PSS with sha256, MGF1 with sha1". */
function describeSignatureAlgorithm(cms: CmsCheck): string {
  const hashes = [cms.signatureHash && `with ${cms.signatureHash}`, cms.mgf1Hash && `MGF1 with ${cms.mgf1Hash}`].filter(Boolean);
  return hashes.length ? `${cms.signatureAlgorithm} ${hashes.join(', ')}` : `${cms.signatureAlgorithm}`;
}

async function verifyOne(
  reader: PdfReader,
  sig: FoundSignature,
  content: SignedContent | undefined,
  opts: VerifyOptions,
  dssCerts: Buffer[],
  baseRevocation: Parameters<typeof validateCertificate>[0]['revocation'],
  /** The time of the earliest passing document timestamp made after this signature. */
  stampedBy?: Date,
): Promise<SignatureReport> {
  const now = opts.now ?? new Date();
  const warnings: string[] = [];
  const faults = [...sig.faults];
  let cms: CmsCheck | undefined;
  let timestamp: TimestampFinding | undefined;
  let docTimestampTime: Date | undefined;

  if (sig.contents && content && faults.length === 0) {
    cms = sig.subFilter === 'adbe.x509.rsa_sha1' ? checkX509RsaSha1(sig.contents, x509Certs(reader, sig), content) : checkCms(sig.contents, content);
    trace('verify: CMS checked');
    if (cms.fault) faults.push(cms.fault);
    if (cms.cryptoConstraint) warnings.push(cms.cryptoConstraint);
    warnings.push(...cms.warnings);
    // What the CMS signs must be this document's bytes. A detached signature signs the byte ranges;
    // one that carries content of its own (any signed message, from anywhere) signs that instead,
    // and would otherwise pass as a signature on this file.
    if (sig.type === 'Sig' && !cms.fault) {
      if (sig.subFilter === 'adbe.pkcs7.sha1') {
        // The old Acrobat form: the signed content is the SHA-1 digest of the byte ranges.
        if (!cms.eContent) faults.push('an adbe.pkcs7.sha1 signature without the digest it must carry');
        else if (!(await content.digest('sha1')).equals(cms.eContent)) cms.digestMatches = false;
      } else if (cms.eContent) {
        faults.push(`the CMS carries content of its own instead of signing the document's bytes (${sig.subFilter || 'no /SubFilter'} must be detached)`);
      }
    }
    if (sig.type === 'DocTimeStamp' && cms.eContent) {
      // A document timestamp: the token's message imprint is the digest of the byte ranges.
      await settleDigest(cms);
      const tst = parseTstInfo(cms.eContent);
      if (!tst) faults.push('the document timestamp has no readable TSTInfo');
      else if (!(await content.digest(tst.hash)).equals(tst.imprint)) cms.digestMatches = false;
      else docTimestampTime = tst.genTime;
    }
  }
  const signerInfo = cms?.signerCert ? describeCertificate(cms.signerCert) : undefined;
  const revocation = cms ? { ...baseRevocation, crls: [...baseRevocation.crls, ...cms.archived.crls], ocsps: [...baseRevocation.ocsps, ...cms.archived.ocsps] } : baseRevocation;
  const pool = [...(cms?.certificates ?? []), ...dssCerts, ...(opts.extraCerts ?? [])];
  if (cms?.timestampToken && cms.signatureValue) {
    timestamp = await checkSignatureTimestamp(cms.timestampToken, cms.signatureValue, opts, pool, revocation);
    if (!timestamp) warnings.push('the signature timestamp cannot be read; the claimed signing time is used');
    else if (!timestamp.valid) warnings.push(`the signature timestamp does not verify: ${timestamp.problem}; the claimed signing time is used`);
    else if (timestamp.note) warnings.push(`signature timestamp: ${timestamp.note}`);
  }

  // The time the signature is judged at, and what proves it.
  let at: Date;
  let atSource: SignatureReport['signedAtSource'];
  if (docTimestampTime) [at, atSource] = [docTimestampTime, 'timestamp'];
  else if (timestamp?.valid) [at, atSource] = [timestamp.time, 'timestamp'];
  else if (stampedBy && !(opts.poe && opts.poe < stampedBy)) [at, atSource] = [stampedBy, 'document-timestamp'];
  else if (opts.poe) [at, atSource] = [opts.poe, 'proof-of-existence'];
  else if (sig.claimedTime ?? cms?.signingTimeAttr) [at, atSource] = [(sig.claimedTime ?? cms?.signingTimeAttr)!, 'claimed'];
  else [at, atSource] = [now, null];
  const hasPoe = atSource === 'timestamp' || atSource === 'document-timestamp' || atSource === 'proof-of-existence';

  let changes = { kind: 'none' as ChangeKind, details: [] as string[] };
  if (sig.signedLength > 0 && sig.signedLength <= reader.size) {
    try {
      const classified = classifyChanges(reader, sig.signedLength);
      changes = classified;
      warnings.push(...(classified.warnings ?? []));
    } catch (e) {
      changes = { kind: 'disallowed', details: [`the later revisions cannot be read (${(e as Error).message})`] };
    }
  }
  // A certification signature allows less than an approval signature does: what it does not
  // permit makes the changes disallowed for it (ETSI EN 319 102-1 format checking, as DSS does).
  const permission = docMdpPermission(reader, sig);
  if (permission && changes.kind !== 'disallowed' && !certificationAllows(permission.p, changes)) {
    const fact = permission.byLock ? `changes after the signature that its field lock's permission (/P ${permission.p}) does not allow` : docMdpViolation(permission.p);
    changes = { kind: 'disallowed', details: [fact, ...changes.details] };
  }

  trace('verify: changes classified');
  let chain: ChainResult | undefined;
  if (cms?.signerCert && faults.length === 0) {
    chain = await validateCertificate({ signer: cms.signerCert, pool, trust: opts.trust, at, now, revocation, purpose: sig.type === 'DocTimeStamp' ? 'timestamping' : 'signing' });
  }
  trace('verify: certificate validated');
  // Last, so that hashing the ranges (on the worker) overlapped all of the above.
  if (cms) await settleDigest(cms);
  trace('verify: ranges hashed');

  // Indication, most serious first.
  let indication: Indication = 'TOTAL_PASSED';
  let sub: SubIndication | null = null;
  const fail = (i: Indication, s: SubIndication): void => {
    if (indication === 'TOTAL_PASSED') [indication, sub] = [i, s];
  };
  const integrityOk = faults.length === 0 && Boolean(cms?.signerCert) && Boolean(cms?.digestMatches) && Boolean(cms?.signatureValid);
  if (faults.length) fail('TOTAL_FAILED', 'FORMAT_FAILURE');
  else if (!cms?.signerCert) fail('INDETERMINATE', 'NO_SIGNING_CERTIFICATE_FOUND');
  else if (!cms.digestMatches) fail('TOTAL_FAILED', 'HASH_FAILURE');
  else if (!cms.signatureValid) fail('TOTAL_FAILED', 'SIG_CRYPTO_FAILURE');
  else if (cms.essCertMatches === false) fail('INDETERMINATE', 'NO_SIGNING_CERTIFICATE_FOUND');
  else if (cms.cryptoConstraint) fail('INDETERMINATE', 'CRYPTO_CONSTRAINTS_FAILURE');
  if (changes.kind === 'disallowed') fail('TOTAL_FAILED', 'FORMAT_FAILURE');
  // The weakest hash the signature rests on decides: the content's digest, and the hash the
  // signature value was made with (its own algorithm's, and RSASSA-PSS's mask generation), which
  // a signer may choose apart from the digest algorithm.
  if ([cms?.digestAlgorithm, cms?.signatureHash, cms?.mgf1Hash].includes('sha1') || (sig.subFilter === 'adbe.pkcs7.sha1' && integrityOk)) {
    if (at.getTime() >= SHA1_CUTOFF) fail('INDETERMINATE', 'CRYPTO_CONSTRAINTS_FAILURE_NO_POE');
    else warnings.push('SHA-1 (accepted for a signature made before 2017)');
  }
  let certificate: CertStatus = chain?.certificate ?? 'revocation-unknown';
  if (chain) {
    if (chain.certificate === 'revoked') fail('TOTAL_FAILED', 'REVOKED');
    else if (chain.certificate === 'not-yet-valid') fail('TOTAL_FAILED', 'NOT_YET_VALID');
    else if (chain.certificate === 'expired') fail(hasPoe ? 'TOTAL_FAILED' : 'INDETERMINATE', hasPoe ? 'EXPIRED' : 'OUT_OF_BOUNDS_NO_POE');
    if (chain.chain !== 'trusted') fail('INDETERMINATE', 'NO_CERTIFICATE_CHAIN_FOUND');
    else if (chain.problems.some((p) => /SIGNATURE_INVALID|NOT_CA|PATH_LEN/.test(p))) fail('INDETERMINATE', 'CERTIFICATE_CHAIN_GENERAL_FAILURE');
    if (!chain.keyUsageOk) fail('INDETERMINATE', 'CHAIN_CONSTRAINTS_FAILURE');
    // Not refused, since the signature itself is sound; but a CA's key is for certificates, and a
    // document signed with one deserves a second look.
    if (chain.problems.includes('SIGNER_IS_CA')) warnings.push('the signer certificate is a CA certificate (basicConstraints CA:TRUE), not an end-entity certificate');
    if (chain.certificate === 'valid' && chain.revokedAt && !hasPoe) {
      // Revoked after the claimed time: without proof of when it was signed, it cannot pass.
      certificate = 'revoked';
      fail('INDETERMINATE', 'REVOKED_NO_POE');
    }
    if (chain.certificate === 'valid' && !chain.validAtNow && !hasPoe) {
      certificate = 'expired';
      fail('INDETERMINATE', 'OUT_OF_BOUNDS_NO_POE');
    }
    // A document timestamp proves its time only while its TSA's certificate holds, or while a later
    // document timestamp that passed proves the token existed before that certificate ended.
    if (sig.type === 'DocTimeStamp' && chain.certificate === 'valid' && !chain.validAtNow && !(stampedBy && stampedBy.getTime() <= certificateEnd(chain))) {
      certificate = 'expired';
      fail('INDETERMINATE', 'OUT_OF_BOUNDS_NO_POE');
    }
    if (chain.certificate === 'revocation-unknown') fail('INDETERMINATE', 'TRY_LATER');
  }

  const report: SignatureReport = {
    index: sig.index,
    field: sig.fieldName,
    kind: sig.type === 'DocTimeStamp' ? 'document-timestamp' : 'signature',
    signer: signerOf(signerInfo),
    signedAt: atSource ? at.toISOString() : null,
    signedAtSource: atSource,
    subFilter: sig.subFilter,
    coversWholeDocument: sig.signedLength === reader.size && faults.length === 0,
    integrity: integrityOk ? 'valid' : 'invalid',
    chain: chain?.chain ?? 'incomplete',
    certificate,
    modificationsAfter: changes.kind,
    indication,
    subIndication: sub,
    messages: { vi: '', en: '' },
    details: {
      byteRange: sig.byteRange ?? null,
      signedLength: sig.signedLength,
      digestAlgorithm: cms?.digestAlgorithm ?? null,
      signatureAlgorithm: cms?.signatureAlgorithm ? describeSignatureAlgorithm(cms) : null,
      pages: sig.pages,
      reason: sig.reason,
      location: sig.location,
      faults,
      warnings,
      changes: changes.details,
      chainPath: chain?.path.map((l) => l.info.subject) ?? [],
      revocation: chain ? { source: chain.revocationSource, revokedAt: chain.revokedAt?.toISOString(), reason: chain.revocationReason } : null,
      timestamp: timestamp ? { time: timestamp.time.toISOString(), tsa: timestamp.tsa, valid: timestamp.valid, ...(timestamp.problem ? { problem: timestamp.problem } : {}) } : null,
      concerned: concernedCertificate(chain, sub, at, now),
    },
  };
  report.messages = signatureMessages(report);
  return report;
}

/** When the first certificate of a path ends. */
function certificateEnd(chain: ChainResult): number {
  return Math.min(...chain.path.map((l) => l.info.notAfter.getTime()));
}

function summarize(file: string, size: number, signatures: SignatureReport[]): FileReport {
  const rank: Record<Indication, number> = { TOTAL_PASSED: 0, INDETERMINATE: 1, TOTAL_FAILED: 2 };
  let indication: Indication = 'TOTAL_PASSED';
  let sub: SubIndication | null = null;
  for (const s of signatures) {
    if (rank[s.indication] > rank[indication]) [indication, sub] = [s.indication, s.subIndication];
  }
  if (signatures.length === 0) [indication, sub] = ['TOTAL_FAILED', 'SIGNED_DATA_NOT_FOUND'];
  const report: FileReport = { file, size, signatures, indication, subIndication: sub, messages: { vi: '', en: '' } };
  report.messages = fileMessages(report);
  return report;
}
