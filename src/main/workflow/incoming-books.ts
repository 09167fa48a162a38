// What the clerk does to a received document after accepting it (NĐ30 Đ22): the digital "ĐẾN"
// stamp in a revision signed with the organisation's certificate, later the routing (Chuyển, Lưu
// hồ sơ số) in a further signed revision, the file as it now is, and the warning when the same
// number and symbol has already arrived from the same issuer. The received bytes stay as they
// came; each revision is a new file in the store; every step is in the audit log.
import { rmSync } from 'node:fs';
import { KysoError } from '../../shared/errors.js';
import { describeCertificate } from '../cms/certinfo.js';
import { AtomicFile } from '../io/atomic.js';
import { planIncomingStamp, signIncomingRoute, signIncomingStamp, type StampGeometry } from '../sign/incoming-stamp.js';
import { appendAudit } from '../store/audit.js';
import { earlierArrivals, inboxDuplicates, inboxRevisions, insertInboxRevision, setRouting, type InboxRevisionRow } from '../store/books.js';
import { getInbox, updateInboxMeta, type InboxRow } from '../store/inbox.js';
import { parseIssueDate } from '../appearance/time.js';
import type { FileReport } from '../verify/verify.js';
import { failed, inboxSubject, refuse, type DeskContext } from './context.js';
import { decideIncoming, inboxView, type InboxView } from './inbox.js';
import type { SignerSource } from './steps.js';

export interface IncomingBooksView extends InboxView {
  /** The file as it is now: the last stamped or routed revision, else the one received. */
  currentSha256: string;
  stamped: boolean;
  passedTo: string | null;
  passedAt: string | null;
  recordNumber: string | null;
  revisions: Array<{ seq: number; step: 'stamp' | 'route'; sha256: string; field: string; signer: string; at: string }>;
  /** Received before with the same number, symbol and issuer: shown beside this one. */
  duplicates: Array<{ id: string; receivedAt: string; title: string; incomingNumber: number | null; status: string; sha256: string }>;
  /** Paper arrivals registered with the same number, symbol and issuer. */
  paperDuplicates: Array<{ id: string; receivedAt: string; title: string; incomingNumber: number | null }>;
}

function current(row: InboxRow, revs: InboxRevisionRow[]): string {
  return revs.at(-1)?.sha256 ?? row.sha256;
}

export function incomingBooksView(ctx: DeskContext, id: number): IncomingBooksView {
  const db = ctx.store.db;
  const row = getInbox(db, id) as InboxRow & { passed_to: string | null; passed_at: string | null; record_number: string | null };
  const revs = inboxRevisions(db, id);
  return {
    ...inboxView(row),
    currentSha256: current(row, revs),
    stamped: revs.some((r) => r.step === 'stamp'),
    passedTo: row.passed_to,
    passedAt: row.passed_at,
    recordNumber: row.record_number,
    revisions: revs.map((r) => ({ seq: r.seq, step: r.step, sha256: r.sha256, field: r.field, signer: r.signer_cn, at: r.created_at })),
    duplicates: row.number_symbol
      ? inboxDuplicates(db, id, row.number_symbol, row.sender).map((d) => ({
          id: String(d.id),
          receivedAt: d.received_at,
          title: d.title,
          incomingNumber: d.incoming_number,
          status: d.status,
          sha256: d.sha256,
        }))
      : [],
    paperDuplicates: row.number_symbol
      ? earlierArrivals(db, row.number_symbol, row.sender)
          .filter((d) => d.kind === 'paper')
          .map((d) => ({ id: String(d.id), receivedAt: d.received_at, title: d.title, incomingNumber: d.incoming_number }))
      : [],
  };
}

function openSigner(source: SignerSource): Promise<import('../cms/signer.js').Signer> {
  return typeof source === 'function' ? Promise.resolve().then(() => source()) : Promise.resolve(source);
}

/**
 * The sender's signatures must still stand in the new file, and what came after them must be
 * signatures or annotations only; ours must be intact.
 */
function checkRevision(report: FileReport, field: string): void {
  const mine = report.signatures.find((s) => s.field === field);
  if (!mine || mine.integrity !== 'valid') throw new KysoError('SIGN_RESULT_INVALID', { reason: mine ? mine.messages.en : 'signature not found in the output' });
  for (const s of report.signatures) {
    if (s.field === field) continue;
    if (s.integrity !== 'valid' || s.modificationsAfter === 'disallowed')
      throw new KysoError('SIGN_RESULT_INVALID', { reason: `the sender's signature ${s.field} no longer stands: ${s.messages.en}` });
  }
}

interface SignedRevision {
  sha256: string;
  size: number;
  field: string;
  signer: string;
}

async function signRevision(
  ctx: DeskContext,
  source: SignerSource,
  make: (o: { output: string; signer: import('../cms/signer.js').Signer; chain?: readonly Buffer[]; revocation?: { crls: readonly Buffer[]; ocsps: readonly Buffer[] }; signingTime: Date }) => Promise<{ fieldName: string }>,
  signingTime: Date,
): Promise<SignedRevision> {
  const files = ctx.store.files;
  const out = files.stagingPath();
  try {
    const signer = await openSigner(source);
    const check = await ctx.checkSigner?.(signer);
    const r = await make({ output: out, signer, ...(check ? { chain: check.chain, revocation: check.revocation } : {}), signingTime });
    const stored = await files.adopt(out);
    checkRevision(await ctx.verify(files.require(stored.sha256)), r.fieldName);
    return { sha256: stored.sha256, size: stored.size, field: r.fieldName, signer: describeCertificate(signer.certificate).commonName };
  } finally {
    rmSync(out, { force: true });
  }
}

/** Draws the incoming stamp on an accepted document, signed by the organisation. */
export async function stampIncoming(ctx: DeskContext, id: number, source: SignerSource, o: { organisation?: string } = {}): Promise<IncomingBooksView> {
  const db = ctx.store.db;
  const subject = inboxSubject(id);
  let row: InboxRow;
  try {
    row = getInbox(db, id);
  } catch (e) {
    refuse(ctx, 'inbox.stamp', subject, e as KysoError);
  }
  if (row.status !== 'accepted' || row.incoming_number === null) refuse(ctx, 'inbox.stamp', subject, new KysoError('INBOX_NOT_ACCEPTED', { id: String(id) }));
  const revs = inboxRevisions(db, id);
  if (revs.some((r) => r.step === 'stamp')) refuse(ctx, 'inbox.stamp', subject, new KysoError('INBOX_ALREADY_STAMPED', { id: String(id) }));
  try {
    const input = ctx.store.files.require(current(row, revs));
    const geometry = await planIncomingStamp(input);
    const at = ctx.now();
    const signed = await signRevision(
      ctx,
      source,
      (s) =>
        signIncomingStamp({
          input,
          ...s,
          reason: 'Tiếp nhận văn bản đến',
          geometry,
          content: {
            organisation: o.organisation ?? describeCertificate(s.signer.certificate).commonName,
            incomingNumber: row.incoming_number!,
            arrivedAt: new Date(row.decided_at ?? row.received_at),
          },
        }).then((r) => ({ fieldName: r.fieldName })),
      at,
    );
    ctx.store.tx(() => {
      insertInboxRevision(db, { inbox_id: id, step: 'stamp', sha256: signed.sha256, size: signed.size, field: signed.field, signer_cn: signed.signer, stamp_json: JSON.stringify(geometry), created_at: at.toISOString() });
      appendAudit(db, {
        at: at.toISOString(),
        actor: ctx.actor,
        action: 'inbox.stamped',
        subject,
        details: { incomingNumber: row.incoming_number, sha256: signed.sha256, field: signed.field, signer: signed.signer, page: geometry.page + 1, anchor: geometry.anchor, size: [Math.round(geometry.width), Math.round(geometry.height)] },
      });
    });
  } catch (e) {
    failed(ctx, 'inbox.stamp', subject, e);
  }
  return incomingBooksView(ctx, id);
}

/** Accepts (số đến) and stamps. The place for the stamp is checked first, so a page without room is refused before a number is given. */
export async function acceptAndStamp(ctx: DeskContext, id: number, source: SignerSource, o: { organisation?: string } = {}): Promise<IncomingBooksView> {
  const row = getInbox(ctx.store.db, id);
  if (row.status === 'new') {
    try {
      await planIncomingStamp(ctx.store.files.require(row.sha256));
    } catch (e) {
      refuse(ctx, 'inbox.accept', inboxSubject(id), e instanceof KysoError ? e : new KysoError('PDF_MALFORMED', { reason: String(e) }));
    }
  }
  decideIncoming(ctx, id, { accept: true });
  return stampIncoming(ctx, id, source, o);
}

/**
 * Chuyển (passed on to) and Lưu hồ sơ số (record): kept in the register, and on a stamped
 * document written into the stamp by a further signed revision.
 */
export async function routeIncoming(ctx: DeskContext, id: number, r: { passedTo?: string; recordNumber?: string }, source?: SignerSource): Promise<IncomingBooksView> {
  const db = ctx.store.db;
  const subject = inboxSubject(id);
  const row = getInbox(db, id) as InboxRow & { passed_to: string | null; record_number: string | null };
  if (row.status !== 'accepted') refuse(ctx, 'inbox.route', subject, new KysoError('INBOX_NOT_ACCEPTED', { id: String(id) }));
  const passedTo = r.passedTo?.trim() || row.passed_to;
  const recordNumber = r.recordNumber?.trim() || row.record_number;
  if (!r.passedTo?.trim() && !r.recordNumber?.trim()) throw new KysoError('USAGE', { reason: 'give --to (Chuyển) or --record (Lưu hồ sơ số)' });
  const revs = inboxRevisions(db, id);
  const stamp = revs.find((x) => x.step === 'stamp');
  const at = ctx.now();
  let signed: SignedRevision | undefined;
  if (stamp) {
    if (!source) throw new KysoError('USAGE', { reason: 'the stamped document is filled in by a signed revision: give --token and --pin-env' });
    const geometry = JSON.parse(stamp.stamp_json) as StampGeometry;
    const input = ctx.store.files.require(current(row, revs));
    try {
      signed = await signRevision(
        ctx,
        source,
        (s) => signIncomingRoute({ input, ...s, reason: 'Chuyển văn bản đến', geometry, passedTo: passedTo ?? undefined, recordNumber: recordNumber ?? undefined }),
        at,
      );
    } catch (e) {
      failed(ctx, 'inbox.route', subject, e);
    }
  }
  ctx.store.tx(() => {
    if (signed) insertInboxRevision(db, { inbox_id: id, step: 'route', sha256: signed.sha256, size: signed.size, field: signed.field, signer_cn: signed.signer, stamp_json: stamp!.stamp_json, created_at: at.toISOString() });
    setRouting(db, id, { passedTo: passedTo ?? null, passedAt: r.passedTo?.trim() ? at.toISOString() : ((row as unknown as { passed_at: string | null }).passed_at ?? null), recordNumber: recordNumber ?? null });
    appendAudit(db, { at: at.toISOString(), actor: ctx.actor, action: 'inbox.routed', subject, details: { passedTo, recordNumber, sha256: signed?.sha256 ?? null, field: signed?.field ?? null } });
  });
  return incomingBooksView(ctx, id);
}

/** Writes the received document as it now is (stamped, routed) to a file of the clerk's choice. */
export async function exportIncoming(ctx: DeskContext, id: number, output: string): Promise<{ output: string; sha256: string }> {
  const row = getInbox(ctx.store.db, id);
  const sha = current(row, inboxRevisions(ctx.store.db, id));
  const src = ctx.store.files.require(sha);
  const f = await AtomicFile.fromCopy(src, output);
  try {
    await f.commit();
  } catch (e) {
    f.abort();
    throw e;
  }
  if (!(await ctx.store.files.check(sha))) throw new KysoError('STORE_FILE_DAMAGED', { path: src, sha256: sha });
  return { output, sha256: sha };
}

export interface IncomingEdit {
  /** Trích yếu. */
  title?: string;
  numberSymbol?: string;
  /** yyyy-mm-dd; "" clears it. */
  issueDate?: string;
  /** Tác giả: the issuing organisation. */
  sender?: string;
  /** Tên loại: "Quyết định", "Công văn"; "" clears it. */
  docType?: string;
}

/**
 * The clerk corrects what the register shows of a received document (before or after accepting):
 * each field changed is in one audit entry with its value before and after. Nothing else changes:
 * the received bytes, the số đến and the stamp stay as they are.
 */
export function editIncoming(ctx: DeskContext, id: number, e: IncomingEdit): IncomingBooksView {
  const db = ctx.store.db;
  const subject = inboxSubject(id);
  let row: InboxRow;
  try {
    row = getInbox(db, id);
  } catch (err) {
    refuse(ctx, 'inbox.edit', subject, err as KysoError);
  }
  const clean = (s: string | undefined): string | null | undefined => (s === undefined ? undefined : s.normalize('NFC').replace(/\s+/g, ' ').trim() || null);
  const title = clean(e.title);
  if (title === null) throw new KysoError('USAGE', { reason: '--title cannot be empty' });
  const number = e.numberSymbol === undefined ? undefined : e.numberSymbol.normalize('NFC').replace(/\s+/g, '') || null;
  const issueDate = e.issueDate === undefined ? undefined : e.issueDate.trim() ? parseIssueDate(e.issueDate).iso : null;
  const next = {
    title: title ?? row.title,
    number_symbol: number === undefined ? row.number_symbol : number,
    issue_date: issueDate === undefined ? row.issue_date : issueDate,
    sender: clean(e.sender) === undefined ? row.sender : clean(e.sender)!,
    doc_type: clean(e.docType) === undefined ? (row.doc_type ?? null) : clean(e.docType)!,
  };
  const changes: Record<string, { from: string | null; to: string | null }> = {};
  for (const k of Object.keys(next) as Array<keyof typeof next>) {
    const before = (row as unknown as Record<string, string | null>)[k] ?? null;
    if (before !== next[k]) changes[k] = { from: before, to: next[k] };
  }
  if (Object.keys(changes).length === 0) return incomingBooksView(ctx, id);
  const at = ctx.now();
  ctx.store.tx(() => {
    updateInboxMeta(db, id, next);
    appendAudit(db, { at: at.toISOString(), actor: ctx.actor, action: 'inbox.edited', subject, details: { changes } });
  });
  return incomingBooksView(ctx, id);
}
