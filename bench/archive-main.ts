// The archive bench alone (`npx vite-node bench/archive-main.ts`): signs the bench's 100 MB scan
// once with the organisation token, then runs bench/archive.ts (a record of about 1 GB exported
// beside zip of the same files). `npm run bench` runs it too, after the signing benchmarks.
import { existsSync, mkdirSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { makeScannedPdf } from '../test/fixtures/corpus.js';
import { sharedTestPki } from '../test/fixtures/pki.js';
import { makeSoftHsm } from '../test/fixtures/softhsm.js';
import { repoRoot } from '../test/fixtures/tmp.js';
import { benchArchive } from './archive.js';

const ROOT = repoRoot();
const OUT = join(ROOT, 'bench', 'out');
const KYSO = join(ROOT, 'bin', 'kyso');
mkdirSync(OUT, { recursive: true });
const pki = await sharedTestPki();
const hsm = makeSoftHsm(join(OUT, 'softhsm-archive'), pki);
const input = join(OUT, 'scan-100mb.pdf');
if (!existsSync(input)) makeScannedPdf(input, 100);
const signed = join(OUT, 'archive-signed.pdf');
if (!existsSync(signed)) {
  const r = spawnSync(KYSO, ['sign', input, '-o', signed, '--module', hsm.module, '--token', 'KYSO-ORG', '--pin-env', 'KYSO_BENCH_PIN'], {
    env: { ...process.env, ...hsm.env, KYSO_BENCH_PIN: hsm.tokens.ORG.pin },
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(r.stderr);
}
benchArchive({ signed, dir: join(OUT, 'archive'), kyso: KYSO, rootPem: pki.rootPemPath, crls: [pki.crlDerPath, pki.rootCrlDerPath] });
