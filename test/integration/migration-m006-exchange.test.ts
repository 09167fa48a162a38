// Migration 6 (exchange transport), from a database at the version before it (5) with data in it: the exchange
// tables appear, the earlier rows stay, and the schema holds the exchange's rules (one identity,
// a package taken in once by DocumentId + SHA-256, the queue's states, the frozen states).
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { MIGRATIONS, migrate, schemaVersion } from '../../src/main/store/migrations.js';
import { openDatabase } from '../../src/main/store/store.js';
import { makeTempDir, removeTempDir } from '../fixtures/tmp.js';

let work: string;
beforeAll(() => {
  work = makeTempDir('migration-4');
});
afterAll(() => removeTempDir(work));

const AT = '2026-12-03T03:00:00.000Z';
const SHA = (c: string): string => c.repeat(64);

describe('migration 6: exchange transport', () => {
  test('from version 5 with an issued document and a received file', () => {
    const file = join(work, 'v3.sqlite');
    const db = new Database(file);
    db.pragma('foreign_keys = ON');
    migrate(db, MIGRATIONS.slice(0, 5));
    expect(schemaVersion(db)).toBe(5);
    db.prepare("INSERT INTO documents (title, file_name, method, state, urgency, created_at, updated_at) VALUES ('Quyết định', 'qd.pdf', 1, 'draft', 'normal', ?, ?)").run(AT, AT);
    db.prepare(
      `INSERT INTO inbox_items (file_name, sha256, size, received_at, sender, title, number_symbol, signers, indication, verdict_json, verified_at)
       VALUES ('cv.pdf', ?, 20, ?, 'UBND tỉnh', 'Công văn', '45/UBND-VP', '', 'TOTAL_PASSED', '{}', ?)`,
    ).run(SHA('b'), AT, AT);
    db.close();

    const up = openDatabase(file);
    try {
      expect(schemaVersion(up)).toBeGreaterThanOrEqual(6);
      const names = (up.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as Array<{ name: string }>).map((r) => r.name);
      for (const t of ['exchange_self', 'exchange_peers', 'exchange_queue', 'exchange_received', 'exchange_incoming', 'exchange_outgoing', 'exchange_status_history', 'exchange_routes']) expect(names, t).toContain(t);
      expect(up.prepare('SELECT title FROM documents').all()).toEqual([{ title: 'Quyết định' }]);
      expect(up.prepare('SELECT number_symbol FROM inbox_items').all()).toEqual([{ number_symbol: '45/UBND-VP' }]);

      // One identity per desk.
      up.prepare("INSERT INTO exchange_self (id, organ_id, name, updated_at) VALUES (1, '000.00.31.H41', 'Sở Y tế', ?)").run(AT);
      expect(() => up.prepare("INSERT INTO exchange_self (id, organ_id, name, updated_at) VALUES (2, 'x', 'y', ?)").run(AT)).toThrow(/CHECK/);
      expect(() => up.prepare("UPDATE exchange_self SET change_answers = '15-02'").run()).toThrow(/CHECK/);
      // A package is taken in once.
      const rec = up.prepare("INSERT INTO exchange_received (edxml_document_id, sha256, kind, outcome, received_at) VALUES ('000.00.31.H41,2026/12/03,1/QĐ-SYT', ?, 'edoc', 'registered', ?)");
      rec.run(SHA('c'), AT);
      expect(() => rec.run(SHA('c'), AT)).toThrow(/UNIQUE/);
      rec.run(SHA('d'), AT); // another package of the same document (e.g. a status) is another row
      // The queue's states, and a sent row has its time.
      expect(() =>
        up.prepare("INSERT INTO exchange_queue (organ_id, kind, edxml_document_id, sha256, file_name, subject, state, next_attempt_at, created_at) VALUES ('a', 'edoc', 'x', ?, 'f', 's', 'sent', ?, ?)").run(SHA('e'), AT, AT),
      ).toThrow(/CHECK/);
      // Incoming facts hang on an inbox item; frozen states are closed.
      up.prepare("INSERT INTO exchange_incoming (inbox_id, edxml_document_id, envelope_signature, package_sha256, received_at) VALUES (1, 'x', 'valid', ?, ?)").run(SHA('f'), AT);
      expect(() => up.prepare("UPDATE exchange_incoming SET frozen = 'destroyed'").run()).toThrow(/CHECK/);
      expect(() => up.prepare("INSERT INTO exchange_incoming (inbox_id, edxml_document_id, envelope_signature, package_sha256, received_at) VALUES (99, 'x', 'valid', ?, ?)").run(SHA('f'), AT)).toThrow(/FOREIGN KEY/);
      expect(up.pragma('integrity_check', { simple: true })).toBe('ok');
      expect(up.pragma('foreign_key_check')).toEqual([]);
    } finally {
      up.close();
    }
  });
});
