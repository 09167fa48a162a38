// Issue 3: the verifier against Kyso's own files, an independent signer's, and the known attacks,
// through `kyso verify` (exit codes and JSON) and in-process for the details.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { SoftwareSigner } from '../../src/main/cms/signer.js';
import { PdfDict, PdfName, PdfRef, PdfStream, isArray, isRef } from '../../src/main/pdf/objects.js';
import { textString } from '../../src/main/pdf/text.js';
import { signPdf, type SignPdfOptions } from '../../src/main/sign/sign.js';
import { corpusFile, sharedCorpus } from '../fixtures/corpus.js';
import { sharedTestPki, type TestEntity } from '../fixtures/pki.js';
import { makeNssDb, pdfsig } from '../fixtures/judges.js';
import { addNumberNote, appendUpdate, withSignatureValue } from '../fixtures/pdf-edit.js';
import { makeTempDir, repoRoot } from '../fixtures/tmp.js';
import { runTool } from '../fixtures/tools.js';

const pki = await sharedTestPki();
const corpus = await sharedCorpus(pki);
let work: string;

beforeAll(() => {
  work = makeTempDir('verify');
});

const signerFor = (e: TestEntity, scheme?: 'rsa-pss') => new SoftwareSigner(e.privateKey, e.certDer, e.issuer === 'subCa' ? [pki.subCa.certDer] : [], scheme);

async function sign(input: string, name: string, e: TestEntity, extra: Partial<SignPdfOptions> = {}): Promise<string> {
  const output = join(work, name);
  await signPdf({ input, output, signer: signerFor(e), ...extra });
  return output;
}

interface VerifyJson {
  indication: string;
  subIndication: string | null;
  signatures: Array<{
    index: number;
    field: string;
    signer: { commonName: string; organization?: string; serial: string } | null;
    signedAt: string | null;
    subFilter: string;
    coversWholeDocument: boolean;
    integrity: string;
    chain: string;
    certificate: string;
    modificationsAfter: string;
    indication: string;
    subIndication: string | null;
    messages: { vi: string; en: string };
  }>;
}

function verify(file: string, args: string[] = ['--crl', pki.crlDerPath, '--crl', pki.rootCrlDerPath]): { status: number; json: VerifyJson; stderr: string } {
  // The `kyso` command as users run it (bin/kyso; the other CLI tests start bin/kyso.cjs with node).
  const r = spawnSync(join(repoRoot(), 'bin', 'kyso'), ['verify', file, '--json', '--offline', '--trust', pki.rootPemPath, ...args], {
    encoding: 'utf8',
    env: { ...process.env, KYSO_TRUST: '', XDG_CONFIG_HOME: join(work, 'config'), XDG_CACHE_HOME: join(work, 'cache') },
  });
  let json: VerifyJson = { indication: '', subIndication: null, signatures: [] };
  if (r.stdout.trim().startsWith('{')) json = JSON.parse(r.stdout) as VerifyJson;
  return { status: r.status ?? -1, json, stderr: r.stderr };
}

/** `pdf` with its (only) /Contents hex string replaced by `der`, zero-padded to the same length. */
function withContents(pdf: Buffer, der: Buffer): Buffer {
  const m = /\/Contents <([0-9a-fA-F]+)>/.exec(pdf.toString('latin1'))!;
  return withSignatureValue(pdf, der, m.index + '/Contents <'.length, m[1]!.length);
}

let one: string, two: string, three: string;

describe('Kyso files', () => {
  beforeAll(async () => {
    const base = corpusFile(corpus, 'gs-14').path;
    one = await sign(base, 'one.pdf', pki.drafter);
    two = await sign(one, 'two.pdf', pki.leader, { page: 1, rect: [300, 100, 180, 80] });
    three = await sign(two, 'three.pdf', pki.org);
  });

  test('one signature: TOTAL_PASSED, exit 0, all facts', () => {
    const { status, json } = verify(one);
    expect(status).toBe(0);
    expect(json.indication).toBe('TOTAL_PASSED');
    const s = json.signatures[0]!;
    expect(s).toMatchObject({
      index: 1,
      field: 'Signature1',
      subFilter: 'ETSI.CAdES.detached',
      coversWholeDocument: true,
      integrity: 'valid',
      chain: 'trusted',
      certificate: 'valid',
      modificationsAfter: 'none',
      indication: 'TOTAL_PASSED',
      subIndication: null,
    });
    expect(s.signer?.commonName).toBe(pki.drafter.names.commonName);
    expect(s.messages.vi).toContain('HỢP LỆ');
    expect(s.messages.en).toContain('VALID');
  });

  test('three signatures: each earlier one sees only signatures added', () => {
    const { status, json } = verify(three);
    expect(status).toBe(0);
    expect(json.signatures.map((s) => [s.indication, s.modificationsAfter, s.coversWholeDocument])).toEqual([
      ['TOTAL_PASSED', 'signatures', false],
      ['TOTAL_PASSED', 'signatures', false],
      ['TOTAL_PASSED', 'none', true],
    ]);
    expect(json.signatures.map((s) => s.signer?.commonName)).toEqual([pki.drafter.names.commonName, pki.leader.names.commonName, pki.org.names.commonName]);
  });

  test('without revocation data, offline: INDETERMINATE / TRY_LATER, exit 3', () => {
    const { status, json } = verify(one, []);
    expect(status).toBe(3);
    expect(json.signatures[0]).toMatchObject({ indication: 'INDETERMINATE', subIndication: 'TRY_LATER', certificate: 'revocation-unknown', integrity: 'valid' });
  });

  test('ECDSA P-256 and RSA-PSS signatures pass', async () => {
    const base = corpusFile(corpus, 'qpdf-objstm').path;
    const ec = await sign(base, 'ecdsa.pdf', pki.ecdsa);
    const pss = join(work, 'pss.pdf');
    await signPdf({ input: base, output: pss, signer: signerFor(pki.leader, 'rsa-pss') });
    for (const f of [ec, pss]) {
      const { status, json } = verify(f);
      expect(json.signatures[0]?.indication, JSON.stringify(json.signatures[0])).toBe('TOTAL_PASSED');
      expect(status).toBe(0);
    }
  });

  test('an independent signer (pdfsig, adbe.pkcs7.detached) passes', () => {
    const f = corpusFile(corpus, 'pdfsig-signed').path;
    const { status, json } = verify(f);
    const s = json.signatures[0]!;
    expect(s).toMatchObject({ subFilter: 'adbe.pkcs7.detached', integrity: 'valid', chain: 'trusted', certificate: 'valid', indication: 'TOTAL_PASSED' });
    expect(status).toBe(0);
  });

  test('MuPDF (mutool sign: SHA-1, no chain in the CMS), then Kyso signing after it', async () => {
    // A one-page document with an empty signature field, which mutool signs with the leader's P12.
    const objs = [
      '<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [4 0 R] /SigFlags 3 >> >>',
      '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
      '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Annots [4 0 R] /Contents 5 0 R /Resources << /Font << /F1 << /Type /Font /Subtype /Type1 /BaseFont /Helvetica >> >> >> >>',
      '<< /Type /Annot /Subtype /Widget /FT /Sig /T (Lanh dao) /Rect [100 100 300 160] /F 4 /P 3 0 R >>',
    ];
    const content = 'BT /F1 24 Tf 72 700 Td (Cong van so 12) Tj ET';
    let pdf = '%PDF-1.7\n';
    const offsets: number[] = [];
    objs.forEach((o, i) => {
      offsets.push(pdf.length);
      pdf += `${i + 1} 0 obj\n${o}\nendobj\n`;
    });
    offsets.push(pdf.length);
    pdf += `5 0 obj\n<< /Length ${content.length} >>\nstream\n${content}\nendstream\nendobj\n`;
    const xref = pdf.length;
    pdf += `xref\n0 6\n0000000000 65535 f \n${offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('')}`;
    pdf += `trailer\n<< /Size 6 /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
    const field = join(work, 'mupdf-field.pdf');
    writeFileSync(field, pdf, 'latin1');
    const mupdf = join(work, 'mupdf-signed.pdf');
    runTool('mutool', ['sign', '-s', pki.leader.p12Path!, '-P', pki.p12Password, '-o', mupdf, field, '4']);

    // mutool leaves the sub-CA out of the CMS: given with --cert, the path is complete. SHA-1 is
    // not accepted for a signature without proof of existence before SHA-1 was retired.
    const alone = verify(mupdf, ['--cert', pki.subCa.certPath, '--crl', pki.crlDerPath, '--crl', pki.rootCrlDerPath]);
    expect(alone.json.signatures[0]).toMatchObject({ subFilter: 'adbe.pkcs7.detached', integrity: 'valid', chain: 'trusted', certificate: 'valid',
      modificationsAfter: 'none', coversWholeDocument: true, indication: 'INDETERMINATE', subIndication: 'CRYPTO_CONSTRAINTS_FAILURE_NO_POE' });
    expect(alone.status).toBe(3);
    expect(verify(mupdf).json.signatures[0]).toMatchObject({ chain: 'incomplete', indication: 'INDETERMINATE' });

    // Kyso's organisation signature goes on top as an incremental update, which both tools accept.
    const both = await sign(mupdf, 'mupdf-then-kyso.pdf', pki.org);
    const r = verify(both, ['--cert', pki.subCa.certPath, '--crl', pki.crlDerPath, '--crl', pki.rootCrlDerPath]);
    expect(r.json.signatures.map((s) => [s.integrity, s.modificationsAfter, s.coversWholeDocument, s.indication])).toEqual([
      ['valid', 'signatures', false, 'INDETERMINATE'],
      ['valid', 'none', true, 'TOTAL_PASSED'],
    ]);
    const judged = pdfsig(both, makeNssDb(join(work, 'nss-mupdf'), [pki.root.certPem]));
    expect(judged.signatures.map((s) => s.signatureValidation)).toEqual(['Signature is Valid.', 'Signature is Valid.']);
    runTool('qpdf', ['--check', both]);

    // A byte of the document's text changed under MuPDF's signature: its digest no longer matches.
    const bytes = readFileSync(mupdf);
    const at = bytes.indexOf('Cong van so 12');
    bytes[at + 13] = 0x33; // "12" -> "13"
    const tampered = join(work, 'mupdf-tampered.pdf');
    writeFileSync(tampered, bytes);
    expect(verify(tampered, ['--cert', pki.subCa.certPath, '--crl', pki.crlDerPath, '--crl', pki.rootCrlDerPath]).json.signatures[0]).toMatchObject({
      integrity: 'invalid', indication: 'TOTAL_FAILED', subIndication: 'HASH_FAILURE' });
  });
});

describe('attacks and faults', () => {
  test('a byte flipped inside a signed range: HASH_FAILURE, exit 1', () => {
    const f = join(work, 'flipped.pdf');
    const b = readFileSync(one);
    const at = b.indexOf('stream') + 10; // inside the first content stream
    b[at] = b[at]! ^ 0x01;
    writeFileSync(f, b);
    const { status, json } = verify(f);
    expect(status).toBe(1);
    expect(json.signatures[0]).toMatchObject({ indication: 'TOTAL_FAILED', subIndication: 'HASH_FAILURE', integrity: 'invalid' });
  });

  test('an update that draws new page content: disallowed', () => {
    const f = appendUpdate(one, join(work, 'new-content.pdf'), (u, r) => {
      const page = r.page(0);
      const stream = u.add(new PdfStream(new PdfDict(), 0, 0, Buffer.from('BT /F1 24 Tf 100 400 Td (DA SUA) Tj ET')));
      const d = page.dict.clone();
      const old = d.get('Contents');
      d.set('Contents', [...(isArray(old) ? old : old ? [old] : []), stream]);
      u.set(page.ref, d);
    });
    const { status, json } = verify(f);
    expect(status).toBe(1);
    expect(json.signatures[0]).toMatchObject({ integrity: 'valid', modificationsAfter: 'disallowed', indication: 'TOTAL_FAILED', coversWholeDocument: false });
    expect(json.signatures[0]!.messages.vi).toContain('SỬA ĐỔI');
  });

  test('an update that adds a page: disallowed', () => {
    const f = appendUpdate(one, join(work, 'new-page.pdf'), (u, r) => {
      const pagesRef = r.catalog().get('Pages') as PdfRef;
      const pages = r.resolveDict(pagesRef)!.clone();
      const page = u.add(new PdfDict([['Type', PdfName.of('Page')], ['Parent', pagesRef], ['MediaBox', [0, 0, 595, 842]]]));
      pages.set('Kids', [...(r.resolve(pages.get('Kids')) as PdfRef[]), page]);
      pages.set('Count', (pages.get('Count') as number) + 1);
      u.set(pagesRef, pages);
    });
    const { json } = verify(f);
    expect(json.signatures[0]).toMatchObject({ modificationsAfter: 'disallowed', indication: 'TOTAL_FAILED' });
  });

  test('an update that only adds an annotation (the document number): passes, reported', () => {
    const f = appendUpdate(one, join(work, 'annot.pdf'), addNumberNote);
    const { status, json } = verify(f);
    expect(json.signatures[0]).toMatchObject({ integrity: 'valid', modificationsAfter: 'annotations', coversWholeDocument: false, indication: 'TOTAL_PASSED' });
    expect(status).toBe(0);
  });

  test('a ByteRange that skips bytes: FORMAT_FAILURE', () => {
    const f = join(work, 'skip.pdf');
    const b = readFileSync(one);
    const m = /\/ByteRange \[0 (\d+) (\d+) (\d+)\]/.exec(b.toString('latin1'))!;
    const [a, c] = [Number(m[1]), Number(m[2])];
    const orig = m[0];
    const forged = `/ByteRange [0 ${a - 20} ${c} ${m[3]}]`.padEnd(orig.length, ' ');
    b.write(forged, m.index, 'latin1');
    writeFileSync(f, b);
    const { status, json } = verify(f);
    expect(status).toBe(1);
    expect(json.signatures[0]).toMatchObject({ indication: 'TOTAL_FAILED', subIndication: 'FORMAT_FAILURE', integrity: 'invalid' });
  });

  test('forged signature dictionaries (universal signature forgery): each FORMAT_FAILURE, never passed', () => {
    const b = readFileSync(one);
    const text = b.toString('latin1');
    const m = /\/ByteRange \[0 (\d+) (\d+) (\d+)\]/.exec(text)!;
    const [len1, start2, len2] = [m[1]!, m[2]!, m[3]!];
    const hex = /\/Contents <([0-9a-fA-F]+)>/.exec(text)!;
    // Each forgery keeps the file's length, so no offset moves and only the named thing changes.
    const forgeries: Array<[string, number, string]> = [
      ['ByteRange [0 0 0 0]', m.index, '/ByteRange [0 0 0 0]'],
      ['ByteRange null', m.index, '/ByteRange null'],
      ['ByteRange with a negative start', m.index, `/ByteRange [0 ${len1} -5 ${len2}]`],
      ['ByteRange past the end of the file', m.index, `/ByteRange [0 ${len1} ${start2} ${'9'.repeat(len2.length)}]`],
      ['ByteRange ending before the end of its revision', m.index, `/ByteRange [0 ${len1} ${start2} ${Number(len2) - 10}]`],
      ['ByteRange of three numbers', m.index, `/ByteRange [0 ${len1} ${start2}]`],
      ['no ByteRange key', m.index, `/XyteRange [0 ${len1} ${start2} ${len2}]`],
      ['a signature dictionary that does not parse', m.index, `/ByteRange [0 ${len1} ${start2} ${len2} `],
      ['/Contents all zeros', hex.index + '/Contents <'.length, '0'.repeat(hex[1]!.length)],
      ['/Contents not hexadecimal', hex.index + '/Contents <'.length, 'G'.repeat(hex[1]!.length)],
    ];
    for (const [what, at, bytes] of forgeries) {
      const original = at === m.index ? m[0] : hex[1]!;
      expect(bytes.length, what).toBeLessThanOrEqual(original.length);
      const forged = Buffer.from(b);
      forged.write(bytes.padEnd(original.length, ' '), at, 'latin1');
      const f = join(work, `usf-${what.replace(/\W+/g, '-')}.pdf`);
      writeFileSync(f, forged);
      const { status, json } = verify(f);
      expect([status, json.signatures.length, json.signatures[0]?.indication, json.signatures[0]?.subIndication, json.signatures[0]?.integrity], what).toEqual([
        1, 1, 'TOTAL_FAILED', 'FORMAT_FAILURE', 'invalid']);
      expect(json.signatures[0]!.messages.vi, what).toContain('KHÔNG HỢP LỆ');
    }
  });

  test("a CMS that carries content of its own (a signed message from elsewhere) does not sign the file: FORMAT_FAILURE", () => {
    // A genuine signature by a trusted signer, over a message that is not this document.
    const msg = join(work, 'message.txt');
    writeFileSync(msg, 'Kính gửi: Sở Tư pháp. Đây không phải là văn bản PDF này.\n');
    const der = join(work, 'message.p7m');
    runTool('openssl', ['cms', '-sign', '-nodetach', '-binary', '-nosmimecap', '-md', 'sha256', '-in', msg, '-signer', pki.leader.certPath, '-inkey', pki.leader.keyPath,
      '-certfile', pki.subCa.certPath, '-outform', 'DER', '-out', der]);
    const f = join(work, 'encapsulated.pdf');
    writeFileSync(f, withContents(readFileSync(one), readFileSync(der)));
    const { status, json } = verify(f);
    expect(status).toBe(1);
    expect(json.signatures[0]).toMatchObject({ integrity: 'invalid', indication: 'TOTAL_FAILED', subIndication: 'FORMAT_FAILURE' });
  });

  test('adbe.pkcs7.sha1 (the old Acrobat form: the CMS carries the SHA-1 of the ranges): checked against the ranges', () => {
    // Kyso's file turned into one: /SubFilter renamed in place, then a CMS (openssl) over the
    // SHA-1 digest of the byte ranges of those very bytes.
    const b = Buffer.from(readFileSync(one).toString('latin1').replace('/SubFilter/ETSI.CAdES.detached', '/SubFilter/adbe.pkcs7.sha1    '), 'latin1');
    const [a, len1, start2, len2] = /\/ByteRange \[(\d+) (\d+) (\d+) (\d+)\]/.exec(b.toString('latin1'))!.slice(1).map(Number) as [number, number, number, number];
    const sha1Of = (x: Buffer) => createHash('sha1').update(x.subarray(a, a + len1)).update(x.subarray(start2, start2 + len2)).digest();
    const cmsOver = (content: Buffer, name: string): Buffer => {
      const input = join(work, `${name}.bin`);
      const out = join(work, `${name}.p7`);
      writeFileSync(input, content);
      runTool('openssl', ['cms', '-sign', '-nodetach', '-binary', '-nosmimecap', '-md', 'sha256', '-in', input, '-signer', pki.leader.certPath, '-inkey', pki.leader.keyPath,
        '-certfile', pki.subCa.certPath, '-outform', 'DER', '-out', out]);
      return readFileSync(out);
    };
    const good = join(work, 'pkcs7-sha1.pdf');
    writeFileSync(good, withContents(b, cmsOver(sha1Of(b), 'sha1-good')));
    const ok = verify(good);
    // Integrity holds; SHA-1 made today has no proof of existence from before it was retired.
    expect(ok.json.signatures[0]).toMatchObject({ subFilter: 'adbe.pkcs7.sha1', integrity: 'valid', chain: 'trusted', indication: 'INDETERMINATE', subIndication: 'CRYPTO_CONSTRAINTS_FAILURE_NO_POE' });
    // (pdfsig is no judge here: poppler 22 compares the CMS message digest with a digest of the
    // ranges, as for a detached signature, and reports "Digest Mismatch." for this form, which
    // ISO 32000-1 12.8.3.3.1 defines as the SHA-1 of the ranges encapsulated as the signed data.)

    // The digest of other bytes, properly signed: the document is not what was signed.
    const other = join(work, 'pkcs7-sha1-other.pdf');
    writeFileSync(other, withContents(b, cmsOver(createHash('sha1').update('another document').digest(), 'sha1-other')));
    expect(verify(other).json.signatures[0]).toMatchObject({ integrity: 'invalid', indication: 'TOTAL_FAILED', subIndication: 'HASH_FAILURE' });
  });

  test('a CMS moved from another file: HASH_FAILURE', async () => {
    const other = await sign(corpusFile(corpus, 'gs-17').path, 'other.pdf', pki.drafter);
    const f = join(work, 'moved.pdf');
    const target = readFileSync(one);
    const src = readFileSync(other).toString('latin1');
    const hexOf = (s: string) => /\/Contents <([0-9a-fA-F]+)>/.exec(s)!;
    const mt = hexOf(target.toString('latin1'));
    const ms = hexOf(src);
    const moved = ms[1]!.replace(/0+$/, '');
    expect(moved.length).toBeLessThanOrEqual(mt[1]!.length);
    target.write(moved.padEnd(mt[1]!.length, '0'), mt.index + '/Contents <'.length, 'latin1');
    writeFileSync(f, target);
    const { status, json } = verify(f);
    expect(status).toBe(1);
    expect(json.signatures[0]).toMatchObject({ indication: 'TOTAL_FAILED', subIndication: 'HASH_FAILURE' });
  });

  test('an expired certificate (signed while valid, no timestamp): OUT_OF_BOUNDS_NO_POE', async () => {
    const when = new Date((pki.expired.notBefore.getTime() + pki.expired.notAfter.getTime()) / 2);
    const f = await sign(corpusFile(corpus, 'gs-14').path, 'expired.pdf', pki.expired, { signingTime: when });
    const { status, json } = verify(f);
    expect(status).toBe(3);
    expect(json.signatures[0]).toMatchObject({ integrity: 'valid', certificate: 'expired', indication: 'INDETERMINATE', subIndication: 'OUT_OF_BOUNDS_NO_POE' });
  });

  test('a revoked certificate: REVOKED with the CRL, TRY_LATER offline without it', async () => {
    const f = await sign(corpusFile(corpus, 'gs-14').path, 'revoked.pdf', pki.revoked);
    const withCrl = verify(f);
    expect(withCrl.status).toBe(1);
    expect(withCrl.json.signatures[0]).toMatchObject({ certificate: 'revoked', indication: 'TOTAL_FAILED', subIndication: 'REVOKED' });
    const without = verify(f, []);
    expect(without.status).toBe(3);
    expect(without.json.signatures[0]).toMatchObject({ certificate: 'revocation-unknown', indication: 'INDETERMINATE', subIndication: 'TRY_LATER' });
  });

  test('an untrusted root: NO_CERTIFICATE_CHAIN_FOUND', async () => {
    const f = join(work, 'untrusted.pdf');
    await signPdf({ input: corpusFile(corpus, 'gs-14').path, output: f, signer: new SoftwareSigner(pki.untrusted.privateKey, pki.untrusted.certDer, [pki.untrustedRoot.certDer]) });
    const { status, json } = verify(f);
    expect(status).toBe(3);
    expect(json.signatures[0]).toMatchObject({ integrity: 'valid', chain: 'untrusted', indication: 'INDETERMINATE', subIndication: 'NO_CERTIFICATE_CHAIN_FOUND' });
  });

  test('a file without signatures: exit 1; not a PDF: exit 2', () => {
    const none = verify(corpusFile(corpus, 'gs-14').path);
    expect(none.status).toBe(1);
    expect(none.json.subIndication).toBe('SIGNED_DATA_NOT_FOUND');
    const f = join(work, 'not.pdf');
    writeFileSync(f, 'hello');
    const bad = verify(f);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('[PDF_NOT_PDF]');
  });

  test('truncated and corrupted files give a clear answer, never a crash or a hang', async () => {
    const { verifyPdf } = await import('../../src/main/verify/verify.js');
    const { loadTrustStore } = await import('../../src/main/verify/chain.js');
    const { KysoError } = await import('../../src/shared/errors.js');
    const trust = loadTrustStore([pki.rootPemPath]);
    const src = readFileSync(three);
    let seed = 12345;
    const rand = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
    const variants: Buffer[] = [];
    for (const cut of [10, 500, 2000, Math.floor(src.length / 2), src.length - 30, src.length - 3]) variants.push(src.subarray(0, cut));
    for (let i = 0; i < 40; i++) {
      const b = Buffer.from(src);
      for (let k = 0; k < 1 + Math.floor(rand() * 20); k++) b[Math.floor(rand() * b.length)] = Math.floor(rand() * 256);
      variants.push(b);
    }
    for (const [i, v] of variants.entries()) {
      const f = join(work, `fuzz-${i}.pdf`);
      writeFileSync(f, v);
      try {
        const rep = await verifyPdf(f, { trust });
        expect(['TOTAL_PASSED', 'INDETERMINATE', 'TOTAL_FAILED']).toContain(rep.indication);
      } catch (e) {
        expect(e, `variant ${i}: ${(e as Error).stack}`).toBeInstanceOf(KysoError);
      }
    }
  });
});
