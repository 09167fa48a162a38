// Where a page draws each character: runs the page's content (and the form XObjects it paints)
// through the text state of ISO 32000-1 §9.3–9.4 and gives every shown glyph its text and its
// start and end on the baseline, in the page's user space. Producers do not draw in reading
// order (LibreOffice draws a line's precomposed Vietnamese letters from a second font subset
// after the rest), so readers of the page order glyphs by these positions, not by the stream.
import { contentOps } from './content.js';
import { fontCodes, type FontCodes } from './font-codes.js';
import { isArray, isName, isNumber, isRef, PdfDict, PdfStream, PdfString, type PdfObject } from './objects.js';
import type { PdfReader } from './reader.js';

export interface PlacedGlyph {
  /** What the glyph stands for ("" when the font does not say). */
  text: string;
  /** Start and end of its advance on the baseline, user space. */
  x0: number;
  y0: number;
  x1: number;
  y1: number;
  /** Font size in user space (points). */
  size: number;
  /** Direction of writing, degrees counter-clockwise. */
  angle: number;
}

type Matrix = [number, number, number, number, number, number];
const IDENTITY: Matrix = [1, 0, 0, 1, 0, 0];

/** m × n: first m, then n (PDF's row-vector convention). */
function mul(m: Matrix, n: Matrix): Matrix {
  return [
    m[0] * n[0] + m[1] * n[2],
    m[0] * n[1] + m[1] * n[3],
    m[2] * n[0] + m[3] * n[2],
    m[2] * n[1] + m[3] * n[3],
    m[4] * n[0] + m[5] * n[2] + n[4],
    m[4] * n[1] + m[5] * n[3] + n[5],
  ];
}

interface State {
  ctm: Matrix;
  font?: FontCodes;
  fontSize: number;
  charSpacing: number;
  wordSpacing: number;
  hScale: number;
  leading: number;
  rise: number;
}

/** Bounds against hostile content: glyphs kept per page, operators run, forms nested. */
const MAX_GLYPHS = 200_000;
const MAX_OPS = 2_000_000;
const MAX_FORM_DEPTH = 12;

const num = (o: PdfObject | undefined, d = 0): number => (isNumber(o) ? o : d);

/** The glyphs page `index` (0-based) shows, in the order it draws them. */
export function pageGlyphs(reader: PdfReader, index: number): PlacedGlyph[] {
  const page = reader.page(index);
  const out: PlacedGlyph[] = [];
  const fontCache = new Map<string, FontCodes>();
  let ops = 0;
  const resolve = (o: PdfObject | undefined): PdfObject | undefined => reader.resolve(o);
  const read = (s: PdfStream): Buffer => reader.streamData(s);

  const loadFont = (resources: PdfDict | undefined, name: string): FontCodes | undefined => {
    const fonts = reader.resolveDict(resources?.get('Font'));
    const ref = fonts?.get(name);
    const cacheKey = isRef(ref) ? ref.key() : undefined;
    if (cacheKey && fontCache.has(cacheKey)) return fontCache.get(cacheKey);
    const dict = reader.resolveDict(ref);
    if (!dict) return undefined;
    const codes = fontCodes(dict, resolve, read);
    if (cacheKey) fontCache.set(cacheKey, codes);
    return codes;
  };

  const run = (data: Buffer, resources: PdfDict | undefined, start: State, forms: Set<string>): void => {
    let gs: State = { ...start };
    const stack: State[] = [];
    let tm: Matrix = IDENTITY;
    let tlm: Matrix = IDENTITY;

    const show = (s: PdfString): void => {
      const font = gs.font;
      if (!font) return;
      const th = gs.hScale;
      for (const g of font.decode(s.bytes)) {
        const trm = mul([gs.fontSize * th, 0, 0, gs.fontSize, 0, gs.rise], mul(tm, gs.ctm));
        if (out.length < MAX_GLYPHS) {
          out.push({
            text: g.unicode,
            x0: trm[4],
            y0: trm[5],
            x1: trm[4] + g.width * trm[0],
            y1: trm[5] + g.width * trm[1],
            size: Math.hypot(trm[2], trm[3]),
            angle: (Math.atan2(trm[1], trm[0]) * 180) / Math.PI,
          });
        }
        const tx = (g.width * gs.fontSize + gs.charSpacing + (g.wordSpace ? gs.wordSpacing : 0)) * th;
        tm = mul([1, 0, 0, 1, tx, 0], tm);
      }
    };
    const nextLine = (tx: number, ty: number): void => {
      tlm = mul([1, 0, 0, 1, tx, ty], tlm);
      tm = tlm;
    };

    for (const { op, operands: a } of contentOps(data)) {
      if (++ops > MAX_OPS) return;
      switch (op) {
        case 'q':
          if (stack.length < 256) stack.push({ ...gs });
          break;
        case 'Q':
          gs = stack.pop() ?? gs;
          break;
        case 'cm':
          if (a.length === 6 && a.every(isNumber)) gs.ctm = mul(a as Matrix, gs.ctm);
          break;
        case 'BT':
          tm = tlm = IDENTITY;
          break;
        case 'Tf':
          if (isName(a[0])) gs.font = loadFont(resources, a[0].value);
          gs.fontSize = num(a[1], gs.fontSize);
          break;
        case 'Tc':
          gs.charSpacing = num(a[0]);
          break;
        case 'Tw':
          gs.wordSpacing = num(a[0]);
          break;
        case 'Tz':
          gs.hScale = num(a[0], 100) / 100;
          break;
        case 'TL':
          gs.leading = num(a[0]);
          break;
        case 'Ts':
          gs.rise = num(a[0]);
          break;
        case 'Td':
          nextLine(num(a[0]), num(a[1]));
          break;
        case 'TD':
          gs.leading = -num(a[1]);
          nextLine(num(a[0]), num(a[1]));
          break;
        case 'Tm':
          if (a.length === 6 && a.every(isNumber)) tm = tlm = a as Matrix;
          break;
        case 'T*':
          nextLine(0, -gs.leading);
          break;
        case 'Tj':
          if (a[0] instanceof PdfString) show(a[0]);
          break;
        case "'":
          nextLine(0, -gs.leading);
          if (a[0] instanceof PdfString) show(a[0]);
          break;
        case '"':
          gs.wordSpacing = num(a[0]);
          gs.charSpacing = num(a[1]);
          nextLine(0, -gs.leading);
          if (a[2] instanceof PdfString) show(a[2]);
          break;
        case 'TJ':
          if (isArray(a[0]))
            for (const part of a[0]) {
              if (part instanceof PdfString) show(part);
              else if (isNumber(part)) tm = mul([1, 0, 0, 1, (-part / 1000) * gs.fontSize * gs.hScale, 0], tm);
            }
          break;
        case 'Do': {
          if (!isName(a[0]) || forms.size >= MAX_FORM_DEPTH) break;
          const xobjects = reader.resolveDict(resources?.get('XObject'));
          const ref = xobjects?.get(a[0].value);
          const id = isRef(ref) ? ref.key() : a[0].value;
          if (forms.has(id)) break;
          const x = resolve(ref);
          if (!(x instanceof PdfStream) || x.dict.name('Subtype') !== 'Form') break;
          const m = resolve(x.dict.get('Matrix'));
          const matrix = isArray(m) && m.length === 6 && m.every(isNumber) ? (m as Matrix) : IDENTITY;
          let body: Buffer;
          try {
            body = read(x);
          } catch {
            break;
          }
          const inner = reader.resolveDict(x.dict.get('Resources')) ?? resources;
          run(body, inner, { ...gs, ctm: mul(matrix, gs.ctm) }, new Set([...forms, id]));
          break;
        }
      }
    }
  };

  const contents = resolve(page.dict.get('Contents'));
  const streams = (isArray(contents) ? contents.map(resolve) : [contents]).filter((s): s is PdfStream => s instanceof PdfStream);
  // The page's streams are one content stream split anywhere (ISO 32000-1 §7.8.2).
  const parts: Buffer[] = [];
  for (const s of streams) {
    try {
      parts.push(read(s), Buffer.from('\n'));
    } catch {
      // A stream that does not decode draws nothing readable; the others still count.
    }
  }
  const initial: State = { ctm: IDENTITY, fontSize: 0, charSpacing: 0, wordSpacing: 0, hScale: 1, leading: 0, rise: 0 };
  run(Buffer.concat(parts), page.resources, initial, new Set());
  return out;
}

