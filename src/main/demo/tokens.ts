// The demo's SoftHSM2 tokens, one per signer, in a private configuration (SOFTHSM2_CONF points to
// the demo folder: the machine's own tokens are never touched). Filled by the vendor tools:
// softhsm2-util imports the key pair, pkcs11-tool writes the certificate and the sub-CA's.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { KysoError } from '../../shared/errors.js';
import type { DemoIdentity, DemoPki } from './pki.js';
import { run } from './tools.js';

export const SOFTHSM_MODULE_CANDIDATES = ['/usr/lib/softhsm/libsofthsm2.so', '/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so', '/usr/local/lib/softhsm/libsofthsm2.so', '/opt/homebrew/lib/softhsm/libsofthsm2.so'];

export interface DemoTokens {
  conf: string;
  module: string;
  pin: string;
  labels: { drafter: string; leader: string; org: string };
}

export function findSoftHsmModule(): string {
  const m = SOFTHSM_MODULE_CANDIDATES.find((p) => existsSync(p));
  if (!m) throw new KysoError('DEMO_TOOL_MISSING', { tool: 'libsofthsm2.so', package: 'softhsm2' });
  return m;
}

export function makeDemoTokens(dir: string, pki: DemoPki): DemoTokens {
  const module = findSoftHsmModule();
  const tokensDir = join(dir, 'tokens');
  mkdirSync(tokensDir, { recursive: true });
  const conf = join(dir, 'softhsm2.conf');
  writeFileSync(conf, `directories.tokendir = ${tokensDir}\nobjectstore.backend = file\nlog.level = ERROR\nslots.removable = false\n`);
  const env = { SOFTHSM2_CONF: conf };
  const pin = '123456';
  const make = (label: string, who: DemoIdentity): void => {
    run('softhsm2-util', ['--init-token', '--free', '--label', label, '--pin', pin, '--so-pin', '12345678'], env);
    run('softhsm2-util', ['--import', who.keyPath, '--token', label, '--label', label, '--id', who.idHex, '--pin', pin], env);
    const p11 = (args: string[]): void => void run('pkcs11-tool', ['--module', module, '--token-label', label, '--login', '--pin', pin, ...args], env);
    p11(['--write-object', who.certDerPath, '--type', 'cert', '--id', who.idHex, '--label', label]);
    p11(['--write-object', pki.subCa.certDerPath, '--type', 'cert', '--id', pki.subCa.idHex, '--label', 'CA']);
  };
  const labels = { drafter: 'DEMO-DRAFTER', leader: 'DEMO-LEADER', org: 'DEMO-ORG' };
  make(labels.drafter, pki.drafter);
  make(labels.leader, pki.leader);
  make(labels.org, pki.org);
  return { conf, module, pin, labels };
}
