// `npm run bench`: signs a generated 100 MB scanned PDF and prints, from the same run, the whole
// process's wall time and peak RSS for
//   - Kyso (`kyso sign` from a SoftHSM2 token: process start, driver load, login, sign, write),
//   - `openssl dgst -sha256` of the same file (the floor: reading and hashing it once),
//   - the naive path with the card's libraries (@signpdf/placeholder-plain + P12Signer),
// and compares Kyso with the goals (≤ 1 s, ≤ 1/5 of the naive time, peak RSS ≤ 300 MB).
// Measured with GNU time in separate processes; nothing here is a timed assertion in a test.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { sharedTestPki } from '../test/fixtures/pki.js';
import { makeSoftHsm } from '../test/fixtures/softhsm.js';
import { makeScannedPdf } from '../test/fixtures/corpus.js';
import { makeNssDb, pdfsig } from '../test/fixtures/judges.js';
import { repoRoot } from '../test/fixtures/tmp.js';

const ROOT = repoRoot();
const OUT = join(ROOT, 'bench', 'out');
const SIZE_MB = Number(process.env.KYSO_BENCH_MB ?? 100);
const RUNS = Number(process.env.KYSO_BENCH_RUNS ?? 3);

interface Measure {
  wall: number;
  rssMB: number;
  ok: boolean;
  note?: string;
}

function measure(cmd: string, args: string[], env: NodeJS.ProcessEnv = {}): Measure {
  const r = spawnSync('/usr/bin/time', ['-f', 'KYSO_TIME %e %M', cmd, ...args], {
    env: { ...process.env, ...env },
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  const m = /KYSO_TIME ([\d.]+) (\d+)/.exec(r.stderr);
  const note = r.status === 0 ? undefined : r.stderr.replace(/KYSO_TIME.*\n?/, '').trim().split('\n').slice(-2).join(' ').slice(0, 160);
  return { wall: m ? Number(m[1]) : NaN, rssMB: m ? Number(m[2]) / 1024 : NaN, ok: r.status === 0, note };
}

function best(ms: Measure[]): Measure {
  const ok = ms.filter((m) => m.ok);
  if (ok.length === 0) return ms[0]!;
  return ok.reduce((a, b) => (b.wall < a.wall ? b : a));
}

function median(ms: Measure[]): number {
  const w = ms.filter((m) => m.ok).map((m) => m.wall).sort((a, b) => a - b);
  return w.length ? w[Math.floor(w.length / 2)]! : NaN;
}

async function main(): Promise<void> {
  mkdirSync(OUT, { recursive: true });
  const pki = await sharedTestPki();
  const hsm = makeSoftHsm(join(OUT, 'softhsm'), pki);
  const input = join(OUT, `scan-${SIZE_MB}mb.pdf`);
  if (!existsSync(input)) {
    const t = Date.now();
    const pages = makeScannedPdf(input, SIZE_MB);
    process.stdout.write(`generated ${input}: ${pages} full-page raster pages in ${((Date.now() - t) / 1000).toFixed(1)} s\n`);
  }
  const size = statSync(input).size;
  process.stdout.write(`input: ${(size / 1048576).toFixed(1)} MiB, ${RUNS} runs each, best wall time and its peak RSS shown\n\n`);

  const kysoOut = join(OUT, 'kyso-signed.pdf');
  const naiveOut = join(OUT, 'naive-signed.pdf');
  const results: Record<string, Measure[]> = { openssl: [], kyso: [], naive: [], verify: [], pdfsig: [] };
  for (let i = 0; i < RUNS; i++) {
    results.openssl!.push(measure('openssl', ['dgst', '-sha256', input]));
    rmSync(kysoOut, { force: true });
    results.kyso!.push(
      measure(process.execPath, [join(ROOT, 'bin', 'kyso.cjs'), 'sign', input, '-o', kysoOut, '--module', hsm.module, '--token', 'KYSO-ORG', '--pin-env', 'KYSO_BENCH_PIN'], {
        ...hsm.env,
        KYSO_BENCH_PIN: hsm.tokens.ORG.pin,
      }),
    );
    rmSync(naiveOut, { force: true });
    results.naive!.push(measure(process.execPath, [join(ROOT, 'bench', 'naive.mjs'), input, naiveOut, pki.org.p12Path!, pki.p12Password]));
  }

  // Verification of the signed 100 MB file: Kyso's whole process beside pdfsig's.
  const nss = makeNssDb(join(OUT, 'nss'), [pki.root.certPem]);
  for (let i = 0; i < RUNS; i++) {
    results.verify!.push(
      measure(process.execPath, [join(ROOT, 'bin', 'kyso.cjs'), 'verify', kysoOut, '--offline', '--trust', pki.rootPemPath, '--crl', pki.crlDerPath, '--crl', pki.rootCrlDerPath, '--json'], {
        XDG_CONFIG_HOME: join(OUT, 'config'),
        XDG_CACHE_HOME: join(OUT, 'cache'),
      }),
    );
    results.pdfsig!.push(measure('pdfsig', ['-nssdir', `sql:${join(OUT, 'nss')}`, kysoOut]));
  }

  const row = (name: string, m: Measure[]): string => {
    const b = best(m);
    return `${name.padEnd(34)} ${b.ok ? b.wall.toFixed(2).padStart(7) + ' s' : '  failed'}   median ${median(m).toFixed(2).padStart(6)} s   peak RSS ${b.rssMB.toFixed(0).padStart(5)} MB${b.note ? '   ' + b.note : ''}`;
  };
  process.stdout.write(row('openssl dgst -sha256 (floor)', results.openssl!) + '\n');
  process.stdout.write(row('kyso sign (SoftHSM2 token)', results.kyso!) + '\n');
  process.stdout.write(row('naive @signpdf + P12Signer', results.naive!) + '\n');
  process.stdout.write(row('kyso verify (offline, CRL given)', results.verify!) + '\n');
  process.stdout.write(row('pdfsig (poppler) verify', results.pdfsig!) + '\n\n');

  const k = best(results.kyso!);
  const n = best(results.naive!);
  const o = best(results.openssl!);
  if (!k.ok) throw new Error(`kyso sign failed: ${k.note}`);
  const checks = [
    [`Kyso wall time ≤ 1 s`, k.wall <= 1, `${k.wall.toFixed(2)} s`],
    [`Kyso ≤ 1/5 of naive`, n.ok ? k.wall * 5 <= n.wall : true, n.ok ? `ratio 1/${(n.wall / k.wall).toFixed(1)}` : 'naive failed'],
    [`Kyso peak RSS ≤ 300 MB`, k.rssMB <= 300, `${k.rssMB.toFixed(0)} MB`],
    [`verify no slower than pdfsig`, best(results.verify!).wall <= best(results.pdfsig!).wall, `${best(results.verify!).wall.toFixed(2)} s vs ${best(results.pdfsig!).wall.toFixed(2)} s`],
    [`verify peak RSS ≤ 150 MB`, best(results.verify!).rssMB <= 150, `${best(results.verify!).rssMB.toFixed(0)} MB`],
  ] as const;
  for (const [what, pass, fig] of checks) process.stdout.write(`${pass ? 'PASS' : 'MISS'}  ${what.padEnd(26)} ${fig}\n`);
  process.stdout.write(`      Kyso over the openssl floor: +${(k.wall - o.wall).toFixed(2)} s\n`);

  // The benchmark's output must be a good signature too. (qpdf --check decodes every JPEG of a
  // 100 MB scan, ~35 s; the tests run it on the smaller scan of the corpus.)
  const rep = pdfsig(kysoOut, nss);
  const sig = rep.signatures[0];
  process.stdout.write(
    `check  pdfsig: ${sig?.signatureValidation ?? 'no signature'} ${sig?.certificateValidation ?? ''} ${sig?.totalDocumentSigned ? 'Total document signed' : ''}\n`,
  );
  if (sig?.signatureValidation !== 'Signature is Valid.' || sig.certificateValidation !== 'Certificate is Trusted.') process.exitCode = 1;
}

await main();
