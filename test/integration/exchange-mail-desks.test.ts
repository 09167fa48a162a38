// Two agencies' desks (two data folders) exchange an issued document through `kyso exchange sync`
// over the mail transport — a real Postfix (SMTP) and Dovecot (IMAP) started on 127.0.0.1, one
// mailbox per agency — and over the stand-in national axis: the receiver finds it in its inbox, the
// sender sees 01 on arrival, 03 once accepted, and a recall comes back answered 15. The passwords and
// secrets stay in environment variables: the desks store only their names.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { exchangeBench, type Bench, type Desk } from '../fixtures/desks.js';
import { startAxisServer, type AxisServer, type AxisSystem } from '../fixtures/axis-server.js';
import { startMailServer, type MailServer } from '../fixtures/mail-server.js';
import { sharedTestPki } from '../fixtures/pki.js';
import { sharedSoftHsm } from '../fixtures/softhsm.js';
import { makeTempDir, removeTempDir } from '../fixtures/tmp.js';

const pki = await sharedTestPki();
const SYT_MAIL = { address: 'vanthu@syt.quangninh.test', password: 'mật-khẩu-sở-y-tế' };
const SNV_MAIL = { address: 'vanthu@snv.quangninh.test', password: 'so-noi-vu-2026' };
const SYT_AXIS: AxisSystem = { systemId: 'SYT-QN', secret: 'bí-mật-sở-y-tế', organId: '000.00.22.H47', name: 'Sở Y tế tỉnh Quảng Ninh' };
const SNV_AXIS: AxisSystem = { systemId: 'SNV-QN', secret: 'so-noi-vu-secret', organId: '000.00.23.H47', name: 'Sở Nội vụ tỉnh Quảng Ninh' };

/** Every secret is handed to `kyso` through the environment only. */
const ENV = { KYSO_MAIL_PW_SYT: SYT_MAIL.password, KYSO_MAIL_PW_SNV: SNV_MAIL.password, KYSO_AXIS_SYT: SYT_AXIS.secret, KYSO_AXIS_SNV: SNV_AXIS.secret };

let work: string;
let b: Bench;
let mail: MailServer | undefined;
let axis: AxisServer | undefined;

interface Recipient {
  organId: string;
  status: string;
  statusCode: string | null;
  history: Array<{ statusCode: string }>;
}
interface InboxItem {
  id: string;
  status: string;
  organId: string;
  number: string;
  title: string;
  documentId: string;
  exchange: { frozen: string | null };
}

beforeAll(async () => {
  work = makeTempDir('exchange-mail-desks');
  b = await exchangeBench(work, pki, sharedSoftHsm(pki));
}, 120_000);

afterAll(async () => {
  await mail?.stop();
  await axis?.stop();
  if (work) removeTempDir(work);
});

const kyso = (args: string[]) => b.kyso(args, ENV);
const ok = async (args: string[]) => b.ok(await kyso(args));

async function sync(d: Desk): Promise<{ sent: number; received: number; statuses: number; failed: unknown[] }> {
  return (await ok(['--data', d.data, 'exchange', 'sync', '--json'])).json() as never;
}

/** Syncs until `done` holds: mail is delivered by Postfix a moment after it is accepted. */
async function syncUntil(d: Desk, done: (r: Awaited<ReturnType<typeof sync>>) => boolean, what: string): Promise<void> {
  const seen: unknown[] = [];
  for (let i = 0; i < 40; i++) {
    const r = await sync(d);
    seen.push(r);
    if (done(r)) return;
    await new Promise((res) => setTimeout(res, 250));
  }
  throw new Error(`${what}: not reached after 40 syncs: ${JSON.stringify(seen.slice(-3))}${mail ? `\n${mail.logs()}` : ''}`);
}

async function outboxRecipient(d: Desk, id: string): Promise<{ state: string; r: Recipient }> {
  const items = (await ok(['--data', d.data, 'outbox', 'list', '--json'])).json().items as Array<{ documentId: string; state: string; recipients: Recipient[] }>;
  const it = items.find((i) => i.documentId === id)!;
  expect(it).toBeDefined();
  return { state: it.state, r: it.recipients[0]! };
}

async function inbox(d: Desk): Promise<InboxItem[]> {
  return (await ok(['--data', d.data, 'inbox', 'list', '--json', '--order', 'date'])).json().items as InboxItem[];
}

const codes = (r: Recipient): string[] => r.history.map((h) => h.statusCode);

/** Issue, send, receive, 01, accept, 03, then a second document recalled and answered 15. */
async function roundTrip(syt: Desk, snv: Desk): Promise<void> {
  const id = await b.issue(syt, 'Quyết định về phòng chống dịch');
  await ok(['--data', syt.data, 'outbox', 'send', id, '--to', snv.organId, '--token', 'KYSO-ORG', '--pin-env', 'KYSO_TEST_PIN']);
  expect(await sync(syt)).toMatchObject({ sent: 1, failed: [] });

  await syncUntil(snv, (r) => r.received >= 1, 'the document reaches the receiver');
  const [got] = await inbox(snv);
  expect(got).toMatchObject({ status: 'new', organId: syt.organId, title: 'Quyết định về phòng chống dịch' });
  expect(got!.number).toMatch(/^\d+\/.+/);
  expect(got!.documentId).toBe(`${syt.organId},${got!.documentId.split(',')[1]},${got!.number}`);

  await syncUntil(syt, (r) => r.statuses >= 1, 'status 01 reaches the sender');
  expect((await outboxRecipient(syt, id)).r).toMatchObject({ organId: snv.organId, status: 'received', statusCode: '01' });

  await ok(['--data', snv.data, 'inbox', 'accept', got!.id]);
  expect(await sync(snv)).toMatchObject({ sent: 1, failed: [] });
  await syncUntil(syt, (r) => r.statuses >= 1, 'status 03 reaches the sender');
  const accepted = (await outboxRecipient(syt, id)).r;
  expect(accepted).toMatchObject({ statusCode: '03', status: 'accepted' });
  expect(codes(accepted)).toEqual(['01', '03']);

  // Recall: the receiver's copy is frozen and answered 15.
  const rid = await b.issue(syt, 'Công văn cần thu hồi');
  await ok(['--data', syt.data, 'outbox', 'send', rid, '--to', snv.organId, '--token', 'KYSO-ORG', '--pin-env', 'KYSO_TEST_PIN']);
  await sync(syt);
  await syncUntil(snv, (r) => r.received >= 1, 'the document to recall reaches the receiver');
  const copy = (await inbox(snv)).find((i) => i.title === 'Công văn cần thu hồi')!;
  await ok(['--data', syt.data, 'outbox', 'recall', rid, '--reason', 'Sai số liệu ở Điều 2', '--token', 'KYSO-ORG', '--pin-env', 'KYSO_TEST_PIN']);
  await syncUntil(syt, (r) => r.sent >= 1, 'the recall leaves');
  await syncUntil(snv, (r) => r.received >= 1, 'the recall reaches the receiver');
  expect((await inbox(snv)).find((i) => i.id === copy.id)!.exchange).toMatchObject({ frozen: 'recalled' });
  for (let i = 0; i < 40; i++) {
    await sync(syt);
    if ((await outboxRecipient(syt, rid)).r.statusCode === '15') break;
    await new Promise((res) => setTimeout(res, 250));
  }
  const recalled = await outboxRecipient(syt, rid);
  expect(recalled.state).toBe('recalled');
  expect(recalled.r).toMatchObject({ statusCode: '15', status: 'recalled' });
}

describe('exchange sync through the mail transport (Postfix + Dovecot)', () => {
  test('two agencies, two mailboxes: document, 01, 03 on accept, recall answered 15; no password stored', async () => {
    mail = await startMailServer({ accounts: [SYT_MAIL, SNV_MAIL] });
    const imap = `imap://127.0.0.1:${mail.imapPort}`;
    const smtp = `smtp://127.0.0.1:${mail.smtpPort}`;
    const syt = b.desk('Sở Y tế', '000.00.31.H41');
    const snv = b.desk('Sở Nội vụ', '000.00.32.H41');
    for (const [d, acct, env, other, otherAcct] of [
      [syt, SYT_MAIL, 'KYSO_MAIL_PW_SYT', snv, SNV_MAIL],
      [snv, SNV_MAIL, 'KYSO_MAIL_PW_SNV', syt, SYT_MAIL],
    ] as const) {
      await ok(['--data', d.data, 'exchange', 'self', '--organ-id', d.organId, '--name', d.name]);
      const conf = (await ok(['--data', d.data, 'exchange', 'receive', '--imap', imap, '--smtp', smtp, '--user', acct.address, '--password-env', env, '--ca', mail.caPath, '--json'])).json();
      expect(conf).toMatchObject({ inbox: { kind: 'mail', address: acct.address, config: { passwordEnv: env } } });
      const peer = (await ok(['--data', d.data, 'exchange', 'peer', 'add', other.organId, '--name', other.name, '--email', otherAcct.address, '--json'])).json();
      expect(peer).toMatchObject({ transport: 'mail', address: otherAcct.address });
    }
    // The password is in no file of the data folder's database.
    expect(readFileSync(join(syt.data, 'kyso.db')).includes(Buffer.from(SYT_MAIL.password))).toBe(false);
    // Without the variable, sync says which one is missing.
    const missing = await b.kyso(['--data', syt.data, 'exchange', 'sync']);
    expect(missing.status).not.toBe(0);
    expect(missing.stderr).toContain('KYSO_MAIL_PW_SYT');

    await roundTrip(syt, snv);
  }, 300_000);
});

describe('exchange sync through the national axis (stand-in server)', () => {
  test('two agencies, two systems: document, 01, 03 on accept, recall answered 15', async () => {
    axis = await startAxisServer({
      systems: [SYT_AXIS, SNV_AXIS],
      agencies: [
        { code: SYT_AXIS.organId, name: SYT_AXIS.name },
        { code: SNV_AXIS.organId, name: SNV_AXIS.name },
      ],
    });
    const syt = b.desk('Sở Y tế (trục)', SYT_AXIS.organId);
    const snv = b.desk('Sở Nội vụ (trục)', SNV_AXIS.organId);
    for (const [d, sys, env, other] of [
      [syt, SYT_AXIS, 'KYSO_AXIS_SYT', snv],
      [snv, SNV_AXIS, 'KYSO_AXIS_SNV', syt],
    ] as const) {
      await ok(['--data', d.data, 'exchange', 'self', '--organ-id', d.organId, '--name', d.name]);
      await ok(['--data', d.data, 'exchange', 'receive', '--axis', axis.url, '--system-id', sys.systemId, '--secret-env', env]);
      const peer = (await ok(['--data', d.data, 'exchange', 'peer', 'add', other.organId, '--name', other.name, '--axis', '--json'])).json();
      expect(peer).toMatchObject({ transport: 'axis', address: other.organId });
    }
    await roundTrip(syt, snv);
  }, 300_000);
});
