// Issue 4: the visible signatures other than the leader's and the seal over it, judged by
// poppler (pdftoppm, pdftotext, pdffonts) and pdfsig:
//   - an attachment in its own file and an electronic copy: no image, a text stamp at the top
//     right of page 1 (number and symbol or form of copy, ISO 8601 time with +07:00, the
//     organisation's name with its diacritics), serif 10 pt black, in an embedded subset font;
//   - the Quảng Ninh preset: the organisation's block (seal, name, signing time) on page 1 at the
//     left margin, just under "Số:", over no text, with the number and date filled;
//   - the drafter's initials as an image: small, after "Lưu:", over no text.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { SoftwareSigner } from '../../src/main/cms/signer.js';
import { visualPage, type Box } from '../../src/main/appearance/geometry.js';
import { pieceBox } from '../../src/main/appearance/numbering.js';
import { isoVietnam, issueDateOf, issueDateParts, vietnamDay } from '../../src/main/appearance/time.js';
import { PdfRef, PdfStream, isDict } from '../../src/main/pdf/objects.js';
import { PdfReader } from '../../src/main/pdf/reader.js';
import { readForm } from '../../src/main/sign/form.js';
import { signVisible, type SignVisibleResult, type VisibleOptions } from '../../src/main/sign/visible.js';
import { isPrefix, makeNssDb, pdfsig, qpdfCheck } from '../fixtures/judges.js';
import {
  A4,
  ND30_LINES,
  changedOutside,
  countInk,
  grow,
  makeNd30Pdf,
  pixelBox,
  renderPage,
  savePng,
  turnedUpright,
  wholePage,
  type Raster,
} from '../fixtures/nd30.js';
import { sharedTestPki, type TestEntity } from '../fixtures/pki.js';
import { blank, dot, encodePng, sealPng, signaturePng } from '../fixtures/png.js';
import { makeTempDir, removeTempDir, repoRoot } from '../fixtures/tmp.js';
import { runTool } from '../fixtures/tools.js';

const pki = await sharedTestPki();
const ORG = pki.org.names.commonName; // "Sở Y tế tỉnh Quảng Ninh"
const MM = 72 / 25.4;
const shots = join(repoRoot(), 'test-output', 'screenshots');
let work: string;
let nss: string;
const f = (n: string) => join(work, n);

beforeAll(() => {
  work = makeTempDir('appearance-stamps');
  nss = makeNssDb(join(work, 'nss'), [pki.root.certPem]);
  mkdirSync(shots, { recursive: true });
});
afterAll(() => removeTempDir(work));

const signerOf = (e: TestEntity) => new SoftwareSigner(e.privateKey, e.certDer, [pki.subCa.certDer]);

async function sign(input: string, output: string, who: TestEntity, visible: VisibleOptions, signingTime = new Date()): Promise<SignVisibleResult> {
  const r = await signVisible({ input, output, signer: signerOf(who), visible, signingTime });
  expect(isPrefix(input, output)).toBe(true);
  const q = qpdfCheck(output);
  expect(q.ok, q.output).toBe(true);
  return r;
}

const render = (pdf: string): Raster => renderPage(pdf, f(`r-${Math.random().toString(36).slice(2)}`));

function expectValid(pdf: string, names: string[]): void {
  const rep = pdfsig(pdf, nss);
  const sigs = rep.signatures.filter((s) => !s.unsigned);
  expect(sigs.map((s) => s.signerName), rep.raw).toEqual(names);
  for (const s of sigs) {
    expect(s.signatureValidation, rep.raw).toBe('Signature is Valid.');
    expect(s.certificateValidation, rep.raw).toBe('Certificate is Trusted.');
  }
}

/** The text pdftotext finds inside a user-space box of page 1 (the box seen upright, as pdftotext crops). */
function textIn(pdf: string, b: Box): string {
  const r = PdfReader.open(pdf);
  let v: Box;
  try {
    const vp = visualPage(r.page(0));
    const vb = vp.toVisual(b);
    v = { x0: vb.x0, x1: vb.x1, y0: vp.height - vb.y1, y1: vp.height - vb.y0 };
  } finally {
    r.close();
  }
  const args = ['-f', '1', '-l', '1', '-x', String(Math.floor(v.x0)), '-y', String(Math.floor(v.y0)), '-W', String(Math.ceil(v.x1 - v.x0) + 1), '-H', String(Math.ceil(v.y1 - v.y0) + 1)];
  return runTool('pdftotext', ['-raw', ...args, pdf, '-']).stdout.replace(/\f/g, '').trim();
}

/** The content stream of a signature field's appearance, decoded, and the names of its resources. */
function appearanceOf(pdf: string, field: string): { content: string; fonts: string[]; xobjects: string[] } {
  const r = PdfReader.open(pdf);
  try {
    const widget = readForm(r).all.find((x) => x.name === field)!.dict;
    const n = r.resolve(r.resolveDict(widget.get('AP'))!.get('N')) as PdfStream;
    const res = r.resolveDict(n.dict.get('Resources'));
    const names = (key: string): string[] => {
      const d = res && r.resolveDict(res.get(key));
      return d && isDict(d) ? d.keys() : [];
    };
    return { content: r.streamData(n).toString('latin1'), fonts: names('Font'), xobjects: names('XObject') };
  } finally {
    r.close();
  }
}

/** Image XObjects anywhere in the file. */
function imageCount(pdf: string): number {
  const r = PdfReader.open(pdf);
  try {
    let n = 0;
    for (let i = 1; i < r.nextObjectNumber; i++) {
      const o = r.get(new PdfRef(i, 0));
      if (o instanceof PdfStream && o.dict.name('Subtype') === 'Image') n++;
    }
    return n;
  } finally {
    r.close();
  }
}

/** Pixels in a box that are neither white nor grey: any colour at all. */
function colouredPixels(img: Raster, b: Box): number {
  let n = 0;
  for (let y = Math.max(0, Math.floor(b.y0)); y < Math.min(img.height, Math.ceil(b.y1)); y++)
    for (let x = Math.max(0, Math.floor(b.x0)); x < Math.min(img.width, Math.ceil(b.x1)); x++) {
      const p = (y * img.width + x) * 3;
      const [r, g, bl] = [img.rgb[p]!, img.rgb[p + 1]!, img.rgb[p + 2]!];
      if (Math.max(r, g, bl) - Math.min(r, g, bl) > 24) n++;
    }
  return n;
}

// ---------------------------------------------------------------------------------------------

describe('an attachment in its own file: the text stamp at the top right of page 1', () => {
  const time = new Date();
  let res: SignVisibleResult;
  let before: Raster;
  let after: Raster;

  beforeAll(async () => {
    writeFileSync(f('appendix.pdf'), await makeNd30Pdf({ kind: 'appendix' }));
    res = await sign(f('appendix.pdf'), f('appendix-signed.pdf'), pki.org, { role: 'attachment', docNumber: '203/QĐ-SYT' }, time);
    before = render(f('appendix.pdf'));
    after = render(f('appendix-signed.pdf'));
    savePng(f('appendix-signed.pdf'), join(shots, 'appearance-attachment'));
  });

  test('pdfsig: the organisation’s signature is valid and trusted', () => {
    expectValid(f('appendix-signed.pdf'), [ORG]);
    expect(res.fieldName).toBe('Attachment1');
  });

  test('pdftotext reads the stamp exactly: number and symbol, ISO 8601 time with +07:00, organisation', () => {
    const iso = isoVietnam(time);
    expect(iso).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+07:00$/);
    expect(textIn(f('appendix-signed.pdf'), res.plan.placement.box).split('\n')).toEqual(['203/QĐ-SYT', iso, ORG]);
    // The whole page's text has it too, and the unsigned appendix had none of it.
    const all = runTool('pdftotext', ['-layout', f('appendix-signed.pdf'), '-']).stdout;
    for (const line of ['203/QĐ-SYT', iso, ORG]) expect(all).toContain(line);
    expect(runTool('pdftotext', ['-layout', f('appendix.pdf'), '-']).stdout).not.toContain(iso);
  });

  test('at the top right, inside the 15 mm right margin and the top margin, over no text', () => {
    const b = res.plan.placement.box;
    expect(res.plan.page).toBe(1);
    expect(b.x1).toBeCloseTo(A4[0] - 15 * MM, 0);
    expect(b.y1).toBeCloseTo(A4[1] - 5 * MM, 0);
    expect(b.y0).toBeGreaterThan(A4[1] - 20 * MM); // within NĐ 30's top margin (20-25 mm)
    expect(b.x0).toBeGreaterThan(A4[0] / 2);
    const p = pixelBox(f('appendix-signed.pdf'), b);
    expect(countInk(before, grow(p, 1), 'ink')).toBe(0);
    expect(countInk(after, p, 'ink')).toBeGreaterThan(150);
    expect(changedOutside(before, after, [p])).toBe(0);
  });

  test('10 pt serif, black, upright, in an embedded subset font, and no image', () => {
    const ap = appearanceOf(f('appendix-signed.pdf'), 'Attachment1');
    expect(ap.xobjects).toEqual([]);
    expect(imageCount(f('appendix-signed.pdf'))).toBe(0);
    const sizes = [...ap.content.matchAll(/\/(F\d+) ([\d.]+) Tf/g)].map((m) => Number(m[2]));
    expect(sizes).toEqual([10, 10, 10]);
    expect([...ap.content.matchAll(/([\d.]+) ([\d.]+) ([\d.]+) rg/g)].every((m) => m.slice(1).every((v) => Number(v) === 0))).toBe(true);
    expect(ap.content).not.toMatch(/\bcm\b/); // no turn or slant inside the stamp
    expect(colouredPixels(after, pixelBox(f('appendix-signed.pdf'), res.plan.placement.box))).toBe(0);
    const fonts = runTool('pdffonts', [f('appendix-signed.pdf')]).stdout.split('\n');
    const ours = fonts.filter((l) => /^[A-Z]{6}\+LiberationSerif\s/.test(l)); // the Regular face's PostScript name
    expect(ours).toHaveLength(1);
    expect(ours[0]).toMatch(/CID TrueType\s+Identity-H\s+yes yes yes/);
  });
});

describe('an electronic copy (bản sao điện tử, cell 14): the copy stamp at the top right of page 1', () => {
  const time = new Date();
  let res: SignVisibleResult;
  let before: Raster;
  let after: Raster;

  beforeAll(async () => {
    writeFileSync(f('original.pdf'), await makeNd30Pdf({ blankNumber: false }));
    res = await sign(f('original.pdf'), f('copy.pdf'), pki.org, { role: 'copy', copyForm: 'SAO Y' }, time);
    before = render(f('original.pdf'));
    after = render(f('copy.pdf'));
    savePng(f('copy.pdf'), join(shots, 'appearance-copy'));
  });

  test('pdfsig valid; pdftotext reads the form of copy, the organisation and the ISO time; no copy number, no image', () => {
    expectValid(f('copy.pdf'), [ORG]);
    expect(res.fieldName).toBe('Copy1');
    expect(textIn(f('copy.pdf'), res.plan.placement.box).split('\n')).toEqual(['SAO Y', ORG, isoVietnam(time)]);
    expect(imageCount(f('copy.pdf'))).toBe(0);
    const ap = appearanceOf(f('copy.pdf'), 'Copy1');
    expect([...ap.content.matchAll(/\/(F\d+) ([\d.]+) Tf/g)].map((m) => Number(m[2]))).toEqual([10, 10, 10]);
  });

  test('top right of page 1, above the national motto, over no text, black', () => {
    const b = res.plan.placement.box;
    expect(b.x1).toBeCloseTo(A4[0] - 15 * MM, 0);
    expect(b.y0).toBeGreaterThan(ND30_LINES.motto + 0.92 * 12); // clear of the motto's capitals and accents
    const p = pixelBox(f('copy.pdf'), b);
    expect(countInk(before, grow(p, 1), 'ink')).toBe(0);
    expect(countInk(after, p, 'ink')).toBeGreaterThan(100);
    expect(colouredPixels(after, p)).toBe(0);
    expect(changedOutside(before, after, [p])).toBe(0);
  });
});

test('every Vietnamese letter, with every tone, upper and lower case, reads back exactly; a character the font lacks is refused', async () => {
  const upper = 'AÀÁẢÃẠ ĂẰẮẲẴẶ ÂẦẤẨẪẬ Đ EÈÉẺẼẸ ÊỀẾỂỄỆ IÌÍỈĨỊ OÒÓỎÕỌ ÔỒỐỔỖỘ ƠỜỚỞỠỢ UÙÚỦŨỤ ƯỪỨỬỮỰ YỲÝỶỸỴ';
  const lower = upper.toLocaleLowerCase('vi');
  writeFileSync(f('letters.pdf'), await makeNd30Pdf({ kind: 'appendix' }));
  const res = await sign(f('letters.pdf'), f('letters-signed.pdf'), pki.org, { role: 'copy', copyForm: upper, organisation: lower });
  const lines = textIn(f('letters-signed.pdf'), res.plan.placement.box).split('\n');
  expect(lines.slice(0, 2)).toEqual([upper, lower]);
  // Decomposed input (a base letter and combining marks) is drawn as the precomposed letters.
  const res2 = await sign(f('letters.pdf'), f('letters-nfd.pdf'), pki.org, { role: 'copy', copyForm: 'SAO Y', organisation: ORG.normalize('NFD') });
  expect(textIn(f('letters-nfd.pdf'), res2.plan.placement.box).split('\n')[1]).toBe(ORG);
  // No box in place of a missing glyph: the signature is refused and nothing is written.
  const e = await signVisible({
    input: f('letters.pdf'),
    output: f('letters-missing.pdf'),
    signer: signerOf(pki.org),
    visible: { role: 'copy', copyForm: 'SAO Y', organisation: 'Sở Y tế 衛生' },
  }).then(
    () => undefined,
    (err: unknown) => err,
  );
  expect((e as { code?: string }).code).toBe('FONT_GLYPH_MISSING');
  expect(existsSync(f('letters-missing.pdf'))).toBe(false);
});

test('an attachment on a scan set upright by /Rotate 90: the stamp at the top right as the reader sees the page, upright', async () => {
  writeFileSync(f('appendix-turned.pdf'), await turnedUpright(await makeNd30Pdf({ kind: 'appendix' })));
  const time = new Date();
  const res = await sign(f('appendix-turned.pdf'), f('appendix-turned-signed.pdf'), pki.org, { role: 'attachment', docNumber: '203/QĐ-SYT' }, time);
  expect(res.plan.widgetRotation).toBe(90);
  const before = render(f('appendix-turned.pdf'));
  const after = render(f('appendix-turned-signed.pdf'));
  const p = pixelBox(f('appendix-turned-signed.pdf'), res.plan.placement.box);
  // Top right of the page as rendered (portrait, as on the upright appendix).
  expect(after.height).toBeGreaterThan(after.width);
  expect(Math.abs(p.x1 - (A4[0] - 15 * MM))).toBeLessThan(0.5);
  expect(Math.abs(p.y0 - 5 * MM)).toBeLessThan(0.5);
  expect(p.x1 - p.x0).toBeGreaterThan(p.y1 - p.y0); // a wide box: the lines run across, upright
  expect(countInk(after, p, 'ink')).toBeGreaterThan(150);
  expect(changedOutside(before, after, [p])).toBe(0);
  expect(textIn(f('appendix-turned-signed.pdf'), res.plan.placement.box).split('\n')).toEqual(['203/QĐ-SYT', isoVietnam(time), ORG]);
  expectValid(f('appendix-turned-signed.pdf'), [ORG]);
});

// ---------------------------------------------------------------------------------------------

describe('the Quảng Ninh preset: the organisation’s block on page 1, at the left margin under "Số:"', () => {
  const now = new Date();
  let leader: SignVisibleResult;
  let org: SignVisibleResult;
  let afterLeader: Raster;
  let after: Raster;

  beforeAll(async () => {
    writeFileSync(f('qn-draft.pdf'), await makeNd30Pdf());
    leader = await sign(f('qn-draft.pdf'), f('qn-leader.pdf'), pki.leader, { role: 'leader', image: { bytes: signaturePng(), source: 'signature.png' }, signerTitle: 'GIÁM ĐỐC' });
    org = await sign(
      f('qn-leader.pdf'),
      f('qn-org.pdf'),
      pki.org,
      { role: 'org', preset: 'quang-ninh', image: { bytes: sealPng(), source: 'seal.png' }, docNumber: '203/QĐ-SYT', issued: vietnamDay(now) },
      now,
    );
    afterLeader = render(f('qn-leader.pdf'));
    after = render(f('qn-org.pdf'));
    savePng(f('qn-org.pdf'), join(shots, 'appearance-quang-ninh'));
  });

  test('pdfsig: the leader’s and the organisation’s signatures valid and trusted', () => {
    expectValid(f('qn-org.pdf'), [pki.leader.names.commonName, ORG]);
  });

  test('placed on page 1 at the left margin, just under the number line, above the title', () => {
    const b = org.plan.placement.box;
    expect(org.plan.page).toBe(1);
    // The text column starts at 30 mm (x = 85): "Nơi nhận", the bases of the decision.
    expect(b.x0).toBeCloseTo(ND30_LINES.left, 0);
    // "Số:" is 13 pt; the block's top is just under it.
    const numberBaseline = ND30_LINES.number;
    expect(b.y1).toBeLessThan(numberBaseline - 0.2 * 13);
    expect(b.y1).toBeGreaterThan(numberBaseline - 12);
    // "QUYẾT ĐỊNH" (14 pt bold) stays clear.
    expect(b.y0).toBeGreaterThan(ND30_LINES.title + 0.92 * 14);
    expect(b.y1 - b.y0).toBeGreaterThanOrEqual(30);
  });

  test('the seal, the organisation’s name and the signing time are shown, over no text', () => {
    const p = pixelBox(f('qn-org.pdf'), org.plan.placement.box);
    expect(countInk(afterLeader, grow(p, 1), 'ink')).toBe(0);
    const red = countInk(after, p, 'red');
    expect(red).toBeGreaterThan(100);
    expect(countInk(after, wholePage(after), 'red')).toBe(red);
    expect(textIn(f('qn-org.pdf'), org.plan.placement.box).replace(/\s+/g, ' ')).toBe(`${ORG} Thời gian ký: ${isoVietnam(now)}`);
    const numbers = org.plan.numbering.map((n) => pixelBox(f('qn-org.pdf'), pieceBox(n)));
    expect(changedOutside(afterLeader, after, [p, ...numbers])).toBe(0);
  });

  test('the clerk’s number and date are filled in the same revision', () => {
    const t = runTool('pdftotext', ['-layout', f('qn-org.pdf'), '-']).stdout;
    const parts = issueDateParts(issueDateOf(now));
    expect(t).toMatch(/Số:\s+203\/QĐ-SYT/);
    expect(t).toContain(`Quảng Ninh, ngày ${parts.day} tháng ${parts.month} năm ${parts.year}`);
    // The leader's signature, over the unchanged page, is still there and valid (checked above);
    // the seal preset's place over it was not used.
    expect(countInk(after, pixelBox(f('qn-org.pdf'), leader.plan.placement.box), 'red')).toBe(0);
  });
});

describe('the drafter’s initials as a small image after "Lưu:"', () => {
  let res: SignVisibleResult;
  let before: Raster;
  let after: Raster;

  beforeAll(async () => {
    // A paraph in blue: a short loop and a stroke, 120 × 48 px.
    const img = blank(120, 48);
    for (let t = 0; t <= 1; t += 0.002) dot(img, 10 + t * 100, 24 + 14 * Math.sin(t * Math.PI * 4), 2.4, [20, 40, 200]);
    writeFileSync(f('initials.png'), encodePng(img));
    writeFileSync(f('draft-i.pdf'), await makeNd30Pdf());
    res = await sign(f('draft-i.pdf'), f('drafter-i.pdf'), pki.drafter, { role: 'drafter', image: { bytes: readFileSync(f('initials.png')), source: 'initials.png' } });
    before = render(f('draft-i.pdf'));
    after = render(f('drafter-i.pdf'));
  });

  test('small (16 pt high, the image’s shape), on the "Lưu:" line after its text, and valid', () => {
    const b = res.plan.placement.box;
    expect(b.y1 - b.y0).toBeCloseTo(16, 1);
    expect((b.x1 - b.x0) / (b.y1 - b.y0)).toBeCloseTo(120 / 48, 2);
    const luu = ND30_LINES.signatureBlock - 43;
    expect(b.y0).toBeLessThan(luu);
    expect(b.y1).toBeGreaterThan(luu + 5);
    expect(b.x0).toBeGreaterThan(ND30_LINES.left + 60); // after "- Lưu: VT, VP."
    expectValid(f('drafter-i.pdf'), [pki.drafter.names.commonName]);
  });

  test('drawn in a blank place: the text around it is unchanged', () => {
    const p = pixelBox(f('drafter-i.pdf'), res.plan.placement.box);
    expect(countInk(before, grow(p, 1), 'ink')).toBe(0);
    expect(countInk(after, p, 'blue')).toBeGreaterThan(60);
    // The lines of "Nơi nhận" around it, pixel for pixel, and the rest of the page.
    const around = grow(p, 40);
    expect(countInk(before, around, 'ink')).toBeGreaterThan(100);
    expect(changedOutside(before, after, [p])).toBe(0);
  });
});
