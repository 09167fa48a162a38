// Puts Kyso's local CA into the user's trust stores, and takes it out again, so that the browser
// of a document-management web app trusts wss://127.0.0.1:8987 without a warning. Only the user's
// own stores, never the machine's: Linux NSS databases (Chromium's ~/.pki/nssdb, Firefox profiles)
// with certutil (libnss3-tools), the Windows user "Root" store with certutil.exe, the macOS login
// keychain with `security`. The command lines are computed by pure functions (unit-tested for
// every platform) and run by one small runner.
import { spawnSync } from 'node:child_process';
import { createHash, X509Certificate } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { KysoError } from '../../shared/errors.js';
import { LOCAL_CA_NAME } from './local-ca.js';

export type TrustPlatform = 'linux' | 'win32' | 'darwin';
export type TrustAction = 'install' | 'remove';

export interface TrustCommand {
  cmd: string;
  args: string[];
  /** What the command is about, for the user: "NSS ~/.pki/nssdb", "Windows user Root store". */
  store: string;
  /** A failure of this command is expected when there is nothing to remove. */
  mayFail?: boolean;
}

export interface CaIdentity {
  /** Path of the CA certificate (PEM). */
  pemPath: string;
  /** Nickname / common name under which it is stored. */
  name: string;
  /** Serial number, hex (Windows finds the certificate by it). */
  serialHex: string;
  /** SHA-1 of the DER, hex upper-case (macOS `security -Z` finds it by it). */
  sha1Hex: string;
}

export function caIdentity(pemPath: string, pem: string): CaIdentity {
  const c = new X509Certificate(pem);
  return { pemPath, name: LOCAL_CA_NAME, serialHex: c.serialNumber.toLowerCase(), sha1Hex: createHash('sha1').update(c.raw).digest('hex').toUpperCase() };
}

/** certutil's -d argument: the SQLite format ("sql:") that Chromium and current Firefox use. */
const sql = (dir: string): string => `sql:${dir}`;

/** The commands that put the CA into (or take it out of) one NSS database. */
export function nssCommands(action: TrustAction, db: string, ca: CaIdentity, create = false): TrustCommand[] {
  const store = `NSS ${db}`;
  if (action === 'install') {
    const out: TrustCommand[] = [];
    if (create) out.push({ cmd: 'certutil', args: ['-N', '-d', sql(db), '--empty-password'], store });
    // Remove an older copy first (a CA made again after the folder was deleted has the same nickname).
    out.push({ cmd: 'certutil', args: ['-D', '-d', sql(db), '-n', ca.name], store, mayFail: true });
    // "C,,": a trusted CA for TLS servers, nothing else (not for e-mail, not for code signing).
    out.push({ cmd: 'certutil', args: ['-A', '-d', sql(db), '-t', 'C,,', '-n', ca.name, '-i', ca.pemPath], store });
    return out;
  }
  return [{ cmd: 'certutil', args: ['-D', '-d', sql(db), '-n', ca.name], store, mayFail: true }];
}

/** The commands for one platform's stores. `nssDbs`: the databases found (Linux). */
export function trustStoreCommands(platform: TrustPlatform, action: TrustAction, ca: CaIdentity, o: { home: string; nssDbs?: Array<{ dir: string; exists: boolean }> }): TrustCommand[] {
  switch (platform) {
    case 'linux':
      return (o.nssDbs ?? []).flatMap((d) => nssCommands(action, d.dir, ca, action === 'install' && !d.exists));
    case 'win32': {
      const store = 'Windows: Trusted Root Certification Authorities (current user)';
      // -user: the current user's store, no administrator rights; Windows asks the user to confirm.
      return action === 'install'
        ? [{ cmd: 'certutil.exe', args: ['-user', '-addstore', '-f', 'Root', ca.pemPath], store }]
        : [{ cmd: 'certutil.exe', args: ['-user', '-delstore', 'Root', ca.serialHex], store, mayFail: true }];
    }
    case 'darwin': {
      const keychain = join(o.home, 'Library', 'Keychains', 'login.keychain-db');
      const store = `macOS keychain ${keychain}`;
      return action === 'install'
        ? [{ cmd: 'security', args: ['add-trusted-cert', '-r', 'trustRoot', '-p', 'ssl', '-k', keychain, ca.pemPath], store }]
        : [
            { cmd: 'security', args: ['remove-trusted-cert', ca.pemPath], store, mayFail: true },
            { cmd: 'security', args: ['delete-certificate', '-Z', ca.sha1Hex, keychain], store, mayFail: true },
          ];
    }
  }
}

/**
 * The NSS databases of this user on Linux: Chromium's (~/.pki/nssdb, made when missing on
 * install) and every Firefox profile (deb and snap) that has one.
 */
export function linuxNssDatabases(home: string): Array<{ dir: string; exists: boolean }> {
  const chromium = join(home, '.pki', 'nssdb');
  const out = [{ dir: chromium, exists: existsSync(join(chromium, 'cert9.db')) }];
  for (const root of [join(home, '.mozilla', 'firefox'), join(home, 'snap', 'firefox', 'common', '.mozilla', 'firefox')]) {
    if (!existsSync(root)) continue;
    for (const p of readdirSync(root)) if (existsSync(join(root, p, 'cert9.db'))) out.push({ dir: join(root, p), exists: true });
  }
  return out;
}

export interface TrustOutcome {
  store: string;
  ok: boolean;
  detail?: string;
}

/** Runs the commands; a required one that fails stops with SERVICE_CA_INSTALL_FAILED naming the store and the tool's answer. */
export function runTrustCommands(commands: TrustCommand[], run = spawnCommand): TrustOutcome[] {
  const out: TrustOutcome[] = [];
  for (const c of commands) {
    if (c.cmd === 'certutil' && c.args[0] === '-N') mkdirSync(c.args[2]!.slice(4), { recursive: true, mode: 0o700 });
    const r = run(c.cmd, c.args);
    if (r.status !== 0 && !c.mayFail) {
      if (r.missing) throw new KysoError('SERVICE_TOOL_MISSING', { tool: c.cmd });
      throw new KysoError('SERVICE_CA_INSTALL_FAILED', { store: c.store, reason: r.output.trim().slice(0, 300) || `exit ${r.status}` });
    }
    out.push({ store: c.store, ok: r.status === 0, detail: r.status === 0 ? undefined : r.output.trim() });
  }
  return out;
}

function spawnCommand(cmd: string, args: string[]): { status: number; output: string; missing: boolean } {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 30_000 });
  const missing = (r.error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';
  return { status: r.status ?? -1, output: `${r.stdout ?? ''}${r.stderr ?? ''}${r.error ? r.error.message : ''}`, missing };
}

/** Installs or removes the CA in this user's stores on the current platform. */
export function applyTrust(action: TrustAction, ca: CaIdentity, home: string, platform: TrustPlatform = currentPlatform()): TrustOutcome[] {
  const nssDbs = platform === 'linux' ? linuxNssDatabases(home) : undefined;
  return runTrustCommands(trustStoreCommands(platform, action, ca, { home, nssDbs }));
}

export function currentPlatform(): TrustPlatform {
  const p = process.platform;
  if (p === 'win32' || p === 'darwin') return p;
  return 'linux';
}
