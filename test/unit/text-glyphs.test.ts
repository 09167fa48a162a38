// Reading order from glyph positions (issue 11 §1): the content-stream text interpreter places
// each glyph (TJ kerning, Tz, Tc/Tw, cm, Tm, form XObjects, inline images stepped over, ToUnicode
// bfchar/bfrange, 2-byte Identity-H codes with /W), and lines are built from those places, not
// from the order the stream draws in.
import { describe, expect, test } from 'vitest';
import { buildLines, findInLines } from '../../src/main/appearance/anchors.js';
import { pageGlyphs, type PlacedGlyph } from '../../src/main/pdf/glyphs.js';
import { PdfReader } from '../../src/main/pdf/reader.js';

/** A one-page PDF with the given objects (numbered from 4), page content and resources, with a correct xref. */
function pdf(content: string, resources: string, extra: string[] = []): Buffer {
  const objs = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    `<< /Type /Pages /Kids [3 0 R] /Count 1 >>`,
    `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 600 800] /Resources ${resources} /Contents ${4 + extra.length} 0 R >>`,
    ...extra,
    `<< /Length ${Buffer.byteLength(content, 'latin1')} >>\nstream\n${content}\nendstream`,
  ];
  let out = '%PDF-1.7\n';
  const offsets: number[] = [];
  objs.forEach((o, i) => {
    offsets.push(Buffer.byteLength(out, 'latin1'));
    out += `${i + 1} 0 obj\n${o}\nendobj\n`;
  });
  const xref = Buffer.byteLength(out, 'latin1');
  out += `xref\n0 ${objs.length + 1}\n0000000000 65535 f \n${offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('')}`;
  out += `trailer\n<< /Size ${objs.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(out, 'latin1');
}

const stream = (dict: string, body: string): string => `<< ${dict} /Length ${Buffer.byteLength(body, 'latin1')} >>\nstream\n${body}\nendstream`;

// A simple font: codes 0x41.. are Latin, 0x80 "ố", 0x81 "ư", 0x82 ligature "fi"; every width 500.
const TOUNICODE = `/CIDInit /ProcSet findresource begin 12 dict begin begincmap
1 begincodespacerange <00> <FF> endcodespacerange
3 beginbfchar <80> <1ED1> <81> <01B0> <82> <FB01> endbfchar
1 beginbfrange <20> <7E> <0020> endbfrange
endcmap CMapName currentdict /CMap defineresource pop end end`;
const SIMPLE_FONT = `<< /Type /Font /Subtype /TrueType /BaseFont /AAAAAA+Test /FirstChar 32 /LastChar 130 /Widths [${Array(99).fill(500).join(' ')}] /ToUnicode 5 0 R >>`;

function glyphsOf(buf: Buffer): PlacedGlyph[] {
  const r = PdfReader.fromBuffer(buf);
  try {
    return pageGlyphs(r, 0);
  } finally {
    r.close();
  }
}

const textOf = (g: PlacedGlyph[]): string => g.map((x) => x.text).join('');

describe('pageGlyphs: where the content stream puts each glyph', () => {
  test('Tj, TJ kerning, Tc and Tz move the pen as the spec says; ToUnicode bfchar and bfrange', () => {
    const content = 'BT /F1 10 Tf 100 700 Td (AB) Tj [(C) -1000 (D)] TJ 2 Tc (E) Tj 0 Tc 50 Tz (F) Tj ET';
    const g = glyphsOf(pdf(content, '<< /Font << /F1 4 0 R >> >>', [SIMPLE_FONT, stream('', TOUNICODE)]));
    expect(textOf(g)).toBe('ABCDEF');
    const x = g.map((v) => v.x0);
    // Width 500 at size 10 = 5 points per glyph; TJ -1000 = +10 points; Tc 2 after E; Tz 50 halves F.
    expect(x).toEqual([100, 105, 110, 125, 130, 137]);
    expect(g[5]!.x1 - g[5]!.x0).toBeCloseTo(2.5);
    expect(g.every((v) => v.y0 === 700 && v.size === 10 && v.angle === 0)).toBe(true);
  });

  test('cm and Tm compose; a form XObject draws with its /Matrix; an inline image with "EI" and "BT" in its data is stepped over', () => {
    const form = stream('/Type /XObject /Subtype /Form /BBox [0 0 100 100] /Matrix [1 0 0 1 10 0] /Resources << /Font << /F1 4 0 R >> >>', 'BT /F1 10 Tf 0 0 Td (X) Tj ET');
    const content = 'q 2 0 0 2 50 50 cm BT /F1 10 Tf 1 0 0 1 10 10 Tm (A) Tj ET Q BI /W 2 /H 1 /BPC 8 /CS /G ID BT EIxEI\nEI q 1 0 0 1 200 300 cm /Fm Do Q';
    const g = glyphsOf(pdf(content, '<< /Font << /F1 4 0 R >> /XObject << /Fm 6 0 R >> >>', [SIMPLE_FONT, stream('', TOUNICODE), form]));
    expect(textOf(g)).toBe('AX');
    expect([g[0]!.x0, g[0]!.y0, g[0]!.size]).toEqual([70, 70, 20]);
    expect([g[1]!.x0, g[1]!.y0]).toEqual([210, 300]);
  });

  test('a composite font: 2-byte codes, /W widths by CID, ToUnicode for 2-byte codes', () => {
    const type0 = '<< /Type /Font /Subtype /Type0 /BaseFont /T /Encoding /Identity-H /DescendantFonts [6 0 R] /ToUnicode 5 0 R >>';
    const cmap = `begincmap 1 begincodespacerange <0000> <FFFF> endcodespacerange 2 beginbfchar <0010> <0053> <0011> <1ED1> endbfchar endcmap`;
    const cid = '<< /Type /Font /Subtype /CIDFontType2 /BaseFont /T /CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> /DW 1000 /W [16 [600 400]] >>';
    const g = glyphsOf(pdf('BT /F1 10 Tf 0 0 Td <00100011> Tj ET', '<< /Font << /F1 4 0 R >> >>', [type0, stream('', cmap), cid]));
    expect(g.map((v) => [v.text, v.x0, v.x1])).toEqual([
      ['S', 0, 6],
      ['ố', 6, 10],
    ]);
  });

  test('a damaged stream: stray delimiters, an unknown operator and a bad number do not lose the rest', () => {
    const content = 'BT /F1 10 Tf ] } 0 0 Td (A) Tj 1.2.3 Tc foo (B) Tj ET';
    expect(textOf(glyphsOf(pdf(content, '<< /Font << /F1 4 0 R >> >>', [SIMPLE_FONT, stream('', TOUNICODE)])))).toBe('AB');
  });
});

/** Glyphs of a line of text, one per character, `advance` points each, starting at x. */
function line(text: string, x: number, y: number, size = 12, advance = 6, angle = 0): PlacedGlyph[] {
  const rad = (angle * Math.PI) / 180;
  return [...text].map((ch, i) => {
    const d = i * advance;
    const x0 = x + d * Math.cos(rad) - 0 * Math.sin(rad);
    const y0 = y + d * Math.sin(rad);
    return { text: ch, x0, y0, x1: x0 + advance * Math.cos(rad), y1: y0 + advance * Math.sin(rad), size, angle };
  });
}

function shuffle<T>(a: T[], seed = 7): T[] {
  const out = [...a];
  let s = seed;
  for (let i = out.length - 1; i > 0; i--) {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    const j = s % (i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

describe('buildLines and findInLines: reading order from positions', () => {
  test('glyphs drawn in any order read left to right, top to bottom; gaps become one space', () => {
    const glyphs = shuffle([...line('Số:', 100, 700), ...line('/QĐ-SYT', 160, 700), ...line('Lưu: VT, VP.', 100, 300)]);
    const lines = buildLines(0, glyphs);
    expect(lines.map((l) => l.text)).toEqual(['Số: /QĐ-SYT', 'Lưu: VT, VP.']);
    expect(findInLines(lines, 'Lưu:')).toHaveLength(1);
    expect(findInLines(lines, '  Số:   ')).toHaveLength(1);
  });

  test('combining marks drawn as glyphs of their own join their letter (NFD text), and an NFD needle matches', () => {
    const nfd = 'Nguyễn Văn Đức'.normalize('NFD');
    const glyphs: PlacedGlyph[] = [];
    let x = 100;
    for (const ch of nfd) {
      const mark = /\p{M}/u.test(ch);
      glyphs.push({ text: ch, x0: mark ? x - 6 : x, y0: 500, x1: mark ? x - 6 : x + 6, y1: 500, size: 12, angle: 0 });
      if (!mark) x += 6;
    }
    const lines = buildLines(0, glyphs);
    expect(lines.map((l) => l.text)).toEqual(['Nguyễn Văn Đức']);
    expect(findInLines(lines, 'Nguyễn Văn Đức'.normalize('NFD'))).toHaveLength(1);
  });

  test('soft hyphens are dropped, ligatures spelled out, a glyph drawn twice on itself read once', () => {
    const glyphs = [...line('Qu\u00ady \ufb01le', 100, 400), ...line('VP', 200, 300), ...line('VP', 200.3, 300)];
    const lines = buildLines(0, glyphs);
    expect(lines.map((l) => l.text)).toEqual(['Quy file', 'VP']);
    expect(findInLines(lines, 'file')).toHaveLength(1);
  });

  test('a name broken over two lines is found across the break, and its box covers both parts', () => {
    const lines = buildLines(0, [...line('Người ký: Nguyễn', 300, 200), ...line('Văn Đức', 300, 186)]);
    const m = findInLines(lines, 'Nguyễn Văn Đức');
    expect(m).toHaveLength(1);
    expect(m[0]!.box.y0).toBeLessThan(186);
    expect(m[0]!.box.y1).toBeGreaterThan(200);
    // Two lines far apart are not one name.
    expect(findInLines(buildLines(0, [...line('Nguyễn', 300, 400), ...line('Văn Đức', 300, 200)]), 'Nguyễn Văn Đức')).toHaveLength(0);
  });

  test('a producer gap inside a word ("Số :") still matches "Số:"; text on a page turned 90° reads in its own frame', () => {
    const gap = [...line('Số', 100, 700), ...line(':', 115, 700)];
    expect(buildLines(0, gap)[0]!.text).toBe('Số :');
    expect(findInLines(buildLines(0, gap), 'Số:')).toHaveLength(1);
    const turned = buildLines(0, shuffle(line('GIÁM ĐỐC', 300, 100, 12, 7, 90)));
    expect(turned.map((l) => [l.text, l.rotation])).toEqual([['GIÁM ĐỐC', 90]]);
  });
});
