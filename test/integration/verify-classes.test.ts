// Issue 12: each class of file on which Kyso disagreed with pyHanko or iText (verify-peer.test.ts),
// built here from small hand-written PDFs, Kyso's own signer, IncrementalUpdate, openssl and
// PKI.js, so that the behaviour stays when the peer files change. Changes are judged in-process
// (classifyChanges); cryptography through the `kyso verify` command.
import { spawnSync } from 'node:child_process';
import { createHash, createPrivateKey, generateKeyPairSync, sign as nodeSign, type KeyObject } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { SoftwareSigner } from '../../src/main/cms/signer.js';
import { IncrementalUpdate } from '../../src/main/pdf/incremental.js';
import { PdfDict, PdfName, PdfRaw, PdfRef, PdfString, type PdfObject } from '../../src/main/pdf/objects.js';
import { serialize } from '../../src/main/pdf/serialize.js';
import { PdfReader } from '../../src/main/pdf/reader.js';
import { signPdf, type SignPdfOptions } from '../../src/main/sign/sign.js';
import { classifyChanges, type ChangeReport } from '../../src/main/verify/changes.js';
import { sharedTestPki } from '../fixtures/pki.js';
import { withSignatureValue } from '../fixtures/pdf-edit.js';
import { makeTempDir, removeTempDir, repoRoot } from '../fixtures/tmp.js';
import { runTool } from '../fixtures/tools.js';

const pki = await sharedTestPki();
const signer = new SoftwareSigner(pki.leader.privateKey, pki.leader.certDer, [pki.subCa.certDer]);
let work: string;
let counter = 0;

beforeAll(() => {
  work = makeTempDir('verify-classes');
});
afterAll(() => removeTempDir(work));

const tmp = (label: string): string => join(work, `${++counter}-${label}.pdf`);

/** A PDF written by hand: `objects[i]` is the body of object i + 1 (object 1 the catalog). */
function rawPdf(objects: string[], trailerExtra = ''): string {
  let out = '%PDF-1.7\n%\xe2\xe3\xcf\xd3\n';
  const offsets: number[] = [];
  objects.forEach((body, i) => {
    offsets.push(Buffer.byteLength(out, 'latin1'));
    out += `${i + 1} 0 obj\n${body}\nendobj\n`;
  });
  const xref = Buffer.byteLength(out, 'latin1');
  out += `xref\n0 ${objects.length + 1}\n0000000000 65535 f\r\n${offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n\r\n`).join('')}`;
  out += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R ${trailerExtra}>>\nstartxref\n${xref}\n%%EOF\n`;
  const path = tmp('base');
  writeFileSync(path, Buffer.from(out, 'latin1'));
  return path;
}

const stream = (data: string, dict = ''): string => `<< /Length ${Buffer.byteLength(data, 'latin1')} ${dict}>>\nstream\n${data}\nendstream`;
const raw = (text: string): PdfRaw => new PdfRaw(Buffer.from(text, 'latin1'));
const ref = (num: number): PdfRef => new PdfRef(num, 0);

const PAGE = '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> %EXTRA% >>';
const FONT = '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>';

/** A one-page document; `catalog` and `page` extras go into those dictionaries, `more` are objects 6 on. */
function doc(opts: { catalog?: string; page?: string; content?: string; more?: string[]; trailer?: string } = {}): string {
  return rawPdf(
    [
      `<< /Type /Catalog /Pages 2 0 R ${opts.catalog ?? ''} >>`,
      '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
      PAGE.replace('%EXTRA%', opts.page ?? ''),
      stream(opts.content ?? 'BT /F1 24 Tf 72 700 Td (Quyet dinh so 15) Tj ET'),
      FONT,
      ...(opts.more ?? []),
    ],
    opts.trailer,
  );
}

interface Signed {
  path: string;
  signedLength: number;
}

async function sign(input: string, opts: Partial<SignPdfOptions> = {}): Promise<Signed> {
  const output = tmp('signed');
  const r = await signPdf({ input, output, signer, ...opts });
  return { path: output, signedLength: r.byteRange[2] + r.byteRange[3] };
}

/** Page 1 of `r` with annotations `add` added to its /Annots and `drop` taken out (Kyso's signature widget stays). */
function pageWith(r: PdfReader, add: PdfRef[], drop: number[] = []): PdfDict {
  const page = r.pages()[0]!;
  const now = (r.resolve(page.dict.get('Annots')) ?? []) as PdfObject[];
  const kept = now.filter((a) => !(a instanceof PdfRef && drop.includes(a.num)));
  return page.dict.clone().set('Annots', [...kept, ...add]);
}

function update(input: string, edit: (u: IncrementalUpdate, r: PdfReader) => void): string {
  const r = PdfReader.open(input);
  try {
    const u = new IncrementalUpdate(r);
    edit(u, r);
    const out = tmp('updated');
    writeFileSync(out, Buffer.concat([readFileSync(input), u.build().bytes]));
    return out;
  } finally {
    r.close();
  }
}

function classify(path: string, signedLength: number): ChangeReport {
  const r = PdfReader.open(path);
  try {
    return classifyChanges(r, signedLength);
  } finally {
    r.close();
  }
}

/** The catalog of `r` with `entries` set. */
function catalogWith(r: PdfReader, entries: Array<[string, PdfObject]>): PdfDict {
  const d = r.catalog().clone();
  for (const [k, v] of entries) d.set(k, v);
  return d;
}

describe('catalog /Version and /Extensions (a later signer declaring PDF 2.0)', () => {
  test('version and extension levels declared, the old extensions dictionary rewritten in place: "none"', async () => {
    const s = await sign(doc({ catalog: '/Extensions 6 0 R', more: ['<< >>'] }));
    const out = update(s.path, (u, r) => {
      u.set(r.rootRef(), catalogWith(r, [['Version', PdfName.of('2.0')]]));
      u.set(ref(6), raw('<< /ISO_ [<< /Type /DeveloperExtensions /BaseVersion /2.0 /ExtensionLevel 32002 >>] >>'));
    });
    const rep = classify(out, s.signedLength);
    expect(rep.kind).toBe('none');
    expect(rep.details).toContain('catalog /Version set to /2.0');
    expect(rep.details).toContain('catalog /Extensions updated');
  });

  test('an extensions dictionary the catalog also uses under another key: rewriting it is disallowed', async () => {
    const s = await sign(doc({ catalog: '/Extensions 6 0 R /DontOverrideMe 6 0 R', more: ['<< >>'] }));
    const out = update(s.path, (u) => u.set(ref(6), raw('<< /ISO_ [<< /BaseVersion /2.0 /ExtensionLevel 32002 >>] >>')));
    expect(classify(out, s.signedLength).kind).toBe('disallowed');
  });
});

describe('LTA updates: a DSS whose update has wrong cross-reference offsets', () => {
  /** Signs, then appends a DSS by hand: xref entries `entryShift` bytes off, startxref `startShift` bytes off. */
  async function dssUpdate(entryShift: number, startShift: number): Promise<ChangeReport> {
    const s = await sign(doc());
    const base = readFileSync(s.path);
    const r = PdfReader.open(s.path);
    const next = r.nextObjectNumber;
    const root = r.rootRef();
    const catalog = catalogWith(r, [['DSS', ref(next)]]);
    const prev = r.startxref;
    r.close();
    // A comment first, so that short offsets still point into the update (not the signed bytes).
    let body = '% validation data\n';
    const at = (): number => base.length + Buffer.byteLength(body, 'latin1');
    const dssAt = at();
    body += `${next} 0 obj\n<< /Type /DSS /Certs [] >>\nendobj\n`;
    const rootAt = at();
    body += `${root.num} 0 obj\n${serialize(catalog)}\nendobj\n`;
    const xrefAt = at();
    const entry = (o: number): string => `${String(o - entryShift).padStart(10, '0')} 00000 n\r\n`;
    body += `xref\n${root.num} 1\n${entry(rootAt)}${next} 1\n${entry(dssAt)}trailer\n<< /Size ${next + 1} /Root ${root.num} 0 R /Prev ${prev} >>\nstartxref\n${xrefAt + startShift}\n%%EOF\n`;
    const out = tmp('dss-offsets');
    writeFileSync(out, Buffer.concat([base, Buffer.from(body, 'latin1')]));
    return classify(out, s.signedLength);
  }

  test('object offsets 7 bytes short: the objects are found by scanning; "none", with a warning', async () => {
    const rep = await dssUpdate(7, 0);
    expect(rep.kind, rep.details.join('\n')).toBe('none');
    expect(rep.details).toContain('DSS (validation data) added');
    expect(rep.warnings?.join('\n')).toMatch(/wrong cross-reference offsets/);
  });

  test('startxref 3 bytes past the xref keyword: the section is found nearby; "none", with a warning', async () => {
    const rep = await dssUpdate(0, 3);
    expect(rep.kind, rep.details.join('\n')).toBe('none');
    expect(rep.warnings?.join('\n')).toMatch(/wrong cross-reference offsets/);
  });
});

describe('document information and XMP metadata rewritten with an allowed change', () => {
  test('a new XMP stream and an annotation: "annotations", not disallowed', async () => {
    const s = await sign(doc());
    const out = update(s.path, (u, r) => {
      const xmp = u.add(raw(stream('<x:xmpmeta xmlns:x="adobe:ns:meta/"/>', '/Type /Metadata /Subtype /XML ')));
      const annot = u.add(raw('<< /Type /Annot /Subtype /Text /Rect [10 10 30 30] /Contents (ghi chu) /P 3 0 R >>'));
      u.set(r.rootRef(), catalogWith(r, [['Metadata', xmp]]));
      u.set(ref(3), pageWith(r, [annot]));
    });
    const rep = classify(out, s.signedLength);
    expect(rep.kind).toBe('annotations');
    expect(rep.details).toContain('XMP metadata updated');
  });
});

describe('tagged PDF: structure tree entries that accompany an annotation', () => {
  // Objects 6–8: structure tree root, one paragraph element tagging marked content 0, parent tree.
  const tagged = (): string =>
    doc({
      catalog: '/StructTreeRoot 6 0 R /MarkInfo << /Marked true >>',
      page: '/StructParents 0',
      content: '/P << /MCID 0 >> BDC BT /F1 24 Tf 72 700 Td (Quyet dinh so 15) Tj ET EMC',
      more: [
        '<< /Type /StructTreeRoot /K [7 0 R] /ParentTree 8 0 R /ParentTreeNextKey 1 >>',
        '<< /Type /StructElem /S /P /P 6 0 R /Pg 3 0 R /K [0] >>',
        '<< /Nums [0 [7 0 R]] >>',
      ],
    });

  /** Adds a link annotation on page 1 with its structure element under `parentElem`, as iText does. */
  function addTaggedLink(s: Signed, opts: { elemK?: string; elemExtra?: string; oldElem?: string } = {}): string {
    return update(s.path, (u, r) => {
      const annots = (r.pages()[0]!.dict.get('Annots') ?? []) as PdfRef[];
      const link = u.allocate();
      const elem = u.allocate();
      u.set(link, raw(`<< /Type /Annot /Subtype /Link /Rect [72 600 200 620] /P 3 0 R /StructParent 1 /Border [0 0 0] >>`));
      u.set(elem, raw(`<< /Type /StructElem /S /Link /P 7 0 R /Pg 3 0 R /K ${opts.elemK ?? `<< /Type /OBJR /Obj ${link.num} 0 R >>`} >>`));
      u.set(ref(7), raw(opts.oldElem ?? `<< /Type /StructElem /S /P /P 6 0 R /Pg 3 0 R /K [0 ${elem.num} 0 R] ${opts.elemExtra ?? ''}>>`));
      u.set(ref(8), raw(`<< /Nums [0 [7 0 R] 1 ${elem.num} 0 R] >>`));
      u.set(ref(6), raw('<< /Type /StructTreeRoot /K [7 0 R] /ParentTree 8 0 R /ParentTreeNextKey 2 >>'));
      u.set(ref(3), raw(PAGE.replace('%EXTRA%', `/StructParents 0 /Annots [${[...annots.map((a) => `${a.num} 0 R`), `${link.num} 0 R`].join(' ')}]`)));
    });
  }

  test('a link annotation with its structure element, the parent tree rewritten: "annotations"', async () => {
    const s = await sign(tagged());
    const rep = classify(addTaggedLink(s), s.signedLength);
    expect(rep.kind, rep.details.join('\n')).toBe('annotations');
    expect(rep.details).toContain('structure tree (tags) updated for the annotations, fields or signatures added or removed');
  });

  test('an existing structure element given another key: disallowed', async () => {
    const s = await sign(tagged());
    expect(classify(addTaggedLink(s, { elemExtra: '/Alt (khac)' }), s.signedLength).kind).toBe('disallowed');
  });

  test('tagged page content dropped from its element: disallowed', async () => {
    const s = await sign(tagged());
    const out = addTaggedLink(s, { oldElem: '<< /Type /StructElem /S /P /P 6 0 R /Pg 3 0 R /K [] >>' });
    expect(classify(out, s.signedLength).kind).toBe('disallowed');
  });

  test('a new element that tags page content (not an annotation): disallowed', async () => {
    const s = await sign(tagged());
    expect(classify(addTaggedLink(s, { elemK: '[0]' }), s.signedLength).kind).toBe('disallowed');
  });
});

describe('annotations and widgets removed (no DocMDP)', () => {
  test('an annotation removed, its /Annots array deleted (free entry): "annotations"', async () => {
    const s = await sign(doc({ page: '/Annots 6 0 R', more: ['[7 0 R]', '<< /Type /Annot /Subtype /Text /Rect [10 10 30 30] /Contents (ghi chu) /P 3 0 R >>'] }));
    const base = readFileSync(s.path);
    const r = PdfReader.open(s.path);
    const prev = r.startxref;
    const size = r.nextObjectNumber;
    const rootNum = r.rootRef().num;
    const page = pageWith(r, [], [7]);
    r.close();
    const pageAt = base.length;
    const body = `3 0 obj\n${serialize(page)}\nendobj\n`;
    const xrefAt = pageAt + Buffer.byteLength(body, 'latin1');
    const tail = `xref\n3 1\n${String(pageAt).padStart(10, '0')} 00000 n\r\n6 1\n0000000000 00001 f\r\ntrailer\n<< /Size ${size} /Root ${rootNum} 0 R /Prev ${prev} >>\nstartxref\n${xrefAt}\n%%EOF\n`;
    const out = tmp('annot-removed');
    writeFileSync(out, Buffer.concat([base, Buffer.from(body + tail, 'latin1')]));
    const rep = classify(out, s.signedLength);
    expect(rep.kind, rep.details.join('\n')).toBe('annotations');
    expect(rep.details).toContain('object 6 (array) deleted, no longer used');
  });

  // A text field (6) with two widgets (7, 8) on page 1.
  const withField = (): string =>
    doc({
      catalog: '/AcroForm << /Fields [6 0 R] >>',
      page: '/Annots [7 0 R 8 0 R]',
      more: [
        '<< /FT /Tx /T (so_van_ban) /V (15) /Kids [7 0 R 8 0 R] >>',
        '<< /Type /Annot /Subtype /Widget /Parent 6 0 R /Rect [72 500 200 520] /P 3 0 R >>',
        '<< /Type /Annot /Subtype /Widget /Parent 6 0 R /Rect [72 400 200 420] /P 3 0 R >>',
      ],
    });

  test("a widget of an unlocked text field removed from the field and the page: \"annotations\"", async () => {
    const s = await sign(withField());
    const out = update(s.path, (u, r) => {
      u.set(ref(6), raw('<< /FT /Tx /T (so_van_ban) /V (15) /Kids [7 0 R] >>'));
      u.set(ref(3), pageWith(r, [], [8]));
    });
    const rep = classify(out, s.signedLength);
    expect(rep.kind, rep.details.join('\n')).toBe('annotations');
  });

  test('an unnamed kid with a value of its own is a field: removing it is disallowed', async () => {
    const s = await sign(
      doc({
        catalog: '/AcroForm << /Fields [6 0 R] >>',
        page: '/Annots [7 0 R 8 0 R]',
        more: [
          '<< /FT /Tx /T (so_van_ban) /Kids [7 0 R 8 0 R] >>',
          '<< /Type /Annot /Subtype /Widget /Parent 6 0 R /Rect [72 500 200 520] /P 3 0 R >>',
          '<< /Type /Annot /Subtype /Widget /FT /Tx /V (gia tri rieng) /Parent 6 0 R /Rect [72 400 200 420] /P 3 0 R >>',
        ],
      }),
    );
    const out = update(s.path, (u, r) => {
      u.set(ref(6), raw('<< /FT /Tx /T (so_van_ban) /Kids [7 0 R] >>'));
      u.set(ref(3), pageWith(r, [], [8]));
    });
    expect(classify(out, s.signedLength).kind).toBe('disallowed');
  });
});

describe('appearances of an existing signature field swapped through shared objects ("sneaky")', () => {
  // An empty signature field (6, merged with its widget) whose appearance dictionary (7) is an
  // indirect object, its normal appearance stream 8.
  const SIG_FIELD = '<< /Type /Annot /Subtype /Widget /FT /Sig /T (Sig2) /Rect [72 100 272 160] /F 4 /P 3 0 R /AP 7 0 R >>';
  const withEmptySigField = (opts: { catalog?: string; trailer?: string } = {}): string =>
    doc({
      catalog: `/AcroForm << /Fields [6 0 R] >> ${opts.catalog ?? ''}`,
      page: '/Annots [6 0 R]',
      more: [SIG_FIELD, '<< /N 8 0 R >>', stream('', '/Type /XObject /Subtype /Form /BBox [0 0 200 60] ')],
      trailer: opts.trailer,
    });

  /** Signs field Sig2 the way pyHanko's test files do (a signature dictionary, no real CMS needed here). */
  function fillSigField(s: Signed, inPlace: boolean): string {
    return update(s.path, (u) => {
      const sig = u.add(raw('<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter /adbe.pkcs7.detached /ByteRange [0 0 0 0] /Contents <00> >>'));
      const drawn = stream('0 0 1 rg 0 0 200 60 re f', '/Type /XObject /Subtype /Form /BBox [0 0 200 60] ');
      if (inPlace) {
        u.set(ref(8), raw(drawn));
        u.set(ref(6), raw(SIG_FIELD.replace(' >>', ` /V ${sig.num} 0 R >>`)));
      } else {
        const n = u.add(raw(drawn));
        u.set(ref(6), raw(SIG_FIELD.replace('/AP 7 0 R', `/AP << /N ${n.num} 0 R >> /V ${sig.num} 0 R`)));
      }
    });
  }

  test('its appearance stream rewritten in place, used by nothing else: "signatures"', async () => {
    const s = await sign(withEmptySigField());
    const rep = classify(fillSigField(s, true), s.signedLength);
    expect(rep.kind, rep.details.join('\n')).toBe('signatures');
  });

  test('the same, the stream also used by the catalog: disallowed', async () => {
    const s = await sign(withEmptySigField({ catalog: '/FooBar 8 0 R' }));
    expect(classify(fillSigField(s, true), s.signedLength).kind).toBe('disallowed');
  });

  test('the appearance dictionary, shared with the catalog, swapped for a new one: disallowed', async () => {
    const s = await sign(withEmptySigField({ catalog: '/FooBar 7 0 R' }));
    const rep = classify(fillSigField(s, false), s.signedLength);
    expect(rep.kind).toBe('disallowed');
    expect(rep.details.join('\n')).toMatch(/appearance dictionary obj 7 .* also used elsewhere \(obj \d+ \(\/Catalog\)\)/);
  });

  test('the appearance dictionary, shared with the trailer, swapped for a new one: disallowed', async () => {
    const s = await sign(withEmptySigField({ trailer: '/FooBar 7 0 R' }));
    const rep = classify(fillSigField(s, false), s.signedLength);
    expect(rep.kind).toBe('disallowed');
    expect(rep.details.join('\n')).toMatch(/also used elsewhere \(the trailer\)/);
  });
});

describe('shadow attacks', () => {
  test('a widget that belongs to no form field, painting on the page: disallowed; one that paints nothing: "annotations"', async () => {
    const s = await sign(doc());
    const overlay = (content: string): string =>
      update(s.path, (u, r) => {
        const ap = u.add(raw(stream(content, '/Type /XObject /Subtype /Form /BBox [0 0 300 40] ')));
        const w = u.add(raw(`<< /Type /Annot /Subtype /Widget /Rect [72 690 372 730] /F 4 /P 3 0 R /AP << /N ${ap.num} 0 R >> >>`));
        u.set(ref(3), pageWith(r, [w]));
      });
    const painted = classify(overlay('1 g 0 0 300 40 re f BT /Helv 24 Tf 0 g 2 10 Td (Quyet dinh so 51) Tj ET'), s.signedLength);
    expect(painted.kind).toBe('disallowed');
    expect(painted.details.join('\n')).toMatch(/belongs to no form field/);
    expect(classify(overlay(''), s.signedLength).kind).toBe('annotations');
  });

  test('a hidden annotation of the signed revision shown afterwards: disallowed', async () => {
    const annot = (flags: number): string =>
      `<< /Type /Annot /Subtype /FreeText /Rect [72 690 372 730] /F ${flags} /P 3 0 R /DA (/Helv 24 Tf 0 g) /Contents (So 51) /AP << /N 7 0 R >> >>`;
    const s = await sign(doc({ page: '/Annots [6 0 R]', more: [annot(2), stream('1 g 0 0 300 40 re f', '/Type /XObject /Subtype /Form /BBox [0 0 300 40] ')] }));
    const out = update(s.path, (u) => u.set(ref(6), raw(annot(4))));
    const rep = classify(out, s.signedLength);
    expect(rep.kind).toBe('disallowed');
    expect(rep.details.join('\n')).toMatch(/hidden \/FreeText annotation \(obj 6\) made visible/);
  });
});

// ---------------------------------------------------------------------------------------------
// Cryptography, through the command.

interface VerifyJson {
  signatures: Array<{
    indication: string;
    subIndication: string | null;
    integrity: string;
    modificationsAfter: string;
    details: { signatureAlgorithm: string | null; warnings: string[]; faults: string[]; changes: string[] };
  }>;
}

function kysoVerify(file: string, trust: string[]): VerifyJson {
  const r = spawnSync(join(repoRoot(), 'bin', 'kyso'), ['verify', file, '--json', '--offline', ...trust.flatMap((t) => ['--trust', t])], {
    encoding: 'utf8',
    env: { ...process.env, KYSO_TRUST: '', XDG_CONFIG_HOME: join(work, 'config'), XDG_CACHE_HOME: join(work, 'cache') },
  });
  if (!r.stdout.trim().startsWith('{')) throw new Error(`kyso verify: exit ${r.status}: ${r.stderr}`);
  return JSON.parse(r.stdout) as VerifyJson;
}

/** A file signed by Kyso with room to spare, the bytes it signs, and where its /Contents hex lies. */
async function signedWithRoom(): Promise<{ pdf: Buffer; content: string; hexAt: number; hexLength: number }> {
  const out = tmp('room');
  const r = await signPdf({ input: doc(), output: out, signer, extraReserve: 12_000 });
  const pdf = readFileSync(out);
  const br = r.byteRange;
  const content = join(work, `${++counter}-content.bin`);
  writeFileSync(content, Buffer.concat([pdf.subarray(br[0], br[0] + br[1]), pdf.subarray(br[2], br[2] + br[3])]));
  return { pdf, content, hexAt: br[1] + 1, hexLength: br[2] - br[1] - 2 };
}

function withCms(base: { pdf: Buffer; hexAt: number; hexLength: number }, der: Buffer): string {
  const out = tmp('cms');
  writeFileSync(out, withSignatureValue(base.pdf, der, base.hexAt, base.hexLength));
  return out;
}

/** A self-signed certificate for an EdDSA key (openssl), and the key. */
function edwardsCert(alg: 'ed25519' | 'ed448'): { key: KeyObject; pem: string } {
  const { privateKey } = alg === 'ed25519' ? generateKeyPairSync('ed25519') : generateKeyPairSync('ed448');
  const keyPath = join(work, `${alg}.key.pem`);
  const pem = join(work, `${alg}.cert.pem`);
  writeFileSync(keyPath, privateKey.export({ type: 'pkcs8', format: 'pem' }));
  runTool('openssl', ['req', '-x509', '-new', '-key', keyPath, '-subj', `/CN=${alg} signer`, '-days', '30', '-out', pem, '-addext', 'keyUsage=critical,digitalSignature,nonRepudiation']);
  return { key: createPrivateKey(readFileSync(keyPath)), pem };
}

/**
 * A detached CMS over `content` signed with EdDSA (RFC 8419), built with PKI.js and Node's crypto:
 * OpenSSL 3.0's CMS cannot sign with EdDSA. `digestOid`: the digest algorithm the signer info names.
 */
function edwardsCms(key: KeyObject, certPem: string, sigOid: string, digestOid: string, digest: Buffer): Buffer {
  const der = Buffer.from(certPem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, ''), 'base64');
  const cert = pkijs.Certificate.fromBER(der);
  const attrs = [
    new pkijs.Attribute({ type: '1.2.840.113549.1.9.3', values: [new asn1js.ObjectIdentifier({ value: '1.2.840.113549.1.7.1' })] }),
    new pkijs.Attribute({ type: '1.2.840.113549.1.9.4', values: [new asn1js.OctetString({ valueHex: digest })] }),
  ];
  const signedAttrs = new pkijs.SignedAndUnsignedAttributes({ type: 0, attributes: attrs });
  const encoded = Buffer.from(signedAttrs.toSchema().toBER(false));
  encoded[0] = 0x31; // signed as a SET
  const signature = nodeSign(null, encoded, key);
  const si = new pkijs.SignerInfo({
    version: 1,
    sid: new pkijs.IssuerAndSerialNumber({ issuer: cert.issuer, serialNumber: cert.serialNumber }),
    digestAlgorithm: new pkijs.AlgorithmIdentifier({ algorithmId: digestOid }),
    signedAttrs,
    signatureAlgorithm: new pkijs.AlgorithmIdentifier({ algorithmId: sigOid }),
    signature: new asn1js.OctetString({ valueHex: signature }),
  });
  const sd = new pkijs.SignedData({
    version: 1,
    digestAlgorithms: [new pkijs.AlgorithmIdentifier({ algorithmId: digestOid })],
    encapContentInfo: new pkijs.EncapsulatedContentInfo({ eContentType: '1.2.840.113549.1.7.1' }),
    certificates: [cert],
    signerInfos: [si],
  });
  return Buffer.from(new pkijs.ContentInfo({ contentType: '1.2.840.113549.1.7.2', content: sd.toSchema(true) }).toSchema().toBER(false));
}

/** `der` (a DER ContentInfo) with its outer three levels in BER's indefinite-length form. */
function indefinite(der: Buffer): Buffer {
  const tlv = (b: Buffer, at: number): { end: number; body: Buffer } => {
    const long = b[at + 1]! >= 0x80;
    const n = long ? b[at + 1]! & 0x7f : 0;
    const len = long ? b.readUIntBE(at + 2, n) : b[at + 1]!;
    const hl = 2 + n;
    return { end: at + hl + len, body: b.subarray(at + hl, at + hl + len) };
  };
  const indef = (tag: number, parts: Buffer[]): Buffer => Buffer.concat([Buffer.from([tag, 0x80]), ...parts, Buffer.from([0, 0])]);
  const ci = tlv(der, 0);
  const oid = tlv(ci.body, 0);
  const signedData = tlv(tlv(ci.body, oid.end).body, 0);
  return indef(0x30, [ci.body.subarray(0, oid.end), indef(0xa0, [indef(0x30, [signedData.body])])]);
}

describe('cryptography other producers use', () => {
  test('Ed25519 with SHA-512: verified', async () => {
    // The certificate first: a signing time before its notBefore would make the signature fail.
    const { key, pem } = edwardsCert('ed25519');
    const base = await signedWithRoom();
    const content = readFileSync(base.content);
    const der = edwardsCms(key, readFileSync(pem, 'utf8'), '1.3.101.112', '2.16.840.1.101.3.4.2.3', createHash('sha512').update(content).digest());
    const sig = kysoVerify(withCms(base, der), [pem]).signatures[0]!;
    expect(sig).toMatchObject({ integrity: 'valid' });
    expect(sig.indication).not.toBe('TOTAL_FAILED');
    expect(sig.details.signatureAlgorithm).toBe('Ed25519 with sha512');
  });

  test('Ed448 with SHAKE256: verified; Ed448 with SHA-512: CRYPTO_CONSTRAINTS_FAILURE (RFC 8419)', async () => {
    // The certificate first: a signing time before its notBefore would make the signature fail.
    const { key, pem } = edwardsCert('ed448');
    const base = await signedWithRoom();
    const content = readFileSync(base.content);
    const shake = createHash('shake256', { outputLength: 64 }).update(content).digest();
    const good = kysoVerify(withCms(base, edwardsCms(key, readFileSync(pem, 'utf8'), '1.3.101.113', '2.16.840.1.101.3.4.2.12', shake)), [pem]).signatures[0]!;
    expect(good.integrity).toBe('valid');
    expect(good.indication).not.toBe('TOTAL_FAILED');
    expect(good.details.signatureAlgorithm).toBe('Ed448 with shake256');
    const sha512 = createHash('sha512').update(content).digest();
    const bad = kysoVerify(withCms(base, edwardsCms(key, readFileSync(pem, 'utf8'), '1.3.101.113', '2.16.840.1.101.3.4.2.3', sha512)), [pem]).signatures[0]!;
    expect(bad).toMatchObject({ indication: 'INDETERMINATE', subIndication: 'CRYPTO_CONSTRAINTS_FAILURE' });
  });

  test('RSASSA-PSS with SHA-512 (and MGF1 with SHA-512): verified', async () => {
    const base = await signedWithRoom();
    const der = join(work, 'pss.der');
    runTool('openssl', ['cms', '-sign', '-binary', '-nosmimecap', '-md', 'sha512', '-in', base.content, '-signer', pki.leader.certPath, '-inkey', pki.leader.keyPath,
      '-keyopt', 'rsa_padding_mode:pss', '-keyopt', 'rsa_mgf1_md:sha512', '-certfile', pki.subCa.certPath, '-outform', 'DER', '-out', der]);
    const sig = kysoVerify(withCms(base, readFileSync(der)), [pki.rootPemPath]).signatures[0]!;
    expect(sig.integrity).toBe('valid');
    expect(sig.indication).not.toBe('TOTAL_FAILED');
    expect(sig.details.signatureAlgorithm).toBe('RSASSA-PSS with sha512, MGF1 with sha512');
  });

  test('two signer infos: the one that signs is validated, the other named in a warning', async () => {
    const base = await signedWithRoom();
    const der = join(work, 'two.der');
    runTool('openssl', ['cms', '-sign', '-binary', '-nosmimecap', '-in', base.content, '-signer', pki.leader.certPath, '-inkey', pki.leader.keyPath,
      '-signer', pki.drafter.certPath, '-inkey', pki.drafter.keyPath, '-certfile', pki.subCa.certPath, '-outform', 'DER', '-out', der]);
    const sig = kysoVerify(withCms(base, readFileSync(der)), [pki.rootPemPath]).signatures[0]!;
    expect(sig.integrity).toBe('valid');
    expect(sig.indication).not.toBe('TOTAL_FAILED');
    expect(sig.details.warnings.join('\n')).toMatch(/the CMS has 2 signer infos; the one whose certificate signs was validated, not: /);
  });

  test('a CMS in BER with indefinite lengths: verified', async () => {
    const base = await signedWithRoom();
    const der = join(work, 'one.der');
    runTool('openssl', ['cms', '-sign', '-binary', '-nosmimecap', '-in', base.content, '-signer', pki.leader.certPath, '-inkey', pki.leader.keyPath,
      '-certfile', pki.subCa.certPath, '-outform', 'DER', '-out', der]);
    const ber = indefinite(readFileSync(der));
    expect(ber.subarray(0, 2).toString('hex')).toBe('3080');
    const sig = kysoVerify(withCms(base, ber), [pki.rootPemPath]).signatures[0]!;
    expect(sig.integrity).toBe('valid');
    expect(sig.indication).not.toBe('TOTAL_FAILED');
  });
});

describe('field locks of a signature (FieldMDP, /Lock) and their permission /P', () => {
  // Two text fields, merged with their widgets: "so" (number) and "ngay" (date).
  const withTextFields = (): string =>
    doc({
      catalog: '/AcroForm << /Fields [6 0 R 7 0 R] >>',
      page: '/Annots [6 0 R 7 0 R]',
      more: [
        '<< /Type /Annot /Subtype /Widget /FT /Tx /T (so) /Rect [72 500 200 520] /P 3 0 R >>',
        '<< /Type /Annot /Subtype /Widget /FT /Tx /T (ngay) /Rect [72 400 200 420] /P 3 0 R >>',
      ],
    });

  /** Signs with Kyso, the new signature field given `lock` (a /Lock dictionary's text). */
  async function signLocked(input: string, lock: string): Promise<Signed> {
    const r = PdfReader.open(input);
    const first = r.nextObjectNumber;
    r.close();
    return sign(input, {
      beforeBuild: (u) => {
        for (let n = first; n < first + 64; n++) {
          if (!u.has(ref(n))) continue;
          const o = u.current(ref(n));
          if (o instanceof PdfDict && o.name('FT') === 'Sig') u.set(ref(n), o.clone().set('Lock', u.add(raw(lock))));
        }
      },
    });
  }

  const fill = (s: Signed, field: 6 | 7): string =>
    update(s.path, (u, r) => u.set(ref(field), (r.get(ref(field)) as PdfDict).clone().set('V', new PdfString(Buffer.from('15/QĐ', 'latin1')))));

  test('Include: filling a listed field is disallowed, another one is form filling', async () => {
    const s = await signLocked(withTextFields(), '<< /Type /SigFieldLock /Action /Include /Fields [(so)] >>');
    expect(classify(fill(s, 6), s.signedLength).kind).toBe('disallowed');
    expect(classify(fill(s, 7), s.signedLength).kind).toBe('form-fill');
  });

  test('Exclude: filling a field not listed is disallowed, the listed one is form filling', async () => {
    const s = await signLocked(withTextFields(), '<< /Type /SigFieldLock /Action /Exclude /Fields [(so)] >>');
    expect(classify(fill(s, 7), s.signedLength).kind).toBe('disallowed');
    expect(classify(fill(s, 6), s.signedLength).kind).toBe('form-fill');
  });

  test('All: filling any field is disallowed', async () => {
    const s = await signLocked(withTextFields(), '<< /Type /SigFieldLock /Action /All >>');
    expect(classify(fill(s, 6), s.signedLength).kind).toBe('disallowed');
    expect(classify(fill(s, 7), s.signedLength).kind).toBe('disallowed');
  });

  test('a field made read-only (/Ff bit 1, as Acrobat does to the fields it locks): form filling; another flag: disallowed', async () => {
    const s = await sign(withTextFields());
    const flags = (ff: number): string => update(s.path, (u, r) => u.set(ref(6), (r.get(ref(6)) as PdfDict).clone().set('Ff', ff)));
    const readOnly = classify(flags(1), s.signedLength);
    expect(readOnly.kind).toBe('form-fill');
    expect(readOnly.details).toContain('form field so made read-only (/Ff)');
    expect(classify(flags(2), s.signedLength).kind).toBe('disallowed');
  });

  test('a lock with /P 1 (ISO 32000-2): a later signature is a change the first signature does not permit', async () => {
    const s = await signLocked(withTextFields(), '<< /Type /SigFieldLock /Action /Include /Fields [(so)] /P 1 >>');
    const second = await sign(s.path);
    const sigs = kysoVerify(second.path, [pki.rootPemPath]).signatures;
    expect(sigs[0]!.modificationsAfter).toBe('disallowed');
    expect(sigs[0]!.details.changes[0]).toBe("changes after the signature that its field lock's permission (/P 1) does not allow");
    expect(sigs[1]!.indication).not.toBe('TOTAL_FAILED');
    const unlocked = await sign(await signLocked(withTextFields(), '<< /Type /SigFieldLock /Action /Include /Fields [(so)] >>').then((x) => x.path));
    expect(kysoVerify(unlocked.path, [pki.rootPemPath]).signatures[0]!.modificationsAfter).toBe('signatures');
  });
});

describe('adbe.x509.rsa_sha1 (no CMS: a PKCS#1 signature and the certificates in /Cert)', () => {
  /** A one-page document with a signature field signed the x509.rsa_sha1 way by the leader. */
  function x509Signed(tamper: boolean): string {
    const hex = (b: Buffer): string => `<${b.toString('hex')}>`;
    const certs = `[${hex(pki.leader.certDer)} ${hex(pki.subCa.certDer)}]`;
    const slot = '0'.repeat(1024);
    const path = doc({
      catalog: '/AcroForm << /Fields [6 0 R] /SigFlags 3 >>',
      page: '/Annots [6 0 R]',
      more: [
        '<< /Type /Annot /Subtype /Widget /FT /Sig /T (Sig1) /Rect [0 0 0 0] /P 3 0 R /V 7 0 R >>',
        `<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter /adbe.x509.rsa_sha1 /Cert ${certs} /M (D:20260101000000Z) /ByteRange [0000000000 0000000000 0000000000 0000000000] /Contents <${slot}> >>`,
      ],
    });
    const pdf = readFileSync(path);
    const text = pdf.toString('latin1');
    const holeStart = text.indexOf(`<${slot}>`);
    const holeEnd = holeStart + slot.length + 2;
    const br = [0, holeStart, holeEnd, pdf.length - holeEnd];
    const brAt = text.indexOf('/ByteRange [') + '/ByteRange ['.length;
    pdf.write(br.map((n) => String(n).padStart(10, '0')).join(' '), brAt, 'latin1');
    const signed = Buffer.concat([pdf.subarray(0, holeStart), pdf.subarray(holeEnd)]);
    if (tamper) signed[10] ^= 1;
    const value = nodeSign('sha1', signed, pki.leader.privateKey);
    const der = Buffer.from(new asn1js.OctetString({ valueHex: value }).toBER(false));
    pdf.write(der.toString('hex').padEnd(slot.length, '0'), holeStart + 1, 'latin1');
    const out = tmp('x509');
    writeFileSync(out, pdf);
    return out;
  }

  test('verified with the certificate in /Cert (SHA-1 in 2026: INDETERMINATE, not failed)', () => {
    const sig = kysoVerify(x509Signed(false), [pki.rootPemPath]).signatures[0]!;
    expect(sig.integrity).toBe('valid');
    expect(sig).toMatchObject({ indication: 'INDETERMINATE', subIndication: 'CRYPTO_CONSTRAINTS_FAILURE_NO_POE' });
  });

  test('a value over other bytes fails', () => {
    const sig = kysoVerify(x509Signed(true), [pki.rootPemPath]).signatures[0]!;
    expect(sig.integrity).toBe('invalid');
    expect(sig.indication).toBe('TOTAL_FAILED');
  });
});
