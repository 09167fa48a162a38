// The public-service mail transport (thư điện tử công vụ): a package leaves as an .edxml attachment
// over SMTP (STARTTLS required, SASL login) and arrives over IMAP (STARTTLS required). receive()
// looks at unseen messages, copies each .edxml attachment to a local file and changes nothing on the
// server; acknowledge() marks the message \Seen (and moves it to a processed folder when one is set)
// only once the engine has committed every package the message carried. A package not acknowledged
// comes back on the next receive(), in this process or the next: the engine's idempotent receipt
// makes that harmless, losing one would not be.
import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { ImapFlow, type MessageStructureObject } from 'imapflow';
import nodemailer, { type Transporter } from 'nodemailer';
import type SMTPPool from 'nodemailer/lib/smtp-pool/index.js';
import { KysoError, type ErrorCode } from '../../shared/errors.js';
import type { IncomingPackage, OutgoingPackage, SendResult, Transport } from './transport.js';

export interface MailEndpoint {
  host: string;
  port: number;
  /** TLS from the first byte (smtps 465, imaps 993); otherwise STARTTLS, which is then required. */
  implicitTls: boolean;
}

export interface MailTransportOptions {
  smtp: MailEndpoint;
  imap: MailEndpoint;
  /** The login, on both servers. */
  user: string;
  password: string;
  /** This desk's address, the From of what it sends (default: the login, when it is an address). */
  address?: string;
  /** Certificate authorities (PEM) to trust for the servers' certificates instead of the system's. */
  ca?: string | Buffer;
  /** Where received packages are copied (the engine moves or deletes them). */
  receiveDir: string;
  /** The mailbox packages arrive in (default INBOX). */
  mailbox?: string;
  /** Acknowledged messages are moved here (created when missing); without it they are only marked \Seen. */
  processedMailbox?: string;
  /** Per connection and per command (default 20 s). */
  timeoutMs?: number;
}

/** Mail-specific identity of a received package: which message, which MIME part. */
interface MailRef {
  uidValidity: string;
  uid: number;
  part: string;
}

const EDXML = /\.edxml$/i;

function transportIdOf(ref: MailRef): string {
  return `${ref.uidValidity}:${ref.uid}:${ref.part}`;
}

function parseTransportId(id: string): MailRef | null {
  const m = /^(\d+):(\d+):([\d.]+)$/.exec(id);
  return m ? { uidValidity: m[1]!, uid: Number(m[2]), part: m[3]! } : null;
}

/** The .edxml attachments of a message, by part number, with their names. */
export function edxmlParts(node: MessageStructureObject | undefined): Array<{ part: string; name: string }> {
  const out: Array<{ part: string; name: string }> = [];
  const walk = (n: MessageStructureObject): void => {
    if (n.childNodes && n.childNodes.length > 0) {
      for (const c of n.childNodes) walk(c);
      return;
    }
    const name = n.dispositionParameters?.filename ?? n.parameters?.name;
    // A message that is nothing but the attachment has no part number: its body is part 1.
    if (name && EDXML.test(name)) out.push({ part: n.part ?? '1', name });
  };
  if (node) walk(node);
  return out;
}

/** A name safe to put in a file name on any desk's disk (Vietnamese letters kept). */
function safeName(name: string): string {
  const base = name.replace(/^.*[\\/]/, '').replace(/[\u0000-\u001f<>:"|?*]/g, '_').slice(-120);
  return base.length > 0 && base !== '.' && base !== '..' ? base : 'package.edxml';
}

interface NetError {
  code?: string;
  responseCode?: number;
  response?: string;
  message?: string;
  authenticationFailed?: boolean;
  tlsFailed?: boolean;
  responseText?: string;
  serverResponseCode?: string;
}

/**
 * One of our three codes for whatever nodemailer or imapflow threw: credentials; a server's "no"
 * (SMTP 5xx, an IMAP NO/BAD); everything else (network, TLS, timeouts, SMTP 4xx) is worth retrying.
 */
export function mailErrorCode(e: unknown, side: 'smtp' | 'imap'): ErrorCode {
  const err = (e ?? {}) as NetError;
  if (err.authenticationFailed || err.code === 'EAUTH' || err.serverResponseCode === 'AUTHENTICATIONFAILED') return 'EXCHANGE_AUTH';
  if (side === 'smtp' && typeof err.responseCode === 'number') {
    if (err.responseCode === 535 || err.responseCode === 530) return 'EXCHANGE_AUTH';
    // 4xx: the server asks us to come back later; 5xx: it will not take this message.
    return err.responseCode >= 500 ? 'EXCHANGE_REFUSED' : 'EXCHANGE_UNREACHABLE';
  }
  if (side === 'smtp' && (err.code === 'EENVELOPE' || err.code === 'EMESSAGE')) return 'EXCHANGE_REFUSED';
  if (side === 'imap' && (err.responseText !== undefined && err.code === undefined && err.serverResponseCode === undefined)) return 'EXCHANGE_REFUSED';
  return 'EXCHANGE_UNREACHABLE';
}

function reasonOf(e: unknown): string {
  const err = (e ?? {}) as NetError;
  const text = err.response ?? err.responseText ?? err.message ?? String(e);
  return [err.code, text].filter(Boolean).join(' ').replace(/\s+/g, ' ').slice(0, 300);
}

export class MailTransport implements Transport {
  readonly kind = 'mail' as const;
  private readonly o: MailTransportOptions;
  private readonly from: string;
  private smtp: Transporter<SMTPPool.SentMessageInfo> | null = null;
  private imap: ImapFlow | null = null;
  /** Per message (uidValidity:uid): the parts handed out and not yet acknowledged. */
  private readonly pending = new Map<string, Set<string>>();
  /** Unseen messages that carry no package (a person's mail): their structure is not fetched again. */
  private readonly notPackages = new Set<string>();

  constructor(options: MailTransportOptions) {
    this.o = options;
    const from = options.address ?? options.user;
    if (!from.includes('@')) throw new KysoError('USAGE', { reason: `the mail transport needs this desk's address (the login "${options.user}" is not one)` });
    this.from = from;
  }

  private fail(e: unknown, side: 'smtp' | 'imap'): KysoError {
    if (e instanceof KysoError) return e;
    const ep = side === 'smtp' ? this.o.smtp : this.o.imap;
    return new KysoError(mailErrorCode(e, side), { transport: side.toUpperCase(), server: `${ep.host}:${ep.port}`, reason: reasonOf(e) }, { cause: e });
  }

  private smtpClient(): Transporter<SMTPPool.SentMessageInfo> {
    if (this.smtp) return this.smtp;
    const t = this.o.timeoutMs ?? 20_000;
    const options: SMTPPool.Options = {
      pool: true,
      maxConnections: 1,
      maxMessages: Infinity,
      host: this.o.smtp.host,
      port: this.o.smtp.port,
      secure: this.o.smtp.implicitTls,
      requireTLS: !this.o.smtp.implicitTls,
      auth: { user: this.o.user, pass: this.o.password },
      tls: { ca: this.o.ca, minVersion: 'TLSv1.2' },
      connectionTimeout: t,
      greetingTimeout: t,
      socketTimeout: t * 3,
      logger: false,
      disableFileAccess: false,
      disableUrlAccess: true,
    };
    this.smtp = nodemailer.createTransport(options);
    return this.smtp;
  }

  async send(pkg: OutgoingPackage): Promise<SendResult> {
    const domain = this.from.slice(this.from.lastIndexOf('@') + 1);
    // The same queue row and file make the same Message-ID: a resend after a lost answer is
    // recognisably the same message to anyone who looks (the engine's receipt dedups it anyway).
    const messageId = `<kyso.${pkg.sha256.slice(0, 32)}.${pkg.queueId}@${domain}>`;
    try {
      const info = await this.smtpClient().sendMail({
        from: this.from,
        to: pkg.address,
        subject: pkg.subject,
        messageId,
        text: `Văn bản điện tử gửi kèm (edXML): ${pkg.fileName}\nElectronic document attached (edXML): ${pkg.fileName}\n`,
        headers: { 'X-Kyso-Package-SHA256': pkg.sha256, 'X-Kyso-Organ-Id': pkg.organId },
        attachments: [{ filename: pkg.fileName, path: pkg.path, contentType: 'application/xml' }],
      });
      if (info.rejected.length > 0) {
        throw new KysoError('EXCHANGE_REFUSED', { transport: 'SMTP', server: `${this.o.smtp.host}:${this.o.smtp.port}`, reason: `recipient rejected: ${pkg.address}` });
      }
      return { remoteId: info.messageId };
    } catch (e) {
      throw this.fail(e, 'smtp');
    }
  }

  private async imapClient(): Promise<ImapFlow> {
    if (this.imap?.usable) return this.imap;
    const t = this.o.timeoutMs ?? 20_000;
    const client = new ImapFlow({
      host: this.o.imap.host,
      port: this.o.imap.port,
      secure: this.o.imap.implicitTls,
      doSTARTTLS: this.o.imap.implicitTls ? undefined : true,
      auth: { user: this.o.user, pass: this.o.password },
      tls: { ca: this.o.ca, minVersion: 'TLSv1.2' },
      logger: false,
      disableAutoIdle: true,
      connectionTimeout: t,
      greetingTimeout: t,
      socketTimeout: t * 3,
    });
    // A dropped connection is noticed at the next call (usable = false); no unhandled 'error'.
    client.on('error', () => undefined);
    try {
      await client.connect();
    } catch (e) {
      client.close();
      throw e;
    }
    this.imap = client;
    return client;
  }

  /**
   * Runs `fn` on the kept IMAP connection; when that connection turns out to have been closed by
   * the server meanwhile (a restart, an idle timeout), once more on a fresh one. Everything done
   * through it is safe to repeat (copies to the same files, flags already set).
   */
  private async withImap(fn: (client: ImapFlow) => Promise<void>): Promise<void> {
    const reused = this.imap?.usable === true;
    const client = await this.imapClient();
    try {
      await fn(client);
    } catch (e) {
      if (!reused || client.usable || mailErrorCode(e, 'imap') !== 'EXCHANGE_UNREACHABLE') throw e;
      this.imap = null;
      client.close();
      await fn(await this.imapClient());
    }
  }

  async receive(limit = 100): Promise<IncomingPackage[]> {
    const out: IncomingPackage[] = [];
    const mailbox = this.o.mailbox ?? 'INBOX';
    try {
      await this.withImap(async (client) => {
        out.length = 0;
        await mkdir(this.o.receiveDir, { recursive: true });
        const lock = await client.getMailboxLock(mailbox);
        try {
          const box = client.mailbox;
          if (!box) throw new Error(`mailbox ${mailbox} is not open`);
          const uidValidity = String(box.uidValidity);
          const uids = ((await client.search({ seen: false }, { uid: true })) || [])
            .filter((uid) => !this.notPackages.has(`${uidValidity}:${uid}`))
            .sort((a, b) => a - b);
          let firstError: unknown = null;
          for (let i = 0; i < uids.length && out.length < limit; i += 200) {
            const batch = uids.slice(i, i + 200);
            const messages = await client.fetchAll(batch.join(','), { uid: true, bodyStructure: true, envelope: true }, { uid: true });
            messages.sort((a, b) => a.uid - b.uid);
            for (const msg of messages) {
              if (out.length >= limit) break;
              const parts = edxmlParts(msg.bodyStructure);
              const key = `${uidValidity}:${msg.uid}`;
              if (parts.length === 0) {
                this.notPackages.add(key);
                continue;
              }
              for (const { part, name } of parts) {
                if (out.length >= limit) break;
                const ref: MailRef = { uidValidity, uid: msg.uid, part };
                const path = join(this.o.receiveDir, `mail-${uidValidity}-${msg.uid}-${part}-${safeName(name)}`);
                try {
                  await this.download(client, ref, path);
                } catch (e) {
                  // One message that cannot be read (expunged meanwhile, damaged) must not hold back
                  // the others: it stays unseen and is tried again; reported when nothing came through.
                  firstError ??= e;
                  continue;
                }
                out.push({ transportId: transportIdOf(ref), fileName: name, path, from: msg.envelope?.from?.[0]?.address });
              }
              // All of the message's parts must be acknowledged before it is marked, even those beyond
              // this call's limit (they come back next time; their acknowledgement then completes it).
              this.pending.set(key, new Set(parts.map((p) => p.part)));
            }
          }
          if (out.length === 0 && firstError !== null) throw firstError;
        } finally {
          lock.release();
        }
      });
    } catch (e) {
      throw this.fail(e, 'imap');
    }
    return out;
  }

  private async download(client: ImapFlow, ref: MailRef, path: string): Promise<void> {
    const tmp = `${path}.part`;
    const dl = await client.download(String(ref.uid), ref.part, { uid: true });
    if (!dl.content) throw new Error(`message ${ref.uid} part ${ref.part} has vanished`);
    try {
      await pipeline(dl.content, createWriteStream(tmp, { flags: 'w' }));
      await rename(tmp, path);
    } catch (e) {
      await rm(tmp, { force: true });
      throw e;
    }
  }

  async acknowledge(pkg: IncomingPackage): Promise<void> {
    const ref = parseTransportId(pkg.transportId);
    if (!ref) throw new KysoError('INTERNAL', { reason: `not a mail package id: ${pkg.transportId}` });
    const key = `${ref.uidValidity}:${ref.uid}`;
    const pending = this.pending.get(key);
    if (pending) {
      pending.delete(ref.part);
      if (pending.size > 0) return;
    }
    // Unknown here (another process received it) or the last part: the message is done.
    this.pending.delete(key);
    const mailbox = this.o.mailbox ?? 'INBOX';
    try {
      await this.withImap(async (client) => {
        const lock = await client.getMailboxLock(mailbox);
        try {
          // A mailbox recreated since (new UIDVALIDITY) holds other messages under these numbers:
          // leave it; the message comes back under its new UID and the engine recognises it.
          if (String(client.mailbox ? client.mailbox.uidValidity : '') !== ref.uidValidity) return;
          await client.messageFlagsAdd(String(ref.uid), ['\\Seen'], { uid: true });
          if (this.o.processedMailbox) {
            await this.ensureMailbox(client, this.o.processedMailbox);
            await client.messageMove(String(ref.uid), this.o.processedMailbox, { uid: true });
          }
        } finally {
          lock.release();
        }
      });
    } catch (e) {
      throw this.fail(e, 'imap');
    }
  }

  private readonly knownMailboxes = new Set<string>();

  private async ensureMailbox(client: ImapFlow, path: string): Promise<void> {
    if (this.knownMailboxes.has(path)) return;
    const list = await client.list();
    if (!list.some((m) => m.path === path)) await client.mailboxCreate(path);
    this.knownMailboxes.add(path);
  }

  async close(): Promise<void> {
    const imap = this.imap;
    this.imap = null;
    if (imap?.usable) {
      try {
        await imap.logout();
      } catch {
        imap.close();
      }
    } else imap?.close();
    this.smtp?.close();
    this.smtp = null;
  }
}
