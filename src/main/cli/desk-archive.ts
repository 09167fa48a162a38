// `kyso archive …` and `kyso audit …`: records with their retention, search; the audit chain.
import { KysoError } from '../../shared/errors.js';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { SealView } from '../workflow/archive-keep.js';
import { checkPackage } from '../workflow/package-check.js';
import { int, list, parse, required, str } from './args.js';
import { cacheDir, commandTrust, readDerOrPem, validationTime } from './verify.js';
import { json, one, out, parseDesk, withDesk, type Command } from './desk.js';

const add: Command = async (argv) => {
  const p = parseDesk(argv, { record: { type: 'string' }, 'record-title': { type: 'string' }, retention: { type: 'string' }, incoming: { type: 'boolean' }, seal: { type: 'boolean' } });
  const id = one(p, 'document id');
  const record = required(p, 'record');
  const retention = required(p, 'retention');
  return withDesk(p, async (desk) => {
    const e = desk.archive({ source: p.values.incoming ? 'incoming' : 'outgoing', sourceId: id, recordCode: record, recordTitle: str(p, 'record-title'), retention });
    const seal = p.values.seal ? await desk.sealArchiveEntry(e.id) : undefined;
    if (!json(p, seal ? { ...e, seal } : e)) {
      out(`Đã lập hồ sơ ${e.recordCode} (bảo quản ${e.retention}): ${e.title} | Filed in ${e.recordCode} (retention ${e.retention})`);
      if (seal) sealLine(seal);
    }
    return 0;
  });
};

function sealLine(s: SealView): void {
  out(`Đã niêm phong | Sealed: ${s.record} #${s.entry} ${s.title} — dấu thời gian | timestamp ${s.timestampTime} (${s.tsa}, chứng thư đến | certificate until ${s.tsaNotAfter.slice(0, 10)})`);
  for (const m of s.missing) process.stderr.write(`Cảnh báo [VALIDATION_DATA_MISSING]: thiếu dữ liệu kiểm tra | Warning: validation data missing: ${m}\n`);
}

/** `archive seal [RECORD]`: seals what is not sealed yet. */
const seal: Command = async (argv) => {
  const p = parseDesk(argv, {});
  if (p.positionals.length > 1) throw new KysoError('USAGE', { reason: 'give at most one record code' });
  return withDesk(p, async (desk) => {
    const done = await desk.sealArchive(p.positionals[0]);
    if (!json(p, { sealed: done })) {
      for (const s of done) sealLine(s);
      if (!done.length) out('Không có tài liệu nào cần niêm phong | Nothing to seal');
    }
    return 0;
  });
};

/** `archive renew [--before DATE]`: the report, then a new timestamp on each record listed. */
const renew: Command = async (argv) => {
  const p = parseDesk(argv, { before: { type: 'string' }, 'report-only': { type: 'boolean' } });
  if (p.positionals.length) throw new KysoError('USAGE', { reason: `unexpected argument "${p.positionals[0]}"` });
  const before = validationTime(str(p, 'before')) ?? new Date(Date.now() + 365 * 86_400_000);
  return withDesk(p, async (desk) => {
    const report = desk.renewalReport(before);
    if (!p.values.json) {
      out(`Cần gia hạn dấu thời gian trước ${before.toISOString().slice(0, 10)}: ${report.length} | Timestamps to renew before ${before.toISOString().slice(0, 10)}: ${report.length}`);
      for (const r of report) out(`  ${r.record} #${r.entry} ${r.title} — ${r.reason}${r.tsaNotAfter ? ` (${r.tsa}, ${r.tsaNotAfter.slice(0, 10)}, ${r.digest})` : ''}`);
    }
    if (p.values['report-only']) {
      json(p, { report, renewed: [] });
      return 0;
    }
    const { done } = await desk.renewArchive(before);
    if (!json(p, { report, renewed: done })) for (const s of done) sealLine(s);
    return 0;
  });
};

const exportPackage: Command = async (argv) => {
  const p = parseDesk(argv, { output: { type: 'string', short: 'o' }, 'no-seal': { type: 'boolean' } });
  const code = one(p, 'record code');
  const output = resolve(required(p, 'output'));
  return withDesk(p, async (desk) => {
    const r = await desk.exportRecord(code, output, { seal: p.values['no-seal'] !== true });
    if (!json(p, r)) out(`Đã xuất gói lưu trữ | Package written: ${r.output} (${r.documents} văn bản | documents, ${r.size} bytes, SHA-256 ${r.sha256})`);
    return 0;
  });
};

/** `archive check PACKAGE.zip`: needs no data folder. */
const check: Command = async (argv) => {
  const p = parse(argv, { trust: { type: 'string', multiple: true }, cert: { type: 'string', multiple: true }, offline: { type: 'boolean' }, json: { type: 'boolean' }, at: { type: 'string' } });
  if (p.positionals.length !== 1) throw new KysoError('USAGE', { reason: 'give exactly one package (.zip)' });
  const path = resolve(p.positionals[0]!);
  if (!existsSync(path)) throw new KysoError('FILE_NOT_FOUND', { path });
  const { trust, intermediates } = commandTrust(list(p, 'trust'));
  const r = await checkPackage(path, {
    trust,
    extraCerts: [...list(p, 'cert').flatMap(readDerOrPem), ...intermediates],
    at: validationTime(p.values.at),
    online: p.values.offline !== true,
    cacheDir: cacheDir(),
  });
  if (p.values.json) process.stdout.write(JSON.stringify(r) + '\n');
  else {
    for (const f of r.files) out(`${f.verification ? f.verification.indication.padEnd(14) : 'checksum ok'.padEnd(14)} ${f.path}`);
    for (const pr of r.problems) out(`LỖI | PROBLEM  ${pr.file}: ${pr.problem}`);
    out(r.ok ? `Gói hợp lệ | Package valid: ${r.files.length} tệp | files` : `Gói có ${r.problems.length} lỗi | Package has ${r.problems.length} problem(s)`);
  }
  return r.ok ? 0 : 1;
};

const due: Command = async (argv) => {
  const p = parseDesk(argv, {});
  return withDesk(p, (desk) => {
    const records = desk.dueForAppraisal();
    if (!json(p, { records })) {
      for (const r of records) out(`${r.code.padEnd(14)} ${r.retention.padEnd(10)} hết hạn | due ${r.dueAt?.slice(0, 10)}  ${r.title}`);
      if (!records.length) out('Không có hồ sơ đến hạn thẩm định | No record is due for appraisal');
    }
    return 0;
  });
};

const appraise: Command = async (argv) => {
  const p = parseDesk(argv, { decision: { type: 'string' }, reason: { type: 'string' }, extend: { type: 'string' } });
  const code = one(p, 'record code');
  const extend = str(p, 'extend');
  return withDesk(p, (desk) => {
    const r = desk.appraise({ code, decision: required(p, 'decision'), reason: str(p, 'reason') ?? '', extendYears: extend === undefined ? undefined : Number(extend) });
    if (!json(p, r)) out(`Đã ghi quyết định | Decision recorded: ${code} ${r.decisions.at(-1)?.decision} — ${r.decisions.at(-1)?.reason}`);
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
  'archive seal': seal,
  'archive renew': renew,
  'archive export': exportPackage,
  'archive check': check,
  'archive due': due,
  'archive appraise': appraise,
  'audit verify': verify,
  'audit list': listAudit,
};
