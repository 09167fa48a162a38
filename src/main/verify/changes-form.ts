// The interactive form's field tree as the change rules see it (changes-diff.ts): every field and
// widget by object number, with its fully qualified name, its kind and its inherited field type.
import { PdfDict, PdfString, isRef, type PdfObject } from '../pdf/objects.js';
import type { PdfReader } from '../pdf/reader.js';
import { decodeTextString } from '../pdf/text.js';
import { arrayOf, dictOf } from './changes-util.js';

export interface FormNode {
  num: number;
  dict: PdfDict;
  /** Fully qualified field name (for a widget: its field's). */
  name: string;
  /** 'node': a field with child fields; 'field': a terminal field with separate widgets; 'merged': field and widget in one; 'widget'. */
  kind: 'node' | 'field' | 'merged' | 'widget';
  /** Field type, inherited. */
  ft?: string;
  /** For a widget: its terminal field's object number. */
  field?: number;
}

/** The keys of a field or widget an allowed change may touch (form filling, signing). */
export function allowedFieldKeys(kind: FormNode['kind'], isSig: boolean): ReadonlySet<string> {
  if (kind === 'node') return new Set(['Kids']);
  if (isSig) return new Set(['V', 'AP', 'AS', 'M', 'F', 'Lock', 'SV', 'MK', 'DA']);
  if (kind === 'widget') return new Set(['AP', 'AS', 'M']);
  if (kind === 'merged') return new Set(['V', 'RV', 'AP', 'AS', 'M']);
  return new Set(['V', 'RV', 'M']);
}

/** A field's type (/FT), inherited from its ancestors. */
export function inheritedFieldType(r: PdfReader, d: PdfDict): string | undefined {
  let cur: PdfDict | undefined = d;
  for (let i = 0; cur && i < 32; i++) {
    const ft = cur.name('FT');
    if (ft) return ft;
    cur = dictOf(r, cur.get('Parent'));
  }
  return undefined;
}

/** Every node of the form's field tree, by object number. */
export function formTree(r: PdfReader): Map<number, FormNode> {
  const out = new Map<number, FormNode>();
  const catalog = dictOf(r, r.trailer.get('Root'));
  const af = dictOf(r, catalog?.get('AcroForm'));
  if (!af) return out;
  const titled = (d: PdfDict | undefined): boolean => d?.get('T') instanceof PdfString;
  const visit = (o: PdfObject, prefix: string, inheritedFt: string | undefined, parentIsField: boolean, depth: number): void => {
    if (!isRef(o) || out.has(o.num) || depth > 32) return;
    const d = dictOf(r, o);
    if (!d) return;
    const t = d.get('T');
    const own = t instanceof PdfString ? decodeTextString(t.bytes) : undefined;
    const name = own === undefined ? prefix : prefix ? `${prefix}.${own}` : own;
    const ft = d.name('FT') ?? inheritedFt;
    const kids = arrayOf(r, d.get('Kids'));
    const fieldKids = kids.filter((k) => titled(dictOf(r, k)));
    const widgetKids = kids.filter((k) => isRef(k) && !titled(dictOf(r, k)));
    if (fieldKids.length > 0) {
      out.set(o.num, { num: o.num, dict: d, name, kind: 'node', ft });
      for (const k of fieldKids) visit(k, name, ft, true, depth + 1);
      return;
    }
    if (own === undefined && parentIsField && depth > 0) return; // handled as a widget by its parent
    const isWidget = d.name('Subtype') === 'Widget' || d.has('Rect');
    out.set(o.num, { num: o.num, dict: d, name, kind: widgetKids.length === 0 && isWidget ? 'merged' : 'field', ft });
    for (const w of widgetKids) {
      if (!isRef(w) || out.has(w.num)) continue;
      const wd = dictOf(r, w);
      if (wd) out.set(w.num, { num: w.num, dict: wd, name, kind: 'widget', ft, field: o.num });
    }
  };
  for (const f of arrayOf(r, af.get('Fields'))) visit(f, '', undefined, false, 0);
  return out;
}
