// Issue 5, the desk on the command line (`kyso --data DIR doc|inbox|outbox|archive|audit …`), run
// as a person runs it, on real SoftHSM2 tokens and a real database file:
//   - method 3 end to end, the output judged by pdfsig and qpdf; --json prints one object;
//   - errors as one line "Lỗi [CODE]: … | Error: …" with exit 1, usage mistakes exit 2;
//   - SIGKILL in the middle of a signing step (after the signature is made, after the file is
//     stored, inside the transaction) leaves the database consistent — integrity_check, no
//     dangling rows, every earlier file intact by SHA-256, the audit chain whole — and the step
//     can be run again;
//   - `audit verify` finds an audit row edited with a raw connection after dropping the trigger;
//   - a batch with one bad document signs the others;
//   - `kyso demo` works from the app, not from the test fixtures.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { vietnamDay } from '../../src/main/appearance/time.js';
import { makeNssDb, pdfsig, qpdfCheck } from '../fixtures/judges.js';
import { expectJudgedValid } from '../fixtures/expect.js';
import { makeNd30Pdf } from '../fixtures/nd30.js';
import { sharedTestPki } from '../fixtures/pki.js';
import { sealPng, signaturePng } from '../fixtures/png.js';
import { sharedSoftHsm, type SoftHsm } from '../fixtures/softhsm.js';
import { trustingDataFolder } from '../fixtures/desk-data.js';
import { runKyso } from '../fixtures/kyso-run.js';
import { makeTempDir, removeTempDir } from '../fixtures/tmp.js';

const pki = await sharedTestPki();
let hsm: SoftHsm;
let work: string;
let nss: string;
let draft: string;
let sigPng: string;
let sealFile: string;

beforeAll(async () => {
  hsm = sharedSoftHsm(pki);
  work = makeTempDir('desk-cli');
  nss = makeNssDb(join(work, 'nss'), [pki.root.certPem]);
  draft = join(work, 'draft.pdf');
  writeFileSync(draft, await makeNd30Pdf());
  sigPng = join(work, 'signature.png');
  sealFile = join(work, 'seal.png');
  writeFileSync(sigPng, signaturePng());
  writeFileSync(sealFile, sealPng());
});

afterAll(() => removeTempDir(work));

let dataNo = 0;
/** A data folder with the test root trusted and the CRLs loaded, as the settings screen keeps them. */
function dataDir(): string {
  return trustingDataFolder(pki, join(work, `data-${++dataNo}`));
}

interface Run {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  json: () => Record<string, unknown>;
}

/**
 * Runs `kyso` as a person would. Asynchronous on purpose: the test worker keeps answering vitest
 * while the command runs (a chain of spawnSync calls starves its RPC).
 */
async function kyso(args: string[], env: NodeJS.ProcessEnv = {}): Promise<Run> {
  const r = await runKyso(args, { ...hsm.env, KYSO_PKCS11_MODULE: hsm.module, KYSO_TEST_PIN: hsm.tokens.ORG.pin, XDG_CONFIG_HOME: join(work, 'config'), ...env });
  return Object.assign(r, {
    json: () => {
      const lines = r.stdout.trim().split('\n');
      expect(lines.length, r.stdout).toBe(1);
      return JSON.parse(lines[0]!) as Record<string, unknown>;
    },
  });
}

const TOKEN = { drafter: 'KYSO-DRAFTER', leader: 'KYSO-LEADER', org: 'KYSO-ORG' } as const;
function signArgs(data: string, id: string, role: 'drafter' | 'leader' | 'org', extra: string[] = []): string[] {
  const img = role === 'leader' ? ['--image', sigPng, '--signer-title', 'GIÁM ĐỐC'] : role === 'org' ? ['--image', sealFile] : [];
  return ['--data', data, 'doc', 'sign', id, '--as', role, '--token', TOKEN[role], '--pin-env', 'KYSO_TEST_PIN', ...img, ...extra];
}

function ok(r: Run): Run {
  expect(r.status, `${r.stderr}\n${r.stdout}`).toBe(0);
  return r;
}

/** One error line on stderr, Vietnamese then English, and the exit code. */
function expectError(r: Run, code: string, exit = 1): void {
  expect(r.status, r.stdout).toBe(exit);
  const lines = r.stderr.trim().split('\n');
  expect(lines.length, r.stderr).toBe(1);
  expect(lines[0]).toMatch(new RegExp(`^Lỗi \\[${code}\\]: .+ \\| Error: .+$`));
}

async function add(data: string, method: number, extra: string[] = []): Promise<string> {
  const r = ok(await kyso(['--data', data, 'doc', 'add', draft, '--method', String(method), '--json', ...extra]));
  const id = r.json().id;
  expect(typeof id).toBe('string');
  return id as string;
}

const ORG = pki.org.names.commonName;
const LEADER = pki.leader.names.commonName;
const DRAFTER = pki.drafter.names.commonName;

const expectPdfsigValid = (file: string, names: string[]): void => expectJudgedValid(file, nss, names);

describe('kyso doc …', () => {
  test('method 3 end to end; show, export, outbox, archive, audit — with --json one object each', async () => {
    const data = dataDir();
    const id = await add(data, 3, ['--title', 'Quyết định ban hành Quy chế', '--urgency', 'urgent', '--to', 'Sở Nội vụ']);
    const dr = ok(await kyso([...signArgs(data, id, 'drafter'), '--json'])).json();
    expect(dr).toMatchObject({ id, state: 'initialled', nextRole: 'leader' });
    ok(await kyso(signArgs(data, id, 'leader')));
    // The --data option after the command works too.
    const org = ok(await kyso([...signArgs(data, id, 'org', ['--number', '12/QĐ-SYT']).slice(2), '--data', data, '--json'])).json();
    expect(org).toMatchObject({ id, state: 'issued', number: '12/QĐ-SYT', issueDate: vietnamDay(new Date()) });

    const show = ok(await kyso(['--data', data, 'doc', 'show', id, '--json'])).json();
    expect(show).toMatchObject({ id, method: 3, state: 'issued', nextRole: null, number: '12/QĐ-SYT', urgency: 'urgent' });
    const sigs = show.signatures as Array<{ role: string; signer: string; indication: string; verdict: { indication: string; chain: string } }>;
    expect(sigs.map((s) => [s.role, s.signer, s.indication, s.verdict.chain])).toEqual([
      ['drafter', DRAFTER, 'TOTAL_PASSED', 'trusted'],
      ['leader', LEADER, 'TOTAL_PASSED', 'trusted'],
      ['org', ORG, 'TOTAL_PASSED', 'trusted'],
    ]);
    expect((show.verdict as { indication: string }).indication).toBe('TOTAL_PASSED');

    const out = join(work, 'exported.pdf');
    const ex = ok(await kyso(['--data', data, 'doc', 'export', id, '-o', out, '--json'])).json();
    expect(ex.sha256).toBe(createHash('sha256').update(readFileSync(out)).digest('hex'));
    expectPdfsigValid(out, [DRAFTER, LEADER, ORG]);

    const outbox = ok(await kyso(['--data', data, 'outbox', 'list', '--json'])).json();
    expect(outbox.items).toEqual([expect.objectContaining({ documentId: id, urgency: 'urgent', state: 'waiting', warning: 'send-now', recipients: [{ name: 'Sở Nội vụ', status: 'pending' }] })]);
    ok(await kyso(['--data', data, 'outbox', 'send', id]));
    expect((ok(await kyso(['--data', data, 'outbox', 'list', '--json'])).json().items as Array<{ state: string }>)[0]!.state).toBe('sent');

    ok(await kyso(['--data', data, 'archive', 'add', id, '--record', 'HS-01', '--retention', 'permanent', '--record-title', 'Hồ sơ ban hành quy chế']));
    for (const q of ['12/QĐ-SYT', 'quy che', DRAFTER, vietnamDay(new Date())]) {
      const found = ok(await kyso(['--data', data, 'archive', 'search', q, '--json'])).json();
      expect((found.entries as Array<{ sourceId: string; retention: string }>).map((e) => [e.sourceId, e.retention]), q).toEqual([[id, 'permanent']]);
    }
    expect(ok(await kyso(['--data', data, 'archive', 'search', 'không có', '--json'])).json()).toEqual({ entries: [] });

    const audit = ok(await kyso(['--data', data, 'audit', 'verify', '--json'])).json();
    expect(audit).toMatchObject({ ok: true, entries: 6, problems: [] });
    // $KYSO_DATA is the default data folder.
    expect(ok(await kyso(['doc', 'list', '--json'], { KYSO_DATA: data })).json().documents).toEqual([expect.objectContaining({ id, state: 'issued' })]);
  });

  test('errors: one line, Vietnamese | English; refused steps exit 1, usage mistakes exit 2', async () => {
    const data = dataDir();
    const id = await add(data, 2);
    expectError(await kyso(signArgs(data, id, 'org')), 'SIGNATURE_REQUIRED_MISSING');
    expectError(await kyso(signArgs(data, id, 'drafter')), 'DOCUMENT_STEP_NOT_ALLOWED');
    ok(await kyso(signArgs(data, id, 'leader')));
    expectError(await kyso(signArgs(data, id, 'org', ['--issued', '2020-01-02'])), 'ISSUE_DATE_NOT_SIGNING_DATE');
    expectError(await kyso(signArgs(data, id, 'org', ['--issued', '2026-02-30'])), 'ISSUE_DATE_INVALID');
    expectError(await kyso(['--data', data, 'doc', 'show', '999']), 'DOCUMENT_NOT_FOUND');
    expectError(await kyso(['--data', data, 'doc', 'add', draft, '--method', '2', '--secrecy', 'mat']), 'DOCUMENT_SECRET');
    expectError(await kyso(['--data', data, 'doc', 'add', join(work, 'none.pdf'), '--method', '2']), 'FILE_NOT_FOUND');
    expectError(await kyso(['--data', data, 'doc', 'add', draft]), 'USAGE', 2);
    expectError(await kyso(['--data', data, 'doc', 'add', draft, '--method', '4']), 'USAGE', 2);
    expectError(await kyso(['--data', data, 'doc', 'sign', id, '--as', 'boss', '--token', 'X', '--pin-env', 'KYSO_TEST_PIN']), 'USAGE', 2);
    expectError(await kyso(['--data', data, 'doc', 'return', id]), 'USAGE', 2);
    expectError(await kyso(['--data', data, 'archive', 'add', id, '--record', 'HS', '--retention', 'mãi']), 'ARCHIVE_RETENTION_INVALID');
    expectError(await kyso(['--data']), 'USAGE', 2);
    // Each refusal left one audit entry, and the chain is whole.
    const log = ok(await kyso(['--data', data, 'audit', 'list', '--json'])).json().entries as Array<{ action: string }>;
    expect(log.filter((e) => e.action.endsWith('.refused')).length).toBe(6);
    ok(await kyso(['--data', data, 'audit', 'verify']));
  });

  test('return, revise; inbox import, accept, reject, list', async () => {
    const data = dataDir();
    const id = await add(data, 3);
    ok(await kyso(signArgs(data, id, 'drafter')));
    expect(ok(await kyso(['--data', data, 'doc', 'return', id, '--comment', 'Bổ sung căn cứ pháp lý', '--json'])).json()).toMatchObject({ state: 'returned', nextRole: 'drafter', comment: 'Bổ sung căn cứ pháp lý' });
    ok(await kyso(['--data', data, 'doc', 'revise', id, draft]));
    ok(await kyso(signArgs(data, id, 'drafter')));
    ok(await kyso(signArgs(data, id, 'leader')));
    ok(await kyso(signArgs(data, id, 'org')));
    const file = join(work, 'for-inbox.pdf');
    ok(await kyso(['--data', data, 'doc', 'export', id, '-o', file]));

    const inboxData = dataDir();
    const imp = ok(await kyso(['--data', inboxData, 'inbox', 'import', file, '--json'])).json();
    const items = imp.items as Array<{ id: string; indication: string; signers: string[] }>;
    expect(items).toEqual([expect.objectContaining({ indication: 'TOTAL_PASSED', signers: [DRAFTER, LEADER, ORG] })]);
    const two = ok(await kyso(['--data', inboxData, 'inbox', 'import', draft, '--json'])).json().items as Array<{ id: string; indication: string }>;
    expect(two[0]!.indication).toBe('TOTAL_FAILED'); // no signature at all
    expect(ok(await kyso(['--data', inboxData, 'inbox', 'accept', items[0]!.id, '--json'])).json()).toMatchObject({ status: 'accepted', incomingNumber: 1 });
    expectError(await kyso(['--data', inboxData, 'inbox', 'accept', two[0]!.id]), 'INBOX_SIGNATURE_INVALID');
    expect(ok(await kyso(['--data', inboxData, 'inbox', 'reject', two[0]!.id, '--reason', 'Văn bản chưa được ký số', '--json'])).json()).toMatchObject({ status: 'rejected', reason: 'Văn bản chưa được ký số' });
    const list = ok(await kyso(['--data', inboxData, 'inbox', 'list', '--json'])).json().items as Array<{ id: string; status: string; reason: string | null }>;
    expect(list.map((i) => [i.id, i.status, i.reason]).sort()).toEqual(
      [
        [items[0]!.id, 'accepted', null],
        [two[0]!.id, 'rejected', 'Văn bản chưa được ký số'],
      ].sort(),
    );
    expect((ok(await kyso(['--data', inboxData, 'inbox', 'list', '--search', 'Nhung', '--json'])).json().items as unknown[]).length).toBe(1);
  });

  test('a batch of organisation signatures with one PIN entry: one bad document, the others signed', async () => {
    const data = dataDir();
    const ids = [await add(data, 2), await add(data, 2), await add(data, 2)];
    ok(await kyso(signArgs(data, ids[0]!, 'leader')));
    ok(await kyso(signArgs(data, ids[2]!, 'leader')));
    const r = await kyso([...signArgs(data, ids[0]!, 'org'), ids[1]!, ids[2]!, '--json']);
    expect(r.status).toBe(1);
    const results = r.json().results as Array<{ id: string; ok: boolean; number?: string; error?: { code: string } }>;
    expect(results.map((x) => [x.id, x.ok, x.number ?? x.error?.code])).toEqual([
      [ids[0], true, '01/QĐ-SYT'],
      [ids[1], false, 'SIGNATURE_REQUIRED_MISSING'],
      [ids[2], true, '02/QĐ-SYT'],
    ]);
    expect(r.stderr).toMatch(/\[1\/3\].*OK/);
    expect(r.stderr).toMatch(/\[2\/3\].*SIGNATURE_REQUIRED_MISSING/);
  });
});

// ---------------------------------------------------------------------------------------------
// SIGKILL in the middle of a step

interface DbFacts {
  integrity: string;
  fkProblems: unknown[];
  revisions: Array<{ document_id: number; seq: number; step: string; sha256: string; size: number }>;
  state: string;
  signatures: number;
  outbox: number;
  number: string | null;
}

function facts(data: string, id: string): DbFacts {
  // A raw connection: what is on disk, with no help from Kyso (opening replays the WAL).
  const db = new Database(join(data, 'kyso.db'));
  try {
    const doc = db.prepare('SELECT state, number_symbol FROM documents WHERE id = ?').get(Number(id)) as { state: string; number_symbol: string | null };
    return {
      integrity: db.pragma('integrity_check', { simple: true }) as string,
      fkProblems: db.pragma('foreign_key_check') as unknown[],
      revisions: db.prepare('SELECT document_id, seq, step, sha256, size FROM revisions ORDER BY document_id, seq').all() as DbFacts['revisions'],
      state: doc.state,
      signatures: (db.prepare('SELECT COUNT(*) AS n FROM signatures WHERE document_id = ?').get(Number(id)) as { n: number }).n,
      outbox: (db.prepare('SELECT COUNT(*) AS n FROM outbox_items WHERE document_id = ?').get(Number(id)) as { n: number }).n,
      number: doc.number_symbol,
    };
  } finally {
    db.close();
  }
}

function storedFiles(data: string): string[] {
  const root = join(data, 'files');
  return readdirSync(root).flatMap((d) => readdirSync(join(root, d)).map((f) => d + f)).sort();
}

/** Every revision the database knows is in the store, whole, with its SHA-256 and size. */
function expectFilesIntact(data: string, f: DbFacts): void {
  for (const r of f.revisions) {
    const p = join(data, 'files', r.sha256.slice(0, 2), r.sha256.slice(2));
    expect(existsSync(p), `revision ${r.document_id}/${r.seq}`).toBe(true);
    const bytes = readFileSync(p);
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(r.sha256);
    expect(bytes.length).toBe(r.size);
  }
}

describe('SIGKILL in the middle of a signing step', () => {
  for (const point of ['after-sign', 'after-file', 'in-transaction'] as const) {
    test(`killed ${point}: the database is consistent, earlier files intact, the step runs again`, async () => {
      const data = dataDir();
      const id = await add(data, 3);
      ok(await kyso(signArgs(data, id, 'drafter')));
      const before = facts(data, id);
      const filesBefore = storedFiles(data);
      const auditBefore = ok(await kyso(['--data', data, 'audit', 'verify', '--json'])).json().entries as number;

      const r = await kyso(signArgs(data, id, 'leader'), { KYSO_CRASH_AT: point });
      expect(r.signal, r.stderr).toBe('SIGKILL');

      const after = facts(data, id);
      expect(after.integrity).toBe('ok');
      expect(after.fkProblems).toEqual([]);
      // Nothing of the step is in the database: the same revisions, state, signatures.
      expect(after.revisions).toEqual(before.revisions);
      expect(after).toMatchObject({ state: 'initialled', signatures: 1 });
      expectFilesIntact(data, after);
      // The earlier files are untouched; a file stored before the crash may remain, unreferenced.
      const filesAfter = storedFiles(data);
      expect(filesAfter).toEqual(expect.arrayContaining(filesBefore));
      expect(filesAfter.length - filesBefore.length).toBe(point === 'after-sign' ? 0 : 1);
      const audit = ok(await kyso(['--data', data, 'audit', 'verify', '--json'])).json();
      expect(audit).toMatchObject({ ok: true, entries: auditBefore });

      // The step runs again and the document goes on to the end.
      expect(ok(await kyso([...signArgs(data, id, 'leader'), '--json'])).json()).toMatchObject({ state: 'approved' });
      ok(await kyso(signArgs(data, id, 'org')));
      const done = facts(data, id);
      expect(done).toMatchObject({ integrity: 'ok', state: 'issued', signatures: 3, outbox: 1 });
      expectFilesIntact(data, done);
      const out = join(work, `crash-${point}.pdf`);
      ok(await kyso(['--data', data, 'doc', 'export', id, '-o', out]));
      expectPdfsigValid(out, [DRAFTER, LEADER, ORG]);
    });
  }

  test('killed inside the organisation\'s transaction: no number taken, no outbox item; then issued', async () => {
    const data = dataDir();
    const id = await add(data, 2);
    ok(await kyso(signArgs(data, id, 'leader')));
    const r = await kyso(signArgs(data, id, 'org'), { KYSO_CRASH_AT: 'in-transaction' });
    expect(r.signal).toBe('SIGKILL');
    const after = facts(data, id);
    expect(after).toMatchObject({ integrity: 'ok', state: 'approved', number: null, outbox: 0, signatures: 1 });
    expect(after.fkProblems).toEqual([]);
    expectFilesIntact(data, after);
    expect(ok(await kyso([...signArgs(data, id, 'org'), '--json'])).json()).toMatchObject({ state: 'issued', number: '01/QĐ-SYT' });
    expect(facts(data, id)).toMatchObject({ outbox: 1, number: '01/QĐ-SYT' });
  });
});

describe('kyso audit verify', () => {
  test('finds an audit row edited with a raw connection after its trigger was dropped', async () => {
    const data = dataDir();
    const id = await add(data, 2);
    ok(await kyso(signArgs(data, id, 'leader')));
    ok(await kyso(signArgs(data, id, 'org')));
    ok(await kyso(['--data', data, 'audit', 'verify']));

    const db = new Database(join(data, 'kyso.db'));
    expect(() => db.prepare("UPDATE audit SET actor = 'someone else' WHERE seq = 2").run()).toThrow(/append-only/);
    db.exec('DROP TRIGGER audit_no_update');
    db.prepare("UPDATE audit SET actor = 'someone else' WHERE seq = 2").run();
    db.close();

    const r = await kyso(['--data', data, 'audit', 'verify']);
    expectError(r, 'AUDIT_CHAIN_BROKEN');
    expect(r.stderr).toMatch(/mục 2 \(hash-mismatch/);
    const j = await kyso(['--data', data, 'audit', 'verify', '--json']);
    expect(j.status).toBe(1);
    expect(j.json()).toMatchObject({ ok: false, problems: expect.arrayContaining([expect.objectContaining({ seq: 2, problem: 'hash-mismatch' }), expect.objectContaining({ problem: 'trigger-missing' })]) });
  });
});

describe('kyso demo', () => {
  test('runs the three methods on its own throw-away tokens and PKI, says where the files are; pdfsig finds them valid', async () => {
    const dir = join(work, 'demo');
    // Not the tests' SoftHSM: the demo makes and configures its own.
    const r = await kyso(['demo', '--dir', dir], { SOFTHSM2_CONF: '/nonexistent/softhsm2.conf' });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('Demo passed');
    expect(r.stdout).toMatch(/org trước leader bị từ chối \| org before leader refused: \[SIGNATURE_REQUIRED_MISSING\]/);
    // Judged here, independently, against the demo's own root.
    const demoNss = makeNssDb(join(work, 'nss-demo'), [readFileSync(join(dir, 'pki', 'root.pem'), 'utf8')]);
    const signers = [['Sở Y tế tỉnh Quảng Ninh'], ['Nguyễn Văn Minh', 'Sở Y tế tỉnh Quảng Ninh'], ['Trần Thị Hồng Nhung', 'Nguyễn Văn Minh', 'Sở Y tế tỉnh Quảng Ninh']];
    for (const [i, names] of signers.entries()) {
      const file = join(dir, 'signed', `phuong-thuc-${i + 1}.pdf`);
      expect(r.stdout).toContain(file);
      const rep = pdfsig(file, demoNss);
      const sigs = rep.signatures.filter((s) => !s.unsigned);
      expect(sigs.map((s) => s.signerName), rep.raw).toEqual(names);
      for (const s of sigs) expect(`${s.signatureValidation} ${s.certificateValidation}`, rep.raw).toBe('Signature is Valid. Certificate is Trusted.');
      expect(qpdfCheck(file).ok).toBe(true);
    }
    const appendix = join(dir, 'signed', 'phuong-thuc-3-phu-luc.pdf');
    expect(r.stdout).toContain(appendix);
    expect(pdfsig(appendix, demoNss).signatures.filter((s) => !s.unsigned).map((s) => s.signatureValidation)).toEqual(['Signature is Valid.']);
    // Its data folder is an ordinary desk.
    const outbox = ok(await kyso(['--data', join(dir, 'data'), 'outbox', 'list', '--json'])).json().items as unknown[];
    expect(outbox.length).toBe(3);
    // A folder already in use is refused.
    expectError(await kyso(['demo', '--dir', dir]), 'USAGE', 2);
  });
});
