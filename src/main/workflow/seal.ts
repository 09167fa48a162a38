// Sealing a signed file for the long term (PAdES B-LT, then B-LTA): three incremental updates,
// each on a new file, the input never touched:
//   1. a DSS with every certificate, CRL and OCSP response the signatures and timestamps need;
//   2. a document timestamp over the whole (ETSI.RFC3161), from the configured TSA;
//   3. a DSS update with what the new timestamp's own TSA certificate needs.
// A renewal is the same, made on a sealed file: the new timestamp covers the old ones and the
// validation data of the old ones, before their TSA certificate or algorithm loses its strength.
import { rmSync } from 'node:fs';
import { describeCertificate } from '../cms/certinfo.js';
import { AtomicFile } from '../io/atomic.js';
import { PdfReader } from '../pdf/reader.js';
import { addDss } from '../sign/dss.js';
import { timestampPdf } from '../sign/sign.js';
import type { DigestTimestamper } from '../sign/timestamp.js';
import { gatherValidationData, type GatherOptions } from '../trust/ltv.js';
import { checkCms, parseTstInfo } from '../verify/cms.js';
import { findSignatures } from '../verify/signatures.js';
import { KysoError } from '../../shared/errors.js';

export interface SealTools {
  tsa: DigestTimestamper;
  tsaUrl: string;
  gather: Omit<GatherOptions, 'now'>;
}

export interface LastTimestamp {
  time: Date;
  tsa: string;
  tsaNotAfter: Date;
  digest: string;
}

export interface SealResult extends LastTimestamp {
  /** Certificates whose path or revocation status could not be put in the file. */
  missing: string[];
}

/** The last document timestamp of a file (or undefined): its time, TSA and TSA certificate's end. */
export function lastDocumentTimestamp(path: string): LastTimestamp | undefined {
  const reader = PdfReader.open(path);
  try {
    const stamps = findSignatures(reader).filter((s) => s.type === 'DocTimeStamp' && s.contents);
    const last = stamps.sort((a, b) => b.signedLength - a.signedLength)[0];
    if (!last) return undefined;
    const cms = checkCms(last.contents!);
    const tst = cms.eContent ? parseTstInfo(cms.eContent) : undefined;
    if (!cms.signerCert || !tst) return undefined;
    const info = describeCertificate(cms.signerCert);
    // The timestamp holds while every certificate of its TSA's path does: the earliest end among
    // the TSA's certificate and the CA certificates the token carries.
    const ends = [info.notAfter, ...cms.certificates.map((c) => describeCertificate(c).notAfter)].map((d) => d.getTime());
    return { time: tst.genTime, tsa: info.commonName, tsaNotAfter: new Date(Math.min(...ends)), digest: tst.hash };
  } finally {
    reader.close();
  }
}

/** Whether a file holds a signature (any, document timestamps included). */
export function hasSignature(path: string): boolean {
  const reader = PdfReader.open(path);
  try {
    return findSignatures(reader).length > 0;
  } finally {
    reader.close();
  }
}

/**
 * Seals `input` into `output`. `temp` gives fresh paths beside the output (same file system) for
 * the intermediate files, which are removed whatever happens.
 */
export async function sealPdf(input: string, output: string, tools: SealTools, temp: () => string, now: Date): Promise<SealResult> {
  if (!hasSignature(input)) throw new KysoError('ARCHIVE_FILE_UNSIGNED', { sha256: input });
  const withDss = temp();
  const stamped = temp();
  try {
    const first = await gatherValidationData(input, { ...tools.gather, now });
    const wrote = await addDss(input, withDss, first);
    await timestampPdf({ input: wrote ? withDss : input, output: stamped, tsa: tools.tsa });
    // The new timestamp's TSA certificate, its path and revocation data: now, while they can be had.
    const second = await gatherValidationData(stamped, { ...tools.gather, now });
    if (!(await addDss(stamped, output, second))) {
      // Nothing new to add after the timestamp: the stamped file is the sealed one.
      const f = await AtomicFile.fromCopy(stamped, output);
      await f.commit();
    }
    const last = lastDocumentTimestamp(output);
    if (!last) throw new KysoError('TSA_RESPONSE_INVALID', { url: tools.tsaUrl, reason: 'the document timestamp just made cannot be read back' });
    return { ...last, missing: second.missing };
  } finally {
    rmSync(withDss, { force: true });
    rmSync(stamped, { force: true });
  }
}
