// Electronic copies (bản sao điện tử, NĐ30 Đ25–27, Phụ lục I cell 14): SAO Y, SAO LỤC or TRÍCH SAO
// of an issued or accepted document. The copy is a new PDF (the original's pages, or the chosen
// ones for TRÍCH SAO; a SAO Y carries the original's bytes as an embedded file, so a receiver can
// check the original's signatures too), then signed by the organisation with the copy stamp at the
// top right of page 1: form and the copy's own number, the copying organisation, place and time
// (ISO 8601, +07:00). The original is never touched. The copy is registered with its own number of
// the year, linked to its original.
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { PDFDict, PDFDocument, PDFName, PDFNumber, type PDFPage } from 'pdf-lib';
import { KysoError } from '../../shared/errors.js';
import { vietnamDay } from '../appearance/time.js';
import { AtomicFile } from '../io/atomic.js';
import { signVisible } from '../sign/visible.js';
import { appendAudit } from '../store/audit.js';
import { getCopy, insertCopy, lastCopySeq, listCopies, type CopyRow } from '../store/books.js';
import { getDocument, getRevision } from '../store/documents.js';
import { getInbox } from '../store/inbox.js';
import { inboxRevisions } from '../store/books.js';
import { docSubject, failed, inboxSubject, refuse, type DeskContext } from './context.js';
import type { SignerSource } from './steps.js';

export const COPY_FORMS = ['SAO Y', 'SAO LỤC', 'TRÍCH SAO'] as const;
export type CopyForm = (typeof COPY_FORMS)[number];
/** The copy's symbol after its number (NĐ30 Phụ lục III: SY, SL, TS). */
const SYMBOL: Record<CopyForm, string> = { 'SAO Y': 'SY', 'SAO LỤC': 'SL', 'TRÍCH SAO': 'TS' };

export interface CopyRequest {
  source: 'outgoing' | 'incoming';
  id: number;
  form: string;
  /** TRÍCH SAO: "1-2", "1,3". */
  pages?: string;
  /** The copy's number ("3" or "03/SY"); default the next of the year. */
  number?: string;
  /** Place of copying (e.g. "Quảng Ninh"). */
  place?: string;
  /** Copying organisation; default the certificate's name. */
  organisation?: string;
}

export interface CopyView {
  id: string;
  form: CopyForm;
  source: 'outgoing' | 'incoming';
  originalId: string;
  originalSha256: string;
  pages: string | null;
  number: string;
  year: number;
  title: string;
  sha256: string;
  size: number;
  signer: string;
  createdAt: string;
}

export function copyView(r: CopyRow): CopyView {
  return {
    id: String(r.id),
    form: r.form,
    source: r.source,
    originalId: String(r.source === 'outgoing' ? r.document_id : r.inbox_id),
    originalSha256: r.source_sha256,
    pages: r.pages,
    number: r.number_symbol,
    year: r.copy_year,
    title: r.title,
    sha256: r.sha256,
    size: r.size,
    signer: r.signer_cn,
    createdAt: r.created_at,
  };
}

export function parseForm(form: string): CopyForm {
  const f = form.normalize('NFC').trim().replace(/\s+/g, ' ').toLocaleUpperCase('vi');
  const hit = COPY_FORMS.find((x) => x === f);
  if (!hit) throw new KysoError('COPY_FORM_INVALID', { form });
  return hit;
}

/** "1-2,4" → [0, 1, 3] (0-based), each page once, in the document's order. */
export function parsePages(spec: string, count: number): number[] {
  const out = new Set<number>();
  for (const part of spec.split(',').map((s) => s.trim())) {
    const m = /^(\d+)(?:\s*-\s*(\d+))?$/.exec(part);
    if (!m) throw new KysoError('COPY_PAGES_INVALID', { pages: spec, count });
    const a = Number(m[1]);
    const b = m[2] ? Number(m[2]) : a;
    if (a < 1 || b < a || b > count) throw new KysoError('COPY_PAGES_INVALID', { pages: spec, count });
    for (let i = a; i <= b; i++) out.add(i - 1);
  }
  return [...out].sort((x, y) => x - y);
}

/**
 * The copied pages keep what the original shows — the leader's signature image, the seal, the
 * clerk's number — but not its signature fields, which would claim signatures of other bytes:
 * each signature widget becomes a plain locked stamp annotation with the same appearance.
 */
function keepMarksDropFields(page: PDFPage): PDFPage {
  const annots = page.node.Annots();
  if (!annots) return page;
  for (let i = 0; i < annots.size(); i++) {
    const a = annots.lookupMaybe(i, PDFDict);
    if (!a) continue;
    const subtype = a.get(PDFName.of('Subtype'));
    if (subtype !== PDFName.of('Widget')) continue;
    a.set(PDFName.of('Subtype'), PDFName.of('Stamp'));
    for (const k of ['FT', 'V', 'Parent', 'T', 'Ff', 'Lock', 'SV', 'DV', 'AA', 'A', 'MK']) a.delete(PDFName.of(k));
    a.set(PDFName.of('F'), PDFNumber.of(4 | 64 | 128));
  }
  return page;
}

const pad = (n: number): string => (n < 10 ? `0${n}` : String(n));

/** Makes, signs and registers a copy. */
export async function makeCopy(ctx: DeskContext, req: CopyRequest, source: SignerSource): Promise<CopyView> {
  const db = ctx.store.db;
  const subject = req.source === 'outgoing' ? docSubject(req.id) : inboxSubject(req.id);
  const no = (e: KysoError): never => refuse(ctx, 'copy.make', subject, e, { form: req.form });
  let form: CopyForm;
  try {
    form = parseForm(req.form);
  } catch (e) {
    return no(e as KysoError);
  }
  // The original: an issued document (its last revision), or an accepted incoming one (as it now is, stamped).
  let originalSha: string;
  let title: string;
  try {
    if (req.source === 'outgoing') {
      const doc = getDocument(db, req.id);
      if (doc.state !== 'issued') return no(new KysoError('COPY_SOURCE_NOT_FINAL', { what: `${doc.state}` }));
      originalSha = getRevision(db, doc.current_revision_id!).sha256;
      title = doc.title;
    } else {
      const row = getInbox(db, req.id);
      if (row.status !== 'accepted') return no(new KysoError('COPY_SOURCE_NOT_FINAL', { what: row.status }));
      originalSha = inboxRevisions(db, req.id).at(-1)?.sha256 ?? row.sha256;
      title = row.title;
    }
  } catch (e) {
    if (e instanceof KysoError && e.code === 'DOCUMENT_NOT_FOUND') return no(e);
    throw e;
  }
  if (form !== 'TRÍCH SAO' && req.pages !== undefined) return no(new KysoError('COPY_PAGES_INVALID', { pages: req.pages, count: 0 }));
  if (form === 'TRÍCH SAO' && !req.pages) return no(new KysoError('COPY_PAGES_INVALID', { pages: '', count: 0 }));
  const at = ctx.now();
  const year = Number(vietnamDay(at).slice(0, 4));
  let seq: number;
  if (req.number !== undefined) {
    const m = /^(\d+)/.exec(req.number.trim());
    if (!m || Number(m[1]) < 1) return no(new KysoError('USAGE', { reason: `the copy number "${req.number}" must start with digits` }));
    seq = Number(m[1]);
    if (listCopies(db, year).some((c) => c.number_seq === seq)) return no(new KysoError('COPY_NUMBER_DUPLICATE', { number: `${pad(seq)}/${SYMBOL[form]}`, year }));
  } else {
    seq = lastCopySeq(db, year) + 1;
  }
  const number = `${pad(seq)}/${SYMBOL[form]}`;

  const files = ctx.store.files;
  const unsigned = files.stagingPath();
  const signedOut = files.stagingPath();
  try {
    const originalPath = files.require(originalSha);
    const originalBytes = readFileSync(originalPath);
    const original = await PDFDocument.load(originalBytes, { updateMetadata: false });
    const count = original.getPageCount();
    const indices = form === 'TRÍCH SAO' ? parsePages(req.pages!, count) : [...Array(count).keys()];
    const copy = await PDFDocument.create({ updateMetadata: false });
    for (const p of await copy.copyPages(original, indices)) copy.addPage(keepMarksDropFields(p));
    copy.setTitle(`${form} ${number}: ${title}`);
    copy.setProducer('Kyso');
    copy.setCreationDate(at);
    copy.setModificationDate(at);
    if (form === 'SAO Y')
      await copy.attach(originalBytes, `ban-goc-${originalSha.slice(0, 12)}.pdf`, {
        mimeType: 'application/pdf',
        description: `Bản gốc điện tử (SHA-256 ${originalSha}) | The electronic original`,
        creationDate: at,
        modificationDate: at,
      });
    writeFileSync(unsigned, await copy.save({ useObjectStreams: false }));
    const signer = await (typeof source === 'function' ? Promise.resolve().then(() => source()) : Promise.resolve(source));
    const check = await ctx.checkSigner?.(signer);
    const result = await signVisible({
      input: unsigned,
      output: signedOut,
      signer,
      ...(check ? { chain: check.chain, revocation: check.revocation } : {}),
      signingTime: at,
      reason: `${form} ${number}`,
      location: req.place,
      visible: { role: 'copy', copyForm: form, copyNumber: number, place: req.place, organisation: req.organisation },
    });
    const stored = await files.adopt(signedOut);
    const report = await ctx.verify(files.require(stored.sha256));
    const mine = report.signatures.find((s) => s.field === result.fieldName);
    if (!mine || mine.integrity !== 'valid') throw new KysoError('SIGN_RESULT_INVALID', { reason: mine ? mine.messages.en : 'signature not found in the output' });
    const row = ctx.store.tx(() => {
      const r = insertCopy(db, {
        form,
        source: req.source,
        document_id: req.source === 'outgoing' ? req.id : null,
        inbox_id: req.source === 'incoming' ? req.id : null,
        source_sha256: originalSha,
        pages: form === 'TRÍCH SAO' ? req.pages!.replace(/\s+/g, '') : null,
        copy_year: year,
        number_seq: seq,
        number_symbol: number,
        title,
        sha256: stored.sha256,
        size: stored.size,
        field: result.fieldName,
        signer_cn: result.signer.commonName,
        created_at: at.toISOString(),
      });
      appendAudit(db, {
        at: at.toISOString(),
        actor: ctx.actor,
        action: 'copy.made',
        subject,
        details: { copy: r.id, form, number, pages: r.pages, original: originalSha, sha256: stored.sha256, field: result.fieldName, signer: result.signer.subject, embeddedOriginal: form === 'SAO Y' },
      });
      return r;
    });
    return copyView(row);
  } catch (e) {
    if (e instanceof KysoError && e.code === 'COPY_PAGES_INVALID') return no(e);
    failed(ctx, 'copy.make', subject, e, { form });
  } finally {
    rmSync(unsigned, { force: true });
    rmSync(signedOut, { force: true });
  }
}

export function listCopyViews(ctx: DeskContext, year?: number): CopyView[] {
  return listCopies(ctx.store.db, year).map(copyView);
}

export async function exportCopy(ctx: DeskContext, id: number, output: string): Promise<{ output: string; sha256: string }> {
  const row = getCopy(ctx.store.db, id);
  if (!row) throw new KysoError('DOCUMENT_NOT_FOUND', { id: String(id) });
  const f = await AtomicFile.fromCopy(ctx.store.files.require(row.sha256), output);
  try {
    await f.commit();
  } catch (e) {
    f.abort();
    throw e;
  }
  return { output, sha256: row.sha256 };
}
