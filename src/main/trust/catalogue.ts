// The catalogue of public Vietnamese CA certificates (native/ca-catalogue.json): names, official
// download addresses and SHA-256 fingerprints, never the certificates themselves. A certificate is
// downloaded on first use (or imported from a file) and kept only when its fingerprint is the one
// listed; roots kept this way are trust anchors, sub-CAs intermediates for completing chains.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { KysoError } from '../../shared/errors.js';
import { describeCertificate } from '../cms/certinfo.js';
import { packageRoot } from '../token/drivers.js';
import { httpFetch } from '../verify/revocation-http.js';
import { certificatesIn } from './formats.js';

export interface CatalogueEntry {
  id: string;
  name: string;
  organisation?: string;
  kind: 'root' | 'intermediate';
  /** The id of the root it chains to. */
  issuer?: string;
  url: string;
  /** 'aia': the address the authorities' own certificates name; 'published': their download folder. */
  urlSource: 'aia' | 'published';
  sha256: string;
}

/** Checked by hand rather than with a schema library: the verify-only bundle loads this module. */
function checkEntry(v: unknown): CatalogueEntry {
  const e = v as Partial<CatalogueEntry>;
  const ok =
    typeof e.id === 'string' && /^[a-z0-9-]+$/.test(e.id) &&
    typeof e.name === 'string' && e.name.length > 0 &&
    (e.kind === 'root' || e.kind === 'intermediate') &&
    typeof e.url === 'string' && /^https?:\/\//.test(e.url) &&
    (e.urlSource === 'aia' || e.urlSource === 'published') &&
    typeof e.sha256 === 'string' && /^[0-9a-f]{64}$/.test(e.sha256);
  if (!ok) throw new Error(`bad entry ${JSON.stringify(v)}`);
  return e as CatalogueEntry;
}

/** One authority of the catalogue as the settings screen and `kyso trust list` show it. */
export interface CatalogueState extends CatalogueEntry {
  /** The address Kyso downloads from (the official one, or the test server's). */
  downloadUrl: string;
  trusted: boolean;
  subject?: string;
  notAfter?: string;
}

let cache: CatalogueEntry[] | undefined;

/** The catalogue, read and checked once; a broken catalogue is Kyso's own bug (INTERNAL). */
export function loadCaCatalogue(): CatalogueEntry[] {
  if (cache) return cache;
  const file = join(packageRoot(), 'native', 'ca-catalogue.json');
  try {
    const raw = JSON.parse(readFileSync(file, 'utf8')) as { authorities?: unknown };
    if (!Array.isArray(raw.authorities)) throw new Error('no "authorities" list');
    cache = raw.authorities.map(checkEntry);
    return cache;
  } catch (e) {
    throw new KysoError('INTERNAL', { reason: `cannot read ${file}: ${(e as Error).message}` }, { cause: e });
  }
}

/** Where accepted catalogue certificates are kept: $XDG_CONFIG_HOME/kyso/catalogue (one DER file per authority). */
export function catalogueDir(): string {
  const base = process.env.XDG_CONFIG_HOME || join(homedir(), '.config');
  return join(base, 'kyso', 'catalogue');
}

/**
 * The address an entry is downloaded from. KYSO_CA_BASE_URL (tests, or a mirror inside an
 * agency's network) stands in for the official hosts: BASE/<host>/<path>.
 */
export function downloadUrl(entry: CatalogueEntry): string {
  const base = process.env.KYSO_CA_BASE_URL;
  if (!base) return entry.url;
  const u = new URL(entry.url);
  return `${base.replace(/\/+$/, '')}/${u.host}${u.pathname}`;
}

const fingerprint = (der: Buffer): string => createHash('sha256').update(der).digest('hex');
const storedPath = (entry: CatalogueEntry): string => join(catalogueDir(), `${entry.id}.crt`);

function readStored(entry: CatalogueEntry): Buffer | undefined {
  const p = storedPath(entry);
  if (!existsSync(p)) return undefined;
  const der = readFileSync(p);
  // A file edited by hand is not the authority's certificate any more.
  return fingerprint(der) === entry.sha256 ? der : undefined;
}

function store(entry: CatalogueEntry, der: Buffer): void {
  const dir = catalogueDir();
  mkdirSync(dir, { recursive: true });
  const tmp = `${storedPath(entry)}.${process.pid}.tmp`;
  writeFileSync(tmp, der);
  renameSync(tmp, storedPath(entry));
}

/** Each authority with whether its certificate is here and accepted. */
export function catalogueState(): CatalogueState[] {
  return loadCaCatalogue().map((e) => {
    const der = readStored(e);
    const info = der ? describeCertificate(der) : undefined;
    return { ...e, downloadUrl: downloadUrl(e), trusted: Boolean(der), subject: info?.subject, notAfter: info?.notAfter.toISOString() };
  });
}

/** The accepted certificates: roots (trust anchors) and sub-CAs (intermediates). */
export function catalogueCertificates(): { anchors: Buffer[]; intermediates: Buffer[] } {
  const out = { anchors: [] as Buffer[], intermediates: [] as Buffer[] };
  if (!existsSync(catalogueDir())) return out;
  for (const e of loadCaCatalogue()) {
    const der = readStored(e);
    if (der) (e.kind === 'root' ? out.anchors : out.intermediates).push(der);
  }
  return out;
}

/**
 * Accepts the certificates of a file (PEM, DER or PKCS#7 bundle) that the catalogue lists, by
 * fingerprint. Throws TRUST_NOT_IN_CATALOGUE when none is listed.
 */
export function importCatalogueFile(name: string, data: Buffer): CatalogueEntry[] {
  const certs = certificatesIn(data);
  if (!certs.length) throw new KysoError('SETTINGS_INVALID_FILE', { name, reason: 'no certificate in the file' });
  const accepted: CatalogueEntry[] = [];
  for (const der of certs) {
    const entry = loadCaCatalogue().find((e) => e.sha256 === fingerprint(der));
    if (!entry) continue;
    store(entry, der);
    accepted.push(entry);
  }
  if (!accepted.length) throw new KysoError('TRUST_NOT_IN_CATALOGUE', { name, fingerprint: fingerprint(certs[0]!) });
  return accepted;
}

/**
 * Downloads an authority's certificate and keeps it when its fingerprint is the listed one.
 * Throws TRUST_DOWNLOAD_FAILED (network) or TRUST_FINGERPRINT_MISMATCH (any other certificate).
 */
export async function fetchCatalogueEntry(entry: CatalogueEntry, timeoutMs = 10_000): Promise<Buffer> {
  const known = readStored(entry);
  if (known) return known;
  const url = downloadUrl(entry);
  let body: Buffer;
  try {
    body = await httpFetch(url, { method: 'GET', timeoutMs, maxBytes: 1024 * 1024 });
  } catch (e) {
    throw new KysoError('TRUST_DOWNLOAD_FAILED', { name: entry.name, url, reason: (e as Error).message });
  }
  const certs = certificatesIn(body);
  const der = certs.find((c) => fingerprint(c) === entry.sha256);
  if (!der) throw new KysoError('TRUST_FINGERPRINT_MISMATCH', { name: entry.name, url, expected: entry.sha256, got: certs.map(fingerprint).join(', ') || 'no certificate' });
  store(entry, der);
  return der;
}

/** The entry with this id, or TRUST_NOT_IN_CATALOGUE. */
export function catalogueEntry(id: string): CatalogueEntry {
  const e = loadCaCatalogue().find((x) => x.id === id);
  if (!e) throw new KysoError('TRUST_NOT_IN_CATALOGUE', { name: id, fingerprint: '-' });
  return e;
}

/** Catalogue authorities named like a certificate's issuer (Unicode-normalised common name). */
export function catalogueIssuersOf(issuerCommonName: string): CatalogueEntry[] {
  const want = issuerCommonName.normalize('NFC');
  return loadCaCatalogue().filter((e) => e.name.normalize('NFC') === want);
}

/** Whether anything of the catalogue was accepted (for listing). */
export function catalogueFiles(): string[] {
  return existsSync(catalogueDir()) ? readdirSync(catalogueDir()).filter((f) => f.endsWith('.crt')) : [];
}
