// Issue 4: visible signatures as Nghị định 30 shows them, judged by tools that are not ours, on
// one NĐ 30 decision signed in method 3 (drafter, leader, then the clerk fills the number and
// date and signs as the organisation):
//   - poppler renders the signed pages (pdftoppm): blue ink inside the leader's box, the red seal
//     over the left third of it and nowhere else, and no pixel changed outside the boxes placed;
//   - pdftotext reads back the Vietnamese drawn (the number filled by the clerk, the date)
//     exactly, through the embedded subset fonts' ToUnicode maps; pdffonts sees the subsets;
//   - pdfsig calls drafter, leader and organisation valid and trusted; qpdf --check is clean.
// A screenshot of the signed page is written to test-output/screenshots/ for a person to look at.
// Other files: appearance-rotation (/Rotate, crop boxes), appearance-stamps (attachment, copy,
// Quảng Ninh preset, drafter's initials), appearance-cli (`kyso sign` end to end, errors).
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { SoftwareSigner } from '../../src/main/cms/signer.js';
import type { Box } from '../../src/main/appearance/geometry.js';
import { pieceBox } from '../../src/main/appearance/numbering.js';
import { issueDateOf, issueDateParts, vietnamDay } from '../../src/main/appearance/time.js';
import { isArray, isDict, isRef, PdfRef, PdfStream } from '../../src/main/pdf/objects.js';
import { PdfReader } from '../../src/main/pdf/reader.js';
import { readForm } from '../../src/main/sign/form.js';
import { signVisible, type SignVisibleResult, type VisibleOptions } from '../../src/main/sign/visible.js';
import { isPrefix, makeNssDb, pdfsig, qpdfCheck } from '../fixtures/judges.js';
import { ND30_LINES, changedOutside, countInk, makeNd30Pdf, pixelBox, renderPage, savePng, wholePage, type Raster } from '../fixtures/nd30.js';
import { sharedTestPki, type TestEntity } from '../fixtures/pki.js';
import { sealPng, signaturePng } from '../fixtures/png.js';
import { makeTempDir, removeTempDir, repoRoot } from '../fixtures/tmp.js';
import { runTool } from '../fixtures/tools.js';

const pki = await sharedTestPki();
let work: string;
let nss: string;
const shots = join(repoRoot(), 'test-output', 'screenshots');
const SIGNATURE = signaturePng();
const SEAL = sealPng(); // 300 px at 211.67 dpi: a 36 mm seal
const SEAL_PT = (36 / 25.4) * 72;
const ORG = pki.org.names.commonName;

beforeAll(() => {
  work = makeTempDir('appearance');
  nss = makeNssDb(join(work, 'nss'), [pki.root.certPem]);
  mkdirSync(shots, { recursive: true });
});
afterAll(() => removeTempDir(work));

const signerOf = (e: TestEntity) => new SoftwareSigner(e.privateKey, e.certDer, [pki.subCa.certDer]);

async function sign(input: string, output: string, who: TestEntity, visible: VisibleOptions, signingTime?: Date): Promise<SignVisibleResult> {
  const r = await signVisible({ input, output, signer: signerOf(who), visible, signingTime });
  expect(isPrefix(input, output), 'the input is a byte prefix of the output').toBe(true);
  const q = qpdfCheck(output);
  expect(q.ok, q.output).toBe(true);
  return r;
}

const render = (pdf: string): Raster => renderPage(pdf, join(work, `r-${Math.random().toString(36).slice(2)}`));

function text(pdf: string): string {
  return runTool('pdftotext', ['-layout', pdf, '-']).stdout;
}

/** Annotation subtypes on page 1 of a file (or of its earlier revision of `length` bytes). */
function annotationTypes(pdf: string, length?: number): string[] {
  const whole = PdfReader.open(pdf);
  const r = length ? whole.revision(length) : whole;
  try {
    const annots = r.resolve(r.page(0).dict.get('Annots'));
    return (isArray(annots) ? annots : []).map((a) => r.resolveDict(a)?.name('Subtype') ?? '?');
  } finally {
    if (r !== whole) r.close();
    whole.close();
  }
}

/** Image XObjects written by the revision between `from` and the end of the file, and those with a soft mask. */
function imagesAdded(pdf: string, from: number): { images: number; withMask: number } {
  const r = PdfReader.open(pdf);
  const old = r.revision(from);
  try {
    let images = 0;
    let withMask = 0;
    for (let n = old.nextObjectNumber; n < r.nextObjectNumber; n++) {
      const o = r.get(new PdfRef(n, 0));
      if (!(o instanceof PdfStream) || o.dict.name('Subtype') !== 'Image') continue;
      if (isRef(o.dict.get('SMask'))) withMask++;
      else if (o.dict.name('ColorSpace') === 'DeviceGray') continue; // a soft mask itself
      images++;
    }
    return { images, withMask };
  } finally {
    old.close();
    r.close();
  }
}

// ---------------------------------------------------------------------------------------------

describe('a NĐ 30 document: drafter, leader, clerk (number filling) and organisation', () => {
  const f = (n: string) => join(work, n);
  const now = new Date();
  let drafter: SignVisibleResult;
  let leader: SignVisibleResult;
  let org: SignVisibleResult;
  let draft: Raster;
  let afterDrafter: Raster;
  let afterLeader: Raster;
  let afterOrg: Raster;

  beforeAll(async () => {
    writeFileSync(f('draft.pdf'), await makeNd30Pdf());
    drafter = await sign(f('draft.pdf'), f('1-drafter.pdf'), pki.drafter, { role: 'drafter' });
    leader = await sign(f('1-drafter.pdf'), f('2-leader.pdf'), pki.leader, {
      role: 'leader',
      image: { bytes: SIGNATURE, source: 'signature.png' },
      signerTitle: 'GIÁM ĐỐC',
    });
    org = await sign(
      f('2-leader.pdf'),
      f('3-org.pdf'),
      pki.org,
      { role: 'org', image: { bytes: SEAL, source: 'seal.png' }, docNumber: '203/QĐ-SYT', issued: vietnamDay(now) },
      now,
    );
    draft = render(f('draft.pdf'));
    afterDrafter = render(f('1-drafter.pdf'));
    afterLeader = render(f('2-leader.pdf'));
    afterOrg = render(f('3-org.pdf'));
    savePng(f('1-drafter.pdf'), join(shots, 'appearance-nd30-1-drafter'));
    savePng(f('2-leader.pdf'), join(shots, 'appearance-nd30-2-leader'));
    savePng(f('3-org.pdf'), join(shots, 'appearance-nd30-3-organisation'));
  });

  test('pdfsig: all three signatures valid and trusted; each later one adds a revision', () => {
    const rep = pdfsig(f('3-org.pdf'), nss);
    const sigs = rep.signatures.filter((s) => !s.unsigned);
    expect(sigs.map((s) => s.signerName), rep.raw).toEqual([pki.drafter.names.commonName, pki.leader.names.commonName, ORG]);
    for (const s of sigs) {
      expect(s.signatureValidation, rep.raw).toBe('Signature is Valid.');
      expect(s.certificateValidation, rep.raw).toBe('Certificate is Trusted.');
    }
    expect(sigs.map((s) => s.totalDocumentSigned)).toEqual([false, false, true]);
    expect([drafter.fieldName, leader.fieldName, org.fieldName]).toEqual(['Drafter1', 'Leader1', 'Organisation1']);
  });

  test('the leader’s blue signature lies between "GIÁM ĐỐC" and the name, centred under the title', () => {
    const img = afterLeader;
    const box = pixelBox(f('2-leader.pdf'), leader.plan.placement.box);
    const blue = countInk(img, box, 'blue');
    expect(blue).toBeGreaterThan(400);
    // Nothing blue outside the leader's box but the drafter's initials.
    const initials = pixelBox(f('2-leader.pdf'), drafter.plan.placement.box);
    expect(countInk(img, wholePage(img), 'blue')).toBe(blue + countInk(img, initials, 'blue'));
    // The title's baseline is at y=300 and the name's at y=200 (14 pt): the box is between them.
    const b = leader.plan.placement.box;
    expect(b.y1).toBeLessThan(300 - 3);
    expect(b.y0).toBeGreaterThan(200 + 14 * 0.9);
    expect((b.x0 + b.x1) / 2).toBeCloseTo(420, 0);
    // The signature keeps its shape (360 × 140 px).
    expect((b.x1 - b.x0) / (b.y1 - b.y0)).toBeCloseTo(360 / 140, 2);
  });

  test('the red seal, at its real size, covers the left third of the leader’s signature and nothing of the rest', () => {
    const img = afterOrg;
    const l = leader.plan.placement.box;
    const s = org.plan.placement.box;
    expect(s.x1 - s.x0).toBeCloseTo(SEAL_PT, 0);
    expect(s.y1 - s.y0).toBeCloseTo(SEAL_PT, 0);
    expect(s.x1).toBeCloseTo(l.x0 + (l.x1 - l.x0) / 3, 0);
    expect((s.y0 + s.y1) / 2).toBeCloseTo((l.y0 + l.y1) / 2, 0);
    const lp = pixelBox(f('3-org.pdf'), l);
    const third = (lp.x1 - lp.x0) / 3;
    const leftThird: Box = { ...lp, x1: lp.x0 + third };
    const rest: Box = { ...lp, x0: lp.x0 + third + 1 };
    expect(countInk(img, leftThird, 'red')).toBeGreaterThan(300);
    expect(countInk(img, rest, 'red', 'inside')).toBe(0);
    expect(countInk(img, rest, 'blue', 'inside')).toBeGreaterThan(200);
    // All the red on the page is in the pixels the seal's box reaches.
    const red = countInk(img, pixelBox(f('3-org.pdf'), s), 'red');
    expect(red).toBeGreaterThan(1000);
    expect(countInk(img, wholePage(img), 'red')).toBe(red);
  });

  test('each revision draws only inside the boxes it placed (signatures, initials, number, date)', () => {
    const px = (pdf: string, b: Box) => pixelBox(f(pdf), b);
    // The drafter's, then the leader's revision, then the organisation's with the clerk's number.
    expect(changedOutside(draft, afterDrafter, [px('1-drafter.pdf', drafter.plan.placement.box)])).toBe(0);
    expect(changedOutside(afterDrafter, afterLeader, [px('2-leader.pdf', leader.plan.placement.box)])).toBe(0);
    const orgBoxes = [org.plan.placement.box, ...org.plan.numbering.map((n) => pieceBox(n))].map((b) => px('3-org.pdf', b));
    expect(changedOutside(afterLeader, afterOrg, orgBoxes)).toBe(0);
    // And each did draw something.
    expect(changedOutside(draft, afterDrafter, [])).toBeGreaterThan(20);
    expect(changedOutside(afterDrafter, afterLeader, [])).toBeGreaterThan(400);
    expect(changedOutside(afterLeader, afterOrg, [])).toBeGreaterThan(1000);
  });

  test('the drafter’s initials stand after "Lưu: VT, VP." in a blank space, covering no text', () => {
    const b = drafter.plan.placement.box;
    // "- Lưu: VT, VP." is 11 pt at the left margin, 43 pt under "Nơi nhận:": the initials follow it on its line.
    const luu = ND30_LINES.signatureBlock - 43;
    expect(b.x0).toBeGreaterThan(ND30_LINES.left + 60);
    expect(b.x1).toBeLessThan(ND30_LINES.left + 200);
    expect(b.y0).toBeLessThan(luu);
    expect(b.y1).toBeGreaterThan(luu + 3);
    const p = pixelBox(f('1-drafter.pdf'), b);
    expect(countInk(draft, p, 'ink')).toBe(0); // the place was blank
    expect(countInk(afterDrafter, p, 'blue')).toBeGreaterThan(15); // and now holds the initials
    expect(text(f('1-drafter.pdf'))).toMatch(/- Lưu: VT, VP\.\s+TTHN/);
  });

  test('pdftotext reads the filled number and the issue date exactly', () => {
    const t = text(f('3-org.pdf'));
    const parts = issueDateParts(issueDateOf(now));
    expect(t).toMatch(/Số:\s+203\/QĐ-SYT/);
    expect(t).toContain(`Quảng Ninh, ngày ${parts.day} tháng ${parts.month} năm ${parts.year}`);
    // The draft the leader signed had neither.
    const before = text(f('2-leader.pdf'));
    expect(before).not.toContain('203/QĐ-SYT');
    expect(before).not.toContain(`ngày ${parts.day} tháng`);
  });

  test('the number and date are annotations of the organisation’s revision only, covered by its signature', () => {
    expect(annotationTypes(f('3-org.pdf'), readFileSync(f('2-leader.pdf')).length)).toEqual(['Widget', 'Widget']);
    const types = annotationTypes(f('3-org.pdf'));
    expect(types.filter((t) => t === 'FreeText')).toHaveLength(org.plan.numbering.length);
    expect(org.plan.numbering.map((n) => n.kind)).toEqual(['number', 'day', 'month']);
    expect(org.plan.numbering.map((n) => n.text)).toEqual(['203', ...Object.values(issueDateParts(issueDateOf(now))).slice(0, 2)]);
  });

  test('each image is embedded once, with its transparency as a soft mask, in its own revision', () => {
    const sizes = ['draft.pdf', '1-drafter.pdf', '2-leader.pdf'].map((n) => readFileSync(f(n)).length);
    expect(imagesAdded(f('1-drafter.pdf'), sizes[0]!)).toEqual({ images: 0, withMask: 0 });
    expect(imagesAdded(f('2-leader.pdf'), sizes[1]!)).toEqual({ images: 1, withMask: 1 });
    expect(imagesAdded(f('3-org.pdf'), sizes[2]!)).toEqual({ images: 1, withMask: 1 });
    // The widget's appearance draws it by reference (no inline image).
    const r = PdfReader.open(f('3-org.pdf'));
    try {
      const widget = readForm(r).all.find((x) => x.name === 'Organisation1')?.dict;
      const ap = widget && r.resolveDict(widget.get('AP'));
      const n = ap && r.resolve(ap.get('N'));
      expect(n instanceof PdfStream).toBe(true);
      const res = r.resolveDict((n as PdfStream).dict.get('Resources'));
      const xo = res && r.resolveDict(res.get('XObject'));
      expect(xo && isDict(xo) ? [...xo.keys()] : []).toEqual(['Im1']);
    } finally {
      r.close();
    }
  });

  test('the text is drawn with embedded subset Liberation Serif (Type0, Identity-H, ToUnicode)', () => {
    const fonts = runTool('pdffonts', [f('3-org.pdf')]).stdout;
    const ours = fonts.split('\n').filter((l) => /^[A-Z]{6}\+LiberationSerif/.test(l));
    expect(ours.length).toBeGreaterThanOrEqual(2);
    for (const l of ours) expect(l).toMatch(/CID TrueType\s+Identity-H\s+yes yes yes/);
    // The subset is small: a few glyphs out of 2,600.
    const r = PdfReader.open(f('3-org.pdf'));
    try {
      const sizes: number[] = [];
      for (let n = 1; n < r.nextObjectNumber; n++) {
        const o = r.get(new PdfRef(n, 0));
        if (o instanceof PdfStream && o.dict.has('Length1')) sizes.push(r.rawStreamData(o).length);
      }
      expect(sizes.length).toBeGreaterThan(0);
      for (const s of sizes) expect(s).toBeLessThan(40_000);
    } finally {
      r.close();
    }
  });
});
