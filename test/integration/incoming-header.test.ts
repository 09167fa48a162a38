// Issue 14: what page 1 of a received document says, read with Kyso's own text lines (no pdf.js):
// a decision's type and "Về việc …" subject, a công văn's "V/v …" over two lines under its number,
// the issuer with the organisation above it, the place-date line; and a file whose page has no
// text (a scan) still arrives, under its file name, with nothing made up. Files signed with the
// organisation's test key (signPdf), kept and verified by a real desk (database, store).
import { readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import fontkit from '@pdf-lib/fontkit';
import { PDFDocument, rgb, type PDFFont, type PDFPage } from 'pdf-lib';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { SoftwareSigner } from '../../src/main/cms/signer.js';
import { signPdf } from '../../src/main/sign/sign.js';
import { loadTrustStore } from '../../src/main/verify/chain.js';
import { readIncomingHeader } from '../../src/main/workflow/incoming-header.js';
import { WorkflowService } from '../../src/main/workflow/service.js';
import { trustingDataFolder } from '../fixtures/desk-data.js';
import { makeNd30Pdf } from '../fixtures/nd30.js';
import { sharedTestPki } from '../fixtures/pki.js';
import { makeTempDir, removeTempDir, repoRoot } from '../fixtures/tmp.js';

const pki = await sharedTestPki();
let work: string;
let desk: WorkflowService;

beforeAll(() => {
  work = makeTempDir('incoming-header');
  desk = WorkflowService.open({ dataDir: trustingDataFolder(pki, join(work, 'data')), trust: () => loadTrustStore([pki.rootPemPath]), crls: () => [pki.crlDer, readFileSync(pki.rootCrlDerPath)], actor: 'văn thư' });
});
afterAll(() => {
  desk?.close();
  removeTempDir(work);
});

async function signed(name: string, bytes: Buffer): Promise<string> {
  const unsigned = join(work, `${name}-unsigned.pdf`);
  writeFileSync(unsigned, bytes);
  const out = join(work, `${name}.pdf`);
  await signPdf({ input: unsigned, output: out, signer: new SoftwareSigner(pki.org.privateKey, pki.org.certDer, [pki.subCa.certDer]) });
  return out;
}

/** A công văn of a district office as agencies lay it out: "V/v …" under the number, over two lines. */
async function congVan(): Promise<Buffer> {
  const doc = await PDFDocument.create();
  doc.registerFontkit(fontkit);
  const f = (n: string) => doc.embedFont(readFileSync(join(repoRoot(), 'assets', 'fonts', n)), { subset: true });
  const [regular, bold, italic] = await Promise.all([f('LiberationSerif-Regular.ttf'), f('LiberationSerif-Bold.ttf'), f('LiberationSerif-Italic.ttf')]);
  const page = doc.addPage([595.28, 841.89]);
  const c = (p: PDFPage, text: string, cx: number, y: number, size: number, font: PDFFont) => p.drawText(text, { x: cx - font.widthOfTextAtSize(text, size) / 2, y, size, font });
  c(page, 'UBND HUYỆN VÂN ĐỒN', 170, 770, 12, regular);
  c(page, 'CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM', 395, 770, 12, bold);
  c(page, 'VĂN PHÒNG HĐND VÀ UBND', 170, 755, 12.5, bold);
  c(page, 'Độc lập - Tự do - Hạnh phúc', 395, 755, 13, bold);
  c(page, 'Số: 45/VP-HC', 170, 725, 13, regular);
  c(page, 'Vân Đồn, ngày 02 tháng 3 năm 2026', 395, 725, 13, italic);
  c(page, 'V/v rà soát hồ sơ lưu trữ', 170, 708, 12, regular);
  c(page, 'năm 2025', 170, 694, 12, regular);
  c(page, 'Kính gửi: Sở Nội vụ tỉnh Quảng Ninh', 300, 650, 14, regular);
  page.drawText('Văn phòng HĐND và UBND huyện đề nghị Sở hướng dẫn việc rà soát hồ sơ lưu trữ.', { x: 85, y: 610, size: 13, font: regular });
  return Buffer.from(await doc.save({ useObjectStreams: false }));
}

/** A scan: an image-like page with no text at all. */
async function scan(): Promise<Buffer> {
  const doc = await PDFDocument.create();
  const page = doc.addPage([595.28, 841.89]);
  for (let y = 100; y < 760; y += 14) page.drawRectangle({ x: 85, y, width: 420, height: 6, color: rgb(0.2, 0.2, 0.2) });
  return Buffer.from(await doc.save({ useObjectStreams: false }));
}

test('a decision: issuer with the organisation above it, number, date, type and the "Về việc" subject', async () => {
  const f = await signed('quyet-dinh-203', await makeNd30Pdf({ blankNumber: false, year: 2026 }));
  expect(await readIncomingHeader(f)).toEqual({
    issuer: 'SỞ Y TẾ (UBND TỈNH QUẢNG NINH)',
    issuerName: 'SỞ Y TẾ',
    numberSymbol: '203/QĐ-SYT',
    issueDate: '2026-05-12',
    docType: 'Quyết định',
    subject: 'Về việc ban hành Quy chế ký số văn bản điện tử',
  });
});

test('a công văn: "V/v …" over two lines under the number; the issuer is the printed one when the certificate names another', async () => {
  const f = await signed('cong-van-45', await congVan());
  expect(await readIncomingHeader(f)).toEqual({
    issuer: 'VĂN PHÒNG HĐND VÀ UBND (UBND HUYỆN VÂN ĐỒN)',
    issuerName: 'VĂN PHÒNG HĐND VÀ UBND',
    numberSymbol: '45/VP-HC',
    issueDate: '2026-03-02',
    docType: 'Công văn',
    subject: 'V/v rà soát hồ sơ lưu trữ năm 2025',
  });
  // Received: the register's fields are what the page prints (the test key's certificate names Sở Y tế, not this office).
  const item = await desk.importIncoming(basename(f), readFileSync(f));
  expect(item).toMatchObject({ title: 'V/v rà soát hồ sơ lưu trữ năm 2025', number: '45/VP-HC', issueDate: '2026-03-02', docType: 'Công văn', sender: 'VĂN PHÒNG HĐND VÀ UBND (UBND HUYỆN VÂN ĐỒN)' });
});

test('a page without text (a scan) still arrives, under its file name, with nothing made up', async () => {
  const f = await signed('scan-cong-van', await scan());
  expect(await readIncomingHeader(f)).toEqual({});
  const item = await desk.importIncoming(basename(f), readFileSync(f));
  expect(item).toMatchObject({ title: 'scan-cong-van', number: null, issueDate: null, docType: null, sender: pki.org.names.organisation });
});
