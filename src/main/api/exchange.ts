// The exchange screens' calls (issue 13) over the exchange engine (src/main/exchange): this desk's
// agency code and inbox, the address book, a connection test that really connects, one sync pass,
// sending, and the 04/05/06 answers. What the command line does with `kyso exchange …`, from the app.
//
// Secrets: the engine keeps the mail password and the axis secret in environment variables and
// stores only their names. A password typed in the app joins those variables for this running
// process only (`Secrets`, in memory): never written to a file, never sent back to the page.
import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, openSync, readdirSync, readFileSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import type { InboxItem, OutboxItem } from '../../shared/contract.js';
import type { ConnectionTest, ExchangeView, InboxSetup } from '../../shared/contract-exchange.js';
import { KysoError } from '../../shared/errors.js';
import { addPeer, configureInbox, configureSelf, queueDocument, recallDocument, removeInboxConfig, sentRecipients, setIncomingProgress, sync, withdrawDocument } from '../exchange/engine.js';
import { openTransport } from '../exchange/transports.js';
import { appendAudit } from '../store/audit.js';
import { prep } from '../store/sql.js';
import { findInbox, getSelf, listInboxes, listPeers, requireSelf, type TransportKind } from '../store/exchange.js';
import type { TokenSigner } from '../token/index.js';
import { parseId } from '../workflow/context.js';
import type { WorkflowService } from '../workflow/service.js';
import type { Handlers } from './dispatch.js';
import type { TokenService } from './tokens.js';

type ExchangeCalls = 'outbox.recall' | 'outbox.withdraw' | 'exchange.removeInbox' | 'exchange.get' | 'exchange.setSelf' | 'exchange.setInbox' | 'exchange.test' | 'exchange.savePeer' | 'exchange.removePeer' | 'exchange.importAgencies' | 'exchange.sync' | 'exchange.send' | 'exchange.progress';

/** Passwords and secrets typed in the app, by variable name, for this process's life. */
export class Secrets {
  private readonly values = new Map<string, string>();
  set(name: string, value: string): void {
    this.values.set(name, value);
  }
  /** The environment the transports read: the process's, with what was typed here on top. */
  env(): NodeJS.ProcessEnv {
    return { ...process.env, ...Object.fromEntries(this.values) };
  }
  has(name: string): boolean {
    const v = this.values.get(name) ?? process.env[name];
    return v !== undefined && v !== '';
  }
}

type Parsed<K extends InboxSetup['kind']> = Extract<InboxSetup, { kind: K }> & { passwordEnv?: string; secretEnv?: string };

function inboxConfigOf(self: { inbox_kind: string | null; inbox_config: string }): Record<string, string> {
  try {
    return JSON.parse(self.inbox_config || '{}') as Record<string, string>;
  } catch {
    return {};
  }
}

export function exchangeHandlers(o: {
  desk: () => WorkflowService;
  tokens: TokenService;
  secrets: Secrets;
  outboxItem: (documentId: string) => OutboxItem;
  inboxItem: (id: string) => InboxItem;
}): Pick<Handlers, ExchangeCalls> {
  const { desk, tokens, secrets } = o;
  let running: Promise<unknown> | null = null;

  /** The variable holding an inbox's password or secret, when it has one. */
  const secretNameOf = (kind: string, c: Record<string, string>): string | undefined => (kind === 'mail' ? c.passwordEnv : kind === 'axis' ? c.secretEnv : undefined);

  const view = (): ExchangeView => {
    const db = desk().store.db;
    const self = getSelf(db);
    let inbox: ExchangeView['inbox'] = null;
    if (self?.inbox_kind && self.inbox_address) {
      const c = inboxConfigOf(self);
      inbox = { kind: self.inbox_kind, address: self.inbox_address };
      if (self.inbox_kind === 'mail')
        inbox.mail = { imapUrl: c.imapUrl ?? '', smtpUrl: c.smtpUrl ?? '', user: c.user ?? self.inbox_address, passwordEnv: c.passwordEnv ?? '', ca: c.ca ?? null, passwordSet: Boolean(c.passwordEnv && secrets.has(c.passwordEnv)) };
      if (self.inbox_kind === 'axis') inbox.axis = { url: c.url ?? self.inbox_address, systemId: c.systemId ?? '', secretEnv: c.secretEnv ?? '', secretSet: Boolean(c.secretEnv && secrets.has(c.secretEnv)) };
    }
    const inboxes = listInboxes(db).map((r) => {
      const name = secretNameOf(r.kind, inboxConfigOf({ inbox_kind: r.kind, inbox_config: r.config }));
      return { kind: r.kind, address: r.address, secretSet: name ? secrets.has(name) : null };
    });
    const counts = prep(db, "SELECT SUM(state = 'queued') AS queued, SUM(state = 'failed') AS failed FROM exchange_queue").get() as { queued: number | null; failed: number | null };
    return {
      self: self ? { organId: self.organ_id, name: self.name, changeAnswers: self.change_answers } : null,
      inbox,
      inboxes,
      peers: listPeers(db).map((p) => ({ organId: p.organ_id, name: p.name, transport: p.transport, address: p.address, updatedAt: p.updated_at })),
      queue: { queued: counts.queued ?? 0, failed: counts.failed ?? 0 },
    };
  };

  /** The stored configuration an inbox form makes (addresses checked; the secret kept in memory). */
  const configFrom = async (s: InboxSetup, keepSecret: boolean): Promise<{ kind: TransportKind; address: string; config: Record<string, string> }> => {
    if (s.kind === 'folder') {
      if (!isAbsolute(s.path)) throw new KysoError('EXCHANGE_FOLDER_UNAVAILABLE', { path: s.path, reason: 'not a full path (e.g. /mnt/vanban/so-y-te or \\\\may-chu\\vanban)' });
      return { kind: 'folder', address: resolve(s.path), config: {} };
    }
    if (s.kind === 'mail') {
      const m = s as Parsed<'mail'>;
      const { parseMailUrl } = await import('../exchange/config-mail.js');
      parseMailUrl(m.imapUrl, 'imap');
      parseMailUrl(m.smtpUrl, 'smtp');
      const passwordEnv = m.passwordEnv ?? 'KYSO_MAIL_PASSWORD';
      if (keepSecret && m.password) secrets.set(passwordEnv, m.password);
      const config: Record<string, string> = { imapUrl: m.imapUrl, smtpUrl: m.smtpUrl, user: m.user, passwordEnv };
      if (m.ca) config.ca = resolve(m.ca);
      return { kind: 'mail', address: m.user, config };
    }
    const a = s as Parsed<'axis'>;
    if (!/^https?:\/\/[^/\s]+/i.test(a.url)) throw new KysoError('USAGE', { reason: `${a.url}: an http:// or https:// address` });
    const secretEnv = a.secretEnv ?? 'KYSO_AXIS_SECRET';
    if (keepSecret && a.secret) secrets.set(secretEnv, a.secret);
    return { kind: 'axis', address: a.url, config: { url: a.url, systemId: a.systemId, secretEnv } };
  };

  /** The environment a test or sync reads: a password typed in the form (not yet saved) counts. */
  const envWith = (s: InboxSetup): NodeJS.ProcessEnv => {
    const env = secrets.env();
    if (s.kind === 'mail' && s.password) env[(s as Parsed<'mail'>).passwordEnv ?? 'KYSO_MAIL_PASSWORD'] = s.password;
    if (s.kind === 'axis' && s.secret) env[(s as Parsed<'axis'>).secretEnv ?? 'KYSO_AXIS_SECRET'] = s.secret;
    return env;
  };
  const needSecret = (env: NodeJS.ProcessEnv, name: string): void => {
    if (!env[name]) throw new KysoError('EXCHANGE_SECRET_MISSING', { name });
  };

  const testFolder = (dir: string): ConnectionTest => {
    let st;
    try {
      st = statSync(dir);
    } catch (e) {
      throw new KysoError('EXCHANGE_FOLDER_UNAVAILABLE', { path: dir, reason: (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'không có thư mục này | no such folder' : (e as Error).message }, { cause: e });
    }
    if (!st.isDirectory()) throw new KysoError('EXCHANGE_FOLDER_UNAVAILABLE', { path: dir, reason: 'không phải thư mục | not a folder' });
    // As the transport writes: a file under a temporary name, flushed, read back, removed.
    const probe = join(dir, `.kyso-test-${randomBytes(6).toString('hex')}.tmp`);
    const bytes = randomBytes(32);
    try {
      const fd = openSync(probe, 'wx');
      try {
        writeSync(fd, bytes);
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      if (!readFileSync(probe).equals(bytes)) throw new Error('what was written reads back different');
    } catch (e) {
      throw new KysoError('EXCHANGE_FOLDER_UNAVAILABLE', { path: dir, reason: (e as NodeJS.ErrnoException).code ?? (e as Error).message }, { cause: e });
    } finally {
      try {
        unlinkSync(probe);
      } catch {
        // not written
      }
    }
    const waiting = readdirSync(dir).filter((f) => f.toLowerCase().endsWith('.edxml')).length;
    return { kind: 'folder', checks: [{ what: 'folder', target: dir, security: null, waiting, agencies: null }] };
  };

  const testMail = async (s: Parsed<'mail'>, env: NodeJS.ProcessEnv): Promise<ConnectionTest> => {
    const { parseMailUrl } = await import('../exchange/config-mail.js');
    const { mailErrorCode } = await import('../exchange/transport-mail.js');
    const passwordEnv = s.passwordEnv ?? 'KYSO_MAIL_PASSWORD';
    needSecret(env, passwordEnv);
    const password = env[passwordEnv]!;
    const ca = s.ca ? readCa(s.ca) : undefined;
    const smtp = parseMailUrl(s.smtpUrl, 'smtp');
    const imap = parseMailUrl(s.imapUrl, 'imap');
    const reason = (e: unknown): string => {
      const x = e as { code?: string; response?: string; responseText?: string; message?: string };
      return [x.code, x.response ?? x.responseText ?? x.message].filter(Boolean).join(' ').replace(/\s+/g, ' ').slice(0, 300);
    };
    const checks: ConnectionTest['checks'] = [];
    const timeout = 15_000;
    const nodemailer = (await import('nodemailer')).default;
    const t = nodemailer.createTransport({ host: smtp.host, port: smtp.port, secure: smtp.implicitTls, requireTLS: !smtp.implicitTls, auth: { user: s.user, pass: password }, tls: { ca, minVersion: 'TLSv1.2' }, connectionTimeout: timeout, greetingTimeout: timeout, socketTimeout: timeout, logger: false });
    try {
      await t.verify();
      checks.push({ what: 'SMTP', target: `${s.user} @ ${smtp.host}:${smtp.port}`, security: smtp.implicitTls ? 'TLS' : 'STARTTLS', waiting: null, agencies: null });
    } catch (e) {
      throw new KysoError(mailErrorCode(e, 'smtp'), { transport: 'SMTP', server: `${smtp.host}:${smtp.port}`, reason: reason(e) }, { cause: e });
    } finally {
      t.close();
    }
    const { ImapFlow } = await import('imapflow');
    const client = new ImapFlow({ host: imap.host, port: imap.port, secure: imap.implicitTls, doSTARTTLS: imap.implicitTls ? undefined : true, auth: { user: s.user, pass: password }, tls: { ca, minVersion: 'TLSv1.2' }, logger: false, disableAutoIdle: true, connectionTimeout: timeout, greetingTimeout: timeout, socketTimeout: timeout });
    client.on('error', () => undefined);
    try {
      await client.connect();
      const st = await client.status('INBOX', { unseen: true, messages: true });
      checks.push({ what: 'IMAP', target: `${s.user} @ ${imap.host}:${imap.port}`, security: imap.implicitTls ? 'TLS' : 'STARTTLS', waiting: st ? (st.unseen ?? 0) : null, agencies: null });
      await client.logout();
    } catch (e) {
      client.close();
      throw new KysoError(mailErrorCode(e, 'imap'), { transport: 'IMAP', server: `${imap.host}:${imap.port}`, reason: reason(e) }, { cause: e });
    }
    return { kind: 'mail', checks };
  };

  const testAxis = async (s: Parsed<'axis'>, env: NodeJS.ProcessEnv): Promise<ConnectionTest> => {
    const secretEnv = s.secretEnv ?? 'KYSO_AXIS_SECRET';
    needSecret(env, secretEnv);
    const { axisTransportFromConfig } = await import('../exchange/config-axis.js');
    const t = axisTransportFromConfig({ url: s.url, systemId: s.systemId, secretEnv, timeoutMs: 15_000 }, { env, receiveDir: join(desk().store.dataDir, 'exchange', 'axis-in') });
    const agencies = await t.listAgencies();
    const waiting = await t.listReceived();
    await t.close();
    return { kind: 'axis', checks: [{ what: 'axis', target: `${s.systemId} @ ${s.url}`, security: /^https:/i.test(s.url) ? 'TLS' : null, waiting: waiting.length, agencies: agencies.length }] };
  };

  const audit = (action: string, details: Record<string, unknown>): void => {
    const ctx = desk().context;
    appendAudit(ctx.store.db, { at: ctx.now().toISOString(), actor: ctx.actor, action, subject: null, details });
  };

  /**
   * Runs `work` with the organisation token's signer when the envelopes it makes must be signed:
   * from the app, a recall, a withdrawal, an update or a replacement that reaches other agencies
   * is always signed, so without a token and PIN nothing is queued. A wrong PIN throws before
   * anything is stored (the engine signs before its transaction).
   */
  const signed = async <T>(need: boolean, i: { token?: { label: string; serial?: string }; pin?: string }, work: (signer?: TokenSigner) => Promise<T>): Promise<T> => {
    if (!need) return work(undefined);
    if (!i.token || !i.pin) throw new KysoError('TOKEN_PIN_MISSING', { operation: 'envelope' });
    return tokens.withSigner(i.token, i.pin, async (signer: () => Promise<TokenSigner>) => work(await signer()));
  };

  return {
    // Through the exchange engine: a document sent by edXML is recalled from its recipients too,
    // by a recall envelope (BusinessDocType 1) signed with the organisation's token.
    'outbox.recall': async (i) => {
      const id = parseId(i.documentId);
      const reaches = getSelf(desk().store.db) !== undefined && sentRecipients(desk().context, id).length > 0;
      await signed(reaches, i, (signer) => recallDocument(desk().context, id, i.reason, { signer }));
      return o.outboxItem(String(id));
    },
    'outbox.withdraw': async (i) => {
      const id = parseId(i.documentId);
      const r = await signed(true, i, (signer) => withdrawDocument(desk().context, id, i.reason, { to: i.to, signer }));
      return { item: o.outboxItem(String(id)), asked: r.asked, cancelled: r.cancelled };
    },
    'exchange.removeInbox': (i) => {
      if (!removeInboxConfig(desk().context, i.kind)) throw new KysoError('USAGE', { reason: `no ${i.kind} inbox to remove` });
      return view();
    },
    'exchange.get': () => view(),
    'exchange.setSelf': (i) => {
      const current = getSelf(desk().store.db);
      configureSelf(desk().context, { organId: i.organId, name: i.name, changeAnswers: current?.change_answers });
      return view();
    },
    'exchange.setInbox': async (i) => {
      requireSelf(desk().store.db);
      const c = await configFrom(i, true);
      configureInbox(desk().context, c.kind, c.address, c.config);
      return view();
    },
    'exchange.test': async (i) => {
      const env = envWith(i);
      if (i.kind === 'folder') {
        const c = await configFrom(i, false);
        return testFolder(c.address);
      }
      await configFrom(i, false);
      return i.kind === 'mail' ? testMail(i as Parsed<'mail'>, env) : testAxis(i as Parsed<'axis'>, env);
    },
    'exchange.savePeer': (i) => {
      const ctx = desk().context;
      const address = i.transport === 'axis' ? i.organId : i.address;
      if (i.transport === 'folder' && !isAbsolute(address)) throw new KysoError('EXCHANGE_FOLDER_UNAVAILABLE', { path: address || '—', reason: 'not a full path' });
      if (i.transport === 'mail' && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(address)) throw new KysoError('USAGE', { reason: `${address || '—'}: not an e-mail address` });
      if (i.previousOrganId && i.previousOrganId !== i.organId) removePeer(i.previousOrganId);
      addPeer(ctx, { organId: i.organId, name: i.name, transport: i.transport, address: i.transport === 'folder' ? resolve(address) : address });
      return view();
    },
    'exchange.removePeer': (i) => {
      removePeer(i.organId);
      return view();
    },
    'exchange.importAgencies': async () => {
      const db = desk().store.db;
      const self = requireSelf(db);
      const t = (await openTransport('axis', findInbox(db, 'axis'), { dataDir: desk().store.dataDir, env: secrets.env() })) as import('../exchange/transport-axis.js').AxisTransport;
      const agencies = await t.listAgencies();
      await t.close();
      const known = new Map(listPeers(db).map((p) => [p.organ_id, p]));
      let added = 0;
      let updated = 0;
      const ctx = desk().context;
      const at = ctx.now().toISOString();
      ctx.store.tx(() => {
        for (const a of agencies) {
          if (a.organId === self.organ_id) continue;
          const k = known.get(a.organId);
          // An agency already reached another way (a shared folder, mail) keeps that way.
          if (k && (k.transport !== 'axis' || k.name === a.name)) continue;
          prep(
            db,
            `INSERT INTO exchange_peers (organ_id, name, transport, address, created_at, updated_at) VALUES (?, ?, 'axis', ?, ?, ?)
             ON CONFLICT (organ_id) DO UPDATE SET name = excluded.name, updated_at = excluded.updated_at`,
          ).run(a.organId, a.name, a.organId, at, at);
          if (k) updated++;
          else added++;
        }
        appendAudit(db, { at, actor: ctx.actor, action: 'exchange.agencies.imported', subject: null, details: { listed: agencies.length, added, updated } });
      });
      return { added, updated, view: view() };
    },
    'exchange.sync': async () => {
      // One pass at a time: a second click (or another screen's) waits for the running one.
      const previous = running;
      const pass = (async () => {
        await previous?.catch(() => undefined);
        return sync(desk().context, { env: secrets.env() });
      })();
      running = pass;
      const r = await pass.finally(() => {
        if (running === pass) running = null;
      });
      // An inbox whose password is not known here is said plainly (the engine could not open it).
      const inboxFailed = r.inboxFailed.map((f) => {
        const row = findInbox(desk().store.db, f.kind);
        const name = row ? secretNameOf(f.kind, inboxConfigOf({ inbox_kind: row.kind, inbox_config: row.config })) : undefined;
        if (name && !secrets.has(name)) return { kind: f.kind, code: 'EXCHANGE_SECRET_MISSING', details: { name } };
        const details: Record<string, string | number | boolean | null> = {};
        for (const [k, v] of Object.entries(f.details)) if (v === null || ['string', 'number', 'boolean'].includes(typeof v)) details[k] = v as string | number | boolean | null;
        return { kind: f.kind, code: f.code, details };
      });
      return {
        sent: r.sent,
        received: r.received,
        statuses: r.statuses,
        duplicates: r.duplicates,
        misaddressed: r.misaddressed,
        failed: r.failed.map((f) => ({ organId: f.organId, code: f.code, permanent: f.permanent })),
        inboxFailed,
        unreadable: r.unreadable,
        at: desk().context.now().toISOString(),
      };
    },
    'exchange.send': async (i) => {
      if (i.replaces && i.updates) throw new KysoError('USAGE', { reason: 'replaces or updates, not both' });
      const id = parseId(i.documentId);
      const business = i.replaces ? { type: 3 as const, relatesTo: parseId(i.replaces), reason: i.reason || undefined } : i.updates ? { type: 2 as const, relatesTo: parseId(i.updates), reason: i.reason || undefined } : undefined;
      const to = [...new Set(i.to)];
      // A new document may go unsigned (as from the command line); an update or a replacement
      // changes what the recipients hold, and is signed like a recall.
      await signed(Boolean(i.token) || business !== undefined, i, (signer) => queueDocument(desk().context, id, to, { signer, business }));
      return o.outboxItem(String(id));
    },
    'exchange.progress': (i) => {
      setIncomingProgress(desk().context, parseId(i.id), i.step, i.note || undefined);
      return o.inboxItem(i.id);
    },
  };

  function removePeer(organId: string): void {
    const db = desk().store.db;
    const waiting = (prep(db, "SELECT COUNT(*) AS n FROM exchange_queue WHERE organ_id = ? AND state = 'queued'").get(organId) as { n: number }).n;
    if (waiting > 0) throw new KysoError('EXCHANGE_PEER_IN_USE', { organId, count: waiting });
    desk().store.tx(() => {
      const r = prep(db, 'DELETE FROM exchange_peers WHERE organ_id = ?').run(organId);
      if (r.changes === 0) throw new KysoError('EXCHANGE_PEER_UNKNOWN', { organId });
      audit('exchange.peer.removed', { organId });
    });
  }
}

function readCa(path: string): string {
  try {
    return readFileSync(resolve(path), 'utf8');
  } catch (e) {
    throw new KysoError('FILE_NOT_FOUND', { path }, { cause: e });
  }
}
