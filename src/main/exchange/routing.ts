// Internal routing (doc forward): a draft travels between desks of one agency — the drafter's,
// the leader's, the clerk's — with its workflow state: the method, the signatures so far, the
// round and the leader's comment. It goes as an edXML package like any other (queue, folder,
// idempotent receipt) carrying the current file, the round's unsigned draft and a small JSON
// of the state (kyso-route.json). The same draft keeps one route id on every desk, so a return
// or a later step updates the desk's own copy instead of making a new one.
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { KysoError } from '../../shared/errors.js';
import { appendAudit } from '../store/audit.js';
import { activeSignatures, getDocument, getRevision, insertDocument, insertRevision, insertSignature, listRevisions, roundBase, updateDocument, type DocumentRow } from '../store/documents.js';
import * as X from '../store/exchange.js';
import { docSubject, type DeskContext } from '../workflow/context.js';
import type { Attachment, ParsedEnvelope } from './edxml-model.js';
import { buildEdoc, edxmlTimestamp } from './edxml-write.js';

export const ROUTE_FILE = 'kyso-route.json';
const ROUTE_TYPE = 'application/vnd.kyso.route+json';

interface RouteState {
  version: 1;
  routeId: string;
  title: string;
  method: 1 | 2 | 3;
  urgency: DocumentRow['urgency'];
  state: DocumentRow['state'];
  round: number;
  comment: string | null;
  fileName: string;
  signatures: Array<{ role: 'drafter' | 'leader' | 'org'; field: string; idx: number; signerCn: string; signerOrg: string | null; signerSerial: string; signedAt: string }>;
}

function isRouteState(v: unknown): v is RouteState {
  const o = v as Partial<RouteState> | null;
  return (
    typeof o === 'object' && o !== null && o.version === 1 && typeof o.routeId === 'string' && typeof o.title === 'string' && (o.method === 1 || o.method === 2 || o.method === 3) &&
    typeof o.round === 'number' && Array.isArray(o.signatures) && typeof o.state === 'string' && typeof o.fileName === 'string'
  );
}

/** Queues the draft, with its state, to another desk of the agency. */
export function forwardDocument(ctx: DeskContext, documentId: number, organId: string, storeBytes: (b: Buffer) => string): void {
  const db = ctx.store.db;
  const self = X.requireSelf(db);
  const peer = X.getPeer(db, organId);
  const doc = getDocument(db, documentId);
  if (doc.state === 'issued') throw new KysoError('DOCUMENT_ISSUED', { id: String(documentId) });
  const routeId = X.routeIdOf(db, documentId) ?? randomUUID();
  const current = getRevision(db, doc.current_revision_id!);
  const base = roundBase(db, doc);
  const state: RouteState = {
    version: 1,
    routeId,
    title: doc.title,
    method: doc.method,
    urgency: doc.urgency,
    state: doc.state,
    round: doc.round,
    comment: doc.comment,
    fileName: doc.file_name,
    signatures: activeSignatures(db, doc).map((s) => ({ role: s.role, field: s.field, idx: s.idx, signerCn: s.signer_cn, signerOrg: s.signer_org, signerSerial: s.signer_serial, signedAt: s.signed_at })),
  };
  const at = ctx.now();
  const files = [
    { name: 'current.pdf', contentType: 'application/pdf', data: readFileSync(ctx.store.files.require(current.sha256)) },
    { name: 'draft.pdf', contentType: 'application/pdf', description: 'the round\'s unsigned draft', data: readFileSync(ctx.store.files.require(base.sha256)) },
    { name: ROUTE_FILE, contentType: ROUTE_TYPE, data: Buffer.from(JSON.stringify(state)) },
  ];
  const edxmlId = `route:${routeId}`;
  const xml = buildEdoc({
    from: { organId: self.organ_id, organName: self.name },
    to: [{ organId: peer.organ_id, organName: peer.name }],
    documentId: edxmlId,
    code: { number: '', notation: '' },
    promulgation: { date: at.toISOString().slice(0, 10) },
    subject: doc.title,
    priority: 0,
    business: { businessDocType: 0, reason: 'Chuyển dự thảo trong cơ quan | Draft routed inside the agency', documentId: null, paper: false, replacements: [] },
    traces: [{ organId: self.organ_id, timestamp: edxmlTimestamp(at) }],
    files,
  });
  const sha = storeBytes(Buffer.from(xml, 'utf8'));
  ctx.store.tx(() => {
    X.setRoute(db, documentId, routeId, self.organ_id, at.toISOString());
    X.enqueue(
      db,
      { organ_id: peer.organ_id, kind: 'forward', document_id: documentId, inbox_id: null, edxml_document_id: edxmlId, business_type: 0, status_code: null, sha256: sha, file_name: `${self.organ_id.replace(/[^A-Za-z0-9.-]+/g, '-')}_{id}_forward_${sha.slice(0, 16)}.edxml`, subject: doc.title },
      at.toISOString(),
    );
    appendAudit(db, { at: at.toISOString(), actor: ctx.actor, action: 'document.forwarded', subject: docSubject(documentId), details: { to: organId, routeId, state: doc.state, signatures: state.signatures.length } });
  });
}

export function routeAttachment(p: ParsedEnvelope): Attachment | undefined {
  return p.attachments.find((a) => a.name === ROUTE_FILE);
}

/** Takes in a routed draft: a new document on this desk, or this desk's copy moved on. Call inside a transaction; files already stored. */
export function applyRoute(ctx: DeskContext, p: ParsedEnvelope, stored: (a: Attachment) => { sha256: string; size: number }, at: string): number {
  const db = ctx.store.db;
  const raw = routeAttachment(p)!;
  let state: unknown;
  try {
    state = JSON.parse(raw.data.toString('utf8'));
  } catch {
    throw new KysoError('EDXML_INVALID', { element: `Attachment ${ROUTE_FILE}`, reason: 'is not JSON' });
  }
  if (!isRouteState(state)) throw new KysoError('EDXML_INVALID', { element: `Attachment ${ROUTE_FILE}`, reason: 'does not describe a draft' });
  const current = p.attachments.find((a) => a.name === 'current.pdf');
  const draft = p.attachments.find((a) => a.name === 'draft.pdf');
  if (!current || !draft) throw new KysoError('EDXML_INVALID', { element: 'AttachmentEncoded', reason: 'lacks current.pdf or draft.pdf' });
  const cur = stored(current);
  const base = stored(draft);
  let id = X.routeOf(db, state.routeId)?.document_id;
  if (id === undefined) {
    id = insertDocument(db, { title: state.title, docType: null, fileName: state.fileName, method: state.method, urgency: state.urgency, secrecy: 'none', paperCopy: false, at });
  }
  const revisions = listRevisions(db, id);
  const baseRev =
    revisions.find((r) => r.sha256 === base.sha256 && r.step === 'import' && r.round === state.round) ??
    insertRevision(db, { documentId: id, round: state.round, step: 'import', sha256: base.sha256, size: base.size, fileName: state.fileName, at });
  let currentRev = baseRev;
  if (cur.sha256 !== base.sha256) {
    const last = state.signatures[state.signatures.length - 1];
    currentRev =
      listRevisions(db, id).find((r) => r.sha256 === cur.sha256 && r.round === state.round) ??
      insertRevision(db, { documentId: id, round: state.round, step: last?.role ?? 'import', sha256: cur.sha256, size: cur.size, fileName: state.fileName, at });
  }
  updateDocument(db, id, { state: state.state, round: state.round, current_revision_id: currentRev.id, comment: state.comment, updated_at: at });
  const doc = getDocument(db, id);
  const known = new Set(activeSignatures(db, doc).map((s) => s.field));
  for (const s of state.signatures) {
    if (known.has(s.field)) continue;
    insertSignature(db, {
      revision_id: currentRev.id,
      document_id: id,
      idx: s.idx,
      role: s.role,
      field: s.field,
      certificate_id: null,
      signer_cn: s.signerCn,
      signer_org: s.signerOrg,
      signer_serial: s.signerSerial,
      signed_at: s.signedAt,
      indication: null,
      report_json: null,
      verified_at: null,
    });
  }
  X.setRoute(db, id, state.routeId, p.kind === 'edoc' ? p.header.from.organId : null, at);
  appendAudit(db, { at, actor: ctx.actor, action: 'document.routed-in', subject: docSubject(id), details: { routeId: state.routeId, from: p.kind === 'edoc' ? p.header.from.organId : null, state: state.state, signatures: state.signatures.length } });
  return id;
}
