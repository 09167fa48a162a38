// Reading edXML packages as real traffic has them: stray bytes before `<?xml`, names with and
// without the edXML prefix (elements are matched by local name), children in any order, `null`
// OrganIds, undeclared prefixes (xlink:), attachments as raw base64 or base64 of a zip (a nested
// edXML inside is read too). What cannot be read is an EDXML_INVALID error naming the element.
import { createHash } from 'node:crypto';
import { DOMParser } from '@xmldom/xmldom';
import { unzipSync } from 'fflate';
import { KysoError } from '../../shared/errors.js';
import {
  isStatusCode,
  type Attachment,
  type Business,
  type BusinessDocType,
  type EdocHeader,
  type Organ,
  type ParsedEnvelope,
  type Priority,
  type TraceHeader,
  type ZipEntry,
} from './edxml-model.js';
import { verifyEnvelopeSignature } from './edxml-sign.js';

const ELEMENT = 1;
const MAX_NESTING = 3;

function invalid(element: string, reason: string): KysoError {
  return new KysoError('EDXML_INVALID', { element, reason });
}

/** The XML text of a package: what comes before `<?xml` (or the first tag) is dropped. */
export function xmlText(bytes: Buffer): string {
  const head = bytes.subarray(0, 4096).toString('latin1');
  let start = head.indexOf('<?xml');
  if (start < 0) start = head.indexOf('<');
  if (start < 0) throw invalid('edXML', 'is not XML (no tag at the start of the file)');
  let body = bytes.subarray(start);
  if (body[0] === 0xef && body[1] === 0xbb && body[2] === 0xbf) body = body.subarray(3);
  return body.toString('utf8');
}

export function parseXml(text: string, what = 'edXML'): Document {
  const problems: string[] = [];
  const parser = new DOMParser({
    locator: {},
    errorHandler: {
      warning: () => undefined,
      error: (m: string) => problems.push(m),
      fatalError: (m: string) => problems.push(m),
    },
  });
  let doc: Document | undefined;
  try {
    doc = parser.parseFromString(text, 'text/xml') as unknown as Document;
  } catch (e) {
    problems.push((e as Error).message);
  }
  if (problems.length || !doc?.documentElement) {
    const first = (problems[0] ?? 'no root element').replace(/\[xmldom \w+\]\s*/, '').split('\n')[0];
    throw invalid(what, `is not well-formed XML (${first})`);
  }
  return doc;
}

export function children(el: Element, name?: string): Element[] {
  const out: Element[] = [];
  for (let n = el.firstChild; n; n = n.nextSibling) {
    if (n.nodeType === ELEMENT && (name === undefined || localName(n as Element) === name)) out.push(n as Element);
  }
  return out;
}

function localName(el: Element): string {
  const n = el.localName ?? el.nodeName;
  const i = n.indexOf(':');
  return i >= 0 ? n.slice(i + 1) : n;
}

export function child(el: Element, name: string): Element | undefined {
  return children(el, name)[0];
}

/** The first descendant with this local name (depth first). */
export function descendant(el: Element, name: string): Element | undefined {
  for (const c of children(el)) {
    if (localName(c) === name) return c;
    const d = descendant(c, name);
    if (d) return d;
  }
  return undefined;
}

function descendants(el: Element, name: string, out: Element[] = []): Element[] {
  for (const c of children(el)) {
    if (localName(c) === name) out.push(c);
    else descendants(c, name, out);
  }
  return out;
}

/** Trimmed text of a child element; `null` for absent, empty or the literal "null". */
export function text(el: Element | undefined, name?: string): string | null {
  const e = el && name ? child(el, name) : el;
  if (!e) return null;
  const t = (e.textContent ?? '').trim();
  return t === '' || t.toLowerCase() === 'null' ? null : t;
}

/** yyyy/MM/dd, yyyy-MM-dd or dd/MM/yyyy (with or without a time) → YYYY-MM-DD; null when absent. */
export function isoDate(value: string | null, element: string): string | null {
  if (value === null) return null;
  let m = /^(\d{4})[/-](\d{1,2})[/-](\d{1,2})/.exec(value);
  if (m) return `${m[1]}-${m[2]!.padStart(2, '0')}-${m[3]!.padStart(2, '0')}`;
  m = /^(\d{1,2})\/(\d{1,2})\/(\d{4})/.exec(value);
  if (m) return `${m[3]}-${m[2]!.padStart(2, '0')}-${m[1]!.padStart(2, '0')}`;
  throw invalid(element, `holds "${value.slice(0, 40)}", not a date`);
}

function organ(el: Element): Organ {
  return {
    organId: text(el, 'OrganId'),
    organName: text(el, 'OrganName'),
    organizationInCharge: text(el, 'OrganizationInCharge'),
    organAdd: text(el, 'OrganAdd'),
    email: text(el, 'Email'),
    telephone: text(el, 'Telephone'),
    fax: text(el, 'Fax'),
    website: text(el, 'Website'),
  };
}

function small<T extends number>(value: string | null, element: string, max: number, dflt: T): T {
  if (value === null) return dflt;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > max) throw invalid(element, `holds "${value.slice(0, 20)}", expected 0 to ${max}`);
  return n as T;
}

function traces(header: Element): TraceHeader[] {
  const list = child(header, 'TraceHeaderList');
  if (!list) return [];
  return children(list, 'TraceHeader').map((t) => ({ organId: text(t, 'OrganId'), timestamp: text(t, 'Timestamp') }));
}

function business(header: Element): Business {
  const list = child(header, 'TraceHeaderList');
  const b = list ? child(list, 'Bussiness') ?? child(list, 'Business') : undefined;
  if (!b) return { businessDocType: 0, reason: null, documentId: null, paper: false, replacements: [] };
  const replacements = children(child(b, 'ReplacementInfoList') ?? b, 'ReplacementInfo').map((r) => ({
    documentId: text(r, 'DocumentId') ?? '',
    organIds: children(child(r, 'OrganIdList') ?? r, 'OrganId')
      .map((o) => text(o))
      .filter((x): x is string => x !== null),
  }));
  return {
    businessDocType: small<BusinessDocType>(text(b, 'BussinessDocType') ?? text(b, 'BusinessDocType'), 'Bussiness/BussinessDocType', 3, 0),
    reason: text(b, 'BussinessDocReason') ?? text(b, 'BusinessDocReason'),
    documentId: text(b, 'DocumentId'),
    paper: text(b, 'Paper') === '1',
    replacements,
  };
}

function edocHeader(mh: Element): EdocHeader {
  const from = child(mh, 'From');
  if (!from) throw invalid('MessageHeader/From', 'is missing');
  const code = child(mh, 'Code');
  const prom = child(mh, 'PromulgationInfo');
  const type = child(mh, 'DocumentType');
  const signer = child(mh, 'SignerInfo');
  const other = child(mh, 'OtherInfo');
  return {
    from: organ(from),
    to: children(mh, 'To').map(organ),
    documentId: text(mh, 'DocumentId'),
    code: { number: text(code, 'CodeNumber'), notation: text(code, 'CodeNotation') },
    promulgation: { place: text(prom, 'Place'), date: isoDate(text(prom, 'PromulgationDate'), 'PromulgationInfo/PromulgationDate') },
    documentType: { type: text(type, 'Type'), typeName: text(type, 'TypeName') },
    subject: text(mh, 'Subject'),
    content: text(mh, 'Content'),
    signer: { competence: text(signer, 'Competence'), position: text(signer, 'Position'), fullName: text(signer, 'FullName') },
    dueDate: isoDate(text(mh, 'DueDate'), 'MessageHeader/DueDate'),
    priority: small<Priority>(text(other, 'Priority'), 'OtherInfo/Priority', 3, 0),
    steeringType: text(mh, 'SteeringType'),
    toPlaces: children(child(mh, 'ToPlaces') ?? from, 'Place')
      .map((p) => text(p))
      .filter((x): x is string => x !== null),
  };
}

function isZip(b: Buffer): boolean {
  return b.length >= 4 && b[0] === 0x50 && b[1] === 0x4b && b[2] === 0x03 && b[3] === 0x04;
}

function looksLikeEdxml(b: Buffer): boolean {
  const head = b.subarray(0, 2048).toString('utf8');
  return head.includes('edXML') && head.includes('<');
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

function attachment(a: Element, depth: number): Attachment {
  const cid = text(a, 'ContentId');
  const name = text(a, 'AttachmentName') ?? text(a, 'Description') ?? cid ?? 'attachment';
  const label = `Attachment ${cid ?? name}`;
  const enc = child(a, 'ContentTransferEncoded') ?? child(a, 'Content');
  const raw = (enc ? enc.textContent : children(a).length === 0 ? a.textContent : null) ?? '';
  const b64 = raw.replace(/\s+/g, '');
  if (!b64) throw invalid(`${label}/ContentTransferEncoded`, 'is missing or empty');
  if (b64.length % 4 === 1 || !BASE64.test(b64)) throw invalid(`${label}/ContentTransferEncoded`, 'is not base64');
  const data = Buffer.from(b64, 'base64');
  const out: Attachment = { contentId: cid, name, contentType: text(a, 'ContentType') ?? 'application/octet-stream', description: text(a, 'Description'), data };
  if (isZip(data)) {
    let files: Record<string, Uint8Array>;
    try {
      files = unzipSync(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    } catch (e) {
      throw invalid(label, `is a zip that cannot be read (${(e as Error).message})`);
    }
    out.entries = Object.entries(files)
      .filter(([n]) => !n.endsWith('/'))
      .map(([n, d]): ZipEntry => ({ name: n, data: Buffer.from(d.buffer, d.byteOffset, d.byteLength) }));
    const nested = out.entries.filter((e) => looksLikeEdxml(e.data));
    if (nested.length && depth < MAX_NESTING) out.nested = nested.map((e) => parseEdxmlAt(e.data, depth + 1));
  } else if (looksLikeEdxml(data) && depth < MAX_NESTING) {
    out.nested = [parseEdxmlAt(data, depth + 1)];
  }
  return out;
}

function parseEdxmlAt(bytes: Buffer, depth: number): ParsedEnvelope {
  const xml = xmlText(bytes);
  const doc = parseXml(xml);
  const root = doc.documentElement as Element;
  const envelope = localName(root) === 'edXMLEnvelope' ? root : descendant(root, 'edXMLEnvelope');
  if (!envelope) throw invalid('edXMLEnvelope', 'is missing');
  const header = child(envelope, 'edXMLHeader');
  if (!header) throw invalid('edXMLEnvelope/edXMLHeader', 'is missing');
  const mh = child(header, 'MessageHeader');
  if (!mh) throw invalid('edXMLHeader/MessageHeader', 'is missing');
  const attachments = descendants(root, 'Attachment')
    .filter((a) => child(a, 'ContentTransferEncoded') || child(a, 'ContentId') || child(a, 'AttachmentName'))
    .map((a) => attachment(a, depth));
  const signature = verifyEnvelopeSignature(xml, doc, header);
  const statusText = text(mh, 'StatusCode');
  if (statusText !== null) {
    const code = statusText.padStart(2, '0');
    if (!isStatusCode(code)) throw invalid('MessageHeader/StatusCode', `holds "${statusText.slice(0, 10)}", not a QCVN 102 status code`);
    const from = child(mh, 'From');
    if (!from) throw invalid('MessageHeader/From', 'is missing');
    const rf = child(mh, 'ResponseFor');
    if (!rf) throw invalid('MessageHeader/ResponseFor', 'is missing');
    const staff = child(mh, 'StaffInfo');
    return {
      kind: 'status',
      header: {
        from: organ(from),
        responseFor: {
          organId: text(rf, 'OrganId'),
          code: text(rf, 'Code'),
          documentId: text(rf, 'DocumentId'),
          promulgationDate: isoDate(text(rf, 'PromulgationDate'), 'ResponseFor/PromulgationDate'),
        },
        statusCode: code,
        description: text(mh, 'Description'),
        timestamp: text(mh, 'Timestamp'),
        staff: staff ? { department: text(staff, 'Department'), staff: text(staff, 'Staff') } : null,
      },
      traces: traces(header),
      attachments,
      signature,
    };
  }
  return { kind: 'edoc', header: edocHeader(mh), business: business(header), traces: traces(header), attachments, signature };
}

/** Parses one .edxml file's bytes. Throws EDXML_INVALID naming the element that cannot be read. */
export function parseEdxml(bytes: Buffer): ParsedEnvelope {
  try {
    return parseEdxmlAt(bytes, 0);
  } catch (e) {
    if (e instanceof KysoError) throw e;
    throw invalid('edXML', `cannot be read (${(e as Error).message})`);
  }
}

export function sha256(b: Buffer): string {
  return createHash('sha256').update(b).digest('hex');
}
