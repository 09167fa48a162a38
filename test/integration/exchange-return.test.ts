// Issue 13: a package that reaches the wrong agency is not registered and goes back with status 02
// ("gửi nhầm địa chỉ"); the sender's clerk takes a document back before it is processed with status
// 13, answered 15 (the copy frozen as withdrawn) or 16 (already registered). Three desks (three
// data folders) over the folder transport, run as people run `kyso`, the organisation's SoftHSM2
// token signing the PDFs and the envelopes.
import { copyFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { exchangeBench, type Bench, type Desk } from '../fixtures/desks.js';
import { sharedTestPki } from '../fixtures/pki.js';
import { sharedSoftHsm } from '../fixtures/softhsm.js';
import { makeTempDir, removeTempDir, repoRoot } from '../fixtures/tmp.js';

const pki = await sharedTestPki();
let work: string;
let b: Bench;
let syt: Desk;
let snv: Desk;
let stc: Desk;

const TOKEN = ['--token', 'KYSO-ORG', '--pin-env', 'KYSO_TEST_PIN'];

interface Recipient {
  organId: string;
  status: string;
  statusCode: string | null;
  description: string | null;
  history: Array<{ statusCode: string; description: string | null }>;
}
interface OutboxItem {
  documentId: string;
  state: string;
  recipients: Recipient[];
  returnedBy?: Array<{ organId: string; statusCode: string; description: string | null }>;
}
interface InboxItem {
  id: string;
  title: string;
  status: string;
  exchange: { frozen: string | null; frozenReason: string | null };
}

beforeAll(async () => {
  work = makeTempDir('exchange-return');
  b = await exchangeBench(work, pki, sharedSoftHsm(pki));
  syt = b.desk('Sở Y tế', '000.00.31.H41');
  snv = b.desk('Sở Nội vụ', '000.00.32.H41');
  stc = b.desk('Sở Tài chính', '000.00.33.H41');
  await b.connect([syt, snv, stc]);
}, 180_000);

afterAll(() => removeTempDir(work));

async function outbox(d: Desk, id: string): Promise<OutboxItem> {
  const items = b.ok(await b.kyso(['--data', d.data, 'outbox', 'list', '--json'])).json().items as OutboxItem[];
  const it = items.find((i) => i.documentId === id);
  expect(it).toBeDefined();
  return it!;
}

async function inbox(d: Desk): Promise<InboxItem[]> {
  return b.ok(await b.kyso(['--data', d.data, 'inbox', 'list', '--json', '--order', 'date'])).json().items as InboxItem[];
}

const recipient = (o: OutboxItem, d: Desk): Recipient => o.recipients.find((r) => r.organId === d.organId)!;
const codes = (r: Recipient): string[] => r.history.map((h) => h.statusCode);

describe('misaddressed packages are returned with 02', () => {
  test('a package for Sở Nội vụ dropped in Sở Tài chính’s share: not registered, 02 with the reason, seen by the sender', async () => {
    // Sở Y tế's address book points Sở Nội vụ at the wrong share (Sở Tài chính's).
    b.ok(await b.kyso(['--data', syt.data, 'exchange', 'peer', 'add', snv.organId, '--name', snv.name, '--folder', stc.drop]));
    const id = await b.issue(syt, 'Công văn gửi nhầm nơi');
    b.ok(await b.kyso(['--data', syt.data, 'outbox', 'send', id, '--to', snv.organId, ...TOKEN]));
    expect(await b.sync(syt)).toMatchObject({ sent: 1, failed: [] });
    b.ok(await b.kyso(['--data', syt.data, 'exchange', 'peer', 'add', snv.organId, '--name', snv.name, '--folder', snv.drop]));

    expect(await b.sync(stc)).toMatchObject({ received: 0, misaddressed: 1, sent: 1, unreadable: [] });
    expect((await inbox(stc)).map((i) => i.title)).not.toContain('Công văn gửi nhầm nơi');
    // Taken in (moved aside), not lost: it stays in processed/ and in the content store.
    expect(readdirSync(stc.drop).filter((f) => f.endsWith('.edxml'))).toEqual([]);

    expect(await b.sync(syt)).toMatchObject({ statuses: 1 });
    const o = await outbox(syt, id);
    // Sở Nội vụ never got it: its row is still "sent" with no answer; Sở Tài chính returned it.
    expect(recipient(o, snv)).toMatchObject({ status: 'sent', statusCode: null });
    expect(o.returnedBy).toEqual([expect.objectContaining({ organId: stc.organId, statusCode: '02' })]);
    expect(o.returnedBy![0]!.description).toMatch(/^Gửi nhầm địa chỉ: văn bản gửi cho 000\.00\.32\.H41, không phải 000\.00\.33\.H41 \(Sở Tài chính\) \| Misaddressed/);

    // Delivered again, it is recognised and not answered twice.
    const processed = join(stc.drop, 'processed');
    const file = readdirSync(processed).find((f) => f.includes('edoc'))!;
    copyFileSync(join(processed, file), join(stc.drop, file));
    expect(await b.sync(stc)).toMatchObject({ received: 0, misaddressed: 0, duplicates: 1, sent: 0 });
  }, 400_000);

  test('a real package of the axis addressed to another agency (edoc_new.edxml, To 28.22.H17): not registered; its sender is unknown, so the 02 is recorded but cannot leave', async () => {
    const sample = join(repoRoot(), '..', 'shared', 'real', 'edxml', 'edoc_new.edxml');
    copyFileSync(sample, join(snv.drop, 'axis-edoc_new.edxml'));
    expect(await b.sync(snv)).toMatchObject({ received: 0, misaddressed: 1, sent: 0, unreadable: [] });
    expect((await inbox(snv)).some((i) => i.title === 'V/v kết nối, liên thông phần mềm quản lý văn bản')).toBe(false);
    const audit = b.ok(await b.kyso(['--data', snv.data, 'audit', 'list', '--json'])).stdout;
    expect(audit).toContain('exchange.misaddressed');
    expect(audit).toContain('exchange.status.unaddressed');
  }, 400_000);
});

describe('status 13: the sender takes a document back before it is processed', () => {
  test('a copy not yet decided is withdrawn (15); a registered copy stays (16); a queued package is not sent at all', async () => {
    const id = await b.issue(syt, 'Công văn gửi nhầm văn bản');
    b.ok(await b.kyso(['--data', syt.data, 'outbox', 'send', id, '--to', snv.organId, '--to', stc.organId, ...TOKEN]));
    await b.sync(syt);
    await b.sync(snv);
    await b.sync(stc);
    const copyN = (await inbox(snv)).find((i) => i.title === 'Công văn gửi nhầm văn bản')!;
    const copyC = (await inbox(stc)).find((i) => i.title === 'Công văn gửi nhầm văn bản')!;
    // Sở Tài chính registers it before the 13 comes (its 03 has not reached the sender yet).
    b.ok(await b.kyso(['--data', stc.data, 'inbox', 'accept', copyC.id]));

    const w = b.ok(await b.kyso(['--data', syt.data, 'outbox', 'withdraw', id, '--reason', 'Gửi nhầm văn bản, sẽ gửi lại bản đúng', ...TOKEN, '--json'])).json();
    expect(w.withdrawal).toEqual({ asked: [snv.organId, stc.organId], cancelled: [] });
    expect((w.recipients as Recipient[]).map((r) => r.status)).toEqual(['withdraw-requested', 'withdraw-requested']);
    expect(await b.sync(syt)).toMatchObject({ sent: 2, failed: [] });

    expect(await b.sync(snv)).toMatchObject({ statuses: 1, sent: 1 });
    expect(await b.sync(stc)).toMatchObject({ statuses: 1, sent: 2 }); // its 03, then its 16
    const frozen = (await inbox(snv)).find((i) => i.id === copyN.id)!;
    expect(frozen.exchange).toMatchObject({ frozen: 'withdrawn', frozenReason: 'Gửi nhầm văn bản, sẽ gửi lại bản đúng' });
    const refused = await b.kyso(['--data', snv.data, 'inbox', 'accept', copyN.id]);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toMatch(/^Lỗi \[EXCHANGE_DOCUMENT_FROZEN\]/);
    expect((await inbox(stc)).find((i) => i.id === copyC.id)!).toMatchObject({ status: 'accepted', exchange: { frozen: null } });

    await b.sync(syt);
    const o = await outbox(syt, id);
    expect(o.state).toBe('sent'); // the document itself stays valid (unlike a recall)
    expect(recipient(o, snv)).toMatchObject({ status: 'withdrawn', statusCode: '15' });
    expect(codes(recipient(o, snv))).toEqual(['01', '15']);
    expect(recipient(o, stc)).toMatchObject({ status: 'accepted', statusCode: '16' });
    expect(codes(recipient(o, stc))).toEqual(['01', '03', '16']);
    expect(recipient(o, stc).description).toMatch(/^Văn bản đã vào sổ văn bản đến số \d+, không lấy lại được/);

    // Too late for a registered copy: refused here, nothing queued.
    const late = await b.kyso(['--data', syt.data, 'outbox', 'withdraw', id, '--to', stc.organId, '--reason', 'Lần nữa']);
    expect(late.status).toBe(1);
    expect(late.stderr).toMatch(/^Lỗi \[EXCHANGE_WITHDRAW_TOO_LATE\]/);
    expect(await b.sync(syt)).toMatchObject({ sent: 0 });

    // Taken back while still in the queue: simply not sent.
    const id2 = await b.issue(syt, 'Công văn chưa kịp gửi');
    b.ok(await b.kyso(['--data', syt.data, 'outbox', 'send', id2, '--to', snv.organId]));
    const w2 = b.ok(await b.kyso(['--data', syt.data, 'outbox', 'withdraw', id2, '--reason', 'Chưa được phép gửi', '--json'])).json();
    expect(w2.withdrawal).toEqual({ asked: [], cancelled: [snv.organId] });
    expect(await b.sync(syt)).toMatchObject({ sent: 0, failed: [] });
    expect(recipient(await outbox(syt, id2), snv)).toMatchObject({ status: 'withdrawn' });
    expect(await b.sync(snv)).toMatchObject({ received: 0 });
  }, 400_000);

  test('the 13 Kyso sends and the official sample parse alike', async () => {
    const sent = readdirSync(join(snv.drop, 'processed')).find((f) => f.includes('status-13'))!;
    const ours = b.ok(await b.kyso(['edxml', 'parse', join(snv.drop, 'processed', sent), '--json'])).json();
    expect(ours).toMatchObject({ kind: 'status', statusCode: '13', from: { organId: syt.organId }, to: [{ organId: snv.organId }], description: 'Gửi nhầm văn bản, sẽ gửi lại bản đúng' });
    const sample = b.ok(await b.kyso(['edxml', 'parse', join(repoRoot(), '..', 'shared', 'real', 'edxml', 'status_cancellation_13.edxml'), '--json'])).json();
    expect(sample).toMatchObject({ kind: 'status', statusCode: '13', from: { organId: '000.00.00.G22' }, to: [{ organId: '000.00.00.H41' }], documentId: '000.00.00.G22,2015/09/30,7816/VPCP-TTĐT' });
  }, 400_000);
});
