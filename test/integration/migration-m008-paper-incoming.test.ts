// Migration 8 (paper documents received), from a database at the version before it (7) with its
// data: an accepted incoming file keeps its số đến, now in the year's one series (incoming_numbers);
// a paper arrival cannot take it and takes the next; the next accepted file takes the one after;
// numbers given are never taken back.
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { MIGRATIONS, migrate, schemaVersion } from '../../src/main/store/migrations.js';
import { acceptInbox } from '../../src/main/store/inbox.js';
import { lastIncomingNumber } from '../../src/main/store/books.js';
import { makeTempDir, removeTempDir } from '../fixtures/tmp.js';

let work: string;
beforeAll(() => {
  work = makeTempDir('migration-m008');
});
afterAll(() => removeTempDir(work));

const AT = '2026-05-12T03:00:00.000Z';
const SHA = (c: string) => c.repeat(64);
const m007 = MIGRATIONS.findIndex((m) => m.name.startsWith('paper incoming:'));

test('from the version before it with its data', () => {
  expect(m007).toBeGreaterThanOrEqual(6);
  const db = new Database(join(work, 'db.sqlite'));
  db.pragma('foreign_keys = ON');
  migrate(db, MIGRATIONS.slice(0, m007));
  expect(schemaVersion(db)).toBe(m007);
  const inbox = db.prepare(
    `INSERT INTO inbox_items (file_name, sha256, size, received_at, title, number_symbol, indication, verdict_json, verified_at)
     VALUES ('cv.pdf', ?, 20, ?, ?, '45/UBND-VP', 'TOTAL_PASSED', '{}', ?)`,
  );
  inbox.run(SHA('a'), AT, 'Công văn đã vào sổ', AT);
  inbox.run(SHA('b'), AT, 'Công văn chưa vào sổ', AT);
  db.prepare("UPDATE inbox_items SET status = 'accepted', incoming_year = 2026, incoming_number = 1, decided_at = ? WHERE id = 1").run(AT);

  expect(migrate(db, MIGRATIONS.slice(0, m007 + 1))).toEqual([m007 + 1]);
  expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
  expect(db.pragma('foreign_key_check')).toEqual([]);
  expect(db.prepare('SELECT * FROM incoming_numbers').all()).toEqual([{ incoming_year: 2026, incoming_number: 1, kind: 'electronic', ref_id: 1 }]);
  expect(lastIncomingNumber(db, 2026)).toBe(1);

  // A paper arrival cannot take 1; it takes 2.
  const paper = db.prepare("INSERT INTO paper_incoming (incoming_year, incoming_number, received_at, sender, title, created_at) VALUES (2026, ?, ?, 'UBND huyện', 'Công văn giấy', ?)");
  expect(() => paper.run(1, AT, AT)).toThrow(/UNIQUE|PRIMARY KEY/);
  paper.run(2, AT, AT);
  // The next file accepted takes 3 (before migration 8 it would have taken 2 again).
  expect(acceptInbox(db, 2, 2026, AT).incoming_number).toBe(3);
  expect(lastIncomingNumber(db, 2026)).toBe(3);
  expect(lastIncomingNumber(db, 2027)).toBe(0);
  expect(() => db.prepare('DELETE FROM incoming_numbers').run()).toThrow(/never taken back/);
  db.close();
});
