// The exchange screens' calls (src/main/api/exchange.ts) through the app's dispatcher, as the page
// makes them: the axis configured with a secret typed in the app, a connection test against the
// axis stand-in (real HTTP, real HMAC), the agency list imported into the address book, and the
// secret never answered back nor written to any file of the data folder.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createApp } from '../../src/main/api/services.js';
import { startAxisServer, type AxisServer } from '../fixtures/axis-server.js';
import { makeTempDir, removeTempDir } from '../fixtures/tmp.js';

const SECRET = 'khoa-bi-mat-truc-7f3a9c';
const STC = { systemId: 'STC-QN', secret: SECRET, organId: '000.00.33.H41', name: 'Sở Tài chính tỉnh Quảng Ninh' };
const SYT = { systemId: 'SYT-QN', secret: 'khac', organId: '000.00.31.H41', name: 'Sở Y tế tỉnh Quảng Ninh' };

let work: string;
let server: AxisServer;
let app: ReturnType<typeof createApp>;

const call = async (name: string, input: unknown = {}) => app.dispatch(name, input);
const value = async <T = Record<string, unknown>>(name: string, input: unknown = {}): Promise<T> => {
  const r = await call(name, input);
  if (!r.ok) throw new Error(`${name}: ${JSON.stringify(r.error)}`);
  return r.value as T;
};
const codeOf = async (name: string, input: unknown = {}) => {
  const r = await call(name, input);
  return r.ok ? 'ok' : r.error.code;
};

/** Every file under dir (recursively). */
function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? files(p) : [p];
  });
}

beforeAll(async () => {
  work = makeTempDir('exchange-app-api');
  server = await startAxisServer({
    systems: [SYT, STC],
    agencies: [
      { code: SYT.organId, name: SYT.name },
      { code: STC.organId, name: STC.name },
      { code: '000.00.00.G22', name: 'Bộ Y tế' },
    ],
  });
  app = createApp({ dataDir: join(work, 'data'), transport: 'web', version: 'test' });
});

afterAll(async () => {
  app?.services.close();
  await server?.stop();
  if (work) removeTempDir(work);
});

describe('the exchange settings through the app contract', () => {
  test('nothing configured: the screen is told so; an inbox needs the agency code first', async () => {
    expect(await value('exchange.get')).toEqual({ self: null, inbox: null, inboxes: [], peers: [], queue: { queued: 0, failed: 0 } });
    expect(await codeOf('exchange.setInbox', { kind: 'folder', path: join(work, 'drop') })).toBe('EXCHANGE_NOT_CONFIGURED');
    expect(await codeOf('exchange.setSelf', { organId: ' ', name: 'x' })).toBe('API_INVALID_INPUT');
    expect(await codeOf('exchange.setInbox', { kind: 'mail', imapUrl: 'imap://h', smtpUrl: 'smtp://h', user: 'a@b.vn', passwordEnv: 'not a name' })).toBe('API_INVALID_INPUT');
  });

  test('the axis: a secret typed in the app is used for the test, kept in memory only, never answered back', async () => {
    await value('exchange.setSelf', { organId: STC.organId, name: STC.name });
    const setup = { kind: 'axis', url: server.url, systemId: STC.systemId, secretEnv: 'KYSO_TEST_AXIS_SECRET_APP' };
    // No secret anywhere yet: said before connecting.
    expect(await codeOf('exchange.test', setup)).toBe('EXCHANGE_SECRET_MISSING');
    // A wrong secret: the axis refuses the signature.
    const before = server.log.length;
    expect(await codeOf('exchange.test', { ...setup, secret: 'sai-khoa' })).toBe('EXCHANGE_AUTH');
    expect(server.log.length).toBeGreaterThan(before);
    // The right one, typed in the form and not saved yet: the test really connects.
    const tested = await value<{ kind: string; checks: Array<Record<string, unknown>> }>('exchange.test', { ...setup, secret: SECRET });
    expect(tested).toEqual({ kind: 'axis', checks: [{ what: 'axis', target: `${STC.systemId} @ ${server.url}`, security: null, waiting: 0, agencies: 3 }] });
    // Saved: the configuration keeps the variable's name; the secret stays in the process.
    const view = await value<Record<string, unknown>>('exchange.setInbox', { ...setup, secret: SECRET });
    expect(view.inbox).toEqual({ kind: 'axis', address: server.url, axis: { url: server.url, systemId: STC.systemId, secretEnv: 'KYSO_TEST_AXIS_SECRET_APP', secretSet: true } });
    expect(view.inboxes).toEqual([{ kind: 'axis', address: server.url, secretSet: true }]);
    expect(JSON.stringify(await value('exchange.get'))).not.toContain(SECRET);
    // A saved test (no secret in the form) uses the kept one.
    expect(await codeOf('exchange.test', setup)).toBe('ok');
    const leaked = files(join(work, 'data')).filter((f) => readFileSync(f).includes(Buffer.from(SECRET)));
    expect(leaked).toEqual([]);
    expect(process.env.KYSO_TEST_AXIS_SECRET_APP).toBeUndefined();
  });

  test('the agency list of the axis fills the address book (this agency left out); a peer reached another way keeps its way', async () => {
    await value('exchange.savePeer', { organId: SYT.organId, name: 'Sở Y tế', transport: 'mail', address: 'vanthu@syt.quangninh.gov.vn' });
    const r = await value<{ added: number; updated: number; view: { peers: Array<Record<string, unknown>> } }>('exchange.importAgencies');
    expect([r.added, r.updated]).toEqual([1, 0]);
    expect(r.view.peers.map((p) => [p.organId, p.name, p.transport, p.address])).toEqual([
      ['000.00.00.G22', 'Bộ Y tế', 'axis', '000.00.00.G22'],
      [SYT.organId, 'Sở Y tế', 'mail', 'vanthu@syt.quangninh.gov.vn'],
    ]);
    // Edited under a new code, then removed.
    await value('exchange.savePeer', { organId: '000.00.00.G22.1', name: 'Bộ Y tế', transport: 'axis', previousOrganId: '000.00.00.G22' });
    expect((await value<{ peers: Array<{ organId: string }> }>('exchange.get')).peers.map((p) => p.organId)).toEqual(['000.00.00.G22.1', SYT.organId]);
    await value('exchange.removePeer', { organId: '000.00.00.G22.1' });
    expect(await codeOf('exchange.removePeer', { organId: '000.00.00.G22.1' })).toBe('EXCHANGE_PEER_UNKNOWN');
    expect(await codeOf('exchange.savePeer', { organId: 'X', name: 'X', transport: 'folder', address: 'tuong-doi' })).toBe('EXCHANGE_FOLDER_UNAVAILABLE');
    expect(await codeOf('exchange.savePeer', { organId: 'X', name: 'X', transport: 'mail', address: 'khong-phai-thu' })).toBe('USAGE');
    // One pass from the app: nothing queued, nothing waiting on the axis.
    expect(await value('exchange.sync')).toMatchObject({ sent: 0, received: 0, statuses: 0, misaddressed: 0, failed: [], inboxFailed: [], unreadable: [] });
  });

  test('after a restart the typed secret is gone: the screen says so and a sync names the missing password instead of connecting', async () => {
    const again = createApp({ dataDir: join(work, 'data'), transport: 'web', version: 'test' });
    try {
      const v = await again.dispatch('exchange.get', {});
      expect(v.ok && (v.value as { inbox: { axis: { secretSet: boolean } } }).inbox.axis.secretSet).toBe(false);
      const before = server.log.length;
      const r = await again.dispatch('exchange.sync', {});
      expect(r).toMatchObject({ ok: true, value: { inboxFailed: [{ kind: 'axis', code: 'EXCHANGE_SECRET_MISSING', details: { name: 'KYSO_TEST_AXIS_SECRET_APP' } }] } });
      expect(server.log.length).toBe(before);
    } finally {
      again.services.close();
    }
  });
});
