// Issue 13, edXML (QCVN 102:2016): every official sample of the national exchange axis parsed by
// `kyso edxml parse` as it is (stray bytes, nested zip with another edXML, truncated certificate),
// our own packages built, signed and read back (a changed byte breaks the envelope signature),
// and what cannot be read named by its element.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { SoftwareSigner } from '../../src/main/cms/signer.js';
import { parseEdxml } from '../../src/main/exchange/edxml-read.js';
import { signEnvelope } from '../../src/main/exchange/edxml-sign.js';
import { summarize } from '../../src/main/exchange/edxml-summary.js';
import { buildEdoc, buildStatus } from '../../src/main/exchange/edxml-write.js';
import { KysoError } from '../../src/shared/errors.js';
import { sharedTestPki } from '../fixtures/pki.js';
import { makeTempDir, removeTempDir, repoRoot } from '../fixtures/tmp.js';

const SAMPLES = join(repoRoot(), '..', 'shared', 'real', 'edxml');
const pki = await sharedTestPki();
let work: string;

beforeAll(() => {
  work = makeTempDir('exchange-edxml');
});
afterAll(() => removeTempDir(work));

async function kyso(args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [join(repoRoot(), 'bin', 'kyso.cjs'), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
  child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
  const status = await new Promise<number | null>((res) => child.on('close', res));
  return { status, stdout, stderr };
}

const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

const STATUS_FILES: Record<string, string> = {
  'status.edxml': '01',
  'status_inbox_01.edxml': '01',
  'status_rejection_02.edxml': '02',
  'status_acceptance_03.edxml': '03',
  'status_assignment_04.edxml': '04',
  'status_processing_05.edxml': '05',
  'status_finish_06.edxml': '06',
  'status_cancellation_13.edxml': '13',
  'status_change-acceptance_15.edxml': '15',
  'status_change-rejection_16.edxml': '16',
};
const EDOC_FILES: Record<string, number> = { 'edoc_new.edxml': 0, 'edoc_revocation.edxml': 1, 'edoc_update.edxml': 2, 'edoc_replacement.edxml': 3 };

describe('the official samples', () => {
  test('every sample is one of ours to read', () => {
    expect(existsSync(SAMPLES), `${SAMPLES} (../shared/real/edxml)`).toBe(true);
    expect(readdirSync(SAMPLES).sort()).toEqual([...Object.keys(EDOC_FILES), ...Object.keys(STATUS_FILES)].sort());
  });

  for (const [file, type] of Object.entries(EDOC_FILES)) {
    test(`${file}: BussinessDocType ${type}, sender, code, subject, the zip and the edXML nested in it`, async () => {
      const r = await kyso(['edxml', 'parse', join(SAMPLES, file), '--json']);
      expect(r.status, r.stderr).toBe(0);
      const j = JSON.parse(r.stdout) as ReturnType<typeof summarize>;
      expect(j).toMatchObject({ kind: 'edoc', businessDocType: type, documentId: '000.00.00.G22,2015/09/30,7816/VPCP-TTĐT', subject: 'V/v kết nối, liên thông phần mềm quản lý văn bản', priority: 0, statusCode: null });
      expect(j.code.notation).toBe('VPCP-TTĐT');
      expect(j.promulgationDate).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      expect(j.to.length).toBeGreaterThanOrEqual(1);
      // The certificate in the sample's envelope signature is cut short: reported, not a crash.
      expect(j.signature).toMatchObject({ status: 'broken' });
      expect(j.signature.reason).toMatch(/X509Certificate/);
      const [zip] = j.attachments;
      expect(zip).toMatchObject({ name: '1896_QD-TTg_m_294779.doc', contentType: 'application/zip' });
      expect(zip!.size).toBeGreaterThan(100_000);
      const inner = zip!.nested![0]!;
      expect(inner).toMatchObject({ kind: 'edoc', from: { organId: '14.00.W00' }, code: { number: '34E31', notation: 'PRO-TEST-CASE1' } });
      const pdf = inner.attachments.find((a) => a.contentType === 'application/pdf')!;
      expect(pdf.name).toBe('GUIDE_INSTALL OPENVPN.SIGNED.PDF');
      // It is the VGCA-signed PDF of ../shared/real/pdf, byte for byte.
      const real = readFileSync(join(repoRoot(), '..', 'shared', 'real', 'pdf', 'vgca-g1_bo-tttt_guide-install-openvpn.signed.pdf'));
      expect(pdf.sha256).toBe(sha(real));
    });
  }

  test('edoc_new.edxml: the 4 stray bytes before <?xml are skipped; --extract writes the files, the nested PDF included', async () => {
    expect(readFileSync(join(SAMPLES, 'edoc_new.edxml')).subarray(0, 4).toString()).toBe('1212');
    const dir = join(work, 'extract');
    const r = await kyso(['edxml', 'parse', join(SAMPLES, 'edoc_new.edxml'), '--extract', dir, '--json']);
    expect(r.status, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout) as { from: { organId: string }; extracted: string[] };
    expect(j.from.organId).toBe('002.00.20.H13');
    const pdf = j.extracted.find((f) => f.endsWith('GUIDE_INSTALL OPENVPN.SIGNED.PDF'))!;
    expect(readFileSync(pdf).subarray(0, 5).toString()).toBe('%PDF-');
  });

  for (const [file, code] of Object.entries(STATUS_FILES)) {
    test(`${file}: status ${code}`, () => {
      const s = summarize(parseEdxml(readFileSync(join(SAMPLES, file))));
      expect(s).toMatchObject({ kind: 'status', statusCode: code, documentId: '000.00.00.G22,2015/09/30,7816/VPCP-TTĐT', code: { number: '7816', notation: 'VPCP-TTĐT' }, signature: { status: 'missing' } });
      expect(s.from.organId).toMatch(/^000\.00\.00\./);
      expect(s.description).toBeTruthy();
    });
  }
});

describe('real traffic as it is', () => {
  const NS = 'http://www.mic.gov.vn/TBT/QCVN_102_2016';
  test('unprefixed names, From children in another order, null OrganId, undeclared xlink:, raw base64 and a trace without OrganId', () => {
    const pdf = Buffer.from('%PDF-1.4\n%âãÏÓ\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n');
    const xml = `<?xml version="1.0" encoding="UTF-8"?>
<edXMLEnvelope xmlns="${NS}"><edXMLHeader><MessageHeader>
<From><OrganName>Sở Xây dựng</OrganName><OrganId>null</OrganId></From>
<To><OrganId>000.00.32.H41</OrganId><OrganName>Sở Nội vụ</OrganName></To>
<Code><CodeNotation>SXD-VP</CodeNotation><CodeNumber>9</CodeNumber></Code>
<PromulgationInfo><PromulgationDate>2026/12/03</PromulgationDate></PromulgationInfo>
<Subject xlink:href="urn:x">Về việc báo cáo</Subject><DocumentId>null</DocumentId>
<OtherInfo><Priority>3</Priority></OtherInfo></MessageHeader>
<TraceHeaderList><TraceHeader><Timestamp>2026/12/03 08:00:00</Timestamp></TraceHeader></TraceHeaderList>
</edXMLHeader></edXMLEnvelope>
<AttachmentEncoded><Attachment><ContentId>cid:1</ContentId><AttachmentName>bc.pdf</AttachmentName><ContentType>application/pdf</ContentType>
<ContentTransferEncoded>${pdf.toString('base64').replace(/(.{20})/g, '$1\n')}</ContentTransferEncoded></Attachment></AttachmentEncoded>`;
    const wrapped = `<?xml version="1.0"?><edXML xmlns="${NS}">${xml.replace(/^<\?xml[^>]*>/, '')}</edXML>`;
    const p = parseEdxml(Buffer.from(wrapped));
    expect(p.kind).toBe('edoc');
    const s = summarize(p);
    expect(s).toMatchObject({ from: { organId: null, organName: 'Sở Xây dựng' }, code: { number: '9', notation: 'SXD-VP' }, subject: 'Về việc báo cáo', priority: 3, documentId: null, promulgationDate: '2026-12-03' });
    expect(s.attachments).toEqual([{ name: 'bc.pdf', contentType: 'application/pdf', size: pdf.length, sha256: sha(pdf) }]);
    expect(p.traces).toEqual([{ organId: null, timestamp: '2026/12/03 08:00:00' }]);
  });

  const broken: Array<[string, string, string]> = [
    ['not XML at all', 'hello', 'edXML'],
    ['cut off in the middle', `<?xml version="1.0"?><edXML xmlns="${NS}"><edXMLEnvelope><edXMLHeader><MessageHeader><From>`, 'edXML'],
    ['no envelope', `<edXML xmlns="${NS}"><Other/></edXML>`, 'edXMLEnvelope'],
    ['no MessageHeader', `<edXMLEnvelope xmlns="${NS}"><edXMLHeader/></edXMLEnvelope>`, 'edXMLHeader/MessageHeader'],
    ['a status code that is none', `<edXMLEnvelope xmlns="${NS}"><edXMLHeader><MessageHeader><From/><ResponseFor/><StatusCode>99</StatusCode></MessageHeader></edXMLHeader></edXMLEnvelope>`, 'MessageHeader/StatusCode'],
    ['a date that is none', `<edXMLEnvelope xmlns="${NS}"><edXMLHeader><MessageHeader><From/><PromulgationInfo><PromulgationDate>hôm qua</PromulgationDate></PromulgationInfo></MessageHeader></edXMLHeader></edXMLEnvelope>`, 'PromulgationInfo/PromulgationDate'],
    ['an attachment that is not base64', `<edXML xmlns="${NS}"><edXMLEnvelope><edXMLHeader><MessageHeader><From/></MessageHeader></edXMLHeader></edXMLEnvelope><AttachmentEncoded><Attachment><ContentId>cid:7</ContentId><ContentTransferEncoded>@@@ not base64 @@@</ContentTransferEncoded></Attachment></AttachmentEncoded></edXML>`, 'Attachment cid:7/ContentTransferEncoded'],
    ['a zip that is cut off', `<edXML xmlns="${NS}"><edXMLEnvelope><edXMLHeader><MessageHeader><From/></MessageHeader></edXMLHeader></edXMLEnvelope><AttachmentEncoded><Attachment><ContentId>cid:8</ContentId><ContentTransferEncoded>UEsDBBQAAAAIAA==</ContentTransferEncoded></Attachment></AttachmentEncoded></edXML>`, 'Attachment cid:8'],
  ];
  for (const [what, xml, element] of broken) {
    test(`${what}: EDXML_INVALID naming ${element}`, () => {
      let err: unknown;
      try {
        parseEdxml(Buffer.from(xml));
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(KysoError);
      expect((err as KysoError).code).toBe('EDXML_INVALID');
      expect((err as KysoError).details.element).toBe(element);
    });
  }

  test('the command line: one error line, exit 1', async () => {
    const f = join(work, 'bad.edxml');
    writeFileSync(f, `<edXMLEnvelope xmlns="${NS}"><edXMLHeader/></edXMLEnvelope>`);
    const r = await kyso(['edxml', 'parse', f, '--json']);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^Lỗi \[EDXML_INVALID\]: .*edXMLHeader\/MessageHeader.* \| Error: .+\n$/);
  });
});

describe('our packages', () => {
  const self = { organId: '000.00.31.H41', organName: 'Sở Y tế' };
  const pdf = Buffer.from('%PDF-1.7\n% a PDF stands here\n%%EOF\n');
  const edoc = (): string =>
    buildEdoc({
      from: self,
      to: [{ organId: '000.00.32.H41', organName: 'Sở Nội vụ' }],
      documentId: '000.00.31.H41,2026/12/03,15/QĐ-SYT',
      code: { number: '15', notation: 'QĐ-SYT' },
      promulgation: { date: '2026-12-03', place: 'Vinh' },
      subject: 'Quyết định <về> "phòng" & chống dịch',
      priority: 2,
      business: { businessDocType: 3, reason: 'Thay thế', documentId: null, paper: false, replacements: [{ documentId: '000.00.31.H41,2026/12/01,10/QĐ-SYT', organIds: ['000.00.32.H41'] }] },
      traces: [{ organId: self.organId, timestamp: '2026/12/03 09:00:00' }],
      files: [{ name: 'qd.pdf', contentType: 'application/pdf', data: pdf }],
    });

  test('built, signed (RSA-SHA256, X509 chain in KeyInfo) and read back; a changed byte breaks the envelope signature', async () => {
    // The organisation's key and chain of the test PKI, held in memory here (the token path is
    // exercised end to end by exchange-folder.test.ts with SoftHSM2).
    const signer = new SoftwareSigner(pki.org.privateKey, pki.org.certDer, [pki.subCa.certDer]);
    const signed = await signEnvelope(edoc(), signer);
    expect(signed).toContain('http://www.w3.org/2001/04/xmldsig-more#rsa-sha256');
    expect((signed.match(/X509Certificate>/g) ?? []).length).toBe(4);
    const p = parseEdxml(Buffer.from(signed));
    expect(p.signature).toMatchObject({ status: 'valid', signer: pki.org.names.commonName });
    expect(summarize(p)).toMatchObject({
      kind: 'edoc',
      businessDocType: 3,
      replaces: ['000.00.31.H41,2026/12/01,10/QĐ-SYT'],
      subject: 'Quyết định <về> "phòng" & chống dịch',
      priority: 2,
      promulgationDate: '2026-12-03',
      attachments: [{ name: 'qd.pdf', contentType: 'application/pdf', size: pdf.length, sha256: sha(pdf) }],
    });
    // The attachments are covered too: the envelope signs the whole package.
    const b64 = pdf.toString('base64');
    const tampered = signed.replace(b64, Buffer.from(pdf.toString().replace('stands', 'STANDS')).toString('base64'));
    expect(tampered).not.toBe(signed);
    expect(parseEdxml(Buffer.from(tampered)).signature).toMatchObject({ status: 'broken' });
    expect(parseEdxml(Buffer.from(edoc())).signature).toEqual({ status: 'missing' });
  });

  test('a status message', () => {
    const xml = buildStatus({
      from: self,
      responseFor: { organId: '000.00.32.H41', code: '7/SNV-VP', documentId: '000.00.32.H41,2026/12/02,7/SNV-VP', promulgationDate: '2026-12-02' },
      statusCode: '03',
      description: 'Tiếp nhận, số đến 12',
      timestamp: '2026/12/03 10:00:00',
    });
    expect(summarize(parseEdxml(Buffer.from(xml)))).toMatchObject({ kind: 'status', statusCode: '03', description: 'Tiếp nhận, số đến 12', documentId: '000.00.32.H41,2026/12/02,7/SNV-VP', code: { number: '7', notation: 'SNV-VP' } });
  });
});
