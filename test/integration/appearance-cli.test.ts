// Issue 4 through the command line, with the SoftHSM2 tokens: `kyso sign --role drafter`, then
// `--role leader --image blue.png --signer-title "GIÁM ĐỐC"`, then the clerk's `--role org
// --image seal.png --doc-number 203/QĐ-SYT --issued <today>`; pdfsig calls all three valid and
// trusted, qpdf --check is clean, and `kyso verify` passes all three, the earlier ones seeing
// only the number and date added (annotations) and later signatures. Then every refusal the
// placement and the number filling can make: a KysoError with a Vietnamese and an English message
// saying what to do, the right exit code, and no output file left behind.
// The signed page is saved in test-output/screenshots, and as docs/screenshots/nd30-signed.png for
// the README with KYSO_UPDATE_SCREENSHOTS=1 (as the e2e screenshots).
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { isKysoError, renderError, type ErrorCode } from '../../src/shared/errors.js';
import { isoVietnam, issueDateOf, issueDateParts, vietnamDay } from '../../src/main/appearance/time.js';
import { SoftwareSigner } from '../../src/main/cms/signer.js';
import { signVisible, type VisibleOptions } from '../../src/main/sign/visible.js';
import { isPrefix, makeNssDb, pdfsig, qpdfCheck } from '../fixtures/judges.js';
import { countInk, makeNd30Pdf, pixelBox, renderPage, savePng, wholePage } from '../fixtures/nd30.js';
import { sharedTestPki } from '../fixtures/pki.js';
import { sealPng, signaturePng } from '../fixtures/png.js';
import { sharedSoftHsm, type SoftHsm, type TokenKey } from '../fixtures/softhsm.js';
import { makeTempDir, removeTempDir, repoRoot } from '../fixtures/tmp.js';
import { runTool } from '../fixtures/tools.js';

const pki = await sharedTestPki();
let hsm: SoftHsm;
let work: string;
let nss: string;
const f = (n: string) => join(work, n);
const shots = join(repoRoot(), 'test-output', 'screenshots');
const docs = join(repoRoot(), 'docs', 'screenshots');

beforeAll(async () => {
  hsm = sharedSoftHsm(pki);
  work = makeTempDir('appearance-cli');
  nss = makeNssDb(join(work, 'nss'), [pki.root.certPem]);
  mkdirSync(shots, { recursive: true });
  mkdirSync(docs, { recursive: true });
  writeFileSync(f('draft.pdf'), await makeNd30Pdf());
  writeFileSync(f('blue.png'), signaturePng());
  writeFileSync(f('seal.png'), sealPng());
});
afterAll(() => removeTempDir(work));

interface Run {
  status: number;
  stdout: string;
  stderr: string;
}

function kyso(token: TokenKey, args: string[]): Run {
  const t = hsm.tokens[token];
  const r = spawnSync(process.execPath, [join(repoRoot(), 'bin', 'kyso.cjs'), 'sign', ...args, '--token', t.label, '--pin-env', 'KYSO_TEST_PIN'], {
    env: { ...process.env, ...hsm.env, KYSO_TEST_PIN: t.pin, KYSO_PKCS11_MODULE: hsm.module },
    encoding: 'utf8',
  });
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

interface SignJson {
  output: string;
  field: string;
  role: string;
  rect: [number, number, number, number];
  rotation: number;
  filled: Array<{ kind: string; text: string }>;
}

function signJson(token: TokenKey, input: string, output: string, extra: string[]): SignJson {
  const r = kyso(token, [input, '-o', output, '--json', ...extra]);
  expect(r.status, r.stderr).toBe(0);
  expect(isPrefix(input, output)).toBe(true);
  const q = qpdfCheck(output);
  expect(q.ok, q.output).toBe(true);
  return JSON.parse(r.stdout) as SignJson;
}

describe('kyso sign: drafter, leader, clerk and organisation on a NĐ 30 decision', () => {
  const today = vietnamDay(new Date());
  let drafter: SignJson;
  let leader: SignJson;
  let org: SignJson;

  beforeAll(() => {
    drafter = signJson('DRAFTER', f('draft.pdf'), f('1-drafter.pdf'), ['--role', 'drafter']);
    leader = signJson('LEADER', f('1-drafter.pdf'), f('2-leader.pdf'), ['--role', 'leader', '--image', f('blue.png'), '--signer-title', 'GIÁM ĐỐC']);
    org = signJson('ORG', f('2-leader.pdf'), f('3-org.pdf'), ['--role', 'org', '--image', f('seal.png'), '--doc-number', '203/QĐ-SYT', '--issued', today]);
    const shot = savePng(f('3-org.pdf'), join(shots, 'appearance-cli-nd30-signed'));
    if (process.env.KYSO_UPDATE_SCREENSHOTS === '1') copyFileSync(shot, join(docs, 'nd30-signed.png'));
  });

  test('the roles, fields and filled pieces the command reports', () => {
    expect([drafter.role, leader.role, org.role]).toEqual(['drafter', 'leader', 'org']);
    expect([drafter.field, leader.field, org.field]).toEqual(['Drafter1', 'Leader1', 'Organisation1']);
    const parts = issueDateParts(issueDateOf(new Date()));
    expect(org.filled).toEqual([
      { kind: 'number', text: '203' },
      { kind: 'day', text: parts.day },
      { kind: 'month', text: parts.month },
    ]);
  });

  test('pdfsig: all three signatures valid and trusted, the last covering the whole document', () => {
    const rep = pdfsig(f('3-org.pdf'), nss);
    const sigs = rep.signatures.filter((s) => !s.unsigned);
    expect(sigs.map((s) => s.signerName), rep.raw).toEqual([pki.drafter.names.commonName, pki.leader.names.commonName, pki.org.names.commonName]);
    for (const s of sigs) {
      expect(s.signatureValidation, rep.raw).toBe('Signature is Valid.');
      expect(s.certificateValidation, rep.raw).toBe('Certificate is Trusted.');
      expect(s.signatureType).toBe('ETSI.CAdES.detached');
    }
    expect(sigs.map((s) => s.totalDocumentSigned)).toEqual([false, false, true]);
  });

  test('kyso verify: TOTAL_PASSED for all three; after the leader’s signature only the number and date annotations and the organisation’s signature', () => {
    const v = spawnSync(
      process.execPath,
      [join(repoRoot(), 'bin', 'kyso.cjs'), 'verify', f('3-org.pdf'), '--json', '--offline', '--trust', pki.rootPemPath, '--crl', pki.crlDerPath, '--crl', pki.rootCrlDerPath],
      { encoding: 'utf8', env: { ...process.env, KYSO_TRUST: '', XDG_CONFIG_HOME: join(work, 'config'), XDG_CACHE_HOME: join(work, 'cache') } },
    );
    const report = JSON.parse(v.stdout) as {
      indication: string;
      signatures: Array<{ field: string; indication: string; modificationsAfter: string; integrity: string; chain: string; details: { changes: string[] } }>;
    };
    expect(report.signatures.map((s) => s.field)).toEqual(['Drafter1', 'Leader1', 'Organisation1']);
    for (const s of report.signatures) expect(s, JSON.stringify(s)).toMatchObject({ integrity: 'valid', chain: 'trusted', indication: 'TOTAL_PASSED' });
    // The most severe change after a signature is what it reports: a later signature outranks annotations.
    expect(report.signatures.map((s) => s.modificationsAfter)).toEqual(['signatures', 'signatures', 'none']);
    const leader = report.signatures[1]!;
    expect(leader.modificationsAfter).not.toBe('disallowed');
    // What came after the leader's signature: the clerk's number and date (FreeText annotations)
    // and the organisation's signature, in one update; nothing else.
    const changes = leader.details.changes;
    expect(changes.filter((c) => /FreeText annotation added/.test(c))).toHaveLength(org.filled.length);
    expect(changes.filter((c) => !/FreeText annotation added/.test(c))).toEqual(['signature field Organisation1 added and signed']);
    expect(report.indication).toBe('TOTAL_PASSED');
    expect(v.status).toBe(0);
  });

  test('the page shows the signature in blue, the seal in red over it, the number and date in Vietnamese', () => {
    const img = renderPage(f('3-org.pdf'), f('r'));
    const [x, y, w, h] = leader.rect;
    const lp = pixelBox(f('3-org.pdf'), { x0: x, y0: y, x1: x + w, y1: y + h });
    const [sx, sy, sw, sh] = org.rect;
    const sp = pixelBox(f('3-org.pdf'), { x0: sx, y0: sy, x1: sx + sw, y1: sy + sh });
    expect(countInk(img, lp, 'blue')).toBeGreaterThan(400);
    const red = countInk(img, sp, 'red');
    expect(red).toBeGreaterThan(1000);
    expect(countInk(img, wholePage(img), 'red')).toBe(red);
    expect(sx + sw).toBeCloseTo(x + w / 3, 0);
    const t = runTool('pdftotext', ['-layout', f('3-org.pdf'), '-']).stdout;
    const parts = issueDateParts(issueDateOf(new Date()));
    expect(t).toMatch(/Số:\s+203\/QĐ-SYT/);
    expect(t).toContain(`Quảng Ninh, ngày ${parts.day} tháng ${parts.month} năm ${parts.year}`);
    expect(t).toMatch(/- Lưu: VT, VP\.\s+TTHN/);
    expect(existsSync(join(docs, 'nd30-signed.png'))).toBe(true);
  });
});

describe('kyso sign refuses, says what to do, and leaves no file behind', () => {
  const today = new Date();
  const yesterday = vietnamDay(new Date(today.getTime() - 24 * 3600_000));
  let leaderSigned: string;

  beforeAll(() => {
    leaderSigned = f('refuse-leader.pdf');
    const r = kyso('LEADER', [f('draft.pdf'), '-o', leaderSigned, '--role', 'leader', '--image', f('blue.png'), '--signer-title', 'GIÁM ĐỐC']);
    expect(r.status, r.stderr).toBe(0);
    writeFileSync(f('broken.png'), signaturePng().subarray(0, 200));
    writeFileSync(f('not-png.png'), 'GIF89a not a png');
  });

  const CASES: Array<{ what: string; code: ErrorCode; exit: number; token: TokenKey; input: () => string; args: () => string[]; says: RegExp[] }> = [
    {
      what: 'the anchor text is not on the page',
      code: 'ANCHOR_NOT_FOUND',
      exit: 1,
      token: 'LEADER',
      input: () => f('draft.pdf'),
      args: () => ['--role', 'leader', '--image', f('blue.png'), '--signer-name', 'Lê Văn Không', '--signer-title', 'CHỦ TỊCH'],
      says: [/Không tìm thấy dòng chữ "Lê Văn Không" \/ "CHỦ TỊCH"/, /--page và --rect/, /never guesses a position/],
    },
    {
      what: 'the drafter’s anchor is not on the page',
      code: 'ANCHOR_NOT_FOUND',
      exit: 1,
      token: 'DRAFTER',
      input: () => f('draft.pdf'),
      args: () => ['--role', 'drafter', '--anchor', 'Nơi lưu trữ:'],
      says: [/"Nơi lưu trữ:"/, /Kyso không tự đoán vị trí/],
    },
    {
      what: 'the organisation signs before the leader (the seal needs the leader’s signature)',
      code: 'LEADER_SIGNATURE_NOT_FOUND',
      exit: 1,
      token: 'ORG',
      input: () => f('draft.pdf'),
      args: () => ['--role', 'org', '--image', f('seal.png')],
      says: [/chưa có chữ ký hiện hình của người có thẩm quyền/, /--preset quang-ninh/, /competent person/],
    },
    {
      what: '--issued is not today (Vietnam time)',
      code: 'ISSUE_DATE_NOT_SIGNING_DATE',
      exit: 1,
      token: 'ORG',
      input: () => leaderSigned,
      args: () => ['--role', 'org', '--image', f('seal.png'), '--doc-number', '203/QĐ-SYT', '--issued', yesterday],
      says: [new RegExp(`\\(${yesterday}\\) khác ngày ký số hôm nay \\(${vietnamDay(today)}`), /sửa ngày ban hành thành/, /must be made on the issue date/],
    },
    {
      what: 'a truncated PNG',
      code: 'IMAGE_INVALID',
      exit: 1,
      token: 'LEADER',
      input: () => f('draft.pdf'),
      args: () => ['--role', 'leader', '--image', f('broken.png'), '--signer-title', 'GIÁM ĐỐC'],
      says: [/broken\.png không dùng được/, /Dùng ảnh PNG nền trong suốt/, /Use a PNG with a transparent background/],
    },
    {
      what: 'an image that is not a PNG',
      code: 'IMAGE_INVALID',
      exit: 1,
      token: 'LEADER',
      input: () => f('draft.pdf'),
      args: () => ['--role', 'leader', '--image', f('not-png.png'), '--signer-title', 'GIÁM ĐỐC'],
      says: [/not a PNG file/],
    },
    {
      what: 'a rectangle outside the page',
      code: 'PLACEMENT_OUTSIDE_PAGE',
      exit: 1,
      token: 'LEADER',
      input: () => f('draft.pdf'),
      args: () => ['--role', 'leader', '--image', f('blue.png'), '--page', '1', '--rect', '500,760,200,100'],
      says: [/nằm ngoài trang 1/, /--page và --rect/, /outside page 1/],
    },
    {
      what: 'an unknown role',
      code: 'USAGE',
      exit: 2,
      token: 'LEADER',
      input: () => f('draft.pdf'),
      args: () => ['--role', 'approver'],
      says: [/--role must be one of drafter, leader, org, attachment, copy/],
    },
    {
      what: 'an unknown preset',
      code: 'PRESET_UNKNOWN',
      exit: 1,
      token: 'ORG',
      input: () => leaderSigned,
      args: () => ['--role', 'org', '--image', f('seal.png'), '--preset', 'ha-noi'],
      says: [/Chọn một trong các mẫu: nd30, quang-ninh/],
    },
    {
      what: 'a visible-signature option without --role',
      code: 'USAGE',
      exit: 2,
      token: 'ORG',
      input: () => leaderSigned,
      args: () => ['--doc-number', '203/QĐ-SYT'],
      says: [/--doc-number needs --role/],
    },
  ];

  test.each(CASES.map((c) => [c.what, c] as const))('%s', (_what, c) => {
    const out = f(`refused-${c.code}-${Math.random().toString(36).slice(2)}.pdf`);
    const before = readdirSync(work).sort();
    const r = kyso(c.token, [c.input(), '-o', out, ...c.args()]);
    expect(r.status, r.stderr).toBe(c.exit);
    expect(r.stderr).toContain(`Lỗi [${c.code}]`);
    expect(r.stderr).toContain(`Error: `);
    for (const s of c.says) expect(r.stderr).toMatch(s);
    expect(r.stderr).not.toMatch(/\{\w+\}/); // every detail filled in
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stdout).toBe('');
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(work).sort()).toEqual(before);
  });
});

describe('the same refusals in process: KysoError codes, Vietnamese and English messages', () => {
  const signer = new SoftwareSigner(pki.org.privateKey, pki.org.certDer, [pki.subCa.certDer]);
  const refuse = async (input: string, visible: VisibleOptions, code: ErrorCode, signingTime?: Date): Promise<void> => {
    const output = f(`inproc-${code}.pdf`);
    const e = await signVisible({ input, output, signer, visible, signingTime }).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(isKysoError(e), String(e)).toBe(true);
    const k = e as { code: ErrorCode; details: Record<string, string | number> };
    expect(k.code).toBe(code);
    for (const lang of ['vi', 'en'] as const) {
      const t = renderError(k.code, k.details, lang);
      expect(t.message).not.toMatch(/\{\w+\}/);
      expect(t.hint.length).toBeGreaterThan(20);
    }
    expect(existsSync(output)).toBe(false);
  };

  test('the Quảng Ninh block where the text leaves no room: PLACEMENT_NO_ROOM, never over the text', async () => {
    // A draft whose title follows "Số:" one line lower: no room under the number for the block.
    writeFileSync(f('crowded.pdf'), await makeNd30Pdf({ numberToTitle: 20 }));
    await refuse(f('crowded.pdf'), { role: 'org', preset: 'quang-ninh', image: { bytes: sealPng(), source: 'seal.png' } }, 'PLACEMENT_NO_ROOM');
  });

  test('an issue date that is no date, and a symbol that contradicts the printed one', async () => {
    await refuse(f('refuse-leader.pdf'), { role: 'org', image: { bytes: sealPng(), source: 'seal.png' }, docNumber: '203/QĐ-SYT', issued: '2026-02-30' }, 'ISSUE_DATE_INVALID');
    await refuse(f('refuse-leader.pdf'), { role: 'org', image: { bytes: sealPng(), source: 'seal.png' }, docNumber: '203/QĐ-UBND', issued: vietnamDay(new Date()) }, 'DOC_NUMBER_SYMBOL_MISMATCH');
  });

  test('the signing time decides the issue day in Vietnam time, whatever the machine’s zone', async () => {
    // 23:30 UTC is already the next day in Vietnam (UTC+07:00).
    const late = new Date(Date.UTC(2026, 4, 11, 23, 30, 0));
    expect(isoVietnam(late)).toBe('2026-05-12T06:30:00+07:00');
    await refuse(f('refuse-leader.pdf'), { role: 'org', image: { bytes: sealPng(), source: 'seal.png' }, docNumber: '203/QĐ-SYT', issued: '2026-05-11' }, 'ISSUE_DATE_NOT_SIGNING_DATE', late);
  });
});
