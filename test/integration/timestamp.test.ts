// Signature timestamps (PAdES B-T): Kyso asks a time-stamping authority for a token over the
// signature value and puts it in the CMS; the verifier then judges the certificate at the TSA's
// time. The TSA here is not ours: `openssl ts -reply` behind a small http server on 127.0.0.1,
// with a TSA certificate (EKU timeStamping) issued by the test sub-CA.
import { spawnSync } from 'node:child_process';
import { createHash, X509Certificate } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { SoftwareSigner } from '../../src/main/cms/signer.js';
import { signPdf, timestampPdf } from '../../src/main/sign/sign.js';
import { tsaDigestTimestamper, tsaTimestamper, type Timestamper } from '../../src/main/sign/timestamp.js';
import { loadTrustStore } from '../../src/main/verify/chain.js';
import { verifyPdf } from '../../src/main/verify/verify.js';
import { isKysoError, type KysoError } from '../../src/shared/errors.js';
import { corpusFile, sharedCorpus } from '../fixtures/corpus.js';
import { expectJudgedValid } from '../fixtures/expect.js';
import { makeNssDb, pdfsig, qpdfCheck } from '../fixtures/judges.js';
import { sharedTestPki } from '../fixtures/pki.js';
import { cloneSoftHsm, sharedSoftHsm, type SoftHsm } from '../fixtures/softhsm.js';
import { makeTempDir, removeTempDir, repoRoot } from '../fixtures/tmp.js';
import { runAsync, runTool } from '../fixtures/tools.js';

const pki = await sharedTestPki();
const corpus = await sharedCorpus(pki);
const YEAR = 365 * 24 * 3600 * 1000;

let work: string;
let server: http.Server;
let base = '';
let tsaCnf: string;
const requests: string[] = [];
let hsm: SoftHsm;
let nss: string;

/** `openssl ts -reply` on a request: the TSA's answer (TimeStampResp), as a real TSA gives it. */
function opensslReply(query: Buffer): Buffer {
  const id = `${Date.now()}-${Math.random().toString(36).slice(2)}`;
  const q = join(work, `q-${id}.tsq`);
  const r = join(work, `r-${id}.tsr`);
  writeFileSync(q, query);
  runTool('openssl', ['ts', '-reply', '-config', tsaCnf, '-section', 'kyso_tsa', '-queryfile', q, '-out', r]);
  return readFileSync(r);
}

/** A TimeStampResp with status rejection (2) and a reason, as a TSA refusing a policy sends. */
function rejection(text: string): Buffer {
  const status = new asn1js.Sequence({ value: [new asn1js.Integer({ value: 2 }), new asn1js.Sequence({ value: [new asn1js.Utf8String({ value: text })] })] });
  return Buffer.from(new asn1js.Sequence({ value: [status] }).toBER(false));
}

let replayed: Buffer | undefined;

beforeAll(async () => {
  work = makeTempDir('timestamp');
  // A private copy of the tokens: other test files sign with the shared ones at the same time.
  hsm = cloneSoftHsm(sharedSoftHsm(pki), join(work, 'softhsm'));
  nss = makeNssDb(join(work, 'nss'), [pki.root.certPem]);
  // The TSA's key and certificate: P-256, EKU timeStamping (critical), issued by the sub-CA for four
  // years: a document timestamp proves its time only while its TSA's certificate holds (or a later
  // timestamp covers it), and the tests below look a year past the signers' two-year certificates.
  const key = join(work, 'tsa.key.pem');
  const csr = join(work, 'tsa.csr');
  const cert = join(work, 'tsa.cert.pem');
  const ext = join(work, 'tsa-ext.cnf');
  writeFileSync(ext, ['basicConstraints = CA:FALSE', 'keyUsage = critical, digitalSignature, nonRepudiation', 'extendedKeyUsage = critical, timeStamping',
    'subjectKeyIdentifier = hash', 'authorityKeyIdentifier = keyid:always'].join('\n'));
  runTool('openssl', ['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', key, '-out', csr,
    '-subj', '/C=VN/O=Kyso Thử nghiệm/CN=Dịch vụ cấp dấu thời gian (thử nghiệm)', '-utf8']);
  runTool('openssl', ['x509', '-req', '-in', csr, '-CA', pki.subCa.certPath, '-CAkey', pki.subCa.keyPath, '-set_serial', '0x4b59534f5453', '-days', '1460',
    '-sha256', '-extfile', ext, '-out', cert]);
  writeFileSync(join(work, 'tsaserial'), '01\n');
  tsaCnf = join(work, 'tsa.cnf');
  writeFileSync(tsaCnf, [
    '[ kyso_tsa ]',
    `serial = ${join(work, 'tsaserial')}`,
    'crypto_device = builtin',
    `signer_cert = ${cert}`,
    `certs = ${pki.subCa.certPath}`,
    `signer_key = ${key}`,
    'signer_digest = sha256',
    'default_policy = 1.3.6.1.4.1.59534.1.1',
    'digests = sha256, sha384, sha512',
    'accuracy = secs:1',
    'ordering = yes',
    'tsa_name = yes',
    'ess_cert_id_chain = no',
    'ess_cert_id_alg = sha256',
  ].join('\n') + '\n');

  server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      requests.push(`${req.method} ${req.url} ${req.headers['content-type']}`);
      const query = Buffer.concat(chunks);
      const reply = (body: Buffer) => res.writeHead(200, { 'Content-Type': 'application/timestamp-reply' }).end(body);
      if (req.method !== 'POST') res.writeHead(405).end();
      else if (req.url === '/tsa') reply(opensslReply(query));
      else if (req.url === '/refuse') reply(rejection('chính sách không được chấp nhận'));
      else if (req.url === '/replay') {
        // Answers every request with the first answer it ever gave: a token for other data.
        replayed ??= opensslReply(query);
        reply(replayed);
      } else if (req.url === '/garbage') reply(Buffer.from('<html>Service Unavailable</html>'));
      else res.writeHead(404).end();
    });
  });
  base = await new Promise<string>((resolve) => server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)));
});

afterAll(async () => {
  await new Promise((r) => server?.close(r));
  removeTempDir(work);
});

const leaderNotAfter = (): number => Date.parse(new X509Certificate(pki.leader.certDer).validTo);
const leader = () => new SoftwareSigner(pki.leader.privateKey, pki.leader.certDer, [pki.subCa.certDer]);
const trust = () => loadTrustStore([pki.rootPemPath]);
const evidence = () => ({ crls: [pki.crlDer, readFileSync(pki.rootCrlDerPath)] });

/** `kyso ARGS` with the private tokens, asynchronously: the TSA answering it lives in this process. */
function kysoAsync(args: string[]): Promise<{ status: number; stdout: string; stderr: string }> {
  return runAsync(join(repoRoot(), 'bin', 'kyso'), args, { ...process.env, ...hsm.env, KYSO_PKCS11_MODULE: hsm.module, KYSO_TEST_PIN: hsm.tokens.ORG.pin });
}

async function signWith(name: string, timestamp?: Timestamper): Promise<string> {
  const output = join(work, name);
  await signPdf({ input: corpusFile(corpus, 'gs-14').path, output, signer: leader(), timestamp });
  return output;
}

describe('signing with a timestamp', () => {
  let stamped: string;
  let plain: string;

  beforeAll(async () => {
    stamped = await signWith('stamped.pdf', tsaTimestamper({ url: `${base}/tsa` }));
    plain = await signWith('plain.pdf');
  });

  test('the TSA is asked once, as RFC 3161 says (POST application/timestamp-query)', () => {
    expect(requests.filter((r) => r.startsWith('POST /tsa '))).toEqual([`POST /tsa application/timestamp-query`]);
  });

  test('the file is judged valid by pdfsig and qpdf, and its token by openssl ts -verify', () => {
    expectJudgedValid(stamped, nss, [pki.leader.names.commonName]);
    // The token, cut out of the CMS, stamps the signature value: openssl checks the imprint, the
    // TSA's signature and its certificate path (sub-CA + root).
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', `
      import { readFileSync, writeFileSync } from 'node:fs';
      import * as asn1js from 'asn1js';
      import * as pkijs from 'pkijs';
      const pdf = readFileSync(process.argv[1], 'latin1');
      const hex = /\\/Contents <([0-9a-fA-F]+)>/.exec(pdf)[1];
      const der = Buffer.from(hex, 'hex');
      const ci = new pkijs.ContentInfo({ schema: asn1js.fromBER(der.buffer.slice(der.byteOffset, der.byteOffset + der.byteLength)).result });
      const si = new pkijs.SignedData({ schema: ci.content }).signerInfos[0];
      const token = si.unsignedAttrs.attributes.find((a) => a.type === '1.2.840.113549.1.9.16.2.14').values[0];
      writeFileSync(process.argv[2], Buffer.from(token.valueBeforeDecodeView));
      writeFileSync(process.argv[3], Buffer.from(si.signature.valueBlock.valueHexView));
    `, stamped, join(work, 'token.der'), join(work, 'sigvalue.bin')], { encoding: 'utf8', cwd: repoRoot() });
    expect(r.status, r.stderr).toBe(0);
    const chain = join(work, 'chain.pem');
    writeFileSync(chain, readFileSync(pki.subCa.certPath, 'utf8') + readFileSync(pki.rootPemPath, 'utf8'));
    const v = runTool('openssl', ['ts', '-verify', '-data', join(work, 'sigvalue.bin'), '-in', join(work, 'token.der'), '-token_in', '-CAfile', chain]);
    expect(v.stdout).toContain('Verification: OK');
  });

  test('kyso verify judges the signer at the TSA time, names the TSA, and passes', () => {
    const r = spawnSync(join(repoRoot(), 'bin', 'kyso'), ['verify', stamped, '--json', '--offline', '--trust', pki.rootPemPath, '--crl', pki.crlDerPath, '--crl', pki.rootCrlDerPath], {
      encoding: 'utf8',
      env: { ...process.env, KYSO_TRUST: '', XDG_CONFIG_HOME: join(work, 'config'), XDG_CACHE_HOME: join(work, 'cache') },
    });
    expect(r.status, r.stderr).toBe(0);
    const s = (JSON.parse(r.stdout) as { signatures: Array<Record<string, unknown> & { details: { timestamp: { time: string; tsa: string; valid: boolean } } }> }).signatures[0]!;
    expect(s).toMatchObject({ indication: 'TOTAL_PASSED', signedAtSource: 'timestamp', certificate: 'valid', chain: 'trusted' });
    expect(s.details.timestamp).toMatchObject({ tsa: 'Dịch vụ cấp dấu thời gian (thử nghiệm)', valid: true });
    expect(Math.abs(Date.parse(s.details.timestamp.time) - Date.now())).toBeLessThan(10 * 60_000);
    expect(s.signedAt).toBe(s.details.timestamp.time);
    expect((s.messages as { vi: string }).vi).toContain('theo dấu thời gian');
  });

  test('two years on, the signer certificate has expired: with the timestamp it still passes, without it there is no proof', async () => {
    const later = new Date(leaderNotAfter() + YEAR);
    const withTs = await verifyPdf(stamped, { trust: trust(), ...evidence(), now: later });
    expect(withTs.signatures[0]).toMatchObject({ indication: 'TOTAL_PASSED', signedAtSource: 'timestamp' });
    const without = await verifyPdf(plain, { trust: trust(), ...evidence(), now: later });
    expect(without.signatures[0]).toMatchObject({ signedAtSource: 'claimed', indication: 'INDETERMINATE', subIndication: 'OUT_OF_BOUNDS_NO_POE' });
  });

  test('a token that stamps other data is not believed: the claimed time is used, and said so', async () => {
    // A TSA client that stamps the wrong bytes (what a broken or hostile client would embed).
    const real = tsaTimestamper({ url: `${base}/tsa` });
    const wrong: Timestamper = (value) => real(Buffer.concat([value, Buffer.from('x')]));
    const f = await signWith('wrong-token.pdf', wrong);
    const now = await verifyPdf(f, { trust: trust(), ...evidence() });
    expect(now.signatures[0]).toMatchObject({ signedAtSource: 'claimed', indication: 'TOTAL_PASSED' });
    expect(now.signatures[0]!.details.warnings).toContain(
      'the signature timestamp does not verify: its message imprint is not the digest of the signature value (it stamps something else); the claimed signing time is used',
    );
    expect(now.signatures[0]!.details.timestamp).toMatchObject({ valid: false });
    const later = await verifyPdf(f, { trust: trust(), ...evidence(), now: new Date(leaderNotAfter() + YEAR) });
    expect(later.signatures[0]).toMatchObject({ indication: 'INDETERMINATE', subIndication: 'OUT_OF_BOUNDS_NO_POE' });
  });
});

describe('only a time-stamping authority proves a time', () => {
  test("a token the signer made with his own certificate (no timeStamping usage) is not believed", async () => {
    // A well-formed token (TSTInfo over the signature value, CMS by openssl) signed with the
    // leader's own key: what a signer would make to backdate a signature.
    const ownToken: Timestamper = async (value) => {
      const info = new pkijs.TSTInfo({
        version: 1,
        policy: '1.3.6.1.4.1.59534.1.1',
        messageImprint: new pkijs.MessageImprint({
          hashAlgorithm: new pkijs.AlgorithmIdentifier({ algorithmId: '2.16.840.1.101.3.4.2.1' }),
          hashedMessage: new asn1js.OctetString({ valueHex: new Uint8Array(createHash('sha256').update(value).digest()) }),
        }),
        serialNumber: new asn1js.Integer({ value: 7 }),
        genTime: new Date(),
      });
      const input = join(work, 'own-tstinfo.der');
      const out = join(work, 'own-token.der');
      writeFileSync(input, Buffer.from(info.toSchema().toBER(false)));
      runTool('openssl', ['cms', '-sign', '-nodetach', '-binary', '-nosmimecap', '-md', 'sha256', '-econtent_type', '1.2.840.113549.1.9.16.1.4', '-in', input,
        '-signer', pki.leader.certPath, '-inkey', pki.leader.keyPath, '-certfile', pki.subCa.certPath, '-outform', 'DER', '-out', out]);
      return readFileSync(out);
    };
    const f = await signWith('own-token.pdf', ownToken);
    const later = await verifyPdf(f, { trust: trust(), ...evidence(), now: new Date(leaderNotAfter() + YEAR) });
    expect(later.signatures[0]).toMatchObject({ signedAtSource: 'claimed', indication: 'INDETERMINATE', subIndication: 'OUT_OF_BOUNDS_NO_POE' });
    expect(later.signatures[0]!.details.timestamp).toMatchObject({ valid: false });
    expect(later.signatures[0]!.details.warnings.join('\n')).toMatch(/the signature timestamp does not verify: the TSA certificate \(.+\) is not a time-stamping certificate \(extended key usage\); the claimed signing time is used/);
  });
});

describe('document timestamps (PAdES, ETSI.RFC3161): an archive keeps a record provable', () => {
  let signed: string;
  let stamped: string;

  beforeAll(async () => {
    signed = await signWith('for-archive.pdf');
    stamped = join(work, 'archived.pdf');
    const r = await timestampPdf({ input: signed, output: stamped, tsa: tsaDigestTimestamper({ url: `${base}/tsa` }) });
    expect(r.fieldName).toBe('Timestamp1');
  });

  test('qpdf passes the file; pdfsig still finds the signature valid and sees the timestamp cover the file', () => {
    expect(qpdfCheck(stamped).ok).toBe(true);
    const rep = pdfsig(stamped, nss);
    expect(rep.signatures[0]).toMatchObject({ signatureValidation: 'Signature is Valid.', certificateValidation: 'Certificate is Trusted.' });
    // Poppler 22 does not check ETSI.RFC3161 timestamps ("Signature Type: unknown", not verified),
    // but reads the token's signer and the byte ranges.
    expect(rep.signatures[1]).toMatchObject({ signerName: 'Dịch vụ cấp dấu thời gian (thử nghiệm)', totalDocumentSigned: true });
  });

  test('kyso verify: the signature passes ("signatures" added after it), the timestamp passes and covers the whole file', () => {
    const r = spawnSync(join(repoRoot(), 'bin', 'kyso'), ['verify', stamped, '--json', '--offline', '--trust', pki.rootPemPath, '--crl', pki.crlDerPath, '--crl', pki.rootCrlDerPath], {
      encoding: 'utf8',
      env: { ...process.env, KYSO_TRUST: '', XDG_CONFIG_HOME: join(work, 'config'), XDG_CACHE_HOME: join(work, 'cache') },
    });
    expect(r.status, r.stderr).toBe(0);
    const sigs = (JSON.parse(r.stdout) as { signatures: Array<Record<string, unknown>> }).signatures;
    expect(sigs.map((x) => [x.kind, x.subFilter, x.modificationsAfter, x.coversWholeDocument, x.indication])).toEqual([
      ['signature', 'ETSI.CAdES.detached', 'signatures', false, 'TOTAL_PASSED'],
      ['document-timestamp', 'ETSI.RFC3161', 'none', true, 'TOTAL_PASSED'],
    ]);
    expect(sigs[1]).toMatchObject({ signer: { commonName: 'Dịch vụ cấp dấu thời gian (thử nghiệm)' }, signedAtSource: 'timestamp' });
    // Today the signature is judged at the document timestamp's time: it existed then.
    expect(sigs[0]).toMatchObject({ signedAtSource: 'document-timestamp', signedAt: sigs[1]!.signedAt });
  });

  test('a year after the signer\'s certificate expired, the document timestamp still proves the signature', async () => {
    const later = new Date(leaderNotAfter() + YEAR);
    const archived = await verifyPdf(stamped, { trust: trust(), ...evidence(), now: later });
    expect(archived.signatures.map((x) => [x.kind, x.indication, x.signedAtSource])).toEqual([
      ['signature', 'TOTAL_PASSED', 'document-timestamp'],
      ['document-timestamp', 'TOTAL_PASSED', 'timestamp'],
    ]);
    expect(archived.signatures[0]!.messages.vi).toContain('theo dấu thời gian của văn bản');
    expect(archived.signatures[1]!.messages.vi).toMatch(/^Dấu thời gian văn bản 2 của Dịch vụ cấp dấu thời gian \(thử nghiệm\)/);
    expect(archived.signatures[1]!.messages.en).toMatch(/^Document timestamp 2 by /);
    const bare = await verifyPdf(signed, { trust: trust(), ...evidence(), now: later });
    expect(bare.signatures[0]).toMatchObject({ indication: 'INDETERMINATE', subIndication: 'OUT_OF_BOUNDS_NO_POE' });
  });

  test('a byte changed under both: each fails on its digest', async () => {
    const bytes = readFileSync(stamped);
    const at = bytes.indexOf('/Type /Page') > 0 ? bytes.indexOf('/Type /Page') : bytes.indexOf('/Type/Page');
    bytes[at + 1] = 0x74; // "/Type" -> "/type": inside both signed ranges
    const f = join(work, 'archived-tampered.pdf');
    writeFileSync(f, bytes);
    const v = await verifyPdf(f, { trust: trust(), ...evidence() });
    expect(v.signatures.map((x) => [x.indication, x.subIndication])).toEqual([
      ['TOTAL_FAILED', 'HASH_FAILURE'],
      ['TOTAL_FAILED', 'HASH_FAILURE'],
    ]);
  });

  test('a token over other data is a failed timestamp, and proves nothing for the signature under it', async () => {
    const real = tsaDigestTimestamper({ url: `${base}/tsa` });
    const f = join(work, 'archived-wrong.pdf');
    await timestampPdf({ input: signed, output: f, tsa: (hash, digest) => real(hash, createHash(hash).update(digest).digest()) });
    const later = new Date(leaderNotAfter() + YEAR);
    const v = await verifyPdf(f, { trust: trust(), ...evidence(), now: later });
    expect(v.signatures.map((x) => [x.kind, x.indication, x.subIndication])).toEqual([
      ['signature', 'INDETERMINATE', 'OUT_OF_BOUNDS_NO_POE'],
      ['document-timestamp', 'TOTAL_FAILED', 'HASH_FAILURE'],
    ]);
  });

  test('kyso timestamp on the command line; without --tsa it is a usage error', async () => {
    const out = join(work, 'cli-archived.pdf');
    const r = await kysoAsync(['timestamp', signed, '-o', out, '--tsa', `${base}/tsa`, '--json']);
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ field: 'Timestamp1', output: out });
    const v = await verifyPdf(out, { trust: trust(), ...evidence() });
    expect(v.signatures.map((x) => x.indication)).toEqual(['TOTAL_PASSED', 'TOTAL_PASSED']);
    const bad = await kysoAsync(['timestamp', signed, '-o', join(work, 'never.pdf')]);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('[USAGE]');
    expect(existsSync(join(work, 'never.pdf'))).toBe(false);
  });
});

describe('a TSA that fails: a clear error and no file', () => {
  const cases: Array<[string, string, string]> = [
    ['refuses', '/refuse', 'TSA_REFUSED'],
    ['answers with a token for another request', '/replay', 'TSA_RESPONSE_INVALID'],
    ['answers with something else', '/garbage', 'TSA_RESPONSE_INVALID'],
    ['does not exist', '/nothing-here', 'TSA_UNAVAILABLE'],
  ];
  for (const [what, path, code] of cases) {
    test(`a TSA that ${what}: ${code}`, async () => {
      if (path === '/replay') await tsaTimestamper({ url: `${base}/replay` })(Buffer.from('first request'));
      const output = join(work, `failed-${code}-${path.slice(1)}.pdf`);
      const e = await signPdf({ input: corpusFile(corpus, 'gs-14').path, output, signer: leader(), timestamp: tsaTimestamper({ url: `${base}${path}` }) }).catch((x: unknown) => x);
      expect(isKysoError(e) ? e.code : String(e)).toBe(code);
      expect((e as KysoError).details.url).toBe(`${base}${path}`);
      expect(existsSync(output)).toBe(false);
      expect(readdirSync(work).filter((n) => n.startsWith(`failed-${code}`))).toEqual([]);
    });
  }
});

describe('kyso sign --tsa', () => {
  test('the organisation token signs with a timestamp; the file verifies at the TSA time', async () => {
    const out = join(work, 'cli-stamped.pdf');
    const r = await kysoAsync(['sign', corpusFile(corpus, 'gs-17').path, '-o', out, '--token', 'KYSO-ORG', '--pin-env', 'KYSO_TEST_PIN', '--tsa', `${base}/tsa`, '--json']);
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ timestamped: true });
    expectJudgedValid(out, nss, [pki.org.names.commonName]);
    const v = await verifyPdf(out, { trust: trust(), ...evidence() });
    expect(v.signatures[0]).toMatchObject({ indication: 'TOTAL_PASSED', signedAtSource: 'timestamp' });
  });

  test('a TSA that refuses: one line in both languages, exit 1, no file', async () => {
    const out = join(work, 'cli-refused.pdf');
    const r = await kysoAsync(['sign', corpusFile(corpus, 'gs-17').path, '-o', out, '--token', 'KYSO-ORG', '--pin-env', 'KYSO_TEST_PIN', '--tsa', `${base}/refuse`]);
    expect(r.status).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('[TSA_REFUSED]');
    expect(r.stderr).toContain('Máy chủ dấu thời gian');
    expect(r.stderr).toContain('chính sách không được chấp nhận');
    expect(existsSync(out)).toBe(false);
  });

  test('--tsa must be an http(s) address', async () => {
    const r = await kysoAsync(['sign', corpusFile(corpus, 'gs-17').path, '-o', join(work, 'x.pdf'), '--token', 'KYSO-ORG', '--pin-env', 'KYSO_TEST_PIN', '--tsa', 'ca.gov.vn/tsa']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('[USAGE]');
  });
});
