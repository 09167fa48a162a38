// Reads what a PDF needs from a TrueType font (metrics, the character map, glyph widths) and
// writes a subset for embedding as a CIDFontType2 program (FontFile2).
//
// The subset keeps every glyph index where it was and empties the outlines of the glyphs not
// used: character codes in the PDF are then the original glyph indices (CIDToGIDMap /Identity),
// composite glyphs need no renumbering, and the font shrinks to the used outlines plus small
// index tables. The tables kept are those PDF 32000 (9.9) asks of an embedded TrueType program.

export interface FontMetrics {
  unitsPerEm: number;
  /** In font units. */
  ascent: number;
  descent: number;
  capHeight: number;
  bbox: [number, number, number, number];
  italicAngle: number;
  bold: boolean;
  /** OS/2 fsType: 0 installable; bit 1 (2) restricted licence; bits 2-3 allow embedding. */
  fsType: number;
  postscriptName: string;
}

interface TableRecord {
  offset: number;
  length: number;
}

export class TrueTypeFont {
  readonly metrics: FontMetrics;
  readonly numGlyphs: number;
  private readonly tables = new Map<string, TableRecord>();
  private readonly advances: Uint16Array;
  private readonly loca: Uint32Array;
  private readonly cmap = new Map<number, number>();

  constructor(private readonly data: Buffer) {
    if (data.length < 12) throw new Error('too short for a TrueType font');
    const version = data.readUInt32BE(0);
    if (version !== 0x00010000 && version !== 0x74727565) throw new Error('not a TrueType font (sfnt version)');
    const numTables = data.readUInt16BE(4);
    for (let i = 0; i < numTables; i++) {
      const p = 12 + i * 16;
      const tag = data.toString('latin1', p, p + 4);
      const offset = data.readUInt32BE(p + 8);
      const length = data.readUInt32BE(p + 12);
      if (offset + length > data.length) throw new Error(`table ${tag} beyond the end of the file`);
      this.tables.set(tag, { offset, length });
    }
    for (const t of ['head', 'hhea', 'maxp', 'hmtx', 'loca', 'glyf', 'cmap']) if (!this.tables.has(t)) throw new Error(`missing table ${t}`);

    const head = this.table('head');
    const unitsPerEm = head.readUInt16BE(18);
    const bbox: [number, number, number, number] = [head.readInt16BE(36), head.readInt16BE(38), head.readInt16BE(40), head.readInt16BE(42)];
    const longLoca = head.readInt16BE(50) === 1;
    this.numGlyphs = this.table('maxp').readUInt16BE(4);

    const hhea = this.table('hhea');
    const numberOfHMetrics = hhea.readUInt16BE(34);
    const hmtx = this.table('hmtx');
    this.advances = new Uint16Array(this.numGlyphs);
    let last = 0;
    for (let g = 0; g < this.numGlyphs; g++) {
      if (g < numberOfHMetrics) last = hmtx.readUInt16BE(g * 4);
      this.advances[g] = last;
    }

    const loca = this.table('loca');
    this.loca = new Uint32Array(this.numGlyphs + 1);
    for (let g = 0; g <= this.numGlyphs; g++) this.loca[g] = longLoca ? loca.readUInt32BE(g * 4) : loca.readUInt16BE(g * 2) * 2;

    let ascent = hhea.readInt16BE(4);
    let descent = hhea.readInt16BE(6);
    let capHeight = Math.round(ascent * 0.7);
    let fsType = 0;
    let bold = (head.readUInt16BE(44) & 1) === 1;
    const os2 = this.tables.has('OS/2') ? this.table('OS/2') : undefined;
    if (os2 && os2.length >= 78) {
      fsType = os2.readUInt16BE(8);
      ascent = os2.readInt16BE(68);
      descent = os2.readInt16BE(70);
      if (os2.readUInt16BE(0) >= 2 && os2.length >= 90) capHeight = os2.readInt16BE(88);
      bold = bold || os2.readUInt16BE(4) >= 600;
    }
    const post = this.tables.has('post') ? this.table('post') : undefined;
    const italicAngle = post && post.length >= 8 ? post.readInt32BE(4) / 65536 : 0;
    this.metrics = { unitsPerEm, ascent, descent, capHeight, bbox, italicAngle, bold, fsType, postscriptName: this.readPostscriptName() };
    this.readCmap();
  }

  private table(tag: string): Buffer {
    const t = this.tables.get(tag);
    if (!t) throw new Error(`missing table ${tag}`);
    return this.data.subarray(t.offset, t.offset + t.length);
  }

  private readPostscriptName(): string {
    if (!this.tables.has('name')) return 'Font';
    const name = this.table('name');
    const count = name.readUInt16BE(2);
    const strings = name.readUInt16BE(4);
    for (let i = 0; i < count; i++) {
      const p = 6 + i * 12;
      const platform = name.readUInt16BE(p);
      const nameId = name.readUInt16BE(p + 6);
      if (nameId !== 6) continue;
      const len = name.readUInt16BE(p + 8);
      const off = strings + name.readUInt16BE(p + 10);
      const raw = name.subarray(off, off + len);
      const s = platform === 3 || platform === 0 ? Buffer.from(raw).swap16().toString('utf16le') : raw.toString('latin1');
      const clean = s.replace(/[^A-Za-z0-9-]/g, '');
      if (clean) return clean;
    }
    return 'Font';
  }

  private readCmap(): void {
    const cmap = this.table('cmap');
    const n = cmap.readUInt16BE(2);
    let best: { offset: number; rank: number } | undefined;
    for (let i = 0; i < n; i++) {
      const p = 4 + i * 8;
      const platform = cmap.readUInt16BE(p);
      const encoding = cmap.readUInt16BE(p + 2);
      const offset = cmap.readUInt32BE(p + 4);
      const format = cmap.readUInt16BE(offset);
      // Full Unicode (format 12) first, then the BMP (format 4).
      const rank = format === 12 && (platform === 3 || platform === 0) ? 2 : format === 4 && (platform === 0 || (platform === 3 && encoding === 1)) ? 1 : 0;
      if (rank > 0 && (!best || rank > best.rank)) best = { offset, rank };
    }
    if (!best) throw new Error('no Unicode character map');
    const t = cmap.subarray(best.offset);
    if (t.readUInt16BE(0) === 12) {
      const groups = t.readUInt32BE(12);
      for (let i = 0; i < groups; i++) {
        const p = 16 + i * 12;
        const start = t.readUInt32BE(p);
        const end = t.readUInt32BE(p + 4);
        const glyph = t.readUInt32BE(p + 8);
        for (let c = start; c <= end && c - start < 0x10000; c++) if (!this.cmap.has(c)) this.cmap.set(c, glyph + (c - start));
      }
      return;
    }
    const segCount = t.readUInt16BE(6) / 2;
    const ends = 14;
    const starts = ends + segCount * 2 + 2;
    const deltas = starts + segCount * 2;
    const rangeOffsets = deltas + segCount * 2;
    for (let s = 0; s < segCount; s++) {
      const end = t.readUInt16BE(ends + s * 2);
      const start = t.readUInt16BE(starts + s * 2);
      const delta = t.readInt16BE(deltas + s * 2);
      const ro = t.readUInt16BE(rangeOffsets + s * 2);
      for (let c = start; c <= end && c !== 0xffff; c++) {
        let g: number;
        if (ro === 0) g = (c + delta) & 0xffff;
        else {
          const at = rangeOffsets + s * 2 + ro + (c - start) * 2;
          if (at + 2 > t.length) continue;
          g = t.readUInt16BE(at);
          if (g !== 0) g = (g + delta) & 0xffff;
        }
        if (g !== 0 && !this.cmap.has(c)) this.cmap.set(c, g);
      }
    }
  }

  /** The glyph for a Unicode code point; 0 (.notdef) when the font has none. */
  glyphId(codePoint: number): number {
    return this.cmap.get(codePoint) ?? 0;
  }

  /** Advance width in font units. */
  advance(glyph: number): number {
    return this.advances[glyph] ?? 0;
  }

  private glyphBytes(g: number): Buffer {
    const glyf = this.table('glyf');
    return glyf.subarray(this.loca[g]!, this.loca[g + 1]!);
  }

  /** The glyphs a composite glyph is built from (none for a simple glyph). */
  components(g: number): number[] {
    const b = this.glyphBytes(g);
    if (b.length < 10 || b.readInt16BE(0) >= 0) return [];
    const out: number[] = [];
    let p = 10;
    for (;;) {
      if (p + 4 > b.length) break;
      const flags = b.readUInt16BE(p);
      out.push(b.readUInt16BE(p + 2));
      p += 4 + (flags & 0x0001 ? 4 : 2);
      if (flags & 0x0008) p += 2;
      else if (flags & 0x0040) p += 4;
      else if (flags & 0x0080) p += 8;
      if (!(flags & 0x0020)) break;
    }
    return out;
  }

  /** A font program holding only the outlines of `glyphs` (and their components, and .notdef). */
  subset(glyphs: Iterable<number>): Buffer {
    const keep = new Set<number>([0]);
    const todo = [...glyphs];
    while (todo.length) {
      const g = todo.pop()!;
      if (g < 0 || g >= this.numGlyphs || keep.has(g)) continue;
      keep.add(g);
      todo.push(...this.components(g));
    }

    const glyfParts: Buffer[] = [];
    const loca = Buffer.alloc((this.numGlyphs + 1) * 4);
    let pos = 0;
    for (let g = 0; g < this.numGlyphs; g++) {
      loca.writeUInt32BE(pos, g * 4);
      if (!keep.has(g)) continue;
      const b = this.glyphBytes(g);
      const padded = pad4(b);
      glyfParts.push(padded);
      pos += padded.length;
    }
    loca.writeUInt32BE(pos, this.numGlyphs * 4);

    const head = Buffer.from(this.table('head'));
    head.writeUInt32BE(0, 8); // checkSumAdjustment, set below
    head.writeInt16BE(1, 50); // long loca offsets
    const tables = new Map<string, Buffer>([
      ['head', head],
      ['hhea', this.table('hhea')],
      ['maxp', this.table('maxp')],
      ['hmtx', this.table('hmtx')],
      ['loca', loca],
      ['glyf', Buffer.concat(glyfParts)],
    ]);
    for (const t of ['cvt ', 'fpgm', 'prep', 'OS/2']) if (this.tables.has(t)) tables.set(t, this.table(t));
    if (this.tables.has('post') && this.table('post').length >= 32) {
      // Format 3: the header without glyph names.
      const post = Buffer.from(this.table('post').subarray(0, 32));
      post.writeUInt32BE(0x00030000, 0);
      tables.set('post', post);
    }
    const font = writeSfnt(tables);
    font.writeUInt32BE((0xb1b0afba - checksum(font)) >>> 0, tableOffset(font, 'head') + 8);
    return font;
  }
}

function pad4(b: Buffer): Buffer {
  const rem = b.length % 4;
  return rem === 0 ? b : Buffer.concat([b, Buffer.alloc(4 - rem)]);
}

function checksum(b: Buffer): number {
  const p = pad4(b);
  let sum = 0;
  for (let i = 0; i < p.length; i += 4) sum = (sum + p.readUInt32BE(i)) >>> 0;
  return sum;
}

function writeSfnt(tables: Map<string, Buffer>): Buffer {
  const tags = [...tables.keys()].sort();
  const n = tags.length;
  let entrySelector = 0;
  while (2 ** (entrySelector + 1) <= n) entrySelector++;
  const searchRange = 2 ** entrySelector * 16;
  const header = Buffer.alloc(12 + n * 16);
  header.writeUInt32BE(0x00010000, 0);
  header.writeUInt16BE(n, 4);
  header.writeUInt16BE(searchRange, 6);
  header.writeUInt16BE(entrySelector, 8);
  header.writeUInt16BE(n * 16 - searchRange, 10);
  const bodies: Buffer[] = [];
  let offset = header.length;
  tags.forEach((tag, i) => {
    const data = tables.get(tag)!;
    const p = 12 + i * 16;
    header.write(tag, p, 4, 'latin1');
    header.writeUInt32BE(checksum(data), p + 4);
    header.writeUInt32BE(offset, p + 8);
    header.writeUInt32BE(data.length, p + 12);
    const padded = pad4(data);
    bodies.push(padded);
    offset += padded.length;
  });
  return Buffer.concat([header, ...bodies]);
}

function tableOffset(font: Buffer, tag: string): number {
  const n = font.readUInt16BE(4);
  for (let i = 0; i < n; i++) {
    const p = 12 + i * 16;
    if (font.toString('latin1', p, p + 4) === tag) return font.readUInt32BE(p + 8);
  }
  throw new Error(`no ${tag} table`);
}
