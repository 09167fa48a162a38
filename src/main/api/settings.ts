// The person's settings, kept as files in the data folder: settings.json (language, driver path,
// preset, revocation checking, PIN tries), trust/*.pem (trusted roots), crl/*.crl (revocation lists
// loaded by hand) and images/<person>/<kind>.png (signature, seal and initials images per person).
// Roots named in KYSO_TRUST (files or folders, like `kyso verify`) are trusted as well, shown but
// not removable here: the machine's administrator set them.
import { createHash, X509Certificate } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, delimiter, join, resolve } from 'node:path';
import { z } from 'zod';
import { KysoError } from '../../shared/errors.js';
import type { ImageKind, Settings } from '../../shared/contract.js';
import { certificatesFromPem, loadTrustStore, type TrustStore } from '../verify/chain.js';
import { catalogueCertificates, catalogueEntry, catalogueState, fetchCatalogueEntry } from '../trust/catalogue.js';
import { loadPresets, DEFAULT_PRESET } from '../appearance/presets.js';

const Stored = z.object({
  language: z.enum(['vi', 'en']).default('vi'),
  modulePath: z.string().nullable().default(null),
  onlineRevocation: z.boolean().default(false),
  preset: z.string().default(DEFAULT_PRESET),
  /** Wrong PINs after which the tokens of this office lock, when the driver catalogue does not say. */
  pinLockAfter: z.number().int().min(1).max(99).nullable().default(null),
  /** The TSA that seals archived files (state agencies: http://ca.gov.vn/tsa); KYSO_TSA_URL wins. */
  tsaUrl: z.string().nullable().default(null),
});
type Stored = z.infer<typeof Stored>;

const PNG_MAGIC = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const IMAGE_KINDS: ImageKind[] = ['signature', 'seal', 'initials'];

/** A file name safe to keep in our folders: no separators, no leading dots. */
function safeName(name: string): string {
  const b = basename(name).replace(/[^\p{L}\p{N}._ -]/gu, '_').replace(/^\.+/, '');
  if (!b) throw new KysoError('SETTINGS_INVALID_FILE', { name, reason: 'empty name' });
  return b;
}

/** A person's folder name: the token label, kept readable, made safe. */
function personDir(person: string): string {
  return encodeURIComponent(person.trim());
}

/** Width, height and printed resolution (pHYs, pixels per inch) of a PNG, from its header chunks. */
function pngHeader(png: Buffer): { width: number; height: number; dpi: number | null } {
  const width = png.length >= 24 ? png.readUInt32BE(16) : 0;
  const height = png.length >= 24 ? png.readUInt32BE(20) : 0;
  let dpi: number | null = null;
  for (let p = 8; p + 12 <= png.length; ) {
    const len = png.readUInt32BE(p);
    const type = png.toString('latin1', p + 4, p + 8);
    if (type === 'pHYs' && p + 17 <= png.length && png[p + 16] === 1) {
      dpi = Math.round(png.readUInt32BE(p + 8) * 0.0254 * 100) / 100;
      break;
    }
    if (type === 'IDAT') break;
    p += 12 + len;
  }
  return { width, height, dpi };
}

export class SettingsStore {
  private readonly file: string;
  readonly trustDir: string;
  readonly crlDir: string;
  readonly imagesDir: string;

  constructor(readonly dataDir: string) {
    this.file = join(dataDir, 'settings.json');
    this.trustDir = join(dataDir, 'trust');
    this.crlDir = join(dataDir, 'crl');
    this.imagesDir = join(dataDir, 'images');
    for (const d of [dataDir, this.trustDir, this.crlDir, this.imagesDir]) mkdirSync(d, { recursive: true });
  }

  private read(): Stored {
    if (!existsSync(this.file)) return Stored.parse({});
    try {
      return Stored.parse(JSON.parse(readFileSync(this.file, 'utf8')));
    } catch (e) {
      throw new KysoError('ASSET_INVALID', { path: this.file, reason: (e as Error).message });
    }
  }

  private write(s: Stored): void {
    writeFileSync(this.file, JSON.stringify(s, null, 2));
  }

  stored(): Stored {
    return this.read();
  }

  update(patch: Partial<Stored>): Settings {
    const next = { ...this.read() };
    for (const [k, v] of Object.entries(patch)) if (v !== undefined) (next as Record<string, unknown>)[k] = v;
    if (next.modulePath === '') next.modulePath = null;
    if (!loadPresets().has(next.preset)) throw new KysoError('PRESET_UNKNOWN', { name: next.preset, known: [...loadPresets().keys()].join(', ') });
    this.write(next);
    return this.view();
  }

  addTrustAnchor(name: string, data: Buffer): Settings {
    const file = safeName(name.replace(/\.(cer|crt|der)$/i, '') + (/\.pem$/i.test(name) ? '' : '.pem'));
    const certs = certificatesFromPem(data.toString('latin1'));
    const ders = certs.length ? certs : data[0] === 0x30 ? [data] : [];
    if (ders.length === 0) throw new KysoError('SETTINGS_INVALID_FILE', { name, reason: 'no certificate in the file' });
    for (const der of ders) {
      try {
        new X509Certificate(der);
      } catch (e) {
        throw new KysoError('SETTINGS_INVALID_FILE', { name, reason: (e as Error).message });
      }
    }
    const pem = ders.map((d) => `-----BEGIN CERTIFICATE-----\n${d.toString('base64').replace(/.{64}/g, '$&\n')}\n-----END CERTIFICATE-----\n`).join('');
    writeFileSync(join(this.trustDir, file), pem.replace(/\n\n/g, '\n'));
    return this.view();
  }

  removeTrustAnchor(name: string): Settings {
    rmSync(join(this.trustDir, safeName(name)), { force: true });
    return this.view();
  }

  addCrl(name: string, data: Buffer): Settings {
    // DER CRLs start with a SEQUENCE; PEM ones are converted so the verifier reads one format.
    let der = data;
    const m = /-----BEGIN X509 CRL-----([\s\S]*?)-----END X509 CRL-----/.exec(data.toString('latin1'));
    if (m) der = Buffer.from(m[1]!.replace(/\s+/g, ''), 'base64');
    if (der[0] !== 0x30) throw new KysoError('SETTINGS_INVALID_FILE', { name, reason: 'not a CRL' });
    writeFileSync(join(this.crlDir, safeName(name.replace(/\.(pem|der)$/i, '') + (/\.crl$/i.test(name) ? '' : '.crl'))), der);
    return this.view();
  }

  setImage(person: string, kind: ImageKind, name: string, data: Buffer): Settings {
    if (!data.subarray(0, 8).equals(PNG_MAGIC)) throw new KysoError('SETTINGS_INVALID_FILE', { name, reason: 'not a PNG image' });
    const dir = join(this.imagesDir, personDir(person));
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, `${kind}.png`), data);
    return this.view();
  }

  /** The path of a person's image by its SHA-256 (the page reads images at /files/<sha256>), or undefined. */
  imagePath(sha256: string): string | undefined {
    for (const dir of readdirSync(this.imagesDir)) {
      for (const kind of IMAGE_KINDS) {
        const p = join(this.imagesDir, dir, `${kind}.png`);
        if (existsSync(p) && createHash('sha256').update(readFileSync(p)).digest('hex') === sha256) return p;
      }
    }
    return undefined;
  }

  /** The PNG of one person's image, or undefined. */
  image(person: string, kind: ImageKind): Buffer | undefined {
    const p = join(this.imagesDir, personDir(person), `${kind}.png`);
    return existsSync(p) ? readFileSync(p) : undefined;
  }

  /** Certificate files named by KYSO_TRUST (files, or folders of .pem/.crt/.cer). */
  private environmentTrustFiles(): string[] {
    const out: string[] = [];
    for (const e of (process.env.KYSO_TRUST ?? '').split(delimiter).filter(Boolean)) {
      const p = resolve(e);
      if (!existsSync(p)) continue;
      if (statSync(p).isDirectory()) {
        for (const f of readdirSync(p).sort()) if (/\.(pem|crt|cer)$/i.test(f)) out.push(join(p, f));
      } else out.push(p);
    }
    return out;
  }

  trustStore(): TrustStore {
    const files = readdirSync(this.trustDir).filter((f) => f.endsWith('.pem')).map((f) => join(this.trustDir, f));
    const store = loadTrustStore([...files, ...this.environmentTrustFiles()]);
    // The catalogue's roots, once downloaded or imported with the listed fingerprint.
    return { anchors: [...store.anchors, ...catalogueCertificates().anchors] };
  }

  /** Downloads one catalogue certificate (TRUST_FINGERPRINT_MISMATCH when it is not the official one). */
  async trustCatalogue(id: string): Promise<Settings> {
    await fetchCatalogueEntry(catalogueEntry(id));
    return this.view();
  }

  removeCrl(name: string): Settings {
    rmSync(join(this.crlDir, safeName(name)), { force: true });
    return this.view();
  }

  removeImage(person: string, kind: ImageKind): Settings {
    rmSync(join(this.imagesDir, personDir(person), `${kind}.png`), { force: true });
    return this.view();
  }

  crls(): Buffer[] {
    return readdirSync(this.crlDir).map((f) => readFileSync(join(this.crlDir, f)));
  }

  view(): Settings {
    const s = this.read();
    const describe = (name: string, path: string, source: 'settings' | 'environment') => {
      const data = readFileSync(path);
      const pem = certificatesFromPem(data.toString('latin1'));
      return (pem.length ? pem : data[0] === 0x30 ? [data] : []).map((der) => {
        const c = new X509Certificate(der);
        return { name, subject: c.subject.split('\n').reverse().join(', '), notAfter: new Date(c.validTo).toISOString(), source };
      });
    };
    const trustAnchors = [
      ...readdirSync(this.trustDir)
        .filter((f) => f.endsWith('.pem'))
        .sort()
        .flatMap((name) => describe(name, join(this.trustDir, name), 'settings')),
      ...this.environmentTrustFiles().flatMap((path) => {
        try {
          return describe(basename(path), path, 'environment');
        } catch {
          return [];
        }
      }),
    ];
    const crls = readdirSync(this.crlDir)
      .sort()
      .map((name) => ({ name, size: statSync(join(this.crlDir, name)).size }));
    const images: Settings['images'] = [];
    for (const dir of readdirSync(this.imagesDir).sort()) {
      for (const kind of IMAGE_KINDS) {
        const p = join(this.imagesDir, dir, `${kind}.png`);
        if (existsSync(p)) {
          // By reference: the page shows it from /files/<sha256>, its size known beforehand.
          const bytes = readFileSync(p);
          images.push({ person: decodeURIComponent(dir), kind, sha256: createHash('sha256').update(bytes).digest('hex'), ...pngHeader(bytes) });
        }
      }
    }
    const presets = [...loadPresets().entries()].map(([name, p]) => ({ name, label: p.label }));
    const catalogue = catalogueState().map((e) => ({ id: e.id, name: e.name, kind: e.kind, url: e.downloadUrl, sha256: e.sha256, trusted: e.trusted }));
    return { ...s, presets, trustAnchors, crls, catalogue, images };
  }
}
