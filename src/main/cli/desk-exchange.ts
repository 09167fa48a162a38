// `kyso exchange …`, `kyso edxml parse`, and the exchange-aware inbox and outbox commands:
// documents travel between desks and agencies as edXML (QCVN 102:2016) with their statuses.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { errorLine, KysoError, type ErrorDetails } from '../../shared/errors.js';
import type { Signer } from '../cms/signer.js';
import { resolveModulePath } from '../token/index.js';
import { tokenSigner } from '../workflow/token.js';
import { parseId } from '../workflow/context.js';
import { addPeer, configureInbox, configureSelf, queueDocument, recallDocument, removeInboxConfig, setIncomingProgress, storeBytes, sync, withdrawDocument } from '../exchange/engine.js';
import { judgeEnvelope } from '../exchange/envelope-trust.js';
import { validateCertificate } from '../verify/chain.js';
import { dataFolderCertificates } from '../workflow/certs.js';
import { catalogueCertificates } from '../trust/catalogue.js';
import { forwardDocument } from '../exchange/routing.js';
import type { Attachment, ParsedEnvelope } from '../exchange/edxml-model.js';
import { parseEdxml } from '../exchange/edxml-read.js';
import { summarize } from '../exchange/edxml-summary.js';
import { getSelf, listInboxes, listPeers, type TransportKind } from '../store/exchange.js';
import { list, pinFromEnv, required, str, type Options, type Parsed } from './args.js';
import { deskTrustSources, json, one, out, parseDesk, withDesk, type Command } from './desk.js';
import { MAIL_COMMANDS } from './desk-mail.js';

/** Token options of the commands that sign an envelope (the organisation's token). */
const TOKEN: Options = { token: { type: 'string' }, 'pin-env': { type: 'string' }, module: { type: 'string' }, 'key-id': { type: 'string' }, serial: { type: 'string' } };

/** Runs fn with the organisation's signer when --token is given (the envelope is then signed). */
async function withSigner<T>(p: Parsed, fn: (signer: Signer | undefined) => Promise<T>): Promise<T> {
  if (str(p, 'token') === undefined) return fn(undefined);
  const token = tokenSigner({ module: resolveModulePath(str(p, 'module')), label: str(p, 'token'), serial: str(p, 'serial'), pin: pinFromEnv(p), keyId: str(p, 'key-id') });
  try {
    return await fn(token.source());
  } finally {
    token.close();
  }
}

const self: Command = async (argv) => {
  const p = parseDesk(argv, { 'organ-id': { type: 'string' }, name: { type: 'string' }, 'change-answers': { type: 'string' } });
  const answers = str(p, 'change-answers');
  if (answers !== undefined && answers !== '15-16' && answers !== '03-02') throw new KysoError('USAGE', { reason: '--change-answers must be 15-16 or 03-02' });
  return withDesk(p, (desk) => {
    if (str(p, 'organ-id') === undefined) {
      const s = getSelf(desk.store.db);
      const inboxes = listInboxes(desk.store.db).map((i) => ({ kind: i.kind, address: i.address }));
      if (!json(p, s ? { ...s, inboxes } : null)) {
        out(s ? `${s.organ_id}  ${s.name}` : 'Chưa cấu hình | Not configured');
        for (const i of inboxes) out(`  Hộp nhận | Inbox: ${i.kind} ${i.address}`);
      }
      return 0;
    }
    const s = configureSelf(desk.context, { organId: required(p, 'organ-id'), name: required(p, 'name'), changeAnswers: answers as '15-16' | undefined });
    if (!json(p, s)) out(`Mã định danh ${s.organ_id}: ${s.name} | Agency code ${s.organ_id}: ${s.name}`);
    return 0;
  });
};

const peerAdd: Command = async (argv) => {
  const p = parseDesk(argv, { name: { type: 'string' }, folder: { type: 'string' }, email: { type: 'string' }, axis: { type: 'boolean' } });
  const organId = one(p, 'agency code (OrganId)');
  const name = required(p, 'name');
  const ways = [str(p, 'folder') && 'folder', str(p, 'email') && 'mail', p.values.axis === true && 'axis'].filter(Boolean);
  if (ways.length !== 1) throw new KysoError('USAGE', { reason: 'give exactly one of --folder PATH, --email ADDRESS, --axis' });
  const transport = ways[0] as 'folder' | 'mail' | 'axis';
  const address = transport === 'folder' ? resolve(str(p, 'folder')!) : transport === 'mail' ? str(p, 'email')! : organId;
  return withDesk(p, (desk) => {
    const peer = addPeer(desk.context, { organId, name, transport, address });
    if (!json(p, { organId: peer.organ_id, name: peer.name, transport: peer.transport, address: peer.address })) out(`${peer.organ_id}  ${peer.name}  ${peer.transport}: ${peer.address}`);
    return 0;
  });
};

const peerList: Command = async (argv) => {
  const p = parseDesk(argv, {});
  return withDesk(p, (desk) => {
    const peers = listPeers(desk.store.db).map((x) => ({ organId: x.organ_id, name: x.name, transport: x.transport, address: x.address }));
    if (!json(p, { peers })) for (const x of peers) out(`${x.organId.padEnd(16)} ${x.transport.padEnd(6)} ${x.name}  ${x.address}`);
    return 0;
  });
};

const receive: Command = async (argv) => {
  // --folder PATH; or the mail inbox (--imap/--smtp/--user/--password-env [--ca]); or the axis
  // (--axis URL --system-id --secret-env). Only the NAMES of the variables holding the password or
  // the secret are stored; their values are read from the environment at each sync.
  const p = parseDesk(argv, {
    folder: { type: 'string' },
    imap: { type: 'string' },
    smtp: { type: 'string' },
    user: { type: 'string' },
    'password-env': { type: 'string' },
    ca: { type: 'string' },
    axis: { type: 'string' },
    'system-id': { type: 'string' },
    'secret-env': { type: 'string' },
  });
  const folder = str(p, 'folder');
  const mail = ['imap', 'smtp', 'user', 'password-env', 'ca'].some((k) => str(p, k) !== undefined);
  const axis = ['axis', 'system-id', 'secret-env'].some((k) => str(p, k) !== undefined);
  if ([Boolean(folder), mail, axis].filter(Boolean).length !== 1)
    throw new KysoError('USAGE', { reason: 'give the inbox: --folder PATH, or --imap URL --smtp URL --user U --password-env VAR [--ca PEM], or --axis URL --system-id ID --secret-env VAR' });
  const envName = (k: string): string => {
    const v = required(p, k);
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(v)) throw new KysoError('USAGE', { reason: `--${k} takes the NAME of an environment variable, not its value` });
    return v;
  };
  let kind: 'folder' | 'mail' | 'axis';
  let address: string;
  let config: Record<string, string> = {};
  if (folder) {
    kind = 'folder';
    address = resolve(folder);
  } else if (mail) {
    const { parseMailUrl } = await import('../exchange/config-mail.js');
    const imapUrl = required(p, 'imap');
    const smtpUrl = required(p, 'smtp');
    parseMailUrl(imapUrl, 'imap');
    parseMailUrl(smtpUrl, 'smtp');
    kind = 'mail';
    address = required(p, 'user');
    config = { imapUrl, smtpUrl, user: address, passwordEnv: envName('password-env') };
    const ca = str(p, 'ca');
    if (ca !== undefined) {
      config.ca = resolve(ca);
      if (!existsSync(config.ca)) throw new KysoError('FILE_NOT_FOUND', { path: config.ca });
    }
  } else {
    kind = 'axis';
    address = required(p, 'axis');
    if (!/^https?:\/\/[^/\s]+/i.test(address)) throw new KysoError('USAGE', { reason: '--axis takes an http:// or https:// address' });
    config = { url: address, systemId: required(p, 'system-id'), secretEnv: envName('secret-env') };
  }
  return withDesk(p, (desk) => {
    const s = configureInbox(desk.context, kind, address, config);
    if (!json(p, { organId: s.organ_id, inbox: { kind: s.inbox_kind, address: s.inbox_address, config } })) out(`Hộp nhận | Inbox: ${s.inbox_kind} ${s.inbox_address}`);
    return 0;
  });
};

/** `exchange inbox list` / `exchange inbox remove KIND`: a desk may receive through a folder, the mail and the axis at once. */
const inboxList: Command = async (argv) => {
  const p = parseDesk(argv, {});
  return withDesk(p, (desk) => {
    const inboxes = listInboxes(desk.store.db).map((i) => ({ kind: i.kind, address: i.address, config: JSON.parse(i.config) as Record<string, string> }));
    if (!json(p, { inboxes })) for (const i of inboxes) out(`${i.kind.padEnd(6)} ${i.address}`);
    return 0;
  });
};

const inboxRemove: Command = async (argv) => {
  const p = parseDesk(argv, {});
  const kind = one(p, 'inbox kind (folder, mail or axis)');
  if (kind !== 'folder' && kind !== 'mail' && kind !== 'axis') throw new KysoError('USAGE', { reason: 'the inbox kind is folder, mail or axis' });
  return withDesk(p, (desk) => {
    const removed = removeInboxConfig(desk.context, kind as TransportKind);
    if (!json(p, { kind, removed })) out(removed ? `Đã bỏ hộp nhận ${kind} | Inbox ${kind} removed` : `Không có hộp nhận ${kind} | No ${kind} inbox`);
    return 0;
  });
};

const syncCmd: Command = async (argv) => {
  const p = parseDesk(argv, {});
  return withDesk(p, async (desk) => {
    const r = await sync(desk.context);
    if (!json(p, r)) {
      out(`Đã gửi ${r.sent}, nhận ${r.received}, trạng thái ${r.statuses}, trùng ${r.duplicates}, lỗi ${r.failed.length} | Sent ${r.sent}, received ${r.received}, statuses ${r.statuses}, duplicates ${r.duplicates}, failed ${r.failed.length}`);
      for (const f of r.failed) out(`  ${f.organId}: ${errorLine(f.code as 'EXCHANGE_UNREACHABLE')}${f.permanent ? '' : ' (sẽ thử lại | will retry)'}`);
      for (const u of r.unreadable) out(`  ${u.file}: ${u.code}${u.element ? ` (${u.element})` : ''}`);
      if (r.misaddressed) out(`  Gửi nhầm địa chỉ, đã trả lại (02) | Misaddressed, returned (02): ${r.misaddressed}`);
    }
    // An inbox that could not be read is said on stderr, in full, whatever the output format.
    for (const f of r.inboxFailed) process.stderr.write(`Hộp nhận | Inbox ${f.kind}: ${errorLine(f.code as 'EXCHANGE_UNREACHABLE', f.details as ErrorDetails)}\n`);
    return r.unreadable.length || r.inboxFailed.length ? 1 : 0;
  });
};

/** `outbox send ID --to ORGAN_ID…`: through the exchange when every --to is in the address book, else recorded as sent (as before). */
const send: Command = async (argv) => {
  const p = parseDesk(argv, { to: { type: 'string', multiple: true }, replaces: { type: 'string' }, updates: { type: 'string' }, reason: { type: 'string' }, ...TOKEN });
  const to = list(p, 'to');
  // With this desk's agency code configured, --to names agencies of the address book; before, the
  // outbox only records that the document was sent (to names), as it always did.
  const exchange = await withDesk(p, (desk) => to.length > 0 && getSelf(desk.store.db) !== undefined);
  if (!exchange) {
    if (str(p, 'replaces') || str(p, 'updates')) throw new KysoError('EXCHANGE_PEER_UNKNOWN', { organId: to.join(', ') || '-' });
    return MAIL_COMMANDS['outbox send']!(argv);
  }
  const id = parseId(one(p, 'document id'));
  const replaces = str(p, 'replaces');
  const updates = str(p, 'updates');
  if (replaces && updates) throw new KysoError('USAGE', { reason: 'give --replaces or --updates, not both' });
  const business = replaces ? { type: 3 as const, relatesTo: parseId(replaces), reason: str(p, 'reason') } : updates ? { type: 2 as const, relatesTo: parseId(updates), reason: str(p, 'reason') } : undefined;
  return withDesk(p, (desk) =>
    withSigner(p, async (signer) => {
      await queueDocument(desk.context, id, to, { signer, business });
      const item = desk.listOutbox().find((i) => i.documentId === String(id));
      if (!json(p, item ?? { documentId: String(id) })) out(`Đã xếp hàng gửi văn bản ${id} tới ${to.join(', ')} (gửi khi exchange sync) | Queued document ${id} to ${to.join(', ')}`);
      return 0;
    }),
  );
};

const recall: Command = async (argv) => {
  const p = parseDesk(argv, { reason: { type: 'string' }, ...TOKEN });
  const id = parseId(one(p, 'document id'));
  const reason = required(p, 'reason');
  return withDesk(p, (desk) =>
    withSigner(p, async (signer) => {
      await recallDocument(desk.context, id, reason, { signer });
      const item = desk.listOutbox().find((i) => i.documentId === String(id));
      if (!json(p, item ?? { documentId: String(id) })) out(`Đã thu hồi văn bản ${id} | Recalled document ${id}`);
      return 0;
    }),
  );
};

/** `outbox withdraw ID --reason TEXT [--to ORGAN_ID…]`: status 13, the document taken back before it is processed. */
const withdraw: Command = async (argv) => {
  const p = parseDesk(argv, { reason: { type: 'string' }, to: { type: 'string', multiple: true }, ...TOKEN });
  const id = parseId(one(p, 'document id'));
  const reason = required(p, 'reason');
  return withDesk(p, (desk) =>
    withSigner(p, async (signer) => {
      const r = await withdrawDocument(desk.context, id, reason, { to: list(p, 'to'), signer });
      const item = desk.listOutbox().find((i) => i.documentId === String(id));
      if (!json(p, { ...(item ?? { documentId: String(id) }), withdrawal: r }))
        out(`Đã yêu cầu lấy lại văn bản ${id} (13) từ ${r.asked.join(', ') || '-'}; không gửi nữa tới ${r.cancelled.join(', ') || '-'} | Asked ${r.asked.join(', ') || '-'} to give back document ${id}; not sent to ${r.cancelled.join(', ') || '-'}`);
      return 0;
    }),
  );
};

const progress =
  (what: 'assigned' | 'processing' | 'done'): Command =>
  async (argv) => {
    const p = parseDesk(argv, { note: { type: 'string' } });
    const id = parseId(one(p, 'inbox id'));
    return withDesk(p, (desk) => {
      const x = setIncomingProgress(desk.context, id, what, str(p, 'note'));
      if (!json(p, { id: String(id), progress: x.progress })) out(`Văn bản đến ${id}: ${x.progress} | Incoming ${id}: ${x.progress}`);
      return 0;
    });
  };

function extract(dir: string, p: ParsedEnvelope, prefix = ''): string[] {
  mkdirSync(dir, { recursive: true });
  const written: string[] = [];
  const put = (name: string, data: Buffer): void => {
    const f = join(dir, prefix + basename(name).replace(/[\\/:*?"<>|]/g, '_'));
    writeFileSync(f, data);
    written.push(f);
  };
  p.attachments.forEach((a: Attachment, i) => {
    put(a.name || `attachment-${i + 1}`, a.data);
    for (const e of a.entries ?? []) put(e.name, e.data);
    (a.nested ?? []).forEach((n, j) => written.push(...extract(dir, n, `${prefix}${i + 1}.${j + 1}-`)));
  });
  return written;
}

const edxmlParse: Command = async (argv) => {
  const p = parseDesk(argv, { extract: { type: 'string' } });
  if (p.positionals.length !== 1) throw new KysoError('USAGE', { reason: 'give exactly one .edxml file' });
  const file = resolve(p.positionals[0]!);
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch {
    throw new KysoError('FILE_NOT_FOUND', { path: file });
  }
  const parsed = parseEdxml(bytes);
  const s = summarize(parsed);
  // The envelope's signer judged as a desk judges it: its trusted roots (--trust, DATA/trust, the
  // CA catalogue), revocation lists (--crl, DATA/crl), intermediates (DATA/certs), --online.
  const sources = deskTrustSources(p);
  const envelope = await judgeEnvelope(
    parsed.signature,
    (signer, pool, at) =>
      validateCertificate({
        signer,
        pool: [...pool, ...dataFolderCertificates(sources.dir), ...catalogueCertificates().intermediates],
        trust: sources.trust(),
        at,
        revocation: { crls: sources.crls, ocsps: [], online: p.values.online === true, cacheDir: join(sources.dir, 'cache', 'revocation') },
      }),
    new Date(),
  );
  const target = str(p, 'extract');
  const extracted = target ? extract(resolve(target), parsed) : undefined;
  if (p.values.json === true) {
    process.stdout.write(JSON.stringify({ ...s, envelope, ...(extracted ? { extracted } : {}) }) + '\n');
    return 0;
  }
  out(`${s.kind === 'edoc' ? `Văn bản | Document (BussinessDocType ${s.businessDocType})` : `Trạng thái | Status ${s.statusCode}`}: ${s.documentId ?? '-'}`);
  out(`  Từ | From: ${s.from.organId ?? '-'} ${s.from.organName ?? ''}`);
  for (const t of s.to) out(`  Đến | To: ${t.organId ?? '-'} ${t.organName ?? ''}`);
  if (s.subject) out(`  Trích yếu | Subject: ${s.subject}`);
  if (s.description) out(`  ${s.description}`);
  out(`  Chữ ký gói | Envelope signature: ${envelope.status}`);
  out(`    ${envelope.vi}`);
  out(`    ${envelope.en}`);
  for (const a of s.attachments) out(`  ${a.name}  ${a.contentType}  ${a.size} B  sha256 ${a.sha256}`);
  for (const f of extracted ?? []) out(`  → ${f}`);
  return 0;
};

const forward: Command = async (argv) => {
  const p = parseDesk(argv, { to: { type: 'string' } });
  const id = parseId(one(p, 'document id'));
  const to = required(p, 'to');
  return withDesk(p, (desk) => {
    forwardDocument(desk.context, id, to, (bytes) => storeBytes(desk.context, bytes));
    if (!json(p, { id: String(id), to, queued: true })) out(`Đã xếp hàng chuyển văn bản ${id} tới ${to} | Queued document ${id} to ${to}`);
    return 0;
  });
};

export const EXCHANGE_COMMANDS: Record<string, Command> = {
  'doc forward': forward,
  'exchange self': self,
  'exchange peer': async (argv) => {
    const [sub, ...rest] = argv;
    if (sub === 'add') return peerAdd(rest);
    if (sub === 'list') return peerList(rest);
    throw new KysoError('USAGE', { reason: 'exchange peer add|list' });
  },
  'exchange receive': receive,
  'exchange inbox': async (argv) => {
    const [sub, ...rest] = argv;
    if (sub === 'list') return inboxList(rest);
    if (sub === 'remove') return inboxRemove(rest);
    throw new KysoError('USAGE', { reason: 'exchange inbox list|remove KIND' });
  },
  'exchange sync': syncCmd,
  'outbox send': send,
  'outbox recall': recall,
  'outbox withdraw': withdraw,
  'inbox assign': progress('assigned'),
  'inbox process': progress('processing'),
  'inbox done': progress('done'),
};

export const EDXML_COMMANDS: Record<string, Command> = { 'edxml parse': edxmlParse };

export const EXCHANGE_HELP = `
Liên thông văn bản (edXML, QCVN 102:2016) | Document exchange:
  kyso exchange self --organ-id ID --name NAME [--change-answers 15-16|03-02]
  kyso exchange peer add ORGAN_ID --name NAME (--folder PATH | --email ADDRESS | --axis)
  kyso exchange peer list [--json]
  kyso exchange receive --folder PATH      Hộp nhận của bàn này | This desk's inbox.
  kyso exchange receive --imap URL --smtp URL --user U --password-env VAR [--ca PEM]
  kyso exchange receive --axis URL --system-id ID --secret-env VAR
                                           Mỗi loại một hộp nhận; sync đọc tất cả | One inbox per kind; sync reads them all.
  kyso exchange inbox list [--json] | kyso exchange inbox remove folder|mail|axis
  kyso exchange sync [--json]              Gửi hàng đợi, nhận, cập nhật trạng thái | Send, receive, statuses.
  kyso outbox send ID --to ORGAN_ID... [--replaces ID | --updates ID] [--token LABEL --pin-env VAR]
  kyso outbox recall ID --reason TEXT [--token LABEL --pin-env VAR]
  kyso outbox withdraw ID --reason TEXT [--to ORGAN_ID...]   Lấy lại văn bản chưa xử lý (13) | Take back before processing (13).
  kyso inbox assign|process|done ID [--note TEXT]   Trạng thái 04/05/06 | Statuses 04/05/06.
  kyso doc forward ID --to PEER             Chuyển dự thảo tới bàn khác của cơ quan | Route a draft to another desk.
  kyso edxml parse FILE [--json] [--extract DIR] [--data D | --trust PEM] [--crl CRL] [--online]
`;
