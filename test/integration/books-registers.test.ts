// Issue 14, the clerk's books on real SoftHSM2 tokens and a real database:
//   - one series of outgoing numbers per year across paper and electronic documents, restarting at
//     01 on 1 January — a batch of organisation signatures that crosses midnight of 31 December
//     (Vietnam time, the clock injected) gives 2026's next number and then 2027's 01, 02;
//   - the outgoing and incoming registers (10 columns each, NĐ30 Phụ lục IV) as a PDF book read
//     back with pdftotext (landscape A4, cover, page numbers) and as XLSX read back with exceljs;
//     filtered by words, as the screen does;
//   - electronic copies through the desk (`kyso doc copy`): SAO Y with the original embedded,
//     TRÍCH SAO of chosen pages, judged by pdfsig, marks read by pdftotext, registered and linked;
//   - the exchange report (QN Đ11) as PDF (with its chart) and XLSX;
//   - screenshots of the registers and the report are written to test-output/screenshots.
import { trustingDataFolder } from '../fixtures/desk-data.js';
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { expectJudgedValid, expectKysoCode } from '../fixtures/expect.js';
import { makeNssDb } from '../fixtures/judges.js';
import { makeNd30Pdf } from '../fixtures/nd30.js';
import { sharedTestPki } from '../fixtures/pki.js';
import { sealPng, signaturePng } from '../fixtures/png.js';
import { sharedSoftHsm, type SoftHsm } from '../fixtures/softhsm.js';
import { runKyso, type KysoRun } from '../fixtures/kyso-run.js';
import { makeTempDir, removeTempDir, repoRoot } from '../fixtures/tmp.js';
import { runTool } from '../fixtures/tools.js';
import { finalizeAll } from '../../src/main/token/index.js';
import { loadTrustStore } from '../../src/main/verify/chain.js';
import { fromVn } from '../../src/main/workflow/rules.js';
import { WorkflowService } from '../../src/main/workflow/service.js';
import { tokenSigner } from '../../src/main/workflow/token.js';

const pki = await sharedTestPki();
let hsm: SoftHsm;
let work: string;
let nss: string;
let data: string;
const ORG = pki.org.names.commonName;
const SHOTS = join(repoRoot(), 'test-output', 'screenshots');

function kyso(args: string[]): Promise<KysoRun> {
  return runKyso(args, { ...hsm.env, KYSO_PKCS11_MODULE: hsm.module, KYSO_TEST_PIN: hsm.tokens.ORG.pin, XDG_CONFIG_HOME: join(work, 'config') });
}

async function ok(args: string[]): Promise<string> {
  const r = await kyso(args);
  expect(r.status, `${r.stderr}\n${r.stdout}`).toBe(0);
  return r.stdout;
}

function text(pdf: string, extra: string[] = []): string {
  return runTool('pdftotext', ['-layout', ...extra, pdf, '-']).stdout;
}

function open(now?: () => Date): WorkflowService {
  return WorkflowService.open({ dataDir: data, trust: () => loadTrustStore([pki.rootPemPath]), crls: () => [pki.crlDer, readFileSync(pki.rootCrlDerPath)], actor: 'văn thư', now });
}

let clock = fromVn(2026, 11, 31, 23, 58);
let docIds: string[] = [];

beforeAll(async () => {
  hsm = sharedSoftHsm(pki);
  process.env.SOFTHSM2_CONF = hsm.conf;
  work = makeTempDir('books-registers');
  mkdirSync(SHOTS, { recursive: true });
  nss = makeNssDb(join(work, 'nss'), [pki.root.certPem]);
  data = trustingDataFolder(pki, join(work, 'data'));
}, 120_000);

afterAll(() => {
  finalizeAll();
  removeTempDir(work);
});

describe('numbers, registers, copies and the report', () => {
  test('one series per year across paper and electronic documents; a batch across New Year restarts at 01', async () => {
    const desk = open(() => clock);
    try {
      // A paper document of 2026 takes 01; its number cannot be given twice.
      const paper = desk.registerPaper({ title: 'Giấy mời họp giao ban', symbol: 'GM-SYT', issueDate: '2026-12-31', signer: 'Nguyễn Văn Đức', recipients: ['Các phòng'], copies: 12, note: 'Bản giấy' });
      expect(paper.number_symbol).toBe('01/GM-SYT');
      expectKysoCode(() => desk.registerPaper({ title: 'Trùng', number: '1/TB-SYT', issueDate: '2026-12-30' }), 'DOC_NUMBER_DUPLICATE');
      const ids: string[] = [];
      for (const [year, title, type] of [
        [2026, 'Quyết định ban hành Quy chế ký số', 'Quyết định'],
        [2027, 'Quyết định giao chỉ tiêu năm 2027', 'Quyết định'],
        [2027, 'Quyết định thành lập tổ công tác', 'Quyết định'],
      ] as const) {
        const f = join(work, `draft-${ids.length}.pdf`);
        writeFileSync(f, await makeNd30Pdf({ year }));
        const d = await desk.addDocument({ path: f, method: 2, title, docType: type, recipients: ['Sở Tài chính', 'UBND tỉnh'], paperCopy: ids.length === 1 });
        const t = tokenSigner({ module: hsm.module, label: 'KYSO-LEADER', pin: hsm.tokens.LEADER.pin });
        await desk.signStep(d.id, { role: 'leader', image: { bytes: signaturePng(), source: 'sig.png' }, signerTitle: 'GIÁM ĐỐC' }, t.source);
        t.close();
        ids.push(d.id);
      }
      // The organisation's batch starts on 31 December 23:58 and goes on after midnight.
      const t = tokenSigner({ module: hsm.module, label: 'KYSO-ORG', pin: hsm.tokens.ORG.pin });
      const results = await desk.signBatch(ids, { role: 'org', image: { bytes: sealPng(), source: 'seal.png' } }, t.source, (p) => {
        if (p.done === 1) clock = fromVn(2027, 0, 1, 0, 1);
      });
      t.close();
      expect(results.map((r) => [r.ok, r.document?.number, r.document?.issueDate, r.error?.code])).toEqual([
        [true, '02/QĐ-SYT', '2026-12-31', undefined],
        [true, '01/QĐ-SYT', '2027-01-01', undefined],
        [true, '02/QĐ-SYT', '2027-01-01', undefined],
      ]);
      // After the electronic 02 of 2026, a paper document takes 03; in 2027 the next is 03 too.
      expect(desk.registerPaper({ title: 'Công văn giấy', symbol: 'SYT-VP', issueDate: '2026-12-31' }).number_symbol).toBe('03/SYT-VP');
      expect(desk.registerPaper({ title: 'Thông báo giấy', symbol: 'TB-SYT', issueDate: '2027-01-01' }).number_symbol).toBe('03/TB-SYT');
      // Sent, recalled, late: for the report.
      desk.markSent(ids[0]!);
      desk.recall(ids[2]!, 'Ban hành nhầm đối tượng');
      docIds = ids;
      // The screen's filter.
      expect(desk.register('outgoing', 2027, { search: 'chi tieu' }).rows.map((r) => r[0])).toEqual(['01/QĐ-SYT']);
    } finally {
      desk.close();
    }
  }, 300_000);

  test('the outgoing register as a PDF book and as XLSX', async () => {
    const pdf = join(work, 'so-di-2026.pdf');
    await ok(['--data', data, 'register', 'outgoing', '--year', '2026', '--organisation', 'Sở Y tế tỉnh Quảng Ninh', '-o', pdf]);
    const info = runTool('pdfinfo', [pdf]).stdout;
    expect(info).toMatch(/Page size:\s+841\.89 x 595\.28/);
    const t = text(pdf);
    // Header cells wrap over lines: read the words in order, white space folded.
    const flat = runTool('pdftotext', [pdf, '-']).stdout.replace(/\s+/g, ' ');
    // (pdftotext may interleave the lines of neighbouring header cells: every word is there; the XLSX below has them whole.)
    for (const s of ['Số, ký hiệu văn bản', 'Ngày tháng văn bản', 'Tên loại và trích yếu nội dung văn bản', 'Người ký', 'Nơi nhận văn bản', 'Đơn vị, người nhận bản lưu', 'Số lượng bản', 'Ngày chuyển', 'Ký nhận', 'Ghi chú'])
      for (const w of s.split(' ')) expect(flat).toContain(w);
    expect(flat).toContain('Quyết định: Quyết định ban hành Quy chế ký số');
    for (const s of ['SỞ Y TẾ TỈNH QUẢNG NINH', 'SỔ ĐĂNG KÝ VĂN BẢN ĐI', 'Năm 2026', 'Người ký', 'Ký nhận', 'Ghi chú', '01/GM-SYT', '02/QĐ-SYT', '03/SYT-VP', 'Nguyễn Văn Đức', 'Trang 1/1'])
      expect(t).toContain(s);
    // 10 columns, numbered (1)…(10).
    expect(t).toMatch(/\(1\)\s+\(2\)\s+\(3\)\s+\(4\)\s+\(5\)\s+\(6\)\s+\(7\)\s+\(8\)\s+\(9\)\s+\(10\)/);
    // Rows in number order.
    const body = t.slice(t.indexOf('(10)'));
    expect(body.indexOf('01/GM-SYT')).toBeGreaterThan(0);
    expect(body.indexOf('01/GM-SYT')).toBeLessThan(body.indexOf('02/QĐ-SYT'));
    expect(body.indexOf('02/QĐ-SYT')).toBeLessThan(body.indexOf('03/SYT-VP'));
    runTool('pdftoppm', ['-r', '60', '-png', pdf, join(SHOTS, 'register-outgoing')]);

    const xlsx = join(work, 'so-di-2027.xlsx');
    await ok(['--data', data, 'register', 'outgoing', '--year', '2027', '-o', xlsx]);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(xlsx);
    const ws = wb.worksheets[0]!;
    const values = (ws.getSheetValues() as unknown[][]).filter(Boolean).map((r) => (r as unknown[]).slice(1).map((v) => (v === undefined || v === null ? '' : String(v))));
    const header = values.findIndex((r) => r[0] === 'Số, ký hiệu văn bản');
    expect(values[header]).toEqual(['Số, ký hiệu văn bản', 'Ngày tháng văn bản', 'Tên loại và trích yếu nội dung văn bản', 'Người ký', 'Nơi nhận văn bản', 'Đơn vị, người nhận bản lưu', 'Số lượng bản', 'Ngày chuyển', 'Ký nhận', 'Ghi chú']);
    expect(values.slice(header + 2).map((r) => r[0])).toEqual(['01/QĐ-SYT', '02/QĐ-SYT', '03/TB-SYT']);
    expect(values.slice(header + 2)[1]![9]).toContain('đã thu hồi: Ban hành nhầm đối tượng');
  }, 120_000);

  test('electronic copies: SAO Y keeps the original embedded; TRÍCH SAO takes the chosen pages', async () => {
    const original = join(work, 'original.pdf');
    await ok(['--data', data, 'doc', 'export', docIds[0]!, '-o', original]);
    const copy = join(work, 'sao-y.pdf');
    const out = JSON.parse(await ok(['--data', data, 'doc', 'copy', docIds[0]!, '--form', 'SAO Y', '--place', 'Quảng Ninh', '--token', 'KYSO-ORG', '--pin-env', 'KYSO_TEST_PIN', '-o', copy, '--json'])) as Record<string, unknown>;
    expect(out).toMatchObject({ form: 'SAO Y', number: '01/SY', source: 'outgoing', originalId: docIds[0] });
    expectJudgedValid(copy, nss, [ORG]);
    const t = text(copy, ['-f', '1', '-l', '1']);
    expect(t).toContain('SAO Y, số 01/SY');
    expect(t).toContain(ORG);
    expect(t).toMatch(/Quảng Ninh, \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+07:00/);
    // The original's text is there, its seal and signature drawn; the original itself is embedded, byte for byte.
    expect(t).toContain('QUYẾT ĐỊNH');
    expect(runTool('pdfdetach', ['-list', copy]).stdout).toMatch(/1 embedded files/);
    runTool('pdfdetach', ['-save', '1', '-o', join(work, 'embedded.pdf'), copy]);
    expect(readFileSync(join(work, 'embedded.pdf'))).toEqual(readFileSync(original));
    const v = await kyso(['verify', join(work, 'embedded.pdf'), '--trust', pki.rootPemPath, '--crl', pki.crlDerPath, '--crl', pki.rootCrlDerPath, '--offline']);
    expect(v.status, v.stdout).toBe(0);
    runTool('pdftoppm', ['-r', '70', '-png', '-f', '1', '-l', '1', copy, join(SHOTS, 'copy-sao-y')]);

    const extract = join(work, 'trich-sao.pdf');
    await ok(['--data', data, 'doc', 'copy', docIds[1]!, '--form', 'TRÍCH SAO', '--pages', '1', '--token', 'KYSO-ORG', '--pin-env', 'KYSO_TEST_PIN', '-o', extract]);
    expectJudgedValid(extract, nss, [ORG]);
    expect(text(extract)).toContain('TRÍCH SAO, số 02/TS');
    expect(runTool('pdfdetach', ['-list', extract]).stdout).toMatch(/0 embedded files/);
    const bad = await kyso(['--data', data, 'doc', 'copy', docIds[1]!, '--form', 'TRÍCH SAO', '--pages', '2-3', '--token', 'KYSO-ORG', '--pin-env', 'KYSO_TEST_PIN']);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/^Lỗi \[COPY_PAGES_INVALID\]/);
    const list = JSON.parse(await ok(['--data', data, 'copy', 'list', '--json'])) as { copies: Array<{ number: string; originalId: string }> };
    expect(list.copies.map((c) => [c.number, c.originalId])).toEqual([
      ['01/SY', docIds[0]],
      ['02/TS', docIds[1]],
    ]);
  }, 180_000);

  test('the exchange report (QN Đ11) as PDF with its chart, and as XLSX', async () => {
    const pdf = join(work, 'bao-cao.pdf');
    await ok(['--data', data, 'report', '--from', '2026-12-01', '--to', '2027-01-31', '--organisation', 'Sở Y tế tỉnh Quảng Ninh', '-o', pdf]);
    const t = text(pdf);
    for (const s of ['BÁO CÁO TÌNH HÌNH GỬI, NHẬN VĂN BẢN ĐIỆN TỬ', 'Từ ngày 01/12/2026 đến ngày 31/01/2027', 'Văn bản điện tử đã gửi: 1', 'Văn bản gửi và nhận theo tháng', 'Sở Tài chính', 'Ban hành nhầm đối tượng', 'Gửi kèm bản giấy theo QN Đ8.2', 'Văn bản chỉ ban hành bản giấy'])
      expect(t).toContain(s);
    runTool('pdftoppm', ['-r', '60', '-png', pdf, join(SHOTS, 'exchange-report')]);
    const json = JSON.parse(await ok(['--data', data, 'report', '--from', '2026-12-01', '--to', '2027-01-31', '--json'])) as { sent: { total: number }; recalls: unknown[]; paperCopies: unknown[] };
    expect(json.sent.total).toBe(1);
    expect(json.recalls).toHaveLength(1);
    expect(json.paperCopies).toHaveLength(1 + 3);
    const xlsx = join(work, 'bao-cao.xlsx');
    await ok(['--data', data, 'report', '--from', '2026-12-01', '--to', '2027-01-31', '-o', xlsx]);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(xlsx);
    expect(wb.worksheets.length).toBeGreaterThanOrEqual(8);
    expect(readdirSync(SHOTS).some((f) => f.startsWith('exchange-report'))).toBe(true);
  }, 120_000);
});
