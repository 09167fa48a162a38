// `kyso archive …` and `kyso audit …`: records with their retention, search; the audit chain.
import { KysoError } from '../../shared/errors.js';
import { int, required, str } from './args.js';
import { json, one, out, parseDesk, withDesk, type Command } from './desk.js';

const add: Command = async (argv) => {
  const p = parseDesk(argv, { record: { type: 'string' }, 'record-title': { type: 'string' }, retention: { type: 'string' }, incoming: { type: 'boolean' } });
  const id = one(p, 'document id');
  const record = required(p, 'record');
  const retention = required(p, 'retention');
  return withDesk(p, (desk) => {
    const e = desk.archive({ source: p.values.incoming ? 'incoming' : 'outgoing', sourceId: id, recordCode: record, recordTitle: str(p, 'record-title'), retention });
    if (!json(p, e)) out(`Đã lập hồ sơ ${e.recordCode} (bảo quản ${e.retention}): ${e.title} | Filed in ${e.recordCode} (retention ${e.retention})`);
    return 0;
  });
};

const search: Command = async (argv) => {
  const p = parseDesk(argv, {});
  const text = p.positionals.join(' ');
  return withDesk(p, (desk) => {
    const entries = desk.searchArchive(text);
    if (json(p, { entries })) return 0;
    for (const e of entries) out(`${e.id.padStart(5)}  ${e.recordCode.padEnd(12)} ${e.date.slice(0, 10)}  ${e.number ?? ''}  ${e.title} — ${e.signers.join(', ')}`);
    return 0;
  });
};

const records: Command = async (argv) => {
  const p = parseDesk(argv, {});
  return withDesk(p, (desk) => {
    const list = desk.listRecords();
    if (json(p, { records: list })) return 0;
    for (const r of list) out(`${r.code.padEnd(14)} ${r.retention.padEnd(10)} ${String(r.entries).padStart(5)}  ${r.title}`);
    return 0;
  });
};

const verify: Command = async (argv) => {
  const p = parseDesk(argv, {});
  if (p.positionals.length) throw new KysoError('USAGE', { reason: `unexpected argument "${p.positionals[0]}"` });
  return withDesk(p, (desk) => {
    const v = desk.verifyAudit();
    if (!json(p, v)) {
      if (v.ok) out(`Nhật ký kiểm tra nguyên vẹn: ${v.entries} mục, mã cuối ${v.head} | Audit log intact: ${v.entries} entries, head ${v.head}`);
    }
    if (!v.ok) {
      const first = v.problems[0]!;
      throw new KysoError('AUDIT_CHAIN_BROKEN', { count: v.problems.length, seq: first.seq, problem: `${first.problem}: ${first.detail}` });
    }
    return 0;
  });
};

const listAudit: Command = async (argv) => {
  const p = parseDesk(argv, { subject: { type: 'string' }, limit: { type: 'string' } });
  return withDesk(p, (desk) => {
    const entries = desk.auditLog({ subject: str(p, 'subject'), limit: int(p, 'limit') });
    if (json(p, { entries })) return 0;
    for (const e of entries) out(`${String(e.seq).padStart(6)}  ${e.at}  ${e.actor.padEnd(10)} ${e.action.padEnd(24)} ${e.subject ?? ''}  ${JSON.stringify(e.details)}`);
    return 0;
  });
};

export const ARCHIVE_COMMANDS: Record<string, Command> = {
  'archive add': add,
  'archive search': search,
  'archive list': records,
  'audit verify': verify,
  'audit list': listAudit,
};
