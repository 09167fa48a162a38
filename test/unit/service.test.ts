// Issue 16, the pure parts of the signing service: the trust-store command lines for every
// platform (only the NSS ones are run for real, in the test below and the e2e test), the origin
// allow-list and its "ask" hook, the file-host rule, the request's issue date, and the status a
// Kyso error is answered with.
import { X509Certificate } from 'node:crypto';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { renderError } from '../../src/shared/errors.js';
import { ensureServiceTls, LOCAL_CA_NAME } from '../../src/main/service/local-ca.js';
import { OriginPolicy, readAllowList } from '../../src/main/service/origins.js';
import { issuedDay } from '../../src/main/service/pdf-functions.js';
import { errorResponse, STATUS, statusOf } from '../../src/main/service/protocol.js';
import { applyTrust, caIdentity, linuxNssDatabases, trustStoreCommands, type CaIdentity } from '../../src/main/service/trust-stores.js';
import { expectKysoCode } from '../fixtures/expect.js';
import { makeTempDir, removeTempDir } from '../fixtures/tmp.js';
import { runTool } from '../fixtures/tools.js';

const CA: CaIdentity = { pemPath: '/home/u/.config/kyso/service/ca.pem', name: LOCAL_CA_NAME, serialHex: '0a1b2c', sha1Hex: 'ABCDEF0123' };
let work: string;
beforeAll(() => {
  work = makeTempDir('service-unit');
});
afterAll(() => removeTempDir(work));

describe('trust-store command lines', () => {
  test('Linux: every NSS database; a missing Chromium database is made first; an old copy is removed before adding', () => {
    const dbs = [
      { dir: '/home/u/.pki/nssdb', exists: false },
      { dir: '/home/u/.mozilla/firefox/abc.default-release', exists: true },
    ];
    const install = trustStoreCommands('linux', 'install', CA, { home: '/home/u', nssDbs: dbs }).map((c) => [c.cmd, ...c.args].join(' '));
    expect(install).toEqual([
      'certutil -N -d sql:/home/u/.pki/nssdb --empty-password',
      `certutil -D -d sql:/home/u/.pki/nssdb -n ${LOCAL_CA_NAME}`,
      `certutil -A -d sql:/home/u/.pki/nssdb -t C,, -n ${LOCAL_CA_NAME} -i ${CA.pemPath}`,
      `certutil -D -d sql:/home/u/.mozilla/firefox/abc.default-release -n ${LOCAL_CA_NAME}`,
      `certutil -A -d sql:/home/u/.mozilla/firefox/abc.default-release -t C,, -n ${LOCAL_CA_NAME} -i ${CA.pemPath}`,
    ]);
    const remove = trustStoreCommands('linux', 'remove', CA, { home: '/home/u', nssDbs: dbs });
    expect(remove.map((c) => [c.cmd, ...c.args].join(' '))).toEqual([
      `certutil -D -d sql:/home/u/.pki/nssdb -n ${LOCAL_CA_NAME}`,
      `certutil -D -d sql:/home/u/.mozilla/firefox/abc.default-release -n ${LOCAL_CA_NAME}`,
    ]);
    expect(remove.every((c) => c.mayFail)).toBe(true);
  });

  test('Windows: the current user\'s Root store with certutil.exe (no administrator), removed by serial number', () => {
    expect(trustStoreCommands('win32', 'install', CA, { home: 'C:\\Users\\u' }).map((c) => [c.cmd, ...c.args])).toEqual([['certutil.exe', '-user', '-addstore', '-f', 'Root', CA.pemPath]]);
    expect(trustStoreCommands('win32', 'remove', CA, { home: 'C:\\Users\\u' }).map((c) => [c.cmd, ...c.args])).toEqual([['certutil.exe', '-user', '-delstore', 'Root', '0a1b2c']]);
  });

  test('macOS: the login keychain, trusted for SSL only; removed by its SHA-1', () => {
    const kc = '/Users/u/Library/Keychains/login.keychain-db';
    expect(trustStoreCommands('darwin', 'install', CA, { home: '/Users/u' }).map((c) => [c.cmd, ...c.args])).toEqual([
      ['security', 'add-trusted-cert', '-r', 'trustRoot', '-p', 'ssl', '-k', kc, CA.pemPath],
    ]);
    expect(trustStoreCommands('darwin', 'remove', CA, { home: '/Users/u' }).map((c) => [c.cmd, ...c.args])).toEqual([
      ['security', 'remove-trusted-cert', CA.pemPath],
      ['security', 'delete-certificate', '-Z', 'ABCDEF0123', kc],
    ]);
  });

  test('for real on this machine (NSS): the CA made, installed as "C,," and removed again', async () => {
    const home = join(work, 'home');
    const tls = await ensureServiceTls(join(home, '.config', 'kyso', 'service'));
    expect(tls.created).toBe(true);
    expect(statSync(tls.files.caKey).mode & 0o777).toBe(0o600);
    const ca = new X509Certificate(tls.caPem);
    const server = new X509Certificate(tls.cert.split('-----END CERTIFICATE-----')[0] + '-----END CERTIFICATE-----\n');
    expect(server.checkIssued(ca) && server.verify(ca.publicKey)).toBe(true);
    expect(server.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(server.checkHost('localhost')).toBe('localhost');
    expect(ca.ca).toBe(true);
    // A second start reuses the CA.
    expect((await ensureServiceTls(join(home, '.config', 'kyso', 'service'))).created).toBe(false);

    expect(linuxNssDatabases(home)).toEqual([{ dir: join(home, '.pki', 'nssdb'), exists: false }]);
    const id = caIdentity(tls.files.caCert, tls.caPem);
    applyTrust('install', id, home, 'linux');
    const listed = runTool('certutil', ['-L', '-d', `sql:${join(home, '.pki', 'nssdb')}`]).stdout;
    expect(listed).toMatch(new RegExp(`${LOCAL_CA_NAME}\\s+C,,`));
    applyTrust('install', id, home, 'linux'); // twice: still one copy
    expect(runTool('certutil', ['-L', '-d', `sql:${join(home, '.pki', 'nssdb')}`]).stdout.split(LOCAL_CA_NAME)).toHaveLength(2);
    applyTrust('remove', id, home, 'linux');
    expect(runTool('certutil', ['-L', '-d', `sql:${join(home, '.pki', 'nssdb')}`]).stdout).not.toContain(LOCAL_CA_NAME);
  });
});

describe('origins', () => {
  test('listed origins are admitted in any spelling; others, "null" and none are not', async () => {
    const p = new OriginPolicy({ origins: ['https://qlvb.example.gov.vn/'] });
    expect(await p.admit('https://qlvb.example.gov.vn')).toBe(true);
    expect(await p.admit('https://QLVB.example.gov.vn:443')).toBe(true);
    expect(await p.admit('http://qlvb.example.gov.vn')).toBe(false);
    expect(await p.admit('https://evil.example')).toBe(false);
    expect(await p.admit('null')).toBe(false);
    expect(await p.admit(undefined)).toBe(false);
  });

  test('a new origin is asked about once; a yes is remembered in origins.json, a no is not', async () => {
    const file = join(work, 'origins.json');
    const asked: string[] = [];
    const p = OriginPolicy.fromFile(file, {}, async (o) => {
      asked.push(o);
      return o === 'https://qlvb.example.gov.vn';
    });
    const [a, b] = await Promise.all([p.admit('https://qlvb.example.gov.vn'), p.admit('https://qlvb.example.gov.vn')]);
    expect([a, b]).toEqual([true, true]);
    expect(await p.admit('https://evil.example')).toBe(false);
    expect(await p.admit('https://qlvb.example.gov.vn')).toBe(true);
    expect(asked).toEqual(['https://qlvb.example.gov.vn', 'https://evil.example']);
    expect(readAllowList(file).origins).toEqual(['https://qlvb.example.gov.vn']);
  });

  test('files only from the page\'s own host, or a host the user allowed', () => {
    const p = new OriginPolicy({ origins: [], fileHosts: ['files.example.gov.vn'] });
    p.checkFileUrl(new URL('https://qlvb.example.gov.vn:8443/files/a.pdf'), 'https://qlvb.example.gov.vn');
    p.checkFileUrl(new URL('https://files.example.gov.vn/a.pdf'), 'https://qlvb.example.gov.vn');
    expectKysoCode(() => p.checkFileUrl(new URL('http://169.254.169.254/latest'), 'https://qlvb.example.gov.vn'), 'SERVICE_FETCH_HOST_NOT_ALLOWED');
  });
});

describe('protocol', () => {
  test('IssuedDate as the plugin sends it is the day in Vietnam', () => {
    expect(issuedDay('2019-03-12T12:00:00+07:00')).toBe('2019-03-12');
    expect(issuedDay('2019-03-12T20:00:00Z')).toBe('2019-03-13');
    expect(issuedDay('2019-03-12')).toBe('2019-03-12');
    expectKysoCode(() => issuedDay('12/03/2019 xx'), 'ISSUE_DATE_INVALID');
  });

  test('errors answer Status ≠ 0 with the Vietnamese message and what to do; cancel is 11', () => {
    expect(statusOf('SERVICE_CANCELLED')).toBe(STATUS.CANCELLED);
    expect(STATUS.CANCELLED).toBe(11);
    expect(statusOf('TOKEN_PIN_INCORRECT_FINAL_TRY')).toBe(STATUS.PIN);
    expect(statusOf('TOKEN_REMOVED')).toBe(STATUS.TOKEN);
    expect(statusOf('PDF_NOT_PDF')).toBe(STATUS.NOT_PDF);
    expect(statusOf('SERVICE_UPLOAD_REFUSED')).toBe(STATUS.UPLOAD);
    const r = errorResponse('TOKEN_PIN_INCORRECT_FINAL_TRY');
    expect(r.Status).toBe(STATUS.PIN);
    expect(r.Message).toContain(renderError('TOKEN_PIN_INCORRECT_FINAL_TRY', {}, 'vi').message);
    expect(r.Message).toMatch(/chỉ còn MỘT lần thử/);
    expect(errorResponse('SERVICE_UPLOAD_REFUSED', { reason: 'HTTP 403', path: '/tmp/x.pdf' }).Message).toMatch(/từ chối văn bản đã ký: HTTP 403/);
  });
});
