// Rows of the clerk's books (migration 4): the stamped and routed revisions of received files,
// paper documents in the outgoing register, the year's one series of outgoing numbers, and the
// electronic copies; and the queries the registers and the exchange report read.
import type Database from 'better-sqlite3';
import { prep } from './sql.js';

export interface InboxRevisionRow {
  id: number;
  inbox_id: number;
  seq: number;
  step: 'stamp' | 'route';
  sha256: string;
  size: number;
  field: string;
  signer_cn: string;
  stamp_json: string;
  created_at: string;
}

export function inboxRevisions(db: Database.Database, inboxId: number): InboxRevisionRow[] {
  return prep(db, 'SELECT * FROM inbox_revisions WHERE inbox_id = ? ORDER BY seq').all(inboxId) as InboxRevisionRow[];
}

export function insertInboxRevision(db: Database.Database, r: Omit<InboxRevisionRow, 'id' | 'seq'>): InboxRevisionRow {
  const seq = ((prep(db, 'SELECT MAX(seq) AS n FROM inbox_revisions WHERE inbox_id = ?').get(r.inbox_id) as { n: number | null }).n ?? 0) + 1;
  const res = prep(
    db,
    `INSERT INTO inbox_revisions (inbox_id, seq, step, sha256, size, field, signer_cn, stamp_json, created_at)
     VALUES (@inbox_id, @seq, @step, @sha256, @size, @field, @signer_cn, @stamp_json, @created_at)`,
  ).run({ ...r, seq });
  return prep(db, 'SELECT * FROM inbox_revisions WHERE id = ?').get(Number(res.lastInsertRowid)) as InboxRevisionRow;
}

/** For a list of received documents: the file as it now is (the last revision), whether stamped, and the routing. */
export function inboxBooksState(db: Database.Database, ids: number[]): Map<number, { sha256: string | null; stamped: boolean; passed_to: string | null; record_number: string | null }> {
  const out = new Map<number, { sha256: string | null; stamped: boolean; passed_to: string | null; record_number: string | null }>();
  if (!ids.length) return out;
  const rows = db
    .prepare(
      `SELECT i.id, i.passed_to, i.record_number,
         (SELECT r.sha256 FROM inbox_revisions r WHERE r.inbox_id = i.id ORDER BY r.seq DESC LIMIT 1) AS sha256,
         EXISTS (SELECT 1 FROM inbox_revisions r WHERE r.inbox_id = i.id AND r.step = 'stamp') AS stamped
       FROM inbox_items i WHERE i.id IN (${ids.map(() => '?').join(',')})`,
    )
    .all(...ids) as Array<{ id: number; passed_to: string | null; record_number: string | null; sha256: string | null; stamped: number }>;
  for (const r of rows) out.set(r.id, { sha256: r.sha256, stamped: r.stamped === 1, passed_to: r.passed_to, record_number: r.record_number });
  return out;
}

export function setRouting(db: Database.Database, id: number, r: { passedTo: string | null; passedAt: string | null; recordNumber: string | null }): void {
  prep(db, 'UPDATE inbox_items SET passed_to = ?, passed_at = ?, record_number = ? WHERE id = ?').run(r.passedTo, r.passedAt, r.recordNumber, id);
}

/** Received documents carrying the same number and symbol from the same issuer (NĐ30: warn about duplicates). */
export function inboxDuplicates(db: Database.Database, id: number, numberSymbol: string, sender: string | null): Array<{ id: number; received_at: string; title: string; incoming_number: number | null; status: string; sha256: string }> {
  const key = (s: string): string => s.normalize('NFC').replace(/\s+/g, '').toLowerCase();
  const rows = prep(db, 'SELECT id, received_at, title, incoming_number, status, sha256, number_symbol, sender FROM inbox_items WHERE id <> ? AND number_symbol IS NOT NULL').all(id) as Array<{
    id: number;
    received_at: string;
    title: string;
    incoming_number: number | null;
    status: string;
    sha256: string;
    number_symbol: string;
    sender: string | null;
  }>;
  return rows
    .filter((r) => key(r.number_symbol) === key(numberSymbol) && key(r.sender ?? '') === key(sender ?? ''))
    .map(({ number_symbol: _n, sender: _s, ...r }) => r);
}

export interface PaperDocumentRow {
  id: number;
  number_seq: number;
  number_symbol: string;
  issue_year: number;
  issue_date: string;
  title: string;
  doc_type: string | null;
  signer: string | null;
  recipients: string;
  keeping_unit: string | null;
  copies: number | null;
  sent_at: string | null;
  note: string | null;
  created_at: string;
}

export function insertPaperDocument(db: Database.Database, r: Omit<PaperDocumentRow, 'id'>): PaperDocumentRow {
  const res = prep(
    db,
    `INSERT INTO paper_documents (number_seq, number_symbol, issue_year, issue_date, title, doc_type, signer, recipients, keeping_unit, copies, sent_at, note, created_at)
     VALUES (@number_seq, @number_symbol, @issue_year, @issue_date, @title, @doc_type, @signer, @recipients, @keeping_unit, @copies, @sent_at, @note, @created_at)`,
  ).run(r);
  return prep(db, 'SELECT * FROM paper_documents WHERE id = ?').get(Number(res.lastInsertRowid)) as PaperDocumentRow;
}

/** What holds a number of the year, if anything. */
export function numberHolder(db: Database.Database, year: number, seq: number): { kind: 'electronic' | 'paper'; ref_id: number } | undefined {
  return prep(db, 'SELECT kind, ref_id FROM outgoing_numbers WHERE issue_year = ? AND number_seq = ?').get(year, seq) as { kind: 'electronic' | 'paper'; ref_id: number } | undefined;
}

export interface CopyRow {
  id: number;
  form: 'SAO Y' | 'SAO LỤC' | 'TRÍCH SAO';
  source: 'outgoing' | 'incoming';
  document_id: number | null;
  inbox_id: number | null;
  source_sha256: string;
  pages: string | null;
  copy_year: number;
  number_seq: number;
  number_symbol: string;
  title: string;
  sha256: string;
  size: number;
  field: string;
  signer_cn: string;
  created_at: string;
}

export function lastCopySeq(db: Database.Database, year: number): number {
  return (prep(db, 'SELECT MAX(number_seq) AS n FROM copies WHERE copy_year = ?').get(year) as { n: number | null }).n ?? 0;
}

export function insertCopy(db: Database.Database, r: Omit<CopyRow, 'id'>): CopyRow {
  const res = prep(
    db,
    `INSERT INTO copies (form, source, document_id, inbox_id, source_sha256, pages, copy_year, number_seq, number_symbol, title, sha256, size, field, signer_cn, created_at)
     VALUES (@form, @source, @document_id, @inbox_id, @source_sha256, @pages, @copy_year, @number_seq, @number_symbol, @title, @sha256, @size, @field, @signer_cn, @created_at)`,
  ).run(r);
  return getCopy(db, Number(res.lastInsertRowid))!;
}

export function getCopy(db: Database.Database, id: number): CopyRow | undefined {
  return prep(db, 'SELECT * FROM copies WHERE id = ?').get(id) as CopyRow | undefined;
}

export function listCopies(db: Database.Database, year?: number): CopyRow[] {
  return (year === undefined ? prep(db, 'SELECT * FROM copies ORDER BY id').all() : prep(db, 'SELECT * FROM copies WHERE copy_year = ? ORDER BY number_seq').all(year)) as CopyRow[];
}

/** The outgoing register's source rows for a year: electronic documents issued and paper ones, by number. */
export interface OutgoingSource {
  kind: 'electronic' | 'paper';
  id: number;
  number_seq: number;
  number_symbol: string;
  issue_date: string;
  title: string;
  doc_type: string | null;
  signer: string | null;
  recipients: string;
  recipient_statuses: string;
  keeping_unit: string | null;
  copies: number | null;
  sent_at: string | null;
  paper_copy_required: number;
  outbox_status: string | null;
  recall_reason: string | null;
  note: string | null;
}

export function outgoingSources(db: Database.Database, year: number): OutgoingSource[] {
  const electronic = prep(
    db,
    `SELECT 'electronic' AS kind, d.id, d.number_seq, d.number_symbol, d.issue_date, d.title, d.doc_type,
       (SELECT s.signer_cn FROM signatures s JOIN revisions r ON r.id = s.revision_id
          WHERE s.document_id = d.id AND s.role = 'leader' AND r.round = d.round ORDER BY s.id DESC LIMIT 1) AS leader,
       (SELECT s.signer_cn FROM signatures s WHERE s.document_id = d.id AND s.role = 'org' ORDER BY s.id DESC LIMIT 1) AS org,
       COALESCE((SELECT group_concat(name, '; ') FROM (SELECT name FROM outbox_recipients WHERE document_id = d.id ORDER BY id)), '') AS recipients,
       COALESCE((SELECT group_concat(name || ': ' || status, '; ') FROM (SELECT name, status FROM outbox_recipients WHERE document_id = d.id ORDER BY id)), '') AS recipient_statuses,
       NULL AS keeping_unit,
       (SELECT COUNT(*) FROM outbox_recipients WHERE document_id = d.id) AS copies,
       o.sent_at, d.paper_copy_required, o.status AS outbox_status, o.recall_reason, NULL AS note
     FROM documents d LEFT JOIN outbox_items o ON o.document_id = d.id
     WHERE d.issue_year = ? AND d.number_seq IS NOT NULL`,
  ).all(year) as Array<OutgoingSource & { leader: string | null; org: string | null }>;
  const paper = prep(
    db,
    `SELECT 'paper' AS kind, id, number_seq, number_symbol, issue_date, title, doc_type, signer, recipients, '' AS recipient_statuses,
       keeping_unit, copies, sent_at, 0 AS paper_copy_required, NULL AS outbox_status, NULL AS recall_reason, note
     FROM paper_documents WHERE issue_year = ?`,
  ).all(year) as OutgoingSource[];
  const rows: OutgoingSource[] = [
    ...electronic.map(({ leader, org, ...r }) => ({ ...r, signer: leader ?? org })),
    ...paper,
  ];
  return rows.sort((a, b) => a.number_seq - b.number_seq);
}

export interface IncomingSource {
  kind: 'electronic' | 'paper';
  id: number;
  incoming_number: number;
  received_at: string;
  decided_at: string | null;
  sender: string | null;
  number_symbol: string | null;
  issue_date: string | null;
  title: string;
  doc_type: string | null;
  passed_to: string | null;
  passed_at: string | null;
  record_number: string | null;
  urgency: string;
  stamped: number;
  note: string | null;
}

export function incomingSources(db: Database.Database, year: number): IncomingSource[] {
  return prep(
    db,
    `SELECT 'electronic' AS kind, i.id, i.incoming_number, i.received_at, i.decided_at, i.sender, i.number_symbol, i.issue_date, i.title, i.doc_type,
       i.passed_to, i.passed_at, i.record_number, i.urgency,
       EXISTS (SELECT 1 FROM inbox_revisions r WHERE r.inbox_id = i.id AND r.step = 'stamp') AS stamped, NULL AS note
     FROM inbox_items i WHERE i.status = 'accepted' AND i.incoming_year = ?
     UNION ALL
     SELECT 'paper' AS kind, p.id, p.incoming_number, p.received_at, p.received_at AS decided_at, p.sender, p.number_symbol, p.issue_date, p.title, p.doc_type,
       p.passed_to, p.passed_at, p.record_number, p.urgency, 0 AS stamped, p.note
     FROM paper_incoming p WHERE p.incoming_year = ?
     ORDER BY incoming_number`,
  ).all(year, year) as IncomingSource[];
}

export interface PaperIncomingRow {
  id: number;
  incoming_year: number;
  incoming_number: number;
  received_at: string;
  sender: string;
  number_symbol: string | null;
  issue_date: string | null;
  title: string;
  doc_type: string | null;
  urgency: string;
  passed_to: string | null;
  passed_at: string | null;
  record_number: string | null;
  note: string | null;
  created_at: string;
}

/** The last số đến of a year, paper or electronic. */
export function lastIncomingNumber(db: Database.Database, year: number): number {
  return (prep(db, 'SELECT MAX(incoming_number) AS n FROM incoming_numbers WHERE incoming_year = ?').get(year) as { n: number | null }).n ?? 0;
}

export function insertPaperIncoming(db: Database.Database, r: Omit<PaperIncomingRow, 'id'>): PaperIncomingRow {
  const res = prep(
    db,
    `INSERT INTO paper_incoming (incoming_year, incoming_number, received_at, sender, number_symbol, issue_date, title, doc_type, urgency, passed_to, passed_at, record_number, note, created_at)
     VALUES (@incoming_year, @incoming_number, @received_at, @sender, @number_symbol, @issue_date, @title, @doc_type, @urgency, @passed_to, @passed_at, @record_number, @note, @created_at)`,
  ).run(r);
  return prep(db, 'SELECT * FROM paper_incoming WHERE id = ?').get(Number(res.lastInsertRowid)) as PaperIncomingRow;
}

/** An arrival registered before with the same number, symbol and issuer. */
export interface EarlierArrivalRow {
  kind: 'electronic' | 'paper';
  id: number;
  received_at: string;
  title: string;
  incoming_number: number | null;
  status: string;
}

const dupKey = (s: string | null | undefined): string => (s ?? '').normalize('NFC').replace(/\s+/g, '').toLowerCase();

/**
 * Arrivals with the same number + symbol + issuer (NĐ30: a duplicate is warned about): received
 * files that are not rejected, and paper arrivals. `except` leaves out the arrival being checked.
 */
export function earlierArrivals(db: Database.Database, numberSymbol: string, sender: string | null, except: { kind: 'electronic' | 'paper'; id: number } | null = null): EarlierArrivalRow[] {
  const n = dupKey(numberSymbol);
  const s = dupKey(sender);
  const files = prep(db, "SELECT id, received_at, title, incoming_number, status, number_symbol, sender FROM inbox_items WHERE number_symbol IS NOT NULL AND status <> 'rejected' ORDER BY id").all() as Array<EarlierArrivalRow & { number_symbol: string; sender: string | null }>;
  const paper = prep(db, "SELECT id, received_at, title, incoming_number, 'registered' AS status, number_symbol, sender FROM paper_incoming WHERE number_symbol IS NOT NULL ORDER BY id").all() as Array<EarlierArrivalRow & { number_symbol: string; sender: string | null }>;
  return [...files.map((r) => ({ ...r, kind: 'electronic' as const })), ...paper.map((r) => ({ ...r, kind: 'paper' as const }))]
    .filter((r) => !(except && except.kind === r.kind && except.id === r.id) && dupKey(r.number_symbol) === n && dupKey(r.sender) === s)
    .map(({ number_symbol: _n, sender: _s, ...r }) => r)
    .sort((a, b) => (a.received_at < b.received_at ? -1 : a.received_at > b.received_at ? 1 : 0));
}
