// Writing edXML packages (QCVN 102:2016) with a DOM, never by gluing strings: an electronic
// document (new, recall, update, replace) with its files base64 in AttachmentEncoded, or a
// status message answering one. Layout as the official SDK's samples: root edXML holding
// edXMLEnvelope (header, body with the manifest of cid: references) and AttachmentEncoded.
import { DOMImplementation, XMLSerializer } from '@xmldom/xmldom';
import { EDXML_NS, type Business, type Organ, type Priority, type ResponseFor, type StatusCode } from './edxml-model.js';

const P = 'edXML:';

export interface OutgoingFile {
  name: string;
  contentType: string;
  description?: string;
  data: Buffer;
}

export interface EdocInput {
  from: Organ;
  to: Organ[];
  documentId: string;
  code: { number: string; notation: string };
  promulgation: { place?: string; date: string };
  documentType?: { type: string; typeName: string };
  subject: string;
  content?: string;
  signer?: { competence?: string; position?: string; fullName?: string };
  priority: Priority;
  business: Business;
  traces: Array<{ organId: string; timestamp: string }>;
  files: OutgoingFile[];
}

export interface StatusInput {
  from: Organ;
  responseFor: ResponseFor;
  statusCode: StatusCode;
  description: string;
  timestamp: string;
  staff?: { department?: string; staff?: string };
}

type Build = (parent: Element, name: string, value?: string | null) => Element;

function builder(doc: Document): Build {
  return (parent, name, value) => {
    const el = doc.createElementNS(EDXML_NS, P + name);
    if (value !== undefined) el.appendChild(doc.createTextNode(value ?? 'null'));
    parent.appendChild(el);
    return el;
  };
}

function newDocument(): { doc: Document; envelope: Element; header: Element; el: Build } {
  const doc = new DOMImplementation().createDocument(EDXML_NS, P + 'edXML', null) as unknown as Document;
  const el = builder(doc);
  const root = doc.documentElement as Element;
  const envelope = el(root, 'edXMLEnvelope');
  const header = el(envelope, 'edXMLHeader');
  return { doc, envelope, header, el };
}

function organ(el: Build, parent: Element, name: string, o: Organ): void {
  const e = el(parent, name);
  el(e, 'OrganId', o.organId);
  el(e, 'OrganizationInCharge', o.organizationInCharge ?? o.organName);
  el(e, 'OrganName', o.organName);
  for (const [k, v] of [
    ['OrganAdd', o.organAdd],
    ['Email', o.email],
    ['Telephone', o.telephone],
    ['Fax', o.fax],
    ['Website', o.website],
  ] as const)
    if (v) el(e, k, v);
}

const slash = (iso: string): string => iso.replaceAll('-', '/');

function serialize(doc: Document): string {
  return '<?xml version="1.0" encoding="UTF-8"?>\n' + new XMLSerializer().serializeToString(doc as unknown as Node);
}

export function buildEdoc(i: EdocInput): string {
  const { doc, envelope, header, el } = newDocument();
  const mh = el(header, 'MessageHeader');
  organ(el, mh, 'From', i.from);
  for (const t of i.to) organ(el, mh, 'To', t);
  el(mh, 'DocumentId', i.documentId);
  const code = el(mh, 'Code');
  el(code, 'CodeNumber', i.code.number);
  el(code, 'CodeNotation', i.code.notation);
  const prom = el(mh, 'PromulgationInfo');
  el(prom, 'Place', i.promulgation.place ?? '');
  el(prom, 'PromulgationDate', slash(i.promulgation.date));
  const type = el(mh, 'DocumentType');
  el(type, 'Type', i.documentType?.type ?? '1');
  el(type, 'TypeName', i.documentType?.typeName ?? '');
  el(mh, 'Subject', i.subject);
  el(mh, 'Content', i.content ?? i.subject);
  const signer = el(mh, 'SignerInfo');
  el(signer, 'Competence', i.signer?.competence ?? '');
  el(signer, 'Position', i.signer?.position ?? '');
  el(signer, 'FullName', i.signer?.fullName ?? '');
  const other = el(mh, 'OtherInfo');
  el(other, 'Priority', String(i.priority));
  el(other, 'PageAmount', '0');
  const traces = el(header, 'TraceHeaderList');
  for (const t of i.traces) {
    const th = el(traces, 'TraceHeader');
    el(th, 'OrganId', t.organId);
    el(th, 'Timestamp', t.timestamp);
  }
  const b = el(traces, 'Bussiness');
  el(b, 'BussinessDocType', String(i.business.businessDocType));
  el(b, 'BussinessDocReason', i.business.reason ?? '');
  if (i.business.documentId) el(b, 'DocumentId', i.business.documentId);
  el(b, 'Paper', i.business.paper ? '1' : '0');
  if (i.business.replacements.length) {
    const list = el(b, 'ReplacementInfoList');
    for (const r of i.business.replacements) {
      const ri = el(list, 'ReplacementInfo');
      el(ri, 'DocumentId', r.documentId);
      const ids = el(ri, 'OrganIdList');
      for (const o of r.organIds) el(ids, 'OrganId', o);
    }
  }
  const body = el(envelope, 'edXMLBody');
  const manifest = el(body, 'edXMLManifest');
  manifest.setAttribute('version', '1.0');
  const encoded = el(doc.documentElement as Element, 'AttachmentEncoded');
  i.files.forEach((f, n) => {
    const cid = `cid:${n + 1}`;
    const ref = el(manifest, 'Reference');
    el(ref, 'ContentId', cid);
    el(ref, 'ContentType', f.contentType);
    el(ref, 'Description', f.description ?? f.name);
    el(ref, 'AttachmentName', f.name);
    const a = el(encoded, 'Attachment');
    el(a, 'ContentId', cid);
    el(a, 'AttachmentName', f.name);
    el(a, 'Description', f.description ?? f.name);
    el(a, 'ContentType', f.contentType);
    el(a, 'ContentTransferEncoded', f.data.toString('base64'));
  });
  return serialize(doc);
}

export function buildStatus(i: StatusInput): string {
  const { doc, header, el } = newDocument();
  const mh = el(header, 'MessageHeader');
  organ(el, mh, 'From', i.from);
  const rf = el(mh, 'ResponseFor');
  el(rf, 'OrganId', i.responseFor.organId);
  el(rf, 'Code', i.responseFor.code);
  el(rf, 'DocumentId', i.responseFor.documentId);
  if (i.responseFor.promulgationDate) el(rf, 'PromulgationDate', slash(i.responseFor.promulgationDate));
  if (i.staff) {
    const s = el(mh, 'StaffInfo');
    el(s, 'Department', i.staff.department ?? '');
    el(s, 'Staff', i.staff.staff ?? '');
  }
  el(mh, 'StatusCode', i.statusCode);
  el(mh, 'Description', i.description);
  el(mh, 'Timestamp', i.timestamp);
  return serialize(doc);
}

/** "2026/12/03 15:04:05" in Vietnam time, as the samples write Timestamp. */
export function edxmlTimestamp(at: Date): string {
  const v = new Date(at.getTime() + 7 * 3600_000).toISOString();
  return `${v.slice(0, 10).replaceAll('-', '/')} ${v.slice(11, 19)}`;
}
