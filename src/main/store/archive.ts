// Rows of the archive: records (hồ sơ) with their retention, and the documents filed in them
// (outgoing after issue, incoming after acceptance), searchable by number, title, signer, date.
import type Database from 'better-sqlite3';
import { prep } from './sql.js';
import { KysoError } from '../../shared/errors.js';
import { ftsQuery, typedDate, vietnamDayBounds } from './fold.js';
import { archiveSearchText } from './migrations/m003-search.js';

export interface ArchiveRecordRow {
  id: number;
  code: string;
  title: string;
  retention: string;
  created_at: string;
}

export interface ArchiveEntryRow {
  id: number;
  record_id: number;
  source: 'outgoing' | 'incoming';
  document_id: number | null;
  inbox_id: number | null;
  sha256: string;
  title: string;
  number_symbol: string | null;
  signers: string;
  date: string;
  filed_at: string;
}

export type ArchiveEntryView = ArchiveEntryRow & { code: string; record_title: string; retention: string };

/** The record with this code, created when it does not exist yet; its retention must agree. */
export function ensureRecord(db: Database.Database, r: { code: string; title: string; retention: string; at: string }): ArchiveRecordRow {
  const found = prep(db, 'SELECT * FROM archive_records WHERE code = ?').get(r.code) as ArchiveRecordRow | undefined;
  if (found) {
    if (found.retention !== r.retention) throw new KysoError('ARCHIVE_RECORD_CONFLICT', { code: r.code, retention: found.retention, requested: r.retention });
    return found;
  }
  const res = prep(db, 'INSERT INTO archive_records (code, title, retention, created_at) VALUES (?, ?, ?, ?)').run(r.code, r.title, r.retention, r.at);
  return prep(db, 'SELECT * FROM archive_records WHERE id = ?').get(Number(res.lastInsertRowid)) as ArchiveRecordRow;
}

export function insertArchiveEntry(db: Database.Database, e: Omit<ArchiveEntryRow, 'id'>, record: ArchiveRecordRow): number {
  const dup = prep(db, 'SELECT id FROM archive_entries WHERE record_id = ? AND (document_id IS ? AND inbox_id IS ?)')
    .get(e.record_id, e.document_id, e.inbox_id) as { id: number } | undefined;
  if (dup) throw new KysoError('ARCHIVE_ALREADY_FILED', { code: record.code });
  const res = prep(db, 
      `INSERT INTO archive_entries (record_id, source, document_id, inbox_id, sha256, title, number_symbol, signers, date, filed_at)
       VALUES (@record_id, @source, @document_id, @inbox_id, @sha256, @title, @number_symbol, @signers, @date, @filed_at)`,
    )
    .run(e);
  const id = Number(res.lastInsertRowid);
  prep(db, 'INSERT INTO archive_fts (rowid, text) VALUES (?, ?)').run(id, archiveSearchText({ ...e, code: record.code, record_title: record.title }));
  return id;
}

const VIEW = `SELECT e.*, r.code, r.title AS record_title, r.retention FROM archive_entries e JOIN archive_records r ON r.id = e.record_id`;

export function getArchiveEntry(db: Database.Database, id: number): ArchiveEntryView {
  const row = prep(db, `${VIEW} WHERE e.id = ?`).get(id) as ArchiveEntryView | undefined;
  if (!row) throw new KysoError('DOCUMENT_NOT_FOUND', { id: String(id) });
  return row;
}

export function listRecords(db: Database.Database): Array<ArchiveRecordRow & { entries: number }> {
  return prep(db, 'SELECT r.*, (SELECT COUNT(*) FROM archive_entries e WHERE e.record_id = r.id) AS entries FROM archive_records r ORDER BY r.code')
    .all() as Array<ArchiveRecordRow & { entries: number }>;
}

/** Entries matching the text (words of number, title, signer, record) or a date; newest first. */
export function searchArchiveRows(db: Database.Database, text: string, limit = 200): ArchiveEntryView[] {
  const t = text.trim();
  if (!t) return prep(db, `${VIEW} ORDER BY e.date DESC, e.id DESC LIMIT ?`).all(limit) as ArchiveEntryView[];
  const date = typedDate(t);
  if (date) {
    // That calendar day in Vietnam (dates are kept as UTC instants).
    const [from, to] = vietnamDayBounds(date);
    return prep(db, `${VIEW} WHERE e.date >= ? AND e.date < ? ORDER BY e.date DESC, e.id DESC LIMIT ?`).all(from, to, limit) as ArchiveEntryView[];
  }
  const m = ftsQuery(t);
  if (!m) return [];
  return prep(db, `${VIEW} WHERE e.id IN (SELECT rowid FROM archive_fts WHERE archive_fts MATCH ?) ORDER BY e.date DESC, e.id DESC LIMIT ?`)
    .all(m, limit) as ArchiveEntryView[];
}

export interface ArchiveSealRow {
  id: number;
  entry_id: number;
  kind: 'seal' | 'renewal';
  input_sha256: string;
  sha256: string;
  size: number;
  sealed_at: string;
  timestamp_time: string;
  tsa: string;
  tsa_not_after: string;
  digest: string;
  missing: string;
}

export function insertSeal(db: Database.Database, s: Omit<ArchiveSealRow, 'id'>): number {
  const res = prep(db,
    `INSERT INTO archive_seals (entry_id, kind, input_sha256, sha256, size, sealed_at, timestamp_time, tsa, tsa_not_after, digest, missing)
     VALUES (@entry_id, @kind, @input_sha256, @sha256, @size, @sealed_at, @timestamp_time, @tsa, @tsa_not_after, @digest, @missing)`).run(s);
  return Number(res.lastInsertRowid);
}

/** The seals and renewals of an entry, oldest first. */
export function sealsOf(db: Database.Database, entryId: number): ArchiveSealRow[] {
  return prep(db, 'SELECT * FROM archive_seals WHERE entry_id = ? ORDER BY id').all(entryId) as ArchiveSealRow[];
}

export function getRecordByCode(db: Database.Database, code: string): ArchiveRecordRow {
  const row = prep(db, 'SELECT * FROM archive_records WHERE code = ?').get(code) as ArchiveRecordRow | undefined;
  if (!row) throw new KysoError('ARCHIVE_RECORD_NOT_FOUND', { code });
  return row;
}

export function entriesOfRecord(db: Database.Database, recordId: number): ArchiveEntryView[] {
  return prep(db, `${VIEW} WHERE e.record_id = ? ORDER BY e.date, e.id`).all(recordId) as ArchiveEntryView[];
}

export function allEntries(db: Database.Database): ArchiveEntryView[] {
  return prep(db, `${VIEW} ORDER BY e.id`).all() as ArchiveEntryView[];
}

export interface AppraisalRow {
  id: number;
  record_id: number;
  decided_at: string;
  decided_by: string;
  decision: 'keep' | 'transfer' | 'destroy';
  reason: string;
  extend_years: number | null;
}

export function insertAppraisal(db: Database.Database, a: Omit<AppraisalRow, 'id'>): number {
  const res = prep(db,
    `INSERT INTO archive_appraisals (record_id, decided_at, decided_by, decision, reason, extend_years)
     VALUES (@record_id, @decided_at, @decided_by, @decision, @reason, @extend_years)`).run(a);
  return Number(res.lastInsertRowid);
}

export function appraisalsOf(db: Database.Database, recordId: number): AppraisalRow[] {
  return prep(db, 'SELECT * FROM archive_appraisals WHERE record_id = ? ORDER BY id').all(recordId) as AppraisalRow[];
}
