// Issue 5, the local store on a real SQLite file: numbered migrations from an empty database and
// from every earlier version (with data written at that version surviving, and indexed for search),
// the connection settings, the append-only, hash-chained audit log (an edit made behind Kyso's
// back, after dropping the trigger, is found), the rules the schema itself enforces, and the
// content-addressed file folder (never overwritten, damage detected).
import { chmodSync, existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { expectKysoCode } from '../fixtures/expect.js';
import { appendAudit, canonicalJson, verifyAudit } from '../../src/main/store/audit.js';
import { searchArchiveRows } from '../../src/main/store/archive.js';
import { ContentStore } from '../../src/main/store/files.js';
import { ftsQuery, fold, typedDate } from '../../src/main/store/fold.js';
import { queryInbox } from '../../src/main/store/inbox.js';
import { MIGRATIONS, migrate, SCHEMA_VERSION, schemaVersion } from '../../src/main/store/migrations.js';
import { openDatabase, Store } from '../../src/main/store/store.js';
import { makeTempDir, removeTempDir } from '../fixtures/tmp.js';

let work: string;
beforeAll(() => {
  work = makeTempDir('store');
});
afterAll(() => removeTempDir(work));

let n = 0;
const dbFile = () => join(work, `db-${++n}.sqlite`);
const AT = '2026-05-12T03:00:00.000Z';
const SHA = (c: string) => c.repeat(64);

const expectKyso = expectKysoCode;

/** What a database written at each version holds: rows only that version's schema knows. */
const SEED: Record<number, (db: Database.Database) => void> = {
  1: (db) => {
    db.prepare("INSERT INTO documents (title, file_name, method, state, urgency, created_at, updated_at) VALUES ('Quyết định số hóa', 'qd.pdf', 2, 'draft', 'urgent', ?, ?)").run(AT, AT);
    db.prepare("INSERT INTO revisions (document_id, seq, round, step, sha256, size, file_name, created_at) VALUES (1, 1, 1, 'import', ?, 10, 'qd.pdf', ?)").run(SHA('a'), AT);
    db.prepare('UPDATE documents SET current_revision_id = 1 WHERE id = 1').run();
    appendAudit(db, { at: AT, actor: 'test', action: 'document.added', subject: 'document:1', details: { v: 1 } });
  },
  2: (db) => {
    db.prepare(
      `INSERT INTO inbox_items (file_name, sha256, size, received_at, sender, title, number_symbol, signers, indication, verdict_json, verified_at, urgency)
       VALUES ('cv.pdf', ?, 20, ?, 'UBND tỉnh Quảng Ninh', 'Công văn về việc chuyển đổi số', '45/UBND-VP', 'Nguyễn Văn Đức', 'TOTAL_PASSED', '{}', ?, 'flash')`,
    ).run(SHA('b'), AT, AT);
    db.prepare("INSERT INTO archive_records (code, title, retention, created_at) VALUES ('HS-01', 'Hồ sơ chuyển đổi số', '20', ?)").run(AT);
    db.prepare(
      "INSERT INTO archive_entries (record_id, source, inbox_id, sha256, title, number_symbol, signers, date, filed_at) VALUES (1, 'incoming', 1, ?, 'Công văn về việc chuyển đổi số', '45/UBND-VP', 'Nguyễn Văn Đức', ?, ?)",
    ).run(SHA('b'), AT, AT);
    appendAudit(db, { at: AT, actor: 'test', action: 'inbox.received', subject: 'inbox:1', details: { v: 2 } });
  },
  // Version 3 added indexes only; an audit entry of its time keeps one entry per version.
  3: (db) => {
    appendAudit(db, { at: AT, actor: 'test', action: 'archive.filed', subject: 'inbox:1', details: { v: 3 } });
  },
  4: (db) => {
    appendAudit(db, { at: AT, actor: 'test', action: 'inbox.accepted', subject: 'inbox:1', details: { v: 4 } });
  },
  5: (db) => {
    appendAudit(db, { at: AT, actor: 'test', action: 'inbox.stamped', subject: 'inbox:1', details: { v: 5 } });
  },
  // Version 6 added the exchange: a desk with its inbox and a received package (version 7 rebuilds exchange_incoming).
  6: (db) => {
    db.prepare("INSERT INTO exchange_self (id, organ_id, name, inbox_kind, inbox_address, updated_at) VALUES (1, '000.00.33.H41', 'Sở Tài chính', 'folder', '/srv/share/stc', ?)").run(AT);
    if (db.prepare('SELECT 1 FROM inbox_items WHERE id = 1').get())
      db.prepare("INSERT INTO exchange_incoming (inbox_id, edxml_document_id, envelope_signature, package_sha256, received_at) VALUES (1, 'x', 'valid', ?, ?)").run(SHA('c'), AT);
    appendAudit(db, { at: AT, actor: 'test', action: 'exchange.self', subject: null, details: { v: 6 } });
  },
};

function schema(db: Database.Database): Array<{ type: string; name: string; sql: string | null }> {
  return db.prepare("SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name").all() as Array<{ type: string; name: string; sql: string | null }>;
}

describe('migrations', () => {
  test('are numbered 1, 2, 3… and the last is the schema version', () => {
    expect(MIGRATIONS.map((m) => m.version)).toEqual(MIGRATIONS.map((_, i) => i + 1));
    expect(SCHEMA_VERSION).toBe(MIGRATIONS.length);
    expect(SCHEMA_VERSION).toBeGreaterThanOrEqual(3);
  });

  test('from an empty database: every table, index, trigger; WAL, foreign keys, busy timeout', () => {
    const db = openDatabase(dbFile());
    try {
      expect(schemaVersion(db)).toBe(SCHEMA_VERSION);
      const names = schema(db).map((s) => s.name);
      for (const t of ['documents', 'revisions', 'signatures', 'attachments', 'people', 'certificates', 'outbox_items', 'outbox_recipients', 'inbox_items', 'archive_records', 'archive_entries', 'audit', 'inbox_fts', 'archive_fts'])
        expect(names, t).toContain(t);
      for (const t of ['audit_no_update', 'audit_no_delete', 'revisions_no_update', 'revisions_not_after_issue', 'documents_frozen_after_issue']) expect(names, t).toContain(t);
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
      expect(db.pragma('busy_timeout', { simple: true })).toBeGreaterThanOrEqual(1000);
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    } finally {
      db.close();
    }
  });

  const fresh = (() => {
    let s: ReturnType<typeof schema> | undefined;
    return () => {
      if (!s) {
        const db = openDatabase(dbFile());
        s = schema(db);
        db.close();
      }
      return s;
    };
  })();

  for (let from = 1; from < MIGRATIONS.length; from++) {
    test(`from version ${from} with its data: same schema as a new database, data kept and indexed`, () => {
      const file = dbFile();
      const db = new Database(file);
      db.pragma('foreign_keys = ON');
      // Build the database as that version of Kyso left it, with the data it could hold.
      for (let v = 1; v <= from; v++) {
        expect(migrate(db, MIGRATIONS.slice(0, v))).toEqual([v]);
        SEED[v]?.(db);
      }
      expect(schemaVersion(db)).toBe(from);
      db.close();

      const up = openDatabase(file);
      try {
        expect(schemaVersion(up)).toBe(SCHEMA_VERSION);
        expect(schema(up)).toEqual(fresh());
        expect(up.pragma('integrity_check', { simple: true })).toBe('ok');
        expect(up.pragma('foreign_key_check')).toEqual([]);
        // Version 1's rows are there.
        expect(up.prepare('SELECT title, urgency FROM documents').all()).toEqual([{ title: 'Quyết định số hóa', urgency: 'urgent' }]);
        // Version 2's rows, when written, are found by the full-text indexes made in version 3.
        if (from >= 2) {
          const hits = queryInbox(up, { text: 'chuyen doi so' });
          expect(hits.map((h) => h.number_symbol)).toEqual(['45/UBND-VP']);
          expect(queryInbox(up, { text: '45/UBND' }).length).toBe(1);
          expect((up.prepare('SELECT urgency_rank FROM inbox_items').get() as { urgency_rank: number }).urgency_rank).toBe(0);
          expect(searchArchiveRows(up, 'Đức').map((e) => e.code)).toEqual(['HS-01']);
        }
        // The audit chain written across versions still verifies, and goes on.
        appendAudit(up, { at: AT, actor: 'test', action: 'migrated', details: {} });
        const v = verifyAudit(up);
        expect(v.ok, JSON.stringify(v.problems)).toBe(true);
        expect(v.entries).toBe(from + 1);
      } finally {
        up.close();
      }
    });
  }

  test('a database written by a newer Kyso is refused, and left as it was', () => {
    const file = dbFile();
    const db = openDatabase(file);
    db.pragma(`user_version = ${SCHEMA_VERSION + 7}`);
    db.close();
    expectKyso(() => openDatabase(file), 'STORE_TOO_NEW');
    const raw = new Database(file);
    expect(raw.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION + 7);
    raw.close();
  });

  test('a migration that fails leaves the database at the version it was', () => {
    const db = new Database(dbFile());
    migrate(db, MIGRATIONS.slice(0, 1));
    const broken = [
      ...MIGRATIONS.slice(0, 1),
      { version: 2, name: 'half', up: (d: Database.Database) => d.exec('CREATE TABLE half_done (x); CREATE TABLE documents (x)') },
    ];
    expect(() => migrate(db, broken)).toThrow();
    expect(schemaVersion(db)).toBe(1);
    expect(db.prepare("SELECT name FROM sqlite_master WHERE name = 'half_done'").get()).toBeUndefined();
    // A list out of order is a programming error, caught before anything runs.
    expectKyso(() => migrate(db, [MIGRATIONS[1]!]), 'INTERNAL');
    db.close();
  });
});

describe('audit log', () => {
  test('entries chain by hash; UPDATE and DELETE are refused by the database itself', () => {
    const db = openDatabase(dbFile());
    try {
      const a = appendAudit(db, { at: AT, actor: 'văn thư', action: 'document.added', subject: 'document:1', details: { b: 2, a: [1, { y: 1, x: 'Đ' }] } });
      const b = appendAudit(db, { at: AT, actor: 'văn thư', action: 'document.signed', subject: 'document:1', details: {} });
      expect(a.seq).toBe(1);
      expect(a.prevHash).toBe('0'.repeat(64));
      expect(b.prevHash).toBe(a.hash);
      expect((db.prepare('SELECT details FROM audit WHERE seq = 1').get() as { details: string }).details).toBe(canonicalJson({ a: [1, { x: 'Đ', y: 1 }], b: 2 }));
      expect(() => db.prepare("UPDATE audit SET actor = 'x' WHERE seq = 1").run()).toThrow(/append-only/);
      expect(() => db.prepare('DELETE FROM audit WHERE seq = 2').run()).toThrow(/append-only/);
      expect(verifyAudit(db)).toMatchObject({ ok: true, entries: 2, head: b.hash, problems: [] });
    } finally {
      db.close();
    }
  });

  test('an edit made with a raw connection after dropping the trigger is detected at its entry', () => {
    const file = dbFile();
    const db = openDatabase(file);
    for (let i = 1; i <= 5; i++) appendAudit(db, { at: AT, actor: 'văn thư', action: 'document.signed', subject: `document:${i}`, details: { number: `${i}/QĐ-SYT` } });
    expect(verifyAudit(db).ok).toBe(true);
    db.close();

    const raw = new Database(file);
    raw.exec('DROP TRIGGER audit_no_update');
    raw.prepare('UPDATE audit SET details = ? WHERE seq = 3').run(canonicalJson({ number: '99/QĐ-SYT' }));
    raw.close();

    const again = openDatabase(file);
    try {
      const v = verifyAudit(again);
      expect(v.ok).toBe(false);
      expect(v.problems).toContainEqual(expect.objectContaining({ seq: 3, problem: 'hash-mismatch' }));
      expect(v.problems).toContainEqual(expect.objectContaining({ problem: 'trigger-missing' }));
      expect(v.problems.filter((p) => p.problem === 'hash-mismatch').map((p) => p.seq)).toEqual([3]);
    } finally {
      again.close();
    }
  });

  test('a removed entry, or one rewritten with a recomputed hash, breaks the chain after it', () => {
    const file = dbFile();
    const db = openDatabase(file);
    for (let i = 1; i <= 4; i++) appendAudit(db, { at: AT, actor: 'a', action: 'x', details: { i } });
    db.close();
    const raw = new Database(file);
    raw.exec('DROP TRIGGER audit_no_delete; DROP TRIGGER audit_no_update');
    raw.prepare('DELETE FROM audit WHERE seq = 2').run();
    // Rewriting entry 4 consistently with itself does not help: entry 4's successor would not
    // match, and here its own link to entry 3 is what breaks.
    raw.prepare("UPDATE audit SET prev_hash = '1' || substr(prev_hash, 2) WHERE seq = 4").run();
    raw.close();
    const again = new Database(file);
    const v = verifyAudit(again);
    again.close();
    expect(v.ok).toBe(false);
    expect(v.problems.map((p) => `${p.seq}:${p.problem}`)).toEqual(
      expect.arrayContaining(['3:sequence-gap', '3:chain-broken', '4:chain-broken', '4:hash-mismatch']),
    );
  });
});

describe('rules kept by the schema', () => {
  test('revisions are never changed; an issued document is frozen; nothing is deleted', () => {
    const db = openDatabase(dbFile());
    try {
      SEED[1]!(db);
      expect(() => db.prepare("UPDATE revisions SET sha256 = ? WHERE id = 1").run(SHA('c'))).toThrow(/never changed/);
      expect(() => db.prepare('DELETE FROM revisions').run()).toThrow(/never deleted/);
      expect(() => db.prepare('DELETE FROM documents').run()).toThrow(/never deleted/);
      // Issuing needs a number, a date and the time of issue.
      expect(() => db.prepare("UPDATE documents SET state = 'issued' WHERE id = 1").run()).toThrow(/CHECK/);
      db.prepare("UPDATE documents SET state = 'issued', number_seq = 1, number_symbol = '01/QĐ-SYT', issue_date = '2026-05-12', issue_year = 2026, issued_at = ? WHERE id = 1").run(AT);
      expect(() => db.prepare("UPDATE documents SET number_symbol = '02/QĐ-SYT' WHERE id = 1").run()).toThrow(/immutable/);
      expect(() => db.prepare("INSERT INTO revisions (document_id, seq, round, step, sha256, size, file_name, created_at) VALUES (1, 2, 1, 'org', ?, 1, 'x', ?)").run(SHA('d'), AT)).toThrow(
        /immutable/,
      );
      // Numbers are unique within the year.
      db.prepare("INSERT INTO documents (title, file_name, method, state, urgency, created_at, updated_at) VALUES ('b', 'b.pdf', 1, 'draft', 'normal', ?, ?)").run(AT, AT);
      expect(() => db.prepare('UPDATE documents SET number_seq = 1, issue_year = 2026 WHERE id = 2').run()).toThrow(/UNIQUE/);
      db.prepare('UPDATE documents SET number_seq = 1, issue_year = 2027 WHERE id = 2').run();
      // A foreign key to nothing is refused.
      expect(() => db.prepare("INSERT INTO revisions (document_id, seq, round, step, sha256, size, file_name, created_at) VALUES (99, 1, 1, 'import', ?, 1, 'x', ?)").run(SHA('e'), AT)).toThrow(/FOREIGN KEY/);
    } finally {
      db.close();
    }
  });
});

describe('content-addressed files', () => {
  test('stored under their SHA-256, read-only, never overwritten; damage is detected', async () => {
    const store = Store.open(join(work, 'data-files'));
    try {
      const files = store.files;
      const a = await files.putBytes(Buffer.from('%PDF-1.7 một'));
      const again = await files.putBytes(Buffer.from('%PDF-1.7 một'));
      expect(again).toEqual(a);
      const p = files.pathOf(a.sha256);
      expect(p).toBe(join(store.dataDir, 'files', a.sha256.slice(0, 2), a.sha256.slice(2)));
      expect(readFileSync(p, 'utf8')).toBe('%PDF-1.7 một');
      expect(statSync(p).mode & 0o222).toBe(0);
      expect(await files.check(a.sha256)).toBe(true);
      // Someone changes the stored file behind Kyso's back.
      chmodSync(p, 0o644);
      writeFileSync(p, 'changed');
      expect(await files.check(a.sha256)).toBe(false);
      await expect(files.putBytes(Buffer.from('%PDF-1.7 một'))).rejects.toMatchObject({ code: 'STORE_FILE_DAMAGED' });
      // The staging folder holds nothing once a file is adopted.
      expect(existsSync(files.staging)).toBe(true);
      expect(files.sweepStaging(0)).toBe(0);
      expectKyso(() => files.require(SHA('f')), 'STORE_FILE_MISSING');
    } finally {
      store.close();
    }
  });
});

describe('search text', () => {
  test('folds Vietnamese and builds safe FTS5 queries', () => {
    expect(fold('Quyết Định số 203/QĐ-SYT')).toBe('quyet dinh so 203/qd-syt');
    expect(ftsQuery('Quyết định')).toBe('"quyet" "dinh"*');
    expect(ftsQuery('" OR NEAR(')).toBe('"or" "near"*');
    expect(ftsQuery(' -- ')).toBeUndefined();
    expect(typedDate('12/5/2026')).toBe('2026-05-12');
    expect(typedDate('2026-05-12')).toBe('2026-05-12');
    expect(typedDate('203/QĐ')).toBeUndefined();
  });
});
