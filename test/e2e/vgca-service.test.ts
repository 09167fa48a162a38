// Issue 16: `kyso service` as a drop-in for the VGCA signing service. A stand-in document-management
// system (an http server on its own port) serves a page that calls the service the way
// vgcaplugin.js callers do — one WebSocket per call to wss://127.0.0.1:PORT/<Function>, one JSON
// frame each way — written here from the protocol's description. Debian's Chromium trusts the
// service only through the NSS database in the test's own HOME, where `kyso service` installed its
// local CA at first start. The leader's SignApproved, the clerk's SignIssued (DocNumber, IssuedDate)
// and the receiving clerk's SignIncome run on SoftHSM2 tokens; the upload handler receives each
// signed file (multipart `uploadfile`, the page's session along), and pdfsig and qpdf judge the
// last one; the images, number, date and ĐẾN stamp are checked on the rendered page and in its text.
// A page from an origin that is not allowed gets no socket; errors answer Status ≠ 0 in Vietnamese.
import { spawn, type ChildProcess } from 'node:child_process';
import Database from 'better-sqlite3';
import { mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { issueDateOf, issueDateParts } from '../../src/main/appearance/time.js';
import { expectJudgedValid } from '../fixtures/expect.js';
import { makeNssDb } from '../fixtures/judges.js';
import { countInk, makeNd30Pdf, renderPage, savePng, wholePage } from '../fixtures/nd30.js';
import { sharedTestPki, type TestPki } from '../fixtures/pki.js';
import { sealPng, signaturePng } from '../fixtures/png.js';
import { cloneSoftHsm, sharedSoftHsm, type SoftHsm } from '../fixtures/softhsm.js';
import { makeTempDir, removeTempDir, repoRoot } from '../fixtures/tmp.js';
import { runTool } from '../fixtures/tools.js';
import { CHROMIUM } from './harness.js';
import { Dms } from './dms-stand-in.js';

const NUMBER = '203/QĐ-SYT';
const INCOMING = '1532';
const SESSION = 'sess-7f3a';
const JWT = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ2YW50aHUifQ.c2lnbmF0dXJl';

let work: string;
let home: string;
let pki: TestPki;
let hsm: SoftHsm;
let judgeNss: string;
let browser: Browser;

// ---------------------------------------------------------------------------------------------
// The stand-in document-management system

// ---------------------------------------------------------------------------------------------
// The service, as `kyso service` starts it

interface Service {
  child: ChildProcess;
  port: number;
  stderr: () => string;
  stop(): Promise<void>;
}

async function startService(token: 'LEADER' | 'ORG', args: string[], o: { hsm?: SoftHsm; pin?: string } = {}): Promise<Service> {
  const h = o.hsm ?? hsm;
  const t = h.tokens[token];
  const child = spawn(join(repoRoot(), 'bin', 'kyso'), [
    'service', '--port', '0', '--token', t.label, '--pin-env', 'KYSO_TEST_PIN',
    '--trust', pki.rootPemPath, '--crl', pki.crlDerPath, '--crl', pki.rootCrlDerPath, '--offline',
    ...args,
  ], {
    env: { ...process.env, ...h.env, HOME: home, XDG_CONFIG_HOME: join(home, '.config'), XDG_CACHE_HOME: join(home, '.cache'), KYSO_TRUST: '', KYSO_PKCS11_MODULE: h.module, KYSO_TEST_PIN: o.pin ?? t.pin },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  child.stderr!.on('data', (c: Buffer) => (err += c.toString('utf8')));
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`kyso service printed no address in 30 s: ${err}`)), 30_000);
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString('utf8');
      const m = /^Kyso service: wss:\/\/127\.0\.0\.1:(\d+)\/$/m.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    });
    child.once('exit', (code) => reject(new Error(`kyso service exited (${code}): ${err}`)));
  });
  return {
    child,
    port,
    stderr: () => err,
    stop: () =>
      new Promise<void>((r) => {
        if (child.exitCode !== null) return r();
        child.once('exit', () => r());
        child.kill('SIGTERM');
      }),
  };
}

async function pageOf(dms: Dms): Promise<Page> {
  const context = await browser.newContext({ locale: 'vi-VN', timezoneId: 'Asia/Ho_Chi_Minh' });
  const page = await context.newPage();
  await page.goto(dms.origin + '/');
  return page;
}

type Answer = { Status: number; Message: string; FileName: string; FileServer: string; DocumentNumber: string; DocumentDate: string; ErrorCode?: string };

function call(page: Page, fn: string, request: Record<string, unknown>): Promise<Answer> {
  return page.evaluate(([f, r]) => (window as unknown as { signService: (f: string, r: unknown) => Promise<Answer> }).signService(f, r), [fn, request] as const);
}

const todayIso = () => new Date(Date.now() + 7 * 3600_000).toISOString().slice(0, 10);

// ---------------------------------------------------------------------------------------------

const dms = new Dms();
const stranger = new Dms();

beforeAll(async () => {
  work = makeTempDir('vgca-service');
  home = join(work, 'home');
  pki = await sharedTestPki();
  hsm = sharedSoftHsm(pki);
  // The organisation signs twice (issued, then received): poppler needs that certificate in its
  // database to judge the second signature by it (see makeNssDb).
  judgeNss = makeNssDb(join(work, 'judge-nss'), [pki.root.certPem], { intermediatePems: [pki.org.certPem] });
  // The user's own NSS database, as Chromium keeps it: empty, nothing trusts Kyso yet.
  mkdirSync(join(home, '.pki', 'nssdb'), { recursive: true });
  runTool('certutil', ['-N', '-d', `sql:${join(home, '.pki', 'nssdb')}`, '--empty-password']);
  writeFileSync(join(work, 'signature.png'), signaturePng());
  writeFileSync(join(work, 'seal.png'), sealPng());
  await dms.start();
  await stranger.start();
  dms.files.set('QD-quy-che-ky-so.pdf', await makeNd30Pdf());
  dms.files.set('PL-danh-sach.pdf', await makeNd30Pdf({ kind: 'appendix' }));
  dms.files.set('not-a-pdf.pdf', Buffer.from('<html>Phiên đăng nhập đã hết hạn</html>'));
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox'], env: { ...process.env, HOME: home } });
});

afterAll(async () => {
  await browser?.close();
  await dms.stop();
  await stranger.stop();
  removeTempDir(work);
});

describe('kyso service: a DMS page signs through Chromium, wss://127.0.0.1 trusted through the NSS store', () => {
  let leaderSvc: Service;
  let orgSvc: Service;
  let approved: Answer;
  let issued: Answer;
  let income: Answer;
  const issuedDate = `${todayIso()}T09:30:00+07:00`;

  beforeAll(async () => {
    // The leader's machine: his token, his signature image.
    leaderSvc = await startService('LEADER', ['--allow-origin', dms.origin, '--signature-image', join(work, 'signature.png'), '--signer-title', 'GIÁM ĐỐC']);
    dms.servicePort = leaderSvc.port;
    stranger.servicePort = leaderSvc.port;
    const page = await pageOf(dms);
    approved = await call(page, 'SignApproved', {
      FileUploadHandler: `${dms.origin}/upload`,
      SessionId: SESSION,
      JWTToken: JWT,
      FileName: `${dms.origin}/files/QD-quy-che-ky-so.pdf`,
      DocNumber: '',
      IssuedDate: '',
      MetaData: [{ Key: 'DocumentId', Value: '42' }],
    });
    await page.context().close();
  }, 180_000);

  afterAll(async () => {
    await leaderSvc?.stop();
    await orgSvc?.stop();
  });

  test('first start: the local CA is made (key 0600) and installed in the user\'s NSS database', () => {
    const dir = join(home, '.config', 'kyso', 'service');
    expect(statSync(join(dir, 'ca.key')).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, 'server.key')).mode & 0o777).toBe(0o600);
    const listed = runTool('certutil', ['-L', '-d', `sql:${join(home, '.pki', 'nssdb')}`]).stdout;
    expect(listed).toMatch(/Kyso Local Signing Service CA\s+C,,/);
  });

  test('Config and GetVersion answer (liveness), over TLS Chromium trusts', async () => {
    const page = await pageOf(dms);
    const cfg = await call(page, 'Config', {});
    expect(cfg.Status).toBe(0);
    const v = await call(page, 'GetVersion', {});
    expect(v).toMatchObject({ Status: 0, Version: '0.1.0' });
    const c = await call(page, 'GetCertInfo', {});
    expect(c.Status, JSON.stringify(c)).toBe(0);
    expect(JSON.stringify(c)).toContain(pki.leader.names.commonName);
    await page.context().close();
  });

  test('SignApproved: the leader\'s signed file reached the upload handler with the page\'s session; the handler\'s answer came back', () => {
    expect(approved, leaderSvc.stderr()).toMatchObject({ Status: 0, FileName: '/files/signed-1.pdf', FileServer: 'qlvb-test:signed-1.pdf' });
    const r = dms.received[0]!;
    expect(r).toMatchObject({ name: 'signed-1.pdf', sessionId: SESSION, jwtField: JWT, authorization: `Bearer ${JWT}` });
    expect(r.bytes.subarray(0, dms.files.get('QD-quy-che-ky-so.pdf')!.length).equals(dms.files.get('QD-quy-che-ky-so.pdf')!)).toBe(true);
  });

  test('SignIssued (clerk, DocNumber and IssuedDate) and SignIncome (ĐẾN) on the organisation token; pdfsig: valid and trusted', async () => {
    await leaderSvc.stop();
    orgSvc = await startService('ORG', ['--allow-origin', dms.origin, '--seal-image', join(work, 'seal.png'), '--data', join(work, 'desk')]);
    dms.servicePort = orgSvc.port;
    const page = await pageOf(dms);
    issued = await call(page, 'SignIssued', {
      FileUploadHandler: '/upload',
      SessionId: SESSION,
      JWTToken: JWT,
      FileName: approved.FileName,
      DocNumber: NUMBER,
      IssuedDate: issuedDate,
      MetaData: [],
    });
    expect(issued, orgSvc.stderr()).toMatchObject({ Status: 0, DocumentNumber: NUMBER, DocumentDate: issuedDate, FileName: '/files/signed-2.pdf' });
    income = await call(page, 'SignIncome', { FileUploadHandler: '/upload', SessionId: SESSION, JWTToken: JWT, FileName: issued.FileName, DocNumber: INCOMING, IssuedDate: '', MetaData: [] });
    expect(income, orgSvc.stderr()).toMatchObject({ Status: 0, FileName: '/files/signed-3.pdf' });
    await page.context().close();

    const last = join(work, 'received-3.pdf');
    writeFileSync(last, dms.received[2]!.bytes);
    const org = pki.org.names.commonName;
    expectJudgedValid(last, judgeNss, [pki.leader.names.commonName, org, org]);
    writeFileSync(join(work, 'received-2.pdf'), dms.received[1]!.bytes);
    expectJudgedValid(join(work, 'received-2.pdf'), judgeNss, [pki.leader.names.commonName, org]);
  }, 180_000);

  test('the page: the signature in blue, the seal and the ĐẾN stamp in red; number, date and stamp text read back', () => {
    const file = join(work, 'received-3.pdf');
    mkdirSync(join(repoRoot(), 'test-output', 'screenshots'), { recursive: true });
    savePng(file, join(repoRoot(), 'test-output', 'screenshots', 'vgca-service-signed'));
    const img = renderPage(file, join(work, 'r'));
    const before = renderPage(join(work, 'received-2.pdf'), join(work, 'r2'));
    expect(countInk(img, wholePage(img), 'blue')).toBeGreaterThan(400);
    // The seal alone, then the seal and the stamp: the stamp adds red ink of its own.
    const sealRed = countInk(before, wholePage(before), 'red');
    expect(sealRed).toBeGreaterThan(1000);
    expect(countInk(img, wholePage(img), 'red')).toBeGreaterThan(sealRed + 150);
    const t = runTool('pdftotext', ['-layout', file, '-']).stdout;
    const parts = issueDateParts(issueDateOf(new Date()));
    expect(t).toMatch(/Số:\s+203\/QĐ-SYT/);
    expect(t).toContain(`Quảng Ninh, ngày ${parts.day} tháng ${parts.month} năm ${parts.year}`);
    expect(t).toContain('ĐẾN');
    expect(t).toContain(`Số: ${INCOMING}`);
    expect(t).toContain(`Ngày: ${parts.day.padStart(2, '0')}/${String(issueDateOf(new Date()).month).padStart(2, '0')}/${parts.year}`);
  });

  test('the desk\'s audit log records each signing with the requesting origin', () => {
    const r = runTool(join(repoRoot(), 'bin', 'kyso'), ['--data', join(work, 'desk'), 'audit', 'verify'], { env: { ...process.env, HOME: home } });
    expect(r.status, r.stderr).toBe(0);
    const db = new Database(join(work, 'desk', 'kyso.db'), { readonly: true });
    const rows = db.prepare("SELECT action, subject, details FROM audit WHERE action LIKE 'service.%' ORDER BY seq").all() as Array<{ action: string; subject: string; details: string }>;
    db.close();
    expect(rows.map((r) => r.action)).toEqual(['service.SignIssued', 'service.SignIncome']);
    for (const r of rows) expect(JSON.parse(r.details)).toMatchObject({ origin: dms.origin, signer: pki.org.names.commonName });
  });

  test('SignAppendix: the main document\'s number, the signing time and the organisation at the top right of the appendix', async () => {
    const page = await pageOf(dms);
    const r = await call(page, 'SignAppendix', { FileName: '/files/PL-danh-sach.pdf', FileUploadHandler: '/upload', SessionId: SESSION, JWTToken: JWT, DocNumber: NUMBER });
    await page.context().close();
    expect(r, orgSvc.stderr()).toMatchObject({ Status: 0, FileName: '/files/signed-4.pdf' });
    const file = join(work, 'appendix.pdf');
    writeFileSync(file, dms.received[3]!.bytes);
    expectJudgedValid(file, judgeNss, [pki.org.names.commonName]);
    const t = runTool('pdftotext', ['-layout', '-f', '1', '-l', '1', file, '-']).stdout.split('\n').slice(0, 6).join('\n');
    expect(t).toContain(NUMBER);
    expect(t).toMatch(new RegExp(`${todayIso()}T\\d{2}:\\d{2}:\\d{2}\\+07:00`));
  });

  test('a page from an origin not allowed gets no socket; the allowed page gets Status ≠ 0 with a Vietnamese message', async () => {
    const other = await pageOf(stranger);
    stranger.servicePort = orgSvc.port;
    await other.reload();
    await expect(call(other, 'SignApproved', { FileName: `${stranger.origin}/files/x.pdf` })).rejects.toThrow(/no connection|closed/);
    await expect(call(other, 'Config', {})).rejects.toThrow(/no connection|closed/);
    await other.context().close();
    expect(orgSvc.stderr()).toContain(`origin ${stranger.origin} is not allowed`);

    const page = await pageOf(dms);
    const notPdf = await call(page, 'SignIssued', { FileName: '/files/not-a-pdf.pdf', FileUploadHandler: '/upload', DocNumber: NUMBER, IssuedDate: issuedDate });
    expect(notPdf).toMatchObject({ Status: 6, ErrorCode: 'PDF_NOT_PDF' });
    expect(notPdf.Message).toMatch(/không phải là tệp PDF/);
    const elsewhere = await call(page, 'SignIssued', { FileName: `${stranger.origin.replace('127.0.0.1', 'localhost')}/files/QD-quy-che-ky-so.pdf`, DocNumber: NUMBER });
    expect(elsewhere).toMatchObject({ Status: 4, ErrorCode: 'SERVICE_FETCH_HOST_NOT_ALLOWED' });
    // The clerk cannot issue a draft the leader has not signed (the seal goes over the leader's signature).
    const unsigned = await call(page, 'SignIssued', { FileName: '/files/QD-quy-che-ky-so.pdf', DocNumber: NUMBER, IssuedDate: issuedDate });
    expect(unsigned).toMatchObject({ Status: 10, ErrorCode: 'LEADER_SIGNATURE_NOT_FOUND' });
    // The data functions answer from the browser too (service-data.test.ts judges their signatures):
    // a request without its data is refused in Vietnamese; a message signed as vgca_sign_msg sends
    // it (the base64 alone) is a CMS that VerifyMsg accepts, by the organisation's certificate.
    const empty = await call(page, 'SignXML', {});
    expect(empty).toMatchObject({ Status: 2, ErrorCode: 'SERVICE_REQUEST_INVALID' });
    expect(empty.Message).toMatch(/Yêu cầu ký gửi đến không hợp lệ: Base64Content or FileName is required/);
    const message = Buffer.from('Đồng ý phát hành', 'utf8').toString('base64');
    const signedMsg = (await page.evaluate(([f, r]) => (window as unknown as { signService: (f: string, r: unknown) => Promise<unknown> }).signService(f, r), ['SignMsg', message] as const)) as Answer & { Signature: string };
    expect(signedMsg.Status, JSON.stringify(signedMsg)).toBe(0);
    const checked = (await call(page, 'VerifyMsg', { Base64Content: message, Signature: signedMsg.Signature })) as Answer & { Valid: boolean; Signer: { CommonName: string } };
    expect(checked).toMatchObject({ Status: 0, Valid: true, Signer: { CommonName: pki.org.names.commonName } });
    await page.context().close();
    expect(dms.received).toHaveLength(4);
  });

  test('the handler refuses the upload: Status 12 with its message, the signed file kept; a wrong PIN: Status 8, nothing uploaded', async () => {
    const page = await pageOf(dms);
    const refused = await call(page, 'SignAppendix', { FileName: '/files/PL-danh-sach.pdf', FileUploadHandler: '/upload-expired', DocNumber: NUMBER });
    expect(refused).toMatchObject({ Status: 12, ErrorCode: 'SERVICE_UPLOAD_REFUSED' });
    expect(refused.Message).toMatch(/từ chối văn bản đã ký: Phiên làm việc đã hết hạn\. Văn bản đã ký vẫn được giữ ở \S+PL-danh-sach\.pdf/);
    await page.context().close();
    // Of all the calls so far, only the refused upload left its files (in DATA/service): an uploaded
    // or refused document does not stay on the clerk's machine.
    const kept = readdirSync(join(work, 'desk', 'service'));
    expect(kept).toHaveLength(1);
    expect(readdirSync(join(work, 'desk', 'service', kept[0]!))).toContain('PL-danh-sach.pdf');

    // A copy of the tokens, so that the wrong PIN counts against nobody else's.
    const own = cloneSoftHsm(hsm, join(work, 'softhsm-wrong-pin'));
    await orgSvc.stop();
    const wrong = await startService('ORG', ['--allow-origin', dms.origin], { hsm: own, pin: '000000' });
    try {
      dms.servicePort = wrong.port;
      const p2 = await pageOf(dms);
      const r = await call(p2, 'SignAppendix', { FileName: '/files/PL-danh-sach.pdf', FileUploadHandler: '/upload', DocNumber: NUMBER });
      await p2.context().close();
      expect(r).toMatchObject({ Status: 8 });
      expect(r.ErrorCode).toMatch(/^TOKEN_PIN_INCORRECT/);
      expect(r.Message).toMatch(/Mã PIN không đúng/);
    } finally {
      await wrong.stop();
    }
    expect(dms.received).toHaveLength(4);
  });
});
