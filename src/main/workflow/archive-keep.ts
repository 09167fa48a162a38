// Keeping archived records for their whole retention: sealing each filed document (B-LT + B-LTA),
// renewing the seal before its timestamp weakens, and appraisal at the end of the retention.
// A sealed file is a new file in the content store; the filed original stays where it was. Every
// seal, renewal and appraisal decision is a row and an audit entry, in one transaction.
import { KysoError } from '../../shared/errors.js';
import { appendAudit } from '../store/audit.js';
import {
  allEntries,
  appraisalsOf,
  entriesOfRecord,
  getArchiveEntry,
  getRecordByCode,
  insertAppraisal,
  insertSeal,
  listRecords,
  sealsOf,
  type ArchiveEntryView,
  type AppraisalRow,
} from '../store/archive.js';
import type { DeskContext } from './context.js';
import { sealPdf, type SealTools } from './seal.js';

export interface SealView {
  entry: number;
  record: string;
  title: string;
  kind: 'seal' | 'renewal';
  sha256: string;
  timestampTime: string;
  tsa: string;
  tsaNotAfter: string;
  missing: string[];
}

const entrySubject = (id: number): string => `archive:${id}`;

/** The SHA-256 of the file an entry stands at now: its last seal's, else the file filed. */
export function currentArchiveSha(ctx: DeskContext, entry: ArchiveEntryView): string {
  const seals = sealsOf(ctx.store.db, entry.id);
  return seals.length ? seals[seals.length - 1]!.sha256 : entry.sha256;
}

/** Seals (or renews the seal of) one archived entry. */
export async function sealEntry(ctx: DeskContext, entryId: number, tools: SealTools, kind: 'seal' | 'renewal'): Promise<SealView> {
  const entry = getArchiveEntry(ctx.store.db, entryId);
  const inputSha = currentArchiveSha(ctx, entry);
  const input = ctx.store.files.require(inputSha);
  const staged = ctx.store.files.stagingPath('.pdf');
  const now = ctx.now();
  let result;
  try {
    result = await sealPdf(input, staged, tools, () => ctx.store.files.stagingPath('.pdf'), now);
  } catch (e) {
    ctx.store.audit({ at: now.toISOString(), actor: ctx.actor, action: `archive.${kind}.failed`, subject: entrySubject(entryId), details: { code: (e as KysoError).code ?? 'INTERNAL' } });
    throw e;
  }
  const stored = await ctx.store.files.adopt(staged);
  const at = ctx.now().toISOString();
  ctx.store.tx(() => {
    insertSeal(ctx.store.db, {
      entry_id: entryId,
      kind,
      input_sha256: inputSha,
      sha256: stored.sha256,
      size: stored.size,
      sealed_at: at,
      timestamp_time: result.time.toISOString(),
      tsa: result.tsa,
      tsa_not_after: result.tsaNotAfter.toISOString(),
      digest: result.digest,
      missing: JSON.stringify(result.missing),
    });
    appendAudit(ctx.store.db, {
      at,
      actor: ctx.actor,
      action: kind === 'seal' ? 'archive.sealed' : 'archive.renewed',
      subject: entrySubject(entryId),
      details: { record: entry.code, from: inputSha, sha256: stored.sha256, timestamp: result.time.toISOString(), tsa: result.tsa, tsaUrl: tools.tsaUrl, missing: result.missing },
    });
  });
  return {
    entry: entryId,
    record: entry.code,
    title: entry.title,
    kind,
    sha256: stored.sha256,
    timestampTime: result.time.toISOString(),
    tsa: result.tsa,
    tsaNotAfter: result.tsaNotAfter.toISOString(),
    missing: result.missing,
  };
}

/** Seals every entry of a record not sealed yet (all records when no code is given). */
export async function sealUnsealed(ctx: DeskContext, tools: SealTools, recordCode?: string): Promise<SealView[]> {
  const entries = recordCode ? entriesOfRecord(ctx.store.db, getRecordByCode(ctx.store.db, recordCode).id) : allEntries(ctx.store.db);
  const out: SealView[] = [];
  for (const e of entries) if (sealsOf(ctx.store.db, e.id).length === 0) out.push(await sealEntry(ctx, e.id, tools, 'seal'));
  return out;
}

/** Digests that no longer prove anything by themselves. */
const WEAK_DIGESTS = new Set(['md5', 'sha1']);

export interface RenewalItem {
  entry: number;
  record: string;
  title: string;
  lastTimestamp: string | null;
  tsa: string | null;
  tsaNotAfter: string | null;
  digest: string | null;
  reason: 'unsealed' | 'tsa-certificate-ending' | 'weak-algorithm';
}

/**
 * Entries whose last timestamp must be renewed before `before`: its TSA certificate ends before
 * then, or its digest is weak; entries never sealed are listed too.
 */
export function renewalReport(ctx: DeskContext, before: Date): RenewalItem[] {
  const out: RenewalItem[] = [];
  for (const e of allEntries(ctx.store.db)) {
    const seals = sealsOf(ctx.store.db, e.id);
    const last = seals[seals.length - 1];
    const base = { entry: e.id, record: e.code, title: e.title };
    if (!last) {
      out.push({ ...base, lastTimestamp: null, tsa: null, tsaNotAfter: null, digest: null, reason: 'unsealed' });
      continue;
    }
    const info = { lastTimestamp: last.timestamp_time, tsa: last.tsa, tsaNotAfter: last.tsa_not_after, digest: last.digest };
    if (WEAK_DIGESTS.has(last.digest)) out.push({ ...base, ...info, reason: 'weak-algorithm' });
    else if (Date.parse(last.tsa_not_after) <= before.getTime()) out.push({ ...base, ...info, reason: 'tsa-certificate-ending' });
  }
  return out;
}

/** Renews (or makes) the seal of every entry the report lists. */
export async function renewDue(ctx: DeskContext, tools: SealTools, before: Date): Promise<{ report: RenewalItem[]; done: SealView[] }> {
  const report = renewalReport(ctx, before);
  const done: SealView[] = [];
  for (const item of report) done.push(await sealEntry(ctx, item.entry, tools, item.reason === 'unsealed' ? 'seal' : 'renewal'));
  return { report, done };
}

// -- retention and appraisal -----------------------------------------------------------------

export interface RetentionView {
  code: string;
  title: string;
  retention: string;
  /** The date of the record's last document: the retention runs from the end of that year. */
  endDate: string | null;
  /** When the retention ends (with extensions decided); null for permanent records. */
  dueAt: string | null;
  due: boolean;
  decisions: Array<{ decision: AppraisalRow['decision']; at: string; by: string; reason: string; extendYears: number | null }>;
}

/** Retention counts from 1 January of the year after the record's last document (as archives count). */
function dueDate(endDate: string, years: number): Date {
  const y = new Date(endDate).getUTCFullYear();
  return new Date(Date.UTC(y + 1 + years, 0, 1) - 7 * 3600_000); // midnight, Vietnam time
}

export function retentionOf(ctx: DeskContext, code: string): RetentionView {
  const db = ctx.store.db;
  const r = getRecordByCode(db, code);
  const entries = entriesOfRecord(db, r.id);
  const decisions = appraisalsOf(db, r.id);
  const endDate = entries.length ? entries.map((e) => e.date).sort().at(-1)! : null;
  let dueAt: Date | null = null;
  if (r.retention !== 'permanent' && endDate) {
    const extended = decisions.filter((d) => d.decision === 'keep').reduce((n, d) => n + (d.extend_years ?? 0), 0);
    dueAt = dueDate(endDate, Number(r.retention) + extended);
  }
  const closed = decisions.some((d) => d.decision !== 'keep');
  return {
    code: r.code,
    title: r.title,
    retention: r.retention,
    endDate,
    dueAt: dueAt?.toISOString() ?? null,
    due: !closed && dueAt !== null && dueAt.getTime() <= ctx.now().getTime(),
    decisions: decisions.map((d) => ({ decision: d.decision, at: d.decided_at, by: d.decided_by, reason: d.reason, extendYears: d.extend_years })),
  };
}

/** Records whose retention has ended and that await an appraisal decision. */
export function dueForAppraisal(ctx: DeskContext): RetentionView[] {
  return listRecords(ctx.store.db)
    .map((r) => retentionOf(ctx, r.code))
    .filter((r) => r.due);
}

/**
 * Records an appraisal decision (keep for more years, transfer to the historical archive,
 * destroy). Nothing is deleted here: a destruction is a decision on record, carried out by people
 * under the agency's procedure, and the files stay until then.
 */
export function appraise(ctx: DeskContext, o: { code: string; decision: string; reason: string; extendYears?: number }): RetentionView {
  const bad = (reason: string): never => {
    throw new KysoError('ARCHIVE_APPRAISAL_INVALID', { reason });
  };
  if (o.decision !== 'keep' && o.decision !== 'transfer' && o.decision !== 'destroy') bad(`decision "${o.decision}"`);
  if (!o.reason.trim()) bad('a reason is required');
  if (o.decision === 'keep' && !(o.extendYears && o.extendYears > 0)) bad('keep needs the years to extend by');
  const before = retentionOf(ctx, o.code);
  if (o.decision === 'destroy' && !before.due) throw new KysoError('ARCHIVE_NOT_DUE', { code: o.code, due: before.dueAt ?? 'permanent' });
  const at = ctx.now().toISOString();
  const record = getRecordByCode(ctx.store.db, o.code);
  ctx.store.tx(() => {
    insertAppraisal(ctx.store.db, {
      record_id: record.id,
      decided_at: at,
      decided_by: ctx.actor,
      decision: o.decision as AppraisalRow['decision'],
      reason: o.reason.trim(),
      extend_years: o.decision === 'keep' ? o.extendYears! : null,
    });
    appendAudit(ctx.store.db, { at, actor: ctx.actor, action: 'archive.appraised', subject: `record:${record.code}`, details: { decision: o.decision, reason: o.reason.trim(), extendYears: o.extendYears ?? null } });
  });
  return retentionOf(ctx, o.code);
}
