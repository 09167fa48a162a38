// The XML of a submission package (TT 05/2025/TT-BNV, E-ARK CSIP layout), built with xmlbuilder2
// (never by joining strings): METS.xml at the root, the descriptive metadata of the record (18
// fields) and of each document (21 fields), and PREMIS 3 preservation metadata (objects with
// their SHA-256, events, agents). The field names are the circular's; their values are text.
// The same lists serve the package check (package-check.ts), so writer and reader agree.
import { create } from 'xmlbuilder2';
import type { XMLBuilder } from 'xmlbuilder2/lib/interfaces.js';

export const NS = {
  mets: 'http://www.loc.gov/METS/',
  xlink: 'http://www.w3.org/1999/xlink',
  xsi: 'http://www.w3.org/2001/XMLSchema-instance',
  csip: 'https://DILCIS.eu/XML/METS/CSIPExtensionMETS',
  premis: 'http://www.loc.gov/premis/v3',
  /** Our rendering of the circular's metadata (it publishes no schema of its own). */
  tt05: 'urn:kyso:tt05-2025:metadata',
} as const;

export const CSIP_PROFILE = 'https://earkcsip.dilcis.eu/profile/E-ARK-CSIP.xml';
export const DESCRIPTIVE_PATH = 'metadata/descriptive/tt05.xml';
export const PREMIS_PATH = 'metadata/preservation/premis.xml';
export const DATA_DIR = 'representations/rep1/data/';

/** The record's (hồ sơ) 18 fields. */
export const RECORD_FIELDS = [
  'fileCode', // mã hồ sơ
  'identifier', // mã cơ quan lưu trữ
  'organId', // mã phông
  'fileCatalog', // mục lục số
  'fileNotation', // số và ký hiệu hồ sơ
  'title', // tiêu đề
  'maintenance', // thời hạn bảo quản
  'mode', // chế độ sử dụng
  'language', // ngôn ngữ
  'startDate', // thời gian bắt đầu
  'endDate', // thời gian kết thúc
  'totalDoc', // tổng số văn bản
  'description', // chú giải
  'inforSign', // ký hiệu thông tin
  'keyword', // từ khóa
  'numberOfSheet', // số lượng tờ
  'numberOfPage', // số lượng trang
  'format', // tình trạng vật lý / định dạng
] as const;

/** Each document's (văn bản) 21 fields. */
export const DOCUMENT_FIELDS = [
  'docCode', // mã định danh văn bản
  'fileCode', // mã hồ sơ
  'docOrdinal', // số thứ tự văn bản trong hồ sơ
  'identifier', // mã cơ quan lưu trữ
  'organId', // mã phông
  'maintenance', // thời hạn bảo quản
  'typeName', // tên loại văn bản
  'codeNumber', // số của văn bản
  'codeNotation', // ký hiệu của văn bản
  'issuedDate', // ngày, tháng, năm văn bản
  'organName', // tên cơ quan, tổ chức ban hành
  'subject', // trích yếu nội dung
  'language', // ngôn ngữ
  'numberOfPage', // số trang
  'inforSign', // ký hiệu thông tin
  'keyword', // từ khóa
  'mode', // chế độ sử dụng
  'confidenceLevel', // mức độ tin cậy
  'format', // định dạng
  'process', // quá trình xử lý
  'description', // ghi chú
] as const;

export type RecordField = (typeof RECORD_FIELDS)[number];
export type DocumentField = (typeof DOCUMENT_FIELDS)[number];

/** Fields that may be empty (nothing in the record says them); every other one must have a value. */
export const OPTIONAL_FIELDS: ReadonlySet<string> = new Set(['identifier', 'organId', 'fileCatalog', 'fileNotation', 'description', 'inforSign', 'keyword', 'numberOfSheet', 'codeNumber', 'codeNotation', 'typeName', 'organName']);

export interface ProcessStep {
  at: string;
  actor: string;
  action: string;
}

export interface PackageDocument {
  /** METS ids. */
  fileId: string;
  dmdId: string;
  fields: Record<Exclude<DocumentField, 'process'>, string>;
  process: ProcessStep[];
  file: { path: string; sha256: string; size: number; created: string; mime: string; originalName: string };
}

export interface PremisEvent {
  id: string;
  type: string;
  at: string;
  detail: string;
  outcome: string;
  agents: string[];
  objects: string[];
}

export interface PremisAgent {
  id: string;
  name: string;
  type: 'person' | 'organization' | 'software';
  note?: string;
}

export interface PackageModel {
  objId: string;
  label: string;
  created: string;
  software: { name: string; version: string };
  record: Record<RecordField, string>;
  documents: PackageDocument[];
  events: PremisEvent[];
  agents: PremisAgent[];
}

const HEADER = { version: '1.0', encoding: 'UTF-8' } as const;
/** Namespaces are declared once on the root: xmlbuilder2 would otherwise declare them again on each attribute. */
const XMLNS = 'http://www.w3.org/2000/xmlns/';

/** The descriptive metadata: the record and its documents, one element per field. */
export function descriptiveXml(m: PackageModel): string {
  const root = create(HEADER).ele(NS.tt05, 'HoSo');
  for (const f of RECORD_FIELDS) root.ele(NS.tt05, f).txt(m.record[f]);
  const docs = root.ele(NS.tt05, 'VanBanList');
  for (const d of m.documents) {
    const v = docs.ele(NS.tt05, 'VanBan', { ID: d.dmdId, FILEID: d.fileId });
    for (const f of DOCUMENT_FIELDS) {
      const e = v.ele(NS.tt05, f);
      if (f === 'process') for (const s of d.process) e.ele(NS.tt05, 'step', { at: s.at, actor: s.actor }).txt(s.action);
      else e.txt(d.fields[f]);
    }
  }
  return root.end({ prettyPrint: true });
}

/** PREMIS 3: the files as objects (fixity, size, format), the events, the agents. */
export function premisXml(m: PackageModel): string {
  const root = create(HEADER).ele(NS.premis, 'premis:premis', { version: '3.0' }).att(XMLNS, 'xmlns:xsi', NS.xsi);
  const id = (parent: XMLBuilder, kind: 'object' | 'event' | 'agent', value: string): void => {
    const e = parent.ele(NS.premis, `premis:${kind}Identifier`);
    e.ele(NS.premis, `premis:${kind}IdentifierType`).txt('local');
    e.ele(NS.premis, `premis:${kind}IdentifierValue`).txt(value);
  };
  for (const d of m.documents) {
    const o = root.ele(NS.premis, 'premis:object').att(NS.xsi, 'xsi:type', 'premis:file');
    id(o, 'object', d.fileId);
    const c = o.ele(NS.premis, 'premis:objectCharacteristics');
    c.ele(NS.premis, 'premis:compositionLevel').txt('0');
    const fx = c.ele(NS.premis, 'premis:fixity');
    fx.ele(NS.premis, 'premis:messageDigestAlgorithm').txt('SHA-256');
    fx.ele(NS.premis, 'premis:messageDigest').txt(d.file.sha256);
    c.ele(NS.premis, 'premis:size').txt(String(d.file.size));
    c.ele(NS.premis, 'premis:format').ele(NS.premis, 'premis:formatDesignation').ele(NS.premis, 'premis:formatName').txt(d.fields.format);
    o.ele(NS.premis, 'premis:originalName').txt(d.file.originalName);
  }
  for (const ev of m.events) {
    const e = root.ele(NS.premis, 'premis:event');
    id(e, 'event', ev.id);
    e.ele(NS.premis, 'premis:eventType').txt(ev.type);
    e.ele(NS.premis, 'premis:eventDateTime').txt(ev.at);
    e.ele(NS.premis, 'premis:eventDetailInformation').ele(NS.premis, 'premis:eventDetail').txt(ev.detail);
    e.ele(NS.premis, 'premis:eventOutcomeInformation').ele(NS.premis, 'premis:eventOutcome').txt(ev.outcome);
    for (const a of ev.agents) {
      const l = e.ele(NS.premis, 'premis:linkingAgentIdentifier');
      l.ele(NS.premis, 'premis:linkingAgentIdentifierType').txt('local');
      l.ele(NS.premis, 'premis:linkingAgentIdentifierValue').txt(a);
    }
    for (const o of ev.objects) {
      const l = e.ele(NS.premis, 'premis:linkingObjectIdentifier');
      l.ele(NS.premis, 'premis:linkingObjectIdentifierType').txt('local');
      l.ele(NS.premis, 'premis:linkingObjectIdentifierValue').txt(o);
    }
  }
  for (const a of m.agents) {
    const e = root.ele(NS.premis, 'premis:agent');
    id(e, 'agent', a.id);
    e.ele(NS.premis, 'premis:agentName').txt(a.name);
    e.ele(NS.premis, 'premis:agentType').txt(a.type);
    if (a.note) e.ele(NS.premis, 'premis:agentNote').txt(a.note);
  }
  return root.end({ prettyPrint: true });
}

export interface MetadataFile {
  path: string;
  sha256: string;
  size: number;
  created: string;
}

/** METS.xml: header, descriptive and preservation sections by reference, the file section with SHA-256, the structural map. */
export function metsXml(m: PackageModel, descriptive: MetadataFile, premis: MetadataFile): string {
  const root = create(HEADER)
    .ele(NS.mets, 'mets:mets', { OBJID: m.objId, LABEL: m.label, TYPE: 'Mixed', PROFILE: CSIP_PROFILE })
    .att(XMLNS, 'xmlns:xlink', NS.xlink)
    .att(XMLNS, 'xmlns:csip', NS.csip)
    .att(NS.csip, 'csip:CONTENTINFORMATIONTYPE', 'OTHER')
    .att(NS.csip, 'csip:OTHERCONTENTINFORMATIONTYPE', 'TT05/2025/TT-BNV');
  const hdr = root.ele(NS.mets, 'mets:metsHdr', { CREATEDATE: m.created, RECORDSTATUS: 'NEW' }).att(NS.csip, 'csip:OAISPACKAGETYPE', 'SIP');
  const agent = hdr.ele(NS.mets, 'mets:agent', { ROLE: 'CREATOR', TYPE: 'OTHER', OTHERTYPE: 'SOFTWARE' });
  agent.ele(NS.mets, 'mets:name').txt(m.software.name);
  agent.ele(NS.mets, 'mets:note').att(NS.csip, 'csip:NOTETYPE', 'SOFTWARE VERSION').txt(m.software.version);

  const mdRef = (parent: XMLBuilder, f: MetadataFile, mdtype: string, other?: string): void => {
    const r = parent.ele(NS.mets, 'mets:mdRef', {
      LOCTYPE: 'URL',
      MDTYPE: mdtype,
      ...(other ? { OTHERMDTYPE: other } : {}),
      MIMETYPE: 'text/xml',
      SIZE: String(f.size),
      CREATED: f.created,
      CHECKSUM: f.sha256,
      CHECKSUMTYPE: 'SHA-256',
    });
    r.att(NS.xlink, 'xlink:type', 'simple').att(NS.xlink, 'xlink:href', f.path);
  };
  mdRef(root.ele(NS.mets, 'mets:dmdSec', { ID: 'dmd-tt05', CREATED: descriptive.created, STATUS: 'CURRENT' }), descriptive, 'OTHER', 'TT05-2025');
  mdRef(root.ele(NS.mets, 'mets:amdSec').ele(NS.mets, 'mets:digiprovMD', { ID: 'premis', STATUS: 'CURRENT' }), premis, 'PREMIS');

  const grp = root.ele(NS.mets, 'mets:fileSec', { ID: 'filesec' }).ele(NS.mets, 'mets:fileGrp', { ID: 'rep1', USE: 'Representations/rep1' });
  for (const d of m.documents) {
    const f = grp.ele(NS.mets, 'mets:file', {
      ID: d.fileId,
      MIMETYPE: d.file.mime,
      SIZE: String(d.file.size),
      CREATED: d.file.created,
      CHECKSUM: d.file.sha256,
      CHECKSUMTYPE: 'SHA-256',
      DMDID: d.dmdId,
    });
    f.ele(NS.mets, 'mets:FLocat', { LOCTYPE: 'URL' }).att(NS.xlink, 'xlink:type', 'simple').att(NS.xlink, 'xlink:href', d.file.path);
  }

  const top = root.ele(NS.mets, 'mets:structMap', { TYPE: 'PHYSICAL', LABEL: 'CSIP' }).ele(NS.mets, 'mets:div', { ID: 'struct-root', LABEL: m.objId });
  top.ele(NS.mets, 'mets:div', { ID: 'struct-metadata', LABEL: 'Metadata', DMDID: 'dmd-tt05', ADMID: 'premis' });
  const rep = top.ele(NS.mets, 'mets:div', { ID: 'struct-rep1', LABEL: 'Representations/rep1' });
  for (const d of m.documents) rep.ele(NS.mets, 'mets:fptr', { FILEID: d.fileId });
  return root.end({ prettyPrint: true });
}
