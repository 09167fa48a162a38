// The mail transport between two agencies' mailboxes through a real Postfix (SMTP, STARTTLS, SASL)
// and Dovecot (IMAP, STARTTLS), both started by the test on 127.0.0.1 with a test certificate:
// packages arrive whole, an unacknowledged one comes back, a duplicate delivery is delivered twice
// (the engine dedups), and failures come back as our error codes.
import { spawn, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ImapFlow } from 'imapflow';
import nodemailer from 'nodemailer';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { MailTransport, type MailTransportOptions } from '../../src/main/exchange/transport-mail.js';
import { mailTransportFromConfig } from '../../src/main/exchange/config-mail.js';
import type { OutgoingPackage } from '../../src/main/exchange/transport.js';
import { KysoError } from '../../src/shared/errors.js';
import { startMailServer, type MailServer } from '../fixtures/mail-server.js';
import { makeTempDir, removeTempDir, repoRoot } from '../fixtures/tmp.js';

const SYT = { address: 'vanthu@syt.quangninh.test', password: 'mật-khẩu-sở-y-tế' };
const STC = { address: 'vanthu@stc.quangninh.test', password: 'so-tai-chinh-2026' };

let server: MailServer;
let work: string;
const open: MailTransport[] = [];

function transport(account: { address: string; password: string }, extra: Partial<MailTransportOptions> = {}): MailTransport {
  const t = new MailTransport({
    smtp: { host: '127.0.0.1', port: server.smtpPort, implicitTls: false },
    imap: { host: '127.0.0.1', port: server.imapPort, implicitTls: false },
    user: account.address,
    password: account.password,
    ca: server.caPem,
    receiveDir: join(work, 'in', account.address, String(open.length)),
    timeoutMs: 5000,
    ...extra,
  });
  open.push(t);
  return t;
}

let seq = 0;
/** A small package whose bytes name its DocumentId (the transport never reads them). */
function makePackage(to: string, documentId: string): OutgoingPackage {
  seq += 1;
  const fileName = `000.00.00.G22_20261203_${seq}-QĐ-SYT.edxml`;
  const path = join(work, `out-${seq}.edxml`);
  const bytes = Buffer.from(`<?xml version="1.0" encoding="UTF-8"?>\n<edXMLEnvelope><DocumentId>${documentId}</DocumentId><Subject>Về việc kiểm dịch y tế</Subject></edXMLEnvelope>\n`, 'utf8');
  writeFileSync(path, bytes);
  return { queueId: seq, organId: '000.00.00.G23', address: to, fileName, path, sha256: createHash('sha256').update(bytes).digest('hex'), subject: `Văn bản ${documentId}` };
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'resolved';
  } catch (e) {
    return e instanceof KysoError ? e.code : `not a KysoError: ${String(e)}`;
  }
}

beforeAll(async () => {
  work = makeTempDir('exchange-mail');
  server = await startMailServer({ accounts: [SYT, STC] });
});

afterAll(async () => {
  for (const t of open) await t.close().catch(() => undefined);
  await server?.stop();
  if (work) removeTempDir(work);
});

/** Receives until `n` packages have arrived (delivery through Postfix and LMTP takes a moment). */
async function receiveAtLeast(t: MailTransport, n: number, timeoutMs = 20_000): Promise<Awaited<ReturnType<MailTransport['receive']>>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const got = await t.receive(10_000);
    if (got.length >= n || Date.now() > deadline) return got;
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('mail transport through Postfix and Dovecot', () => {
  test('a package sent by one agency arrives whole in the other one\'s mailbox, and is gone once acknowledged', async () => {
    const syt = transport(SYT);
    const stc = transport(STC);
    const pkg = makePackage(STC.address, '000.00.00.G22,2026/12/03,15/QĐ-SYT');
    const sent = await syt.send(pkg);
    expect(sent.remoteId).toMatch(/^<kyso\.[0-9a-f]{32}\.\d+@syt\.quangninh\.test>$/);

    const got = await receiveAtLeast(stc, 1);
    expect(got, server.logs()).toHaveLength(1);
    expect(got[0]!.fileName).toBe(pkg.fileName);
    expect(got[0]!.from).toBe(SYT.address);
    expect(readFileSync(got[0]!.path)).toEqual(readFileSync(pkg.path));

    await stc.acknowledge(got[0]!);
    expect(await stc.receive()).toEqual([]);
    // The sender's own mailbox got nothing.
    expect(await transport(SYT).receive()).toEqual([]);
  });

  test('an unacknowledged package comes back on the next receive, also in a new session; a duplicate delivery arrives twice', async () => {
    const syt = transport(SYT);
    const pkg = makePackage(STC.address, '000.00.00.G22,2026/12/03,16/QĐ-SYT');
    await syt.send(pkg);
    await syt.send(pkg); // the engine resent after a lost answer

    const first = await receiveAtLeast(transport(STC), 2);
    expect(first).toHaveLength(2);
    expect(new Set(first.map((p) => p.transportId)).size).toBe(2);
    for (const p of first) expect(createHash('sha256').update(readFileSync(p.path)).digest('hex')).toBe(pkg.sha256);

    // The desk crashed before its commit: a new transport (a new process) sees both again.
    const again = transport(STC);
    const second = await again.receive();
    expect(second.map((p) => p.transportId).sort()).toEqual(first.map((p) => p.transportId).sort());

    for (const p of second) await again.acknowledge(p);
    expect(await transport(STC).receive()).toEqual([]);
  });

  test('acknowledged messages can be moved to a processed folder; receive honours its limit', async () => {
    const syt = transport(SYT);
    for (let i = 0; i < 3; i++) await syt.send(makePackage(STC.address, `000.00.00.G22,2026/12/03,${20 + i}/QĐ-SYT`));
    const stc = transport(STC, { processedMailbox: 'Kyso/Processed' });
    await receiveAtLeast(stc, 3);
    const two = await stc.receive(2);
    expect(two).toHaveLength(2);
    for (const p of two) await stc.acknowledge(p);
    const rest = await stc.receive();
    expect(rest).toHaveLength(1);
    await stc.acknowledge(rest[0]!);
    expect(await stc.receive()).toEqual([]);
    // They are kept in the processed folder, seen, not deleted.
    const client = new ImapFlow({ host: '127.0.0.1', port: server.imapPort, secure: false, doSTARTTLS: true, tls: { ca: server.caPem }, auth: { user: STC.address, pass: STC.password }, logger: false });
    await client.connect();
    try {
      expect(await client.status('Kyso/Processed', { messages: true, unseen: true })).toMatchObject({ messages: 3, unseen: 0 });
    } finally {
      await client.logout();
    }
  });

  test('a connection the server dropped is opened again at the next call', async () => {
    const syt = transport(SYT);
    const stc = transport(STC);
    expect(await stc.receive()).toEqual([]);
    // The IMAP server closes every session of the mailbox (as on a restart or an idle timeout).
    const kick = spawnSync('/usr/bin/doveadm', ['-c', join(server.dir, 'dovecot.conf'), 'kick', STC.address], { encoding: 'utf8' });
    expect(kick.status, kick.stderr).toBe(0);
    expect(kick.stdout + kick.stderr).toContain(STC.address);
    const pkg = makePackage(STC.address, '000.00.00.G22,2026/12/03,60/QĐ-SYT');
    await syt.send(pkg);
    const got = await receiveAtLeast(stc, 1);
    expect(got.map((p) => p.fileName)).toEqual([pkg.fileName]);
    await stc.acknowledge(got[0]!);
  });

  test('a wrong password is EXCHANGE_AUTH on both SMTP and IMAP', async () => {
    const bad = transport({ address: STC.address, password: 'sai-mật-khẩu' });
    expect(await codeOf(bad.receive())).toBe('EXCHANGE_AUTH');
    expect(await codeOf(bad.send(makePackage(SYT.address, 'x')))).toBe('EXCHANGE_AUTH');
  });

  test('an unknown recipient is EXCHANGE_REFUSED', async () => {
    const syt = transport(SYT);
    expect(await codeOf(syt.send(makePackage('khongco@stc.quangninh.test', 'y')))).toBe('EXCHANGE_REFUSED');
  });

  test('a server certificate from a CA not configured is refused (EXCHANGE_UNREACHABLE, nothing sent)', async () => {
    const t = transport(SYT, { ca: undefined });
    expect(await codeOf(t.send(makePackage(STC.address, 'z')))).toBe('EXCHANGE_UNREACHABLE');
    expect(await codeOf(t.receive())).toBe('EXCHANGE_UNREACHABLE');
  });

  test('the transport is built from a plain config object, the password from the environment variable it names', async () => {
    const caFile = server.caPath;
    const t = mailTransportFromConfig(
      { imapUrl: `imap://127.0.0.1:${server.imapPort}`, smtpUrl: `smtp://127.0.0.1:${server.smtpPort}`, user: STC.address, passwordEnv: 'KYSO_TEST_MAIL_PW', ca: caFile },
      { env: { KYSO_TEST_MAIL_PW: STC.password }, receiveDir: join(work, 'cfg') },
    );
    open.push(t);
    expect(await t.receive()).toEqual([]);
    expect(() => mailTransportFromConfig({ imapUrl: 'imap://127.0.0.1:1', smtpUrl: 'smtp://127.0.0.1:1', user: STC.address, passwordEnv: 'KYSO_NOT_SET' }, { env: {}, receiveDir: work }))
      .toThrow(/KYSO_NOT_SET/);
    expect(() => mailTransportFromConfig({ imapUrl: 'http://x', smtpUrl: 'smtp://127.0.0.1:1', user: STC.address, passwordEnv: 'P' }, { env: { P: 'x' }, receiveDir: work }))
      .toThrow(KysoError);
  });

  test('a big package (8 MB) arrives byte for byte; a mail without an .edxml attachment is left alone', async () => {
    const syt = transport(SYT);
    const big = makePackage(STC.address, '000.00.00.G22,2026/12/03,40/QĐ-SYT');
    writeFileSync(big.path, randomBytes(8 * 1024 * 1024));
    big.sha256 = createHash('sha256').update(readFileSync(big.path)).digest('hex');
    await syt.send(big);
    // A person's mail to the clerk's mailbox: not a package, not marked, not moved.
    const person = nodemailer.createTransport({ host: '127.0.0.1', port: server.smtpPort, secure: false, requireTLS: true, tls: { ca: server.caPem }, auth: { user: SYT.address, pass: SYT.password } });
    await person.sendMail({ from: SYT.address, to: STC.address, subject: 'Lịch họp', text: 'Mời anh chị dự họp.', attachments: [{ filename: 'lich-hop.pdf', content: Buffer.from('%PDF-1.4\n') }] });
    person.close();

    const stc = transport(STC);
    const got = await receiveAtLeast(stc, 1);
    expect(got).toHaveLength(1);
    expect(createHash('sha256').update(readFileSync(got[0]!.path)).digest('hex')).toBe(big.sha256);
    await stc.acknowledge(got[0]!);
    const client = new ImapFlow({ host: '127.0.0.1', port: server.imapPort, secure: false, doSTARTTLS: true, tls: { ca: server.caPem }, auth: { user: STC.address, pass: STC.password }, logger: false });
    await client.connect();
    try {
      const deadline = Date.now() + 10_000;
      let unseen = 0;
      while (unseen === 0 && Date.now() < deadline) {
        const status = await client.status('INBOX', { unseen: true });
        unseen = status ? (status.unseen ?? 0) : 0;
        if (unseen === 0) await new Promise((r) => setTimeout(r, 200));
      }
      expect(unseen).toBe(1);
    } finally {
      await client.logout();
    }
    expect(await stc.receive()).toEqual([]);
  });

  test('a Postfix and Dovecot left running by a killed run are stopped by the next start', async () => {
    const script = join(work, 'orphan.ts');
    writeFileSync(script, `import { startMailServer } from ${JSON.stringify(join(repoRoot(), 'test', 'fixtures', 'mail-server.ts'))};\n` +
      `const s = await startMailServer({ accounts: [{ address: 'a@orphan.test', password: 'p' }] });\n` +
      `console.log(JSON.stringify({ dir: s.dir }));\nsetInterval(() => undefined, 1000);\n`);
    const child = spawn(process.execPath, [join(repoRoot(), 'node_modules', 'vite-node', 'vite-node.mjs'), script], { stdio: ['ignore', 'pipe', 'inherit'] });
    const line = await new Promise<string>((resolve, reject) => {
      let buf = '';
      child.stdout!.setEncoding('utf8').on('data', (c: string) => {
        buf += c;
        const m = /\{"dir".*\}/.exec(buf);
        if (m) resolve(m[0]);
      });
      child.on('exit', (code) => reject(new Error(`the orphan's parent exited early (${code})`)));
    });
    const orphanDir = (JSON.parse(line) as { dir: string }).dir;
    const postfixPid = Number(readFileSync(join(orphanDir, 'spool', 'pid', 'master.pid'), 'utf8').trim());
    const dovecotPid = Number(readFileSync(join(orphanDir, 'dovecot-run', 'master.pid'), 'utf8').trim());
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    expect(alive(postfixPid) && alive(dovecotPid)).toBe(true);

    const next = await startMailServer({ accounts: [{ address: 'b@next.test', password: 'p' }] });
    try {
      expect(alive(postfixPid)).toBe(false);
      expect(alive(dovecotPid)).toBe(false);
      expect(existsSync(orphanDir)).toBe(false);
    } finally {
      await next.stop();
    }
  });

  test('a server that is down is EXCHANGE_UNREACHABLE', async () => {
    // Run last: it stops this file's servers.
    const t = transport(SYT);
    expect(await t.receive()).toEqual([]);
    await server.stop();
    expect(await codeOf(t.send(makePackage(STC.address, 'w')))).toBe('EXCHANGE_UNREACHABLE');
    expect(await codeOf(t.receive())).toBe('EXCHANGE_UNREACHABLE');
    expect(await codeOf(transport(STC).receive())).toBe('EXCHANGE_UNREACHABLE');
  });
});
