// Issue 4: page rotation and crop boxes are honoured. The same NĐ 30 page, signed by the leader
// (signature image between "GIÁM ĐỐC" and the name) and by the organisation (the seal over the
// left third, the clerk's number and date), is rendered by poppler in five shapes:
//   - upright, the reference;
//   - a scan set upright with /Rotate 90 (content turned in user space): the reader sees the same
//     page as the reference, and must see the signature and seal at the same places, upright;
//   - a portrait page given /Rotate 90 afterwards (what qpdf --rotate does): the text lies on its
//     side, and the signature lies with it, the way the text it is placed between reads;
//   - a page whose CropBox is offset from its MediaBox;
//   - a scan set upright with /Rotate 90 and then cropped.
// Each must show the blue signature and the red seal inside their boxes, drawn the same way up
// as in the reference (sampled in the appearance's own frame), and nothing else changed.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { SoftwareSigner } from '../../src/main/cms/signer.js';
import { box, fromFrame, toFrame, type Box } from '../../src/main/appearance/geometry.js';
import { pieceBox } from '../../src/main/appearance/numbering.js';
import { issueDateOf, issueDateParts, vietnamDay } from '../../src/main/appearance/time.js';
import { signVisible, type SignVisibleResult } from '../../src/main/sign/visible.js';
import { isPrefix, makeNssDb, pdfsig, qpdfCheck } from '../fixtures/judges.js';
import {
  changedOutside,
  countInk,
  cropped,
  halfTurned,
  makeNd30Pdf,
  orientationAgreement,
  pixelBox,
  renderPage,
  rotated,
  sampleAppearance,
  savePng,
  turnedUpright,
  wholePage,
  type Raster,
} from '../fixtures/nd30.js';
import { corpusFile, sharedCorpus } from '../fixtures/corpus.js';
import { sharedTestPki, type TestEntity } from '../fixtures/pki.js';
import { sealPng, signaturePng } from '../fixtures/png.js';
import { makeTempDir, removeTempDir, repoRoot } from '../fixtures/tmp.js';
import { runTool } from '../fixtures/tools.js';

const pki = await sharedTestPki();
const SIGNATURE = signaturePng();
const SEAL = sealPng();
const shots = join(repoRoot(), 'test-output', 'screenshots');
let work: string;
let nss: string;

const signerOf = (e: TestEntity) => new SoftwareSigner(e.privateKey, e.certDer, [pki.subCa.certDer]);

type Shape = 'upright' | 'turned-rotate90' | 'rotate90-added' | 'cropped' | 'turned-cropped';
const SHAPES: Array<{ shape: Shape; what: string; make: (b: Buffer) => Promise<Buffer> }> = [
  { shape: 'upright', what: 'upright A4 (the reference)', make: async (b) => b },
  { shape: 'turned-rotate90', what: 'a scan set upright by /Rotate 90', make: turnedUpright },
  { shape: 'rotate90-added', what: 'a portrait page given /Rotate 90', make: (b) => rotated(b, 90) },
  { shape: 'cropped', what: 'a CropBox offset from the MediaBox', make: (b) => cropped(b, [40, 60, 575, 815]) },
  // In the turned page's user space (landscape), a crop of 20 pt at the left and 50 at the bottom.
  { shape: 'turned-cropped', what: 'a scan set upright by /Rotate 90, then cropped', make: async (b) => cropped(await turnedUpright(b), [20, 50, 841.89, 585]) },
];

interface Signed {
  draft: string;
  leaderPdf: string;
  orgPdf: string;
  leader: SignVisibleResult;
  org: SignVisibleResult;
  before: Raster;
  afterLeader: Raster;
  after: Raster;
}
const signed = new Map<Shape, Signed>();
const now = new Date();

beforeAll(async () => {
  work = makeTempDir('appearance-rotation');
  nss = makeNssDb(join(work, 'nss'), [pki.root.certPem]);
  mkdirSync(shots, { recursive: true });
  const base = await makeNd30Pdf();
  for (const { shape, make } of SHAPES) {
    const f = (n: string) => join(work, `${shape}-${n}`);
    writeFileSync(f('draft.pdf'), await make(base));
    const leader = await signVisible({
      input: f('draft.pdf'),
      output: f('leader.pdf'),
      signer: signerOf(pki.leader),
      visible: { role: 'leader', image: { bytes: SIGNATURE, source: 'signature.png' }, signerTitle: 'GIÁM ĐỐC' },
    });
    const org = await signVisible({
      input: f('leader.pdf'),
      output: f('org.pdf'),
      signer: signerOf(pki.org),
      signingTime: now,
      visible: { role: 'org', image: { bytes: SEAL, source: 'seal.png' }, docNumber: '203/QĐ-SYT', issued: vietnamDay(now) },
    });
    signed.set(shape, {
      draft: f('draft.pdf'),
      leaderPdf: f('leader.pdf'),
      orgPdf: f('org.pdf'),
      leader,
      org,
      before: renderPage(f('draft.pdf'), f('r0')),
      afterLeader: renderPage(f('leader.pdf'), f('r1')),
      after: renderPage(f('org.pdf'), f('r2')),
    });
    savePng(f('org.pdf'), join(shots, `appearance-${shape}`));
  }
});

afterAll(() => removeTempDir(work));

const get = (s: Shape): Signed => signed.get(s)!;

describe.each(SHAPES.map((s) => [s.what, s.shape] as const))('%s', (_what, shape) => {
  test('pdfsig: the leader’s and the organisation’s signatures are valid and trusted; qpdf --check is clean', () => {
    const s = get(shape);
    expect(isPrefix(s.draft, s.leaderPdf) && isPrefix(s.leaderPdf, s.orgPdf)).toBe(true);
    for (const file of [s.leaderPdf, s.orgPdf]) {
      const q = qpdfCheck(file);
      expect(q.ok, q.output).toBe(true);
    }
    const rep = pdfsig(s.orgPdf, nss);
    const sigs = rep.signatures.filter((x) => !x.unsigned);
    expect(sigs.map((x) => x.signerName), rep.raw).toEqual([pki.leader.names.commonName, pki.org.names.commonName]);
    for (const x of sigs) {
      expect(x.signatureValidation, rep.raw).toBe('Signature is Valid.');
      expect(x.certificateValidation, rep.raw).toBe('Certificate is Trusted.');
    }
  });

  test('the blue signature lies inside the leader’s box, drawn the same way up as on the upright page', () => {
    const s = get(shape);
    const ref = get('upright');
    const img = s.afterLeader;
    const b = pixelBox(s.leaderPdf, s.leader.plan.placement.box);
    const blue = countInk(img, b, 'blue');
    expect(blue).toBeGreaterThan(400);
    expect(countInk(img, wholePage(img), 'blue')).toBe(blue);
    const mine = sampleAppearance(s.leaderPdf, img, s.leader.plan.placement, 'blue');
    const reference = sampleAppearance(ref.leaderPdf, ref.afterLeader, ref.leader.plan.placement, 'blue');
    // The same strokes at the same places of the appearance's frame (a pixel grid turned a quarter
    // moves some edges by a pixel: about 0.9 then, 1 when the grids agree) ...
    expect(orientationAgreement(reference, mine)).toBeGreaterThan(0.8);
    expect(orientationAgreement(mine, reference)).toBeGreaterThan(0.8);
    // ... while the same signature upside down agrees at about 0.35: the judge tells it apart.
    expect(orientationAgreement(reference, halfTurned(mine))).toBeLessThan(0.5);
  });

  test('the red seal covers the left third of the signature and nothing of the rest, the same way up', () => {
    const s = get(shape);
    const ref = get('upright');
    const img = s.after;
    const seal = pixelBox(s.orgPdf, s.org.plan.placement.box);
    const red = countInk(img, seal, 'red');
    expect(red).toBeGreaterThan(1000);
    expect(countInk(img, wholePage(img), 'red')).toBe(red);
    // The leader's box seen in its own frame: the left third is under the seal, the rest is not.
    const thirds = leaderThirds(s);
    expect(countInk(img, pixelBox(s.orgPdf, thirds.left), 'red')).toBeGreaterThan(300);
    expect(countInk(img, pixelBox(s.orgPdf, thirds.rest), 'red', 'inside')).toBe(0);
    expect(countInk(img, pixelBox(s.orgPdf, thirds.rest), 'blue', 'inside')).toBeGreaterThan(200);
    const mine = sampleAppearance(s.orgPdf, img, s.org.plan.placement, 'red');
    const reference = sampleAppearance(ref.orgPdf, ref.after, ref.org.plan.placement, 'red');
    expect(orientationAgreement(reference, mine)).toBeGreaterThan(0.8);
  });

  test('nothing is drawn outside the boxes placed, and the number and date are read back', () => {
    const s = get(shape);
    const allowed = [s.leader.plan.placement.box, s.org.plan.placement.box, ...s.org.plan.numbering.map((n) => pieceBox(n))].map((b) => pixelBox(s.orgPdf, b));
    expect(changedOutside(s.before, s.after, allowed)).toBe(0);
    expect(changedOutside(s.before, s.after, [])).toBeGreaterThan(1000);
    const t = runTool('pdftotext', ['-layout', s.orgPdf, '-']).stdout;
    const parts = issueDateParts(issueDateOf(now));
    expect(t).toMatch(/Số:\s+203\/QĐ-SYT/);
    expect(t).toContain(`Quảng Ninh, ngày ${parts.day} tháng ${parts.month} năm ${parts.year}`);
  });
});

/** The leader's box split, in the signature's own frame, into its left third and the rest (1 pt clear of the line). */
function leaderThirds(s: Signed): { left: Box; rest: Box } {
  const p = s.leader.plan.placement;
  const f = toFrame(p.box, p.rotation);
  const cut = f.x0 + (f.x1 - f.x0) / 3;
  return {
    left: fromFrame(box(f.x0, f.y0, cut, f.y1), p.rotation),
    rest: fromFrame(box(cut + 1, f.y0, f.x1, f.y1), p.rotation),
  };
}

test('a scan set upright shows the signature and the seal where the upright page shows them', () => {
  const ref = get('upright');
  const turned = get('turned-rotate90');
  expect(turned.leader.plan.placement.rotation).toBe(90);
  expect(turned.leader.plan.widgetRotation).toBe(90);
  for (const [a, b] of [
    [pixelBox(ref.orgPdf, ref.leader.plan.placement.box), pixelBox(turned.orgPdf, turned.leader.plan.placement.box)],
    [pixelBox(ref.orgPdf, ref.org.plan.placement.box), pixelBox(turned.orgPdf, turned.org.plan.placement.box)],
  ] as const) {
    for (const k of ['x0', 'y0', 'x1', 'y1'] as const) expect(Math.abs(a[k] - b[k]), k).toBeLessThan(1);
  }
  // The whole page looks the same as the upright one, signature and seal included.
  expect(changedOutside(ref.after, turned.after, [], 0)).toBeLessThan(400);
});

test('a page given /Rotate 90 keeps the signature with its text: turned the way the text is', () => {
  const s = get('rotate90-added');
  expect(s.leader.plan.placement.rotation).toBe(0);
  expect(s.leader.plan.widgetRotation).toBe(0);
  // Seen on screen, the page is landscape and the signature's box is tall: it lies on its side like the text.
  const b = pixelBox(s.leaderPdf, s.leader.plan.placement.box);
  expect(s.after.width).toBeGreaterThan(s.after.height);
  expect(b.y1 - b.y0).toBeGreaterThan(b.x1 - b.x0);
});

describe('an explicit page and rectangle stands upright as the reader sees the page', () => {
  test('on the scan set upright: the rectangle the anchor gave, given explicitly, gives the same picture', async () => {
    const turned = get('turned-rotate90');
    const out = join(work, 'turned-explicit.pdf');
    const r = await signVisible({
      input: turned.draft,
      output: out,
      signer: signerOf(pki.leader),
      visible: { role: 'leader', image: { bytes: SIGNATURE, source: 'signature.png' }, page: 1, rect: turned.leader.plan.rect },
    });
    expect(r.plan.placement.rotation).toBe(90);
    for (const k of ['x0', 'y0', 'x1', 'y1'] as const) expect(r.plan.placement.box[k]).toBeCloseTo(turned.leader.plan.placement.box[k], 2);
    const img = renderPage(out, join(work, 'r-explicit'));
    // The same drawing (resampled at a scale 0.0003 pt apart: edge pixels may differ), nothing else.
    expect(changedOutside(turned.afterLeader, img, [pixelBox(out, r.plan.placement.box)])).toBe(0);
    const a = sampleAppearance(turned.leaderPdf, turned.afterLeader, turned.leader.plan.placement, 'blue');
    const b = sampleAppearance(out, img, r.plan.placement, 'blue');
    expect(orientationAgreement(a, b)).toBeGreaterThan(0.95);
    expect(orientationAgreement(b, a)).toBeGreaterThan(0.95);
  });

  test('on a file from another producer (qpdf --rotate=+90 of a Ghostscript letter): upright on screen, inside its box', async () => {
    const corpus = await sharedCorpus(pki);
    const file = corpusFile(corpus, 'rotated').path;
    const out = join(work, 'corpus-rotated.pdf');
    // In the page's own (portrait) user space: 66 wide and 170 high, which the reader sees as 170 × 66.
    const r = await signVisible({
      input: file,
      output: out,
      signer: signerOf(pki.leader),
      visible: { role: 'leader', image: { bytes: SIGNATURE, source: 'signature.png' }, page: 1, rect: [60, 120, 66, 170] },
    });
    expect(r.plan.widgetRotation).toBe(90);
    expect(isPrefix(file, out)).toBe(true);
    expect(qpdfCheck(out).ok).toBe(true);
    const before = renderPage(file, join(work, 'r-corpus-0'));
    const img = renderPage(out, join(work, 'r-corpus-1'));
    savePng(out, join(shots, 'appearance-corpus-rotated-explicit'));
    const b = pixelBox(out, r.plan.placement.box);
    expect(b.x1 - b.x0).toBeGreaterThan(b.y1 - b.y0); // wide on screen
    const blue = countInk(img, b, 'blue');
    expect(blue).toBeGreaterThan(400);
    expect(countInk(img, wholePage(img), 'blue')).toBe(blue);
    expect(changedOutside(before, img, [b])).toBe(0);
    const ref = get('upright');
    const reference = sampleAppearance(ref.leaderPdf, ref.afterLeader, ref.leader.plan.placement, 'blue');
    const mine = sampleAppearance(out, img, r.plan.placement, 'blue');
    expect(orientationAgreement(reference, mine)).toBeGreaterThan(0.8);
    expect(orientationAgreement(reference, halfTurned(mine))).toBeLessThan(0.5);
    const rep = pdfsig(out, nss);
    const sigs = rep.signatures.filter((x) => !x.unsigned);
    expect(sigs.at(-1)?.signatureValidation, rep.raw).toBe('Signature is Valid.');
  });
});
