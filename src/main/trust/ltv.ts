// What a file needs to stay verifiable offline (PAdES B-LT): for every signature, document
// timestamp and signature timestamp in it, the certificate path to a trusted root and, for each
// certificate of the path, the CRL or OCSP response that says it was not revoked. Gathered from
// what is at hand (the file's DSS, the CMS's own certificates and archived revocation data, the
// desk's CRLs and intermediates) and, when allowed, fetched online (then read back from the cache,
// as the signer check does). What cannot be found is listed, by certificate.
import { PdfReader } from '../pdf/reader.js';
import type { DssContent, ValidationData } from '../sign/dss.js';
import { vriKey } from '../sign/dss.js';
import { viewAll, viewCertificate, type CertView } from '../verify/chain-cert.js';
import { buildPath } from '../verify/chain-path.js';
import { validateCertificate, type TrustStore } from '../verify/chain.js';
import { checkCms } from '../verify/cms.js';
import { checkOcsp } from '../verify/revocation-ocsp.js';
import { findSignatures, readDss } from '../verify/signatures.js';
import { evidenceFor } from './signer-check.js';

export interface GatherOptions {
  trust: TrustStore;
  /** CRLs at hand (the desk's DATA/crl, --crl). */
  crls?: Buffer[];
  /** Intermediates at hand (DATA/certs, the catalogue's). */
  extraCerts?: Buffer[];
  online: boolean;
  cacheDir: string;
  timeoutMs?: number;
  now?: Date;
}

export interface GatheredData extends DssContent {
  /** Certificates whose path or revocation status could not be established, in words. */
  missing: string[];
  /** How many signatures and timestamps were covered. */
  items: number;
}

const pushNew = (list: Buffer[], items: Buffer[]): void => {
  for (const d of items) if (!list.some((x) => x.equals(d))) list.push(d);
};

/** The path and revocation evidence of one certificate (a signer's or a TSA's). */
async function forCertificate(leaf: Buffer, pool: Buffer[], crls: Buffer[], ocsps: Buffer[], o: GatherOptions, missing: string[]): Promise<ValidationData> {
  const now = o.now ?? new Date();
  const out: ValidationData = { certs: [], crls: [], ocsps: [] };
  // Asking the verifier's own revocation check online fills the cache evidenceFor reads.
  if (o.online) {
    await validateCertificate({ signer: leaf, pool, trust: o.trust, at: now, now, revocation: { crls, ocsps, online: true, cacheDir: o.cacheDir, timeoutMs: o.timeoutMs ?? 5000 } }).catch(() => undefined);
  }
  const leafView = viewCertificate(leaf);
  const built = buildPath(leafView, viewAll(pool), viewAll(o.trust.anchors));
  pushNew(out.certs, built.certs.map((c) => c.der));
  if (built.status !== 'trusted') missing.push(`${leafView.info.commonName}: no path to a trusted root (${built.status})`);
  for (let i = 0; i + 1 < built.certs.length; i++) {
    const cert: CertView = built.certs[i]!;
    const issuer: CertView = built.certs[i + 1]!;
    const e = evidenceFor(cert, issuer, now, { crls, cacheDir: o.cacheDir });
    const given = ocsps.filter((d) => {
      const r = checkOcsp(d, cert, issuer, now);
      return r?.status === 'good' || r?.status === 'revoked';
    });
    if (!e.crls.length && !e.ocsps.length && !given.length) missing.push(`${cert.info.commonName}: no CRL or OCSP response covering now`);
    pushNew(out.crls, e.crls);
    pushNew(out.ocsps, e.ocsps.length ? e.ocsps : given.slice(0, 1));
  }
  return out;
}

/** Gathers validation data for every signature and timestamp of the PDF at `path`. */
export async function gatherValidationData(path: string, o: GatherOptions): Promise<GatheredData> {
  const reader = PdfReader.open(path);
  let found: ReturnType<typeof findSignatures>;
  let dss: ReturnType<typeof readDss>;
  try {
    found = findSignatures(reader);
    dss = readDss(reader);
  } finally {
    reader.close();
  }
  const result: GatheredData = { certs: [], crls: [], ocsps: [], vri: new Map(), missing: [], items: 0 };
  for (const sig of found) {
    if (!sig.contents) continue;
    const cms = checkCms(sig.contents);
    if (cms.fault || !cms.signerCert) {
      result.missing.push(`${sig.fieldName}: the signature cannot be read`);
      continue;
    }
    const crls = [...(o.crls ?? []), ...dss.crls, ...cms.archived.crls];
    const ocsps = [...dss.ocsps, ...cms.archived.ocsps];
    const pool = [...cms.certificates, ...dss.certs, ...(o.extraCerts ?? [])];
    const data = await forCertificate(cms.signerCert, pool, crls, ocsps, o, result.missing);
    result.items++;
    if (cms.timestampToken) {
      const token = checkCms(cms.timestampToken);
      if (!token.fault && token.signerCert) {
        const t = await forCertificate(token.signerCert, [...token.certificates, ...pool], crls, ocsps, o, result.missing);
        pushNew(data.certs, t.certs);
        pushNew(data.crls, t.crls);
        pushNew(data.ocsps, t.ocsps);
        result.items++;
      }
    }
    pushNew(result.certs, data.certs);
    pushNew(result.crls, data.crls);
    pushNew(result.ocsps, data.ocsps);
    result.vri.set(vriKey(sig.contents), data);
  }
  result.missing = [...new Set(result.missing)];
  return result;
}
