// Which PKCS#11 driver file to load: an explicit path, the KYSO_PKCS11_MODULE variable, or the first
// driver of the catalogue (native/token-drivers.json) found on this machine.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { KysoError } from '../../shared/errors.js';

export type DriverPlatform = 'win32' | 'linux' | 'darwin';

export interface DriverEntry {
  id: string;
  vendor: string;
  product: string;
  lockAfterWrongPins?: number;
  test?: boolean;
  notes?: string;
  platforms: Partial<Record<DriverPlatform, string[]>>;
}

// Checked by hand rather than with a schema library: the command line loads this module on every
// start, and a validation library costs more start-up time than the whole check.
function checkEntry(e: unknown, i: number): DriverEntry {
  const bad = (why: string): never => {
    throw new Error(`drivers[${i}]: ${why}`);
  };
  if (typeof e !== 'object' || e === null) bad('not an object');
  const o = e as Record<string, unknown>;
  for (const k of ['id', 'vendor', 'product'] as const) if (typeof o[k] !== 'string' || o[k] === '') bad(`${k} must be a non-empty string`);
  if (o.lockAfterWrongPins !== undefined && !(Number.isInteger(o.lockAfterWrongPins) && (o.lockAfterWrongPins as number) > 0)) bad('lockAfterWrongPins must be a positive integer');
  if (o.test !== undefined && typeof o.test !== 'boolean') bad('test must be a boolean');
  if (o.notes !== undefined && typeof o.notes !== 'string') bad('notes must be a string');
  const pl = o.platforms;
  if (typeof pl !== 'object' || pl === null) bad('platforms must be an object');
  for (const [k, v] of Object.entries(pl as Record<string, unknown>)) {
    if (!['win32', 'linux', 'darwin'].includes(k)) bad(`unknown platform ${k}`);
    if (!Array.isArray(v) || !v.every((x) => typeof x === 'string' && x !== '')) bad(`platforms.${k} must be a list of paths`);
  }
  return o as unknown as DriverEntry;
}

/** A driver file present on this machine. */
export interface FoundDriver {
  id: string;
  vendor: string;
  product: string;
  path: string;
  test: boolean;
}

let packageRootCache: string | undefined;

/**
 * The directory holding Kyso's package.json. The code runs from src/ (vitest) and from dist/ (built),
 * at different depths, so the catalogue cannot be found by a fixed relative path.
 */
export function packageRoot(): string {
  if (packageRootCache) return packageRootCache;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'package.json'))) return (packageRootCache = dir);
    const parent = dirname(dir);
    if (parent === dir) throw new KysoError('INTERNAL', { reason: 'package.json not found above ' + fileURLToPath(import.meta.url) });
    dir = parent;
  }
}

let catalogueCache: DriverEntry[] | undefined;

/** The driver catalogue, read and checked once. A broken catalogue is Kyso's bug, hence INTERNAL. */
export function loadDriverCatalogue(): DriverEntry[] {
  if (catalogueCache) return catalogueCache;
  const file = join(packageRoot(), 'native', 'token-drivers.json');
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new KysoError('INTERNAL', { reason: `cannot read ${file}: ${(e as Error).message}` }, { cause: e });
  }
  try {
    const drivers = (raw as { drivers?: unknown }).drivers;
    if (!Array.isArray(drivers)) throw new Error('"drivers" must be a list');
    return (catalogueCache = drivers.map(checkEntry));
  } catch (e) {
    throw new KysoError('INTERNAL', { reason: `invalid ${file}: ${(e as Error).message}` });
  }
}

/** Expands %VAR% (Windows style) from the environment; %SystemRoot% defaults to C:\Windows. */
function expandPath(p: string): string {
  return p.replace(/%([^%]+)%/g, (whole, name: string) => {
    const v = process.env[name] ?? (name.toLowerCase() === 'systemroot' ? 'C:\\Windows' : undefined);
    return v ?? whole;
  });
}

function isFile(p: string): boolean {
  try {
    return statSync(p).isFile();
  } catch {
    return false;
  }
}

/** The catalogue's candidate paths for a platform: real vendors first, test tokens last. */
export function candidatePaths(platform: NodeJS.Platform = process.platform): Array<{ entry: DriverEntry; path: string }> {
  const drivers = loadDriverCatalogue();
  const ordered = [...drivers.filter((d) => !d.test), ...drivers.filter((d) => d.test)];
  const out: Array<{ entry: DriverEntry; path: string }> = [];
  for (const entry of ordered) {
    const paths = entry.platforms[platform as DriverPlatform] ?? [];
    for (const p of paths) out.push({ entry, path: expandPath(p) });
  }
  return out;
}

/** Every catalogue driver present on this machine, in probing order. */
export function probeDrivers(platform: NodeJS.Platform = process.platform): FoundDriver[] {
  return candidatePaths(platform)
    .filter((c) => isFile(c.path))
    .map((c) => ({ id: c.entry.id, vendor: c.entry.vendor, product: c.entry.product, path: c.path, test: c.entry.test === true }));
}

/**
 * The driver file to load. An explicit path (command line, Settings) must exist; then KYSO_PKCS11_MODULE;
 * then the first catalogue driver found. Throws TOKEN_MODULE_NOT_FOUND naming what was looked for.
 */
export function resolveModulePath(explicit?: string): string {
  if (explicit !== undefined && explicit !== '') {
    if (!isFile(explicit)) throw new KysoError('TOKEN_MODULE_NOT_FOUND', { module: explicit });
    return explicit;
  }
  const fromEnv = process.env.KYSO_PKCS11_MODULE;
  if (fromEnv) {
    if (!isFile(fromEnv)) throw new KysoError('TOKEN_MODULE_NOT_FOUND', { module: fromEnv, source: 'KYSO_PKCS11_MODULE' });
    return fromEnv;
  }
  const candidates = candidatePaths();
  const found = candidates.find((c) => isFile(c.path));
  if (found) return found.path;
  const names = [...new Set(candidates.map((c) => basename(c.path.replace(/\\/g, '/'))))];
  throw new KysoError('TOKEN_MODULE_NOT_FOUND', {
    module: names.length ? names.join(', ') : `(${process.platform})`,
    tried: candidates.map((c) => c.path).join('; '),
  });
}
