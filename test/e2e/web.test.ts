// The app as a clerk uses it, in a real browser: Debian's Chromium drives the web mode (the same
// renderer and engine as the desktop app) through method 3 with three SoftHSM2 tokens — import the
// draft, the drafter initials, the leader signs with the signature image dragged onto the page,
// the clerk fills number and date and the organisation signs, the document waits in the outbox;
// the downloaded file is received in the inbox with three green signatures, and pdfsig and qpdf
// judge it. Then what goes wrong: a wrong PIN, a token pulled out, a signature nobody trusts.
// The desk is the workflow service's SQLite store: an urgent document issued hours before
// (through the same store, with the clock set back) is late in the outbox and is recalled; the command
// line (`kyso --data DIR doc list`, `outbox list`, `audit verify`, `doc add`) sees and changes the
// same documents as the screens.
// Every screen is photographed into test-output/screenshots, or into docs/screenshots (the README's)
// with KYSO_UPDATE_SCREENSHOTS=1; failure states go to test-output/e2e.
import { spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { closeSync, createReadStream, mkdirSync, openSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { DocumentSummary, OutboxItem } from '../../src/shared/contract.js';
import { SoftwareSigner } from '../../src/main/cms/signer.js';
import { signPdf } from '../../src/main/sign/sign.js';
import { loadTrustStore } from '../../src/main/verify/chain.js';
import { WorkflowService } from '../../src/main/workflow/service.js';
import { makeScannedPdf } from '../fixtures/corpus.js';
import { makeNssDb, pdfsig, qpdfCheck } from '../fixtures/judges.js';
import { makeTempDir, removeTempDir, repoRoot } from '../fixtures/tmp.js';
import { EXPIRING_DAYS, EXPIRING_LABEL, kysoCli, materials, openBrowser, startWebApp, type Browsing, type Materials, type WebApp } from './harness.js';

const SHOTS = process.env.KYSO_UPDATE_SCREENSHOTS === '1' ? join(repoRoot(), 'docs', 'screenshots') : join(repoRoot(), 'test-output', 'screenshots');
const FAILURES = join(repoRoot(), 'test-output', 'e2e');
const PIN = '123456';
const TITLE = 'Quyết định ban hành Quy chế ký số văn bản điện tử';
const NUMBER = '203/QĐ-SYT';
/** Issued 20 hours before the test, urgent, never sent: late. */
const LATE_TITLE = 'Công văn đôn đốc báo cáo số liệu tiêm chủng quý I';
const LATE_REASON = 'Sai số liệu ở phụ lục, sẽ ban hành văn bản thay thế';
/** Where the leader's signature is dropped: between "GIÁM ĐỐC" (baseline 300) and the name, centred on 420. */
const DROP_AT = { x: 420, y: 262 };

let work: string;
let m: Materials;
let app: WebApp;
let b: Browsing;
let page: Page;
let nss: string;
let signedFile: string;
let data: string;

// Waiting assertions over locators (playwright-core has no test runner's expect): poll until true.
const WAIT = { timeout: 20_000, interval: 100 };
const attrOf = (l: Locator, name: string) => expect.poll(() => l.getAttribute(name, { timeout: 500 }).catch(() => null), WAIT);
const textOf = (l: Locator) => expect.poll(async () => (await l.textContent({ timeout: 500 }).catch(() => null)) ?? '', WAIT);
const countOf = (l: Locator) => expect.poll(() => l.count(), WAIT);

const todayVn = () => new Date(Date.now() + 7 * 3600_000).toISOString().slice(0, 10);

/** Closes the notice line, if one is shown (it would cover part of a screenshot). */
async function dismissNotice(): Promise<void> {
  const close = page.getByTestId('notice').getByRole('button');
  if (await close.count()) await close.click();
  await countOf(page.getByTestId('notice')).toBe(0);
}

async function shot(name: string, dir = SHOTS, opts: { keepNotice?: boolean; top?: boolean } = {}): Promise<void> {
  mkdirSync(dir, { recursive: true });
  if (!opts.keepNotice) await dismissNotice();
  if (opts.top !== false) await page.evaluate(() => document.querySelector('.content')?.scrollTo(0, 0));
  // Let fonts and pdf.js settle: a screenshot shows the screen as a person sees it.
  await page.waitForTimeout(300);
  await page.screenshot({ path: join(dir, `${name}.png`) });
}

async function go(screen: 'sign' | 'inbox' | 'outbox' | 'archive' | 'tokens' | 'settings'): Promise<void> {
  await page.getByTestId(`nav-${screen}`).click();
  await page.getByTestId(`screen-${screen}`).waitFor();
}

async function upload(testId: string, file: string): Promise<void> {
  await page.getByTestId(testId).setInputFiles(file);
}

async function waitNotice(text: string | RegExp): Promise<void> {
  await textOf(page.getByTestId('notice')).toMatch(text);
}

async function selectDoc(title: string): Promise<void> {
  await page.getByTestId('doc-item').filter({ hasText: title }).first().click();
  await page.locator('[data-testid=pdf-page][data-rendered=true]').waitFor();
}

async function chooseToken(label: string): Promise<void> {
  await page.getByTestId('token-select').selectOption(label);
}

/** Opens the PIN dialog, types the PIN and waits for the dialog to close (signed) or an error. */
async function signWithPin(pin: string): Promise<void> {
  await page.getByTestId('sign-button').click();
  await page.getByTestId('pin-dialog').waitFor();
  await page.getByTestId('pin-input').fill(pin);
  await page.getByTestId('pin-ok').click();
}

async function signed(stateAfter: string): Promise<void> {
  await page.getByTestId('pin-dialog').waitFor({ state: 'detached', timeout: 60_000 });
  await countOf(page.getByTestId('error')).toBe(0);
  await page.locator(`[data-testid=doc-item].selected[data-state=${stateAfter}]`).waitFor();
}

/** Drags with the mouse (button down, moves, button up) from the palette image to a PDF point of page 1. */
async function dragOntoPage(kind: 'signature' | 'seal' | 'initials', at: { x: number; y: number }): Promise<void> {
  const from = (await page.getByTestId(`palette-${kind}`).boundingBox())!;
  const pageBox = (await page.getByTestId('pdf-page').boundingBox())!;
  const scale = pageBox.width / 595.28;
  const to = { x: pageBox.x + at.x * scale, y: pageBox.y + (841.89 - at.y) * scale };
  await page.mouse.move(from.x + from.width / 2, from.y + from.height / 2);
  await page.mouse.down();
  await page.mouse.move(from.x - 40, from.y + 30, { steps: 5 });
  await page.getByTestId('drag-ghost').waitFor();
  await page.mouse.move(to.x, to.y, { steps: 15 });
  await page.mouse.up();
}

beforeAll(async () => {
  work = makeTempDir('e2e-web');
  m = await materials(work);
  nss = makeNssDb(join(work, 'nss'), [m.pki.root.certPem]);
  data = join(work, 'data');
  app = await startWebApp({ data, hsm: m.hsm });
  b = await openBrowser(app.url);
  page = b.page;
  await page
    .getByTestId('screen-sign')
    .waitFor()
    .catch(async (e: unknown) => {
      await shot('start-failed', FAILURES).catch(() => undefined);
      throw new Error(`the app did not show its first screen: ${String(e)}\npage: ${b.pageErrors.join('\n')}\nserver: ${app.stderr()}`);
    });
}, 180_000);

afterAll(async () => {
  await b?.browser.close();
  await app?.stop();
  if (work) removeTempDir(work);
});

describe('the web server refuses what is not its own page', () => {
  const get = (path: string, headers: Record<string, string> = {}) => fetch(`${app.origin}${path}`, { headers, redirect: 'manual' });
  const post = (name: string, headers: Record<string, string>, body = '{}') =>
    fetch(`${app.origin}/api/${name}`, { method: 'POST', headers: { 'Content-Type': 'application/json', ...headers }, body });

  test('the page needs the key of this launch', async () => {
    expect((await get('/')).status).toBe(403);
    expect((await get('/?key=wrong')).status).toBe(403);
    const ok = await get(`/?key=${app.key}`);
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(ok.headers.get('set-cookie')).toMatch(/HttpOnly; SameSite=Strict/);
    expect(await ok.text()).toContain('<div id="root">');
  });

  test('API calls need the key in their header, not a cookie', async () => {
    const none = await post('app.info', {});
    expect(none.status).toBe(403);
    expect(await none.json()).toMatchObject({ ok: false, error: { code: 'API_FORBIDDEN' } });
    expect((await post('app.info', { Cookie: `kyso_key_${new URL(app.origin).port}=${app.key}` })).status).toBe(403);
    expect((await post('app.info', { 'X-Kyso-Key': 'not-the-key' })).status).toBe(403);
    const ok = await post('app.info', { 'X-Kyso-Key': app.key });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ ok: true, value: { transport: 'web' } });
  });

  test('another origin or host name is refused even with the key', async () => {
    expect((await post('app.info', { 'X-Kyso-Key': app.key, Origin: 'http://evil.example' })).status).toBe(403);
    expect((await post('app.info', { 'X-Kyso-Key': app.key, Origin: 'null' })).status).toBe(403);
    expect((await get(`/?key=${app.key}`, { Origin: 'http://evil.example' })).status).toBe(403);
    // DNS rebinding: a foreign name resolving to 127.0.0.1 still names another site. (fetch
    // will not send a Host header of our choosing; node:http will.)
    const status = (host: string) =>
      new Promise<number>((resolve, reject) => {
        const u = new URL(app.origin);
        request({ host: u.hostname, port: u.port, path: `/?key=${app.key}`, headers: { Host: host } }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        })
          .on('error', reject)
          .end();
      });
    expect(await status('evil.example')).toBe(403);
    expect(await status(`evil.example:${new URL(app.origin).port}`)).toBe(403);
    expect(await status(new URL(app.origin).host)).toBe(200);
  });

  test('calls are checked against the contract', async () => {
    const unknown = await post('documents.destroyEverything', { 'X-Kyso-Key': app.key });
    expect(await unknown.json()).toMatchObject({ ok: false, error: { code: 'API_UNKNOWN_CALL' } });
    const bad = await post('documents.sign', { 'X-Kyso-Key': app.key }, JSON.stringify({ id: 'x', role: 'king', token: { label: 'A' }, pin: '1' }));
    expect(await bad.json()).toMatchObject({ ok: false, error: { code: 'API_INVALID_INPUT' } });
  });

  test('it listens on the loopback interface only', () => {
    const port = Number(new URL(app.origin).port);
    const listening = readFileSync('/proc/net/tcp', 'utf8')
      .split('\n')
      .slice(1)
      .map((l) => l.trim().split(/\s+/))
      .filter((f) => f[3] === '0A' && f[1]?.endsWith(`:${port.toString(16).toUpperCase().padStart(4, '0')}`))
      .map((f) => f[1]!.split(':')[0]);
    expect(listening).toEqual(['0100007F']);
  });
});

describe('method 3 in Chromium', () => {
  test('settings: trusted root, revocation lists, PIN tries, the leader\'s signature and the seal', async () => {
    await go('settings');
    await upload('trust-file', m.pki.rootPemPath);
    await page.getByTestId('trust-anchor').first().waitFor();
    await upload('crl-file', m.pki.crlDerPath);
    await countOf(page.getByTestId('crl')).toBe(1);
    await upload('crl-file', m.pki.rootCrlDerPath);
    await countOf(page.getByTestId('crl')).toBe(2);
    await page.getByTestId('pin-lock-after').fill('10');
    await page.getByTestId('pin-lock-save').click();
    await page.getByTestId('image-person').fill('KYSO-LEADER');
    await page.getByTestId('image-kind').selectOption('signature');
    await upload('image-file', m.signature);
    await page.locator('[data-testid=person-images][data-person=KYSO-LEADER]').waitFor();
    await page.getByTestId('image-person').fill('KYSO-ORG');
    await page.getByTestId('image-kind').selectOption('seal');
    await upload('image-file', m.seal);
    await page.locator('[data-testid=person-images][data-person=KYSO-ORG]').waitFor();
    // Shown by reference (/files/<sha256>), not as data: URIs.
    const thumb = page.locator('[data-testid=person-images][data-person=KYSO-ORG] img').first();
    expect(await thumb.getAttribute('src')).toMatch(/^\/files\/[0-9a-f]{64}$/);
    await expect.poll(() => thumb.evaluate((i: HTMLImageElement) => i.naturalWidth), WAIT).toBeGreaterThan(0);
    await textOf(page.getByTestId('trust-anchor').first()).toContain('Root');
    await shot('settings');
  });

  test('tokens: the five tokens and their certificates, expiry warned 30 days ahead', async () => {
    await go('tokens');
    await countOf(page.getByTestId('token-card')).toBe(5);
    const expired = page.locator('[data-testid=token-card][data-label=KYSO-EXPIRED]');
    await countOf(expired.locator('[data-testid=expiry][data-state=expired]')).toBe(1);
    await attrOf(page.locator('[data-testid=token-card][data-label=KYSO-LEADER] [data-testid=expiry]').first(), 'data-state').toBe('valid');
    await textOf(page.getByTestId('expiry-warnings')).toContain('đã hết hạn');
    const soon = page.locator(`[data-testid=token-card][data-label=${EXPIRING_LABEL}] [data-testid=expiry]`);
    await attrOf(soon, 'data-state').toBe('soon');
    await textOf(soon).toContain(`Còn ${EXPIRING_DAYS} ngày hết hạn`);
    await textOf(page.getByTestId('expiry-warnings')).toContain(`Lê Thị Thu (${EXPIRING_LABEL}): Còn ${EXPIRING_DAYS} ngày hết hạn`);
    await shot('tokens');
  });

  test('import the NĐ 30 draft for method 3', async () => {
    await go('sign');
    await page.getByTestId('import-open').click();
    await upload('import-file', m.draft);
    await page.getByTestId('import-title').fill(TITLE);
    await page.getByTestId('import-method-3').check();
    await page.getByTestId('import-urgency').selectOption('urgent');
    await page.getByTestId('import-submit').click();
    await page.getByTestId('import-dialog').waitFor({ state: 'detached' });
    await page.locator('[data-testid=pdf-page][data-rendered=true]').waitFor();
    await attrOf(page.getByTestId('next-step'), 'data-role').toBe('drafter');
    await textOf(page.getByTestId('doc-item').first()).toContain('Khẩn');
  });

  test('the drafter initials with the DRAFTER token', async () => {
    await chooseToken('KYSO-DRAFTER');
    await page.getByTestId('sign-button').click();
    await page.getByTestId('pin-dialog').waitFor();
    await textOf(page.getByTestId('pin-tries')).toContain('Còn 10 lần thử trước khi token bị khóa.');
    await shot('sign-pin');
    await page.getByTestId('pin-input').fill(PIN);
    await page.getByTestId('pin-ok').click();
    await signed('initialled');
    await waitNotice('Đã ký thành công');
    await attrOf(page.getByTestId('next-step'), 'data-role').toBe('leader');
  });

  test('the leader drags the signature onto the page; a wrong PIN first shows tries left', async () => {
    await chooseToken('KYSO-LEADER');
    await countOf(page.getByTestId('palette-signature').locator('img')).toBe(1);
    await dragOntoPage('signature', DROP_AT);
    const placement = page.getByTestId('placement');
    await attrOf(placement, 'data-page').toBe('1');
    const [x, y, w, h] = (await placement.getAttribute('data-rect'))!.split(',').map(Number) as [number, number, number, number];
    // The image is centred where the mouse let go, to within a screen pixel (about 1 pt here).
    expect(Math.abs(x + w / 2 - DROP_AT.x)).toBeLessThan(2);
    expect(Math.abs(y + h / 2 - DROP_AT.y)).toBeLessThan(2);
    expect(w).toBeGreaterThan(100);
    await countOf(page.getByTestId('placed-image').locator('img')).toBe(1);
    await shot('sign');

    await signWithPin('999999');
    const dialog = page.getByTestId('pin-dialog');
    await attrOf(dialog.getByTestId('error'), 'data-code').toMatch(/^TOKEN_PIN_INCORRECT/);
    await textOf(dialog.getByTestId('error')).toContain('Mã PIN không đúng');
    await textOf(dialog.getByTestId('pin-tries')).toContain('Còn 9 lần thử trước khi token bị khóa.');
    await textOf(dialog.getByTestId('pin-tries')).toContain('Đã nhập sai 1 lần');
    await shot('wrong-pin', FAILURES);
    await dialog.getByTestId('pin-input').fill(PIN);
    await dialog.getByTestId('pin-ok').click();
    await signed('approved');
    await attrOf(page.getByTestId('next-step'), 'data-role').toBe('org');
  });

  test('the clerk fills number and issue date; the organisation signs with the seal', async () => {
    await chooseToken('KYSO-ORG');
    expect(await page.getByTestId('issue-date').inputValue()).toBe(todayVn());
    await page.getByTestId('doc-number').fill(NUMBER);
    await signWithPin(PIN);
    await signed('issued');
    await page.getByTestId('issued').waitFor();
    await countOf(page.getByTestId('stepper').locator('[data-state=done]')).toBe(3);
    await textOf(page.getByTestId('sign-panel')).toContain(NUMBER);
    const download = page.waitForEvent('download');
    await page.getByTestId('download').click();
    signedFile = join(work, 'received.pdf');
    await (await download).saveAs(signedFile);
    expect(readFileSync(signedFile).subarray(0, 5).toString('latin1')).toBe('%PDF-');
  });

  test('the document waits in the outbox, urgent first; it is filed in a record', async () => {
    await go('outbox');
    const item = page.getByTestId('outbox-item').first();
    await attrOf(item, 'data-status').toBe('waiting');
    await textOf(item).toContain(NUMBER);
    await textOf(item).toContain('Khẩn');
    await item.getByRole('button', { name: 'Lập hồ sơ' }).click();
    await page.getByTestId('record-code').fill('2026.01.VP');
    await page.getByTestId('record-title').fill('Hồ sơ ban hành quy chế, quy định');
    await page.getByTestId('archive-submit').click();
    await waitNotice('Đã đưa văn bản vào hồ sơ');
    await shot('outbox');
  });

  test('an urgent document issued 20 hours ago and not sent is late: the outbox warns in Vietnamese; the clerk recalls it', async () => {
    // Issued through the same store with the clock set back 20 hours (the test certificates are
    // valid from a day before they were made), as an urgent letter: it had to go within the hour.
    const yesterday = new Date(Date.now() - 20 * 3600_000);
    const desk = WorkflowService.open({ dataDir: data, trust: () => loadTrustStore([m.pki.rootPemPath]), now: () => yesterday, actor: 'van-thu' });
    try {
      const d = await desk.addDocument({ path: m.draft, title: LATE_TITLE, method: 1, urgency: 'urgent', recipients: ['UBND tỉnh Quảng Ninh', 'Sở Nội vụ'], paperCopy: true });
      const org = new SoftwareSigner(m.pki.org.privateKey, m.pki.org.certDer, [m.pki.subCa.certDer]);
      const issued = await desk.signStep(d.id, { role: 'org', image: { bytes: readFileSync(m.seal), source: 'con-dau-so-y-te.png' } }, org);
      expect(issued).toMatchObject({ state: 'issued', issueDate: new Date(yesterday.getTime() + 7 * 3600_000).toISOString().slice(0, 10) });
    } finally {
      desk.close();
    }
    await go('sign');
    await go('outbox');
    const warning = page.getByTestId('late-warning');
    await textOf(warning).toContain('1 văn bản quá hạn gửi.');
    await textOf(warning).toContain('chậm nhất trong buổi sáng ngày làm việc tiếp theo; văn bản khẩn gửi ngay');
    // Waiting, urgent, the earliest deadline: first.
    const late = page.getByTestId('outbox-item').first();
    await textOf(late).toContain(LATE_TITLE);
    await attrOf(late, 'data-late').toBe('true');
    await attrOf(late.getByTestId('send-warning'), 'data-warning').toBe('late');
    await textOf(late.getByTestId('send-warning')).toContain('Quá hạn gửi');
    await textOf(late).toContain('Nơi nhận: UBND tỉnh Quảng Ninh, Sở Nội vụ');
    await textOf(late).toContain('Gửi kèm bản giấy');
    // The one issued minutes ago is urgent too, not late yet: it must go at once.
    const fresh = page.getByTestId('outbox-item').filter({ hasText: NUMBER });
    await attrOf(fresh, 'data-late').toBe('false');
    await attrOf(fresh.getByTestId('send-warning'), 'data-warning').toBe('send-now');
    await textOf(fresh.getByTestId('send-warning')).toContain('Khẩn: gửi ngay');
    await shot('outbox-late');

    await late.getByTestId('recall-open').click();
    await page.getByTestId('recall-reason-input').fill(LATE_REASON);
    await page.getByTestId('recall-submit').click();
    await waitNotice(`Đã thu hồi văn bản “${LATE_TITLE}”.`);
    const recalled = page.getByTestId('outbox-item').filter({ hasText: LATE_TITLE });
    await attrOf(recalled, 'data-status').toBe('recalled');
    await textOf(recalled).toContain('Đã thu hồi');
    await textOf(recalled.getByTestId('recall-reason')).toContain(LATE_REASON);
    await countOf(recalled.getByTestId('send-warning')).toBe(0);
    await countOf(page.getByTestId('late-warning')).toBe(0);
  });

  test('pdfsig: three signatures, valid and trusted; qpdf --check passes', () => {
    const rep = pdfsig(signedFile, nss);
    expect(rep.signatures, rep.raw).toHaveLength(3);
    for (const s of rep.signatures) {
      expect(s.signatureValidation, s.raw).toBe('Signature is Valid.');
      expect(s.certificateValidation, s.raw).toBe('Certificate is Trusted.');
    }
    expect(rep.signatures.map((s) => s.signerName)).toEqual([m.pki.drafter.names.commonName, m.pki.leader.names.commonName, m.pki.org.names.commonName]);
    expect(rep.signatures.at(-1)!.totalDocumentSigned).toBe(true);
    const q = qpdfCheck(signedFile);
    expect(q.ok, q.output).toBe(true);
  });

  test('the signed file received in the inbox shows three green signatures', async () => {
    await go('inbox');
    await upload('inbox-file', signedFile);
    const detail = page.getByTestId('inbox-detail');
    await detail.waitFor();
    await attrOf(detail.getByTestId('verdict'), 'data-indication').toBe('TOTAL_PASSED');
    await countOf(detail.getByTestId('signature')).toBe(3);
    await countOf(detail.locator('[data-testid=signature][data-indication=TOTAL_PASSED]')).toBe(3);
    await textOf(detail.getByTestId('signature').nth(1)).toContain(m.pki.leader.names.commonName);
    await textOf(detail.getByTestId('signature').nth(1)).toContain('HỢP LỆ');
    await page.getByTestId('inbox-accept').click();
    await textOf(page.getByTestId('inbox-decision')).toContain('Số đến: 1');
    await shot('inbox');
  });

  test('a signature nobody trusts is amber, with its reason in Vietnamese; the clerk returns it', async () => {
    const untrusted = join(work, 'cong-van-la.pdf');
    await signPdf({ input: m.draft, output: untrusted, signer: new SoftwareSigner(m.pki.untrusted.privateKey, m.pki.untrusted.certDer, [m.pki.untrustedRoot.certDer]) });
    await upload('inbox-file', untrusted);
    // Listed by its trích yếu as page 1 prints it, the file name under it.
    const row = page.getByTestId('inbox-item').filter({ hasText: 'cong-van-la' });
    await attrOf(row, 'data-indication').toBe('INDETERMINATE');
    const detail = page.getByTestId('inbox-detail');
    await attrOf(detail.getByTestId('signature'), 'data-indication').toBe('INDETERMINATE');
    await textOf(detail.getByTestId('signature')).toContain('không do tổ chức cung cấp dịch vụ chứng thực được tin cậy cấp');
    await attrOf(detail.getByTestId('signature'), 'class').toMatch(/amber/);
    await shot('inbox-untrusted', FAILURES);
    await page.getByTestId('inbox-reason').fill('Chữ ký số không được tin cậy');
    await page.getByTestId('inbox-reject').click();
    await textOf(page.getByTestId('inbox-decision')).toContain('Đã trả lại');
  });

  test('the archive finds the record and opens the file with its verification report', async () => {
    await go('archive');
    await page.getByTestId('archive-search').fill('203');
    await page.getByTestId('archive-item').first().click();
    const detail = page.getByTestId('archive-detail');
    await attrOf(detail.getByTestId('verdict'), 'data-indication').toBe('TOTAL_PASSED');
    await countOf(detail.locator('[data-testid=signature][data-indication=TOTAL_PASSED]')).toBe(3);
    await detail.locator('[data-testid=pdf-page][data-rendered=true]').waitFor();
    expect(await detail.getByTestId('archive-sha256').textContent()).toContain(createHash('sha256').update(readFileSync(signedFile)).digest('hex'));
    // Every step of every document is in the audit log; its hash chain is whole.
    await page.getByTestId('audit-check').click();
    const audit = page.getByTestId('audit-result');
    await attrOf(audit, 'data-ok').toBe('true');
    await textOf(audit).toMatch(/Nhật ký thao tác nguyên vẹn: \d+ mục, không mục nào bị sửa, xóa hay chèn\./);
    await shot('archive');
  });

  test('a token pulled out between listing and signing shows its message; plugged back, it returns', async () => {
    await go('sign');
    await page.getByTestId('import-open').click();
    await upload('import-file', m.draft);
    await page.getByTestId('import-title').fill('Công văn về việc triển khai ký số');
    await page.getByTestId('import-method-2').check();
    await page.getByTestId('import-submit').click();
    await page.getByTestId('import-dialog').waitFor({ state: 'detached' });
    await page.locator('[data-testid=pdf-page][data-rendered=true]').waitFor();
    await chooseToken('KYSO-LEADER');
    const dir = m.hsm.tokenDir('KYSO-LEADER');
    const away = join(work, 'token-out-of-the-port');
    // The token is listed and chosen, the PIN dialog is open: then it is pulled out.
    await page.getByTestId('sign-button').click();
    await page.getByTestId('pin-dialog').waitFor();
    renameSync(dir, away);
    try {
      await page.getByTestId('pin-input').fill(PIN);
      await page.getByTestId('pin-ok').click();
      const error = page.getByTestId('error');
      await attrOf(error, 'data-code').toMatch(/^TOKEN_(NOT_FOUND|REMOVED)$/);
      await textOf(error).toMatch(/Không tìm thấy token "KYSO-LEADER"|Token đã bị rút ra/);
      await waitNotice('Token “KYSO-LEADER” đã được rút ra.');
      // Kyso does not quietly switch to another token: the step waits for the leader's.
      await textOf(page.getByTestId('token-missing')).toContain('Không thấy token “KYSO-LEADER”');
      expect(await page.getByTestId('sign-button').isDisabled()).toBe(true);
      await shot('token-removed', FAILURES, { keepNotice: true });
    } finally {
      renameSync(away, dir);
    }
    await go('tokens');
    await page.getByTestId('rescan').click();
    await waitNotice('Token “KYSO-LEADER” vừa được cắm vào.');
    await countOf(page.getByTestId('token-card')).toBe(5);
  });

  test('batch signing shows its progress', async () => {
    await go('sign');
    await page.getByTestId('import-open').click();
    await upload('import-file', m.draft);
    await page.getByTestId('import-title').fill('Thông báo lịch tiếp công dân');
    await page.getByTestId('import-method-2').check();
    await page.getByTestId('import-submit').click();
    await page.getByTestId('import-dialog').waitFor({ state: 'detached' });
    for (const title of ['Công văn về việc triển khai ký số', 'Thông báo lịch tiếp công dân'])
      await page.getByTestId('doc-item').filter({ hasText: title }).getByTestId('doc-check').check();
    await page.getByTestId('batch-token').selectOption('KYSO-LEADER');
    await page.getByTestId('batch-sign').click();
    await page.getByTestId('pin-input').fill(PIN);
    await page.getByTestId('pin-ok').click();
    const job = page.locator('[data-testid=job][data-finished=true]');
    await job.waitFor({ timeout: 60_000 });
    await textOf(job).toContain('Đã ký 2/2 văn bản');
    await attrOf(job.locator('progress'), 'value').toBe('2');
    await countOf(page.locator('[data-testid=doc-item][data-state=approved]')).toBe(2);
  });

  test('English is one click away', async () => {
    await selectDoc(TITLE);
    await page.getByTestId('lang-en').click();
    await textOf(page.getByTestId('nav-inbox')).toMatch(/Incoming/);
    await textOf(page.getByTestId('issued')).toContain('The document is issued');
    await shot('sign-en');
    await page.getByTestId('lang-vi').click();
    await textOf(page.getByTestId('nav-inbox')).toMatch(/Văn bản đến/);
  });

  test('the command line reads and writes the same desk: doc list, outbox list, audit verify, doc add', async () => {
    const kyso = async (...args: string[]) => {
      const r = await kysoCli(['--data', data, ...args]);
      expect(r.status, `kyso ${args.join(' ')}\n${r.stderr}${r.stdout}`).toBe(0);
      return r.stdout;
    };
    const { documents } = JSON.parse(await kyso('doc', 'list', '--json')) as { documents: DocumentSummary[] };
    const issued = documents.find((d) => d.title === TITLE)!;
    expect(issued).toMatchObject({ method: 3, urgency: 'urgent', state: 'issued', nextRole: null, number: NUMBER, issueDate: todayVn() });
    expect(issued.id).toMatch(/^\d+$/);
    expect(issued.signatures.map((x) => [x.role, x.signer])).toEqual([
      ['drafter', m.pki.drafter.names.commonName],
      ['leader', m.pki.leader.names.commonName],
      ['org', m.pki.org.names.commonName],
    ]);
    expect(documents.filter((d) => d.state === 'approved').map((d) => d.title).sort()).toEqual(['Công văn về việc triển khai ký số', 'Thông báo lịch tiếp công dân']);

    const { items } = JSON.parse(await kyso('outbox', 'list', '--json')) as { items: OutboxItem[] };
    expect(items.find((x) => x.documentId === issued.id)).toMatchObject({ status: 'waiting', number: NUMBER, urgency: 'urgent', late: false });
    expect(items.find((x) => x.title === LATE_TITLE)).toMatchObject({ status: 'recalled', recallReason: LATE_REASON, late: false });

    // The file the clerk downloaded is the store's current revision of the document.
    const exported = join(work, 'exported.pdf');
    await kyso('doc', 'export', issued.id, '-o', exported);
    expect(createHash('sha256').update(readFileSync(exported)).digest('hex')).toBe(createHash('sha256').update(readFileSync(signedFile)).digest('hex'));

    const audit = JSON.parse(await kyso('audit', 'verify', '--json')) as { ok: boolean; entries: number; problems: unknown[] };
    expect(audit).toMatchObject({ ok: true, problems: [] });
    expect(audit.entries).toBeGreaterThan(10);

    // And the other way: a document added on the command line is in the queue of the screen.
    const title = 'Kế hoạch kiểm tra công tác văn thư năm 2026';
    const added = JSON.parse(await kyso('doc', 'add', m.draft, '--method', '2', '--title', title, '--urgency', 'flash', '--json')) as { id: string };
    await go('outbox');
    await go('sign');
    const item = page.getByTestId('doc-item').filter({ hasText: title });
    await textOf(item).toContain('Hỏa tốc');
    await attrOf(item, 'data-state').toBe('draft');
    // Hỏa tốc first in the queue.
    await textOf(page.getByTestId('doc-item').first()).toContain(title);
    expect(added.id).toMatch(/^\d+$/);
  });

  test('a 100 MB scanned dossier: imported by reference, opened by ranges; the server stays alive and light', async () => {
    // Before files went by reference, opening this (documents.content, base64 in JSON) took the
    // server down: JavaScript heap out of memory.
    const scan = join(work, 'ho-so-quet-100mb.pdf');
    makeScannedPdf(scan, 100);
    const title = 'Hồ sơ quét 100 MB';
    await page.getByTestId('import-open').click();
    await page.evaluate(() => performance.clearResourceTimings());
    await upload('import-file', scan);
    await attrOf(page.getByTestId('import-file-name'), 'data-uploaded').toBe('true');
    // Sent in blocks of at most 16 MB (slices of the chosen file), whole rounds over four connections, then ended.
    const sent = await page.evaluate(() => performance.getEntriesByType('resource').map((e) => new URL(e.name).pathname + new URL(e.name).search));
    const blocks = sent.filter((u) => /^\/files\/parts\/[0-9a-f]{32}\?offset=\d+$/.test(u));
    expect(blocks).toHaveLength(Math.ceil(statSync(scan).size / (16 << 20) / 4) * 4);
    const offsets = blocks.map((u) => Number(/offset=(\d+)$/.exec(u)![1])).sort((x, y) => x - y);
    expect(offsets[0]).toBe(0);
    expect(offsets[1]).toBeLessThanOrEqual(16 << 20);
    expect(sent.filter((u) => /^\/files\/parts\/[0-9a-f]{32}\/end$/.test(u))).toHaveLength(1);
    await page.getByTestId('import-title').fill(title);
    await page.getByTestId('import-method-1').check();
    await page.getByTestId('import-submit').click();
    await page.getByTestId('import-dialog').waitFor({ state: 'detached', timeout: 120_000 });
    await selectDoc(title);
    await shot('large-scan');
    // What the server stored is the chosen file, byte for byte.
    const docs = (await (
      await fetch(`${app.origin}/api/documents.list`, { method: 'POST', headers: { 'Content-Type': 'application/json', 'X-Kyso-Key': app.key }, body: '{}' })
    ).json()) as { ok: true; value: DocumentSummary[] };
    const h = createHash('sha256');
    for await (const c of createReadStream(scan)) h.update(c as Buffer);
    expect(docs.value.find((d) => d.title === title)).toMatchObject({ sha256: h.digest('hex'), size: statSync(scan).size });
    expect(app.process.exitCode).toBeNull();
    const peakMB = Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${app.process.pid}/status`, 'utf8'))![1]) / 1024;
    // The whole file is never held by the server (nor sent in one answer): its peak stays far below the file's base64.
    expect(peakMB).toBeLessThan(400);
    // The page read only what it drew: a few MB of the 100, by ranges.
    const read = await page.evaluate(() =>
      performance
        .getEntriesByType('resource')
        .filter((e) => /\/files\/[0-9a-f]{64}/.test(e.name))
        .reduce((sum, e) => sum + (e as PerformanceResourceTiming).encodedBodySize, 0),
    );
    expect(read).toBeGreaterThan(0);
    expect(read).toBeLessThan(30 * 1024 * 1024);
  });

  test('no screen logged an error', () => {
    expect(b.pageErrors).toEqual([]);
    // The server never logged a PIN.
    expect(app.stderr()).not.toContain('999999');
    expect(app.stderr()).not.toContain(PIN);
  });
});

describe('a large upload that fills the disk, from the page', () => {
  let tiny: string | undefined;
  let small: WebApp | undefined;
  let sb: Browsing | undefined;

  afterAll(async () => {
    await sb?.browser.close();
    await small?.stop();
    if (tiny) spawnSync('umount', [tiny]);
  });

  test('the blocks sent at once stop at the first refused one: "Ổ đĩa đã đầy", nothing left in uploads/, the desk still answers', async () => {
    // A real file system of 40 MiB (tmpfs; needs root, which the build machines are) for the data
    // folder, and a 64 MiB file: four 16 MB blocks in flight, one of them meets the full disk.
    tiny = join(work, 'tiny-disk');
    mkdirSync(tiny);
    const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=40m', 'tmpfs', tiny], { encoding: 'utf8' });
    if (mounted.status !== 0) {
      tiny = undefined;
      throw new Error(`cannot mount a 40 MiB tmpfs for the full-disk test: ${mounted.stderr}`);
    }
    const big = join(work, 'qua-lon.pdf');
    const fd = openSync(big, 'w');
    for (let i = 0; i < 64; i++) writeSync(fd, randomBytes(1 << 20));
    closeSync(fd);
    small = await startWebApp({ data: join(tiny, 'data'), hsm: m.hsm });
    sb = await openBrowser(small.url);
    const p = sb.page;
    await p.getByTestId('screen-sign').waitFor();
    await p.getByTestId('import-open').click();
    await p.getByTestId('import-file').setInputFiles(big);
    const error = p.getByTestId('import-dialog').getByTestId('error');
    await expect.poll(() => error.getAttribute('data-code', { timeout: 500 }).catch(() => null), { timeout: 60_000, interval: 200 }).toBe('UPLOAD_DISK_FULL');
    await expect.poll(() => error.textContent({ timeout: 500 }).catch(() => ''), WAIT).toMatch(/Ổ đĩa đã đầy/);
    expect(await p.getByTestId('import-file-name').getAttribute('data-uploaded')).toBe('false');
    await p.screenshot({ path: join(SHOTS, 'upload-disk-full.png') });
    // Every block was refused or abandoned: no temporary file stays, and the space is free again.
    const uploads = join(tiny, 'data', 'uploads');
    await expect.poll(() => readdirSync(uploads), { timeout: 10_000, interval: 100 }).toEqual([]);
    const docs = (await (
      await fetch(`${small.origin}/api/documents.list`, { method: 'POST', headers: { 'Content-Type': 'application/json', 'X-Kyso-Key': small.key }, body: '{}' })
    ).json()) as { ok: true; value: DocumentSummary[] };
    expect(docs).toEqual({ ok: true, value: [] });
    expect(small.process.exitCode).toBeNull();
    expect(sb.pageErrors.filter((e) => !/Failed to load resource/.test(e))).toEqual([]);
  });
});

// Keeps the digest of the signed file in the test output, to compare runs when a judge changes.
afterAll(() => {
  if (signedFile) {
    mkdirSync(FAILURES, { recursive: true });
    writeFileSync(join(FAILURES, 'signed.sha256'), createHash('sha256').update(readFileSync(signedFile)).digest('hex') + '\n');
  }
});
