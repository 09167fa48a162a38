// What the end-to-end tests need around the browser: the test PKI, a private copy of the SoftHSM2
// tokens (one test pulls a token out), the documents and images a clerk would have, and the web
// mode itself as a child process, exactly as `npm run web` starts it (the built dist/ files).
import { spawn, type ChildProcess } from 'node:child_process';
import { createPublicKey } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { sharedTestPki, subjectKeyIdHex, type TestPki } from '../fixtures/pki.js';
import { makeNd30Pdf } from '../fixtures/nd30.js';
import { sealPng, signaturePng } from '../fixtures/png.js';
import { cloneSoftHsm, sharedSoftHsm, type SoftHsm } from '../fixtures/softhsm.js';
import { runKyso } from '../fixtures/kyso-run.js';
import { repoRoot } from '../fixtures/tmp.js';
import { runTool } from '../fixtures/tools.js';

export const CHROMIUM = '/usr/bin/chromium';
/** The window size the screens are designed for (a clerk's 13–15" laptop). */
export const VIEWPORT = { width: 1280, height: 800 };

export interface Materials {
  pki: TestPki;
  hsm: SoftHsm;
  /** The NĐ 30 draft (blank number and date), as the drafter exported it. */
  draft: string;
  signature: string;
  seal: string;
  rootPem: string;
}

/** Builds (or reuses) the PKI and tokens, and writes the clerk's files into dir. */
export async function materials(dir: string): Promise<Materials> {
  mkdirSync(dir, { recursive: true });
  const pki = await sharedTestPki();
  const hsm = cloneSoftHsm(sharedSoftHsm(pki), join(dir, 'softhsm'));
  // An office's desk has the three tokens of method 3, and one whose certificate has expired;
  // the fixture's other test tokens would only clutter the screens.
  for (const extra of ['KYSO-NOKEY', 'KYSO-ECDSA', 'KYSO-MULTI']) hsm.deleteToken(extra);
  addExpiringToken(hsm, pki, join(dir, 'expiring'), EXPIRING_DAYS);
  const draft = join(dir, 'QD-quy-che-ky-so.pdf');
  writeFileSync(draft, await makeNd30Pdf());
  const signature = join(dir, 'chu-ky-giam-doc.png');
  writeFileSync(signature, signaturePng());
  const seal = join(dir, 'con-dau-so-y-te.png');
  writeFileSync(seal, sealPng());
  return { pki, hsm, draft, signature, seal, rootPem: pki.rootPemPath };
}

/** The clerk's second token: a certificate that expires in this many days (inside the 30-day warning). */
export const EXPIRING_DAYS = 20;
export const EXPIRING_LABEL = 'KYSO-VANTHU';

/**
 * One more token, KYSO-VANTHU, whose certificate (issued by the test sub-CA) expires in `days`
 * days: made with the same vendor tools as the fixture's tokens (openssl, softhsm2-util, pkcs11-tool).
 */
function addExpiringToken(hsm: SoftHsm, pki: TestPki, dir: string, days: number): void {
  mkdirSync(dir, { recursive: true });
  const key = join(dir, 'key.pem');
  const csr = join(dir, 'req.csr');
  const cert = join(dir, 'cert.pem');
  const der = join(dir, 'cert.der');
  const ext = join(dir, 'ext.cnf');
  writeFileSync(ext, ['basicConstraints=critical,CA:FALSE', 'keyUsage=critical,digitalSignature,nonRepudiation', 'subjectKeyIdentifier=hash', 'authorityKeyIdentifier=keyid', ''].join('\n'));
  runTool('openssl', ['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', key]);
  runTool('openssl', ['req', '-new', '-key', key, '-out', csr, '-utf8', '-subj', '/C=VN/L=Quảng Ninh/O=Sở Y tế tỉnh Quảng Ninh/title=Văn thư/CN=Lê Thị Thu']);
  runTool('openssl', ['x509', '-req', '-in', csr, '-CA', pki.subCa.certPemPath, '-CAkey', pki.subCa.keyPath, '-CAcreateserial', '-days', String(days), '-extfile', ext, '-out', cert]);
  runTool('openssl', ['x509', '-in', cert, '-outform', 'DER', '-out', der]);
  const id = subjectKeyIdHex(createPublicKey(readFileSync(key)));
  const before = new Set(readdirSync(hsm.tokensDir));
  runTool('softhsm2-util', ['--init-token', '--free', '--label', EXPIRING_LABEL, '--pin', '123456', '--so-pin', '12345678'], { env: hsm.env });
  const created = readdirSync(hsm.tokensDir).find((d) => !before.has(d));
  if (!created) throw new Error('softhsm2-util made no token directory');
  runTool('softhsm2-util', ['--import', key, '--token', EXPIRING_LABEL, '--label', EXPIRING_LABEL, '--id', id, '--pin', '123456'], { env: hsm.env });
  runTool('pkcs11-tool', ['--module', hsm.module, '--token-label', EXPIRING_LABEL, '--login', '--pin', '123456', '--write-object', der, '--type', 'cert', '--id', id, '--label', EXPIRING_LABEL], { env: hsm.env });
}

export interface WebApp {
  url: string;
  origin: string;
  key: string;
  process: ChildProcess;
  /** Everything the server wrote to stderr so far (for failure messages). */
  stderr: () => string;
  stop(): Promise<void>;
}

/** Starts `node dist/main/web/main.js --port 0 --data DIR` and waits for its one line. */
export async function startWebApp(o: { data: string; hsm: SoftHsm; env?: Record<string, string> }): Promise<WebApp> {
  const main = join(repoRoot(), 'dist', 'main', 'web', 'main.js');
  if (!existsSync(main)) throw new Error(`${main} is missing: run npm run setup (the global setup builds it)`);
  const child = spawn(process.execPath, [main, '--port', '0', '--data', o.data], {
    env: { ...process.env, ...o.hsm.env, KYSO_PKCS11_MODULE: o.hsm.module, ...o.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  child.stderr!.on('data', (c: Buffer) => (err += c.toString('utf8')));
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`the web app printed no address in 30 s; stderr: ${err}`)), 30_000);
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString('utf8');
      const m = /^Kyso web: (http:\/\/127\.0\.0\.1:\d+\/\?key=[A-Za-z0-9_-]+)$/m.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the web app exited (${code}) before printing its address; stderr: ${err}`));
    });
  });
  const u = new URL(url);
  return {
    url,
    origin: u.origin,
    key: u.searchParams.get('key')!,
    process: child,
    stderr: () => err,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

export interface Browsing {
  browser: Browser;
  context: BrowserContext;
  page: Page;
  /** Messages the page logged as errors, and uncaught exceptions: a screen that throws fails the test. */
  pageErrors: string[];
}

/** Debian's Chromium, headless, at the designed window size, downloads allowed. */
export async function openBrowser(url: string, opts: { lang?: string } = {}): Promise<Browsing> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium (npm run setup does it)`);
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox'] });
  const context = await browser.newContext({ viewport: VIEWPORT, acceptDownloads: true, locale: opts.lang ?? 'vi-VN', timezoneId: 'Asia/Ho_Chi_Minh' });
  const page = await context.newPage();
  const pageErrors: string[] = [];
  page.on('pageerror', (e) => pageErrors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') pageErrors.push(`console: ${m.text()}`);
  });
  await page.goto(url);
  return { browser, context, page, pageErrors };
}

export interface CliRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs the `kyso` command (bin/kyso.cjs) as a clerk would, beside the running app. Asynchronous:
 * the test worker keeps answering vitest while it runs.
 */
export function kysoCli(args: string[], env: Record<string, string> = {}): Promise<CliRun> {
  return runKyso(args, env, 60_000);
}
