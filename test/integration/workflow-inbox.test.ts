// Issue 5, the inbox: a folder of received files — one signed and intact, one changed after
// signing, one signed under a root nobody here trusts, one that is not a PDF — is imported; each
// file is verified by the verification engine and shows the right verdict; the clerk accepts the
// good one (registered with số đến, from 1 each year) and rejects the others with a reason that
// is kept; the failed one cannot be accepted; decisions are final; the inbox is listed urgent
// first and searched by signer, number and title; accepted documents go to the archive.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { expectKysoCode } from '../fixtures/expect.js';
import { SoftwareSigner } from '../../src/main/cms/signer.js';
import { signPdf } from '../../src/main/sign/sign.js';
import { finalizeAll } from '../../src/main/token/index.js';
import { loadTrustStore } from '../../src/main/verify/chain.js';
import { fromVn } from '../../src/main/workflow/rules.js';
import { WorkflowService } from '../../src/main/workflow/service.js';
import { tokenSigner } from '../../src/main/workflow/token.js';
import { makeNd30Pdf } from '../fixtures/nd30.js';
import { sharedTestPki } from '../fixtures/pki.js';
import { sealPng, signaturePng } from '../fixtures/png.js';
import { sharedSoftHsm } from '../fixtures/softhsm.js';
import { makeTempDir, removeTempDir } from '../fixtures/tmp.js';

const pki = await sharedTestPki();
let work: string;
let folder: string;
const desks: WorkflowService[] = [];
const ORG = pki.org.names.commonName;
const LEADER = pki.leader.names.commonName;

function open(dir: string, now?: () => Date): WorkflowService {
  const d = WorkflowService.open({
    dataDir: dir,
    trust: () => loadTrustStore([pki.rootPemPath]),
    crls: () => [pki.crlDer, readFileSync(pki.rootCrlDerPath)],
    actor: 'văn thư',
    now,
  });
  desks.push(d);
  return d;
}

beforeAll(async () => {
  const hsm = sharedSoftHsm(pki);
  process.env.SOFTHSM2_CONF = hsm.conf;
  work = makeTempDir('workflow-inbox');
  folder = join(work, 'received');
  mkdirSync(folder);
  // The sender's desk: a document issued by method 2 on the SoftHSM2 tokens.
  const sender = open(join(work, 'sender'));
  const draft = join(work, 'draft.pdf');
  writeFileSync(draft, await makeNd30Pdf());
  const d = await sender.addDocument({ path: draft, method: 2, title: 'Công văn gửi các sở' });
  for (const [role, label, extra] of [
    ['leader', 'KYSO-LEADER', { image: { bytes: signaturePng(), source: 'sig.png' }, signerTitle: 'GIÁM ĐỐC' }],
    ['org', 'KYSO-ORG', { image: { bytes: sealPng(), source: 'seal.png' }, number: '88' }],
  ] as const) {
    const t = tokenSigner({ module: hsm.module, label, pin: hsm.tokens.ORG.pin });
    await sender.signStep(d.id, { role, ...extra }, t.source);
    t.close();
  }
  await sender.exportDocument(d.id, join(folder, 'a-good.pdf'));
  // The same file with one byte of the signed content changed (the producer's name).
  const bytes = readFileSync(join(folder, 'a-good.pdf'));
  const at = bytes.indexOf('004B00790073006F');
  expect(at).toBeGreaterThan(0);
  bytes.write('006B', at, 'latin1');
  writeFileSync(join(folder, 'c-tampered.pdf'), bytes);
  // Signed by someone whose root no one here trusts (a key in memory: this is the outside world).
  await signPdf({ input: draft, output: join(folder, 'd-untrusted.pdf'), signer: new SoftwareSigner(pki.untrusted.privateKey, pki.untrusted.certDer, [pki.untrustedRoot.certDer]) });
  writeFileSync(join(folder, 'b-notes.pdf'), 'Ghi chú, không phải PDF\n');
});

afterAll(() => {
  for (const d of desks) d.close();
  finalizeAll();
  removeTempDir(work);
});

const refused = expectKysoCode;

describe('inbox', () => {
  test('a folder: each file verified, with the right verdict; a non-PDF reported and the rest imported', async () => {
    const desk = open(join(work, 'clerk'));
    const results = await desk.importIncomingPath(folder);
    expect(results.map((r) => r.file.split('/').pop())).toEqual(['a-good.pdf', 'b-notes.pdf', 'c-tampered.pdf', 'd-untrusted.pdf']);
    const [good, notes, tampered, untrusted] = results;
    expect(notes!.error?.code).toBe('PDF_NOT_PDF');
    expect(good!.item!.verdict).toMatchObject({ indication: 'TOTAL_PASSED', subIndication: null });
    expect(good!.item!.verdict.signatures.map((s) => [s.signer?.commonName, s.indication])).toEqual([
      [LEADER, 'TOTAL_PASSED'],
      [ORG, 'TOTAL_PASSED'],
    ]);
    expect(good!.item).toMatchObject({ status: 'new', incomingNumber: null, sender: 'Sở Y tế tỉnh Quảng Ninh', signers: [LEADER, ORG] });
    expect(tampered!.item!.verdict).toMatchObject({ indication: 'TOTAL_FAILED', subIndication: 'HASH_FAILURE' });
    expect(untrusted!.item!.verdict).toMatchObject({ indication: 'INDETERMINATE', subIndication: 'NO_CERTIFICATE_CHAIN_FOUND' });
    expect(untrusted!.item!.signers).toEqual(['Untrusted Signer']);
    // Kept byte for byte in the store.
    expect(readFileSync(desk.inboxPath(good!.item!.id))).toEqual(readFileSync(join(folder, 'a-good.pdf')));
    // The audit log: three receipts and one refusal.
    expect(desk.auditLog().map((e) => e.action).sort()).toEqual(['inbox.import.refused', 'inbox.received', 'inbox.received', 'inbox.received']);

    // Accept the good one: số đến 1. The tampered one cannot be accepted; it is returned with a reason.
    const accepted = desk.decideIncoming(good!.item!.id, { accept: true });
    expect(accepted).toMatchObject({ status: 'accepted', incomingNumber: 1, reason: null });
    refused(() => desk.decideIncoming(tampered!.item!.id, { accept: true }), 'INBOX_SIGNATURE_INVALID');
    const back = desk.decideIncoming(tampered!.item!.id, { accept: false, reason: 'Chữ ký số không hợp lệ: văn bản đã bị thay đổi sau khi ký.' });
    expect(back).toMatchObject({ status: 'rejected', incomingNumber: null, reason: 'Chữ ký số không hợp lệ: văn bản đã bị thay đổi sau khi ký.' });
    desk.decideIncoming(untrusted!.item!.id, { accept: false, reason: 'Không xác thực được chứng thư số của nơi gửi.' });
    refused(() => desk.decideIncoming(good!.item!.id, { accept: false, reason: 'x' }), 'INBOX_ALREADY_DECIDED');
    refused(() => desk.decideIncoming(tampered!.item!.id, { accept: true }), 'INBOX_ALREADY_DECIDED');
    expect(() => desk.decideIncoming(untrusted!.item!.id, { accept: false, reason: '  ' })).toThrow();

    // The same file received once more (a second copy) is a second item with the next số đến.
    const again = await desk.importIncoming('a-good-copy.pdf', readFileSync(join(folder, 'a-good.pdf')), { title: 'Công văn số 88', number: '88/QĐ-SYT', urgency: 'flash' });
    expect(desk.decideIncoming(again.id, { accept: true }).incomingNumber).toBe(2);

    // Listed urgent first; the reasons kept; searched by signer, number, title, status.
    const list = desk.listInbox();
    expect(list[0]!.id).toBe(again.id);
    expect(list.find((i) => i.id === tampered!.item!.id)!.reason).toContain('bị thay đổi');
    expect(desk.listInbox({ text: 'Nguyễn Văn Đức' }).map((i) => i.id).sort()).toEqual([good!.item!.id, tampered!.item!.id, again.id].sort());
    // The number is also read from page 1 of each received file (issue 14: duplicates are found by it): the
    // good file and its tampered copy carry 88/QĐ-SYT too; the one given by hand comes first (hỏa tốc).
    expect(desk.listInbox({ text: '88/QĐ-SYT' }).map((i) => i.id)).toEqual([again.id, tampered!.item!.id, good!.item!.id]);
    expect(desk.listInbox({ text: 'untrusted signer' }).map((i) => i.id)).toEqual([untrusted!.item!.id]);
    expect(desk.listInbox({ status: 'rejected' }).length).toBe(2);
    expect(desk.listInbox({ order: 'date' })[0]!.id).toBe(again.id);

    // Accepted documents are filed; rejected ones are not.
    const entry = desk.archive({ source: 'incoming', sourceId: good!.item!.id, recordCode: 'VBĐ-2026', retention: '5' });
    expect(entry).toMatchObject({ source: 'incoming', signers: [LEADER, ORG] });
    refused(() => desk.archive({ source: 'incoming', sourceId: tampered!.item!.id, recordCode: 'VBĐ-2026', retention: '5' }), 'ARCHIVE_NOT_ALLOWED');
    expect(desk.searchArchive('Đức').map((e) => e.id)).toEqual([entry.id]);
    expect(desk.verifyAudit().ok).toBe(true);
  });

  test('số đến runs from 1 again in a new year', async () => {
    let now = fromVn(2026, 11, 31, 16);
    const desk = open(join(work, 'year'), () => now);
    const a = await desk.importIncoming('a.pdf', readFileSync(join(folder, 'a-good.pdf')));
    const b = await desk.importIncoming('b.pdf', readFileSync(join(folder, 'a-good.pdf')));
    const c = await desk.importIncoming('c.pdf', readFileSync(join(folder, 'a-good.pdf')));
    expect(desk.decideIncoming(a.id, { accept: true }).incomingNumber).toBe(1);
    expect(desk.decideIncoming(b.id, { accept: true }).incomingNumber).toBe(2);
    now = fromVn(2027, 0, 1, 8);
    expect(desk.decideIncoming(c.id, { accept: true }).incomingNumber).toBe(1);
  });
});
