// The incoming stamp "ĐẾN" (NĐ 30, Appendix IV) applied digitally to a received PDF ("ký văn bản
// đến"): a red framed block with the receiving organisation, ĐẾN, the incoming number (số đến) and
// the arrival date, and an empty "Chuyển:" line, drawn as the appearance of the receiving clerk's
// signature, at the left margin under "Số:" as the decree asks (below the number and symbol). A
// minimal stamp of the service (issue 16); issue 14's register-backed stamp is meant to replace it.
import { KysoError } from '../../shared/errors.js';
import { describeCertificate } from '../cms/certinfo.js';
import { PdfReader, type PageInfo } from '../pdf/reader.js';
import type { IncrementalUpdate } from '../pdf/incremental.js';
import { openDocumentText } from '../appearance/anchors.js';
import type { TextLineSpec } from '../appearance/appearances.js';
import type { Rgb } from '../appearance/content.js';
import { loadFace } from '../appearance/fonts.js';
import { AppearanceKit } from '../appearance/kit.js';
import { checkInside, placeUnderNumber, visualSize, type Placement } from '../appearance/placement.js';
import { parseIssueDate, vietnamDay } from '../appearance/time.js';
import { freeFieldName, readForm } from './form.js';
import { signPdf, type SignPdfOptions, type SignPdfResult } from './sign.js';

const RED: Rgb = [0.8, 0, 0];
const MM = 72 / 25.4;

export interface IncomingStamp {
  /** Số đến: the incoming register's number. */
  incomingNumber: string;
  /** Arrival day, YYYY-MM-DD (default: the signing day in Vietnam). */
  arrived?: string;
  /** The receiving organisation (default: the certificate's organisation or name). */
  organisation?: string;
  /** Where the stamp goes under (default "Số:"). */
  anchor?: string;
}

/** The stamp's lines, in NĐ 30's order. */
export function incomingStampLines(o: { organisation: string; incomingNumber: string; arrived: string }): TextLineSpec[] {
  const d = parseIssueDate(o.arrived);
  const day = `${String(d.day).padStart(2, '0')}/${String(d.month).padStart(2, '0')}/${d.year}`;
  return [
    { text: o.organisation.toUpperCase(), size: 7, style: 'bold', color: RED },
    { text: 'ĐẾN', size: 11, style: 'bold', color: RED },
    { text: `Số: ${o.incomingNumber}`, size: 8.5, color: RED },
    { text: `Ngày: ${day}`, size: 8.5, color: RED },
    { text: 'Chuyển:', size: 8.5, color: RED },
  ];
}

const LEADING = 1.12;
const PAD = 3;

function stampSize(lines: TextLineSpec[]): { width: number; height: number } {
  let w = 0;
  let h = 0;
  for (const l of lines) {
    w = Math.max(w, loadFace(l.style).measure(l.text, l.size));
    h += l.size * LEADING;
  }
  return { width: Math.max(w + 2 * PAD, 40 * MM), height: h + 2 * PAD };
}

export interface SignIncomingOptions extends Omit<SignPdfOptions, 'page' | 'rect' | 'appearance' | 'widgetRotation' | 'annotations' | 'beforeBuild'> {
  stamp: IncomingStamp;
}

export interface SignIncomingResult extends SignPdfResult {
  placement: Placement;
  rect: [number, number, number, number];
}

function toSignRect(pages: PageInfo[], p: Placement): [number, number, number, number] {
  const [cx, cy] = pages[p.page]!.cropBox;
  const r = (v: number): number => Math.round(v * 1000) / 1000;
  return [r(p.box.x0 - cx), r(p.box.y0 - cy), r(p.box.x1 - p.box.x0), r(p.box.y1 - p.box.y0)];
}

/** Signs a received document with the "ĐẾN" stamp as the signature's appearance. */
export async function signIncoming(opts: SignIncomingOptions): Promise<SignIncomingResult> {
  const { stamp, ...rest } = opts;
  if (!stamp.incomingNumber.trim()) throw new KysoError('USAGE', { reason: 'the incoming number (số đến) is required' });
  const signingTime = opts.signingTime ?? new Date();
  const cert = describeCertificate(opts.signer.certificate);
  const lines = incomingStampLines({
    organisation: stamp.organisation ?? cert.organization ?? cert.commonName,
    incomingNumber: stamp.incomingNumber.trim(),
    arrived: stamp.arrived ?? vietnamDay(signingTime),
  });
  const size = stampSize(lines);
  const reader = PdfReader.open(opts.input);
  const text = await openDocumentText(opts.input);
  let placement: Placement;
  let rect: [number, number, number, number];
  let fieldName: string;
  try {
    const pages = reader.pages();
    placement = await placeUnderNumber(text, pages, { anchor: stamp.anchor ?? 'Số:', width: size.width, height: size.height, minHeight: size.height, gap: 3 }, 0);
    checkInside(pages, placement);
    rect = toSignRect(pages, placement);
    fieldName = opts.fieldName ?? freeFieldName(readForm(reader), 'Incoming');
  } finally {
    reader.close();
    await text.close();
  }
  let kit: AppearanceKit | undefined;
  const kitFor = (u: IncrementalUpdate): AppearanceKit => (kit ??= new AppearanceKit(u));
  const vs = visualSize(placement);
  const result = await signPdf({
    ...rest,
    signingTime,
    fieldName,
    page: placement.page + 1,
    rect,
    widgetRotation: placement.rotation,
    appearance: (ctx) =>
      kitFor(ctx.update).form(vs.width, vs.height, placement.rotation, (c) => {
        c.rect(0.75, 0.75, c.width - 1.5, c.height - 1.5, { stroke: RED, lineWidth: 1.2 });
        let y = c.height - PAD;
        for (const l of lines) {
          y -= l.size * LEADING;
          const w = c.face(l.style).measure(l.text, l.size);
          // The organisation and ĐẾN centred, as on the rubber stamp; the fields at the left.
          const x = l.text === 'ĐẾN' || l === lines[0] ? (c.width - w) / 2 : PAD + 1;
          c.text(l.text, { x, y: y + 0.22 * l.size, size: l.size, style: l.style, color: l.color });
        }
      }),
    beforeBuild: (u) => kitFor(u).finish(),
  });
  return { ...result, placement, rect };
}
