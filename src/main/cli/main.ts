// The `kyso` command line: a contract other parts, scripts and checks rely on.
// Exit codes: 0 done; 1 the operation failed (one clear line on stderr, Vietnamese | English);
// 2 the command was written wrongly. Commands that check documents add their own codes (see help).
import { errorLine } from '../../shared/errors.js';
import { COMMANDS, HELP } from './commands.js';
import { trace } from '../util/trace.js';
import { EXIT, runCommand, type HeadStart } from './run.js';
import { verifyCommand } from './verify.js';

export { EXIT, type HeadStart };

export async function main(argv: string[], headStart: HeadStart = {}): Promise<number> {
  trace('cli: main');
  const [first, ...rest] = argv;
  if (first === undefined || first === '--help' || first === '-h' || first === 'help') {
    process.stdout.write(HELP);
    return first === undefined ? EXIT.USAGE : EXIT.OK;
  }
  if (first === '--version' || first === '-v') {
    process.stdout.write('kyso 0.1.0\n');
    return EXIT.OK;
  }
  // Commands of one or two words ("sign", "token list").
  const two = rest[0] !== undefined ? `${first} ${rest[0]}` : undefined;
  const cmd = (two && COMMANDS[two]) || COMMANDS[first];
  const args = two && COMMANDS[two] ? rest.slice(1) : rest;
  if (!cmd) {
    process.stderr.write(errorLine('USAGE', { reason: `unknown command "${argv.join(' ')}"` }) + '\n');
    return EXIT.USAGE;
  }
  return runCommand(() => (cmd === verifyCommand ? verifyCommand(args, headStart.rangeHasher) : cmd(args)));
}
