// Issue 11 §1: drafts as agencies make them sign with the default placement. NĐ 30 decisions
// written by the test as HTML and OpenDocument, exported to PDF by LibreOffice headless (and once
// more through a .docx), and a PDF whose every glyph is its own operator out of reading order.
// LibreOffice draws precomposed Vietnamese letters from a second font subset after the rest of
// the line, so the content stream reads "S", ":", "ố" for "Số:": anchors must be found by where
// the glyphs stand. Methods 3 and 2 run through the desk (`kyso doc add / sign`) on SoftHSM2
// tokens with no placement given: initials after "Lưu:", the leader's signature between the
// title and the name, the number at "Số:", the date on the date line, the seal over the left
// third. Judged by pdfsig (valid and trusted), qpdf --check, pdftotext (the filled number and
// date read back) and pdftoppm (each image in its place, found from poppler's own word boxes).
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { findInLines, openDocumentText } from '../../src/main/appearance/anchors.js';
import { vietnamDay } from '../../src/main/appearance/time.js';
import { expectJudgedValid } from '../fixtures/expect.js';
import { makeNssDb } from '../fixtures/judges.js';
import { countInk, renderPage, savePng, type Raster } from '../fixtures/nd30.js';
import { LEADER_NAME, LEADER_TITLE, officeDrafts, scrambledNd30, type OfficeDrafts } from '../fixtures/office-drafts.js';
import { sharedTestPki } from '../fixtures/pki.js';
import { sealPng, signaturePng } from '../fixtures/png.js';
import { sharedSoftHsm, type SoftHsm } from '../fixtures/softhsm.js';
import { trustingDataFolder } from '../fixtures/desk-data.js';
import { makeTempDir, removeTempDir, repoRoot } from '../fixtures/tmp.js';
import { runTool } from '../fixtures/tools.js';

const pki = await sharedTestPki();
let hsm: SoftHsm;
let work: string;
let nss: string;
let drafts: OfficeDrafts & { scrambled: string };
let sigPng: string;
let sealFile: string;

beforeAll(async () => {
  hsm = sharedSoftHsm(pki);
  work = makeTempDir('office-drafts');
  nss = makeNssDb(join(work, 'nss'), [pki.root.certPem]);
  const scrambled = join(work, 'scrambled.pdf');
  writeFileSync(scrambled, await scrambledNd30());
  drafts = { ...(await officeDrafts(join(work, 'drafts'))), scrambled };
  sigPng = join(work, 'signature.png');
  sealFile = join(work, 'seal.png');
  writeFileSync(sigPng, signaturePng());
  writeFileSync(sealFile, sealPng());
}, 300_000);

afterAll(() => removeTempDir(work));

const PRODUCERS = ['html', 'odt', 'docx', 'scrambled'] as const;
type Producer = (typeof PRODUCERS)[number];

let dataNo = 0;
function dataDir(): string {
  return trustingDataFolder(pki, join(work, `data-${++dataNo}`));
}

async function kyso(args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [join(repoRoot(), 'bin', 'kyso.cjs'), ...args], {
    env: { ...process.env, ...hsm.env, KYSO_PKCS11_MODULE: hsm.module, KYSO_TEST_PIN: hsm.tokens.ORG.pin, KYSO_TRUST: '', KYSO_DATA: '', XDG_CONFIG_HOME: join(work, 'config') },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
  child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
  const status = await new Promise<number | null>((res) => child.on('close', (c) => res(c)));
  expect(status, `kyso ${args.join(' ')}\n${stderr}\n${stdout}`).toBe(0);
  return { status, stdout, stderr };
}

const TOKEN = { drafter: 'KYSO-DRAFTER', leader: 'KYSO-LEADER', org: 'KYSO-ORG' } as const;

/** Signs a draft through the desk with the default placement; returns the exported file. */
async function signThroughDesk(file: string, method: 2 | 3, number: string, name: string): Promise<string> {
  const data = dataDir();
  const add = JSON.parse((await kyso(['--data', data, 'doc', 'add', file, '--method', String(method), '--json'])).stdout) as { id: string };
  const sign = (role: keyof typeof TOKEN, extra: string[] = []) =>
    kyso(['--data', data, 'doc', 'sign', add.id, '--as', role, '--token', TOKEN[role], '--pin-env', 'KYSO_TEST_PIN', ...extra]);
  if (method === 3) await sign('drafter');
  await sign('leader', ['--image', sigPng, '--signer-title', LEADER_TITLE]);
  await sign('org', ['--image', sealFile, '--number', number]);
  const out = join(work, `${name}.pdf`);
  await kyso(['--data', data, 'doc', 'export', add.id, '-o', out]);
  return out;
}

// ---- what poppler sees: words and their boxes, independent of Kyso's reading ----------------

interface Word {
  text: string;
  /** Points, y down from the top of the page (as poppler and the raster have it). */
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

/**
 * Poppler's word boxes (pdftotext -bbox), fragments joined: poppler itself cuts a word where
 * the font subset changes ("Ngh", "ị"), so pieces on one line that touch are one word.
 */
function popplerWords(pdf: string): Word[] {
  const xml = runTool('pdftotext', ['-f', '1', '-l', '1', '-bbox', pdf, '-']).stdout;
  const raw: Word[] = [];
  for (const m of xml.matchAll(/<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)<\/word>/g))
    raw.push({ x0: +m[1]!, y0: +m[2]!, x1: +m[3]!, y1: +m[4]!, text: m[5]!.replace(/&amp;/g, '&') });
  raw.sort((a, b) => a.y0 - b.y0 || a.x0 - b.x0);
  const words: Word[] = [];
  for (const w of raw) {
    const last = words[words.length - 1];
    if (last && Math.abs(last.y0 - w.y0) < 2 && w.x0 - last.x1 < 1.2 && w.x0 >= last.x0) {
      last.text += w.text;
      last.x1 = Math.max(last.x1, w.x1);
    } else words.push({ ...w });
  }
  return words.map((w) => ({ ...w, text: w.text.normalize('NFC') }));
}

/** The box of a phrase (consecutive words on one line); the last occurrence unless first. */
function phraseBox(words: Word[], phrase: string, which: 'first' | 'last' = 'last'): Word {
  const want = phrase.split(' ');
  const hits: Word[] = [];
  for (let i = 0; i + want.length <= words.length; i++) {
    const run = words.slice(i, i + want.length);
    if (run.every((w, k) => w.text === want[k]) && run.every((w) => Math.abs(w.y0 - run[0]!.y0) < 2))
      hits.push({ text: phrase, x0: run[0]!.x0, y0: Math.min(...run.map((w) => w.y0)), x1: run.at(-1)!.x1, y1: Math.max(...run.map((w) => w.y1)) });
  }
  expect(hits.length, `"${phrase}" in ${words.map((w) => w.text).join(' ')}`).toBeGreaterThan(0);
  return which === 'first' ? hits[0]! : hits.at(-1)!;
}

/** Ink pixels of a kind in a box of points (y down), and their mean x. */
function inkIn(img: Raster, b: { x0: number; y0: number; x1: number; y1: number }, kind: 'blue' | 'red'): { count: number; meanX: number } {
  const k = img.dpi / 72;
  let count = 0;
  let sx = 0;
  for (let x = Math.floor(b.x0 * k); x < Math.ceil(b.x1 * k); x++) {
    const c = countInk(img, { x0: x, x1: x + 1, y0: b.y0 * k, y1: b.y1 * k }, kind, 'inside');
    count += c;
    sx += c * (x / k);
  }
  return { count, meanX: count ? sx / count : NaN };
}

describe('LibreOffice and out-of-order drafts: anchors found where the glyphs stand', () => {
  test.each(PRODUCERS)('%s: "Số:", the date line, "Lưu:", the title and the name are read in order', async (producer) => {
    const text = await openDocumentText(drafts[producer]);
    try {
      const lines = await text.lines(0);
      for (const anchor of ['Số:', 'Lưu:', LEADER_TITLE, LEADER_NAME, 'Quảng Ninh, ngày', 'UBND TỈNH QUẢNG NINH', 'CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM'])
        expect(findInLines(lines, anchor).length, `${anchor}\n${lines.map((l) => l.text).join('\n')}`).toBeGreaterThan(0);
      // The same name from a certificate written in NFD (as VGCA certificates can be).
      expect(findInLines(lines, LEADER_NAME.normalize('NFD')).length).toBeGreaterThan(0);
      // Kyso's lines agree with poppler's reading of the page, word for word.
      const ours = lines.map((l) => l.text).join(' ').split(' ');
      const theirs = popplerWords(drafts[producer]).map((w) => w.text);
      expect(ours.filter((w) => !theirs.includes(w))).toEqual([]);
    } finally {
      await text.close();
    }
  });
});

describe('methods 3 and 2 through the desk with the default placement', () => {
  const today = vietnamDay(new Date());
  const [yyyy, mm, dd] = today.split('-') as [string, string, string];
  const runs: [Producer, 2 | 3][] = [
    ['html', 3],
    ['odt', 3],
    ['docx', 3],
    ['scrambled', 3],
    ['docx', 2],
    ['html', 2],
  ];
  test.each(runs)('%s, method %i: every signature valid and trusted; number, date and images in place', async (producer, method) => {
    const number = `${10 + dataNo}/QĐ-SYT`;
    const signed = await signThroughDesk(drafts[producer], method, number, `${producer}-m${method}`);
    const names = [...(method === 3 ? [pki.drafter.names.commonName] : []), pki.leader.names.commonName, pki.org.names.commonName];
    expectJudgedValid(signed, nss, names);

    // The filled number and date read back by poppler, on the lines where the draft left blanks.
    const layout = runTool('pdftotext', ['-f', '1', '-l', '1', '-layout', signed, '-']).stdout.normalize('NFC');
    const seq = number.split('/')[0]!;
    expect(layout).toMatch(new RegExp(`Số:\\s*${seq}\\s*/QĐ-SYT`));
    expect(layout).toMatch(new RegExp(`ngày\\s+${dd}\\s+tháng\\s+${mm}\\s+năm\\s+${yyyy}`));

    // Each image where NĐ 30 puts it, found from poppler's words of the unsigned draft.
    const words = popplerWords(drafts[producer]);
    const name = phraseBox(words, LEADER_NAME);
    const titles = phraseBox(words, LEADER_TITLE);
    expect(titles.y1).toBeLessThan(name.y0);
    const img = renderPage(signed, join(work, `${producer}-m${method}-r`), 1, 72);
    const shots = join(repoRoot(), 'test-output', 'office-drafts');
    mkdirSync(shots, { recursive: true });
    savePng(signed, join(shots, `${producer}-m${method}`));
    const cx = (name.x0 + name.x1) / 2;
    const band = { x0: cx - 110, x1: cx + 110, y0: titles.y1, y1: name.y0 };
    const blue = inkIn(img, band, 'blue');
    const red = inkIn(img, band, 'red');
    expect(blue.count, 'the leader signature between title and name').toBeGreaterThan(150);
    expect(red.count, 'the seal over the leader signature').toBeGreaterThan(150);
    expect(red.meanX, 'the seal on the left of the signature').toBeLessThan(blue.meanX);
    // The seal, at its real size, may reach past the title line, but not up into the body text.
    expect(inkIn(img, { x0: cx - 130, x1: cx + 130, y0: titles.y0 - 120, y1: titles.y0 - 40 }, 'red').count).toBe(0);
    if (method === 3) {
      const luu = phraseBox(words, 'Lưu:');
      const initials = inkIn(img, { x0: luu.x0 - 5, x1: luu.x0 + 200, y0: luu.y0 - 2, y1: luu.y1 + 40 }, 'blue');
      expect(initials.count, 'the drafter initials after "Lưu:"').toBeGreaterThan(15);
    }
  });
});
