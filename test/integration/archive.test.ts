// Issue 15, the long-term archive, run as an archivist runs it (`kyso --data D archive …`) on
// records made through methods 1–3 with real SoftHSM2 tokens and a TSA that is not ours
// (`openssl ts -reply` behind a small http server on 127.0.0.1, its certificate issued by the
// test sub-CA for five years, so it outlives the signers' two-year certificates):
//   - sealing (PAdES B-LT: a DSS with VRI entries; B-LTA: a document timestamp, then the DSS of
//     its TSA) leaves every file valid for pdfsig and qpdf, the earlier signatures reported with
//     validation data and timestamps added only;
//   - `kyso verify --offline --trust ROOT` without any CRL passes today and at a date after every
//     signer's certificate has expired (`--at`);
//   - `archive export` writes a TT 05/2025 package (METS, descriptive metadata, PREMIS), read back
//     here element by element; `archive check` passes it, also at that later date, and names the
//     file of each tampering (a changed byte, a missing file, edited metadata);
//   - `archive renew --before` lists and renews the records whose TSA certificate ends before it;
//   - retention: records due for appraisal, decisions recorded, nothing deleted;
//   - `doc add --pdfa`: Ghostscript PDF/A-2b (with OCR for a scan), LibreOffice PDF/A-2 for Word.
import { spawn, spawnSync } from 'node:child_process';
import { createHash, X509Certificate } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { PDFDocument } from 'pdf-lib';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { create } from 'xmlbuilder2';
import { migrate, MIGRATIONS, schemaVersion } from '../../src/main/store/migrations.js';
import { loadTrustStore } from '../../src/main/verify/chain.js';
import { WorkflowService } from '../../src/main/workflow/service.js';
import { DOCUMENT_FIELDS, NS, RECORD_FIELDS } from '../../src/main/workflow/package-metadata.js';
import { makeNssDb, pdfsig, qpdfCheck } from '../fixtures/judges.js';
import { makeNd30Pdf } from '../fixtures/nd30.js';
import { officeDrafts } from '../fixtures/office-drafts.js';
import { sharedTestPki } from '../fixtures/pki.js';
import { sealPng, signaturePng } from '../fixtures/png.js';
import { sharedSoftHsm, type SoftHsm } from '../fixtures/softhsm.js';
import { trustingDataFolder } from '../fixtures/desk-data.js';
import { makeTempDir, removeTempDir, repoRoot } from '../fixtures/tmp.js';
import { runTool } from '../fixtures/tools.js';

const pki = await sharedTestPki();
const DAY = 86_400_000;
let hsm: SoftHsm;
let work: string;
let nss: string;
let draft: string;
let sigPng: string;
let sealFile: string;
let server: http.Server;
let tsaUrl = '';
let tsaCnf: string;
let tsaCertPath: string;
/** A second TSA whose certificate lasts longer: the one a renewal moves to. */
let tsa2Cnf: string;
let tsa2Url = '';

function opensslReply(query: Buffer, cnf = tsaCnf): Buffer {
  const id = `${Date.now()}-${Math.random().toString(36).slice(2)}`;
  const q = join(work, `q-${id}.tsq`);
  const r = join(work, `r-${id}.tsr`);
  writeFileSync(q, query);
  runTool('openssl', ['ts', '-reply', '-config', cnf, '-section', 'kyso_tsa', '-queryfile', q, '-out', r]);
  return readFileSync(r);
}

/** A TSA's key, certificate (issued by the sub-CA for `days`) and openssl ts configuration. */
function makeTsa(name: string, cn: string, serial: string, days: number): { cnf: string; cert: string } {
  const key = join(work, `${name}.key.pem`);
  const csr = join(work, `${name}.csr`);
  const cert = join(work, `${name}.cert.pem`);
  const ext = join(work, `${name}-ext.cnf`);
  writeFileSync(ext, ['basicConstraints = CA:FALSE', 'keyUsage = critical, digitalSignature, nonRepudiation', 'extendedKeyUsage = critical, timeStamping',
    'subjectKeyIdentifier = hash', 'authorityKeyIdentifier = keyid:always'].join('\n'));
  runTool('openssl', ['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', key, '-out', csr, '-subj', `/C=VN/O=Kyso Thử nghiệm/CN=${cn}`, '-utf8']);
  runTool('openssl', ['x509', '-req', '-in', csr, '-CA', pki.subCa.certPath, '-CAkey', pki.subCa.keyPath, '-set_serial', serial, '-days', String(days), '-sha256', '-extfile', ext, '-out', cert]);
  writeFileSync(join(work, `${name}.serial`), '01\n');
  const cnf = join(work, `${name}.cnf`);
  writeFileSync(cnf, ['[ kyso_tsa ]', `serial = ${join(work, `${name}.serial`)}`, 'crypto_device = builtin', `signer_cert = ${cert}`, `certs = ${pki.subCa.certPath}`,
    `signer_key = ${key}`, 'signer_digest = sha256', 'default_policy = 1.3.6.1.4.1.59534.1.2', 'digests = sha256, sha384, sha512', 'accuracy = secs:1',
    'ordering = yes', 'tsa_name = yes', 'ess_cert_id_chain = no', 'ess_cert_id_alg = sha256'].join('\n') + '\n');
  return { cnf, cert };
}

beforeAll(async () => {
  hsm = sharedSoftHsm(pki);
  work = makeTempDir('archive');
  nss = makeNssDb(join(work, 'nss'), [pki.root.certPem]);
  draft = join(work, 'draft.pdf');
  writeFileSync(draft, await makeNd30Pdf());
  sigPng = join(work, 'signature.png');
  sealFile = join(work, 'seal.png');
  writeFileSync(sigPng, signaturePng());
  writeFileSync(sealFile, sealPng());

  // The TSA: P-256, EKU timeStamping, issued by the sub-CA for five years (the signers have two).
  const key = join(work, 'tsa.key.pem');
  const csr = join(work, 'tsa.csr');
  tsaCertPath = join(work, 'tsa.cert.pem');
  const ext = join(work, 'tsa-ext.cnf');
  writeFileSync(ext, ['basicConstraints = CA:FALSE', 'keyUsage = critical, digitalSignature, nonRepudiation', 'extendedKeyUsage = critical, timeStamping',
    'subjectKeyIdentifier = hash', 'authorityKeyIdentifier = keyid:always'].join('\n'));
  runTool('openssl', ['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', key, '-out', csr,
    '-subj', '/C=VN/O=Kyso Thử nghiệm/CN=Dịch vụ dấu thời gian lưu trữ (thử nghiệm)', '-utf8']);
  runTool('openssl', ['x509', '-req', '-in', csr, '-CA', pki.subCa.certPath, '-CAkey', pki.subCa.keyPath, '-set_serial', '0x4b59534f4152', '-days', '1825',
    '-sha256', '-extfile', ext, '-out', tsaCertPath]);
  writeFileSync(join(work, 'tsaserial'), '01\n');
  tsaCnf = join(work, 'tsa.cnf');
  writeFileSync(tsaCnf, ['[ kyso_tsa ]', `serial = ${join(work, 'tsaserial')}`, 'crypto_device = builtin', `signer_cert = ${tsaCertPath}`, `certs = ${pki.subCa.certPath}`,
    `signer_key = ${key}`, 'signer_digest = sha256', 'default_policy = 1.3.6.1.4.1.59534.1.2', 'digests = sha256, sha384, sha512', 'accuracy = secs:1',
    'ordering = yes', 'tsa_name = yes', 'ess_cert_id_chain = no', 'ess_cert_id_alg = sha256'].join('\n') + '\n');
  server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.method !== 'POST' || (req.url !== '/tsa' && req.url !== '/tsa2')) return void res.writeHead(404).end();
      res.writeHead(200, { 'Content-Type': 'application/timestamp-reply' }).end(opensslReply(Buffer.concat(chunks), req.url === '/tsa2' ? tsa2Cnf : tsaCnf));
    });
  });
  tsaUrl = await new Promise<string>((resolve) => server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}/tsa`)));
  tsa2Url = `${tsaUrl}2`;
  // Seven years (the sub-CA has a little more left).
  tsa2Cnf = makeTsa('tsa2', 'Dịch vụ dấu thời gian lưu trữ 2 (thử nghiệm)', '0x4b59534f4132', 2550).cnf;
});

afterAll(async () => {
  await new Promise((r) => server?.close(r));
  removeTempDir(work);
});

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
  json: () => Record<string, unknown>;
}

/** `kyso ARGS`, asynchronously: the TSA answering it lives in this process. */
async function kyso(args: string[], env: NodeJS.ProcessEnv = {}): Promise<Run> {
  const child = spawn(process.execPath, [join(repoRoot(), 'bin', 'kyso.cjs'), ...args], {
    env: {
      ...process.env,
      ...hsm.env,
      KYSO_PKCS11_MODULE: hsm.module,
      KYSO_TEST_PIN: hsm.tokens.ORG.pin,
      KYSO_TRUST: '',
      KYSO_DATA: '',
      KYSO_TSA_URL: tsaUrl,
      XDG_CONFIG_HOME: join(work, 'config'),
      XDG_CACHE_HOME: join(work, 'cache'),
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
  child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
  const timer = setTimeout(() => child.kill('SIGKILL'), 240_000);
  const status = await new Promise<number | null>((res) => child.on('close', (c) => res(c)));
  clearTimeout(timer);
  return { status, stdout, stderr, json: () => JSON.parse(stdout.trim().split('\n').at(-1)!) as Record<string, unknown> };
}

function ok(r: Run): Run {
  expect(r.status, `${r.stderr}\n${r.stdout}`).toBe(0);
  return r;
}

let dataNo = 0;
function dataDir(): string {
  return trustingDataFolder(pki, join(work, `data-${++dataNo}`));
}

const TOKEN = { drafter: 'KYSO-DRAFTER', leader: 'KYSO-LEADER', org: 'KYSO-ORG' } as const;
async function sign(data: string, id: string, role: 'drafter' | 'leader' | 'org', extra: string[] = []): Promise<void> {
  const img = role === 'leader' ? ['--image', sigPng, '--signer-title', 'GIÁM ĐỐC'] : role === 'org' ? ['--image', sealFile] : [];
  ok(await kyso(['--data', data, 'doc', 'sign', id, '--as', role, '--token', TOKEN[role], '--pin-env', 'KYSO_TEST_PIN', ...img, ...extra]));
}

/** A document issued through method `m`, its id. */
async function issue(data: string, m: 1 | 2 | 3, no: string, file = draft, extra: string[] = []): Promise<string> {
  const id = ok(await kyso(['--data', data, 'doc', 'add', file, '--method', String(m), '--title', `Quyết định số ${no}`, '--json', ...extra])).json().id as string;
  if (m === 3) await sign(data, id, 'drafter');
  if (m >= 2) await sign(data, id, 'leader');
  await sign(data, id, 'org', ['--number', `${no}/QĐ-SYT`]);
  return id;
}

const storePath = (data: string, sha: string): string => join(data, 'files', sha.slice(0, 2), sha.slice(2));
const leafEnd = (): number => Math.max(...[pki.org, pki.leader, pki.drafter].map((e) => Date.parse(new X509Certificate(e.certDer).validTo)));
const tsaEnd = (): number => Date.parse(new X509Certificate(readFileSync(tsaCertPath)).validTo);
const isoDay = (t: number): string => new Date(t).toISOString().slice(0, 10);

interface VerifyJson {
  indication: string;
  signatures: Array<{ kind: string; field: string; indication: string; subIndication: string | null; modificationsAfter: string; signedAtSource: string; details: { changes: string[] } }>;
}

async function verifyOffline(file: string, at?: string): Promise<VerifyJson> {
  const r = await kyso(['verify', file, '--offline', '--trust', pki.rootPemPath, '--json', ...(at ? ['--at', at] : [])]);
  const v = JSON.parse(r.stdout) as VerifyJson;
  expect(r.status, JSON.stringify(v.signatures.map((s) => [s.field, s.indication, s.subIndication]))).toBe(0);
  return v;
}

/** The /Contents values of the file's signatures and the VRI keys of its DSS, read by qpdf (not by Kyso). */
function signaturesAndVri(file: string): { contents: Buffer[]; vri: string[] } {
  const r = spawnSync('qpdf', ['--json=2', '--json-key=qpdf', file], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  const objects = (JSON.parse(r.stdout) as { qpdf: [unknown, Record<string, { value?: Record<string, unknown> }>] }).qpdf[1];
  const contents: Buffer[] = [];
  const vri: string[] = [];
  for (const o of Object.values(objects)) {
    const v = o.value;
    if (!v) continue;
    if ((v['/Type'] === '/Sig' || v['/Type'] === '/DocTimeStamp') && typeof v['/Contents'] === 'string') contents.push(Buffer.from((v['/Contents'] as string).replace(/^b:/, ''), 'hex'));
    if (v['/VRI'] && typeof v['/VRI'] === 'object') vri.push(...Object.keys(v['/VRI'] as object).map((k) => k.slice(1)));
  }
  return { contents, vri };
}

describe('a record made through methods 1–3, sealed, exported and checked', () => {
  let data: string;
  const ids: string[] = [];
  let pkg: string;
  let sealed: Array<{ sha256: string; entry: number }> = [];

  beforeAll(async () => {
    data = dataDir();
    ids.push(await issue(data, 1, '01'), await issue(data, 2, '02'), await issue(data, 3, '03'));
  }, 300_000);

  test('archive add --seal seals at once; archive seal seals the rest; every file passes pdfsig and qpdf', async () => {
    const first = ok(await kyso(['--data', data, 'archive', 'add', ids[0]!, '--record', 'HS-2026-01', '--retention', '10', '--record-title', 'Hồ sơ quyết định 2026', '--seal', '--json'])).json();
    expect(first.seal).toMatchObject({ kind: 'seal', tsa: 'Dịch vụ dấu thời gian lưu trữ (thử nghiệm)', missing: [] });
    for (const id of ids.slice(1)) ok(await kyso(['--data', data, 'archive', 'add', id, '--record', 'HS-2026-01', '--retention', '10']));
    const rest = ok(await kyso(['--data', data, 'archive', 'seal', 'HS-2026-01', '--json'])).json().sealed as Array<{ sha256: string; entry: number; missing: string[] }>;
    expect(rest.map((s) => s.missing)).toEqual([[], []]);
    sealed = [first.seal as { sha256: string; entry: number }, ...rest];
    expect(ok(await kyso(['--data', data, 'archive', 'seal', '--json'])).json()).toEqual({ sealed: [] });
    const names = [[pki.org], [pki.leader, pki.org], [pki.drafter, pki.leader, pki.org]].map((l) => l.map((e) => e.names.commonName));
    sealed.forEach((s, i) => {
      const file = storePath(data, s.sha256);
      expect(createHash('sha256').update(readFileSync(file)).digest('hex')).toBe(s.sha256);
      expect(qpdfCheck(file).ok).toBe(true);
      const rep = pdfsig(file, nss);
      const sigs = rep.signatures.filter((x) => names[i]!.includes(x.signerName ?? ''));
      expect(sigs.length).toBe(names[i]!.length);
      for (const x of sigs) expect(x).toMatchObject({ signatureValidation: 'Signature is Valid.', certificateValidation: 'Certificate is Trusted.' });
      expect(rep.signatures.at(-1)).toMatchObject({ signerName: 'Dịch vụ dấu thời gian lưu trữ (thử nghiệm)' });
    });
  }, 300_000);

  test('the DSS has a VRI entry per signature, keyed by the upper-case SHA-1 of its /Contents', () => {
    for (const s of sealed) {
      const { contents, vri } = signaturesAndVri(storePath(data, s.sha256));
      const keys = contents.map((c) => createHash('sha1').update(c).digest('hex').toUpperCase());
      // Every signature and the document timestamp (its VRI comes with the update after it).
      for (const k of keys) expect(vri).toContain(k);
    }
  });

  test('kyso verify --offline with only the root: TOTAL_PASSED today and after every signer certificate expired', async () => {
    const later = isoDay(leafEnd() + 30 * DAY);
    expect(leafEnd() + 30 * DAY).toBeLessThan(tsaEnd());
    for (const s of sealed) {
      const file = storePath(data, s.sha256);
      for (const at of [undefined, later]) {
        const v = await verifyOffline(file, at);
        expect(v.indication).toBe('TOTAL_PASSED');
        for (const sig of v.signatures.filter((x) => x.kind === 'signature')) {
          expect(sig.modificationsAfter).not.toBe('disallowed');
          // What the seal added is validation data and timestamps only.
          const sealUpdates = sig.details.changes.filter((c) => /DSS|timestamp/.test(c));
          expect(sealUpdates.map((c) => c.replace(/^update \d+: /, ''))).toEqual(['DSS (validation data) added', 'document timestamp Timestamp1 added', 'DSS (validation data) updated']);
        }
        const stamp = v.signatures.at(-1)!;
        expect(stamp).toMatchObject({ kind: 'document-timestamp', indication: 'TOTAL_PASSED' });
        if (at) for (const sig of v.signatures.filter((x) => x.kind === 'signature')) expect(sig.signedAtSource).toMatch(/timestamp/);
      }
    }
    // Without the seal, the same signatures have no proof once the certificates have expired.
    const filed = (ok(await kyso(['--data', data, 'archive', 'search', '03/QĐ-SYT', '--json'])).json().entries as Array<{ sha256: string }>)[0]!.sha256;
    const r = await kyso(['verify', storePath(data, filed), '--offline', '--trust', pki.rootPemPath, '--crl', pki.crlDerPath, '--crl', pki.rootCrlDerPath, '--json', '--at', later]);
    expect(r.status).toBe(3);
    expect((JSON.parse(r.stdout) as VerifyJson).signatures[0]).toMatchObject({ indication: 'INDETERMINATE', subIndication: 'OUT_OF_BOUNDS_NO_POE' });
  }, 300_000);

  test('archive export writes METS, TT 05 metadata (18 + 21 fields), PREMIS, files with SHA-256, times in +07:00', async () => {
    pkg = join(work, 'HS-2026-01.zip');
    const r = ok(await kyso(['--data', data, 'archive', 'export', 'HS-2026-01', '-o', pkg, '--json'])).json();
    expect(r).toMatchObject({ documents: 3, record: 'HS-2026-01' });
    const dir = join(work, 'unzipped');
    runTool('unzip', ['-q', '-o', pkg, '-d', dir]);
    for (const f of ['METS.xml', 'metadata/descriptive/tt05.xml', 'metadata/preservation/premis.xml']) {
      expect(runTool('xmllint', ['--noout', join(dir, f)]).status).toBe(0);
    }
    type El = { getAttribute(n: string): string | null; getAttributeNS(ns: string, n: string): string | null; getElementsByTagNameNS(ns: string, n: string): ArrayLike<El>; textContent: string | null; localName: string };
    const read = (f: string): El => (create(readFileSync(join(dir, f), 'utf8')).node as unknown as { documentElement: El }).documentElement;
    const all = (e: El, ns: string, n: string): El[] => Array.from(e.getElementsByTagNameNS(ns, n));
    const mets = read('METS.xml');
    expect(mets.localName).toBe('mets');
    expect(mets.getAttribute('PROFILE')).toBe('https://earkcsip.dilcis.eu/profile/E-ARK-CSIP.xml');
    expect(mets.getAttribute('OBJID')).toMatch(/^kyso-HS-2026-01-/);
    expect(all(mets, NS.mets, 'metsHdr')[0]!.getAttribute('CREATEDATE')).toMatch(/\+07:00$/);
    expect(all(mets, NS.mets, 'agent')[0]!.getAttribute('ROLE')).toBe('CREATOR');
    const files = all(mets, NS.mets, 'file');
    expect(files).toHaveLength(3);
    for (const f of files) {
      const href = all(f, NS.mets, 'FLocat')[0]!.getAttributeNS(NS.xlink, 'href')!;
      expect(href).toMatch(/^representations\/rep1\/data\/HS-2026-01-00\d\.pdf$/);
      expect(f.getAttribute('CHECKSUMTYPE')).toBe('SHA-256');
      expect(f.getAttribute('CHECKSUM')).toBe(createHash('sha256').update(readFileSync(join(dir, href))).digest('hex'));
      expect(f.getAttribute('CREATED')).toMatch(/\+07:00$/);
    }
    expect(files.map((f) => f.getAttribute('CHECKSUM')).sort()).toEqual(sealed.map((s) => s.sha256).sort());
    for (const ref of all(mets, NS.mets, 'mdRef')) {
      const href = ref.getAttributeNS(NS.xlink, 'href')!;
      expect(ref.getAttribute('CHECKSUM')).toBe(createHash('sha256').update(readFileSync(join(dir, href))).digest('hex'));
    }
    expect(all(mets, NS.mets, 'fptr')).toHaveLength(3);

    const desc = read('metadata/descriptive/tt05.xml');
    for (const f of RECORD_FIELDS) expect(all(desc, NS.tt05, f).length, f).toBeGreaterThan(0);
    expect(all(desc, NS.tt05, 'totalDoc')[0]!.textContent).toBe('3');
    expect(all(desc, NS.tt05, 'maintenance')[0]!.textContent).toBe('10 năm');
    const docs = all(desc, NS.tt05, 'VanBan');
    expect(docs).toHaveLength(3);
    for (const [i, d] of docs.entries()) {
      for (const f of DOCUMENT_FIELDS) expect(all(d, NS.tt05, f), f).toHaveLength(1);
      const field = (f: string): string => all(d, NS.tt05, f)[0]!.textContent!.trim();
      expect(field('codeNumber')).toBe(`0${i + 1}`);
      expect(field('codeNotation')).toBe('QĐ-SYT');
      expect(field('subject')).toBe(`Quyết định số 0${i + 1}`);
      expect(field('language')).toBe('vi');
      expect(field('confidenceLevel')).toBe(i === 0 ? 'digitised' : 'born-digital');
      expect(Number(field('numberOfPage'))).toBeGreaterThan(0);
      const steps = all(d, NS.tt05, 'step');
      expect(steps.map((s) => s.textContent)).toEqual(expect.arrayContaining(['document.added', 'archive.filed', 'archive.sealed']));
      for (const s of steps) expect(s.getAttribute('at')).toMatch(/\+07:00$/);
    }

    const premis = read('metadata/preservation/premis.xml');
    expect(all(premis, NS.premis, 'object')).toHaveLength(3);
    const types = all(premis, NS.premis, 'eventType').map((e) => e.textContent);
    expect(types).toEqual(expect.arrayContaining(['digital signature generation', 'timestamping', 'validation', 'ingestion']));
    expect(types.filter((t) => t === 'digital signature generation')).toHaveLength(6);
    for (const t of all(premis, NS.premis, 'eventDateTime')) expect(t.textContent).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+07:00$/);
    expect(all(premis, NS.premis, 'agentName').map((a) => a.textContent)).toEqual(expect.arrayContaining([pki.leader.names.commonName, 'Dịch vụ dấu thời gian lưu trữ (thử nghiệm)']));
  }, 300_000);

  test('archive check passes the package offline, today and after the certificates expired', async () => {
    for (const at of [[], ['--at', isoDay(leafEnd() + 30 * DAY)]]) {
      const r = ok(await kyso(['archive', 'check', pkg, '--trust', pki.rootPemPath, '--offline', '--json', ...at])).json() as { ok: boolean; problems: unknown[]; files: Array<{ path: string; verification?: { indication: string } }> };
      expect(r.problems).toEqual([]);
      expect(r.files.filter((f) => f.verification).map((f) => f.verification!.indication)).toEqual(['TOTAL_PASSED', 'TOTAL_PASSED', 'TOTAL_PASSED']);
    }
  }, 300_000);

  test('a tampered package is named file by file: a changed byte, a missing file, edited metadata', async () => {
    const py = (script: string, out: string): void => {
      const r = spawnSync('python3', ['-c', script, pkg, out], { encoding: 'utf8' });
      expect(r.status, r.stderr).toBe(0);
    };
    const copyWith = (body: string): string => `
import sys, zipfile
src, dst = sys.argv[1], sys.argv[2]
with zipfile.ZipFile(src) as zi, zipfile.ZipFile(dst, 'w') as zo:
    for info in zi.infolist():
        data = zi.read(info.filename)
${body}
`;
    const byte = join(work, 'tampered-byte.zip');
    py(copyWith(`        if info.filename.endswith('-002.pdf'):
            i = data.find(b'/Type /Page') if data.find(b'/Type /Page') > 0 else data.find(b'/Type/Page')
            data = data[:i+1] + b't' + data[i+2:]
        zo.writestr(info, data)`), byte);
    const missing = join(work, 'tampered-missing.zip');
    py(copyWith(`        if info.filename.endswith('-003.pdf'): continue
        zo.writestr(info, data)`), missing);
    const meta = join(work, 'tampered-meta.zip');
    py(copyWith(`        if info.filename.endswith('tt05.xml'): data = data.replace('Quyết định số 01'.encode(), 'Quyết định số 09'.encode())
        zo.writestr(info, data)`), meta);
    const check = async (f: string) => {
      const r = await kyso(['archive', 'check', f, '--trust', pki.rootPemPath, '--offline', '--json']);
      expect(r.status).toBe(1);
      return (JSON.parse(r.stdout) as { problems: Array<{ file: string; problem: string }> }).problems;
    };
    const p1 = await check(byte);
    expect(p1.map((p) => p.file)).toEqual(expect.arrayContaining(['representations/rep1/data/HS-2026-01-002.pdf']));
    expect(p1.find((p) => p.file.endsWith('-002.pdf') && /SHA-256 differs/.test(p.problem))).toBeTruthy();
    expect(p1.find((p) => p.file.endsWith('-002.pdf') && /verification TOTAL_FAILED/.test(p.problem))).toBeTruthy();
    expect(p1.every((p) => p.file.endsWith('-002.pdf'))).toBe(true);
    const p2 = await check(missing);
    expect(p2).toEqual([expect.objectContaining({ file: 'representations/rep1/data/HS-2026-01-003.pdf', problem: expect.stringMatching(/^missing/) })]);
    const p3 = await check(meta);
    expect(p3).toEqual([expect.objectContaining({ file: 'metadata/descriptive/tt05.xml', problem: expect.stringMatching(/SHA-256 differs/) })]);
    // The human form names the file too.
    const human = await kyso(['archive', 'check', missing, '--trust', pki.rootPemPath, '--offline']);
    expect(human.stdout).toContain('HS-2026-01-003.pdf: missing');
  }, 300_000);

  test('after its TSA certificate has ended, a document timestamp no later one covers proves nothing', async () => {
    const r = await kyso(['verify', storePath(data, sealed[0]!.sha256), '--offline', '--trust', pki.rootPemPath, '--json', '--at', isoDay(tsaEnd() + DAY)]);
    expect(r.status).toBe(3);
    const v = JSON.parse(r.stdout) as VerifyJson;
    expect(v.signatures.at(-1)).toMatchObject({ kind: 'document-timestamp', indication: 'INDETERMINATE', subIndication: 'OUT_OF_BOUNDS_NO_POE' });
  }, 120_000);

  test('archive renew lists the records whose TSA certificate ends before the date, then renews them', async () => {
    const soon = ok(await kyso(['--data', data, 'archive', 'renew', '--before', isoDay(Date.now() + 30 * DAY), '--json'])).json();
    expect(soon).toEqual({ report: [], renewed: [] });
    const before = isoDay(tsaEnd() + DAY);
    const report = ok(await kyso(['--data', data, 'archive', 'renew', '--before', before, '--report-only']));
    expect(report.stdout).toContain('tsa-certificate-ending');
    // The renewal moves to a TSA whose certificate lasts longer.
    const r = ok(await kyso(['--data', data, 'archive', 'renew', '--before', before, '--tsa', tsa2Url, '--json'])).json() as { report: Array<{ reason: string }>; renewed: Array<{ sha256: string; kind: string; tsa: string }> };
    expect(r.renewed.map((x) => x.tsa)).toEqual(Array(3).fill('Dịch vụ dấu thời gian lưu trữ 2 (thử nghiệm)'));
    expect(r.report.map((x) => x.reason)).toEqual(['tsa-certificate-ending', 'tsa-certificate-ending', 'tsa-certificate-ending']);
    expect(r.renewed.map((x) => x.kind)).toEqual(['renewal', 'renewal', 'renewal']);
    for (const s of r.renewed) {
      const file = storePath(data, s.sha256);
      expect(qpdfCheck(file).ok).toBe(true);
      const v = await verifyOffline(file, isoDay(leafEnd() + 30 * DAY));
      expect(v.signatures.filter((x) => x.kind === 'document-timestamp').map((x) => x.indication)).toEqual(['TOTAL_PASSED', 'TOTAL_PASSED']);
      expect(pdfsig(file, nss).signatures.filter((x) => x.signatureValidation === 'Signature is Valid.').length).toBeGreaterThan(0);
    }
    // After the first TSA's certificate has ended, the renewal's timestamp still proves the first
    // one (and through it the signatures): past signature validation along the chain of timestamps.
    for (const s of r.renewed) {
      const v = await verifyOffline(storePath(data, s.sha256), isoDay(tsaEnd() + DAY));
      expect(v.signatures.map((x) => [x.kind, x.indication])).toEqual([
        ...v.signatures.filter((x) => x.kind === 'signature').map(() => ['signature', 'TOTAL_PASSED']),
        ['document-timestamp', 'TOTAL_PASSED'],
        ['document-timestamp', 'TOTAL_PASSED'],
      ]);
    }
    // The renewal is due again only when the second TSA's certificate nears its end.
    expect(ok(await kyso(['--data', data, 'archive', 'renew', '--before', before, '--report-only', '--json'])).json()).toEqual({ report: [], renewed: [] });
    // The files sealed before are still in the store, unchanged.
    for (const s of sealed) expect(createHash('sha256').update(readFileSync(storePath(data, s.sha256))).digest('hex')).toBe(s.sha256);
    ok(await kyso(['--data', data, 'audit', 'verify']));
  }, 300_000);
});

describe('retention: due for appraisal, decisions recorded, nothing deleted', () => {
  test('a 1-year record is due after its retention; destroy before then is refused; decisions are kept', async () => {
    const data = dataDir();
    const id = await issue(data, 2, '07');
    ok(await kyso(['--data', data, 'archive', 'add', id, '--record', 'HS-NGAN', '--retention', '1']));
    ok(await kyso(['--data', data, 'archive', 'add', id, '--record', 'HS-VV', '--retention', 'permanent']));
    expect(ok(await kyso(['--data', data, 'archive', 'due', '--json'])).json()).toEqual({ records: [] });
    const r = await kyso(['--data', data, 'archive', 'appraise', 'HS-NGAN', '--decision', 'destroy', '--reason', 'hết hạn']);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('[ARCHIVE_NOT_DUE]');
    const trust = () => loadTrustStore([pki.rootPemPath]);
    const later = new Date(Date.now() + 3 * 365 * DAY);
    const desk = WorkflowService.open({ dataDir: data, trust, now: () => later, actor: 'lưu trữ viên' });
    try {
      expect(desk.dueForAppraisal().map((x) => x.code)).toEqual(['HS-NGAN']);
      expect(() => desk.appraise({ code: 'HS-NGAN', decision: 'destroy', reason: ' ' })).toThrow(/ARCHIVE_APPRAISAL_INVALID|reason/);
      const kept = desk.appraise({ code: 'HS-NGAN', decision: 'keep', reason: 'còn giá trị tham khảo', extendYears: 5 });
      expect(kept.due).toBe(false);
      expect(desk.dueForAppraisal()).toEqual([]);
      expect(() => desk.appraise({ code: 'HS-VV', decision: 'destroy', reason: 'x' })).toThrow();
      expect(desk.retention('HS-VV')).toMatchObject({ retention: 'permanent', dueAt: null, due: false });
    } finally {
      desk.close();
    }
    const far = new Date(Date.now() + 10 * 365 * DAY);
    const desk2 = WorkflowService.open({ dataDir: data, trust, now: () => far, actor: 'lưu trữ viên' });
    try {
      expect(desk2.dueForAppraisal().map((x) => x.code)).toEqual(['HS-NGAN']);
      const done = desk2.appraise({ code: 'HS-NGAN', decision: 'destroy', reason: 'Hội đồng xác định giá trị tài liệu đồng ý hủy' });
      expect(done.decisions.map((d) => d.decision)).toEqual(['keep', 'destroy']);
      expect(desk2.dueForAppraisal()).toEqual([]);
      // Recorded, not carried out: the record and its file are still there.
      expect(desk2.searchArchive('07/QĐ-SYT').map((e) => e.recordCode).sort()).toEqual(['HS-NGAN', 'HS-VV']);
      expect(desk2.auditLog({ limit: 5 }).map((e) => e.action)).toContain('archive.appraised');
    } finally {
      desk2.close();
    }
  }, 300_000);
});

describe('migration 4 (archive seals, appraisals) from version 3', () => {
  test('adds the tables and keeps the rows', () => {
    const file = join(work, 'm004.db');
    const db = new Database(file);
    try {
      db.pragma('foreign_keys = ON');
      migrate(db, MIGRATIONS.slice(0, 3));
      expect(schemaVersion(db)).toBe(3);
      db.prepare("INSERT INTO archive_records (code, title, retention, created_at) VALUES ('HS-1', 'Hồ sơ', '10', '2026-01-01T00:00:00Z')").run();
      expect(migrate(db, MIGRATIONS.slice(0, 4))).toEqual([4]);
      expect(schemaVersion(db)).toBe(4);
      expect(db.prepare('SELECT code FROM archive_records').all()).toEqual([{ code: 'HS-1' }]);
      const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as Array<{ name: string }>).map((t) => t.name);
      expect(tables).toEqual(expect.arrayContaining(['archive_seals', 'archive_appraisals']));
      expect(() => db.prepare("INSERT INTO archive_appraisals (record_id, decided_at, decided_by, decision, reason) VALUES (1, 'x', 'y', 'burn', 'z')").run()).toThrow(/CHECK/);
      expect(() => db.prepare("INSERT INTO archive_appraisals (record_id, decided_at, decided_by, decision, reason) VALUES (1, 'x', 'y', 'destroy', '')").run()).toThrow(/CHECK/);
    } finally {
      db.close();
    }
  });
});

describe('doc add --pdfa: PDF/A before the first signature', () => {
  test('a PDF becomes PDF/A-2b (XMP pdfaid, output intent, fonts embedded) and is then signed and sealed', async () => {
    const data = dataDir();
    const r = ok(await kyso(['--data', data, 'doc', 'add', draft, '--method', '2', '--pdfa', '--json'])).json();
    expect(r.pdfa).toEqual({ part: 2, conformance: 'B', missing: [], ocr: 'not-needed' });
    const id = r.id as string;
    await sign(data, id, 'leader');
    await sign(data, id, 'org', ['--number', '11/QĐ-SYT']);
    const s = ok(await kyso(['--data', data, 'archive', 'add', id, '--record', 'HS-A', '--retention', '20', '--seal', '--json'])).json().seal as { sha256: string };
    const file = storePath(data, s.sha256);
    expect(qpdfCheck(file).ok).toBe(true);
    expect((await verifyOffline(file)).indication).toBe('TOTAL_PASSED');
  }, 300_000);

  test('a scan without text gets an OCR text layer (tesseract, Vietnamese) and becomes PDF/A-2b', async () => {
    const data = dataDir();
    const png = join(work, 'scan.png');
    runTool('convert', ['-size', '1240x1754', 'xc:white', '-font', 'Liberation-Serif', '-pointsize', '48', '-fill', 'black', '-annotate', '+150+300', 'QUYẾT ĐỊNH', '-annotate', '+150+420', 'Về việc ban hành quy chế', png]);
    // A scanned page: the image alone on an A4 page (ImageMagick's policy forbids writing PDF here).
    const scan = join(work, 'scan.pdf');
    const pdf = await PDFDocument.create();
    const image = await pdf.embedPng(readFileSync(png));
    pdf.addPage([595, 842]).drawImage(image, { x: 0, y: 0, width: 595, height: 842 });
    writeFileSync(scan, await pdf.save());
    const r = ok(await kyso(['--data', data, 'doc', 'add', scan, '--method', '1', '--pdfa', '--json'])).json();
    expect(r.pdfa).toMatchObject({ part: 2, conformance: 'B', ocr: 'done' });
    const stored = ok(await kyso(['--data', data, 'doc', 'show', r.id as string, '--no-verify', '--json'])).json() as { sha256: string };
    const text = runTool('pdftotext', [storePath(data, stored.sha256), '-']).stdout;
    expect(text.toUpperCase()).toMatch(/QUY/);
  }, 300_000);

  test('a Word draft goes through LibreOffice\'s PDF/A-2 export', async () => {
    const drafts = await officeDrafts(join(work, 'office'));
    const docx = drafts.docx.replace(/\.pdf$/, '.docx');
    expect(existsSync(docx)).toBe(true);
    const data = dataDir();
    const r = ok(await kyso(['--data', data, 'doc', 'add', docx, '--method', '3', '--pdfa', '--json'])).json();
    expect(r.pdfa).toMatchObject({ part: 2, missing: [] });
  }, 300_000);
});
