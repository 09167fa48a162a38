// The short, stable JSON of a parsed package that `kyso edxml parse --json` prints and the inbox
// keeps: who, to whom, which document, what business act or status, and the files' digests.
import { createHash } from 'node:crypto';
import type { EnvelopeSignature, ParsedEnvelope } from './edxml-model.js';

export interface AttachmentSummary {
  name: string;
  contentType: string;
  size: number;
  sha256: string;
  entries?: Array<{ name: string; size: number; sha256: string }>;
  nested?: EdxmlSummary[];
}

export interface EdxmlSummary {
  kind: 'edoc' | 'status';
  from: { organId: string | null; organName: string | null };
  to: Array<{ organId: string | null; organName: string | null }>;
  code: { number: string | null; notation: string | null };
  subject: string | null;
  promulgationDate: string | null;
  businessDocType: number | null;
  businessReason: string | null;
  statusCode: string | null;
  description: string | null;
  documentId: string | null;
  priority: number | null;
  replaces: string[];
  attachments: AttachmentSummary[];
  signature: EnvelopeSignature;
}

/** The signature facts without the certificates' bytes (the verdict speaks of them). */
function printable(sig: EnvelopeSignature): EnvelopeSignature {
  const { certificates: _certificates, ...rest } = sig;
  return rest;
}

const hex = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

export function summarize(p: ParsedEnvelope): EdxmlSummary {
  const attachments = p.attachments.map(
    (a): AttachmentSummary => ({
      name: a.name,
      contentType: a.contentType,
      size: a.data.length,
      sha256: hex(a.data),
      ...(a.entries ? { entries: a.entries.map((e) => ({ name: e.name, size: e.data.length, sha256: hex(e.data) })) } : {}),
      ...(a.nested ? { nested: a.nested.map(summarize) } : {}),
    }),
  );
  if (p.kind === 'status') {
    const h = p.header;
    const [number, ...rest] = (h.responseFor.code ?? '').split('/');
    return {
      kind: 'status',
      from: { organId: h.from.organId, organName: h.from.organName },
      to: h.responseFor.organId ? [{ organId: h.responseFor.organId, organName: null }] : [],
      code: { number: number || null, notation: rest.join('/') || null },
      subject: null,
      promulgationDate: h.responseFor.promulgationDate,
      businessDocType: null,
      businessReason: null,
      statusCode: h.statusCode,
      description: h.description,
      documentId: h.responseFor.documentId,
      priority: null,
      replaces: [],
      attachments,
      signature: printable(p.signature),
    };
  }
  const h = p.header;
  return {
    kind: 'edoc',
    from: { organId: h.from.organId, organName: h.from.organName },
    to: h.to.map((t) => ({ organId: t.organId, organName: t.organName })),
    code: h.code,
    subject: h.subject,
    promulgationDate: h.promulgation.date,
    businessDocType: p.business.businessDocType,
    businessReason: p.business.reason,
    statusCode: null,
    description: null,
    documentId: h.documentId,
    priority: h.priority,
    replaces: p.business.replacements.map((r) => r.documentId),
    attachments,
    signature: printable(p.signature),
  };
}
