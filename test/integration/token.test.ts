// The token layer against real SoftHSM2 tokens, built here in a private token directory:
// listing, choosing, PIN errors, every signing path (each signature checked by Node's crypto against
// the certificate), and a token pulled out in the middle of a batch.
//
// Observed SoftHSM 2.6.1 behaviour this file relies on (and checks):
//  - A wrong PIN returns CKR_PIN_INCORRECT and sets CKF_USER_PIN_COUNT_LOW from the FIRST wrong try on
//    (PKCS#11 defines the flag as "a wrong PIN was entered since the last successful login"). It never
//    sets CKF_USER_PIN_FINAL_TRY or CKF_USER_PIN_LOCKED: SoftHSM does not lock. A good login clears the flag.
//    So Kyso reports TOKEN_PIN_INCORRECT_COUNT_LOW for every wrong PIN on SoftHSM.
//  - A PIN of the wrong length (2 or 300 characters) is also CKR_PIN_INCORRECT, not CKR_PIN_LEN_RANGE.
//  - C_Login while the application is already logged in to the token (through any session) returns
//    CKR_USER_ALREADY_LOGGED_IN without checking the PIN.
//  - Deleting a token's directory under tokendir while logged in: C_GetSlotList(true) still lists the
//    slot, C_GetSlotInfo still says CKF_TOKEN_PRESENT and C_GetSessionInfo still succeeds, but
//    C_GetTokenInfo fails with CKR_GENERAL_ERROR, C_FindObjects finds nothing, and C_SignInit with the
//    old key handle fails with CKR_OBJECT_HANDLE_INVALID. Nothing is served from a cache.
import { execFileSync } from 'node:child_process';
import { X509Certificate, constants as cryptoConstants, randomBytes, verify } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KysoError } from '../../src/shared/errors.js';
import type { DigestAlgorithm } from '../../src/main/cms/signer.js';
import { probeDrivers, resolveModulePath } from '../../src/main/token/drivers.js';
import pkcs11js from 'pkcs11js';
import { finalizeAll, mapPkcs11Error } from '../../src/main/token/pkcs11.js';
import { listTokens, openToken, type TokenSession } from '../../src/main/token/tokens.js';
import { formatTokenList, tokenListToJson } from '../../src/main/token/format.js';

const MODULE = '/usr/lib/softhsm/libsofthsm2.so';
const PIN = '123456';
const SO_PIN = '12345678';
const VN_NAME = 'Nguyễn Văn Đức';
const VN_ORG = 'Sở Nội vụ tỉnh Bắc Ninh';
const DISABLED = ['CKM_SHA384_RSA_PKCS', 'CKM_SHA512_RSA_PKCS_PSS'];

let dir = '';
let tokenDir = '';
let env: NodeJS.ProcessEnv = {};
/** DER of the certificates, by name. */
const certs: Record<string, Buffer> = {};
/** The SoftHSM directory of each token, by label. */
const tokenDirs: Record<string, string> = {};

function run(cmd: string, args: string[]): string {
  try {
    return execFileSync(cmd, args, { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    const err = e as { stderr?: string; message: string };
    throw new Error(`${cmd} ${args.join(' ')} failed: ${err.stderr ?? err.message}`);
  }
}

function newKey(name: string, kind: 'rsa' | 'ec'): string {
  const file = join(dir, `${name}.key.pem`);
  const opts = kind === 'rsa' ? ['-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048'] : ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-pkeyopt', 'ec_param_enc:named_curve'];
  run('openssl', ['genpkey', ...opts, '-out', file]); // genpkey writes PKCS#8, which softhsm2-util imports
  return file;
}

let serial = 0x1000;
/** An end-entity certificate signed by the test CA, with a UTF-8 Vietnamese subject. */
function issue(name: string, key: string, cn: string): Buffer {
  const csr = join(dir, `${name}.csr`);
  const der = join(dir, `${name}.der`);
  run('openssl', ['req', '-new', '-key', key, '-utf8', '-subj', `/C=VN/O=${VN_ORG}/CN=${cn}`, '-out', csr]);
  run('openssl', [
    'x509', '-req', '-in', csr, '-CA', join(dir, 'ca.pem'), '-CAkey', join(dir, 'ca.key.pem'),
    '-set_serial', String(serial++), '-days', '365', '-extfile', join(dir, 'ee.cnf'), '-outform', 'DER', '-out', der,
  ]);
  return (certs[name] = readFileSync(der));
}

/** Initialises a token and remembers which directory SoftHSM gave it. */
function initToken(label: string): void {
  const before = new Set(readdirSync(tokenDir));
  run('softhsm2-util', ['--init-token', '--free', '--label', label, '--pin', PIN, '--so-pin', SO_PIN]);
  const added = readdirSync(tokenDir).filter((d) => !before.has(d));
  expect(added).toHaveLength(1);
  tokenDirs[label] = join(tokenDir, added[0]!);
}

function importKey(label: string, key: string, id: string, objLabel: string): void {
  run('softhsm2-util', ['--import', key, '--token', label, '--label', objLabel, '--id', id, '--pin', PIN]);
}

function writeCert(label: string, der: Buffer, id: string, objLabel: string): void {
  const file = join(dir, `write-${label}-${id}.der`);
  writeFileSync(file, der);
  run('pkcs11-tool', ['--module', MODULE, '--token-label', label, '--login', '--pin', PIN, '--write-object', file, '--type', 'cert', '--id', id, '--label', objLabel]);
}

/** Runs `fn`, which must throw a KysoError with `code`; returns it for more checks. */
async function expectKyso(fn: () => unknown, code: string): Promise<KysoError> {
  let caught: unknown;
  try {
    await fn();
  } catch (e) {
    caught = e;
  }
  expect(caught, `expected ${code}`).toBeInstanceOf(KysoError);
  expect((caught as KysoError).code).toBe(code);
  return caught as KysoError;
}

function verifies(der: Buffer, data: Buffer, digest: DigestAlgorithm, signature: Buffer, scheme: 'rsa-pkcs1' | 'rsa-pss' | 'ecdsa'): boolean {
  const key = new X509Certificate(der).publicKey;
  if (scheme === 'ecdsa') return verify(digest, data, { key, dsaEncoding: 'der' }, signature);
  if (scheme === 'rsa-pss') {
    const saltLength = { sha256: 32, sha384: 48, sha512: 64 }[digest];
    return verify(digest, data, { key, padding: cryptoConstants.RSA_PKCS1_PSS_PADDING, saltLength }, signature);
  }
  return verify(digest, data, key, signature);
}

const open: TokenSession[] = [];
function session(label: string): TokenSession {
  const s = openToken({ module: MODULE, label });
  open.push(s);
  return s;
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'kyso-token-test-'));
  tokenDir = join(dir, 'tokens');
  mkdirSync(tokenDir);
  const conf = join(dir, 'softhsm2.conf');
  // Two hash-and-sign mechanisms are switched off, as on tokens that lack them: Kyso must see that in
  // C_GetMechanismList and fall back to the raw mechanisms by itself. (SoftHSM 2.6.1 ignores the first
  // name after the "-", hence the empty one.)
  writeFileSync(
    conf,
    [
      `directories.tokendir = ${tokenDir}`,
      'objectstore.backend = file',
      'log.level = ERROR',
      'slots.removable = false',
      `slots.mechanisms = -,${DISABLED.join(',')}`,
      '',
    ].join('\n'),
  );
  // Before the first C_Initialize in this process: SoftHSM reads its configuration and the token
  // directory then (vitest runs each test file in its own process).
  process.env.SOFTHSM2_CONF = conf;
  env = { ...process.env, LC_ALL: 'C' };

  writeFileSync(join(dir, 'ee.cnf'), 'basicConstraints = critical, CA:FALSE\nkeyUsage = critical, digitalSignature, nonRepudiation\nsubjectKeyIdentifier = hash\nauthorityKeyIdentifier = keyid\n');
  const caKey = newKey('ca', 'rsa');
  // `req -x509` marks it CA:TRUE (the v3_ca section of the default configuration).
  run('openssl', ['req', '-x509', '-new', '-key', caKey, '-utf8', '-subj', '/C=VN/O=Kyso Thử nghiệm/CN=Kyso Test CA', '-days', '3650', '-out', join(dir, 'ca.pem')]);
  certs.ca = Buffer.from(new X509Certificate(readFileSync(join(dir, 'ca.pem'))).raw);

  // KYSO-LEADER: RSA key + certificate (id 01) and the CA certificate (no key).
  const leaderKey = newKey('leader', 'rsa');
  issue('leader', leaderKey, VN_NAME);
  initToken('KYSO-LEADER');
  importKey('KYSO-LEADER', leaderKey, '01', 'leader');
  writeCert('KYSO-LEADER', certs.leader!, '01', 'leader');
  writeCert('KYSO-LEADER', certs.ca, 'ca', 'Kyso Test CA');

  // KYSO-NOKEY: a certificate whose key is elsewhere.
  issue('nokey', newKey('nokey', 'rsa'), 'Trần Thị Hoa');
  initToken('KYSO-NOKEY');
  writeCert('KYSO-NOKEY', certs.nokey!, '02', 'nokey');

  // KYSO-EC: ECDSA P-256.
  const ecKey = newKey('ec', 'ec');
  issue('ec', ecKey, 'Lê Văn Bình');
  initToken('KYSO-EC');
  importKey('KYSO-EC', ecKey, '03', 'ec');
  writeCert('KYSO-EC', certs.ec!, '03', 'ec');

  // KYSO-MULTI: two certificates with keys.
  for (const id of ['0a', '0b']) {
    const k = newKey(`multi-${id}`, 'rsa');
    issue(`multi-${id}`, k, `Phạm Quốc Việt ${id}`);
    if (id === '0a') initToken('KYSO-MULTI');
    importKey('KYSO-MULTI', k, id, `multi-${id}`);
    writeCert('KYSO-MULTI', certs[`multi-${id}`]!, id, `multi-${id}`);
  }

  // KYSO-MISMATCH: a key and a certificate paired by CKA_ID that do not belong together.
  initToken('KYSO-MISMATCH');
  importKey('KYSO-MISMATCH', join(dir, 'multi-0a.key.pem'), '07', 'mismatch');
  writeCert('KYSO-MISMATCH', certs.leader!, '07', 'mismatch');

  // KYSO-PIN: for wrong PINs, so the other tokens' flags stay clean.
  initToken('KYSO-PIN');

  // KYSO-REMOVE: pulled out (its directory deleted) in the last test.
  const rmKey = newKey('remove', 'rsa');
  issue('remove', rmKey, 'Hoàng Minh Châu');
  initToken('KYSO-REMOVE');
  importKey('KYSO-REMOVE', rmKey, '05', 'remove');
  writeCert('KYSO-REMOVE', certs.remove!, '05', 'remove');
}, 300_000);

afterAll(() => {
  for (const s of open) s.close();
  finalizeAll();
  if (dir && process.env.KYSO_KEEP_TMP !== '1') rmSync(dir, { recursive: true, force: true });
});

describe('drivers', () => {
  it('rejects an explicit module path that does not exist', async () => {
    const e = await expectKyso(() => resolveModulePath('/nonexistent/libnothing.so'), 'TOKEN_MODULE_NOT_FOUND');
    expect(e.details.module).toBe('/nonexistent/libnothing.so');
  });

  it('finds SoftHSM2 in the catalogue, after the real vendors', () => {
    const saved = process.env.KYSO_PKCS11_MODULE;
    delete process.env.KYSO_PKCS11_MODULE;
    try {
      const found = probeDrivers('linux');
      const soft = found.find((d) => d.path === MODULE);
      expect(soft).toMatchObject({ id: 'softhsm2', test: true });
      expect(found.findIndex((d) => d.test)).toBeGreaterThanOrEqual(found.filter((d) => !d.test).length);
      expect(resolveModulePath()).toBe(found[0]!.path);
      process.env.KYSO_PKCS11_MODULE = MODULE;
      expect(resolveModulePath()).toBe(MODULE);
      process.env.KYSO_PKCS11_MODULE = '/nonexistent/env.so';
      expect(() => resolveModulePath()).toThrow(KysoError);
    } finally {
      if (saved === undefined) delete process.env.KYSO_PKCS11_MODULE;
      else process.env.KYSO_PKCS11_MODULE = saved;
    }
  });

  it('reports a file that is not a PKCS#11 library as TOKEN_MODULE_LOAD_FAILED', async () => {
    const fake = join(dir, 'not-a-driver.so');
    writeFileSync(fake, 'this is not a shared library');
    const e = await expectKyso(() => listTokens(fake), 'TOKEN_MODULE_LOAD_FAILED');
    expect(e.details.module).toBe(fake);
  });
});

describe('listing', () => {
  it('lists the tokens and their certificates without a PIN, Vietnamese intact', () => {
    const tokens = listTokens(MODULE);
    expect(tokens.map((t) => t.label).sort()).toEqual(['KYSO-EC', 'KYSO-LEADER', 'KYSO-MISMATCH', 'KYSO-MULTI', 'KYSO-NOKEY', 'KYSO-PIN', 'KYSO-REMOVE']);
    const leader = tokens.find((t) => t.label === 'KYSO-LEADER')!;
    expect(leader.manufacturer).toBe('SoftHSM project');
    expect(leader.serial).toMatch(/^[0-9a-f]{16}$/);
    expect(leader.slotId).toMatch(/^\d+$/);
    expect(leader.flags).toMatchObject({ loginRequired: true, tokenInitialized: true, userPinLocked: false, userPinFinalTry: false });

    expect(leader.certificates).toHaveLength(2);
    const ee = leader.certificates.find((c) => c.id === '01')!;
    expect(ee.subject).toBe(`CN=${VN_NAME}, O=${VN_ORG}, C=VN`);
    expect(ee.commonName).toBe(VN_NAME);
    expect(ee.issuer).toBe('CN=Kyso Test CA, O=Kyso Thử nghiệm, C=VN');
    expect(ee.label).toBe('leader');
    expect(ee.isCa).toBe(false);
    expect(ee.keyUsage).toEqual(['digitalSignature', 'nonRepudiation']);
    expect(ee.serialNumber).toMatch(/^[0-9A-F]+$/);
    expect(new Date(ee.notAfter).getTime()).toBeGreaterThan(Date.now());
    expect(ee.der.equals(certs.leader!)).toBe(true);
    // Before login the private key is invisible; SoftHSM's public key object with the same id is the hint.
    expect(ee.hasPrivateKey).toBe(true);
    const ca = leader.certificates.find((c) => c.id === 'ca')!; // pkcs11-tool reads --id as hex
    expect(ca.isCa).toBe(true);

    const nokey = tokens.find((t) => t.label === 'KYSO-NOKEY')!;
    expect(nokey.certificates).toHaveLength(1);
    expect(nokey.certificates[0]!.hasPrivateKey).toBeNull();
  });

  it('formats the list for people (vi first) and for scripts', () => {
    const tokens = listTokens(MODULE);
    const vi = formatTokenList(tokens, 'vi');
    expect(vi).toContain('Token "KYSO-LEADER"');
    expect(vi).toContain(`Chủ thể: CN=${VN_NAME}, O=${VN_ORG}, C=VN`);
    expect(vi).toContain('Khóa bí mật: chưa rõ (cần mã PIN để xem)');
    expect(formatTokenList(tokens, 'en')).toContain('Private key: yes');
    expect(formatTokenList([], 'vi')).toBe('Không có token nào đang cắm vào máy.\n');

    const json = JSON.parse(JSON.stringify(tokenListToJson(tokens, { includeDer: true })));
    const ee = json.find((t: { label: string }) => t.label === 'KYSO-LEADER').certificates.find((c: { id: string }) => c.id === '01');
    expect(Buffer.from(ee.der, 'base64').equals(certs.leader!)).toBe(true);
    expect(ee.subject).toBe(`CN=${VN_NAME}, O=${VN_ORG}, C=VN`);
    expect(tokenListToJson(tokens)[0]!.certificates.every((c) => c.der === undefined)).toBe(true);
  });
});

describe('choosing a token', () => {
  it('opens a token by label and by serial', () => {
    const s = session('KYSO-LEADER');
    expect(s.label).toBe('KYSO-LEADER');
    const bySerial = openToken({ module: MODULE, serial: s.serial });
    expect(bySerial.label).toBe('KYSO-LEADER');
    bySerial.close();
  });

  it('names the tokens present when the label is unknown', async () => {
    const e = await expectKyso(() => openToken({ module: MODULE, label: 'KHONG-CO' }), 'TOKEN_NOT_FOUND');
    expect(e.details.label).toBe('KHONG-CO');
    expect(String(e.details.present)).toContain('KYSO-LEADER');
  });

  it('refuses to guess among several tokens', async () => {
    const e = await expectKyso(() => openToken({ module: MODULE }), 'TOKEN_AMBIGUOUS');
    expect(String(e.details.present)).toContain('KYSO-EC');
  });
});

describe('PIN', () => {
  it('wants a PIN', async () => {
    const s = session('KYSO-PIN');
    await expectKyso(() => s.login(''), 'TOKEN_PIN_MISSING');
    await expectKyso(() => s.login(undefined), 'TOKEN_PIN_MISSING');
    expect(s.loggedIn).toBe(false);
  });

  it('reports a wrong PIN with what the token says about the tries left, and never the PIN', async () => {
    const s = session('KYSO-PIN');
    const e = await expectKyso(() => s.login('000000'), 'TOKEN_PIN_INCORRECT_COUNT_LOW');
    expect(e.details.ckr).toBe('CKR_PIN_INCORRECT');
    expect(JSON.stringify(e.details) + e.message + String(e.stack)).not.toContain('000000');
    // SoftHSM sets COUNT_LOW from the first wrong try and never FINAL_TRY/LOCKED (see the top of this file).
    const flags = listTokens(MODULE).find((t) => t.label === 'KYSO-PIN')!.flags;
    expect(flags).toMatchObject({ userPinCountLow: true, userPinFinalTry: false, userPinLocked: false });
    await expectKyso(() => s.login('0'), 'TOKEN_PIN_INCORRECT_COUNT_LOW');
    s.login(PIN);
    expect(s.loggedIn).toBe(true);
    expect(listTokens(MODULE).find((t) => t.label === 'KYSO-PIN')!.flags.userPinCountLow).toBe(false);
    s.close();
  });

  it('needs a login before making a signer', async () => {
    const s = session('KYSO-LEADER');
    await expectKyso(() => s.signer(), 'TOKEN_PIN_MISSING');
  });
});

describe('signing', () => {
  const data = Buffer.concat([Buffer.from([0x31, 0x82, 0x01, 0x00]), randomBytes(256)]);

  it('signs with RSA PKCS#1 v1.5 through CKM_SHA*_RSA_PKCS, and through CKM_RSA_PKCS when the token lacks it or when forced', async () => {
    const s = session('KYSO-LEADER');
    s.login(PIN);
    s.login(PIN); // CKR_USER_ALREADY_LOGGED_IN is fine
    expect(s.signingCertificates().map((c) => c.id)).toEqual(['01']);
    const signer = s.signer();
    expect(signer.scheme).toBe('rsa-pkcs1');
    expect(signer.key).toEqual({ type: 'RSA', bits: 2048 });
    expect(signer.certificate.equals(certs.leader!)).toBe(true);
    expect(signer.chain.map((c) => c.equals(certs.ca)).every(Boolean)).toBe(true);
    expect(signer.chain).toHaveLength(1);
    const raw = s.signer({ forceRawRsa: true });
    for (const digest of ['sha256', 'sha384', 'sha512'] as const) {
      const a = await signer.sign(data, digest);
      const hashAndSign = `CKM_${digest.toUpperCase()}_RSA_PKCS`;
      expect(signer.lastMechanism).toBe(DISABLED.includes(hashAndSign) ? 'CKM_RSA_PKCS' : hashAndSign);
      expect(a).toHaveLength(256);
      expect(verifies(certs.leader!, data, digest, a, 'rsa-pkcs1')).toBe(true);
      const b = await raw.sign(data, digest);
      expect(raw.lastMechanism).toBe('CKM_RSA_PKCS');
      expect(verifies(certs.leader!, data, digest, b, 'rsa-pkcs1')).toBe(true);
      // PKCS#1 v1.5 is deterministic: both paths must give the very same bytes.
      expect(b.equals(a)).toBe(true);
    }
    // One login serves a batch, run concurrently: the session serialises the operations.
    const many = await Promise.all(Array.from({ length: 8 }, (_, i) => signer.sign(Buffer.concat([data, Buffer.from([i])]), 'sha256')));
    many.forEach((sig, i) => expect(verifies(certs.leader!, Buffer.concat([data, Buffer.from([i])]), 'sha256', sig, 'rsa-pkcs1')).toBe(true));
  });

  it('signs with RSA-PSS (hash-and-sign, and raw when the token lacks it or when forced)', async () => {
    const s = session('KYSO-LEADER');
    s.login(PIN);
    for (const forceRawRsa of [false, true]) {
      const signer = s.signer({ scheme: 'rsa-pss', forceRawRsa });
      expect(signer.scheme).toBe('rsa-pss');
      for (const digest of ['sha256', 'sha512'] as const) {
        const sig = await signer.sign(data, digest);
        const hashAndSign = `CKM_${digest.toUpperCase()}_RSA_PKCS_PSS`;
        expect(signer.lastMechanism).toBe(forceRawRsa || DISABLED.includes(hashAndSign) ? 'CKM_RSA_PKCS_PSS' : hashAndSign);
        expect(verifies(certs.leader!, data, digest, sig, 'rsa-pss')).toBe(true);
      }
    }
  });

  it('signs with ECDSA P-256 and returns DER', async () => {
    const s = session('KYSO-EC');
    s.login(PIN);
    const signer = s.signer();
    expect(signer.scheme).toBe('ecdsa');
    expect(signer.key).toEqual({ type: 'EC', curve: 'P-256', bits: 256 });
    for (const digest of ['sha256', 'sha384'] as const) {
      const sig = await signer.sign(data, digest);
      expect(sig[0]).toBe(0x30);
      expect(signer.lastMechanism).toBe('CKM_ECDSA');
      expect(verifies(certs.ec!, data, digest, sig, 'ecdsa')).toBe(true);
    }
    await expectKyso(() => s.signer({ scheme: 'rsa-pss' }), 'TOKEN_SCHEME_MISMATCH');
  });

  it('refuses a certificate whose private key is not on the token', async () => {
    const s = session('KYSO-NOKEY');
    s.login(PIN);
    expect(s.certificates()[0]!.hasPrivateKey).toBe(false);
    expect(s.signingCertificates()).toEqual([]);
    const e = await expectKyso(() => s.signer(), 'TOKEN_NO_PRIVATE_KEY');
    expect(e.details.subject).toBe(`CN=Trần Thị Hoa, O=${VN_ORG}, C=VN`);
    await expectKyso(() => s.signer({ keyId: '02' }), 'TOKEN_NO_PRIVATE_KEY');
    await expectKyso(() => s.signer({ keyId: '99' }), 'TOKEN_NO_CERTIFICATE');
  });

  it('asks which certificate when there are several, and uses the one chosen', async () => {
    const s = session('KYSO-MULTI');
    s.login(PIN);
    const e = await expectKyso(() => s.signer(), 'TOKEN_AMBIGUOUS_CERTIFICATE');
    expect(e.details).toMatchObject({ label: 'KYSO-MULTI', ids: '0a, 0b' });
    const signer = s.signer({ keyId: '0B' });
    expect(signer.keyId).toBe('0b');
    expect(signer.certificate.equals(certs['multi-0b']!)).toBe(true);
    const sig = await signer.sign(data, 'sha256');
    expect(verifies(certs['multi-0b']!, data, 'sha256', sig, 'rsa-pkcs1')).toBe(true);
    expect(verifies(certs['multi-0a']!, data, 'sha256', sig, 'rsa-pkcs1')).toBe(false);
  });
});

describe('a key that does not match its certificate', () => {
  it('is caught before the signature leaves the token layer', async () => {
    const s = session('KYSO-MISMATCH');
    s.login(PIN);
    const signer = s.signer();
    const e = await expectKyso(() => signer.sign(Buffer.from('x'), 'sha256'), 'TOKEN_KEY_MISMATCH');
    expect(e.details.subject).toBe(`CN=${VN_NAME}, O=${VN_ORG}, C=VN`);
  });
});

describe('CKR → Kyso error codes', () => {
  const err = (name: string) => {
    const code = (pkcs11js as unknown as Record<string, number>)[name]!;
    expect(code, name).toBeTypeOf('number');
    return new pkcs11js.Pkcs11Error(`${name}:${code}`, code, 'C_Sign');
  };
  it.each([
    ['CKR_PIN_INCORRECT', 'TOKEN_PIN_INCORRECT'],
    ['CKR_PIN_LOCKED', 'TOKEN_PIN_LOCKED'],
    ['CKR_PIN_EXPIRED', 'TOKEN_PIN_EXPIRED'],
    ['CKR_PIN_LEN_RANGE', 'TOKEN_PIN_LEN_RANGE'],
    ['CKR_USER_NOT_LOGGED_IN', 'TOKEN_PIN_MISSING'],
    ['CKR_DEVICE_REMOVED', 'TOKEN_REMOVED'],
    ['CKR_TOKEN_NOT_PRESENT', 'TOKEN_REMOVED'],
    ['CKR_SESSION_HANDLE_INVALID', 'TOKEN_REMOVED'],
    ['CKR_SESSION_CLOSED', 'TOKEN_REMOVED'],
    ['CKR_DEVICE_ERROR', 'TOKEN_REMOVED'],
    ['CKR_SLOT_ID_INVALID', 'TOKEN_REMOVED'],
    ['CKR_TOKEN_NOT_RECOGNIZED', 'TOKEN_REMOVED'],
    ['CKR_MECHANISM_INVALID', 'TOKEN_MECHANISM_UNSUPPORTED'],
    ['CKR_MECHANISM_PARAM_INVALID', 'TOKEN_MECHANISM_UNSUPPORTED'],
    ['CKR_KEY_TYPE_INCONSISTENT', 'TOKEN_KEY_UNSUPPORTED'],
    ['CKR_KEY_FUNCTION_NOT_PERMITTED', 'TOKEN_KEY_UNSUPPORTED'],
    ['CKR_GENERAL_ERROR', 'TOKEN_ERROR'],
    ['CKR_OBJECT_HANDLE_INVALID', 'TOKEN_ERROR'],
  ])('%s → %s', (ckr, code) => {
    const mapped = mapPkcs11Error(err(ckr), 'C_Sign', { mechanism: 'CKM_ECDSA' });
    expect(mapped.code).toBe(code);
    expect(mapped.details.ckr).toBe(ckr);
  });

  it('keeps details that help', () => {
    expect(mapPkcs11Error(err('CKR_MECHANISM_INVALID'), 'C_SignInit', { mechanism: 'CKM_SHA256_RSA_PKCS_PSS' }).details.mechanism).toBe('CKM_SHA256_RSA_PKCS_PSS');
    expect(mapPkcs11Error(err('CKR_GENERAL_ERROR'), 'C_Sign').details).toMatchObject({ ckr: 'CKR_GENERAL_ERROR', operation: 'C_Sign' });
    // A stale key handle in the middle of a sign means the token went away.
    expect(mapPkcs11Error(err('CKR_KEY_HANDLE_INVALID'), 'C_Sign', { handlesWereValid: true }).code).toBe('TOKEN_REMOVED');
    const vendor = new pkcs11js.Pkcs11Error('CKR_VENDOR_DEFINED:2147483649', 0x80000001, 'C_Sign');
    expect(mapPkcs11Error(vendor, 'C_Sign').details.ckr).toBe('CKR_0x80000001');
    expect(mapPkcs11Error(new Error('boom'), 'C_Sign').code).toBe('TOKEN_ERROR');
  });
});

describe('a token pulled out', () => {
  it('fails the next signature with TOKEN_REMOVED, and the other tokens keep working', async () => {
    const s = session('KYSO-REMOVE');
    s.login(PIN);
    const signer = s.signer();
    const before = await signer.sign(data(), 'sha256');
    expect(verifies(certs.remove!, data(), 'sha256', before, 'rsa-pkcs1')).toBe(true);

    rmSync(tokenDirs['KYSO-REMOVE']!, { recursive: true, force: true });

    const e = await expectKyso(() => signer.sign(data(), 'sha256'), 'TOKEN_REMOVED');
    // SoftHSM keeps the slot in C_GetSlotList(true); C_GetTokenInfo is what notices (CKR_GENERAL_ERROR).
    expect(e.details).toMatchObject({ operation: 'C_GetTokenInfo', ckr: 'CKR_GENERAL_ERROR' });
    await expectKyso(() => signer.sign(data(), 'sha256'), 'TOKEN_REMOVED');
    expect(() => s.close()).not.toThrow();
    expect(s.isOpen).toBe(false);

    expect(listTokens(MODULE).map((t) => t.label)).not.toContain('KYSO-REMOVE');
    const leader = session('KYSO-LEADER');
    leader.login(PIN);
    const sig = await leader.signer().sign(data(), 'sha256');
    expect(verifies(certs.leader!, data(), 'sha256', sig, 'rsa-pkcs1')).toBe(true);
  });

  it('finalizeAll closes every session; the driver loads again afterwards', () => {
    const s = session('KYSO-EC');
    finalizeAll();
    expect(s.isOpen).toBe(false);
    expect(listTokens(MODULE).map((t) => t.label)).toContain('KYSO-EC');
  });

  function data(): Buffer {
    return Buffer.from('signed attributes of a document', 'utf8');
  }
});
