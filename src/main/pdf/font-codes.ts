// What the bytes of a shown string are: for each character code of a font, the Unicode text it
// stands for (ToUnicode CMap first, then the font's encoding) and its advance width (/Widths,
// /W and /DW, /MissingWidth). Enough of ISO 32000-1 §9.6–9.10 to put glyphs where the page
// draws them; nothing here draws.
import { isArray, isDict, isName, isNumber, PdfDict, PdfName, PdfStream, PdfString, type PdfObject } from './objects.js';
import { isDelimiter, Parser } from './parser.js';

export interface CodeGlyph {
  /** The text the code stands for ("" when the font does not say). */
  unicode: string;
  /** Advance in text space for a font size of 1 (a /Widths entry of 500 is 0.5). */
  width: number;
  /** A single-byte code 32: word spacing (Tw) applies to it. */
  wordSpace: boolean;
}

export interface FontCodes {
  decode(bytes: Buffer): CodeGlyph[];
}

export type Resolver = (o: PdfObject | undefined) => PdfObject | undefined;
export type StreamReader = (s: PdfStream) => Buffer;

interface CodeRange {
  bytes: number;
  lo: number;
  hi: number;
}

/** A parsed CMap: code space, code → text (ToUnicode) and code → CID (encoding CMaps). */
export interface CMap {
  codespace: CodeRange[];
  unicode: Map<number, string>;
  cid: Map<number, number>;
  cidRanges: { lo: number; hi: number; bytes: number; start: number }[];
}

const key = (bytes: number, code: number): number => bytes * 0x1_0000_0000 + code;
const MAX_RANGE = 65536;

function hexValue(s: PdfString): number {
  let v = 0;
  for (const b of s.bytes) v = v * 256 + b;
  return v;
}

function utf16be(bytes: Buffer): string {
  const even = Buffer.from(bytes.subarray(0, bytes.length & ~1));
  return even.swap16().toString('utf16le');
}

/** Parses a CMap stream's ranges and mappings (the PostScript around them is ignored). */
export function parseCMap(data: Buffer): CMap {
  const out: CMap = { codespace: [], unicode: new Map(), cid: new Map(), cidRanges: [] };
  const p = new Parser(data, 0, 0, true);
  const operands: PdfObject[] = [];
  let section = '';
  while (p.pos < data.length) {
    p.skipWhite();
    if (p.pos >= data.length) break;
    const c = data[p.pos]!;
    try {
      if (c === 0x3c || c === 0x28 || c === 0x2f || c === 0x5b || (c >= 0x30 && c <= 0x39) || c === 0x2d) {
        operands.push(p.parseObject());
        continue;
      }
      if (isDelimiter(c)) {
        p.pos++;
        continue;
      }
      const word = p.token();
      if (word.startsWith('begin')) {
        section = word;
        operands.length = 0;
      } else if (word.startsWith('end')) {
        readSection(section, operands, out);
        section = '';
        operands.length = 0;
      }
    } catch {
      p.pos++;
    }
  }
  return out;
}

function readSection(section: string, o: PdfObject[], out: CMap): void {
  const str = (x: PdfObject | undefined): PdfString | undefined => (x instanceof PdfString ? x : undefined);
  switch (section) {
    case 'begincodespacerange':
      for (let i = 0; i + 1 < o.length; i += 2) {
        const lo = str(o[i]);
        const hi = str(o[i + 1]);
        if (lo && hi && lo.bytes.length >= 1 && lo.bytes.length <= 4)
          out.codespace.push({ bytes: lo.bytes.length, lo: hexValue(lo), hi: hexValue(hi) });
      }
      break;
    case 'beginbfchar':
      for (let i = 0; i + 1 < o.length; i += 2) {
        const src = str(o[i]);
        const dst = o[i + 1];
        if (!src) continue;
        const text = dst instanceof PdfString ? utf16be(dst.bytes) : dst instanceof PdfName ? glyphNameToUnicode(dst.value) : '';
        out.unicode.set(key(src.bytes.length, hexValue(src)), text);
      }
      break;
    case 'beginbfrange':
      for (let i = 0; i + 2 < o.length; i += 3) {
        const lo = str(o[i]);
        const hi = str(o[i + 1]);
        const dst = o[i + 2];
        if (!lo || !hi) continue;
        const a = hexValue(lo);
        const b = Math.min(hexValue(hi), a + MAX_RANGE);
        const n = lo.bytes.length;
        if (isArray(dst)) {
          for (let code = a; code <= b && code - a < dst.length; code++) {
            const d = dst[code - a];
            if (d instanceof PdfString) out.unicode.set(key(n, code), utf16be(d.bytes));
          }
        } else if (dst instanceof PdfString && dst.bytes.length >= 2) {
          const base = Buffer.from(dst.bytes);
          for (let code = a; code <= b; code++) {
            const d = Buffer.from(base);
            // The last UTF-16 unit counts up through the range (ISO 32000-1 §9.10.3).
            const last = d.readUInt16BE(d.length - 2) + (code - a);
            d.writeUInt16BE(last & 0xffff, d.length - 2);
            out.unicode.set(key(n, code), utf16be(d));
          }
        }
      }
      break;
    case 'begincidchar':
      for (let i = 0; i + 1 < o.length; i += 2) {
        const src = str(o[i]);
        const cid = o[i + 1];
        if (src && isNumber(cid)) out.cid.set(key(src.bytes.length, hexValue(src)), cid);
      }
      break;
    case 'begincidrange':
      for (let i = 0; i + 2 < o.length; i += 3) {
        const lo = str(o[i]);
        const hi = str(o[i + 1]);
        const start = o[i + 2];
        if (lo && hi && isNumber(start)) out.cidRanges.push({ lo: hexValue(lo), hi: hexValue(hi), bytes: lo.bytes.length, start });
      }
      break;
  }
}

/** Splits bytes into codes by a code space (1 byte when there is none). */
function splitCodes(bytes: Buffer, codespace: CodeRange[], fallback: number): { code: number; n: number }[] {
  const out: { code: number; n: number }[] = [];
  for (let i = 0; i < bytes.length; ) {
    let hit: { code: number; n: number } | undefined;
    let v = 0;
    for (let n = 1; n <= 4 && i + n <= bytes.length; n++) {
      v = v * 256 + bytes[i + n - 1]!;
      if (codespace.some((r) => r.bytes === n && v >= r.lo && v <= r.hi)) {
        hit = { code: v, n };
        break;
      }
    }
    if (!hit) {
      const n = Math.min(fallback, bytes.length - i);
      let c = 0;
      for (let k = 0; k < n; k++) c = c * 256 + bytes[i + k]!;
      hit = { code: c, n };
    }
    out.push(hit);
    i += hit.n;
  }
  return out;
}

// ---- simple fonts ----------------------------------------------------------------------------

const winAnsi = new TextDecoder('windows-1252');
let macRoman: InstanceType<typeof TextDecoder> | undefined;
function baseEncodingChar(encoding: string | undefined, code: number): string {
  if (encoding === 'MacRomanEncoding') {
    macRoman ??= new TextDecoder('macintosh');
    return macRoman.decode(Uint8Array.of(code));
  }
  if (code < 0x20) return '';
  return winAnsi.decode(Uint8Array.of(code));
}

const NAMED: Record<string, string> = {
  space: ' ', exclam: '!', quotedbl: '"', numbersign: '#', dollar: '$', percent: '%', ampersand: '&', quotesingle: "'",
  parenleft: '(', parenright: ')', asterisk: '*', plus: '+', comma: ',', hyphen: '-', period: '.', slash: '/',
  zero: '0', one: '1', two: '2', three: '3', four: '4', five: '5', six: '6', seven: '7', eight: '8', nine: '9',
  colon: ':', semicolon: ';', less: '<', equal: '=', greater: '>', question: '?', at: '@', bracketleft: '[',
  backslash: '\\', bracketright: ']', asciicircum: '^', underscore: '_', grave: '`', braceleft: '{', bar: '|',
  braceright: '}', asciitilde: '~', endash: '–', emdash: '—', quoteleft: '‘', quoteright: '’', quotedblleft: '“',
  quotedblright: '”', bullet: '•', ellipsis: '…', Dcroat: 'Đ', dcroat: 'đ', Ohorn: 'Ơ', ohorn: 'ơ', Uhorn: 'Ư',
  uhorn: 'ư', fi: 'fi', fl: 'fl', ff: 'ff', ffi: 'ffi', ffl: 'ffl', nbspace: '\u00a0', softhyphen: '\u00ad',
  degree: '°', section: '§', paragraph: '¶', copyright: '©', registered: '®', trademark: '™',
};

/** The text of a glyph name (Adobe Glyph List conventions for the names producers use). */
export function glyphNameToUnicode(name: string): string {
  const base = name.split('.')[0]!;
  if (NAMED[base] !== undefined) return NAMED[base];
  let m = /^uni((?:[0-9A-F]{4})+)$/.exec(base);
  if (m) return String.fromCharCode(...m[1]!.match(/.{4}/g)!.map((h) => parseInt(h, 16)));
  m = /^u([0-9A-F]{4,6})$/.exec(base);
  if (m) {
    const cp = parseInt(m[1]!, 16);
    return cp <= 0x10ffff ? String.fromCodePoint(cp) : '';
  }
  if (/^[A-Za-z]$/.test(base)) return base;
  // Latin letters with accents: "Aacute", "ecircumflex"…, composed through Unicode's own names is
  // more than we need; the common Latin-1 ones are in WinAnsi and reached by the encoding.
  return '';
}

function simpleFont(font: PdfDict, resolve: Resolver, read: StreamReader): FontCodes {
  const toUnicode = readToUnicode(font, resolve, read);
  const enc = resolve(font.get('Encoding'));
  let baseEncoding: string | undefined;
  const differences = new Map<number, string>();
  if (isName(enc)) baseEncoding = enc.value;
  else if (isDict(enc)) {
    const be = enc.get('BaseEncoding');
    if (isName(be)) baseEncoding = be.value;
    const diff = resolve(enc.get('Differences'));
    if (isArray(diff)) {
      let code = 0;
      for (const d of diff) {
        const v = resolve(d);
        if (isNumber(v)) code = v;
        else if (isName(v)) differences.set(code++, v.value);
      }
    }
  }
  const firstChar = Number(resolve(font.get('FirstChar')) ?? 0);
  const widthsObj = resolve(font.get('Widths'));
  const widths = isArray(widthsObj) ? widthsObj.map((w) => Number(resolve(w)) || 0) : undefined;
  const descriptor = isDict(resolve(font.get('FontDescriptor'))) ? (resolve(font.get('FontDescriptor')) as PdfDict) : undefined;
  const missing = Number(resolve(descriptor?.get('MissingWidth')) ?? 0) || 0;
  // Type 3 widths are in glyph space, mapped to text space by /FontMatrix.
  const fm = resolve(font.get('FontMatrix'));
  const scale = font.name('Subtype') === 'Type3' && isArray(fm) && isNumber(fm[0]) ? (fm[0] as number) : 0.001;
  const cache = new Map<number, CodeGlyph>();
  const glyph = (code: number): CodeGlyph => {
    let g = cache.get(code);
    if (g) return g;
    let unicode = toUnicode?.unicode.get(key(1, code));
    if (unicode === undefined) {
      const dn = differences.get(code);
      unicode = dn !== undefined ? glyphNameToUnicode(dn) : baseEncodingChar(baseEncoding, code);
    }
    const w = widths && code - firstChar >= 0 && code - firstChar < widths.length ? widths[code - firstChar]! : widths ? missing : estimateWidth(unicode);
    g = { unicode, width: w * scale, wordSpace: code === 32 };
    cache.set(code, g);
    return g;
  };
  return { decode: (bytes) => Array.from(bytes, glyph) };
}

/** Width of a glyph when the font gives none (a standard 14 font): a Times-like guess per 1000. */
function estimateWidth(text: string): number {
  if (!text) return 500;
  if (text === ' ') return 250;
  if (/^[il.,:;'|!]$/.test(text)) return 278;
  if (/^[MWmw]$/.test(text)) return 889;
  if (/^\p{Lu}$/u.test(text)) return 700;
  return 500;
}

// ---- composite fonts -------------------------------------------------------------------------

function compositeFont(font: PdfDict, resolve: Resolver, read: StreamReader): FontCodes {
  const toUnicode = readToUnicode(font, resolve, read);
  const enc = resolve(font.get('Encoding'));
  let encoding: CMap | undefined;
  if (enc instanceof PdfStream) encoding = parseCMap(read(enc));
  // Identity-H/V and the predefined CJK CMaps all use 2-byte codes for what Office producers write.
  const codespace = encoding?.codespace.length ? encoding.codespace : [{ bytes: 2, lo: 0, hi: 0xffff }];
  const kids = resolve(font.get('DescendantFonts'));
  const cidFont = isArray(kids) ? (resolve(kids[0]) as PdfDict | undefined) : undefined;
  const dw = Number(resolve(cidFont?.get('DW')) ?? 1000) || 1000;
  const widths = new Map<number, number>();
  const w = resolve(cidFont?.get('W'));
  if (isArray(w)) {
    for (let i = 0; i < w.length; ) {
      const first = resolve(w[i]);
      const next = resolve(w[i + 1]);
      if (!isNumber(first)) break;
      if (isArray(next)) {
        next.forEach((v, k) => widths.set(first + k, Number(resolve(v)) || 0));
        i += 2;
      } else {
        const last = next;
        const val = resolve(w[i + 2]);
        if (!isNumber(last) || !isNumber(val)) break;
        for (let c = first; c <= Math.min(last, first + MAX_RANGE); c++) widths.set(c, val);
        i += 3;
      }
    }
  }
  const cidOf = (code: number, n: number): number => {
    if (!encoding) return code;
    const direct = encoding.cid.get(key(n, code));
    if (direct !== undefined) return direct;
    const r = encoding.cidRanges.find((x) => x.bytes === n && code >= x.lo && code <= x.hi);
    return r ? r.start + (code - r.lo) : code;
  };
  return {
    decode(bytes: Buffer): CodeGlyph[] {
      return splitCodes(bytes, codespace, 2).map(({ code, n }) => {
        const cid = cidOf(code, n);
        return {
          unicode: toUnicode?.unicode.get(key(n, code)) ?? '',
          width: (widths.get(cid) ?? dw) / 1000,
          wordSpace: n === 1 && code === 32,
        };
      });
    },
  };
}

function readToUnicode(font: PdfDict, resolve: Resolver, read: StreamReader): CMap | undefined {
  const tu = resolve(font.get('ToUnicode'));
  if (!(tu instanceof PdfStream)) return undefined;
  try {
    return parseCMap(read(tu));
  } catch {
    return undefined;
  }
}

/** The code reader of a font dictionary. */
export function fontCodes(font: PdfDict, resolve: Resolver, read: StreamReader): FontCodes {
  return font.name('Subtype') === 'Type0' ? compositeFont(font, resolve, read) : simpleFont(font, resolve, read);
}

