// Reading cross-reference information: classic tables, cross-reference streams, hybrid
// files (a table whose trailer points to a stream), the /Prev chain of incremental updates,
// and a repair scan for files whose offsets are wrong.
import { PdfDict, PdfStream, isArray, isDict, isNumber, type PdfObject } from './objects.js';
import { NeedMoreData, Parser, PdfSyntaxError } from './parser.js';
import type { ByteSource } from './source.js';
import { MAX_DECODED, decodeStream } from './filters.js';

export type XrefEntry =
  | { type: 'n'; offset: number; gen: number }
  | { type: 'c'; stream: number; index: number }
  | { type: 'f' };

export interface XrefSection {
  offset: number;
  kind: 'table' | 'stream';
  trailer: PdfDict;
  entries: Map<number, XrefEntry>;
  /** For a hybrid table: the offset of the stream its trailer names in /XRefStm. */
  xrefStm?: number;
  /**
   * Where the bytes the section was read from end: any prefix of the file longer than this reads
   * the same section (Infinity when that cannot be said).
   */
  end: number;
  /** Set when the offset that named the section (startxref, /Prev) was off and it was found nearby. */
  nudgedFrom?: number;
}

/** How far from a wrong startxref or /Prev offset a section is looked for (writers' off-by-a-few bugs). */
const NEARBY = 64;

/**
 * The cross-reference section that starts a few bytes from `offset` (a keyword "xref" or an
 * object header at a line start), nearest first; undefined when there is none.
 */
function nearbySection(source: ByteSource, offset: number, resolveLength: (o: PdfObject | undefined) => number | undefined): XrefSection | undefined {
  const from = Math.max(0, offset - NEARBY);
  const text = source.read(from, Math.min(2 * NEARBY + 16, Math.max(0, source.size - from))).toString('latin1');
  const candidates: number[] = [];
  for (const m of text.matchAll(/(^|[\r\n])(xref\b|\d+\s+\d+\s+obj\b)/g)) candidates.push(from + m.index + m[1]!.length);
  candidates.sort((a, b) => Math.abs(a - offset) - Math.abs(b - offset));
  for (const at of candidates) {
    if (at === offset) continue;
    try {
      return { ...parseSection(source, at, resolveLength), nudgedFrom: offset };
    } catch {
      // not a cross-reference section: the next candidate
    }
  }
  return undefined;
}

export class XrefError extends Error {}

/** Reads a window of the source and retries with a larger one until `fn` has what it needs. */
export function withWindow<T>(source: ByteSource, offset: number, fn: (p: Parser) => T, initial = 4096): T {
  let size = initial;
  for (;;) {
    const buf = source.read(offset, size);
    const complete = offset + buf.length >= source.size;
    try {
      return fn(new Parser(buf, offset, 0, complete));
    } catch (e) {
      if (e instanceof NeedMoreData && !complete) {
        size *= 4;
        continue;
      }
      throw e;
    }
  }
}

/** The offset given by the last `startxref` in the file, or null when there is none. */
export function findStartXref(source: ByteSource): number | null {
  const tailLen = Math.min(source.size, 8192);
  const tail = source.read(source.size - tailLen, tailLen).toString('latin1');
  const at = tail.lastIndexOf('startxref');
  if (at < 0) return null;
  const m = /^startxref\s+(\d+)/.exec(tail.slice(at));
  return m ? Number(m[1]) : null;
}

function parseTable(source: ByteSource, offset: number): XrefSection {
  return withWindow(
    source,
    offset,
    (p) => {
      p.skipWhite();
      if (p.token() !== 'xref') throw new XrefError('no xref keyword');
      const entries = new Map<number, XrefEntry>();
      for (;;) {
        p.skipWhite();
        if (p.peekKeyword('trailer')) {
          p.pos += 7;
          const trailer = p.parseObject();
          if (!isDict(trailer)) throw new XrefError('trailer is not a dictionary');
          const stm = trailer.get('XRefStm');
          return { offset, kind: 'table', trailer, entries, xrefStm: isNumber(stm) ? stm : undefined, end: p.base + p.pos };
        }
        const start = Number(p.token());
        const count = Number(p.token());
        if (!Number.isInteger(start) || !Number.isInteger(count) || count < 0) throw new XrefError('bad subsection header');
        for (let i = 0; i < count; i++) {
          const off = Number(p.token());
          const gen = Number(p.token());
          const t = p.token();
          if (!Number.isFinite(off) || !Number.isFinite(gen) || (t !== 'n' && t !== 'f')) throw new XrefError('bad xref entry');
          const num = start + i;
          if (entries.has(num)) continue;
          entries.set(num, t === 'n' && off > 0 ? { type: 'n', offset: off, gen } : { type: 'f' });
        }
      }
    },
    65536,
  );
}

function readStreamData(source: ByteSource, s: PdfStream, length: number): Buffer {
  return source.read(s.dataOffset, length);
}

function parseXrefStream(source: ByteSource, offset: number, resolveLength: (o: PdfObject | undefined) => number | undefined): XrefSection {
  const obj = withWindow(source, offset, (p) => p.parseIndirect());
  if (!isDict(obj.value) || obj.streamDataOffset === undefined) throw new XrefError('no cross-reference stream at offset');
  const dict = obj.value;
  if (dict.name('Type') !== 'XRef') throw new XrefError('object at offset is not a cross-reference stream');
  const length = resolveLength(dict.get('Length'));
  if (length === undefined) throw new XrefError('cross-reference stream without /Length');
  const w = dict.get('W');
  if (!isArray(w) || w.length < 3 || !w.every(isNumber)) throw new XrefError('bad /W');
  const [w0, w1, w2] = w as number[];
  const size = dict.get('Size');
  const index = dict.get('Index');
  const ranges: number[] = isArray(index) && index.every(isNumber) ? (index as number[]) : [0, isNumber(size) ? size : 0];
  const rowLen = w0! + w1! + w2!;
  // The rows are all we read: data that decodes to much more is a bomb, not a cross-reference
  // stream. Room for a predictor byte per row, and twice over for a filter step such as ASCIIHex.
  let rows = 0;
  for (let r = 1; r < ranges.length; r += 2) rows += Math.max(0, ranges[r]!);
  const limit = Math.min(MAX_DECODED, Math.max(0, 2 * rows * (rowLen + 1)) + 65536);
  const raw = readStreamData(source, new PdfStream(dict, obj.streamDataOffset, length), length);
  const data = decodeStream(dict, raw, undefined, limit);
  const entries = new Map<number, XrefEntry>();
  let pos = 0;
  const field = (width: number): number => {
    let v = 0;
    for (let k = 0; k < width; k++) v = v * 256 + (data[pos + k] ?? 0);
    pos += width;
    return v;
  };
  for (let r = 0; r + 1 < ranges.length; r += 2) {
    const start = ranges[r]!;
    const count = ranges[r + 1]!;
    for (let i = 0; i < count && pos + rowLen <= data.length; i++) {
      const type = w0 === 0 ? 1 : field(w0!);
      const f2 = field(w1!);
      const f3 = field(w2!);
      const num = start + i;
      if (entries.has(num)) continue;
      if (type === 1) entries.set(num, f2 > 0 ? { type: 'n', offset: f2, gen: f3 } : { type: 'f' });
      else if (type === 2) entries.set(num, { type: 'c', stream: f2, index: f3 });
      else entries.set(num, { type: 'f' });
    }
  }
  return { offset, kind: 'stream', trailer: dict, entries, end: obj.streamDataOffset + length };
}

/** Parses the section at `offset`, whichever kind it is. */
export function parseSection(source: ByteSource, offset: number, resolveLength: (o: PdfObject | undefined) => number | undefined): XrefSection {
  const head = source.read(offset, 64).toString('latin1').replace(/^\s+/, '');
  if (head.startsWith('xref')) {
    const section = parseTable(source, offset);
    if (section.xrefStm !== undefined) {
      try {
        const stm = parseXrefStream(source, section.xrefStm, resolveLength);
        // Hybrid file: the table's in-use entries win; the stream supplies what the table leaves free or out.
        for (const [num, e] of stm.entries) {
          const t = section.entries.get(num);
          if (!t || t.type === 'f') section.entries.set(num, e);
        }
        section.end = Math.max(section.end, stm.end);
      } catch {
        // A reader that ignores streams would still read the table; so do we. A longer prefix of
        // the file might hold a stream this one lacks, so what was read here holds only here.
        section.end = Infinity;
      }
    }
    return section;
  }
  if (/^\d+\s+\d+\s+obj/.test(head)) return parseXrefStream(source, offset, resolveLength);
  throw new XrefError(`no cross-reference section at offset ${offset}`);
}

/**
 * Follows /Prev from the newest section; returns sections newest first. `known` holds sections
 * already read from the same file (by offset), reused where this source holds all their bytes: the
 * revisions of a file with many updates share their older sections.
 */
export function readXrefChain(
  source: ByteSource,
  startxref: number,
  resolveLength: (o: PdfObject | undefined) => number | undefined,
  headerOffset = 0,
  known?: Map<number, XrefSection>,
): XrefSection[] {
  const sections: XrefSection[] = [];
  const seen = new Set<number>();
  let offset: number | undefined = startxref;
  while (offset !== undefined && !seen.has(offset)) {
    seen.add(offset);
    let section: XrefSection;
    const reused = known?.get(offset);
    try {
      section = reused && reused.end < source.size ? reused : parseSection(source, offset, resolveLength);
    } catch (e) {
      let found: XrefSection | undefined;
      // Files with junk before the header count offsets from the header.
      if (headerOffset > 0 && !seen.has(offset + headerOffset)) {
        seen.add(offset + headerOffset);
        try {
          found = parseSection(source, offset + headerOffset, resolveLength);
        } catch {
          // then nearby
        }
      }
      found ??= nearbySection(source, offset, resolveLength);
      if (found) section = found;
      else if (sections.length === 0) throw e;
      else throw new XrefError(`broken /Prev chain: ${(e as Error).message}`);
    }
    if (known && section.end < source.size) known.set(section.offset, section);
    sections.push(section);
    const prev = section.trailer.get('Prev');
    offset = isNumber(prev) ? prev : undefined;
  }
  return sections;
}

/** Rebuilds a cross-reference map by scanning the whole file for "n g obj" (repair mode). */
export function scanObjects(source: ByteSource): { entries: Map<number, XrefEntry>; trailers: PdfDict[] } {
  const entries = new Map<number, XrefEntry>();
  const trailers: PdfDict[] = [];
  const chunk = 4 * 1024 * 1024;
  const overlap = 64;
  const objRe = /(?:^|[\s>\]\)])(\d{1,10})\s+(\d{1,5})\s+obj\b/g;
  for (let off = 0; off < source.size; off += chunk - overlap) {
    const buf = source.read(off, chunk);
    const text = buf.toString('latin1');
    objRe.lastIndex = 0;
    for (let m = objRe.exec(text); m; m = objRe.exec(text)) {
      const at = m.index + m[0].indexOf(m[1]!);
      if (off > 0 && at < overlap) continue; // counted in the previous chunk
      // Later definitions win, as an incremental update redefines objects further on.
      entries.set(Number(m[1]), { type: 'n', offset: off + at, gen: Number(m[2]) });
    }
    let t = text.indexOf('trailer');
    while (t >= 0) {
      try {
        const p = new Parser(buf, off, t + 7, off + buf.length >= source.size);
        const d = p.parseObject();
        if (isDict(d)) trailers.push(d);
      } catch (e) {
        if (!(e instanceof PdfSyntaxError) && !(e instanceof NeedMoreData)) throw e;
      }
      t = text.indexOf('trailer', t + 7);
    }
    if (off + buf.length >= source.size) break;
  }
  return { entries, trailers };
}
