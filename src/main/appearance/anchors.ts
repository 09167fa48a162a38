// Finds text on the pages with its position (glyphs placed from the content streams), so signatures and the
// clerk's number can be placed relative to what the document prints: the signer's title and
// name, "Số:", the date line. Lines are kept in the frame of their own writing direction, so a
// page turned by /Rotate, or a sideways scan, is read like any other.
import { KysoError } from '../../shared/errors.js';
import { pageGlyphs, type PlacedGlyph } from '../pdf/glyphs.js';
import { PdfReader } from '../pdf/reader.js';
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

/** Text of a glyph as lines keep it: ligatures spelled out, soft hyphens and control characters dropped. */
function glyphText(s: string): string {
  return s
    .replace(/[\ufb00-\ufb06]/g, (c) => c.normalize('NFKC'))
    .replace(/[\u00ad\u0000-\u001f\u007f]/g, '')
    .replace(/\s/g, ' ');
}

interface FramedGlyph {
  /** Place in the content stream's drawing order. */
  order: number;
  text: string;
  rotation: Rotation;
  baseline: number;
  size: number;
  x0: number;
  x1: number;
}

const MARKS_ONLY = /^\p{M}+$/u;

/**
 * The glyphs of one line in reading order. The stream's own order is kept within a run (glyphs
 * drawn one after the other, each where the last ended); runs are ordered by where they start.
 * A run breaks where the pen jumps: over room left for a letter drawn later from another font
 * subset, or back over text already drawn. So "S" ":" + "ố" reads "Số:", while two texts a
 * producer laid over each other on one baseline stay whole instead of interleaving letter by
 * letter. The same glyph drawn twice on itself (fake bold, shadows) is read once.
 */
function readingOrder(group: FramedGlyph[]): FramedGlyph[] {
  const seen = new Map<string, number[]>();
  const kept: FramedGlyph[] = [];
  for (const p of [...group].sort((a, b) => a.order - b.order)) {
    const near = 0.15 * Math.max(p.size, 1);
    const xs = seen.get(p.text) ?? [];
    if (xs.length < 64 && xs.some((x) => Math.abs(x - p.x0) < near)) continue;
    if (xs.length < 64) xs.push(p.x0);
    seen.set(p.text, xs);
    kept.push(p);
  }
  const runs: FramedGlyph[][] = [];
  for (const p of kept) {
    const run = runs[runs.length - 1];
    const last = run?.[run.length - 1];
    const tol = 0.15 * Math.max(p.size, 1);
    if (run && last && p.x0 >= last.x1 - 2 * tol && p.x0 <= last.x1 + tol) run.push(p);
    else runs.push([p]);
  }
  runs.sort((a, b) => a[0]!.x0 - b[0]!.x0);
  return runs.flat();
}

/**
 * Groups the glyphs a page draws into lines in reading order: by writing direction, then by
 * baseline, then by position along the line, whatever order the content stream drew them in.
 * Gaps wider than a fraction of the font size read as one space; a combining mark drawn as a
 * glyph of its own joins the letter before it (NFC).
 */
export function buildLines(page: number, glyphs: PlacedGlyph[]): TextLine[] {
  const framed: FramedGlyph[] = [];
  for (const g of glyphs) {
    const text = glyphText(g.text);
    const rotation = snapRotation(g.angle);
    if (Math.abs(((g.angle - rotation + 540) % 360) - 180) > 2) continue; // slanted text: not an anchor
    const back = ((360 - rotation) % 360) as Rotation;
    const [sx, sy] = rotatePoint(g.x0, g.y0, back);
    const [ex] = rotatePoint(g.x1, g.y1, back);
    const prev = framed[framed.length - 1];
    if (!text) {
      // A soft hyphen inside a word: its room is part of the word, not a gap between words.
      if (g.text.includes('\u00ad') && prev && prev.rotation === rotation && Math.abs(prev.baseline - sy) < 0.35 * prev.size)
        prev.x1 = Math.max(prev.x1, sx, ex);
      continue;
    }
    if (MARKS_ONLY.test(text)) {
      // A mark (NFD text, or a producer drawing accents apart) belongs to the letter it sits on.
      if (prev && prev.rotation === rotation && Math.abs(prev.baseline - sy) < prev.size) prev.text += text;
      continue;
    }
    framed.push({ order: framed.length, text, rotation, baseline: sy, size: g.size, x0: Math.min(sx, ex), x1: Math.max(sx, ex) });
  }
  framed.sort((p, q) => p.rotation - q.rotation || q.baseline - p.baseline);
  const groups: FramedGlyph[][] = [];
  let open: FramedGlyph[] = [];
  for (const p of framed) {
    // Sorted by baseline, so a line's glyphs are consecutive; a small rise (a mark set with Ts,
    // a superscript ordinal) stays on its line.
    const head = open[0];
    if (head && head.rotation === p.rotation && Math.abs(head.baseline - p.baseline) < 0.35 * Math.max(head.size, p.size, 1)) open.push(p);
    else {
      if (open.length) groups.push(open);
      open = [p];
    }
  }
  if (open.length) groups.push(open);
  const lines: TextLine[] = [];
  for (const group of groups) {
    const g = readingOrder(group);
    const sizes = g.map((p) => p.size).filter((s) => s > 0);
    const size = sizes.length ? sizes.reduce((s, v) => s + v, 0) / sizes.length : 12;
    const chars: TextChar[] = [];
    const pushSpace = (x0: number, x1: number): void => {
      const last = chars[chars.length - 1];
      if (!last) return;
      if (last.ch === ' ') last.x1 = Math.max(last.x1, x1);
      else chars.push({ ch: ' ', x0, x1 });
    };
    for (const p of g) {
      const last = chars[chars.length - 1];
      if (last && last.ch !== ' ' && p.x0 - last.x1 > 0.15 * Math.max(p.size, 1)) pushSpace(last.x1, p.x0);
      const units = p.text.normalize('NFC');
      const w = (p.x1 - p.x0) / units.length;
      for (let i = 0; i < units.length; i++) {
        const ch = units[i]!;
        const x0 = p.x0 + i * w;
        if (ch === ' ') pushSpace(x0, x0 + w);
        else chars.push({ ch, x0, x1: x0 + w });
      }
    }
    while (chars.length && chars[chars.length - 1]!.ch === ' ') chars.pop();
    while (chars.length && chars[0]!.ch === ' ') chars.shift();
    if (!chars.length) continue;
    lines.push({ page, rotation: g[0]!.rotation, baseline: g[0]!.baseline, size, chars, text: chars.map((c) => c.ch).join('') });
  }
  return lines;
}

export function normalizeNeedle(s: string): string {
  return s.normalize('NFC').replace(/\u00ad/g, '').replace(/\s+/g, ' ').trim();
}

/** A string to search and, for each of its characters, the line and character it came from. */
interface View {
  text: string;
  at: [TextLine, number][];
}

function lineView(lines: TextLine[], spaces: boolean): View {
  let text = '';
  const at: [TextLine, number][] = [];
  lines.forEach((line, k) => {
    if (k > 0 && spaces) {
      text += ' ';
      at.push([line, 0]);
    }
    for (let i = 0; i < line.chars.length; i++) {
      const ch = line.text[i]!;
      if (!spaces && ch === ' ') continue;
      text += ch;
      at.push([line, i]);
    }
  });
  return { text, at };
}

function matchOf(view: View, start: number, end: number): TextMatch {
  const first = view.at[start]![0];
  let box: Box | undefined;
  let last = start;
  for (const line of new Set(view.at.slice(start, end).map(([l]) => l))) {
    const idx = view.at.slice(start, end).filter(([l]) => l === line).map(([, i]) => i);
    const b = charsBox(line, Math.min(...idx), Math.max(...idx) + 1);
    box = box ? { x0: Math.min(box.x0, b.x0), y0: Math.min(box.y0, b.y0), x1: Math.max(box.x1, b.x1), y1: Math.max(box.y1, b.y1) } : b;
  }
  for (let k = start; k < end; k++) if (view.at[k]![0] === first) last = k;
  return { line: first, start: view.at[start]![1], end: view.at[last]![1] + 1, box: box! };
}

function searchViews(views: View[], needle: string): TextMatch[] {
  for (const fold of [(s: string) => s, (s: string) => s.toLocaleLowerCase('vi')]) {
    const target = fold(needle);
    const out: TextMatch[] = [];
    for (const v of views) {
      const hay = fold(v.text);
      if (hay.length !== v.text.length) continue;
      for (let at = hay.indexOf(target); at >= 0; at = hay.indexOf(target, at + 1)) out.push(matchOf(v, at, at + target.length));
    }
    if (out.length) return out;
  }
  return [];
}

/**
 * The line that continues `line` in a paragraph: the next one down the same page and direction,
 * within two line heights, overlapping it along the line (a name broken over two lines).
 */
function continuation(lines: TextLine[], line: TextLine): TextLine | undefined {
  const a0 = line.chars[0]!.x0;
  const a1 = line.chars[line.chars.length - 1]!.x1;
  return lines
    .filter((m) => m.page === line.page && m.rotation === line.rotation && m.baseline < line.baseline - 0.5 * line.size && m.baseline > line.baseline - 2.2 * line.size)
    .filter((m) => m.chars[0]!.x0 < a1 && m.chars[m.chars.length - 1]!.x1 > a0)
    .sort((p, q) => q.baseline - p.baseline)[0];
}

/**
 * Every occurrence of needle in the lines, top to bottom. Tried in turn, the first that finds
 * something wins: the text as printed (NFC, spaces collapsed), then case-insensitive; then with
 * every space ignored (a producer's gaps, "Số :" for "Số:"); then across a line break.
 */
export function findInLines(lines: TextLine[], needle: string): TextMatch[] {
  const n = normalizeNeedle(needle);
  if (!n) return [];
  const compact = n.replace(/ /g, '');
  let found = searchViews(lines.map((l) => lineView([l], true)), n);
  if (!found.length) found = searchViews(lines.map((l) => lineView([l], false)), compact);
  if (!found.length) {
    const pairs = lines.flatMap((l) => {
      const next = continuation(lines, l);
      return next ? [[l, next]] : [];
    });
    found = searchViews(pairs.map((p) => lineView(p, true)), n);
    if (!found.length) found = searchViews(pairs.map((p) => lineView(p, false)), compact);
    // Only matches that really cross the break: the rest were found above already.
    found = found.filter((m) => m.end === m.line.chars.length);
  }
  return found.sort((p, q) => p.line.page - q.line.page || q.line.baseline - p.line.baseline || p.box.x0 - q.box.x0);
}

/** The text of a document, page by page, read on demand. */
export interface DocumentText {
  readonly pageCount: number;
  lines(page: number): Promise<TextLine[]>;
  close(): Promise<void>;
}

/**
 * Opens a PDF for text search. The file is read lazily (a 500 MB scan is not loaded); each page's
 * glyphs are placed by running its content through the text state.
 */
export async function openDocumentText(path: string): Promise<DocumentText> {
  const reader = PdfReader.open(path);
  let pageCount: number;
  try {
    pageCount = reader.pages().length;
  } catch (e) {
    reader.close();
    throw e;
  }
  const cache = new Map<number, TextLine[]>();
  return {
    pageCount,
    async lines(page: number): Promise<TextLine[]> {
      const hit = cache.get(page);
      if (hit) return hit;
      let glyphs: PlacedGlyph[];
      try {
        glyphs = pageGlyphs(reader, page);
      } catch (e) {
        if (e instanceof KysoError) throw e;
        throw new KysoError('PDF_MALFORMED', { reason: `text of page ${page + 1}: ${(e as Error).message}` }, { cause: e });
      }
      const lines = buildLines(page, glyphs);
      cache.set(page, lines);
      return lines;
    },
    async close(): Promise<void> {
      reader.close();
    },
  };
}
