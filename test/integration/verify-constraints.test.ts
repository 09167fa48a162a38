// The verifier's cryptographic and policy constraints that a security review found missing: the
// hashes a signature value rests on besides the digest algorithm (F3), the extended key usage of a
// signing certificate (F8), and the permissions of a certification signature (DocMDP, F9).
// In-process (verifyPdf on the sources); certificates and CMS made with openssl or rebuilt here.
import { constants, createHash, createPrivateKey, sign as nodeSign } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { buildCms } from '../../src/main/cms/build.js';
import { SoftwareSigner } from '../../src/main/cms/signer.js';
import { IncrementalUpdate } from '../../src/main/pdf/incremental.js';
import { PdfDict, PdfName, PdfRef, PdfStream, isArray, isRef } from '../../src/main/pdf/objects.js';
import { PdfReader } from '../../src/main/pdf/reader.js';
import { textString } from '../../src/main/pdf/text.js';
import { signPdf, timestampPdf } from '../../src/main/sign/sign.js';
import { loadTrustStore } from '../../src/main/verify/chain.js';
import { verifyPdf, type FileReport } from '../../src/main/verify/verify.js';
import { isKysoError } from '../../src/shared/errors.js';
import { corpusFile, sharedCorpus } from '../fixtures/corpus.js';
import { sharedTestPki } from '../fixtures/pki.js';
import { addNumberNote, appendUpdate, withSignatureValue } from '../fixtures/pdf-edit.js';
import { makeTempDir, removeTempDir } from '../fixtures/tmp.js';
import { runTool } from '../fixtures/tools.js';

const pki = await sharedTestPki();
const corpus = await sharedCorpus(pki);
let work: string;
let signed: string;

beforeAll(async () => {
  work = makeTempDir('verify-constraints');
  signed = join(work, 'signed.pdf');
  // Room for the longer signature algorithms the signed attributes are signed again with.
  await signPdf({ input: corpusFile(corpus, 'gs-14').path, output: signed, signer: leader(), extraReserve: 256 });
});

afterAll(() => removeTempDir(work));

const leader = () => new SoftwareSigner(pki.leader.privateKey, pki.leader.certDer, [pki.subCa.certDer]);

function verify(file: string): Promise<FileReport> {
  return verifyPdf(file, { trust: loadTrustStore([pki.rootPemPath]), crls: [pki.crlDer, readFileSync(pki.rootCrlDerPath)] });
}

const ab = (b: Buffer): ArrayBuffer => b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;

/** The byte ranges and the /Contents hex of the last signature of `pdf`. */
function lastSignature(pdf: Buffer): { ranges: Buffer; hexAt: number; hexLength: number } {
  const all = [...pdf.toString('latin1').matchAll(/\/ByteRange \[(\d+) (\d+) (\d+) (\d+)\s*\]/g)];
  const [a, b, c, d] = all[all.length - 1]!.slice(1).map(Number) as [number, number, number, number];
  return { ranges: Buffer.concat([pdf.subarray(a, a + b), pdf.subarray(c, c + d)]), hexAt: a + b + 1, hexLength: c - (a + b) - 2 };
}

/** `pdf` with the /Contents of its last signature replaced by `der`, zero-padded to the same length. */
function withContents(pdf: Buffer, der: Buffer): Buffer {
  const { hexAt, hexLength } = lastSignature(pdf);
  return withSignatureValue(pdf, der, hexAt, hexLength);
}

// --- F3: the hashes of the signature value -------------------------------------------------------

const OID_SHA1 = '1.3.14.3.2.26';
const OID_SHA256 = '2.16.840.1.101.3.4.2.1';
const algorithm = (oid: string, params?: asn1js.AsnType) => new pkijs.AlgorithmIdentifier({ algorithmId: oid, algorithmParams: params });

/** RSASSA-PSS parameters: the message hash, MGF1's hash, and the salt length. */
function pssParams(hash: string, mgf1: string, saltLength: number): asn1js.AsnType {
  return new pkijs.RSASSAPSSParams({
    hashAlgorithm: algorithm(hash, new asn1js.Null()),
    maskGenAlgorithm: algorithm('1.2.840.113549.1.1.8', algorithm(mgf1, new asn1js.Null()).toSchema()),
    saltLength,
  }).toSchema();
}

/**
 * Kyso's signed file with its signed attributes signed again with the leader's key under another
 * signature algorithm (as the security review's attack did), the SignerInfo's digestAlgorithm
 * left at SHA-256 and the CMS rebuilt in place.
 */
function resigned(name: string, resign: (attrs: Buffer, keyPath: string) => { algorithm: pkijs.AlgorithmIdentifier; value: Buffer }): string {
  const pdf = readFileSync(signed);
  const { hexAt, hexLength } = lastSignature(pdf);
  const der = Buffer.from(pdf.toString('latin1', hexAt, hexAt + hexLength), 'hex');
  const ci = new pkijs.ContentInfo({ schema: asn1js.fromBER(ab(der)).result });
  const sd = new pkijs.SignedData({ schema: ci.content });
  const si = sd.signerInfos[0]!;
  expect(si.digestAlgorithm.algorithmId).toBe(OID_SHA256);
  const encoded = Buffer.from(si.signedAttrs!.encodedValue);
  const { algorithm: alg, value } = resign(Buffer.concat([Buffer.from([0x31]), encoded.subarray(1)]), pki.leader.keyPath);
  si.signatureAlgorithm = alg;
  si.signature = new asn1js.OctetString({ valueHex: ab(value) });
  ci.content = sd.toSchema(true);
  const out = join(work, name);
  writeFileSync(out, withContents(pdf, Buffer.from(ci.toSchema().toBER(false))));
  return out;
}

describe('F3: every hash the signature value rests on is judged', () => {
  test('signed attributes signed with sha1WithRSA under a SHA-256 digest algorithm: CRYPTO_CONSTRAINTS_FAILURE_NO_POE', async () => {
    const f = resigned('sha1-rsa.pdf', (attrs) => ({ algorithm: algorithm('1.2.840.113549.1.1.5', new asn1js.Null()), value: nodeSign('sha1', attrs, pki.leader.privateKey) }));
    const r = (await verify(f)).signatures[0]!;
    expect(r).toMatchObject({ integrity: 'valid', chain: 'trusted', indication: 'INDETERMINATE', subIndication: 'CRYPTO_CONSTRAINTS_FAILURE_NO_POE' });
    expect(r.details.digestAlgorithm).toBe('sha256');
    expect(r.details.signatureAlgorithm).toMatch(/sha1/);
  });

  test('RSASSA-PSS with the default parameters (SHA-1, MGF1 with SHA-1): CRYPTO_CONSTRAINTS_FAILURE_NO_POE', async () => {
    const f = resigned('pss-default.pdf', (attrs) => ({
      algorithm: algorithm('1.2.840.113549.1.1.10', new asn1js.Sequence()),
      value: nodeSign('sha1', attrs, { key: pki.leader.privateKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 20 }),
    }));
    expect((await verify(f)).signatures[0]).toMatchObject({ integrity: 'valid', indication: 'INDETERMINATE', subIndication: 'CRYPTO_CONSTRAINTS_FAILURE_NO_POE' });
  });

  test('RSASSA-PSS with SHA-256 but MGF1 with SHA-1 (openssl): verifies, and SHA-1 decides', async () => {
    const f = resigned('pss-mgf1-sha1.pdf', (attrs, keyPath) => {
      const digest = join(work, 'attrs.sha256');
      const sig = join(work, 'attrs.sig');
      writeFileSync(digest, createHash('sha256').update(attrs).digest());
      runTool('openssl', ['pkeyutl', '-sign', '-in', digest, '-inkey', keyPath, '-out', sig, '-pkeyopt', 'rsa_padding_mode:pss', '-pkeyopt', 'digest:sha256',
        '-pkeyopt', 'rsa_mgf1_md:sha1', '-pkeyopt', 'rsa_pss_saltlen:32']);
      return { algorithm: algorithm('1.2.840.113549.1.1.10', pssParams(OID_SHA256, OID_SHA1, 32)), value: readFileSync(sig) };
    });
    const r = (await verify(f)).signatures[0]!;
    expect(r).toMatchObject({ integrity: 'valid', indication: 'INDETERMINATE', subIndication: 'CRYPTO_CONSTRAINTS_FAILURE_NO_POE' });
    expect(r.details.signatureAlgorithm).toMatch(/MGF1.*sha1/);
  });

  test('RSASSA-PSS with SHA-256 and MGF1 with SHA-256: passes', async () => {
    const f = resigned('pss-sha256.pdf', (attrs) => ({
      algorithm: algorithm('1.2.840.113549.1.1.10', pssParams(OID_SHA256, OID_SHA256, 32)),
      value: nodeSign('sha256', attrs, { key: pki.leader.privateKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 }),
    }));
    expect((await verify(f)).signatures[0]).toMatchObject({ integrity: 'valid', indication: 'TOTAL_PASSED' });
  });

  test('a SHA-256 digest with a sha512WithRSA signature: both strong, passes', async () => {
    const f = resigned('sha512-rsa.pdf', (attrs) => ({ algorithm: algorithm('1.2.840.113549.1.1.13', new asn1js.Null()), value: nodeSign('sha512', attrs, pki.leader.privateKey) }));
    const r = (await verify(f)).signatures[0]!;
    expect(r).toMatchObject({ integrity: 'valid', indication: 'TOTAL_PASSED' });
    expect(r.details.signatureAlgorithm).toMatch(/sha512/);
  });

  test('md5WithRSA: not verified at all (SIG_CRYPTO_FAILURE)', async () => {
    const f = resigned('md5-rsa.pdf', (attrs) => ({ algorithm: algorithm('1.2.840.113549.1.1.4', new asn1js.Null()), value: nodeSign('md5', attrs, pki.leader.privateKey) }));
    expect((await verify(f)).signatures[0]).toMatchObject({ integrity: 'invalid', indication: 'TOTAL_FAILED', subIndication: 'SIG_CRYPTO_FAILURE' });
  });
});

// --- F8: what the signing certificate may be used for ---------------------------------------------

let serial = 0x4b59534f4b55;

/** A P-256 leaf of the sub-CA with these extensions (openssl x509 -extfile lines). */
function issue(name: string, extensions: string[]): { certPath: string; keyPath: string; signer: SoftwareSigner } {
  const keyPath = join(work, `${name}.key.pem`);
  const csr = join(work, `${name}.csr`);
  const certPath = join(work, `${name}.cert.pem`);
  const ext = join(work, `${name}.ext`);
  writeFileSync(ext, ['subjectKeyIdentifier = hash', 'authorityKeyIdentifier = keyid:always', ...extensions].join('\n') + '\n');
  runTool('openssl', ['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', keyPath, '-out', csr, '-subj', `/C=VN/O=Kyso Test/CN=${name}`]);
  runTool('openssl', ['x509', '-req', '-in', csr, '-CA', pki.subCa.certPath, '-CAkey', pki.subCa.keyPath, '-set_serial', `0x${(serial++).toString(16)}`, '-days', '30',
    '-sha256', '-extfile', ext, '-out', certPath]);
  const der = (pem: string) => Buffer.from(pem.replace(/-----[^-]+-----|\s+/g, ''), 'base64');
  const signer = new SoftwareSigner(createPrivateKey(readFileSync(keyPath)), der(readFileSync(certPath, 'latin1')), [pki.subCa.certDer]);
  return { certPath, keyPath, signer };
}

/**
 * gs-14 signed with a certificate having these extensions. Kyso's signer refuses certificates whose
 * EKU forbids signing documents, so the file is signed by the leader and its CMS then made again by
 * this certificate over the same bytes (what another signing tool would have written).
 */
async function signedBy(name: string, extensions: string[]): Promise<FileReport> {
  const output = join(work, `${name}.pdf`);
  // Issued first: the signing time the leader's signature records must not precede the certificate.
  const { signer } = issue(name, extensions);
  await signPdf({ input: corpusFile(corpus, 'gs-14').path, output, signer: leader() });
  const pdf = readFileSync(output);
  const cms = await buildCms(signer, createHash('sha256').update(lastSignature(pdf).ranges).digest(), { digest: 'sha256' });
  writeFileSync(output, withContents(pdf, cms));
  return verify(output);
}

const LEAF = ['basicConstraints = CA:FALSE', 'keyUsage = critical, digitalSignature, nonRepudiation'];

describe('F8: extended key usage of the signing certificate', () => {
  test.each([
    ['timeStamping only (critical)', 'critical, timeStamping'],
    ['serverAuth only', 'serverAuth'],
    ['serverAuth and codeSigning', 'serverAuth, codeSigning'],
    ['OCSPSigning only', 'OCSPSigning'],
  ])('an EKU of another job, %s: CHAIN_CONSTRAINTS_FAILURE', async (_, eku) => {
    const r = await signedBy(`eku-${eku.replace(/\W+/g, '-')}`, [...LEAF, `extendedKeyUsage = ${eku}`]);
    expect(r.signatures[0]).toMatchObject({ integrity: 'valid', chain: 'trusted', certificate: 'valid', indication: 'INDETERMINATE', subIndication: 'CHAIN_CONSTRAINTS_FAILURE' });
  });

  test.each([
    ['no EKU', undefined],
    ['clientAuth and emailProtection (VGCA, public CAs)', 'clientAuth, emailProtection'],
    ['documentSigning (RFC 9336)', 'critical, 1.3.6.1.5.5.7.3.36'],
    ['Microsoft document signing', '1.3.6.1.4.1.311.10.3.12'],
    ['Adobe Authentic Documents Trust', '1.2.840.113583.1.1.5'],
    ['anyExtendedKeyUsage', '2.5.29.37.0'],
    ['serverAuth and clientAuth', 'serverAuth, clientAuth'],
  ])('an EKU that allows signing documents, %s: passes', async (_, eku) => {
    const r = await signedBy(`eku-ok-${String(eku).replace(/\W+/g, '-')}`, eku ? [...LEAF, `extendedKeyUsage = ${eku}`] : LEAF);
    expect(r.signatures[0]).toMatchObject({ integrity: 'valid', chain: 'trusted', indication: 'TOTAL_PASSED' });
    expect(r.signatures[0]!.details.warnings).toEqual([]);
  });

  test("Kyso's own signer refuses such a certificate (CERT_KEY_USAGE) and writes nothing", async () => {
    const output = join(work, 'refused-serverauth.pdf');
    const e = await signPdf({ input: corpusFile(corpus, 'gs-14').path, output, signer: issue('refused-serverauth', [...LEAF, 'extendedKeyUsage = serverAuth']).signer }).catch((x: unknown) => x);
    expect(isKysoError(e) ? e.code : String(e)).toBe('CERT_KEY_USAGE');
    expect(existsSync(output)).toBe(false);
  });

  test('a CA certificate (basicConstraints CA:TRUE) signing a document: passes with a warning', async () => {
    const r = await signedBy('leaf-ca', ['basicConstraints = critical, CA:TRUE, pathlen:0', 'keyUsage = critical, digitalSignature, keyCertSign']);
    expect(r.signatures[0]).toMatchObject({ integrity: 'valid', chain: 'trusted', indication: 'TOTAL_PASSED' });
    expect(r.signatures[0]!.details.warnings).toEqual([expect.stringMatching(/CA certificate/)]);
  });
});

// --- F9: certification signatures (DocMDP) ----------------------------------------------------------

/**
 * gs-14 certified by the leader with DocMDP permission `p`. Kyso's signer makes approval signatures
 * only: its signature leaves room in /Reason, which becomes the /Reference that makes it a
 * certification signature, and is then made again over the new bytes with Kyso's CMS builder. With
 * `perms` the catalog's /Perms /DocMDP points to it as ISO 32000-1 wants; without, Kyso's signer
 * (which refuses to change a P=1 document it recognises as such) still adds to it.
 */
async function certified(name: string, p: 1 | 2 | 3, perms = true): Promise<string> {
  const input = corpusFile(corpus, 'gs-14').path;
  const r = PdfReader.open(input);
  // signPdf allocates the signature dictionary first.
  const [root, sigRef] = [r.rootRef(), new PdfRef(r.nextObjectNumber, 0)];
  r.close();
  const reference = `/Reference[<</Type/SigRef/TransformMethod/DocMDP/TransformParams<</Type/TransformParams/P ${p}/V/1.2>>>>]`;
  const room = 'x'.repeat(reference.length);
  const tmp = join(work, `${name}.tmp.pdf`);
  await signPdf({
    input, output: tmp, signer: leader(), reason: room,
    beforeBuild: (u) => {
      if (!perms) return;
      const catalog = (u.current(root) as PdfDict).clone();
      catalog.set('Perms', new PdfDict([['DocMDP', sigRef]]));
      u.set(root, catalog);
    },
  });
  const text = readFileSync(tmp).toString('latin1');
  const reason = /\/Reason ?\(x+\)/.exec(text)![0];
  const pdf = Buffer.from(text.replace(reason, reference.padEnd(reason.length, ' ')), 'latin1');
  const cms = await buildCms(leader(), createHash('sha256').update(lastSignature(pdf).ranges).digest(), { digest: 'sha256' });
  const out = join(work, name);
  writeFileSync(out, withContents(pdf, cms));
  if (perms) {
    const check = PdfReader.open(out);
    expect(check.resolveDict(check.resolveDict(check.catalog().get('Perms'))?.get('DocMDP'))?.has('Reference')).toBe(true);
    check.close();
  }
  return out;
}


/** A DSS with the signer's certificates, as an LTV tool adds it. */
function addDss(u: IncrementalUpdate, r: PdfReader): void {
  const certs = [pki.leader.certDer, pki.subCa.certDer].map((der) => u.add(new PdfStream(new PdfDict([['Length', der.length]]), 0, 0, der)));
  const catalog = r.catalog().clone();
  catalog.set('DSS', u.add(new PdfDict([['Type', PdfName.of('DSS')], ['Certs', certs]])));
  u.set(r.rootRef(), catalog);
}

/** A document timestamp from `openssl ts` (TSA certificate: EKU timeStamping, by the sub-CA). */
async function stamp(file: string, name: string): Promise<string> {
  const tsa = issue('tsa', ['basicConstraints = CA:FALSE', 'keyUsage = critical, digitalSignature, nonRepudiation', 'extendedKeyUsage = critical, timeStamping']);
  const cnf = join(work, 'tsa.cnf');
  writeFileSync(join(work, 'tsaserial'), '01\n');
  writeFileSync(cnf, ['[ tsa ]', `serial = ${join(work, 'tsaserial')}`, 'crypto_device = builtin', `signer_cert = ${tsa.certPath}`, `certs = ${pki.subCa.certPath}`,
    `signer_key = ${tsa.keyPath}`, 'signer_digest = sha256', 'default_policy = 1.3.6.1.4.1.59534.1.1', 'digests = sha256', 'ess_cert_id_alg = sha256'].join('\n') + '\n');
  const output = join(work, name);
  await timestampPdf({
    input: file, output,
    tsa: async (hash, digest) => {
      const [q, token] = [join(work, `${name}.tsq`), join(work, `${name}.tst`)];
      runTool('openssl', ['ts', '-query', '-digest', digest.toString('hex'), `-${hash}`, '-cert', '-out', q]);
      runTool('openssl', ['ts', '-reply', '-config', cnf, '-section', 'tsa', '-queryfile', q, '-token_out', '-out', token]);
      return readFileSync(token);
    },
  });
  return output;
}

/** Signature 1 of `file`: the certification signature. */
async function first(file: string) {
  return (await verify(file)).signatures[0]!;
}

const VIOLATION = { integrity: 'valid', chain: 'trusted', modificationsAfter: 'disallowed', indication: 'TOTAL_FAILED', subIndication: 'FORMAT_FAILURE' };

describe('F9: what a certification signature permits after it', () => {
  test.each([1, 2, 3] as const)('certified with P=%i and not changed since: passes', async (p) => {
    expect(await first(await certified(`certified-p${p}.pdf`, p))).toMatchObject({ integrity: 'valid', modificationsAfter: 'none', indication: 'TOTAL_PASSED' });
  });

  test('P=1, then validation data (DSS) and a document timestamp: permitted', async () => {
    const f = await stamp(appendUpdate(await certified('p1-ltv.pdf', 1, false), join(work, 'p1-dss.pdf'), addDss), 'p1-dss-stamp.pdf');
    const r = await verify(f);
    expect(r.signatures.map((s) => [s.kind, s.indication])).toEqual([['signature', 'TOTAL_PASSED'], ['document-timestamp', 'TOTAL_PASSED']]);
    expect(r.signatures[0]!.details.changes).toEqual(['update 1: DSS (validation data) added', 'update 2: document timestamp Timestamp1 added']);
  });

  test('P=1, then an annotation: not permitted, said so', async () => {
    const r = await first(appendUpdate(await certified('p1.pdf', 1), join(work, 'p1-annot.pdf'), addNumberNote));
    expect(r).toMatchObject(VIOLATION);
    expect(r.details.changes[0]).toMatch(/DocMDP P=1/);
    expect(r.messages.vi).toContain('Văn bản đã được chứng thực không cho phép thay đổi sau khi ký, nhưng sau đó đã có thay đổi.');
    expect(r.messages.en).toContain('certified');
  });

  test('P=1, then another signature: not permitted (the later signature itself is sound)', async () => {
    const output = join(work, 'p1-signed.pdf');
    await signPdf({ input: await certified('p1-to-sign.pdf', 1, false), output, signer: leader() });
    const r = await verify(output);
    expect(r.signatures[0]).toMatchObject(VIOLATION);
    expect(r.signatures[1]).toMatchObject({ indication: 'TOTAL_PASSED' });
    expect(r.indication).toBe('TOTAL_FAILED');
  });

  test('P=2, then another signature and a document timestamp: permitted', async () => {
    const output = join(work, 'p2-signed.pdf');
    await signPdf({ input: await certified('p2.pdf', 2), output, signer: leader() });
    const r = await verify(await stamp(output, 'p2-signed-stamped.pdf'));
    expect(r.signatures.map((s) => s.indication)).toEqual(['TOTAL_PASSED', 'TOTAL_PASSED', 'TOTAL_PASSED']);
    expect(r.signatures[0]!.modificationsAfter).toBe('signatures');
  });

  test('P=2, then an annotation: not permitted', async () => {
    const r = await first(appendUpdate(await certified('p2-for-annot.pdf', 2), join(work, 'p2-annot.pdf'), addNumberNote));
    expect(r).toMatchObject(VIOLATION);
    expect(r.messages.vi).toContain('chỉ cho phép điền biểu mẫu và ký thêm');
  });

  test('P=2, then a signature whose revision also adds an annotation: not permitted (a signature does not hide it)', async () => {
    const output = join(work, 'p2-signed-numbered.pdf');
    await signPdf({
      input: await certified('p2-to-number.pdf', 2), output, signer: leader(),
      annotations: ({ update, reader }) => {
        const annot = update.add(new PdfDict([['Type', PdfName.of('Annot')], ['Subtype', PdfName.of('FreeText')], ['Rect', [60, 700, 260, 720]],
          ['Contents', textString('Số: 123/QĐ-SYT')], ['DA', textString('/Helv 12 Tf 0 g')], ['P', reader.page(0).ref]]));
        return [{ page: 0, ref: annot }];
      },
    });
    const r = await verify(output);
    expect(r.signatures[0]).toMatchObject(VIOLATION);
    expect(r.signatures[0]!.details.changes).toContainEqual(expect.stringMatching(/FreeText annotation added/));
  });

  test('P=3, then an annotation and another signature: permitted', async () => {
    const output = join(work, 'p3-annot-signed.pdf');
    await signPdf({ input: appendUpdate(await certified('p3.pdf', 3), join(work, 'p3-annot.pdf'), addNumberNote), output, signer: leader() });
    const r = await verify(output);
    expect(r.signatures.map((s) => s.indication)).toEqual(['TOTAL_PASSED', 'TOTAL_PASSED']);
    expect(r.signatures[0]!.modificationsAfter).toBe('signatures');
  });

  test('an approval signature (no DocMDP), then an annotation: still permitted', async () => {
    expect(await first(appendUpdate(signed, join(work, 'approval-annot.pdf'), addNumberNote))).toMatchObject({ modificationsAfter: 'annotations', indication: 'TOTAL_PASSED' });
  });
});
