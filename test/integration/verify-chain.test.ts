// Certificate path validation and revocation (src/main/verify/chain.ts, revocation.ts) against the
// shared test PKI. Extra certificates, CRLs and OCSP responses are made here with the openssl CLI
// (`openssl ca`, `openssl ocsp`) in a private copy of the PKI's CA databases, so the evidence comes
// from a tool that is not ours. The online tests run an http server on 127.0.0.1 only.
import { X509Certificate } from 'node:crypto';
import { cpSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { loadTrustStore, validateCertificate, type ValidateOptions } from '../../src/main/verify/chain.js';
import { httpFetch } from '../../src/main/verify/revocation-http.js';
import { checkRevocation, type RevocationSources } from '../../src/main/verify/revocation.js';
import { sharedTestPki, type TestPki } from '../fixtures/pki.js';
import { makeTempDir, removeTempDir } from '../fixtures/tmp.js';
import { runTool } from '../fixtures/tools.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

let pki: TestPki;
let work: string;
let subDb: string; // private copy of the sub-CA's `openssl ca` directory
let extCnf: string;

interface Issued {
  der: Buffer;
  pem: string;
  certPath: string;
  keyPath: string;
}

/** Evidence made in beforeAll. */
const ev = {} as {
  subCrl: Buffer; // sub-CA CRL made after our own certificates were issued and one revoked
  rootCrl: Buffer; // root CRL, nothing revoked
  rootCrlSubRevoked: Buffer; // root CRL listing the sub-CA
  ocspLeaderGood: Buffer;
  ocspRevoked: Buffer;
  ocspDelegatedGood: Buffer;
  ocspUnauthorised: Buffer;
  ocspDrafter: Buffer;
  ocspLeaderNoCerts: Buffer;
  ocspLeaderByKeySha256: Buffer;
  subCrlPss: Buffer;
};
const certs = {} as Record<
  'expiredNow' | 'onlineGood' | 'onlineRevoked' | 'crlOnly' | 'ocspBroken' | 'hang' | 'responder' | 'notResponder' |
  'subSub' | 'underSubSub' | 'underLeader',
  Issued
>;
let fakeSubCa: Buffer; // sub-CA's name and key identifier, another key, self-signed

// --- local servers ---------------------------------------------------------------------------

const hits = { crl: 0, ocsp: 0, broken: 0 };
let live: http.Server;
let livePort = 0;
let hang: net.Server;
let hangPort = 0;
const hangSockets = new Set<net.Socket>();

/** Answers an OCSP request the way a CA's responder would: `openssl ocsp` over the CA database. */
function ocspRespond(request: Buffer): Buffer {
  const id = `${Date.now()}-${Math.random().toString(36).slice(2)}`;
  const reqPath = join(work, `req-${id}.der`);
  const respPath = join(work, `resp-${id}.der`);
  writeFileSync(reqPath, request);
  runTool('openssl', ['ocsp', '-index', join(subDb, 'index.txt'), '-CA', pki.subCa.certPath, '-rsigner', pki.subCa.certPath,
    '-rkey', pki.subCa.keyPath, '-reqin', reqPath, '-respout', respPath, '-ndays', '1']);
  return readFileSync(respPath);
}

function startLive(): Promise<void> {
  live = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.method === 'GET' && req.url === '/sub.crl') {
        hits.crl++;
        res.writeHead(200, { 'Content-Type': 'application/pkix-crl' }).end(ev.subCrl);
      } else if (req.method === 'POST' && req.url === '/ocsp') {
        hits.ocsp++;
        res.writeHead(200, { 'Content-Type': 'application/ocsp-response' }).end(ocspRespond(Buffer.concat(chunks)));
      } else if (req.url === '/slow.crl') {
        res.writeHead(200).write(ev.subCrl.subarray(0, 100)); // and the rest never comes
      } else if (req.url === '/broken') {
        hits.broken++;
        res.writeHead(500).end('responder down');
      } else {
        res.writeHead(404).end();
      }
    });
  });
  return new Promise((resolve) => live.listen(0, '127.0.0.1', () => {
    livePort = (live.address() as AddressInfo).port;
    resolve();
  }));
}

/** Accepts connections and never answers. */
function startHang(): Promise<void> {
  hang = net.createServer((s) => {
    hangSockets.add(s);
    s.on('close', () => hangSockets.delete(s));
    s.on('error', () => undefined);
  });
  return new Promise((resolve) => hang.listen(0, '127.0.0.1', () => {
    hangPort = (hang.address() as AddressInfo).port;
    resolve();
  }));
}

// --- issuing with openssl --------------------------------------------------------------------

function asn1Time(d: Date): string {
  return d.toISOString().replace(/[-:T]/g, '').slice(0, 14) + 'Z';
}

function extensionConfig(): string {
  const liveUrl = `http://127.0.0.1:${livePort}`;
  const hangUrl = `http://127.0.0.1:${hangPort}`;
  const leaf = ['basicConstraints = CA:FALSE', 'keyUsage = critical, digitalSignature, nonRepudiation',
    'subjectKeyIdentifier = hash', 'authorityKeyIdentifier = keyid:always'];
  const section = (name: string, lines: string[]) => `[ ${name} ]\n${lines.join('\n')}\n`;
  return [
    section('plain_ext', leaf),
    section('net_ext', [...leaf, `crlDistributionPoints = URI:${liveUrl}/sub.crl`, `authorityInfoAccess = OCSP;URI:${liveUrl}/ocsp`]),
    section('crl_only_ext', [...leaf, `crlDistributionPoints = URI:${liveUrl}/sub.crl`]),
    section('broken_ocsp_ext', [...leaf, `crlDistributionPoints = URI:${liveUrl}/sub.crl`, `authorityInfoAccess = OCSP;URI:${liveUrl}/broken`]),
    section('hang_ext', [...leaf, `crlDistributionPoints = URI:${hangUrl}/sub.crl`, `authorityInfoAccess = OCSP;URI:${hangUrl}/ocsp`]),
    section('responder_ext', ['basicConstraints = CA:FALSE', 'keyUsage = critical, digitalSignature',
      'extendedKeyUsage = OCSPSigning', 'subjectKeyIdentifier = hash', 'authorityKeyIdentifier = keyid:always']),
    section('subca_ext', ['basicConstraints = critical, CA:TRUE', 'keyUsage = critical, keyCertSign, cRLSign',
      'subjectKeyIdentifier = hash', 'authorityKeyIdentifier = keyid:always']),
  ].join('\n');
}

/** A fresh P-256 key and CSR (EC keys cost nothing to make). */
function newRequest(name: string): { csr: string; keyPath: string } {
  const keyPath = join(work, `${name}.key.pem`);
  const csr = join(work, `${name}.csr`);
  runTool('openssl', ['req', '-new', '-config', join(subDb, 'openssl.cnf'), '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256',
    '-nodes', '-keyout', keyPath, '-subj', `/C=VN/O=Kyso Verify Test/CN=${name}`, '-out', csr]);
  return { csr, keyPath };
}

function loadIssued(certPath: string, keyPath: string): Issued {
  const pem = readFileSync(certPath, 'utf8');
  return { der: Buffer.from(new X509Certificate(pem).raw), pem, certPath, keyPath };
}

/** A certificate from the sub-CA (through our copy of its `openssl ca` database). */
function issueFromSubCa(name: string, ext: string, from = new Date(Date.now() - HOUR), to = new Date(Date.now() + 30 * DAY)): Issued {
  const { csr, keyPath } = newRequest(name);
  const certPath = join(work, `${name}.cert.pem`);
  runTool('openssl', ['ca', '-config', join(subDb, 'openssl.cnf'), '-batch', '-notext', '-utf8', '-cert', pki.subCa.certPath,
    '-keyfile', pki.subCa.keyPath, '-in', csr, '-out', certPath, '-extfile', extCnf, '-extensions', ext,
    '-startdate', asn1Time(from), '-enddate', asn1Time(to)], { cwd: subDb });
  return loadIssued(certPath, keyPath);
}

/** A certificate from any certificate + key, CA or not (`openssl x509 -req` checks nothing). */
function issueFrom(name: string, issuerCert: string, issuerKey: string, ext: string): Issued {
  const { csr, keyPath } = newRequest(name);
  const certPath = join(work, `${name}.cert.pem`);
  runTool('openssl', ['x509', '-req', '-in', csr, '-CA', issuerCert, '-CAkey', issuerKey, '-set_serial', `0x${Date.now().toString(16)}`,
    '-days', '30', '-extfile', extCnf, '-extensions', ext, '-out', certPath]);
  return loadIssued(certPath, keyPath);
}

function crlOf(caDir: string, cert: string, key: string, name: string, extra: string[] = []): Buffer {
  const pem = join(work, `${name}.crl.pem`);
  runTool('openssl', ['ca', '-config', join(caDir, 'openssl.cnf'), '-batch', '-cert', cert, '-keyfile', key, '-gencrl',
    '-crldays', '30', '-out', pem, ...extra], { cwd: caDir });
  const der = join(work, `${name}.crl.der`);
  runTool('openssl', ['crl', '-in', pem, '-outform', 'DER', '-out', der]);
  return readFileSync(der);
}

function revokeInDb(caDir: string, caCert: string, caKey: string, certPath: string, reason: string): void {
  runTool('openssl', ['ca', '-config', join(caDir, 'openssl.cnf'), '-batch', '-cert', caCert, '-keyfile', caKey,
    '-revoke', certPath, '-crl_reason', reason], { cwd: caDir });
}

/** An OCSP response from `openssl ocsp` acting as responder over our sub-CA database. */
function ocspResponse(name: string, certPath: string, signer: { cert: string; key: string }, extra: string[] = []): Buffer {
  const out = join(work, `${name}.ocsp.der`);
  // `extra` goes before -cert: openssl reads a CertID digest option (-sha256) only there.
  runTool('openssl', ['ocsp', '-index', join(subDb, 'index.txt'), '-CA', pki.subCa.certPath, '-rsigner', signer.cert, '-rkey', signer.key,
    '-issuer', pki.subCa.certPath, ...extra, '-cert', certPath, '-respout', out, '-ndays', '7', '-noverify']);
  return readFileSync(out);
}

beforeAll(async () => {
  pki = await sharedTestPki();
  work = makeTempDir('verify-chain');
  subDb = join(work, 'ca-sub');
  cpSync(join(pki.dir, 'ca-sub'), subDb, { recursive: true });
  const rootDb = join(work, 'ca-root');
  cpSync(join(pki.dir, 'ca-root'), rootDb, { recursive: true });
  await startLive();
  await startHang();
  extCnf = join(work, 'ext.cnf');
  writeFileSync(extCnf, extensionConfig());

  const now = Date.now();
  certs.expiredNow = issueFromSubCa('expired-now', 'plain_ext', new Date(now - 3 * HOUR), new Date(now - HOUR));
  certs.onlineGood = issueFromSubCa('online-good', 'net_ext');
  certs.onlineRevoked = issueFromSubCa('online-revoked', 'net_ext');
  certs.crlOnly = issueFromSubCa('crl-only', 'crl_only_ext');
  certs.ocspBroken = issueFromSubCa('ocsp-broken', 'broken_ocsp_ext');
  certs.hang = issueFromSubCa('hang', 'hang_ext');
  certs.responder = issueFromSubCa('ocsp-responder', 'responder_ext');
  certs.notResponder = issueFromSubCa('not-a-responder', 'plain_ext');
  certs.subSub = issueFromSubCa('sub-sub-ca', 'subca_ext');
  certs.underSubSub = issueFrom('under-sub-sub', certs.subSub.certPath, certs.subSub.keyPath, 'plain_ext');
  certs.underLeader = issueFrom('under-leader', pki.leader.certPath, pki.leader.keyPath, 'plain_ext');
  revokeInDb(subDb, pki.subCa.certPath, pki.subCa.keyPath, certs.onlineRevoked.certPath, 'superseded');

  ev.subCrl = crlOf(subDb, pki.subCa.certPath, pki.subCa.keyPath, 'sub-live');
  ev.subCrlPss = crlOf(subDb, pki.subCa.certPath, pki.subCa.keyPath, 'sub-pss',
    ['-md', 'sha384', '-sigopt', 'rsa_padding_mode:pss', '-sigopt', 'rsa_pss_saltlen:48']);
  ev.rootCrl = crlOf(rootDb, pki.root.certPath, pki.root.keyPath, 'root');
  const rootDb2 = join(work, 'ca-root-2');
  cpSync(join(pki.dir, 'ca-root'), rootDb2, { recursive: true });
  revokeInDb(rootDb2, pki.root.certPath, pki.root.keyPath, pki.subCa.certPath, 'cACompromise');
  ev.rootCrlSubRevoked = crlOf(rootDb2, pki.root.certPath, pki.root.keyPath, 'root-sub-revoked');

  const bySubCa = { cert: pki.subCa.certPath, key: pki.subCa.keyPath };
  ev.ocspLeaderGood = ocspResponse('leader', pki.leader.certPath, bySubCa);
  ev.ocspLeaderNoCerts = ocspResponse('leader-no-certs', pki.leader.certPath, bySubCa, ['-resp_no_certs']);
  ev.ocspLeaderByKeySha256 = ocspResponse('leader-bykey', pki.leader.certPath, bySubCa, ['-resp_key_id', '-sha256']);
  ev.ocspRevoked = ocspResponse('revoked', pki.revoked.certPath, bySubCa);
  ev.ocspDrafter = ocspResponse('drafter', pki.drafter.certPath, bySubCa);
  ev.ocspDelegatedGood = ocspResponse('leader-delegated', pki.leader.certPath,
    { cert: certs.responder.certPath, key: certs.responder.keyPath });
  ev.ocspUnauthorised = ocspResponse('leader-unauthorised', pki.leader.certPath,
    { cert: certs.notResponder.certPath, key: certs.notResponder.keyPath });

  // The sub-CA certificate re-signed by a stranger's key: same subject, same SKI, other key.
  const fakeKey = join(work, 'fake.key.pem');
  runTool('openssl', ['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', fakeKey]);
  const fakePath = join(work, 'fake-sub-ca.pem');
  runTool('openssl', ['x509', '-in', pki.subCa.certPath, '-signkey', fakeKey, '-days', '30', '-out', fakePath]);
  fakeSubCa = Buffer.from(new X509Certificate(readFileSync(fakePath)).raw);
}, 120_000);

afterAll(async () => {
  for (const s of hangSockets) s.destroy();
  live?.closeAllConnections();
  await Promise.all([
    new Promise((r) => (live ? live.close(r) : r(undefined))),
    new Promise((r) => (hang ? hang.close(r) : r(undefined))),
  ]);
  if (work) removeTempDir(work);
});

// --- helpers ---------------------------------------------------------------------------------

function offline(crls: Buffer[] = [], ocsps: Buffer[] = []): RevocationSources {
  return { crls, ocsps, online: false };
}

/** Every CA-level CRL a leaf of the sub-CA needs to be fully "valid" offline. */
function allCrls(): Buffer[] {
  return [pki.crlDer, ev.rootCrl];
}

function opts(signer: Buffer, extra: Partial<ValidateOptions> = {}): ValidateOptions {
  return {
    signer,
    pool: [pki.subCa.certDer],
    trust: { anchors: [pki.root.certDer] },
    at: new Date(),
    revocation: offline(allCrls()),
    ...extra,
  };
}

/** The revocation date openssl prints for `serialHex` in a DER CRL. */
function crlRevocationDate(crl: Buffer, serialHex: string): Date {
  const path = join(work, `print-${serialHex}.crl.der`);
  writeFileSync(path, crl);
  const text = runTool('openssl', ['crl', '-in', path, '-inform', 'DER', '-noout', '-text']).stdout;
  const m = new RegExp(`Serial Number: ${serialHex}\\s+Revocation Date: ([^\\n]+)`, 'i').exec(text);
  if (!m) throw new Error(`serial ${serialHex} not in the CRL:\n${text}`);
  return new Date(m[1].trim());
}

// --- tests -----------------------------------------------------------------------------------

describe('trust store', () => {
  test('loads every certificate of PEM files', () => {
    const store = loadTrustStore([pki.rootPemPath, pki.chainPemPath]);
    // chain.pem holds the sub-CA then the root; the root is kept once.
    expect(store.anchors.map((d) => d.toString('hex'))).toEqual(
      [pki.root.certDer, pki.subCa.certDer].map((d) => d.toString('hex')),
    );
  });
});

describe('path building', () => {
  test('leader + sub-CA in the pool + root anchor, CRLs of both CAs: trusted and valid', async () => {
    const r = await validateCertificate(opts(pki.leader.certDer));
    expect(r.chain).toBe('trusted');
    expect(r.certificate).toBe('valid');
    expect(r.validAtNow).toBe(true);
    expect(r.keyUsageOk).toBe(true);
    expect(r.problems).toEqual([]);
    expect(r.path.map((l) => l.der.toString('hex'))).toEqual(
      [pki.leader.certDer, pki.subCa.certDer, pki.root.certDer].map((d) => d.toString('hex')),
    );
    expect(r.path.map((l) => l.signatureValid)).toEqual([true, true, true]);
    expect(r.path.map((l) => l.revocation?.status)).toEqual(['good', 'good', undefined]);
    expect(r.path[0].info.serialNumber).toBe(pki.leader.serialHex);
    expect(r.revocationSource).toBe('crl');
    expect(r.revokedAt).toBeUndefined();
  });

  test('trust store loaded from the root PEM works the same', async () => {
    const r = await validateCertificate(opts(pki.leader.certDer, { trust: loadTrustStore([pki.rootPemPath]) }));
    expect(r.chain).toBe('trusted');
  });

  test('ECDSA leaf (P-256 key, RSA issuer) validates', async () => {
    const r = await validateCertificate(opts(pki.ecdsa.certDer));
    expect(r.chain).toBe('trusted');
    expect(r.certificate).toBe('valid');
    expect(r.path.length).toBe(3);
  });

  test('ECDSA-signed certificates validate (leaf issued by our P-256 sub-sub-CA, checked up to it)', async () => {
    // Trusting the sub-sub-CA directly keeps pathLen out of the way: this is about ECDSA signatures.
    const r = await validateCertificate(opts(certs.underSubSub.der, {
      pool: [], trust: { anchors: [certs.subSub.der] }, revocation: offline(),
    }));
    expect(r.chain).toBe('trusted');
    expect(r.path.map((l) => l.signatureValid)).toEqual([true, true]);
    expect(r.certificate).toBe('revocation-unknown');
  });

  test('missing sub-CA: incomplete', async () => {
    const r = await validateCertificate(opts(pki.leader.certDer, { pool: [] }));
    expect(r.chain).toBe('incomplete');
    expect(r.path.length).toBe(1);
    expect(r.path[0].signatureValid).toBe(false);
    expect(r.problems).toContain('ISSUER_MISSING');
    // The leaf's issuer is unknown, so its revocation cannot be checked either.
    expect(r.certificate).toBe('revocation-unknown');
  });

  test('the signer is found in the pool too (a CMS carries it), not only the intermediates', async () => {
    const r = await validateCertificate(opts(pki.leader.certDer, { pool: [pki.leader.certDer, pki.subCa.certDer, pki.root.certDer] }));
    expect(r.chain).toBe('trusted');
    expect(r.path.length).toBe(3);
  });

  test('untrusted PKI: the path ends at its own root, which is not in the store', async () => {
    const r = await validateCertificate(opts(pki.untrusted.certDer, { pool: [pki.untrustedRoot.certDer, pki.subCa.certDer] }));
    expect(r.chain).toBe('untrusted');
    expect(r.path.map((l) => l.der.toString('hex'))).toEqual(
      [pki.untrusted.certDer, pki.untrustedRoot.certDer].map((d) => d.toString('hex')),
    );
    expect(r.path.map((l) => l.signatureValid)).toEqual([true, true]);
    expect(r.problems).toContain('UNTRUSTED_ROOT');
  });

  test('untrusted leaf without its root: incomplete', async () => {
    const r = await validateCertificate(opts(pki.untrusted.certDer));
    expect(r.chain).toBe('incomplete');
  });

  test('a certificate with the sub-CA name and key id but another key is passed over for the real one', async () => {
    const r = await validateCertificate(opts(pki.leader.certDer, { pool: [fakeSubCa, pki.subCa.certDer] }));
    expect(r.chain).toBe('trusted');
    expect(r.path[1].der.equals(pki.subCa.certDer)).toBe(true);
  });

  test('only the impostor sub-CA: its signature on the leaf does not verify', async () => {
    const r = await validateCertificate(opts(pki.leader.certDer, { pool: [fakeSubCa] }));
    expect(r.chain).toBe('untrusted');
    expect(r.path[0].signatureValid).toBe(false);
    expect(r.problems).toContain('CA_SIGNATURE_INVALID');
  });

  test('pathLen: the sub-CA (pathlen 0) cannot have a CA under it', async () => {
    const r = await validateCertificate(opts(certs.underSubSub.der, { pool: [certs.subSub.der, pki.subCa.certDer] }));
    expect(r.path.length).toBe(4);
    expect(r.path.map((l) => l.signatureValid)).toEqual([true, true, true, true]);
    expect(r.chain).toBe('untrusted');
    expect(r.problems).toContain('PATH_LEN');
  });

  test('a certificate "issued" by a non-CA leaf: CA_NOT_CA and CA_KEY_USAGE', async () => {
    const r = await validateCertificate(opts(certs.underLeader.der, { pool: [pki.leader.certDer, pki.subCa.certDer] }));
    expect(r.path.length).toBe(4);
    expect(r.chain).toBe('untrusted');
    expect(r.problems).toEqual(expect.arrayContaining(['CA_NOT_CA', 'CA_KEY_USAGE']));
  });

  test('a loop of certificates ends (self-signed root of the other PKI in the pool as well)', async () => {
    const r = await validateCertificate(opts(pki.leader.certDer, {
      pool: [pki.subCa.certDer, pki.subCa.certDer, pki.root.certDer, pki.untrustedRoot.certDer], trust: { anchors: [] },
    }));
    expect(r.chain).toBe('untrusted');
    expect(r.path.length).toBe(3);
  });
});

describe('validity in time', () => {
  test('expired now, judged inside its validity: valid, but not valid at now', async () => {
    const c = certs.expiredNow;
    const at = new Date(Date.now() - 2 * HOUR);
    const r = await validateCertificate(opts(c.der, { at, revocation: offline([ev.subCrl, ev.rootCrl]) }));
    expect(r.chain).toBe('trusted');
    expect(r.certificate).toBe('valid');
    expect(r.validAtNow).toBe(false);
    expect(r.problems).toEqual([]);
  });

  test('the same certificate judged now: expired', async () => {
    const r = await validateCertificate(opts(certs.expiredNow.der, { revocation: offline([ev.subCrl, ev.rootCrl]) }));
    expect(r.certificate).toBe('expired');
    expect(r.problems).toContain('EXPIRED');
  });

  test('`at` after notAfter: expired', async () => {
    const at = new Date(pki.leader.notAfter.getTime() + DAY);
    const r = await validateCertificate(opts(pki.leader.certDer, { at }));
    expect(r.chain).toBe('trusted');
    expect(r.certificate).toBe('expired');
    expect(r.validAtNow).toBe(true);
  });

  test('`at` before notBefore: not-yet-valid', async () => {
    const at = new Date(pki.leader.notBefore.getTime() - HOUR);
    const r = await validateCertificate(opts(pki.leader.certDer, { at }));
    expect(r.certificate).toBe('not-yet-valid');
    expect(r.problems).toContain('NOT_YET_VALID');
  });

  test("the fixture's expired leaf judged inside its validity: valid then, not now", async () => {
    const at = new Date(pki.expired.notBefore.getTime() + DAY);
    const r = await validateCertificate(opts(pki.expired.certDer, { at, revocation: offline([ev.subCrl, ev.rootCrl]) }));
    expect(r.chain).toBe('trusted');
    expect(r.certificate).toBe('valid');
    expect(r.validAtNow).toBe(false);
  });
});

describe('revocation, offline evidence', () => {
  test('revoked leaf with the CRL: revoked, with the CRL date and reason', async () => {
    const r = await validateCertificate(opts(pki.revoked.certDer));
    expect(r.chain).toBe('trusted');
    expect(r.certificate).toBe('revoked');
    expect(r.revocationSource).toBe('crl');
    expect(r.revocationReason).toBe('keyCompromise');
    expect(r.revokedAt?.toISOString()).toBe(crlRevocationDate(pki.crlDer, pki.revoked.serialHex).toISOString());
    expect(r.validAtNow).toBe(false);
    expect(r.problems).toContain('REVOKED');
  });

  test('judged before its revocation: valid, the later revocation still reported', async () => {
    const revokedAt = crlRevocationDate(pki.crlDer, pki.revoked.serialHex);
    const r = await validateCertificate(opts(pki.revoked.certDer, { at: new Date(revokedAt.getTime() - 60_000) }));
    expect(r.certificate).toBe('valid');
    expect(r.revokedAt?.toISOString()).toBe(revokedAt.toISOString());
    expect(r.revocationSource).toBe('crl');
    expect(r.validAtNow).toBe(false);
    expect(r.problems).toEqual(['REVOKED_AFTER_SIGNING']);
  });

  test('revoked leaf without any evidence, offline: revocation-unknown', async () => {
    const r = await validateCertificate(opts(pki.revoked.certDer, { revocation: offline() }));
    expect(r.certificate).toBe('revocation-unknown');
    expect(r.revokedAt).toBeUndefined();
    expect(r.path[0].revocation).toEqual({ status: 'unknown', detail: 'NO_EVIDENCE' });
    expect(r.problems).toContain('REVOCATION_UNKNOWN');
  });

  test('a CRL whose signature was tampered with is ignored, and said so', async () => {
    const tampered = Buffer.from(pki.crlDer);
    tampered[tampered.length - 1] ^= 0x01; // the last byte is in the signature value
    const rev = await checkRevocation(pki.revoked.certDer, pki.subCa.certDer, new Date(), offline([tampered]));
    expect(rev).toEqual({ status: 'unknown', detail: 'CRL_SIGNATURE_INVALID', problems: ['CRL_SIGNATURE_INVALID'] });
    const r = await validateCertificate(opts(pki.revoked.certDer, { revocation: offline([tampered, ev.rootCrl]) }));
    expect(r.certificate).toBe('revocation-unknown');
    expect(r.problems).toEqual(expect.arrayContaining(['CRL_SIGNATURE_INVALID', 'REVOCATION_UNKNOWN']));
  });

  test("the sub-CA's own status needs the root's CRL", async () => {
    const r = await validateCertificate(opts(pki.leader.certDer, { revocation: offline([pki.crlDer]) }));
    expect(r.certificate).toBe('revocation-unknown');
    expect(r.path.map((l) => l.revocation?.status)).toEqual(['good', 'unknown', undefined]);
  });

  test('a revoked sub-CA revokes the leader', async () => {
    const r = await validateCertificate(opts(pki.leader.certDer, { revocation: offline([pki.crlDer, ev.rootCrlSubRevoked]) }));
    expect(r.certificate).toBe('revoked');
    expect(r.revocationReason).toBe('cACompromise');
    expect(r.problems).toContain('CA_REVOKED');
    expect(r.path[0].revocation?.status).toBe('good');
  });

  test('a CRL of another CA says nothing', async () => {
    const rev = await checkRevocation(pki.leader.certDer, pki.subCa.certDer, new Date(), offline([ev.rootCrl]));
    expect(rev).toEqual({ status: 'unknown', detail: 'NO_EVIDENCE' });
  });

  test('OCSP "good" from the CA itself', async () => {
    const rev = await checkRevocation(pki.leader.certDer, pki.subCa.certDer, new Date(), offline([], [ev.ocspLeaderGood]));
    expect(rev.status).toBe('good');
    expect(rev.source).toBe('ocsp');
    expect(rev.nextUpdate!.getTime()).toBeGreaterThan(Date.now() + 6 * DAY);
    const r = await validateCertificate(opts(pki.leader.certDer, { revocation: offline([ev.rootCrl], [ev.ocspLeaderGood]) }));
    expect(r.certificate).toBe('valid');
    expect(r.revocationSource).toBe('ocsp');
  });

  test('OCSP "revoked": revoked with the same date and reason as the CA database', async () => {
    const rev = await checkRevocation(pki.revoked.certDer, pki.subCa.certDer, new Date(), offline([], [ev.ocspRevoked]));
    expect(rev.status).toBe('revoked');
    expect(rev.source).toBe('ocsp');
    expect(rev.reason).toBe('keyCompromise');
    expect(rev.revokedAt?.toISOString()).toBe(crlRevocationDate(pki.crlDer, pki.revoked.serialHex).toISOString());
    const r = await validateCertificate(opts(pki.revoked.certDer, { revocation: offline([ev.rootCrl], [ev.ocspRevoked]) }));
    expect(r.certificate).toBe('revoked');
    expect(r.revocationSource).toBe('ocsp');
  });

  test('OCSP with a SHA-256 CertID and a responder named by key hash', async () => {
    const rev = await checkRevocation(pki.leader.certDer, pki.subCa.certDer, new Date(), offline([], [ev.ocspLeaderByKeySha256]));
    expect(rev.status).toBe('good');
    expect(rev.source).toBe('ocsp');
  });

  test('CRL signed with RSA-PSS (SHA-384, salt 48)', async () => {
    const rev = await checkRevocation(pki.revoked.certDer, pki.subCa.certDer, new Date(), offline([ev.subCrlPss]));
    expect(rev.status).toBe('revoked');
    const good = await checkRevocation(pki.leader.certDer, pki.subCa.certDer, new Date(), offline([ev.subCrlPss]));
    expect(good.status).toBe('good');
    const tampered = Buffer.from(ev.subCrlPss);
    tampered[tampered.length - 1] ^= 0x01;
    const bad = await checkRevocation(pki.leader.certDer, pki.subCa.certDer, new Date(), offline([tampered]));
    expect(bad.problems).toEqual(['CRL_SIGNATURE_INVALID']);
  });

  test('OCSP from a delegated responder (EKU OCSPSigning, issued by the CA) is accepted', async () => {
    const rev = await checkRevocation(pki.leader.certDer, pki.subCa.certDer, new Date(), offline([], [ev.ocspDelegatedGood]));
    expect(rev.status).toBe('good');
  });

  test('OCSP signed by a certificate of the CA without OCSPSigning is refused', async () => {
    const rev = await checkRevocation(pki.leader.certDer, pki.subCa.certDer, new Date(), offline([], [ev.ocspUnauthorised]));
    expect(rev).toEqual({ status: 'unknown', detail: 'OCSP_RESPONDER_UNAUTHORIZED', problems: ['OCSP_RESPONDER_UNAUTHORIZED'] });
  });

  test('a tampered OCSP response is refused', async () => {
    const tampered = Buffer.from(ev.ocspLeaderNoCerts);
    tampered[tampered.length - 1] ^= 0x01; // without certificates, the response ends with its signature
    expect((await checkRevocation(pki.leader.certDer, pki.subCa.certDer, new Date(), offline([], [ev.ocspLeaderNoCerts]))).status)
      .toBe('good');
    const rev = await checkRevocation(pki.leader.certDer, pki.subCa.certDer, new Date(), offline([], [tampered]));
    expect(rev.status).toBe('unknown');
    expect(rev.problems).toEqual(['OCSP_SIGNATURE_INVALID']);
  });

  test("an OCSP response about another certificate says nothing", async () => {
    const rev = await checkRevocation(pki.leader.certDer, pki.subCa.certDer, new Date(), offline([], [ev.ocspDrafter]));
    expect(rev).toEqual({ status: 'unknown', detail: 'NO_EVIDENCE' });
  });

  test('stale evidence: a "good" OCSP response whose nextUpdate is before `at` does not count', async () => {
    const at = new Date(Date.now() + 30 * DAY);
    const rev = await checkRevocation(pki.leader.certDer, pki.subCa.certDer, at, offline([], [ev.ocspLeaderGood]));
    expect(rev.status).toBe('unknown');
    expect(rev.detail).toBe('STALE_OCSP');
  });
});

describe('revocation, online', () => {
  test('offline never touches the network, even with URLs in the certificate', async () => {
    const before = { ...hits };
    const rev = await checkRevocation(certs.onlineGood.der, pki.subCa.certDer, new Date(), offline());
    expect(rev).toEqual({ status: 'unknown', detail: 'NO_EVIDENCE' });
    expect(hits).toEqual(before);
  });

  test('OCSP over http, then from the cache', async () => {
    const cacheDir = join(work, 'cache-ocsp');
    const src: RevocationSources = { crls: [], ocsps: [], online: true, cacheDir, timeoutMs: 5000 };
    const before = hits.ocsp;
    const first = await checkRevocation(certs.onlineGood.der, pki.subCa.certDer, new Date(), src);
    expect(first.status).toBe('good');
    expect(first.source).toBe('ocsp');
    expect(hits.ocsp).toBe(before + 1);
    expect(hits.crl).toBe(0); // OCSP decided: no CRL download
    const second = await checkRevocation(certs.onlineGood.der, pki.subCa.certDer, new Date(), src);
    expect(second.status).toBe('good');
    expect(hits.ocsp).toBe(before + 1);
    expect(readdirSync(cacheDir).sort().map((f) => f.split('.').pop())).toEqual(['der', 'json']);
    // Without a cache the responder is asked again.
    await checkRevocation(certs.onlineGood.der, pki.subCa.certDer, new Date(), { ...src, cacheDir: undefined });
    expect(hits.ocsp).toBe(before + 2);
  });

  test('OCSP over http says revoked', async () => {
    const rev = await checkRevocation(certs.onlineRevoked.der, pki.subCa.certDer, new Date(),
      { crls: [], ocsps: [], online: true });
    expect(rev.status).toBe('revoked');
    expect(rev.source).toBe('ocsp');
    expect(rev.reason).toBe('superseded');
  });

  test('CRL distribution point over http, then from the cache', async () => {
    const cacheDir = join(work, 'cache-crl');
    const src: RevocationSources = { crls: [], ocsps: [], online: true, cacheDir };
    const before = hits.crl;
    const first = await checkRevocation(certs.crlOnly.der, pki.subCa.certDer, new Date(), src);
    expect(first.status).toBe('good');
    expect(first.source).toBe('crl');
    expect(hits.crl).toBe(before + 1);
    // Another certificate of the same CA with the same distribution point (its responder fails,
    // so it goes to the CRL): the cached CRL serves.
    const brokenBefore = hits.broken;
    const other = await checkRevocation(certs.ocspBroken.der, pki.subCa.certDer, new Date(), src);
    expect(other.status).toBe('good');
    expect(other.source).toBe('crl');
    expect(hits.broken).toBe(brokenBefore + 1);
    expect(hits.crl).toBe(before + 1);
    const again = await checkRevocation(certs.crlOnly.der, pki.subCa.certDer, new Date(), src);
    expect(again.status).toBe('good');
    expect(hits.crl).toBe(before + 1);
  });

  test('a responder that fails falls back to the CRL', async () => {
    const before = { ...hits };
    const rev = await checkRevocation(certs.ocspBroken.der, pki.subCa.certDer, new Date(), { crls: [], ocsps: [], online: true });
    expect(rev.status).toBe('good');
    expect(rev.source).toBe('crl');
    expect(hits.broken).toBe(before.broken + 1);
    expect(hits.crl).toBe(before.crl + 1);
  });

  test('validateCertificate online: trusted and valid', async () => {
    const r = await validateCertificate(opts(certs.onlineGood.der, {
      revocation: { crls: [ev.rootCrl], ocsps: [], online: true, cacheDir: join(work, 'cache-validate') },
    }));
    expect(r.chain).toBe('trusted');
    expect(r.certificate).toBe('valid');
    expect(r.revocationSource).toBe('ocsp');
  });

  test('a server that never answers: unknown (TRY_LATER) within about the timeout', async () => {
    const timeoutMs = 400;
    const t0 = Date.now();
    const rev = await checkRevocation(certs.hang.der, pki.subCa.certDer, new Date(), { crls: [], ocsps: [], online: true, timeoutMs });
    const elapsed = Date.now() - t0;
    expect(rev.status).toBe('unknown');
    expect(rev.detail).toMatch(/^TRY_LATER: http:\/\/127\.0\.0\.1:\d+\/ocsp: timeout/);
    expect(rev.detail).toMatch(/; TRY_LATER: http:\/\/127\.0\.0\.1:\d+\/sub\.crl: timeout/);
    // Two URLs (OCSP, then CRL), each given timeoutMs.
    expect(elapsed).toBeGreaterThanOrEqual(2 * timeoutMs - 20);
    expect(elapsed).toBeLessThan(2 * timeoutMs + 1500);
    const r = await validateCertificate(opts(certs.hang.der, {
      revocation: { crls: [ev.rootCrl], ocsps: [], online: true, timeoutMs },
    }));
    expect(r.certificate).toBe('revocation-unknown');
  });

  test('an answer that starts and then stalls is cut at the deadline', async () => {
    const t0 = Date.now();
    await expect(httpFetch(`http://127.0.0.1:${livePort}/slow.crl`, { method: 'GET', timeoutMs: 300 })).rejects.toThrow(/timeout after 300 ms/);
    expect(Date.now() - t0).toBeLessThan(1500);
  });

  test('a refused connection fails at once', async () => {
    // A port nobody listens on: bind one, note it, close it.
    const probe = net.createServer();
    const port = await new Promise<number>((resolve) => probe.listen(0, '127.0.0.1', () => resolve((probe.address() as AddressInfo).port)));
    await new Promise((r) => probe.close(r));
    const t0 = Date.now();
    await expect(httpFetch(`http://127.0.0.1:${port}/x.crl`, { method: 'GET', timeoutMs: 5000 })).rejects.toThrow(/ECONNREFUSED/);
    expect(Date.now() - t0).toBeLessThan(1000);
  });
});
