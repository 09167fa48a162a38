// Rows of the signing desk: documents, their revisions and signatures, attachments, and the
// people and certificates that signed. Plain functions over a connection; the workflow calls them
// inside its transactions.
import { createHash } from 'node:crypto';
import type Database from 'better-sqlite3';
import { prep } from './sql.js';
import { KysoError } from '../../shared/errors.js';

export type DocState = 'draft' | 'initialled' | 'approved' | 'issued' | 'returned';
export type UrgencyValue = 'normal' | 'urgent' | 'very-urgent' | 'flash';
export type SecrecyValue = 'none' | 'mat' | 'toi-mat' | 'tuyet-mat';
export type StepName = 'import' | 'drafter' | 'leader' | 'org';
export type SignatureRoleValue = 'drafter' | 'leader' | 'org';

export interface DocumentRow {
  id: number;
  title: string;
  doc_type: string | null;
  file_name: string;
  method: 1 | 2 | 3;
  state: DocState;
  urgency: UrgencyValue;
  secrecy: SecrecyValue;
  paper_copy_required: 0 | 1;
  number_seq: number | null;
  number_symbol: string | null;
  issue_date: string | null;
  issue_year: number | null;
  issued_at: string | null;
  round: number;
  current_revision_id: number | null;
  comment: string | null;
  created_at: string;
  updated_at: string;
}

export interface RevisionRow {
  id: number;
  document_id: number;
  seq: number;
  round: number;
  step: StepName;
  sha256: string;
  size: number;
  file_name: string;
  created_at: string;
}

export interface SignatureRow {
  id: number;
  revision_id: number;
  document_id: number;
  idx: number;
  role: SignatureRoleValue;
  field: string;
  certificate_id: number | null;
  signer_cn: string;
  signer_org: string | null;
  signer_serial: string;
  signed_at: string;
  indication: string | null;
  report_json: string | null;
  verified_at: string | null;
}

export interface AttachmentRow {
  id: number;
  document_id: number;
  seq: number;
  name: string;
  source_sha256: string;
  source_name: string;
  pdf_sha256: string;
  signed_sha256: string | null;
  signed_size: number | null;
  field: string | null;
  certificate_id: number | null;
  signer_cn: string | null;
  signed_at: string | null;
  indication: string | null;
  report_json: string | null;
  created_at: string;
}

export function getDocument(db: Database.Database, id: number): DocumentRow {
  const row = prep(db, 'SELECT * FROM documents WHERE id = ?').get(id) as DocumentRow | undefined;
  if (!row) throw new KysoError('DOCUMENT_NOT_FOUND', { id: String(id) });
  return row;
}

export function findDocument(db: Database.Database, id: number): DocumentRow | undefined {
  return prep(db, 'SELECT * FROM documents WHERE id = ?').get(id) as DocumentRow | undefined;
}

export function listDocumentRows(db: Database.Database, o: { limit?: number; offset?: number } = {}): DocumentRow[] {
  return prep(db, 
      `SELECT * FROM documents ORDER BY state = 'issued',
         CASE urgency WHEN 'flash' THEN 0 WHEN 'very-urgent' THEN 1 WHEN 'urgent' THEN 2 ELSE 3 END, updated_at DESC, id DESC
       LIMIT ? OFFSET ?`,
    )
    .all(o.limit ?? 1000, o.offset ?? 0) as DocumentRow[];
}

export function insertDocument(
  db: Database.Database,
  d: { title: string; docType: string | null; fileName: string; method: 1 | 2 | 3; urgency: UrgencyValue; secrecy: SecrecyValue; paperCopy: boolean; at: string },
): number {
  const r = prep(db, 
      `INSERT INTO documents (title, doc_type, file_name, method, state, urgency, secrecy, paper_copy_required, created_at, updated_at)
       VALUES (?, ?, ?, ?, 'draft', ?, ?, ?, ?, ?)`,
    )
    .run(d.title, d.docType, d.fileName, d.method, d.urgency, d.secrecy, d.paperCopy ? 1 : 0, d.at, d.at);
  return Number(r.lastInsertRowid);
}

export function updateDocument(db: Database.Database, id: number, patch: Partial<Omit<DocumentRow, 'id' | 'created_at'>>): void {
  const keys = Object.keys(patch).filter((k) => (patch as Record<string, unknown>)[k] !== undefined);
  if (keys.length === 0) return;
  const sql = `UPDATE documents SET ${keys.map((k) => `${k} = @${k}`).join(', ')} WHERE id = @id`;
  prep(db, sql).run({ ...patch, id });
}

export function insertRevision(
  db: Database.Database,
  r: { documentId: number; round: number; step: StepName; sha256: string; size: number; fileName: string; at: string },
): RevisionRow {
  const last = prep(db, 'SELECT MAX(seq) AS s FROM revisions WHERE document_id = ?').get(r.documentId) as { s: number | null };
  const seq = (last.s ?? 0) + 1;
  const res = prep(db, 'INSERT INTO revisions (document_id, seq, round, step, sha256, size, file_name, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
    .run(r.documentId, seq, r.round, r.step, r.sha256, r.size, r.fileName, r.at);
  return { id: Number(res.lastInsertRowid), document_id: r.documentId, seq, round: r.round, step: r.step, sha256: r.sha256, size: r.size, file_name: r.fileName, created_at: r.at };
}

export function getRevision(db: Database.Database, id: number): RevisionRow {
  const row = prep(db, 'SELECT * FROM revisions WHERE id = ?').get(id) as RevisionRow | undefined;
  if (!row) throw new KysoError('INTERNAL', { reason: `revision ${id} not found` });
  return row;
}

export function listRevisions(db: Database.Database, documentId: number): RevisionRow[] {
  return prep(db, 'SELECT * FROM revisions WHERE document_id = ? ORDER BY seq').all(documentId) as RevisionRow[];
}

/** The revision the current round started from: the last imported file of this round. */
export function roundBase(db: Database.Database, doc: DocumentRow): RevisionRow {
  const row = prep(db, "SELECT * FROM revisions WHERE document_id = ? AND step = 'import' AND seq <= (SELECT seq FROM revisions WHERE id = ?) ORDER BY seq DESC LIMIT 1")
    .get(doc.id, doc.current_revision_id) as RevisionRow | undefined;
  if (!row) throw new KysoError('INTERNAL', { reason: `document ${doc.id} has no imported revision` });
  return row;
}

/** Signatures of the document's current round on the main file, in signing order. */
export function activeSignatures(db: Database.Database, doc: DocumentRow): SignatureRow[] {
  return prep(db, 
      `SELECT s.* FROM signatures s JOIN revisions r ON r.id = s.revision_id
       WHERE s.document_id = ? AND r.round = ? ORDER BY r.seq, s.idx`,
    )
    .all(doc.id, doc.round) as SignatureRow[];
}

export function allSignatures(db: Database.Database, documentId: number): SignatureRow[] {
  return prep(db, 'SELECT s.* FROM signatures s JOIN revisions r ON r.id = s.revision_id WHERE s.document_id = ? ORDER BY r.seq, s.idx')
    .all(documentId) as SignatureRow[];
}

export function insertSignature(
  db: Database.Database,
  s: Omit<SignatureRow, 'id'>,
): number {
  const r = prep(db, 
      `INSERT INTO signatures (revision_id, document_id, idx, role, field, certificate_id, signer_cn, signer_org, signer_serial, signed_at, indication, report_json, verified_at)
       VALUES (@revision_id, @document_id, @idx, @role, @field, @certificate_id, @signer_cn, @signer_org, @signer_serial, @signed_at, @indication, @report_json, @verified_at)`,
    )
    .run(s);
  return Number(r.lastInsertRowid);
}

export function updateSignatureReport(db: Database.Database, id: number, r: { indication: string; report_json: string; verified_at: string }): void {
  prep(db, 'UPDATE signatures SET indication = ?, report_json = ?, verified_at = ? WHERE id = ?').run(r.indication, r.report_json, r.verified_at, id);
}

export interface CertificateFacts {
  der: Buffer;
  subject: string;
  commonName: string;
  organisation?: string;
  title?: string;
  serial: string;
  issuer: string;
  notBefore: string;
  notAfter: string;
}

/** The person and certificate rows of a signer, created the first time they are seen. */
export function upsertCertificate(db: Database.Database, c: CertificateFacts, at: string): number {
  const fingerprint = createHash('sha256').update(c.der).digest('hex');
  const found = prep(db, 'SELECT id FROM certificates WHERE fingerprint = ?').get(fingerprint) as { id: number } | undefined;
  if (found) return found.id;
  const org = c.organisation ?? '';
  prep(db, 'INSERT INTO people (name, organisation, title, created_at) VALUES (?, ?, ?, ?) ON CONFLICT (name, organisation) DO NOTHING').run(c.commonName, org, c.title ?? null, at);
  const person = prep(db, 'SELECT id FROM people WHERE name = ? AND organisation = ?').get(c.commonName, org) as { id: number };
  const r = prep(db, 
      `INSERT INTO certificates (person_id, fingerprint, subject, common_name, organisation, serial, issuer, not_before, not_after, der, first_seen)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    )
    .run(person.id, fingerprint, c.subject, c.commonName, c.organisation ?? null, c.serial, c.issuer, c.notBefore, c.notAfter, c.der, at);
  return Number(r.lastInsertRowid);
}

export function listAttachments(db: Database.Database, documentId: number): AttachmentRow[] {
  return prep(db, 'SELECT * FROM attachments WHERE document_id = ? ORDER BY seq').all(documentId) as AttachmentRow[];
}

export function insertAttachment(
  db: Database.Database,
  a: { documentId: number; name: string; sourceSha256: string; sourceName: string; pdfSha256: string; at: string },
): AttachmentRow {
  const last = prep(db, 'SELECT MAX(seq) AS s FROM attachments WHERE document_id = ?').get(a.documentId) as { s: number | null };
  const seq = (last.s ?? 0) + 1;
  const r = prep(db, 'INSERT INTO attachments (document_id, seq, name, source_sha256, source_name, pdf_sha256, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)')
    .run(a.documentId, seq, a.name, a.sourceSha256, a.sourceName, a.pdfSha256, a.at);
  return prep(db, 'SELECT * FROM attachments WHERE id = ?').get(Number(r.lastInsertRowid)) as AttachmentRow;
}

export function setAttachmentSigned(
  db: Database.Database,
  id: number,
  s: { sha256: string; size: number; field: string; certificateId: number; signerCn: string; signedAt: string; indication: string; reportJson: string },
): void {
  const r = prep(db, 
      `UPDATE attachments SET signed_sha256 = ?, signed_size = ?, field = ?, certificate_id = ?, signer_cn = ?, signed_at = ?, indication = ?, report_json = ?
       WHERE id = ? AND signed_sha256 IS NULL`,
    )
    .run(s.sha256, s.size, s.field, s.certificateId, s.signerCn, s.signedAt, s.indication, s.reportJson, id);
  if (r.changes !== 1) throw new KysoError('DOCUMENT_CHANGED', { id: String(id) });
}

/** The highest number given in a year (số văn bản runs from 01 each year, across all symbols). */
export function lastNumberSeq(db: Database.Database, year: number): number {
  // Paper documents share the series (NĐ30 Đ15): outgoing_numbers holds both kinds.
  const r = prep(db, 'SELECT MAX(number_seq) AS n FROM outgoing_numbers WHERE issue_year = ?').get(year) as { n: number | null };
  return r.n ?? 0;
}

export function documentWithNumber(db: Database.Database, year: number, seq: number): DocumentRow | undefined {
  return prep(db, 'SELECT * FROM documents WHERE issue_year = ? AND number_seq = ?').get(year, seq) as DocumentRow | undefined;
}
