// `kyso trust list|import|fetch`: the catalogue of Vietnamese CA certificates (native/ca-catalogue.json)
// and which of them this user trusts. A certificate is accepted only when its SHA-256 fingerprint
// is the catalogue's; roots accepted become trust anchors of `kyso sign` and `kyso verify`.
import { readFileSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { KysoError } from '../../shared/errors.js';
import { catalogueEntry, catalogueState, fetchCatalogueEntry, importCatalogueFile, loadCaCatalogue } from '../trust/catalogue.js';
import { list, parse } from './args.js';

type Command = (argv: string[]) => Promise<number>;

export const TRUST_HELP = `  kyso trust list [--json]
  kyso trust import FILE... [--json]
  kyso trust fetch [ID]... [--json]
      Danh mục chứng thư CA Việt Nam (VGCA G1/G2, Vietnam National Root CA, VNPT-CA, FastCA):
      tải từ địa chỉ chính thức hoặc nhập tệp; chỉ chấp nhận khi dấu vân tay SHA-256 khớp
      | The catalogue of Vietnamese CA certificates: downloaded from the official address (fetch,
      all when no ID) or imported from a file, accepted only when the SHA-256 fingerprint matches.

`;

function show(json: boolean): void {
  const state = catalogueState();
  if (json) {
    process.stdout.write(JSON.stringify({ authorities: state }, null, 2) + '\n');
    return;
  }
  for (const e of state) {
    const mark = e.trusted ? 'tin cậy | trusted' : 'chưa có | not yet';
    process.stdout.write(`${e.trusted ? '✓' : '·'} ${e.id.padEnd(20)} ${e.kind === 'root' ? 'gốc | root' : 'trung gian | sub-CA'}  ${e.name}  [${mark}]\n    ${e.downloadUrl}\n    SHA-256 ${e.sha256}\n`);
  }
}

const trustList: Command = async (argv) => {
  const p = parse(argv, { json: { type: 'boolean' } });
  if (p.positionals.length) throw new KysoError('USAGE', { reason: `unexpected argument "${p.positionals[0]}"` });
  show(p.values.json === true);
  return 0;
};

const trustImport: Command = async (argv) => {
  const p = parse(argv, { json: { type: 'boolean' } });
  if (!p.positionals.length) throw new KysoError('USAGE', { reason: 'give the certificate file(s) to import' });
  const accepted: string[] = [];
  for (const f of p.positionals) {
    const path = resolve(f);
    let data: Buffer;
    try {
      data = readFileSync(path);
    } catch {
      throw new KysoError('FILE_NOT_FOUND', { path });
    }
    accepted.push(...importCatalogueFile(basename(path), data).map((e) => e.id));
  }
  if (p.values.json) process.stdout.write(JSON.stringify({ accepted }) + '\n');
  else process.stdout.write(`Đã chấp nhận | Accepted: ${accepted.join(', ')}\n`);
  return 0;
};

const trustFetch: Command = async (argv) => {
  const p = parse(argv, { json: { type: 'boolean' } });
  const entries = p.positionals.length ? p.positionals.map(catalogueEntry) : loadCaCatalogue();
  const accepted: string[] = [];
  const failed: Array<{ id: string; code: string; details: unknown }> = [];
  for (const e of entries) {
    try {
      await fetchCatalogueEntry(e);
      accepted.push(e.id);
    } catch (err) {
      // One authority's address being down must not hide the others; a single named one fails loudly.
      if (p.positionals.length === 1 || !(err instanceof KysoError)) throw err;
      failed.push({ id: e.id, code: err.code, details: err.details });
    }
  }
  if (p.values.json) process.stdout.write(JSON.stringify({ accepted, failed }) + '\n');
  else {
    process.stdout.write(`Đã chấp nhận | Accepted: ${accepted.join(', ') || '-'}\n`);
    for (const f of failed) process.stdout.write(`Không tải được | Not fetched: ${f.id} (${f.code})\n`);
  }
  return failed.length && !accepted.length ? 1 : 0;
};

export const TRUST_COMMANDS: Record<string, Command> = {
  'trust list': trustList,
  'trust import': trustImport,
  'trust fetch': trustFetch,
};
