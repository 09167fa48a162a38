// The desktop shell without Electron's binary (it cannot be downloaded on this machine): the real
// main-process and preload modules run against a stand-in of the 'electron' module that records
// what they ask of it. What is checked is ours — the window's isolation, the navigation and
// permission locks, and the one IPC channel: the preload's API object calls the main process's
// handler, which dispatches into the real service table and answers Results with error codes.
// The launcher (`npm start`) is run for real: without the binary it says so in one line.
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import { makeNd30Pdf } from '../fixtures/nd30.js';
import type { KysoApi, Result } from '../../src/shared/contract.js';
import { makeTempDir, removeTempDir, repoRoot } from '../fixtures/tmp.js';

type Handler = (...args: unknown[]) => unknown;

/** What the stand-in recorded. */
const seen = vi.hoisted(() => ({
  windows: [] as Array<{ options: Record<string, unknown>; loaded?: string }>,
  appEvents: new Map<string, (...args: unknown[]) => unknown>(),
  ipc: new Map<string, (...args: unknown[]) => unknown>(),
  exposed: new Map<string, unknown>(),
  paths: new Map<string, string>(),
  switches: new Map<string, string>(),
  permissionRequest: undefined as undefined | ((wc: unknown, permission: string, cb: (ok: boolean) => void) => void),
  permissionCheck: undefined as undefined | (() => boolean),
  beforeRequest: undefined as undefined | ((details: { url: string }, cb: (r: { cancel: boolean }) => void) => void),
  senderUrl: '',
  privileged: [] as unknown[],
  protocols: new Map<string, (r: Request) => Promise<Response>>(),
  /** What the main process's file dialog answers next: a path, or null (cancelled). */
  dialogPath: null as string | null,
  dialogs: [] as unknown[],
}));

vi.mock('electron', () => {
  class BrowserWindow {
    static all: BrowserWindow[] = [];
    static getAllWindows = () => BrowserWindow.all;
    static getFocusedWindow = () => BrowserWindow.all[0] ?? null;
    webContents = { on: () => undefined, setWindowOpenHandler: () => undefined };
    record: { options: Record<string, unknown>; loaded?: string };
    constructor(options: Record<string, unknown>) {
      this.record = { options };
      seen.windows.push(this.record);
      BrowserWindow.all.push(this);
    }
    once() {}
    show() {}
    focus() {}
    isMinimized() {
      return false;
    }
    restore() {}
    loadURL(url: string) {
      this.record.loaded = url;
      return Promise.resolve();
    }
  }
  const app = {
    setName: () => undefined,
    getPath: (name: string) => seen.paths.get(name) ?? '/nonexistent',
    setPath: (name: string, value: string) => void seen.paths.set(name, value),
    requestSingleInstanceLock: () => true,
    exit: () => undefined,
    quit: () => undefined,
    whenReady: () => Promise.resolve(),
    commandLine: { appendSwitch: (name: string, value = '') => void seen.switches.set(name, value) },
    on: (event: string, fn: (...args: unknown[]) => unknown) => void seen.appEvents.set(event, fn),
  };
  const session = {
    defaultSession: {
      webRequest: {
        onHeadersReceived: () => undefined,
        onBeforeRequest: (fn: typeof seen.beforeRequest) => void (seen.beforeRequest = fn),
      },
      setPermissionRequestHandler: (fn: typeof seen.permissionRequest) => void (seen.permissionRequest = fn),
      setPermissionCheckHandler: (fn: typeof seen.permissionCheck) => void (seen.permissionCheck = fn),
    },
  };
  const ipcMain = { handle: (channel: string, fn: (...args: unknown[]) => unknown) => void seen.ipc.set(channel, fn) };
  const ipcRenderer = {
    invoke: (channel: string, ...args: unknown[]) => {
      const h = seen.ipc.get(channel);
      if (!h) return Promise.reject(new Error(`no handler for ${channel}`));
      // Electron clones what crosses: so do we.
      return Promise.resolve(h({ senderFrame: { url: seen.senderUrl } }, ...structuredClone(args))).then((r) => structuredClone(r));
    },
  };
  const contextBridge = { exposeInMainWorld: (name: string, value: unknown) => void seen.exposed.set(name, value) };
  const Menu = { setApplicationMenu: () => undefined };
  const dialog = {
    showOpenDialog: (...args: unknown[]) => {
      seen.dialogs.push(args[args.length - 1]);
      return Promise.resolve(seen.dialogPath === null ? { canceled: true, filePaths: [] } : { canceled: false, filePaths: [seen.dialogPath] });
    },
  };
  const protocol = {
    registerSchemesAsPrivileged: (schemes: unknown[]) => void seen.privileged.push(...schemes),
    handle: (scheme: string, fn: (r: Request) => Promise<Response>) => void seen.protocols.set(scheme, fn),
  };
  return { app, BrowserWindow, session, ipcMain, ipcRenderer, contextBridge, Menu, protocol, dialog, default: {} };
});

let data: string;
let api: KysoApi;
const indexUrl = 'kyso://app/index.html';

beforeAll(async () => {
  data = makeTempDir('electron-shell');
  seen.paths.set('appData', data);
  seen.senderUrl = indexUrl;
  await import('../../src/main/electron/main.js');
  await new Promise((r) => setTimeout(r, 50)); // app.whenReady().then(...)
  await import('../../src/preload/preload.js');
  api = seen.exposed.get('kyso') as KysoApi;
});

afterAll(() => removeTempDir(data));

describe('the Electron main process', () => {
  test('one window: isolated, sandboxed, no Node, our preload, our page', () => {
    expect(seen.windows).toHaveLength(1);
    const prefs = seen.windows[0]!.options.webPreferences as Record<string, unknown>;
    expect(prefs).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false, webSecurity: true, webviewTag: false });
    expect(prefs.preload).toBe(join(repoRoot(), 'dist', 'preload', 'preload.cjs'));
    expect(seen.windows[0]!.loaded).toBe(indexUrl);
    expect(seen.paths.get('userData')).toBe(join(data, 'Kyso'));
  });

  test('date fields read day/month/year: the app runs in the vi-VN locale', () => {
    expect(seen.switches.get('lang')).toBe('vi-VN');
  });

  test('no navigation away, no new windows, no webviews, no permissions, no remote requests', () => {
    const handlers = new Map<string, Handler>();
    let openHandler: Handler | undefined;
    const contents = { on: (e: string, fn: Handler) => void handlers.set(e, fn), setWindowOpenHandler: (fn: Handler) => void (openHandler = fn) };
    seen.appEvents.get('web-contents-created')!({}, contents);
    const prevented = (event: string, url?: string) => {
      let p = false;
      handlers.get(event)!({ preventDefault: () => (p = true) }, url);
      return p;
    };
    expect(prevented('will-navigate', 'https://evil.example/')).toBe(true);
    expect(prevented('will-navigate', 'file:///etc/passwd')).toBe(true);
    expect(prevented('will-navigate', indexUrl)).toBe(false);
    expect(prevented('will-redirect', 'https://evil.example/')).toBe(true);
    expect(prevented('will-attach-webview')).toBe(true);
    expect(openHandler!({ url: 'https://evil.example/' })).toEqual({ action: 'deny' });
    let granted: boolean | undefined;
    seen.permissionRequest!({}, 'media', (ok) => (granted = ok));
    expect(granted).toBe(false);
    expect(seen.permissionCheck!()).toBe(false);
    const cancelled = (url: string) => {
      let c: boolean | undefined;
      seen.beforeRequest!({ url }, (r) => (c = r.cancel));
      return c;
    };
    expect(cancelled('https://evil.example/x.js')).toBe(true);
    expect(cancelled(indexUrl)).toBe(false);
    expect(cancelled('kyso://app/assets/pdf.worker.min.mjs')).toBe(false);
    expect(cancelled('file:///etc/passwd')).toBe(true);
    expect(cancelled(pathToFileURL(join(repoRoot(), 'dist', 'renderer', 'index.html')).href)).toBe(true);
    expect(cancelled('kyso://other/index.html')).toBe(true);
    expect(cancelled('data:image/png;base64,AAAA')).toBe(false);
  });
});

describe('the preload bridge over the one IPC channel', () => {
  test('exposes one object with every call of the contract, and nothing of Electron', async () => {
    expect([...seen.exposed.keys()]).toEqual(['kyso']);
    const { CALL_NAMES } = await import('../../src/shared/contract.js');
    for (const name of CALL_NAMES) {
      const [g, m] = name.split('.') as [keyof KysoApi, string];
      expect(typeof (api[g] as Record<string, unknown>)[m], name).toBe('function');
    }
    expect(Object.keys(api).sort()).toEqual([...new Set(CALL_NAMES.map((n) => n.split('.')[0]))].sort());
  });

  test('a call reaches the service table and answers a checked value', async () => {
    const r = await api.app.info({});
    expect(r).toEqual({ ok: true, value: { version: expect.any(String), transport: 'electron', dataDir: join(data, 'Kyso') } });
    const s = await api.settings.get({});
    expect(s.ok && s.value.language).toBe('vi');
  });

  test('errors cross as codes with details, never as thrown objects', async () => {
    const missing = (await api.documents.verify({ id: 'no-such-document' })) as Result<unknown>;
    expect(missing).toEqual({ ok: false, error: { code: 'DOCUMENT_NOT_FOUND', details: { id: 'no-such-document' } } });
    const bad = (await api.documents.sign({ id: 'x', role: 'king' as 'leader', token: { label: 'A' }, pin: '1' })) as Result<unknown>;
    expect(bad).toMatchObject({ ok: false, error: { code: 'API_INVALID_INPUT' } });
  });

  test('a frame that is not our page is refused', async () => {
    seen.senderUrl = 'https://evil.example/';
    try {
      expect(await api.app.info({})).toEqual({ ok: false, error: { code: 'API_FORBIDDEN', details: { reason: 'unknown sender' } } });
    } finally {
      seen.senderUrl = indexUrl;
    }
  });
});

describe('the renderer is served from kyso://app, not file://', () => {
  const get = (url: string) => seen.protocols.get('kyso')!(new Request(url));

  test('a privileged scheme of our own, answering dist/renderer with the CSP', async () => {
    expect(seen.privileged).toEqual([{ scheme: 'kyso', privileges: { standard: true, secure: true, supportFetchAPI: true } }]);
    const index = await get('kyso://app/index.html');
    expect(index.status).toBe(200);
    expect(index.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const { CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY_META } = await import('../../src/main/web/csp.js');
    expect(index.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
    const html = await index.text();
    expect(html).toContain(`content="${CONTENT_SECURITY_POLICY_META}"`);
    expect(html).toBe(readFileSync(join(repoRoot(), 'dist', 'renderer', 'index.html'), 'utf8'));
    const script = /src="\.\/(assets\/[^"]+\.js)"/.exec(html)![1]!;
    const js = await get(`kyso://app/${script}`);
    expect(js.status).toBe(200);
    expect(js.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
  });

  test('nothing outside dist/renderer, nothing from another host', async () => {
    expect((await get('kyso://app/%2e%2e/%2e%2e/package.json')).status).toBe(404);
    expect((await get('kyso://app/..%2f..%2fpackage.json')).status).toBe(404);
    expect((await get('kyso://app/no-such-file.js')).status).toBe(404);
    expect((await get('kyso://elsewhere/index.html')).status).toBe(404);
  });
});

describe('files by reference: the main process\'s dialog in, kyso://app/files/<sha256> with ranges out', () => {
  const get = (url: string, headers: Record<string, string> = {}) => seen.protocols.get('kyso')!(new Request(url, { headers }));
  let pdf: Buffer;
  let doc: { sha256: string; size: number };

  beforeAll(async () => {
    pdf = await makeNd30Pdf();
    writeFileSync(join(data, 'Quyết định.pdf'), pdf);
  });

  test('files.pick: the main process reads the path its own dialog gave, and answers only a reference', async () => {
    seen.dialogPath = null;
    expect(await api.files.pick({ kind: 'pdf' })).toEqual({ ok: true, value: null });
    expect(seen.dialogs.at(-1)).toMatchObject({ properties: ['openFile'], filters: [{ extensions: ['pdf'] }] });
    seen.dialogPath = join(data, 'Quyết định.pdf');
    const picked = await api.files.pick({ kind: 'pdf' });
    const sha256 = createHash('sha256').update(pdf).digest('hex');
    expect(picked).toEqual({ ok: true, value: { name: 'Quyết định.pdf', sha256, size: pdf.length } });
    // What crossed the channel is a reference: a few dozen bytes, not the file.
    expect(JSON.stringify(picked).length).toBeLessThan(200);
    const imported = await api.documents.import({ file: { name: 'Quyết định.pdf', sha256 }, title: 'Quyết định', method: 1, urgency: 'normal' });
    if (!imported.ok) throw new Error(JSON.stringify(imported));
    doc = imported.value;
    expect(doc).toMatchObject({ sha256, size: pdf.length });
  });

  test('the page reads the stored file at kyso://app/files/<sha256>: whole, or by range (206, 416)', async () => {
    const whole = await get(`kyso://app/files/${doc.sha256}`);
    expect(whole.status).toBe(200);
    expect(whole.headers.get('accept-ranges')).toBe('bytes');
    expect(Buffer.from(await whole.arrayBuffer()).equals(pdf)).toBe(true);
    const part = await get(`kyso://app/files/${doc.sha256}`, { Range: 'bytes=100-199' });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe(`bytes 100-199/${pdf.length}`);
    expect(Buffer.from(await part.arrayBuffer()).equals(pdf.subarray(100, 200))).toBe(true);
    const tail = await get(`kyso://app/files/${doc.sha256}`, { Range: 'bytes=-10' });
    expect(tail.status).toBe(206);
    expect(Buffer.from(await tail.arrayBuffer()).equals(pdf.subarray(pdf.length - 10))).toBe(true);
    const past = await get(`kyso://app/files/${doc.sha256}`, { Range: `bytes=${pdf.length}-` });
    expect(past.status).toBe(416);
    expect(past.headers.get('content-range')).toBe(`bytes */${pdf.length}`);
    const saved = await get(`kyso://app/files/${doc.sha256}?download=${encodeURIComponent('QĐ.pdf')}`);
    expect(saved.headers.get('content-disposition')).toContain(`filename*=UTF-8''${encodeURIComponent('QĐ.pdf')}`);
    await saved.arrayBuffer();
    // The page tree's chunks in one answer (what pdf.js walks before the first page).
    const tree = await get(`kyso://app/files/${doc.sha256}/page-tree?chunk=1024`);
    expect(tree.status).toBe(200);
    const body = Buffer.from(await tree.arrayBuffer());
    expect(body.readUInt32BE(0)).toBeGreaterThan(0);
    expect(Number(tree.headers.get('content-length'))).toBe(body.length);
    expect((await get(`kyso://app/files/${'0'.repeat(64)}`)).status).toBe(404);
    expect((await get(`kyso://other/files/${doc.sha256}`)).status).toBe(404);
  });
});

describe('npm start', () => {
  const viteNode = join(repoRoot(), 'node_modules', '.bin', 'vite-node');
  const launch = join(repoRoot(), 'src', 'main', 'electron', 'launch.ts');

  test('without the Electron binary: one line that points to npm run web, and a failure exit', () => {
    const env = { ...process.env };
    delete env.ELECTRON_OVERRIDE_DIST_PATH;
    const r = spawnSync(viteNode, [launch], { encoding: 'utf8', env, cwd: repoRoot() });
    expect(r.status).toBe(1);
    const lines = r.stderr.split('\n').filter((l) => l.trim() && !/npm warn/.test(l));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('npm run web');
    expect(lines[0]).toContain('Electron');
  });

  test('with a binary: it starts it on the built main process and passes its exit code on', () => {
    const dist = makeTempDir('fake-electron');
    try {
      const bin = join(dist, 'electron');
      writeFileSync(bin, `#!/bin/sh\necho "started: $*"\nexit 7\n`);
      chmodSync(bin, 0o755);
      const r = spawnSync(viteNode, [launch], { encoding: 'utf8', env: { ...process.env, ELECTRON_OVERRIDE_DIST_PATH: dist }, cwd: repoRoot() });
      expect(r.stdout).toContain(`started: ${join(repoRoot(), 'src', 'main', 'electron', 'main.js')}`);
      expect(r.status).toBe(7);
    } finally {
      removeTempDir(dist);
    }
  });
});

describe('the desk behind the window', () => {
  test('is the SQLite store of the data folder (the one `kyso --data` opens), closed when the app quits', async () => {
    // The document imported through the dialog above, and nothing else.
    expect(await api.documents.list({})).toMatchObject({ ok: true, value: [{ title: 'Quyết định', method: 1 }] });
    expect(existsSync(join(data, 'Kyso', 'kyso.db'))).toBe(true);
    seen.appEvents.get('will-quit')!();
    expect(await api.documents.list({})).toMatchObject({ ok: false, error: { code: 'STORE_OPEN_FAILED' } });
  });
});
