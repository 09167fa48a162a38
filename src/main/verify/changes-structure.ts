// Rule: the structure tree of a tagged PDF (ISO 32000-1 14.7), as far as an allowed change may
// touch it. Acrobat and iText record every annotation, widget and signature they add in the
// structure tree: a new structure element (or an object reference, OBJR) for the annotation, the
// parent tree (the index from annotations and marked content back to their elements) rewritten,
// /ParentTreeNextKey raised. That is bookkeeping of an allowed change. What is not: an element of
// the signed revision removed or changed in anything but its list of annotation references, page
// content (marked-content ids) re-tagged, an annotation's reference dropped while the annotation
// stays on its page, or any other key of the structure tree root changed.
import { PdfDict, PdfRef, isArray, isDict, isRef, type PdfObject } from '../pdf/objects.js';
import type { PdfReader } from '../pdf/reader.js';
import { arrayOf, changedKeys, dictOf, safeGet, safeResolve, type ChangeKind } from './changes-util.js';

/** What a rule may ask of the comparison of two revisions (changes-diff.ts). */
export interface DiffContext {
  readonly old: PdfReader;
  readonly neu: PdfReader;
  readonly touched: ReadonlyMap<number, 'new' | 'changed'>;
  note(kind: ChangeKind, text: string): void;
  blame(num: number | undefined, text: string): void;
  explain(num: number): boolean;
  explainTree(o: PdfObject | undefined, oldOk?: (num: number) => boolean): boolean;
}

/** The objects of a revision's structure tree: its root, elements (by object number) and parent tree. */
export interface StructureObjects {
  root?: number;
  elements: Map<number, PdfDict>;
  /** Parent tree nodes and the arrays they hold (indirect ones). */
  parentTree: Set<number>;
}

const ROOT_KEYS_ALLOWED = new Set(['K', 'ParentTree', 'ParentTreeNextKey', 'IDTree']);
const MAX_ELEMENTS = 200_000;

/** Reads the structure tree of `r` (elements reachable from the root's /K, parent tree nodes). */
export function structureObjects(r: PdfReader): StructureObjects {
  const out: StructureObjects = { elements: new Map(), parentTree: new Set() };
  const catalog = dictOf(r, r.trailer.get('Root'));
  const rootRef = catalog?.get('StructTreeRoot');
  const root = dictOf(r, rootRef);
  if (!root || !isRef(rootRef)) return out;
  out.root = rootRef.num;
  const stack: Array<PdfObject | undefined> = [root.get('K')];
  while (stack.length && out.elements.size < MAX_ELEMENTS) {
    const k = stack.pop();
    if (isArray(k)) {
      for (const x of k) stack.push(x);
      continue;
    }
    if (!isRef(k) || out.elements.has(k.num)) continue;
    const d = dictOf(r, k);
    if (!d || !isElement(d)) continue;
    out.elements.set(k.num, d);
    stack.push(safeResolve(r, d.get('K')));
  }
  const nodes: Array<PdfObject | undefined> = [root.get('ParentTree')];
  let budget = MAX_ELEMENTS;
  while (nodes.length && budget-- > 0) {
    const n = nodes.pop();
    if (isRef(n)) {
      if (out.parentTree.has(n.num)) continue;
      out.parentTree.add(n.num);
    }
    const d = dictOf(r, n);
    if (!d) continue;
    for (const kid of arrayOf(r, d.get('Kids'))) nodes.push(kid);
    const nums = arrayOf(r, d.get('Nums'));
    const numsRef = d.get('Nums');
    if (isRef(numsRef)) out.parentTree.add(numsRef.num);
    for (let i = 1; i < nums.length; i += 2) {
      const v = nums[i];
      // An array of elements (marked content of a page) belongs to the parent tree; an element does not.
      if (isRef(v) && isArray(safeGet(r, v.num))) out.parentTree.add(v.num);
    }
  }
  return out;
}

/** A structure element: /Type /StructElem, or (the type being optional) a dictionary with /S and /P. */
function isElement(d: PdfDict): boolean {
  const type = d.name('Type');
  if (type === 'StructElem') return true;
  return type === undefined && d.name('S') !== undefined && d.has('P');
}

/** One kid of an element, by what it stands for: marked content, an element, an annotation. */
type Kid = { kind: 'mcid'; key: string } | { kind: 'element'; num: number } | { kind: 'objr'; num: number } | { kind: 'other'; key: string };

function kidsOf(r: PdfReader, k: PdfObject | undefined): Kid[] {
  const v = safeResolve(r, k);
  const items = isArray(v) ? v : v === undefined || v === null ? [] : [k];
  const out: Kid[] = [];
  for (const item of items) {
    if (typeof item === 'number') out.push({ kind: 'mcid', key: String(item) });
    else if (isRef(item)) {
      const d = dictOf(r, item);
      if (d && isElement(d)) out.push({ kind: 'element', num: item.num });
      else if (d?.name('Type') === 'OBJR' && isRef(d.get('Obj'))) out.push({ kind: 'objr', num: (d.get('Obj') as PdfRef).num });
      else out.push({ kind: 'other', key: `ref ${item.num}` });
    } else if (isDict(item)) {
      const type = item.name('Type');
      const obj = item.get('Obj');
      if (type === 'OBJR' && isRef(obj)) out.push({ kind: 'objr', num: obj.num });
      else if (type === 'MCR') out.push({ kind: 'mcid', key: `mcr ${String(safeResolve(r, item.get('MCID')))} ${isRef(item.get('Pg')) ? (item.get('Pg') as PdfRef).num : ''}` });
      else out.push({ kind: 'other', key: 'direct' });
    } else out.push({ kind: 'other', key: 'other' });
  }
  return out;
}

const kidKey = (k: Kid): string => (k.kind === 'element' || k.kind === 'objr' ? `${k.kind} ${k.num}` : `${k.kind} ${k.key}`);

/** Annotations listed by the pages of `r`, by object number. */
export function annotationsOnPages(r: PdfReader): Set<number> {
  const out = new Set<number>();
  try {
    for (const p of r.pages()) for (const a of arrayOf(r, p.dict.get('Annots'))) if (isRef(a)) out.add(a.num);
  } catch {
    // An unreadable page tree is reported by the page rule.
  }
  return out;
}

const FACT = 'structure tree (tags) updated for the annotations, fields or signatures added or removed';

/**
 * Compares the structure trees of the two revisions. `oldTree`/`newTree`: structureObjects() of each.
 */
export function checkStructureTree(ctx: DiffContext, oldTree: StructureObjects, newTree: StructureObjects): void {
  const { old, neu } = ctx;
  if (oldTree.root === undefined && newTree.root === undefined) return;
  if (oldTree.root !== newTree.root) {
    ctx.blame(newTree.root, oldTree.root === undefined ? 'structure tree (tags) added to an untagged document' : newTree.root === undefined ? 'structure tree (tags) removed' : `structure tree root replaced (obj ${oldTree.root} → ${newTree.root})`);
    return;
  }
  const rootNum = newTree.root!;
  let changed = false;
  const onPages = annotationsOnPages(neu);
  // Kids compared by what they stand for; `owner` names the element (or the root) for details.
  const compareKids = (owner: string, num: number, before: Kid[], after: Kid[]): boolean => {
    let ok = true;
    const afterKeys = new Set(after.map(kidKey));
    const beforeKeys = new Set(before.map(kidKey));
    for (const k of before) {
      if (afterKeys.has(kidKey(k))) continue;
      if (k.kind === 'objr' && !onPages.has(k.num)) continue; // the annotation itself is gone
      ok = false;
      if (k.kind === 'objr') ctx.blame(num, `${owner}: the structure entry of annotation obj ${k.num} removed while the annotation stays on its page`);
      else if (k.kind === 'element') ctx.blame(num, `${owner}: structure element obj ${k.num} removed`);
      else ctx.blame(num, `${owner}: tagged page content removed from the structure tree`);
    }
    for (const k of after) {
      if (beforeKeys.has(kidKey(k))) continue;
      if (k.kind === 'objr') continue; // an annotation's reference: the annotation rules judge the annotation
      if (k.kind === 'element' && ctx.touched.get(k.num) === 'new' && newElementOk(k.num)) continue;
      ok = false;
      ctx.blame(num, `${owner}: ${k.kind === 'element' ? `structure element obj ${k.num} added that tags page content or reuses an existing object` : 'page content re-tagged'}`);
    }
    return ok;
  };
  // A new element may only hold references to annotations and other such new elements.
  const checkedNew = new Map<number, boolean>();
  const newElementOk = (num: number, depth = 0): boolean => {
    const known = checkedNew.get(num);
    if (known !== undefined) return known;
    checkedNew.set(num, false);
    const d = newTree.elements.get(num) ?? dictOf(neu, new PdfRef(num, 0));
    if (!d || depth > 64) return false;
    const ok = kidsOf(neu, d.get('K')).every((k) => k.kind === 'objr' || (k.kind === 'element' && ctx.touched.get(k.num) === 'new' && newElementOk(k.num, depth + 1)));
    checkedNew.set(num, ok);
    if (ok) {
      ctx.explain(num);
      ctx.explainTree(new PdfDict([...d.map].filter(([key]) => key !== 'P' && key !== 'Pg')));
      changed = true;
    }
    return ok;
  };

  // The root.
  const oldRoot = dictOf(old, new PdfRef(rootNum, 0));
  const newRoot = dictOf(neu, new PdfRef(rootNum, 0));
  if (!oldRoot || !newRoot) return;
  if (ctx.touched.get(rootNum) === 'changed') {
    const keys = changedKeys(oldRoot, old, newRoot, neu);
    const bad = keys.filter((k) => !ROOT_KEYS_ALLOWED.has(k));
    for (const k of bad) ctx.blame(rootNum, `structure tree root /${k} changed (obj ${rootNum})`);
    let ok = bad.length === 0;
    if (keys.includes('K') && !compareKids('structure tree root', rootNum, kidsOf(old, oldRoot.get('K')), kidsOf(neu, newRoot.get('K')))) ok = false;
    if (ok) ctx.explain(rootNum);
    changed = true;
  }
  // The elements of the signed revision: only their list of kids may change, as above.
  for (const [num, od] of oldTree.elements) {
    if (!newTree.elements.has(num)) {
      // Gone from the tree: its parent's kids say so (and are judged there).
      continue;
    }
    if (ctx.touched.get(num) !== 'changed') continue;
    const nd = newTree.elements.get(num)!;
    const keys = changedKeys(od, old, nd, neu);
    const bad = keys.filter((k) => k !== 'K');
    for (const k of bad) ctx.blame(num, `structure element obj ${num} /${k} changed`);
    let ok = bad.length === 0;
    if (keys.includes('K') && !compareKids(`structure element obj ${num}`, num, kidsOf(old, od.get('K')), kidsOf(neu, nd.get('K')))) ok = false;
    if (ok) {
      ctx.explain(num);
      // Direct OBJR dictionaries may carry keys of their own (iText keeps /Pg); what they point to is judged elsewhere.
      const kRef = nd.get('K');
      if (isRef(kRef)) ctx.explainTree(kRef, (n) => n === kRef.num);
    }
    changed = true;
  }
  // The parent tree: an index, rewritten whole by most writers.
  const ptRoot = newRoot.get('ParentTree');
  const ptNodes = new Set<number>([...newTree.parentTree].filter((n) => ctx.touched.has(n)));
  for (const n of ptNodes) {
    if (ctx.touched.get(n) === 'changed' && !oldTree.parentTree.has(n)) continue; // an object of the signed revision that was not part of the index
    if (ctx.explain(n)) changed = true;
  }
  if (isRef(ptRoot) && ctx.touched.has(ptRoot.num)) changed = true;
  if (changed) ctx.note('form-fill', FACT);
}
