// `kyso verify`: one report per file, for a person or (--json) for a program.
// Exit 0: every signature passed; 1: one failed (or none is there); 3: none failed and one is
// indeterminate; 2: wrong usage, or the file cannot be read as a PDF.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join, resolve } from 'node:path';
import { errorLine, KysoError, toKysoError } from '../../shared/errors.js';
import { catalogueCertificates } from '../trust/catalogue.js';
import { loadTrustStore, type TrustStore } from '../verify/chain.js';
import type { RangeHasher } from '../verify/hash-worker.js';
import { verifyPdf, type FileReport } from '../verify/verify.js';
import { list, parse } from './args.js';
import { VERIFY_OPTIONS } from './verify-early.js';

function configDir(): string {
  return process.env.XDG_CONFIG_HOME ? join(process.env.XDG_CONFIG_HOME, 'kyso') : join(homedir(), '.config', 'kyso');
}

export function cacheDir(): string {
  return process.env.XDG_CACHE_HOME ? join(process.env.XDG_CACHE_HOME, 'kyso', 'revocation') : join(homedir(), '.cache', 'kyso', 'revocation');
}

/** PEM files given, plus KYSO_TRUST (files or folders), plus the configured folder. */
export function trustFiles(given: string[]): string[] {
  const out: string[] = [];
  const add = (p: string): void => {
    if (!existsSync(p)) {
      if (given.includes(p)) throw new KysoError('FILE_NOT_FOUND', { path: p });
      return;
    }
    if (statSync(p).isDirectory()) {
      for (const f of readdirSync(p).sort()) if (/\.(pem|crt|cer)$/i.test(f)) out.push(join(p, f));
    } else {
      out.push(p);
    }
  };
  for (const g of given) add(resolve(g));
  for (const e of (process.env.KYSO_TRUST ?? '').split(delimiter).filter(Boolean)) add(resolve(e));
  add(join(configDir(), 'trust'));
  return out;
}

/**
 * The trusted roots of the command line (--trust, KYSO_TRUST, ~/.config/kyso/trust) plus the CA
 * catalogue's accepted roots; `intermediates`: the catalogue's accepted sub-CAs.
 */
export function commandTrust(given: string[]): { trust: TrustStore; intermediates: Buffer[] } {
  const store = loadTrustStore(trustFiles(given));
  const catalogue = catalogueCertificates();
  return { trust: { anchors: [...store.anchors, ...catalogue.anchors] }, intermediates: catalogue.intermediates };
}

/** DER of a CRL or certificate file, PEM or DER. */
export function readDerOrPem(path: string): Buffer[] {
  if (!existsSync(path)) throw new KysoError('FILE_NOT_FOUND', { path });
  const raw = readFileSync(path);
  const text = raw.toString('latin1');
  if (!text.includes('-----BEGIN')) return [raw];
  return [...text.matchAll(/-----BEGIN [^-]+-----([\s\S]*?)-----END [^-]+-----/g)].map((m) => Buffer.from(m[1]!.replace(/\s+/g, ''), 'base64'));
}

function human(r: FileReport): string {
  const lines = [`${r.file}`, `  ${r.messages.vi}`, `  ${r.messages.en}`];
  for (const s of r.signatures) {
    lines.push('');
    lines.push(`  [${s.index}] ${s.indication}${s.subIndication ? ' / ' + s.subIndication : ''} — trường | field "${s.field}", ${s.subFilter}`);
    lines.push(`      ${s.messages.vi}`);
    lines.push(`      ${s.messages.en}`);
    lines.push(
      `      toàn vẹn | integrity: ${s.integrity}; chuỗi | chain: ${s.chain}; chứng thư | certificate: ${s.certificate}; ` +
        `thay đổi sau ký | changes after: ${s.modificationsAfter}; phủ toàn văn bản | covers whole document: ${s.coversWholeDocument ? 'có | yes' : 'không | no'}`,
    );
    if (s.signer) lines.push(`      ${s.signer.subject} — cấp bởi | issued by ${s.signer.issuer}; số sê-ri | serial ${s.signer.serial}`);
  }
  return lines.join('\n') + '\n';
}

/** `--at DATE`: a date (YYYY-MM-DD, midnight UTC) or an ISO 8601 time; undefined without it. */
export function validationTime(v: unknown): Date | undefined {
  if (v === undefined) return undefined;
  const t = String(v).trim();
  const d = /^\d{4}-\d{2}-\d{2}$/.test(t) ? new Date(`${t}T00:00:00Z`) : /^\d{4}-\d{2}-\d{2}T/.test(t) ? new Date(t) : new Date(NaN);
  if (Number.isNaN(d.getTime())) throw new KysoError('USAGE', { reason: `--at needs a date (YYYY-MM-DD) or an ISO 8601 time, not "${t}"` });
  return d;
}

/** `rangeHasher`: the hashing bin/kyso.cjs started on the file before loading the command line. */
export async function verifyCommand(argv: string[], rangeHasher?: RangeHasher): Promise<number> {
  const p = parse(argv, VERIFY_OPTIONS);
  if (p.positionals.length !== 1) throw new KysoError('USAGE', { reason: 'give exactly one PDF file to verify' });
  const file = resolve(p.positionals[0]!);
  const at = validationTime(p.values.at);
  try {
    const { trust, intermediates } = commandTrust(list(p, 'trust'));
    const report = await verifyPdf(file, {
      trust,
      crls: list(p, 'crl').flatMap(readDerOrPem),
      ocsps: list(p, 'ocsp').flatMap(readDerOrPem),
      extraCerts: [...list(p, 'cert').flatMap(readDerOrPem), ...intermediates],
      online: p.values.offline !== true,
      cacheDir: cacheDir(),
      rangeHasher,
      ...(at ? { now: at } : {}),
    });
    process.stdout.write(p.values.json ? JSON.stringify(report, null, 2) + '\n' : human(report));
    return report.indication === 'TOTAL_PASSED' ? 0 : report.indication === 'TOTAL_FAILED' ? 1 : 3;
  } catch (e) {
    const err = toKysoError(e);
    // A file that cannot be read as a PDF is a usage error for this command (exit 2).
    if (['PDF_NOT_PDF', 'PDF_MALFORMED', 'PDF_ENCRYPTED', 'FILE_NOT_FOUND', 'FILE_READ_FAILED', 'USAGE'].includes(err.code)) {
      process.stderr.write(errorLine(err.code, err.details) + '\n');
      return 2;
    }
    throw err;
  }
}
