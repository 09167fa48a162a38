// Issue 13: a desk with several inboxes — the public-service mail (real Postfix + Dovecot on
// 127.0.0.1) and the national axis (the stand-in server) — receives from both in one
// `exchange sync`, and answers each sender through the transport that sender is reached by. An
// inbox that cannot be read is reported while the other is still read.
import { existsSync, readdirSync } from 'node:fs';
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
const SXD_MAIL = { address: 'vanthu@sxd.quangninh.test', password: 'so-xay-dung-2026' };
const SNV_AXIS: AxisSystem = { systemId: 'SNV-QN', secret: 'so-noi-vu-secret', organId: '000.00.23.H47', name: 'Sở Nội vụ tỉnh Quảng Ninh' };
const SXD_AXIS: AxisSystem = { systemId: 'SXD-QN', secret: 'bí-mật-sở-xây-dựng', organId: '000.00.25.H47', name: 'Sở Xây dựng tỉnh Quảng Ninh' };
const ENV = { KYSO_MAIL_PW_SYT: SYT_MAIL.password, KYSO_MAIL_PW_SXD: SXD_MAIL.password, KYSO_AXIS_SNV: SNV_AXIS.secret, KYSO_AXIS_SXD: SXD_AXIS.secret };

let work: string;
let b: Bench;
let mail: MailServer;
let axis: AxisServer;
let syt: Desk;
let snv: Desk;
let sxd: Desk;

interface SyncReport {
  sent: number;
  received: number;
  statuses: number;
  failed: Array<{ organId: string; code: string }>;
  inboxFailed: Array<{ kind: string; code: string }>;
}

const kyso = (args: string[], env: NodeJS.ProcessEnv = ENV) => b.kyso(args, env);
const ok = async (args: string[]) => b.ok(await kyso(args));
const sync = async (d: Desk): Promise<SyncReport> => (await ok(['--data', d.data, 'exchange', 'sync', '--json'])).json() as never;

/** `count` mails for Sở Xây dựng have been delivered to its maildir by Postfix (accepted first, delivered a moment later; read ones move to cur/). */
async function mailDelivered(count: number): Promise<void> {
  const box = join(mail.dir, 'mail', 'sxd.quangninh.test', 'vanthu');
  const n = (sub: string): number => (existsSync(join(box, sub)) ? readdirSync(join(box, sub)).length : 0);
  for (let i = 0; i < 600; i++) {
    if (n('new') + n('cur') >= count) return;
    await new Promise((res) => setTimeout(res, 100));
  }
  throw new Error(`${count} mails not delivered to ${box}\n${mail.logs()}`);
}

beforeAll(async () => {
  work = makeTempDir('exchange-inboxes');
  b = await exchangeBench(work, pki, sharedSoftHsm(pki));
  mail = await startMailServer({ accounts: [SYT_MAIL, SXD_MAIL] });
  axis = await startAxisServer({
    systems: [SNV_AXIS, SXD_AXIS],
    agencies: [
      { code: SNV_AXIS.organId, name: SNV_AXIS.name },
      { code: SXD_AXIS.organId, name: SXD_AXIS.name },
    ],
  });
  const imap = `imap://127.0.0.1:${mail.imapPort}`;
  const smtp = `smtp://127.0.0.1:${mail.smtpPort}`;
  syt = b.desk('Sở Y tế', '000.00.22.H47');
  snv = b.desk('Sở Nội vụ', SNV_AXIS.organId);
  sxd = b.desk('Sở Xây dựng', SXD_AXIS.organId);
  for (const d of [syt, snv, sxd]) await ok(['--data', d.data, 'exchange', 'self', '--organ-id', d.organId, '--name', d.name]);
  // Sở Y tế is reached by mail, Sở Nội vụ by the axis; Sở Xây dựng receives through both.
  await ok(['--data', syt.data, 'exchange', 'receive', '--imap', imap, '--smtp', smtp, '--user', SYT_MAIL.address, '--password-env', 'KYSO_MAIL_PW_SYT', '--ca', mail.caPath]);
  await ok(['--data', syt.data, 'exchange', 'peer', 'add', sxd.organId, '--name', sxd.name, '--email', SXD_MAIL.address]);
  await ok(['--data', snv.data, 'exchange', 'receive', '--axis', axis.url, '--system-id', SNV_AXIS.systemId, '--secret-env', 'KYSO_AXIS_SNV']);
  await ok(['--data', snv.data, 'exchange', 'peer', 'add', sxd.organId, '--name', sxd.name, '--axis']);
  await ok(['--data', sxd.data, 'exchange', 'receive', '--imap', imap, '--smtp', smtp, '--user', SXD_MAIL.address, '--password-env', 'KYSO_MAIL_PW_SXD', '--ca', mail.caPath]);
  await ok(['--data', sxd.data, 'exchange', 'receive', '--axis', axis.url, '--system-id', SXD_AXIS.systemId, '--secret-env', 'KYSO_AXIS_SXD']);
  await ok(['--data', sxd.data, 'exchange', 'peer', 'add', syt.organId, '--name', syt.name, '--email', SYT_MAIL.address]);
  await ok(['--data', sxd.data, 'exchange', 'peer', 'add', snv.organId, '--name', snv.name, '--axis']);
}, 300_000);

afterAll(async () => {
  await mail?.stop();
  await axis?.stop();
  if (work) removeTempDir(work);
});

describe('several inboxes per desk', () => {
  test('one sync reads the mail and the axis, and answers each sender by its own way', async () => {
    const inboxes = (await ok(['--data', sxd.data, 'exchange', 'inbox', 'list', '--json'])).json().inboxes as Array<{ kind: string; address: string; config: Record<string, string> }>;
    expect(inboxes.map((i) => [i.kind, i.address])).toEqual([
      ['mail', SXD_MAIL.address],
      ['axis', axis.url],
    ]);
    expect(inboxes[0]!.config).toMatchObject({ passwordEnv: 'KYSO_MAIL_PW_SXD' });

    const byMail = await b.issue(syt, 'Công văn gửi qua thư công vụ');
    await ok(['--data', syt.data, 'outbox', 'send', byMail, '--to', sxd.organId, '--token', 'KYSO-ORG', '--pin-env', 'KYSO_TEST_PIN']);
    expect(await sync(syt)).toMatchObject({ sent: 1, failed: [] });
    const byAxis = await b.issue(snv, 'Công văn gửi qua trục liên thông');
    await ok(['--data', snv.data, 'outbox', 'send', byAxis, '--to', sxd.organId, '--token', 'KYSO-ORG', '--pin-env', 'KYSO_TEST_PIN']);
    expect(await sync(snv)).toMatchObject({ sent: 1, failed: [] });
    await mailDelivered(1);

    // One pass: both arrive, both are answered 01 (one by SMTP, one through the axis).
    expect(await sync(sxd)).toMatchObject({ received: 2, sent: 2, failed: [], inboxFailed: [] });
    const items = (await ok(['--data', sxd.data, 'inbox', 'list', '--json', '--order', 'date'])).json().items as Array<{ organId: string; title: string; envelope: { status: string } }>;
    expect(items.map((i) => [i.organId, i.title]).sort()).toEqual([
      [syt.organId, 'Công văn gửi qua thư công vụ'],
      [snv.organId, 'Công văn gửi qua trục liên thông'],
    ]);
    expect(items.map((i) => i.envelope.status)).toEqual(['valid', 'valid']);

    expect(await sync(snv)).toMatchObject({ statuses: 1 });
    for (let i = 0; i < 40; i++) if ((await sync(syt)).statuses >= 1) break;
    for (const [d, id] of [
      [syt, byMail],
      [snv, byAxis],
    ] as const) {
      const out = (await ok(['--data', d.data, 'outbox', 'list', '--json'])).json().items as Array<{ documentId: string; recipients: Array<{ organId: string; statusCode: string | null }> }>;
      expect(out.find((o) => o.documentId === id)!.recipients).toEqual([expect.objectContaining({ organId: sxd.organId, statusCode: '01' })]);
    }
  }, 300_000);

  test('an inbox that cannot be opened is reported; the other is still read; an inbox can be removed', async () => {
    const id = await b.issue(syt, 'Công văn thứ hai qua thư');
    await ok(['--data', syt.data, 'outbox', 'send', id, '--to', sxd.organId]);
    expect(await sync(syt)).toMatchObject({ sent: 1 });
    await mailDelivered(2);
    // The axis secret is not in the environment this time.
    const { KYSO_AXIS_SXD: _gone, ...noAxis } = ENV;
    const r = await kyso(['--data', sxd.data, 'exchange', 'sync', '--json'], noAxis);
    expect(r.status).toBe(1);
    expect(r.json()).toMatchObject({ received: 1, inboxFailed: [{ kind: 'axis', code: 'USAGE' }] });
    expect(r.stderr).toMatch(/^Hộp nhận \| Inbox axis: Lỗi \[USAGE\].*KYSO_AXIS_SXD/);

    expect((await ok(['--data', sxd.data, 'exchange', 'inbox', 'remove', 'axis', '--json'])).json()).toEqual({ kind: 'axis', removed: true });
    const left = (await ok(['--data', sxd.data, 'exchange', 'self', '--json'])).json();
    expect(left).toMatchObject({ inbox_kind: 'mail', inboxes: [{ kind: 'mail', address: SXD_MAIL.address }] });
  }, 300_000);
});
