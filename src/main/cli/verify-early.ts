// What `kyso verify` starts before the rest of the command line is even loaded: the hashing of the
// file on a worker thread (see ../verify/hash-worker.ts). bin/kyso.cjs loads this module alone
// (bundled as dist/kyso-early.cjs, which is also the worker's script) and starts the worker first
// of all; the worker itself reads the arguments, so the main thread spends ~8 ms on it. It is only
// a head start: when anything here goes wrong, verify hashes on its own thread.
import { resolve } from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import { serveRangeHashes, startRangeHasher, type RangeHasher } from '../verify/hash-worker.js';

/** The options of `kyso verify`, shared with the command itself (./verify.ts). */
export const VERIFY_OPTIONS = {
  trust: { type: 'string', multiple: true },
  crl: { type: 'string', multiple: true },
  ocsp: { type: 'string', multiple: true },
  cert: { type: 'string', multiple: true },
  offline: { type: 'boolean' },
  json: { type: 'boolean' },
  /** Validate at this time (past signature validation), not now. */
  at: { type: 'string' },
} as const satisfies NonNullable<ParseArgsConfig['options']>;

/** The absolute path of the file `kyso verify ARGS` will verify, or undefined when the arguments are wrong. */
export function verifyTarget(args: string[]): string | undefined {
  try {
    const r = parseArgs({ args, options: VERIFY_OPTIONS, allowPositionals: true, strict: true });
    return r.positionals.length === 1 ? resolve(r.positionals[0]!) : undefined;
  } catch {
    return undefined;
  }
}

interface EarlyData {
  /** The arguments after "verify"; origin: the main thread's performance.timeOrigin. */
  kysoVerifyEarly: { args: string[]; origin: number };
}

/** Head start for `kyso ARGV` (the launcher's side): a hasher when the command is `verify`. */
export function startEarly(argv: string[], script: string): RangeHasher | undefined {
  if (argv[0] !== 'verify') return undefined;
  return startRangeHasher(script, { kysoVerifyEarly: { args: argv.slice(1), origin: performance.timeOrigin } } satisfies EarlyData);
}

// The worker's side: this file is its script.
if (!isMainThread && parentPort && (workerData as Partial<EarlyData> | null)?.kysoVerifyEarly) {
  const { args, origin } = (workerData as EarlyData).kysoVerifyEarly;
  serveRangeHashes(verifyTarget(args), parentPort, origin);
}
