// Bad input gets one clear error (Vietnamese | English, with its code) and nothing is written:
// no output file, no temporary file, the input unchanged.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { corpusFile, makeEncryptedPdf, makeNotPdf, sharedCorpus } from '../fixtures/corpus.js';
import { sharedTestPki } from '../fixtures/pki.js';
import { cloneSoftHsm, sharedSoftHsm, type SoftHsm } from '../fixtures/softhsm.js';
import { makeTempDir, repoRoot } from '../fixtures/tmp.js';

const pki = await sharedTestPki();
const corpus = await sharedCorpus(pki);
let hsm: SoftHsm;
let work: string;
const sha = (f: string) => createHash('sha256').update(readFileSync(f)).digest('hex');

beforeAll(() => {
  work = makeTempDir('sign-errors');
  // A private copy: one test here removes a token.
  hsm = cloneSoftHsm(sharedSoftHsm(pki), join(work, 'softhsm'));
  // The token layer reads SOFTHSM2_CONF when it first loads the driver, in this process.
  process.env.SOFTHSM2_CONF = hsm.conf;
});

function kyso(args: string[], env: Record<string, string> = {}) {
  return spawnSync(process.execPath, [join(repoRoot(), 'bin', 'kyso.cjs'), ...args], {
    env: { ...process.env, ...hsm.env, KYSO_PKCS11_MODULE: hsm.module, ...env },
    encoding: 'utf8',
  });
}

/** Runs `kyso sign` into a fresh folder and checks that it failed with `code` and left nothing. */
function expectSignFails(input: string, code: string, opts: { token?: string; pin?: string; extra?: string[]; exit?: number } = {}) {
  const dir = makeTempDir('sign-error-out');
  const out = join(dir, 'out.pdf');
  const before = existsSync(input) ? sha(input) : undefined;
  const r = kyso(['sign', input, '-o', out, '--token', opts.token ?? 'KYSO-ORG', '--pin-env', 'KYSO_TEST_PIN', ...(opts.extra ?? [])], {
    KYSO_TEST_PIN: opts.pin ?? '123456',
  });
  expect(r.status, r.stderr + r.stdout).toBe(opts.exit ?? 1);
  expect(r.stderr).toContain(`[${code}]`);
  // One line, both languages.
  expect(r.stderr.trim().split('\n')).toHaveLength(1);
  expect(r.stderr).toMatch(/^Lỗi \[[A-Z_]+\]: .+ \| Error: .+/);
  expect(readdirSync(dir), 'nothing is left in the output folder').toEqual([]);
  if (before) expect(sha(input), 'the input is unchanged').toBe(before);
  return r.stderr;
}

describe('kyso sign refuses bad input cleanly', () => {
  const gs = () => corpusFile(corpus, 'gs-14').path;

  test('wrong PIN', () => {
    const msg = expectSignFails(gs(), 'TOKEN_PIN_INCORRECT_COUNT_LOW', { pin: '999999' });
    expect(msg).toContain('Mã PIN không đúng');
    expect(msg).not.toContain('999999');
  });

  test('PIN variable empty', () => {
    expectSignFails(gs(), 'TOKEN_PIN_MISSING', { pin: '' });
  });

  test('unknown token', () => {
    expectSignFails(gs(), 'TOKEN_NOT_FOUND', { token: 'KYSO-NOPE' });
  });

  test('a certificate without a private key', () => {
    const msg = expectSignFails(gs(), 'TOKEN_NO_PRIVATE_KEY', { token: 'KYSO-NOKEY' });
    expect(msg).toContain(pki.drafter.names.commonName);
  });

  test('an expired certificate', () => {
    expectSignFails(gs(), 'CERT_EXPIRED', { token: 'KYSO-EXPIRED' });
  });

  test('a file that is not a PDF', async () => {
    const f = join(work, 'not-a-pdf.pdf');
    await makeNotPdf(f, 'png');
    expectSignFails(f, 'PDF_NOT_PDF');
  });

  test('a truncated PDF', () => {
    const f = join(work, 'truncated.pdf');
    writeFileSync(f, readFileSync(gs()).subarray(0, 600));
    expectSignFails(f, 'PDF_MALFORMED');
  });

  test('an encrypted PDF', async () => {
    const f = join(work, 'encrypted.pdf');
    await makeEncryptedPdf(f, gs());
    expectSignFails(f, 'PDF_ENCRYPTED');
  });

  test('a missing input file', () => {
    expectSignFails(join(work, 'nope.pdf'), 'FILE_NOT_FOUND');
  });

  test('a page that does not exist', () => {
    expectSignFails(gs(), 'PDF_PAGE_OUT_OF_RANGE', { extra: ['--page', '9', '--rect', '10,10,100,50'] });
  });

  test('output onto the input', () => {
    const f = join(work, 'self.pdf');
    copyFileSync(gs(), f);
    const before = sha(f);
    const r = kyso(['sign', f, '-o', f, '--token', 'KYSO-ORG', '--pin-env', 'KYSO_TEST_PIN'], { KYSO_TEST_PIN: '123456' });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('[OUTPUT_SAME_AS_INPUT]');
    expect(sha(f)).toBe(before);
  });

  test('wrong usage exits 2', () => {
    const r = kyso(['sign', gs(), '--token', 'KYSO-ORG', '--pin-env', 'KYSO_TEST_PIN']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('[USAGE]');
    expect(r.stderr).toContain('--output');
    const r2 = kyso(['sign', gs(), '-o', join(work, 'x.pdf'), '--token', 'KYSO-ORG', '--pin-env', 'KYSO_TEST_PIN', '--rect', '1,2,3'], { KYSO_TEST_PIN: '123456' });
    expect(r2.status).toBe(2);
    expect(existsSync(join(work, 'x.pdf'))).toBe(false);
  });

  test('an output folder that does not exist', () => {
    const r = kyso(['sign', gs(), '-o', join(work, 'no-such-dir', 'x.pdf'), '--token', 'KYSO-ORG', '--pin-env', 'KYSO_TEST_PIN'], { KYSO_TEST_PIN: '123456' });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('[FILE_WRITE_FAILED]');
  });
});

describe('a token removed between login and signing', () => {
  test('gives TOKEN_REMOVED and writes nothing', async () => {
    const { openToken, finalizeAll } = await import('../../src/main/token/index.js');
    const { signPdf } = await import('../../src/main/sign/sign.js');
    const { KysoError } = await import('../../src/shared/errors.js');
    const dir = join(work, 'removed');
    mkdirSync(dir);
    const session = openToken({ module: hsm.module, label: 'KYSO-ORG' });
    try {
      session.login('123456');
      const signer = session.signer();
      hsm.deleteToken('KYSO-ORG');
      const err = await signPdf({ input: corpusFile(corpus, 'gs-14').path, output: join(dir, 'out.pdf'), signer }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(KysoError);
      expect((err as InstanceType<typeof KysoError>).code).toBe('TOKEN_REMOVED');
      expect(readdirSync(dir)).toEqual([]);
    } finally {
      session.close();
      finalizeAll();
    }
  });
});
