// `npm start`: launches the desktop app on the built files. Runs in plain Node, where the
// 'electron' package only names the Electron binary it downloaded at install time; where that
// download was skipped or failed (no network, ELECTRON_SKIP_BINARY_DOWNLOAD), it says so in one
// line and points to the web mode, which serves the same screens and engine in a browser.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const main = join(here, 'main.js');

function electronBinary(): string | undefined {
  try {
    const path = createRequire(import.meta.url)('electron') as unknown;
    return typeof path === 'string' && existsSync(path) ? path : undefined;
  } catch {
    return undefined;
  }
}

const binary = electronBinary();
if (!binary) {
  process.stderr.write(
    'Lỗi: không có chương trình Electron trên máy này (chưa tải được khi cài đặt); dùng "npm run web" để mở Kyso trong trình duyệt. | ' +
      'Error: the Electron binary is missing on this machine (it could not be downloaded at install time); use "npm run web" to open Kyso in a browser.\n',
  );
  process.exit(1);
}
const child = spawn(binary, [main, ...process.argv.slice(2)], { stdio: 'inherit' });
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
for (const sig of ['SIGINT', 'SIGTERM'] as const) process.on(sig, () => child.kill(sig));
