// Numbers and references in the PDF object parser (src/main/pdf/parser.ts). Plain numbers are read
// straight from the bytes; these tests hold that path to what Number() makes of the same text, and
// to the general path for everything else.
import { describe, expect, test } from 'vitest';
import { PdfRef } from '../../src/main/pdf/objects.js';
import { NeedMoreData, Parser, parseObjectAt } from '../../src/main/pdf/parser.js';

const parse = (text: string) => parseObjectAt(Buffer.from(text, 'latin1')).value;

/** A deterministic stream of pseudo-random numbers (xorshift), so a failure can be replayed. */
function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 2 ** 32;
  };
}

describe('numbers', () => {
  test('plain numbers have the value Number() gives, bit for bit (-0 included)', () => {
    const next = rng(20261123);
    const digits = (n: number): string => Array.from({ length: n }, () => Math.floor(next() * 10)).join('');
    const words: string[] = ['0', '-0', '+0', '0.0', '-0.0', '.5', '-.5', '+.5', '5.', '-5.', '007', '0.1', '0.7', '1.005', '123456789012345', '999999999999999',
      '0.000000000000001', '-12345678.9012345', '4.35', '2.675', '1.0000000000001'];
    for (let i = 0; i < 20_000; i++) {
      const sign = ['', '', '-', '+'][Math.floor(next() * 4)]!;
      const int = digits(Math.floor(next() * 9));
      const frac = next() < 0.5 ? '' : `.${digits(Math.floor(next() * 8))}`;
      const w = `${sign}${int}${frac}`;
      if (/\d/.test(w)) words.push(w);
    }
    const values = parse(`[${words.join(' ')}]`) as number[];
    expect(values).toHaveLength(words.length);
    const wrong = words.filter((w, i) => !Object.is(values[i], Number(w)));
    expect(wrong).toEqual([]);
  });

  test('more than 15 digits, and loose forms, go the general way', () => {
    expect(parse('[1234567890123456789 0.12345678901234567 --5 5- 1.2.3 -]')).toEqual([1234567890123456789, 0.12345678901234567, -5, 5, 1.2, -0]);
  });

  test('numbers end at delimiters and comments, not only at white space', () => {
    expect(parse('[1/Name 2(s)3<41>4[5]6%c\n7]')).toEqual([1, expect.anything(), 2, expect.anything(), 3, expect.anything(), 4, [5], 6, 7]);
    expect(parse('<</W[0[500 -250.5]]/N 3>>')).toMatchObject({ map: new Map<string, unknown>([['W', [0, [500, -250.5]]], ['N', 3]]) });
  });
});

describe('references', () => {
  test('"n g R" is a reference; numbers beside it stay numbers', () => {
    const v = parse('[1 0 R 2 3 4 5 0 R 6]') as unknown[];
    expect(v[0]).toEqual(new PdfRef(1, 0));
    expect(v.slice(1, 4)).toEqual([2, 3, 4]);
    expect(v[4]).toEqual(new PdfRef(5, 0));
    expect(v[5]).toBe(6);
  });

  test('signed or real numbers never start a reference', () => {
    expect(parse('[+1 0 3.0 0 7]')).toEqual([1, 0, 3, 0, 7]);
  });
});

describe('a window that ends inside a number', () => {
  test('asks for more bytes instead of reading a shorter number', () => {
    for (const text of ['[1 2 12', '[1 2 -3.2', '[1 2 7 0', '12345']) {
      const p = new Parser(Buffer.from(text, 'latin1'), 0, 0, false);
      expect(() => p.parseObject(), text).toThrow(NeedMoreData);
    }
  });

  test('at the end of a complete buffer the number is whole', () => {
    expect(parse('12345')).toBe(12345);
    expect(parse('-2.5')).toBe(-2.5);
  });
});
