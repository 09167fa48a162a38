// `npm run bench`, the mail transport part: 1,000 small .edxml packages sent from one agency's
// mailbox to another's through a real Postfix (SMTP, STARTTLS, SASL) and Dovecot (LMTP delivery,
// IMAP with STARTTLS), both started privately on 127.0.0.1 (test/fixtures/mail-server.ts), then
// received and acknowledged by the other desk. Prints the time and rate of each side.
//
//   import { benchExchangeMail } from './exchange-mail.js';  await benchExchangeMail();
//   KYSO_BENCH_MAIL_COUNT=N changes the count (default 1000).
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { MailTransport } from '../src/main/exchange/transport-mail.js';
import type { IncomingPackage, OutgoingPackage } from '../src/main/exchange/transport.js';
import { startMailServer } from '../test/fixtures/mail-server.js';
import { makeTempDir, removeTempDir } from '../test/fixtures/tmp.js';

export interface MailBenchResult {
  count: number;
  /** From the first send to the last one accepted by Postfix. */
  sendMs: number;
  /** From the first receive to the last package copied and acknowledged (includes waiting for delivery). */
  receiveMs: number;
  /** From the first send to the last acknowledgement. */
  totalMs: number;
  ok: boolean;
}

const rate = (n: number, ms: number): string => `${((n * 1000) / ms).toFixed(0)}/s`;

export async function benchExchangeMail(count = Number(process.env.KYSO_BENCH_MAIL_COUNT ?? 1000), print: (line: string) => void = (l) => console.log(l)): Promise<MailBenchResult> {
  const sender = { address: 'vanthu@syt.quangninh.test', password: 'bench-syt' };
  const receiver = { address: 'vanthu@stc.quangninh.test', password: 'bench-stc' };
  const work = makeTempDir('bench-mail');
  const server = await startMailServer({ accounts: [sender, receiver] });
  const make = (a: typeof sender, dir: string): MailTransport =>
    new MailTransport({
      smtp: { host: '127.0.0.1', port: server.smtpPort, implicitTls: false },
      imap: { host: '127.0.0.1', port: server.imapPort, implicitTls: false },
      user: a.address,
      password: a.password,
      ca: server.caPem,
      receiveDir: join(work, dir),
    });
  const out = make(sender, 'sender-in');
  const inbox = make(receiver, 'receiver-in');
  try {
    mkdirSync(join(work, 'out'));
    const packages: OutgoingPackage[] = [];
    let size = 0;
    for (let i = 1; i <= count; i++) {
      const bytes = Buffer.from(`<?xml version="1.0" encoding="UTF-8"?>\n<edXMLEnvelope><DocumentId>000.00.22.H47,2026/12/03,${i}/CV-SYT</DocumentId>${'<Content>Văn bản thử nghiệm</Content>'.repeat(20)}</edXMLEnvelope>\n`);
      const path = join(work, 'out', `${i}.edxml`);
      writeFileSync(path, bytes);
      size = bytes.length;
      packages.push({ queueId: i, organId: '000.00.21.H47', address: receiver.address, fileName: `000.00.22.H47_20261203_${i}-CV-SYT.edxml`, path, sha256: createHash('sha256').update(bytes).digest('hex'), subject: `Công văn ${i}/CV-SYT` });
    }

    const t0 = performance.now();
    for (const p of packages) await out.send(p);
    const t1 = performance.now();

    const seen = new Set<string>();
    const deadline = Date.now() + 10 * 60_000;
    while (seen.size < count && Date.now() < deadline) {
      const got: IncomingPackage[] = await inbox.receive(count);
      for (const p of got) {
        seen.add(p.transportId);
        await inbox.acknowledge(p);
      }
      if (got.length === 0) await new Promise((r) => setTimeout(r, 100));
    }
    const t2 = performance.now();

    const result: MailBenchResult = { count, sendMs: t1 - t0, receiveMs: t2 - t1, totalMs: t2 - t0, ok: seen.size === count };
    print(`Mail transport (Postfix + Dovecot on 127.0.0.1, STARTTLS), ${count} packages of ${size} bytes:`);
    print(`  send (SMTP, one pooled connection):        ${(result.sendMs / 1000).toFixed(2)} s  ${rate(count, result.sendMs)}`);
    print(`  receive + acknowledge (IMAP, after send):  ${(result.receiveMs / 1000).toFixed(2)} s  ${rate(count, result.receiveMs)}`);
    print(`  end to end:                                ${(result.totalMs / 1000).toFixed(2)} s  ${rate(count, result.totalMs)}${result.ok ? '' : `  INCOMPLETE: ${seen.size} of ${count} arrived`}`);
    return result;
  } finally {
    await out.close();
    await inbox.close();
    await server.stop();
    removeTempDir(work);
  }
}
