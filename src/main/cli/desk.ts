// `kyso doc|inbox|outbox|archive|audit|demo …`: the clerk's desk on the command line, over the
// same workflow service as the screens. Each command opens the data folder (--data DIR, or
// $KYSO_DATA, or ~/.local/share/kyso), does one thing, and with --json prints one JSON object.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { KysoError } from '../../shared/errors.js';
import { defaultDataDir } from '../store/store.js';
import { catalogueCertificates } from '../trust/catalogue.js';
import type { SignerWarning } from '../trust/signer-check.js';
import { loadTrustStore, type TrustStore } from '../verify/chain.js';
import { WorkflowService } from '../workflow/service.js';
import { list, parse, str, type Options, type Parsed } from './args.js';
import { trustFiles } from './verify.js';

export type Command = (argv: string[]) => Promise<number>;

/** Set by the leading `kyso --data DIR …` form. */
let dataFromPrefix: string | undefined;

/** Options every desk command takes. */
export const COMMON: Options = {
  data: { type: 'string' },
  json: { type: 'boolean' },
  trust: { type: 'string', multiple: true },
  crl: { type: 'string', multiple: true },
  online: { type: 'boolean' },
  /** The TSA that seals archived files (else KYSO_TSA_URL, else the settings' tsaUrl). */
  tsa: { type: 'string' },
};

export function parseDesk(argv: string[], options: Options): Parsed {
  return parse(argv, { ...COMMON, ...options });
}

export function dataDir(p: Parsed): string {
  const given = str(p, 'data') ?? dataFromPrefix;
  return given ? resolve(given) : defaultDataDir();
}

function derFiles(dir: string): Buffer[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .sort()
    .map((f) => join(dir, f))
    .filter((f) => statSync(f).isFile())
    .map((f) => readFileSync(f));
}

function crlFile(path: string): Buffer[] {
  if (!existsSync(path)) throw new KysoError('FILE_NOT_FOUND', { path });
  const raw = readFileSync(path);
  const text = raw.toString('latin1');
  if (!text.includes('-----BEGIN')) return [raw];
  return [...text.matchAll(/-----BEGIN [^-]+-----([\s\S]*?)-----END [^-]+-----/g)].map((m) => Buffer.from(m[1]!.replace(/\s+/g, ''), 'base64'));
}

/** The trusted roots and revocation lists a desk command judges certificates with (see openDesk). */
export function deskTrustSources(p: Parsed): { dir: string; trust: () => TrustStore; crls: Buffer[] } {
  const dir = dataDir(p);
  const pems = [...trustFiles(list(p, 'trust'))];
  const dataTrust = join(dir, 'trust');
  if (existsSync(dataTrust)) for (const f of readdirSync(dataTrust).sort()) if (/\.(pem|crt|cer)$/i.test(f)) pems.push(join(dataTrust, f));
  const crls = [...list(p, 'crl').flatMap((f) => crlFile(resolve(f))), ...derFiles(join(dir, 'crl'))];
  return {
    dir,
    trust: () => {
      const store = loadTrustStore(pems);
      return { anchors: [...store.anchors, ...catalogueCertificates().anchors] };
    },
    crls,
  };
}

/**
 * Opens the desk of the data folder. Trusted roots: --trust, KYSO_TRUST, ~/.config/kyso/trust,
 * DATA/trust (what the app's settings keep) and the CA catalogue's accepted roots; revocation
 * lists: --crl and DATA/crl; intermediates for completing signers' chains: DATA/certs.
 */
export function openDesk(p: Parsed): WorkflowService {
  const { dir, trust, crls } = deskTrustSources(p);
  return WorkflowService.open({
    dataDir: dir,
    trust,
    crls: () => crls,
    online: p.values.online === true,
    cacheDir: join(dir, 'cache', 'revocation'),
    onSignerWarnings: (warnings) => signerWarnings.push(...warnings),
    tsaUrl: () => {
      const url = str(p, 'tsa') ?? process.env.KYSO_TSA_URL ?? settingsTsa(dir);
      if (url && !/^https?:\/\//i.test(url)) throw new KysoError('USAGE', { reason: '--tsa must be an http(s) address' });
      return url;
    },
  });
}

/** The TSA address kept in DATA/settings.json (the app's settings), if any. */
function settingsTsa(dir: string): string | undefined {
  try {
    const v = (JSON.parse(readFileSync(join(dir, 'settings.json'), 'utf8')) as { tsaUrl?: unknown }).tsaUrl;
    return typeof v === 'string' && v ? v : undefined;
  } catch {
    return undefined;
  }
}

/** Warnings of the signer's certificate check, printed once the command has succeeded (a failure prints its one error line). */
const signerWarnings: SignerWarning[] = [];

/** Runs fn with the desk open, closing it whatever happens. */
export async function withDesk<T>(p: Parsed, fn: (desk: WorkflowService) => Promise<T> | T): Promise<T> {
  const desk = openDesk(p);
  signerWarnings.length = 0;
  try {
    const r = await fn(desk);
    for (const w of signerWarnings) process.stderr.write(`Cảnh báo [${w.code}]: ${w.vi} | Warning: ${w.en}\n`);
    return r;
  } finally {
    signerWarnings.length = 0;
    desk.close();
  }
}

export function out(line: string): void {
  process.stdout.write(line.endsWith('\n') ? line : line + '\n');
}

export function json(p: Parsed, value: unknown): boolean {
  if (p.values.json !== true) return false;
  process.stdout.write(JSON.stringify(value) + '\n');
  return true;
}

export function one(p: Parsed, what: string): string {
  if (p.positionals.length !== 1) throw new KysoError('USAGE', { reason: `give exactly one ${what}` });
  return p.positionals[0]!;
}

/** The leading form `kyso --data DIR <desk command> …`. */
export function withDataPrefix(table: () => Record<string, Command>): Command {
  return async (argv) => {
    const [dir, first, second, ...rest] = argv;
    if (!dir || dir.startsWith('-')) throw new KysoError('USAGE', { reason: '--data needs a folder' });
    if (!first) throw new KysoError('USAGE', { reason: 'give a command after --data DIR' });
    const commands = table();
    const two = second !== undefined ? `${first} ${second}` : undefined;
    const cmd = (two && commands[two]) || commands[first];
    if (!cmd) throw new KysoError('USAGE', { reason: `unknown command "${[first, second].filter(Boolean).join(' ')}" after --data` });
    dataFromPrefix = dir;
    try {
      return await cmd(two && commands[two] ? rest : [second!, ...rest].filter((x) => x !== undefined));
    } finally {
      dataFromPrefix = undefined;
    }
  };
}
