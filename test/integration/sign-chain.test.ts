// Issue 11 part 3: signatures a receiver can check with nothing but the root.
//   - a token holding only the signer's certificate (as VGCA tokens do): the chain is completed at
//     signing (--cert, the desk's DATA/certs, the certificate's AIA caIssuers over http, cached)
//     and embedded, with the revocation data used; pdfsig with only the root in its NSS store and
//     `kyso verify --trust ROOT --offline` without any CRL both call the signature valid;
//   - the signer's certificate is checked before the token signs: revoked → CERT_REVOKED and no
//     file; revocation unknown → a warning naming the certificate and why;
//   - the CA catalogue: certificates served from ../shared/real/certs by a local http server
//     standing in for ca.gov.vn / rootca.gov.vn, accepted only with the listed fingerprint.
import { createHash, webcrypto, X509Certificate } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { catalogueState } from '../../src/main/trust/catalogue.js';
import { checkSignerCertificate } from '../../src/main/trust/signer-check.js';
import { createApp } from '../../src/main/api/services.js';
import { PdfReader } from '../../src/main/pdf/reader.js';
import type { DocumentSummary, Result, Settings } from '../../src/shared/contract.js';
import { checkCms } from '../../src/main/verify/cms.js';
import { findSignatures } from '../../src/main/verify/signatures.js';
import { expectJudgedValid } from '../fixtures/expect.js';
import { makeNssDb, nssDirArg, parsePdfsigOutput, qpdfCheck } from '../fixtures/judges.js';
import { makeNd30Pdf } from '../fixtures/nd30.js';
import { sharedTestPki } from '../fixtures/pki.js';
import { sealPng } from '../fixtures/png.js';
import { addSignerOnlyToken, cloneSoftHsm, sharedSoftHsm, USER_PIN, type SoftHsm } from '../fixtures/softhsm.js';
import { makeTempDir, removeTempDir, repoRoot } from '../fixtures/tmp.js';
import { runAsync, runTool } from '../fixtures/tools.js';

const pki = await sharedTestPki();
const REAL = join(repoRoot(), '..', 'shared', 'real', 'certs');
const SUB_CA = pki.subCa.names.commonName;

let work: string;
let hsm: SoftHsm;
let nss: string;
let input: string;
let server: http.Server;
let base = '';
const hits: string[] = [];

/** What the stand-in for the official addresses serves: host/path → file of ../shared/real/certs. */
const OFFICIAL: Record<string, string> = {
  'ca.gov.vn/pki/pub/crt/rootcag2.crt': 'vgca-g2_rootcag2_rootca-chuyen-dung-chinh-phu-g2.pem',
  'ca.gov.vn/pki/pub/crt/cpcag2.crt': 'vgca-g2_cpcag2_ca-phuc-vu-cac-co-quan-nha-nuoc-g2.pem',
  'ca.gov.vn/pki/pub/crt/rootca.crt': 'vgca-g1_rootca_co-quan-chung-thuc-so-chuyen-dung-chinh-phu.pem',
  'ca.gov.vn/pki/pub/crt/cp.crt': 'vgca-g1_cp_co-quan-chung-thuc-so-chinh-phu.pem',
};

/** The leader's key under a certificate that names where its issuer and CRL are (AIA caIssuers, CRL DP). */
function issueWithAia(port: number, name: string, serial: string, crlPath: string, ocsp = false, aiaPath = '/aia/sub-ca.cer'): string {
  const csr = join(work, `${name}.csr`);
  const ext = join(work, `${name}.ext`);
  const pem = join(work, `${name}.cert.pem`);
  const der = join(work, `${name}.cert.der`);
  writeFileSync(ext, [
    'basicConstraints = CA:FALSE',
    'keyUsage = critical, digitalSignature, nonRepudiation',
    'subjectKeyIdentifier = hash',
    'authorityKeyIdentifier = keyid:always',
    `authorityInfoAccess = caIssuers;URI:http://127.0.0.1:${port}${aiaPath}`,
    `crlDistributionPoints = URI:http://127.0.0.1:${port}${crlPath}`,
  ].join('\n').replace('caIssuers;', ocsp ? `OCSP;URI:http://127.0.0.1:${port}/ocsp, caIssuers;` : 'caIssuers;'));
  runTool('openssl', ['req', '-new', '-key', pki.leader.keyPath, '-out', csr, '-subj', `/C=VN/O=Sở Y tế tỉnh Quảng Ninh/CN=${name}`, '-utf8']);
  runTool('openssl', ['x509', '-req', '-in', csr, '-CA', pki.subCa.certPath, '-CAkey', pki.subCa.keyPath, '-set_serial', serial, '-days', '365', '-sha256', '-extfile', ext, '-out', pem]);
  runTool('openssl', ['x509', '-in', pem, '-outform', 'DER', '-out', der]);
  // The responder's database (openssl ocsp -index): this certificate, valid.
  const x = new X509Certificate(readFileSync(der));
  const expiry = new Date(x.validTo).toISOString().replace(/[-:T]/g, '').slice(2, 14) + 'Z';
  writeFileSync(ocspIndex, `V\t${expiry}\t\t${x.serialNumber}\tunknown\t/CN=${name}\n`, { flag: 'a' });
  return der;
}

let ocspIndex = '';
/** Answers an OCSP request as the sub-CA's responder would: `openssl ocsp` over its database. */
function ocspRespond(request: Buffer): Buffer {
  const id = `${Date.now()}-${Math.random().toString(36).slice(2)}`;
  const reqPath = join(work, `ocsp-req-${id}.der`);
  const respPath = join(work, `ocsp-resp-${id}.der`);
  writeFileSync(reqPath, request);
  runTool('openssl', ['ocsp', '-index', ocspIndex, '-CA', pki.subCa.certPath, '-rsigner', pki.subCa.certPath, '-rkey', pki.subCa.keyPath,
    '-reqin', reqPath, '-respout', respPath, '-ndays', '1']);
  return readFileSync(respPath);
}

beforeAll(async () => {
  work = makeTempDir('sign-chain');
  ocspIndex = join(work, 'ocsp-index.txt');
  writeFileSync(ocspIndex, '');
  server = http.createServer((req, res) => {
    const url = req.url ?? '';
    hits.push(url);
    if (req.method === 'POST' && url === '/ocsp') {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => res.writeHead(200, { 'Content-Type': 'application/ocsp-response' }).end(ocspRespond(Buffer.concat(chunks))));
      return;
    }
    const send = (body: Buffer) => res.writeHead(200, { 'Content-Type': 'application/octet-stream' }).end(body);
    if (url === '/aia/sub-ca.cer') send(pki.subCa.certDer);
    else if (url === '/crl/sub-ca.crl') send(pki.crlDer);
    else if (url === '/down/sub-ca.crl') res.writeHead(503).end('down');
    else if (url.startsWith('/official/') && OFFICIAL[url.slice(10)]) send(readFileSync(join(REAL, OFFICIAL[url.slice(10)]!)));
    // An impostor answering in the authority's place: another authority's certificate for every address.
    else if (url.startsWith('/impostor/')) send(readFileSync(join(REAL, 'vgca-g2_dcscag2_ca-phuc-vu-cac-co-quan-dang-g2.pem')));
    else res.writeHead(404).end();
  });
  const port = await new Promise<number>((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
  base = `http://127.0.0.1:${port}`;

  // Private tokens: the shared ones all carry the sub-CA; these carry the signer's certificate only.
  hsm = cloneSoftHsm(sharedSoftHsm(pki), join(work, 'softhsm'));
  addSignerOnlyToken(hsm, 'ALONE-LEADER', pki.leader.keyPath, pki.leader.certDerPath, pki.leader.keyIdHex);
  addSignerOnlyToken(hsm, 'ALONE-ORG', pki.org.keyPath, pki.org.certDerPath, pki.org.keyIdHex);
  addSignerOnlyToken(hsm, 'ALONE-REVOKED', pki.revoked.keyPath, pki.revoked.certDerPath, pki.revoked.keyIdHex);
  addSignerOnlyToken(hsm, 'ALONE-AIA', pki.leader.keyPath, issueWithAia(port, 'Đỗ Văn Hải (AIA)', '0x4b59534f41494101', '/crl/sub-ca.crl'), pki.leader.keyIdHex);
  addSignerOnlyToken(hsm, 'ALONE-OCSP', pki.leader.keyPath, issueWithAia(port, 'Đỗ Văn Hải (OCSP)', '0x4b59534f41494103', '/down/sub-ca.crl', true), pki.leader.keyIdHex);
  addSignerOnlyToken(hsm, 'ALONE-NOAIA', pki.leader.keyPath, issueWithAia(port, 'Đỗ Văn Hải (no AIA)', '0x4b59534f41494104', '/crl/sub-ca.crl', false, '/aia/missing.cer'), pki.leader.keyIdHex);
  addSignerOnlyToken(hsm, 'ALONE-DOWN', pki.leader.keyPath, issueWithAia(port, 'Đỗ Văn Hải (CRL down)', '0x4b59534f41494102', '/down/sub-ca.crl'), pki.leader.keyIdHex);

  nss = makeNssDb(join(work, 'nss'), [pki.root.certPem]);
  input = join(work, 'in.pdf');
  writeFileSync(input, await makeNd30Pdf());
});

afterAll(async () => {
  await new Promise((r) => server?.close(r));
  removeTempDir(work);
});

interface Run {
  status: number;
  stdout: string;
  stderr: string;
}

/** `kyso ARGS` with the private tokens and a private config and cache, asynchronously (the test serves http). */
function kyso(args: string[], env: NodeJS.ProcessEnv = {}, home = 'home'): Promise<Run> {
  return runAsync(join(repoRoot(), 'bin', 'kyso'), args, {
    ...process.env,
    ...hsm.env,
    KYSO_PKCS11_MODULE: hsm.module,
    KYSO_TEST_PIN: hsm.tokens.ORG.pin,
    KYSO_TRUST: '',
    KYSO_DATA: '',
    KYSO_CA_BASE_URL: `${base}/official`,
    XDG_CONFIG_HOME: join(work, home, 'config'),
    XDG_CACHE_HOME: join(work, home, 'cache'),
    ...env,
  });
}

const signArgs = (out: string, token: string, extra: string[] = []): string[] => ['sign', input, '-o', out, '--token', token, '--pin-env', 'KYSO_TEST_PIN', '--json', ...extra];

/** The certificates the file's (first) CMS carries, by common name. */
function embedded(file: string): { certs: string[]; crls: number; ocsps: number } {
  const r = PdfReader.open(file);
  try {
    const sig = findSignatures(r)[0]!;
    const cms = checkCms(sig.contents!);
    const cn = (der: Buffer) => /CN=([^,\n]+)/.exec(new X509Certificate(der).subject.split('\n').reverse().join(','))?.[1] ?? '?';
    return { certs: cms.certificates.map(cn), crls: cms.archived.crls.length, ocsps: cms.archived.ocsps.length };
  } finally {
    r.close();
  }
}

/** `kyso verify FILE --trust ROOT --offline --json`: no CRL, no --cert; only the root. */
async function verifyWithRootOnly(file: string): Promise<{ indication: string; chain: string; certificate: string; messages: { en: string } }> {
  const r = await kyso(['verify', file, '--trust', pki.rootPemPath, '--offline', '--json'], {}, 'receiver');
  const rep = JSON.parse(r.stdout) as { signatures: Array<{ indication: string; chain: string; certificate: string; messages: { en: string } }> };
  return rep.signatures.at(-1)!;
}

describe('a token with only the signer\'s certificate', () => {
  test('--cert completes the chain; the CMS carries the sub-CA and the CRLs; pdfsig (root only) and kyso verify (root only, offline, no CRL) say valid', async () => {
    const out = join(work, 'alone-cert.pdf');
    const r = await kyso(signArgs(out, 'ALONE-LEADER', ['--cert', pki.subCaPemPath, '--trust', pki.rootPemPath, '--crl', pki.crlDerPath, '--crl', pki.rootCrlDerPath, '--offline']));
    expect(r.status, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout) as { chainStatus: string; embedded: { certificates: number; crls: number }; warnings: unknown[] };
    expect(j).toMatchObject({ chainStatus: 'trusted', embedded: { certificates: 1, crls: 2 }, warnings: [] });
    expect(r.stderr).toBe('');
    const e = embedded(out);
    expect(e.certs).toEqual([pki.leader.names.commonName, SUB_CA]);
    expect(e.crls).toBe(2);
    expectJudgedValid(out, nss, [pki.leader.names.commonName]);
    expect(await verifyWithRootOnly(out)).toMatchObject({ indication: 'TOTAL_PASSED', chain: 'trusted', certificate: 'valid' });
  });

  test('without any intermediate: signed, with a warning naming the missing issuer', async () => {
    const out = join(work, 'alone-bare.pdf');
    const r = await kyso(signArgs(out, 'ALONE-LEADER', ['--trust', pki.rootPemPath, '--offline']));
    expect(r.status, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout) as { chainStatus: string; warnings: Array<{ code: string; en: string }> };
    expect(j.chainStatus).toBe('incomplete');
    expect(j.warnings.map((w) => w.code)).toContain('CHAIN_INCOMPLETE');
    expect(j.warnings.find((w) => w.code === 'CHAIN_INCOMPLETE')!.en).toContain(SUB_CA);
    expect(r.stderr).toMatch(/^Cảnh báo \[CHAIN_INCOMPLETE\]: .+ \| Warning: .+/m);
    expect(embedded(out).certs).toEqual([pki.leader.names.commonName]);

    // Online, the caIssuers address is asked; when it fails, the warning says so.
    const out2 = join(work, 'alone-noaia.pdf');
    const r2 = await kyso(signArgs(out2, 'ALONE-NOAIA', ['--trust', pki.rootPemPath]), {}, 'noaia');
    expect(r2.status, r2.stderr).toBe(0);
    const w2 = (JSON.parse(r2.stdout) as { warnings: Array<{ code: string; en: string }> }).warnings.find((w) => w.code === 'CHAIN_INCOMPLETE');
    expect(w2?.en).toContain(`(${base}/aia/missing.cer: HTTP 404)`);
  });

  test('the AIA caIssuers address gives the sub-CA (fetched once, then from the cache) and the CRL distribution point the CRL', async () => {
    const before = hits.filter((h) => h === '/aia/sub-ca.cer').length;
    const out1 = join(work, 'aia-1.pdf');
    const r1 = await kyso(signArgs(out1, 'ALONE-AIA', ['--trust', pki.rootPemPath, '--crl', pki.rootCrlDerPath]), {}, 'aia');
    expect(r1.status, r1.stderr).toBe(0);
    const j = JSON.parse(r1.stdout) as { chainStatus: string; embedded: { certificates: number; crls: number }; warnings: unknown[] };
    expect(j).toMatchObject({ chainStatus: 'trusted', embedded: { certificates: 1, crls: 2 }, warnings: [] });
    expect(hits.filter((h) => h === '/aia/sub-ca.cer').length).toBe(before + 1);
    expect(hits).toContain('/crl/sub-ca.crl');

    const out2 = join(work, 'aia-2.pdf');
    const r2 = await kyso(signArgs(out2, 'ALONE-AIA', ['--trust', pki.rootPemPath, '--crl', pki.rootCrlDerPath]), {}, 'aia');
    expect(r2.status, r2.stderr).toBe(0);
    expect(hits.filter((h) => h === '/aia/sub-ca.cer').length, 'the second signing reads the cache').toBe(before + 1);

    for (const f of [out1, out2]) {
      expect(embedded(f).certs).toEqual(['Đỗ Văn Hải (AIA)', SUB_CA]);
      expectJudgedValid(f, nss, ['Đỗ Văn Hải (AIA)']);
      expect(await verifyWithRootOnly(f)).toMatchObject({ indication: 'TOTAL_PASSED', chain: 'trusted' });
    }
  });
});

describe('revocation asked online', () => {
  test('the OCSP responder named in the certificate answers "good": the answer is embedded and the receiver needs nothing but the root', async () => {
    const out = join(work, 'ocsp.pdf');
    const r = await kyso(signArgs(out, 'ALONE-OCSP', ['--trust', pki.rootPemPath, '--crl', pki.rootCrlDerPath]), {}, 'ocsp');
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ chainStatus: 'trusted', embedded: { certificates: 1, crls: 1, ocsps: 1 }, warnings: [] });
    expect(hits).toContain('/ocsp');
    // OCSP decided: the CRL distribution point (down) was never asked.
    expect(hits).not.toContain('/down/sub-ca.crl');
    expect(embedded(out)).toMatchObject({ certs: ['Đỗ Văn Hải (OCSP)', SUB_CA], crls: 1, ocsps: 1 });
    // pdfsig asks the responder itself (the certificate names it): run it without blocking the server.
    const p = await runAsync('pdfsig', ['-nssdir', nssDirArg(nss), out], process.env);
    const sig = parsePdfsigOutput(p.stdout).signatures[0]!;
    expect([sig.signerName, sig.signatureValidation, sig.certificateValidation], p.stdout).toEqual(['Đỗ Văn Hải (OCSP)', 'Signature is Valid.', 'Certificate is Trusted.']);
    expect(qpdfCheck(out).ok).toBe(true);
    expect(await verifyWithRootOnly(out)).toMatchObject({ indication: 'TOTAL_PASSED', chain: 'trusted', certificate: 'valid' });
  });
});

describe('the signer\'s certificate is checked before the token signs', () => {
  test('revoked (the sub-CA\'s CRL lists it): CERT_REVOKED in both languages, no file', async () => {
    const out = join(work, 'revoked.pdf');
    const r = await kyso(signArgs(out, 'ALONE-REVOKED', ['--cert', pki.subCaPemPath, '--trust', pki.rootPemPath, '--crl', pki.crlDerPath, '--offline']));
    expect(r.status).toBe(1);
    const lines = r.stderr.trim().split('\n');
    expect(lines, r.stderr).toHaveLength(1);
    expect(lines[0]).toMatch(/^Lỗi \[CERT_REVOKED\]: Chứng thư số ".+" đã bị thu hồi \(ngày \d{4}-\d\d-\d\d, lý do: keyCompromise\).+ \| Error: Certificate ".+" has been revoked/);
    expect(r.stdout).toBe('');
    expect(existsSync(out)).toBe(false);
  });

  test('revocation unknown: signed, with warnings naming each certificate and why (offline, no CRL; a CRL server down)', async () => {
    const out = join(work, 'unknown.pdf');
    const r = await kyso(signArgs(out, 'ALONE-LEADER', ['--cert', pki.subCaPemPath, '--trust', pki.rootPemPath, '--offline']));
    expect(r.status, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout) as { warnings: Array<{ code: string; certificate: string; en: string; vi: string }> };
    const unknown = j.warnings.filter((w) => w.code === 'REVOCATION_UNKNOWN');
    expect(unknown.map((w) => w.certificate)).toEqual([pki.leader.names.commonName, SUB_CA]);
    expect(unknown[0]!.en).toBe(`The revocation status of the signer's certificate '${pki.leader.names.commonName}' could not be checked: the certificate names no CRL or OCSP address and no matching CRL was given.`);
    expect(unknown[1]!.en).toContain(`The revocation status of the sub-CA '${SUB_CA}' could not be checked`);
    expect(unknown[1]!.vi).toContain(`Chưa kiểm tra được tình trạng thu hồi của CA trung gian "${SUB_CA}"`);
    expect(r.stderr.trim().split('\n').filter((l) => l.startsWith('Cảnh báo [REVOCATION_UNKNOWN]'))).toHaveLength(2);
    expect(existsSync(out)).toBe(true);

    const down = join(work, 'down.pdf');
    const d = await kyso(signArgs(down, 'ALONE-DOWN', ['--trust', pki.rootPemPath, '--crl', pki.rootCrlDerPath, '--cert', pki.subCaPemPath]), {}, 'down');
    expect(d.status, d.stderr).toBe(0);
    const dw = (JSON.parse(d.stdout) as { warnings: Array<{ code: string; en: string }> }).warnings;
    expect(dw).toEqual([expect.objectContaining({ code: 'REVOCATION_UNKNOWN', en: expect.stringMatching(new RegExp(`the server ${base}/down/sub-ca.crl did not answer \\(HTTP 503\\)`)) })]);
  });

  test('kyso verify names the certificate whose revocation status is unknown', async () => {
    // Signed offline without CRLs: the file carries the chain but no revocation data.
    const out = join(work, 'unknown.pdf');
    const v = await verifyWithRootOnly(out);
    expect(v.indication).toBe('INDETERMINATE');
    expect(v.messages.en).toContain(`The revocation status of the signer's certificate '${pki.leader.names.commonName}' could not be checked`);
  });
});

describe('the desk completes the chain from its data folder (DATA/certs, DATA/crl)', () => {
  test('method 1 with a token holding only the organisation\'s certificate: the exported file verifies with the root alone', async () => {
    const data = join(work, 'desk');
    for (const d of ['trust', 'crl', 'certs']) mkdirSync(join(data, d), { recursive: true });
    copyFileSync(pki.rootPemPath, join(data, 'trust', 'root.pem'));
    copyFileSync(pki.crlDerPath, join(data, 'crl', 'sub-ca.crl'));
    copyFileSync(pki.rootCrlDerPath, join(data, 'crl', 'root.crl'));
    copyFileSync(pki.subCaPemPath, join(data, 'certs', 'sub-ca.pem'));
    const seal = join(work, 'seal.png');
    writeFileSync(seal, sealPng());
    const add = await kyso(['--data', data, 'doc', 'add', input, '--method', '1', '--json']);
    expect(add.status, add.stderr).toBe(0);
    const id = (JSON.parse(add.stdout) as { id: string }).id;
    const s = await kyso(['--data', data, 'doc', 'sign', id, '--as', 'org', '--token', 'ALONE-ORG', '--pin-env', 'KYSO_TEST_PIN', '--image', seal, '--json']);
    expect(s.status, s.stderr).toBe(0);
    expect(s.stderr).toBe('');
    const out = join(work, 'desk-export.pdf');
    const ex = await kyso(['--data', data, 'doc', 'export', id, '-o', out]);
    expect(ex.status, ex.stderr).toBe(0);
    expect(embedded(out)).toMatchObject({ certs: [pki.org.names.commonName, SUB_CA], crls: 2 });
    expectJudgedValid(out, nss, [pki.org.names.commonName]);
    expect(await verifyWithRootOnly(out)).toMatchObject({ indication: 'TOTAL_PASSED', chain: 'trusted' });
  });

  test('the desk refuses a revoked certificate before the token signs', async () => {
    const data = join(work, 'desk');
    const add = await kyso(['--data', data, 'doc', 'add', input, '--method', '1', '--json']);
    const id = (JSON.parse(add.stdout) as { id: string }).id;
    const seal = join(work, 'seal.png');
    const s = await kyso(['--data', data, 'doc', 'sign', id, '--as', 'org', '--token', 'ALONE-REVOKED', '--pin-env', 'KYSO_TEST_PIN', '--image', seal]);
    expect(s.status).toBe(1);
    expect(s.stderr).toContain('[CERT_REVOKED]');
    const show = await kyso(['--data', data, 'doc', 'show', id, '--json']);
    expect(JSON.parse(show.stdout)).toMatchObject({ state: 'draft', signatures: [] });
  });
});

describe('the app (the service table behind the screens) does the same', () => {
  test('a signer-only token with DATA/certs and DATA/crl: the file verifies with the root alone; a revoked certificate is refused; settings list the catalogue', async () => {
    // The token layer reads SOFTHSM2_CONF when it first loads the driver, in this process.
    process.env.SOFTHSM2_CONF = hsm.conf;
    process.env.XDG_CONFIG_HOME = join(work, 'app-config');
    const data = join(work, 'app');
    const { dispatch, services } = createApp({ dataDir: data, transport: 'web', version: 'test' });
    const call = async <T>(name: string, input: unknown): Promise<T> => {
      const r = (await dispatch(name, input)) as Result<T>;
      if (!r.ok) throw new Error(`${name}: ${JSON.stringify(r.error)}`);
      return r.value;
    };
    try {
      services.settings.update({ modulePath: hsm.module });
      services.settings.addTrustAnchor('root.pem', readFileSync(pki.rootPemPath));
      services.settings.addCrl('sub-ca.crl', pki.crlDer);
      services.settings.addCrl('root.crl', readFileSync(pki.rootCrlDerPath));
      mkdirSync(join(data, 'certs'), { recursive: true });
      copyFileSync(pki.subCaPemPath, join(data, 'certs', 'sub-ca.pem'));
      for (const label of ['ALONE-ORG', 'ALONE-REVOKED']) services.settings.setImage(label, 'seal', 'seal.png', sealPng());

      const doc = await services.desk().addDocument({ path: input, method: 1 });
      const signed = await call<DocumentSummary>('documents.sign', { id: doc.id, role: 'org', token: { label: 'ALONE-ORG' }, pin: USER_PIN, image: 'seal' });
      expect(signed.state).toBe('issued');
      expect(signed.warnings).toBeUndefined();
      const file = services.desk().documentPath(doc.id);
      expect(embedded(file)).toMatchObject({ certs: [pki.org.names.commonName, SUB_CA], crls: 2 });
      expectJudgedValid(file, nss, [pki.org.names.commonName]);
      expect(await verifyWithRootOnly(file)).toMatchObject({ indication: 'TOTAL_PASSED', chain: 'trusted' });

      const other = await services.desk().addDocument({ path: input, method: 1 });
      const refused = (await dispatch('documents.sign', { id: other.id, role: 'org', token: { label: 'ALONE-REVOKED' }, pin: USER_PIN, image: 'seal' })) as Result<DocumentSummary>;
      expect(refused).toMatchObject({ ok: false, error: { code: 'CERT_REVOKED' } });
      expect(services.desk().getDocument(other.id)).toMatchObject({ state: 'draft', signatures: [] });

      // Without the sub-CA's CRL the step is signed, and the screen is told why the status is unknown.
      services.settings.removeCrl('sub-ca.crl');
      const third = await services.desk().addDocument({ path: input, method: 1 });
      const warned = await call<DocumentSummary>('documents.sign', { id: third.id, role: 'org', token: { label: 'ALONE-ORG' }, pin: USER_PIN, image: 'seal' });
      expect(warned.state).toBe('issued');
      expect(warned.warnings).toEqual([
        { vi: expect.stringContaining(`Chưa kiểm tra được tình trạng thu hồi của chứng thư số của người ký "${pki.org.names.commonName}"`), en: expect.stringContaining(`The revocation status of the signer's certificate '${pki.org.names.commonName}' could not be checked`) },
      ]);

      const settings = await call<Settings>('settings.get', {});
      expect(settings.catalogue.map((c) => [c.id, c.trusted])).toContainEqual(['vgca-g2-root', false]);
      expect(settings.catalogue).toHaveLength(8);
      process.env.KYSO_CA_BASE_URL = `${base}/official`;
      const fetched = await call<Settings>('settings.trustCatalogue', { id: 'vgca-g2-root' });
      expect(fetched.catalogue.find((c) => c.id === 'vgca-g2-root')).toMatchObject({ trusted: true, url: `${base}/official/ca.gov.vn/pki/pub/crt/rootcag2.crt` });
      process.env.KYSO_CA_BASE_URL = `${base}/impostor`;
      expect(await dispatch('settings.trustCatalogue', { id: 'vgca-g2-state' })).toMatchObject({ ok: false, error: { code: 'TRUST_FINGERPRINT_MISMATCH' } });
      expect((await call<Settings>('settings.get', {})).catalogue.find((c) => c.id === 'vgca-g2-state')!.trusted).toBe(false);
    } finally {
      delete process.env.KYSO_CA_BASE_URL;
      services.close();
    }
  });
});

describe('the catalogue of Vietnamese CA certificates', () => {
  const fp = (file: string): string => createHash('sha256').update(Buffer.from(readFileSync(join(REAL, file), 'latin1').replace(/-----[^-]+-----|\s+/g, ''), 'base64')).digest('hex');

  test('lists names, official addresses and the fingerprints of ../shared/real/certs', async () => {
    const r = await kyso(['trust', 'list', '--json'], { KYSO_CA_BASE_URL: '' }, 'catalogue-list');
    expect(r.status, r.stderr).toBe(0);
    const list = (JSON.parse(r.stdout) as { authorities: Array<{ id: string; name: string; url: string; sha256: string; trusted: boolean }> }).authorities;
    const listed = readFileSync(join(REAL, 'SHA256-DER-FINGERPRINTS.txt'), 'utf8').trim().split('\n').map((l) => l.split(/\s+/)[0]);
    expect(list.map((e) => e.sha256).sort()).toEqual([...listed].sort());
    expect(list.find((e) => e.id === 'vgca-g2-root')).toMatchObject({ name: 'RootCA chuyên dùng Chính phủ G2', url: 'http://ca.gov.vn/pki/pub/crt/rootcag2.crt', trusted: false });
    expect(list.every((e) => /^https?:\/\/(ca\.gov\.vn\/pki\/pub\/|rootca\.gov\.vn\/)/.test(e.url))).toBe(true);
    expect(list.find((e) => e.id === 'vgca-g2-state')!.sha256).toBe(fp('vgca-g2_cpcag2_ca-phuc-vu-cac-co-quan-nha-nuoc-g2.pem'));
  });

  test('fetched from the (stand-in) official address when the fingerprint matches; an impostor\'s file is refused', async () => {
    const ok = await kyso(['trust', 'fetch', 'vgca-g2-root', 'vgca-g2-state', '--json'], {}, 'catalogue');
    expect(ok.status, ok.stderr).toBe(0);
    expect(JSON.parse(ok.stdout)).toEqual({ accepted: ['vgca-g2-root', 'vgca-g2-state'], failed: [] });
    expect(hits).toContain('/official/ca.gov.vn/pki/pub/crt/rootcag2.crt');

    const bad = await kyso(['trust', 'fetch', 'vgca-g1-root'], { KYSO_CA_BASE_URL: `${base}/impostor` }, 'catalogue');
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/^Lỗi \[TRUST_FINGERPRINT_MISMATCH\]: .+ \| Error: The certificate downloaded for "Co quan chung thuc so chuyen dung Chinh phu \(RootCA\)" .+ is not the official one/);

    const list = await kyso(['trust', 'list', '--json'], {}, 'catalogue');
    const state = Object.fromEntries((JSON.parse(list.stdout) as { authorities: Array<{ id: string; trusted: boolean }> }).authorities.map((e) => [e.id, e.trusted]));
    expect(state).toMatchObject({ 'vgca-g2-root': true, 'vgca-g2-state': true, 'vgca-g1-root': false, 'vn-national-root': false });
  });

  test('imported from a file (PEM, or a PKCS#7 bundle) only when listed; a certificate not in the catalogue is refused', async () => {
    const p7b = join(work, 'vnrca256.p7b');
    runTool('openssl', ['crl2pkcs7', '-nocrl', '-certfile', join(REAL, 'neac_vnrca256_vietnam-national-root-ca.pem'), '-outform', 'DER', '-out', p7b]);
    const r = await kyso(['trust', 'import', join(REAL, 'vnpt-ca-sha2.pem'), p7b, '--json'], {}, 'catalogue-import');
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ accepted: ['vnpt-ca-sha2', 'vn-national-root'] });
    const no = await kyso(['trust', 'import', pki.rootPemPath], {}, 'catalogue-import');
    expect(no.status).toBe(1);
    expect(no.stderr).toContain('[TRUST_NOT_IN_CATALOGUE]');
  });

  test('signing online fetches the catalogue certificates its issuer names on first use; a certificate only claiming that issuer is still not trusted', async () => {
    process.env.XDG_CONFIG_HOME = join(work, 'first-use-config');
    process.env.KYSO_CA_BASE_URL = `${base}/official`;
    try {
      // A certificate that names "CA phục vụ các cơ quan Nhà nước G2" as its issuer, signed by our own test key.
      const realSubCa = pkijs.Certificate.fromBER(Buffer.from(readFileSync(join(REAL, OFFICIAL['ca.gov.vn/pki/pub/crt/cpcag2.crt']!), 'latin1').replace(/-----[^-]+-----|\s+/g, ''), 'base64'));
      const cert = new pkijs.Certificate();
      cert.version = 2;
      cert.serialNumber = new asn1js.Integer({ value: 0x4b59534f });
      cert.issuer = realSubCa.subject;
      cert.subject.typesAndValues.push(new pkijs.AttributeTypeAndValue({ type: '2.5.4.3', value: new asn1js.Utf8String({ value: 'Giả danh G2' }) }));
      cert.notBefore.value = new Date(Date.now() - 86_400_000);
      cert.notAfter.value = new Date(Date.now() + 30 * 86_400_000);
      cert.subjectPublicKeyInfo = pkijs.PublicKeyInfo.fromBER(pki.leader.publicKey.export({ type: 'spki', format: 'der' }));
      const key = await webcrypto.subtle.importKey('pkcs8', pki.subCa.privateKey.export({ type: 'pkcs8', format: 'der' }), { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' }, false, ['sign']);
      await cert.sign(key as unknown as CryptoKey, 'SHA-256');
      const der = Buffer.from(cert.toSchema(true).toBER(false));

      const before = hits.length;
      const r = await checkSignerCertificate({ certificate: der, tokenChain: [], trust: { anchors: [] }, online: true, onlineRevocation: false, cacheDir: join(work, 'first-use-cache') });
      expect(hits.slice(before)).toEqual(['/official/ca.gov.vn/pki/pub/crt/cpcag2.crt', '/official/ca.gov.vn/pki/pub/crt/rootcag2.crt']);
      const state = Object.fromEntries(catalogueState().map((e) => [e.id, e.trusted]));
      expect(state).toMatchObject({ 'vgca-g2-state': true, 'vgca-g2-root': true, 'vgca-g1-root': false });
      // The path reaches the G2 root, but the sub-CA's key never signed this certificate.
      expect(r.status).toBe('untrusted');
      expect(r.warnings.find((w) => w.code === 'CHAIN_UNTRUSTED')?.en).toContain('CA_SIGNATURE_INVALID');
    } finally {
      delete process.env.KYSO_CA_BASE_URL;
    }
  });

  test('a real VGCA-signed file that embeds only the signer\'s certificate chains to the G1 root once the catalogue is fetched', async () => {
    const real = join(repoRoot(), '..', 'shared', 'real', 'pdf', 'vgca-g1_bo-tttt_guide-install-openvpn.signed.pdf');
    const before = await kyso(['verify', real, '--offline', '--json'], {}, 'catalogue-g1');
    expect((JSON.parse(before.stdout) as { signatures: Array<{ chain: string }> }).signatures[0]!.chain).not.toBe('trusted');
    const f = await kyso(['trust', 'fetch', 'vgca-g1-root', 'vgca-g1-government'], {}, 'catalogue-g1');
    expect(f.status, f.stderr).toBe(0);
    const after = await kyso(['verify', real, '--offline', '--json'], {}, 'catalogue-g1');
    const sig = (JSON.parse(after.stdout) as { signatures: Array<{ chain: string; details: { chainPath: string[] } }> }).signatures[0]!;
    expect(sig.chain).toBe('trusted');
    expect(sig.details.chainPath.at(-1)).toContain('Co quan chung thuc so chuyen dung Chinh phu (RootCA)');
  });
});
