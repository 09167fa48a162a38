// What an edXML package (QCVN 102:2016) says, as plain typed values: an electronic document
// (edoc: new, recall, update, replace) or a status message about one. The reader and the writer
// translate between these values and the XML; nothing here knows about XML.

export const EDXML_NS = 'http://www.mic.gov.vn/TBT/QCVN_102_2016';

/** An agency as the header names it (From, To). OrganId is its code, e.g. "000.00.00.G22". */
export interface Organ {
  organId: string | null;
  organName: string | null;
  organizationInCharge?: string | null;
  organAdd?: string | null;
  email?: string | null;
  telephone?: string | null;
  fax?: string | null;
  website?: string | null;
}

/** BussinessDocType: 0 new, 1 recall (thu hồi), 2 update (cập nhật), 3 replace (thay thế). */
export type BusinessDocType = 0 | 1 | 2 | 3;

/** OtherInfo/Priority: 0 thường, 1 khẩn, 2 thượng khẩn, 3 hỏa tốc. */
export type Priority = 0 | 1 | 2 | 3;

/** The status codes of QCVN 102 status messages. */
export const STATUS_CODES = {
  '01': 'Đã đến | Arrived',
  '02': 'Từ chối tiếp nhận | Refused',
  '03': 'Tiếp nhận (vào sổ) | Accepted and registered',
  '04': 'Phân công | Assigned',
  '05': 'Đang xử lý | In process',
  '06': 'Hoàn thành | Done',
  '13': 'Văn thư yêu cầu lấy lại | Taken back by the sender',
  '15': 'Đồng ý cập nhật/lấy lại | Change or recall agreed',
  '16': 'Từ chối cập nhật/lấy lại | Change or recall refused',
} as const;
export type StatusCode = keyof typeof STATUS_CODES;
export const isStatusCode = (s: string): s is StatusCode => Object.hasOwn(STATUS_CODES, s);

export interface ReplacementInfo {
  documentId: string;
  organIds: string[];
}

export interface Business {
  businessDocType: BusinessDocType;
  reason: string | null;
  /** The DocumentId the business act is about (the recalled / updated document). */
  documentId: string | null;
  paper: boolean;
  replacements: ReplacementInfo[];
}

export interface TraceHeader {
  organId: string | null;
  timestamp: string | null;
}

/** A file carried in AttachmentEncoded, decoded. */
export interface Attachment {
  contentId: string | null;
  name: string;
  contentType: string;
  description: string | null;
  data: Buffer;
  /** When the attachment is a zip: its entries (a nested edXML is parsed too). */
  entries?: ZipEntry[];
  /** When the attachment is (or its zip holds) an edXML package. */
  nested?: ParsedEnvelope[];
}

export interface ZipEntry {
  name: string;
  data: Buffer;
}

/** What the envelope signature check found; the PDF's own signatures decide acceptance. */
export interface EnvelopeSignature {
  status: 'valid' | 'missing' | 'broken';
  reason?: string;
  /** The signing certificate's subject common name, when it could be read. */
  signer?: string;
  /** SHA-256 of the signing certificate (DER), hex. */
  certificateSha256?: string;
  /** The certificates of KeyInfo (DER), the signer's first; not printed (see edxml-summary). */
  certificates?: Buffer[];
}

export interface EdocHeader {
  from: Organ;
  to: Organ[];
  documentId: string | null;
  code: { number: string | null; notation: string | null };
  promulgation: { place: string | null; date: string | null };
  documentType: { type: string | null; typeName: string | null };
  subject: string | null;
  content: string | null;
  signer: { competence: string | null; position: string | null; fullName: string | null };
  dueDate: string | null;
  priority: Priority;
  steeringType: string | null;
  toPlaces: string[];
}

export interface ResponseFor {
  organId: string | null;
  code: string | null;
  documentId: string | null;
  promulgationDate: string | null;
}

export interface StatusHeader {
  from: Organ;
  responseFor: ResponseFor;
  statusCode: StatusCode;
  description: string | null;
  timestamp: string | null;
  staff: { department: string | null; staff: string | null } | null;
}

export type ParsedEnvelope =
  | { kind: 'edoc'; header: EdocHeader; business: Business; traces: TraceHeader[]; attachments: Attachment[]; signature: EnvelopeSignature }
  | { kind: 'status'; header: StatusHeader; traces: TraceHeader[]; attachments: Attachment[]; signature: EnvelopeSignature };

/** `{OrganId},{yyyy/MM/dd},{number}/{notation}`. */
export function makeDocumentId(organId: string, isoDate: string, number: string, notation: string): string {
  return `${organId},${isoDate.replaceAll('-', '/')},${number}/${notation}`;
}

/** "15/QĐ-UBND" → { number: "15", notation: "QĐ-UBND" }. */
export function splitNumberSymbol(s: string): { number: string; notation: string } {
  const i = s.indexOf('/');
  return i < 0 ? { number: s, notation: '' } : { number: s.slice(0, i), notation: s.slice(i + 1) };
}
