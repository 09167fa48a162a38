// What a received document says about itself on page 1, where the NĐ 30 layout prints it: the
// issuing organisation (cell 2, top left), the number and symbol ("Số: 45/UBND-VP", cell 3), the
// place and date ("Quảng Ninh, ngày 12 tháng 3 năm 2026", cell 4), the type and the subject
// ("QUYẾT ĐỊNH" + "Về việc …", cell 5a; or a công văn's "V/v …" under the number, cell 5b). Read
// with Kyso's own text interpreter (glyphs placed from the content stream, built into lines), and
// the number and date the issuer's clerk filled in at signing as FreeText annotations (Kyso and the
// official tool do so). Every field is optional: what cannot be read is left to the caller.
import { openDocumentText, type TextLine } from '../appearance/anchors.js';
import { isArray, isDict, isName, PdfString } from '../pdf/objects.js';
import { PdfReader } from '../pdf/reader.js';
import { decodeTextString } from '../pdf/text.js';
import { readIssuedNumber } from './numbers.js';

export interface IncomingHeader {
  /** "SỞ Y TẾ (UBND TỈNH QUẢNG NINH)": the issuing organisation, with the one above it when printed. */
  issuer?: string;
  /** The issuing organisation's own line ("SỞ Y TẾ"), without the one above it. */
  issuerName?: string;
  numberSymbol?: string;
  /** ISO yyyy-mm-dd. */
  issueDate?: string;
  /** "Quyết định", "Công văn", … */
  docType?: string;
  /** Trích yếu: "Về việc …", "V/v …" (or the subject line that follows the type). */
  subject?: string;
}

/** A run of a line between wide gaps: the columns of the header share baselines. */
interface Segment {
  text: string;
  x0: number;
  x1: number;
  baseline: number;
  size: number;
}

function segments(line: TextLine): Segment[] {
  const out: Segment[] = [];
  let start = 0;
  const flush = (end: number): void => {
    const chars = line.chars.slice(start, end);
    while (chars.length && chars[0]!.ch === ' ') chars.shift();
    while (chars.length && chars[chars.length - 1]!.ch === ' ') chars.pop();
    if (chars.length) out.push({ text: chars.map((c) => c.ch).join(''), x0: chars[0]!.x0, x1: chars[chars.length - 1]!.x1, baseline: line.baseline, size: line.size });
  };
  line.chars.forEach((c, i) => {
    if (c.ch === ' ' && c.x1 - c.x0 > 1.0 * line.size) {
      flush(i);
      start = i + 1;
    }
  });
  flush(line.chars.length);
  return out;
}

const DATE_LINE = /ngày\s*(\d{0,2})\s*tháng\s*(\d{0,2})\s*năm\s*(\d{0,4})/;
const MOTTO = /CỘNG\s*HÒA|CỘNG\s*HOÀ|Độc\s*lập/i;
const hasLetters = (s: string): boolean => /\p{L}/u.test(s);
const isUpper = (s: string): boolean => hasLetters(s) && s === s.toLocaleUpperCase('vi');

/** "QUYẾT ĐỊNH" → "Quyết định". */
function typeName(s: string): string {
  const low = s.toLocaleLowerCase('vi').replace(/\s+/g, ' ').trim();
  return low.charAt(0).toLocaleUpperCase('vi') + low.slice(1);
}

/** The day, month and year the issuer's clerk filled in as annotations (Kyso names them kyso-day-…). */
function filledDate(path: string): { day?: string; month?: string; year?: string } {
  const out: { day?: string; month?: string; year?: string } = {};
  const reader = PdfReader.open(path);
  try {
    const page = reader.pages()[0];
    const annots = page ? reader.resolve(page.dict.get('Annots')) : undefined;
    if (!isArray(annots)) return out;
    for (const a of annots) {
      const d = reader.resolve(a);
      if (!isDict(d) || !isName(reader.resolve(d.get('Subtype')), 'FreeText')) continue;
      const nm = reader.resolve(d.get('NM'));
      const contents = reader.resolve(d.get('Contents'));
      if (!(nm instanceof PdfString) || !(contents instanceof PdfString)) continue;
      const kind = /^kyso-(day|month|year)-/.exec(decodeTextString(nm.bytes))?.[1] as 'day' | 'month' | 'year' | undefined;
      const text = decodeTextString(contents.bytes).trim();
      if (kind && /^\d{1,4}$/.test(text)) out[kind] = text;
    }
    return out;
  } finally {
    reader.close();
  }
}

function isoDate(day: string, month: string, year: string): string | undefined {
  const [d, m, y] = [Number(day), Number(month), Number(year)];
  if (!(y >= 1900 && y <= 9999 && m >= 1 && m <= 12 && d >= 1 && d <= 31)) return undefined;
  const t = new Date(Date.UTC(y, m - 1, d));
  if (t.getUTCDate() !== d) return undefined;
  return `${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

/** Reads page 1's header; throws only on a file that cannot be read at all (the caller falls back). */
export async function readIncomingHeader(path: string): Promise<IncomingHeader> {
  const out: IncomingHeader = {};
  const doc = await openDocumentText(path);
  let lines: TextLine[];
  try {
    if (doc.pageCount === 0) return out;
    lines = (await doc.lines(0)).filter((l) => l.rotation === 0).sort((a, b) => b.baseline - a.baseline);
  } finally {
    await doc.close();
  }
  const segs = lines.map(segments);
  const numberLine = segs.findIndex((ss) => ss.some((s) => /^Số\s*:/.test(s.text)));
  // The date's blanks (in a draft signed with the date filled as annotations) split its segment: match the whole line.
  const dateLine = lines.findIndex((l, i) => (numberLine < 0 || Math.abs(i - numberLine) <= 2) && DATE_LINE.test(l.text));
  if (numberLine < 0) return out;
  const so = segs[numberLine]!.find((s) => /^Số\s*:/.test(s.text))!;
  const leftCentre = (so.x0 + so.x1) / 2;
  // The date column starts right of the number column: what lies left of it is the left column.
  const dateSeg = dateLine >= 0 ? segs[dateLine]!.find((s) => /ngày/.test(s.text)) : undefined;
  const split = dateSeg ? (so.x1 + dateSeg.x0) / 2 : leftCentre * 2;
  const inLeft = (s: Segment): boolean => (s.x0 + s.x1) / 2 < split;

  // Cell 2: the left column's lines above the number, top down (the motto is on the right).
  const org = segs
    .slice(0, numberLine)
    .flatMap((ss) => ss.filter((s) => inLeft(s) && !MOTTO.test(s.text) && hasLetters(s.text)))
    .map((s) => s.text.replace(/\s+/g, ' ').trim());
  if (org.length === 1) out.issuer = out.issuerName = org[0];
  else if (org.length > 1) {
    out.issuerName = org.slice(1).join(' ');
    out.issuer = `${out.issuerName} (${org[0]})`;
  }

  const number = await readIssuedNumber(path).catch(() => undefined);
  if (number) out.numberSymbol = number;

  if (dateSeg) {
    const m = DATE_LINE.exec(lines[dateLine]!.text)!;
    const filled = m[1] && m[2] && m[3] ? {} : filledDate(path);
    const iso = isoDate(m[1] || filled.day || '', m[2] || filled.month || '', m[3] || filled.year || '');
    if (iso) out.issueDate = iso;
  }

  // Cell 5b: a công văn's "V/v …" in the left column under the number, maybe over two lines.
  const below = segs.slice(Math.max(numberLine, dateLine) + 1);
  const vv = segs.slice(numberLine + 1, numberLine + 4).flat().find((s) => inLeft(s) && /^V\/v\b/i.test(s.text));
  if (vv) {
    const parts = [vv.text];
    let last = vv;
    for (const ss of segs.slice(segs.findIndex((x) => x.includes(vv)) + 1)) {
      const s = ss.find(inLeft);
      if (!s || ss.length !== 1 || last.baseline - s.baseline > 2.4 * last.size || isUpper(s.text)) break;
      parts.push(s.text);
      last = s;
    }
    out.docType = 'Công văn';
    out.subject = parts.join(' ').replace(/\s+/g, ' ').trim();
    return out;
  }

  // Cell 5a: the type in capitals alone on its line, then the subject lines under it.
  const typeAt = below.findIndex((ss) => ss.length === 1 && isUpper(ss[0]!.text) && ss[0]!.text.replace(/\s+/g, ' ').length >= 4 && !/:$/.test(ss[0]!.text));
  if (typeAt < 0 || typeAt > 4) return out;
  const type = below[typeAt]![0]!;
  out.docType = typeName(type.text);
  const parts: string[] = [];
  let last = type;
  for (const ss of below.slice(typeAt + 1)) {
    const s = ss[0]!;
    if (ss.length !== 1 || last.baseline - s.baseline > 2.4 * Math.max(last.size, s.size) || isUpper(s.text) || /^Căn cứ|^Kính gửi/i.test(s.text)) break;
    parts.push(s.text);
    last = s;
  }
  if (parts.length) out.subject = parts.join(' ').replace(/\s+/g, ' ').trim();
  return out;
}
