// Reads a page's content stream as operators with their operands (ISO 32000-1 §7.8.2), for the
// text extractor. Inline images (BI … ID data EI) are stepped over without being read as syntax,
// and a damaged stretch is skipped a byte at a time, so one bad token does not lose the page.
import { isDelimiter, isWhite, Parser, PdfSyntaxError, NeedMoreData } from './parser.js';
import type { PdfObject } from './objects.js';

export interface ContentOp {
  op: string;
  operands: PdfObject[];
}

/** At most this many operands are kept before an operator (a real one takes at most a few). */
const MAX_OPERANDS = 64;

function startsObject(c: number): boolean {
  return (
    (c >= 0x30 && c <= 0x39) || c === 0x2b || c === 0x2d || c === 0x2e || // number
    c === 0x2f || c === 0x28 || c === 0x3c || c === 0x5b // name, string, hex string or dict, array
  );
}

/** The operators of a content stream, in order. */
export function* contentOps(data: Buffer): Generator<ContentOp> {
  const p = new Parser(data, 0, 0, true);
  let operands: PdfObject[] = [];
  for (;;) {
    p.skipWhite();
    if (p.pos >= data.length) return;
    const c = data[p.pos]!;
    if (startsObject(c)) {
      const at = p.pos;
      try {
        const o = p.parseObject();
        if (operands.length < MAX_OPERANDS) operands.push(o);
      } catch (e) {
        if (!(e instanceof PdfSyntaxError) && !(e instanceof NeedMoreData)) throw e;
        p.pos = Math.max(at + 1, p.pos);
        operands = [];
      }
      continue;
    }
    if (isDelimiter(c)) {
      // ] ) > } { outside an object: stray, skip.
      p.pos++;
      continue;
    }
    const op = p.token();
    if (op === 'true' || op === 'false' || op === 'null') {
      if (operands.length < MAX_OPERANDS) operands.push(op === 'true' ? true : op === 'false' ? false : null);
      continue;
    }
    if (op === 'BI') {
      skipInlineImage(p, data);
      operands = [];
      continue;
    }
    yield { op, operands };
    operands = [];
  }
}

/** Moves past an inline image: its dictionary, "ID", the data, and "EI" standing alone. */
function skipInlineImage(p: Parser, data: Buffer): void {
  const id = findKeyword(data, 'ID', p.pos);
  if (id < 0) {
    p.pos = data.length;
    return;
  }
  let at = id + 3;
  for (;;) {
    const ei = findKeyword(data, 'EI', at);
    if (ei < 0) {
      p.pos = data.length;
      return;
    }
    // EI must be followed by white space or the end, and preceded by white space.
    const after = data[ei + 2];
    if (isWhite(data[ei - 1]!) && (after === undefined || isWhite(after) || isDelimiter(after))) {
      p.pos = ei + 2;
      return;
    }
    at = ei + 2;
  }
}

function findKeyword(data: Buffer, word: string, from: number): number {
  for (let at = data.indexOf(word, from, 'latin1'); at >= 0; at = data.indexOf(word, at + 1, 'latin1')) {
    const before = at === 0 ? 0x20 : data[at - 1]!;
    const after = data[at + word.length];
    if ((isWhite(before) || isDelimiter(before)) && (after === undefined || isWhite(after) || isDelimiter(after))) return at;
  }
  return -1;
}
