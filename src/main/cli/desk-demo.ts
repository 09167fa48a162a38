// `kyso demo [--dir DIR] [--json]`: the three signing methods end to end on throw-away tokens.
import { resolve } from 'node:path';
import { runDemo } from '../demo/demo.js';
import { parse, str } from './args.js';
import type { Command } from './desk.js';

export const demo: Command = async (argv) => {
  const p = parse(argv, { dir: { type: 'string' }, json: { type: 'boolean' } });
  const dir = str(p, 'dir');
  const asJson = p.values.json === true;
  const r = await runDemo({ dir: dir ? resolve(dir) : undefined, log: asJson ? () => undefined : undefined });
  if (asJson) process.stdout.write(JSON.stringify(r) + '\n');
  return r.ok ? 0 : 1;
};
