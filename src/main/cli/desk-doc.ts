// `kyso doc …`: documents through the three signing methods on the command line.
import { resolve } from 'node:path';
import { errorLine, KysoError } from '../../shared/errors.js';
import type { SignatureScheme } from '../cms/signer.js';
import { imageFile } from '../sign/visible.js';
import { finalizeAll, resolveModulePath } from '../token/index.js';
import type { SecrecyValue, UrgencyValue } from '../store/documents.js';
import type { StepRequest } from '../workflow/service.js';
import { isMethod, type StepRole } from '../workflow/rules.js';
import { tokenSigner } from '../workflow/token.js';
import { int, list, pinFromEnv, rect, required, str } from './args.js';
import { json, one, out, parseDesk, withDesk, type Command } from './desk.js';

const URGENCIES: UrgencyValue[] = ['normal', 'urgent', 'very-urgent', 'flash'];
const SECRECY: SecrecyValue[] = ['none', 'mat', 'toi-mat', 'tuyet-mat'];

export function urgency(v: string | undefined): UrgencyValue | undefined {
  if (v === undefined) return undefined;
  const alias: Record<string, UrgencyValue> = { thuong: 'normal', khan: 'urgent', 'thuong-khan': 'very-urgent', 'hoa-toc': 'flash' };
  const u = (alias[v] ?? v) as UrgencyValue;
  if (!URGENCIES.includes(u)) throw new KysoError('USAGE', { reason: `--urgency must be one of ${URGENCIES.join(', ')}` });
  return u;
}

const add: Command = async (argv) => {
  const p = parseDesk(argv, {
    method: { type: 'string' },
    title: { type: 'string' },
    urgency: { type: 'string' },
    type: { type: 'string' },
    to: { type: 'string', multiple: true },
    'paper-copy': { type: 'boolean' },
    secrecy: { type: 'string' },
    pdfa: { type: 'boolean' },
  });
  const file = resolve(one(p, 'PDF file'));
  const method = Number(required(p, 'method'));
  if (!isMethod(method)) throw new KysoError('USAGE', { reason: '--method must be 1, 2 or 3' });
  const secrecy = str(p, 'secrecy') as SecrecyValue | undefined;
  if (secrecy !== undefined && !SECRECY.includes(secrecy)) throw new KysoError('USAGE', { reason: `--secrecy must be one of ${SECRECY.join(', ')}` });
  return withDesk(p, async (desk) => {
    const d = await desk.addDocument({
      path: file,
      method,
      title: str(p, 'title'),
      urgency: urgency(str(p, 'urgency')),
      docType: str(p, 'type'),
      recipients: list(p, 'to'),
      paperCopy: p.values['paper-copy'] === true,
      secrecy,
      pdfa: p.values.pdfa === true,
    });
    if (!json(p, { id: d.id, state: d.state, nextRole: d.nextRole, method: d.method, ...(d.pdfa ? { pdfa: d.pdfa } : {}) })) {
      out(`Đã nhập văn bản ${d.id} (phương thức ${d.method}), chờ ký: ${d.nextRole} | Added document ${d.id} (method ${d.method}), next: ${d.nextRole}`);
      if (d.pdfa) {
        const id = d.pdfa.part ? `PDF/A-${d.pdfa.part}${(d.pdfa.conformance ?? '').toLowerCase()}` : 'PDF';
        out(`PDF/A: ${id}; OCR: ${d.pdfa.ocr}${d.pdfa.missing.length ? `; thiếu | missing: ${d.pdfa.missing.join('; ')}` : ''}`);
      }
    }
    return 0;
  });
};

function scheme(v: string | undefined): SignatureScheme | undefined {
  if (v === undefined) return undefined;
  if (v === 'pkcs1') return 'rsa-pkcs1';
  if (v === 'pss') return 'rsa-pss';
  throw new KysoError('USAGE', { reason: '--scheme must be pkcs1 or pss' });
}

function role(v: string): StepRole {
  if (v === 'drafter' || v === 'leader' || v === 'org') return v;
  throw new KysoError('USAGE', { reason: '--as must be drafter, leader or org' });
}

const sign: Command = async (argv) => {
  const p = parseDesk(argv, {
    as: { type: 'string' },
    module: { type: 'string' },
    token: { type: 'string' },
    serial: { type: 'string' },
    'key-id': { type: 'string' },
    'pin-env': { type: 'string' },
    scheme: { type: 'string' },
    image: { type: 'string' },
    preset: { type: 'string' },
    page: { type: 'string' },
    rect: { type: 'string' },
    anchor: { type: 'string' },
    'signer-name': { type: 'string' },
    'signer-title': { type: 'string' },
    organisation: { type: 'string' },
    number: { type: 'string' },
    issued: { type: 'string' },
    'no-fill': { type: 'boolean' },
    reason: { type: 'string' },
    location: { type: 'string' },
  });
  if (p.positionals.length === 0) throw new KysoError('USAGE', { reason: 'give the document id (or several, to sign them in one batch)' });
  const r = role(required(p, 'as'));
  if (str(p, 'token') === undefined && str(p, 'serial') === undefined) throw new KysoError('USAGE', { reason: '--token is required' });
  const imagePath = str(p, 'image');
  const req: StepRequest = {
    role: r,
    number: str(p, 'number'),
    issueDate: str(p, 'issued'),
    fillNumber: p.values['no-fill'] === true ? false : undefined,
    image: imagePath ? imageFile(resolve(imagePath)) : undefined,
    preset: str(p, 'preset'),
    page: int(p, 'page'),
    rect: rect(p, 'rect'),
    anchor: str(p, 'anchor'),
    signerName: str(p, 'signer-name'),
    signerTitle: str(p, 'signer-title'),
    organisation: str(p, 'organisation'),
    reason: str(p, 'reason'),
    location: str(p, 'location'),
  };
  const pin = pinFromEnv(p);
  const module = resolveModulePath(str(p, 'module'));
  const token = tokenSigner({ module, label: str(p, 'token'), serial: str(p, 'serial'), pin, keyId: str(p, 'key-id'), scheme: scheme(str(p, 'scheme')) });
  try {
    return await withDesk(p, async (desk) => {
      if (p.positionals.length === 1) {
        const d = await desk.signStep(p.positionals[0]!, req, token.source);
        if (!json(p, { id: d.id, state: d.state, nextRole: d.nextRole, number: d.number, issueDate: d.issueDate, signatures: d.signatures }))
          out(`Đã ký văn bản ${d.id} (${r}): trạng thái ${d.state}${d.number ? `, số ${d.number} ngày ${d.issueDate}` : ''} | Signed document ${d.id} as ${r}: ${d.state}`);
        return 0;
      }
      if (req.number !== undefined) throw new KysoError('USAGE', { reason: '--number applies to one document; in a batch Kyso gives each the next number' });
      const results = await desk.signBatch(p.positionals, req, token.source, (pr) =>
        process.stderr.write(`[${pr.done}/${pr.total}] ${pr.id}: ${pr.ok ? 'OK' : errorLine(pr.error!.code, pr.error!.details)}\n`),
      );
      const failed = results.filter((x) => !x.ok).length;
      if (!json(p, { results: results.map((x) => ({ id: x.id, ok: x.ok, state: x.document?.state, number: x.document?.number, error: x.error })) }))
        out(`Đã ký ${results.length - failed}/${results.length} văn bản | Signed ${results.length - failed} of ${results.length} documents`);
      return failed ? 1 : 0;
    });
  } finally {
    token.close();
    finalizeAll();
  }
};

const ret: Command = async (argv) => {
  const p = parseDesk(argv, { comment: { type: 'string' } });
  const id = one(p, 'document id');
  const comment = required(p, 'comment');
  return withDesk(p, (desk) => {
    const d = desk.returnDocument(id, comment);
    if (!json(p, { id: d.id, state: d.state, nextRole: d.nextRole, comment: d.comment })) out(`Đã trả lại văn bản ${d.id} cho chuyên viên | Returned document ${d.id} to the drafter`);
    return 0;
  });
};

const show: Command = async (argv) => {
  const p = parseDesk(argv, { 'no-verify': { type: 'boolean' } });
  const id = one(p, 'document id');
  return withDesk(p, async (desk) => {
    const d = await desk.showDocument(id, { verify: p.values['no-verify'] !== true });
    // For a program: the signatures with their verdicts.
    const { signatureDetails, ...rest } = d;
    if (json(p, { ...rest, signatures: signatureDetails })) return 0;
    out(`${d.id}: ${d.title}`);
    out(`  phương thức | method ${d.method}; trạng thái | state ${d.state}; chờ | next ${d.nextRole ?? '-'}; độ khẩn | urgency ${d.urgency}`);
    if (d.number) out(`  số | number ${d.number}, ngày ban hành | issued ${d.issueDate}`);
    for (const s of d.signatureDetails) out(`  [${s.role}] ${s.signer} ${s.signedAt}: ${s.indication ?? '?'}${s.verdict ? ` — ${s.verdict.messages.vi}` : ''}`);
    for (const a of d.attachments) out(`  kèm theo | attachment ${a.name}: ${a.signedSha256 ? `đã ký | signed (${a.indication})` : 'chưa ký | unsigned'}`);
    if (d.comment) out(`  ý kiến | comment: ${d.comment}`);
    return 0;
  });
};

const exportDoc: Command = async (argv) => {
  const p = parseDesk(argv, { output: { type: 'string', short: 'o' } });
  const id = one(p, 'document id');
  const output = resolve(required(p, 'output'));
  return withDesk(p, async (desk) => {
    const r = await desk.exportDocument(id, output);
    if (!json(p, r)) out(`Đã ghi | Written: ${r.output} (SHA-256 ${r.sha256})`);
    return 0;
  });
};

const listDocs: Command = async (argv) => {
  const p = parseDesk(argv, {});
  return withDesk(p, (desk) => {
    const docs = desk.listDocuments();
    if (json(p, { documents: docs })) return 0;
    for (const d of docs) out(`${d.id.padStart(5)}  ${d.state.padEnd(10)} ${String(d.nextRole ?? '-').padEnd(8)} ${d.urgency.padEnd(11)} ${d.number ?? ''}  ${d.title}`);
    return 0;
  });
};

const attach: Command = async (argv) => {
  const p = parseDesk(argv, { name: { type: 'string' } });
  if (p.positionals.length !== 2) throw new KysoError('USAGE', { reason: 'give the document id and the file to attach' });
  return withDesk(p, async (desk) => {
    const a = await desk.attach(p.positionals[0]!, { path: resolve(p.positionals[1]!), name: str(p, 'name') });
    if (!json(p, a)) out(`Đã đính kèm | Attached: ${a.name}${a.converted ? ' (LibreOffice → PDF)' : ''}`);
    return 0;
  });
};

const revise: Command = async (argv) => {
  const p = parseDesk(argv, {});
  if (p.positionals.length !== 2) throw new KysoError('USAGE', { reason: 'give the document id and the new draft PDF' });
  return withDesk(p, async (desk) => {
    const d = await desk.reviseDocument(p.positionals[0]!, { path: resolve(p.positionals[1]!) });
    if (!json(p, { id: d.id, state: d.state, nextRole: d.nextRole })) out(`Đã thay dự thảo văn bản ${d.id} | Replaced the draft of document ${d.id}`);
    return 0;
  });
};

export const DOC_COMMANDS: Record<string, Command> = {
  'doc add': add,
  'doc sign': sign,
  'doc return': ret,
  'doc show': show,
  'doc export': exportDoc,
  'doc list': listDocs,
  'doc attach': attach,
  'doc revise': revise,
};

