// Issue 13 from the app, in a real browser: two desks of two agencies (two data folders, two web
// apps, one Chromium) are configured entirely from the exchange screens — agency code, inbox
// folder with a connection test that really writes there (and one that cannot), a mail server
// that does not answer, the address book searched without diacritics — and exchange through
// shared folders: a document sent from Sở Y tế's outbox shows 01 then 03 once Sở Nội vụ accepts
// in its own app, then 04 when it assigns it; a second one rejected with a reason shows the reason,
// and its replacement, sent from the outbox, freezes the refused copy at the receiver.
// Then the same two desks switch to the public-service mail, again from the screens, against real
// Postfix and Dovecot (test/fixtures/mail-server.ts: STARTTLS with a test CA, one mailbox each):
// the connection test logs in to both servers (and says so when the password is wrong), the
// address book's peers are edited to mail addresses, and a third document makes the round trip.
// The command line reads the same statuses from the same store. Screenshots of the exchange
// settings, the address book, the outbox with statuses and the inbox go to test-output/screenshots
// (docs/screenshots with KYSO_UPDATE_SCREENSHOTS=1).
import { createServer } from 'node:net';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startMailServer, type MailServer } from '../fixtures/mail-server.js';
import { makeTempDir, removeTempDir } from '../fixtures/tmp.js';
import { CHROMIUM, kysoCli, materials, type Materials } from './harness.js';
import { FAILURES, go, issueDoc, openDesk, shot, SNV, sync, SYT, textOf, WAIT, type Agency, type Desk } from './exchange-desks.js';


const STC = { organId: '000.00.33.H41', name: 'Sở Tài chính tỉnh Quảng Ninh' };
const BDT = { organId: '000.00.40.H41', name: 'Ban Dân tộc tỉnh Quảng Ninh' };
const TITLE_1 = 'Quyết định về phòng, chống dịch sốt xuất huyết năm 2026';
const TITLE_2 = 'Công văn đề nghị cử cán bộ tham gia đoàn kiểm tra';
const TITLE_3 = 'Giấy mời họp giao ban công tác y tế quý IV';
const SYT_MAIL = { address: 'vanthu@syt.quangninh.test', password: 'mật-khẩu-sở-y-tế' };
const SNV_MAIL = { address: 'vanthu@snv.quangninh.test', password: 'so-noi-vu-2026' };
const REASON = 'Không thuộc thẩm quyền giải quyết của Sở Nội vụ, đề nghị gửi Sở Tài chính';

let work: string;
let m: Materials;
let browser: Browser;
let syt: Desk;
let snv: Desk;

const open = (who: Agency, name: string): Promise<Desk> => openDesk({ browser, m, work }, who, name);
const issue = (d: Desk, title: string): Promise<string> => issueDoc(m, d, title);

/** Types this desk's agency and inbox folder in the exchange screen, tests the folder, saves. */
async function configure(d: Desk): Promise<void> {
  const p = d.page;
  await go(d, 'exchange');
  await p.getByTestId('x-organ-id').fill(d.who.organId);
  await p.getByTestId('x-organ-name').fill(d.who.name);
  await p.getByTestId('x-self-save').click();
  await textOf(p, 'notice').toContain(d.who.organId);
  await p.getByTestId('x-kind-folder').click();
  await p.getByTestId('x-path').fill(d.drop);
  await p.getByTestId('x-test').click();
  await textOf(p, 'x-test-ok').toContain(d.drop);
  expect(await p.getByTestId('x-test-ok').textContent()).toContain('ghi thử, đọc lại, xóa được');
  await p.getByTestId('x-inbox-save').click();
  await textOf(p, 'x-inbox-now').toContain(d.drop);
}

async function addPeer(d: Desk, peer: { organId: string; name: string }, transport: 'folder' | 'mail' | 'axis', address = ''): Promise<void> {
  const p = d.page;
  await p.getByTestId('peer-name').fill(peer.name);
  await p.getByTestId('peer-organ-id').fill(peer.organId);
  await p.getByTestId('peer-transport').selectOption(transport);
  if (transport !== 'axis') await p.getByTestId('peer-address').fill(address);
  await p.getByTestId('peer-save').click();
  await p.locator(`[data-testid=peer-row][data-organ-id="${peer.organId}"]`).waitFor();
}

/** The organisation token's PIN typed in the PIN dialog an envelope asks for. */
async function pin(d: Desk): Promise<void> {
  await d.page.getByTestId('pin-dialog').waitFor();
  await d.page.getByTestId('pin-input').fill(m.hsm.tokens.ORG.pin);
  await d.page.getByTestId('pin-ok').click();
  await d.page.getByTestId('pin-dialog').waitFor({ state: 'detached' });
}

const recipient = (d: Desk, title: string, organId: string) =>
  d.page.getByTestId('outbox-item').filter({ hasText: title }).locator(`[data-testid=recipient][data-organ-id="${organId}"]`);

/** Syncs until `done` says what was waiting for has come (mail takes a moment to be delivered). */
async function syncUntil(d: Desk, done: (r: { sent: number; received: number; statuses: number }) => boolean, what: string): Promise<void> {
  for (let i = 0; i < 60; i++) {
    if (done(await sync(d))) return;
    await d.page.waitForTimeout(250);
  }
  throw new Error(`${what}: not reached after 60 syncs`);
}

/** A port nothing listens on (taken, then released). */
async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

beforeAll(async () => {
  work = makeTempDir('e2e-exchange');
  m = await materials(work);
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox'] });
  syt = await open(SYT, 'so-y-te');
  snv = await open(SNV, 'so-noi-vu');
}, 180_000);

afterAll(async () => {
  for (const d of [syt, snv]) {
    if (d && (d.errors.length || process.env.KYSO_KEEP_FAILURES)) console.error(d.who.organId, d.errors.join('\n'));
    if (d && (d.errors.length || process.env.KYSO_KEEP_FAILURES)) await d.page.screenshot({ path: join(FAILURES, `exchange-${d.who.organId}.png`) }).catch(() => undefined);
  }
  await browser?.close();
  await syt?.app.stop();
  await snv?.app.stop();
  if (work) removeTempDir(work);
});

describe('exchange from the app screens (two agencies, shared folders)', () => {
  test('the exchange settings: agency code, an inbox folder that is tested for real, a folder that is not there, a mail server that does not answer', async () => {
    const p = syt.page;
    await go(syt, 'exchange');
    // Nothing configured yet: the screen says so, and an inbox cannot be saved before the agency.
    await textOf(p, 'x-inbox-now').toContain('Chưa cấu hình hộp nhận');
    await p.getByTestId('x-path').fill(join(work, 'khong-co-thu-muc-nay'));
    await p.getByTestId('x-test').click();
    const folderError = p.getByTestId('x-test-error').getByTestId('error');
    await expect.poll(() => folderError.getAttribute('data-code'), WAIT).toBe('EXCHANGE_FOLDER_UNAVAILABLE');
    expect(await folderError.textContent()).toContain('Không ghi được vào thư mục trao đổi văn bản');
    expect(await folderError.textContent()).toContain('không có thư mục này');

    await p.getByTestId('x-kind-mail').click();
    const port = await closedPort();
    await p.getByTestId('x-imapUrl').fill(`imap://127.0.0.1:${port}`);
    await p.getByTestId('x-smtpUrl').fill(`smtp://127.0.0.1:${port}`);
    await p.getByTestId('x-user').fill('vanthu@syt.quangninh.gov.vn');
    // No password yet: said before any connection is tried.
    await p.getByTestId('x-test').click();
    const mailError = p.getByTestId('x-test-error').getByTestId('error');
    await expect.poll(() => mailError.getAttribute('data-code'), WAIT).toBe('EXCHANGE_SECRET_MISSING');
    expect(await mailError.textContent()).toContain('KYSO_MAIL_PASSWORD');
    await p.getByTestId('x-password').fill('mat-khau-thu-nghiem');
    await p.getByTestId('x-test').click();
    await expect.poll(() => mailError.getAttribute('data-code'), WAIT).toBe('EXCHANGE_UNREACHABLE');
    expect(await mailError.textContent()).toContain(`Không kết nối được máy chủ trao đổi văn bản 127.0.0.1:${port} (SMTP)`);
    expect(await mailError.textContent()).toContain('chưa lưu gì');
    await textOf(p, 'x-secret-state').toContain('mật khẩu vừa nhập');
    await shot(syt, 'exchange-settings-mail-error');

    await configure(syt);
    await shot(syt, 'exchange-settings');
    await configure(snv);
  });

  test('the address book: add by transport, search without diacritics, edit, remove', async () => {
    const p = syt.page;
    await go(syt, 'addressbook');
    await textOf(p, 'peer-empty').toContain('Sổ địa chỉ chưa có cơ quan nào');
    await addPeer(syt, SNV, 'folder', snv.drop);
    await addPeer(syt, { ...STC, name: 'Sở Tài chính' }, 'mail', 'vanthu@stc.quangninh.gov.vn');
    await addPeer(syt, BDT, 'axis');
    // Typed without diacritics, in any case, by words or by code.
    const names = async () => (await p.getByTestId('peer-row').locator('strong').allTextContents()).sort();
    await p.getByTestId('peer-search').fill('so noi vu');
    await expect.poll(names, WAIT).toEqual([SNV.name]);
    await p.getByTestId('peer-search').fill('TAI CHINH');
    await expect.poll(names, WAIT).toEqual(['Sở Tài chính']);
    await p.getByTestId('peer-search').fill('dan toc');
    await expect.poll(names, WAIT).toEqual([BDT.name]);
    await p.getByTestId('peer-search').fill('32.h41');
    await expect.poll(names, WAIT).toEqual([SNV.name]);
    await p.getByTestId('peer-search').fill('kho bac');
    await textOf(p, 'peer-empty').toContain('Không có cơ quan nào khớp');
    await p.getByTestId('peer-search').fill('');
    await expect.poll(names, WAIT).toEqual([BDT.name, SNV.name, 'Sở Tài chính'].sort());
    // Edit: the full name.
    await p.locator(`[data-testid=peer-row][data-organ-id="${STC.organId}"]`).getByTestId('peer-edit').click();
    await p.getByTestId('peer-name').fill(STC.name);
    await p.getByTestId('peer-save').click();
    await expect.poll(names, WAIT).toEqual([BDT.name, SNV.name, STC.name].sort());
    // Remove (confirmed).
    await p.locator(`[data-testid=peer-row][data-organ-id="${BDT.organId}"]`).getByTestId('peer-remove').click();
    await expect.poll(names, WAIT).toEqual([SNV.name, STC.name]);
    expect(await p.locator(`[data-testid=peer-row][data-organ-id="${STC.organId}"]`).textContent()).toContain('vanthu@stc.quangninh.gov.vn');
    // The axis import needs an axis inbox: the button says so rather than failing.
    expect(await p.getByTestId('peer-import').isDisabled()).toBe(true);
    await shot(syt, 'exchange-address-book');
    // The command line reads the same address book.
    const peers = await kysoCli(['--data', syt.data, 'exchange', 'peer', 'list', '--json']);
    expect(JSON.parse(peers.stdout).peers.map((x: { organId: string; transport: string }) => [x.organId, x.transport])).toEqual([
      [SNV.organId, 'folder'],
      [STC.organId, 'mail'],
    ]);

    await go(snv, 'addressbook');
    await addPeer(snv, SYT, 'folder', syt.drop);
  });

  test('a document sent from the outbox shows 01 on arrival, 03 once the receiver accepts in its app, then 04', async () => {
    const id = await issue(syt, TITLE_1);
    const a = syt.page;
    await go(syt, 'outbox');
    const row = a.getByTestId('outbox-item').filter({ hasText: TITLE_1 });
    await row.getByTestId('send-open').click();
    await a.getByTestId('send-search').fill('noi vu');
    await a.locator(`[data-testid=send-peer][data-organ-id="${SNV.organId}"] input`).check();
    // The package is signed with the organisation's token (the PIN asked in the PIN dialog).
    await a.getByTestId('send-sign').check();
    await a.getByTestId('send-token').selectOption(m.hsm.tokens.ORG.label);
    await a.getByTestId('send-submit').click();
    await pin(syt);
    await expect.poll(() => recipient(syt, TITLE_1, SNV.organId).getAttribute('data-status'), WAIT).toBe('pending');
    await textOf(a, 'recipient-status').toContain('chờ gửi');
    expect(await sync(syt)).toMatchObject({ sent: 1 });
    await expect.poll(() => recipient(syt, TITLE_1, SNV.organId).getAttribute('data-status'), WAIT).toBe('sent');

    // Sở Nội vụ takes it in from its own app: sender, number and subject; the envelope signed.
    const b = snv.page;
    await go(snv, 'inbox');
    expect(await sync(snv)).toMatchObject({ received: 1, sent: 1 });
    const item = b.getByTestId('inbox-item').filter({ hasText: TITLE_1 });
    await item.waitFor();
    const number = (await item.getByTestId('inbox-number').textContent())!;
    expect(number).toMatch(/^\d+\/.+/);
    expect(await item.getByTestId('inbox-sender').textContent()).toContain(SYT.name);
    await item.click();
    await textOf(b, 'inbox-facts').toContain(`${SYT.name} (${SYT.organId})`);
    await textOf(b, 'inbox-envelope').toContain(m.pki.org.names.commonName);

    expect(await sync(syt)).toMatchObject({ statuses: 1 });
    await expect.poll(() => recipient(syt, TITLE_1, SNV.organId).getAttribute('data-code'), WAIT).toBe('01');
    expect(await recipient(syt, TITLE_1, SNV.organId).getByTestId('recipient-status').textContent()).toBe('01 đã đến');

    await b.getByTestId('inbox-accept').click();
    await textOf(b, 'inbox-decision').toContain('Số đến');
    expect(await sync(snv)).toMatchObject({ sent: 1 });
    expect(await sync(syt)).toMatchObject({ statuses: 1 });
    const r = recipient(syt, TITLE_1, SNV.organId);
    await expect.poll(() => r.getAttribute('data-code'), WAIT).toBe('03');
    expect(await r.getAttribute('data-status')).toBe('accepted');
    expect(await r.getByTestId('recipient-description').textContent()).toContain('vào sổ văn bản đến số 1');
    expect(await r.getByTestId('recipient-history').textContent()).toMatch(/01 \d\d:\d\d → 03 \d\d:\d\d/);

    // Assigned at the receiver (04): answered back as well.
    await b.getByTestId('progress-assigned').click();
    await expect.poll(() => b.getByTestId('inbox-progress').getAttribute('data-progress'), WAIT).toBe('assigned');
    expect(await sync(snv)).toMatchObject({ sent: 1 });
    expect(await sync(syt)).toMatchObject({ statuses: 1 });
    await expect.poll(() => r.getAttribute('data-code'), WAIT).toBe('04');

    // The command line reads the same history from the same store.
    const out = await kysoCli(['--data', syt.data, 'outbox', 'list', '--json']);
    const listed = (JSON.parse(out.stdout).items as Array<{ documentId: string; recipients: Array<{ organId: string; history: Array<{ statusCode: string }> }> }>).find((x) => x.documentId === id)!;
    expect(listed.recipients.find((x) => x.organId === SNV.organId)!.history.map((h) => h.statusCode)).toEqual(['01', '03', '04']);
  });

  test('a document rejected with a reason shows 02 and the reason in the sender’s outbox; its replacement freezes the refused copy', async () => {
    const id2 = await issue(syt, TITLE_2);
    const a = syt.page;
    // Issued from the command line meanwhile: the outbox shows it when opened again.
    await go(syt, 'inbox');
    await go(syt, 'outbox');
    await a.getByTestId('outbox-item').filter({ hasText: TITLE_2 }).getByTestId('send-open').click();
    await a.locator(`[data-testid=send-peer][data-organ-id="${SNV.organId}"] input`).check();
    // Signed by default; this one goes unsigned (the receiver reports the envelope as missing).
    expect(await a.getByTestId('send-sign').isChecked()).toBe(true);
    await a.getByTestId('send-sign').uncheck();
    await a.getByTestId('send-submit').click();
    await expect.poll(() => recipient(syt, TITLE_2, SNV.organId).getAttribute('data-status'), WAIT).toBe('pending');
    expect(await sync(syt)).toMatchObject({ sent: 1 });

    const b = snv.page;
    await go(snv, 'inbox');
    expect(await sync(snv)).toMatchObject({ received: 1 });
    await b.getByTestId('inbox-item').filter({ hasText: TITLE_2 }).click();
    // Unsigned envelope: said, while the PDF's own signatures decide.
    await textOf(b, 'inbox-envelope').toMatch(/\S/);
    await b.getByTestId('inbox-reason').fill(REASON);
    await b.getByTestId('inbox-reject').click();
    await textOf(b, 'inbox-decision').toContain(REASON);
    expect(await sync(snv)).toMatchObject({ sent: 1 });
    await b.getByTestId('inbox-item').filter({ hasText: TITLE_1 }).click();
    await shot(snv, 'exchange-inbox');

    // 01 (arrived) and 02 (refused) come back in one pass.
    expect(await sync(syt)).toMatchObject({ statuses: 2 });
    const r = recipient(syt, TITLE_2, SNV.organId);
    await expect.poll(() => r.getAttribute('data-code'), WAIT).toBe('02');
    expect(await r.getAttribute('data-status')).toBe('rejected');
    expect(await r.getByTestId('recipient-description').textContent()).toBe(REASON);
    expect(await r.getByTestId('recipient-history').textContent()).toMatch(/01 \d\d:\d\d → 02 \d\d:\d\d/);
    await shot(syt, 'exchange-outbox-statuses');

    // Corrected and sent again as its replacement (BussinessDocType 3): the refused copy at the
    // receiver is frozen as replaced and linked; the new one arrives as its own document.
    const TITLE_2B = `${TITLE_2} (thay thế)`;
    await issue(syt, TITLE_2B);
    await go(syt, 'inbox');
    await go(syt, 'outbox');
    await a.getByTestId('outbox-item').filter({ hasText: TITLE_2B }).getByTestId('send-open').click();
    await a.locator(`[data-testid=send-peer][data-organ-id="${SNV.organId}"] input`).check();
    await a.getByTestId('send-kind').selectOption('replaces');
    await a.getByTestId('send-earlier').selectOption(id2);
    await a.getByTestId('send-reason').fill('Gửi lại đúng nơi có thẩm quyền');
    await a.getByTestId('send-submit').click();
    await pin(syt);
    await expect.poll(() => recipient(syt, TITLE_2B, SNV.organId).getAttribute('data-status'), WAIT).toBe('pending');
    expect(await sync(syt)).toMatchObject({ sent: 1 });
    expect(await sync(snv)).toMatchObject({ received: 1 });
    await b.getByTestId('inbox-item').filter({ hasText: TITLE_2 }).filter({ hasNotText: 'thay thế' }).click();
    await textOf(b, 'inbox-frozen').toContain('Đã được thay thế');
    expect(await b.getByTestId('inbox-item').filter({ hasText: TITLE_2B }).count()).toBe(1);
    expect([...syt.errors, ...snv.errors]).toEqual([]);
  });
});

describe('the same desks over the public-service mail (real Postfix and Dovecot)', () => {
  let mail: MailServer;
  beforeAll(async () => {
    mail = await startMailServer({ accounts: [SYT_MAIL, SNV_MAIL] });
  }, 120_000);
  afterAll(async () => {
    await mail?.stop();
  });

  async function configureMail(d: Desk, account: typeof SYT_MAIL, password = account.password): Promise<void> {
    const p = d.page;
    await go(d, 'exchange');
    await p.getByTestId('x-kind-mail').click();
    await p.getByTestId('x-imapUrl').fill(`imap://127.0.0.1:${mail.imapPort}`);
    await p.getByTestId('x-smtpUrl').fill(`smtp://127.0.0.1:${mail.smtpPort}`);
    await p.getByTestId('x-user').fill(account.address);
    await p.getByTestId('x-password').fill(password);
    await p.getByTestId('x-passwordEnv').fill(`KYSO_MAIL_${d.who.organId.replace(/\W/g, '_')}`);
    await p.getByTestId('x-ca').fill(mail.caPath);
    await p.getByTestId('x-test').click();
  }

  test('the connection test logs in to SMTP and IMAP, and says so when the password is wrong', async () => {
    const p = syt.page;
    await configureMail(syt, SYT_MAIL, 'sai-mat-khau');
    const error = p.getByTestId('x-test-error').getByTestId('error');
    await expect.poll(() => error.getAttribute('data-code'), WAIT).toBe('EXCHANGE_AUTH');
    expect(await error.textContent()).toContain('không chấp nhận thông tin đăng nhập');
    await p.getByTestId('x-password').fill(SYT_MAIL.password);
    await p.getByTestId('x-test').click();
    await textOf(p, 'x-test-ok').toContain('Kết nối được');
    expect(await p.locator('[data-testid=x-test-check]').evaluateAll((els) => els.map((e) => e.getAttribute('data-what')))).toEqual(['SMTP', 'IMAP']);
    expect(await p.getByTestId('x-test-ok').textContent()).toContain(`${SYT_MAIL.address} @ 127.0.0.1:${mail.imapPort} · STARTTLS`);
    await p.getByTestId('x-inbox-save').click();
    await textOf(p, 'x-inbox-now').toContain(`Thư điện tử công vụ · ${SYT_MAIL.address}`);
    // The shared folder stays an inbox beside the mail (one per kind, all read by one sync).
    expect(await p.getByTestId('x-inbox-now').textContent()).toContain(`Thư mục dùng chung · ${syt.drop}`);
    await textOf(p, 'x-secret-state').toContain('đã có mật khẩu');
    await shot(syt, 'exchange-settings-mail');

    await configureMail(snv, SNV_MAIL);
    await textOf(snv.page, 'x-test-ok').toContain('Kết nối được');
    await snv.page.getByTestId('x-inbox-save').click();
    await textOf(snv.page, 'x-inbox-now').toContain(SNV_MAIL.address);
  });

  test('a document sent by mail from the outbox shows 01, then 03 once accepted', async () => {
    // The peers now reached by mail: edited in each address book.
    for (const [d, peer, address] of [
      [syt, SNV, SNV_MAIL.address],
      [snv, SYT, SYT_MAIL.address],
    ] as const) {
      await go(d, 'addressbook');
      await d.page.locator(`[data-testid=peer-row][data-organ-id="${peer.organId}"]`).getByTestId('peer-edit').click();
      await d.page.getByTestId('peer-transport').selectOption('mail');
      await d.page.getByTestId('peer-address').fill(address);
      await d.page.getByTestId('peer-save').click();
      await expect.poll(() => d.page.locator(`[data-testid=peer-row][data-organ-id="${peer.organId}"]`).textContent(), WAIT).toContain(address);
    }

    await issue(syt, TITLE_3);
    const a = syt.page;
    await go(syt, 'outbox');
    await a.getByTestId('outbox-item').filter({ hasText: TITLE_3 }).getByTestId('send-open').click();
    await a.locator(`[data-testid=send-peer][data-organ-id="${SNV.organId}"] input`).check();
    await shot(syt, 'exchange-send', { top: false });
    // By mail too the envelope is signed (the default): the organisation token's PIN is asked.
    await a.getByTestId('send-token').selectOption(m.hsm.tokens.ORG.label);
    await a.getByTestId('send-submit').click();
    await pin(syt);
    await expect.poll(() => recipient(syt, TITLE_3, SNV.organId).getAttribute('data-status'), WAIT).toBe('pending');
    expect(await sync(syt)).toMatchObject({ sent: 1 });

    const b = snv.page;
    await go(snv, 'inbox');
    await syncUntil(snv, (r) => r.received >= 1, 'the document reaches Sở Nội vụ by mail');
    await b.getByTestId('inbox-item').filter({ hasText: TITLE_3 }).click();
    await textOf(b, 'inbox-facts').toContain(`${SYT.name} (${SYT.organId})`);
    // The envelope that came by mail carries the organisation's signature, judged with Sở Nội vụ's trust.
    const listed = await kysoCli(['--data', snv.data, 'inbox', 'list', '--json']);
    expect(listed.status, listed.stderr).toBe(0);
    const got = (JSON.parse(listed.stdout) as { items: Array<{ title: string; envelope?: { status: string } }> }).items.find((i) => i.title === TITLE_3);
    expect(got?.envelope?.status).toBe('valid');
    await syncUntil(syt, (r) => r.statuses >= 1, '01 reaches Sở Y tế by mail');
    await expect.poll(() => recipient(syt, TITLE_3, SNV.organId).getAttribute('data-code'), WAIT).toBe('01');

    await b.getByTestId('inbox-accept').click();
    await textOf(b, 'inbox-decision').toContain('Số đến');
    expect(await sync(snv)).toMatchObject({ sent: 1 });
    await syncUntil(syt, (r) => r.statuses >= 1, '03 reaches Sở Y tế by mail');
    const r = recipient(syt, TITLE_3, SNV.organId);
    await expect.poll(() => r.getAttribute('data-code'), WAIT).toBe('03');
    expect(await r.getByTestId('recipient-history').textContent()).toMatch(/01 \d\d:\d\d → 03 \d\d:\d\d/);

    // Recalled from the outbox (thu hồi): the receiver's copy is frozen and answers 15.
    await a.getByTestId('outbox-item').filter({ hasText: TITLE_3 }).getByTestId('recall-open').click();
    await a.getByTestId('recall-reason-input').fill('Sai thời gian họp, sẽ gửi giấy mời khác');
    await a.getByTestId('recall-token').selectOption(m.hsm.tokens.ORG.label);
    await a.getByTestId('recall-submit').click();
    await pin(syt);
    await expect.poll(() => a.getByTestId('outbox-item').filter({ hasText: TITLE_3 }).getAttribute('data-status'), WAIT).toBe('recalled');
    await syncUntil(syt, (x) => x.sent >= 1, 'the recall leaves');
    await syncUntil(snv, (x) => x.received >= 1, 'the recall reaches Sở Nội vụ');
    await b.getByTestId('inbox-item').filter({ hasText: TITLE_3 }).click();
    await textOf(b, 'inbox-frozen').toContain('Sai thời gian họp');
    await syncUntil(syt, (x) => x.statuses >= 1, '15 reaches Sở Y tế');
    await expect.poll(() => r.getAttribute('data-code'), WAIT).toBe('15');
    expect(await r.getAttribute('data-status')).toBe('recalled');
    expect([...syt.errors, ...snv.errors]).toEqual([]);
  });
});
