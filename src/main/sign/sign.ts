// Adds one signature to a PDF as an incremental update.
//
// The original bytes are copied unchanged and become a prefix of the output; after them come
// the new objects (signature dictionary, field and widget, updated page and form) and a
// cross-reference section of the file's own kind. The ByteRange is hashed while the copy is
// written, the CMS is made by the signer (a token), and its hex is written into the room
// reserved for it. The output appears under its name only once it is complete and on disk.
import { createHash } from 'node:crypto';
import { existsSync, realpathSync, statSync, type Stats } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { KysoError } from '../../shared/errors.js';
import { buildCms, estimateCmsSize, type CmsOptions } from '../cms/build.js';
import { canSignDocuments, describeCertificate, type CertificateInfo } from '../cms/certinfo.js';
import type { DigestAlgorithm, Signer } from '../cms/signer.js';
import { AtomicFile } from '../io/atomic.js';
import { IncrementalUpdate } from '../pdf/incremental.js';
import { PdfDict, PdfName, PdfRaw, PdfRef, PdfStream, isArray, isRef, type PdfObject } from '../pdf/objects.js';
import { PdfReader, type PageInfo } from '../pdf/reader.js';
import { serialize } from '../pdf/serialize.js';
import { pdfDate, textString } from '../pdf/text.js';
import { freeFieldName, readForm, type FormInfo } from './form.js';
import { TIMESTAMP_RESERVE, type DigestTimestamper, type Timestamper } from './timestamp.js';
import { trace } from '../util/trace.js';

export type SignatureProfile = 'pades' | 'pkcs7';

/** What an appearance builder (see ../appearance) gets to draw a visible signature. */
export interface AppearanceContext {
  update: IncrementalUpdate;
  reader: PdfReader;
  page: PageInfo;
  width: number;
  height: number;
  certificate: CertificateInfo;
  signingTime: Date;
}
/** Adds the appearance's objects to the update and returns the reference of its form XObject. */
export type AppearanceBuilder = (ctx: AppearanceContext) => PdfRef;

/** What a builder of extra annotations (the clerk's number and date) gets: the signature's own revision. */
export interface AnnotationContext {
  update: IncrementalUpdate;
  reader: PdfReader;
  pages: PageInfo[];
  certificate: CertificateInfo;
  signingTime: Date;
}
/** An annotation object already added to the update, to be listed in its page's /Annots. */
export interface AddedAnnotation {
  /** 0-based page index. */
  page: number;
  ref: PdfRef;
}
export type AnnotationBuilder = (ctx: AnnotationContext) => AddedAnnotation[];

export interface SignPdfOptions {
  input: string;
  output: string;
  signer: Signer;
  digest?: DigestAlgorithm;
  /** 'pades' (default): ETSI.CAdES.detached, PAdES B-B. 'pkcs7': adbe.pkcs7.detached with a signing-time attribute. */
  profile?: SignatureProfile;
  /** 1-based page for the widget; default 1. */
  page?: number;
  /** Visible rectangle [x, y, width, height] in points from the page's lower-left corner; absent = invisible. */
  rect?: [number, number, number, number];
  fieldName?: string;
  reason?: string;
  location?: string;
  contactInfo?: string;
  signingTime?: Date;
  appearance?: AppearanceBuilder;
  /**
   * Which way the visible widget is turned, counter-clockwise (its /MK /R): the page's /Rotate for an
   * appearance that stands upright as the page is seen. The appearance's own /Matrix does the drawing.
   */
  widgetRotation?: 0 | 90 | 180 | 270;
  /** Annotations added in the same revision, so that this signature covers them (number filling). */
  annotations?: AnnotationBuilder;
  /** Called last, before the revision is built (e.g. writes the font subsets the appearances used). */
  beforeBuild?: (update: IncrementalUpdate) => void | Promise<void>;
  /** Extra bytes reserved in /Contents beyond the CMS's exact size (room for an unsigned attribute later). */
  extraReserve?: number;
  /** Timestamps the signature (PAdES B-T): see ./timestamp.ts. Nothing is written when it fails. */
  timestamp?: Timestamper;
  /**
   * The intermediates to embed, completed before signing (a token often holds only the signer's
   * certificate); default the signer's own chain.
   */
  chain?: readonly Buffer[];
  /** CRLs and OCSP responses of the signer's path, embedded (signed) so a receiver verifies offline. */
  revocation?: { crls: readonly Buffer[]; ocsps: readonly Buffer[] };
}

export interface SignPdfResult {
  output: string;
  fieldName: string;
  page: number;
  byteRange: [number, number, number, number];
  cmsSize: number;
  reserved: number;
  signingTime: Date;
  size: number;
  signer: CertificateInfo;
}

const BYTE_RANGE_SLOT = 48;
const APP_VERSION = '0.1.0';

function sameFile(a: string, b: string): boolean {
  if (resolve(a) === resolve(b)) return true;
  if (!existsSync(b)) return false;
  try {
    const sa = statSync(a);
    const sb = statSync(b);
    return (sa.dev === sb.dev && sa.ino === sb.ino) || realpathSync(a) === realpathSync(b);
  } catch {
    return false;
  }
}

function checkCertificate(info: CertificateInfo, at: Date): void {
  const when = (d: Date): string => d.toISOString().slice(0, 10);
  if (at < info.notBefore) throw new KysoError('CERT_NOT_YET_VALID', { subject: info.commonName, notBefore: when(info.notBefore) });
  if (at > info.notAfter) throw new KysoError('CERT_EXPIRED', { subject: info.commonName, notAfter: when(info.notAfter) });
  if (!canSignDocuments(info)) throw new KysoError('CERT_KEY_USAGE', { subject: info.commonName });
}

interface SigDictBytes {
  raw: Buffer;
  byteRangeAt: number;
  contentsAt: number;
  contentsLength: number;
}

function signatureDictionary(o: {
  type?: 'Sig' | 'DocTimeStamp';
  subFilter: string;
  reserved: number;
  /** Absent for a document timestamp, whose time is the token's. */
  signingTime?: Date;
  name?: string;
  reason?: string;
  location?: string;
  contactInfo?: string;
}): SigDictBytes {
  const head = `<</Type/${o.type ?? 'Sig'}/Filter/Adobe.PPKLite/SubFilter/${o.subFilter}/ByteRange `;
  const byteRangeAt = head.length;
  const contentsPrefix = ' '.repeat(BYTE_RANGE_SLOT) + '/Contents ';
  const contentsAt = byteRangeAt + contentsPrefix.length;
  const contents = `<${'0'.repeat(o.reserved * 2)}>`;
  const tail = new PdfDict();
  if (o.signingTime) tail.set('M', textString(pdfDate(o.signingTime)));
  if (o.name) tail.set('Name', textString(o.name));
  if (o.reason) tail.set('Reason', textString(o.reason));
  if (o.location) tail.set('Location', textString(o.location));
  if (o.contactInfo) tail.set('ContactInfo', textString(o.contactInfo));
  const build = new PdfDict([
    ['Filter', new PdfDict([['Name', PdfName.of('Adobe.PPKLite')]])],
    ['App', new PdfDict([['Name', PdfName.of('Kyso')], ['REx', textString(APP_VERSION)]])],
  ]);
  tail.set('Prop_Build', build);
  const tailText = serialize(tail).slice(2, -2); // the entries without the << >>
  const raw = Buffer.from(head + contentsPrefix + contents + tailText + '>>', 'latin1');
  return { raw, byteRangeAt, contentsAt, contentsLength: contents.length };
}

/** A signature field merged with its widget, its value the signature dictionary `sigRef`. */
function signatureWidget(fieldName: string, sigRef: PdfRef, rect: number[], pageRef: PdfRef): PdfDict {
  return new PdfDict([
    ['Type', PdfName.of('Annot')],
    ['Subtype', PdfName.of('Widget')],
    ['FT', PdfName.of('Sig')],
    ['T', textString(fieldName)],
    ['V', sigRef],
    ['F', 132], // Print + Locked
    ['Rect', rect],
    ['P', pageRef],
  ]);
}

function blankAppearance(update: IncrementalUpdate, width: number, height: number): PdfRef {
  const d = new PdfDict([
    ['Type', PdfName.of('XObject')],
    ['Subtype', PdfName.of('Form')],
    ['BBox', [0, 0, width, height]],
    ['Resources', new PdfDict()],
  ]);
  return update.add(new PdfStream(d, 0, 0, Buffer.alloc(0)));
}

/**
 * Puts an annotation in the page's /Annots, rewriting the array object or the page itself. Reads
 * both as the update has them, so several annotations can go to one page in one revision.
 */
function addToPage(update: IncrementalUpdate, reader: PdfReader, page: PageInfo, annot: PdfRef): void {
  const pending = update.current(page.ref);
  const pageDict = pending instanceof PdfDict ? pending : page.dict;
  const annots = pageDict.get('Annots');
  if (isRef(annots)) {
    const current = update.current(annots);
    const arr = current instanceof PdfRaw ? undefined : reader.resolve(current as PdfObject);
    if (isArray(arr)) {
      update.set(annots, [...arr, annot]);
      return;
    }
  }
  const p = pageDict.clone();
  const existing = reader.resolve(annots);
  p.set('Annots', [...(isArray(existing) ? existing : []), annot]);
  update.set(page.ref, p);
}

/** Adds the field to the AcroForm (creating it when absent) and sets SigFlags 3. */
function addToForm(update: IncrementalUpdate, reader: PdfReader, form: FormInfo, field: PdfRef): void {
  const catalogRef = reader.rootRef();
  const withField = (af: PdfDict): PdfDict => {
    const d = af.clone();
    const flags = reader.resolve(d.get('SigFlags'));
    d.set('SigFlags', (typeof flags === 'number' ? flags : 0) | 3);
    if (form.fieldsRef) update.set(form.fieldsRef, [...form.fields, field]);
    else d.set('Fields', [...form.fields, field]);
    return d;
  };
  if (form.acroForm && form.acroFormRef) {
    update.set(form.acroFormRef, withField(form.acroForm));
    return;
  }
  const catalog = reader.catalog().clone();
  if (form.acroForm) catalog.set('AcroForm', withField(form.acroForm));
  else catalog.set('AcroForm', update.add(new PdfDict([['Fields', [field]], ['SigFlags', 3]])));
  update.set(catalogRef, catalog);
}

/**
 * Puts the signature dictionary `sig` (object `sigRef`) into the update, builds the revision, and
 * writes input + revision to output: the ByteRange filled in, the two ranges hashed with `digest`
 * (read back from the copy, so the hash is of exactly what the output holds), `contents` asked for
 * the bytes of /Contents, which are written into the room reserved. Nothing appears under the
 * output's name unless all of it succeeded.
 */
async function writeSignedRevision(
  w: { input: string; output: string; before: Stats; update: IncrementalUpdate; sigRef: PdfRef; sig: SigDictBytes; digest: DigestAlgorithm; reserved: number },
  contents: (digest: Buffer) => Promise<Buffer>,
): Promise<{ byteRange: [number, number, number, number]; cmsSize: number; size: number }> {
  const { sigRef, sig } = w;
  w.update.set(sigRef, new PdfRaw(sig.raw));
  const built = w.update.build();
  trace('sign: update built');

  // Where the signature dictionary's parts landed, in the update and in the whole file.
  const objStart = built.offsets.get(sigRef.num)! + Buffer.byteLength(`${sigRef.num} ${sigRef.gen} obj\n`);
  const localContents = objStart + sig.contentsAt;
  const contentsStart = built.baseSize + localContents;
  const contentsEnd = contentsStart + sig.contentsLength;
  const size = built.baseSize + built.bytes.length;
  const byteRange: [number, number, number, number] = [0, contentsStart, contentsEnd, size - contentsEnd];
  const brText = `[${byteRange.join(' ')}]`;
  if (brText.length > BYTE_RANGE_SLOT) throw new KysoError('PDF_UNSUPPORTED', { reason: 'file too large' });
  built.bytes.write(brText.padEnd(BYTE_RANGE_SLOT, ' '), objStart + sig.byteRangeAt, 'latin1');

  const out = await AtomicFile.fromCopy(w.input, w.output);
  try {
    const after = statSync(w.input);
    if (out.length !== built.baseSize || after.size !== w.before.size || after.mtimeMs !== w.before.mtimeMs)
      throw new KysoError('FILE_READ_FAILED', { path: w.input, reason: 'the file changed while it was being signed' });
    out.write(built.bytes);
    // The disk writes the copy while the bytes are hashed and while the token signs.
    out.startFlush();
    trace('sign: original copied, update appended');
    const hash = createHash(w.digest);
    out.hashRange(hash, 0, contentsStart);
    out.hashRange(hash, contentsEnd, size);
    trace('sign: byte ranges hashed');
    const cms = await contents(hash.digest());
    trace('sign: token signed, CMS built');
    if (cms.length > w.reserved) throw new KysoError('SIGN_PLACEHOLDER_TOO_SMALL', { need: cms.length, have: w.reserved });
    out.writeAt(Buffer.from(cms.toString('hex'), 'latin1'), contentsStart + 1);
    await out.commit();
    trace('sign: flushed and renamed');
    return { byteRange, cmsSize: cms.length, size };
  } catch (e) {
    out.abort();
    throw e;
  }
}

/** The absolute input and output paths, refused when the input is missing or would be overwritten. */
function ioPaths(o: { input: string; output: string }): { input: string; output: string } {
  const input = resolve(o.input);
  const output = resolve(o.output);
  if (!existsSync(input)) throw new KysoError('FILE_NOT_FOUND', { path: input });
  if (sameFile(input, output)) throw new KysoError('OUTPUT_SAME_AS_INPUT', { path: input });
  if (!existsSync(dirname(output))) throw new KysoError('FILE_WRITE_FAILED', { path: output, reason: 'folder not found' });
  return { input, output };
}

/** The form of a document a new signature may be added to (not encrypted, not certified against changes). */
function signableForm(reader: PdfReader, input: string): FormInfo {
  if (reader.isEncrypted) throw new KysoError('PDF_ENCRYPTED', { path: input });
  const form = readForm(reader);
  if (form.docMdp === 1) throw new KysoError('PDF_CERTIFIED_NO_CHANGES', { path: input });
  return form;
}

export async function signPdf(opts: SignPdfOptions): Promise<SignPdfResult> {
  const { input, output } = ioPaths(opts);
  const digest = opts.digest ?? 'sha256';
  const profile = opts.profile ?? 'pades';
  const signingTime = opts.signingTime ?? new Date();
  const certificate = describeCertificate(opts.signer.certificate);
  checkCertificate(certificate, signingTime);

  trace('sign: start');
  const before = statSync(input);
  const reader = PdfReader.open(input);
  trace('sign: pdf opened');
  try {
    const form = signableForm(reader, input);
    const fieldName = opts.fieldName ?? freeFieldName(form);
    if (opts.fieldName && form.all.some((f) => f.name === fieldName)) throw new KysoError('PDF_FIELD_NAME_TAKEN', { name: fieldName });
    const pageNo = opts.page ?? 1;
    if (!Number.isInteger(pageNo) || pageNo < 1) throw new KysoError('PDF_PAGE_OUT_OF_RANGE', { page: pageNo, pages: reader.pages().length });
    const page = reader.page(pageNo - 1);

    const update = new IncrementalUpdate(reader);
    const sigRef = update.allocate();
    const widgetRef = update.allocate();
    let rect: number[] = [0, 0, 0, 0];
    let ap: PdfRef | undefined;
    if (opts.rect) {
      const [x, y, w, h] = opts.rect;
      if (![x, y, w, h].every(Number.isFinite) || w <= 0 || h <= 0)
        throw new KysoError('USAGE', { reason: 'the signature rectangle needs a positive width and height' });
      const [ox, oy] = page.cropBox;
      rect = [ox + x, oy + y, ox + x + w, oy + y + h];
      const ctx: AppearanceContext = { update, reader, page, width: w, height: h, certificate, signingTime };
      ap = opts.appearance ? opts.appearance(ctx) : blankAppearance(update, w, h);
    }
    const widget = signatureWidget(fieldName, sigRef, rect, page.ref);
    if (ap) widget.set('AP', new PdfDict([['N', ap]]));
    if (ap && opts.widgetRotation !== undefined) widget.set('MK', new PdfDict([['R', opts.widgetRotation]]));
    update.set(widgetRef, widget);
    addToPage(update, reader, page, widgetRef);
    addToForm(update, reader, form, widgetRef);
    if (opts.annotations) {
      const pages = reader.pages();
      for (const a of opts.annotations({ update, reader, pages, certificate, signingTime })) {
        const target = pages[a.page];
        if (!target) throw new KysoError('PDF_PAGE_OUT_OF_RANGE', { page: a.page + 1, pages: pages.length });
        addToPage(update, reader, target, a.ref);
      }
    }
    await opts.beforeBuild?.(update);

    const cmsOpts: CmsOptions = { digest, signingTime: profile === 'pkcs7' ? signingTime : undefined, chain: opts.chain, revocation: opts.revocation };
    const reserved = estimateCmsSize(opts.signer, cmsOpts) + 16 + (opts.extraReserve ?? 0) + (opts.timestamp ? TIMESTAMP_RESERVE : 0);
    const sig = signatureDictionary({
      subFilter: profile === 'pades' ? 'ETSI.CAdES.detached' : 'adbe.pkcs7.detached',
      reserved,
      signingTime,
      name: certificate.commonName,
      reason: opts.reason,
      location: opts.location,
      contactInfo: opts.contactInfo,
    });
    const written = await writeSignedRevision({ input, output, before, update, sigRef, sig, digest, reserved }, (d) => buildCms(opts.signer, d, cmsOpts, opts.timestamp));
    return { output, fieldName, page: pageNo, ...written, reserved, signingTime, signer: certificate };
  } finally {
    reader.close();
  }
}

export interface TimestampPdfOptions {
  input: string;
  output: string;
  /** Asks the TSA for a token over the digest of the byte ranges (see ./timestamp.ts). */
  tsa: DigestTimestamper;
  digest?: DigestAlgorithm;
  fieldName?: string;
}

export interface TimestampPdfResult {
  output: string;
  fieldName: string;
  byteRange: [number, number, number, number];
  tokenSize: number;
  size: number;
}

/**
 * Adds a document timestamp (PAdES: /Type /DocTimeStamp, /SubFilter /ETSI.RFC3161) as an
 * incremental update: a TSA's token over everything before it, earlier signatures included. What
 * an archive adds to keep a record provable once the signers' certificates have expired or their
 * algorithms have weakened. No token and no PIN of the user's: only the TSA signs.
 */
export async function timestampPdf(opts: TimestampPdfOptions): Promise<TimestampPdfResult> {
  const { input, output } = ioPaths(opts);
  const digest = opts.digest ?? 'sha256';
  const before = statSync(input);
  const reader = PdfReader.open(input);
  try {
    const form = signableForm(reader, input);
    const fieldName = opts.fieldName ?? freeFieldName(form, 'Timestamp');
    if (opts.fieldName && form.all.some((f) => f.name === fieldName)) throw new KysoError('PDF_FIELD_NAME_TAKEN', { name: fieldName });
    const page = reader.page(0);
    const update = new IncrementalUpdate(reader);
    const sigRef = update.allocate();
    const widgetRef = update.allocate();
    update.set(widgetRef, signatureWidget(fieldName, sigRef, [0, 0, 0, 0], page.ref));
    addToPage(update, reader, page, widgetRef);
    addToForm(update, reader, form, widgetRef);
    const reserved = TIMESTAMP_RESERVE;
    const sig = signatureDictionary({ type: 'DocTimeStamp', subFilter: 'ETSI.RFC3161', reserved });
    const written = await writeSignedRevision({ input, output, before, update, sigRef, sig, digest, reserved }, (d) => opts.tsa(digest, d));
    return { output, fieldName, byteRange: written.byteRange, tokenSize: written.cmsSize, size: written.size };
  } finally {
    reader.close();
  }
}
