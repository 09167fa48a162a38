// The local store: one SQLite database (kyso.db) in the data folder, with the content-addressed
// file folder beside it. Opens with WAL (readers never wait for the writer), foreign keys on, a
// busy timeout (the app and the command line may share the folder), and FULL sync so a committed
// step survives a power cut; then applies pending migrations.
import { mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { KysoError } from '../../shared/errors.js';
import { appendAudit, type AuditDetails, type AuditEntry } from './audit.js';
import { ContentStore } from './files.js';
import { migrate, type Migration, MIGRATIONS } from './migrations.js';

export const DB_FILE = 'kyso.db';

/** $KYSO_DATA, else ~/.local/share/kyso (XDG_DATA_HOME respected). */
export function defaultDataDir(): string {
  if (process.env.KYSO_DATA) return resolve(process.env.KYSO_DATA);
  const base = process.env.XDG_DATA_HOME || join(homedir(), '.local', 'share');
  return join(base, 'kyso');
}

export interface OpenStoreOptions {
  /** Migrations to apply (tests stop at an earlier version); default all. */
  migrations?: readonly Migration[];
  busyTimeoutMs?: number;
}

/** Opens (creating when needed) a database file with Kyso's connection settings. */
export function openDatabase(file: string, o: OpenStoreOptions = {}): Database.Database {
  let db: Database.Database;
  try {
    db = new Database(file);
  } catch (e) {
    throw new KysoError('STORE_OPEN_FAILED', { path: file, reason: (e as Error).message }, { cause: e });
  }
  try {
    db.pragma(`busy_timeout = ${o.busyTimeoutMs ?? 10_000}`);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
    if (db.pragma('foreign_keys', { simple: true }) !== 1) throw new Error('foreign keys cannot be enabled');
    migrate(db, o.migrations ?? MIGRATIONS);
  } catch (e) {
    db.close();
    if (e instanceof KysoError) throw e;
    throw new KysoError('STORE_OPEN_FAILED', { path: file, reason: (e as Error).message }, { cause: e });
  }
  return db;
}

export class Store {
  readonly db: Database.Database;
  readonly files: ContentStore;

  private constructor(
    readonly dataDir: string,
    o: OpenStoreOptions,
  ) {
    mkdirSync(dataDir, { recursive: true });
    this.db = openDatabase(join(dataDir, DB_FILE), o);
    this.files = new ContentStore(join(dataDir, 'files'));
    this.files.sweepStaging();
  }

  static open(dataDir: string, o: OpenStoreOptions = {}): Store {
    return new Store(resolve(dataDir), o);
  }

  /** Runs fn in one write transaction (BEGIN IMMEDIATE: the write lock is taken at once). */
  tx<T>(fn: () => T): T {
    return this.db.transaction(fn).immediate();
  }

  /** Appends an audit entry in its own transaction (a refusal, which changes nothing else). */
  audit(e: { at: string; actor: string; action: string; subject?: string | null; details?: AuditDetails }): AuditEntry {
    return this.tx(() => appendAudit(this.db, e));
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}
