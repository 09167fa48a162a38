// Migration 7 (several inboxes, envelope verdict, withdrawal), from a database at version 6 with
// exchange data in it: the single inbox becomes a row of exchange_inboxes, the rebuilt tables keep
// every row, and the widened rules hold (withdrawn copies and recipients; closed sets still closed).
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { MIGRATIONS, migrate, schemaVersion } from '../../src/main/store/migrations.js';
import { openDatabase } from '../../src/main/store/store.js';
import { makeTempDir, removeTempDir } from '../fixtures/tmp.js';

let work: string;
beforeAll(() => {
  work = makeTempDir('migration-7');
});
afterAll(() => removeTempDir(work));

const AT = '2026-12-03T03:00:00.000Z';
const SHA = (c: string): string => c.repeat(64);

describe('migration 7: exchange inboxes, envelope verdict, withdrawal', () => {
  test('from version 6 with a configured desk, a received package and a recipient', () => {
    const file = join(work, 'v6.sqlite');
    const db = new Database(file);
    db.pragma('foreign_keys = ON');
    migrate(db, MIGRATIONS.slice(0, 6));
    expect(schemaVersion(db)).toBe(6);
    db.prepare("INSERT INTO documents (title, file_name, method, state, urgency, created_at, updated_at) VALUES ('Quyết định', 'qd.pdf', 1, 'draft', 'normal', ?, ?)").run(AT, AT);
    db.prepare("INSERT INTO outbox_recipients (document_id, name, organ_id, status, updated_at) VALUES (1, 'Sở Nội vụ', '000.00.32.H41', 'received', ?)").run(AT);
    db.prepare(
      `INSERT INTO inbox_items (file_name, sha256, size, received_at, sender, title, number_symbol, signers, indication, verdict_json, verified_at)
       VALUES ('cv.pdf', ?, 20, ?, 'Sở Y tế', 'Công văn', '45/SYT-VP', '', 'TOTAL_PASSED', '{}', ?)`,
    ).run(SHA('b'), AT, AT);
    db.prepare("INSERT INTO exchange_self (id, organ_id, name, inbox_kind, inbox_address, inbox_config, updated_at) VALUES (1, '000.00.33.H41', 'Sở Tài chính', 'mail', 'stc@gov.test', '{\"user\":\"stc\"}', ?)").run(AT);
    db.prepare(
      "INSERT INTO exchange_incoming (inbox_id, edxml_document_id, from_organ_id, subject, envelope_signature, envelope_signer, package_sha256, received_at) VALUES (1, '000.00.31.H41,2026/12/03,45/SYT-VP', '000.00.31.H41', 'Công văn', 'valid', 'Sở Y tế', ?, ?)",
    ).run(SHA('c'), AT);
    db.close();

    const up = openDatabase(file);
    try {
      expect(schemaVersion(up)).toBe(7);
      // The one inbox of version 6 is the first of the desk's inboxes.
      expect(up.prepare('SELECT kind, address, config FROM exchange_inboxes').all()).toEqual([{ kind: 'mail', address: 'stc@gov.test', config: '{"user":"stc"}' }]);
      up.prepare("INSERT INTO exchange_inboxes (kind, address, updated_at) VALUES ('axis', 'http://axis.test', ?)").run(AT);
      expect(() => up.prepare("INSERT INTO exchange_inboxes (kind, address, updated_at) VALUES ('mail', 'x', ?)").run(AT)).toThrow(/UNIQUE|PRIMARY/);
      expect(() => up.prepare("INSERT INTO exchange_inboxes (kind, address, updated_at) VALUES ('fax', 'x', ?)").run(AT)).toThrow(/CHECK/);
      // The rebuilt tables keep their rows; a received package has no verdict until judged.
      expect(up.prepare('SELECT inbox_id, from_organ_id, envelope_signature, envelope_signer, envelope_verdict FROM exchange_incoming').all()).toEqual([
        { inbox_id: 1, from_organ_id: '000.00.31.H41', envelope_signature: 'valid', envelope_signer: 'Sở Y tế', envelope_verdict: null },
      ]);
      expect(up.prepare('SELECT name, organ_id, status FROM outbox_recipients').all()).toEqual([{ name: 'Sở Nội vụ', organ_id: '000.00.32.H41', status: 'received' }]);
      // Withdrawal (13) states are allowed; the sets stay closed.
      up.prepare("UPDATE exchange_incoming SET frozen = 'withdrawn', envelope_verdict = 'revoked'").run();
      expect(() => up.prepare("UPDATE exchange_incoming SET frozen = 'destroyed'").run()).toThrow(/CHECK/);
      expect(() => up.prepare("UPDATE exchange_incoming SET envelope_verdict = 'ok'").run()).toThrow(/CHECK/);
      up.prepare("UPDATE outbox_recipients SET status = 'withdraw-requested'").run();
      up.prepare("UPDATE outbox_recipients SET status = 'withdrawn'").run();
      expect(() => up.prepare("UPDATE outbox_recipients SET status = 'lost'").run()).toThrow(/CHECK/);
      // A new recipient row does not reuse the id of the one copied over.
      up.prepare("INSERT INTO outbox_recipients (document_id, name, updated_at) VALUES (1, 'Sở Tài chính', ?)").run(AT);
      expect((up.prepare('SELECT MAX(id) AS n FROM outbox_recipients').get() as { n: number }).n).toBe(2);
      expect(() => up.prepare("INSERT INTO exchange_incoming (inbox_id, edxml_document_id, envelope_signature, package_sha256, received_at) VALUES (99, 'x', 'valid', ?, ?)").run(SHA('f'), AT)).toThrow(/FOREIGN KEY/);
      expect(up.pragma('integrity_check', { simple: true })).toBe('ok');
      expect(up.pragma('foreign_key_check')).toEqual([]);
    } finally {
      up.close();
    }
  });
});
