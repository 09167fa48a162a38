// Rows of the inbox (văn bản đến): received files with their verification, the incoming number
// (số đến, from 1 each year, given when the document is accepted) and the decision. Listing and
// searching stay fast at 100,000 rows: list indexes by urgency and date, FTS5 over folded text.
import type Database from 'better-sqlite3';
import { prep } from './sql.js';
import { KysoError } from '../../shared/errors.js';
import { ftsQuery, typedDate, vietnamDayBounds } from './fold.js';
import { inboxMeta, inboxSearchText } from './migrations/m003-search.js';
import type { SecrecyValue, UrgencyValue } from './documents.js';

export type InboxStatusValue = 'new' | 'accepted' | 'rejected';

export interface InboxRow {
  id: number;
  file_name: string;
  sha256: string;
  size: number;
  received_at: string;
  sender: string | null;
  title: string;
  number_symbol: string | null;
  issue_date: string | null;
  /** Tên loại (migration 5): "Quyết định", "Công văn", … */
  doc_type?: string | null;
  urgency: UrgencyValue;
  secrecy: SecrecyValue;
  signers: string;
  indication: 'TOTAL_PASSED' | 'INDETERMINATE' | 'TOTAL_FAILED';
  verdict_json: string;
  verified_at: string;
  status: InboxStatusValue;
  incoming_year: number | null;
  incoming_number: number | null;
  decided_at: string | null;
  reason: string | null;
}

export type NewInboxRow = Omit<InboxRow, 'id' | 'status' | 'incoming_year' | 'incoming_number' | 'decided_at' | 'reason'>;

export function insertInbox(db: Database.Database, r: NewInboxRow): number {
  const res = prep(db, 
      `INSERT INTO inbox_items (file_name, sha256, size, received_at, sender, title, number_symbol, issue_date, doc_type, urgency, secrecy, signers, indication, verdict_json, verified_at)
       VALUES (@file_name, @sha256, @size, @received_at, @sender, @title, @number_symbol, @issue_date, @doc_type, @urgency, @secrecy, @signers, @indication, @verdict_json, @verified_at)`,
    )
    .run({ ...r, doc_type: r.doc_type ?? null });
  const id = Number(res.lastInsertRowid);
  prep(db, 'INSERT INTO inbox_fts (rowid, text, meta) VALUES (?, ?, ?)').run(id, inboxSearchText(r), inboxMeta({ urgency: r.urgency, status: 'new' }));
  return id;
}

/** Indexes a row again after its status changed. */
function reindex(db: Database.Database, r: InboxRow): void {
  prep(db, 'DELETE FROM inbox_fts WHERE rowid = ?').run(r.id);
  prep(db, 'INSERT INTO inbox_fts (rowid, text, meta) VALUES (?, ?, ?)').run(r.id, inboxSearchText(r), inboxMeta(r));
}

export function getInbox(db: Database.Database, id: number): InboxRow {
  const row = prep(db, 'SELECT * FROM inbox_items WHERE id = ?').get(id) as InboxRow | undefined;
  if (!row) throw new KysoError('DOCUMENT_NOT_FOUND', { id: String(id) });
  return row;
}

/** The register's fields of a received document, as the clerk corrects them; indexed again for search. */
export function updateInboxMeta(db: Database.Database, id: number, m: { title: string; number_symbol: string | null; issue_date: string | null; sender: string | null; doc_type: string | null }): InboxRow {
  prep(db, 'UPDATE inbox_items SET title = ?, number_symbol = ?, issue_date = ?, sender = ?, doc_type = ? WHERE id = ?').run(m.title, m.number_symbol, m.issue_date, m.sender, m.doc_type, id);
  const row = getInbox(db, id);
  reindex(db, row);
  return row;
}

/** Registers an accepted document: the next số đến of the year. */
export function acceptInbox(db: Database.Database, id: number, year: number, at: string): InboxRow {
  // One series for paper and electronic arrivals (migration 7's incoming_numbers).
  const next = (prep(db, 'SELECT MAX(incoming_number) AS n FROM incoming_numbers WHERE incoming_year = ?').get(year) as { n: number | null }).n ?? 0;
  const r = prep(db, "UPDATE inbox_items SET status = 'accepted', incoming_year = ?, incoming_number = ?, decided_at = ? WHERE id = ? AND status = 'new'")
    .run(year, next + 1, at, id);
  if (r.changes !== 1) throw new KysoError('INBOX_ALREADY_DECIDED', { status: getInbox(db, id).status });
  const row = getInbox(db, id);
  reindex(db, row);
  return row;
}

export function rejectInbox(db: Database.Database, id: number, reason: string, at: string): InboxRow {
  const r = prep(db, "UPDATE inbox_items SET status = 'rejected', reason = ?, decided_at = ? WHERE id = ? AND status = 'new'").run(reason, at, id);
  if (r.changes !== 1) throw new KysoError('INBOX_ALREADY_DECIDED', { status: getInbox(db, id).status });
  const row = getInbox(db, id);
  reindex(db, row);
  return row;
}

export interface InboxQuery {
  /** Free text: words of the title, number and symbol, sender or signer; or a date. */
  text?: string;
  status?: InboxStatusValue;
  /** 'urgency': hỏa tốc first, then newest (default); 'date': newest first. */
  order?: 'urgency' | 'date';
  limit?: number;
  offset?: number;
}

const COLUMNS = `id, file_name, sha256, size, received_at, sender, title, number_symbol, issue_date, doc_type, urgency, secrecy, signers, indication,
  verdict_json, verified_at, status, incoming_year, incoming_number, decided_at, reason`;

function rowsByIds(db: Database.Database, ids: number[]): InboxRow[] {
  if (ids.length === 0) return [];
  const rows = db.prepare(`SELECT ${COLUMNS} FROM inbox_items WHERE id IN (${ids.map(() => '?').join(',')})`).all(...ids) as InboxRow[];
  const byId = new Map(rows.map((r) => [r.id, r]));
  return ids.map((id) => byId.get(id)).filter((r): r is InboxRow => r !== undefined);
}

/**
 * Full-text matches, newest first (rowids grow with arrival), straight from the index: FTS5 walks
 * its lists backwards and stops at the page. In urgency order, each rank (hỏa tốc first) is asked
 * in turn for what the page still needs.
 */
function searchIds(db: Database.Database, match: string, q: InboxQuery, limit: number, offset: number): number[] {
  const base = `text : (${match})${q.status ? ` AND meta : s${q.status}` : ''}`;
  const page = prep(db, 'SELECT rowid AS id FROM inbox_fts WHERE inbox_fts MATCH ? ORDER BY rowid DESC LIMIT ? OFFSET ?');
  if (q.order === 'date') return (page.all(base, limit, offset) as Array<{ id: number }>).map((r) => r.id);
  // Few matches (a number, a rare word): take them all and order them here.
  const PROBE = 200;
  const all = (page.all(base, PROBE + 1, 0) as Array<{ id: number }>).map((r) => r.id);
  if (all.length <= PROBE) {
    const keys = prep(db, `SELECT id, urgency_rank AS rank, received_at AS at FROM inbox_items WHERE id IN (${all.map(() => '?').join(',') || 'NULL'})`)
      .all(...all) as Array<{ id: number; rank: number; at: string }>;
    keys.sort((a, b) => a.rank - b.rank || (a.at < b.at ? 1 : a.at > b.at ? -1 : b.id - a.id));
    return keys.slice(offset, offset + limit).map((k) => k.id);
  }
  const count = prep(db, 'SELECT COUNT(*) AS n FROM inbox_fts WHERE inbox_fts MATCH ?');
  const ids: number[] = [];
  let skip = offset;
  for (let rank = 0; rank <= 3 && ids.length < limit; rank++) {
    const m = `${base} AND meta : u${rank}`;
    if (skip > 0) {
      const n = (count.get(m) as { n: number }).n;
      if (n <= skip) {
        skip -= n;
        continue;
      }
    }
    ids.push(...(page.all(m, limit - ids.length, skip) as Array<{ id: number }>).map((r) => r.id));
    skip = 0;
  }
  return ids;
}

/** One page of the inbox. */
export function queryInbox(db: Database.Database, q: InboxQuery = {}): InboxRow[] {
  const limit = Math.min(Math.max(q.limit ?? 50, 1), 1000);
  const offset = Math.max(q.offset ?? 0, 0);
  const text = q.text?.trim() ?? '';
  const date = text ? typedDate(text) : undefined;
  const order = q.order === 'date' ? 'received_at DESC, id DESC' : 'urgency_rank, received_at DESC, id DESC';
  if (text && !date) {
    const m = ftsQuery(text);
    return m ? rowsByIds(db, searchIds(db, m, q, limit, offset)) : [];
  }
  const where: string[] = [];
  const args: unknown[] = [];
  if (q.status) {
    where.push('status = ?');
    args.push(q.status);
  }
  if (date) {
    // Received that day (Vietnam time), or issued that day: two index lookups.
    const [from, to] = vietnamDayBounds(date);
    where.push('id IN (SELECT id FROM inbox_items WHERE received_at >= ? AND received_at < ? UNION SELECT id FROM inbox_items WHERE issue_date = ?)');
    args.push(from, to, date);
  }
  const sql = `SELECT ${COLUMNS} FROM inbox_items ${where.length ? 'WHERE ' + where.join(' AND ') : ''} ORDER BY ${order} LIMIT ? OFFSET ?`;
  return prep(db, sql).all(...args, limit, offset) as InboxRow[];
}
