// `npm run bench`, the archive part: a record of about 1 GB (copies of the signed 100 MB scan,
// each made a distinct file by a comment appended after its last %%EOF) received through the
// inbox and filed, then `kyso --data D archive export RECORD -o PACKAGE.zip --no-seal` measured
// as a whole process (wall time, peak RSS) beside `zip` of the same files (stored, as the package
// stores PDFs, and deflated, zip's default). The export verifies every file (hashing it), reads
// its pages and PDF/A markers, builds the metadata and streams the files into the zip: its memory
// must not grow with the record.
import { spawnSync } from 'node:child_process';
import { appendFileSync, copyFileSync, existsSync, mkdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';

export interface ArchiveBenchOptions {
  /** A signed PDF (the bench's 100 MB scan signed by the organisation token). */
  signed: string;
  /** Where the data folder, files and packages go (removed afterwards). */
  dir: string;
  kyso: string;
  rootPem: string;
  crls: string[];
  /** Target record size in MiB (default 1024). */
  totalMB?: number;
  runs?: number;
}

export interface ArchiveBenchRow {
  what: string;
  wall: number;
  rssMB: number;
  outMB: number;
  ok: boolean;
}

function timed(cmd: string, args: string[], env: NodeJS.ProcessEnv = {}): { wall: number; rssMB: number; ok: boolean; stdout: string; stderr: string } {
  const r = spawnSync('/usr/bin/time', ['-f', 'KYSO_TIME %e %M', cmd, ...args], { env: { ...process.env, ...env }, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const m = /KYSO_TIME ([\d.]+) (\d+)/.exec(r.stderr);
  return { wall: m ? Number(m[1]) : NaN, rssMB: m ? Number(m[2]) / 1024 : NaN, ok: r.status === 0, stdout: r.stdout, stderr: r.stderr };
}

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv = {}): string {
  const r = spawnSync(cmd, args, { env: { ...process.env, ...env }, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: ${r.stderr.trim().split('\n').slice(-2).join(' ')}`);
  return r.stdout;
}

/** Builds the record and measures its export beside zip; prints a table and returns the rows. */
export function benchArchive(o: ArchiveBenchOptions): ArchiveBenchRow[] {
  const totalMB = o.totalMB ?? Number(process.env.KYSO_BENCH_ARCHIVE_MB ?? 1024);
  const runs = o.runs ?? Number(process.env.KYSO_BENCH_ARCHIVE_RUNS ?? 2);
  rmSync(o.dir, { recursive: true, force: true });
  const data = join(o.dir, 'data');
  const files = join(o.dir, 'files');
  mkdirSync(join(data, 'trust'), { recursive: true });
  mkdirSync(join(data, 'crl'), { recursive: true });
  mkdirSync(files, { recursive: true });
  copyFileSync(o.rootPem, join(data, 'trust', 'root.pem'));
  o.crls.forEach((c, i) => copyFileSync(c, join(data, 'crl', `${i}.crl`)));
  const env = { KYSO_TRUST: '', KYSO_DATA: '', XDG_CONFIG_HOME: join(o.dir, 'config'), XDG_CACHE_HOME: join(o.dir, 'cache') };

  const size = statSync(o.signed).size;
  const count = Math.max(1, Math.ceil((totalMB * 1048576) / size));
  const paths: string[] = [];
  for (let i = 0; i < count; i++) {
    const p = join(files, `ban-${String(i + 1).padStart(3, '0')}.pdf`);
    copyFileSync(o.signed, p);
    appendFileSync(p, `%kyso-bench copy ${i + 1}\n`);
    paths.push(p);
    const imported = JSON.parse(run(o.kyso, ['--data', data, 'inbox', 'import', p, '--title', `Văn bản ${i + 1}`, '--json'], env)) as { items?: Array<{ id: string }>; id?: string };
    const id = imported.items?.[0]?.id ?? imported.id;
    run(o.kyso, ['--data', data, 'inbox', 'accept', String(id)], env);
    run(o.kyso, ['--data', data, 'archive', 'add', String(id), '--incoming', '--record', 'BENCH-1GB', '--retention', '10'], env);
  }
  const recordMB = paths.reduce((n, p) => n + statSync(p).size, 0) / 1048576;
  process.stdout.write(`\narchive export: a record of ${count} signed files, ${recordMB.toFixed(0)} MiB, ${runs} runs each, best wall time and its peak RSS\n`);

  const rows: ArchiveBenchRow[] = [];
  const measure = (what: string, out: string, cmd: string, args: string[], e: NodeJS.ProcessEnv = {}): void => {
    let bestRow: ArchiveBenchRow | undefined;
    for (let i = 0; i < runs; i++) {
      rmSync(out, { force: true });
      const m = timed(cmd, args, e);
      const row = { what, wall: m.wall, rssMB: m.rssMB, outMB: existsSync(out) ? statSync(out).size / 1048576 : NaN, ok: m.ok };
      if (!m.ok) process.stdout.write(`  ${what} failed: ${m.stderr.trim().split('\n').slice(-2).join(' ')}\n`);
      if (!bestRow || (row.ok && row.wall < bestRow.wall)) bestRow = row;
    }
    rows.push(bestRow!);
  };
  const pkg = join(o.dir, 'package.zip');
  measure('kyso archive export (verify + metadata + zip, stored)', pkg, o.kyso, ['--data', data, 'archive', 'export', 'BENCH-1GB', '-o', pkg, '--no-seal', '--json'], env);
  measure('zip -0 of the same files (stored)', join(o.dir, 'zip0.zip'), 'zip', ['-q', '-0', '-j', join(o.dir, 'zip0.zip'), ...paths]);
  measure('zip of the same files (deflate, default)', join(o.dir, 'zip6.zip'), 'zip', ['-q', '-j', join(o.dir, 'zip6.zip'), ...paths]);
  process.stdout.write('| what | wall (best) | peak RSS | output |\n| --- | --- | --- | --- |\n');
  for (const r of rows) process.stdout.write(`| ${r.what} | ${r.wall.toFixed(2)} s | ${r.rssMB.toFixed(0)} MB | ${r.outMB.toFixed(0)} MiB${r.ok ? '' : ' (failed)'} |\n`);
  rmSync(o.dir, { recursive: true, force: true });
  return rows;
}
