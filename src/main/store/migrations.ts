// The numbered schema migrations and the one runner that applies them. The database's
// PRAGMA user_version is the number of the last migration applied; a database written by a newer
// Kyso (a higher number than this one knows) is refused rather than misread. Pending migrations
// are applied in one transaction: a failure leaves the database as it was.
import type Database from 'better-sqlite3';
import { KysoError } from '../../shared/errors.js';
import { up as core } from './migrations/m001-core.js';
import { up as exchange } from './migrations/m002-exchange.js';
import { up as search } from './migrations/m003-search.js';
import { up as archiveSeals } from './migrations/m004-archive-seals.js';
import { up as books } from './migrations/m005-books.js';
import { up as exchangeTransport } from './migrations/m006-exchange-transport.js';
import { up as exchangeInboxes } from './migrations/m007-exchange-inboxes.js';

export interface Migration {
  version: number;
  name: string;
  up: (db: Database.Database) => void;
}

export const MIGRATIONS: readonly Migration[] = [
  { version: 1, name: 'core: documents, revisions, signatures, attachments, people, certificates, audit', up: core },
  { version: 2, name: 'exchange: outbox, inbox, archive', up: exchange },
  { version: 3, name: 'search: urgency rank, list indexes, full-text indexes', up: search },
  { version: 4, name: 'archive: seals (B-LT/B-LTA) and renewals, appraisal decisions', up: archiveSeals },
  { version: 5, name: 'books: incoming stamp revisions, paper documents, one outgoing number series, copies', up: books },
  { version: 6, name: 'exchange transport: identity, address book, send queue, received packages, statuses', up: exchangeTransport },
  { version: 7, name: 'exchange: several inboxes per desk, envelope certificate verdict, withdrawal (status 13)', up: exchangeInboxes },
];

export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;

export function schemaVersion(db: Database.Database): number {
  return db.pragma('user_version', { simple: true }) as number;
}

/**
 * Brings the database to the last version of `list` (default: all migrations). Returns the
 * versions applied. Checks that the list is numbered 1, 2, 3… without gaps.
 */
export function migrate(db: Database.Database, list: readonly Migration[] = MIGRATIONS): number[] {
  list.forEach((m, i) => {
    if (m.version !== i + 1) throw new KysoError('INTERNAL', { reason: `migration ${m.name} is numbered ${m.version}, expected ${i + 1}` });
  });
  const target = list.length;
  const current = schemaVersion(db);
  // The highest version this Kyso knows, even when asked for fewer (tests migrate step by step).
  if (current > MIGRATIONS.length) throw new KysoError('STORE_TOO_NEW', { version: current, supported: MIGRATIONS.length });
  if (current > target) throw new KysoError('INTERNAL', { reason: `database is at version ${current}, asked for ${target}` });
  const pending = list.slice(current);
  if (pending.length === 0) return [];
  db.transaction(() => {
    for (const m of pending) m.up(db);
    db.pragma(`user_version = ${target}`);
  }).immediate();
  return pending.map((m) => m.version);
}
