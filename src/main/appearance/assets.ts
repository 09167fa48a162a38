// Finds the files Kyso ships beside its code (assets/: fonts, placement presets). The code runs
// from src/ (tests), dist/ (built) and the bundled command line, at different depths, so the
// folder is found by walking up to the package root rather than by a fixed relative path.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { KysoError } from '../../shared/errors.js';

let assetsDirCache: string | undefined;

/** The assets folder: KYSO_ASSETS when set (a packaged app), else <package root>/assets. */
export function assetsDir(): string {
  if (assetsDirCache) return assetsDirCache;
  const fromEnv = process.env.KYSO_ASSETS;
  if (fromEnv) return (assetsDirCache = fromEnv);
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'assets'))) return (assetsDirCache = join(dir, 'assets'));
    const parent = dirname(dir);
    if (parent === dir) throw new KysoError('ASSET_MISSING', { path: 'assets/' });
    dir = parent;
  }
}

/** The path of one shipped file; ASSET_MISSING when it is not there. */
export function assetPath(...parts: string[]): string {
  const p = join(assetsDir(), ...parts);
  if (!existsSync(p)) throw new KysoError('ASSET_MISSING', { path: p });
  return p;
}
