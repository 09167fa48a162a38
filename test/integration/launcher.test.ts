// The `kyso` command (bin/kyso) starts Node without NODE_EXTRA_CA_CERTS, which Node 20 would read
// at every start, and Kyso adds those roots itself to its https requests. These tests hold it to
// doing that without changing what a user gets: a revocation list served over https by a server
// whose certificate only NODE_EXTRA_CA_CERTS makes trusted is fetched through the command exactly
// as through `node bin/kyso.cjs`, and not without the variable; child processes see the variable.
import { spawnSync } from 'node:child_process';
import { createPrivateKey } from 'node:crypto';
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { SoftwareSigner } from '../../src/main/cms/signer.js';
import { signPdf } from '../../src/main/sign/sign.js';
import { corpusFile, sharedCorpus } from '../fixtures/corpus.js';
import { sharedTestPki } from '../fixtures/pki.js';
import { makeTempDir, removeTempDir, repoRoot } from '../fixtures/tmp.js';
import { runAsync, runTool } from '../fixtures/tools.js';

const pki = await sharedTestPki();
const corpus = await sharedCorpus(pki);
const KYSO = join(repoRoot(), 'bin', 'kyso');
const KYSO_CJS = join(repoRoot(), 'bin', 'kyso.cjs');

let work: string;
let server: https.Server;
let hits = 0;
let tlsCaPath: string;
let signed: string;

beforeAll(async () => {
  work = makeTempDir('launcher');
  // The web server's own small PKI, unknown to Node's bundled roots: a self-signed P-256
  // certificate for 127.0.0.1.
  const tlsKey = join(work, 'tls.key.pem');
  tlsCaPath = join(work, 'tls-ca.pem');
  runTool('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', tlsKey, '-out', tlsCaPath,
    '-days', '2', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1', '-addext', 'basicConstraints=critical,CA:TRUE']);
  server = https.createServer({ key: readFileSync(tlsKey), cert: readFileSync(tlsCaPath) }, (req, res) => {
    if (req.url === '/sub.crl') {
      hits++;
      res.writeHead(200, { 'Content-Type': 'application/pkix-crl' }).end(pki.crlDer);
    } else res.writeHead(404).end();
  });
  const port = await new Promise<number>((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));

  // A signer whose certificate (issued by the test sub-CA) names that server as its CRL
  // distribution point: verifying online must fetch the CRL over https.
  const key = join(work, 'signer.key.pem');
  const csr = join(work, 'signer.csr');
  const cert = join(work, 'signer.cert.pem');
  const ext = join(work, 'ext.cnf');
  writeFileSync(ext, ['basicConstraints = CA:FALSE', 'keyUsage = critical, digitalSignature, nonRepudiation', 'subjectKeyIdentifier = hash',
    'authorityKeyIdentifier = keyid:always', `crlDistributionPoints = URI:https://127.0.0.1:${port}/sub.crl`].join('\n'));
  runTool('openssl', ['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', key, '-out', csr,
    '-subj', '/C=VN/O=Sở Tư pháp tỉnh Quảng Ninh/CN=Văn thư Sở Tư pháp', '-utf8']);
  runTool('openssl', ['x509', '-req', '-in', csr, '-CA', pki.subCa.certPath, '-CAkey', pki.subCa.keyPath, '-set_serial', '0x4b59534f01',
    '-days', '30', '-sha256', '-extfile', ext, '-out', cert]);
  const certDer = Buffer.from(readFileSync(cert, 'utf8').replace(/-----[^-]+-----/g, '').replace(/\s+/g, ''), 'base64');
  signed = join(work, 'signed.pdf');
  await signPdf({ input: corpusFile(corpus, 'gs-14').path, output: signed, signer: new SoftwareSigner(createPrivateKey(readFileSync(key)), certDer, [pki.subCa.certDer]) });
});

afterAll(async () => {
  await new Promise((r) => server?.close(r));
  removeTempDir(work);
});

interface Run {
  status: number;
  stderr: string;
  certificate?: string;
  indication?: string;
}

/** `kyso verify` online (the root's CRL given: only the signer's status is fetched), fresh cache each time. */
async function verifyOnline(cmd: string[], extraCa: string | undefined): Promise<Run> {
  const cache = join(work, `cache-${Math.random().toString(36).slice(2)}`);
  const env: NodeJS.ProcessEnv = { ...process.env, KYSO_TRUST: '', XDG_CONFIG_HOME: join(work, 'config'), XDG_CACHE_HOME: cache };
  delete env.NODE_EXTRA_CA_CERTS;
  delete env.KYSO_DEFERRED_CA_CERTS;
  if (extraCa !== undefined) env.NODE_EXTRA_CA_CERTS = extraCa;
  const r = await runAsync(cmd[0]!, [...cmd.slice(1), 'verify', signed, '--json', '--trust', pki.rootPemPath, '--crl', pki.rootCrlDerPath], env);
  const out: Run = { status: r.status, stderr: r.stderr };
  if (r.stdout.trim().startsWith('{')) {
    const json = JSON.parse(r.stdout) as { indication: string; signatures: Array<{ certificate: string }> };
    out.indication = json.indication;
    out.certificate = json.signatures[0]?.certificate;
  }
  return out;
}

describe('the kyso command and NODE_EXTRA_CA_CERTS', () => {
  test('a CRL over https from a server trusted through NODE_EXTRA_CA_CERTS: fetched, valid', async () => {
    const before = hits;
    const r = await verifyOnline([KYSO], tlsCaPath);
    expect(r.stderr).toBe('');
    expect(r).toMatchObject({ status: 0, certificate: 'valid', indication: 'TOTAL_PASSED' });
    expect(hits).toBe(before + 1);
  });

  test('the same through `node bin/kyso.cjs` (Node reads the variable itself)', async () => {
    const r = await verifyOnline([process.execPath, KYSO_CJS], tlsCaPath);
    expect(r).toMatchObject({ status: 0, certificate: 'valid', indication: 'TOTAL_PASSED' });
  });

  test('without the variable the server is not trusted: revocation unknown, indeterminate', async () => {
    const before = hits;
    const r = await verifyOnline([KYSO], undefined);
    expect(r).toMatchObject({ status: 3, certificate: 'revocation-unknown', indication: 'INDETERMINATE' });
    expect(hits).toBe(before);
  });

  test('a file that cannot be read: Node warns at start; the command only when an https request needs it', async () => {
    const missing = join(work, 'no-such-ca.pem');
    // Node itself, at start, whatever the command.
    const node = spawnSync(process.execPath, [KYSO_CJS, 'verify'], { encoding: 'utf8', env: { ...process.env, NODE_EXTRA_CA_CERTS: missing } });
    expect(node.stderr).toContain('Ignoring extra certs');
    // The command: nothing for a usage error (no network), ...
    const usage = spawnSync(KYSO, ['verify'], { encoding: 'utf8', env: { ...process.env, NODE_EXTRA_CA_CERTS: missing } });
    expect(usage.status).toBe(2);
    expect(usage.stderr).not.toContain('Ignoring extra certs');
    // ... and the same warning when it fetches over https, which then fails as it would in Node.
    const r = await verifyOnline([KYSO], missing);
    expect(r.stderr).toContain(`Ignoring extra certs from \`${missing}\``);
    expect(r).toMatchObject({ status: 3, certificate: 'revocation-unknown' });
  });

  test('Node starts without the variable; Kyso puts it back for child processes', () => {
    // A module Node loads before bin/kyso.cjs (NODE_OPTIONS --require) notes the variable as Node
    // started with it, and again as the process ends: what a child process would inherit. Only on
    // the main thread: `kyso verify` also starts a hashing worker, which loads the module too (with
    // the environment as it was when the worker started, after Kyso had put the variable back).
    const probe = join(work, 'probe.cjs');
    writeFileSync(probe, [
      "if (require('node:worker_threads').isMainThread) {",
      '  const atStart = process.env.NODE_EXTRA_CA_CERTS ?? null;',
      "  process.on('exit', () => process.stderr.write('PROBE ' + JSON.stringify({ atStart, atExit: process.env.NODE_EXTRA_CA_CERTS ?? null }) + '\\n'));",
      '}',
    ].join('\n'));
    const env = { ...process.env, NODE_EXTRA_CA_CERTS: tlsCaPath, NODE_OPTIONS: `--require ${probe}` };
    const seen = (cmd: string[]): unknown => {
      const r = spawnSync(cmd[0]!, [...cmd.slice(1), 'verify'], { encoding: 'utf8', env });
      expect(r.status).toBe(2);
      const lines = [...r.stderr.matchAll(/PROBE (.*)/g)];
      expect(lines).toHaveLength(1);
      return JSON.parse(lines[0]![1]!);
    };
    expect(seen([KYSO])).toEqual({ atStart: null, atExit: tlsCaPath });
    expect(seen([process.execPath, KYSO_CJS])).toEqual({ atStart: tlsCaPath, atExit: tlsCaPath });
  });

  test('run through a link, as npm installs it (node_modules/.bin/kyso)', () => {
    const bin = join(work, 'node_modules', '.bin');
    mkdirSync(bin, { recursive: true });
    symlinkSync(KYSO, join(bin, 'kyso'));
    const r = spawnSync(join(bin, 'kyso'), ['verify', signed, '--json', '--offline', '--trust', pki.rootPemPath, '--crl', pki.crlDerPath, '--crl', pki.rootCrlDerPath], {
      encoding: 'utf8',
      env: { ...process.env, KYSO_TRUST: '', XDG_CONFIG_HOME: join(work, 'config'), XDG_CACHE_HOME: join(work, 'cache-link') },
    });
    expect(r.status, r.stderr).toBe(0);
    expect((JSON.parse(r.stdout) as { indication: string }).indication).toBe('TOTAL_PASSED');
  });
});
