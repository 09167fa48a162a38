// What every part of the desk works with: the store, who is acting, the clock, how files are
// verified; and the one way a refusal is recorded (one audit entry, nothing else) and thrown.
import type { DocumentSummary } from '../../shared/contract.js';
import { KysoError, toKysoError } from '../../shared/errors.js';
import { activeSignatures, getRevision, type DocumentRow, type RevisionRow } from '../store/documents.js';
import type { Store } from '../store/store.js';
import type { FileReport, SignatureReport } from '../verify/verify.js';
import type { Signer } from '../cms/signer.js';
import type { SignerCheck } from '../trust/signer-check.js';
import type { ChainResult } from '../verify/chain.js';
import { nextRole, type SendRules } from './rules.js';
import type { SealTools } from './seal.js';

export interface DeskContext {
  store: Store;
  /** Who uses this Kyso (the OS account by default): recorded in the audit log. */
  actor: string;
  now(): Date;
  /** Verifies a PDF with the configured trust anchors, CRLs and revocation policy. */
  verify(path: string): Promise<FileReport>;
  /**
   * Checks the signer's certificate before the token signs (TT 15/2025) and completes its chain:
   * throws CERT_REVOKED; what it returns goes into the signature.
   */
  checkSigner?(signer: Signer): Promise<SignerCheck>;
  /**
   * Judges a certificate as PDF signers are judged (trust store, CRLs, OCSP): used for the
   * signer of a received package's envelope. Absent: envelope certificates are not judged.
   */
  judgeCertificate?(signer: Buffer, pool: Buffer[], at: Date): Promise<ChainResult>;
  sendRules: SendRules;
  /** What sealing archived files needs (TSA, validation data); throws ARCHIVE_TSA_MISSING without a TSA. */
  sealTools?(): SealTools;
}

export const docSubject = (id: number): string => `document:${id}`;
export const inboxSubject = (id: number): string => `inbox:${id}`;

/** Errors already in the audit log (a refusal), so that an outer handler does not record them twice. */
const audited = new WeakSet<object>();

/** Records a refusal (one audit entry; nothing else changes) and throws it. */
export function refuse(ctx: DeskContext, action: string, subject: string | null, error: KysoError, details: Record<string, unknown> = {}): never {
  ctx.store.audit({ at: ctx.now().toISOString(), actor: ctx.actor, action: `${action}.refused`, subject, details: { code: error.code, ...error.details, ...details } });
  audited.add(error);
  throw error;
}

/** Records a failure of a step that was allowed (token, file, placement…) and rethrows it. */
export function failed(ctx: DeskContext, action: string, subject: string | null, e: unknown, details: Record<string, unknown> = {}): never {
  const err = toKysoError(e);
  if (typeof e === 'object' && e !== null && audited.has(e)) throw err;
  audited.add(err);
  try {
    ctx.store.audit({ at: ctx.now().toISOString(), actor: ctx.actor, action: `${action}.failed`, subject, details: { code: err.code, ...err.details, ...details } });
  } catch {
    // The failure itself is what the person must see.
  }
  throw err;
}

/** Parses an id given as text ("12") into the row id. */
export function parseId(id: string | number): number {
  const n = typeof id === 'number' ? id : /^\d+$/.test(id.trim()) ? Number(id.trim()) : NaN;
  if (!Number.isSafeInteger(n) || n <= 0) throw new KysoError('DOCUMENT_NOT_FOUND', { id: String(id) });
  return n;
}

/** The revision a document stands at now (its file is what the screens show and sign). */
function currentRevision(db: Store['db'], doc: DocumentRow): RevisionRow {
  if (doc.current_revision_id === null) throw new KysoError('INTERNAL', { reason: `document ${doc.id} has no revision` });
  return getRevision(db, doc.current_revision_id);
}

export function summary(ctx: DeskContext, doc: DocumentRow): DocumentSummary {
  const sigs = activeSignatures(ctx.store.db, doc);
  const file = currentRevision(ctx.store.db, doc);
  return {
    id: String(doc.id),
    title: doc.title,
    fileName: doc.file_name,
    method: doc.method,
    urgency: doc.urgency,
    state: doc.state,
    nextRole: doc.state === 'issued' ? null : nextRole(doc.method, sigs.length),
    number: doc.number_symbol,
    issueDate: doc.issue_date,
    signatures: sigs.map((s) => ({ role: s.role, signer: s.signer_cn, at: s.signed_at })),
    comment: doc.comment,
    createdAt: doc.created_at,
    updatedAt: doc.updated_at,
    sha256: file.sha256,
    size: file.size,
  };
}

/**
 * Whether an earlier signature still stands for the next signer: intact, trusted chain, certificate
 * valid. Revocation that cannot be checked (offline, no CRL) is accepted with a warning, as the
 * rules ask (TT 15/2025: warn when unknown).
 */
export function signatureStands(r: SignatureReport): { ok: true; warning?: string } | { ok: false } {
  if (r.integrity !== 'valid' || r.modificationsAfter === 'disallowed') return { ok: false };
  if (r.indication === 'TOTAL_PASSED') return { ok: true };
  if (r.indication === 'INDETERMINATE' && r.subIndication === 'TRY_LATER') return { ok: true, warning: 'revocation-unknown' };
  return { ok: false };
}

/** The details of SIGNATURE_REQUIRED_INVALID for one signature's report. */
export function invalidDetails(r: SignatureReport): Record<string, string> {
  return { indication: `${r.indication}${r.subIndication ? '/' + r.subIndication : ''}`, reasonVi: r.messages.vi, reasonEn: r.messages.en };
}
