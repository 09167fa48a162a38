// The verifier against hostile files aimed at its PDF reading layer: an object stream that holds
// two copies of an object, decompression bombs, and thousands of tiny updates. Each file is a
// signed letter with an update appended here byte by byte; the verifier must give a clear answer
// (the update is a disallowed change) rather than read what no viewer shows, crash or run out of
// memory. Runs in-process, on the sources.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { SoftwareSigner } from '../../src/main/cms/signer.js';
import { DecodeLimitExceeded, UnsupportedFilter, decodeStream } from '../../src/main/pdf/filters.js';
import { PdfDict, PdfName, PdfRef, isRef } from '../../src/main/pdf/objects.js';
import { PdfReader } from '../../src/main/pdf/reader.js';
import { serialize } from '../../src/main/pdf/serialize.js';
import { signPdf } from '../../src/main/sign/sign.js';
import { loadTrustStore } from '../../src/main/verify/chain.js';
import { verifyPdf, type SignatureReport } from '../../src/main/verify/verify.js';
import { corpusFile, sharedCorpus } from '../fixtures/corpus.js';
import { sharedTestPki } from '../fixtures/pki.js';
import { makeTempDir, removeTempDir } from '../fixtures/tmp.js';

const pki = await sharedTestPki();
const corpus = await sharedCorpus(pki);

let work: string;
/** The gs-14 letter signed by Kyso: the revision every hostile update is appended to. */
let signed: Buffer;

beforeAll(async () => {
  work = makeTempDir('verify-robustness');
  const output = join(work, 'signed.pdf');
  await signPdf({ input: corpusFile(corpus, 'gs-14').path, output, signer: new SoftwareSigner(pki.leader.privateKey, pki.leader.certDer, [pki.subCa.certDer]) });
  signed = readFileSync(output);
});

afterAll(() => removeTempDir(work));

/** What the verifier says of the one signature in `pdf` (written to `name`). */
async function signatureReport(pdf: Buffer, name: string): Promise<SignatureReport> {
  const path = join(work, name);
  writeFileSync(path, pdf);
  const report = await verifyPdf(path, { trust: loadTrustStore([pki.rootPemPath]), crls: [pki.crlDer, readFileSync(pki.rootCrlDerPath)] });
  expect(report.signatures).toHaveLength(1);
  return report.signatures[0]!;
}

/** The offset the last `startxref` of a file gives: the /Prev of an update appended to it. */
function lastStartxref(pdf: Buffer): number {
  const tail = pdf.subarray(Math.max(0, pdf.length - 1024)).toString('latin1');
  return Number([...tail.matchAll(/startxref\s+(\d+)/g)].pop()![1]);
}

/**
 * An incremental update written by hand, as an attacker would, ending in a cross-reference stream
 * (/W [1 4 2]) that lists what it wrote.
 */
class Update {
  private readonly parts: Buffer[] = [];
  private readonly rows = new Map<number, [number, number, number]>();
  private at: number;
  /** The file the update is appended to. */
  readonly reader: PdfReader;

  constructor(private readonly pdf: Buffer) {
    this.at = pdf.length;
    this.reader = PdfReader.fromBuffer(pdf);
  }

  /** The first object number the update may use. */
  get next(): number {
    return this.reader.nextObjectNumber;
  }

  private write(text: string | Buffer): void {
    const b = typeof text === 'string' ? Buffer.from(text, 'latin1') : text;
    this.parts.push(b);
    this.at += b.length;
  }

  /** Object `num`: its text between "obj" and "endobj" (a stream's ends with "endstream"). */
  object(num: number, body: string | Buffer): this {
    this.rows.set(num, [1, this.at, 0]);
    this.write(`${num} 0 obj\n`);
    this.write(body);
    this.write('\nendobj\n');
    return this;
  }

  /** Object stream `num` holding `items` in order; `entries` say which place the cross-reference gives each object. */
  objectStream(num: number, items: Array<[number, string]>, entries: Array<[number, number]>): this {
    let header = '';
    let bodies = '';
    for (const [n, text] of items) {
      header += `${n} ${bodies.length} `;
      bodies += text + '\n';
    }
    const data = header + '\n' + bodies;
    this.object(num, `<< /Type /ObjStm /N ${items.length} /First ${header.length + 1} /Length ${data.length} >>\nstream\n${data}\nendstream`);
    for (const [n, index] of entries) this.rows.set(n, [2, num, index]);
    return this;
  }

  /**
   * The whole file with the update and its cross-reference stream (object `num`), its rows encoded
   * by `encoded` when given.
   */
  finish(num: number, encoded?: { filter: string; encode: (rows: Buffer) => Buffer }): Buffer {
    const xrefAt = this.at;
    this.rows.set(num, [1, xrefAt, 0]);
    const nums = [...this.rows.keys()].sort((a, b) => a - b);
    const rows = Buffer.alloc(nums.length * 7);
    nums.forEach((n, i) => {
      const [type, f2, f3] = this.rows.get(n)!;
      rows.writeUInt8(type, i * 7);
      rows.writeUInt32BE(f2, i * 7 + 1);
      rows.writeUInt16BE(f3, i * 7 + 5);
    });
    const data = encoded ? encoded.encode(rows) : rows;
    const dict = new PdfDict([
      ['Type', PdfName.of('XRef')],
      ['Size', Math.max(num, this.reader.nextObjectNumber) + 1],
      ['Root', this.reader.rootRef()],
      ['Prev', lastStartxref(this.pdf)],
      ['W', [1, 4, 2]],
      ['Index', nums.flatMap((n) => [n, 1])],
      ['Length', data.length],
    ]);
    const info = this.reader.trailer.get('Info');
    if (info) dict.set('Info', info);
    if (encoded) dict.set('Filter', encoded.filter.split(' ').map((f) => PdfName.of(f)));
    this.write(`${num} 0 obj\n${serialize(dict)}\nstream\n`);
    this.write(data);
    this.write(`\nendstream\nendobj\nstartxref\n${xrefAt}\n%%EOF\n`);
    return Buffer.concat([this.pdf, ...this.parts]);
  }
}

describe('an object stream that lists an object number twice', () => {
  /** Page 1 of the signed letter, and the same page with its /Contents in object `contents` (for the caller to write). */
  function pageCopies(u: Update): { page: PdfRef; original: string; changed: string; contents: number } {
    const page = u.reader.page(0);
    const contents = u.next;
    const changed = page.dict.clone();
    changed.set('Contents', new PdfRef(contents, 0));
    return { page: page.ref, original: serialize(page.dict), changed: serialize(changed), contents };
  }

  test('the object is read at the place its cross-reference entry gives, and the update is disallowed', async () => {
    const u = new Update(signed);
    const { page, original, changed, contents } = pageCopies(u);
    const text = 'BT /F1 24 Tf 72 700 Td (Pay 999 999 EUR) Tj ET';
    u.object(contents, `<< /Length ${text.length} >>\nstream\n${text}\nendstream`);
    // The signed page first, the changed one second, and the entry points at the second, as
    // viewers that go by the entry (poppler, pdf.js) read it.
    u.objectStream(contents + 1, [[page.num, original], [page.num, changed]], [[page.num, 1]]);
    const pdf = u.finish(contents + 2);

    const sig = await signatureReport(pdf, 'objstm-changed.pdf');
    expect(sig.integrity).toBe('valid');
    expect(sig.modificationsAfter).toBe('disallowed');
    expect(sig.indication).not.toBe('TOTAL_PASSED');
    expect(sig.details.changes.join('\n')).toContain(`obj ${page.num}`);
    expect(sig.details.changes.join('\n')).toContain(`lists object ${page.num} more than once`);
    // Read as those viewers read it: the second copy.
    const shown = PdfReader.fromBuffer(pdf).page(0).dict.get('Contents');
    expect(isRef(shown) && shown.num).toBe(contents);
  });

  test('two identical copies are still ambiguous: the update is disallowed', async () => {
    const u = new Update(signed);
    const { page, original } = pageCopies(u);
    u.objectStream(u.next, [[page.num, original], [page.num, original]], [[page.num, 0]]);
    const sig = await signatureReport(u.finish(u.next + 1), 'objstm-twice.pdf');
    expect(sig.integrity).toBe('valid');
    expect(sig.modificationsAfter).toBe('disallowed');
    expect(sig.details.changes.join('\n')).toContain(`lists object ${page.num} more than once`);
  });

  test('an entry pointing at a place that holds another object is disallowed', async () => {
    const u = new Update(signed);
    const { page, original } = pageCopies(u);
    const spare = u.next;
    u.objectStream(spare + 1, [[page.num, original], [spare, '<< /Spare true >>']], [[page.num, 1], [spare, 1]]);
    const sig = await signatureReport(u.finish(spare + 2), 'objstm-wrong-place.pdf');
    expect(sig.modificationsAfter).toBe('disallowed');
    expect(sig.details.changes.join('\n')).toContain(`points to place 1 of object stream ${spare + 1}, which holds object ${spare}`);
  });
});

describe('decompression bombs', () => {
  /**
   * An update whose only content is its cross-reference stream: the row it needs, then padding
   * that decodes to far more. A reader that decodes it all finds a proper update.
   */
  const bombUpdate = (filter: string, encode: (rows: Buffer) => Buffer): Buffer => {
    const u = new Update(signed);
    return u.finish(u.next, { filter, encode });
  };

  /** RunLength data: `lead` as one literal run, then `runs` runs of 128 zero bytes (2 bytes each). */
  const runLengthBomb = (lead: Buffer, runs: number): Buffer =>
    Buffer.concat([lead.length ? Buffer.from([lead.length - 1]) : Buffer.alloc(0), lead, Buffer.alloc(runs * 2, Buffer.from([0x81, 0x00]))]);

  /**
   * LZW codes packed as the decoder reads them (early change 1): `lead` byte by byte, then codes
   * that each stand for a string one byte longer than the last, then one long string `repeats` times.
   */
  function lzwBomb(lead: Buffer, repeats: number): Buffer {
    const codes = [...lead];
    for (let c = 258 + lead.length - 1; c < 4094; c++) codes.push(c);
    for (let i = 0; i < repeats; i++) codes.push(4000);
    const out: number[] = [];
    let bits = 0;
    let count = 0;
    let size = 258;
    let codeLen = 9;
    codes.forEach((code, i) => {
      bits = (bits << codeLen) | code;
      count += codeLen;
      while (count >= 8) {
        out.push((bits >>> (count - 8)) & 0xff);
        count -= 8;
        bits &= (1 << count) - 1;
      }
      if (i > 0) size++;
      if (size + 1 >= 1 << codeLen && codeLen < 12) codeLen++;
    });
    if (count) out.push((bits << (8 - count)) & 0xff);
    return Buffer.from(out);
  }

  test('RunLength inside Flate (8 KB for 512 MiB) in the update: disallowed, no crash', async () => {
    const pdf = bombUpdate('FlateDecode RunLengthDecode', (rows) => deflateSync(runLengthBomb(rows, 4 << 20), { level: 9 }));
    expect(pdf.length - signed.length).toBeLessThan(20_000);
    const sig = await signatureReport(pdf, 'rl-bomb.pdf');
    expect(sig.integrity).toBe('valid');
    expect(sig.modificationsAfter).toBe('disallowed');
  });

  test('Flate (16 KB for 16 MiB) where 7 bytes of cross-reference are due: disallowed', async () => {
    const pdf = bombUpdate('FlateDecode', (rows) => deflateSync(Buffer.concat([rows, Buffer.alloc(16 << 20)]), { level: 9 }));
    const sig = await signatureReport(pdf, 'flate-bomb.pdf');
    expect(sig.integrity).toBe('valid');
    expect(sig.modificationsAfter).toBe('disallowed');
  });

  test('LZW whose codes stand for ever longer strings: disallowed', async () => {
    // 30 KB for 75 MB.
    const sig = await signatureReport(bombUpdate('LZWDecode', (rows) => lzwBomb(rows, 20_000)), 'lzw-bomb.pdf');
    expect(sig.integrity).toBe('valid');
    expect(sig.modificationsAfter).toBe('disallowed');
  });

  test('validation data (DSS) whose certificate decodes to more than any stream may: ignored, the verifier answers', async () => {
    const u = new Update(signed);
    const cert = u.next;
    // 512 MiB, twice the most any stream may decode to.
    const bomb = deflateSync(runLengthBomb(Buffer.alloc(0), 4 << 20), { level: 9 });
    u.object(cert, Buffer.concat([Buffer.from(`<< /Filter [/FlateDecode /RunLengthDecode] /Length ${bomb.length} >>\nstream\n`), bomb, Buffer.from('\nendstream')]));
    u.object(cert + 1, `<< /Certs [${cert} 0 R] >>`);
    const catalog = u.reader.catalog().clone();
    catalog.set('DSS', new PdfRef(cert + 1, 0));
    u.object(u.reader.rootRef().num, serialize(catalog));
    const sig = await signatureReport(u.finish(cert + 2), 'dss-bomb.pdf');
    // A DSS adds evidence and changes nothing a reader sees; evidence that cannot be read is none.
    expect(sig.integrity).toBe('valid');
    expect(sig.modificationsAfter).toBe('none');
    expect(sig.indication).toBe('TOTAL_PASSED');
  });

  test('every decoder stops at its limit', () => {
    const flate = new PdfDict([['Filter', PdfName.of('FlateDecode')]]);
    const zeros = deflateSync(Buffer.alloc(1 << 20));
    expect(decodeStream(flate, zeros, undefined, 1 << 20)).toHaveLength(1 << 20);
    expect(() => decodeStream(flate, zeros, undefined, (1 << 20) - 1)).toThrow(DecodeLimitExceeded);
    const rl = new PdfDict([['Filter', PdfName.of('RunLengthDecode')]]);
    expect(() => decodeStream(rl, runLengthBomb(Buffer.alloc(0), 10_000), undefined, 1 << 20)).toThrow(DecodeLimitExceeded);
    const lzw = new PdfDict([['Filter', PdfName.of('LZWDecode')]]);
    expect(() => decodeStream(lzw, lzwBomb(Buffer.from('A'), 1000), undefined, 1 << 20)).toThrow(DecodeLimitExceeded);
  });
});

test('a predictor row of no bytes is an error, not an endless loop', () => {
  const dict = new PdfDict([
    ['Filter', PdfName.of('FlateDecode')],
    ['DecodeParms', new PdfDict([['Predictor', 2], ['Columns', 0]])],
  ]);
  expect(() => decodeStream(dict, deflateSync(Buffer.from('abc')))).toThrow(UnsupportedFilter);
});

describe('many updates after a signature', () => {
  /** `n` updates, each giving the document a new /Info title, with classic cross-reference tables. */
  function manyUpdates(n: number): Buffer {
    const base = PdfReader.fromBuffer(signed);
    const info = base.nextObjectNumber;
    const root = serialize(base.rootRef());
    const parts: Buffer[] = [signed];
    let at = signed.length;
    let prev = lastStartxref(signed);
    for (let i = 0; i < n; i++) {
      const obj = `${info} 0 obj\n<< /Title (revision ${i}) >>\nendobj\n`;
      const xref = `xref\n${info} 1\n${String(at).padStart(10, '0')} 00000 n \ntrailer\n<< /Size ${info + 1} /Root ${root} /Info ${info} 0 R /Prev ${prev} >>\nstartxref\n${at + obj.length}\n%%EOF\n`;
      parts.push(Buffer.from(obj + xref, 'latin1'));
      prev = at + obj.length;
      at += obj.length + xref.length;
    }
    return Buffer.concat(parts);
  }

  test('a few dozen metadata updates are each compared and allowed', async () => {
    const sig = await signatureReport(manyUpdates(40), 'updates-40.pdf');
    expect(sig.modificationsAfter).toBe('none');
    expect(sig.indication).toBe('TOTAL_PASSED');
    expect(sig.details.changes[0]).toMatch(/^update 1: /);
  });

  test('more updates than are compared: disallowed, saying how many there were', async () => {
    const sig = await signatureReport(manyUpdates(600), 'updates-600.pdf');
    expect(sig.integrity).toBe('valid');
    expect(sig.modificationsAfter).toBe('disallowed');
    expect(sig.details.changes.join('\n')).toContain('600 updates follow the signature');
    expect(sig.details.changes.join('\n')).toContain('not checked');
  });
});
