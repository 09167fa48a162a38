// What the exchange's browser tests share: a desk of an agency (its data folder trusting the test
// root, its shared inbox folder, its own web app and browser page), going to a screen, a
// screenshot without the notice line, a sync pass from the screen with its report, and a document
// issued by the organisation from the command line (method 1) to send.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { expect } from 'vitest';
import { trustingDataFolder } from '../fixtures/desk-data.js';
import { repoRoot } from '../fixtures/tmp.js';
import { kysoCli, startWebApp, VIEWPORT, type Materials, type WebApp } from './harness.js';

export const SHOTS = process.env.KYSO_UPDATE_SCREENSHOTS === '1' ? join(repoRoot(), 'docs', 'screenshots') : join(repoRoot(), 'test-output', 'screenshots');
export const FAILURES = join(repoRoot(), 'test-output', 'e2e');
export const WAIT = { timeout: 30_000, interval: 100 };

export const SYT = { organId: '000.00.31.H41', name: 'Sở Y tế tỉnh Quảng Ninh' };
export const SNV = { organId: '000.00.32.H41', name: 'Sở Nội vụ tỉnh Quảng Ninh' };

export interface Agency {
  organId: string;
  name: string;
}

export interface Desk {
  who: Agency;
  data: string;
  drop: string;
  app: WebApp;
  page: Page;
  errors: string[];
  /** The answer to the next confirmation box (window.confirm). */
  confirm: boolean;
}

export const textOf = (p: Page, testId: string) => expect.poll(async () => (await p.getByTestId(testId).first().textContent({ timeout: 500 }).catch(() => null)) ?? '', WAIT);

/** A desk of `who`: data folder work/data-NAME, inbox folder work/share/NAME, its web app, a page on it. */
export async function openDesk(env: { browser: Browser; m: Materials; work: string }, who: Agency, name: string): Promise<Desk> {
  const data = trustingDataFolder(env.m.pki, join(env.work, `data-${name}`));
  const drop = join(env.work, 'share', name);
  mkdirSync(drop, { recursive: true });
  const app = await startWebApp({ data, hsm: env.m.hsm, env: { KYSO_TRUST: '' } });
  const context = await env.browser.newContext({ viewport: VIEWPORT, locale: 'vi-VN', timezoneId: 'Asia/Ho_Chi_Minh' });
  const page = await context.newPage();
  const d: Desk = { who, data, drop, app, page, errors: [], confirm: true };
  page.on('pageerror', (e) => d.errors.push(`pageerror: ${e.message}`));
  page.on('console', (msg) => {
    // A refused call (a wrong PIN) is shown on the page and logged by the browser as a failed request: not a defect.
    if (msg.type() === 'error' && !/Failed to load resource/.test(msg.text())) d.errors.push(`console: ${msg.text()}`);
  });
  page.on('dialog', (box) => void (d.confirm ? box.accept() : box.dismiss()));
  await page.goto(app.url);
  await page.getByTestId('screen-sign').waitFor();
  return d;
}

export async function go(d: Desk, screen: 'exchange' | 'addressbook' | 'outbox' | 'inbox'): Promise<void> {
  await d.page.getByTestId(`nav-${screen}`).click();
  await d.page.getByTestId(`screen-${screen}`).waitFor();
}

/** The page as a person sees it (notice line closed; scrolled to the top unless top is false). */
export async function shot(d: Desk, name: string, o: { top?: boolean } = {}): Promise<void> {
  mkdirSync(SHOTS, { recursive: true });
  const close = d.page.getByTestId('notice').getByRole('button');
  if (await close.count()) await close.click();
  if (o.top !== false) await d.page.evaluate(() => document.querySelector('.content')?.scrollTo(0, 0));
  await d.page.waitForTimeout(300);
  await d.page.screenshot({ path: join(SHOTS, `${name}.png`) });
}

/** One sync pass from the screen; its report's figures. */
export async function sync(d: Desk): Promise<{ sent: number; received: number; statuses: number }> {
  const before = await d.page.getByTestId('sync-report').getAttribute('data-at', { timeout: 200 }).catch(() => null);
  await d.page.getByTestId('sync').click();
  await expect.poll(async () => (await d.page.getByTestId('sync').isEnabled()) && (await d.page.getByTestId('sync-report').count()) > 0, WAIT).toBe(true);
  await expect.poll(() => d.page.getByTestId('sync-report').getAttribute('data-at'), WAIT).not.toBe(before);
  const r = d.page.getByTestId('sync-report');
  return { sent: Number(await r.getAttribute('data-sent')), received: Number(await r.getAttribute('data-received')), statuses: Number(await r.getAttribute('data-statuses')) };
}

/** A document issued by the organisation (method 1, the seal) from the command line; its id. */
export async function issueDoc(m: Materials, d: Desk, title: string): Promise<string> {
  const env = { ...m.hsm.env, KYSO_PKCS11_MODULE: m.hsm.module, KYSO_TEST_PIN: m.hsm.tokens.ORG.pin };
  const add = await kysoCli(['--data', d.data, 'doc', 'add', m.draft, '--method', '1', '--title', title, '--json'], env);
  expect(add.status, add.stderr).toBe(0);
  const id = (JSON.parse(add.stdout) as { id: string }).id;
  const signed = await kysoCli(['--data', d.data, 'doc', 'sign', id, '--as', 'org', '--token', m.hsm.tokens.ORG.label, '--pin-env', 'KYSO_TEST_PIN', '--image', m.seal], env);
  expect(signed.status, signed.stderr).toBe(0);
  return id;
}
