// The fonts of visible signatures: Liberation Serif (Times-metric, full Vietnamese, SIL OFL),
// shipped in assets/fonts and embedded as subset Type0 / CIDFontType2 fonts with Identity-H
// encoding, a /W width array and a /ToUnicode map, so that text extraction gives back exactly
// the Vietnamese that was drawn. A character the font lacks is an error, never a box.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';
import { KysoError } from '../../shared/errors.js';
import type { IncrementalUpdate } from '../pdf/incremental.js';
import { PdfDict, PdfName, PdfRef, PdfStream, PdfString, type PdfObject } from '../pdf/objects.js';
import { assetPath } from './assets.js';
import { TrueTypeFont } from './truetype.js';

export type FontStyle = 'regular' | 'bold' | 'italic';

const FILES: Record<FontStyle, string> = {
  regular: 'LiberationSerif-Regular.ttf',
  bold: 'LiberationSerif-Bold.ttf',
  italic: 'LiberationSerif-Italic.ttf',
};

/** A font program with what layout needs: glyph lookup and advance widths. */
export class FontFace {
  constructor(
    readonly program: TrueTypeFont,
    readonly style: FontStyle,
  ) {}

  get name(): string {
    return this.program.metrics.postscriptName;
  }

  /** Ascent and descent as fractions of the font size (descent negative). */
  get ascent(): number {
    return this.program.metrics.ascent / this.program.metrics.unitsPerEm;
  }
  get descent(): number {
    return this.program.metrics.descent / this.program.metrics.unitsPerEm;
  }

  /** The glyph of each character of `text` (NFC), or FONT_GLYPH_MISSING. */
  glyphs(text: string): Array<{ glyph: number; char: string }> {
    const out: Array<{ glyph: number; char: string }> = [];
    for (const char of prepareText(text)) {
      const cp = char.codePointAt(0)!;
      const glyph = this.program.glyphId(cp);
      if (glyph === 0)
        throw new KysoError('FONT_GLYPH_MISSING', { font: this.name, char, codePoint: cp.toString(16).toUpperCase().padStart(4, '0'), text });
      out.push({ glyph, char });
    }
    return out;
  }

  /** Advance of one glyph in thousandths of the font size (the unit of /W). */
  width1000(glyph: number): number {
    return Math.round((this.program.advance(glyph) * 1000) / this.program.metrics.unitsPerEm);
  }

  /** Width of `text` at `size` points. */
  measure(text: string, size: number): number {
    let w = 0;
    for (const g of this.glyphs(text)) w += this.width1000(g.glyph);
    return (w * size) / 1000;
  }

  /** Width of `text` at `size`, tolerating characters the font lacks (for estimating positions of others' text). */
  estimate(text: string, size: number): number {
    let w = 0;
    for (const char of text) {
      const g = this.program.glyphId(char.codePointAt(0)!);
      w += g ? this.width1000(g) : 500;
    }
    return (w * size) / 1000;
  }
}

/** NFC (Vietnamese letters as single characters, as the font maps them), without control characters. */
export function prepareText(text: string): string {
  return text.normalize('NFC').replace(/[\u0000-\u001f\u007f]/g, ' ');
}

const faces = new Map<FontStyle, FontFace>();

/** The shipped face of a style, read once per process. */
export function loadFace(style: FontStyle = 'regular'): FontFace {
  let f = faces.get(style);
  if (f) return f;
  const path = assetPath('fonts', FILES[style]);
  try {
    f = new FontFace(new TrueTypeFont(readFileSync(path)), style);
  } catch (e) {
    throw new KysoError('ASSET_INVALID', { path, reason: (e as Error).message }, { cause: e });
  }
  faces.set(style, f);
  return f;
}

/**
 * One font as used in one revision: text is encoded as it is drawn (recording the glyphs and the
 * characters they stand for), and the subset is written once all appearances are drawn.
 */
export class EmbeddedFont {
  readonly ref: PdfRef;
  private readonly used = new Map<number, string>();

  constructor(
    readonly face: FontFace,
    update: IncrementalUpdate,
  ) {
    this.ref = update.allocate();
  }

  /** The text as a hex string of 2-byte glyph codes for Tj. */
  encode(text: string): string {
    let hex = '';
    for (const { glyph, char } of this.face.glyphs(text)) {
      if (!this.used.has(glyph)) this.used.set(glyph, char);
      hex += glyph.toString(16).padStart(4, '0');
    }
    return `<${hex}>`;
  }

  get isUsed(): boolean {
    return this.used.size > 0;
  }

  /** Writes the Type0 font, its CIDFont, descriptor, subset program and ToUnicode map. */
  write(update: IncrementalUpdate): void {
    const m = this.face.program.metrics;
    const glyphs = [...this.used.keys()].sort((a, b) => a - b);
    const tag = subsetTag(this.face.name, glyphs);
    const baseFont = PdfName.of(`${tag}+${this.face.name}`);
    const program = this.face.program.subset(glyphs);
    const fontFile = update.add(
      new PdfStream(new PdfDict([['Filter', PdfName.of('FlateDecode')], ['Length1', program.length]]), 0, 0, deflateSync(program)),
    );
    const scale = (v: number): number => Math.round((v * 1000) / m.unitsPerEm);
    const flags = (m.italicAngle !== 0 ? 64 : 0) | 32 | 2; // italic, nonsymbolic, serif
    const descriptor = update.add(
      new PdfDict([
        ['Type', PdfName.of('FontDescriptor')],
        ['FontName', baseFont],
        ['Flags', flags],
        ['FontBBox', m.bbox.map(scale)],
        ['ItalicAngle', m.italicAngle],
        ['Ascent', scale(m.ascent)],
        ['Descent', scale(m.descent)],
        ['CapHeight', scale(m.capHeight)],
        ['StemV', m.bold ? 140 : 80],
        ['FontFile2', fontFile],
      ]),
    );
    const cidFont = update.add(
      new PdfDict([
        ['Type', PdfName.of('Font')],
        ['Subtype', PdfName.of('CIDFontType2')],
        ['BaseFont', baseFont],
        ['CIDSystemInfo', new PdfDict([['Registry', ascii('Adobe')], ['Ordering', ascii('Identity')], ['Supplement', 0]])],
        ['FontDescriptor', descriptor],
        ['DW', 1000],
        ['W', widthArray(glyphs, (g) => this.face.width1000(g))],
        ['CIDToGIDMap', PdfName.of('Identity')],
      ]),
    );
    const toUnicode = update.add(
      new PdfStream(new PdfDict([['Filter', PdfName.of('FlateDecode')]]), 0, 0, deflateSync(Buffer.from(toUnicodeCMap(this.used), 'latin1'))),
    );
    update.set(
      this.ref,
      new PdfDict([
        ['Type', PdfName.of('Font')],
        ['Subtype', PdfName.of('Type0')],
        ['BaseFont', baseFont],
        ['Encoding', PdfName.of('Identity-H')],
        ['DescendantFonts', [cidFont]],
        ['ToUnicode', toUnicode],
      ]),
    );
  }
}

function ascii(s: string): PdfString {
  return new PdfString(Buffer.from(s, 'latin1'));
}

/** Six capital letters naming the subset (PDF 32000 9.6.4), stable for the same glyphs. */
function subsetTag(name: string, glyphs: number[]): string {
  const h = createHash('sha256').update(name).update(glyphs.join(',')).digest();
  let tag = '';
  for (let i = 0; i < 6; i++) tag += String.fromCharCode(65 + (h[i]! % 26));
  return tag;
}

/** /W as runs of consecutive codes: [c [w w w] c [w] ...]. */
export function widthArray(glyphs: number[], width: (g: number) => number): PdfObject[] {
  const out: PdfObject[] = [];
  let i = 0;
  while (i < glyphs.length) {
    const start = glyphs[i]!;
    const run: number[] = [];
    while (i < glyphs.length && glyphs[i] === start + run.length) run.push(width(glyphs[i++]!));
    out.push(start, run);
  }
  return out;
}

function utf16Hex(s: string): string {
  return Buffer.from(s, 'utf16le').swap16().toString('hex').toUpperCase();
}

/** A ToUnicode CMap mapping each 2-byte code (a glyph index) to the character it was drawn for. */
export function toUnicodeCMap(used: Map<number, string>): string {
  const entries = [...used.entries()].sort((a, b) => a[0] - b[0]);
  let body = '';
  for (let i = 0; i < entries.length; i += 100) {
    const chunk = entries.slice(i, i + 100);
    body += `${chunk.length} beginbfchar\n`;
    for (const [g, ch] of chunk) body += `<${g.toString(16).padStart(4, '0').toUpperCase()}> <${utf16Hex(ch)}>\n`;
    body += 'endbfchar\n';
  }
  return (
    '/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n' +
    '/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n' +
    '/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n' +
    '1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n' +
    body +
    'endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n'
  );
}
