// Issue 16, the data functions of `kyso service` (unattended: --token, --pin-env) on a SoftHSM2
// token, called the way vgcaplugin.js callers call them — one WebSocket per call, one text frame
// each way — with the `ws` client trusting only the service's local CA. Each signature is judged by
// an independent tool: xmlsec1 (XML-DSig), openssl cms (CMS), openssl pkeyutl (a raw signature of a
// hash), Node's crypto (JWS), pdfsig and qpdf (SignFiles, Comment); the Verify functions accept
// what was signed and refuse it once tampered; bad requests answer Status ≠ 0 in Vietnamese.
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, createPublicKey, verify as nodeVerify, X509Certificate } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { buildCms } from '../../src/main/cms/build.js';
import { SoftwareSigner } from '../../src/main/cms/signer.js';
import { expectJudgedValid } from '../fixtures/expect.js';
import { makeNssDb } from '../fixtures/judges.js';
import { makeNd30Pdf } from '../fixtures/nd30.js';
import { sharedTestPki, type TestPki } from '../fixtures/pki.js';
import { sharedSoftHsm, type SoftHsm } from '../fixtures/softhsm.js';
import { makeTempDir, removeTempDir, repoRoot } from '../fixtures/tmp.js';
import { runTool } from '../fixtures/tools.js';

let work: string;
let pki: TestPki;
let hsm: SoftHsm;
let svc: ChildProcess;
let port = 0;
let caPem = '';
let stderr = '';
let dms: Server;
let origin = '';
let judgeNss: string;
const received: Array<{ name: string; bytes: Buffer }> = [];
const files = new Map<string, Buffer>();

type Answer = Record<string, unknown> & { Status: number; Message: string; Signature?: string; ErrorCode?: string };

/** `kyso service` unattended on one token of the shared SoftHSM2 (the same local CA for all). */
async function startKyso(token: 'LEADER' | 'ECDSA'): Promise<{ child: ChildProcess; port: number }> {
  const t = hsm.tokens[token];
  const child = spawn(join(repoRoot(), 'bin', 'kyso'), [
    'service', '--port', '0', '--token', t.label, '--pin-env', 'KYSO_TEST_PIN', '--allow-origin', origin, '--no-install-ca',
    '--trust', pki.rootPemPath, '--cert', pki.subCaPemPath, '--crl', pki.crlDerPath, '--crl', pki.rootCrlDerPath, '--offline',
  ], {
    env: { ...process.env, ...hsm.env, HOME: join(work, 'home'), KYSO_SERVICE_DIR: join(work, 'service'), KYSO_TRUST: '', KYSO_PKCS11_MODULE: hsm.module, KYSO_TEST_PIN: t.pin },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stderr!.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
  const p = await new Promise<number>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString('utf8');
      const m = /wss:\/\/127\.0\.0\.1:(\d+)\//.exec(out);
      if (m) resolve(Number(m[1]));
    });
    child.once('exit', (code) => reject(new Error(`kyso service exited (${code}): ${stderr}`)));
  });
  caPem = readFileSync(join(work, 'service', 'ca.pem'), 'utf8');
  return { child, port: p };
}

function stop(child: ChildProcess): Promise<void> {
  return new Promise((r) => {
    if (child.exitCode !== null) return r();
    child.once('exit', () => r());
    child.kill('SIGTERM');
  });
}

function call(fn: string, frame: unknown, on = port): Promise<Answer & Array<Record<string, unknown>>> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`wss://127.0.0.1:${on}/${fn}`, { ca: caPem, origin });
    ws.on('open', () => ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame)));
    ws.on('message', (data) => resolve(JSON.parse(String(data)) as Answer & Array<Record<string, unknown>>));
    ws.on('unexpected-response', (_q, r) => reject(new Error(`refused ${r.statusCode}`)));
    ws.on('close', (code) => reject(new Error(`closed ${code} without an answer`)));
    ws.on('error', reject);
  });
}

async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', origin);
  if (req.method === 'GET' && url.pathname.startsWith('/files/')) {
    const f = files.get(decodeURIComponent(url.pathname.slice(7)));
    if (!f) return void res.writeHead(404).end();
    return void res.writeHead(200, { 'content-length': f.length }).end(f);
  }
  if (req.method === 'POST' && url.pathname === '/upload') {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const form = await new Response(Buffer.concat(chunks), { headers: { 'content-type': req.headers['content-type'] ?? '' } }).formData();
    const file = form.get('uploadfile') as Blob;
    const name = `up-${received.length + 1}.pdf`;
    received.push({ name, bytes: Buffer.from(await file.arrayBuffer()) });
    res.writeHead(200, { 'content-type': 'application/json' });
    return void res.end(JSON.stringify({ Status: true, Message: 'Đã lưu', FileName: `/files/${name}`, FileServer: `qlvb:${name}` }));
  }
  res.writeHead(404).end();
}

beforeAll(async () => {
  work = makeTempDir('service-data');
  pki = await sharedTestPki();
  hsm = sharedSoftHsm(pki);
  judgeNss = makeNssDb(join(work, 'nss'), [pki.root.certPem]);
  dms = createServer((q, r) => void handle(q, r));
  await new Promise<void>((r) => dms.listen(0, '127.0.0.1', r));
  origin = `http://127.0.0.1:${(dms.address() as AddressInfo).port}`;
  files.set('a.pdf', await makeNd30Pdf());
  files.set('b.pdf', await makeNd30Pdf({ kind: 'appendix' }));
  files.set('c.pdf', Buffer.from('<html>Phiên đăng nhập đã hết hạn</html>'));
  const leader = await startKyso('LEADER');
  svc = leader.child;
  port = leader.port;
  caPem = readFileSync(join(work, 'service', 'ca.pem'), 'utf8');
}, 120_000);

afterAll(async () => {
  if (svc) await stop(svc);
  await new Promise<void>((r) => dms?.close(() => r()));
  removeTempDir(work);
});

const leaderName = () => pki.leader.names.commonName;

describe('SignMsg / VerifyMsg / SignHash: CMS and raw signatures judged by openssl', () => {
  const message = Buffer.from('Biên bản họp ngày 03/12/2026 — đồng ý phương án 2.', 'utf8');

  test('SignMsg (JSON, detached CMS): openssl cms verifies it; VerifyMsg accepts it and refuses the tampered message', async () => {
    const r = await call('SignMsg', { Base64Content: message.toString('base64') });
    expect(r, stderr).toMatchObject({ Status: 0, SignatureFormat: 'CMS detached' });
    expect(new X509Certificate(Buffer.from(String(r.CertBase64), 'base64')).subject).toContain(leaderName());
    writeFileSync(join(work, 'msg.bin'), message);
    writeFileSync(join(work, 'msg.p7s'), Buffer.from(r.Signature!, 'base64'));
    const ok = runTool('openssl', ['cms', '-verify', '-binary', '-inform', 'DER', '-in', join(work, 'msg.p7s'), '-content', join(work, 'msg.bin'), '-CAfile', pki.rootPemPath, '-purpose', 'any', '-out', '/dev/null']);
    expect(ok.stderr).toContain('Verification successful');
    writeFileSync(join(work, 'msg-tampered.bin'), Buffer.from(message.toString('utf8').replace('2.', '3.')));
    const bad = runTool('openssl', ['cms', '-verify', '-binary', '-inform', 'DER', '-in', join(work, 'msg.p7s'), '-content', join(work, 'msg-tampered.bin'), '-CAfile', pki.rootPemPath, '-purpose', 'any', '-out', '/dev/null'], { okStatus: [4] });
    expect(bad.stderr).toMatch(/digest failure|verification failure/i);

    const good = await call('VerifyMsg', { Base64Content: message.toString('base64'), Signature: r.Signature });
    expect(good).toMatchObject({ Status: 0, Valid: true, SignerCertStatus: { Status: 0, Chain: 'trusted', Certificate: 'valid' } });
    expect((good.Signer as Record<string, string>).CommonName).toBe(leaderName());
    const tampered = await call('VerifyMsg', { Base64Content: readFileSync(join(work, 'msg-tampered.bin')).toString('base64'), Signature: r.Signature });
    expect(tampered).toMatchObject({ Status: 1, Valid: false, SignatureStatus: { Status: 1 } });
    expect(tampered.Message).toMatch(/Chữ ký không khớp với dữ liệu/);
  });

  test('VerifyMsg of a message signed by a certificate of a CA nobody trusts: intact, Status 9, chain untrusted', async () => {
    const signer = new SoftwareSigner(pki.untrusted.privateKey, pki.untrusted.certDer, [pki.untrustedRoot.certDer]);
    const cms = await buildCms(signer, createHash('sha256').update(message).digest(), { digest: 'sha256' });
    const v = await call('VerifyMsg', { Base64Content: message.toString('base64'), Signature: cms.toString('base64') });
    expect(v).toMatchObject({ Status: 9, Valid: false, SignatureStatus: { Status: 0 }, SignerCertStatus: { Status: 1, Chain: 'untrusted' } });
    expect(v.Message).toMatch(/chứng thư không do CA tin cậy cấp/);
  });

  test('SignMsg as the plugin sends it (a bare base64 frame), and attached: openssl outputs the message', async () => {
    const bare = await call('SignMsg', message.toString('base64'));
    expect(bare.Status, JSON.stringify(bare)).toBe(0);
    const attached = await call('SignMsg', { Base64Content: message.toString('base64'), Attached: 'true' });
    expect(attached.SignatureFormat).toBe('CMS attached');
    writeFileSync(join(work, 'att.p7m'), Buffer.from(attached.Signature!, 'base64'));
    const out = runTool('openssl', ['cms', '-verify', '-binary', '-inform', 'DER', '-in', join(work, 'att.p7m'), '-CAfile', pki.rootPemPath, '-purpose', 'any', '-out', join(work, 'att.out')]);
    expect(out.stderr).toContain('Verification successful');
    expect(readFileSync(join(work, 'att.out')).equals(message)).toBe(true);
    // VerifyMsg of an attached signature needs no content, and gives it back.
    const v = await call('VerifyMsg', { Signature: attached.Signature });
    expect(v).toMatchObject({ Status: 0, Valid: true, Base64Content: message.toString('base64') });
  });

  test('SignHash (and SignMsg with HashValue, as callers use it): raw RSA over the DigestInfo, checked by openssl pkeyutl; Encode CMS by openssl cms', async () => {
    const hash = createHash('sha256').update(message).digest();
    writeFileSync(join(work, 'hash.bin'), hash);
    writeFileSync(join(work, 'leader-pub.pem'), createPublicKey(pki.leader.certPem).export({ type: 'spki', format: 'pem' }));
    for (const fn of ['SignHash', 'SignMsg']) {
      const r = await call(fn, { HashAlg: 'SHA256', HashValue: hash.toString('base64'), Encode: 'RSA' });
      expect(r, stderr).toMatchObject({ Status: 0, SignatureFormat: 'RSA PKCS#1 v1.5' });
      writeFileSync(join(work, `${fn}.sig`), Buffer.from(r.Signature!, 'base64'));
      const v = runTool('openssl', ['pkeyutl', '-verify', '-pubin', '-inkey', join(work, 'leader-pub.pem'), '-in', join(work, 'hash.bin'), '-sigfile', join(work, `${fn}.sig`), '-pkeyopt', 'digest:sha256']);
      expect(v.stdout).toContain('Signature Verified Successfully');
    }
    const wrong = Buffer.from(hash);
    wrong[0] ^= 1;
    writeFileSync(join(work, 'hash-wrong.bin'), wrong);
    const no = runTool('openssl', ['pkeyutl', '-verify', '-pubin', '-inkey', join(work, 'leader-pub.pem'), '-in', join(work, 'hash-wrong.bin'), '-sigfile', join(work, 'SignHash.sig'), '-pkeyopt', 'digest:sha256'], { okStatus: [1] });
    expect(no.stdout).toContain('Signature Verification Failure');

    const cms = await call('SignHash', { HashAlg: 'SHA256', HashValue: hash.toString('base64'), Encode: 'CMS' });
    writeFileSync(join(work, 'hash.p7s'), Buffer.from(cms.Signature!, 'base64'));
    const ok = runTool('openssl', ['cms', '-verify', '-binary', '-inform', 'DER', '-in', join(work, 'hash.p7s'), '-content', join(work, 'msg.bin'), '-CAfile', pki.rootPemPath, '-purpose', 'any', '-out', '/dev/null']);
    expect(ok.stderr).toContain('Verification successful');
  });
});

describe('SignXML / VerifyXML: XML-DSig judged by xmlsec1', () => {
  const xml = '<?xml version="1.0" encoding="UTF-8"?>\n<HoSo Id="hs-1"><TieuDe>Học bạ lớp 9A</TieuDe><Diem mon="Toán">9.5</Diem></HoSo>';

  function xmlsecVerify(file: string, ok = true): string {
    const r = runTool('xmlsec1', ['--verify', '--trusted-pem', pki.rootPemPath, '--untrusted-pem', pki.subCaPemPath, file], { okStatus: ok ? [0] : [1] });
    return r.stdout + r.stderr;
  }

  test('SignXML: the signed document verifies with xmlsec1 (enveloped, whole document, chain to the root); tampered, xmlsec1 and VerifyXML refuse it', async () => {
    const r = await call('SignXML', { Base64Content: Buffer.from(xml).toString('base64'), ReturnSignatureOnly: 'false', HashAlg: 'Sha256', XmlDsigForm: 'false' });
    expect(r, stderr).toMatchObject({ Status: 0, SignatureFormat: 'XML-DSig enveloped' });
    const signed = Buffer.from(r.Signature!, 'base64').toString('utf8');
    expect(signed).toContain('<Reference URI="">');
    expect(signed).toContain('Học bạ lớp 9A');
    writeFileSync(join(work, 'signed.xml'), signed);
    expect(xmlsecVerify(join(work, 'signed.xml'))).toMatch(/\bOK\b/);
    const tampered = signed.replace('>9.5<', '>10<');
    writeFileSync(join(work, 'tampered.xml'), tampered);
    expect(xmlsecVerify(join(work, 'tampered.xml'), false)).toMatch(/FAIL/);

    const good = await call('VerifyXML', { Data: signed, Format: 'XML' });
    expect(Array.isArray(good)).toBe(true);
    expect(good[0]).toMatchObject({ Status: 0, Valid: true, CoversWholeDocument: true, ValidationDetails: { SignerCertStatus: { Status: 0 } } });
    expect((good[0]!.SigInfo as { SignerCert: Record<string, string> }).SignerCert.CommonName).toBe(leaderName());
    const bad = await call('VerifyXML', { Data: tampered, Format: 'XML' });
    expect(bad[0]).toMatchObject({ Status: 1, Valid: false, ValidationDetails: { SignatureStatus: { Status: 1 } } });
  });

  test('SignXML with ReturnSignatureOnly: the Signature element, put into the document by the caller, verifies with xmlsec1', async () => {
    const r = await call('SignXML', { Base64Content: Buffer.from(xml).toString('base64'), ReturnSignatureOnly: 'true', HashAlg: 'Sha256' });
    expect(r.Status, JSON.stringify(r)).toBe(0);
    const sig = Buffer.from(r.Signature!, 'base64').toString('utf8');
    expect(sig.startsWith('<Signature')).toBe(true);
    writeFileSync(join(work, 'placed.xml'), xml.replace('</HoSo>', `${sig}</HoSo>`));
    expect(xmlsecVerify(join(work, 'placed.xml'))).toMatch(/\bOK\b/);
  });
});

describe('SignJson / VerifyJson: JWS compact judged by Node crypto', () => {
  test('the JWS verifies with the x5c certificate; VerifyJson accepts it and refuses a changed payload', async () => {
    const content = { hocBaId: 42, ketQua: 'Hoàn thành xuất sắc' };
    const r = await call('SignJson', { JsonContent: content });
    expect(r, stderr).toMatchObject({ Status: 0, Algorithm: 'RS256' });
    const [h, p, s] = r.Signature!.split('.');
    const header = JSON.parse(Buffer.from(h!, 'base64url').toString('utf8')) as { alg: string; x5c: string[] };
    expect(header.alg).toBe('RS256');
    expect(JSON.parse(Buffer.from(p!, 'base64url').toString('utf8'))).toEqual(content);
    const cert = new X509Certificate(Buffer.from(header.x5c[0]!, 'base64'));
    expect(cert.subject).toContain(leaderName());
    expect(nodeVerify('sha256', Buffer.from(`${h}.${p}`), cert.publicKey, Buffer.from(s!, 'base64url'))).toBe(true);

    const good = await call('VerifyJson', { Signature: r.Signature });
    expect(good).toMatchObject({ Status: 0, Valid: true, JsonContent: JSON.stringify(content) });
    const forged = `${h}.${Buffer.from(JSON.stringify({ ...content, ketQua: 'Chưa hoàn thành' })).toString('base64url')}.${s}`;
    expect(nodeVerify('sha256', Buffer.from(forged.split('.').slice(0, 2).join('.')), cert.publicKey, Buffer.from(s!, 'base64url'))).toBe(false);
    const bad = await call('VerifyJson', { Signature: forged });
    expect(bad).toMatchObject({ Status: 1, Valid: false });
  });
});

describe('SignFiles and Comment: PDFs signed and uploaded, judged by pdfsig and qpdf', () => {
  test('SignFiles with one file that is not a PDF: the others are signed and uploaded, each file has its status', async () => {
    const before = received.length;
    const r = await call('SignFiles', { FileUploadHandler: `${origin}/upload`, SessionId: 's1', Files: [`${origin}/files/a.pdf`, { FileName: `${origin}/files/c.pdf` }, `${origin}/files/b.pdf`] });
    expect(r).toMatchObject({ Status: 1, ErrorCode: 'SERVICE_BATCH_PARTIAL', Signed: 2, Total: 3 });
    expect(r.Message).toMatch(/Chỉ ký được 2\/3 tệp/);
    const list = r.Files as Array<Record<string, unknown>>;
    expect(list.map((f) => f.Status)).toEqual([0, 6, 0]);
    expect(list[1]!.ErrorCode).toBe('PDF_NOT_PDF');
    expect(received.length - before).toBe(2);
    for (const [i, f] of received.slice(before).entries()) {
      const path = join(work, `batch-${i}.pdf`);
      writeFileSync(path, f.bytes);
      expectJudgedValid(path, judgeNss, [leaderName()]);
    }
  }, 120_000);

  test('Comment: the comment is a note on page 1, covered by the signature, uploaded', async () => {
    const before = received.length;
    const text = 'Đồng ý, đề nghị Văn phòng phát hành trong ngày.';
    const r = await call('Comment', { FileUploadHandler: `${origin}/upload`, FileName: `${origin}/files/a.pdf`, MetaData: [{ Key: 'Comment', Value: text }] });
    expect(r, stderr).toMatchObject({ Status: 0, FileServer: expect.stringContaining('qlvb:') });
    expect(received.length - before).toBe(1);
    const path = join(work, 'comment.pdf');
    writeFileSync(path, received.at(-1)!.bytes);
    expectJudgedValid(path, judgeNss, [leaderName()]);
    const json = JSON.parse(runTool('qpdf', ['--json=1', '--json-key=objects', path]).stdout) as { objects: Record<string, Record<string, unknown>> };
    const notes = Object.values(json.objects).filter((o) => o && o['/Subtype'] === '/Text');
    expect(notes).toHaveLength(1);
    const contents = String(notes[0]!['/Contents']);
    // qpdf writes text strings as u:… (UTF-8) in its JSON.
    expect(contents.replace(/^u:/, '')).toBe(text);
  }, 120_000);
});

describe('an ECDSA token (P-256)', () => {
  let ec: { child: ChildProcess; port: number };
  beforeAll(async () => {
    ec = await startKyso('ECDSA');
  }, 120_000);
  afterAll(async () => {
    if (ec) await stop(ec.child);
  });

  test('SignJson answers ES256 (r || s, verified by Node crypto); SignHash an ECDSA DER value (openssl pkeyutl); SignXML refuses in Vietnamese', async () => {
    const r = await call('SignJson', { JsonContent: '{"a":1}' }, ec.port);
    expect(r, stderr).toMatchObject({ Status: 0, Algorithm: 'ES256' });
    const [h, p, s] = r.Signature!.split('.');
    expect(Buffer.from(p!, 'base64url').toString('utf8')).toBe('{"a":1}');
    const value = Buffer.from(s!, 'base64url');
    expect(value).toHaveLength(64);
    const cert = new X509Certificate(pki.ecdsa.certPem);
    expect(nodeVerify('sha256', Buffer.from(`${h}.${p}`), { key: cert.publicKey, dsaEncoding: 'ieee-p1363' }, value)).toBe(true);
    expect(await call('VerifyJson', { Signature: r.Signature }, ec.port)).toMatchObject({ Status: 0, Valid: true });

    const hash = createHash('sha256').update('thông điệp').digest();
    writeFileSync(join(work, 'ec-hash.bin'), hash);
    writeFileSync(join(work, 'ec-pub.pem'), createPublicKey(pki.ecdsa.certPem).export({ type: 'spki', format: 'pem' }));
    const raw = await call('SignHash', { HashAlg: 'SHA256', HashValue: hash.toString('base64') }, ec.port);
    expect(raw).toMatchObject({ Status: 0, SignatureFormat: 'ECDSA DER' });
    writeFileSync(join(work, 'ec.sig'), Buffer.from(raw.Signature!, 'base64'));
    expect(runTool('openssl', ['pkeyutl', '-verify', '-pubin', '-inkey', join(work, 'ec-pub.pem'), '-in', join(work, 'ec-hash.bin'), '-sigfile', join(work, 'ec.sig')]).stdout).toContain('Signature Verified Successfully');

    const x = await call('SignXML', { Base64Content: Buffer.from('<a/>').toString('base64') }, ec.port);
    expect(x).toMatchObject({ Status: 2, ErrorCode: 'SERVICE_ALGORITHM_UNSUPPORTED' });
    expect(x.Message).toMatch(/Kyso không ký với thuật toán XML-DSig EC/);
  });
});

describe('errors answer Status ≠ 0 with a Vietnamese message', () => {
  test('bad base64, an algorithm Kyso does not sign with, data over the limit, a wrong hash length, XML that does not parse', async () => {
    const b = await call('SignMsg', { Base64Content: 'không phải base64!' });
    expect(b).toMatchObject({ Status: 2, ErrorCode: 'SERVICE_BASE64_INVALID' });
    expect(b.Message).toMatch(/Trường Base64Content của yêu cầu ký không phải dữ liệu base64 hợp lệ/);
    const a = await call('SignHash', { HashAlg: 'SHA1', HashValue: Buffer.alloc(20).toString('base64') });
    expect(a).toMatchObject({ Status: 2, ErrorCode: 'SERVICE_ALGORITHM_UNSUPPORTED' });
    expect(a.Message).toMatch(/Kyso không ký với thuật toán SHA1/);
    const big = await call('SignMsg', { Base64Content: Buffer.alloc(9 * 1024 * 1024, 1).toString('base64') });
    expect(big).toMatchObject({ Status: 2, ErrorCode: 'SERVICE_DATA_TOO_LARGE' });
    expect(big.Message).toMatch(/lớn hơn giới hạn 8 MB/);
    const bigXml = await call('VerifyXML', { Data: `<a>${'x'.repeat(2 * 1024 * 1024)}</a>` });
    expect(bigXml).toMatchObject({ Status: 2, ErrorCode: 'SERVICE_DATA_TOO_LARGE' });
    expect(bigXml.Message).toMatch(/lớn hơn giới hạn 2 MB/);
    const len = await call('SignHash', { HashAlg: 'SHA256', HashValue: Buffer.alloc(20).toString('base64') });
    expect(len).toMatchObject({ Status: 2, ErrorCode: 'SERVICE_REQUEST_INVALID' });
    const x = await call('SignXML', { Base64Content: Buffer.from('<a><b></a>').toString('base64') });
    expect(x).toMatchObject({ Status: 2, ErrorCode: 'SERVICE_XML_INVALID' });
    expect(x.Message).toMatch(/Dữ liệu XML cần ký không đọc được/);
  });

  test('FileName empty in unattended mode: no file chooser without the app, said plainly', async () => {
    const r = await call('SignApproved', { FileName: '', FileUploadHandler: `${origin}/upload` });
    expect(r).toMatchObject({ Status: 5, ErrorCode: 'SERVICE_NO_FILE_UNATTENDED' });
    expect(r.Message).toMatch(/không người trực \(kyso service\) nên không có hộp chọn tệp/);
    const c = await call('Comment', { FileName: '', MetaData: [{ Key: 'Comment', Value: 'Đồng ý' }] });
    expect(c).toMatchObject({ Status: 5, ErrorCode: 'SERVICE_NO_FILE_UNATTENDED' });
  });
});
