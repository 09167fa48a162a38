// The audit log: append-only (SQL triggers refuse UPDATE and DELETE) and hash-chained, so that a
// row edited or removed behind Kyso's back is evident. Each row's hash is SHA-256 over its
// canonical content, the previous row's hash included; `verifyAudit` walks the chain.
import { createHash } from 'node:crypto';
import type Database from 'better-sqlite3';
import { prep } from './sql.js';

export const GENESIS_HASH = '0'.repeat(64);

export type AuditDetails = Record<string, unknown>;

export interface AuditEntry {
  seq: number;
  at: string;
  actor: string;
  action: string;
  subject: string | null;
  details: AuditDetails;
  prevHash: string;
  hash: string;
}

/** JSON with object keys sorted at every depth: the same value always gives the same text. */
export function canonicalJson(v: unknown): string {
  if (v === null || typeof v !== 'object') return JSON.stringify(v ?? null);
  if (Array.isArray(v)) return `[${v.map((x) => canonicalJson(x === undefined ? null : x)).join(',')}]`;
  const o = v as Record<string, unknown>;
  const keys = Object.keys(o)
    .filter((k) => o[k] !== undefined)
    .sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`).join(',')}}`;
}

/** The hash of one row: over seq, time, actor, action, subject, details (canonical) and prev_hash. */
export function auditHash(r: { seq: number; at: string; actor: string; action: string; subject: string | null; details: string; prevHash: string }): string {
  const content = JSON.stringify([r.seq, r.at, r.actor, r.action, r.subject, r.details, r.prevHash]);
  return createHash('sha256').update(content, 'utf8').digest('hex');
}

interface AuditRow {
  seq: number;
  at: string;
  actor: string;
  action: string;
  subject: string | null;
  details: string;
  prev_hash: string;
  hash: string;
}

/**
 * Appends one entry. Call inside the write transaction of the change it records (BEGIN IMMEDIATE
 * holds the database's write lock, so two processes cannot chain onto the same row).
 */
export function appendAudit(db: Database.Database, e: { at: string; actor: string; action: string; subject?: string | null; details?: AuditDetails }): AuditEntry {
  const last = prep(db, 'SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1').get() as { seq: number; hash: string } | undefined;
  const seq = (last?.seq ?? 0) + 1;
  const prevHash = last?.hash ?? GENESIS_HASH;
  const details = canonicalJson(e.details ?? {});
  const subject = e.subject ?? null;
  const hash = auditHash({ seq, at: e.at, actor: e.actor, action: e.action, subject, details, prevHash });
  prep(db, 'INSERT INTO audit (seq, at, actor, action, subject, details, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)').run(
    seq,
    e.at,
    e.actor,
    e.action,
    subject,
    details,
    prevHash,
    hash,
  );
  return { seq, at: e.at, actor: e.actor, action: e.action, subject, details: JSON.parse(details) as AuditDetails, prevHash, hash };
}

export interface AuditProblem {
  seq: number;
  problem: 'hash-mismatch' | 'chain-broken' | 'sequence-gap' | 'details-not-canonical' | 'trigger-missing';
  detail: string;
}

export interface AuditVerification {
  ok: boolean;
  entries: number;
  /** The last row's hash: write it down (or print it) to detect a truncated tail later. */
  head: string;
  problems: AuditProblem[];
}

/** Walks the whole chain; reports every row whose content, link or place is wrong. */
export function verifyAudit(db: Database.Database): AuditVerification {
  const problems: AuditProblem[] = [];
  let prev = GENESIS_HASH;
  let expectSeq = 1;
  let n = 0;
  for (const r of prep(db, 'SELECT seq, at, actor, action, subject, details, prev_hash, hash FROM audit ORDER BY seq').iterate() as IterableIterator<AuditRow>) {
    n++;
    if (r.seq !== expectSeq) problems.push({ seq: r.seq, problem: 'sequence-gap', detail: `expected entry ${expectSeq}, found ${r.seq}` });
    if (r.prev_hash !== prev) problems.push({ seq: r.seq, problem: 'chain-broken', detail: 'prev_hash is not the previous entry\'s hash' });
    const want = auditHash({ seq: r.seq, at: r.at, actor: r.actor, action: r.action, subject: r.subject, details: r.details, prevHash: r.prev_hash });
    if (want !== r.hash) problems.push({ seq: r.seq, problem: 'hash-mismatch', detail: 'the entry\'s content does not match its hash' });
    try {
      if (canonicalJson(JSON.parse(r.details)) !== r.details) problems.push({ seq: r.seq, problem: 'details-not-canonical', detail: 'details are not canonical JSON' });
    } catch {
      problems.push({ seq: r.seq, problem: 'details-not-canonical', detail: 'details are not JSON' });
    }
    prev = r.hash;
    expectSeq = r.seq + 1;
  }
  // Listed after the entries: an edited entry is the finding; a missing trigger is how it was done.
  for (const t of ['audit_no_update', 'audit_no_delete']) {
    const found = prep(db, "SELECT 1 FROM sqlite_master WHERE type = 'trigger' AND name = ?").get(t);
    if (!found) problems.push({ seq: 0, problem: 'trigger-missing', detail: `the trigger ${t} that keeps the log append-only is missing` });
  }
  return { ok: problems.length === 0, entries: n, head: prev, problems };
}

/** The newest entries first (for a screen or `kyso audit list`). */
export function listAudit(db: Database.Database, o: { subject?: string; limit?: number } = {}): AuditEntry[] {
  const rows = (
    o.subject
      ? prep(db, 'SELECT * FROM audit WHERE subject = ? ORDER BY seq DESC LIMIT ?').all(o.subject, o.limit ?? 100)
      : prep(db, 'SELECT * FROM audit ORDER BY seq DESC LIMIT ?').all(o.limit ?? 100)
  ) as AuditRow[];
  return rows.map((r) => ({
    seq: r.seq,
    at: r.at,
    actor: r.actor,
    action: r.action,
    subject: r.subject,
    details: JSON.parse(r.details) as AuditDetails,
    prevHash: r.prev_hash,
    hash: r.hash,
  }));
}
