// Finds the signatures of a document and checks where their bytes are: the ByteRange must cover
// the file from its first byte to the end of a revision, except exactly the /Contents hex string
// of the very signature dictionary the field points to. Anything else is how the known attacks
// (signature wrapping, universal signature forgery, incremental saving tricks) begin.
import { isArray, isDict, isName, isNumber, isRef, PdfDict, PdfRef, PdfStream, PdfString, type PdfObject } from '../pdf/objects.js';
import { KysoError } from '../../shared/errors.js';
import type { PdfReader } from '../pdf/reader.js';
import { decodeTextString, parsePdfDate } from '../pdf/text.js';
import { readForm } from '../sign/form.js';

export interface FoundSignature {
  /** 1-based, in the order the signatures were made (by the end of what they cover). */
  index: number;
  fieldName: string;
  fieldRef?: PdfRef;
  sigRef?: PdfRef;
  dict: PdfDict;
  /** 'Sig' for an ordinary signature, 'DocTimeStamp' for a document timestamp. */
  type: 'Sig' | 'DocTimeStamp';
  subFilter: string;
  byteRange?: [number, number, number, number];
  /** The DER of the CMS (the /Contents string, trailing zero padding kept). */
  contents?: Buffer;
  /** Length of the revision the signature covers (end of its second byte range). */
  signedLength: number;
  claimedTime?: Date;
  name?: string;
  reason?: string;
  location?: string;
  contactInfo?: string;
  /** Structural faults found; any makes the signature fail (FORMAT_FAILURE). */
  faults: string[];
  /** Pages whose /Annots hold the widget, 1-based (empty: the widget is on no page). */
  pages: number[];
}

function text(d: PdfDict, key: string, r: PdfReader): string | undefined {
  const v = r.resolve(d.get(key));
  return v instanceof PdfString ? decodeTextString(v.bytes) : undefined;
}

/** Checks the ByteRange against the file; returns the faults. */
function checkByteRange(r: PdfReader, sig: FoundSignature): string[] {
  const faults: string[] = [];
  const br = sig.byteRange;
  if (!br) return ['no valid /ByteRange (four non-negative integers)'];
  const [a, b, c, d] = br;
  if (a !== 0) faults.push(`the ByteRange does not start at the beginning of the file (starts at ${a})`);
  if (b <= 0 || d < 0) faults.push('the ByteRange has an empty or negative range');
  if (c < a + b) faults.push('the two byte ranges overlap');
  if (c + d > r.size) faults.push(`the ByteRange points outside the file (${c + d} > ${r.size})`);
  if (faults.length) return faults;

  // The gap must be exactly "<hex>", and hold exactly the dictionary's /Contents.
  const gapStart = a + b;
  const gapLen = c - gapStart;
  if (gapLen < 2 || gapLen > 64 * 1024 * 1024) return ['the gap between the byte ranges is not a signature value'];
  const gap = r.source.read(gapStart, gapLen);
  if (gap[0] !== 0x3c || gap[gap.length - 1] !== 0x3e || !/^[0-9A-Fa-f\s]*$/.test(gap.subarray(1, -1).toString('latin1'))) {
    faults.push('the bytes left out of the ByteRange are not a hexadecimal string: the range skips other bytes');
    return faults;
  }
  const hex = gap.subarray(1, -1).toString('latin1').replace(/\s+/g, '');
  const decoded = Buffer.from(hex.length % 2 ? hex + '0' : hex, 'hex');
  if (!sig.contents || !decoded.equals(sig.contents))
    faults.push('the bytes left out of the ByteRange are not this signature\'s /Contents');

  // ...and lie inside the signature dictionary's own object, right after its /Contents key.
  const entry = sig.sigRef ? r.xref.get(sig.sigRef.num) : undefined;
  if (!entry || entry.type !== 'n') {
    faults.push('the signature dictionary is not a plain object in the file (it is direct or inside an object stream)');
  } else if (entry.offset >= gapStart || gapStart - entry.offset > 1024 * 1024) {
    faults.push('the signed gap is not inside the signature dictionary');
  } else {
    const before = r.source.read(entry.offset, gapStart - entry.offset).toString('latin1');
    if (before.includes('endobj') || !/\/Contents\s*$/.test(before)) faults.push('the signed gap is not the /Contents of the signature dictionary');
  }

  // The covered part must end where a revision ends (at %%EOF, allowing its line end).
  const end = c + d;
  const tail = r.source.read(Math.max(0, end - 16), Math.min(16, end)).toString('latin1');
  if (!/%%EOF[\r\n\s\0]{0,4}$/.test(tail)) faults.push('the signed part does not end at the end of a revision (%%EOF)');
  return faults;
}

export function findSignatures(r: PdfReader): FoundSignature[] {
  const form = readForm(r);
  const pages = r.pages();
  const annotPages = new Map<number, number[]>();
  for (const p of pages) {
    const annots = r.resolve(p.dict.get('Annots'));
    if (!isArray(annots)) continue;
    for (const a of annots) if (isRef(a)) annotPages.set(a.num, [...(annotPages.get(a.num) ?? []), p.index + 1]);
  }
  const out: FoundSignature[] = [];
  const seenSig = new Set<number>();
  for (const f of form.all) {
    if (f.type !== 'Sig') continue;
    const vObj = f.dict.get('V');
    let v: PdfObject | undefined;
    try {
      v = r.resolve(vObj);
    } catch (e) {
      // The field says it is signed but its signature dictionary does not parse: a signature that
      // fails on its format, not a file nobody may read (the other signatures still count).
      out.push(damaged(f.name, f.ref, vObj, e as Error));
      continue;
    }
    if (!isDict(v)) continue; // an empty signature field
    if (isRef(vObj)) {
      if (seenSig.has(vObj.num)) continue; // two fields may not share one signature
      seenSig.add(vObj.num);
    }
    const brObj = r.resolve(v.get('ByteRange'));
    const br = isArray(brObj) && brObj.length === 4 && brObj.every((x) => isNumber(x) && Number.isInteger(x) && x >= 0) ? (brObj as [number, number, number, number]) : undefined;
    const contentsObj = r.resolve(v.get('Contents'));
    const m = text(v, 'M', r);
    const widgetPages = new Set<number>();
    if (f.ref) for (const p of annotPages.get(f.ref.num) ?? []) widgetPages.add(p);
    const kids = r.resolve(f.dict.get('Kids'));
    if (isArray(kids)) for (const k of kids) if (isRef(k)) for (const p of annotPages.get(k.num) ?? []) widgetPages.add(p);
    const sig: FoundSignature = {
      index: 0,
      fieldName: f.name,
      fieldRef: f.ref,
      sigRef: isRef(vObj) ? vObj : undefined,
      dict: v,
      type: isName(v.get('Type'), 'DocTimeStamp') ? 'DocTimeStamp' : 'Sig',
      subFilter: v.name('SubFilter') ?? '',
      byteRange: br,
      contents: contentsObj instanceof PdfString ? contentsObj.bytes : undefined,
      signedLength: br ? br[2] + br[3] : 0,
      claimedTime: m ? parsePdfDate(m) : undefined,
      name: text(v, 'Name', r),
      reason: text(v, 'Reason', r),
      location: text(v, 'Location', r),
      contactInfo: text(v, 'ContactInfo', r),
      faults: [],
      pages: [...widgetPages].sort((a, b) => a - b),
    };
    if (!sig.contents) sig.faults.push('the signature has no /Contents string');
    sig.faults.push(...checkByteRange(r, sig));
    out.push(sig);
  }
  out.sort((x, y) => x.signedLength - y.signedLength);
  out.forEach((s, i) => (s.index = i + 1));
  return out;
}

/** A signature field whose signature dictionary cannot be read. */
function damaged(fieldName: string, fieldRef: PdfRef | undefined, vObj: PdfObject | undefined, e: Error): FoundSignature {
  const reason = e instanceof KysoError ? String(e.details.reason ?? e.message) : e.message;
  return {
    index: 0,
    fieldName,
    fieldRef,
    sigRef: isRef(vObj) ? vObj : undefined,
    dict: new PdfDict(),
    type: 'Sig',
    subFilter: '',
    signedLength: 0,
    faults: [`the signature dictionary cannot be read (${reason})`],
    pages: [],
  };
}

/** The certificates, CRLs and OCSP responses of the document security store (/DSS), for validation. */
export function readDss(r: PdfReader): { certs: Buffer[]; crls: Buffer[]; ocsps: Buffer[] } {
  const out = { certs: [] as Buffer[], crls: [] as Buffer[], ocsps: [] as Buffer[] };
  let dss: PdfDict | undefined;
  try {
    dss = r.resolveDict(r.catalog().get('DSS'));
  } catch {
    return out;
  }
  if (!dss) return out;
  const streams = (key: string): Buffer[] => {
    const arr = r.resolve(dss!.get(key));
    if (!isArray(arr)) return [];
    const bufs: Buffer[] = [];
    for (const o of arr) {
      const s = r.resolve(o);
      if (s instanceof PdfStream) {
        try {
          bufs.push(r.streamData(s));
        } catch {
          /* an unreadable stream is no evidence */
        }
      }
    }
    return bufs;
  };
  out.certs = streams('Certs');
  out.crls = streams('CRLs');
  out.ocsps = streams('OCSPs');
  return out;
}
