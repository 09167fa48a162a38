// The archive: issued and accepted documents filed into records (hồ sơ) with a retention period
// (years, or permanent), listed and searched by number, title, signer or date. An entry names
// the exact file (SHA-256) that was filed.
import type { ArchiveEntry } from '../../shared/contract.js';
import { KysoError } from '../../shared/errors.js';
import { appendAudit } from '../store/audit.js';
import { ensureRecord, getArchiveEntry, insertArchiveEntry, listRecords, searchArchiveRows, type ArchiveEntryView } from '../store/archive.js';
import { activeSignatures, getDocument, getRevision } from '../store/documents.js';
import { getInbox } from '../store/inbox.js';
import { docSubject, inboxSubject, refuse, type DeskContext } from './context.js';

/** "permanent" / "vĩnh viễn" / a number of years, as stored. */
export function parseRetention(v: string): string {
  const t = v.trim().toLowerCase();
  if (t === 'permanent' || t === 'vĩnh viễn' || t === 'vinh vien') return 'permanent';
  if (/^[1-9]\d{0,2}$/.test(t)) return t;
  throw new KysoError('ARCHIVE_RETENTION_INVALID', { value: v });
}

export interface ArchiveRequest {
  source: 'outgoing' | 'incoming';
  sourceId: number;
  recordCode: string;
  recordTitle?: string;
  retention: string;
}

function entry(v: ArchiveEntryView): ArchiveEntry & { sha256: string; filedAt: string } {
  return {
    id: String(v.id),
    recordCode: v.code,
    recordTitle: v.record_title,
    retention: v.retention,
    source: v.source,
    sourceId: String(v.source === 'outgoing' ? v.document_id : v.inbox_id),
    title: v.title,
    number: v.number_symbol,
    signers: v.signers ? v.signers.split('; ') : [],
    date: v.date,
    sha256: v.sha256,
    filedAt: v.filed_at,
  };
}

export function fileInArchive(ctx: DeskContext, r: ArchiveRequest): ArchiveEntry & { sha256: string; filedAt: string } {
  const db = ctx.store.db;
  const subject = r.source === 'outgoing' ? docSubject(r.sourceId) : inboxSubject(r.sourceId);
  const no: (e: KysoError) => never = (e) => refuse(ctx, 'archive.add', subject, e, { record: r.recordCode });
  let retention: string;
  try {
    retention = parseRetention(r.retention);
  } catch (e) {
    no(e as KysoError);
  }
  if (!r.recordCode.trim()) throw new KysoError('USAGE', { reason: 'a record code is required' });
  let facts: { sha256: string; title: string; number: string | null; signers: string[]; date: string };
  try {
    if (r.source === 'outgoing') {
      const doc = getDocument(db, r.sourceId);
      if (doc.state !== 'issued') no(new KysoError('ARCHIVE_NOT_ALLOWED', { id: String(r.sourceId), state: doc.state }));
      facts = {
        sha256: getRevision(db, doc.current_revision_id!).sha256,
        title: doc.title,
        number: doc.number_symbol,
        signers: activeSignatures(db, doc).map((s) => s.signer_cn),
        date: doc.issued_at!,
      };
    } else {
      const item = getInbox(db, r.sourceId);
      if (item.status !== 'accepted') no(new KysoError('ARCHIVE_NOT_ALLOWED', { id: String(r.sourceId), state: item.status }));
      facts = { sha256: item.sha256, title: item.title, number: item.number_symbol, signers: item.signers ? item.signers.split('; ') : [], date: item.received_at };
    }
  } catch (e) {
    if (e instanceof KysoError && e.code === 'DOCUMENT_NOT_FOUND') no(e);
    throw e;
  }
  const at = ctx.now().toISOString();
  try {
    const id = ctx.store.tx(() => {
      const record = ensureRecord(db, { code: r.recordCode.trim(), title: r.recordTitle?.trim() || r.recordCode.trim(), retention, at });
      const id = insertArchiveEntry(
        db,
        {
          record_id: record.id,
          source: r.source,
          document_id: r.source === 'outgoing' ? r.sourceId : null,
          inbox_id: r.source === 'incoming' ? r.sourceId : null,
          sha256: facts.sha256,
          title: facts.title,
          number_symbol: facts.number,
          signers: facts.signers.join('; '),
          date: facts.date,
          filed_at: at,
        },
        record,
      );
      appendAudit(db, { at, actor: ctx.actor, action: 'archive.filed', subject, details: { record: record.code, retention, entry: id, sha256: facts.sha256 } });
      return id;
    });
    return entry(getArchiveEntry(db, id));
  } catch (e) {
    if (e instanceof KysoError && (e.code === 'ARCHIVE_RECORD_CONFLICT' || e.code === 'ARCHIVE_ALREADY_FILED')) no(e);
    throw e;
  }
}

export function searchArchive(ctx: DeskContext, text: string): Array<ArchiveEntry & { sha256: string; filedAt: string }> {
  return searchArchiveRows(ctx.store.db, text).map(entry);
}

export function archiveEntry(ctx: DeskContext, id: number): { entry: ArchiveEntry & { sha256: string; filedAt: string }; path: string } {
  const v = getArchiveEntry(ctx.store.db, id);
  return { entry: entry(v), path: ctx.store.files.require(v.sha256) };
}

export function archiveRecords(ctx: DeskContext): Array<{ code: string; title: string; retention: string; entries: number; createdAt: string }> {
  return listRecords(ctx.store.db).map((r) => ({ code: r.code, title: r.title, retention: r.retention, entries: r.entries, createdAt: r.created_at }));
}
