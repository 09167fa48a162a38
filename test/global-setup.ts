// Runs once before the test files: makes sure the Debian tools, npm packages and the build
// (dist/, used by the `kyso` command the tests spawn) are in place. A no-op when they are.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

export default function setup(): void {
  const root = join(import.meta.dirname, '..');
  const r = spawnSync(process.execPath, [join(root, 'scripts', 'setup.mjs'), '--quiet'], { stdio: 'inherit', cwd: root });
  if (r.status !== 0) throw new Error('scripts/setup.mjs failed');
}
