// Issue 13: the envelope signature of a received package is judged as a PDF signer is: the desk's
// trusted roots and CRLs decide valid / untrusted / revoked; a package changed after signing is
// invalid; an unsigned one is missing. Shown in `inbox list --json` and `edxml parse --json`; the
// PDF's own signatures still decide whether the document can be accepted. Two desks (data folders)
// over the folder transport; the organisation's SoftHSM2 token signs the PDF and the first envelope,
// the test PKI's revoked and untrusted keys sign the others.
import { copyFileSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { SoftwareSigner } from '../../src/main/cms/signer.js';
import { signEnvelope } from '../../src/main/exchange/edxml-sign.js';
import { exchangeBench, type Bench, type Desk } from '../fixtures/desks.js';
import { sharedTestPki } from '../fixtures/pki.js';
import { sharedSoftHsm } from '../fixtures/softhsm.js';
import { makeTempDir, removeTempDir } from '../fixtures/tmp.js';

const pki = await sharedTestPki();
let work: string;
let b: Bench;
let syt: Desk;
let snv: Desk;
/** The package Sở Y tế sent, signed with its organisation token, as it arrived. */
let signed: string;

interface Envelope {
  status: string;
  vi: string;
  en: string;
  signer: string | null;
  problems: string[];
}
interface InboxItem {
  id: string;
  title: string;
  status: string;
  verdict: { indication: string };
  envelope?: Envelope;
  exchange: { envelopeSignature: { status: string } };
}

beforeAll(async () => {
  work = makeTempDir('exchange-envelope');
  b = await exchangeBench(work, pki, sharedSoftHsm(pki));
  syt = b.desk('Sở Y tế', '000.00.31.H41');
  snv = b.desk('Sở Nội vụ', '000.00.32.H41');
  await b.connect([syt, snv]);
  const id = await b.issue(syt, 'Công văn về chữ ký gói tin');
  b.ok(await b.kyso(['--data', syt.data, 'outbox', 'send', id, '--to', snv.organId, '--token', 'KYSO-ORG', '--pin-env', 'KYSO_TEST_PIN']));
  expect(await b.sync(syt)).toMatchObject({ sent: 1 });
  const [file] = readdirSync(snv.drop).filter((f) => f.endsWith('.edxml'));
  signed = join(work, 'signed.edxml');
  copyFileSync(join(snv.drop, file!), signed);
}, 180_000);

afterAll(() => removeTempDir(work));

async function inbox(): Promise<InboxItem[]> {
  return b.ok(await b.kyso(['--data', snv.data, 'inbox', 'list', '--json', '--order', 'date'])).json().items as InboxItem[];
}

async function parseEnvelope(file: string, data = snv.data): Promise<Envelope> {
  return b.ok(await b.kyso(['edxml', 'parse', file, '--json', '--data', data])).json().envelope as Envelope;
}

/** The signed package with another subject, its signature removed, signed again by `signer` (or not at all). */
async function variant(subject: string, signer?: SoftwareSigner): Promise<string> {
  const xml = readFileSync(signed, 'utf8');
  const bare = xml.replace(/<Signature xmlns="http:\/\/www\.w3\.org\/2000\/09\/xmldsig#">[\s\S]*<\/Signature>/, '');
  expect(bare.length).toBeLessThan(xml.length);
  const renamed = bare.replace(/Công văn về chữ ký gói tin/g, subject);
  return signer ? signEnvelope(renamed, signer) : renamed;
}

async function arrive(name: string, xml: string): Promise<InboxItem> {
  writeFileSync(join(snv.drop, name), xml);
  expect(await b.sync(snv)).toMatchObject({ received: 1, unreadable: [] });
  const title = /<(?:\w+:)?Subject>([^<]*)</.exec(xml)![1]!;
  const item = (await inbox()).find((i) => i.title === title);
  expect(item, title).toBeDefined();
  return item!;
}

describe('the envelope signature judged with the trust store and the CRLs', () => {
  test('signed with the organisation token, chaining to the trusted test root: valid', async () => {
    expect(await b.sync(snv)).toMatchObject({ received: 1 });
    const item = (await inbox()).find((i) => i.title === 'Công văn về chữ ký gói tin')!;
    expect(item.envelope).toMatchObject({ status: 'valid', signer: pki.org.names.commonName, problems: [] });
    expect(item.envelope!.vi).toMatch(/^Chữ ký số của gói tin hợp lệ/);
    expect(item.envelope!.en).toMatch(/^The envelope signature is valid/);
    expect(item.exchange.envelopeSignature.status).toBe('valid');
    expect(await parseEnvelope(signed)).toMatchObject({ status: 'valid' });
    // The same package judged by a desk that trusts no root: intact, but not trusted.
    const stranger = join(work, 'data-stranger');
    mkdirSync(stranger, { recursive: true });
    const s = await parseEnvelope(signed, stranger);
    expect(s.status).toBe('untrusted');
    expect(s.problems.some((p) => p === 'UNTRUSTED_ROOT' || p === 'CHAIN_INCOMPLETE')).toBe(true);
  }, 400_000);

  test('signed by a certificate of a root the desk does not trust: untrusted, and the PDF still decides', async () => {
    const signer = new SoftwareSigner(pki.untrusted.privateKey, pki.untrusted.certDer, [pki.untrustedRoot.certDer]);
    const xml = await variant('Công văn ký bằng CA lạ', signer);
    const item = await arrive('zz-untrusted.edxml', xml);
    expect(item.envelope).toMatchObject({ status: 'untrusted', signer: pki.untrusted.names.commonName });
    expect(item.envelope!.problems).toContain('UNTRUSTED_ROOT');
    expect(item.envelope!.vi).toMatch(/không thuộc CA gốc tin cậy/);
    // The envelope signature itself is intact; the PDF inside is the organisation's, trusted.
    expect(item.exchange.envelopeSignature.status).toBe('valid');
    expect(item.verdict.indication).toBe('TOTAL_PASSED');
    expect(await parseEnvelope(join(snv.drop, 'processed', 'zz-untrusted.edxml'))).toMatchObject({ status: 'untrusted' });
  }, 400_000);

  test('signed by a revoked certificate (listed in the sub-CA CRL): revoked, reported, the document can still be accepted', async () => {
    const signer = new SoftwareSigner(pki.revoked.privateKey, pki.revoked.certDer, [pki.subCa.certDer]);
    const xml = await variant('Công văn ký bằng chứng thư đã thu hồi', signer);
    const item = await arrive('zz-revoked.edxml', xml);
    expect(item.envelope).toMatchObject({ status: 'revoked', signer: pki.revoked.names.commonName });
    expect(item.envelope!.problems).toContain('REVOKED');
    expect(item.envelope!.vi).toMatch(/đã bị thu hồi/);
    expect(item.envelope!.en).toMatch(/revoked/);
    const acc = b.ok(await b.kyso(['--data', snv.data, 'inbox', 'accept', item.id, '--json'])).json();
    expect(acc.status).toBe('accepted');
    // Without the CRL (a desk trusting the root only) the same signature is not "revoked" but unknown.
    const noCrl = join(work, 'data-no-crl');
    mkdirSync(join(noCrl, 'trust'), { recursive: true });
    copyFileSync(pki.rootPemPath, join(noCrl, 'trust', 'root.pem'));
    const u = await parseEnvelope(join(snv.drop, 'processed', 'zz-revoked.edxml'), noCrl);
    expect(u.status).toBe('untrusted');
    expect(u.problems).toContain('REVOCATION_UNKNOWN');
  }, 400_000);

  test('a header changed after signing: invalid; an unsigned package: missing', async () => {
    // The subject is changed in the signed package, the signature left as it was.
    const tampered = readFileSync(signed, 'utf8').replace(/Công văn về chữ ký gói tin/g, 'Công văn đã bị sửa trích yếu');
    const t = await arrive('zz-tampered.edxml', tampered);
    expect(t.envelope).toMatchObject({ status: 'invalid', problems: ['INVALID_SIGNATURE'] });
    expect(t.envelope!.vi).toMatch(/bị sửa đổi sau khi ký/);
    expect(t.exchange.envelopeSignature.status).toBe('broken');
    expect(await parseEnvelope(join(snv.drop, 'processed', 'zz-tampered.edxml'))).toMatchObject({ status: 'invalid' });

    const m = await arrive('zz-unsigned.edxml', await variant('Công văn không ký gói'));
    expect(m.envelope).toMatchObject({ status: 'missing', problems: ['NO_SIGNATURE'] });
    expect(m.envelope!.vi).toMatch(/^Gói tin không có chữ ký số/);
    expect(m.verdict.indication).toBe('TOTAL_PASSED');
  }, 400_000);
});
