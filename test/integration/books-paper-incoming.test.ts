// Issue 14, paper arrivals through the desk (`kyso doc register-paper --incoming …`): a document
// received on paper takes the next số đến of the year, one series with the received files (the next
// file accepted takes the number after it), and stands in the incoming register — on screen, in
// the PDF book (pdftotext) and in the XLSX (exceljs) — marked as paper, with Chuyển and the record.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { SoftwareSigner } from '../../src/main/cms/signer.js';
import { signPdf } from '../../src/main/sign/sign.js';
import { trustingDataFolder } from '../fixtures/desk-data.js';
import { makeNd30Pdf } from '../fixtures/nd30.js';
import { sharedTestPki } from '../fixtures/pki.js';
import { runKyso, type KysoRun } from '../fixtures/kyso-run.js';
import { makeTempDir, removeTempDir } from '../fixtures/tmp.js';
import { runTool } from '../fixtures/tools.js';

const pki = await sharedTestPki();
let work: string;
let data: string;
const year = new Date(Date.now() + 7 * 3600_000).getUTCFullYear();

function kyso(args: string[]): Promise<KysoRun> {
  return runKyso(['--data', data, ...args], { XDG_CONFIG_HOME: join(work, 'config') });
}

async function ok(args: string[]): Promise<string> {
  const r = await kyso(args);
  expect(r.status, `${r.stderr}\n${r.stdout}`).toBe(0);
  return r.stdout;
}

beforeAll(() => {
  work = makeTempDir('books-paper-incoming');
  data = trustingDataFolder(pki, join(work, 'data'));
});
afterAll(() => removeTempDir(work));

test('paper arrivals share the số đến series with received files and stand in the incoming register', async () => {
  const first = JSON.parse(await ok(['doc', 'register-paper', '--incoming', '--title', 'Công văn về việc rà soát hồ sơ lưu trữ', '--from', 'UBND huyện Vân Đồn', '--number', '45/UBND-VP', '--issued', `${year}-01-02`, '--to', 'Văn phòng Sở', '--record', 'HS-03', '--urgency', 'urgent', '--json'])) as { incomingNumber: number; year: number };
  expect(first).toMatchObject({ incomingNumber: 1, year });
  // A received file accepted next: số đến 2.
  const unsigned = join(work, 'draft.pdf');
  writeFileSync(unsigned, await makeNd30Pdf({ blankNumber: false }));
  const file = join(work, 'quyet-dinh.pdf');
  await signPdf({ input: unsigned, output: file, signer: new SoftwareSigner(pki.org.privateKey, pki.org.certDer, [pki.subCa.certDer]) });
  const imp = JSON.parse(await ok(['inbox', 'import', file, '--json'])) as { items: Array<{ id: string }> };
  const acc = JSON.parse((await ok(['inbox', 'accept', imp.items[0]!.id, '--json'])).trim().split('\n').at(-1)!) as { incomingNumber: number };
  expect(acc.incomingNumber).toBe(2);
  // And a second paper arrival: 3.
  await ok(['doc', 'register-paper', '--incoming', '--title', 'Giấy mời dự hội nghị', '--from', 'Sở Nội vụ']);
  const bad = await kyso(['doc', 'register-paper', '--incoming', '--title', 'Không có nơi gửi']);
  expect(bad.status).not.toBe(0);
  expect(bad.stderr).toContain('--from');

  const reg = JSON.parse(await ok(['register', 'incoming', '--year', String(year), '--json'])) as { rows: string[][] };
  expect(reg.rows.map((r) => [r[1], r[2]])).toEqual([
    ['1', 'UBND huyện Vân Đồn'],
    ['2', expect.any(String)],
    ['3', 'Sở Nội vụ'],
  ]);
  expect(reg.rows[0]![3]).toBe('45/UBND-VP');
  expect(reg.rows[0]![6]).toBe('Văn phòng Sở');
  expect(reg.rows[0]![9]).toBe('Văn bản giấy; Lưu hồ sơ số HS-03; Khẩn');
  expect(reg.rows[1]![9]).not.toContain('Văn bản giấy');

  const pdf = join(work, 'so-den.pdf');
  await ok(['register', 'incoming', '--year', String(year), '--organisation', 'Sở Y tế tỉnh Quảng Ninh', '-o', pdf]);
  const t = runTool('pdftotext', [pdf, '-']).stdout.replace(/\s+/g, ' ');
  for (const s of ['SỔ ĐĂNG KÝ VĂN BẢN ĐẾN', 'UBND huyện Vân Đồn', '45/UBND-VP', 'Văn bản giấy', 'Sở Nội vụ', 'Từ số 1 đến số 3']) expect(t).toContain(s);
  const xlsx = join(work, 'so-den.xlsx');
  await ok(['register', 'incoming', '--year', String(year), '-o', xlsx]);
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.readFile(xlsx);
  const values = (wb.worksheets[0]!.getSheetValues() as unknown[][]).filter(Boolean).map((r) => (r as unknown[]).slice(1).map((v) => (v === undefined || v === null ? '' : String(v))));
  const header = values.findIndex((r) => r[0] === 'Ngày đến');
  expect(values.slice(header + 2).map((r) => [r[1], r[2]])).toEqual([
    ['1', 'UBND huyện Vân Đồn'],
    ['2', values[header + 3]![2]],
    ['3', 'Sở Nội vụ'],
  ]);
  // The audit log has the registration.
  const audit = JSON.parse(await ok(['audit', 'list', '--json'])) as { entries: Array<{ action: string }> };
  expect(audit.entries.filter((e) => e.action === 'register.paper-incoming')).toHaveLength(2);
}, 180_000);
