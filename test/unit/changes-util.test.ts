// The equality and severity helpers of the modification detection (src/main/verify/changes-util.ts).
import { describe, expect, test } from 'vitest';
import { PdfDict, PdfName, PdfRef, PdfStream, PdfString } from '../../src/main/pdf/objects.js';
import { PdfReader } from '../../src/main/pdf/reader.js';
import { changedKeys, describe as describeObject, sameEntry, sameValue, worse } from '../../src/main/verify/changes-util.js';

// A one-page PDF, only so that stream data can be read through a reader.
function tinyPdf(): PdfReader {
  const objs = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 10 10] >>',
  ];
  let body = '%PDF-1.4\n';
  const offsets: number[] = [];
  objs.forEach((o, i) => {
    offsets.push(body.length);
    body += `${i + 1} 0 obj\n${o}\nendobj\n`;
  });
  const xref = body.length;
  body += `xref\n0 ${objs.length + 1}\n0000000000 65535 f\r\n`;
  for (const off of offsets) body += `${String(off).padStart(10, '0')} 00000 n\r\n`;
  body += `trailer\n<< /Size ${objs.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return PdfReader.fromBuffer(Buffer.from(body, 'latin1'));
}

const r = tinyPdf();
const str = (s: string, hex = false) => new PdfString(Buffer.from(s, 'latin1'), hex);
const stream = (data: string, entries: Array<[string, number | PdfName]> = []) => {
  const b = Buffer.from(data, 'latin1');
  return new PdfStream(new PdfDict(entries), 0, b.length, b);
};

describe('sameValue', () => {
  test('scalars, names, strings (hex or literal), references', () => {
    expect(sameValue(1, r, 1, r)).toBe(true);
    expect(sameValue(1, r, 1.5, r)).toBe(false);
    expect(sameValue(PdfName.of('A'), r, PdfName.of('A'), r)).toBe(true);
    expect(sameValue(PdfName.of('A'), r, str('A'), r)).toBe(false);
    expect(sameValue(str('abc'), r, str('abc', true), r)).toBe(true);
    expect(sameValue(new PdfRef(3, 0), r, new PdfRef(3, 0), r)).toBe(true);
    expect(sameValue(new PdfRef(3, 0), r, new PdfRef(3, 1), r)).toBe(false);
    expect(sameValue(new PdfRef(3, 0), r, new PdfRef(4, 0), r)).toBe(false);
  });

  test('an absent key and a null value are the same; order of keys does not matter', () => {
    const a = new PdfDict([['A', 1], ['B', null]]);
    const b = new PdfDict([['A', 1]]);
    const c = new PdfDict([['X', 2], ['A', 1]]);
    const d = new PdfDict([['A', 1], ['X', 2]]);
    expect(sameValue(a, r, b, r)).toBe(true);
    expect(sameValue(c, r, d, r)).toBe(true);
    expect(sameValue(b, r, d, r)).toBe(false);
    expect(changedKeys(b, r, d, r)).toEqual(['X']);
  });

  test('arrays compare element by element', () => {
    expect(sameValue([1, new PdfRef(2, 0)], r, [1, new PdfRef(2, 0)], r)).toBe(true);
    expect(sameValue([1, 2], r, [2, 1], r)).toBe(false);
    expect(sameValue([1], r, [1, 1], r)).toBe(false);
  });

  test('streams: dictionary but /Length, and data', () => {
    expect(sameValue(stream('q Q', [['Length', 3]]), r, stream('q Q', [['Length', 99]]), r)).toBe(true);
    expect(sameValue(stream('q Q'), r, stream('q  Q'), r)).toBe(false);
    expect(sameValue(stream('q Q', [['Foo', 1]]), r, stream('q Q'), r)).toBe(false);
  });
});

test('sameEntry', () => {
  expect(sameEntry({ type: 'n', offset: 10, gen: 0 }, { type: 'n', offset: 10, gen: 0 })).toBe(true);
  expect(sameEntry({ type: 'n', offset: 10, gen: 0 }, { type: 'n', offset: 10, gen: 1 })).toBe(false);
  expect(sameEntry({ type: 'c', stream: 5, index: 1 }, { type: 'c', stream: 5, index: 1 })).toBe(true);
  expect(sameEntry({ type: 'c', stream: 5, index: 1 }, { type: 'n', offset: 5, gen: 1 })).toBe(false);
  expect(sameEntry({ type: 'f' }, { type: 'f' })).toBe(true);
  expect(sameEntry(undefined, { type: 'f' })).toBe(false);
});

test('severity order: none < form-fill < annotations < signatures < disallowed', () => {
  const order = ['none', 'form-fill', 'annotations', 'signatures', 'disallowed'] as const;
  for (let i = 0; i < order.length; i++)
    for (let j = 0; j < order.length; j++) expect(worse(order[i]!, order[j]!)).toBe(order[Math.max(i, j)]);
});

test('describe', () => {
  expect(describeObject(new PdfDict([['Type', PdfName.of('Font')], ['Subtype', PdfName.of('Type1')]]))).toBe(' (/Font /Type1)');
  expect(describeObject(stream('x'))).toBe(' (stream)');
  expect(describeObject(3)).toBe('');
});
