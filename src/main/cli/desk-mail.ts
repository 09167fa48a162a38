// `kyso inbox …` and `kyso outbox …`: received documents (verified, registered with số đến,
// accepted or rejected with a reason) and issued documents waiting to be sent.
import { resolve } from 'node:path';
import { errorLine, KysoError } from '../../shared/errors.js';
import { int, list, required, str } from './args.js';
import { urgency } from './desk-doc.js';
import { json, one, out, parseDesk, withDesk, type Command } from './desk.js';
import { TOKEN_OPTIONS, withToken } from './desk-token.js';
import { answerAccepted, decideExchanged } from '../exchange/engine.js';
import { parseId } from '../workflow/context.js';
import type { IncomingBooksView, SignerSource } from '../workflow/service.js';

const importCmd: Command = async (argv) => {
  const p = parseDesk(argv, { title: { type: 'string' }, sender: { type: 'string' }, number: { type: 'string' }, urgency: { type: 'string' }, issued: { type: 'string' } });
  const path = resolve(one(p, 'file or folder'));
  return withDesk(p, async (desk) => {
    const results = await desk.importIncomingPath(path, { title: str(p, 'title'), sender: str(p, 'sender'), number: str(p, 'number'), urgency: urgency(str(p, 'urgency')), issueDate: str(p, 'issued') });
    const failed = results.filter((r) => r.error).length;
    if (
      !json(p, {
        items: results.map((r) =>
          r.item
            ? { file: r.file, id: r.item.id, indication: r.item.verdict.indication, subIndication: r.item.verdict.subIndication, signers: r.item.signers, secrecy: r.item.secrecy }
            : { file: r.file, error: r.error },
        ),
      })
    ) {
      for (const r of results) {
        if (r.item) out(`${r.item.id.padStart(5)}  ${r.item.verdict.indication.padEnd(13)} ${r.item.fileName} — ${r.item.verdict.messages.vi}`);
        else out(`    -  ${r.file}: ${errorLine(r.error!.code, r.error!.details)}`);
      }
    }
    return failed ? 1 : 0;
  });
};

const decide =
  (accept: boolean): Command =>
  async (argv) => {
    const p = parseDesk(argv, { reason: { type: 'string' }, stamp: { type: 'boolean' }, 'no-stamp': { type: 'boolean' }, ...TOKEN_OPTIONS, organisation: { type: 'string' } });
    const id = one(p, 'inbox id');
    const reason = accept ? undefined : required(p, 'reason');
    // The stamp: asked with --stamp, or the agency's default (KYSO_STAMP_INCOMING=1) unless --no-stamp.
    const stamp = accept && p.values['no-stamp'] !== true && (p.values.stamp === true || process.env.KYSO_STAMP_INCOMING === '1');
    if (stamp) {
      return withToken(p, (source) =>
        withDesk(p, async (desk) => {
          const item = await desk.acceptAndStamp(id, source, { organisation: str(p, 'organisation') });
          // Came through the exchange: the sender is told it was accepted (03), as without the stamp.
          answerAccepted(desk.context, parseId(item.id));
          if (!json(p, { id: item.id, status: item.status, incomingNumber: item.incomingNumber, decidedAt: item.decidedAt, stamped: item.stamped, sha256: item.currentSha256, duplicates: item.duplicates }))
            out(`Đã tiếp nhận và đóng dấu ĐẾN, số đến ${item.incomingNumber} | Accepted and stamped, incoming number ${item.incomingNumber}`);
          printDuplicates(item);
          return 0;
        }),
      );
    }
    return withDesk(p, (desk) => {
      // Through the exchange engine: an item that came by edXML is answered to its sender (03 / 02).
      const item = decideExchanged(desk.context, parseId(id), accept ? { accept: true } : { accept: false, reason: reason! });
      const books = desk.incomingBooks(id);
      if (!json(p, { id: item.id, status: item.status, incomingNumber: item.incomingNumber, reason: item.reason, decidedAt: item.decidedAt, duplicates: books.duplicates }))
        out(
          accept
            ? `Đã tiếp nhận, số đến ${item.incomingNumber} | Accepted, incoming number ${item.incomingNumber}`
            : `Đã trả lại: ${item.reason} | Rejected: ${item.reason}`,
        );
      printDuplicates(books);
      return 0;
    });
  };

/** NĐ30: a number and symbol already received from the same issuer is warned about, the two side by side. */
function printDuplicates(item: IncomingBooksView): void {
  for (const d of item.paperDuplicates)
    process.stderr.write(`Cảnh báo [INBOX_DUPLICATE]: văn bản số ${item.number} của ${item.sender ?? '?'} đã vào sổ bằng giấy, số đến ${d.incomingNumber} ngày ${d.receivedAt}: ${d.title} | Warning: already registered on paper, incoming number ${d.incomingNumber}\n`);
  if (!item.duplicates.length) return;
  process.stderr.write(`Cảnh báo [INBOX_DUPLICATE]: văn bản số ${item.number} của ${item.sender ?? '?'} đã nhận trước đây | Warning: number ${item.number} from ${item.sender ?? '?'} was received before\n`);
  const rows = [{ id: item.id, receivedAt: item.receivedAt, incomingNumber: item.incomingNumber, status: item.status, title: item.title, sha256: item.sha256 }, ...item.duplicates];
  for (const r of rows) process.stderr.write(`  ${r.id.padStart(5)}  ${r.receivedAt}  số đến ${String(r.incomingNumber ?? '-').padStart(4)}  ${r.status.padEnd(9)} ${r.sha256.slice(0, 12)}  ${r.title}\n`);
}

const stampCmd: Command = async (argv) => {
  const p = parseDesk(argv, { ...TOKEN_OPTIONS, organisation: { type: 'string' } });
  const id = one(p, 'inbox id');
  return withToken(p, (source) =>
    withDesk(p, async (desk) => {
      const item = await desk.stampIncoming(id, source, { organisation: str(p, 'organisation') });
      if (!json(p, { id: item.id, incomingNumber: item.incomingNumber, stamped: item.stamped, sha256: item.currentSha256 })) out(`Đã đóng dấu ĐẾN văn bản ${item.id} | Stamped ${item.id}`);
      return 0;
    }),
  );
};

const routeCmd: Command = async (argv) => {
  const p = parseDesk(argv, { ...TOKEN_OPTIONS, to: { type: 'string' }, record: { type: 'string' } });
  const id = one(p, 'inbox id');
  const run = (source?: SignerSource): Promise<number> =>
    withDesk(p, async (desk) => {
      const item = await desk.routeIncoming(id, { passedTo: str(p, 'to'), recordNumber: str(p, 'record') }, source);
      if (!json(p, { id: item.id, passedTo: item.passedTo, passedAt: item.passedAt, recordNumber: item.recordNumber, sha256: item.currentSha256, revisions: item.revisions.length }))
        out(`Chuyển: ${item.passedTo ?? '-'}; Lưu hồ sơ số: ${item.recordNumber ?? '-'} | Passed to ${item.passedTo ?? '-'}, record ${item.recordNumber ?? '-'}`);
      return 0;
    });
  return str(p, 'token') === undefined && str(p, 'serial') === undefined ? run() : withToken(p, run);
};

const editCmd: Command = async (argv) => {
  const p = parseDesk(argv, { title: { type: 'string' }, 'number-symbol': { type: 'string' }, 'issue-date': { type: 'string' }, sender: { type: 'string' }, type: { type: 'string' } });
  const id = one(p, 'inbox id');
  const e = { title: str(p, 'title'), numberSymbol: str(p, 'number-symbol'), issueDate: str(p, 'issue-date'), sender: str(p, 'sender'), docType: str(p, 'type') };
  if (Object.values(e).every((v) => v === undefined)) throw new KysoError('USAGE', { reason: 'give at least one of --title, --number-symbol, --issue-date, --sender, --type' });
  return withDesk(p, (desk) => {
    const item = desk.editIncoming(id, e);
    if (!json(p, { id: item.id, title: item.title, number: item.number, issueDate: item.issueDate ?? null, sender: item.sender, docType: item.docType ?? null, duplicates: item.duplicates, paperDuplicates: item.paperDuplicates }))
      out(`Đã sửa văn bản đến ${item.id}: ${item.number ?? '-'}, ${item.issueDate ?? '-'}, ${item.sender ?? '-'} — ${item.title} | Corrected`);
    printDuplicates(item);
    return 0;
  });
};

const exportInbox: Command = async (argv) => {
  const p = parseDesk(argv, { output: { type: 'string', short: 'o' } });
  const id = one(p, 'inbox id');
  const output = resolve(required(p, 'output'));
  return withDesk(p, async (desk) => {
    const r = await desk.exportIncoming(id, output);
    if (!json(p, r)) out(`Đã ghi | Written: ${r.output} (SHA-256 ${r.sha256})`);
    return 0;
  });
};

const listInboxCmd: Command = async (argv) => {
  const p = parseDesk(argv, { status: { type: 'string' }, search: { type: 'string' }, order: { type: 'string' }, limit: { type: 'string' }, offset: { type: 'string' } });
  const status = str(p, 'status');
  if (status !== undefined && !['new', 'accepted', 'rejected'].includes(status)) throw new KysoError('USAGE', { reason: '--status must be new, accepted or rejected' });
  const order = str(p, 'order');
  if (order !== undefined && order !== 'urgency' && order !== 'date') throw new KysoError('USAGE', { reason: '--order must be urgency or date' });
  const text = str(p, 'search') ?? (p.positionals.length ? p.positionals.join(' ') : undefined);
  return withDesk(p, (desk) => {
    const items = desk.listInbox({ status: status as 'new' | undefined, text, order: order as 'date' | undefined, limit: int(p, 'limit'), offset: int(p, 'offset') });
    if (json(p, { items })) return 0;
    for (const i of items)
      out(`${i.id.padStart(5)}  ${i.status.padEnd(9)} ${String(i.incomingNumber ?? '-').padStart(5)}  ${i.verdict.indication.padEnd(13)} ${i.urgency.padEnd(11)} ${i.title}${i.reason ? ` (${i.reason})` : ''}`);
    return 0;
  });
};

const listOutboxCmd: Command = async (argv) => {
  const p = parseDesk(argv, {});
  return withDesk(p, (desk) => {
    const items = desk.listOutbox();
    if (json(p, { items })) return 0;
    for (const i of items) {
      const warn = i.warning === 'late' ? ' ⚠ QUÁ HẠN GỬI | LATE' : i.warning === 'send-now' ? ' ⚠ GỬI NGAY | SEND NOW' : i.warning === 'not-sent-same-day' ? ' ⚠ CHƯA GỬI TRONG NGÀY | NOT SENT SAME DAY' : '';
      out(`${i.documentId.padStart(5)}  ${i.state.padEnd(8)} ${i.urgency.padEnd(11)} ${i.number ?? ''}  hạn | by ${i.sendBy}  ${i.title}${i.paperCopyRequired ? ' (+ bản giấy | paper copy)' : ''}${warn}`);
    }
    return 0;
  });
};

const send: Command = async (argv) => {
  const p = parseDesk(argv, { to: { type: 'string', multiple: true } });
  const id = one(p, 'document id');
  return withDesk(p, (desk) => {
    const names = list(p, 'to');
    const item = desk.markSent(id, names.length ? names : undefined);
    if (!json(p, item)) out(`Văn bản ${item.documentId}: ${item.state} | Document ${item.documentId}: ${item.state}`);
    return 0;
  });
};

const recall: Command = async (argv) => {
  const p = parseDesk(argv, { reason: { type: 'string' } });
  const id = one(p, 'document id');
  const reason = required(p, 'reason');
  return withDesk(p, (desk) => {
    const item = desk.recall(id, reason);
    if (!json(p, item)) out(`Đã thu hồi văn bản ${item.documentId} | Recalled document ${item.documentId}`);
    return 0;
  });
};

export const MAIL_COMMANDS: Record<string, Command> = {
  'inbox import': importCmd,
  'inbox accept': decide(true),
  'inbox reject': decide(false),
  'inbox list': listInboxCmd,
  'inbox stamp': stampCmd,
  'inbox route': routeCmd,
  'inbox export': exportInbox,
  'inbox edit': editCmd,
  'outbox list': listOutboxCmd,
  'outbox send': send,
  'outbox recall': recall,
};
