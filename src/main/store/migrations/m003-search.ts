// Migration 3: what makes an inbox of 100,000 documents quick to list and search: an urgency rank
// to sort by (hỏa tốc first), list indexes, and full-text indexes (FTS5) over the folded text of
// title, number and symbol, sender and signers; the existing rows are indexed here.
import type Database from 'better-sqlite3';
import { fold } from '../fold.js';

const RANK = `CASE urgency WHEN 'flash' THEN 0 WHEN 'very-urgent' THEN 1 WHEN 'urgent' THEN 2 ELSE 3 END`;

/** The text the inbox index holds for one item. */
export function inboxSearchText(r: { title: string; number_symbol: string | null; sender: string | null; signers: string; file_name: string }): string {
  return fold([r.title, r.number_symbol ?? '', r.sender ?? '', r.signers, r.file_name].join(' \u2022 '));
}

/**
 * The inbox index's second column: the urgency rank and the status as tokens ("u0 snew"), so a
 * search can ask for the most urgent or the undecided matches and stop at the first page
 * (ORDER BY rowid DESC LIMIT) instead of sorting every match.
 */
export function inboxMeta(r: { urgency: string; status: string }): string {
  const rank = r.urgency === 'flash' ? 0 : r.urgency === 'very-urgent' ? 1 : r.urgency === 'urgent' ? 2 : 3;
  return `u${rank} s${r.status}`;
}

/** The text the archive index holds for one entry. */
export function archiveSearchText(r: { title: string; number_symbol: string | null; signers: string; code: string; record_title: string }): string {
  return fold([r.title, r.number_symbol ?? '', r.signers, r.code, r.record_title].join(' \u2022 '));
}

export function up(db: Database.Database): void {
  db.exec(`
    ALTER TABLE inbox_items ADD COLUMN urgency_rank INTEGER GENERATED ALWAYS AS (${RANK}) VIRTUAL;
    CREATE INDEX inbox_by_urgency ON inbox_items(urgency_rank, received_at DESC, id DESC);
    CREATE INDEX inbox_by_date ON inbox_items(received_at DESC, id DESC);
    CREATE INDEX inbox_by_status ON inbox_items(status, urgency_rank, received_at DESC, id DESC);
    CREATE INDEX inbox_by_number ON inbox_items(number_symbol);
    CREATE INDEX inbox_by_issue_date ON inbox_items(issue_date);
    CREATE INDEX archive_by_date ON archive_entries(date);
    CREATE INDEX documents_by_number ON documents(number_symbol);

    CREATE VIRTUAL TABLE inbox_fts USING fts5(text, meta, content='', contentless_delete=1, prefix='2 3', tokenize='unicode61');
    CREATE VIRTUAL TABLE archive_fts USING fts5(text, content='', contentless_delete=1, prefix='2 3', tokenize='unicode61');
  `);
  // Existing rows, a thousand at a time (a statement being iterated cannot share the connection).
  const addInbox = db.prepare('INSERT INTO inbox_fts (rowid, text, meta) VALUES (?, ?, ?)');
  const inboxPage = db.prepare('SELECT id, title, number_symbol, sender, signers, file_name, urgency, status FROM inbox_items WHERE id > ? ORDER BY id LIMIT 1000');
  for (let last = 0; ; ) {
    const rows = inboxPage.all(last) as Array<{ id: number; title: string; number_symbol: string | null; sender: string | null; signers: string; file_name: string; urgency: string; status: string }>;
    if (rows.length === 0) break;
    for (const r of rows) addInbox.run(r.id, inboxSearchText(r), inboxMeta(r));
    last = rows[rows.length - 1]!.id;
  }
  const addArchive = db.prepare('INSERT INTO archive_fts (rowid, text) VALUES (?, ?)');
  const archivePage = db.prepare(
    'SELECT e.id, e.title, e.number_symbol, e.signers, r.code, r.title AS record_title FROM archive_entries e JOIN archive_records r ON r.id = e.record_id WHERE e.id > ? ORDER BY e.id LIMIT 1000',
  );
  for (let last = 0; ; ) {
    const rows = archivePage.all(last) as Array<{ id: number; title: string; number_symbol: string | null; signers: string; code: string; record_title: string }>;
    if (rows.length === 0) break;
    for (const r of rows) addArchive.run(r.id, archiveSearchText(r));
    last = rows[rows.length - 1]!.id;
  }
}
