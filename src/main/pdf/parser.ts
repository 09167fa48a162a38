// A PDF object parser over a byte window of the file. It knows the window's position
// in the file (`base`) so that stream data can be located without being read.
import { PdfDict, PdfName, PdfRef, PdfStream, PdfString, type PdfObject } from './objects.js';

/** Thrown when the window ended before the object did: the caller reads a larger window. */
export class NeedMoreData extends Error {
  constructor() {
    super('need more data');
  }
}

export class PdfSyntaxError extends Error {}

const WS = new Uint8Array(256);
for (const c of [0x00, 0x09, 0x0a, 0x0c, 0x0d, 0x20]) WS[c] = 1;
const DELIM = new Uint8Array(256);
for (const c of '()<>[]{}/%') DELIM[c.charCodeAt(0)] = 1;

export function isWhite(c: number): boolean {
  return WS[c] === 1;
}
export function isDelimiter(c: number): boolean {
  return DELIM[c] === 1;
}

export interface IndirectObject {
  num: number;
  gen: number;
  value: PdfObject;
  /** For a stream: where its data starts in the file; its length is read from /Length by the caller. */
  streamDataOffset?: number;
  /** Position (in the file) just after the object header's `obj` keyword. */
  end: number;
}

const KEYWORD_END = (c: number | undefined): boolean => c === undefined || isWhite(c) || isDelimiter(c);

export class Parser {
  pos: number;

  /**
   * @param buf   a window of the file
   * @param base  the file offset of buf[0]
   * @param complete true when the window reaches the end of the file (then running out is an error, not a request for more)
   */
  constructor(
    readonly buf: Buffer,
    readonly base = 0,
    start = 0,
    readonly complete = false,
  ) {
    this.pos = start;
  }

  private more(): never {
    if (this.complete) throw new PdfSyntaxError('unexpected end of file');
    throw new NeedMoreData();
  }

  skipWhite(): void {
    const b = this.buf;
    for (;;) {
      while (this.pos < b.length && WS[b[this.pos]!]) this.pos++;
      if (this.pos < b.length && b[this.pos] === 0x25 /* % */) {
        while (this.pos < b.length && b[this.pos] !== 0x0a && b[this.pos] !== 0x0d) this.pos++;
        continue;
      }
      return;
    }
  }

  /** Reads a bare keyword or number token without interpreting it. */
  token(): string {
    this.skipWhite();
    const b = this.buf;
    if (this.pos >= b.length) this.more();
    const start = this.pos;
    while (this.pos < b.length && !WS[b[this.pos]!] && !DELIM[b[this.pos]!]) this.pos++;
    if (this.pos >= b.length && !this.complete) this.more();
    return b.toString('latin1', start, this.pos);
  }

  peekKeyword(word: string): boolean {
    this.skipWhite();
    const b = this.buf;
    if (this.pos + word.length > b.length) {
      if (!this.complete) this.more();
      return false;
    }
    for (let i = 0; i < word.length; i++) if (b[this.pos + i] !== word.charCodeAt(i)) return false;
    return KEYWORD_END(b[this.pos + word.length]);
  }

  private tryInteger(at: number): { value: number; end: number } | null {
    const b = this.buf;
    let p = at;
    while (p < b.length && WS[b[p]!]) p++;
    const s = p;
    while (p < b.length && b[p]! >= 0x30 && b[p]! <= 0x39) p++;
    if (p === s) return null;
    if (p >= b.length && !this.complete) this.more();
    if (!KEYWORD_END(b[p])) return null;
    return { value: p - s <= 15 ? digitsValue(b, s, p) : Number(b.toString('latin1', s, p)), end: p };
  }

  parseObject(depth = 0): PdfObject {
    if (depth > 200) throw new PdfSyntaxError('objects nested too deeply');
    this.skipWhite();
    const b = this.buf;
    if (this.pos >= b.length) this.more();
    const c = b[this.pos]!;
    if (c === 0x2f /* / */) return this.parseName();
    if (c === 0x28 /* ( */) return this.parseLiteralString();
    if (c === 0x3c /* < */) {
      if (this.pos + 1 >= b.length) this.more();
      if (b[this.pos + 1] === 0x3c) return this.parseDict(depth);
      return this.parseHexString();
    }
    if (c === 0x5b /* [ */) {
      this.pos++;
      const arr: PdfObject[] = [];
      for (;;) {
        this.skipWhite();
        if (this.pos >= b.length) this.more();
        if (b[this.pos] === 0x5d) {
          this.pos++;
          return arr;
        }
        arr.push(this.parseObject(depth + 1));
      }
    }
    if ((c >= 0x30 && c <= 0x39) || c === 0x2b || c === 0x2d || c === 0x2e) return this.parseNumberOrRef();
    if (c === 0x5d || c === 0x3e || c === 0x29 || c === 0x7b || c === 0x7d) {
      // A stray delimiter: skip it so a damaged object does not stop the whole file.
      this.pos++;
      return null;
    }
    const word = this.token();
    if (word === 'true') return true;
    if (word === 'false') return false;
    if (word === 'null') return null;
    throw new PdfSyntaxError(`unexpected token '${word.slice(0, 20)}'`);
  }

  private parseNumberOrRef(): PdfObject {
    const start = this.pos;
    const fast = this.plainNumber();
    let value: number;
    let integer: boolean;
    if (fast) {
      value = fast.value;
      integer = fast.integer;
    } else {
      const word = this.token();
      const n = Number(word);
      value = Number.isFinite(n) ? n : parseLooseNumber(word);
      integer = /^\d+$/.test(word);
    }
    if (integer) {
      // "n g R" is a reference; look ahead without consuming on a miss.
      const gen = this.tryInteger(this.pos);
      if (gen) {
        let p = gen.end;
        const b = this.buf;
        while (p < b.length && WS[b[p]!]) p++;
        if (p >= b.length && !this.complete) this.more();
        if (b[p] === 0x52 /* R */ && KEYWORD_END(b[p + 1])) {
          if (p + 1 >= b.length && !this.complete) this.more();
          this.pos = p + 1;
          return new PdfRef(value, gen.value);
        }
      }
    }
    if (this.pos === start) throw new PdfSyntaxError('bad number');
    return value;
  }

  /**
   * A number written the plain way ([+-]digits[.digits], at most 15 digits, ended inside the
   * buffer), read straight from the bytes; null for anything else, which goes through token().
   * Widths arrays of embedded CJK or Vietnamese fonts hold tens of thousands of numbers, and a
   * string per number made such an object take 100 ms and more. The value is the one Number()
   * gives: the digits make an integer below 2^53 and a power of ten is exact up to 10^22, so the
   * one division is the correctly rounded decimal.
   */
  private plainNumber(): { value: number; integer: boolean } | null {
    const b = this.buf;
    let p = this.pos;
    const negative = b[p] === 0x2d; /* - */
    const signed = negative || b[p] === 0x2b; /* + */
    if (signed) p++;
    let mantissa = 0;
    let digits = 0;
    let decimals = -1;
    for (; p < b.length; p++) {
      const c = b[p]!;
      if (c >= 0x30 && c <= 0x39) {
        mantissa = mantissa * 10 + (c - 0x30);
        digits++;
        if (decimals >= 0) decimals++;
      } else if (c === 0x2e /* . */ && decimals < 0) decimals = 0;
      else break;
    }
    // Out of bytes (the window may grow), too many digits, or an odd ending: the general path.
    if (p >= b.length || digits === 0 || digits > 15 || !KEYWORD_END(b[p])) return null;
    const magnitude = decimals > 0 ? mantissa / POW10[decimals]! : mantissa;
    this.pos = p;
    return { value: negative ? -magnitude : magnitude, integer: !signed && decimals < 0 };
  }

  private parseName(): PdfName {
    const b = this.buf;
    this.pos++;
    const start = this.pos;
    while (this.pos < b.length && !WS[b[this.pos]!] && !DELIM[b[this.pos]!]) this.pos++;
    if (this.pos >= b.length && !this.complete) this.more();
    let raw = b.subarray(start, this.pos);
    if (raw.includes(0x23 /* # */)) {
      const out: number[] = [];
      for (let i = 0; i < raw.length; i++) {
        const h = raw[i]!;
        if (h === 0x23 && i + 2 < raw.length && /^[0-9a-fA-F]{2}$/.test(raw.toString('latin1', i + 1, i + 3))) {
          out.push(parseInt(raw.toString('latin1', i + 1, i + 3), 16));
          i += 2;
        } else out.push(h);
      }
      raw = Buffer.from(out);
    }
    return PdfName.of(raw.toString('latin1'));
  }

  private parseLiteralString(): PdfString {
    const b = this.buf;
    this.pos++;
    const out: number[] = [];
    let depth = 1;
    for (;;) {
      if (this.pos >= b.length) this.more();
      const c = b[this.pos++]!;
      if (c === 0x5c /* \ */) {
        if (this.pos >= b.length) this.more();
        const e = b[this.pos++]!;
        switch (e) {
          case 0x6e: out.push(0x0a); break;
          case 0x72: out.push(0x0d); break;
          case 0x74: out.push(0x09); break;
          case 0x62: out.push(0x08); break;
          case 0x66: out.push(0x0c); break;
          case 0x0d:
            if (b[this.pos] === 0x0a) this.pos++;
            break;
          case 0x0a:
            break;
          default:
            if (e >= 0x30 && e <= 0x37) {
              let v = e - 0x30;
              for (let k = 0; k < 2 && this.pos < b.length && b[this.pos]! >= 0x30 && b[this.pos]! <= 0x37; k++)
                v = v * 8 + (b[this.pos++]! - 0x30);
              out.push(v & 0xff);
            } else out.push(e);
        }
        continue;
      }
      if (c === 0x28) depth++;
      else if (c === 0x29) {
        depth--;
        if (depth === 0) break;
      } else if (c === 0x0d) {
        // An end-of-line in a literal string reads as a single LF.
        if (b[this.pos] === 0x0a) this.pos++;
        out.push(0x0a);
        continue;
      }
      out.push(c);
    }
    return new PdfString(Buffer.from(out), false);
  }

  private parseHexString(): PdfString {
    const b = this.buf;
    this.pos++;
    const end = b.indexOf(0x3e, this.pos);
    if (end < 0) this.more();
    const hex = b.toString('latin1', this.pos, end).replace(/[^0-9a-fA-F]/g, '');
    this.pos = end + 1;
    return new PdfString(Buffer.from(hex.length % 2 ? hex + '0' : hex, 'hex'), true);
  }

  private parseDict(depth: number): PdfDict {
    const b = this.buf;
    this.pos += 2;
    const d = new PdfDict();
    for (;;) {
      this.skipWhite();
      if (this.pos + 1 >= b.length) this.more();
      if (b[this.pos] === 0x3e && b[this.pos + 1] === 0x3e) {
        this.pos += 2;
        return d;
      }
      if (b[this.pos] !== 0x2f) {
        // Damaged dictionary: a value without a key. Skip it.
        this.parseObject(depth + 1);
        continue;
      }
      const key = this.parseName().value;
      this.skipWhite();
      if (this.pos + 1 >= b.length) this.more();
      if (b[this.pos] === 0x3e && b[this.pos + 1] === 0x3e) {
        d.set(key, null);
        continue;
      }
      d.set(key, this.parseObject(depth + 1));
    }
  }

  /** Parses "num gen obj <object> [stream]" at the current position. */
  parseIndirect(): IndirectObject {
    const numTok = this.tryInteger(this.pos);
    if (!numTok) throw new PdfSyntaxError('expected an object number');
    this.pos = numTok.end;
    const genTok = this.tryInteger(this.pos);
    if (!genTok) throw new PdfSyntaxError('expected a generation number');
    this.pos = genTok.end;
    if (!this.peekKeyword('obj')) throw new PdfSyntaxError("expected 'obj'");
    this.pos += 3;
    const value = this.parseObject();
    const result: IndirectObject = { num: numTok.value, gen: genTok.value, value, end: this.pos };
    if (value instanceof PdfDict) {
      this.skipWhite();
      if (this.peekKeyword('stream')) {
        this.pos += 6;
        const b = this.buf;
        if (this.pos + 2 > b.length && !this.complete) this.more();
        // The keyword is followed by CRLF or LF; tolerate a lone CR and stray spaces.
        while (b[this.pos] === 0x20) this.pos++;
        if (b[this.pos] === 0x0d) this.pos++;
        if (b[this.pos] === 0x0a) this.pos++;
        result.streamDataOffset = this.base + this.pos;
      }
    }
    return result;
  }
}

const POW10 = Array.from({ length: 16 }, (_, k) => 10 ** k);

/** The value of the decimal digits b[s..e) (at most 15 of them: exact). */
function digitsValue(b: Buffer, s: number, e: number): number {
  let v = 0;
  for (let i = s; i < e; i++) v = v * 10 + (b[i]! - 0x30);
  return v;
}

function parseLooseNumber(word: string): number {
  // Real files contain "--5", "5-", "1.2.3": keep the leading numeric part, as viewers do.
  const m = /^[+-]*(\d*\.?\d*)/.exec(word);
  const sign = word.startsWith('-') ? -1 : 1;
  const n = m && m[1] ? Number(m[1]) : 0;
  return Number.isFinite(n) ? sign * n : 0;
}

/** Parses one object from a complete buffer (content of an object stream, a test string). */
export function parseObjectAt(buf: Buffer, pos = 0): { value: PdfObject; end: number } {
  const p = new Parser(buf, 0, pos, true);
  const value = p.parseObject();
  return { value, end: p.pos };
}

export function makeStream(dict: PdfDict, dataOffset: number, length: number): PdfStream {
  return new PdfStream(dict, dataOffset, length);
}
