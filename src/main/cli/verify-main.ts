// `kyso verify` on its own: the entry of dist/kyso-verify.cjs, the bundle bin/kyso.cjs loads for
// this command. It holds only what verification needs (no token driver, no appearance, no schema
// library), so a verification does not spend its start evaluating the rest of the command line.
import { trace } from '../util/trace.js';
import { runCommand, type HeadStart } from './run.js';
import { verifyCommand } from './verify.js';

/** Same contract as main() in ./main.ts, for argv[0] === 'verify'. */
export async function main(argv: string[], headStart: HeadStart = {}): Promise<number> {
  trace('cli: main (verify)');
  return runCommand(() => verifyCommand(argv.slice(1), headStart.rangeHasher));
}
