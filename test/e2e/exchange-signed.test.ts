// Issue 13, the app's last gaps, in a real browser: what the outbox sends after a document has
// gone (a recall, a withdrawal with status 13, a replacement) is an envelope signed with the
// organisation's token, the PIN asked in the app's PIN dialog. Two desks of two agencies (two data
// folders, two web apps, one Chromium) exchange through shared folders. The judge of each
// signature is the receiving side: the package as it arrived in Sở Nội vụ's folder, read with
// `kyso edxml parse --json` against that desk's trust, and its inbox (`inbox list --json`).
// A wrong PIN keeps the dialog open and says how many wrong tries; cancel queues nothing.
// Settings › Liên thông removes an inbox after a confirmation (refused once, then accepted).
// Screenshots of the withdraw PIN dialog, the outbox after the withdrawal and the settings.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { makeTempDir, removeTempDir } from '../fixtures/tmp.js';
import { CHROMIUM, kysoCli, materials, type Materials } from './harness.js';
import { FAILURES, go, issueDoc, openDesk, shot, SNV, sync, SYT, textOf, WAIT, type Agency, type Desk } from './exchange-desks.js';


const TITLE_RECALL = 'Quyết định ban hành kế hoạch tiêm chủng mở rộng năm 2027';
const TITLE_WITHDRAW = 'Công văn về việc báo cáo số liệu khám chữa bệnh quý IV';
const TITLE_LATE = 'Thông báo lịch trực Tết Nguyên đán năm 2027';
const TITLE_OLD = 'Kế hoạch kiểm tra an toàn thực phẩm dịp Tết Nguyên đán';
const TITLE_NEW = 'Kế hoạch kiểm tra an toàn thực phẩm dịp Tết Nguyên đán (thay thế)';
const RECALL_REASON = 'Sai đối tượng tiêm chủng ở Điều 2, sẽ ban hành quyết định khác';
const WITHDRAW_REASON = 'Gửi nhầm: văn bản này gửi Sở Tài chính';

let work: string;
let m: Materials;
let browser: Browser;
let syt: Desk;
let snv: Desk;

const open = (who: Agency, name: string): Promise<Desk> => openDesk({ browser, m, work }, who, name);
const issue = (d: Desk, title: string): Promise<string> => issueDoc(m, d, title);

async function cli(args: string[]): Promise<unknown> {
  const r = await kysoCli(args);
  expect(r.status, `${args.join(' ')}\n${r.stderr}`).toBe(0);
  return r.stdout.trim() ? JSON.parse(r.stdout) : null;
}

/** This desk's agency, its inbox folder and the other desk in its address book (the exchange screens' own test does this by hand). */
async function configure(d: Desk, peer: Desk): Promise<void> {
  await cli(['--data', d.data, 'exchange', 'self', '--organ-id', d.who.organId, '--name', d.who.name, '--json']);
  await cli(['--data', d.data, 'exchange', 'receive', '--folder', d.drop, '--json']);
  await cli(['--data', d.data, 'exchange', 'peer', 'add', peer.who.organId, '--name', peer.who.name, '--folder', peer.drop, '--json']);
}

const row = (d: Desk, title: string) => d.page.getByTestId('outbox-item').filter({ hasText: title }).filter({ hasNotText: `${title} (` });
const recipient = (d: Desk, title: string, organId: string) => row(d, title).locator(`[data-testid=recipient][data-organ-id="${organId}"]`);

/** Issued meanwhile from the command line, then sent (unsigned, a new document) from the outbox to Sở Nội vụ. */
async function issueAndSend(title: string): Promise<string> {
  const id = await issue(syt, title);
  await go(syt, 'inbox');
  await go(syt, 'outbox');
  await row(syt, title).getByTestId('send-open').click();
  await syt.page.locator(`[data-testid=send-peer][data-organ-id="${SNV.organId}"] input`).check();
  await syt.page.getByTestId('send-sign').uncheck();
  await syt.page.getByTestId('send-submit').click();
  await expect.poll(() => recipient(syt, title, SNV.organId).getAttribute('data-status'), WAIT).toBe('pending');
  return id;
}

/** The packages lying in Sở Nội vụ's folder (arrived or already processed), read as that desk reads them. */
async function arrivedAtSnv(): Promise<Array<{ file: string; kind: string; businessDocType?: number; statusCode?: string; subject?: string; description?: string; envelope: { status: string; signer?: string } }>> {
  const files = [
    ...readdirSync(snv.drop).map((f) => join(snv.drop, f)),
    ...(existsSync(join(snv.drop, 'processed')) ? readdirSync(join(snv.drop, 'processed')).map((f) => join(snv.drop, 'processed', f)) : []),
  ].filter((f) => f.endsWith('.edxml'));
  const out = [];
  for (const file of files) out.push({ file, ...((await cli(['edxml', 'parse', file, '--json', '--data', snv.data])) as object) } as Awaited<ReturnType<typeof arrivedAtSnv>>[number]);
  return out;
}

type InboxJson = { items: Array<{ id: string; title: string; status: string; envelope?: { status: string }; exchange?: { frozen: string | null; frozenReason: string | null } }> };
const snvInbox = async () => ((await cli(['--data', snv.data, 'inbox', 'list', '--json'])) as InboxJson).items;
const sytOutbox = async () => ((await cli(['--data', syt.data, 'outbox', 'list', '--json'])) as { items: Array<{ documentId: string; status: string; recipients: Array<{ organId?: string; status: string; statusCode?: string | null }> }> }).items;

beforeAll(async () => {
  work = makeTempDir('e2e-exchange-signed');
  m = await materials(work);
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox'] });
  syt = await open(SYT, 'so-y-te');
  snv = await open(SNV, 'so-noi-vu');
  await configure(syt, snv);
  await configure(snv, syt);
}, 180_000);

afterAll(async () => {
  for (const d of [syt, snv]) {
    if (d && (d.errors.length || process.env.KYSO_KEEP_FAILURES)) console.error(d.who.organId, d.errors.join('\n'));
    if (d && (d.errors.length || process.env.KYSO_KEEP_FAILURES)) await d.page.screenshot({ path: join(FAILURES, `exchange-signed-${d.who.organId}.png`) }).catch(() => undefined);
  }
  await browser?.close();
  await syt?.app.stop();
  await snv?.app.stop();
  if (work) removeTempDir(work);
});

describe('envelopes the outbox sends after a document has gone are signed with the organisation token', () => {
  test('a recall asks for the PIN: cancel sends nothing, a wrong PIN says so and asks again, the right one sends a recall whose signature the receiver finds valid', async () => {
    const id = await issueAndSend(TITLE_RECALL);
    const a = syt.page;
    expect(await sync(syt)).toMatchObject({ sent: 1 });
    await go(snv, 'inbox');
    expect(await sync(snv)).toMatchObject({ received: 1 });
    // The document itself went unsigned (a new document may): its envelope is not "valid" at the receiver.
    const first = (await snvInbox()).find((x) => x.title === TITLE_RECALL)!;
    expect(first.envelope?.status).not.toBe('valid');

    // The server itself refuses an unsigned recall of an exchanged document (whatever a page sends).
    const unsigned = await a.evaluate(async (documentId) => {
      const res = await fetch('/api/outbox.recall', { method: 'POST', headers: { 'Content-Type': 'application/json', 'X-Kyso-Key': sessionStorage.getItem('kyso.key') ?? '' }, body: JSON.stringify({ documentId, reason: 'không ký' }) });
      return (await res.json()) as { ok: boolean; error?: { code: string } };
    }, id);
    expect(unsigned).toMatchObject({ ok: false, error: { code: 'TOKEN_PIN_MISSING' } });
    const unsignedWithdrawal = await a.evaluate(async (documentId) => {
      const res = await fetch('/api/outbox.withdraw', { method: 'POST', headers: { 'Content-Type': 'application/json', 'X-Kyso-Key': sessionStorage.getItem('kyso.key') ?? '' }, body: JSON.stringify({ documentId, reason: 'không ký' }) });
      return (await res.json()) as { ok: boolean; error?: { code: string } };
    }, id);
    expect(unsignedWithdrawal).toMatchObject({ ok: false, error: { code: 'TOKEN_PIN_MISSING' } });
    expect((await sytOutbox()).find((x) => x.documentId === id)!.status).toBe('sent');

    await row(syt, TITLE_RECALL).getByTestId('recall-open').click();
    await a.getByTestId('recall-reason-input').fill(RECALL_REASON);
    await a.getByTestId('recall-token').selectOption(m.hsm.tokens.ORG.label);
    // Cancel: the dialog closes, nothing is recalled or queued.
    await a.getByTestId('recall-submit').click();
    const dialog = a.getByTestId('pin-dialog');
    await dialog.waitFor();
    expect(await dialog.textContent()).toContain(`Ký phong bì thu hồi gửi 1 cơ quan: ${TITLE_RECALL}`);
    await dialog.getByRole('button', { name: 'Hủy' }).click();
    await dialog.waitFor({ state: 'detached' });
    expect(await row(syt, TITLE_RECALL).getAttribute('data-status')).toBe('sent');
    expect((await sytOutbox()).find((x) => x.documentId === id)!.status).toBe('sent');
    expect(await sync(syt)).toMatchObject({ sent: 0 });

    // A wrong PIN: said in the dialog, with the wrong tries counted; the dialog asks again.
    await a.getByTestId('recall-submit').click();
    await dialog.waitFor();
    await a.getByTestId('pin-input').fill('sai-ma-pin');
    await a.getByTestId('pin-ok').click();
    await expect.poll(() => dialog.getByTestId('error').getAttribute('data-code'), WAIT).toMatch(/^TOKEN_PIN_INCORRECT/);
    await textOf(a, 'pin-tries').toContain('Đã nhập sai 1 lần');
    expect(await dialog.getByTestId('error').textContent()).toMatch(/PIN/);
    expect(await a.getByTestId('pin-input').inputValue()).toBe('');
    await shot(syt, 'exchange-recall-wrong-pin', { top: false });
    expect((await sytOutbox()).find((x) => x.documentId === id)!.status).toBe('sent');

    await a.getByTestId('pin-input').fill(m.hsm.tokens.ORG.pin);
    await a.getByTestId('pin-ok').click();
    await dialog.waitFor({ state: 'detached' });
    await expect.poll(() => row(syt, TITLE_RECALL).getAttribute('data-status'), WAIT).toBe('recalled');
    expect(await sync(syt)).toMatchObject({ sent: 1 });

    // What reached Sở Nội vụ: one recall (BussinessDocType 1), its envelope signed by the organisation and valid there.
    const recalls = (await arrivedAtSnv()).filter((p) => p.kind === 'edoc' && p.businessDocType === 1);
    expect(recalls).toHaveLength(1);
    expect(recalls[0]!.envelope.status).toBe('valid');
    expect(recalls[0]!.envelope.signer).toContain(m.pki.org.names.commonName);
    await sync(snv);
    const copy = (await snvInbox()).find((x) => x.title === TITLE_RECALL)!;
    expect(copy.exchange?.frozen).toBe('recalled');
    expect(copy.exchange?.frozenReason).toBe(RECALL_REASON);
    // 01 and 15 come back: the recipient shows the recall agreed.
    await go(syt, 'outbox');
    expect((await sync(syt)).statuses).toBeGreaterThanOrEqual(1);
    await expect.poll(() => recipient(syt, TITLE_RECALL, SNV.organId).getAttribute('data-code'), WAIT).toBe('15');
    expect(await recipient(syt, TITLE_RECALL, SNV.organId).getAttribute('data-status')).toBe('recalled');
  });

  test('a withdrawal (13) from one recipient that has not processed it: signed, answered 15, shown as withdrawn', async () => {
    const id = await issueAndSend(TITLE_WITHDRAW);
    const a = syt.page;
    expect(await sync(syt)).toMatchObject({ sent: 1 });
    expect(await sync(snv)).toMatchObject({ received: 1 });
    expect(await sync(syt)).toMatchObject({ statuses: 1 });
    const r = recipient(syt, TITLE_WITHDRAW, SNV.organId);
    await expect.poll(() => r.getAttribute('data-code'), WAIT).toBe('01');

    // A recipient that has processed a document offers no withdrawal: the recalled one above shows none.
    expect(await recipient(syt, TITLE_RECALL, SNV.organId).getByTestId('withdraw-open').count()).toBe(0);
    await shot(syt, 'exchange-outbox-withdraw-action', { top: false });
    await r.getByTestId('withdraw-open').click();
    const form = a.getByTestId('withdraw-form');
    await form.waitFor();
    expect(await form.getAttribute('data-organ-id')).toBe(SNV.organId);
    expect(await form.textContent()).toContain(`Rút lại văn bản từ ${SNV.name}`);
    expect(await a.getByTestId('withdraw-submit').isDisabled()).toBe(true);
    await a.getByTestId('withdraw-reason').fill(WITHDRAW_REASON);
    await a.getByTestId('withdraw-token').selectOption(m.hsm.tokens.ORG.label);
    await a.getByTestId('withdraw-submit').click();
    const dialog = a.getByTestId('pin-dialog');
    await dialog.waitFor();
    expect(await dialog.textContent()).toContain(`Ký phong bì yêu cầu rút lại (13) gửi ${SNV.name}: ${TITLE_WITHDRAW}`);
    await a.getByTestId('pin-input').fill(m.hsm.tokens.ORG.pin);
    await shot(syt, 'exchange-withdraw-dialog', { top: false });
    await a.getByTestId('pin-ok').click();
    await dialog.waitFor({ state: 'detached' });
    await expect.poll(() => r.getAttribute('data-status'), WAIT).toBe('withdraw-requested');
    expect(await r.getByTestId('recipient-status').textContent()).toBe('đã yêu cầu rút lại (13)');
    // The document stays valid (unlike a recall), and the form is gone.
    expect(await row(syt, TITLE_WITHDRAW).getAttribute('data-status')).toBe('sent');
    expect(await form.count()).toBe(0);
    expect(await sync(syt)).toMatchObject({ sent: 1 });

    const thirteens = (await arrivedAtSnv()).filter((p) => p.kind === 'status' && p.statusCode === '13');
    expect(thirteens).toHaveLength(1);
    expect(thirteens[0]!.description).toBe(WITHDRAW_REASON);
    expect(thirteens[0]!.envelope.status).toBe('valid');

    // Sở Nội vụ had not registered it: its copy is taken back, answered 15.
    await sync(snv);
    expect((await snvInbox()).find((x) => x.title === TITLE_WITHDRAW)!.exchange?.frozen).toBe('withdrawn');
    await sync(syt);
    await expect.poll(() => r.getAttribute('data-status'), WAIT).toBe('withdrawn');
    expect(await r.getAttribute('data-code')).toBe('15');
    expect(await r.getByTestId('recipient-status').textContent()).toBe('15 đã rút lại');
    expect(await r.getByTestId('withdraw-open').count()).toBe(0);
    const listed = (await sytOutbox()).find((x) => x.documentId === id)!;
    expect(listed.recipients.find((x) => x.organId === SNV.organId)).toMatchObject({ status: 'withdrawn', statusCode: '15' });
    await row(syt, TITLE_WITHDRAW).scrollIntoViewIfNeeded();
    await shot(syt, 'exchange-outbox-withdrawn', { top: false });
  });

  test('a withdrawal that crosses the receiver’s registration is refused (16): the row says so with the receiver’s reason', async () => {
    await issueAndSend(TITLE_LATE);
    const a = syt.page;
    expect(await sync(syt)).toMatchObject({ sent: 1 });
    await go(snv, 'inbox');
    await sync(snv);
    await sync(syt);
    const r = recipient(syt, TITLE_LATE, SNV.organId);
    await expect.poll(() => r.getAttribute('data-code'), WAIT).toBe('01');
    await r.getByTestId('withdraw-open').click();
    await a.getByTestId('withdraw-reason').fill(WITHDRAW_REASON);
    await a.getByTestId('withdraw-token').selectOption(m.hsm.tokens.ORG.label);
    await a.getByTestId('withdraw-submit').click();
    await a.getByTestId('pin-input').fill(m.hsm.tokens.ORG.pin);
    await a.getByTestId('pin-ok').click();
    await a.getByTestId('pin-dialog').waitFor({ state: 'detached' });
    await expect.poll(() => r.getAttribute('data-status'), WAIT).toBe('withdraw-requested');
    // Meanwhile Sở Nội vụ registers it, before the 13 reaches it.
    await snv.page.getByTestId('inbox-item').filter({ hasText: TITLE_LATE }).click();
    await snv.page.getByTestId('inbox-accept').click();
    await textOf(snv.page, 'inbox-decision').toContain('Số đến');
    expect(await sync(syt)).toMatchObject({ sent: 1 });
    await sync(snv);
    expect((await snvInbox()).find((x) => x.title === TITLE_LATE)!.exchange?.frozen).toBeNull();
    await sync(syt);
    await expect.poll(() => r.getAttribute('data-code'), WAIT).toBe('16');
    expect(await r.getAttribute('data-status')).toBe('accepted');
    expect(await r.getByTestId('recipient-status').textContent()).toContain('16');
    expect(await r.getByTestId('recipient-description').textContent()).toContain('không lấy lại được');
    // Registered now: no withdrawal offered any more.
    expect(await r.getByTestId('withdraw-open').count()).toBe(0);
  });

  test('a replacement sent from the outbox is always signed (PIN dialog) and arrives with a valid envelope', async () => {
    const oldId = await issueAndSend(TITLE_OLD);
    expect(await sync(syt)).toMatchObject({ sent: 1 });
    await issue(syt, TITLE_NEW);
    const a = syt.page;
    await go(syt, 'inbox');
    await go(syt, 'outbox');
    await row(syt, TITLE_NEW).getByTestId('send-open').click();
    await a.locator(`[data-testid=send-peer][data-organ-id="${SNV.organId}"] input`).check();
    await a.getByTestId('send-kind').selectOption('replaces');
    await a.getByTestId('send-earlier').selectOption(oldId);
    await a.getByTestId('send-reason').fill('Bổ sung lịch kiểm tra các chợ đầu mối');
    // Signed whatever the box said: it is ticked and cannot be unticked.
    expect(await a.getByTestId('send-sign').isChecked()).toBe(true);
    expect(await a.getByTestId('send-sign').isDisabled()).toBe(true);
    await a.getByTestId('send-token').selectOption(m.hsm.tokens.ORG.label);
    await a.getByTestId('send-submit').click();
    await a.getByTestId('pin-dialog').waitFor();
    await a.getByTestId('pin-input').fill(m.hsm.tokens.ORG.pin);
    await a.getByTestId('pin-ok').click();
    await a.getByTestId('pin-dialog').waitFor({ state: 'detached' });
    await expect.poll(() => recipient(syt, TITLE_NEW, SNV.organId).getAttribute('data-status'), WAIT).toBe('pending');
    expect(await sync(syt)).toMatchObject({ sent: 1 });
    expect(await sync(snv)).toMatchObject({ received: 2 });
    const inbox = await snvInbox();
    expect(inbox.find((x) => x.title === TITLE_NEW)!.envelope?.status).toBe('valid');
    expect(inbox.find((x) => x.title === TITLE_OLD)!.envelope?.status).not.toBe('valid');
    expect(inbox.find((x) => x.title === TITLE_OLD)!.exchange?.frozen).toBe('replaced');
  });
});

describe('Settings › Liên thông: an inbox removed after a confirmation', () => {
  test('refused once (nothing changes), then removed: the screen and the command line no longer list it', async () => {
    const p = snv.page;
    await go(snv, 'exchange');
    const folderRow = p.locator('[data-testid=x-inbox-row][data-kind=folder]');
    await folderRow.waitFor();
    expect(await folderRow.textContent()).toContain(`Thư mục dùng chung · ${snv.drop}`);
    snv.confirm = false;
    await folderRow.getByTestId('x-inbox-remove').click();
    expect(await folderRow.count()).toBe(1);
    expect(((await cli(['--data', snv.data, 'exchange', 'inbox', 'list', '--json'])) as { inboxes: unknown[] }).inboxes).toHaveLength(1);
    snv.confirm = true;
    await folderRow.getByTestId('x-inbox-remove').click();
    await textOf(p, 'x-inbox-now').toContain('Chưa cấu hình hộp nhận');
    await textOf(p, 'notice').toContain('Đã bỏ hộp nhận Thư mục dùng chung');
    expect(((await cli(['--data', snv.data, 'exchange', 'inbox', 'list', '--json'])) as { inboxes: unknown[] }).inboxes).toEqual([]);
    // The address book and what came stay.
    expect((await snvInbox()).length).toBeGreaterThanOrEqual(5);
    expect([...syt.errors, ...snv.errors]).toEqual([]);
  });
});
