// The fixtures and judges themselves: if these fail, no other test result means anything.
import { X509Certificate, createPublicKey, verify as cryptoVerify } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildCorpus,
  corpusFile,
  jpegInfo,
  makeEncryptedPdf,
  makePdfsigSigned,
  pdfsigSignerDb,
  makeNotPdf,
  makeScannedPdf,
  sharedCorpus,
  type CorpusFile,
} from '../fixtures/corpus.js';
import { isPrefix, makeNssDb, nssNicknames, parsePdfsigOutput, pdfsig, qpdfCheck } from '../fixtures/judges.js';
import { makeTestPki, P12_PASSWORD, sharedTestPki, type TestPki } from '../fixtures/pki.js';
import { cloneSoftHsm, pkcs11Tool, sharedSoftHsm, type SoftHsm, type TokenKey } from '../fixtures/softhsm.js';
import { makeTempDir, removeTempDir, withLock, withLockSync } from '../fixtures/tmp.js';
import { runTool } from '../fixtures/tools.js';

let pki: TestPki;
let hsm: SoftHsm;
let corpus: CorpusFile[];
let scratch: string;
const timings: Record<string, number> = {};

async function timed<T>(label: string, fn: () => Promise<T> | T): Promise<T> {
  const t = Date.now();
  const r = await fn();
  timings[label] = Date.now() - t;
  return r;
}

beforeAll(async () => {
  scratch = makeTempDir('fixtures-test');
  pki = await timed('pki', () => sharedTestPki());
  hsm = await timed('softhsm', () => sharedSoftHsm(pki));
  corpus = await timed('corpus', () => sharedCorpus(pki));
}, 240_000);

afterAll(() => {
  if (scratch) removeTempDir(scratch);
  console.log('fixture timings (ms, 0-ish = cache hit):', timings);
});

function opensslVerify(args: string[]): { ok: boolean; out: string } {
  const r = runTool('openssl', ['verify', ...args], { okStatus: [0, 2] });
  return { ok: r.status === 0, out: r.stdout + r.stderr };
}

describe('test PKI', () => {
  it('chains every sub-CA leaf to the root', () => {
    for (const e of [pki.org, pki.leader, pki.drafter, pki.ecdsa, pki.rsa3072, pki.revoked]) {
      const v = opensslVerify(['-CAfile', pki.rootPemPath, '-untrusted', pki.subCaPemPath, e.certPath]);
      expect(v.out).toContain(': OK');
      expect(v.ok).toBe(true);
      expect(new X509Certificate(e.certPem).checkIssued(new X509Certificate(pki.subCa.certPem))).toBe(true);
    }
    expect(opensslVerify(['-CAfile', pki.rootPemPath, pki.independent.certPath]).ok).toBe(true);
    expect(opensslVerify(['-CAfile', pki.untrustedRootPemPath, pki.untrusted.certPath]).ok).toBe(true);
    expect(opensslVerify(['-CAfile', pki.rootPemPath, '-untrusted', pki.subCaPemPath, pki.untrusted.certPath]).ok)
      .toBe(false);
    expect(pki.chainPem).toBe(pki.subCa.certPem + pki.root.certPem);
  });

  it('writes Vietnamese names as UTF8String', () => {
    const subject = runTool('openssl', ['x509', '-in', pki.leader.certPath, '-noout', '-subject', '-nameopt',
      'utf8,sep_comma_plus']).stdout;
    expect(subject).toContain('CN=Nguyễn Văn Đức');
    expect(subject).toContain('O=Sở Y tế tỉnh Quảng Ninh');
    expect(subject).toContain('L=Quảng Ninh');
    expect(subject).toContain('C=VN');
    const cn = Buffer.from('CA phục vụ các cơ quan Nhà nước (thử nghiệm)', 'utf8');
    // UTF8String tag 0x0C, short length, then the bytes.
    expect(pki.subCa.certDer.includes(Buffer.concat([Buffer.from([0x0c, cn.length]), cn]))).toBe(true);
    expect(pki.org.names.commonName).toBe('Sở Y tế tỉnh Quảng Ninh');
    expect(pki.drafter.subject).toMatch(/^CN=Trần Thị Hồng Nhung,/);
    expect(pki.ecdsa.names.commonName).toBe('Lê Minh Châu');
  });

  it('has the key types, usages and unique serials asked for', () => {
    expect(pki.ecdsa.privateKey.asymmetricKeyType).toBe('ec');
    expect(pki.ecdsa.privateKey.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
    expect(pki.rsa3072.privateKey.asymmetricKeyDetails?.modulusLength).toBe(3072);
    expect(pki.leader.privateKey.asymmetricKeyDetails?.modulusLength).toBe(2048);
    expect(pki.leader.keyPem).toContain('-----BEGIN PRIVATE KEY-----');
    const ku = runTool('openssl', ['x509', '-in', pki.leader.certPath, '-noout', '-ext', 'keyUsage,basicConstraints'])
      .stdout;
    expect(ku).toMatch(/Digital Signature, Non Repudiation/);
    expect(ku).toMatch(/CA:FALSE/);
    const caKu = runTool('openssl', ['x509', '-in', pki.subCa.certPath, '-noout', '-ext', 'keyUsage,basicConstraints'])
      .stdout;
    expect(caKu).toMatch(/Certificate Sign, CRL Sign/);
    expect(caKu).toMatch(/CA:TRUE/);
    const all = [pki.root, pki.subCa, pki.untrustedRoot, ...Object.values(pki.leaves)];
    expect(new Set(all.map((e) => e.serialHex)).size).toBe(all.length);
    const day = 86_400_000;
    expect(Math.abs(pki.leader.notBefore.getTime() - (Date.now() - day))).toBeLessThan(2 * day);
    expect(pki.leader.notAfter.getTime()).toBeGreaterThan(Date.now() + 300 * day);
  });

  it('has an expired leaf', () => {
    expect(pki.expired.notAfter.getTime()).toBeLessThan(Date.now() - 300 * 86_400_000);
    const v = opensslVerify(['-CAfile', pki.rootPemPath, '-untrusted', pki.subCaPemPath, pki.expired.certPath]);
    expect(v.ok).toBe(false);
    expect(v.out).toMatch(/certificate has expired/);
  });

  it('lists the revoked leaf in the sub-CA CRL (DER and PEM)', () => {
    const text = runTool('openssl', ['crl', '-in', pki.crlDerPath, '-inform', 'DER', '-noout', '-text']).stdout;
    expect(text).toContain(`Serial Number: ${pki.revoked.serialHex}`);
    expect(text).not.toContain(`Serial Number: ${pki.leader.serialHex}`);
    expect(text).toMatch(/Key Compromise/);
    expect(readFileSync(pki.crlPemPath, 'utf8')).toContain('-----BEGIN X509 CRL-----');
    expect(pki.crlNextUpdate.getTime()).toBeGreaterThan(Date.now() + 365 * 86_400_000);
    const v = opensslVerify(['-crl_check', '-CRLfile', pki.crlPemPath, '-CAfile', pki.rootPemPath,
      '-untrusted', pki.subCaPemPath, pki.revoked.certPath]);
    expect(v.out).toMatch(/certificate revoked/);
    const ok = opensslVerify(['-crl_check', '-CRLfile', pki.crlPemPath, '-CAfile', pki.rootPemPath,
      '-untrusted', pki.subCaPemPath, pki.leader.certPath]);
    expect(ok.ok).toBe(true);
  });

  it('exports PKCS#12 files with password "test"', () => {
    expect(P12_PASSWORD).toBe('test');
    const out = runTool('openssl', ['pkcs12', '-in', pki.independent.p12Path as string, '-passin', 'pass:test',
      '-nokeys', '-info'], { okStatus: [0] });
    expect(out.stdout + out.stderr).toMatch(/friendlyName: kyso-independent/);
    expect(out.stdout).toContain(pki.independent.certPem.trim().split('\n')[1]);
  });

  it('reuses a cached PKI and builds a fresh one in another directory', async () => {
    const again = await makeTestPki(pki.dir);
    expect(again.leader.serialHex).toBe(pki.leader.serialHex);
    const dir = join(scratch, 'pki');
    const [a, b] = await Promise.all([makeTestPki(dir), makeTestPki(dir)]);
    expect(a.leader.serialHex).toBe(b.leader.serialHex);
    expect(a.leader.serialHex).not.toBe(pki.leader.serialHex);
  });
});

describe('SoftHSM tokens', () => {
  const labels = ['KYSO-DRAFTER', 'KYSO-LEADER', 'KYSO-ORG', 'KYSO-NOKEY', 'KYSO-ECDSA', 'KYSO-EXPIRED', 'KYSO-MULTI'];

  /**
   * The token labels pkcs11-tool lists. Other test files sign with these same tokens at the same
   * time, and SoftHSM2 leaves out a token whose files another process is rewriting at that moment:
   * a listing that comes up short is taken again (a few times), a wrong label never is.
   */
  function listed(h: SoftHsm, expected = labels.length): string[] {
    let found: string[] = [];
    for (let attempt = 0; attempt < 5; attempt++) {
      const out = pkcs11Tool(h, ['-L']).stdout;
      found = [...out.matchAll(/token label\s*:\s*(\S+)/g)].map((m) => m[1]!);
      if (found.length >= expected) break;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 200);
    }
    return found;
  }

  function objects(h: SoftHsm, label: string): string {
    return pkcs11Tool(h, ['--token-label', label, '--login', '--pin', '123456', '-O']).stdout;
  }

  it('lists exactly our seven tokens under our configuration', () => {
    expect(readFileSync(hsm.conf, 'utf8')).toContain(`directories.tokendir = ${hsm.tokensDir}`);
    expect(listed(hsm).sort()).toEqual([...labels].sort());
    for (const t of Object.values(hsm.tokens)) {
      expect(t.pin).toBe('123456');
      expect(t.soPin).toBe('12345678');
      expect(t.serial).toMatch(/^[0-9a-f]{16}$/);
      expect(pkcs11Tool(hsm, ['-L']).stdout).toContain(`serial num         : ${t.serial}`);
    }
  });

  it('holds the right objects on each token', () => {
    const count = (s: string, re: RegExp) => (s.match(re) ?? []).length;
    const expectTok = (key: TokenKey, priv: number, certs: number) => {
      const o = objects(hsm, hsm.tokens[key].label);
      expect(count(o, /^Private Key Object/gm), key).toBe(priv);
      expect(count(o, /^Certificate Object/gm), key).toBe(certs);
      expect(o).toContain(`ID:         ${pki.subCa.keyIdHex}`);
      return o;
    };
    expect(expectTok('LEADER', 1, 2)).toContain(`ID:         ${pki.leader.keyIdHex}`);
    expectTok('DRAFTER', 1, 2);
    expectTok('ORG', 1, 2);
    expectTok('EXPIRED', 1, 2);
    expect(expectTok('ECDSA', 1, 2)).toMatch(/Private Key Object; EC/);
    const nokey = expectTok('NOKEY', 0, 2);
    expect(nokey).not.toMatch(/Public Key Object/);
    const multi = expectTok('MULTI', 2, 3);
    expect(multi).toContain(`ID:         ${pki.leader.keyIdHex}`);
    expect(multi).toContain(`ID:         ${pki.rsa3072.keyIdHex}`);
  });

  it('signs with the token key matching the certificate', () => {
    const data = join(scratch, 'tbs.bin');
    const sig = join(scratch, 'tbs.sig');
    writeFileSync(data, 'Kyso: dữ liệu cần ký');
    pkcs11Tool(hsm, ['--token-label', 'KYSO-LEADER', '--login', '--pin', '123456', '--sign', '--mechanism',
      'SHA256-RSA-PKCS', '--id', pki.leader.keyIdHex, '-i', data, '-o', sig]);
    const ok = cryptoVerify('sha256', readFileSync(data), createPublicKey(pki.leader.certPem), readFileSync(sig));
    expect(ok).toBe(true);
  });

  it('never sees tokens of another configuration, and deleteToken works on a clone', () => {
    const clone = cloneSoftHsm(hsm, join(scratch, 'hsm-clone'));
    expect(listed(clone).sort()).toEqual([...labels].sort());
    clone.deleteToken('KYSO-DRAFTER');
    expect(listed(clone, labels.length - 1)).not.toContain('KYSO-DRAFTER');
    expect(listed(clone, labels.length - 1)).toContain('KYSO-LEADER');
    expect(listed(hsm)).toContain('KYSO-DRAFTER');
    const empty = join(scratch, 'hsm-empty');
    mkdirSync(join(empty, 'tokens'), { recursive: true });
    writeFileSync(join(empty, 'softhsm2.conf'), `directories.tokendir = ${join(empty, 'tokens')}\nobjectstore.backend = file\n`);
    const none = runTool('pkcs11-tool', ['--module', hsm.module, '-L'], { env: { SOFTHSM2_CONF: join(empty, 'softhsm2.conf') } });
    expect(none.stdout).not.toMatch(/KYSO-/);
  });
});

describe('judges', () => {
  it('isPrefix compares bytes across chunk boundaries', () => {
    const big = Buffer.alloc(2.5 * 1024 * 1024, 7);
    const a = join(scratch, 'a.bin');
    const b = join(scratch, 'b.bin');
    const c = join(scratch, 'c.bin');
    writeFileSync(a, big.subarray(0, 2 * 1024 * 1024 + 10));
    writeFileSync(b, big);
    expect(isPrefix(a, b)).toBe(true);
    expect(isPrefix(b, a)).toBe(false);
    expect(isPrefix(b, b)).toBe(true);
    const changed = Buffer.from(big);
    changed[2 * 1024 * 1024 + 5] = 8;
    writeFileSync(c, changed);
    expect(isPrefix(a, c)).toBe(false);
    writeFileSync(c, Buffer.alloc(0));
    expect(isPrefix(c, a)).toBe(true);
  });

  it('qpdfCheck fails a truncated PDF and one that needs repair', () => {
    const src = readFileSync(corpusFile(corpus, 'gs-14').path);
    const cut = join(scratch, 'cut.pdf');
    writeFileSync(cut, src.subarray(0, Math.floor(src.length * 0.6)));
    const r = qpdfCheck(cut);
    expect(r.ok).toBe(false);
    expect(r.exitCode).toBe(2);
    expect(r.warnings.some((w) => w.startsWith('qpdf:'))).toBe(true);
    const badXref = join(scratch, 'bad-xref.pdf');
    const at = src.lastIndexOf('startxref');
    writeFileSync(badXref, Buffer.concat([src.subarray(0, at), Buffer.from('startxref\n12345\n%%EOF\n')]));
    const w = qpdfCheck(badXref);
    expect(w.ok).toBe(false);
    expect(w.exitCode).toBe(3);
    expect(w.warnings).toContainEqual(expect.stringMatching(/^WARNING: .*xref not found/));
  });

  it('pdfsig reports a file without signatures', () => {
    const nss = makeNssDb(join(scratch, 'nss-empty'), []);
    const r = pdfsig(corpusFile(corpus, 'gs-14').path, nss);
    expect(r.noSignatures).toBe(true);
    expect(r.signatures).toHaveLength(0);
    expect(r.exitCode).toBe(2);
  });

  it('parses a pdfsig report', () => {
    const sample = [
      'Digital Signature Info of: x.pdf',
      'Signature #1:',
      '  - Signature Field Name: Signature1',
      '  - Signer Certificate Common Name: Nguyễn Văn Đức',
      '  - Signer full Distinguished Name: CN=Nguyễn Văn Đức,O=Sở Y tế tỉnh Quảng Ninh,C=VN',
      '  - Signing Time: Nov 23 2026 11:52:30',
      '  - Signing Hash Algorithm: SHA-256',
      '  - Signature Type: ETSI.CAdES.detached',
      '  - Signed Ranges: [0 - 100], [200 - 300]',
      '  - Not total document signed',
      '  - Signature Validation: Signature is Valid.',
      '  - Certificate Validation: Certificate has Expired',
      '',
    ].join('\n');
    const [s] = parsePdfsigOutput(sample).signatures;
    expect(s).toMatchObject({
      index: 1,
      fieldName: 'Signature1',
      signerName: 'Nguyễn Văn Đức',
      signatureType: 'ETSI.CAdES.detached',
      hashAlgorithm: 'SHA-256',
      signedRanges: [[0, 100], [200, 300]],
      totalDocumentSigned: false,
      certificateValidation: 'Certificate has Expired',
    });
  });
});

describe('PDF corpus', () => {
  it('has at least 13 files from at least 6 independent producers', () => {
    expect(corpus.length).toBeGreaterThanOrEqual(13);
    const producers = new Set(corpus.map((f) => f.producer).filter((p) => p !== 'handmade'));
    expect(producers.size).toBeGreaterThanOrEqual(6);
    for (const f of corpus) {
      expect(f.pages, f.name).toBeGreaterThanOrEqual(1);
      expect(statSync(f.path).size).toBe(f.size);
    }
  });

  it('passes qpdf --check, every file', () => {
    const failures = corpus
      .map((f) => ({ name: f.name, check: qpdfCheck(f.path) }))
      .filter((r) => !r.check.ok)
      .map((r) => `${r.name}: ${r.check.output}`);
    expect(failures).toEqual([]);
  });

  it('opens cleanly in poppler, MuPDF and ghostscript', () => {
    const complaints: string[] = [];
    for (const f of corpus) {
      const poppler = runTool('pdfinfo', [f.path]).stderr.trim();
      const mupdf = runTool('mutool', ['info', f.path]).stderr.trim();
      const gs = runTool('gs', ['-q', '-dSAFER', '-dBATCH', '-dNOPAUSE', '-sDEVICE=nullpage', f.path]);
      for (const [who, msg] of [['pdfinfo', poppler], ['mutool', mupdf], ['gs', (gs.stdout + gs.stderr).trim()]]) {
        if (msg) complaints.push(`${f.name} (${who}): ${msg}`);
      }
    }
    expect(complaints).toEqual([]);
  });

  it('has the structures it claims', () => {
    const xref = (name: Parameters<typeof corpusFile>[1]) =>
      runTool('qpdf', ['--show-xref', corpusFile(corpus, name).path]).stdout;
    expect(xref('qpdf-objstm')).toMatch(/: compressed; stream = /);
    expect(xref('pdflib-2')).toMatch(/: compressed; stream = /);
    expect(xref('hybrid')).toMatch(/: compressed; stream = /);
    expect(xref('gs-14')).not.toMatch(/: compressed/);
    const lin = runTool('qpdf', ['--check-linearization', corpusFile(corpus, 'qpdf-linearized').path]);
    expect(lin.stdout).toMatch(/no linearization errors/);
    expect(runTool('qpdf', ['--show-pages', corpusFile(corpus, 'rotated').path]).stdout).toBeTruthy();
    expect(readFileSync(corpusFile(corpus, 'rotated').path, 'latin1')).toMatch(/\/Rotate 90/);
    expect(readFileSync(corpusFile(corpus, 'hybrid').path, 'latin1')).toMatch(/\/XRefStm \d+/);
    expect(corpusFile(corpus, 'pdflib-2').pages).toBe(3);
    expect(corpusFile(corpus, 'gs-14').pages).toBe(2);
    const acro = readFileSync(corpusFile(corpus, 'acroform').path, 'latin1');
    expect(acro).toMatch(/\/AcroForm/);
    expect(acro).toMatch(/\/FT \/Tx/);
    const scanImages = runTool('pdfimages', ['-list', corpusFile(corpus, 'scan').path]).stdout;
    expect(scanImages).toMatch(/jpeg/);
    const info = runTool('pdfinfo', [corpusFile(corpus, 'landscape').path, '-f', '1', '-l', '1']).stdout;
    expect(info).toMatch(/Page\s+1 size:\s+841\.89 x 595\.28/);
  });

  it('carries Vietnamese text where the producer can write it', () => {
    for (const name of ['gs-14', 'gs-17', 'qpdf-objstm', 'pdftocairo', 'mutool-clean'] as const) {
      const text = runTool('pdftotext', ['-raw', corpusFile(corpus, name).path, '-']).stdout;
      expect(text, name).toContain('CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM');
      expect(text, name).toContain('Nguyễn Văn Đức');
    }
    for (const name of ['pdflib-1', 'hybrid'] as const) {
      expect(runTool('pdftotext', [corpusFile(corpus, name).path, '-']).stdout, name)
        .toContain('CONG HOA XA HOI CHU NGHIA VIET NAM');
    }
  });

  it('keeps the original bytes in front of incremental updates', () => {
    const gs14 = corpusFile(corpus, 'gs-14').path;
    expect(isPrefix(gs14, corpusFile(corpus, 'incremental').path)).toBe(true);
    expect(isPrefix(gs14, corpusFile(corpus, 'pdfsig-signed').path)).toBe(true);
    expect(isPrefix(corpusFile(corpus, 'qpdf-objstm').path, corpusFile(corpus, 'incremental-objstm').path)).toBe(true);
    expect(isPrefix(corpusFile(corpus, 'pdfsig-signed').path, corpusFile(corpus, 'pdfsig-signed-twice').path)).toBe(true);
    expect(isPrefix(gs14, corpusFile(corpus, 'mutool-clean').path)).toBe(false);
  });

  it('pdfsig trusts the pdfsig-signed files only when our root is in the NSS db', () => {
    const trusted = makeNssDb(join(scratch, 'nss-trusted'), [pki.root.certPem]);
    const signed = pdfsig(corpusFile(corpus, 'pdfsig-signed').path, trusted);
    console.log(`pdfsig output (root trusted):\n${signed.raw}`);
    expect(signed.exitCode).toBe(0);
    expect(signed.signatures).toHaveLength(1);
    expect(signed.signatures[0]).toMatchObject({
      index: 1,
      fieldName: 'Signature1',
      signerName: 'Independent Signer (pdfsig)',
      signatureType: 'adbe.pkcs7.detached',
      hashAlgorithm: 'SHA-256',
      signatureValidation: 'Signature is Valid.',
      certificateValidation: 'Certificate is Trusted.',
      totalDocumentSigned: true,
    });
    expect(signed.signatures[0].signedRanges?.[0][0]).toBe(0);
    expect(signed.signatures[0].signedRanges?.[1][1]).toBe(corpusFile(corpus, 'pdfsig-signed').size);

    const twice = pdfsig(corpusFile(corpus, 'pdfsig-signed-twice').path, trusted);
    expect(twice.signatures.map((s) => [s.fieldName, s.signerName, s.totalDocumentSigned, s.certificateValidation]))
      .toEqual([
        ['Signature1', 'Independent Signer (pdfsig)', false, 'Certificate is Trusted.'],
        ['Signature2', 'Nguyễn Văn Đức', true, 'Certificate is Trusted.'],
      ]);
    const objstm = pdfsig(corpusFile(corpus, 'pdfsig-signed-objstm').path, trusted);
    expect(objstm.signatures[0]).toMatchObject({
      signatureValidation: 'Signature is Valid.',
      certificateValidation: 'Certificate is Trusted.',
      totalDocumentSigned: true,
    });

    const stranger = makeNssDb(join(scratch, 'nss-untrusted'), [pki.untrustedRoot.certPem]);
    const notTrusted = pdfsig(corpusFile(corpus, 'pdfsig-signed').path, stranger);
    console.log(`pdfsig output (root not trusted):\n${notTrusted.raw}`);
    expect(notTrusted.signatures[0].signatureValidation).toBe('Signature is Valid.');
    expect(notTrusted.signatures[0].certificateValidation).toBe('Certificate issuer is unknown.');
  });

  it('pdfsig validates a sub-CA leaf and sees revocation and expiry', () => {
    const leaderFile = corpusFile(corpus, 'pdfsig-signed-leader').path;
    // pdfsig puts the sub-CA into the CMS, so the root alone is enough.
    const rootOnly = makeNssDb(join(scratch, 'nss-root-only'), [pki.root.certPem]);
    const leader = pdfsig(leaderFile, rootOnly).signatures[0];
    expect(leader.signerName).toBe('Nguyễn Văn Đức');
    expect(leader.signerDn).toContain('CN=Nguyễn Văn Đức');
    expect(leader.certificateValidation).toBe('Certificate is Trusted.');

    const withSub = makeNssDb(join(scratch, 'nss-with-sub'), [pki.root.certPem], {
      intermediatePems: [pki.subCa.certPem],
      crlDerPaths: [pki.crlDerPath],
    });
    expect(pdfsig(leaderFile, withSub).signatures[0].certificateValidation).toBe('Certificate is Trusted.');

    expect(nssNicknames(pdfsigSignerDb(pki))).toEqual(expect.arrayContaining(['kyso-leader', 'kyso-revoked',
      'kyso-expired', 'kyso-independent']));
    const revokedFile = join(scratch, 'signed-revoked.pdf');
    makePdfsigSigned(corpusFile(corpus, 'gs-14').path, revokedFile, pki, 'revoked');
    expect(pdfsig(revokedFile, withSub).signatures[0].certificateValidation).toBe('Certificate has been Revoked.');
    const expiredFile = join(scratch, 'signed-expired.pdf');
    makePdfsigSigned(corpusFile(corpus, 'gs-14').path, expiredFile, pki, 'expired');
    expect(pdfsig(expiredFile, withSub).signatures[0].certificateValidation).toBe('Certificate has Expired');
  });

  it('reuses a cached corpus', async () => {
    const t = Date.now();
    const again = await buildCorpus(join(corpusFile(corpus, 'gs-14').path, '..'), pki);
    expect(Date.now() - t).toBeLessThan(1000);
    expect(again.map((f) => f.path)).toEqual(corpus.map((f) => f.path));
  });
});

describe('generated special files', () => {
  it('makes a large raster PDF quickly', () => {
    // qpdf --check decodes the JPEGs (~0.5 s per page here), so the judged file stays small; the
    // writer itself does 100 MB in well under a second once the page JPEGs are cached.
    const big = join(scratch, 'scan-100mb.pdf');
    let t = Date.now();
    makeScannedPdf(big, 100);
    timings['makeScannedPdf(100MB)'] = Date.now() - t;
    expect(Date.now() - t).toBeLessThan(30_000);
    expect(statSync(big).size / (1024 * 1024)).toBeGreaterThan(90);
    expect(statSync(big).size / (1024 * 1024)).toBeLessThan(110);
    rmSync(big, { force: true });
    const out = join(scratch, 'scan-6mb.pdf');
    t = Date.now();
    const pages = makeScannedPdf(out, 6);
    timings['makeScannedPdf(6MB)'] = Date.now() - t;
    const size = statSync(out).size / (1024 * 1024);
    expect(size).toBeGreaterThan(6 * 0.7);
    expect(size).toBeLessThan(6 * 1.3);
    expect(pages).toBeGreaterThan(2);
    const check = qpdfCheck(out);
    expect(check.output).toBe(check.ok ? check.output : '');
    expect(check.ok).toBe(true);
    expect(Number(runTool('qpdf', ['--show-npages', out]).stdout.trim())).toBe(pages);
  });

  it('reads JPEG frame headers', () => {
    const jpg = join(corpusFile(corpus, 'scan').path, '..', 'scan.jpg');
    const info = jpegInfo(readFileSync(jpg));
    expect(info.width).toBeGreaterThan(2400);
    expect(info.height).toBeGreaterThan(3400);
    expect(info.components).toBe(1);
  });

  it('makes an encrypted PDF and files that are not PDFs', async () => {
    const enc = join(scratch, 'enc.pdf');
    await makeEncryptedPdf(enc);
    const show = runTool('qpdf', ['--show-encryption', '--password=user', enc]).stdout;
    expect(show).toMatch(/R = 6/);
    expect(qpdfCheck(enc, 'user').ok).toBe(true);
    expect(runTool('qpdf', ['--check', enc], { okStatus: [2] }).status).toBe(2);

    const png = join(scratch, 'not.pdf');
    makeNotPdf(png);
    expect(readFileSync(png).subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])))
      .toBe(true);
    const txt = join(scratch, 'not2.pdf');
    makeNotPdf(txt, 'text');
    expect(readFileSync(txt, 'utf8')).toContain('không phải');
    const fake = join(scratch, 'not3.pdf');
    makeNotPdf(fake, 'fake');
    expect(readFileSync(fake).subarray(0, 1024).includes(Buffer.from('%PDF'))).toBe(false);
  });
});

describe('fixture lock', () => {
  it('serialises holders and breaks a lock whose owner died', async () => {
    const lock = join(scratch, 'locks', 'x.lock');
    const order: string[] = [];
    await Promise.all([
      withLock(lock, async () => {
        order.push('a+');
        await new Promise((r) => setTimeout(r, 150));
        order.push('a-');
      }),
      withLock(lock, async () => {
        order.push('b+');
        order.push('b-');
      }),
    ]);
    expect(order.join(',')).toMatch(/^(a\+,a-,b\+,b-|b\+,b-,a\+,a-)$/);

    const dead = join(scratch, 'locks', 'dead.lock');
    mkdirSync(dead, { recursive: true });
    // pid 2^22+1 is above Linux's default pid_max (2^22) and so never alive.
    writeFileSync(join(dead, 'owner.json'), JSON.stringify({ pid: 4194305, host: (await import('node:os')).hostname(), since: 0 }));
    const t = Date.now();
    expect(withLockSync(dead, () => 42)).toBe(42);
    expect(Date.now() - t).toBeLessThan(2000);
  });
});
