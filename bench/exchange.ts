// `npm run bench`, the exchange part: 1,000 issued documents sent from one desk to another through
// the folder transport, in process through the exchange engine with real SQLite databases and a
// real shared folder: queueing (envelope built and signed, one row per recipient), sending,
// receiving (each PDF verified, registered, answered 01), and the statuses applied back at the
// sender. The documents are made issued directly in the store (signing 1,000 PDFs is measured
// elsewhere); each carries the same PAdES-signed PDF. The envelope is signed with the test
// organisation's key in memory, not a token (the token's share is one RSA signature each).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SoftwareSigner } from '../src/main/cms/signer.js';
import { addPeer, configureInbox, configureSelf, queueDocument, sync } from '../src/main/exchange/engine.js';
import { signPdf } from '../src/main/sign/sign.js';
import { insertDocument, insertRevision, updateDocument } from '../src/main/store/documents.js';
import { queueOutbox } from '../src/main/store/outbox.js';
import { loadTrustStore } from '../src/main/verify/chain.js';
import { WorkflowService } from '../src/main/workflow/service.js';
import { makeNd30Pdf } from '../test/fixtures/nd30.js';
import { sharedTestPki } from '../test/fixtures/pki.js';

const COUNT = Number(process.env.KYSO_BENCH_EXCHANGE ?? 1000);

export interface ExchangeBenchRow {
  what: string;
  seconds: number;
  perDocumentMs: number;
}

export async function benchExchange(): Promise<ExchangeBenchRow[]> {
  const pki = await sharedTestPki();
  const dir = mkdtempSync(join(tmpdir(), 'kyso-bench-exchange-'));
  try {
    const draft = join(dir, 'draft.pdf');
    writeFileSync(draft, await makeNd30Pdf());
    const signer = new SoftwareSigner(pki.org.privateKey, pki.org.certDer, [pki.subCa.certDer]);
    const signed = join(dir, 'signed.pdf');
    await signPdf({ input: draft, output: signed, signer });
    const open = (name: string): WorkflowService =>
      WorkflowService.open({ dataDir: join(dir, name), trust: () => loadTrustStore([pki.rootPemPath]), crls: () => [], online: false, actor: 'bench' });
    const sender = open('sender');
    const receiver = open('receiver');
    const s = sender.context;
    const r = receiver.context;
    configureSelf(s, { organId: '000.00.31.H41', name: 'Sở Y tế' });
    configureInbox(s, 'folder', join(dir, 'share', 'syt'));
    configureSelf(r, { organId: '000.00.32.H41', name: 'Sở Nội vụ' });
    configureInbox(r, 'folder', join(dir, 'share', 'snv'));
    addPeer(s, { organId: '000.00.32.H41', name: 'Sở Nội vụ', transport: 'folder', address: join(dir, 'share', 'snv') });
    addPeer(r, { organId: '000.00.31.H41', name: 'Sở Y tế', transport: 'folder', address: join(dir, 'share', 'syt') });

    // 1,000 issued documents, all carrying the same signed PDF.
    const stored = await sender.store.files.putBytes((await import('node:fs')).readFileSync(signed));
    const now = new Date();
    const day = new Date(now.getTime() + 7 * 3600_000).toISOString().slice(0, 10);
    const ids: number[] = [];
    s.store.tx(() => {
      for (let i = 1; i <= COUNT; i++) {
        const at = now.toISOString();
        const id = insertDocument(s.store.db, { title: `Công văn số ${i} về việc triển khai chuyển đổi số`, docType: 'Công văn', fileName: `cv-${i}.pdf`, method: 1, urgency: 'normal', secrecy: 'none', paperCopy: false, at });
        const rev = insertRevision(s.store.db, { documentId: id, round: 1, step: 'import', sha256: stored.sha256, size: stored.size, fileName: `cv-${i}.pdf`, at });
        updateDocument(s.store.db, id, { current_revision_id: rev.id, state: 'issued', number_seq: i, number_symbol: `${i}/CV-SYT`, issue_date: day, issue_year: Number(day.slice(0, 4)), issued_at: at });
        queueOutbox(s.store.db, id, at, at);
        ids.push(id);
      }
    });

    const rows: ExchangeBenchRow[] = [];
    const time = async (what: string, fn: () => Promise<unknown>): Promise<void> => {
      const t = process.hrtime.bigint();
      await fn();
      const seconds = Number(process.hrtime.bigint() - t) / 1e9;
      rows.push({ what, seconds, perDocumentMs: (seconds * 1000) / COUNT });
    };
    await time(`queue ${COUNT} (envelope built and signed)`, async () => {
      for (const id of ids) await queueDocument(s, id, ['000.00.32.H41'], { signer });
    });
    let sent = 0;
    await time(`send ${COUNT} to the shared folder`, async () => {
      sent = (await sync(s)).sent;
    });
    let received = 0;
    await time(`receive ${COUNT} (verify, register, answer 01)`, async () => {
      received = (await sync(r)).received;
    });
    let statuses = 0;
    await time(`apply ${COUNT} statuses at the sender`, async () => {
      statuses = (await sync(s)).statuses;
    });
    if (sent !== COUNT || received !== COUNT || statuses !== COUNT) throw new Error(`exchange bench: sent ${sent}, received ${received}, statuses ${statuses} of ${COUNT}`);
    sender.close();
    receiver.close();
    return rows;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function printExchange(rows: ExchangeBenchRow[]): void {
  process.stdout.write(`\nexchange through the folder transport (${COUNT} documents, one recipient):\n`);
  for (const r of rows) process.stdout.write(`  ${r.what.padEnd(52)} ${r.seconds.toFixed(2).padStart(7)} s  ${r.perDocumentMs.toFixed(1).padStart(6)} ms/document\n`);
  const total = rows.reduce((a, r) => a + r.seconds, 0);
  process.stdout.write(`  ${'send and receive, all steps'.padEnd(52)} ${total.toFixed(2).padStart(7)} s\n`);
}
