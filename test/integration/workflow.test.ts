// Issue 5, the three signing methods as workflows over a real database file and real SoftHSM2
// tokens, judged by tools that are not ours (pdfsig trusting only the test root, qpdf --check,
// pdftotext), with the rules enforced:
//   - methods 1, 2 and 3 end to end; the number and issue date filled in the organisation's own
//     revision; the document immutable afterwards and in the outbox;
//   - out of order (organisation before leader, leader before drafter, a date other than today,
//     a step that is not the method's, an issued document) refused with a clear error and
//     changing nothing — no file, no row — but one audit entry; the token is never opened;
//   - the organisation refused when the leader's signature no longer verifies;
//   - a draft sent back by the leader, signed again from the unsigned draft;
//   - state secrets refused (flag, or the mark printed on the page); "BÍ MẬT" in a title is not a mark;
//   - an Office attachment converted by LibreOffice and signed with the stamp naming the number;
//   - a batch with one PIN entry where one bad document does not stop the others;
//   - the outbox's order and deadlines, sending, recall; the archive's records and search.
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fontkit from '@pdf-lib/fontkit';
import { PDFDocument } from 'pdf-lib';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { isKysoError } from '../../src/shared/errors.js';
import { vietnamDay } from '../../src/main/appearance/time.js';
import type { Signer } from '../../src/main/cms/signer.js';
import { finalizeAll } from '../../src/main/token/index.js';
import { loadTrustStore } from '../../src/main/verify/chain.js';
import { fromVn, sendDeadline, sendWarning, vnClock } from '../../src/main/workflow/rules.js';
import { secrecyInLine } from '../../src/main/workflow/secrecy.js';
import { WorkflowService, type StepRequest } from '../../src/main/workflow/service.js';
import { tokenSigner } from '../../src/main/workflow/token.js';
import { makeNssDb, isPrefix } from '../fixtures/judges.js';
import { expectJudgedValid } from '../fixtures/expect.js';
import { makeNd30Pdf } from '../fixtures/nd30.js';
import { sharedTestPki } from '../fixtures/pki.js';
import { sealPng, signaturePng } from '../fixtures/png.js';
import { sharedSoftHsm, type SoftHsm } from '../fixtures/softhsm.js';
import { makeTempDir, removeTempDir, repoRoot } from '../fixtures/tmp.js';
import { runAsync, runTool, toolEnv } from '../fixtures/tools.js';

const pki = await sharedTestPki();
let hsm: SoftHsm;
let work: string;
let nss: string;
let draft: string;
const desks: WorkflowService[] = [];

beforeAll(async () => {
  hsm = sharedSoftHsm(pki);
  // The token layer reads SOFTHSM2_CONF when it first loads the driver, in this process.
  process.env.SOFTHSM2_CONF = hsm.conf;
  work = makeTempDir('workflow');
  nss = makeNssDb(join(work, 'nss'), [pki.root.certPem]);
  draft = join(work, 'draft.pdf');
  writeFileSync(draft, await makeNd30Pdf());
});

afterAll(() => {
  for (const d of desks) d.close();
  finalizeAll();
  removeTempDir(work);
});

let deskNo = 0;
function newDesk(o: { trustRoot?: boolean; dir?: string; now?: () => Date; crls?: boolean } = {}): WorkflowService {
  const desk = WorkflowService.open({
    dataDir: o.dir ?? join(work, `desk-${++deskNo}`),
    trust: () => loadTrustStore(o.trustRoot === false ? [] : [pki.rootPemPath]),
    crls: () => (o.crls === false ? [] : [pki.crlDer, readFileSync(pki.rootCrlDerPath)]),
    actor: 'test',
    now: o.now,
  });
  desks.push(desk);
  return desk;
}

const SIGNATURE = { bytes: signaturePng(), source: 'signature.png' };
const SEAL = { bytes: sealPng(), source: 'seal.png' };
const LABEL = { drafter: 'KYSO-DRAFTER', leader: 'KYSO-LEADER', org: 'KYSO-ORG' } as const;
const REQ: Record<'drafter' | 'leader' | 'org', StepRequest> = {
  drafter: { role: 'drafter' },
  leader: { role: 'leader', image: SIGNATURE, signerTitle: 'GIÁM ĐỐC' },
  org: { role: 'org', image: SEAL },
};

/** A token source that counts how often the token was opened. */
function counted(role: 'drafter' | 'leader' | 'org', pin = '123456'): { source: () => Signer; opened: () => number; close: () => void } {
  const t = tokenSigner({ module: hsm.module, label: LABEL[role], pin });
  let n = 0;
  return {
    source: () => {
      n++;
      return t.source();
    },
    opened: () => n,
    close: t.close,
  };
}

async function sign(desk: WorkflowService, id: string, role: 'drafter' | 'leader' | 'org', extra: Partial<StepRequest> = {}) {
  const t = counted(role);
  try {
    return await desk.signStep(id, { ...REQ[role], ...extra }, t.source);
  } finally {
    t.close();
  }
}

async function expectRefused(p: Promise<unknown> | (() => unknown), code: string): Promise<Record<string, unknown>> {
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (e) {
    expect(isKysoError(e), String(e)).toBe(true);
    if (isKysoError(e)) {
      expect(e.code, e.message).toBe(code);
      return e.details;
    }
  }
  throw new Error(`expected ${code}`);
}

/** Everything a step could change: rows of every table, files in the store, staging leftovers. */
function snapshot(desk: WorkflowService) {
  const db = desk.store.db;
  const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '%_fts%'").all() as Array<{ name: string }>).map((t) => t.name);
  const rows: Record<string, string> = {};
  for (const t of tables) if (t !== 'audit') rows[t] = JSON.stringify(db.prepare(`SELECT * FROM ${t}`).all());
  const files: string[] = [];
  const root = desk.store.files.root;
  for (const d of readdirSync(root)) for (const f of readdirSync(join(root, d))) files.push(d + f);
  return { rows, files: files.sort(), staging: readdirSync(desk.store.files.staging), audit: (db.prepare('SELECT COUNT(*) AS n FROM audit').get() as { n: number }).n };
}

function expectOnlyOneAuditEntry(before: ReturnType<typeof snapshot>, after: ReturnType<typeof snapshot>, action: string, desk: WorkflowService): void {
  expect(after.rows).toEqual(before.rows);
  expect(after.files).toEqual(before.files);
  expect(after.staging).toEqual([]);
  expect(after.audit).toBe(before.audit + 1);
  const last = desk.auditLog({ limit: 1 })[0]!;
  expect(last.action).toBe(action);
  expect(desk.verifyAudit().ok).toBe(true);
}

const expectPdfsig = (file: string, names: string[]): void => expectJudgedValid(file, nss, names);

/** Every revision's file is in the store with its SHA-256, and each is a byte prefix of the next. */
function expectRevisionsIntact(desk: WorkflowService, id: string): void {
  const revs = desk.store.db.prepare('SELECT seq, step, sha256, size FROM revisions WHERE document_id = ? ORDER BY seq').all(Number(id)) as Array<{ seq: number; step: string; sha256: string; size: number }>;
  let prev: string | undefined;
  for (const r of revs) {
    const p = desk.store.files.pathOf(r.sha256);
    const bytes = readFileSync(p);
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(r.sha256);
    expect(bytes.length).toBe(r.size);
    if (prev && r.step !== 'import') expect(isPrefix(prev, p), `revision ${r.seq} extends the one before`).toBe(true);
    prev = p;
  }
}

const ORG = pki.org.names.commonName;
const LEADER = pki.leader.names.commonName;
const DRAFTER = pki.drafter.names.commonName;
const today = () => vietnamDay(new Date());

function text(file: string): string {
  return runTool('pdftotext', ['-layout', file, '-']).stdout;
}

describe('the three methods', () => {
  test('method 1: organisation only, on the (scanned) original; number given by Kyso; issued and in the outbox', async () => {
    const desk = newDesk();
    const d = await desk.addDocument({ path: draft, method: 1, title: 'Bản gốc ký tay', recipients: ['Sở Tài chính'] });
    expect(d).toMatchObject({ state: 'draft', nextRole: 'org', method: 1, signatures: [] });
    const issued = await sign(desk, d.id, 'org');
    expect(issued).toMatchObject({ state: 'issued', nextRole: null, number: '01/QĐ-SYT', issueDate: today() });
    const file = desk.documentPath(d.id);
    expectPdfsig(file, [ORG]);
    const t = text(file);
    expect(t).toMatch(/Số:\s+01\/QĐ-SYT/);
    expect(t).toContain(`ngày ${today().slice(8)}`);
    expectRevisionsIntact(desk, d.id);
    const out = desk.listOutbox();
    expect(out.map((o) => o.documentId)).toEqual([d.id]);
    expect(out[0]).toMatchObject({ state: 'waiting', number: '01/QĐ-SYT', recipients: [{ name: 'Sở Tài chính', status: 'pending' }] });
    // Immutable: no further step, no revision, no change of number.
    await expectRefused(sign(desk, d.id, 'org'), 'DOCUMENT_ISSUED');
    expect(() => desk.store.db.prepare("UPDATE documents SET number_symbol = 'x' WHERE id = ?").run(Number(d.id))).toThrow(/immutable/);
    expect(desk.verifyAudit().ok).toBe(true);
  });

  test('method 2: leader, then organisation with the clerk\'s number; every signature verified', async () => {
    const desk = newDesk();
    const d = await desk.addDocument({ path: draft, method: 2, title: 'Quyết định ban hành Quy chế', urgency: 'urgent' });
    expect((await sign(desk, d.id, 'leader')).state).toBe('approved');
    const issued = await sign(desk, d.id, 'org', { number: '203' });
    expect(issued).toMatchObject({ state: 'issued', number: '203/QĐ-SYT', issueDate: today() });
    expect(issued.signatures.map((s) => [s.role, s.signer])).toEqual([
      ['leader', LEADER],
      ['org', ORG],
    ]);
    const file = desk.documentPath(d.id);
    expectPdfsig(file, [LEADER, ORG]);
    expect(text(file)).toMatch(/Số:\s+203\/QĐ-SYT/);
    const shown = await desk.showDocument(d.id, { verify: true });
    expect(shown.verdict!.indication).toBe('TOTAL_PASSED');
    expect(shown.signatureDetails.map((s) => [s.role, s.indication])).toEqual([
      ['leader', 'TOTAL_PASSED'],
      ['org', 'TOTAL_PASSED'],
    ]);
    expect(shown.revisions.map((r) => r.step)).toEqual(['import', 'leader', 'org']);
    expectRevisionsIntact(desk, d.id);
    // The number is the year's: the same number twice is refused, and changes nothing.
    const d2 = await desk.addDocument({ path: draft, method: 2 });
    await sign(desk, d2.id, 'leader');
    const before = snapshot(desk);
    const det = await expectRefused(sign(desk, d2.id, 'org', { number: '203/QĐ-SYT' }), 'DOC_NUMBER_DUPLICATE');
    expect(det).toMatchObject({ number: '203/QĐ-SYT', other: d.id });
    expectOnlyOneAuditEntry(before, snapshot(desk), 'document.sign.refused', desk);
    // Without a number, the next one after 203.
    expect((await sign(desk, d2.id, 'org')).number).toBe('204/QĐ-SYT');
  });

  test('method 3: drafter, leader, organisation; the Office attachment converted and stamped with the number', async () => {
    const desk = newDesk();
    const d = await desk.addDocument({ path: draft, method: 3, title: 'Quyết định kèm phụ lục', recipients: ['Sở Nội vụ', 'Sở Tài chính'] });
    // A .docx made by LibreOffice from HTML: the attachment as a drafter would have it.
    const html = join(work, 'phu-luc.html');
    writeFileSync(html, '<html><body><h1>PHỤ LỤC</h1><p>Danh sách đơn vị áp dụng Quy chế ký số: Văn phòng Sở, Trung tâm Kiểm soát bệnh tật.</p></body></html>');
    const docxDir = join(work, 'docx');
    mkdirSync(docxDir, { recursive: true });
    // Asynchronous: LibreOffice's first start can take long, and the worker must keep answering vitest.
    const lo = await runAsync('soffice', [`-env:UserInstallation=file://${join(work, 'lo-profile')}`, '--headless', '--convert-to', 'docx:MS Word 2007 XML', '--outdir', docxDir, html], toolEnv());
    expect(lo.status, lo.stderr).toBe(0);
    const docx = join(docxDir, 'phu-luc.docx');
    expect(existsSync(docx)).toBe(true);
    const a = await desk.attach(d.id, { path: docx });
    expect(a).toMatchObject({ name: 'phu-luc.pdf', sourceName: 'phu-luc.docx', converted: true, signedSha256: null });
    expect(readFileSync(desk.store.files.pathOf(a.pdfSha256)).subarray(0, 5).toString()).toBe('%PDF-');

    expect((await sign(desk, d.id, 'drafter')).state).toBe('initialled');
    expect((await sign(desk, d.id, 'leader')).state).toBe('approved');
    const issued = await sign(desk, d.id, 'org', { number: '15/QĐ-SYT' });
    expect(issued).toMatchObject({ state: 'issued', number: '15/QĐ-SYT' });
    expectPdfsig(desk.documentPath(d.id), [DRAFTER, LEADER, ORG]);
    expectRevisionsIntact(desk, d.id);

    const shown = await desk.showDocument(d.id);
    const att = shown.attachments[0]!;
    expect(att).toMatchObject({ signer: ORG, indication: 'TOTAL_PASSED' });
    const signedAttachment = desk.store.files.pathOf(att.signedSha256!);
    expectPdfsig(signedAttachment, [ORG]);
    expect(isPrefix(desk.store.files.pathOf(att.pdfSha256), signedAttachment)).toBe(true);
    // The stamp at the top right: the main document's number, the signing time in ISO 8601 +07:00.
    const stamp = text(signedAttachment);
    expect(stamp).toContain('15/QĐ-SYT');
    expect(stamp).toMatch(new RegExp(`${today()}T\\d{2}:\\d{2}:\\d{2}\\+07:00`));
    // No attachment after issue.
    await expectRefused(desk.attach(d.id, { path: draft }), 'DOCUMENT_ISSUED');

    // Without LibreOffice, a clear error, and nothing kept but the audit entry of the failure.
    const d2 = await desk.addDocument({ path: draft, method: 3 });
    const before = snapshot(desk);
    const saved = process.env.KYSO_SOFFICE;
    process.env.KYSO_SOFFICE = join(work, 'no-libreoffice', 'soffice');
    try {
      expect(await expectRefused(desk.attach(d2.id, { path: docx }), 'OFFICE_CONVERTER_MISSING')).toMatchObject({ file: 'phu-luc.docx' });
    } finally {
      if (saved === undefined) delete process.env.KYSO_SOFFICE;
      else process.env.KYSO_SOFFICE = saved;
    }
    expectOnlyOneAuditEntry(before, snapshot(desk), 'attachment.add.failed', desk);
    // A file that is neither PDF nor Office is refused.
    const txt = join(work, 'ghi-chu.txt');
    writeFileSync(txt, 'ghi chú');
    await expectRefused(desk.attach(d2.id, { path: txt }), 'ATTACHMENT_UNSUPPORTED');
  });
});

describe('out of order: refused, nothing changed but one audit entry, the token never opened', () => {
  test('organisation before the leader (method 2)', async () => {
    const desk = newDesk();
    const d = await desk.addDocument({ path: draft, method: 2 });
    const before = snapshot(desk);
    const t = counted('org');
    const det = await expectRefused(desk.signStep(d.id, REQ.org, t.source), 'SIGNATURE_REQUIRED_MISSING');
    t.close();
    expect(det).toMatchObject({ role: 'leader' });
    expect(t.opened()).toBe(0);
    expectOnlyOneAuditEntry(before, snapshot(desk), 'document.sign.refused', desk);
    expect(desk.auditLog({ limit: 1 })[0]!.details).toMatchObject({ code: 'SIGNATURE_REQUIRED_MISSING', role: 'org' });
  });

  test('leader before the drafter (method 3), and the drafter in method 2', async () => {
    const desk = newDesk();
    const d3 = await desk.addDocument({ path: draft, method: 3 });
    const d2 = await desk.addDocument({ path: draft, method: 2 });
    let before = snapshot(desk);
    const t = counted('leader');
    expect(await expectRefused(desk.signStep(d3.id, REQ.leader, t.source), 'SIGNATURE_REQUIRED_MISSING')).toMatchObject({ role: 'drafter' });
    expectOnlyOneAuditEntry(before, snapshot(desk), 'document.sign.refused', desk);
    before = snapshot(desk);
    await expectRefused(desk.signStep(d2.id, REQ.drafter, t.source), 'DOCUMENT_STEP_NOT_ALLOWED');
    expectOnlyOneAuditEntry(before, snapshot(desk), 'document.sign.refused', desk);
    expect(t.opened()).toBe(0);
    t.close();
    // The leader twice: the document waits for the organisation.
    await sign(desk, d2.id, 'leader');
    before = snapshot(desk);
    expect(await expectRefused(sign(desk, d2.id, 'leader'), 'DOCUMENT_STEP_NOT_ALLOWED')).toMatchObject({ expected: 'org', requested: 'leader' });
    expectOnlyOneAuditEntry(before, snapshot(desk), 'document.sign.refused', desk);
  });

  test('an issue date other than the signing day', async () => {
    const desk = newDesk();
    const d = await desk.addDocument({ path: draft, method: 2 });
    await sign(desk, d.id, 'leader');
    const yesterday = vietnamDay(new Date(Date.now() - 86_400_000));
    const before = snapshot(desk);
    const t = counted('org');
    const det = await expectRefused(desk.signStep(d.id, { ...REQ.org, issueDate: yesterday }, t.source), 'ISSUE_DATE_NOT_SIGNING_DATE');
    t.close();
    expect(det).toMatchObject({ issued: yesterday, today: today() });
    expect(t.opened()).toBe(0);
    expectOnlyOneAuditEntry(before, snapshot(desk), 'document.sign.refused', desk);
    // The same step on the right day goes through.
    expect((await sign(desk, d.id, 'org', { issueDate: today() })).state).toBe('issued');
  });

  test('the organisation is refused when the leader\'s signature does not verify (untrusted here, or changed in the store)', async () => {
    const dir = join(work, 'desk-untrusting');
    const desk = newDesk({ dir });
    const d = await desk.addDocument({ path: draft, method: 2 });
    await sign(desk, d.id, 'leader');
    // A clerk whose Kyso does not trust the leader's CA.
    const other = newDesk({ dir, trustRoot: false });
    let before = snapshot(other);
    const det = await expectRefused(sign(other, d.id, 'org'), 'SIGNATURE_REQUIRED_INVALID');
    expect(det).toMatchObject({ role: 'leader', signer: LEADER, indication: 'INDETERMINATE/NO_CERTIFICATE_CHAIN_FOUND' });
    expectOnlyOneAuditEntry(before, snapshot(other), 'document.sign.refused', other);
    // The leader-signed file changed behind Kyso's back (one byte of the signed text).
    const p = desk.documentPath(d.id);
    chmodSync(p, 0o644);
    const bytes = readFileSync(p);
    // The producer's name (a UTF-16 hex string): "Kyso" → "kyso", inside what the leader signed.
    const at = bytes.indexOf('004B00790073006F');
    expect(at).toBeGreaterThan(0);
    bytes.write('006B', at, 'latin1');
    writeFileSync(p, bytes);
    before = snapshot(desk);
    const det2 = await expectRefused(sign(desk, d.id, 'org'), 'SIGNATURE_REQUIRED_INVALID');
    expect(String(det2.indication)).toMatch(/TOTAL_FAILED/);
    expectOnlyOneAuditEntry(before, snapshot(desk), 'document.sign.refused', desk);
  });
});

describe('two clerks at once', () => {
  test('the same step started twice: one is kept, the other is refused at commit and changes no row', async () => {
    const desk = newDesk();
    const d = await desk.addDocument({ path: draft, method: 2 });
    const results = await Promise.allSettled([sign(desk, d.id, 'leader'), sign(desk, d.id, 'leader')]);
    expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    const lost = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect(lost.reason.code).toBe('DOCUMENT_CHANGED');
    const shown = await desk.showDocument(d.id);
    expect(shown.revisions.map((r) => r.step)).toEqual(['import', 'leader']);
    expect(shown.signatureDetails.length).toBe(1);
    expect(desk.auditLog({ subject: `document:${d.id}` }).map((e) => e.action).sort()).toEqual(['document.added', 'document.sign.failed', 'document.signed']);
    expectRevisionsIntact(desk, d.id);
  });
});

describe('revocation that cannot be checked', () => {
  test('offline without a CRL the leader\'s signature stands with a warning kept in the audit log', async () => {
    const desk = newDesk({ crls: false });
    const d = await desk.addDocument({ path: draft, method: 2 });
    await sign(desk, d.id, 'leader');
    const shown = await desk.showDocument(d.id, { verify: true });
    expect(shown.signatureDetails[0]!.verdict).toMatchObject({ indication: 'INDETERMINATE', subIndication: 'TRY_LATER', integrity: 'valid', chain: 'trusted' });
    expect((await sign(desk, d.id, 'org')).state).toBe('issued');
    // The organisation's own certificate could not be checked either (TT 15/2025: warn): both are kept.
    const { warnings } = desk.auditLog({ limit: 1 })[0]!.details as { warnings: string[] };
    expect(desk.auditLog({ limit: 1 })[0]!.details).toMatchObject({ role: 'org' });
    expect(warnings[0]).toBe('leader: revocation-unknown');
    expect(warnings.slice(1).every((w) => w.startsWith('REVOCATION_UNKNOWN: The revocation status of '))).toBe(true);
    expect(warnings.slice(1).join('\n')).toContain(`the signer's certificate '${pki.org.names.commonName}' could not be checked`);
  });
});

describe('sent back to the drafter', () => {
  test('the leader returns the draft with a comment; the next round starts from the unsigned draft', async () => {
    const desk = newDesk();
    const d = await desk.addDocument({ path: draft, method: 3 });
    await sign(desk, d.id, 'drafter');
    const back = desk.returnDocument(d.id, 'Sửa lại Điều 2: hiệu lực từ ngày 01/7.');
    expect(back).toMatchObject({ state: 'returned', nextRole: 'drafter', signatures: [], comment: 'Sửa lại Điều 2: hiệu lực từ ngày 01/7.' });
    // The current file is the unsigned draft again; the initialled revision is kept.
    expect(readFileSync(desk.documentPath(d.id))).toEqual(readFileSync(draft));
    await expectRefused(sign(desk, d.id, 'leader'), 'SIGNATURE_REQUIRED_MISSING');
    // The drafter sends a corrected draft, initials it, and the document goes through.
    const corrected = join(work, 'corrected.pdf');
    writeFileSync(corrected, await makeNd30Pdf({ year: vnClock(new Date()).getUTCFullYear() }));
    const bytes = readFileSync(corrected);
    writeFileSync(corrected, Buffer.concat([bytes, Buffer.from('\n% corrected\n')]));
    expect((await desk.reviseDocument(d.id, { path: corrected })).state).toBe('draft');
    await sign(desk, d.id, 'drafter');
    await sign(desk, d.id, 'leader');
    // After the leader signed, it can no longer be sent back.
    await expectRefused(() => desk.returnDocument(d.id, 'x'), 'DOCUMENT_RETURN_NOT_ALLOWED');
    await sign(desk, d.id, 'org');
    expectPdfsig(desk.documentPath(d.id), [DRAFTER, LEADER, ORG]);
    const shown = await desk.showDocument(d.id, { verify: false });
    expect(shown.revisions.map((r) => `${r.round}:${r.step}`)).toEqual(['1:import', '1:drafter', '2:import', '2:drafter', '2:leader', '2:org']);
    expect(shown.earlierSignatures).toEqual([expect.objectContaining({ role: 'drafter', signer: DRAFTER, round: 1 })]);
    expect(desk.auditLog({ subject: `document:${d.id}` }).map((e) => e.action).reverse()).toEqual([
      'document.added',
      'document.signed',
      'document.returned',
      'document.sign.refused',
      'document.revised',
      'document.signed',
      'document.signed',
      'document.return.refused',
      'document.signed',
    ]);
    // Method 1 has no draft to send back.
    const m1 = await desk.addDocument({ path: draft, method: 1 });
    await expectRefused(() => desk.returnDocument(m1.id, 'x'), 'DOCUMENT_RETURN_NOT_ALLOWED');
  });
});

/** A one-page PDF with these lines, in Liberation Serif (real text). */
async function pdfWithLines(lines: string[]): Promise<Buffer> {
  const doc = await PDFDocument.create();
  doc.registerFontkit(fontkit);
  const font = await doc.embedFont(readFileSync(join(repoRoot(), 'assets', 'fonts', 'LiberationSerif-Bold.ttf')), { subset: true });
  const page = doc.addPage([595.28, 841.89]);
  lines.forEach((l, i) => page.drawText(l, { x: 85, y: 780 - i * 24, size: 13, font }));
  return Buffer.from(await doc.save({ useObjectStreams: false }));
}

describe('state secrets', () => {
  test('refused by flag, or by the mark on the page; nothing stored but the audit entry', async () => {
    const desk = newDesk();
    let before = snapshot(desk);
    const det = await expectRefused(desk.addDocument({ path: draft, method: 2, secrecy: 'toi-mat' }), 'DOCUMENT_SECRET');
    expect(det.mark).toBe('TỐI MẬT');
    expectOnlyOneAuditEntry(before, snapshot(desk), 'document.add.refused', desk);

    const secret = join(work, 'mat.pdf');
    writeFileSync(secret, await pdfWithLines(['SỞ Y TẾ', 'Số: 12/KH-SYT', 'MẬT', 'KẾ HOẠCH phòng chống dịch']));
    before = snapshot(desk);
    const det2 = await expectRefused(desk.addDocument({ path: secret, method: 2 }), 'DOCUMENT_SECRET');
    expect(det2.mark).toBe('MẬT');
    expect(String(det2.where)).toContain('page 1');
    expectOnlyOneAuditEntry(before, snapshot(desk), 'document.add.refused', desk);

    // A title about protecting state secrets is not itself a secret document.
    const rules = join(work, 'quy-che.pdf');
    writeFileSync(rules, await pdfWithLines(['QUY CHẾ BẢO VỆ BÍ MẬT NHÀ NƯỚC', 'Điều 1. Phạm vi điều chỉnh']));
    expect((await desk.addDocument({ path: rules, method: 2 })).state).toBe('draft');
    expect(secrecyInLine('TUYỆT MẬT')).toBe('tuyet-mat');
    expect(secrecyInLine('Độ mật: TỐI MẬT')).toBe('toi-mat');
    expect(secrecyInLine('về công tác bảo vệ bí mật nhà nước')).toBeUndefined();
    expect(secrecyInLine('BẢO MẬT thông tin')).toBeUndefined();
  });
});

describe('batch', () => {
  test('one PIN entry for all; a bad document is reported and the others are signed, each with the next number', async () => {
    const desk = newDesk();
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) {
      const d = await desk.addDocument({ path: draft, method: 2, title: `Văn bản lô ${i + 1}` });
      ids.push(d.id);
      // The third is not signed by the leader: the organisation must be refused on it.
      if (i !== 2) await sign(desk, d.id, 'leader');
    }
    const t = counted('org');
    const progress: Array<[number, string, boolean]> = [];
    const results = await desk.signBatch(ids, REQ.org, t.source, (p) => progress.push([p.done, p.id, p.ok]));
    t.close();
    expect(t.opened()).toBe(1);
    expect(results.map((r) => r.ok)).toEqual([true, true, false, true]);
    expect(results[2]!.error!.code).toBe('SIGNATURE_REQUIRED_MISSING');
    expect(results.filter((r) => r.ok).map((r) => r.document!.number)).toEqual(['01/QĐ-SYT', '02/QĐ-SYT', '03/QĐ-SYT']);
    expect(progress).toEqual(ids.map((id, i) => [i + 1, id, i !== 2]));
    for (const i of [0, 1, 3]) expectPdfsig(desk.documentPath(ids[i]!), [LEADER, ORG]);
    expect(desk.getDocument(ids[2]!).state).toBe('draft');
    expect(desk.verifyAudit().ok).toBe(true);
  });

  test('a wrong PIN fails every document of the batch after one login attempt, and changes no document', async () => {
    const desk = newDesk();
    const ids: string[] = [];
    for (let i = 0; i < 2; i++) {
      const d = await desk.addDocument({ path: draft, method: 2 });
      await sign(desk, d.id, 'leader');
      ids.push(d.id);
    }
    const t = counted('org', '000000');
    const results = await desk.signBatch(ids, REQ.org, t.source);
    t.close();
    expect(t.opened()).toBe(1);
    // SoftHSM may report the low-count flag: the token has seen wrong PINs before in this fixture.
    for (const r of results) expect(r.error?.code).toMatch(/^TOKEN_PIN_INCORRECT/);
    expect(new Set(results.map((r) => r.error?.code)).size).toBe(1);
    for (const id of ids) expect(desk.getDocument(id).state).toBe('approved');
    expect(readdirSync(desk.store.files.staging)).toEqual([]);
  });
});

describe('outbox', () => {
  test('urgent first; deadlines; sent; recalled', async () => {
    let clock: Date | undefined;
    const desk = newDesk({ now: () => clock ?? new Date() });
    const normal = await desk.addDocument({ path: draft, method: 1, title: 'Thường', recipients: ['A', 'B'], paperCopy: true });
    const flash = await desk.addDocument({ path: draft, method: 1, title: 'Hỏa tốc', urgency: 'flash', recipients: ['A'] });
    await sign(desk, normal.id, 'org');
    await sign(desk, flash.id, 'org');
    const list = desk.listOutbox();
    expect(list.map((o) => o.title)).toEqual(['Hỏa tốc', 'Thường']);
    expect(list[0]).toMatchObject({ urgency: 'flash', warning: 'send-now', late: false });
    expect(list[1]).toMatchObject({ paperCopyRequired: true, recipients: [{ name: 'A', status: 'pending' }, { name: 'B', status: 'pending' }] });
    const issuedAt = new Date(list[1]!.issuedAt);
    const deadline = sendDeadline(issuedAt, 'normal');
    expect(list[1]!.sendBy).toBe(deadline.toISOString());
    expect(desk.listOutbox(new Date(deadline.getTime() - 3600_000)).find((o) => o.title === 'Thường')).toMatchObject({ warning: 'not-sent-same-day', late: false });
    expect(desk.listOutbox(new Date(deadline.getTime() + 60_000)).find((o) => o.title === 'Thường')).toMatchObject({ warning: 'late', late: true });

    const sentA = desk.markSent(normal.id, ['A']);
    expect(sentA).toMatchObject({ state: 'waiting', recipients: [{ name: 'A', status: 'sent' }, { name: 'B', status: 'pending' }] });
    expect(desk.markSent(normal.id)).toMatchObject({ state: 'sent', status: 'sent', warning: null });
    expect(desk.listOutbox().map((o) => o.title)).toEqual(['Hỏa tốc', 'Thường']);
    const recalled = desk.recall(normal.id, 'Sai sót ở Điều 2');
    expect(recalled).toMatchObject({ state: 'recalled', recallReason: 'Sai sót ở Điều 2', recipients: [{ status: 'recall-requested' }, { status: 'recall-requested' }] });
    await expectRefused(() => desk.markSent(normal.id), 'OUTBOX_RECALLED');
    // A document not issued is not in the outbox.
    const d = await desk.addDocument({ path: draft, method: 2 });
    await expectRefused(() => desk.markSent(d.id), 'DOCUMENT_STEP_NOT_ALLOWED');
    clock = undefined;
  });

  test('the deadline: the next working morning, over a weekend and a configured holiday', () => {
    // Friday 15 May 2026, 16:00 in Vietnam → Monday 18 May, 12:00.
    expect(sendDeadline(fromVn(2026, 4, 15, 16), 'normal').toISOString()).toBe(fromVn(2026, 4, 18, 12).toISOString());
    // Wednesday 29 April 2026 → 30/4 and 1/5 are holidays → Monday 4 May.
    expect(sendDeadline(fromVn(2026, 3, 29, 9), 'normal', { urgentMinutes: 60, morningEndsHour: 12, holidays: ['2026-04-30', '2026-05-01'] }).toISOString()).toBe(
      fromVn(2026, 4, 4, 12).toISOString(),
    );
    // Urgent: within the hour.
    expect(sendDeadline(fromVn(2026, 4, 15, 16), 'urgent').toISOString()).toBe(fromVn(2026, 4, 15, 17).toISOString());
    expect(sendWarning(fromVn(2026, 4, 12, 9), 'normal', fromVn(2026, 4, 12, 17))).toBeNull();
    expect(sendWarning(fromVn(2026, 4, 12, 9), 'normal', fromVn(2026, 4, 13, 8))).toBe('not-sent-same-day');
    expect(sendWarning(fromVn(2026, 4, 12, 9), 'normal', fromVn(2026, 4, 13, 12, 1))).toBe('late');
  });
});

describe('archive', () => {
  test('records with retention; search by number, title word, signer, date; refusals', async () => {
    const desk = newDesk();
    const a = await desk.addDocument({ path: draft, method: 2, title: 'Quyết định về chuyển đổi số' });
    await sign(desk, a.id, 'leader');
    await sign(desk, a.id, 'org', { number: '77' });
    const e = desk.archive({ source: 'outgoing', sourceId: a.id, recordCode: 'HS-2026-01', recordTitle: 'Hồ sơ chuyển đổi số', retention: '10' });
    expect(e).toMatchObject({ recordCode: 'HS-2026-01', retention: '10', number: '77/QĐ-SYT', signers: [LEADER, ORG] });
    const byNumber = desk.searchArchive('77/QĐ-SYT');
    expect(byNumber.map((x) => x.sourceId)).toEqual([a.id]);
    expect(desk.searchArchive('chuyen doi').map((x) => x.id)).toEqual([e.id]);
    expect(desk.searchArchive('Nguyễn Văn').map((x) => x.id)).toEqual([e.id]);
    expect(desk.searchArchive(today()).map((x) => x.id)).toEqual([e.id]);
    expect(desk.searchArchive('không có gì')).toEqual([]);
    const { path } = desk.archiveEntry(e.id);
    expect(path).toBe(desk.documentPath(a.id));
    // Refused: the same document twice in a record, another retention for the record, a draft, a bad retention.
    await expectRefused(() => desk.archive({ source: 'outgoing', sourceId: a.id, recordCode: 'HS-2026-01', retention: '10' }), 'ARCHIVE_ALREADY_FILED');
    const b = await desk.addDocument({ path: draft, method: 2 });
    await expectRefused(() => desk.archive({ source: 'outgoing', sourceId: b.id, recordCode: 'HS-2026-01', retention: '10' }), 'ARCHIVE_NOT_ALLOWED');
    await expectRefused(() => desk.archive({ source: 'outgoing', sourceId: a.id, recordCode: 'HS-2026-02', retention: 'mãi mãi' }), 'ARCHIVE_RETENTION_INVALID');
    const permanent = desk.archive({ source: 'outgoing', sourceId: a.id, recordCode: 'HS-VV', retention: 'vĩnh viễn' });
    expect(permanent.retention).toBe('permanent');
    await expectRefused(() => desk.archive({ source: 'outgoing', sourceId: a.id, recordCode: 'HS-VV', retention: '20' }), 'ARCHIVE_RECORD_CONFLICT');
    expect(desk.listRecords().map((r) => [r.code, r.retention, r.entries])).toEqual([
      ['HS-2026-01', '10', 1],
      ['HS-VV', 'permanent', 1],
    ]);
    expect(desk.verifyAudit().ok).toBe(true);
  });
});
