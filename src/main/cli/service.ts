// `kyso service`: the drop-in for the VGCA signing service (wss://127.0.0.1:8987), for kiosks and
// unattended runs: the origins allowed are given (--allow-origin) and the PIN comes from the
// environment (--pin-env); the desktop app asks the user instead. `kyso service install-ca` and
// `remove-ca` put Kyso's local CA into this user's trust stores and take it out again.
import { homedir, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { KysoError } from '../../shared/errors.js';
import { imageFile } from '../sign/visible.js';
import { Store } from '../store/store.js';
import { finalizeAll, openToken, resolveModulePath } from '../token/index.js';
import { ensureServiceTls, localCaFiles, serviceConfigDir } from '../service/local-ca.js';
import { allowListPath, OriginPolicy } from '../service/origins.js';
import type { ConfirmSigning, OpenedSigner } from '../service/pdf-functions.js';
import { DEFAULT_SERVICE_PORT, startService } from '../service/server.js';
import { applyTrust, caIdentity } from '../service/trust-stores.js';
import { int, list, parse, pinFromEnv, required, str } from './args.js';
import { cacheDir, commandTrust, readDerOrPem } from './verify.js';
import type { Command } from './commands.js';


function printOutcome(outcome: Array<{ store: string; ok: boolean }>, verb: { vi: string; en: string }): void {
  for (const o of outcome) process.stdout.write(`${o.ok ? verb.vi : 'Không có'} — ${o.store} | ${o.ok ? verb.en : 'nothing to do'}\n`);
}

const installCa: Command = async (argv) => {
  parse(argv, {});
  const tls = await ensureServiceTls();
  printOutcome(applyTrust('install', caIdentity(tls.files.caCert, tls.caPem), homedir()), { vi: 'Đã cài', en: 'installed' });
  process.stdout.write(`CA: ${tls.files.caCert} (SHA-256 ${tls.caFingerprint})\n`);
  return 0;
};

const removeCa: Command = async (argv) => {
  const p = parse(argv, { 'delete-key': { type: 'boolean' } });
  const files = localCaFiles();
  const tls = await ensureServiceTls();
  printOutcome(applyTrust('remove', caIdentity(files.caCert, tls.caPem), homedir()), { vi: 'Đã gỡ', en: 'removed' });
  if (p.values['delete-key']) {
    const { rmSync } = await import('node:fs');
    for (const f of [files.caKey, files.caCert, files.serverKey, files.serverCert]) rmSync(f, { force: true });
    process.stdout.write('Đã xóa khóa và chứng thư CA cục bộ | The local CA key and certificates were deleted.\n');
  }
  return 0;
};

const service: Command = async (argv) => {
  const p = parse(argv, {
    port: { type: 'string' },
    'allow-origin': { type: 'string', multiple: true },
    'allow-file-host': { type: 'string', multiple: true },
    module: { type: 'string' },
    token: { type: 'string' },
    'key-id': { type: 'string' },
    'pin-env': { type: 'string' },
    'signature-image': { type: 'string' },
    'seal-image': { type: 'string' },
    'signer-name': { type: 'string' },
    'signer-title': { type: 'string' },
    organisation: { type: 'string' },
    preset: { type: 'string' },
    trust: { type: 'string', multiple: true },
    cert: { type: 'string', multiple: true },
    crl: { type: 'string', multiple: true },
    offline: { type: 'boolean' },
    data: { type: 'string' },
    'no-install-ca': { type: 'boolean' },
  });
  if (p.positionals.length) throw new KysoError('USAGE', { reason: `unexpected argument "${p.positionals[0]}"` });
  const port = int(p, 'port') ?? DEFAULT_SERVICE_PORT;
  if (port < 0 || port > 65535) throw new KysoError('USAGE', { reason: '--port must be 0–65535' });
  const label = required(p, 'token');
  const pinVar = required(p, 'pin-env');
  pinFromEnv(p); // present now, not at the first request
  const module = resolveModulePath(str(p, 'module'));
  const sig = str(p, 'signature-image');
  const seal = str(p, 'seal-image');
  const images = { signature: sig ? imageFile(resolve(sig)) : undefined, seal: seal ? imageFile(resolve(seal)) : undefined };
  const { trust, intermediates } = commandTrust(list(p, 'trust'));
  const extraCerts = [...list(p, 'cert').flatMap((f) => readDerOrPem(resolve(f))), ...intermediates];
  const crls = list(p, 'crl').flatMap((f) => readDerOrPem(resolve(f)));
  const log = (line: string): void => void process.stderr.write(`${line}\n`);

  const dir = serviceConfigDir();
  const tls = await ensureServiceTls(dir);
  if (tls.created && p.values['no-install-ca'] !== true) {
    try {
      applyTrust('install', caIdentity(tls.files.caCert, tls.caPem), homedir());
      log(`Đã cài CA cục bộ vào kho tin cậy | Installed the local CA in the trust stores: ${tls.files.caCert}`);
    } catch (e) {
      log(`Cảnh báo: chưa cài được CA cục bộ (${(e as Error).message}); chạy "kyso service install-ca" | Warning: the local CA is not installed`);
    }
  }
  const policy = OriginPolicy.fromFile(allowListPath(dir), { origins: list(p, 'allow-origin'), fileHosts: list(p, 'allow-file-host') });
  const dataDir = str(p, 'data');
  const store = dataDir ? Store.open(resolve(dataDir)) : undefined;

  // Kiosk mode: nobody to ask; the prompt is logged and the PIN read from the environment each time.
  const confirm: ConfirmSigning = async (q) => {
    log(`Ký | Signing: ${q.function} cho | for ${q.origin}: ${q.fileName}${q.docNumber ? ` (${q.docNumber})` : ''}`);
    const pin = process.env[pinVar];
    if (!pin) throw new KysoError('TOKEN_PIN_MISSING', { variable: pinVar });
    return { pin };
  };
  const keyId = str(p, 'key-id');
  const openSigner = (pin: string): OpenedSigner => {
    const session = openToken({ module, label });
    try {
      session.login(pin);
      const signer = session.signer({ keyId });
      return { signer, close: () => session.close() };
    } catch (e) {
      session.close();
      throw e;
    }
  };
  const running = await startService({
    port,
    tls,
    policy,
    confirm,
    openSigner,
    images,
    person: { signerName: str(p, 'signer-name'), signerTitle: str(p, 'signer-title'), organisation: str(p, 'organisation'), preset: str(p, 'preset') },
    trust: { trust, extraCerts, crls, online: p.values.offline !== true, cacheDir: cacheDir() },
    workDir: dataDir ? join(resolve(dataDir), 'service') : join(tmpdir(), `kyso-service-${process.getuid?.() ?? 'user'}`),
    audit: store ? (e) => void store.audit({ at: new Date().toISOString(), actor: `token:${label}`, action: e.action, subject: e.subject, details: e.details }) : undefined,
    certInfo: async () => {
      const session = openToken({ module, label });
      try {
        const c = session.certificates().find((x) => !x.isCa && (keyId === undefined || x.id === keyId));
        if (!c) throw new KysoError('TOKEN_NO_CERTIFICATE', { label });
        return { CertInfo: { Subject: c.subject, CommonName: c.commonName, Issuer: c.issuer, SerialNumber: c.serialNumber, NotBefore: c.notBefore, NotAfter: c.notAfter, TokenLabel: label } };
      } finally {
        session.close();
      }
    },
    log,
  });
  process.stdout.write(`Kyso service: wss://127.0.0.1:${running.port}/\n`);
  await new Promise<void>((done) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      void running.close().then(() => {
        store?.close();
        finalizeAll();
        done();
      });
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  return 0;
};

export const SERVICE_COMMANDS: Record<string, Command> = {
  service,
  'service install-ca': installCa,
  'service remove-ca': removeCa,
};
