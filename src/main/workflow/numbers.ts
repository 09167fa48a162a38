// Số và ký hiệu: what the clerk enters, what the document prints after "Số:", and the register's
// rule that numbers run from 01 each year and are never given twice (NĐ30 Đ15). The clerk may
// enter the whole "203/QĐ-SYT", the number alone "203" (the printed symbol completes it), the
// symbol alone "/QĐ-SYT", or nothing: Kyso then gives the next number of the year.
import { openDocumentText } from '../appearance/anchors.js';
import { findInLines } from '../appearance/anchors.js';
import { KysoError } from '../../shared/errors.js';
import { isArray, isDict, isName, PdfString } from '../pdf/objects.js';
import { PdfReader } from '../pdf/reader.js';
import { decodeTextString } from '../pdf/text.js';

export interface PrintedNumber {
  /** What stands after "Số:" on page 1: "/QĐ-SYT" in a draft, "203/QĐ-SYT" when filled, "" when blank. */
  text: string;
}

/** Reads what page 1 prints after "Số:"; undefined when the page has no "Số:" (e.g. a scan without text). */
export async function readPrintedNumber(path: string, anchor = 'Số:'): Promise<PrintedNumber | undefined> {
  const doc = await openDocumentText(path);
  try {
    if (doc.pageCount === 0) return undefined;
    const lines = await doc.lines(0);
    const m = findInLines(lines, anchor)[0];
    if (!m) return undefined;
    const rest = m.line.text.slice(m.end).trimStart();
    const token = /^\S*/.exec(rest)![0];
    // A symbol or number belongs to "Số:" only when it starts like one (not the date column's text).
    return { text: /^[/\d]/.test(token) ? token : '' };
  } finally {
    await doc.close();
  }
}

export interface ResolvedNumber {
  /** The number in the year's register (1, 2, …). */
  seq: number;
  /** The whole number and symbol kept in the register, e.g. "05/QĐ-SYT". */
  full: string;
  /** What to draw after "Số:" (the number alone when the symbol is printed), or undefined: nothing to draw. */
  fill: string | undefined;
}

const compact = (s: string): string => s.normalize('NFC').replace(/\s+/g, '');
/** NĐ30: numbers below 10 are written with a leading zero (05). */
const pad = (n: number): string => (n < 10 ? `0${n}` : String(n));

function parseSeq(s: string): number | undefined {
  const m = /^(\d+)/.exec(s);
  if (!m) return undefined;
  const n = Number(m[1]);
  return Number.isSafeInteger(n) && n > 0 ? n : undefined;
}

/**
 * Decides the number of an organisation signature. `next` gives the next free number of the
 * year. Throws USAGE for a malformed entry, DOC_NUMBER_REQUIRED when no symbol can be found,
 * DOC_NUMBER_ALREADY_FILLED when the document prints another number already.
 */
export function resolveNumber(entered: string | undefined, printed: PrintedNumber | undefined, next: () => number, documentId: string): ResolvedNumber {
  const e = entered === undefined ? undefined : compact(entered);
  const p = printed ? compact(printed.text) : undefined;
  // The document already carries a number (a scanned original numbered on paper).
  if (p && /^\d/.test(p)) {
    if (e !== undefined && e !== p) throw new KysoError('DOC_NUMBER_ALREADY_FILLED', { inDocument: p });
    const seq = parseSeq(p);
    if (seq === undefined) throw new KysoError('DOC_NUMBER_REQUIRED', { id: documentId });
    return { seq, full: p, fill: undefined };
  }
  const symbol = p && p.startsWith('/') ? p : undefined;
  const canFill = printed !== undefined;
  if (e === undefined || e === '' || e.startsWith('/')) {
    const sym = e && e.startsWith('/') ? e : symbol;
    if (!sym) throw new KysoError('DOC_NUMBER_REQUIRED', { id: documentId });
    if (e && symbol && e !== symbol) throw new KysoError('DOC_NUMBER_SYMBOL_MISMATCH', { entered: e, inDocument: symbol });
    const seq = next();
    const num = pad(seq);
    return { seq, full: `${num}${sym}`, fill: canFill ? (symbol ? num : `${num}${sym}`) : undefined };
  }
  const seq = parseSeq(e);
  if (seq === undefined) throw new KysoError('USAGE', { reason: `the number "${entered}" must start with digits, e.g. 15/QĐ-UBND` });
  const slash = e.indexOf('/');
  if (slash < 0) {
    if (!symbol) throw new KysoError('DOC_NUMBER_REQUIRED', { id: documentId });
    const num = pad(seq);
    return { seq, full: `${num}${symbol}`, fill: canFill ? num : undefined };
  }
  const sym = e.slice(slash);
  if (symbol && sym !== symbol) throw new KysoError('DOC_NUMBER_SYMBOL_MISMATCH', { entered: e, inDocument: symbol });
  const num = pad(seq);
  return { seq, full: `${num}${sym}`, fill: canFill ? (symbol ? num : `${num}${sym}`) : undefined };
}

/**
 * The number and symbol a received document was issued with, as page 1 shows it: printed after
 * "Số:", or — when the issuer's clerk filled the number in at signing, as Kyso and the official
 * tool do — the number of the FreeText annotation ("Số, ký hiệu văn bản") before the printed
 * symbol. Undefined when there is none to read.
 */
export async function readIssuedNumber(path: string): Promise<string | undefined> {
  const printed = await readPrintedNumber(path);
  if (!printed || !printed.text) return undefined;
  if (/^\d/.test(printed.text)) return printed.text;
  const reader = PdfReader.open(path);
  try {
    const page = reader.pages()[0];
    const annots = page ? reader.resolve(page.dict.get('Annots')) : undefined;
    if (!isArray(annots)) return undefined;
    for (const a of annots) {
      const d = reader.resolve(a);
      if (!isDict(d) || !isName(reader.resolve(d.get('Subtype')), 'FreeText')) continue;
      const subj = reader.resolve(d.get('Subj'));
      const contents = reader.resolve(d.get('Contents'));
      if (!(contents instanceof PdfString)) continue;
      const text = decodeTextString(contents.bytes).trim();
      const isNumber = subj instanceof PdfString ? decodeTextString(subj.bytes).startsWith('Số') : true;
      if (isNumber && /^\d+$/.test(text)) return `${text}${printed.text}`;
    }
    return undefined;
  } finally {
    reader.close();
  }
}
