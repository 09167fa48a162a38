// Issue 14, the "ĐẾN" stamp on turned pages: a received decision whose page 1 carries /Rotate 90,
// 180 or 270, a scan set upright again by /Rotate (its text runs at 90° in user space), and a
// landscape page 1. On each, pixel checks on pdftoppm's rendering (what a reader sees): the stamp
// lies in space that held no ink, nothing outside its box changed, and it stands upright with the
// document's text — its picture, turned as the text is turned, matches the stamp drawn on the
// plain page (and does not match it turned half a turn: the check can fail).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { degrees, PDFDocument } from 'pdf-lib';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { SoftwareSigner } from '../../src/main/cms/signer.js';
import { planIncomingStamp, signIncomingStamp, type StampGeometry } from '../../src/main/sign/incoming-stamp.js';
import { PdfReader } from '../../src/main/pdf/reader.js';
import { expectJudgedValid } from '../fixtures/expect.js';
import { makeNssDb } from '../fixtures/judges.js';
import { changedOutside, countInk, isInk, makeNd30Pdf, pixelBox, renderPage, rotated, savePng, turnedUpright, type Raster } from '../fixtures/nd30.js';
import { sharedTestPki } from '../fixtures/pki.js';
import { makeTempDir, removeTempDir, repoRoot } from '../fixtures/tmp.js';
import { runTool } from '../fixtures/tools.js';
import type { Box } from '../../src/main/appearance/geometry.js';

const pki = await sharedTestPki();
const DPI = 100;
const SHOTS = join(repoRoot(), 'test-output', 'screenshots');
let work: string;
let nss: string;
let plain: Buffer;

/** A landscape page 1 (a table's layout): landscape A4 with the decision's header, number and title at the top left. */
async function landscape(pdf: Buffer): Promise<Buffer> {
  const src = await PDFDocument.load(pdf);
  const doc = await PDFDocument.create();
  const [embedded] = await doc.embedPages([src.getPages()[0]!]);
  const page = doc.addPage([841.89, 595.28]);
  page.drawPage(embedded!, { x: 0, y: 595.28 - 841.89 });
  return Buffer.from(await doc.save({ useObjectStreams: false }));
}

/** A user-space rotation the page's own content carries, made upright again by /Rotate (as turnedUpright, at any angle). */
async function turnedBy(pdf: Buffer, angle: 180 | 270): Promise<Buffer> {
  const src = await PDFDocument.load(pdf);
  const doc = await PDFDocument.create();
  const [embedded] = await doc.embedPages([src.getPages()[0]!]);
  const { width, height } = src.getPages()[0]!.getSize();
  const page = angle === 180 ? doc.addPage([width, height]) : doc.addPage([height, width]);
  // Content turned by `angle` counter-clockwise, shown upright by /Rotate `angle` (clockwise).
  if (angle === 180) page.drawPage(embedded!, { x: width, y: height, rotate: degrees(180) });
  else page.drawPage(embedded!, { x: 0, y: width, rotate: degrees(270) });
  page.setRotation(degrees(angle));
  return Buffer.from(await doc.save({ useObjectStreams: false }));
}

/** The pixels of a box of a raster as a red/not-red grid, turned `quarter` quarter turns counter-clockwise. */
function redGrid(img: Raster, px: Box, quarter: number): boolean[][] {
  const x0 = Math.round(px.x0);
  const y0 = Math.round(px.y0);
  const w = Math.round(px.x1) - x0;
  const h = Math.round(px.y1) - y0;
  let g: boolean[][] = [];
  for (let y = 0; y < h; y++) {
    const row: boolean[] = [];
    for (let x = 0; x < w; x++) {
      const p = ((y0 + y) * img.width + (x0 + x)) * 3;
      row.push(isInk(img.rgb[p]!, img.rgb[p + 1]!, img.rgb[p + 2]!, 'red'));
    }
    g.push(row);
  }
  for (let q = ((quarter % 4) + 4) % 4; q > 0; q--) {
    // A quarter turn counter-clockwise (y down): new[r][c] = old[c][W-1-r].
    const H = g.length;
    const W = g[0]!.length;
    g = Array.from({ length: W }, (_, r) => Array.from({ length: H }, (_, c) => g[c]![W - 1 - r]!));
  }
  return g;
}

/** Share of red pixels of `a` and `b` (same size to a pixel or two) that the other lacks. */
function mismatch(a: boolean[][], b: boolean[][]): number {
  const h = Math.min(a.length, b.length);
  const w = Math.min(a[0]!.length, b[0]!.length);
  let red = 0;
  let differ = 0;
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      const p = a[y]![x]!;
      const q = b[y]![x]!;
      if (p || q) red++;
      if (p !== q) {
        // A pixel off by one (rounding of the box) is not a difference.
        const near = [-1, 0, 1].some((dy) => [-1, 0, 1].some((dx) => b[y + dy]?.[x + dx] === p));
        if (!near) differ++;
      }
    }
  return red ? differ / red : 1;
}

interface Stamped {
  g: StampGeometry;
  before: Raster;
  after: Raster;
  px: Box;
  rotate: number;
}

async function stamp(name: string, bytes: Buffer): Promise<Stamped> {
  const input = join(work, `${name}.pdf`);
  writeFileSync(input, bytes);
  const g = await planIncomingStamp(input);
  const output = join(work, `${name}-stamped.pdf`);
  const signer = new SoftwareSigner(pki.ecdsa.privateKey, pki.ecdsa.certDer, [pki.subCa.certDer]);
  await signIncomingStamp({ input, output, signer, geometry: g, signingTime: new Date('2026-12-03T03:04:05Z'), content: { organisation: 'Văn phòng UBND tỉnh', incomingNumber: 7, arrivedAt: new Date('2026-12-03T03:04:00Z') } });
  expectJudgedValid(output, nss, [pki.ecdsa.names.commonName]);
  // (pdftotext may break the stamp's rows differently on a turned page: white space folded.)
  const text = runTool('pdftotext', ['-f', '1', '-l', '1', output, '-']).stdout.replace(/\s+/g, ' ');
  for (const s of ['VĂN PHÒNG UBND TỈNH', 'ĐẾN', 'Số: 7', 'Ngày: 03/12/2026 10:04']) expect(text, name).toContain(s);
  savePng(output, join(SHOTS, `incoming-stamp-${name}`), 1, 60);
  const r = PdfReader.open(output);
  const rotate = r.page(0).rotate;
  r.close();
  return { g, before: renderPage(input, join(work, `${name}-before`), 1, DPI), after: renderPage(output, join(work, `${name}-after`), 1, DPI), px: pixelBox(output, g.box, 0, DPI), rotate, };
}

let reference: boolean[][];

beforeAll(async () => {
  work = makeTempDir('books-stamp-rotation');
  mkdirSync(SHOTS, { recursive: true });
  nss = makeNssDb(join(work, 'nss'), [pki.root.certPem]);
  plain = await makeNd30Pdf({ blankNumber: false });
  const s = await stamp('plain', plain);
  expect(s.g.rotation).toBe(0);
  reference = redGrid(s.after, s.px, 0);
}, 120_000);

afterAll(() => removeTempDir(work));

describe('the ĐẾN stamp on turned and landscape pages', () => {
  const cases: Array<[string, () => Promise<Buffer>]> = [
    ['rotate-90', () => rotated(plain, 90)],
    ['rotate-180', () => rotated(plain, 180)],
    ['rotate-270', () => rotated(plain, 270)],
    ['turned-upright-90', () => turnedUpright(plain)],
    ['turned-upright-180', () => turnedBy(plain, 180)],
    ['turned-upright-270', () => turnedBy(plain, 270)],
    ['landscape', () => landscape(plain)],
  ];
  test.each(cases)('%s: in blank space under "Số:", nothing else changed, upright with the text', async (name, make) => {
    const s = await stamp(name, await make());
    expect(s.g.anchor).toBe('Số:');
    // Blank before, red after, nothing else on the page changed.
    expect(countInk(s.before, s.px, 'ink', 'touching')).toBe(0);
    expect(countInk(s.after, s.px, 'red', 'inside')).toBeGreaterThan(500);
    expect(changedOutside(s.before, s.after, [s.px])).toBe(0);
    // How the text stands to the reader: /Rotate turns the page clockwise, the text's own angle in
    // user space counter-clockwise. Turned back by that, the stamp's picture is the plain page's.
    const textTurn = (((s.rotate - s.g.rotation) % 360) + 360) % 360;
    const grid = redGrid(s.after, s.px, textTurn / 90);
    expect(Math.abs(grid.length - reference.length)).toBeLessThanOrEqual(2);
    expect(Math.abs(grid[0]!.length - reference[0]!.length)).toBeLessThanOrEqual(2);
    expect(mismatch(grid, reference), name).toBeLessThan(0.12);
    // (Measured: at most 0.06 here, from the rounding of rotated glyphs; half a turn off gives 0.32 or more.)
    // Half a turn off would be seen.
    expect(mismatch(redGrid(s.after, s.px, textTurn / 90 + 2), reference)).toBeGreaterThan(0.25);
  }, 120_000);
});
