// `archive export`: a record's submission package as one zip (TT 05/2025/TT-BNV, E-ARK CSIP
// layout). The documents' sealed files are streamed from the content store into the zip stored
// as they are (PDFs are compressed already), so a record of a gigabyte is written with memory that
// does not grow with it; their SHA-256 is known from the store (files are named by it). The
// metadata (METS, TT 05 descriptive, PREMIS) is built from the database, the audit log and a
// verification of each file, and written last. The zip goes to a temporary file beside the target,
// flushed and renamed into place.
import { createReadStream, statSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { resolve } from 'node:path';
import yazl from 'yazl';
import { isoVietnam } from '../appearance/time.js';
import { KysoError } from '../../shared/errors.js';
import { AtomicFile } from '../io/atomic.js';
import { PdfReader } from '../pdf/reader.js';
import { listAudit } from '../store/audit.js';
import { entriesOfRecord, getRecordByCode, sealsOf, type ArchiveEntryView } from '../store/archive.js';
import { findDocument } from '../store/documents.js';
import { getInbox } from '../store/inbox.js';
import type { DeskContext } from './context.js';
import { checkPdfA } from './pdfa.js';
import {
  DATA_DIR,
  DESCRIPTIVE_PATH,
  PREMIS_PATH,
  descriptiveXml,
  metsXml,
  premisXml,
  type MetadataFile,
  type PackageDocument,
  type PackageModel,
  type PremisAgent,
  type PremisEvent,
  type ProcessStep,
} from './package-metadata.js';

export interface ExportResult {
  output: string;
  record: string;
  documents: number;
  size: number;
  sha256: string;
}

const SOFTWARE = { name: 'Kyso', version: '0.1.0' };

/** "15/QĐ-UBND" → number "15", notation "QĐ-UBND". */
function splitNumber(n: string | null): { codeNumber: string; codeNotation: string } {
  if (!n) return { codeNumber: '', codeNotation: '' };
  const m = /^\s*(\d+)\s*\/\s*(.+?)\s*$/.exec(n);
  return m ? { codeNumber: m[1]!, codeNotation: m[2]! } : { codeNumber: '', codeNotation: n.trim() };
}

function pageCount(path: string): number {
  const r = PdfReader.open(path);
  try {
    return r.pages().length;
  } finally {
    r.close();
  }
}

/** A file name inside the package: ASCII, no separators. */
function packageName(code: string, ordinal: number): string {
  return `${code.normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/đ/g, 'd').replace(/Đ/g, 'D').replace(/[^A-Za-z0-9._-]+/g, '_')}-${String(ordinal).padStart(3, '0')}.pdf`;
}

const vn = (iso: string): string => isoVietnam(new Date(iso));

/** The processing history of an entry: its document's or incoming item's audit entries, then the archive's. */
function processOf(ctx: DeskContext, e: ArchiveEntryView): ProcessStep[] {
  const subjects = [e.source === 'outgoing' ? `document:${e.document_id}` : `inbox:${e.inbox_id}`, `archive:${e.id}`];
  const steps = subjects.flatMap((s) => listAudit(ctx.store.db, { subject: s, limit: 10_000 }));
  return steps.sort((a, b) => a.seq - b.seq).map((a) => ({ at: vn(a.at), actor: a.actor, action: a.action }));
}

async function buildModel(ctx: DeskContext, code: string): Promise<{ model: PackageModel; sources: Map<string, string> }> {
  const db = ctx.store.db;
  const record = getRecordByCode(db, code);
  const entries = entriesOfRecord(db, record.id);
  if (entries.length === 0) throw new KysoError('ARCHIVE_RECORD_NOT_FOUND', { code });
  const now = ctx.now();
  const maintenance = record.retention === 'permanent' ? 'Vĩnh viễn' : `${record.retention} năm`;
  const sources = new Map<string, string>();
  const documents: PackageDocument[] = [];
  const events: PremisEvent[] = [];
  const agents = new Map<string, PremisAgent>();
  const agent = (name: string, type: PremisAgent['type'], note?: string): string => {
    const id = `agent-${type}-${createHash('sha1').update(`${type}\n${name}`).digest('hex').slice(0, 12)}`;
    if (!agents.has(id)) agents.set(id, { id, name, type, ...(note ? { note } : {}) });
    return id;
  };
  const kyso = agent(`${SOFTWARE.name} ${SOFTWARE.version}`, 'software');
  let pages = 0;
  let organName = '';
  for (const [i, e] of entries.entries()) {
    const ordinal = i + 1;
    const seals = sealsOf(db, e.id);
    const sha = seals.length ? seals[seals.length - 1]!.sha256 : e.sha256;
    const path = ctx.store.files.require(sha);
    const fileId = `file-${ordinal}`;
    const doc = e.source === 'outgoing' && e.document_id !== null ? findDocument(db, e.document_id) : undefined;
    const inbox = e.source === 'incoming' && e.inbox_id !== null ? getInbox(db, e.inbox_id) : undefined;
    const report = await ctx.verify(path);
    const n = pageCount(path);
    pages += n;
    const signers = report.signatures.filter((s) => s.kind === 'signature' && s.signer);
    const org = signers.map((s) => s.signer!.organization).filter((o): o is string => Boolean(o)).at(-1) ?? inbox?.sender ?? '';
    if (!organName) organName = org;
    const pdfa = checkPdfA(path);
    const { size } = statSync(path);
    const zipPath = DATA_DIR + packageName(record.code, ordinal);
    sources.set(zipPath, path);
    const fields: PackageDocument['fields'] = {
      docCode: `${record.code}.${String(ordinal).padStart(3, '0')}`,
      fileCode: record.code,
      docOrdinal: String(ordinal),
      identifier: '',
      organId: '',
      maintenance,
      typeName: doc?.doc_type ?? '',
      ...splitNumber(e.number_symbol),
      issuedDate: vn(e.date).slice(0, 10),
      organName: org,
      subject: e.title,
      language: 'vi',
      numberOfPage: String(n),
      inforSign: '',
      keyword: '',
      mode: 'public',
      confidenceLevel: doc?.method === 1 ? 'digitised' : 'born-digital',
      format: pdfa.ok ? `PDF/A-${pdfa.part}${pdfa.conformance?.toLowerCase() ?? ''}` : 'PDF',
      description: `Signed by ${signers.map((s) => s.signer!.commonName).join('; ')}; verification ${report.indication} at ${isoVietnam(now)}`,
    };
    documents.push({
      fileId,
      dmdId: `dmd-doc-${ordinal}`,
      fields,
      process: processOf(ctx, e),
      file: { path: zipPath, sha256: sha, size, created: vn(seals.at(-1)?.sealed_at ?? e.filed_at), mime: 'application/pdf', originalName: doc?.file_name ?? inbox?.file_name ?? zipPath },
    });
    // Preservation events: each signature and timestamp the file holds, the filing, each seal, and this check.
    for (const s of report.signatures) {
      const who = s.signer ? agent(s.signer.commonName, s.kind === 'document-timestamp' ? 'organization' : 'person', s.signer.subject) : kyso;
      events.push({
        id: `event-${fileId}-sig-${s.index}`,
        type: s.kind === 'document-timestamp' ? 'timestamping' : 'digital signature generation',
        at: s.signedAt ? vn(s.signedAt) : vn(e.date),
        detail: `${s.kind === 'document-timestamp' ? 'Document timestamp' : 'Signature'} "${s.field}" (${s.subFilter})${s.signedAtSource ? `, time from ${s.signedAtSource}` : ''}`,
        outcome: s.indication,
        agents: [who],
        objects: [fileId],
      });
    }
    events.push({ id: `event-${fileId}-ingest`, type: 'ingestion', at: vn(e.filed_at), detail: `Filed in record ${record.code} (retention ${record.retention})`, outcome: 'success', agents: [kyso], objects: [fileId] });
    seals.forEach((s, k) =>
      events.push({
        id: `event-${fileId}-seal-${k + 1}`,
        type: s.kind === 'seal' ? 'information package creation' : 'migration',
        at: vn(s.sealed_at),
        detail: `${s.kind === 'seal' ? 'Sealed (PAdES B-LT validation data, B-LTA document timestamp)' : 'Seal renewed with a new document timestamp'} by ${s.tsa}, timestamp ${vn(s.timestamp_time)}`,
        outcome: JSON.parse(s.missing).length ? `success with missing validation data: ${(JSON.parse(s.missing) as string[]).join('; ')}` : 'success',
        agents: [kyso, agent(s.tsa, 'organization')],
        objects: [fileId],
      }),
    );
    events.push({
      id: `event-${fileId}-validation`,
      type: 'validation',
      at: isoVietnam(now),
      detail: `Signatures verified offline with the validation data the file holds (ETSI EN 319 102-1): ${report.signatures.map((s) => `${s.field} ${s.indication}`).join(', ')}`,
      outcome: report.indication,
      agents: [kyso],
      objects: [fileId],
    });
  }
  agent(ctx.actor, 'person', 'archivist (exporting)');
  const dates = entries.map((e) => e.date).sort();
  const model: PackageModel = {
    objId: `kyso-${record.code}-${createHash('sha256').update(`${record.code}\n${now.toISOString()}`).digest('hex').slice(0, 16)}`,
    label: record.title,
    created: isoVietnam(now),
    software: SOFTWARE,
    record: {
      fileCode: record.code,
      identifier: '',
      organId: '',
      fileCatalog: '',
      fileNotation: record.code,
      title: record.title,
      maintenance,
      mode: 'public',
      language: 'vi',
      startDate: vn(dates[0]!).slice(0, 10),
      endDate: vn(dates[dates.length - 1]!).slice(0, 10),
      totalDoc: String(entries.length),
      description: organName ? `Hồ sơ của ${organName}` : '',
      inforSign: '',
      keyword: '',
      numberOfSheet: '',
      numberOfPage: String(pages),
      format: 'electronic',
    },
    documents,
    events,
    agents: [...agents.values()],
  };
  return { model, sources };
}

const meta = (path: string, text: string, created: string): MetadataFile & { bytes: Buffer } => {
  const bytes = Buffer.from(text, 'utf8');
  return { path, bytes, size: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex'), created };
};

/** Writes the package of record `code` to `output` (a new file: an existing one is refused). */
export async function exportRecord(ctx: DeskContext, code: string, output: string): Promise<ExportResult> {
  const target = resolve(output);
  const { model, sources } = await buildModel(ctx, code);
  const descriptive = meta(DESCRIPTIVE_PATH, descriptiveXml(model), model.created);
  const premis = meta(PREMIS_PATH, premisXml(model), model.created);
  const mets = Buffer.from(metsXml(model, descriptive, premis), 'utf8');

  const zip = new yazl.ZipFile();
  const out = AtomicFile.create(target);
  const whole = createHash('sha256');
  try {
    const done = new Promise<void>((res, rej) => {
      zip.outputStream.on('data', (c: Buffer) => {
        out.write(c);
        whole.update(c);
      });
      zip.outputStream.on('end', res);
      zip.outputStream.on('error', rej);
    });
    const mtime = new Date();
    zip.addBuffer(mets, 'METS.xml', { mtime, compress: true });
    zip.addBuffer(descriptive.bytes, descriptive.path, { mtime, compress: true });
    zip.addBuffer(premis.bytes, premis.path, { mtime, compress: true });
    for (const d of model.documents) {
      zip.addReadStream(createReadStream(sources.get(d.file.path)!, { highWaterMark: 1 << 20 }), d.file.path, { mtime, compress: false, size: d.file.size });
    }
    zip.end();
    await done;
    await out.commit();
  } catch (e) {
    out.abort();
    throw e;
  }
  const at = ctx.now().toISOString();
  ctx.store.audit({ at, actor: ctx.actor, action: 'archive.exported', subject: `record:${code}`, details: { output: target, documents: model.documents.length, size: out.length } });
  return { output: target, record: code, documents: model.documents.length, size: out.length, sha256: whole.digest('hex') };
}
