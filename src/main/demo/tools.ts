// The outside tools the demo drives (openssl, SoftHSM2's softhsm2-util, OpenSC's pkcs11-tool,
// poppler's pdfsig, NSS's certutil): run in the C locale, a missing one named with its package.
import { spawnSync } from 'node:child_process';
import { KysoError } from '../../shared/errors.js';

const PACKAGE: Record<string, string> = {
  openssl: 'openssl',
  'softhsm2-util': 'softhsm2',
  'pkcs11-tool': 'opensc',
  pdfsig: 'poppler-utils',
  certutil: 'libnss3-tools',
};

export function run(cmd: string, args: string[], env: NodeJS.ProcessEnv = {}, okStatus: number[] = [0]): { status: number; stdout: string; stderr: string } {
  const r = spawnSync(cmd, args, { env: { ...process.env, ...env, LC_ALL: 'C', LANG: 'C' }, encoding: 'utf8', maxBuffer: 16 * 1024 * 1024, timeout: 120_000 });
  if (r.error) {
    if ((r.error as NodeJS.ErrnoException).code === 'ENOENT') throw new KysoError('DEMO_TOOL_MISSING', { tool: cmd, package: PACKAGE[cmd] ?? cmd });
    throw new KysoError('INTERNAL', { reason: `${cmd}: ${r.error.message}` });
  }
  const status = r.status ?? -1;
  if (!okStatus.includes(status)) throw new KysoError('INTERNAL', { reason: `${cmd} ${args.slice(0, 3).join(' ')} failed (${status}): ${(r.stderr || r.stdout).trim().split('\n').slice(-2).join(' ')}` });
  return { status, stdout: r.stdout, stderr: r.stderr };
}

export function has(cmd: string): boolean {
  const r = spawnSync(cmd, ['--help'], { stdio: 'ignore' });
  return !(r.error && (r.error as NodeJS.ErrnoException).code === 'ENOENT');
}
