// `kyso register …`, `kyso report …`, `kyso doc register-paper …`, `kyso doc copy …`, `kyso copy …`:
// the clerk's books on the command line (registers of NĐ30 Phụ lục IV, the exchange report of
// QN Đ11, paper documents in the one series of numbers, electronic copies).
import { resolve } from 'node:path';
import { KysoError } from '../../shared/errors.js';
import { int, list, required, str } from './args.js';
import { json, one, out, parseDesk, withDesk, type Command } from './desk.js';
import { TOKEN_OPTIONS, withToken } from './desk-token.js';

function organisation(v: string | undefined): string {
  return v ?? process.env.KYSO_ORGANISATION ?? '';
}

const registerCmd: Command = async (argv) => {
  const p = parseDesk(argv, { year: { type: 'string' }, output: { type: 'string', short: 'o' }, organisation: { type: 'string' }, search: { type: 'string' } });
  const kind = one(p, 'register (outgoing or incoming)');
  if (kind !== 'outgoing' && kind !== 'incoming') throw new KysoError('USAGE', { reason: 'the register is outgoing or incoming' });
  const year = int(p, 'year') ?? new Date(Date.now() + 7 * 3600_000).getUTCFullYear();
  const output = str(p, 'output');
  return withDesk(p, async (desk) => {
    if (output) {
      const r = await desk.exportRegister(kind, year, resolve(output), { organisation: organisation(str(p, 'organisation')) });
      if (!json(p, r)) out(`Đã ghi sổ | Written: ${r.output}`);
      return 0;
    }
    const r = desk.register(kind, year, { organisation: organisation(str(p, 'organisation')), search: str(p, 'search') });
    if (json(p, { kind, year, columns: r.columns.map((c) => c.vi), rows: r.rows })) return 0;
    out(`${r.title} — ${year}`);
    for (const row of r.rows) out(row.map((c) => c.replace(/\s+/g, ' ')).join(' | '));
    return 0;
  });
};

const reportCmd: Command = async (argv) => {
  const p = parseDesk(argv, { from: { type: 'string' }, to: { type: 'string' }, output: { type: 'string', short: 'o' }, organisation: { type: 'string' } });
  const from = required(p, 'from');
  const to = required(p, 'to');
  const output = str(p, 'output');
  return withDesk(p, async (desk) => {
    if (output) {
      const r = await desk.exportReport(from, to, resolve(output), { organisation: organisation(str(p, 'organisation')) });
      if (!json(p, r)) out(`Đã ghi báo cáo | Written: ${r.output}`);
      return 0;
    }
    const rep = desk.exchangeReport(from, to);
    if (json(p, rep)) return 0;
    out(`Đã gửi | sent ${rep.sent.total}; đã nhận | received ${rep.received.total}; bản giấy | paper ${rep.paperCopies.length}; gửi chậm | late ${rep.late.length}; trả lại | rejected ${rep.rejections.length}; thu hồi | recalled ${rep.recalls.length}`);
    return 0;
  });
};

const registerPaperCmd: Command = async (argv) => {
  const p = parseDesk(argv, {
    title: { type: 'string' },
    number: { type: 'string' },
    symbol: { type: 'string' },
    issued: { type: 'string' },
    type: { type: 'string' },
    signer: { type: 'string' },
    to: { type: 'string', multiple: true },
    keeper: { type: 'string' },
    copies: { type: 'string' },
    sent: { type: 'string' },
    note: { type: 'string' },
    incoming: { type: 'boolean' },
    from: { type: 'string' },
    urgency: { type: 'string' },
    record: { type: 'string' },
  });
  if (p.positionals.length) throw new KysoError('USAGE', { reason: 'doc register-paper takes options only' });
  if (p.values.incoming === true)
    return withDesk(p, (desk) => {
      // A paper document received: the next số đến of the year, in the incoming register.
      const urgency = str(p, 'urgency') ?? 'normal';
      if (!['normal', 'urgent', 'very-urgent', 'flash'].includes(urgency)) throw new KysoError('USAGE', { reason: '--urgency must be normal, urgent, very-urgent or flash' });
      const r = desk.registerPaperIncoming({
        title: required(p, 'title'),
        sender: required(p, 'from'),
        number: str(p, 'number'),
        issueDate: str(p, 'issued'),
        type: str(p, 'type'),
        urgency: urgency as 'normal',
        passedTo: list(p, 'to').join('; ') || undefined,
        recordNumber: str(p, 'record'),
        note: str(p, 'note'),
      });
      const duplicates = r.duplicates.map((d) => ({ kind: d.kind, id: String(d.id), receivedAt: d.received_at, title: d.title, incomingNumber: d.incoming_number, status: d.status }));
      if (!json(p, { id: String(r.id), incomingNumber: r.incoming_number, year: r.incoming_year, receivedAt: r.received_at, duplicates }))
        out(`Đã vào sổ văn bản đến (bản giấy), số đến ${r.incoming_number} | Registered paper arrival, incoming number ${r.incoming_number}`);
      // NĐ30: the same number + symbol + issuer registered before is warned about, the two side by side.
      if (duplicates.length) {
        process.stderr.write(`Cảnh báo [INBOX_DUPLICATE]: văn bản số ${r.number_symbol} của ${r.sender} đã vào sổ văn bản đến trước đây | Warning: number ${r.number_symbol} from ${r.sender} was registered before\n`);
        const rows = [{ kind: 'paper', id: String(r.id), receivedAt: r.received_at, incomingNumber: r.incoming_number, status: 'registered', title: r.title }, ...duplicates];
        for (const d of rows) process.stderr.write(`  ${d.kind === 'paper' ? 'giấy | paper     ' : 'điện tử | e-file '} ${d.id.padStart(5)}  ${d.receivedAt}  số đến ${String(d.incomingNumber ?? '-').padStart(4)}  ${d.status.padEnd(10)} ${d.title}\n`);
      }
      return 0;
    });
  return withDesk(p, (desk) => {
    const r = desk.registerPaper({
      title: required(p, 'title'),
      number: str(p, 'number'),
      symbol: str(p, 'symbol'),
      issueDate: str(p, 'issued'),
      type: str(p, 'type'),
      signer: str(p, 'signer'),
      recipients: list(p, 'to'),
      keepingUnit: str(p, 'keeper'),
      copies: int(p, 'copies'),
      sentAt: str(p, 'sent'),
      note: str(p, 'note'),
    });
    if (!json(p, { id: String(r.id), number: r.number_symbol, issueDate: r.issue_date, year: r.issue_year })) out(`Đã vào sổ văn bản giấy số ${r.number_symbol} | Registered paper document ${r.number_symbol}`);
    return 0;
  });
};

const copyCmd: Command = async (argv) => {
  const p = parseDesk(argv, { ...TOKEN_OPTIONS, form: { type: 'string' }, pages: { type: 'string' }, number: { type: 'string' }, place: { type: 'string' }, organisation: { type: 'string' }, incoming: { type: 'boolean' }, output: { type: 'string', short: 'o' } });
  const id = one(p, 'document id');
  const form = required(p, 'form');
  const output = str(p, 'output');
  return withToken(p, (source) =>
    withDesk(p, async (desk) => {
      const c = await desk.makeCopy(
        { source: p.values.incoming === true ? 'incoming' : 'outgoing', id, form, pages: str(p, 'pages'), number: str(p, 'number'), place: str(p, 'place') ?? process.env.KYSO_PLACE, organisation: str(p, 'organisation') },
        source,
      );
      if (output) await desk.exportCopy(c.id, resolve(output));
      if (!json(p, { ...c, output: output ? resolve(output) : undefined })) out(`Đã tạo bản ${c.form} số ${c.number} | Made ${c.form} ${c.number}${output ? `: ${resolve(output)}` : ''}`);
      return 0;
    }),
  );
};

const copyList: Command = async (argv) => {
  const p = parseDesk(argv, { year: { type: 'string' } });
  return withDesk(p, (desk) => {
    const copies = desk.listCopies(int(p, 'year'));
    if (json(p, { copies })) return 0;
    for (const c of copies) out(`${c.id.padStart(5)}  ${c.number.padEnd(10)} ${c.form.padEnd(10)} ${c.source} ${c.originalId}  ${c.title}`);
    return 0;
  });
};

const copyExport: Command = async (argv) => {
  const p = parseDesk(argv, { output: { type: 'string', short: 'o' } });
  const id = one(p, 'copy id');
  const output = resolve(required(p, 'output'));
  return withDesk(p, async (desk) => {
    const r = await desk.exportCopy(id, output);
    if (!json(p, r)) out(`Đã ghi | Written: ${r.output}`);
    return 0;
  });
};

export const BOOK_COMMANDS: Record<string, Command> = {
  register: registerCmd,
  report: reportCmd,
  'doc register-paper': registerPaperCmd,
  'doc copy': copyCmd,
  'copy list': copyList,
  'copy export': copyExport,
};
