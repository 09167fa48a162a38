// Visible signatures by role, as Nghị định 30 shows them: the drafter's initials, the leader's
// handwritten signature, the organisation's seal (over the leader's signature, or the Quảng Ninh
// block under "Số:") with the clerk's number filling, and the text stamp of attachments and copies.
// Plans where and what to draw (reading the document's text when a placement needs it), then
// signs with signPdf, the appearance and the annotations going into the signature's own revision.
import { readFileSync } from 'node:fs';
import { KysoError } from '../../shared/errors.js';
import { describeCertificate, type CertificateInfo } from '../cms/certinfo.js';
import { isArray, isDict, isNumber, isRef, type PdfRef } from '../pdf/objects.js';
import { PdfReader, toBox, type PageInfo } from '../pdf/reader.js';
import type { IncrementalUpdate } from '../pdf/incremental.js';
import { openDocumentText, type DocumentText } from '../appearance/anchors.js';
import {
  imageAppearance,
  linesAppearance,
  measureLines,
  organisationBlockAppearance,
  signerTextAppearance,
  stampLines,
  type Draw,
} from '../appearance/appearances.js';
import { loadFace } from '../appearance/fonts.js';
import { box, snapRotation, type Rotation } from '../appearance/geometry.js';
import { AppearanceKit, physicalSize, readPng, type ImageHandle } from '../appearance/kit.js';
import { numberingAnnotations, planNumbering, type NumberPiece } from '../appearance/numbering.js';
import {
  checkClearOfText,
  checkInside,
  placeAfterLine,
  placeBelowAnchor,
  placeExplicit,
  placeLeader,
  placeSealOverLeader,
  placeTopRight,
  placeUnderNumber,
  visualSize,
  type Placement,
} from '../appearance/placement.js';
import { getPreset, type Preset } from '../appearance/presets.js';
import { initials } from '../appearance/text-layout.js';
import { checkIssueDate, issueDateOf, isoVietnam, parseIssueDate } from '../appearance/time.js';
import type { DecodedImage } from '../appearance/png.js';
import { freeFieldName, readForm } from './form.js';
import { signPdf, type AnnotationBuilder, type AppearanceBuilder, type SignPdfOptions, type SignPdfResult } from './sign.js';

/** Who signs, in NĐ 30's words: drafter (ký nháy), leader (ký phê duyệt), org (ký phát hành), attachment, copy. */
export const SIGNATURE_ROLES = ['drafter', 'leader', 'org', 'attachment', 'copy'] as const;
export type SignatureRole = (typeof SIGNATURE_ROLES)[number];

const FIELD_BASE: Record<SignatureRole, string> = {
  drafter: 'Drafter',
  leader: 'Leader',
  org: 'Organisation',
  attachment: 'Attachment',
  copy: 'Copy',
};

export interface VisibleOptions {
  role: SignatureRole;
  /** Placement preset (assets/presets.json); default "nd30". */
  preset?: string;
  /** The signature, seal, logo or initials image (PNG, transparent background). */
  image?: { bytes: Buffer; source: string };
  /** 1-based page; with rect, an explicit placement; alone, where anchors are searched. */
  page?: number;
  rect?: [number, number, number, number];
  /** Text to place relative to: the leader's title line, the drafter's line, the QN number line. */
  anchor?: string;
  /** The signer's name as printed (leader: under the signature; default the certificate's name). */
  signerName?: string;
  /** The signer's title line as printed above the signature, e.g. "GIÁM ĐỐC". */
  signerTitle?: string;
  /** Number and symbol ("203/QĐ-SYT"): filled in by the organisation signature, or shown on an attachment. */
  docNumber?: string;
  /** Issue date YYYY-MM-DD: must be the signing day (Vietnam time) for the organisation signature. */
  issued?: string;
  /** Organisation name for stamps (default the certificate's organisation or name). */
  organisation?: string;
  /** Form of copy (cell 14): SAO Y, SAO LỤC or TRÍCH SAO. */
  copyForm?: string;
  /** The copy's own number and symbol, shown after the form ("SAO Y, số 01/SY"). */
  copyNumber?: string;
  /** Place of copying, shown before the time ("Quảng Ninh, 2026-…"). */
  place?: string;
}

export interface VisiblePlan {
  fieldName: string;
  placement: Placement;
  /** signPdf's page (1-based) and rectangle (from the crop box's lower-left corner). */
  page: number;
  rect: [number, number, number, number];
  widgetRotation: Rotation;
  appearance: AppearanceBuilder;
  annotations?: AnnotationBuilder;
  beforeBuild: (update: IncrementalUpdate) => void;
  numbering: NumberPiece[];
}

interface Decoded {
  bytes: Buffer;
  source: string;
  decoded: DecodedImage;
}

function decodeImage(image: VisibleOptions['image']): Decoded | undefined {
  if (!image) return undefined;
  return { ...image, decoded: readPng(image.bytes, image.source) };
}

/** Reads an image file for VisibleOptions.image, and checks it is a PNG Kyso can draw (IMAGE_INVALID), before any token is opened. */
export function imageFile(path: string): { bytes: Buffer; source: string } {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new KysoError('FILE_NOT_FOUND', { path });
    throw new KysoError('FILE_READ_FAILED', { path, reason: code ?? (e as Error).message });
  }
  readPng(bytes, path);
  return { bytes, source: path };
}

interface LeaderWidget {
  page: number;
  box: ReturnType<typeof box>;
  rotation: Rotation;
}

/** The leader's visible signature widget: ours ("Leader1"...), else the last visible signature not ours by another role. */
export function findLeaderWidget(reader: PdfReader): LeaderWidget | undefined {
  const pages = reader.pages();
  const pageOf = (ref: PdfRef | undefined, p: unknown): number | undefined => {
    if (isRef(p as PdfRef)) {
      const i = pages.findIndex((pg) => pg.ref.equals(p));
      if (i >= 0) return i;
    }
    if (!ref) return undefined;
    return pages.findIndex((pg) => {
      const a = reader.resolve(pg.dict.get('Annots'));
      return isArray(a) && a.some((x) => isRef(x) && x.equals(ref));
    });
  };
  const others = /^(Drafter|Organisation|Attachment|Copy|Incoming)\d+$/;
  const visible = readForm(reader)
    .all.filter((f) => f.type === 'Sig')
    .map((f) => {
      const rect = toBox(reader.resolve(f.dict.get('Rect')));
      if (!rect || rect[2] - rect[0] < 1 || rect[3] - rect[1] < 1) return undefined;
      const page = pageOf(f.ref, f.dict.get('P'));
      if (page === undefined || page < 0) return undefined;
      const mk = reader.resolve(f.dict.get('MK'));
      const r = isDict(mk) ? reader.resolve(mk.get('R')) : undefined;
      const rotation = isNumber(r) ? snapRotation(r) : pages[page]!.rotate;
      return { name: f.name, page, box: box(rect[0], rect[1], rect[2], rect[3]), rotation };
    })
    .filter((x): x is NonNullable<typeof x> => x !== undefined);
  const ours = visible.filter((v) => /^Leader\d+$/.test(v.name));
  return ours.at(-1) ?? visible.filter((v) => !others.test(v.name)).at(-1);
}

const MM = 72 / 25.4;

/** The organisation signature's place: the preset's (seal over the leader's signature, or QN block under "Số:"). */
async function placeOrganisation(
  preset: Preset,
  o: VisibleOptions,
  reader: PdfReader,
  documentText: () => Promise<DocumentText>,
  image: Decoded | undefined,
  pageIndex: number | undefined,
): Promise<Placement> {
  const org = preset.org;
  if (org.placement === 'under-number')
    return placeUnderNumber(await documentText(), reader.pages(), { anchor: o.anchor ?? org.anchor, width: org.width, height: org.height, minHeight: org.minHeight, gap: org.gap }, pageIndex ?? 0);
  if (!image) throw new KysoError('USAGE', { reason: 'the organisation signature over the leader\'s needs the seal image (--image SEAL.png)' });
  if (o.anchor) throw new KysoError('USAGE', { reason: '--anchor does not apply to the seal, which goes over the leader\'s signature; use --rect, or --preset quang-ninh' });
  const leader = findLeaderWidget(reader);
  if (!leader) throw new KysoError('LEADER_SIGNATURE_NOT_FOUND');
  const d = image.decoded;
  const real = physicalSize(d);
  const w = real?.width ?? org.sealSizeMm * MM;
  const h = real?.height ?? (w * d.height) / d.width;
  return placeSealOverLeader(leader, { width: w, height: h }, org.coverFraction);
}

function toSignRect(pages: PageInfo[], p: Placement): [number, number, number, number] {
  const [cx, cy] = pages[p.page]!.cropBox;
  const round = (v: number): number => Math.round(v * 1000) / 1000;
  return [round(p.box.x0 - cx), round(p.box.y0 - cy), round(p.box.x1 - p.box.x0), round(p.box.y1 - p.box.y0)];
}

/**
 * Decides where and what a role's visible signature draws. Reads the document's text (pdf.js)
 * only when a placement or the number filling needs it.
 */
export async function planVisibleSignature(
  input: string,
  o: VisibleOptions,
  certificate: CertificateInfo,
  signingTime: Date,
): Promise<VisiblePlan> {
  const preset = getPreset(o.preset);
  const image = decodeImage(o.image);
  const reader = PdfReader.open(input);
  let text: DocumentText | undefined;
  const documentText = async (): Promise<DocumentText> => (text ??= await openDocumentText(input));
  try {
    const pages = reader.pages();
    const pageIndex = o.page !== undefined ? o.page - 1 : undefined;
    if (pageIndex !== undefined && (pageIndex < 0 || pageIndex >= pages.length))
      throw new KysoError('PDF_PAGE_OUT_OF_RANGE', { page: o.page!, pages: pages.length });
    const time = isoVietnam(signingTime);
    const organisation = o.organisation ?? (o.role === 'org' ? certificate.commonName : certificate.organization ?? certificate.commonName);
    let placement: Placement;
    // What the appearance draws, given the embedded image (when there is one).
    let draw: (img: ImageHandle | undefined) => Draw;
    let numbering: NumberPiece[] = [];
    // A computed place must leave the document's text readable; the seal alone is meant to overlap
    // (the leader's signature, and often the title and name, as a stamp does on paper).
    let mayCoverText = false;
    const explicit = o.rect ? placeExplicit(pages, pageIndex ?? 0, o.rect) : undefined;
    const aspect = image ? image.decoded.width / image.decoded.height : undefined;

    switch (o.role) {
      case 'leader': {
        placement =
          explicit ??
          (await placeLeader({
            text: await documentText(),
            preset: preset.leader,
            name: o.signerName ?? certificate.commonName,
            title: o.signerTitle ?? o.anchor,
            aspect: aspect ?? 2.5,
            page: pageIndex,
          }));
        const name = o.signerName ?? certificate.commonName;
        draw = (img) => (img ? imageAppearance(img) : signerTextAppearance(name, `Ký số: ${time}`, [0.05, 0.15, 0.6]));
        break;
      }
      case 'org': {
        if (o.issued !== undefined || o.docNumber !== undefined) {
          const issued = o.issued !== undefined ? parseIssueDate(o.issued) : issueDateOf(signingTime);
          checkIssueDate(issued, signingTime);
          if (o.docNumber !== undefined) {
            const lines = await (await documentText()).lines(0);
            numbering = planNumbering(lines, { docNumber: o.docNumber, issued, numberAnchor: preset.numbering.numberAnchor, fontSize: preset.numbering.fontSize }, loadFace);
          }
        }
        placement = explicit ?? (await placeOrganisation(preset, o, reader, documentText, image, pageIndex));
        const org = preset.org;
        mayCoverText = org.placement === 'over-leader';
        if (org.placement === 'under-number' && !explicit) {
          draw = (img) => organisationBlockAppearance({ image: img, organisation, time: `Thời gian ký: ${time}`, nameSize: org.nameSize, timeSize: org.timeSize });
        } else {
          draw = (img) => (img ? imageAppearance(img) : signerTextAppearance(organisation, `Ký số: ${time}`, [0.75, 0, 0]));
        }
        break;
      }
      case 'drafter': {
        const mark = initials(o.signerName ?? certificate.commonName);
        const size = preset.drafter.fontSize;
        const face = loadFace('regular');
        const dims = image
          ? { width: preset.drafter.imageHeight * aspect!, height: preset.drafter.imageHeight }
          : { width: face.measure(mark, size) + 2, height: size * 1.3 };
        placement =
          explicit ??
          (await placeAfterLine(await documentText(), { anchor: o.anchor ?? preset.drafter.anchor, gap: preset.drafter.gap, ...dims, page: pageIndex }));
        const colour = preset.drafter.color;
        draw = (img) => (img ? imageAppearance(img) : linesAppearance([{ text: mark, size, color: colour }], 1.2, 0.5));
        break;
      }
      case 'attachment':
      case 'copy': {
        if (o.role === 'attachment' && !o.docNumber) throw new KysoError('USAGE', { reason: '--doc-number (the main document\'s number and symbol) is required for an attachment' });
        if (o.role === 'copy' && !o.copyForm) throw new KysoError('USAGE', { reason: '--copy-form (SAO Y, SAO LỤC or TRÍCH SAO) is required for a copy' });
        const texts =
          o.role === 'attachment'
            ? [o.docNumber!, time, organisation]
            : [o.copyNumber ? `${o.copyForm!}, số ${o.copyNumber}` : o.copyForm!, organisation, o.place ? `${o.place}, ${time}` : time];
        const lines = stampLines(texts, preset.stamp.fontSize);
        const size = measureLines({ face: loadFace }, lines, preset.stamp.leading);
        placement =
          explicit ??
          (o.anchor
            ? await placeBelowAnchor(await documentText(), { anchor: o.anchor, ...size, gap: 2, page: pageIndex })
            : placeTopRight(pages[pageIndex ?? 0]!, size, preset.stamp));
        draw = () => linesAppearance(lines, preset.stamp.leading);
        break;
      }
    }
    checkInside(pages, placement);
    if (!explicit && !mayCoverText) await checkClearOfText(await documentText(), pages, placement);
    let kit: AppearanceKit | undefined;
    const kitFor = (u: IncrementalUpdate): AppearanceKit => (kit ??= new AppearanceKit(u));
    const vs = visualSize(placement);
    const appearance: AppearanceBuilder = (ctx) => {
      const k = kitFor(ctx.update);
      const handle = image ? k.image(image.bytes, image.source, image.decoded) : undefined;
      return k.form(vs.width, vs.height, placement.rotation, draw(handle));
    };
    const pieces = numbering;
    const annotations: AnnotationBuilder | undefined = pieces.length
      ? (ctx) => numberingAnnotations(kitFor(ctx.update), ctx.pages, pieces, { author: ctx.certificate.commonName, time: ctx.signingTime })
      : undefined;
    const form = readForm(reader);
    return {
      fieldName: freeFieldName(form, FIELD_BASE[o.role]),
      placement,
      page: placement.page + 1,
      rect: toSignRect(pages, placement),
      widgetRotation: placement.rotation,
      appearance,
      annotations,
      beforeBuild: (u) => kitFor(u).finish(),
      numbering,
    };
  } finally {
    reader.close();
    await text?.close();
  }
}

export interface SignVisibleOptions extends Omit<SignPdfOptions, 'page' | 'rect' | 'appearance' | 'widgetRotation' | 'annotations' | 'beforeBuild'> {
  visible: VisibleOptions;
}

export interface SignVisibleResult extends SignPdfResult {
  plan: VisiblePlan;
}

/** Signs with a visible signature of the given role: plans it, then signs with signPdf. */
export async function signVisible(opts: SignVisibleOptions): Promise<SignVisibleResult> {
  const { visible, ...rest } = opts;
  const signingTime = opts.signingTime ?? new Date();
  const certificate = describeCertificate(opts.signer.certificate);
  const plan = await planVisibleSignature(opts.input, visible, certificate, signingTime);
  const result = await signPdf({
    ...rest,
    signingTime,
    page: plan.page,
    rect: plan.rect,
    widgetRotation: plan.widgetRotation,
    appearance: plan.appearance,
    annotations: plan.annotations,
    beforeBuild: plan.beforeBuild,
    fieldName: opts.fieldName ?? plan.fieldName,
  });
  return { ...result, plan };
}
