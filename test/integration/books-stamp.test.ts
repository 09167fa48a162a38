// Issue 14, the "ĐẾN" stamp through the desk (`kyso --data D inbox accept ID --stamp`), on real
// SoftHSM2 tokens: a document issued by method 2 at the sender's desk arrives; the clerk accepts
// it with the stamp; the stamped file keeps the sender's signatures valid (kyso verify: only
// signatures after them), pdfsig calls all three valid and trusted, pdftotext reads the stamp back,
// and the stamp's pixels lie in blank space under "Số:" (nothing else on the page changed). Chuyển
// and the record number are filled in a further signed revision; the same number from the same
// issuer arriving again is warned about, side by side; every step is in the audit log.
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { expectJudgedValid } from '../fixtures/expect.js';
import { makeNssDb } from '../fixtures/judges.js';
import { changedOutside, countInk, makeNd30Pdf, pixelBox, renderPage, savePng } from '../fixtures/nd30.js';
import { sharedTestPki } from '../fixtures/pki.js';
import { sealPng, signaturePng } from '../fixtures/png.js';
import { sharedSoftHsm, type SoftHsm } from '../fixtures/softhsm.js';
import { trustingDataFolder } from '../fixtures/desk-data.js';
import { makeTempDir, removeTempDir, repoRoot } from '../fixtures/tmp.js';
import { runAsync, runTool, toolEnv } from '../fixtures/tools.js';
import { PdfReader } from '../../src/main/pdf/reader.js';
import type { StampGeometry } from '../../src/main/sign/incoming-stamp.js';
import { createApp } from '../../src/main/api/services.js';
import type { Result } from '../../src/shared/contract.js';

const pki = await sharedTestPki();
let hsm: SoftHsm;
let work: string;
let nss: string;
const ORG = pki.org.names.commonName;
const LEADER = pki.leader.names.commonName;
// The receiving agency's token (another organisation than the sender's), and the clerk's own token
// for the routing revision. (poppler's pdfsig 22.12 calls the certificate of a second signature
// by one and the same certificate "Unknown issue with Certificate" in any file, ours or not.)
const RECEIVER = pki.ecdsa.names.commonName;
const CLERK = pki.drafter.names.commonName;

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
  json: () => Record<string, unknown>;
}

async function kyso(args: string[], env: NodeJS.ProcessEnv = {}): Promise<Run> {
  const child = spawn(process.execPath, [join(repoRoot(), 'bin', 'kyso.cjs'), ...args], {
    env: { ...process.env, ...hsm.env, KYSO_PKCS11_MODULE: hsm.module, KYSO_TEST_PIN: hsm.tokens.ORG.pin, KYSO_TRUST: '', KYSO_DATA: '', XDG_CONFIG_HOME: join(work, 'config'), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
  child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
  const status = await new Promise<number | null>((res) => child.on('close', (c) => res(c)));
  return { status, stdout, stderr, json: () => JSON.parse(stdout.trim().split('\n').at(-1)!) as Record<string, unknown> };
}

function ok(r: Run): Run {
  expect(r.status, `${r.stderr}\n${r.stdout}`).toBe(0);
  return r;
}

let dataNo = 0;
function dataDir(): string {
  return trustingDataFolder(pki, join(work, `data-${++dataNo}`));
}

const T = ['--pin-env', 'KYSO_TEST_PIN'];
let issued: string;

beforeAll(async () => {
  hsm = sharedSoftHsm(pki);
  work = makeTempDir('books-stamp');
  nss = makeNssDb(join(work, 'nss'), [pki.root.certPem]);
  const draft = join(work, 'draft.pdf');
  writeFileSync(draft, await makeNd30Pdf());
  writeFileSync(join(work, 'sig.png'), signaturePng());
  writeFileSync(join(work, 'seal.png'), sealPng());
  // The sender's desk issues a decision by method 2.
  const sender = dataDir();
  const id = ok(await kyso(['--data', sender, 'doc', 'add', draft, '--method', '2', '--json'])).json().id as string;
  ok(await kyso(['--data', sender, 'doc', 'sign', id, '--as', 'leader', '--token', 'KYSO-LEADER', ...T, '--image', join(work, 'sig.png'), '--signer-title', 'GIÁM ĐỐC']));
  ok(await kyso(['--data', sender, 'doc', 'sign', id, '--as', 'org', '--token', 'KYSO-ORG', ...T, '--image', join(work, 'seal.png'), '--number', '88']));
  issued = join(work, 'issued.pdf');
  ok(await kyso(['--data', sender, 'doc', 'export', id, '-o', issued]));
}, 180_000);

afterAll(() => removeTempDir(work));

describe('the incoming stamp', () => {
  test('accept --stamp: registered, stamped in blank space, signed by the organisation; the sender\'s signatures stand', async () => {
    const data = dataDir();
    const imp = ok(await kyso(['--data', data, 'inbox', 'import', issued, '--json'])).json() as { items: Array<{ id: string }> };
    const id = imp.items[0]!.id;
    const acc = ok(await kyso(['--data', data, 'inbox', 'accept', id, '--stamp', '--token', 'KYSO-ECDSA', ...T, '--organisation', 'Văn phòng UBND tỉnh', '--json'])).json();
    expect(acc).toMatchObject({ status: 'accepted', incomingNumber: 1, stamped: true, duplicates: [] });
    const stamped = join(work, 'stamped.pdf');
    ok(await kyso(['--data', data, 'inbox', 'export', id, '-o', stamped]));
    expect(readFileSync(stamped).subarray(0, readFileSync(issued).length)).toEqual(readFileSync(issued));

    // pdfsig: the sender's two signatures and the organisation's stamp signature, valid and trusted.
    expectJudgedValid(stamped, nss, [LEADER, ORG, RECEIVER]);
    // kyso verify: what came after the sender's signatures is a signature, nothing else.
    const v = await kyso(['verify', stamped, '--trust', pki.rootPemPath, '--crl', pki.crlDerPath, '--crl', pki.rootCrlDerPath, '--offline', '--json']);
    expect(v.status, v.stdout + v.stderr).toBe(0);
    const rep = JSON.parse(v.stdout) as { signatures: Array<{ indication: string; modificationsAfter: string }> };
    expect(rep.signatures.map((s) => s.indication)).toEqual(['TOTAL_PASSED', 'TOTAL_PASSED', 'TOTAL_PASSED']);
    expect(['signatures', 'annotations']).toContain(rep.signatures[0]!.modificationsAfter);
    expect(['signatures', 'annotations']).toContain(rep.signatures[1]!.modificationsAfter);

    // pdftotext reads the stamp.
    const text = runTool('pdftotext', ['-f', '1', '-l', '1', stamped, '-']).stdout;
    for (const s of ['VĂN PHÒNG UBND TỈNH', 'ĐẾN', 'Số: 1', 'Ngày:', 'Chuyển:', 'Lưu hồ sơ số:']) expect(text).toContain(s);

    // Pixels: the stamp is drawn inside its box, which held no ink before; nothing else changed.
    const db = await import('better-sqlite3');
    const raw = new db.default(join(data, 'kyso.db'), { readonly: true });
    const g = JSON.parse((raw.prepare('SELECT stamp_json FROM inbox_revisions').get() as { stamp_json: string }).stamp_json) as StampGeometry;
    raw.close();
    expect(g.anchor).toBe('Số:');
    const before = renderPage(issued, join(work, 'before'));
    const after = renderPage(stamped, join(work, 'after'));
    const px = pixelBox(stamped, g.box);
    expect(countInk(before, px, 'ink', 'touching')).toBe(0);
    expect(countInk(after, px, 'red', 'inside')).toBeGreaterThan(200);
    expect(changedOutside(before, after, [px])).toBe(0);
    // Under "Số:" and above the title's summary line, at least 15 mm high.
    const r = PdfReader.open(stamped);
    r.close();
    expect(g.height).toBeGreaterThanOrEqual(15 * 72 / 25.4 - 0.01);
    savePng(stamped, join(repoRoot(), 'test-output', 'screenshots', 'incoming-stamp'), 1, 110);

    // Chuyển and Lưu hồ sơ số, later, in a further signed revision.
    const routed = ok(await kyso(['--data', data, 'inbox', 'route', id, '--to', 'Phòng Nghiệp vụ', '--record', 'HS-07', '--token', 'KYSO-DRAFTER', ...T, '--json'])).json();
    expect(routed).toMatchObject({ passedTo: 'Phòng Nghiệp vụ', recordNumber: 'HS-07', revisions: 2 });
    const final = join(work, 'routed.pdf');
    ok(await kyso(['--data', data, 'inbox', 'export', id, '-o', final]));
    expectJudgedValid(final, nss, [LEADER, ORG, RECEIVER, CLERK]);
    const t2 = runTool('pdftotext', ['-layout', '-f', '1', '-l', '1', final, '-']).stdout.replace(/[ \t]+/g, ' ');
    expect(t2).toContain('Chuyển: Phòng Nghiệp vụ');
    expect(t2).toContain('Lưu hồ sơ số: HS-07');
    const routedPx = renderPage(final, join(work, 'routed'));
    expect(changedOutside(after, routedPx, [px])).toBe(0);
    savePng(final, join(repoRoot(), 'test-output', 'screenshots', 'incoming-stamp-routed'), 1, 110);

    // The audit log has every step.
    const audit = ok(await kyso(['--data', data, 'audit', 'list', '--json'])).json() as { entries: Array<{ action: string }> };
    expect(audit.entries.map((e) => e.action)).toEqual(expect.arrayContaining(['inbox.received', 'inbox.accepted', 'inbox.stamped', 'inbox.routed']));

    // The same number and symbol from the same issuer again: warned, side by side.
    const again = ok(await kyso(['--data', data, 'inbox', 'import', issued, '--json'])).json() as { items: Array<{ id: string }> };
    const dup = await kyso(['--data', data, 'inbox', 'accept', again.items[0]!.id, '--json']);
    ok(dup);
    expect(dup.json()).toMatchObject({ incomingNumber: 2, duplicates: [{ id, incomingNumber: 1 }] });
    expect(dup.stderr).toMatch(/Cảnh báo \[INBOX_DUPLICATE\]: văn bản số 88\/QĐ-SYT/);
    expect(dup.stderr.split('\n').filter((l) => /^\s+\d+ /.test(l))).toHaveLength(2);
  }, 240_000);

  test('a page without blank space under the number, the subject or the date is refused before a number is given', async () => {
    const data = dataDir();
    // The title right under the number line: no room anywhere.
    const tight = join(work, 'tight.pdf');
    writeFileSync(tight, await makeNd30Pdf({ numberToTitle: 14 }));
    const id = (ok(await kyso(['--data', data, 'inbox', 'import', tight, '--json'])).json() as { items: Array<{ id: string }> }).items[0]!.id;
    const r = await kyso(['--data', data, 'inbox', 'accept', id, '--stamp', '--token', 'KYSO-ORG', ...T]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^Lỗi \[STAMP_NO_ROOM\]/);
    const list = ok(await kyso(['--data', data, 'inbox', 'list', '--json'])).json() as { items: Array<{ status: string }> };
    expect(list.items[0]!.status).toBe('new');
  }, 120_000);

  test('the app: the service table stamps, lists the incoming register with search, copies and reports', async () => {
    process.env.SOFTHSM2_CONF = hsm.conf;
    process.env.XDG_CONFIG_HOME = join(work, 'app-config');
    const data = dataDir();
    const { dispatch, services } = createApp({ dataDir: data, transport: 'web', version: 'test' });
    const call = async <T>(name: string, input: unknown): Promise<T> => {
      const r = (await dispatch(name, input)) as Result<T>;
      if (!r.ok) throw new Error(`${name}: ${JSON.stringify(r.error)}`);
      return r.value;
    };
    try {
      services.settings.update({ modulePath: hsm.module });
      const [imported] = await services.desk().importIncomingPath(issued, { title: 'Quyết định ban hành Quy chế ký số' });
      const id = imported!.item!.id;
      const item = await call<{ status: string; incomingNumber: number; sha256: string }>('inbox.stamp', { id, token: { label: 'KYSO-ECDSA' }, pin: hsm.tokens.ECDSA.pin, organisation: 'Văn phòng UBND tỉnh' });
      expect(item).toMatchObject({ status: 'accepted', incomingNumber: 1 });
      const year = new Date(Date.now() + 7 * 3600_000).getUTCFullYear();
      const reg = await call<{ columns: unknown[]; rows: string[][] }>('books.register', { kind: 'incoming', year });
      expect(reg.columns).toHaveLength(10);
      expect(reg.rows).toHaveLength(1);
      expect(reg.rows[0]!.slice(1, 4)).toEqual(['1', ORG, '88/QĐ-SYT']);
      expect(reg.rows[0]![8]).toContain('ĐẾN');
      expect((await call<{ rows: unknown[] }>('books.register', { kind: 'incoming', year, search: 'quy che' })).rows).toHaveLength(1);
      expect((await call<{ rows: unknown[] }>('books.register', { kind: 'incoming', year, search: 'khong co' })).rows).toHaveLength(0);
      const copy = await call<{ number: string; sha256: string; form: string }>('books.copy', { source: 'incoming', id, form: 'SAO LỤC', token: { label: 'KYSO-ECDSA' }, pin: hsm.tokens.ECDSA.pin });
      expect(copy).toMatchObject({ form: 'SAO LỤC', number: '01/SL' });
      const file = services.files.locate(copy.sha256)!.path;
      expectJudgedValid(file, nss, [RECEIVER]);
      expect(runTool('pdftotext', ['-f', '1', '-l', '1', file, '-']).stdout).toContain('SAO LỤC, số 01/SL');
      // The stamp of the received file is on the copy too (it copies the document as registered).
      expect(runTool('pdftotext', ['-f', '1', '-l', '1', file, '-']).stdout).toContain('ĐẾN');
      expect(await call<unknown[]>('books.copies', {})).toHaveLength(1);
      const today = new Date(Date.now() + 7 * 3600_000).toISOString().slice(0, 10);
      const rep = await call<{ received: { total: number; bySender: Array<{ label: string; count: number }> } }>('books.report', { from: today, to: today });
      expect(rep.received).toMatchObject({ total: 1, bySender: [{ label: ORG, count: 1 }] });
      expect(await dispatch('books.report', { from: today, to: '2000-01-01' })).toMatchObject({ ok: false, error: { code: 'REPORT_PERIOD_INVALID' } });
    } finally {
      services.close?.();
    }
  }, 180_000);

  test('a letter made with LibreOffice (HTML → PDF): the stamp goes under the number, in blank space, never over text', async () => {
    // A công văn as a drafter makes it in Writer: header table, "Số:", "V/v", date line, body.
    const html = `<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8"><style>
@page { size: 21cm 29.7cm; margin: 2cm 1.5cm 2cm 3cm } body { font-family: 'Liberation Serif'; font-size: 13pt }
td { vertical-align: top; text-align: center } p { margin: 0 } .b { text-align: justify; text-indent: 1cm; margin: 6pt 0 }</style></head><body>
<table width="100%" cellspacing="0" cellpadding="0"><tr><td width="40%"><p>UBND TỈNH QUẢNG NINH</p><p><b>SỞ Y TẾ</b></p><p>&nbsp;</p><p>Số: 145/SYT-VP</p><p>V/v triển khai ký số văn bản</p></td>
<td><p><b>CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM</b></p><p><b>Độc lập - Tự do - Hạnh phúc</b></p><p>&nbsp;</p><p><i>Quảng Ninh, ngày 02 tháng 12 năm 2026</i></p></td></tr></table>
<p>&nbsp;</p><p>&nbsp;</p><p>&nbsp;</p><p>&nbsp;</p><p>&nbsp;</p><p style="text-align:center">Kính gửi: Các đơn vị trực thuộc Sở.</p>
<p class="b">Thực hiện Nghị định số 30/2020/NĐ-CP ngày 05 tháng 3 năm 2020 của Chính phủ về công tác văn thư, Sở Y tế đề nghị các đơn vị triển khai ký số, gửi, nhận văn bản điện tử từ ngày 01 tháng 01 năm 2027.</p>
<p class="b">Đề nghị các đơn vị thực hiện./.</p></body></html>`;
    const dir = join(work, 'office');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'cong-van.html'), html);
    // Asynchronous: LibreOffice's first start can take long, and the worker must keep answering vitest.
    const lo = await runAsync('soffice', ['--headless', `-env:UserInstallation=file://${join(dir, 'profile')}`, '--convert-to', 'pdf:writer_web_pdf_Export', '--outdir', dir, join(dir, 'cong-van.html')], toolEnv());
    expect(lo.status, lo.stderr).toBe(0);
    const draft = join(dir, 'cong-van.pdf');
    expect(runTool('pdftotext', [draft, '-']).stdout).toContain('Số: 145/SYT-VP');
    // Sent by the Sở Y tế (organisation signature, no image), received and stamped by another agency.
    const signed = join(dir, 'signed.pdf');
    ok(await kyso(['sign', draft, '-o', signed, '--token', 'KYSO-ORG', ...T, '--trust', pki.rootPemPath, '--crl', pki.crlDerPath, '--crl', pki.rootCrlDerPath, '--offline']));
    const data = dataDir();
    const id = (ok(await kyso(['--data', data, 'inbox', 'import', signed, '--json'])).json() as { items: Array<{ id: string }> }).items[0]!.id;
    ok(await kyso(['--data', data, 'inbox', 'accept', id, '--stamp', '--token', 'KYSO-ECDSA', ...T, '--organisation', 'UBND huyện Vân Đồn']));
    const stamped = join(dir, 'stamped.pdf');
    ok(await kyso(['--data', data, 'inbox', 'export', id, '-o', stamped]));
    expectJudgedValid(stamped, nss, [ORG, RECEIVER]);
    const db = await import('better-sqlite3');
    const raw = new db.default(join(data, 'kyso.db'), { readonly: true });
    const g = JSON.parse((raw.prepare('SELECT stamp_json FROM inbox_revisions').get() as { stamp_json: string }).stamp_json) as StampGeometry;
    raw.close();
    // Under the number when the subject leaves room there, else under the subject (V/v), as for a letter.
    expect(['Số:', 'V/v']).toContain(g.anchor);
    const before = renderPage(signed, join(dir, 'before'));
    const after = renderPage(stamped, join(dir, 'after'));
    const px = pixelBox(stamped, g.box);
    expect(countInk(before, px, 'ink', 'touching')).toBe(0);
    expect(countInk(after, px, 'red', 'inside')).toBeGreaterThan(200);
    expect(changedOutside(before, after, [px])).toBe(0);
    expect(runTool('pdftotext', [stamped, '-']).stdout).toContain('UBND HUYỆN VÂN ĐỒN');
    savePng(stamped, join(repoRoot(), 'test-output', 'screenshots', 'incoming-stamp-office'), 1, 110);
  }, 240_000);
});
