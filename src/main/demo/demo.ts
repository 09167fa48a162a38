// `kyso demo`: the three signing methods end to end, on throw-away SoftHSM2 tokens and a
// throw-away PKI, in a temporary data folder. Prints where the signed files are and what
// Kyso's verifier and poppler's pdfsig (an independent judge) say of them.
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { errorLine, KysoError, toKysoError } from '../../shared/errors.js';
import { finalizeAll } from '../token/index.js';
import { loadTrustStore } from '../verify/chain.js';
import { vnClock } from '../workflow/rules.js';
import { WorkflowService, type StepRequest } from '../workflow/service.js';
import { tokenSigner } from '../workflow/token.js';
import { readFileSync } from 'node:fs';
import { writeDemoDocument } from './document.js';
import { sealPng, signaturePng } from './images.js';
import { makeDemoPki } from './pki.js';
import { makeDemoTokens } from './tokens.js';
import { has, run } from './tools.js';

export interface DemoDocument {
  method: 1 | 2 | 3;
  id: string;
  number: string | null;
  file: string;
  attachments: string[];
  /** Kyso's verdict of the exported file. */
  indication: string;
  /** pdfsig's verdict per signature ("Signature is Valid. / Certificate is Trusted."), null when pdfsig is absent. */
  pdfsig: string[] | null;
}

export interface DemoResult {
  dir: string;
  dataDir: string;
  documents: DemoDocument[];
  refusal: string;
  auditEntries: number;
  ok: boolean;
}

/** pdfsig's two verdict lines for each signature of a file. */
function pdfsigVerdicts(file: string, nss: string): string[] {
  const r = run('pdfsig', ['-nssdir', `sql:${nss}`, file], {}, [0, 1, 2, 3, 4, 99]);
  const out: string[] = [];
  let sig = '';
  for (const line of r.stdout.split('\n')) {
    const v = /Signature Validation: (.*)$/.exec(line);
    if (v) sig = v[1]!.trim();
    const c = /Certificate Validation: (.*)$/.exec(line);
    if (c) out.push(`${sig} ${c[1]!.trim()}`);
  }
  return out;
}

export async function runDemo(o: { dir?: string; log?: (line: string) => void } = {}): Promise<DemoResult> {
  const log = o.log ?? ((l: string) => process.stdout.write(l + '\n'));
  if (o.dir && existsSync(o.dir) && readdirSync(o.dir).length > 0) throw new KysoError('USAGE', { reason: `the demo folder ${o.dir} must be new or empty` });
  const dir = o.dir ?? mkdtempSync(join(tmpdir(), 'kyso-demo-'));
  const [pkiDir, hsmDir, dataDir, outDir, draftsDir] = ['pki', 'softhsm', 'data', 'signed', 'drafts'].map((d) => join(dir, d)) as [string, string, string, string, string];
  for (const d of [pkiDir, hsmDir, dataDir, outDir, draftsDir]) mkdirSync(d, { recursive: true });

  log(`Thư mục chạy thử | Demo folder: ${dir}`);
  const pki = makeDemoPki(pkiDir);
  log('  PKI (openssl): Root CA → CA phục vụ các cơ quan Nhà nước → chuyên viên, lãnh đạo, cơ quan');
  const tokens = makeDemoTokens(hsmDir, pki);
  log(`  Token SoftHSM2: ${Object.values(tokens.labels).join(', ')} (PIN ${tokens.pin})`);
  // The driver reads its configuration when it is first loaded in this process.
  finalizeAll();
  process.env.SOFTHSM2_CONF = tokens.conf;

  mkdirSync(join(dataDir, 'trust'), { recursive: true });
  mkdirSync(join(dataDir, 'crl'), { recursive: true });
  copyFileSync(pki.root.certPath, join(dataDir, 'trust', 'demo-root.pem'));
  for (const c of pki.crlDerPaths) copyFileSync(c, join(dataDir, 'crl', basename(c)));
  const desk = WorkflowService.open({
    dataDir,
    trust: () => loadTrustStore([pki.root.certPath]),
    crls: () => pki.crlDerPaths.map((p) => readFileSync(p)),
    actor: 'demo',
  });
  const year = vnClock(new Date()).getUTCFullYear();
  const signature = { bytes: signaturePng(), source: 'demo-signature.png' };
  const seal = { bytes: sealPng(), source: 'demo-seal.png' };
  const step = async (id: string, label: string, req: StepRequest): Promise<void> => {
    const t = tokenSigner({ module: tokens.module, label, pin: tokens.pin });
    try {
      const d = await desk.signStep(id, req, t.source);
      log(`    ${req.role.padEnd(7)} ${label.padEnd(13)} → ${d.state}${d.number ? ` (số ${d.number}, ngày ${d.issueDate})` : ''}`);
    } finally {
      t.close();
    }
  };
  const documents: DemoDocument[] = [];
  let refusal = '';
  try {
    for (const method of [1, 2, 3] as const) {
      const draft = join(draftsDir, `phuong-thuc-${method}.pdf`);
      writeDemoDocument(draft, 'decision', year);
      const titles = { 1: 'Bản gốc ký tay, đóng dấu, quét (phương thức 1)', 2: 'Quyết định ban hành Quy chế (phương thức 2)', 3: 'Quyết định ban hành Quy chế, kèm phụ lục (phương thức 3)' };
      const d = await desk.addDocument({ path: draft, method, title: titles[method], recipients: ['Sở Tài chính', 'Sở Nội vụ'], urgency: method === 3 ? 'urgent' : 'normal' });
      log(`  Phương thức | Method ${method}: văn bản | document ${d.id}`);
      if (method === 3) {
        const appendix = join(draftsDir, 'phu-luc.pdf');
        writeDemoDocument(appendix, 'appendix', year);
        await desk.attach(d.id, { path: appendix });
      }
      if (method === 2) {
        // The rule in action: the organisation may not sign before the leader.
        try {
          await desk.checkStep(d.id, { role: 'org' });
        } catch (e) {
          const err = toKysoError(e);
          refusal = errorLine(err.code, err.details);
          log(`    org trước leader bị từ chối | org before leader refused: [${err.code}]`);
        }
      }
      if (method === 3) await step(d.id, tokens.labels.drafter, { role: 'drafter' });
      if (method !== 1) await step(d.id, tokens.labels.leader, { role: 'leader', image: signature, signerTitle: 'GIÁM ĐỐC' });
      await step(d.id, tokens.labels.org, { role: 'org', image: seal });
      const file = join(outDir, `phuong-thuc-${method}.pdf`);
      await desk.exportDocument(d.id, file);
      const shown = await desk.showDocument(d.id, { verify: true });
      const attachments: string[] = [];
      for (const a of shown.attachments) {
        if (!a.signedSha256) continue;
        const p = join(outDir, `phuong-thuc-${method}-${a.name}`);
        copyFileSync(desk.store.files.require(a.signedSha256), p);
        attachments.push(p);
      }
      documents.push({ method, id: d.id, number: shown.number, file, attachments, indication: shown.verdict!.indication, pdfsig: null });
    }
  } finally {
    finalizeAll();
  }
  const audit = desk.verifyAudit();
  desk.close();

  let pdfsigOk = true;
  if (has('pdfsig') && has('certutil')) {
    const nss = join(dir, 'nss');
    mkdirSync(nss, { recursive: true });
    run('certutil', ['-N', '-d', `sql:${nss}`, '--empty-password']);
    run('certutil', ['-A', '-d', `sql:${nss}`, '-n', 'kyso-demo-root', '-t', 'CT,C,C', '-a', '-i', pki.root.certPath]);
    for (const d of documents) {
      d.pdfsig = pdfsigVerdicts(d.file, nss);
      const all = [d.pdfsig, ...d.attachments.map((a) => pdfsigVerdicts(a, nss))].flat();
      if (all.length === 0 || !all.every((v) => v === 'Signature is Valid. Certificate is Trusted.')) pdfsigOk = false;
    }
  }
  log('');
  log('Kết quả | Result:');
  for (const d of documents) {
    log(`  ${d.file}`);
    log(`    số | number ${d.number}; Kyso: ${d.indication}; pdfsig: ${d.pdfsig ? d.pdfsig.join(' | ') : 'không có pdfsig | pdfsig not installed'}`);
    for (const a of d.attachments) log(`    kèm theo | attachment: ${a}`);
  }
  log(`  Dữ liệu | Data: ${dataDir} (kyso --data ${dataDir} outbox list)`);
  log(`  Nhật ký kiểm tra | Audit log: ${audit.entries} mục | entries, ${audit.ok ? 'nguyên vẹn | intact' : 'HỎNG | BROKEN'}`);
  const ok = audit.ok && pdfsigOk && documents.length === 3 && documents.every((d) => d.indication === 'TOTAL_PASSED') && refusal !== '';
  log(ok ? 'Chạy thử thành công | Demo passed' : 'Chạy thử CÓ LỖI | Demo FAILED');
  return { dir, dataDir, documents, refusal, auditEntries: audit.entries, ok };
}
