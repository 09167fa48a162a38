// Migration 5 (the clerk's books), from a database at the version before it (4) with its data: an issued document
// keeps its number, now in the year's one series (outgoing_numbers); a paper document cannot take
// it; a number given later by the organisation's signature enters the series by trigger; an
// accepted incoming document can be stamped and routed; copies are kept, never changed.
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { MIGRATIONS, migrate, schemaVersion } from '../../src/main/store/migrations.js';
import { lastNumberSeq } from '../../src/main/store/documents.js';
import { makeTempDir, removeTempDir } from '../fixtures/tmp.js';

let work: string;
beforeAll(() => {
  work = makeTempDir('migration-m005');
});
afterAll(() => removeTempDir(work));

const AT = '2026-05-12T03:00:00.000Z';
const SHA = (c: string) => c.repeat(64);
const m004 = MIGRATIONS.findIndex((m) => m.name.startsWith('books:'));

test('from the version before it with its data', () => {
  expect(m004).toBeGreaterThanOrEqual(3);
  const db = new Database(join(work, 'db.sqlite'));
  db.pragma('foreign_keys = ON');
  // The version before, as that Kyso left it: two documents (one issued as 05/QĐ-SYT of 2026), an accepted incoming one.
  migrate(db, MIGRATIONS.slice(0, m004));
  expect(schemaVersion(db)).toBe(m004);
  const doc = db.prepare("INSERT INTO documents (title, file_name, method, state, urgency, created_at, updated_at) VALUES (?, 'qd.pdf', 1, 'draft', 'normal', ?, ?)");
  doc.run('Quyết định số 5', AT, AT);
  doc.run('Quyết định chưa ban hành', AT, AT);
  db.prepare("INSERT INTO revisions (document_id, seq, round, step, sha256, size, file_name, created_at) VALUES (1, 1, 1, 'import', ?, 10, 'qd.pdf', ?)").run(SHA('a'), AT);
  db.prepare("UPDATE documents SET state = 'issued', number_seq = 5, number_symbol = '05/QĐ-SYT', issue_date = '2026-05-12', issue_year = 2026, issued_at = ?, current_revision_id = 1 WHERE id = 1").run(AT);
  db.prepare(
    `INSERT INTO inbox_items (file_name, sha256, size, received_at, title, number_symbol, indication, verdict_json, verified_at, status, incoming_year, incoming_number, decided_at)
     VALUES ('cv.pdf', ?, 20, ?, 'Công văn', '45/UBND-VP', 'TOTAL_PASSED', '{}', ?, 'accepted', 2026, 1, ?)`,
  ).run(SHA('b'), AT, AT, AT);

  // Up to this migration (and whatever comes after it).
  expect(migrate(db, MIGRATIONS.slice(0, m004 + 1))).toEqual([m004 + 1]);
  expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
  expect(db.pragma('foreign_key_check')).toEqual([]);
  // The issued document's number is in the series; the next is 06.
  expect(db.prepare('SELECT * FROM outgoing_numbers').all()).toEqual([{ issue_year: 2026, number_seq: 5, kind: 'electronic', ref_id: 1 }]);
  expect(lastNumberSeq(db, 2026)).toBe(5);
  expect(lastNumberSeq(db, 2027)).toBe(0);
  // A paper document cannot take 05; it takes 06, and the second document cannot take 06 afterwards.
  const paper = db.prepare("INSERT INTO paper_documents (number_seq, number_symbol, issue_year, issue_date, title, created_at) VALUES (?, ?, 2026, '2026-05-13', 'Giấy mời', ?)");
  expect(() => paper.run(5, '05/GM-SYT', AT)).toThrow(/UNIQUE|PRIMARY KEY/);
  paper.run(6, '06/GM-SYT', AT);
  expect(() =>
    db.prepare("UPDATE documents SET number_seq = 6, number_symbol = '06/QĐ-SYT', issue_year = 2026 WHERE id = 2").run(),
  ).toThrow(/UNIQUE|PRIMARY KEY/);
  db.prepare("UPDATE documents SET number_seq = 7, number_symbol = '07/QĐ-SYT', issue_year = 2026 WHERE id = 2").run();
  expect(lastNumberSeq(db, 2026)).toBe(7);
  expect(() => db.prepare('DELETE FROM outgoing_numbers').run()).toThrow(/never taken back/);
  // The incoming document: routed, and a stamped revision kept, never changed.
  db.prepare("UPDATE inbox_items SET passed_to = 'Phòng Nghiệp vụ', passed_at = ?, record_number = 'HS-07' WHERE id = 1").run(AT);
  db.prepare("INSERT INTO inbox_revisions (inbox_id, seq, step, sha256, size, field, signer_cn, stamp_json, created_at) VALUES (1, 1, 'stamp', ?, 30, 'IncomingStamp1', 'Sở Y tế', '{}', ?)").run(SHA('c'), AT);
  expect(() => db.prepare("UPDATE inbox_revisions SET sha256 = ?").run(SHA('d'))).toThrow(/never changed/);
  // A copy links to its original; TRÍCH SAO alone has pages; copies are never changed.
  const copy = db.prepare(
    `INSERT INTO copies (form, source, document_id, inbox_id, source_sha256, pages, copy_year, number_seq, number_symbol, title, sha256, size, field, signer_cn, created_at)
     VALUES (?, ?, ?, ?, ?, ?, 2026, ?, ?, 'Quyết định số 5', ?, 40, 'Copy1', 'Sở Y tế', ?)`,
  );
  copy.run('SAO Y', 'outgoing', 1, null, SHA('a'), null, 1, '01/SY', SHA('e'), AT);
  expect(() => copy.run('SAO Y', 'outgoing', 1, null, SHA('a'), '1', 2, '02/SY', SHA('f'), AT)).toThrow(/CHECK/);
  expect(() => copy.run('SAO Y', 'incoming', 1, null, SHA('a'), null, 2, '02/SY', SHA('f'), AT)).toThrow(/CHECK/);
  copy.run('TRÍCH SAO', 'incoming', null, 1, SHA('c'), '1-2', 2, '02/TS', SHA('f'), AT);
  expect(() => copy.run('SAO LỤC', 'outgoing', 1, null, SHA('a'), null, 2, '02/SL', SHA('9'), AT)).toThrow(/UNIQUE/);
  expect(() => db.prepare("UPDATE copies SET title = 'x'").run()).toThrow(/never changed/);
  db.close();
});
