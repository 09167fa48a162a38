// Builds an incremental update: new and replaced objects appended after the original bytes,
// followed by a cross-reference section of the same kind as the file's last one.
// The original bytes are never touched, not even the line break after %%EOF.
import { createHash, randomBytes } from 'node:crypto';
import { PdfDict, PdfName, PdfRaw, PdfRef, PdfStream, PdfString, isArray, type PdfObject } from './objects.js';
import { serialize, serializeIndirect } from './serialize.js';
import type { PdfReader } from './reader.js';
import type { XrefEntry } from './xref.js';

export interface BuiltUpdate {
  /** The bytes to append to the original file. */
  bytes: Buffer;
  /** Where each new object starts, relative to the start of `bytes`. */
  offsets: Map<number, number>;
  /** Length of the original file the update is built for. */
  baseSize: number;
}

export class IncrementalUpdate {
  private readonly objects = new Map<number, { ref: PdfRef; obj: PdfObject | PdfRaw }>();
  private next: number;

  constructor(private readonly reader: PdfReader) {
    this.next = reader.nextObjectNumber;
  }

  /** A fresh object number for a new object. */
  allocate(): PdfRef {
    return new PdfRef(this.next++, 0);
  }

  /** Adds a new object or replaces an existing one (keeping its generation). */
  set(ref: PdfRef, obj: PdfObject | PdfRaw): void {
    this.objects.set(ref.num, { ref, obj });
  }

  /** Adds a new object and returns its reference. */
  add(obj: PdfObject | PdfRaw): PdfRef {
    const ref = this.allocate();
    this.set(ref, obj);
    return ref;
  }

  has(ref: PdfRef): boolean {
    return this.objects.has(ref.num);
  }

  /** The object as it will be in the new revision: the pending version if any, else the file's. */
  current(ref: PdfRef): PdfObject | PdfRaw {
    const pending = this.objects.get(ref.num);
    return pending ? pending.obj : this.reader.get(ref);
  }

  build(): BuiltUpdate {
    const r = this.reader;
    const base = r.size;
    const parts: Buffer[] = [];
    let pos = 0;
    const push = (b: Buffer): void => {
      parts.push(b);
      pos += b.length;
    };
    const last = r.source.read(base - 1, 1)[0];
    if (last !== 0x0a && last !== 0x0d) push(Buffer.from('\n', 'latin1'));

    const offsets = new Map<number, number>();
    const sorted = [...this.objects.values()].sort((a, b) => a.ref.num - b.ref.num);
    for (const { ref, obj } of sorted) {
      offsets.set(ref.num, pos);
      push(serializeIndirect(ref, obj));
    }

    const useStream = r.lastXrefKind === 'stream' || (r.repaired && [...r.xref.values()].some((e) => e.type === 'c'));
    const trailer = this.trailerFor();
    const entries = new Map<number, XrefEntry>();
    if (r.repaired) for (const [n, e] of r.xref) if (e.type !== 'f') entries.set(n, e);
    for (const { ref } of sorted) entries.set(ref.num, { type: 'n', offset: base + offsets.get(ref.num)!, gen: ref.gen });

    if (useStream) {
      const xrefRef = new PdfRef(Math.max(this.next, maxKey(entries) + 1), 0);
      const xrefOffset = base + pos;
      entries.set(xrefRef.num, { type: 'n', offset: xrefOffset, gen: 0 });
      trailer.set('Size', xrefRef.num + 1);
      push(buildXrefStream(xrefRef, entries, trailer, xrefOffset));
      push(Buffer.from(`startxref\n${xrefOffset}\n%%EOF\n`, 'latin1'));
    } else {
      const xrefOffset = base + pos;
      trailer.set('Size', Math.max(this.next, maxKey(entries) + 1));
      push(Buffer.from(buildXrefTable(entries, r.repaired) + 'trailer\n' + serialize(trailer) + `\nstartxref\n${xrefOffset}\n%%EOF\n`, 'latin1'));
    }
    return { bytes: Buffer.concat(parts), offsets, baseSize: base };
  }

  private trailerFor(): PdfDict {
    const r = this.reader;
    const t = new PdfDict();
    t.set('Root', r.trailer.get('Root') ?? null);
    if (r.trailer.get('Info')) t.set('Info', r.trailer.get('Info')!);
    const id = r.trailer.get('ID');
    if (isArray(id) && id.length === 2) t.set('ID', id);
    else {
      // A file without /ID gets one; an existing /ID is kept as it is.
      const h = createHash('md5').update(randomBytes(16)).update(String(r.size)).digest();
      t.set('ID', [new PdfString(h, true), new PdfString(h, true)]);
    }
    if (!r.repaired && r.startxref >= 0) t.set('Prev', r.startxref);
    return t;
  }
}

function maxKey(m: Map<number, unknown>): number {
  let max = 0;
  for (const k of m.keys()) if (k > max) max = k;
  return max;
}

function runs(nums: number[]): Array<[number, number[]]> {
  const out: Array<[number, number[]]> = [];
  for (const n of nums) {
    const cur = out[out.length - 1];
    if (cur && cur[0] + cur[1].length === n) cur[1].push(n);
    else out.push([n, [n]]);
  }
  return out;
}

function buildXrefTable(entries: Map<number, XrefEntry>, full: boolean): string {
  const nums = [...entries.keys()].sort((a, b) => a - b);
  let s = 'xref\n';
  if (full) s += '0 1\n0000000000 65535 f\r\n';
  for (const [start, run] of runs(nums.filter((n) => n !== 0))) {
    s += `${start} ${run.length}\n`;
    for (const n of run) {
      const e = entries.get(n)!;
      if (e.type === 'n') s += `${String(e.offset).padStart(10, '0')} ${String(e.gen).padStart(5, '0')} n\r\n`;
      else s += '0000000000 65535 f\r\n';
    }
  }
  return s;
}

function bytesFor(n: number): number {
  let b = 1;
  while (n >= 2 ** (8 * b)) b++;
  return b;
}

function buildXrefStream(ref: PdfRef, entries: Map<number, XrefEntry>, trailer: PdfDict, selfOffset: number): Buffer {
  const nums = [...entries.keys()].sort((a, b) => a - b);
  let maxField2 = selfOffset;
  for (const e of entries.values()) if (e.type === 'n') maxField2 = Math.max(maxField2, e.offset);
  else if (e.type === 'c') maxField2 = Math.max(maxField2, e.stream);
  const w = [1, bytesFor(maxField2), 2];
  const rowLen = w[0]! + w[1]! + w[2]!;
  const data = Buffer.alloc(nums.length * rowLen);
  const index: number[] = [];
  let row = 0;
  for (const [start, run] of runs(nums)) {
    index.push(start, run.length);
    for (const n of run) {
      const e = entries.get(n)!;
      const [t, f2, f3] = e.type === 'n' ? [1, e.offset, e.gen] : e.type === 'c' ? [2, e.stream, e.index] : [0, 0, 0];
      let p = row * rowLen;
      data[p++] = t;
      for (let k = w[1]! - 1; k >= 0; k--) data[p++] = Math.floor(f2 / 2 ** (8 * k)) & 0xff;
      data[p++] = (f3 >> 8) & 0xff;
      data[p++] = f3 & 0xff;
      row++;
    }
  }
  const d = trailer.clone();
  d.set('Type', PdfName.of('XRef'));
  d.set('W', w);
  d.set('Index', index);
  return serializeIndirect(ref, new PdfStream(d, 0, data.length, data));
}

export type { PdfObject };
