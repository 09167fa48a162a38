// Number filling (điền số): before the organisation signs, the clerk's number and symbol and
// the issue date are drawn where the document leaves them blank ("Số:    /QĐ-SYT", "ngày   tháng
// năm 2026"), as annotations with appearance streams in the organisation signature's own
// revision: the leader's signature then reports only added annotations, and the organisation's
// covers them.
import { KysoError } from '../../shared/errors.js';
import type { PdfRef } from '../pdf/objects.js';
import { PdfDict, PdfName } from '../pdf/objects.js';
import type { PageInfo } from '../pdf/reader.js';
import { pdfDate, textString } from '../pdf/text.js';
import { charsBox, findInLines, type TextLine } from './anchors.js';
import type { FontFace, FontStyle } from './fonts.js';
import { box, fromFrame, type Box, type Rotation } from './geometry.js';
import type { AppearanceKit } from './kit.js';
import { issueDateParts, type IssueDate } from './time.js';

export type PieceKind = 'number' | 'day' | 'month' | 'year';

/** One run of text to draw on the page, positioned in its line's frame. */
export interface NumberPiece {
  kind: PieceKind;
  text: string;
  style: FontStyle;
  size: number;
  page: number;
  rotation: Rotation;
  baseline: number;
  x0: number;
  /** Advance width of the text in the embedded font. */
  width: number;
}

export interface NumberingRequest {
  /** The number and symbol as the clerk enters it ("203/QĐ-SYT"), or the number alone ("203"). */
  docNumber: string;
  issued: IssueDate;
  numberAnchor: string;
  fontSize: number;
}

const DATE_LINE = /ngày(\s*)(\d{0,2})(\s*)tháng(\s*)(\d{0,2})(\s*)năm(\s*)(\d{0,4})/d;

const compact = (s: string): string => s.normalize('NFC').replace(/\s+/g, '');

/** Where the number and the date go on the page whose text lines are given (page 1). */
export function planNumbering(lines: TextLine[], req: NumberingRequest, face: (style: FontStyle) => FontFace): NumberPiece[] {
  const pieces: NumberPiece[] = [];
  const size = req.fontSize;
  const page = lines[0]?.page ?? 0;

  // "Số:" then, in a draft, blanks and the symbol ("/QĐ-SYT"), or nothing.
  const so = findInLines(lines, req.numberAnchor)[0];
  if (!so) throw new KysoError('ANCHOR_NOT_FOUND', { anchor: req.numberAnchor, where: String(page + 1) });
  const line = so.line;
  // The first mark after "Số:" within a blank no wider than a number needs (not across a column gutter).
  let i = so.end;
  while (i < line.chars.length && line.chars[i]!.ch === ' ') i++;
  const near = i < line.chars.length && line.chars[i]!.x0 - so.box.x1 < 8 * line.size;
  const after: string[] = [];
  for (let k = i; near && k < line.chars.length && line.chars[k]!.ch !== ' '; k++) after.push(line.chars[k]!.ch);
  const printed = after.join('');
  const entered = compact(req.docNumber);
  const slash = entered.indexOf('/');
  if (printed.startsWith('/')) {
    const enteredSymbol = slash >= 0 ? entered.slice(slash) : undefined;
    if (enteredSymbol !== undefined && enteredSymbol !== compact(printed))
      throw new KysoError('DOC_NUMBER_SYMBOL_MISMATCH', { entered: req.docNumber, inDocument: printed });
    const number = slash >= 0 ? entered.slice(0, slash) : entered;
    const w = face('regular').measure(number, size);
    const right = line.chars[i]!.x0 - 0.3;
    pieces.push({ kind: 'number', text: number, style: 'regular', size, page, rotation: line.rotation, baseline: line.baseline, x0: right - w, width: w });
  } else if (/^\d/.test(printed)) {
    throw new KysoError('DOC_NUMBER_ALREADY_FILLED', { inDocument: printed });
  } else {
    const x0 = so.box.x1 + 0.25 * size;
    const width = face('regular').measure(entered, size);
    pieces.push({ kind: 'number', text: entered, style: 'regular', size, page, rotation: line.rotation, baseline: line.baseline, x0, width });
  }

  // "…, ngày   tháng   năm 2026" (cell 4, italic): each missing part in its gap.
  const dateLines = lines
    .map((l) => ({ l, m: DATE_LINE.exec(l.text) }))
    .filter((x): x is { l: TextLine; m: RegExpExecArray } => x.m !== null)
    .sort((a, b) => b.l.baseline - a.l.baseline);
  if (!dateLines.length) throw new KysoError('ANCHOR_NOT_FOUND', { anchor: 'ngày … tháng … năm', where: String(page + 1) });
  // The top-most date with a blank part (a dated legal basis lower down is complete, and skipped).
  const dateLine = dateLines.find((x) => !x.m[2] || !x.m[5] || !x.m[8]);
  if (!dateLine?.m.indices) return pieces;
  const { l: dl, m } = dateLine;
  const idx = m.indices!;
  const parts = issueDateParts(req.issued);
  const italic = face('italic');
  const at = (k: number): Box => charsBox(dl, k, k + 1);
  const gapPiece = (kind: PieceKind, text: string, fromChar: number, toChar: number): void => {
    // Centred in the blank between the word before (ending at fromChar) and the word after.
    const left = at(fromChar - 1).x1;
    const right = at(toChar).x0;
    const w = italic.measure(text, size);
    pieces.push({ kind, text, style: 'italic', size, page, rotation: dl.rotation, baseline: dl.baseline, x0: (left + right) / 2 - w / 2, width: w });
  };
  const start = m.index;
  const thang = idx[4]![0] - 'tháng'.length; // "tháng" ends where group 4 (blanks after it) starts
  const nam = idx[6]![1]; // "năm" starts where group 6 (blanks before it) ends
  if (!m[2]) gapPiece('day', parts.day, start + 'ngày'.length, thang);
  if (!m[5]) gapPiece('month', parts.month, thang + 'tháng'.length, nam);
  const printed8 = m[8] ? Number(m[8]) : undefined;
  const printedDay = m[2] ? Number(m[2]) : undefined;
  const printedMonth = m[5] ? Number(m[5]) : undefined;
  if ((printed8 !== undefined && printed8 !== req.issued.year) || (printedDay !== undefined && printedDay !== req.issued.day) || (printedMonth !== undefined && printedMonth !== req.issued.month))
    throw new KysoError('ISSUE_DATE_PRINTED_MISMATCH', { printed: m[0], issued: req.issued.iso });
  if (!m[8]) {
    const x0 = at(nam + 'năm'.length - 1).x1 + 0.25 * size;
    pieces.push({ kind: 'year', text: parts.year, style: 'italic', size, page, rotation: dl.rotation, baseline: dl.baseline, x0, width: italic.measure(parts.year, size) });
  }
  return pieces;
}

/** The piece's annotation rectangle in user space. */
export function pieceBox(p: NumberPiece): Box {
  return fromFrame(box(p.x0 - 1, p.baseline - 0.3 * p.size, p.x0 + p.width + 1, p.baseline + 0.95 * p.size), p.rotation);
}

export interface NumberAnnotation {
  page: number;
  ref: PdfRef;
  piece: NumberPiece;
  box: Box;
}

/**
 * Adds one FreeText annotation per piece, with its own appearance stream (the text in the
 * embedded font), locked and read-only: viewers show the appearance and never regenerate it.
 */
export function numberingAnnotations(kit: AppearanceKit, pages: PageInfo[], pieces: NumberPiece[], meta: { author: string; time: Date }): NumberAnnotation[] {
  const out: NumberAnnotation[] = [];
  for (const p of pieces) {
    const b = pieceBox(p);
    const vw = p.width + 2;
    const vh = 1.25 * p.size;
    const ap = kit.form(vw, vh, p.rotation, (c) => c.text(p.text, { x: 1, y: 0.3 * p.size, size: p.size, style: p.style }));
    const page = pages[p.page]!;
    const ref = kit.update.add(
      new PdfDict([
        ['Type', PdfName.of('Annot')],
        ['Subtype', PdfName.of('FreeText')],
        ['Rect', [b.x0, b.y0, b.x1, b.y1].map((v) => Math.round(v * 1000) / 1000)],
        ['Contents', textString(p.text)],
        ['NM', textString(`kyso-${p.kind}-${meta.time.getTime()}`)],
        ['T', textString(meta.author)],
        ['Subj', textString(p.kind === 'number' ? 'Số, ký hiệu văn bản' : 'Ngày ban hành')],
        ['M', textString(pdfDate(meta.time))],
        ['F', 4 | 64 | 128 | 512], // Print, ReadOnly, Locked, LockedContents
        ['DA', textString(`0 g /Helv ${p.size} Tf`)],
        ['BS', new PdfDict([['W', 0]])],
        ['P', page.ref],
        ['AP', new PdfDict([['N', ap]])],
      ]),
    );
    out.push({ page: p.page, ref, piece: p, box: b });
  }
  return out;
}
