// Issue 13: three desks (three data folders, three agencies) exchange edXML packages through the
// folder transport, run as people run `kyso`, with the organisation's SoftHSM2 token signing both
// the PDF and the envelope: every status round trip (01–06), a rejection with its reason, recall
// (15, and 16 once processed; 03/02 where the desk is set so), update and replace, a package
// delivered twice, an unreadable package, a recipient's folder gone while the other is reached.
import { copyFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
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

beforeAll(async () => {
  work = makeTempDir('exchange-folder');
  b = await exchangeBench(work, pki, sharedSoftHsm(pki));
  syt = b.desk('Sở Y tế', '000.00.31.H41');
  snv = b.desk('Sở Nội vụ', '000.00.32.H41');
  stc = b.desk('Sở Tài chính', '000.00.33.H41');
  await b.connect([syt, snv, stc]);
  // Sở Tài chính's software answers a recall with 03/02 instead of 15/16.
  b.ok(await b.kyso(['--data', stc.data, 'exchange', 'self', '--organ-id', stc.organId, '--name', stc.name, '--change-answers', '03-02']));
}, 120_000);

afterAll(() => removeTempDir(work));

interface Recipient {
  name: string;
  status: string;
  organId: string;
  statusCode: string | null;
  description: string | null;
  history: Array<{ statusCode: string }>;
}
interface InboxItem {
  id: string;
  status: string;
  organId: string;
  number: string;
  title: string;
  documentId: string;
  incomingNumber: number | null;
  verdict: { indication: string };
  exchange: { progress: string; frozen: string | null; replacedBy: string | null; envelopeSignature: { status: string; signer: string | null } };
}

async function outbox(d: Desk, id: string): Promise<{ state: string; recipients: Recipient[] }> {
  const items = b.ok(await b.kyso(['--data', d.data, 'outbox', 'list', '--json'])).json().items as Array<{ documentId: string; state: string; recipients: Recipient[] }>;
  const it = items.find((i) => i.documentId === id);
  expect(it).toBeDefined();
  return it!;
}

async function inbox(d: Desk): Promise<InboxItem[]> {
  return b.ok(await b.kyso(['--data', d.data, 'inbox', 'list', '--json', '--order', 'date'])).json().items as InboxItem[];
}

const codes = (r: Recipient | undefined): string[] => (r?.history ?? []).map((h) => h.statusCode);

describe('exchange through shared folders', () => {
  test('a document to two agencies: signed envelope, 01 on arrival, 03 / 02, then 04, 05, 06', async () => {
    const id = await b.issue(syt, 'Quyết định về phòng chống dịch', ['--urgency', 'urgent']);
    const sent = b.ok(await b.kyso(['--data', syt.data, 'outbox', 'send', id, '--to', snv.organId, '--to', stc.organId, '--token', 'KYSO-ORG', '--pin-env', 'KYSO_TEST_PIN', '--json'])).json();
    expect(sent.recipients).toEqual([
      expect.objectContaining({ organId: snv.organId, name: snv.name, status: 'pending', statusCode: null }),
      expect.objectContaining({ organId: stc.organId, name: stc.name, status: 'pending', statusCode: null }),
    ]);
    expect(await b.sync(syt)).toMatchObject({ sent: 2, failed: [] });
    expect((await outbox(syt, id)).state).toBe('sent');

    expect(await b.sync(snv)).toMatchObject({ received: 1, sent: 1 });
    expect(await b.sync(stc)).toMatchObject({ received: 1, sent: 1 });
    const [got] = await inbox(snv);
    expect(got).toMatchObject({
      status: 'new',
      organId: syt.organId,
      title: 'Quyết định về phòng chống dịch',
      verdict: { indication: 'TOTAL_PASSED' },
      exchange: { progress: 'new', frozen: null, envelopeSignature: { status: 'valid', signer: pki.org.names.commonName } },
    });
    expect(got!.number).toMatch(/^\d+\/.+/);
    expect(got!.documentId).toBe(`${syt.organId},${got!.documentId.split(',')[1]},${got!.number}`);
    // The package is moved aside only once taken in.
    expect(readdirSync(snv.drop).filter((f) => f.endsWith('.edxml'))).toEqual([]);
    expect(readdirSync(join(snv.drop, 'processed')).length).toBe(1);

    expect(await b.sync(syt)).toMatchObject({ statuses: 2 });
    let o = await outbox(syt, id);
    expect(o.recipients.map((r) => [r.organId, r.status, r.statusCode])).toEqual([
      [snv.organId, 'received', '01'],
      [stc.organId, 'received', '01'],
    ]);

    const acc = b.ok(await b.kyso(['--data', snv.data, 'inbox', 'accept', got!.id, '--json'])).json();
    expect(acc.incomingNumber).toBe(1);
    const [gotC] = await inbox(stc);
    b.ok(await b.kyso(['--data', stc.data, 'inbox', 'reject', gotC!.id, '--reason', 'Không thuộc thẩm quyền của Sở Tài chính']));
    for (const step of ['assign', 'process', 'done']) b.ok(await b.kyso(['--data', snv.data, 'inbox', step, got!.id]));
    expect(await b.sync(snv)).toMatchObject({ sent: 4 });
    expect(await b.sync(stc)).toMatchObject({ sent: 1 });
    expect(await b.sync(syt)).toMatchObject({ statuses: 5 });
    o = await outbox(syt, id);
    const [rn, rc] = o.recipients;
    expect(codes(rn)).toEqual(['01', '03', '04', '05', '06']);
    expect(rn).toMatchObject({ statusCode: '06', status: 'accepted' });
    expect(rn!.history.length).toBe(5);
    expect(rc).toMatchObject({ statusCode: '02', status: 'rejected', description: 'Không thuộc thẩm quyền của Sở Tài chính' });

    // A package delivered twice (a resend after a crash, a copy put back by hand) is taken in once.
    const processed = join(snv.drop, 'processed');
    const first = readdirSync(processed).find((f) => f.startsWith(syt.organId.replace(/[^A-Za-z0-9.-]+/g, '-')))!;
    copyFileSync(join(processed, first), join(snv.drop, first));
    expect(await b.sync(snv)).toMatchObject({ received: 0, duplicates: 1 });
    expect((await inbox(snv)).length).toBe(1);
  });

  test('recall: the copy is frozen and answers 15; once processed 16; a desk set to 03/02 answers those', async () => {
    const id = await b.issue(syt, 'Công văn cần thu hồi');
    b.ok(await b.kyso(['--data', syt.data, 'outbox', 'send', id, '--to', snv.organId, '--to', stc.organId, '--token', 'KYSO-ORG', '--pin-env', 'KYSO_TEST_PIN']));
    await b.sync(syt);
    await b.sync(snv);
    await b.sync(stc);
    const copyN = (await inbox(snv)).find((i) => i.title === 'Công văn cần thu hồi')!;
    const copyC = (await inbox(stc)).find((i) => i.title === 'Công văn cần thu hồi')!;
    // Sở Tài chính has finished with it before the recall comes.
    b.ok(await b.kyso(['--data', stc.data, 'inbox', 'accept', copyC.id]));
    b.ok(await b.kyso(['--data', stc.data, 'inbox', 'done', copyC.id]));

    b.ok(await b.kyso(['--data', syt.data, 'outbox', 'recall', id, '--reason', 'Sai số liệu ở Điều 2', '--token', 'KYSO-ORG', '--pin-env', 'KYSO_TEST_PIN']));
    await b.sync(syt);
    await b.sync(snv);
    await b.sync(stc);
    const frozen = (await inbox(snv)).find((i) => i.id === copyN.id)!;
    expect(frozen.exchange).toMatchObject({ frozen: 'recalled' });
    const refused = await b.kyso(['--data', snv.data, 'inbox', 'accept', copyN.id]);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toMatch(/^Lỗi \[EXCHANGE_DOCUMENT_FROZEN\]/);
    expect((await inbox(stc)).find((i) => i.id === copyC.id)!.exchange.frozen).toBeNull();

    await b.sync(syt);
    const o = await outbox(syt, id);
    expect(o.state).toBe('recalled');
    const [rn, rc] = o.recipients;
    expect(rn).toMatchObject({ statusCode: '15', status: 'recalled' });
    expect(codes(rc)).toEqual(['01', '03', '06', '02']);
  });

  test('update and replace: the earlier copy is frozen, linked to the new one, and answered 15', async () => {
    const v1 = await b.issue(syt, 'Kế hoạch (bản đầu)');
    b.ok(await b.kyso(['--data', syt.data, 'outbox', 'send', v1, '--to', snv.organId]));
    const u1 = await b.issue(syt, 'Kế hoạch khác (bản đầu)');
    b.ok(await b.kyso(['--data', syt.data, 'outbox', 'send', u1, '--to', snv.organId]));
    await b.sync(syt);
    await b.sync(snv);
    const v2 = await b.issue(syt, 'Kế hoạch (thay thế)');
    b.ok(await b.kyso(['--data', syt.data, 'outbox', 'send', v2, '--to', snv.organId, '--replaces', v1, '--reason', 'Thay thế do sai sót']));
    const u2 = await b.issue(syt, 'Kế hoạch khác (cập nhật)');
    b.ok(await b.kyso(['--data', syt.data, 'outbox', 'send', u2, '--to', snv.organId, '--updates', u1]));
    await b.sync(syt);
    expect(await b.sync(snv)).toMatchObject({ received: 2 });
    const items = await inbox(snv);
    const old = items.find((i) => i.title === 'Kế hoạch (bản đầu)')!;
    const neu = items.find((i) => i.title === 'Kế hoạch (thay thế)')!;
    expect(old.exchange).toMatchObject({ frozen: 'replaced', replacedBy: neu.id });
    expect(neu.exchange.frozen).toBeNull();
    const oldU = items.find((i) => i.title === 'Kế hoạch khác (bản đầu)')!;
    const newU = items.find((i) => i.title === 'Kế hoạch khác (cập nhật)')!;
    expect(oldU.exchange).toMatchObject({ frozen: 'updated', replacedBy: newU.id });
    await b.sync(syt);
    expect(codes((await outbox(syt, v1)).recipients[0])).toEqual(['01', '15']);
    expect(codes((await outbox(syt, u1)).recipients[0])).toEqual(['01', '15']);
    expect(codes((await outbox(syt, v2)).recipients[0])).toEqual(['01']);
  });

  test('a real package from the axis (edoc_new.edxml): the VGCA-signed PDF nested in a zip in an edXML is registered; the broken envelope signature is shown', async () => {
    // The sample is addressed to UBND xã Hòa Sơn (28.22.H17): its desk registers it (elsewhere it is misaddressed, see exchange-return).
    const hoaSon = b.desk('UBND xã Hòa Sơn', '28.22.H17');
    b.ok(await b.kyso(['--data', hoaSon.data, 'exchange', 'self', '--organ-id', hoaSon.organId, '--name', hoaSon.name]));
    b.ok(await b.kyso(['--data', hoaSon.data, 'exchange', 'receive', '--folder', hoaSon.drop]));
    const sample = join(repoRoot(), '..', 'shared', 'real', 'edxml', 'edoc_new.edxml');
    copyFileSync(sample, join(hoaSon.drop, 'axis-edoc_new.edxml'));
    expect(await b.sync(hoaSon)).toMatchObject({ received: 1, misaddressed: 0, unreadable: [] });
    const item = (await inbox(hoaSon)).find((i) => i.organId === '002.00.20.H13')!;
    expect(item).toMatchObject({ title: 'V/v kết nối, liên thông phần mềm quản lý văn bản', number: '74fass22/VPCP-TTĐT', documentId: '000.00.00.G22,2015/09/30,7816/VPCP-TTĐT' });
    expect(item.exchange.envelopeSignature.status).toBe('broken');
    // The PDF's own signature is judged (VGCA G1 is not a trusted root here): not a failure of the package.
    expect(['TOTAL_PASSED', 'INDETERMINATE', 'TOTAL_FAILED']).toContain(item.verdict.indication);
    // The sender is not in the address book: no status can go back, and nothing is queued for it.
    expect(await b.sync(hoaSon)).toMatchObject({ received: 0, duplicates: 0, failed: [], sent: 0 });
  });

  test('errors: an unreadable package is named and set aside; a recipient out of reach does not hold the other', async () => {
    writeFileSync(join(snv.drop, 'zz-broken.edxml'), '<?xml version="1.0"?><edXML xmlns="http://www.mic.gov.vn/TBT/QCVN_102_2016"><edXMLEnvelope><edXMLHeader></edXMLHeader></edXMLEnvelope></edXML>');
    const r = await b.kyso(['--data', snv.data, 'exchange', 'sync', '--json']);
    expect(r.status).toBe(1);
    expect(r.json().unreadable).toEqual([{ file: 'zz-broken.edxml', code: 'EDXML_INVALID', element: 'edXMLHeader/MessageHeader' }]);
    expect(readdirSync(snv.drop).filter((f) => f.endsWith('.edxml'))).toEqual([]);

    const id = await b.issue(syt, 'Thông báo lịch họp');
    rmSync(stc.drop, { recursive: true });
    b.ok(await b.kyso(['--data', syt.data, 'outbox', 'send', id, '--to', stc.organId, '--to', snv.organId]));
    const s = await b.sync(syt);
    expect(s).toMatchObject({ sent: 1, failed: [{ organId: stc.organId, code: 'EXCHANGE_UNREACHABLE', permanent: false }] });
    const o = await outbox(syt, id);
    expect(o.recipients.map((x) => [x.organId, x.status])).toEqual([
      [stc.organId, 'pending'],
      [snv.organId, 'sent'],
    ]);
    // Not retried before its backoff has passed.
    expect(await b.sync(syt)).toMatchObject({ sent: 0, failed: [] });

    const unknown = await b.kyso(['--data', syt.data, 'outbox', 'send', id, '--to', '999.99.99.X00']);
    expect(unknown.status).toBe(1);
    expect(unknown.stderr).toMatch(/^Lỗi \[EXCHANGE_PEER_UNKNOWN\]/);
  });
});
