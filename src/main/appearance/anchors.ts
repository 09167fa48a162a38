// Finds text on the pages with its position (pdf.js text extraction), so signatures and the
// clerk's number can be placed relative to what the document prints: the signer's title and
// name, "Số:", the date line. Lines are kept in the frame of their own writing direction, so a
// page turned by /Rotate, or a sideways scan, is read like any other.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { KysoError } from '../../shared/errors.js';
import { loadFace, type FontFace } from './fonts.js';
import { box, snapRotation, rotatePoint, type Box, type Rotation } from './geometry.js';

export interface TextChar {
  ch: string;
  /** Start and end along the line, in the line's frame (see geometry.ts). */
  x0: number;
  x1: number;
}

export interface TextLine {
  /** 0-based page index. */
  page: number;
  /** Writing direction of the line: the frame its coordinates are in. */
  rotation: Rotation;
  /** Baseline height in the frame. */
  baseline: number;
  /** Font size in points. */
  size: number;
  chars: TextChar[];
  /** The characters joined (NFC, runs of white space as one space). */
  text: string;
}

export interface TextMatch {
  line: TextLine;
  /** Character range [start, end) in line.text. */
  start: number;
  end: number;
  /** Where the matched characters lie, in the line's frame: from the descender to above the accents. */
  box: Box;
}

/** The extents of a run of characters of a line, in the line's frame. */
export function charsBox(line: TextLine, start: number, end: number): Box {
  const a = line.chars[start]!;
  const b = line.chars[Math.max(start, end - 1)]!;
  return box(a.x0, line.baseline - 0.22 * line.size, b.x1, line.baseline + 0.92 * line.size);
}

interface RawItem {
  str: string;
  transform: number[];
  width: number;
}

interface PlacedItem {
  rotation: Rotation;
  baseline: number;
  size: number;
  x0: number;
  x1: number;
  str: string;
}

/** Groups pdf.js text items of one page into lines with estimated character positions. */
export function buildLines(page: number, items: RawItem[], face: FontFace = loadFace('regular')): TextLine[] {
  const placed: PlacedItem[] = [];
  for (const it of items) {
    if (!it.str || !Array.isArray(it.transform) || it.transform.length < 6) continue;
    const [a, b, , , e, f] = it.transform as [number, number, number, number, number, number];
    const angle = (Math.atan2(b, a) * 180) / Math.PI;
    const rotation = snapRotation(angle);
    if (Math.abs(((angle - rotation + 540) % 360) - 180) > 2) continue; // slanted text: not an anchor
    const size = Math.hypot(a, b);
    const [fx, fy] = rotatePoint(e, f, ((360 - rotation) % 360) as Rotation);
    placed.push({ rotation, baseline: fy, size, x0: fx, x1: fx + Math.abs(it.width), str: it.str.normalize('NFC') });
  }
  placed.sort((p, q) => p.rotation - q.rotation || q.baseline - p.baseline || p.x0 - q.x0);
  const groups: PlacedItem[][] = [];
  for (const p of placed) {
    const g = groups.find(
      (grp) => grp[0]!.rotation === p.rotation && Math.abs(grp[0]!.baseline - p.baseline) < 0.35 * Math.max(grp[0]!.size, p.size, 1),
    );
    if (g) g.push(p);
    else groups.push([p]);
  }
  const lines: TextLine[] = [];
  for (const g of groups) {
    g.sort((p, q) => p.x0 - q.x0);
    const chars: TextChar[] = [];
    const pushSpace = (x0: number, x1: number): void => {
      const last = chars[chars.length - 1];
      if (!last) return;
      if (last.ch === ' ') last.x1 = Math.max(last.x1, x1);
      else chars.push({ ch: ' ', x0, x1 });
    };
    const sizes = g.map((p) => p.size).filter((s) => s > 0);
    const size = sizes.length ? sizes.reduce((s, v) => s + v, 0) / sizes.length : 12;
    for (const p of g) {
      const last = chars[chars.length - 1];
      if (last && p.x0 - last.x1 > 0.1 * p.size) pushSpace(last.x1, p.x0);
      const glyphs = [...p.str];
      const est = glyphs.map((ch) => face.estimate(ch, p.size));
      const total = est.reduce((s, v) => s + v, 0);
      const scale = total > 0 ? (p.x1 - p.x0) / total : 0;
      let x = p.x0;
      glyphs.forEach((ch, i) => {
        const w = total > 0 ? est[i]! * scale : (p.x1 - p.x0) / glyphs.length;
        if (/\s/.test(ch)) pushSpace(x, x + w);
        else chars.push({ ch, x0: x, x1: x + w });
        x += w;
      });
    }
    while (chars.length && chars[chars.length - 1]!.ch === ' ') chars.pop();
    if (!chars.length) continue;
    lines.push({ page, rotation: g[0]!.rotation, baseline: g[0]!.baseline, size, chars, text: chars.map((c) => c.ch).join('') });
  }
  return lines;
}

export function normalizeNeedle(s: string): string {
  return s.normalize('NFC').replace(/\s+/g, ' ').trim();
}

/** Every occurrence of needle in the lines, top to bottom; case-insensitive only when nothing matches exactly. */
export function findInLines(lines: TextLine[], needle: string): TextMatch[] {
  const n = normalizeNeedle(needle);
  if (!n) return [];
  const search = (fold: (s: string) => string): TextMatch[] => {
    const target = fold(n);
    const out: TextMatch[] = [];
    for (const line of lines) {
      const hay = fold(line.text);
      if (hay.length !== line.text.length) continue;
      for (let at = hay.indexOf(target); at >= 0; at = hay.indexOf(target, at + 1))
        out.push({ line, start: at, end: at + target.length, box: charsBox(line, at, at + target.length) });
    }
    return out;
  };
  const exact = search((s) => s);
  const found = exact.length ? exact : search((s) => s.toLocaleLowerCase('vi'));
  return found.sort((p, q) => p.line.page - q.line.page || q.line.baseline - p.line.baseline || p.box.x0 - q.box.x0);
}

type PdfJs = typeof import('pdfjs-dist/legacy/build/pdf.mjs');
let pdfjsModule: PdfJs | undefined;

function pdfjsDir(): string {
  return dirname(createRequire(import.meta.url).resolve('pdfjs-dist/package.json'));
}

/**
 * pdf.js, loaded on first use with require() (Node >= 20.19 loads ES modules without top-level
 * await that way): the bundled command line runs in a vm.Script, where import() is not available.
 */
function loadPdfJs(): PdfJs {
  return (pdfjsModule ??= createRequire(import.meta.url)('pdfjs-dist/legacy/build/pdf.mjs') as PdfJs);
}

/** The text of a document, page by page, read on demand. */
export interface DocumentText {
  readonly pageCount: number;
  lines(page: number): Promise<TextLine[]>;
  close(): Promise<void>;
}

/** Opens a PDF for text search with pdf.js (loaded only when a placement needs it). */
export async function openDocumentText(path: string): Promise<DocumentText> {
  const pdfjs = loadPdfJs();
  const dir = pdfjsDir();
  const data = new Uint8Array(readFileSync(path));
  let doc: Awaited<ReturnType<PdfJs['getDocument']>['promise']>;
  try {
    doc = await pdfjs.getDocument({
      data,
      verbosity: 0,
      isEvalSupported: false,
      disableFontFace: true,
      useSystemFonts: false,
      standardFontDataUrl: join(dir, 'standard_fonts') + '/',
      cMapUrl: join(dir, 'cmaps') + '/',
      cMapPacked: true,
    }).promise;
  } catch (e) {
    throw new KysoError('PDF_MALFORMED', { reason: `text extraction: ${(e as Error).message}` }, { cause: e });
  }
  const cache = new Map<number, TextLine[]>();
  return {
    pageCount: doc.numPages,
    async lines(page: number): Promise<TextLine[]> {
      const hit = cache.get(page);
      if (hit) return hit;
      const p = await doc.getPage(page + 1);
      const content = await p.getTextContent();
      const items = content.items.filter((i): i is RawItem & (typeof content.items)[number] => 'str' in i);
      const lines = buildLines(page, items);
      cache.set(page, lines);
      return lines;
    },
    async close(): Promise<void> {
      await doc.destroy();
    },
  };
}
