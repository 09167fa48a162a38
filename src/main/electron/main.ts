// The desktop shell: one window over the built renderer, and the only module that imports
// 'electron'. The window is isolated (contextIsolation, sandbox, no Node), loads its page from a
// scheme of its own with a strict Content-Security-Policy (header and <meta>), may not navigate,
// open windows, attach webviews, ask for permissions or reach the network,
// and reaches the engine through exactly one IPC channel that dispatches into the same service
// table as the web mode. Errors cross that channel as { code, details }, never as thrown objects.
// Files never cross the channel: the main process opens what the user chose in its own dialog
// (streamed into the uploads, named by SHA-256), and the page reads stored files at
// kyso://app/files/<sha256> with HTTP ranges.
import { app, BrowserWindow, dialog, ipcMain, Menu, protocol, session, type WebContents } from 'electron';
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { IPC_CHANNEL, type FileKind } from '../../shared/contract.js';
import { createApp, type FileAccess } from '../api/services.js';
import { finalizeAll } from '../token/index.js';
import { packageRoot } from '../token/drivers.js';
import { CONTENT_SECURITY_POLICY } from '../web/csp.js';
import { contentType, staticFile } from '../web/static.js';
import { isStoredFilePath, serveStoredFile } from './stored-files.js';

// Everything by the package root: the same layout in the working tree and in the packaged app.
const root = packageRoot();
const rendererDir = join(root, 'dist', 'renderer');
const preload = join(root, 'dist', 'preload', 'preload.cjs');

// The renderer is served from a scheme of our own, not file:// (which would give the page the
// whole disk as its origin, and no CORS for its module scripts): kyso://app/ maps to dist/renderer.
export const SCHEME = 'kyso';
export const ORIGIN = `${SCHEME}://app`;
const indexUrl = `${ORIGIN}/index.html`;
protocol.registerSchemesAsPrivileged([{ scheme: SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } }]);

/** What the page is offered in the file dialog, per kind of file. */
const DIALOG_FILTERS: Record<FileKind, { name: string; extensions: string[] }> = {
  pdf: { name: 'PDF', extensions: ['pdf'] },
  png: { name: 'PNG', extensions: ['png'] },
  certificate: { name: 'Chứng thư số / Certificate', extensions: ['pem', 'crt', 'cer', 'der'] },
  crl: { name: 'CRL', extensions: ['crl', 'pem', 'der'] },
};

/** The main process's own dialog: a path the user chose, or null. */
async function pickFile(kind: FileKind): Promise<string | null> {
  const win = BrowserWindow.getFocusedWindow() ?? BrowserWindow.getAllWindows()[0];
  const options = { properties: ['openFile' as const], filters: [DIALOG_FILTERS[kind]] };
  const r = win ? await dialog.showOpenDialog(win, options) : await dialog.showOpenDialog(options);
  return r.canceled ? null : (r.filePaths[0] ?? null);
}

/**
 * Answers kyso://app/<path>: a stored file by its SHA-256 (with ranges) when `files` is given,
 * else the file under dist/renderer, and nothing outside it.
 */
export async function serveRenderer(request: Request, files?: FileAccess): Promise<Response> {
  const url = new URL(request.url);
  const notFound = () => new Response('Not found', { status: 404, headers: { 'Content-Type': 'text/plain' } });
  if (`${url.protocol}//${url.host}` !== ORIGIN) return notFound();
  if (files && isStoredFilePath(url.pathname)) return serveStoredFile(request, files);
  if (request.method !== 'GET') return notFound();
  const file = staticFile(rendererDir, url.pathname);
  if (!file) return notFound();
  try {
    const body = await readFile(file);
    return new Response(new Uint8Array(body), {
      status: 200,
      headers: { 'Content-Type': contentType(file), 'Content-Security-Policy': CONTENT_SECURITY_POLICY, 'X-Content-Type-Options': 'nosniff' },
    });
  } catch {
    return notFound();
  }
}

// Started as `electron dist/main/electron/main.js` (npm start) or packaged: the same name and
// data folder either way (~/.config/Kyso, %APPDATA%\Kyso).
app.setName('Kyso');
app.setPath('userData', join(app.getPath('appData'), 'Kyso'));
// One Kyso per user: two would share the data folder and the tokens.
if (!app.requestSingleInstanceLock()) app.exit(0);

/** Our page and nothing else: the renderer's own file, without query or fragment. */
function isOurPage(url: string | undefined): boolean {
  return !!url && url.split(/[?#]/)[0] === indexUrl;
}

/** Every web contents, present or future: no navigation away, no windows, no webviews. */
function lockDown(contents: WebContents): void {
  contents.on('will-navigate', (e, url) => {
    if (!isOurPage(url)) e.preventDefault();
  });
  contents.on('will-redirect', (e, url) => {
    if (!isOurPage(url)) e.preventDefault();
  });
  contents.on('will-attach-webview', (e) => e.preventDefault());
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
}

function createWindow(): BrowserWindow {
  const win = new BrowserWindow({
    width: 1360,
    height: 880,
    minWidth: 1100,
    minHeight: 700,
    title: 'Kyso — Ký số văn bản',
    backgroundColor: '#f3f4f6',
    show: false,
    webPreferences: {
      preload,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      navigateOnDragDrop: false,
      spellcheck: false,
    },
  });
  win.once('ready-to-show', () => win.show());
  void win.loadURL(indexUrl);
  return win;
}

// Dates in the window's date fields read day/month/year (12/04/2026 is 12 April for a Vietnamese
// reader), whatever the machine's own language: Chromium formats <input type=date> by the app's locale.
app.commandLine.appendSwitch('lang', 'vi-VN');

app.on('web-contents-created', (_e, contents) => lockDown(contents));

/** The running app's services, closed when the app quits (the store's last writes reach the disk). */
let services: ReturnType<typeof createApp>['services'] | undefined;

void app.whenReady().then(() => {
  const version = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version;
  // KYSO_DATA names a data folder shared with the command line (`kyso doc list` reads the same desk).
  const dataDir = process.env.KYSO_DATA ? resolve(process.env.KYSO_DATA) : app.getPath('userData');
  const created = createApp({ dataDir, transport: 'electron', version, pickFile }, (name, err) => {
    // The call's name and the code only: inputs may hold a PIN.
    process.stderr.write(`[kyso] ${name}: ${err.code}\n`);
  });
  services = created.services;
  const dispatch = created.dispatch;

  const files = created.services.files;
  protocol.handle(SCHEME, (request) => serveRenderer(request, files));
  session.defaultSession.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
  session.defaultSession.setPermissionCheckHandler(() => false);
  // Nothing but the renderer's own files, and the data: and blob: URLs it makes (images, pdf.js,
  // saving a file): no network, no other file of the disk.
  session.defaultSession.webRequest.onBeforeRequest((details, callback) => {
    const u = details.url;
    const ok = u.startsWith(`${ORIGIN}/`) || u.startsWith('data:') || u.startsWith('blob:') || u.startsWith('devtools:');
    callback({ cancel: !ok });
  });

  ipcMain.handle(IPC_CHANNEL, async (event, name: unknown, input: unknown) => {
    // Only our own page may call the engine (not a frame that got in somehow).
    if (!isOurPage(event.senderFrame?.url)) return { ok: false, error: { code: 'API_FORBIDDEN', details: { reason: 'unknown sender' } } };
    if (typeof name !== 'string') return { ok: false, error: { code: 'API_UNKNOWN_CALL', details: { name: String(name) } } };
    return dispatch(name, input);
  });

  if (process.platform !== 'darwin') Menu.setApplicationMenu(null);
  createWindow();
  // The signing service (when enabled in Settings): a page waiting for the user brings the window forward.
  created.services.signingService.onAttention = () => {
    const win = BrowserWindow.getAllWindows()[0];
    if (!win) return;
    if (win.isMinimized()) win.restore();
    win.show();
    win.focus();
    win.flashFrame(true);
  };
  void created.services.signingService.resume();
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) createWindow();
  });
});

app.on('second-instance', () => {
  const win = BrowserWindow.getAllWindows()[0];
  if (win) {
    if (win.isMinimized()) win.restore();
    win.focus();
  }
});

app.on('window-all-closed', () => {
  if (process.platform !== 'darwin') app.quit();
});
app.on('will-quit', () => {
  try {
    services?.close();
  } finally {
    finalizeAll();
  }
});
