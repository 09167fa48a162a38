// The incoming stamp ("dấu ĐẾN", NĐ30 Phụ lục IV) as a signed revision of a received PDF: a box
// with the receiving organisation's name, ĐẾN beside "Số" and "Ngày" (with the time), "Chuyển" and
// "Lưu hồ sơ số", drawn as the appearance of the organisation's signature, so the sender's
// signatures stay untouched (the change is a signature, nothing else). The box goes in blank space
// on page 1: under the number and symbol, else under the subject of a letter ("V/v"), else under
// the date line; it is as large as the decree's 35 × 50 mm where there is room and shrinks to the
// blank space there is, never over text. Chuyển and the record number can be written later by a
// second signature whose appearance covers the two lower rows of the box.
import { KysoError } from '../../shared/errors.js';
import { charsBox, findInLines, openDocumentText, type TextLine } from '../appearance/anchors.js';
import type { Draw } from '../appearance/appearances.js';
import { loadFace } from '../appearance/fonts.js';
import { box, fromFrame, insideCrop, toFrame, type Box, type Rotation } from '../appearance/geometry.js';
import { AppearanceKit } from '../appearance/kit.js';
import { coveredText, type Placement } from '../appearance/placement.js';
import { isoVietnam } from '../appearance/time.js';
import { PdfReader } from '../pdf/reader.js';
import { PdfDict, PdfName } from '../pdf/objects.js';
import { pdfDate, textString } from '../pdf/text.js';
import type { IncrementalUpdate } from '../pdf/incremental.js';
import { freeFieldName, readForm } from './form.js';
import { signPdf, type SignPdfOptions, type SignPdfResult } from './sign.js';

const MM = 72 / 25.4;
/** The decree's stamp: 35 mm high, 50 mm wide. */
export const STAMP_FULL = { width: 50 * MM, height: 35 * MM };
/** Below this the stamp's text would be too small to read (about 6.5 pt). */
export const STAMP_MIN = { width: 38 * MM, height: 15 * MM };
const GAP = 3;
/** Rows of the box, in line heights: organisation, ĐẾN/Số, ĐẾN/Ngày, Chuyển, Lưu hồ sơ số. */
const ROWS = 5;
const LEADING = 1.22;
const PAD = 2.5;

/** Where the stamp is and how it was laid out: kept so the routing revision writes into its rows. */
export interface StampGeometry {
  page: number;
  /** The box in user space. */
  box: Box;
  rotation: Rotation;
  width: number;
  height: number;
  size: number;
  /** What it was placed under: "Số:", "V/v" or the date line. */
  anchor: string;
}

export interface IncomingStampContent {
  organisation: string;
  /** Số đến. */
  incomingNumber: number;
  /** Arrival time (shown as Vietnam date and time). */
  arrivedAt: Date;
  passedTo?: string;
  recordNumber?: string;
}

/** "03/12/2026 14:05" in Vietnam time. */
export function stampDateTime(d: Date): string {
  const iso = isoVietnam(d);
  return `${iso.slice(8, 10)}/${iso.slice(5, 7)}/${iso.slice(0, 4)} ${iso.slice(11, 16)}`;
}

/** The height of each of the five rows: the box's height shared out (a tall box is not left empty at the foot). */
function rowHeight(g: Pick<StampGeometry, 'height'>): number {
  return (g.height - 2 * PAD) / ROWS;
}

/** The text size that fills a box of this height with the stamp's rows. */
function sizeFor(height: number): number {
  return Math.min(10, (height - 2 * PAD) / (ROWS * LEADING));
}

interface Candidate {
  anchor: string;
  find: (lines: TextLine[]) => { line: TextLine; x0: number; bottom: number } | undefined;
}

const CANDIDATES: Candidate[] = [
  {
    anchor: 'Số:',
    find: (lines) => {
      const m = findInLines(lines, 'Số:')[0];
      return m && { line: m.line, x0: m.box.x0, bottom: m.box.y0 };
    },
  },
  {
    anchor: 'V/v',
    find: (lines) => {
      const m = findInLines(lines, 'V/v')[0];
      if (!m) return undefined;
      // A subject may run on over two lines: under the last line that starts at the same place.
      let line = m.line;
      let bottom = m.box.y0;
      for (const l of lines) {
        if (l.rotation !== line.rotation || l.baseline >= line.baseline || line.baseline - l.baseline > 1.6 * line.size) continue;
        if (Math.abs(l.chars[0]!.x0 - m.box.x0) > 3 * line.size) continue;
        line = l;
        bottom = charsBox(l, 0, l.chars.length).y0;
      }
      return { line, x0: m.box.x0, bottom };
    },
  },
  {
    anchor: 'ngày … tháng … năm',
    find: (lines) => {
      const line = lines.find((l) => /ngày.*tháng.*năm/i.test(l.text));
      if (!line) return undefined;
      const at = line.text.search(/\S+,\s*ngày/i);
      const start = at >= 0 ? at : line.text.search(/ngày/i);
      return { line, x0: line.chars[start]!.x0, bottom: charsBox(line, start, line.chars.length).y0 };
    },
  },
];

/**
 * The largest stamp box (up to 50 × 35 mm) that fits in the blank space under the anchor, or
 * undefined when less than the minimum is free there.
 */
function fitBelow(lines: TextLine[], found: { line: TextLine; x0: number; bottom: number }, frameWidth: number): Box | undefined {
  const rotation = found.line.rotation;
  const top = found.bottom - GAP;
  for (const width of [STAMP_FULL.width, 45 * MM, STAMP_MIN.width]) {
    const x0 = found.x0;
    const x1 = Math.min(x0 + width, frameWidth);
    if (x1 - x0 < STAMP_MIN.width) continue;
    let floor = top - STAMP_FULL.height;
    for (const l of lines) {
      if (l.rotation !== rotation || l === found.line) continue;
      const hit = l.chars.filter((c) => c.ch !== ' ' && c.x1 > x0 && c.x0 < x1);
      if (!hit.length) continue;
      const lb = charsBox(l, 0, l.chars.length);
      if (lb.y0 >= top) continue;
      floor = Math.max(floor, lb.y1 + GAP);
    }
    if (top - floor >= STAMP_MIN.height) return box(x0, floor, x1, top);
  }
  return undefined;
}

/** Where the stamp goes on page 1, or STAMP_NO_ROOM with what was tried. */
export async function planIncomingStamp(input: string): Promise<StampGeometry> {
  const reader = PdfReader.open(input);
  const text = await openDocumentText(input);
  try {
    const page = reader.pages()[0];
    if (!page) throw new KysoError('PDF_MALFORMED', { reason: 'the document has no page' });
    const lines = await text.lines(0);
    const tried: string[] = [];
    for (const c of CANDIDATES) {
      const found = c.find(lines);
      if (!found) continue;
      tried.push(c.anchor);
      const rotation = found.line.rotation;
      // The page's extent along the line, in the line's frame.
      const crop = toFrame(box(page.cropBox[0], page.cropBox[1], page.cropBox[2], page.cropBox[3]), rotation);
      const frameBox = fitBelow(lines, found, crop.x1 - 15 * MM);
      if (!frameBox) continue;
      const user = fromFrame(frameBox, rotation);
      if (!insideCrop(page, user)) continue;
      if (coveredText(lines, user) !== undefined) continue;
      const w = frameBox.x1 - frameBox.x0;
      const h = frameBox.y1 - frameBox.y0;
      return { page: 0, box: user, rotation, width: w, height: h, size: sizeFor(h), anchor: c.anchor };
    }
    throw new KysoError('STAMP_NO_ROOM', { tried: tried.join(', ') || '-' });
  } finally {
    reader.close();
    await text.close();
  }
}

const BLACK: [number, number, number] = [0, 0, 0];
const RED: [number, number, number] = [0.8, 0, 0];

/** Fits a line into a width by shrinking its size (never below 5 pt, then it is cut by the box). */
function fitSize(text: string, style: 'regular' | 'bold', size: number, width: number): number {
  const m = loadFace(style).measure(text, size);
  return m <= width ? size : Math.max(5, (size * width) / m);
}

const LABELS = { passed: 'Chuyển:', record: 'Lưu hồ sơ số:' } as const;

/** Where the values of the two lower rows start: after the longer label. */
function valueX(size: number): number {
  const face = loadFace('regular');
  return PAD + Math.max(face.measure(LABELS.passed, size), face.measure(LABELS.record, size)) + 3;
}

/** A dotted line (graphics, not text: a value written later on it reads cleanly). */
function dots(cv: Parameters<Draw>[0], x0: number, x1: number, y: number): void {
  for (let x = x0; x < x1 - 0.6; x += 2.2) cv.rect(x, y, 0.6, 0.6, { fill: RED });
}

/** The whole stamp, drawn in red ink as the rubber stamp is. */
function stampDraw(g: StampGeometry, c: IncomingStampContent): Draw {
  return (cv) => {
    const s = g.size;
    const lh = rowHeight(g);
    const inner = cv.width - 2 * PAD;
    cv.rect(0.6, 0.6, cv.width - 1.2, cv.height - 1.2, { stroke: RED, lineWidth: 1.2 });
    let y = cv.height - PAD - lh;
    const orgSize = fitSize(c.organisation.toUpperCase(), 'bold', s, inner);
    const orgWidth = loadFace('bold').measure(c.organisation.toUpperCase(), orgSize);
    cv.text(c.organisation.toUpperCase(), { x: (cv.width - orgWidth) / 2, y: y + 0.25 * s, size: orgSize, style: 'bold', color: RED });
    // ĐẾN, large, at the left of the two rows Số and Ngày.
    const denSize = Math.min(2 * lh * 0.8, s * 2);
    const denWidth = loadFace('bold').measure('ĐẾN', denSize);
    cv.text('ĐẾN', { x: PAD, y: y - 2 * lh + 0.3 * lh + 0.1 * denSize, size: denSize, style: 'bold', color: RED });
    const x = PAD + denWidth + 4;
    y -= lh;
    cv.text(`Số: ${c.incomingNumber}`, { x, y: y + 0.25 * s, size: s, color: BLACK });
    y -= lh;
    const when = `Ngày: ${stampDateTime(c.arrivedAt)}`;
    cv.text(when, { x, y: y + 0.25 * s, size: fitSize(when, 'regular', s, cv.width - x - PAD), color: BLACK });
    const vx = valueX(s);
    for (const [label, value] of [
      [LABELS.passed, c.passedTo],
      [LABELS.record, c.recordNumber],
    ] as const) {
      y -= lh;
      cv.text(label, { x: PAD, y: y + 0.25 * s, size: s, color: RED });
      dots(cv, vx, cv.width - PAD, y + 0.25 * s - 1.6);
      if (value) cv.text(value, { x: vx, y: y + 0.25 * s, size: fitSize(value, 'regular', s, cv.width - vx - PAD), color: BLACK });
    }
  };
}

/** The value area of the two lower rows (after the labels), in the stamp's upright frame. */
function routeRows(g: StampGeometry): { x: number; y: number; w: number; h: number } {
  const lh = rowHeight(g);
  const x = valueX(g.size);
  return { x, y: PAD, w: g.width - x - PAD / 2, h: 2 * lh };
}

/** The routing revision: the values written on the dotted lines, as a clerk writes on the rubber stamp. */
function routeDraw(g: StampGeometry, c: { passedTo?: string; recordNumber?: string }): Draw {
  return (cv) => {
    const s = g.size;
    const lh = rowHeight(g);
    const w = cv.width - PAD / 2;
    if (c.passedTo) cv.text(c.passedTo, { x: 0, y: lh + 0.25 * s, size: fitSize(c.passedTo, 'regular', s, w), color: BLACK });
    if (c.recordNumber) cv.text(c.recordNumber, { x: 0, y: 0.25 * s, size: fitSize(c.recordNumber, 'regular', s, w), color: BLACK });
  };
}

type BaseOptions = Omit<SignPdfOptions, 'page' | 'rect' | 'appearance' | 'widgetRotation' | 'annotations' | 'beforeBuild' | 'fieldName'>;

/**
 * Signs with the stamp drawn as a locked Stamp annotation of the signature's own revision, and an
 * invisible signature field. (A visible widget would do as well for Kyso's verifier, but poppler's
 * pdfsig — what many receivers use — calls the certificate of a second visible signature by the
 * same certificate "Unknown issue"; the organisation has usually signed the file once already.)
 */
async function signWith(opts: BaseOptions, p: Placement, upright: { width: number; height: number }, draw: Draw, base: string, subject: string): Promise<SignPdfResult> {
  const reader = PdfReader.open(opts.input);
  let fieldName: string;
  try {
    fieldName = freeFieldName(readForm(reader), base);
  } finally {
    reader.close();
  }
  let kit: AppearanceKit | undefined;
  const kitFor = (u: IncrementalUpdate): AppearanceKit => (kit ??= new AppearanceKit(u));
  const r = (v: number): number => Math.round(v * 1000) / 1000;
  return signPdf({
    ...opts,
    fieldName,
    annotations: (ctx) => {
      const k = kitFor(ctx.update);
      const ap = k.form(upright.width, upright.height, p.rotation, draw);
      const ref = ctx.update.add(
        new PdfDict([
          ['Type', PdfName.of('Annot')],
          ['Subtype', PdfName.of('Stamp')],
          ['Rect', [r(p.box.x0), r(p.box.y0), r(p.box.x1), r(p.box.y1)]],
          ['Contents', textString(subject)],
          ['NM', textString(`kyso-${base.toLowerCase()}-${ctx.signingTime.getTime()}`)],
          ['T', textString(ctx.certificate.commonName)],
          ['Subj', textString(subject)],
          ['M', textString(pdfDate(ctx.signingTime))],
          ['F', 4 | 64 | 128 | 512], // Print, ReadOnly, Locked, LockedContents
          ['P', ctx.pages[p.page]!.ref],
          ['AP', new PdfDict([['N', ap]])],
        ]),
      );
      return [{ page: p.page, ref }];
    },
    beforeBuild: (u) => kitFor(u).finish(),
  });
}

/** Signs the received file with the incoming stamp as the organisation signature's appearance. */
export async function signIncomingStamp(opts: BaseOptions & { content: IncomingStampContent; geometry?: StampGeometry }): Promise<SignPdfResult & { geometry: StampGeometry }> {
  const { content, geometry, ...base } = opts;
  const g = geometry ?? (await planIncomingStamp(base.input));
  const result = await signWith(base, { page: g.page, box: g.box, rotation: g.rotation }, { width: g.width, height: g.height }, stampDraw(g, content), 'IncomingStamp', 'Dấu ĐẾN');
  return { ...result, geometry: g };
}

/** Fills Chuyển and Lưu hồ sơ số of an earlier stamp, in a further signed revision. */
export async function signIncomingRoute(opts: BaseOptions & { geometry: StampGeometry; passedTo?: string; recordNumber?: string }): Promise<SignPdfResult> {
  const { geometry: g, passedTo, recordNumber, ...base } = opts;
  const r = routeRows(g);
  // The rows' box in user space: the stamp's frame turned back by its rotation.
  const frame = toFrame(g.box, g.rotation);
  const rowsFrame = box(frame.x0 + r.x, frame.y0 + r.y, frame.x0 + r.x + r.w, frame.y0 + r.y + r.h);
  const user = fromFrame(rowsFrame, g.rotation);
  return signWith(base, { page: g.page, box: user, rotation: g.rotation }, { width: r.w, height: r.h }, routeDraw(g, { passedTo, recordNumber }), 'IncomingRoute', 'Chuyển, lưu hồ sơ');
}
