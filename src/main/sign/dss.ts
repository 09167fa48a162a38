// The Document Security Store (PAdES B-LT, ETSI EN 319 142-1 §5.4): an incremental update that
// adds to the catalog a /DSS holding the certificates, CRLs and OCSP responses a verifier needs to
// validate the signatures and timestamps of the file offline, with a /VRI entry per signature
// keyed by the upper-case hex SHA-1 of its /Contents value. Validation data already in the file is
// kept (referenced again, not copied); only what is new is written. The original bytes are never
// touched: the update is appended to a copy that is flushed and renamed into place.
import { createHash } from 'node:crypto';
import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import { KysoError } from '../../shared/errors.js';
import { AtomicFile } from '../io/atomic.js';
import { IncrementalUpdate } from '../pdf/incremental.js';
import { PdfDict, PdfName, PdfRef, PdfStream, isArray, isRef, type PdfObject } from '../pdf/objects.js';
import { PdfReader } from '../pdf/reader.js';

/** Validation data for one signature or timestamp (DER). */
export interface ValidationData {
  certs: Buffer[];
  crls: Buffer[];
  ocsps: Buffer[];
}

export interface DssContent extends ValidationData {
  /** Per signature: the VRI key (see vriKey) and what validates it. */
  vri: Map<string, ValidationData>;
}

/** PAdES's key of a signature's VRI entry: SHA-1 of its /Contents value, upper-case hex. */
export function vriKey(contents: Buffer): string {
  return createHash('sha1').update(contents).digest('hex').toUpperCase();
}

type Kind = 'Certs' | 'CRLs' | 'OCSPs';

/** The streams of the existing DSS, by kind, with their bytes (to add nothing twice). */
function existing(r: PdfReader, dss: PdfDict | undefined): Record<Kind, Array<{ ref: PdfRef; bytes: Buffer }>> {
  const out: Record<Kind, Array<{ ref: PdfRef; bytes: Buffer }>> = { Certs: [], CRLs: [], OCSPs: [] };
  if (!dss) return out;
  for (const kind of ['Certs', 'CRLs', 'OCSPs'] as const) {
    const arr = r.resolve(dss.get(kind));
    if (!isArray(arr)) continue;
    for (const o of arr) {
      if (!isRef(o)) continue;
      const s = r.resolve(o);
      if (!(s instanceof PdfStream)) continue;
      try {
        out[kind].push({ ref: o, bytes: r.streamData(s) });
      } catch {
        // An unreadable stream is kept where it is and not counted as evidence.
      }
    }
  }
  return out;
}

/** Builds the DSS update against `reader`; undefined when the file already holds all of it. */
export function buildDssUpdate(reader: PdfReader, content: DssContent): IncrementalUpdate | undefined {
  const catalogRef = reader.rootRef();
  const catalog = reader.catalog();
  const oldDss = reader.resolveDict(catalog.get('DSS'));
  const have = existing(reader, oldDss);
  const update = new IncrementalUpdate(reader);
  let added = 0;
  const refFor = (kind: Kind, der: Buffer): PdfRef => {
    const found = have[kind].find((e) => e.bytes.equals(der));
    if (found) return found.ref;
    const ref = update.add(new PdfStream(new PdfDict(), 0, der.length, der));
    have[kind].push({ ref, bytes: der });
    added++;
    return ref;
  };
  const refsOf = (kind: Kind, list: Buffer[]): PdfRef[] => {
    const out: PdfRef[] = [];
    for (const der of list) {
      const ref = refFor(kind, der);
      if (!out.some((r) => r.equals(ref))) out.push(ref);
    }
    return out;
  };
  refsOf('Certs', content.certs);
  refsOf('CRLs', content.crls);
  refsOf('OCSPs', content.ocsps);

  const oldVri = reader.resolveDict(oldDss?.get('VRI'));
  const vri = new PdfDict(oldVri ? oldVri.map : undefined);
  for (const [key, data] of content.vri) {
    if (!/^[0-9A-F]{40}$/.test(key)) throw new KysoError('INTERNAL', { reason: `not a VRI key: ${key}` });
    const entry = new PdfDict();
    const certs = refsOf('Certs', data.certs);
    const crls = refsOf('CRLs', data.crls);
    const ocsps = refsOf('OCSPs', data.ocsps);
    if (certs.length) entry.set('Cert', certs);
    if (crls.length) entry.set('CRL', crls);
    if (ocsps.length) entry.set('OCSP', ocsps);
    if (!vri.has(key)) added++;
    vri.set(key, entry);
  }
  if (added === 0) return undefined;
  const dss = new PdfDict();
  if (have.Certs.length) dss.set('Certs', have.Certs.map((e) => e.ref as PdfObject));
  if (have.CRLs.length) dss.set('CRLs', have.CRLs.map((e) => e.ref as PdfObject));
  if (have.OCSPs.length) dss.set('OCSPs', have.OCSPs.map((e) => e.ref as PdfObject));
  if (vri.keys().length) dss.set('VRI', vri);
  const dssRef = update.add(dss);
  const newCatalog = catalog.clone();
  newCatalog.set('DSS', dssRef);
  if (!newCatalog.has('Type')) newCatalog.set('Type', PdfName.of('Catalog'));
  update.set(catalogRef, newCatalog);
  return update;
}

/**
 * Writes `input` with the DSS update appended to `output` (temporary file, flush, rename).
 * Returns false, writing nothing, when the file already holds every item.
 */
export async function addDss(input: string, output: string, content: DssContent): Promise<boolean> {
  const src = resolve(input);
  const dst = resolve(output);
  if (src === dst) throw new KysoError('OUTPUT_SAME_AS_INPUT', { path: src });
  const before = statSync(src);
  const reader = PdfReader.open(src);
  try {
    if (reader.isEncrypted) throw new KysoError('PDF_ENCRYPTED', { path: src });
    const update = buildDssUpdate(reader, content);
    if (!update) return false;
    const built = update.build();
    const out = await AtomicFile.fromCopy(src, dst);
    try {
      const after = statSync(src);
      if (out.length !== built.baseSize || after.size !== before.size || after.mtimeMs !== before.mtimeMs)
        throw new KysoError('FILE_READ_FAILED', { path: src, reason: 'the file changed while validation data was being added' });
      out.write(built.bytes);
      await out.commit();
    } catch (e) {
      out.abort();
      throw e;
    }
    return true;
  } finally {
    reader.close();
  }
}
