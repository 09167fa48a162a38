// Reads what a new signature must respect in an existing document: the interactive form
// (its fields and their names) and a certification signature's permissions (DocMDP).
import { PdfDict, PdfRef, PdfString, isArray, isNumber, isRef, type PdfObject } from '../pdf/objects.js';
import type { PdfReader } from '../pdf/reader.js';
import { decodeTextString } from '../pdf/text.js';

export interface FieldEntry {
  /** Fully qualified name ("parent.child"). */
  name: string;
  ref?: PdfRef;
  dict: PdfDict;
  /** Field type, inherited from parents when absent. */
  type?: string;
}

export interface FormInfo {
  /** The AcroForm dictionary, when the document has one. */
  acroForm?: PdfDict;
  /** Its reference when it is an indirect object (most files); undefined when inline in the catalog. */
  acroFormRef?: PdfRef;
  /** The Fields array, resolved. */
  fields: PdfObject[];
  /** Its reference when Fields is an indirect array. */
  fieldsRef?: PdfRef;
  /** Every terminal field, fully named. */
  all: FieldEntry[];
  /** The DocMDP permission (1, 2 or 3) of a certification signature, if the document is certified. */
  docMdp?: number;
}

function fieldName(d: PdfDict): string | undefined {
  const t = d.get('T');
  return t instanceof PdfString ? decodeTextString(t.bytes) : undefined;
}

export function readForm(r: PdfReader): FormInfo {
  const catalog = r.catalog();
  const afObj = catalog.get('AcroForm');
  const acroForm = r.resolveDict(afObj);
  const info: FormInfo = { fields: [], all: [] };
  if (acroForm) {
    info.acroForm = acroForm;
    if (isRef(afObj)) info.acroFormRef = afObj;
    const fObj = acroForm.get('Fields');
    const fields = r.resolve(fObj);
    if (isArray(fields)) info.fields = fields;
    if (isRef(fObj)) info.fieldsRef = fObj;
    const seen = new Set<number>();
    const walk = (o: PdfObject, prefix: string, inheritedType: string | undefined, depth: number): void => {
      if (depth > 32) return;
      if (isRef(o)) {
        if (seen.has(o.num)) return;
        seen.add(o.num);
      }
      const d = r.resolveDict(o);
      if (!d) return;
      const own = fieldName(d);
      const name = own === undefined ? prefix : prefix ? `${prefix}.${own}` : own;
      const type = d.name('FT') ?? inheritedType;
      const kids = r.resolve(d.get('Kids'));
      // Kids that carry a /T are fields; kids without one are the field's widgets.
      const fieldKids = isArray(kids) ? kids.filter((k) => fieldName(r.resolveDict(k) ?? new PdfDict()) !== undefined) : [];
      if (fieldKids.length > 0) for (const k of fieldKids) walk(k, name, type, depth + 1);
      else if (name) info.all.push({ name, ref: isRef(o) ? o : undefined, dict: d, type });
    };
    for (const f of info.fields) walk(f, '', undefined, 0);
  }
  info.docMdp = docMdpPermission(r, catalog);
  return info;
}

function docMdpPermission(r: PdfReader, catalog: PdfDict): number | undefined {
  const perms = r.resolveDict(catalog.get('Perms'));
  const sig = r.resolveDict(perms?.get('DocMDP'));
  if (!sig) return undefined;
  const refs = r.resolve(sig.get('Reference'));
  if (isArray(refs)) {
    for (const ref of refs) {
      const d = r.resolveDict(ref);
      if (d?.name('TransformMethod') !== 'DocMDP') continue;
      const params = r.resolveDict(d.get('TransformParams'));
      const p = r.resolve(params?.get('P'));
      return isNumber(p) && p >= 1 && p <= 3 ? p : 2;
    }
  }
  return 2;
}

/** The first name "Signature1", "Signature2", ... not used by any field. */
export function freeFieldName(form: FormInfo, base = 'Signature'): string {
  const used = new Set(form.all.map((f) => f.name));
  for (let i = 1; ; i++) if (!used.has(`${base}${i}`)) return `${base}${i}`;
}

