// Modification detection: what the updates after a signature changed (src/main/verify/changes.ts).
// Real files throughout: corpus documents signed by Kyso's own signer in-process, then changed by
// incremental updates written with IncrementalUpdate, by MuPDF (mutool run, incremental save) or
// by hand (cross-reference tricks no honest writer produces).
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { SoftwareSigner } from '../../src/main/cms/signer.js';
import { IncrementalUpdate } from '../../src/main/pdf/incremental.js';
import { PdfDict, PdfName, PdfRef, PdfStream, PdfString, isArray, isRef, type PdfObject } from '../../src/main/pdf/objects.js';
import { PdfReader } from '../../src/main/pdf/reader.js';
import { serializeIndirect, serialize } from '../../src/main/pdf/serialize.js';
import { textString } from '../../src/main/pdf/text.js';
import { readForm } from '../../src/main/sign/form.js';
import { signPdf, type SignPdfOptions } from '../../src/main/sign/sign.js';
import { classifyChanges, type ChangeReport } from '../../src/main/verify/changes.js';
import { corpusFile, sharedCorpus, type CorpusName } from '../fixtures/corpus.js';
import { sharedTestPki } from '../fixtures/pki.js';
import { addAnnotation } from '../fixtures/pdf-edit.js';
import { makeTempDir, removeTempDir } from '../fixtures/tmp.js';
import { runTool } from '../fixtures/tools.js';

const pki = await sharedTestPki();
const corpus = await sharedCorpus(pki);
const signer = new SoftwareSigner(pki.leader.privateKey, pki.leader.certDer, [pki.subCa.certDer]);
let work: string;
let counter = 0;

beforeAll(() => {
  work = makeTempDir('verify-changes');
});
afterAll(() => removeTempDir(work));

const file = (name: CorpusName): string => corpusFile(corpus, name).path;
const tmp = (label: string): string => join(work, `${++counter}-${label}.pdf`);
const size = (path: string): number => readFileSync(path).length;

interface Signed {
  path: string;
  signedLength: number;
}

async function sign(input: string, opts: Partial<SignPdfOptions> = {}): Promise<Signed> {
  const output = tmp('signed');
  const r = await signPdf({ input, output, signer, ...opts });
  return { path: output, signedLength: r.byteRange[2] + r.byteRange[3] };
}

/** Appends an incremental update made by `edit` and returns the new file. */
function update(input: string, edit: (r: PdfReader, u: IncrementalUpdate) => void): string {
  const r = PdfReader.open(input);
  try {
    const u = new IncrementalUpdate(r);
    edit(r, u);
    const out = tmp('updated');
    writeFileSync(out, Buffer.concat([readFileSync(input), u.build().bytes]));
    return out;
  } finally {
    r.close();
  }
}

/** Appends raw bytes: objects written by hand, then a classic xref section with the given entries. */
function appendRaw(input: string, objects: Array<{ num: number; gen: number; text: string } | { num: number; gen: number; at: number }>, free: number[] = []): string {
  const r = PdfReader.open(input);
  const base = readFileSync(input);
  const trailer = r.trailer;
  const startxref = r.startxref;
  const next = r.nextObjectNumber;
  r.close();
  let body = base[base.length - 1] === 0x0a ? '' : '\n';
  const entries = new Map<number, string>();
  for (const o of objects) {
    if ('text' in o) {
      entries.set(o.num, `${String(base.length + Buffer.byteLength(body, 'latin1')).padStart(10, '0')} ${String(o.gen).padStart(5, '0')} n\r\n`);
      body += `${o.num} ${o.gen} obj\n${o.text}\nendobj\n`;
    } else entries.set(o.num, `${String(o.at).padStart(10, '0')} ${String(o.gen).padStart(5, '0')} n\r\n`);
  }
  for (const f of free) entries.set(f, '0000000000 00001 f\r\n');
  const xrefAt = base.length + Buffer.byteLength(body, 'latin1');
  let xref = 'xref\n';
  for (const [num, line] of [...entries].sort((a, b) => a[0] - b[0])) xref += `${num} 1\n${line}`;
  const t = new PdfDict([['Size', Math.max(next, ...entries.keys()) + 1], ['Root', trailer.get('Root')!], ['Prev', startxref]]);
  if (trailer.get('Info')) t.set('Info', trailer.get('Info')!);
  body += `${xref}trailer\n${serialize(t)}\nstartxref\n${xrefAt}\n%%EOF\n`;
  const out = tmp('raw');
  writeFileSync(out, Buffer.concat([base, Buffer.from(body, 'latin1')]));
  return out;
}

function classify(path: string, signedLength: number): ChangeReport {
  const r = PdfReader.open(path);
  try {
    return classifyChanges(r, signedLength);
  } finally {
    r.close();
  }
}

function stream(content: string, entries: Array<[string, PdfObject]> = []): PdfStream {
  const data = Buffer.from(content, 'latin1');
  return new PdfStream(new PdfDict(entries), 0, data.length, data);
}

function helvetica(u: IncrementalUpdate): PdfRef {
  return u.add(new PdfDict([['Type', PdfName.of('Font')], ['Subtype', PdfName.of('Type1')], ['BaseFont', PdfName.of('Helvetica')], ['Encoding', PdfName.of('WinAnsiEncoding')]]));
}

/** A FreeText annotation showing a document number, with its appearance stream and font. */
function addDocumentNumber(r: PdfReader, u: IncrementalUpdate): PdfRef {
  const font = helvetica(u);
  const ap = u.add(
    stream('BT /Helv 11 Tf 2 6 Td (So: 123/SYT-VP) Tj ET', [
      ['Type', PdfName.of('XObject')],
      ['Subtype', PdfName.of('Form')],
      ['BBox', [0, 0, 160, 20]],
      ['Resources', new PdfDict([['Font', new PdfDict([['Helv', font]])]])],
    ]),
  );
  return addAnnotation(
    u,
    r,
    new PdfDict([
      ['Type', PdfName.of('Annot')],
      ['Subtype', PdfName.of('FreeText')],
      ['Rect', [60, 760, 220, 780]],
      ['Contents', textString('Số: 123/SYT-VP')],
      ['DA', textString('/Helv 11 Tf 0 g')],
      ['F', 4],
      ['AP', new PdfDict([['N', ap]])],
    ]),
  );
}

function pageContentsRef(path: string, pageIndex = 0): PdfRef {
  const r = PdfReader.open(path);
  try {
    const c = r.pages()[pageIndex]!.dict.get('Contents');
    const ref = isArray(c) ? c[0] : c;
    if (!isRef(ref)) throw new Error('page without indirect /Contents');
    return ref;
  } finally {
    r.close();
  }
}

describe('signatures', () => {
  test('no later revision: none', async () => {
    const s = await sign(file('gs-14'));
    expect(size(s.path)).toBe(s.signedLength);
    expect(classify(s.path, s.signedLength)).toEqual({ kind: 'none', revisionsAfter: 0, details: [] });
  });

  test('a second Kyso signature (visible) is "signatures"', async () => {
    const first = await sign(file('gs-14'));
    const second = await sign(first.path, { rect: [300, 100, 180, 60], page: 1 });
    const rep = classify(second.path, first.signedLength);
    expect(rep.kind).toBe('signatures');
    expect(rep.revisionsAfter).toBe(1);
    expect(rep.details).toContain('signature field Signature2 added and signed');
    expect(classify(second.path, second.signedLength).kind).toBe('none');
  });

  test('three signatures on an AcroForm file: each earlier one sees "signatures"', async () => {
    const s1 = await sign(file('acroform'));
    const s2 = await sign(s1.path);
    const s3 = await sign(s2.path, { rect: [60, 60, 150, 50] });
    const r1 = classify(s3.path, s1.signedLength);
    expect(r1.kind).toBe('signatures');
    expect(r1.revisionsAfter).toBe(2);
    expect(r1.details).toEqual(expect.arrayContaining(['update 1: signature field Signature2 added and signed', 'update 2: signature field Signature3 added and signed']));
    const r2 = classify(s3.path, s2.signedLength);
    expect(r2).toMatchObject({ kind: 'signatures', revisionsAfter: 1 });
    expect(classify(s3.path, s3.signedLength)).toMatchObject({ kind: 'none', revisionsAfter: 0 });
  });

  test('poppler pdfsig signatures after the first are "signatures" (third-party writer)', () => {
    const twice = file('pdfsig-signed-twice');
    const rep = classify(twice, size(file('pdfsig-signed')));
    expect(rep.kind).toBe('signatures');
    expect(rep.details).toContain('signature field Signature2 added and signed');
    // From the unsigned original: two signature updates.
    const all = classify(twice, size(file('gs-14')));
    expect(all).toMatchObject({ kind: 'signatures', revisionsAfter: 2 });
  });

  test('a Kyso signature after an annotation: the highest change wins', async () => {
    const s1 = await sign(file('gs-14'));
    const annotated = update(s1.path, (r, u) => addDocumentNumber(r, u));
    const s2 = await sign(annotated);
    const rep = classify(s2.path, s1.signedLength);
    expect(rep.kind).toBe('signatures');
    expect(rep.revisionsAfter).toBe(2);
    expect(rep.details.some((d) => d.startsWith('update 1: page 1: /FreeText annotation added'))).toBe(true);
  });

  test("the signature's own /Sig dictionary redefined is disallowed", async () => {
    const s = await sign(file('pdflib-1'));
    const out = update(s.path, (r, u) => {
      const field = readForm(r).all.find((f) => f.name === 'Signature1')!;
      const v = field.dict.get('V') as PdfRef;
      const sig = (r.get(v) as PdfDict).clone();
      sig.set('Reason', textString('changed afterwards'));
      u.set(v, sig);
    });
    const rep = classify(out, s.signedLength);
    expect(rep.kind).toBe('disallowed');
    expect(rep.details.some((d) => /^signature dictionary of field Signature1 redefined \(obj \d+\)$/.test(d))).toBe(true);
  });

  test('a DSS (validation data) alone is "none"', async () => {
    const s = await sign(file('gs-14'));
    const out = update(s.path, (r, u) => {
      const cert = u.add(new PdfStream(new PdfDict(), 0, pki.subCa.certDer.length, pki.subCa.certDer));
      const dss = u.add(new PdfDict([['Type', PdfName.of('DSS')], ['Certs', [cert]], ['VRI', new PdfDict()]]));
      const cat = r.catalog().clone();
      cat.set('DSS', dss);
      u.set(r.rootRef(), cat);
    });
    const rep = classify(out, s.signedLength);
    expect(rep).toEqual({ kind: 'none', revisionsAfter: 1, details: ['DSS (validation data) added'] });
  });
});

// Every corpus producer (ghostscript, qpdf with object streams and linearized, MuPDF, cairo,
// pdf-lib, poppler's signer, the hand-made hybrid file): a Kyso signature, then a document number
// annotation, then a second Kyso signature. No false alarm on any of them.
describe.each(corpus.map((c) => [c.name] as const))('corpus %s', (name) => {
  test('signature, annotation, signature', async () => {
    const s1 = await sign(file(name));
    const annotated = update(s1.path, (r, u) => addDocumentNumber(r, u));
    const onlyAnnot = classify(annotated, s1.signedLength);
    expect(onlyAnnot, JSON.stringify(onlyAnnot)).toMatchObject({ kind: 'annotations', revisionsAfter: 1 });
    const s2 = await sign(annotated, { rect: [300, 100, 180, 60] });
    const rep = classify(s2.path, s1.signedLength);
    expect(rep, JSON.stringify(rep)).toMatchObject({ kind: 'signatures', revisionsAfter: 2 });
    expect(rep.details).toContain('update 2: signature field Signature2 added and signed'.replace('Signature2', readFormName(s2.path)));
    expect(classify(s2.path, s2.signedLength)).toEqual({ kind: 'none', revisionsAfter: 0, details: [] });
  });
});

/** The name of the newest signature field of a file. */
function readFormName(path: string): string {
  const r = PdfReader.open(path);
  try {
    const sigs = readForm(r).all.filter((f) => f.type === 'Sig');
    return sigs[sigs.length - 1]!.name;
  } finally {
    r.close();
  }
}

describe('annotations', () => {
  test('a /Text annotation added: "annotations"', async () => {
    const s = await sign(file('gs-14'));
    const out = update(s.path, (r, u) => {
      addAnnotation(u, r, new PdfDict([['Type', PdfName.of('Annot')], ['Subtype', PdfName.of('Text')], ['Rect', [400, 700, 420, 720]], ['Contents', textString('Ghi chú')]]));
    });
    const rep = classify(out, s.signedLength);
    expect(rep.kind).toBe('annotations');
    expect(rep.details.some((d) => /^page 1: \/Text annotation added \(obj \d+\)$/.test(d))).toBe(true);
  });

  test('a FreeText document number with appearance stream and font: "annotations"', async () => {
    const s = await sign(file('pdflib-1'));
    const out = update(s.path, (r, u) => addDocumentNumber(r, u));
    const rep = classify(out, s.signedLength);
    expect(rep.kind).toBe('annotations');
    expect(rep.details.some((d) => d.startsWith('page 1: /FreeText annotation added'))).toBe(true);
  });

  test('an annotation added by MuPDF (mutool run, incremental save) after a Kyso signature', async () => {
    const s = await sign(file('gs-14'));
    const script = join(work, 'annot.js');
    writeFileSync(script, [
      'var doc = new PDFDocument(scriptArgs[0]);',
      'var page = doc.loadPage(0);',
      'var annot = page.createAnnotation("FreeText");',
      'annot.setContents("So: 45/SYT-TCCB");',
      'annot.setRect([60, 760, 260, 780]);',
      'annot.update();',
      'doc.save(scriptArgs[1], "incremental");',
      '',
    ].join('\n'));
    const out = tmp('mutool');
    runTool('mutool', ['run', script, s.path, out]);
    const rep = classify(out, s.signedLength);
    expect(rep.kind).toBe('annotations');
    expect(rep.details.some((d) => d.startsWith('page 1: /FreeText annotation added'))).toBe(true);
  });

  test("MuPDF's own incremental updates of the corpus (/Info + Text annotation) are \"annotations\"", () => {
    for (const [f, base] of [['incremental', 'gs-14'], ['incremental-objstm', 'qpdf-objstm']] as const) {
      const rep = classify(file(f), size(file(base)));
      expect(rep.kind, f).toBe('annotations');
      expect(rep.details, f).toContain('document information dictionary (/Info) updated');
      expect(rep.details.some((d) => d.startsWith('page 1: /Text annotation added')), f).toBe(true);
    }
  });

  test('xref streams and object streams (qpdf-objstm): an annotation added is "annotations"', async () => {
    const s = await sign(file('qpdf-objstm'));
    const out = update(s.path, (r, u) => {
      expect(r.lastXrefKind).toBe('stream');
      expect([...r.xref.values()].some((e) => e.type === 'c')).toBe(true);
      addDocumentNumber(r, u);
    });
    const rep = classify(out, s.signedLength);
    expect(rep.kind).toBe('annotations');
    expect(rep.details.some((d) => d.startsWith('page 1: /FreeText annotation added'))).toBe(true);
  });

  test('an annotation removed: "annotations"', () => {
    const signed = file('incremental'); // treat the MuPDF-annotated file as the signed revision
    const out = update(signed, (r, u) => {
      const page = r.pages()[0]!;
      const p = page.dict.clone();
      p.set('Annots', []);
      u.set(page.ref, p);
    });
    const rep = classify(out, size(signed));
    expect(rep.kind).toBe('annotations');
    expect(rep.details.some((d) => /^page 1: \/Text annotation removed/.test(d))).toBe(true);
  });

  test('an annotation with a JavaScript action is disallowed', async () => {
    const s = await sign(file('pdflib-1'));
    const out = update(s.path, (r, u) => {
      addAnnotation(u, r, new PdfDict([
        ['Type', PdfName.of('Annot')],
        ['Subtype', PdfName.of('Link')],
        ['Rect', [0, 0, 595, 842]],
        ['A', new PdfDict([['S', PdfName.of('JavaScript')], ['JS', textString('app.alert(1)')]])],
      ]));
    });
    const rep = classify(out, s.signedLength);
    expect(rep.kind).toBe('disallowed');
    expect(rep.details.some((d) => d.includes('carries a /JavaScript action'))).toBe(true);
  });
});

describe('form filling', () => {
  function fill(path: string, fieldName: string, value: string): string {
    return update(path, (r, u) => {
      const field = readForm(r).all.find((f) => f.name === fieldName)!;
      const d = field.dict.clone();
      d.set('V', textString(value));
      u.set(field.ref!, d);
      const kids = r.resolve(field.dict.get('Kids'));
      const widgetRef = (isArray(kids) ? kids[0] : field.ref) as PdfRef;
      const widget = (r.get(widgetRef) as PdfDict).clone();
      const font = helvetica(u);
      const ap = u.add(
        stream(`/Tx BMC BT /Helv 12 Tf 2 7 Td (${value}) Tj ET EMC`, [
          ['Type', PdfName.of('XObject')],
          ['Subtype', PdfName.of('Form')],
          ['BBox', [0, 0, 301, 25]],
          ['Resources', new PdfDict([['Font', new PdfDict([['Helv', font]])]])],
        ]),
      );
      widget.set('AP', new PdfDict([['N', ap]]));
      if (widgetRef.num === field.ref!.num) widget.set('V', textString(value));
      u.set(widgetRef, widget);
    });
  }

  test('filling a text field of a signed form: "form-fill"', async () => {
    const s = await sign(file('acroform'));
    const out = fill(s.path, 'hoVaTen', 'Tran Thi Binh');
    const rep = classify(out, s.signedLength);
    expect(rep.kind).toBe('form-fill');
    expect(rep.details).toContain('form field hoVaTen filled (/V changed)');
    expect(rep.details).toContain('appearance of widget of form field hoVaTen changed');
  });

  test('a field locked by a signature (/Lock /Include) may not change; another field may', () => {
    // The "signed" revision: a signature field with a /Lock over hoVaTen (the signature value is not
    // checked here, only what later updates change).
    const locked = update(file('acroform'), (r, u) => {
      const form = readForm(r);
      const sig = u.add(new PdfDict([['Type', PdfName.of('Sig')], ['Filter', PdfName.of('Adobe.PPKLite')], ['SubFilter', PdfName.of('ETSI.CAdES.detached')],
        ['ByteRange', [0, 0, 0, 0]], ['Contents', new PdfString(Buffer.alloc(16), true)]]));
      const lock = new PdfDict([['Type', PdfName.of('SigFieldLock')], ['Action', PdfName.of('Include')], ['Fields', [textString('hoVaTen')]]]);
      const field = u.add(new PdfDict([['FT', PdfName.of('Sig')], ['T', textString('Approval')], ['V', sig], ['Lock', lock], ['Subtype', PdfName.of('Widget')], ['Rect', [0, 0, 0, 0]]]));
      const af = form.acroForm!.clone();
      af.set('Fields', [...form.fields, field]);
      af.set('SigFlags', 3);
      u.set(form.acroFormRef!, af);
    });
    const signedLength = size(locked);
    const bad = classify(fill(locked, 'hoVaTen', 'Someone Else'), signedLength);
    expect(bad.kind).toBe('disallowed');
    expect(bad.details.some((d) => d.startsWith('form field hoVaTen is locked by signature Approval'))).toBe(true);
    const ok = classify(fill(locked, 'donVi', 'Van phong So'), signedLength);
    expect(ok.kind).toBe('form-fill');
    expect(ok.details).toContain('form field donVi filled (/V changed)');
  });

  test('a new text field added after signing is disallowed', async () => {
    const s = await sign(file('acroform'));
    const out = update(s.path, (r, u) => {
      const form = readForm(r);
      const page = r.pages()[0]!;
      const field = addAnnotation(u, r, new PdfDict([['FT', PdfName.of('Tx')], ['T', textString('soVanBan')], ['V', textString('99/QD')],
        ['Type', PdfName.of('Annot')], ['Subtype', PdfName.of('Widget')], ['Rect', [60, 560, 300, 580]]]));
      const af = form.acroForm!.clone();
      af.set('Fields', [...form.fields, field]);
      u.set(form.acroFormRef!, af);
      void page;
    });
    const rep = classify(out, s.signedLength);
    expect(rep.kind).toBe('disallowed');
    expect(rep.details.some((d) => /^form field soVanBan \(\/Tx\) added/.test(d))).toBe(true);
  });
});

describe('disallowed changes', () => {
  test('page 1 content stream replaced (same object number)', async () => {
    const s = await sign(file('gs-14'));
    const contents = pageContentsRef(s.path);
    const out = update(s.path, (_r, u) => u.set(contents, stream('BT /F1 12 Tf 72 700 Td (Nothing to see) Tj ET')));
    const rep = classify(out, s.signedLength);
    expect(rep.kind).toBe('disallowed');
    expect(rep.details).toContain(`page 1 /Contents redefined (obj ${contents.num})`);
  });

  test('content appended: page /Contents becomes an array with an added stream', async () => {
    const s = await sign(file('pdflib-1'));
    let pageNum = 0;
    const out = update(s.path, (r, u) => {
      const page = r.pages()[0]!;
      pageNum = page.ref.num;
      const extra = u.add(stream('BT /F1 40 Tf 100 400 Td (DA HUY) Tj ET'));
      const c = page.dict.get('Contents');
      const p = page.dict.clone();
      p.set('Contents', [...(isArray(c) ? c : [c!]), extra]);
      u.set(page.ref, p);
    });
    const rep = classify(out, s.signedLength);
    expect(rep.kind).toBe('disallowed');
    expect(rep.details).toContain(`page 1 /Contents changed (obj ${pageNum})`);
  });

  test('/Contents changed through an indirect array', async () => {
    // Before signing, page 1 gets its /Contents as an indirect array object.
    let arrayRef!: PdfRef;
    const prepared = update(file('pdflib-1'), (r, u) => {
      const page = r.pages()[0]!;
      const c = page.dict.get('Contents');
      arrayRef = u.add(isArray(c) ? c : [c!]);
      const p = page.dict.clone();
      p.set('Contents', arrayRef);
      u.set(page.ref, p);
    });
    const s = await sign(prepared);
    const out = update(s.path, (r, u) => {
      const arr = r.get(arrayRef) as PdfObject[];
      u.set(arrayRef, [...arr, u.add(stream('BT /F1 40 Tf 100 400 Td (DA HUY) Tj ET'))]);
    });
    const rep = classify(out, s.signedLength);
    expect(rep.kind).toBe('disallowed');
    expect(rep.details).toContain(`page 1 /Contents redefined (obj ${arrayRef.num})`);
  });

  test('a page added', async () => {
    const s = await sign(file('pdflib-1'));
    const out = update(s.path, (r, u) => {
      const pagesRef = r.catalog().get('Pages') as PdfRef;
      const pages = (r.get(pagesRef) as PdfDict).clone();
      const content = u.add(stream('BT /F1 12 Tf 72 700 Td (Trang them) Tj ET'));
      const page = u.add(new PdfDict([['Type', PdfName.of('Page')], ['Parent', pagesRef], ['MediaBox', [0, 0, 595.28, 841.89]], ['Contents', content], ['Resources', new PdfDict()]]));
      pages.set('Kids', [...(r.resolve(pages.get('Kids')) as PdfObject[]), page]);
      pages.set('Count', 2);
      u.set(pagesRef, pages);
    });
    const rep = classify(out, s.signedLength);
    expect(rep.kind).toBe('disallowed');
    expect(rep.details).toContain('page count changed from 1 to 2');
    expect(rep.details.some((d) => /^page tree node redefined \(obj \d+\)$/.test(d))).toBe(true);
  });

  test('a font used by the page redefined', async () => {
    const s = await sign(file('gs-14'));
    let fontNum = 0;
    const out = update(s.path, (r, u) => {
      const fonts = r.resolveDict(r.pages()[0]!.resources!.get('Font'))!;
      const ref = [...fonts.map.values()].find(isRef)!;
      fontNum = ref.num;
      const f = (r.get(ref) as PdfDict).clone();
      f.set('BaseFont', PdfName.of('Courier'));
      u.set(ref, f);
    });
    const rep = classify(out, s.signedLength);
    expect(rep.kind).toBe('disallowed');
    expect(rep.details.some((d) => d.startsWith('page 1 /Resources') && d.endsWith(` redefined (obj ${fontNum})`))).toBe(true);
  });

  test('the image XObject drawn by a scanned page redefined', async () => {
    const s = await sign(file('scan'));
    let imageNum = 0;
    const out = update(s.path, (r, u) => {
      const xo = r.resolveDict(r.pages()[0]!.resources!.get('XObject'))!;
      const ref = [...xo.map.values()].find(isRef)!;
      imageNum = ref.num;
      const img = r.get(ref) as PdfStream;
      const data = Buffer.from(r.rawStreamData(img));
      data[data.length - 10] ^= 0xff;
      u.set(ref, new PdfStream(img.dict.clone(), 0, data.length, data));
    });
    const rep = classify(out, s.signedLength);
    expect(rep.kind).toBe('disallowed');
    expect(rep.details.some((d) => d.startsWith('page 1 /Resources') && d.endsWith(`redefined (obj ${imageNum})`))).toBe(true);
  });

  test('shadow: an unused object of the signed revision redefined as the page content', async () => {
    let orphan!: PdfRef;
    const prepared = update(file('pdflib-1'), (_r, u) => {
      orphan = u.add(new PdfDict([['Note', textString('unused')]]));
    });
    const s = await sign(prepared);
    const out = update(s.path, (r, u) => {
      u.set(orphan, stream('BT /F1 30 Tf 72 600 Td (Noi dung gia) Tj ET'));
      const page = r.pages()[0]!;
      const p = page.dict.clone();
      p.set('Contents', orphan);
      u.set(page.ref, p);
    });
    const rep = classify(out, s.signedLength);
    expect(rep.kind).toBe('disallowed');
    expect(rep.details.some((d) => d.startsWith('page 1 /Contents changed'))).toBe(true);
    expect(rep.details.some((d) => d.startsWith(`object ${orphan.num} of the earlier revision redefined`))).toBe(true);
  });

  test('shadow: a dangling reference of the signed revision filled in later', async () => {
    // Before signing, page 1's resources name an XObject whose object does not exist yet.
    const dangling = new PdfRef(900, 0);
    const prepared = update(file('pdflib-1'), (r, u) => {
      const page = r.pages()[0]!;
      const p = page.dict.clone();
      const res = (r.resolveDict(page.dict.get('Resources')) ?? new PdfDict()).clone();
      res.set('XObject', new PdfDict([['Stamp', dangling]]));
      p.set('Resources', res);
      const c = page.dict.get('Contents');
      const draw = u.add(stream('q 1 0 0 1 0 0 cm /Stamp Do Q'));
      p.set('Contents', [...(isArray(c) ? c : [c!]), draw]);
      u.set(page.ref, p);
    });
    const s = await sign(prepared);
    const out = update(s.path, (_r, u) => {
      u.set(dangling, stream('BT /F1 40 Tf 100 400 Td (DA HUY) Tj ET', [['Type', PdfName.of('XObject')], ['Subtype', PdfName.of('Form')], ['BBox', [0, 0, 595, 842]]]));
    });
    const rep = classify(out, s.signedLength);
    expect(rep.kind).toBe('disallowed');
    expect(rep.details.some((d) => d.startsWith('new object 900 (/XObject /Form) is used by'))).toBe(true);
  });

  test('catalog /OpenAction added', async () => {
    const s = await sign(file('pdflib-1'));
    const out = update(s.path, (r, u) => {
      const cat = r.catalog().clone();
      cat.set('OpenAction', new PdfDict([['S', PdfName.of('JavaScript')], ['JS', textString('app.alert(1)')]]));
      u.set(r.rootRef(), cat);
    });
    const rep = classify(out, s.signedLength);
    expect(rep.kind).toBe('disallowed');
    expect(rep.details).toContain('catalog /OpenAction added');
  });

  test('xref-only hide: an entry pointing back to an older definition inside the signed bytes', async () => {
    // Revision 1: pdf-lib's file; revision 2 (still before signing) replaces page 1's content.
    const original = file('pdflib-1');
    const contents = pageContentsRef(original);
    const oldDefinition = (() => {
      const r = PdfReader.open(original);
      try {
        const e = r.xref.get(contents.num)!;
        if (e.type !== 'n') throw new Error('expected a classic entry');
        return e.offset;
      } finally {
        r.close();
      }
    })();
    const revised = update(original, (_r, u) => u.set(contents, stream('BT /F1 12 Tf 72 700 Td (Ban sua doi da duyet) Tj ET')));
    const s = await sign(revised);
    // The attack: no new object, only an xref entry that brings back revision 1's content.
    const out = appendRaw(s.path, [{ num: contents.num, gen: 0, at: oldDefinition }]);
    const rep = classify(out, s.signedLength);
    expect(rep.kind).toBe('disallowed');
    expect(rep.details).toContain(`cross-reference entry of object ${contents.num} points back into the earlier revision's bytes (offset ${oldDefinition}) instead of the definition that revision used`);
    expect(rep.details).toContain(`page 1 /Contents redefined (obj ${contents.num})`);
  });

  test('an object stream redefined: the page inside it changes without an xref entry of its own', async () => {
    const s = await sign(file('qpdf-objstm'));
    let pageNum = 0;
    const out = update(s.path, (r, u) => {
      const page = r.pages()[1]!; // page 1 was rewritten by the signature (its /Annots); page 2 is still in the object stream
      pageNum = page.ref.num;
      const e = r.xref.get(pageNum)!;
      expect(e.type).toBe('c');
      if (e.type !== 'c') return;
      // Rebuild the object stream with the same members, page 2 given another /MediaBox.
      const members = [...r.xref].filter(([, x]) => x.type === 'c' && x.stream === e.stream).map(([n]) => n);
      let header = '';
      let body = '';
      for (const n of members) {
        let v = r.get(new PdfRef(n, 0));
        if (n === pageNum) v = (v as PdfDict).clone().set('MediaBox', [0, 0, 300, 300]);
        header += `${n} ${body.length} `;
        body += serialize(v as PdfObject) + '\n';
      }
      const data = Buffer.from(header + body, 'latin1');
      u.set(new PdfRef(e.stream, 0), new PdfStream(new PdfDict([['Type', PdfName.of('ObjStm')], ['N', members.length], ['First', header.length]]), 0, data.length, data));
    });
    const r = PdfReader.open(out);
    expect(r.pages()[1]!.mediaBox).toEqual([0, 0, 300, 300]);
    r.close();
    const rep = classify(out, s.signedLength);
    expect(rep.kind).toBe('disallowed');
    expect(rep.details).toContain(`page 2 /MediaBox changed (obj ${pageNum})`);
  });

  test('a generation number changed', async () => {
    const s = await sign(file('gs-14'));
    const r = PdfReader.open(s.path);
    const info = r.trailer.get('Info') as PdfRef;
    const text = serialize((r.get(info) as PdfDict).clone().set('Title', textString('Tieu de moi')));
    r.close();
    const out = appendRaw(s.path, [{ num: info.num, gen: 1, text }]);
    const rep = classify(out, s.signedLength);
    expect(rep.kind).toBe('disallowed');
    expect(rep.details).toContain(`generation number of object ${info.num} changed (0 → 1)`);
  });

  test('an object of the signed revision deleted (free entry)', async () => {
    const s = await sign(file('pdflib-1'));
    const contents = pageContentsRef(s.path);
    const out = appendRaw(s.path, [], [contents.num]);
    const rep = classify(out, s.signedLength);
    expect(rep.kind).toBe('disallowed');
    expect(rep.details.some((d) => d.startsWith(`object ${contents.num}`) && d.includes('deleted (free entry)'))).toBe(true);
  });
});

describe('bookkeeping and odd input', () => {
  test('only /Info changed: "none"', async () => {
    const s = await sign(file('gs-14'));
    const out = update(s.path, (r, u) => {
      const ref = r.trailer.get('Info') as PdfRef;
      u.set(ref, (r.get(ref) as PdfDict).clone().set('Title', textString('Tiêu đề mới')));
    });
    expect(classify(out, s.signedLength)).toEqual({ kind: 'none', revisionsAfter: 1, details: ['document information dictionary (/Info) updated'] });
  });

  test('an object redefined with the same content is not a change', async () => {
    const s = await sign(file('pdflib-1'));
    const contents = pageContentsRef(s.path);
    const out = update(s.path, (r, u) => {
      const st = r.get(contents) as PdfStream;
      const raw = r.rawStreamData(st);
      u.set(contents, new PdfStream(st.dict.clone(), 0, raw.length, Buffer.from(raw)));
    });
    expect(classify(out, s.signedLength)).toEqual({ kind: 'none', revisionsAfter: 1, details: [] });
  });

  test('an unreadable later revision is disallowed, never thrown', async () => {
    const s = await sign(file('pdflib-1'));
    const out = tmp('garbage');
    writeFileSync(out, Buffer.concat([readFileSync(s.path), Buffer.from('9 0 obj\n<< /Type /Page /Contents [ 1 0 R\nstartxref\n123456789\n%%EOF\n', 'latin1')]));
    const rep = classify(out, s.signedLength);
    expect(rep.kind).toBe('disallowed');
    expect(rep.details.length).toBeGreaterThan(0);
  });

  test('objects appended without a cross-reference section are disallowed', async () => {
    const s = await sign(file('pdflib-1'));
    const contents = pageContentsRef(s.path);
    const out = tmp('no-xref');
    const obj = serializeIndirect(contents, stream('BT /F1 12 Tf 72 700 Td (Khac) Tj ET'));
    writeFileSync(out, Buffer.concat([readFileSync(s.path), obj]));
    const rep = classify(out, s.signedLength);
    expect(rep.kind).toBe('disallowed');
    expect(rep.details.some((d) => d.includes('without a proper end'))).toBe(true);
  });

  test('trailing white space only is no revision; a signed length outside the file is disallowed', async () => {
    const s = await sign(file('pdflib-1'));
    const out = tmp('ws');
    writeFileSync(out, Buffer.concat([readFileSync(s.path), Buffer.from('\r\n  \n')]));
    expect(classify(out, s.signedLength)).toEqual({ kind: 'none', revisionsAfter: 0, details: [] });
    expect(classify(out, size(out) + 10).kind).toBe('disallowed');
    expect(classify(out, 0).kind).toBe('disallowed');
    // A "signed length" that is not the end of a revision.
    const mid = classify(s.path, 500);
    expect(mid.kind).toBe('disallowed');
    expect(mid.details).toContain('the signed revision has broken cross-reference information (read by scanning)');
  });

  test('in-memory buffers work too', async () => {
    const s = await sign(file('gs-14'));
    const out = update(s.path, (r, u) => addDocumentNumber(r, u));
    const r = PdfReader.fromBuffer(readFileSync(out));
    expect(classifyChanges(r, s.signedLength).kind).toBe('annotations');
  });
});

// ---------------------------------------------------------------------------------------------
// Objects dressed up as something else (found by attacking the classifier): the signed file is the
// attacker's own, built so that a later update can redefine what a page draws under a rule meant
// for something harmless (the XMP metadata, /Info, an annotation).

/** A stream object's text with its /Length. */
const st = (dict: string, data: string): string => `<< ${dict} /Length ${Buffer.byteLength(data, 'latin1')} >>\nstream\n${data}\nendstream`;

/** A one-page PDF written by hand: objects 1.. in order, the trailer's extra entries. */
function handPdf(objects: string[], trailerExtra = ''): string {
  let pdf = '%PDF-1.7\n';
  const offsets: number[] = [];
  objects.forEach((o, i) => {
    offsets.push(pdf.length);
    pdf += `${i + 1} 0 obj\n${o}\nendobj\n`;
  });
  const xref = pdf.length;
  pdf += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n${offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('')}`;
  pdf += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R ${trailerExtra} >>\nstartxref\n${xref}\n%%EOF\n`;
  const out = tmp('hand');
  writeFileSync(out, pdf, 'latin1');
  return out;
}

describe('objects dressed up as something else', () => {
  const PAY = (amount: string) => `BT /F1 24 Tf 72 700 Td (Pay ${amount} EUR) Tj ET`;
  const FONT = '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>';
  const cases: Array<{ what: string; objects: string[]; trailer?: string; redefine: { num: number; text: string }; detail: RegExp }> = [
    {
      what: 'the XObject a page draws under the resource name /P is also the catalog /Metadata',
      objects: ['<< /Type /Catalog /Pages 2 0 R /Metadata 6 0 R >>', '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
        '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /XObject << /P 6 0 R >> >> /Contents 4 0 R >>',
        st('', '/P Do'), FONT, st('/Type /XObject /Subtype /Form /BBox [0 0 595 842] /Resources << /Font << /F1 5 0 R >> >>', PAY('100'))],
      redefine: { num: 6, text: st('/Type /XObject /Subtype /Form /BBox [0 0 595 842] /Resources << /Font << /F1 5 0 R >> >>', PAY('999999')) },
      detail: /page 1 \/Resources \/P redefined \(obj 6\)/,
    },
    {
      what: 'the page content stream, given /Subtype /XML and a /Rect, is also the catalog /Metadata',
      objects: ['<< /Type /Catalog /Pages 2 0 R /Metadata 4 0 R >>', '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
        '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>',
        st('/Type /Metadata /Subtype /XML /Rect [0 0 0 0]', PAY('100')), FONT],
      redefine: { num: 4, text: st('/Type /Metadata /Subtype /XML /Rect [0 0 0 0]', PAY('999999')) },
      detail: /page 1 \/Contents redefined \(obj 4\)/,
    },
    {
      what: 'the font, given /Rect, /FT, /T and /Kids like a form field, is also /Info',
      objects: ['<< /Type /Catalog /Pages 2 0 R >>', '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
        '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>',
        st('', PAY('100')), '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Rect [0 0 1 1] /FT /Tx /T (x) /Kids [] >>'],
      trailer: '/Info 5 0 R',
      redefine: { num: 5, text: '<< /Type /Font /Subtype /Type1 /BaseFont /ZapfDingbats /Rect [0 0 1 1] /FT /Tx /T (x) /Kids [] >>' },
      detail: /page 1 \/Resources \/F1 redefined \(obj 5\)|page 1 \/Resources redefined \(obj 5\)/,
    },
  ];
  for (const c of cases) {
    test(`${c.what}: redefining it is disallowed`, async () => {
      const s = await sign(handPdf(c.objects, c.trailer));
      const rep = classify(appendRaw(s.path, [{ num: c.redefine.num, gen: 0, text: c.redefine.text }]), s.signedLength);
      expect(rep.kind, rep.details.join('; ')).toBe('disallowed');
      expect(rep.details.some((d) => c.detail.test(d)), rep.details.join('; ')).toBe(true);
    });
  }

  test('the same files with only the metadata or /Info really changed: harmless', async () => {
    const s = await sign(handPdf(['<< /Type /Catalog /Pages 2 0 R /Metadata 5 0 R >>', '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
      '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>', st('', ''), st('/Type /Metadata /Subtype /XML', '<x:xmpmeta/>')], '/Info 6 0 R'));
    const rep = classify(appendRaw(s.path, [{ num: 5, gen: 0, text: st('/Type /Metadata /Subtype /XML', '<x:xmpmeta a="1"/>') }]), s.signedLength);
    expect(rep.kind, rep.details.join('; ')).toBe('none');
  });
});

describe('sneaky signatures and many annotations', () => {
  /** Adds an unsigned signature field with a widget on page 1 whose appearance paints `content`. */
  function addEmptySignatureField(input: string, content: string): string {
    return update(input, (r, u) => {
      const form = readForm(r);
      const ap = u.add(stream(content, [['Type', PdfName.of('XObject')], ['Subtype', PdfName.of('Form')], ['BBox', [0, 0, 300, 40]],
        ['Resources', new PdfDict([['Font', new PdfDict([['Helv', helvetica(u)]])]])]]));
      const field = addAnnotation(u, r, new PdfDict([['FT', PdfName.of('Sig')], ['T', textString('KyTiep')], ['Type', PdfName.of('Annot')],
        ['Subtype', PdfName.of('Widget')], ['Rect', [60, 690, 360, 730]], ['F', 4], ['AP', new PdfDict([['N', ap]])]]));
      const af = form.acroForm!.clone();
      af.set('Fields', [...form.fields, field]);
      u.set(form.acroFormRef!, af);
    });
  }

  test('an unsigned signature field whose widget paints over the page counts as an annotation, not a signature', async () => {
    const s = await sign(file('acroform'));
    const rep = classify(addEmptySignatureField(s.path, '1 1 1 rg 0 0 300 40 re f BT /Helv 24 Tf 0 0 0 rg 4 10 Td (Pay 999999 EUR) Tj ET'), s.signedLength);
    expect(rep.kind, rep.details.join('; ')).toBe('annotations');
    expect(rep.details).toContain('empty signature field KyTiep added with a visible appearance (drawn over the page)');
  });

  test('a blank "sign here" field stays "signatures"', async () => {
    const s = await sign(file('acroform'));
    const rep = classify(addEmptySignatureField(s.path, ' '), s.signedLength);
    expect(rep.kind, rep.details.join('; ')).toBe('signatures');
    expect(rep.details).toContain('empty signature field KyTiep added');
  });

  test('a page with 3,000 annotations written into its /Annots array, then /Info updated: none; one of them changed: annotations', async () => {
    const annots = Array.from({ length: 3000 }, (_, i) => `<< /Type /Annot /Subtype /Square /Rect [${i % 500} ${i % 700} ${(i % 500) + 5} ${(i % 700) + 5}] /C [1 0 0] >>`);
    const s = await sign(handPdf(['<< /Type /Catalog /Pages 2 0 R >>', '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
      `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Annots [${annots.join(' ')}] >>`, st('', ''), '<< /Title (A) >>'], '/Info 5 0 R'));
    expect(classify(appendRaw(s.path, [{ num: 5, gen: 0, text: '<< /Title (B) >>' }]), s.signedLength).kind).toBe('none');
    // The page as signed (its /Annots now ends with the signature's widget), one square recoloured.
    const r = PdfReader.open(s.path);
    const page = r.pages()[0]!;
    r.close();
    const list = [...(page.dict.get('Annots') as PdfObject[])];
    const square = (list[1234] as PdfDict).clone();
    square.set('C', [1, 1, 1]);
    list[1234] = square;
    const p = page.dict.clone();
    p.set('Annots', list);
    const rep = classify(appendRaw(s.path, [{ num: page.ref.num, gen: 0, text: serialize(p) }]), s.signedLength);
    expect(rep.kind, rep.details.join('; ')).toBe('annotations');
    expect(rep.details).toEqual(['page 1: /Square annotation added', 'page 1: /Square annotation removed']);
  });
});
