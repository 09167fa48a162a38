// Issue 16, the app's side: the web mode (`npm run web` as a child process) runs the VGCA signing
// service once it is enabled in its Settings screen, and a stand-in document-management system on
// another port calls it from Chromium the way vgcaplugin.js callers do. Everything the service asks
// happens in Kyso's own page (another tab of the same browser): a new origin's question, then the
// confirmation panel with the origin, the function and the document's first page, then the PIN
// (a wrong one first: asked again). The upload handler receives files pdfsig calls valid and
// trusted. A refused origin and a cancel answer the page Status ≠ 0 (4, 11) with a Vietnamese
// message; SignCopy with no FileName asks for the file in the panel. Screenshots of the settings
// section, the origin question and the confirmation panel go to test-output/screenshots
// (docs/screenshots with KYSO_UPDATE_SCREENSHOTS=1).
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer as createNetServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { expectJudgedValid } from '../fixtures/expect.js';
import { makeNssDb } from '../fixtures/judges.js';
import { makeTempDir, removeTempDir, repoRoot } from '../fixtures/tmp.js';
import { runTool } from '../fixtures/tools.js';
import { CHROMIUM, materials, startWebApp, VIEWPORT, type Materials, type WebApp } from './harness.js';
import { Dms } from './dms-stand-in.js';

const SHOTS = process.env.KYSO_UPDATE_SCREENSHOTS === '1' ? join(repoRoot(), 'docs', 'screenshots') : join(repoRoot(), 'test-output', 'screenshots');
const SESSION = 'sess-51c0';
const JWT = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJsYW5oZGFvIn0.c2lnbmF0dXJl';
const WAIT = { timeout: 30_000, interval: 100 };

type Answer = { Status: number; Message: string; FileName: string; FileServer: string; ErrorCode?: string };

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createNetServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

let work: string;
let home: string;
let m: Materials;
let data: string;
let app: WebApp;
let browser: Browser;
let kyso: Page;
let judge: string;
const pageErrors: string[] = [];
const dms = new Dms();
const stranger = new Dms();

const textOf = (l: Locator) => expect.poll(async () => (await l.textContent({ timeout: 500 }).catch(() => null)) ?? '', WAIT);

async function dmsPage(d: Dms): Promise<Page> {
  const context = await browser.newContext({ locale: 'vi-VN', timezoneId: 'Asia/Ho_Chi_Minh' });
  const page = await context.newPage();
  await page.goto(d.origin + '/');
  return page;
}

/** Starts a call from the DMS page; the answer comes once Kyso's page has dealt with it. */
function callService(page: Page, fn: string, request: Record<string, unknown>): Promise<Answer> {
  return page.evaluate(([f, r]) => (window as unknown as { signService: (f: string, r: unknown) => Promise<Answer> }).signService(f, r), [fn, request] as const);
}

async function shot(name: string, target: Page | Locator = kyso): Promise<void> {
  mkdirSync(SHOTS, { recursive: true });
  // The notice line would cover part of the picture.
  const close = kyso.getByTestId('notice').getByRole('button');
  if (await close.count()) await close.click();
  // pdf.js and the fonts settle: the picture is what a person sees.
  await kyso.waitForTimeout(300);
  await target.screenshot({ path: join(SHOTS, `${name}.png`) });
}

beforeAll(async () => {
  work = makeTempDir('service-app');
  home = join(work, 'home');
  m = await materials(join(work, 'materials'));
  judge = makeNssDb(join(work, 'judge-nss'), [m.pki.root.certPem], { intermediatePems: [m.pki.org.certPem] });
  // The clerk's Chromium keeps its trust in ~/.pki/nssdb: empty, until Kyso installs its local CA.
  mkdirSync(join(home, '.pki', 'nssdb'), { recursive: true });
  runTool('certutil', ['-N', '-d', `sql:${join(home, '.pki', 'nssdb')}`, '--empty-password']);
  // The desk's settings as the Settings screen leaves them (that screen has its own test): the
  // test root and its CRLs, the leader's signature image and the organisation's seal.
  data = join(work, 'data');
  for (const d of ['trust', 'crl']) mkdirSync(join(data, d), { recursive: true });
  copyFileSync(m.pki.rootPemPath, join(data, 'trust', 'root.pem'));
  copyFileSync(m.pki.crlDerPath, join(data, 'crl', 'sub-ca.crl'));
  copyFileSync(m.pki.rootCrlDerPath, join(data, 'crl', 'root.crl'));
  for (const [token, kind, file] of [[m.hsm.tokens.LEADER.label, 'signature', m.signature], [m.hsm.tokens.ORG.label, 'seal', m.seal]] as const) {
    mkdirSync(join(data, 'images', encodeURIComponent(token)), { recursive: true });
    copyFileSync(file, join(data, 'images', encodeURIComponent(token), `${kind}.png`));
  }
  await dms.start();
  await stranger.start();
  dms.files.set('QD-quy-che-ky-so.pdf', readFileSync(m.draft));
  app = await startWebApp({ data, hsm: m.hsm, env: { HOME: home, XDG_CONFIG_HOME: join(home, '.config'), XDG_CACHE_HOME: join(home, '.cache'), KYSO_TRUST: '', KYSO_SERVICE_DIR: '' } });
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox'], env: { ...process.env, HOME: home } });
  const context = await browser.newContext({ viewport: VIEWPORT, locale: 'vi-VN', timezoneId: 'Asia/Ho_Chi_Minh' });
  kyso = await context.newPage();
  kyso.on('pageerror', (e) => pageErrors.push(`pageerror: ${e.message}`));
  kyso.on('console', (msg) => {
    if (msg.type() === 'error') pageErrors.push(`console: ${msg.text()}`);
  });
  await kyso.goto(app.url);
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await app?.stop();
  await dms.stop();
  await stranger.stop();
  if (work) removeTempDir(work);
});

describe('the app runs the signing service: every question is answered in Kyso\'s own window', () => {
  let port: number;

  test('Settings: the service is turned on at a port; Kyso makes its local CA and the browser\'s store trusts it', async () => {
    port = await freePort();
    dms.servicePort = port;
    stranger.servicePort = port;
    await kyso.getByTestId('nav-settings').click();
    const section = kyso.getByTestId('service-settings');
    await section.waitFor();
    await textOf(kyso.getByTestId('service-state')).toMatch(/Đang tắt/);
    await kyso.getByTestId('service-port').fill(String(port));
    await kyso.getByTestId('service-port-save').click();
    // A controlled box: it shows checked once the service answers.
    await kyso.getByTestId('service-enabled').click();
    await textOf(kyso.getByTestId('service-state')).toBe(`Đang chạy: wss://127.0.0.1:${port}`);
    await expect.poll(() => section.getAttribute('data-running'), WAIT).toBe('yes');
    await textOf(kyso.getByTestId('service-ca')).toMatch(/ca\.pem · SHA-256 [0-9a-f]{16}…/);
    const listed = runTool('certutil', ['-L', '-d', `sql:${join(home, '.pki', 'nssdb')}`]).stdout;
    expect(listed).toMatch(/Kyso Local Signing Service CA\s+C,,/);
    const cfg = JSON.parse(readFileSync(join(data, 'service.json'), 'utf8')) as { enabled: boolean; port: number };
    expect(cfg).toEqual({ enabled: true, port });
  }, 120_000);

  test('SignApproved: the new origin is asked about, the panel shows origin, function and first page, a wrong PIN is asked again; pdfsig: valid and trusted', async () => {
    const page = await dmsPage(dms);
    const answer = callService(page, 'SignApproved', {
      FileUploadHandler: `${dms.origin}/upload`,
      SessionId: SESSION,
      JWTToken: JWT,
      FileName: `${dms.origin}/files/QD-quy-che-ky-so.pdf`,
      MetaData: [{ Key: 'SignerTitle', Value: 'GIÁM ĐỐC' }],
    });
    const question = kyso.getByTestId('service-origin-question');
    await question.waitFor({ timeout: 30_000 });
    await textOf(question).toContain(`Trang ${dms.origin} muốn dùng Kyso để ký số. Cho phép?`);
    await shot('service-origin-question');
    await kyso.getByTestId('service-origin-allow').click();

    const panel = kyso.getByTestId('service-signing');
    await panel.waitFor({ timeout: 30_000 });
    await kyso.locator('[data-testid=service-signing] [data-testid=pdf-page][data-rendered=true]').waitFor({ timeout: 30_000 });
    await textOf(kyso.getByTestId('service-signing-origin')).toBe(dms.origin);
    await textOf(kyso.getByTestId('service-signing-function')).toContain('Ký phê duyệt (chữ ký lãnh đạo) (SignApproved)');
    await textOf(kyso.getByTestId('service-signing-file')).toBe('QD-quy-che-ky-so.pdf');
    await kyso.getByTestId('service-token').selectOption(m.hsm.tokens.LEADER.label);
    // The first page is drawn: ink on the canvas, not a blank box.
    const inked = await kyso.locator('[data-testid=service-signing] canvas').evaluate((c: HTMLCanvasElement) => {
      const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
      let dark = 0;
      for (let i = 0; i < d.length; i += 4) if (d[i]! < 100 && d[i + 1]! < 100 && d[i + 2]! < 100) dark++;
      return dark;
    });
    expect(inked).toBeGreaterThan(500);
    await shot('service-confirm');

    await kyso.getByTestId('service-sign').click();
    await kyso.getByTestId('pin-dialog').waitFor();
    await kyso.getByTestId('pin-input').fill('000000');
    await kyso.getByTestId('pin-ok').click();
    await expect.poll(() => kyso.locator('[data-testid=pin-dialog] [data-testid=error]').getAttribute('data-code', { timeout: 500 }).catch(() => null), WAIT).toMatch(/^TOKEN_PIN_INCORRECT/);
    await textOf(kyso.locator('[data-testid=pin-dialog] [data-testid=error]')).toMatch(/Mã PIN không đúng/);
    await shot('service-pin-again');
    await kyso.getByTestId('pin-input').fill(m.hsm.tokens.LEADER.pin);
    await kyso.getByTestId('pin-ok').click();

    const r = await answer;
    expect(r, app.stderr()).toMatchObject({ Status: 0, FileName: '/files/signed-1.pdf', FileServer: 'qlvb-test:signed-1.pdf' });
    await panel.waitFor({ state: 'detached' });
    await textOf(kyso.getByTestId('notice')).toContain('Đã ký “QD-quy-che-ky-so.pdf” và gửi về trang');
    await page.context().close();

    expect(dms.received[0]).toMatchObject({ sessionId: SESSION, authorization: `Bearer ${JWT}` });
    const file = join(work, 'approved.pdf');
    writeFileSync(file, dms.received[0]!.bytes);
    expectJudgedValid(file, judge, [m.pki.leader.names.commonName]);
    // The origin allowed is remembered, and listed in Settings.
    await kyso.getByTestId('nav-sign').click();
    await kyso.getByTestId('nav-settings').click();
    await expect.poll(() => kyso.getByTestId('service-origin').getAttribute('data-origin'), WAIT).toBe(dms.origin);
    await shot('service-settings', kyso.getByTestId('service-settings'));
  }, 180_000);

  test('cancel in the panel: the page gets Status 11 with a Vietnamese message; nothing uploaded', async () => {
    const page = await dmsPage(dms);
    const answer = callService(page, 'SignApproved', { FileUploadHandler: '/upload', FileName: '/files/QD-quy-che-ky-so.pdf' });
    await kyso.getByTestId('service-signing').waitFor({ timeout: 30_000 });
    // An allowed origin is not asked about again.
    expect(await kyso.getByTestId('service-origin-question').count()).toBe(0);
    await kyso.getByTestId('service-cancel').click();
    const r = await answer;
    await page.context().close();
    expect(r).toMatchObject({ Status: 11, ErrorCode: 'SERVICE_CANCELLED' });
    expect(r.Message).toMatch(/Người dùng đã hủy việc ký/);
    expect(dms.received).toHaveLength(1);
  }, 120_000);

  test('a refused origin: the page gets Status 4 and a Vietnamese message, and is not asked about again', async () => {
    const page = await dmsPage(stranger);
    const answer = callService(page, 'SignApproved', { FileName: '/files/x.pdf', FileUploadHandler: '/upload' });
    const question = kyso.getByTestId('service-origin-question');
    await question.waitFor({ timeout: 30_000 });
    expect(await question.getAttribute('data-origin')).toBe(stranger.origin);
    await kyso.getByTestId('service-origin-deny').click();
    const r = await answer;
    expect(r).toMatchObject({ Status: 4, ErrorCode: 'SERVICE_ORIGIN_NOT_ALLOWED' });
    expect(r.Message).toContain(`Trang ${stranger.origin} chưa được phép dùng dịch vụ ký số của Kyso.`);
    // Refused while Kyso runs: the next call is answered at once, without a question.
    const again = await callService(page, 'Config', {});
    expect(again).toMatchObject({ Status: 4, ErrorCode: 'SERVICE_ORIGIN_NOT_ALLOWED' });
    expect(await question.count()).toBe(0);
    await page.context().close();
    await kyso.getByTestId('nav-sign').click();
    await kyso.getByTestId('nav-settings').click();
    await expect.poll(() => kyso.getByTestId('service-origin').count(), WAIT).toBe(1);
  }, 120_000);

  test('SignCopy with no FileName: the file is chosen in the panel, the organisation signs the copy; pdfsig: both signatures valid and trusted', async () => {
    const approved = join(work, 'QD-da-phe-duyet.pdf');
    writeFileSync(approved, dms.received[0]!.bytes);
    const page = await dmsPage(dms);
    const answer = callService(page, 'SignCopy', { FileUploadHandler: '/upload', SessionId: SESSION, FileName: '', MetaData: [{ Key: 'CopyForm', Value: 'SAO Y' }] });
    const panel = kyso.getByTestId('service-signing');
    await panel.waitFor({ timeout: 30_000 });
    expect(await panel.getAttribute('data-function')).toBe('SignCopy');
    await shot('service-choose-file');
    await kyso.getByTestId('service-file').setInputFiles(approved);
    await kyso.locator('[data-testid=service-signing] [data-testid=pdf-page][data-rendered=true]').waitFor({ timeout: 30_000 });
    await textOf(kyso.getByTestId('service-signing-file')).toBe('QD-da-phe-duyet.pdf');
    await kyso.getByTestId('service-token').selectOption(m.hsm.tokens.ORG.label);
    await kyso.getByTestId('service-sign').click();
    await kyso.getByTestId('pin-input').fill(m.hsm.tokens.ORG.pin);
    await kyso.getByTestId('pin-ok').click();
    const r = await answer;
    await page.context().close();
    expect(r, app.stderr()).toMatchObject({ Status: 0, FileName: '/files/signed-2.pdf' });
    const file = join(work, 'copy.pdf');
    writeFileSync(file, dms.received[1]!.bytes);
    expectJudgedValid(file, judge, [m.pki.leader.names.commonName, m.pki.org.names.commonName]);
    expect(runTool('pdftotext', ['-layout', file, '-']).stdout).toContain('SAO Y');
  }, 180_000);

  test('SignMsg (a data function): the panel shows the message instead of a page, the PIN is typed in Kyso; openssl cms verifies the CMS', async () => {
    const message = Buffer.from('Tờ trình số 12/TTr-SYT: đề nghị phê duyệt kế hoạch chuyển đổi số năm 2027', 'utf8');
    const page = await dmsPage(dms);
    const answer = callService(page, 'SignMsg', { Base64Content: message.toString('base64') });
    const panel = kyso.getByTestId('service-signing');
    await panel.waitFor({ timeout: 30_000 });
    expect(await panel.getAttribute('data-function')).toBe('SignMsg');
    const facts = kyso.getByTestId('service-signing-data');
    await textOf(facts).toContain('Tờ trình số 12/TTr-SYT');
    await textOf(facts).toContain(createHash('sha256').update(message).digest('hex').slice(0, 16));
    await textOf(kyso.getByTestId('service-signing-function')).toContain('Ký thông điệp (CMS) (SignMsg)');
    expect(await kyso.locator('[data-testid=service-signing] [data-testid=pdf-page]').count()).toBe(0);
    await shot('service-confirm-data');
    await kyso.getByTestId('service-token').selectOption(m.hsm.tokens.ORG.label);
    await kyso.getByTestId('service-sign').click();
    await kyso.getByTestId('pin-input').fill(m.hsm.tokens.ORG.pin);
    await kyso.getByTestId('pin-ok').click();
    const r = await answer;
    await page.context().close();
    expect(r, app.stderr()).toMatchObject({ Status: 0, SignatureFormat: 'CMS detached' });
    writeFileSync(join(work, 'msg.bin'), message);
    writeFileSync(join(work, 'msg.p7s'), Buffer.from((r as unknown as { Signature: string }).Signature, 'base64'));
    const ok = runTool('openssl', ['cms', '-verify', '-binary', '-inform', 'DER', '-in', join(work, 'msg.p7s'), '-content', join(work, 'msg.bin'), '-CAfile', m.pki.rootPemPath, '-purpose', 'any', '-out', '/dev/null'], { okStatus: [0, 4] });
    expect(ok.status, ok.stderr).toBe(0);
    writeFileSync(join(work, 'msg.bin'), Buffer.concat([message, Buffer.from('.')]));
    const bad = runTool('openssl', ['cms', '-verify', '-binary', '-inform', 'DER', '-in', join(work, 'msg.p7s'), '-content', join(work, 'msg.bin'), '-CAfile', m.pki.rootPemPath, '-purpose', 'any', '-out', '/dev/null'], { okStatus: [0, 4] });
    expect(bad.status).not.toBe(0);
  }, 120_000);

  test('the desk\'s audit log has each signing with its origin; the page threw nothing', async () => {
    const r = runTool(join(repoRoot(), 'bin', 'kyso'), ['--data', data, 'audit', 'verify'], { env: { ...process.env, HOME: home } });
    expect(r.status, r.stderr).toBe(0);
    const Database = (await import('better-sqlite3')).default;
    const db = new Database(join(data, 'kyso.db'), { readonly: true });
    const rows = db.prepare("SELECT action, actor, details FROM audit WHERE action LIKE 'service.%' ORDER BY seq").all() as Array<{ action: string; actor: string; details: string }>;
    db.close();
    expect(rows.map((x) => x.action)).toEqual(['service.SignApproved', 'service.SignApproved.refused', 'service.SignCopy', 'service.SignMsg']);
    expect(rows[0]!.actor).toBe(`token:${m.hsm.tokens.LEADER.label}`);
    for (const x of rows) expect(JSON.parse(x.details)).toMatchObject({ origin: dms.origin });
    expect(pageErrors).toEqual([]);
  });
});
