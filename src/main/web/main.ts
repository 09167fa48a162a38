// `npm run web`: the app in a browser, for machines where Electron cannot run. Starts the loopback
// server over the data folder and prints the one line to open:
//   Kyso web: http://127.0.0.1:PORT/?key=SECRET
// Options: --port N (0 = any free port; default 0), --data DIR (default $KYSO_DATA or
// ~/.local/share/kyso: the command line's default, so `kyso doc list` sees the same desk).
// SIGINT and SIGTERM stop it cleanly: the requests under way finish, then the store is closed.
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { errorLine, KysoError, toKysoError } from '../../shared/errors.js';
import { createApp } from '../api/services.js';
import { defaultDataDir } from '../store/store.js';
import { packageRoot } from '../token/drivers.js';
import { finalizeAll } from '../token/index.js';
import { startWebServer } from './server.js';

interface Args {
  port: number;
  data: string;
}

function parseArgs(argv: string[]): Args {
  let port = 0;
  let data = defaultDataDir();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === '--port') {
      port = Number(value());
      if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error('--port needs a number from 0 to 65535');
    } else if (a === '--data') data = resolve(value());
    else throw new Error(`unknown option ${a}`);
  }
  return { port, data };
}

async function main(): Promise<void> {
  let args: Args;
  try {
    args = parseArgs(process.argv.slice(2));
  } catch (e) {
    process.stderr.write(`${errorLine('USAGE', { reason: (e as Error).message })}\nUsage: npm run web -- [--port N] [--data DIR]\n`);
    process.exit(2);
  }
  const root = packageRoot();
  const version = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version;
  const { dispatch, services } = createApp({ dataDir: args.data, transport: 'web', version }, (name, err) => {
    process.stderr.write(`[kyso] ${name}: ${err.code}\n`);
  });
  const staticDir = join(root, 'dist', 'renderer');
  if (!existsSync(join(staticDir, 'index.html'))) throw new KysoError('ASSET_MISSING', { path: join(staticDir, 'index.html') });
  const server = await startWebServer({ dispatch, staticDir, port: args.port, files: services.files }).catch((e: unknown) => {
    if ((e as NodeJS.ErrnoException).code === 'EADDRINUSE')
      throw new KysoError('USAGE', { reason: `port ${args.port} is already in use: choose another with --port N, or --port 0 for any free port` });
    throw e;
  });
  process.stdout.write(`Kyso web: ${server.url}\n`);
  // The signing service runs with the app when Settings say so (a failure shows in Settings).
  await services.signingService.resume();
  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    // A browser that keeps its connection open does not hold the shutdown for long.
    const grace = new Promise<void>((r) => setTimeout(r, 5000).unref());
    void Promise.race([server.close(), grace]).finally(() => {
      try {
        services.close();
      } finally {
        finalizeAll();
        process.exit(0);
      }
    });
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((e) => {
  const err = toKysoError(e);
  process.stderr.write(errorLine(err.code, err.details) + '\n');
  process.exit(1);
});
