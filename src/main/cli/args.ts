// Small helpers for the command line: option parsing with USAGE errors, PIN from the environment.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { KysoError } from '../../shared/errors.js';

export type Options = NonNullable<ParseArgsConfig['options']>;

export interface Parsed {
  values: Record<string, string | boolean | string[] | undefined>;
  positionals: string[];
}

export function parse(argv: string[], options: Options): Parsed {
  try {
    const r = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
    return { values: r.values as Parsed['values'], positionals: r.positionals };
  } catch (e) {
    throw new KysoError('USAGE', { reason: (e as Error).message });
  }
}

export function str(p: Parsed, key: string): string | undefined {
  const v = p.values[key];
  return typeof v === 'string' ? v : undefined;
}

export function required(p: Parsed, key: string): string {
  const v = str(p, key);
  if (v === undefined || v === '') throw new KysoError('USAGE', { reason: `--${key} is required` });
  return v;
}

export function int(p: Parsed, key: string): number | undefined {
  const v = str(p, key);
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n)) throw new KysoError('USAGE', { reason: `--${key} must be a whole number` });
  return n;
}

/** "x,y,w,h" in points. */
export function rect(p: Parsed, key: string): [number, number, number, number] | undefined {
  const v = str(p, key);
  if (v === undefined) return undefined;
  const parts = v.split(',').map((s) => Number(s.trim()));
  if (parts.length !== 4 || !parts.every(Number.isFinite) || parts[2]! <= 0 || parts[3]! <= 0)
    throw new KysoError('USAGE', { reason: `--${key} must be x,y,width,height in points, e.g. 300,100,180,80` });
  return parts as [number, number, number, number];
}

/**
 * The PIN is read from the environment variable the user names, never from the command line
 * (where any user of the machine could read it in the process list).
 */
export function pinFromEnv(p: Parsed, key = 'pin-env'): string {
  const name = required(p, key);
  const pin = process.env[name];
  if (pin === undefined || pin === '') throw new KysoError('TOKEN_PIN_MISSING', { variable: name });
  return pin;
}

/** A repeatable option's values. */
export function list(p: Parsed, key: string): string[] {
  const v = p.values[key];
  return Array.isArray(v) ? v : typeof v === 'string' ? [v] : [];
}
