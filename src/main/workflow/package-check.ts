// `kyso archive check PACKAGE.zip`: what an archive does when it takes in a package. The zip is
// read entry by entry (never whole): METS.xml is parsed, every file it names (the metadata by
// mdRef, the documents by FLocat) must be there with the size and SHA-256 it states, no file may
// be there unnamed, the descriptive metadata must hold the record's 18 fields and each document's
// 21, PREMIS its objects with the same digests, and every PDF is verified offline with only what it
// holds and the trusted roots. Each problem names its file.
import { createHash } from 'node:crypto';
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Transform } from 'node:stream';
import yauzl from 'yauzl';
import { create } from 'xmlbuilder2';
import { KysoError } from '../../shared/errors.js';
import type { TrustStore } from '../verify/chain.js';
import { verifyPdf, type FileReport } from '../verify/verify.js';
import { DATA_DIR, DESCRIPTIVE_PATH, DOCUMENT_FIELDS, NS, OPTIONAL_FIELDS, PREMIS_PATH, RECORD_FIELDS } from './package-metadata.js';

export interface PackageProblem {
  file: string;
  problem: string;
}

export interface PackageCheck {
  package: string;
  ok: boolean;
  problems: PackageProblem[];
  files: Array<{ path: string; size: number; sha256: string; verification?: { indication: string; subIndication: string | null; signatures: Array<{ field: string; kind: string; indication: string; subIndication: string | null; signedAtSource: string | null }> } }>;
}

export interface PackageCheckOptions {
  trust: TrustStore;
  extraCerts?: Buffer[];
  /** Validation time (default now). */
  at?: Date;
  online?: boolean;
  cacheDir?: string;
}

type Zip = yauzl.ZipFile;

const openZip = (path: string): Promise<Zip> =>
  new Promise((res, rej) => yauzl.open(path, { lazyEntries: true, autoClose: false, strictFileNames: true }, (e, z) => (e || !z ? rej(e) : res(z))));

async function listEntries(zip: Zip): Promise<yauzl.Entry[]> {
  const out: yauzl.Entry[] = [];
  await new Promise<void>((res, rej) => {
    zip.on('entry', (e: yauzl.Entry) => {
      out.push(e);
      zip.readEntry();
    });
    zip.on('end', res);
    zip.on('error', rej);
    zip.readEntry();
  });
  return out;
}

const openEntry = (zip: Zip, e: yauzl.Entry): Promise<NodeJS.ReadableStream> =>
  new Promise((res, rej) => zip.openReadStream(e, (err, s) => (err || !s ? rej(err) : res(s))));

/** Streams an entry through SHA-256 (and into `saveTo` when given). */
async function digestEntry(zip: Zip, e: yauzl.Entry, saveTo?: string): Promise<{ sha256: string; size: number; bytes?: Buffer }> {
  const h = createHash('sha256');
  let size = 0;
  const keep: Buffer[] | undefined = saveTo ? undefined : e.uncompressedSize <= 64 * 1024 * 1024 ? [] : undefined;
  const tap = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      h.update(chunk);
      size += chunk.length;
      keep?.push(chunk);
      cb(null, saveTo ? chunk : undefined);
    },
  });
  const src = await openEntry(zip, e);
  if (saveTo) await pipeline(src, tap, createWriteStream(saveTo));
  else {
    tap.resume();
    await pipeline(src, tap);
  }
  return { sha256: h.digest('hex'), size, bytes: keep ? Buffer.concat(keep) : undefined };
}

type Element = { getAttribute(n: string): string | null; getAttributeNS(ns: string, n: string): string | null; getElementsByTagNameNS(ns: string, n: string): ArrayLike<Element>; textContent: string | null; localName: string; children?: ArrayLike<Element> };

function parseXml(bytes: Buffer, file: string, problems: PackageProblem[]): Element | undefined {
  try {
    const doc = create(bytes.toString('utf8')).node as unknown as { documentElement: Element };
    return doc.documentElement;
  } catch (e) {
    problems.push({ file, problem: `not well-formed XML (${(e as Error).message.split('\n')[0]})` });
    return undefined;
  }
}

const all = (el: Element, ns: string, name: string): Element[] => Array.from(el.getElementsByTagNameNS(ns, name));
const VN_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+07:00$/;

/** Checks the package at `path`. Throws PACKAGE_INVALID only when it is not a zip at all. */
export async function checkPackage(path: string, o: PackageCheckOptions): Promise<PackageCheck> {
  let zip: Zip;
  try {
    zip = await openZip(path);
  } catch (e) {
    throw new KysoError('PACKAGE_INVALID', { path, reason: (e as Error).message });
  }
  const problems: PackageProblem[] = [];
  const files: PackageCheck['files'] = [];
  const work = mkdtempSync(join(tmpdir(), 'kyso-check-'));
  try {
    const entries = await listEntries(zip);
    const byName = new Map(entries.filter((e) => !e.fileName.endsWith('/')).map((e) => [e.fileName, e]));
    const metsEntry = byName.get('METS.xml');
    if (!metsEntry) {
      problems.push({ file: 'METS.xml', problem: 'missing: the package has no METS.xml at its root' });
      return { package: path, ok: false, problems, files };
    }
    const metsRead = await digestEntry(zip, metsEntry);
    const mets = metsRead.bytes && parseXml(metsRead.bytes, 'METS.xml', problems);
    if (!mets) return { package: path, ok: false, problems, files };

    // Structure (E-ARK CSIP): root, header, sections.
    const need = (ok: boolean, problem: string): void => {
      if (!ok) problems.push({ file: 'METS.xml', problem });
    };
    need(mets.localName === 'mets' && mets.getAttribute('OBJID') !== null, 'the root is not a METS document with an OBJID');
    need(mets.getAttribute('PROFILE') !== null, 'no PROFILE (E-ARK CSIP)');
    const hdr = all(mets, NS.mets, 'metsHdr')[0];
    need(Boolean(hdr), 'no metsHdr');
    if (hdr) need(VN_TIME.test(hdr.getAttribute('CREATEDATE') ?? ''), `metsHdr CREATEDATE "${hdr.getAttribute('CREATEDATE')}" is not a time in +07:00`);
    if (hdr) need(all(hdr, NS.mets, 'agent').length > 0, 'metsHdr names no agent');
    for (const sec of ['dmdSec', 'amdSec', 'fileSec', 'structMap']) need(all(mets, NS.mets, sec).length > 0, `no ${sec}`);

    // Every file named, with its size and digest.
    const named = new Map<string, { size: string | null; sha256: string | null; id: string }>();
    for (const r of all(mets, NS.mets, 'mdRef')) named.set(r.getAttributeNS(NS.xlink, 'href') ?? '', { size: r.getAttribute('SIZE'), sha256: r.getAttribute('CHECKSUM'), id: 'mdRef' });
    const fileIds = new Set<string>();
    for (const f of all(mets, NS.mets, 'file')) {
      const loc = all(f, NS.mets, 'FLocat')[0];
      const href = loc?.getAttributeNS(NS.xlink, 'href') ?? '';
      if (f.getAttribute('CHECKSUMTYPE') !== 'SHA-256') problems.push({ file: href || 'METS.xml', problem: 'no SHA-256 checksum in the METS file section' });
      named.set(href, { size: f.getAttribute('SIZE'), sha256: f.getAttribute('CHECKSUM'), id: f.getAttribute('ID') ?? '' });
      fileIds.add(f.getAttribute('ID') ?? '');
    }
    for (const p of [DESCRIPTIVE_PATH, PREMIS_PATH]) if (!named.has(p)) problems.push({ file: p, problem: 'not referenced from METS.xml' });
    const pointers = all(mets, NS.mets, 'fptr').map((p) => p.getAttribute('FILEID') ?? '');
    for (const id of fileIds) if (!pointers.includes(id)) problems.push({ file: 'METS.xml', problem: `file ${id} is not in the structural map` });

    const contents = new Map<string, Buffer>();
    for (const [href, want] of named) {
      const e = byName.get(href);
      if (!e) {
        problems.push({ file: href, problem: 'missing: named in METS.xml but not in the package' });
        continue;
      }
      const isPdf = href.startsWith(DATA_DIR) && href.toLowerCase().endsWith('.pdf');
      const local = isPdf ? join(work, `${files.length}.pdf`) : undefined;
      const got = await digestEntry(zip, e, local);
      if (got.bytes) contents.set(href, got.bytes);
      const entry: PackageCheck['files'][number] = { path: href, size: got.size, sha256: got.sha256 };
      files.push(entry);
      if (want.sha256?.toLowerCase() !== got.sha256) problems.push({ file: href, problem: `SHA-256 differs from METS.xml (${got.sha256} instead of ${want.sha256})` });
      if (want.size !== null && Number(want.size) !== got.size) problems.push({ file: href, problem: `size differs from METS.xml (${got.size} instead of ${want.size})` });
      if (local) {
        let report: FileReport | undefined;
        try {
          report = await verifyPdf(local, { trust: o.trust, extraCerts: o.extraCerts, online: o.online ?? false, cacheDir: o.cacheDir, now: o.at });
        } catch (err) {
          problems.push({ file: href, problem: `cannot be verified (${(err as Error).message})` });
        }
        if (report) {
          entry.verification = {
            indication: report.indication,
            subIndication: report.subIndication,
            signatures: report.signatures.map((s) => ({ field: s.field, kind: s.kind, indication: s.indication, subIndication: s.subIndication, signedAtSource: s.signedAtSource })),
          };
          if (report.indication !== 'TOTAL_PASSED') problems.push({ file: href, problem: `signature verification ${report.indication}${report.subIndication ? '/' + report.subIndication : ''}: ${report.messages.en}` });
        }
        rmSync(local, { force: true });
      }
    }
    for (const name of byName.keys()) if (name !== 'METS.xml' && !named.has(name)) problems.push({ file: name, problem: 'in the package but not named in METS.xml' });

    // Descriptive metadata: the record's 18 fields, each document's 21.
    const desc = contents.get(DESCRIPTIVE_PATH);
    const d = desc && parseXml(desc, DESCRIPTIVE_PATH, problems);
    if (d) {
      const field = (parent: Element, name: string): Element | undefined => Array.from(parent.getElementsByTagNameNS(NS.tt05, name))[0];
      for (const f of RECORD_FIELDS) {
        const el = Array.from(d.getElementsByTagNameNS(NS.tt05, f)).find((x) => (x as unknown as { parentNode: unknown }).parentNode === d);
        if (!el) problems.push({ file: DESCRIPTIVE_PATH, problem: `record field ${f} missing` });
        else if (!OPTIONAL_FIELDS.has(f) && !el.textContent?.trim()) problems.push({ file: DESCRIPTIVE_PATH, problem: `record field ${f} empty` });
      }
      const docs = all(d, NS.tt05, 'VanBan');
      const total = Array.from(d.getElementsByTagNameNS(NS.tt05, 'totalDoc'))[0]?.textContent?.trim();
      if (total !== String(docs.length)) problems.push({ file: DESCRIPTIVE_PATH, problem: `totalDoc says ${total} but ${docs.length} documents are described` });
      if (docs.length !== fileIds.size) problems.push({ file: DESCRIPTIVE_PATH, problem: `${docs.length} documents described, ${fileIds.size} files in METS.xml` });
      for (const v of docs) {
        const id = v.getAttribute('FILEID') ?? '?';
        if (!fileIds.has(id)) problems.push({ file: DESCRIPTIVE_PATH, problem: `document ${id} names no file of METS.xml` });
        for (const f of DOCUMENT_FIELDS) {
          const el = field(v, f);
          if (!el) problems.push({ file: DESCRIPTIVE_PATH, problem: `document ${id}: field ${f} missing` });
          else if (f === 'process' ? all(el, NS.tt05, 'step').length === 0 : !OPTIONAL_FIELDS.has(f) && !el.textContent?.trim())
            problems.push({ file: DESCRIPTIVE_PATH, problem: `document ${id}: field ${f} empty` });
        }
        for (const s of all(v, NS.tt05, 'step')) if (!VN_TIME.test(s.getAttribute('at') ?? '')) problems.push({ file: DESCRIPTIVE_PATH, problem: `document ${id}: processing time "${s.getAttribute('at')}" is not in +07:00` });
      }
    }

    // PREMIS: an object per file with the same digest; events with times in +07:00 and agents.
    const prem = contents.get(PREMIS_PATH);
    const p = prem && parseXml(prem, PREMIS_PATH, problems);
    if (p) {
      const digests = new Map<string, string>();
      for (const obj of all(p, NS.premis, 'object')) {
        const id = all(obj, NS.premis, 'objectIdentifierValue')[0]?.textContent?.trim() ?? '';
        digests.set(id, all(obj, NS.premis, 'messageDigest')[0]?.textContent?.trim() ?? '');
      }
      for (const f of all(mets, NS.mets, 'file')) {
        const id = f.getAttribute('ID') ?? '';
        if (!digests.has(id)) problems.push({ file: PREMIS_PATH, problem: `no PREMIS object for ${id}` });
        else if (digests.get(id) !== f.getAttribute('CHECKSUM')) problems.push({ file: PREMIS_PATH, problem: `the PREMIS digest of ${id} differs from METS.xml` });
      }
      const agents = new Set(all(p, NS.premis, 'agentIdentifierValue').map((a) => a.textContent?.trim() ?? ''));
      const events = all(p, NS.premis, 'event');
      if (!events.length) problems.push({ file: PREMIS_PATH, problem: 'no preservation events' });
      for (const ev of events) {
        const id = all(ev, NS.premis, 'eventIdentifierValue')[0]?.textContent ?? '?';
        if (!all(ev, NS.premis, 'eventType')[0]?.textContent?.trim()) problems.push({ file: PREMIS_PATH, problem: `event ${id} has no type` });
        if (!VN_TIME.test(all(ev, NS.premis, 'eventDateTime')[0]?.textContent?.trim() ?? '')) problems.push({ file: PREMIS_PATH, problem: `event ${id}: time not in +07:00` });
        for (const a of all(ev, NS.premis, 'linkingAgentIdentifierValue')) if (!agents.has(a.textContent?.trim() ?? '')) problems.push({ file: PREMIS_PATH, problem: `event ${id} names an unknown agent` });
      }
    }
    return { package: path, ok: problems.length === 0, problems, files };
  } finally {
    zip.close();
    rmSync(work, { recursive: true, force: true });
  }
}
