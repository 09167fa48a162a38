// Lazy PDF reader: finds the cross-reference information, then parses only the objects
// asked for. Knows nothing of signatures.
import { KysoError } from '../../shared/errors.js';
import { PdfDict, PdfRef, PdfStream, isArray, isDict, isNumber, isRef, type PdfObject } from './objects.js';
import { NeedMoreData, Parser, PdfSyntaxError, parseObjectAt } from './parser.js';
import { BufferSource, FileSource, PrefixSource, type ByteSource } from './source.js';
import { findStartXref, readXrefChain, scanObjects, withWindow, type XrefEntry, type XrefSection } from './xref.js';
import { decodeStream } from './filters.js';

export type Box = [number, number, number, number];

export interface PageInfo {
  index: number;
  ref: PdfRef;
  dict: PdfDict;
  mediaBox: Box;
  cropBox: Box;
  rotate: 0 | 90 | 180 | 270;
  resources: PdfDict | undefined;
}

interface ObjStm {
  data: Buffer;
  first: number;
  /** The object numbers its header lists, in order, and where each object starts (after /First). */
  nums: number[];
  offsets: number[];
  /** An object number the header lists more than once, if any. */
  repeated?: number;
}

/** Decoded object streams kept for reuse: a few, and never much memory. */
const OBJSTM_CACHE_COUNT = 16;
const OBJSTM_CACHE_BYTES = 64 * 1024 * 1024;

export class PdfReader {
  readonly size: number;
  readonly headerOffset: number;
  readonly headerVersion: string;
  /** Newest section first; empty when the file was repaired. */
  readonly sections: XrefSection[] = [];
  readonly xref = new Map<number, XrefEntry>();
  trailer: PdfDict = new PdfDict();
  readonly startxref: number;
  /** The kind of cross-reference section the next revision must use. */
  lastXrefKind: 'table' | 'stream' = 'table';
  repaired = false;

  private readonly cache = new Map<number, PdfObject>();
  private readonly objStms = new Map<number, ObjStm>();
  private objStmBytes = 0;
  private scanned: Map<number, XrefEntry> | null = null;
  private pageList: PageInfo[] | null = null;

  /**
   * @param knownSections cross-reference sections already read from the same file, shared by a
   *   reader and its revisions so that each revision does not read the whole /Prev chain again.
   */
  private constructor(
    readonly source: ByteSource,
    readonly path?: string,
    private readonly knownSections = new Map<number, XrefSection>(),
  ) {
    this.size = source.size;
    const head = source.read(0, 1024).toString('latin1');
    const h = head.indexOf('%PDF-');
    if (h < 0) throw new KysoError('PDF_NOT_PDF', { path: path ?? '(buffer)' });
    this.headerOffset = h;
    this.headerVersion = /%PDF-(\d\.\d)/.exec(head.slice(h))?.[1] ?? '1.4';
    const sx = findStartXref(source);
    this.startxref = sx ?? -1;
    try {
      if (sx === null) throw new Error('no startxref');
      const sections = readXrefChain(source, sx, (o) => this.lengthOf(o), h, knownSections);
      this.sections.push(...sections);
      for (const s of sections) for (const [n, e] of s.entries) if (!this.xref.has(n)) this.xref.set(n, e);
      this.lastXrefKind = sections[0]!.kind;
      this.trailer = mergeTrailers(sections.map((s) => s.trailer));
      if (!isRef(this.trailer.get('Root'))) throw new Error('trailer has no /Root');
    } catch (e) {
      if (e instanceof KysoError) throw e;
      this.repair(e as Error);
    }
  }

  static open(path: string): PdfReader {
    let src: FileSource;
    try {
      src = new FileSource(path);
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      if (err.code === 'ENOENT') throw new KysoError('FILE_NOT_FOUND', { path });
      throw new KysoError('FILE_READ_FAILED', { path, reason: err.code ?? err.message });
    }
    try {
      return new PdfReader(src, path);
    } catch (e) {
      src.close();
      throw e;
    }
  }

  static fromBuffer(buf: Buffer): PdfReader {
    return new PdfReader(new BufferSource(buf));
  }

  /**
   * The document as it was when its first `length` bytes were the whole file (an earlier revision,
   * e.g. what a signature covers). Shares this reader's file; closing it does not close this one.
   */
  revision(length: number): PdfReader {
    return new PdfReader(new PrefixSource(this.source, length), this.path, this.knownSections);
  }

  close(): void {
    this.source.close();
  }

  /** Whether a cross-reference section was found a few bytes from where startxref or /Prev said. */
  get xrefNudged(): boolean {
    return this.sections.some((s) => s.nudgedFrom !== undefined);
  }

  get isEncrypted(): boolean {
    return this.trailer.has('Encrypt') && this.trailer.get('Encrypt') !== null;
  }

  /** One more than the largest object number in use: where new objects start. */
  get nextObjectNumber(): number {
    let max = 0;
    for (const n of this.xref.keys()) if (n > max) max = n;
    const size = this.trailer.get('Size');
    return Math.max(max + 1, isNumber(size) ? size : 0);
  }

  private repair(cause: Error): void {
    const { entries, trailers } = scanObjects(this.source);
    this.scanned = entries;
    this.repaired = true;
    this.xref.clear();
    for (const [n, e] of entries) this.xref.set(n, e);
    // Objects held in object streams are reachable only through the streams themselves.
    for (const [num, e] of entries) {
      if (e.type !== 'n') continue;
      try {
        const o = this.get(new PdfRef(num, e.gen));
        if (o instanceof PdfStream && o.dict.name('Type') === 'ObjStm') {
          this.objStm(num).nums.forEach((inner, index) => {
            if (!this.xref.has(inner)) this.xref.set(inner, { type: 'c', stream: num, index });
          });
        }
        if (o instanceof PdfStream && o.dict.name('Type') === 'XRef') trailers.push(o.dict);
      } catch {
        /* a damaged object is skipped, as viewers do */
      }
    }
    const withRoot = trailers.filter((t) => isRef(t.get('Root')));
    let trailer = withRoot.length ? mergeTrailers(withRoot.reverse()) : undefined;
    if (!trailer) {
      for (const [num, e] of this.xref) {
        if (e.type === 'f') continue;
        try {
          const o = this.get(new PdfRef(num, e.type === 'n' ? e.gen : 0));
          if (isDict(o) && o.name('Type') === 'Catalog') {
            trailer = new PdfDict([['Root', new PdfRef(num, e.type === 'n' ? e.gen : 0)]]);
            break;
          }
        } catch {
          /* keep looking */
        }
      }
    }
    if (!trailer) throw new KysoError('PDF_MALFORMED', { reason: `no document catalog (${cause.message})` });
    this.trailer = trailer;
    this.lastXrefKind = 'table';
  }

  private lengthOf(o: PdfObject | undefined): number | undefined {
    if (isNumber(o)) return o;
    if (isRef(o)) {
      const v = this.get(o);
      return isNumber(v) ? v : undefined;
    }
    return undefined;
  }

  /** The object a reference points to; null for a free or missing object, as the spec says. */
  get(ref: PdfRef): PdfObject {
    const cached = this.cache.get(ref.num);
    if (cached !== undefined) return cached;
    const value = this.load(ref.num);
    this.cache.set(ref.num, value);
    return value;
  }

  resolve(o: PdfObject | undefined): PdfObject | undefined {
    let v = o;
    for (let i = 0; i < 32 && isRef(v); i++) v = this.get(v);
    return v;
  }

  resolveDict(o: PdfObject | undefined): PdfDict | undefined {
    const v = this.resolve(o);
    if (isDict(v)) return v;
    if (v instanceof PdfStream) return v.dict;
    return undefined;
  }

  private load(num: number): PdfObject {
    const e = this.xref.get(num);
    if (!e || e.type === 'f') return null;
    if (e.type === 'c') {
      const stm = this.objStm(e.stream);
      const at = slot(stm, num, e.index);
      if (at < 0) return null;
      return parseObjectAt(stm.data, stm.first + stm.offsets[at]!).value;
    }
    try {
      return this.parseAt(e.offset, num);
    } catch (err) {
      if (err instanceof KysoError) throw err;
      // A wrong offset: find the object by scanning, once for the whole file.
      if (!this.scanned) this.scanned = scanObjects(this.source).entries;
      const s = this.scanned.get(num);
      if (s && s.type === 'n' && s.offset !== e.offset) {
        this.repaired = true;
        return this.parseAt(s.offset, num);
      }
      throw new KysoError('PDF_MALFORMED', { reason: `object ${num}: ${(err as Error).message}` });
    }
  }

  private parseAt(offset: number, num: number): PdfObject {
    const obj = withWindow(this.source, offset, (p) => p.parseIndirect());
    if (obj.num !== num) throw new PdfSyntaxError(`expected object ${num}, found ${obj.num}`);
    if (obj.streamDataOffset === undefined || !isDict(obj.value)) return obj.value;
    const length = this.streamLength(obj.value, obj.streamDataOffset);
    return new PdfStream(obj.value, obj.streamDataOffset, length);
  }

  /** /Length when it is right; otherwise the distance to `endstream`, as viewers recover. */
  private streamLength(dict: PdfDict, dataOffset: number): number {
    let declared: number | undefined;
    try {
      declared = this.lengthOf(dict.get('Length'));
    } catch {
      declared = undefined;
    }
    if (declared !== undefined && declared >= 0 && dataOffset + declared <= this.size) {
      const after = this.source.read(dataOffset + declared, 32).toString('latin1');
      if (/^\s*endstream/.test(after)) return declared;
    }
    const chunk = 1 << 20;
    for (let off = dataOffset; off < this.size; off += chunk - 16) {
      const text = this.source.read(off, chunk).toString('latin1');
      const at = text.indexOf('endstream');
      if (at >= 0) {
        let end = off + at;
        const before = this.source.read(Math.max(dataOffset, end - 2), Math.min(2, end - dataOffset));
        if (before.length === 2 && before[0] === 0x0d && before[1] === 0x0a) end -= 2;
        else if (before.length && (before[before.length - 1] === 0x0a || before[before.length - 1] === 0x0d)) end -= 1;
        return end - dataOffset;
      }
    }
    throw new PdfSyntaxError('stream without endstream');
  }

  private objStm(num: number): ObjStm {
    const cached = this.objStms.get(num);
    if (cached) return cached;
    const s = this.get(new PdfRef(num, 0));
    if (!(s instanceof PdfStream)) throw new KysoError('PDF_MALFORMED', { reason: `object stream ${num} missing` });
    const data = this.streamData(s);
    const n = Number(this.resolve(s.dict.get('N')) ?? 0);
    const first = Number(this.resolve(s.dict.get('First')) ?? 0);
    const stm: ObjStm = { data, first, nums: [], offsets: [] };
    const listed = new Set<number>();
    const p = new Parser(data, 0, 0, true);
    for (let i = 0; i < n; i++) {
      const objNum = Number(p.token());
      const off = Number(p.token());
      if (!Number.isFinite(objNum) || !Number.isFinite(off)) break;
      if (listed.has(objNum)) stm.repeated ??= objNum;
      listed.add(objNum);
      stm.nums.push(objNum);
      stm.offsets.push(off);
    }
    if (this.objStms.size >= OBJSTM_CACHE_COUNT || this.objStmBytes + data.length > OBJSTM_CACHE_BYTES) {
      this.objStms.clear();
      this.objStmBytes = 0;
    }
    this.objStms.set(num, stm);
    this.objStmBytes += data.length;
    return stm;
  }

  /**
   * Why viewers may disagree on compressed object `num`: its object stream lists an object number
   * twice (a viewer that takes the first copy and one that goes by the cross-reference entry show
   * different objects), or its entry points to a place in the stream that holds another object.
   * Undefined when the object is not compressed or nothing is wrong.
   */
  ambiguity(num: number): string | undefined {
    const e = this.xref.get(num);
    if (!e || e.type !== 'c') return undefined;
    const stm = this.objStm(e.stream);
    if (stm.repeated !== undefined) return `object stream ${e.stream} lists object ${stm.repeated} more than once`;
    const held = stm.nums[e.index];
    if (held !== num)
      return `the cross-reference entry of object ${num} points to place ${e.index} of object stream ${e.stream}, which holds ${held === undefined ? 'nothing' : `object ${held}`}`;
    return undefined;
  }

  /** The raw (encoded) bytes of a stream. */
  rawStreamData(s: PdfStream): Buffer {
    if (s.data) return s.data;
    return this.source.read(s.dataOffset, s.dataLength);
  }

  /** The decoded bytes of a stream (image codecs excepted). */
  streamData(s: PdfStream): Buffer {
    try {
      return decodeStream(s.dict, this.rawStreamData(s), (o) => this.resolve(o));
    } catch (e) {
      throw new KysoError('PDF_MALFORMED', { reason: `stream data: ${(e as Error).message}` });
    }
  }

  catalog(): PdfDict {
    const root = this.resolveDict(this.trailer.get('Root'));
    if (!root) throw new KysoError('PDF_MALFORMED', { reason: 'no document catalog' });
    return root;
  }

  rootRef(): PdfRef {
    const r = this.trailer.get('Root');
    if (!isRef(r)) throw new KysoError('PDF_MALFORMED', { reason: 'no document catalog' });
    return r;
  }

  pages(): PageInfo[] {
    if (this.pageList) return this.pageList;
    const out: PageInfo[] = [];
    const root = this.catalog().get('Pages');
    const seen = new Set<number>();
    const walk = (node: PdfObject | undefined, inherited: { media?: Box; crop?: Box; rotate?: number; res?: PdfDict }, depth: number): void => {
      if (!isRef(node) || seen.has(node.num) || depth > 64) return;
      seen.add(node.num);
      const d = this.resolveDict(node);
      if (!d) return;
      const media = toBox(this.resolve(d.get('MediaBox'))) ?? inherited.media;
      const crop = toBox(this.resolve(d.get('CropBox'))) ?? inherited.crop;
      const rot = this.resolve(d.get('Rotate'));
      const rotate = isNumber(rot) ? rot : inherited.rotate;
      const res = this.resolveDict(d.get('Resources')) ?? inherited.res;
      const kids = this.resolve(d.get('Kids'));
      const type = d.name('Type');
      if (type === 'Pages' || (type !== 'Page' && isArray(kids))) {
        if (isArray(kids)) for (const k of kids) walk(k, { media, crop, rotate, res }, depth + 1);
        return;
      }
      const mb: Box = media ?? [0, 0, 595.28, 841.89];
      const r = (((Math.round((rotate ?? 0) / 90) * 90) % 360) + 360) % 360;
      out.push({ index: out.length, ref: node, dict: d, mediaBox: mb, cropBox: intersect(crop ?? mb, mb), rotate: r as 0 | 90 | 180 | 270, resources: res });
    };
    walk(root, {}, 0);
    this.pageList = out;
    return out;
  }

  page(index: number): PageInfo {
    const pages = this.pages();
    const p = pages[index];
    if (!p) throw new KysoError('PDF_PAGE_OUT_OF_RANGE', { page: index + 1, pages: pages.length });
    return p;
  }
}

/**
 * Where compressed object `num` sits in its object stream: at the index its cross-reference entry
 * gives, as viewers read it; failing that, the one place the header lists it; -1 when neither.
 */
function slot(stm: ObjStm, num: number, index: number): number {
  if (stm.nums[index] === num) return index;
  const at = stm.nums.indexOf(num);
  return at >= 0 && stm.nums.indexOf(num, at + 1) < 0 ? at : -1;
}

function mergeTrailers(trailers: PdfDict[]): PdfDict {
  // The newest trailer wins, but broken updaters sometimes drop keys an older one has.
  const out = new PdfDict();
  for (const key of ['Size', 'Root', 'Info', 'ID', 'Encrypt']) {
    for (const t of trailers) {
      if (t.has(key)) {
        out.set(key, t.get(key)!);
        break;
      }
    }
  }
  return out;
}

export function toBox(o: PdfObject | undefined): Box | undefined {
  if (!isArray(o) || o.length < 4 || !o.slice(0, 4).every(isNumber)) return undefined;
  const [a, b, c, d] = o as number[];
  return [Math.min(a!, c!), Math.min(b!, d!), Math.max(a!, c!), Math.max(b!, d!)];
}

function intersect(a: Box, b: Box): Box {
  const r: Box = [Math.max(a[0], b[0]), Math.max(a[1], b[1]), Math.min(a[2], b[2]), Math.min(a[3], b[3])];
  return r[2] > r[0] && r[3] > r[1] ? r : b;
}

export { NeedMoreData };
