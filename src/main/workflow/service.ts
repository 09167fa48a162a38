// The clerk's desk over the local store: the one service the screens (IPC, web) and the command
// line call. Documents through the three signing methods, the inbox, the outbox, the archive and
// the audit log. The app's service table (src/main/api/services.ts) and the desk commands
// (src/main/cli/desk*.ts) open the same data folder, so both see one desk; answers are in the
// contract's types where they fit (src/shared/contract.ts), with a few more facts beside them.
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { KysoError } from '../../shared/errors.js';
import { tsaDigestTimestamper } from '../sign/timestamp.js';
import type { SealTools } from './seal.js';
import { appraise, dueForAppraisal, renewalReport, renewDue, retentionOf, sealEntry, sealUnsealed, type RenewalItem, type RetentionView, type SealView } from './archive-keep.js';
import { exportRecord, type ExportResult } from './package-export.js';
import type { ArchiveEntry, DocumentSummary, FileVerdict, Method, Role, Urgency } from '../../shared/contract.js';
import { listAudit, verifyAudit, type AuditEntry, type AuditVerification } from '../store/audit.js';
import { getDocument, listDocumentRows } from '../store/documents.js';
import type { InboxQuery } from '../store/inbox.js';
import { Store } from '../store/store.js';
import { validateCertificate, type TrustStore } from '../verify/chain.js';
import { verifyPdf, type FileReport } from '../verify/verify.js';
import type { Signer } from '../cms/signer.js';
import { checkSignerCertificate, type SignerCheck, type SignerWarning } from '../trust/signer-check.js';
import { catalogueCertificates } from '../trust/catalogue.js';
import { dataFolderCertificates } from './certs.js';
import { archiveEntry, archiveRecords, fileInArchive, searchArchive, type ArchiveRequest } from './archive.js';
import { parseId, summary, type DeskContext } from './context.js';
import {
  addDocument,
  attachFile,
  currentPath,
  exportDocument,
  returnDocument,
  reviseDocument,
  showDocument,
  type AttachmentView,
  type DocumentDetails,
  type NewDocument,
} from './documents.js';
import { decideIncoming, importIncoming, importIncomingPath, inboxPath, listInbox, type ImportResult, type IncomingMeta, type InboxView } from './inbox.js';
import { listOutbox, markSent, recall, type OutboxView } from './outbox.js';
import { DEFAULT_SEND_RULES, type SendRules } from './rules.js';
import { checkStep, signBatch, signStep, type BatchProgress, type BatchResult, type SignerSource, type StepRequest } from './steps.js';
import { fileVerdict } from './verdict.js';
import { filterRegister, register, registerPaper, registerPaperIncoming, type PaperArrival, type PaperDocument, type Register, type RegisterKind } from './registers.js';
import type { EarlierArrivalRow, PaperDocumentRow, PaperIncomingRow } from '../store/books.js';
import { exchangeReport, type ExchangeReport } from './exchange-report.js';
import { registerBook, reportBook, storeBook, writeBook } from './books-output.js';
import { exportCopy, listCopyViews, makeCopy, type CopyRequest, type CopyView } from './copies.js';
import { acceptAndStamp, editIncoming, exportIncoming, incomingBooksView, routeIncoming, stampIncoming, type IncomingBooksView, type IncomingEdit } from './incoming-books.js';

export type { IncomingBooksView, Register, RegisterKind, ExchangeReport, CopyView, PaperDocument };
export type { AttachmentView, BatchProgress, BatchResult, DocumentDetails, ImportResult, IncomingMeta, InboxView, NewDocument, OutboxView, SignerSource, StepRequest };

export interface WorkflowOptions {
  /** The data folder: kyso.db and files/ are kept there. */
  dataDir: string;
  /** Trusted roots for verification (read again at each verification, so settings apply at once). */
  trust: () => TrustStore;
  /** Revocation lists loaded by hand. */
  crls?: () => Buffer[];
  /** May fetch CRLs and OCSP answers named in certificates (a function: read at each verification). */
  online?: boolean | (() => boolean);
  cacheDir?: string;
  verifyTimeoutMs?: number;
  /** Who acts (the audit log's actor); default the OS account. */
  actor?: string;
  now?: () => Date;
  sendRules?: SendRules;
  /** Told the warnings of the signer's certificate check (revocation unknown, no trusted path). */
  onSignerWarnings?: (warnings: SignerWarning[]) => void;
  /** The TSA that seals archived files (settings, KYSO_TSA_URL, --tsa). */
  tsaUrl?: () => string | undefined;
}

function osUser(): string {
  try {
    return userInfo().username;
  } catch {
    return 'unknown';
  }
}

export class WorkflowService {
  readonly store: Store;
  private readonly ctx: DeskContext;
  private readonly signerChecks = new WeakMap<Signer, Promise<SignerCheck>>();

  private constructor(o: WorkflowOptions) {
    this.store = Store.open(o.dataDir);
    const now = o.now ?? (() => new Date());
    this.ctx = {
      store: this.store,
      actor: o.actor ?? osUser(),
      now,
      sendRules: o.sendRules ?? DEFAULT_SEND_RULES,
      verify: (path: string): Promise<FileReport> =>
        verifyPdf(path, {
          trust: o.trust(),
          crls: o.crls?.() ?? [],
          extraCerts: [...dataFolderCertificates(o.dataDir), ...catalogueCertificates().intermediates],
          online: typeof o.online === 'function' ? o.online() : (o.online ?? false),
          cacheDir: o.cacheDir,
          timeoutMs: o.verifyTimeoutMs ?? 5000,
          now: now(),
        }),
      sealTools: (): SealTools => {
        const url = o.tsaUrl?.() ?? process.env.KYSO_TSA_URL;
        if (!url) throw new KysoError('ARCHIVE_TSA_MISSING', {});
        return {
          tsaUrl: url,
          tsa: tsaDigestTimestamper({ url }),
          gather: {
            trust: o.trust(),
            crls: o.crls?.() ?? [],
            extraCerts: [...dataFolderCertificates(o.dataDir), ...catalogueCertificates().intermediates],
            online: typeof o.online === 'function' ? o.online() : (o.online ?? false),
            cacheDir: o.cacheDir ?? join(o.dataDir, 'cache', 'revocation'),
            timeoutMs: o.verifyTimeoutMs ?? 5000,
          },
        };
      },
      judgeCertificate: (signer: Buffer, pool: Buffer[], at: Date) =>
        validateCertificate({
          signer,
          pool: [...pool, ...dataFolderCertificates(o.dataDir), ...catalogueCertificates().intermediates],
          trust: o.trust(),
          at,
          now: now(),
          revocation: {
            crls: o.crls?.() ?? [],
            ocsps: [],
            online: typeof o.online === 'function' ? o.online() : (o.online ?? false),
            cacheDir: o.cacheDir,
            timeoutMs: o.verifyTimeoutMs ?? 5000,
          },
        }),
      checkSigner: (signer: Signer): Promise<SignerCheck> => {
        // Once per token session: a batch signs many documents with one certificate.
        let check = this.signerChecks.get(signer);
        if (!check) {
          const online = typeof o.online === 'function' ? o.online() : (o.online ?? false);
          check = checkSignerCertificate({
            certificate: signer.certificate,
            tokenChain: signer.chain,
            extraCerts: dataFolderCertificates(o.dataDir),
            trust: o.trust(),
            crls: o.crls?.() ?? [],
            online,
            cacheDir: o.cacheDir,
            now: now(),
          }).then((r) => {
            o.onSignerWarnings?.(r.warnings);
            return r;
          });
          this.signerChecks.set(signer, check);
          check.catch(() => this.signerChecks.delete(signer));
        }
        return check;
      },
    };
  }

  static open(o: WorkflowOptions): WorkflowService {
    return new WorkflowService(o);
  }

  get dataDir(): string {
    return this.store.dataDir;
  }

  /** The desk's context, for the exchange engine that works beside the workflow. */
  get context(): DeskContext {
    return this.ctx;
  }

  close(): void {
    this.store.close();
  }

  // -- documents ------------------------------------------------------------------------------

  /** Adds a draft (or, for method 1, the scanned original). State secrets are refused. */
  addDocument(o: NewDocument): ReturnType<typeof addDocument> {
    return addDocument(this.ctx, o);
  }

  /** A file sent from the screen: an upload of Kyso's own (its temporary file is moved into the store). */
  importDocument(o: { fileName: string; upload: string; title: string; method: Method; urgency: Urgency }): Promise<DocumentSummary> {
    const { upload, ...rest } = o;
    return addDocument(this.ctx, { ...rest, path: upload, move: true });
  }

  /** Documents on the desk: unissued first, most urgent first, then the latest changed. */
  listDocuments(o: { limit?: number; offset?: number } = {}): DocumentSummary[] {
    return listDocumentRows(this.store.db, o).map((d) => summary(this.ctx, d));
  }

  getDocument(id: string | number): DocumentSummary {
    return summary(this.ctx, getDocument(this.store.db, parseId(id)));
  }

  /** Everything about one document; with verify, its current file is verified now. */
  showDocument(id: string | number, o: { verify?: boolean } = {}): Promise<DocumentDetails> {
    return showDocument(this.ctx, parseId(id), o);
  }

  /** The current revision's file in the store (read-only). */
  documentPath(id: string | number): string {
    return currentPath(this.ctx, getDocument(this.store.db, parseId(id)));
  }

  exportDocument(id: string | number, output: string): Promise<{ output: string; sha256: string; size: number }> {
    return exportDocument(this.ctx, parseId(id), output);
  }

  reviseDocument(id: string | number, o: { path?: string; bytes?: Buffer; fileName?: string }): Promise<DocumentSummary> {
    return reviseDocument(this.ctx, parseId(id), o);
  }

  attach(id: string | number, o: { path: string; name?: string }): Promise<AttachmentView> {
    return attachFile(this.ctx, parseId(id), o);
  }

  /** Refuses a step that may not run (audited once), before the token is asked for. */
  async checkStep(id: string | number, req: StepRequest | Role): Promise<DocumentSummary> {
    const r = typeof req === 'string' ? { role: req } : req;
    const c = await checkStep(this.ctx, parseId(id), r);
    return summary(this.ctx, c.doc);
  }

  /** One signing step; the signer source is opened only once the checks have passed. */
  signStep(id: string | number, req: StepRequest, signer: SignerSource): Promise<DocumentSummary> {
    return signStep(this.ctx, parseId(id), req, signer);
  }

  /** Many documents, one token session; progress after each; a failure does not stop the rest. */
  signBatch(
    ids: Array<string | number>,
    req: Omit<StepRequest, 'number'> & { numbers?: Record<string, string> },
    signer: SignerSource,
    onProgress?: (p: BatchProgress) => void,
  ): Promise<BatchResult[]> {
    return signBatch(this.ctx, ids.map(parseId), req, signer, onProgress);
  }

  /** The leader sends the draft back to the drafter, with a comment. */
  returnDocument(id: string | number, comment: string): DocumentSummary {
    return returnDocument(this.ctx, parseId(id), comment);
  }

  async verifyDocument(id: string | number): Promise<FileVerdict> {
    const d = await showDocument(this.ctx, parseId(id), { verify: true });
    return d.verdict!;
  }

  /** Verifies any file with the desk's trust settings. */
  async verifyFile(path: string): Promise<FileVerdict> {
    return fileVerdict(await this.ctx.verify(path), this.ctx.now());
  }

  // -- outbox ---------------------------------------------------------------------------------

  listOutbox(now?: Date): OutboxView[] {
    return listOutbox(this.ctx, now);
  }

  markSent(id: string | number, recipients?: string[]): OutboxView {
    return markSent(this.ctx, parseId(id), recipients);
  }

  recall(id: string | number, reason: string): OutboxView {
    return recall(this.ctx, parseId(id), reason);
  }

  // -- inbox ----------------------------------------------------------------------------------

  listInbox(q: InboxQuery = {}): InboxView[] {
    return listInbox(this.ctx, q);
  }

  /** A received file's bytes, from the screen (verified by the desk itself). */
  importIncoming(fileName: string, bytes: Buffer, meta: IncomingMeta = {}): Promise<InboxView> {
    return importIncoming(this.ctx, { fileName, bytes }, meta);
  }

  /** A received file sent from the screen: an upload of Kyso's own, moved into the store. */
  importIncomingUpload(fileName: string, upload: string, meta: IncomingMeta = {}): Promise<InboxView> {
    return importIncoming(this.ctx, { fileName, path: upload, move: true }, meta);
  }

  /** A received file, or every PDF of a folder. */
  importIncomingPath(path: string, meta: IncomingMeta = {}): Promise<ImportResult[]> {
    return importIncomingPath(this.ctx, path, meta);
  }

  inboxPath(id: string | number): string {
    return inboxPath(this.ctx, parseId(id));
  }

  /** The clerk corrects the register's fields of a received document (audited). */
  editIncoming(id: string | number, e: IncomingEdit): IncomingBooksView {
    return editIncoming(this.ctx, parseId(id), e);
  }

  /** A received document with its stamp, routing and duplicates (the books' view). */
  incomingBooks(id: string | number): IncomingBooksView {
    return incomingBooksView(this.ctx, parseId(id));
  }

  /** Accepts (số đến) and draws the "ĐẾN" stamp, signed by the organisation. */
  acceptAndStamp(id: string | number, signer: SignerSource, o: { organisation?: string } = {}): Promise<IncomingBooksView> {
    return acceptAndStamp(this.ctx, parseId(id), signer, o);
  }

  stampIncoming(id: string | number, signer: SignerSource, o: { organisation?: string } = {}): Promise<IncomingBooksView> {
    return stampIncoming(this.ctx, parseId(id), signer, o);
  }

  /** Chuyển and Lưu hồ sơ số; on a stamped document, in a further signed revision. */
  routeIncoming(id: string | number, r: { passedTo?: string; recordNumber?: string }, signer?: SignerSource): Promise<IncomingBooksView> {
    return routeIncoming(this.ctx, parseId(id), r, signer);
  }

  exportIncoming(id: string | number, output: string): Promise<{ output: string; sha256: string }> {
    return exportIncoming(this.ctx, parseId(id), output);
  }

  decideIncoming(id: string | number, decision: { accept: true } | { accept: false; reason: string }): InboxView {
    return decideIncoming(this.ctx, parseId(id), decision);
  }

  // -- books: registers, paper documents, copies, the exchange report -------------------------

  /** The outgoing or incoming register of a year, optionally filtered by words. */
  register(kind: RegisterKind, year: number, o: { organisation?: string; search?: string } = {}): Register {
    return filterRegister(register(this.ctx, kind, year, o.organisation ?? ''), o.search);
  }

  exportRegister(kind: RegisterKind, year: number, output: string, o: { organisation?: string } = {}): Promise<{ output: string; format: 'pdf' | 'xlsx'; size: number }> {
    const r = register(this.ctx, kind, year, o.organisation ?? '');
    return writeBook(this.ctx, registerBook(r), output, { book: `register-${kind}`, year, rows: r.rows.length });
  }

  /** The register of a year as a file for the app's download, kept in DATA/exports by its SHA-256. */
  storeRegister(kind: RegisterKind, year: number, format: 'pdf' | 'xlsx', o: { organisation?: string } = {}): Promise<{ sha256: string; size: number; path: string }> {
    const r = register(this.ctx, kind, year, o.organisation ?? '');
    return storeBook(this.ctx, registerBook(r), join(this.dataDir, 'exports'), format, { book: `register-${kind}`, year, rows: r.rows.length });
  }

  /** The exchange report of a period as a file for the app's download. */
  storeReport(from: string, to: string, format: 'pdf' | 'xlsx', o: { organisation?: string } = {}): Promise<{ sha256: string; size: number; path: string }> {
    const rep = exchangeReport(this.ctx, from, to);
    return storeBook(this.ctx, reportBook(rep, o.organisation ?? ''), join(this.dataDir, 'exports'), format, { book: 'exchange-report', from: rep.from, to: rep.to });
  }

  /** A document issued on paper takes the next number of the year's series. */
  registerPaper(p: PaperDocument): PaperDocumentRow {
    return registerPaper(this.ctx, p);
  }

  /** A document received on paper takes the next số đến of the year (one series with received files). */
  registerPaperIncoming(p: PaperArrival): PaperIncomingRow & { duplicates: EarlierArrivalRow[] } {
    return registerPaperIncoming(this.ctx, p);
  }

  exchangeReport(from: string, to: string): ExchangeReport {
    return exchangeReport(this.ctx, from, to);
  }

  exportReport(from: string, to: string, output: string, o: { organisation?: string } = {}): Promise<{ output: string; format: 'pdf' | 'xlsx'; size: number }> {
    const rep = exchangeReport(this.ctx, from, to);
    return writeBook(this.ctx, reportBook(rep, o.organisation ?? ''), output, { book: 'exchange-report', from: rep.from, to: rep.to });
  }

  /** An electronic copy (SAO Y, SAO LỤC, TRÍCH SAO) of an issued or accepted document. */
  makeCopy(req: Omit<CopyRequest, 'id'> & { id: string | number }, signer: SignerSource): Promise<CopyView> {
    return makeCopy(this.ctx, { ...req, id: parseId(req.id) }, signer);
  }

  listCopies(year?: number): CopyView[] {
    return listCopyViews(this.ctx, year);
  }

  exportCopy(id: string | number, output: string): Promise<{ output: string; sha256: string }> {
    return exportCopy(this.ctx, parseId(id), output);
  }

  // -- archive --------------------------------------------------------------------------------

  archive(o: { source: 'outgoing' | 'incoming'; sourceId: string | number; recordCode: string; recordTitle?: string; retention: string }): ArchiveEntry {
    const r: ArchiveRequest = { ...o, sourceId: parseId(o.sourceId) };
    return fileInArchive(this.ctx, r);
  }

  searchArchive(text: string): ArchiveEntry[] {
    return searchArchive(this.ctx, text);
  }

  archiveEntry(id: string | number): { entry: ArchiveEntry; path: string } {
    return archiveEntry(this.ctx, parseId(id));
  }

  listRecords(): ReturnType<typeof archiveRecords> {
    return archiveRecords(this.ctx);
  }

  private tools(): SealTools {
    return this.ctx.sealTools!();
  }

  /** Seals one archived entry (B-LT validation data, B-LTA document timestamp). */
  sealArchiveEntry(id: string | number): Promise<SealView> {
    return sealEntry(this.ctx, parseId(id), this.tools(), 'seal');
  }

  /** Seals what is not sealed yet, in one record or in all. */
  sealArchive(recordCode?: string): Promise<SealView[]> {
    return sealUnsealed(this.ctx, this.tools(), recordCode);
  }

  renewalReport(before: Date): RenewalItem[] {
    return renewalReport(this.ctx, before);
  }

  renewArchive(before: Date): Promise<{ report: RenewalItem[]; done: SealView[] }> {
    return renewDue(this.ctx, this.tools(), before);
  }

  /** Writes the record's submission package (E-ARK CSIP, TT 05/2025), sealing what is not sealed yet. */
  async exportRecord(code: string, output: string, o: { seal?: boolean } = {}): Promise<ExportResult> {
    if (o.seal !== false) await sealUnsealed(this.ctx, this.tools(), code);
    return exportRecord(this.ctx, code, output);
  }

  retention(code: string): RetentionView {
    return retentionOf(this.ctx, code);
  }

  dueForAppraisal(): RetentionView[] {
    return dueForAppraisal(this.ctx);
  }

  appraise(o: { code: string; decision: string; reason: string; extendYears?: number }): RetentionView {
    return appraise(this.ctx, o);
  }

  // -- audit ----------------------------------------------------------------------------------

  verifyAudit(): AuditVerification {
    return verifyAudit(this.store.db);
  }

  auditLog(o: { subject?: string; limit?: number } = {}): AuditEntry[] {
    return listAudit(this.store.db, o);
  }
}
