// Issue 14, the incoming register's columns for received files: the real subject, number, date and
// issuer instead of the file name. Two desks (two data folders, two agencies) run as people run
// `kyso`, with the organisation's SoftHSM2 token:
//   - a LibreOffice-made NĐ 30 draft (Writer, .fodt → PDF) issued by Sở Y tế (number and date
//     filled in at signing), its file dropped into Sở Nội vụ's inbox with no envelope: trích yếu,
//     số/ký hiệu, ngày văn bản, tên loại and tác giả are read from page 1 and stand in the register;
//   - the same agency's document received through the exchange: the edXML envelope's values win;
//   - the clerk corrects the fields (`kyso inbox edit`): the register shows them, the audit log
//     has the change with the values before and after;
//   - a paper arrival with the same number + symbol + issuer as a received file is warned about,
//     the earlier one named; a different number is not.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { vietnamDay } from '../../src/main/appearance/time.js';
import { readIncomingHeader } from '../../src/main/workflow/incoming-header.js';
import { exchangeBench, type Bench, type Desk } from '../fixtures/desks.js';
import { LEADER_TITLE, officeDrafts } from '../fixtures/office-drafts.js';
import { sharedTestPki } from '../fixtures/pki.js';
import { sharedSoftHsm, type SoftHsm } from '../fixtures/softhsm.js';
import { makeTempDir, removeTempDir } from '../fixtures/tmp.js';

const pki = await sharedTestPki();
/** The organisation's certificate (O): the sender of what it seals. */
const ORG = pki.org.names.organisation!;
const NEW_SENDER = 'Sở Y tế, UBND tỉnh Quảng Ninh';
let work: string;
let b: Bench;
let syt: Desk;
let snv: Desk;
let odt: string;
let hsm: SoftHsm;

interface Item {
  id: string;
  title: string;
  number: string | null;
  issueDate: string | null;
  docType: string | null;
  sender: string | null;
  fileName: string;
  organId?: string | null;
}

beforeAll(async () => {
  work = makeTempDir('books-incoming-fields');
  hsm = sharedSoftHsm(pki);
  b = await exchangeBench(work, pki, hsm);
  syt = b.desk('Sở Y tế', '000.00.31.H41');
  snv = b.desk('Sở Nội vụ', '000.00.32.H41');
  await b.connect([syt, snv]);
  odt = (await officeDrafts(join(work, 'drafts'))).odt;
}, 300_000);

afterAll(() => removeTempDir(work));

const today = (): string => vietnamDay(new Date());
const dmy = (iso: string): string => `${iso.slice(8, 10)}/${iso.slice(5, 7)}/${iso.slice(0, 4)}`;

async function issue(d: Desk, file: string, title: string): Promise<{ id: string; number: string }> {
  // Method 2, as an agency issues a decision: the leader signs, then the clerk numbers, dates and seals it.
  const id = b.ok(await b.kyso(['--data', d.data, 'doc', 'add', file, '--method', '2', '--title', title, '--json'])).json().id as string;
  b.ok(await b.kyso(['--data', d.data, 'doc', 'sign', id, '--as', 'leader', '--token', 'KYSO-LEADER', '--pin-env', 'KYSO_TEST_PIN', '--image', b.signature, '--signer-title', LEADER_TITLE], { KYSO_TEST_PIN: hsm.tokens.LEADER.pin }));
  const signed = b.ok(await b.kyso(['--data', d.data, 'doc', 'sign', id, '--as', 'org', '--token', 'KYSO-ORG', '--pin-env', 'KYSO_TEST_PIN', '--image', b.seal, '--json'])).json() as { number: string };
  return { id, number: signed.number };
}

async function inbox(d: Desk): Promise<Item[]> {
  return b.ok(await b.kyso(['--data', d.data, 'inbox', 'list', '--json', '--order', 'date'])).json().items as Item[];
}

async function incomingRegister(d: Desk): Promise<string[][]> {
  const r = b.ok(await b.kyso(['--data', d.data, 'register', 'incoming', '--year', today().slice(0, 4), '--json'])).json() as { columns: string[]; rows: string[][] };
  expect(r.columns.slice(0, 6)).toEqual(['Ngày đến', 'Số đến', 'Tác giả', 'Số, ký hiệu văn bản', 'Ngày tháng văn bản', 'Tên loại và trích yếu nội dung văn bản']);
  return r.rows;
}

describe('the incoming register shows what the document says', () => {
  let dropped: Item;
  let issuedNumber: string;

  test('a LibreOffice NĐ 30 file dropped into the inbox: subject, number, date, type and issuer read from page 1', async () => {
    const doc = await issue(syt, odt, 'Tên nội bộ của bên gửi');
    issuedNumber = doc.number;
    expect(issuedNumber).toMatch(/^\d{2}\/QĐ-SYT$/);
    const file = join(work, 'quyet-dinh-88.pdf');
    b.ok(await b.kyso(['--data', syt.data, 'doc', 'export', doc.id, '-o', file]));
    const imp = b.ok(await b.kyso(['--data', snv.data, 'inbox', 'import', file, '--json'])).json() as { items: Array<{ id: string }> };
    dropped = (await inbox(snv)).find((i) => i.id === imp.items[0]!.id)!;
    expect(dropped).toMatchObject({
      fileName: 'quyet-dinh-88.pdf',
      title: 'Về việc ban hành Quy chế sử dụng chữ ký số',
      number: issuedNumber,
      issueDate: today(),
      docType: 'Quyết định',
      // Page 1 prints "SỞ Y TẾ" under "UBND TỈNH QUẢNG NINH"; the organisation's certificate names it in full.
      sender: ORG,
    });
    // What page 1 itself says, read with Kyso's text lines and the clerk's filled-in annotations.
    expect(await readIncomingHeader(file)).toEqual({
      issuer: 'SỞ Y TẾ (UBND TỈNH QUẢNG NINH)',
      issuerName: 'SỞ Y TẾ',
      numberSymbol: issuedNumber,
      issueDate: today(),
      docType: 'Quyết định',
      subject: 'Về việc ban hành Quy chế sử dụng chữ ký số',
    });
    b.ok(await b.kyso(['--data', snv.data, 'inbox', 'accept', dropped.id]));
    const row = (await incomingRegister(snv)).find((r) => r[3] === issuedNumber)!;
    expect(row.slice(2, 6)).toEqual([ORG, issuedNumber, dmy(today()), 'Quyết định: Về việc ban hành Quy chế sử dụng chữ ký số']);
    expect(row.join(' ')).not.toContain('quyet-dinh-88');
  }, 300_000);

  test('received through the exchange: the envelope’s subject, number, date and sender', async () => {
    const doc = await issue(syt, odt, 'Quyết định về phòng chống dịch mùa đông');
    b.ok(await b.kyso(['--data', syt.data, 'outbox', 'send', doc.id, '--to', snv.organId, '--token', 'KYSO-ORG', '--pin-env', 'KYSO_TEST_PIN']));
    expect(await b.sync(syt)).toMatchObject({ sent: 1, failed: [] });
    expect(await b.sync(snv)).toMatchObject({ received: 1, failed: [] });
    const item = (await inbox(snv)).find((i) => i.organId === syt.organId)!;
    // The envelope names the sender as the address book does, and the subject the sender gave.
    expect(item).toMatchObject({ title: 'Quyết định về phòng chống dịch mùa đông', number: doc.number, issueDate: today(), sender: 'Sở Y tế' });
    b.ok(await b.kyso(['--data', snv.data, 'inbox', 'accept', item.id]));
    const row = (await incomingRegister(snv)).find((r) => r[3] === doc.number)!;
    expect(row[2]).toBe('Sở Y tế');
    expect(row[4]).toBe(dmy(today()));
    expect(row[5]).toContain('Quyết định về phòng chống dịch mùa đông');
  }, 300_000);

  test('the clerk corrects the fields after accepting: the register shows them, the audit log keeps before and after', async () => {
    const r = await b.kyso(['--data', snv.data, 'inbox', 'edit', dropped.id, '--title', 'Về việc ban hành Quy chế sử dụng chữ ký số chuyên dùng', '--sender', NEW_SENDER, '--issue-date', '2026-03-12', '--json']);
    b.ok(r);
    expect(JSON.parse(r.stdout)).toMatchObject({ id: dropped.id, title: 'Về việc ban hành Quy chế sử dụng chữ ký số chuyên dùng', sender: NEW_SENDER, issueDate: '2026-03-12', number: issuedNumber });
    const row = (await incomingRegister(snv)).find((x) => x[3] === issuedNumber && x[2] === NEW_SENDER)!;
    expect(row.slice(2, 6)).toEqual([NEW_SENDER, issuedNumber, '12/03/2026', 'Quyết định: Về việc ban hành Quy chế sử dụng chữ ký số chuyên dùng']);
    const audit = b.ok(await b.kyso(['--data', snv.data, 'audit', 'list', '--subject', `inbox:${dropped.id}`, '--json'])).json() as { entries: Array<{ action: string; details: Record<string, unknown> }> };
    const edit = audit.entries.find((e) => e.action === 'inbox.edited')!;
    expect(edit.details).toEqual({
      changes: {
        title: { from: 'Về việc ban hành Quy chế sử dụng chữ ký số', to: 'Về việc ban hành Quy chế sử dụng chữ ký số chuyên dùng' },
        issue_date: { from: today(), to: '2026-03-12' },
        sender: { from: ORG, to: NEW_SENDER },
      },
    });
    // A date that is no date is refused, and nothing changes.
    const bad = await b.kyso(['--data', snv.data, 'inbox', 'edit', dropped.id, '--issue-date', '2026-02-30']);
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toMatch(/ISSUE_DATE_INVALID/);
    expect((await inbox(snv)).find((i) => i.id === dropped.id)!.issueDate).toBe('2026-03-12');
    b.ok(await b.kyso(['--data', snv.data, 'audit', 'verify']));
  }, 300_000);

  test('a paper arrival with the same number, symbol and issuer as a received file is warned about, the earlier one named', async () => {
    const dup = await b.kyso(['--data', snv.data, 'doc', 'register-paper', '--incoming', '--title', 'Bản giấy của Quyết định quy chế ký số', '--from', NEW_SENDER, '--number', issuedNumber, '--json']);
    b.ok(dup);
    const out = JSON.parse(dup.stdout) as { id: string; duplicates: Array<{ kind: string; id: string; incomingNumber: number; title: string }> };
    expect(out.duplicates).toEqual([expect.objectContaining({ kind: 'electronic', id: dropped.id, title: 'Về việc ban hành Quy chế sử dụng chữ ký số chuyên dùng' })]);
    expect(dup.stderr).toContain(`Cảnh báo [INBOX_DUPLICATE]: văn bản số ${issuedNumber} của ${NEW_SENDER} đã vào sổ văn bản đến trước đây`);
    expect(dup.stderr).toContain('Về việc ban hành Quy chế sử dụng chữ ký số chuyên dùng');
    // The register keeps both (a second copy may come on paper); the paper one is its own row.
    const rows = (await incomingRegister(snv)).filter((r) => r[3] === issuedNumber);
    expect(rows.map((r) => r[9]!.includes('Văn bản giấy'))).toEqual([false, true]);
    // A second paper arrival of it is warned about both earlier ones.
    const again = JSON.parse(b.ok(await b.kyso(['--data', snv.data, 'doc', 'register-paper', '--incoming', '--title', 'Bản giấy thứ hai', '--from', NEW_SENDER.toLowerCase(), '--number', issuedNumber.replace('/', ' / '), '--json'])).stdout) as { duplicates: Array<{ kind: string }> };
    expect(again.duplicates.map((d) => d.kind)).toEqual(['electronic', 'paper']);
    // Another number, or the same number from another issuer: no warning.
    const other = await b.kyso(['--data', snv.data, 'doc', 'register-paper', '--incoming', '--title', 'Công văn khác', '--from', NEW_SENDER, '--number', '999/QĐ-SYT', '--json']);
    expect(JSON.parse(b.ok(other).stdout).duplicates).toEqual([]);
    expect(other.stderr).not.toContain('INBOX_DUPLICATE');
    const elsewhere = await b.kyso(['--data', snv.data, 'doc', 'register-paper', '--incoming', '--title', 'Cùng số, khác cơ quan', '--from', 'Sở Tài chính', '--number', issuedNumber, '--json']);
    expect(JSON.parse(b.ok(elsewhere).stdout).duplicates).toEqual([]);
    // And the received file's own view now names the paper copies beside it.
    const edit = await b.kyso(['--data', snv.data, 'inbox', 'edit', dropped.id, '--type', 'Quyết định', '--json']);
    expect((JSON.parse(b.ok(edit).stdout) as { paperDuplicates: unknown[] }).paperDuplicates).toHaveLength(2);
    expect(edit.stderr).toContain('đã vào sổ bằng giấy');
  }, 300_000);
});
