// The clerk's desk as the screens need it: documents being signed, the inbox, the outbox and the
// archive. This is the small file-backed desk the app runs on until the workflow service
// (src/main/workflow, over the SQLite store) is wired in; it keeps the same rules for the order of
// signatures and never overwrites a file: every revision is a new file named by its SHA-256.
import { createHash, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { KysoError } from '../../shared/errors.js';
import type { ArchiveEntry, DocState, DocumentSummary, FileVerdict, InboxItem, Method, OutboxItem, Role, Urgency } from '../../shared/contract.js';

interface StoredDocument extends DocumentSummary {
  /** Revision files, oldest first (names under files/). */
  revisions: string[];
  issuedAt: string | null;
  sentAt: string | null;
}
interface StoredInbox extends InboxItem {
  file: string;
}
interface DeskFile {
  documents: StoredDocument[];
  inbox: StoredInbox[];
  archive: ArchiveEntry[];
  /** Số đến per year. */
  incoming: Record<string, number>;
}

/** The order of signatures per method (QN Đ14.2). */
const STEPS: Record<Method, Role[]> = { 1: ['org'], 2: ['leader', 'org'], 3: ['drafter', 'leader', 'org'] };
const STATE_AFTER: Record<Role, DocState> = { drafter: 'initialled', leader: 'approved', org: 'issued' };
const URGENCY_RANK: Record<Urgency, number> = { flash: 0, 'very-urgent': 1, urgent: 2, normal: 3 };

export function nextRole(method: Method, signed: number): Role | null {
  return STEPS[method][signed] ?? null;
}

/** Vietnam time (UTC+7, no summer time) parts of an instant. */
function vn(d: Date): Date {
  return new Date(d.getTime() + 7 * 3600_000);
}

/**
 * When an issued document must be sent at the latest (QN Đ7; NĐ30 Đ18): urgent ones at once (within
 * the hour), others the same day or at the latest the next working morning (12:00, Vietnam time).
 */
export function sendDeadline(issuedAt: Date, urgency: Urgency): Date {
  if (urgency !== 'normal') return new Date(issuedAt.getTime() + 3600_000);
  const local = vn(issuedAt);
  const day = new Date(Date.UTC(local.getUTCFullYear(), local.getUTCMonth(), local.getUTCDate() + 1, 12, 0));
  while (day.getUTCDay() === 0 || day.getUTCDay() === 6) day.setUTCDate(day.getUTCDate() + 1);
  return new Date(day.getTime() - 7 * 3600_000);
}

export interface SignOutcome {
  /** Path of the signed file written (not yet part of the desk). */
  output: string;
  signer: string;
}

export class LocalDesk {
  private readonly file: string;
  readonly filesDir: string;

  constructor(readonly dataDir: string, private readonly now: () => Date = () => new Date()) {
    this.file = join(dataDir, 'desk.json');
    this.filesDir = join(dataDir, 'files');
    mkdirSync(this.filesDir, { recursive: true });
  }

  private load(): DeskFile {
    if (!existsSync(this.file)) return { documents: [], inbox: [], archive: [], incoming: {} };
    return JSON.parse(readFileSync(this.file, 'utf8')) as DeskFile;
  }

  private save(d: DeskFile): void {
    const tmp = `${this.file}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(d, null, 1));
    renameSync(tmp, this.file);
  }

  /** Keeps bytes under their SHA-256 name; returns the name. */
  private keep(bytes: Buffer): string {
    const name = `${createHash('sha256').update(bytes).digest('hex')}.pdf`;
    const path = join(this.filesDir, name);
    if (!existsSync(path)) writeFileSync(path, bytes);
    return name;
  }

  /** Moves a finished output file into the store under its SHA-256 name. */
  private adopt(path: string): string {
    const bytes = readFileSync(path);
    const name = this.keep(bytes);
    rmSync(path, { force: true });
    return name;
  }

  private doc(d: DeskFile, id: string): StoredDocument {
    const doc = d.documents.find((x) => x.id === id);
    if (!doc) throw new KysoError('DOCUMENT_NOT_FOUND', { id });
    return doc;
  }

  private summary(doc: StoredDocument): DocumentSummary {
    const { revisions: _r, issuedAt: _i, sentAt: _s, ...rest } = doc;
    return rest;
  }

  // -- documents ------------------------------------------------------------------------------

  listDocuments(): DocumentSummary[] {
    return this.load()
      .documents.map((x) => this.summary(x))
      .sort((a, b) => URGENCY_RANK[a.urgency] - URGENCY_RANK[b.urgency] || b.updatedAt.localeCompare(a.updatedAt));
  }

  importDocument(o: { fileName: string; bytes: Buffer; title: string; method: Method; urgency: Urgency }): DocumentSummary {
    if (o.bytes.subarray(0, 1024).indexOf('%PDF-') < 0) throw new KysoError('PDF_NOT_PDF', { path: o.fileName });
    const d = this.load();
    const at = this.now().toISOString();
    const doc: StoredDocument = {
      id: randomUUID(),
      title: o.title,
      fileName: o.fileName,
      method: o.method,
      urgency: o.urgency,
      state: 'draft',
      nextRole: nextRole(o.method, 0),
      number: null,
      issueDate: null,
      signatures: [],
      comment: null,
      createdAt: at,
      updatedAt: at,
      revisions: [this.keep(o.bytes)],
      issuedAt: null,
      sentAt: null,
    };
    d.documents.push(doc);
    this.save(d);
    return this.summary(doc);
  }

  /** The current revision's path. */
  documentPath(id: string): string {
    const doc = this.doc(this.load(), id);
    return join(this.filesDir, doc.revisions[doc.revisions.length - 1]!);
  }

  /** Refuses a step out of order before anything is touched. */
  checkStep(id: string, role: Role): DocumentSummary {
    const doc = this.doc(this.load(), id);
    if (doc.nextRole !== role) throw new KysoError('DOCUMENT_STEP_NOT_ALLOWED', { id, expected: doc.nextRole ?? 'none', requested: role });
    return this.summary(doc);
  }

  /**
   * Runs one signing step: `sign` writes the signed file from the current revision to the path it is
   * given; the desk then keeps it as the new revision and moves the document on.
   */
  async signStep(id: string, role: Role, extra: { number?: string; issueDate?: string }, sign: (input: string, output: string) => Promise<SignOutcome>): Promise<DocumentSummary> {
    this.checkStep(id, role);
    const input = this.documentPath(id);
    const output = join(this.filesDir, `signing-${randomUUID()}.pdf`);
    let outcome: SignOutcome;
    try {
      outcome = await sign(input, output);
    } catch (e) {
      rmSync(output, { force: true });
      throw e;
    }
    const name = this.adopt(outcome.output);
    const d = this.load();
    const doc = this.doc(d, id);
    const at = this.now().toISOString();
    doc.revisions.push(name);
    doc.signatures.push({ role, signer: outcome.signer, at });
    doc.state = STATE_AFTER[role];
    doc.nextRole = nextRole(doc.method, doc.signatures.length);
    doc.comment = null;
    if (role === 'org') {
      doc.number = extra.number ?? doc.number;
      doc.issueDate = extra.issueDate ?? at.slice(0, 10);
      doc.issuedAt = at;
    }
    doc.updatedAt = at;
    this.save(d);
    return this.summary(doc);
  }

  /** The leader sends a draft back to the drafter with a comment (method 3, before approval). */
  returnDocument(id: string, comment: string): DocumentSummary {
    const d = this.load();
    const doc = this.doc(d, id);
    if (doc.state === 'issued' || doc.state === 'approved')
      throw new KysoError('DOCUMENT_STEP_NOT_ALLOWED', { id, expected: doc.nextRole ?? 'none', requested: 'return' });
    doc.revisions = doc.revisions.slice(0, 1);
    doc.signatures = [];
    doc.state = 'returned';
    doc.nextRole = nextRole(doc.method, 0);
    doc.comment = comment;
    doc.updatedAt = this.now().toISOString();
    this.save(d);
    return this.summary(doc);
  }

  // -- outbox ---------------------------------------------------------------------------------

  listOutbox(): OutboxItem[] {
    const now = this.now();
    return this.load()
      .documents.filter((x) => x.issuedAt)
      .map((x) => this.outboxItem(x, now))
      .sort((a, b) => Number(a.status === 'sent') - Number(b.status === 'sent') || URGENCY_RANK[a.urgency] - URGENCY_RANK[b.urgency] || a.issuedAt.localeCompare(b.issuedAt));
  }

  private outboxItem(x: StoredDocument, now: Date): OutboxItem {
    const sendBy = sendDeadline(new Date(x.issuedAt!), x.urgency);
    const status = x.sentAt ? 'sent' : 'waiting';
    return { documentId: x.id, title: x.title, number: x.number, urgency: x.urgency, issuedAt: x.issuedAt!, status, sendBy: sendBy.toISOString(), late: status === 'waiting' && now > sendBy };
  }

  markSent(id: string): OutboxItem {
    const d = this.load();
    const doc = this.doc(d, id);
    if (!doc.issuedAt) throw new KysoError('DOCUMENT_STEP_NOT_ALLOWED', { id, expected: doc.nextRole ?? 'none', requested: 'send' });
    doc.sentAt ??= this.now().toISOString();
    this.save(d);
    return this.outboxItem(doc, this.now());
  }

  // -- inbox ----------------------------------------------------------------------------------

  listInbox(): InboxItem[] {
    return this.load()
      .inbox.map(({ file: _f, ...x }) => x)
      .sort((a, b) => b.receivedAt.localeCompare(a.receivedAt));
  }

  /** Keeps a received file; `verify` checks it from where it is kept. */
  async importIncoming(fileName: string, bytes: Buffer, verify: (path: string) => Promise<FileVerdict>): Promise<InboxItem> {
    if (bytes.subarray(0, 1024).indexOf('%PDF-') < 0) throw new KysoError('PDF_NOT_PDF', { path: fileName });
    const file = this.keep(bytes);
    const verdict = await verify(join(this.filesDir, file));
    const d = this.load();
    const item: StoredInbox = { id: randomUUID(), fileName, receivedAt: this.now().toISOString(), incomingNumber: null, status: 'new', reason: null, verdict, file };
    d.inbox.push(item);
    this.save(d);
    const { file: _f, ...out } = item;
    return out;
  }

  inboxPath(id: string): string {
    const item = this.load().inbox.find((x) => x.id === id);
    if (!item) throw new KysoError('DOCUMENT_NOT_FOUND', { id });
    return join(this.filesDir, item.file);
  }

  decideIncoming(id: string, decision: { accept: true } | { accept: false; reason: string }): InboxItem {
    const d = this.load();
    const item = d.inbox.find((x) => x.id === id);
    if (!item) throw new KysoError('DOCUMENT_NOT_FOUND', { id });
    if (item.status !== 'new') throw new KysoError('INBOX_ALREADY_DECIDED', { status: item.status });
    if (decision.accept) {
      // Số đến: from 1 on 1 January, unique in the year's incoming register (NĐ30 Đ22).
      const year = String(vn(this.now()).getUTCFullYear());
      d.incoming[year] = (d.incoming[year] ?? 0) + 1;
      item.incomingNumber = d.incoming[year]!;
      item.status = 'accepted';
    } else {
      item.status = 'rejected';
      item.reason = decision.reason;
    }
    this.save(d);
    const { file: _f, ...out } = item;
    return out;
  }

  // -- archive --------------------------------------------------------------------------------

  archive(o: { source: 'outgoing' | 'incoming'; sourceId: string; recordCode: string; recordTitle: string; retention: string }): ArchiveEntry {
    const d = this.load();
    let entry: ArchiveEntry;
    if (o.source === 'outgoing') {
      const doc = this.doc(d, o.sourceId);
      entry = { id: randomUUID(), ...o, title: doc.title, number: doc.number, signers: doc.signatures.map((s) => s.signer), date: doc.issuedAt ?? doc.updatedAt };
    } else {
      const item = d.inbox.find((x) => x.id === o.sourceId);
      if (!item) throw new KysoError('DOCUMENT_NOT_FOUND', { id: o.sourceId });
      const signers = item.verdict.signatures.map((s) => s.signer?.commonName ?? '?');
      entry = { id: randomUUID(), ...o, title: item.fileName, number: null, signers, date: item.receivedAt };
    }
    d.archive.push(entry);
    this.save(d);
    return entry;
  }

  searchArchive(text: string): ArchiveEntry[] {
    const fold = (s: string) => s.normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/đ/g, 'd').replace(/Đ/g, 'D').toLowerCase();
    const needle = fold(text.trim());
    return this.load()
      .archive.filter((e) => !needle || fold([e.title, e.number ?? '', e.recordCode, e.recordTitle, ...e.signers, e.date.slice(0, 10)].join(' ')).includes(needle))
      .sort((a, b) => b.date.localeCompare(a.date));
  }

  archiveEntry(id: string): { entry: ArchiveEntry; path: string } {
    const entry = this.load().archive.find((x) => x.id === id);
    if (!entry) throw new KysoError('DOCUMENT_NOT_FOUND', { id });
    return { entry, path: entry.source === 'outgoing' ? this.documentPath(entry.sourceId) : this.inboxPath(entry.sourceId) };
  }
}
