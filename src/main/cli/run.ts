// How every `kyso` command ends: its exit code, or its error as one line on stderr
// (Vietnamese | English) and exit 1, or 2 for a command written wrongly.
import { errorLine, toKysoError } from '../../shared/errors.js';
import type { RangeHasher } from '../verify/hash-worker.js';

export const EXIT = { OK: 0, FAILED: 1, USAGE: 2 } as const;

/** Work bin/kyso.cjs started before it loaded the command line (see ./verify-early.ts). */
export interface HeadStart {
  rangeHasher?: RangeHasher;
}

/** Runs a command; a thrown error becomes its line on stderr and the exit code. */
export async function runCommand(command: () => Promise<number>): Promise<number> {
  try {
    return await command();
  } catch (e) {
    const err = toKysoError(e);
    process.stderr.write(errorLine(err.code, err.details) + '\n');
    if (process.env.KYSO_DEBUG && err.cause) process.stderr.write(String((err.cause as Error).stack ?? err.cause) + '\n');
    return err.code === 'USAGE' ? EXIT.USAGE : EXIT.FAILED;
  }
}
