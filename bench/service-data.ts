// The signing service's data functions, timed from a WebSocket client against `kyso service` on a
// SoftHSM2 token (unattended): each call's wall time, median of several, for small data and for
// data near the 8 MB limit, and SignFiles over ten PDFs served and uploaded over loopback http.
// Run: node scripts/setup.mjs && npx vite-node bench/service-data.ts
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { makeNd30Pdf } from '../test/fixtures/nd30.js';
import { sharedTestPki } from '../test/fixtures/pki.js';
import { sharedSoftHsm } from '../test/fixtures/softhsm.js';
import { repoRoot } from '../test/fixtures/tmp.js';

type Answer = Record<string, unknown> & { Status: number; Signature?: string };

async function main(): Promise<void> {
  const pki = await sharedTestPki();
  const hsm = sharedSoftHsm(pki);
  const dir = mkdtempSync(join(tmpdir(), 'kyso-bench-service-'));
  const pdf = await makeNd30Pdf();
  const dms = createServer((req, res) => {
    if (req.method === 'GET') return void res.end(pdf);
    req.resume();
    req.on('end', () => res.end(JSON.stringify({ Status: true, Message: 'ok', FileName: 'x', FileServer: 'x' })));
  });
  await new Promise<void>((r) => dms.listen(0, '127.0.0.1', r));
  const origin = `http://127.0.0.1:${(dms.address() as AddressInfo).port}`;
  const t = hsm.tokens.LEADER;
  const svc = spawn(join(repoRoot(), 'bin', 'kyso'), ['service', '--port', '0', '--token', t.label, '--pin-env', 'PIN', '--allow-origin', origin, '--no-install-ca', '--trust', pki.rootPemPath, '--cert', pki.subCaPemPath, '--crl', pki.crlDerPath, '--crl', pki.rootCrlDerPath, '--offline'], {
    env: { ...process.env, ...hsm.env, HOME: join(dir, 'home'), KYSO_SERVICE_DIR: join(dir, 'service'), KYSO_TRUST: '', KYSO_PKCS11_MODULE: hsm.module, PIN: t.pin },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const port = await new Promise<number>((resolve) => {
    let out = '';
    svc.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      const m = /127\.0\.0\.1:(\d+)\//.exec(out);
      if (m) resolve(Number(m[1]));
    });
  });
  const ca = readFileSync(join(dir, 'service', 'ca.pem'), 'utf8');
  const call = (fn: string, body: unknown): Promise<Answer> =>
    new Promise((resolve, reject) => {
      const ws = new WebSocket(`wss://127.0.0.1:${port}/${fn}`, { ca, origin, maxPayload: 64 * 1024 * 1024 });
      ws.on('open', () => ws.send(JSON.stringify(body)));
      ws.on('message', (d) => resolve(JSON.parse(String(d)) as Answer));
      ws.on('error', reject);
    });
  const time = async (what: string, fn: string, body: unknown, runs = 7): Promise<Answer> => {
    const ms: number[] = [];
    let last: Answer | undefined;
    for (let i = 0; i < runs; i++) {
      const t0 = performance.now();
      last = await call(fn, body);
      ms.push(performance.now() - t0);
      if ((Array.isArray(last) ? (last[0] as Answer | undefined)?.Status : last.Status) !== 0) throw new Error(`${what}: ${JSON.stringify(last).slice(0, 300)}`);
    }
    ms.sort((a, b) => a - b);
    process.stdout.write(`${what.padEnd(44)} median ${ms[Math.floor(ms.length / 2)]!.toFixed(0).padStart(6)} ms   min ${ms[0]!.toFixed(0).padStart(6)} ms\n`);
    return last!;
  };
  try {
    const small = Buffer.from('Biên bản họp — đồng ý phương án 2.'.repeat(30));
    const big = Buffer.alloc(8 * 1024 * 1024 - 1024, 'a');
    const xmlSmall = Buffer.from(`<HoSo>${'<Dong>Học bạ</Dong>'.repeat(50)}</HoSo>`);
    const xmlBig = Buffer.from(`<HoSo>${'<Dong>Học bạ lớp 9A, điểm 9.5</Dong>'.repeat(40_000)}</HoSo>`);
    const hash = createHash('sha256').update(small).digest();
    await time('SignMsg 1 kB (detached CMS)', 'SignMsg', { Base64Content: small.toString('base64') });
    const m = await time(`SignMsg ${(big.length / 1048576).toFixed(1)} MB`, 'SignMsg', { Base64Content: big.toString('base64') }, 3);
    await time(`VerifyMsg ${(big.length / 1048576).toFixed(1)} MB`, 'VerifyMsg', { Base64Content: big.toString('base64'), Signature: m.Signature }, 3);
    await time('SignHash SHA-256 (raw RSA)', 'SignHash', { HashAlg: 'SHA256', HashValue: hash.toString('base64') });
    await time('SignJson 1 kB (JWS RS256)', 'SignJson', { JsonContent: { text: small.toString() } });
    const x = await time(`SignXML ${(xmlSmall.length / 1024).toFixed(1)} kB`, 'SignXML', { Base64Content: xmlSmall.toString('base64') });
    await time(`VerifyXML ${(xmlSmall.length / 1024).toFixed(1)} kB`, 'VerifyXML', { Data: Buffer.from(x.Signature!, 'base64').toString('utf8') });
    const xb = await time(`SignXML ${(xmlBig.length / 1048576).toFixed(1)} MB`, 'SignXML', { Base64Content: xmlBig.toString('base64') }, 3);
    const t0 = performance.now();
    const v = (await call('VerifyXML', { Data: Buffer.from(xb.Signature!, 'base64').toString('utf8') })) as unknown as Array<{ Status: number }>;
    process.stdout.write(`${`VerifyXML ${(xmlBig.length / 1048576).toFixed(1)} MB`.padEnd(44)} once   ${(performance.now() - t0).toFixed(0).padStart(6)} ms   (Status ${v[0]?.Status})\n`);
    await time('SignFiles 10 PDFs (fetch, sign, upload)', 'SignFiles', { FileUploadHandler: `${origin}/upload`, Files: Array.from({ length: 10 }, (_, i) => `${origin}/f${i}.pdf`) }, 3);
  } finally {
    svc.kill('SIGTERM');
    dms.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

void main().then(
  () => process.exit(0),
  (e: unknown) => {
    process.stderr.write(`${(e as Error).stack ?? String(e)}\n`);
    process.exit(1);
  },
);
