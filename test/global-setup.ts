// Runs once before the test files: makes sure the Debian tools, npm packages and the build
// (dist/, used by the `kyso` command the tests spawn) are in place, then builds the shared
// fixtures (test PKI, SoftHSM2 tokens, PDF corpus) in this process.
//
// Building the fixtures here, before any worker starts, matters: a worker that finds them missing
// builds them under a file lock, and a second worker would wait on that lock synchronously. A worker
// blocked for more than 60 s cannot answer vitest's RPC ("Timeout calling onTaskUpdate"), which
// fails the run although every test passed.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { sharedCorpus } from './fixtures/corpus.js';
import { sharedTestPki } from './fixtures/pki.js';
import { sharedSoftHsm } from './fixtures/softhsm.js';

export default async function setup(): Promise<void> {
  const root = join(import.meta.dirname, '..');
  const r = spawnSync(process.execPath, [join(root, 'scripts', 'setup.mjs'), '--quiet'], { stdio: 'inherit', cwd: root });
  if (r.status !== 0) throw new Error('scripts/setup.mjs failed');
  const pki = await sharedTestPki();
  sharedSoftHsm(pki);
  await sharedCorpus(pki);
}
