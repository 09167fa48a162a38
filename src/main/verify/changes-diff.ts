// What one incremental update changed: compares two consecutive revisions of a document (`old`,
// the revision before the update, and `neu`, the one after it) and classifies the change.
//
// Three mechanisms work together:
//  1. Cross-reference level: every object whose entry differs is "touched" (new, or redefined with
//     different content). Entries that point back into the earlier bytes, generation changes and
//     deletions are disallowed outright.
//  2. Frozen objects: what the earlier revision showed or had signed may not be redefined at all,
//     whatever role the update gives it: page tree nodes, everything a page's /Contents,
//     /Resources and other entries reach (content streams, fonts, images, form XObjects...), the
//     catalog's entries other than /AcroForm, /DSS, /Metadata and /Extensions (names, outlines,
//     open action...), and signed signature fields with their widgets, appearances and signature
//     dictionaries.
//  3. Rules: the catalog, the page list and each page dictionary, each page's annotations, the
//     interactive form and its field tree, the DSS, /Info and the XMP metadata are compared
//     key by key. Each allowed difference records a fact at its level and "explains" the touched
//     objects it accounts for. A touched object of the earlier revision left unexplained is
//     disallowed; so is a new object that the document reaches but no rule accounted for (a
//     dangling reference of the signed revision filled in later, for one).
import { PdfDict, PdfName, PdfRef, PdfStream, PdfString, isArray, isDict, isRef, type PdfObject } from '../pdf/objects.js';
import type { PageInfo, PdfReader } from '../pdf/reader.js';
import { decodeTextString } from '../pdf/text.js';
import { ReferenceIndex } from './changes-references.js';
import { allowedFieldKeys, formTree, inheritedFieldType, type FormNode } from './changes-form.js';
import { annotationsOnPages, checkStructureTree, structureObjects, type DiffContext, type StructureObjects } from './changes-structure.js';
import {
  arrayOf,
  changedKeys,
  describe,
  dictOf,
  forEachRef,
  inUse,
  safeGet,
  safeResolve,
  sameEntry,
  sameValue,
  worse,
  type ChangeKind,
} from './changes-util.js';

export interface RevisionDiffResult {
  kind: ChangeKind;
  details: string[];
  /** What a clerk should know although it is no disallowed change (an update whose offsets had to be repaired). */
  warnings: string[];
}

interface Lock {
  by: string;
  action: string;
  fields: Set<string>;
}

/** Keys that point back up or sideways in the document: never followed when walking a subtree. */
const BACK_KEYS: ReadonlySet<string> = new Set(['P', 'Parent']);
/** Catalog entries an update may change; every other one is frozen. */
const CATALOG_ALLOWED = new Set(['AcroForm', 'DSS', 'Metadata', 'Extensions', 'Version', 'StructTreeRoot']);
const ACTIONS_DISALLOWED = new Set(['JavaScript', 'Launch', 'ImportData', 'Rendition', 'GoToE', 'SubmitForm', 'ResetForm', 'SetOCGState']);

const MAX_WALK = 2_000_000;

export function diffRevisions(old: PdfReader, neu: PdfReader): RevisionDiffResult {
  return new RevisionDiff(old, neu).run();
}

class RevisionDiff implements DiffContext {
  private kind: ChangeKind = 'none';
  private readonly details: string[] = [];
  private readonly warnings: string[] = [];
  /** Objects the update defines anew ('new') or redefines with different content ('changed'). */
  readonly touched = new Map<number, 'new' | 'changed'>();
  /** Objects of the earlier revision the update deletes (free entries): judged once the rules have run. */
  private readonly freed = new Map<number, string>();
  private readonly explained = new Set<number>();
  /** Touched objects a disallowed detail already names: not reported again as unexplained. */
  private readonly reported = new Set<number>();
  /** Objects of the earlier revision that may not change, with what they are. */
  private readonly frozen = new Map<number, string>();
  private oldTree = new Map<number, FormNode>();
  /**
   * The objects of the earlier revision that are what they look like by their place, not by their
   * keys: the catalog, the page tree and its pages, the annotations the pages list, the form's
   * fields and widgets. Freezing stops at them (they have rules of their own); anything else that
   * a page or the catalog reaches is frozen, however it is dressed up (a font given /Subtype and
   * /Rect, a stream given /FT, a resource named /P).
   */
  private structural = new Set<number>();
  private newTree = new Map<number, FormNode>();
  private locks: Lock[] = [];
  private oldStructure: StructureObjects = { elements: new Map(), parentTree: new Set() };
  private newStructure: StructureObjects = { elements: new Map(), parentTree: new Set() };

  constructor(
    readonly old: PdfReader,
    readonly neu: PdfReader,
  ) {}

  note(kind: ChangeKind, text: string): void {
    this.kind = worse(this.kind, kind);
    if (!this.details.includes(text)) this.details.push(text);
  }

  /** A disallowed change of object `num`. */
  blame(num: number | undefined, text: string): void {
    if (num !== undefined) this.reported.add(num);
    this.note('disallowed', text);
  }

  run(): RevisionDiffResult {
    this.diffXref();
    if (this.touched.size > 0 || this.freed.size > 0) {
      this.oldTree = formTree(this.old);
      this.newTree = formTree(this.neu);
      this.oldStructure = structureObjects(this.old);
      this.newStructure = structureObjects(this.neu);
      this.freezeOld();
      for (const num of this.touched.keys()) {
        const role = this.frozen.get(num);
        if (role) this.blame(num, `${role} redefined (obj ${num})`);
      }
      this.locks = this.readLocks();
      this.checkTrailer();
      this.checkCatalog();
      this.checkPages();
      checkStructureTree(this, this.oldStructure, this.newStructure);
      this.checkForm();
      this.checkBookkeeping();
      this.checkUnexplained();
    }
    // Offsets that are off (a writer's bug, seen in LTA updates) do not make a change disallowed:
    // the objects found by scanning are compared like any others, and a clerk is told. Cross-
    // reference data that cannot be read at all (the whole file rebuilt by scanning) is disallowed.
    if (this.neu.repaired && this.neu.sections.length === 0)
      this.note('disallowed', 'the update has broken cross-reference information (objects had to be found by scanning)');
    else if (this.neu.repaired || this.neu.xrefNudged) this.warnings.push('an update has wrong cross-reference offsets (its objects had to be found by scanning)');
    return { kind: this.kind, details: this.details, warnings: this.warnings };
  }

  // ---------------------------------------------------------------------------------------------
  // 1. Cross-reference level

  private diffXref(): void {
    const { old, neu } = this;
    const nums = [...new Set([...old.xref.keys(), ...neu.xref.keys()])].sort((a, b) => a - b);
    for (const num of nums) {
      if (num === 0) continue;
      const o = old.xref.get(num);
      const n = neu.xref.get(num);
      if (!inUse(n)) {
        if (inUse(o)) {
          const v = safeGet(old, num);
          if (v instanceof PdfStream && v.dict.name('Type') === 'XRef') continue;
          this.freed.set(num, describe(v));
        }
        continue;
      }
      const back = this.pointsIntoOld(n!);
      if (!inUse(o)) {
        if (back !== undefined) this.blame(num, `new object ${num} is taken from the earlier revision's bytes (offset ${back}), where that revision did not define it`);
        this.touched.set(num, 'new');
        continue;
      }
      if (sameEntry(o, n)) {
        // Same place in an object stream: unchanged unless the object stream itself was redefined.
        if (n!.type !== 'c' || sameEntry(old.xref.get(n!.stream), neu.xref.get(n!.stream))) continue;
      } else {
        if (o!.type === 'n' && n!.type === 'n' && o!.gen !== n!.gen)
          this.blame(num, `generation number of object ${num} changed (${o!.gen} → ${n!.gen})`);
        if (back !== undefined)
          this.blame(num, `cross-reference entry of object ${num} points back into the earlier revision's bytes (offset ${back}) instead of the definition that revision used`);
      }
      let nv: PdfObject | undefined;
      try {
        nv = neu.get(new PdfRef(num, 0));
      } catch {
        this.blame(num, `object ${num} cannot be read in the update`);
        this.touched.set(num, 'changed');
        continue;
      }
      const ov = safeGet(old, num);
      if (ov !== undefined && sameValue(ov, old, nv, neu)) continue;
      this.touched.set(num, 'changed');
    }
  }

  /** The offset inside the earlier revision's bytes an entry of the update points to, if it does. */
  private pointsIntoOld(e: { type: 'n'; offset: number } | { type: 'c'; stream: number } | { type: 'f' }): number | undefined {
    if (e.type === 'n') return e.offset < this.old.size ? e.offset : undefined;
    if (e.type === 'c') {
      const s = this.neu.xref.get(e.stream);
      if (s && s.type === 'n' && s.offset < this.old.size) {
        // An object stream of the earlier revision: fine only for entries that revision had.
        return s.offset;
      }
    }
    return undefined;
  }

  // ---------------------------------------------------------------------------------------------
  // 2. Frozen objects

  private freezeOld(): void {
    const old = this.old;
    const catalog = dictOf(old, old.trailer.get('Root'));
    if (!catalog) return;
    const rootRef = old.trailer.get('Root');
    if (isRef(rootRef)) this.structural.add(rootRef.num);
    for (const num of this.oldTree.keys()) this.structural.add(num);
    // The structure tree has its rule (changes-structure.ts): an outline's /SE, say, does not freeze it.
    const st = this.oldStructure;
    if (st.root !== undefined) this.structural.add(st.root);
    for (const num of st.elements.keys()) this.structural.add(num);
    for (const num of st.parentTree) this.structural.add(num);
    try {
      for (const p of old.pages()) {
        this.structural.add(p.ref.num);
        for (const a of arrayOf(old, p.dict.get('Annots'))) if (isRef(a)) this.structural.add(a.num);
      }
    } catch {
      /* an unreadable page tree: the walk below freezes what it can reach */
    }
    for (const [k, v] of catalog.map) {
      if (k === 'Pages' || CATALOG_ALLOWED.has(k)) continue;
      this.freeze(v, `catalog /${k}`);
    }
    // The page tree: its nodes, and everything a page reaches but its annotations.
    let pageNo = 0;
    const seen = new Set<number>();
    const walk = (node: PdfObject | undefined, depth: number): void => {
      if (!isRef(node) || seen.has(node.num) || depth > 64) return;
      seen.add(node.num);
      this.structural.add(node.num);
      const d = dictOf(old, node);
      if (!d) return;
      const kids = safeResolve(old, d.get('Kids'));
      if (d.name('Type') === 'Pages' || (d.name('Type') !== 'Page' && isArray(kids))) {
        this.frozen.set(node.num, 'page tree node');
        for (const [k, v] of d.map) if (k !== 'Kids' && k !== 'Parent') this.freeze(v, `page tree node /${k}`);
        const kidsRef = d.get('Kids');
        if (isRef(kidsRef)) this.frozen.set(kidsRef.num, 'page tree /Kids');
        if (isArray(kids)) for (const k of kids) walk(k, depth + 1);
        return;
      }
      pageNo++;
      for (const [k, v] of d.map) {
        if (k === 'Annots' || k === 'Parent') continue;
        this.freeze(v, `page ${pageNo} /${k}`);
      }
    };
    walk(catalog.get('Pages'), 0);
    // Signed signature fields: the field, its widgets and their appearances, the signature dictionary.
    const tree = this.oldTree;
    for (const node of tree.values()) {
      if (node.ft !== 'Sig' || node.kind === 'node') continue;
      const field = node.kind === 'widget' ? tree.get(node.field ?? -1) : node;
      if (!field || !present(field.dict.get('V'))) continue;
      const label = node.kind === 'widget' ? `widget of signed signature field ${node.name}` : `signed signature field ${node.name}`;
      this.frozen.set(node.num, label);
      for (const [k, v] of node.dict.map) {
        if (BACK_KEYS.has(k) || k === 'Kids') continue;
        const role = k === 'V' ? `signature dictionary of field ${node.name}` : k === 'AP' ? `appearance of signed signature field ${node.name}` : `${label} /${k}`;
        this.freeze(v, role, true);
      }
    }
  }

  /**
   * Marks every object `o` reaches as frozen with `role`, stopping at the structural objects (the
   * catalog, pages, annotations and form fields: see `structural`). `throughAll`: the first object
   * is frozen even when it is one of them (a signed field's own signature dictionary and appearance).
   */
  private freeze(o: PdfObject | undefined, role: string, throughAll = false): void {
    const stack: Array<{ o: PdfObject | undefined; role: string; top: boolean }> = [{ o, role, top: true }];
    let budget = MAX_WALK;
    while (stack.length && budget-- > 0) {
      const { o: cur, role: r, top } = stack.pop()!;
      forEachRef(
        cur,
        (ref, key) => {
          if (this.frozen.has(ref.num)) return;
          const v = safeGet(this.old, ref.num);
          if (v === undefined || v === null) return;
          if (!(throughAll && top) && this.isStructural(ref.num, v)) return;
          // "page 1 /Resources /F1": the role names the path, a few keys deep.
          const here = key && !r.endsWith(`/${key}`) && r.split(' /').length < 5 ? `${r} /${key}` : r;
          this.frozen.set(ref.num, here);
          stack.push({ o: v, role: here, top: false });
        },
      );
    }
  }

  /** See `structural`; a page or catalog of the earlier revision also counts by its /Type. */
  private isStructural(num: number, v: PdfObject): boolean {
    if (this.structural.has(num)) return true;
    if (!isDict(v)) return false; // a stream is content, whatever its dictionary says
    const type = v.name('Type');
    return type === 'Page' || type === 'Pages' || type === 'Catalog';
  }

  // ---------------------------------------------------------------------------------------------
  // 3. Rules

  /** Marks a touched object as accounted for (never a frozen one). */
  explain(num: number): boolean {
    if (!this.touched.has(num) || this.frozen.has(num)) return false;
    this.explained.add(num);
    return true;
  }

  /**
   * Explains the touched objects `o` reaches through touched objects: new ones always, redefined
   * ones of the earlier revision only when `oldOk` says so. Stops at untouched objects.
   * Returns true when it explained anything.
   */
  explainTree(o: PdfObject | undefined, oldOk: (num: number) => boolean = () => false, skip: ReadonlySet<string> = BACK_KEYS): boolean {
    let any = false;
    const stack: Array<PdfObject | undefined> = [];
    let budget = MAX_WALK;
    const visit = (ref: PdfRef): void => {
      const state = this.touched.get(ref.num);
      if (!state || this.explained.has(ref.num) || this.frozen.has(ref.num)) return;
      if (state === 'changed' && !oldOk(ref.num)) return;
      this.explained.add(ref.num);
      any = true;
      stack.push(safeGet(this.neu, ref.num));
    };
    if (isRef(o)) visit(o);
    else stack.push(o);
    while (stack.length && budget-- > 0) forEachRef(stack.pop(), visit, skip);
    return any;
  }

  private checkTrailer(): void {
    const { old, neu } = this;
    if (!sameValue(old.trailer.get('Encrypt'), old, neu.trailer.get('Encrypt'), neu)) this.note('disallowed', 'trailer /Encrypt changed');
    const oi = old.trailer.get('Info');
    const ni = neu.trailer.get('Info');
    let changed = !sameValue(oi, old, ni, neu);
    if (isRef(ni)) {
      const sameObject = isRef(oi) && oi.num === ni.num;
      if (this.touched.has(ni.num) && (this.touched.get(ni.num) === 'new' || sameObject)) {
        changed = true;
        this.explainTree(ni, (n) => n === ni.num);
      }
    }
    if (changed) this.note('none', 'document information dictionary (/Info) updated');
  }

  private checkCatalog(): void {
    const { old, neu } = this;
    const oldRoot = old.trailer.get('Root');
    const newRoot = neu.trailer.get('Root');
    const oc = dictOf(old, oldRoot) ?? new PdfDict();
    const nc = dictOf(neu, newRoot);
    if (!nc || !isRef(newRoot)) {
      this.note('disallowed', 'the update has no readable document catalog');
      return;
    }
    let ok = true;
    if (!isRef(oldRoot) || oldRoot.num !== newRoot.num) {
      if (this.touched.get(newRoot.num) !== 'new') {
        this.note('disallowed', `document catalog moved to an existing object (obj ${newRoot.num})`);
        ok = false;
      }
    }
    for (const k of changedKeys(oc, old, nc, neu)) {
      if (k === 'AcroForm' || k === 'DSS' || k === 'Metadata' || k === 'StructTreeRoot') continue; // their own rules
      if (k === 'Extensions') continue; // below
      const version = nc.get(k);
      if (k === 'Version' && version instanceof PdfName && /^\d\.\d$/.test(version.value)) {
        // A later signer declaring the version it wrote (PDF 2.0 for its signature): no content changes.
        this.note('none', `catalog /Version set to /${version.value}`);
        continue;
      }
      ok = false;
      this.blame(newRoot.num, `catalog /${k} ${!oc.has(k) ? 'added' : !nc.has(k) ? 'removed' : 'changed'}`);
    }
    if (ok) this.explain(newRoot.num);
    // A later signer declaring the extension levels it uses (ISO 32000-2 7.12): the earlier
    // revision's extension dictionaries may be rewritten in place, nothing else through them.
    const before = reachable(old, oc.get('Extensions'));
    const extensionsChanged = this.explainTree(nc.get('Extensions'), (n) => before.has(n));
    if (extensionsChanged || !sameValue(oc.get('Extensions'), old, nc.get('Extensions'), neu)) this.note('none', 'catalog /Extensions updated');
    this.checkMetadata(oc, nc);
    this.checkDss(oc, nc);
  }

  private checkMetadata(oc: PdfDict, nc: PdfDict): void {
    const om = oc.get('Metadata');
    const nm = nc.get('Metadata');
    let changed = !sameValue(om, this.old, nm, this.neu);
    if (isRef(nm) && this.touched.has(nm.num)) {
      const sameObject = isRef(om) && om.num === nm.num;
      if (this.touched.get(nm.num) === 'new' || sameObject) {
        changed = true;
        this.explainTree(nm, (n) => n === nm.num);
      }
    } else if (changed && nm !== undefined) this.explainTree(nm);
    if (changed) this.note('none', 'XMP metadata updated');
  }

  private checkDss(oc: PdfDict, nc: PdfDict): void {
    const od = oc.get('DSS');
    const nd = nc.get('DSS');
    if (od === undefined && nd === undefined) return;
    const oldSet = new Set<number>();
    const stack: Array<PdfObject | undefined> = [od];
    let budget = 100_000;
    while (stack.length && budget-- > 0) {
      forEachRef(stack.pop(), (ref) => {
        if (oldSet.has(ref.num)) return;
        oldSet.add(ref.num);
        stack.push(safeGet(this.old, ref.num));
      });
    }
    let changed = !sameValue(od, this.old, nd, this.neu);
    if (this.explainTree(nd, (n) => oldSet.has(n))) changed = true;
    if (!changed) return;
    if (nd === undefined || nd === null) this.note('none', 'DSS (validation data) removed');
    else if (od === undefined || od === null) this.note('none', 'DSS (validation data) added');
    else this.note('none', 'DSS (validation data) updated');
  }

  private checkPages(): void {
    let op: PageInfo[];
    let np: PageInfo[];
    try {
      op = this.old.pages();
    } catch {
      op = [];
    }
    try {
      np = this.neu.pages();
    } catch (e) {
      this.note('disallowed', `the page tree of the update cannot be read (${(e as Error).message})`);
      return;
    }
    if (op.length !== np.length) this.note('disallowed', `page count changed from ${op.length} to ${np.length}`);
    const n = Math.min(op.length, np.length);
    for (let i = 0; i < n; i++) {
      const o = op[i]!;
      const p = np[i]!;
      if (o.ref.num !== p.ref.num) {
        this.note('disallowed', `page ${i + 1} replaced by another page object (obj ${o.ref.num} → ${p.ref.num})`);
        continue;
      }
      if (this.touched.has(p.ref.num)) {
        const keys = changedKeys(o.dict, this.old, p.dict, this.neu).filter((k) => k !== 'Annots' && k !== 'Tabs' && !this.structParentsAdded(o.dict, p.dict, k));
        if (!sameValue(o.dict.get('Tabs'), this.old, p.dict.get('Tabs'), this.neu)) this.note('annotations', `page ${i + 1} /Tabs (tab order) changed`);
        for (const k of keys) {
          const what = !o.dict.has(k) ? 'added' : !p.dict.has(k) ? 'removed' : 'changed';
          this.blame(p.ref.num, `page ${i + 1} /${k} ${what} (obj ${p.ref.num})`);
        }
        if (keys.length === 0) this.explain(p.ref.num);
      }
      this.checkAnnots(i + 1, o, p);
    }
  }

  /**
   * A page given /StructParents (its key in the parent tree) where it had none: what a tagging
   * writer does when it adds the page's first tagged annotation. The structure rule judges the tree.
   */
  private structParentsAdded(o: PdfDict, p: PdfDict, key: string): boolean {
    if (key !== 'StructParents' || o.has('StructParents') || typeof this.neu.resolve(p.get(key)) !== 'number') return false;
    this.note('form-fill', 'page /StructParents added for the structure tree');
    return true;
  }

  /** Annotations the pages of the later revision list (computed once). */
  private newPageAnnots?: Set<number>;
  private onNewPages(num: number): boolean {
    this.newPageAnnots ??= annotationsOnPages(this.neu);
    return this.newPageAnnots.has(num);
  }

  /**
   * Whether the widget `num` of the earlier revision may be taken off its page or out of its field
   * (an annotation change, pyHanko's and iText's rule): not a signed signature's, not a locked field's.
   */
  private widgetRemovable(num: number): boolean {
    const node = this.oldTree.get(num);
    if (!node) return true;
    // A kid without a name but with a value of its own is a field (unnamed), not only a widget.
    if (node.kind === 'widget' && (node.dict.has('V') || node.dict.has('FT'))) return false;
    const field = node.kind === 'widget' ? this.oldTree.get(node.field ?? -1) : node;
    if (node.ft === 'Sig' && (!field || present(field.dict.get('V')))) return false;
    return node.ft === 'Sig' || !this.lockOf(node.name);
  }

  private checkAnnots(pageNo: number, o: PageInfo, p: PageInfo): void {
    const { old, neu } = this;
    const oa = arrayOf(old, o.dict.get('Annots'));
    const na = arrayOf(neu, p.dict.get('Annots'));
    const annotsRef = p.dict.get('Annots');
    if (isRef(annotsRef) && this.touched.has(annotsRef.num) && isArray(safeGet(neu, annotsRef.num))) {
      const oldRef = o.dict.get('Annots');
      if (this.touched.get(annotsRef.num) === 'new' || (isRef(oldRef) && oldRef.num === annotsRef.num)) this.explain(annotsRef.num);
    }
    const oldNums = new Set(oa.filter(isRef).map((r) => r.num));
    const newNums = new Set(na.filter(isRef).map((r) => r.num));
    // Annotations written out in the /Annots array itself are matched by their text (a page may
    // hold thousands: comparing each with each would take minutes). What they reference is judged
    // with the objects it is (a redefined appearance is a touched object like any other).
    const oldDirect = countBy(oa.filter(isDict), canonical);
    const newDirect = countBy(na.filter(isDict), canonical);
    for (const entry of na) {
      if (isRef(entry)) {
        if (oldNums.has(entry.num)) this.existingAnnot(pageNo, entry);
        else this.newAnnot(pageNo, entry);
      } else if (isDict(entry) && !takeOne(oldDirect, canonical(entry))) this.newDirectAnnot(pageNo, entry);
    }
    for (const entry of oa) {
      if (isRef(entry) && !newNums.has(entry.num)) {
        const d = dictOf(old, entry);
        const widget = d?.name('Subtype') === 'Widget' || this.oldTree.has(entry.num);
        if (widget && !this.widgetRemovable(entry.num)) this.blame(entry.num, `page ${pageNo}: widget annotation of a signed or locked field removed (obj ${entry.num})`);
        else this.note('annotations', `page ${pageNo}: /${d?.name('Subtype') ?? '?'} annotation removed (obj ${entry.num})`);
        // A removed annotation may be rewritten as it goes (iText drops its /StructParent): on no
        // page any more, it shows nothing. Only as the same kind of annotation, though.
        const nd = dictOf(neu, entry);
        if (this.touched.get(entry.num) === 'changed' && !this.onNewPages(entry.num) && isDict(safeGet(neu, entry.num)) && nd?.name('Subtype') === d?.name('Subtype'))
          this.explain(entry.num);
      } else if (isDict(entry) && !takeOne(newDirect, canonical(entry))) {
        this.note('annotations', `page ${pageNo}: /${entry.name('Subtype') ?? '?'} annotation removed`);
      }
    }
    const oldOrder = oa.filter(isRef).map((r) => r.num).filter((n) => newNums.has(n));
    const newOrder = na.filter(isRef).map((r) => r.num).filter((n) => oldNums.has(n));
    if (oldOrder.join(' ') !== newOrder.join(' ')) this.note('annotations', `page ${pageNo}: annotations reordered`);
  }

  /** A problem with an annotation's actions, if it has one. */
  private actionProblem(d: PdfDict): string | undefined {
    const aa = dictOf(this.neu, d.get('AA'));
    if (aa && aa.keys().length > 0) return 'additional actions (/AA)';
    let a = dictOf(this.neu, d.get('A'));
    for (let i = 0; a && i < 16; i++) {
      const s = a.name('S');
      if (s && ACTIONS_DISALLOWED.has(s)) return `a /${s} action`;
      const next = safeResolve(this.neu, a.get('Next'));
      a = isArray(next) ? dictOf(this.neu, next[0]) : dictOf(this.neu, next);
    }
    return undefined;
  }

  private newAnnot(pageNo: number, ref: PdfRef): void {
    const d = dictOf(this.neu, ref);
    if (!d) return;
    const num = ref.num;
    const state = this.touched.get(num);
    if (this.newTree.has(num) || this.oldTree.has(num)) return; // a widget: the form rule sees to it
    if (state === 'changed') {
      this.blame(num, `page ${pageNo}: annotation added by redefining an existing object (obj ${num})`);
      return;
    }
    const sub = d.name('Subtype') ?? '?';
    const problem = this.actionProblem(d);
    if (problem) {
      this.blame(num, `page ${pageNo}: added /${sub} annotation (obj ${num}) carries ${problem}`);
      return;
    }
    if (sub === 'Widget' || d.has('FT')) {
      const ft = inheritedFieldType(this.neu, d);
      if (ft === 'Sig') this.note('signatures', `page ${pageNo}: signature widget added outside the form (obj ${num})`);
      else if (ft) {
        this.blame(num, `page ${pageNo}: widget of a /${ft} form field added (obj ${num})`);
        return;
      } else if (this.paintsOnPage(d)) {
        this.blame(num, `page ${pageNo}: ${SHADOW_WIDGET} (obj ${num})`);
        return;
      } else this.note('annotations', `page ${pageNo}: widget annotation without a form field added (obj ${num})`);
    } else this.note('annotations', `page ${pageNo}: /${sub} annotation added (obj ${num})`);
    this.explainTree(ref);
  }

  private newDirectAnnot(pageNo: number, d: PdfDict): void {
    const sub = d.name('Subtype') ?? '?';
    const problem = this.actionProblem(d);
    if (problem) this.note('disallowed', `page ${pageNo}: added /${sub} annotation carries ${problem}`);
    if (sub === 'Widget' && inheritedFieldType(this.neu, d) !== undefined && inheritedFieldType(this.neu, d) !== 'Sig')
      this.note('disallowed', `page ${pageNo}: widget of a form field added`);
    else if (sub === 'Widget' && inheritedFieldType(this.neu, d) === undefined && this.paintsOnPage(d)) this.note('disallowed', `page ${pageNo}: ${SHADOW_WIDGET}`);
    else this.note('annotations', `page ${pageNo}: /${sub} annotation added`);
    this.explainTree(d);
  }

  private existingAnnot(pageNo: number, ref: PdfRef): void {
    const num = ref.num;
    if (this.newTree.has(num) || this.oldTree.has(num)) return; // a widget: the form rule sees to it
    const d = dictOf(this.neu, ref);
    if (!d) {
      if (this.touched.has(num)) this.note('disallowed', `page ${pageNo}: annotation obj ${num} replaced by something that is not an annotation`);
      return;
    }
    const sub = d.name('Subtype') ?? '?';
    if (this.touched.get(num) === 'changed') {
      const od = dictOf(this.old, ref);
      const keys = changedKeys(od, this.old, d, this.neu);
      if (keys.includes('Subtype')) {
        this.blame(num, `page ${pageNo}: annotation obj ${num} changed its type to /${sub}`);
        return;
      }
      const problem = this.actionProblem(d);
      if (problem && (keys.includes('A') || keys.includes('AA'))) {
        this.blame(num, `page ${pageNo}: /${sub} annotation (obj ${num}) now carries ${problem}`);
        return;
      }
      // Shadow attacks, "hide" kind: what the signed revision kept hidden, shown afterwards.
      if (keys.includes('F') && hidden(safeResolve(this.old, od?.get('F'))) && !hidden(safeResolve(this.neu, d.get('F')))) {
        this.blame(num, `page ${pageNo}: hidden /${sub} annotation (obj ${num}) made visible after signing`);
        return;
      }
      if (sub === 'Widget' && keys.some((k) => k === 'AP' || k === 'AS' || k === 'Rect')) {
        this.blame(num, `page ${pageNo}: widget annotation without a form field (obj ${num}) changed what it shows (${keys.map((k) => '/' + k).join(' ')})`);
        return;
      }
      this.note('annotations', `page ${pageNo}: /${sub} annotation changed (obj ${num}: ${keys.map((k) => '/' + k).join(' ')})`);
      this.explain(num);
      for (const k of keys) this.explainTree(d.get(k));
    }
    if (this.explainAppearance(num, d)) this.note('annotations', `page ${pageNo}: appearance of /${sub} annotation obj ${num} changed`);
  }

  /**
   * Explains the appearance of annotation `num` (the dictionary /AP names and the streams it names
   * directly, which an update may redefine in place, and new objects below them). True when any of
   * them was touched. An appearance object the earlier revision also used elsewhere (another key,
   * the catalog, the trailer) is not this annotation's to rewrite or swap out: that is how pyHanko's
   * "sneaky" files change what something else shows under cover of an appearance update.
   */
  private explainAppearance(num: number, d: PdfDict): boolean {
    const ap = d.get('AP');
    let any = false;
    const direct = new Set<number>();
    if (isRef(ap)) direct.add(ap.num);
    const apd = dictOf(this.neu, ap);
    if (apd) {
      for (const k of ['N', 'R', 'D']) {
        const v = apd.get(k);
        if (isRef(v)) direct.add(v.num);
        const sub = safeResolve(this.neu, v);
        if (isDict(sub)) for (const s of sub.map.values()) if (isRef(s)) direct.add(s.num);
      }
    }
    const own = new Set([num, ...direct]);
    const oldAp = dictOf(this.old, new PdfRef(num, 0))?.get('AP');
    if (isRef(oldAp) && !(isRef(ap) && ap.num === oldAp.num) && this.sharedInOld(oldAp.num, own))
      this.blame(num, `appearance dictionary obj ${oldAp.num} of annotation obj ${num} is also used elsewhere (${this.usersInOld(oldAp.num, own)}) and was swapped out`);
    for (const n of direct) {
      if (!this.touched.has(n) || this.frozen.has(n)) continue;
      if (this.touched.get(n) === 'changed' && this.sharedInOld(n, own)) {
        this.blame(n, `appearance obj ${n} of annotation obj ${num} is also used elsewhere (${this.usersInOld(n, own)}) and was rewritten in place`);
        continue;
      }
      any = true;
      this.explainTree(new PdfRef(n, 0), (m) => direct.has(m));
    }
    if (this.explainTree(ap, (n) => direct.has(n))) any = true;
    return any;
  }

  /** Who refers to each object of the earlier revision (built the first time it is asked). */
  private oldReferences?: ReferenceIndex;

  private sharedInOld(num: number, own: ReadonlySet<number>): boolean {
    this.oldReferences ??= new ReferenceIndex(this.old);
    return this.oldReferences.usedBesides(num, own);
  }

  private usersInOld(num: number, own: ReadonlySet<number>): string {
    this.oldReferences ??= new ReferenceIndex(this.old);
    return this.oldReferences.describeUsers(num, own);
  }

  private checkForm(): void {
    const { old, neu } = this;
    const oc = dictOf(old, old.trailer.get('Root'));
    const nc = dictOf(neu, neu.trailer.get('Root'));
    if (!nc) return;
    const oafObj = oc?.get('AcroForm');
    const nafObj = nc.get('AcroForm');
    const oaf = dictOf(old, oafObj);
    const naf = dictOf(neu, nafObj);
    let ok = true;
    for (const k of changedKeys(oaf, old, naf, neu)) {
      switch (k) {
        case 'Fields':
          break;
        case 'SigFlags':
          this.note('signatures', 'AcroForm /SigFlags changed');
          break;
        case 'NeedAppearances':
          this.note('form-fill', 'AcroForm /NeedAppearances changed');
          break;
        case 'DR':
          break;
        case 'DA':
        case 'Q':
          this.note('form-fill', `AcroForm /${k} changed`);
          break;
        default:
          ok = false;
          this.blame(isRef(nafObj) ? nafObj.num : undefined, `AcroForm /${k} ${!oaf?.has(k) ? 'added' : !naf?.has(k) ? 'removed' : 'changed'}`);
      }
    }
    // Form resources: fonts added for filled fields (the old /DR objects may be redefined).
    const oldDr = new Set<number>();
    const drStack: Array<PdfObject | undefined> = [oaf?.get('DR')];
    let budget = 100_000;
    while (drStack.length && budget-- > 0) {
      forEachRef(drStack.pop(), (ref) => {
        if (oldDr.has(ref.num)) return;
        oldDr.add(ref.num);
        drStack.push(safeGet(old, ref.num));
      });
    }
    const drChanged = !sameValue(oaf?.get('DR'), old, naf?.get('DR'), neu);
    if (this.explainTree(naf?.get('DR'), (n) => oldDr.has(n)) || drChanged) this.note('form-fill', 'AcroForm /DR (form resources) updated');
    if (ok && isRef(nafObj) && this.touched.has(nafObj.num)) {
      if (this.touched.get(nafObj.num) === 'new' || (isRef(oafObj) && oafObj.num === nafObj.num)) this.explain(nafObj.num);
    }
    const fieldsRef = naf?.get('Fields');
    if (isRef(fieldsRef) && this.touched.has(fieldsRef.num)) {
      const oldFields = oaf?.get('Fields');
      if (this.touched.get(fieldsRef.num) === 'new' || (isRef(oldFields) && oldFields.num === fieldsRef.num)) this.explain(fieldsRef.num);
    }

    for (const [num, node] of this.newTree) {
      const before = this.oldTree.get(num);
      if (before) this.existingFormNode(before, node);
      else this.newFormNode(node);
    }
    for (const [num, node] of this.oldTree) {
      if (this.newTree.has(num)) continue;
      if (node.kind === 'widget' && this.newTree.has(node.field ?? -1) && this.widgetRemovable(num)) this.note('annotations', `widget of form field ${node.name} removed (obj ${num})`);
      else if (node.kind === 'widget') this.note('disallowed', `widget of form field ${node.name} removed from the form (obj ${num})`);
      else this.note('disallowed', `form field ${node.name || '(unnamed)'} removed (obj ${num})`);
    }
  }

  private newFormNode(node: FormNode): void {
    const num = node.num;
    const state = this.touched.get(num);
    const name = node.name || '(unnamed)';
    if (state === 'changed') {
      this.blame(num, `form field ${name} added by redefining an existing object (obj ${num})`);
      return;
    }
    if (node.kind === 'widget') return; // a new widget: its field accounts for it (a new field) or is flagged (an old one)
    if (node.kind === 'node') {
      this.explain(num);
      for (const [k, v] of node.dict.map) if (k !== 'Kids' && !BACK_KEYS.has(k)) this.explainTree(v);
      return;
    }
    if (node.ft !== 'Sig') {
      this.blame(num, `form field ${name} (/${node.ft ?? '?'}) added (obj ${num})`);
      return;
    }
    const problem = this.actionProblem(node.dict);
    if (problem) {
      this.blame(num, `new signature field ${name} carries ${problem}`);
      return;
    }
    const v = node.dict.get('V');
    if (present(v)) {
      if (isRef(v) && this.touched.get(v.num) !== 'new') {
        this.blame(num, `new signature field ${name} points to an existing signature dictionary (obj ${v.num})`);
        return;
      }
      const sig = dictOf(this.neu, v);
      if (sig?.name('Type') === 'DocTimeStamp' || sig?.name('SubFilter') === 'ETSI.RFC3161') this.note('signatures', `document timestamp ${name} added`);
      else this.note('signatures', `signature field ${name} added and signed`);
    } else if (this.drawsSomething(node.dict)) {
      // An unsigned signature field whose widget paints on the page is an overlay like any
      // annotation (the "sneaky signature" attack draws new text over the signed content this way).
      this.note('annotations', `empty signature field ${name} added with a visible appearance (drawn over the page)`);
    } else this.note('signatures', `empty signature field ${name} added`);
    this.explain(num);
    this.explainTree(new PdfDict([...node.dict.map].filter(([k]) => !BACK_KEYS.has(k))));
  }

  /** Whether annotation `d` paints on its page: not hidden, an area, a normal appearance that draws. */
  private paintsOnPage(d: PdfDict): boolean {
    return !hidden(safeResolve(this.neu, d.get('F'))) && this.drawsSomething(d);
  }

  /**
   * Whether a field's widgets (the field itself, or its /Kids) paint anything: a normal appearance
   * that is not empty, on a rectangle with an area. (A blank "sign here" box paints nothing.)
   */
  private drawsSomething(field: PdfDict): boolean {
    const neu = this.neu;
    const paints = (o: PdfObject | undefined): boolean => {
      const v = safeResolve(neu, o);
      if (v instanceof PdfStream) {
        try {
          return neu.streamData(v).some((b) => b > 0x20);
        } catch {
          return true; // unreadable: assume the worst
        }
      }
      return isDict(v) && [...v.map.values()].some((state) => safeResolve(neu, state) instanceof PdfStream && paints(state));
    };
    const kids = arrayOf(neu, field.get('Kids')).map((k) => dictOf(neu, k));
    return [field, ...kids].some((w) => {
      const rect = w ? arrayOf(neu, w.get('Rect')) : [];
      if (!w || rect.length !== 4 || !rect.every((x) => typeof x === 'number')) return false;
      const [x1, y1, x2, y2] = rect as number[];
      return Math.abs(x2! - x1!) > 0 && Math.abs(y2! - y1!) > 0 && paints(dictOf(neu, w.get('AP'))?.get('N'));
    });
  }

  private existingFormNode(before: FormNode, node: FormNode): void {
    const num = node.num;
    if (this.frozen.has(num)) return; // a signed signature field: any change was reported
    const name = node.name || before.name || '(unnamed)';
    const isSig = node.ft === 'Sig' || before.ft === 'Sig';
    const lock = isSig ? undefined : this.lockOf(before.name);
    const what = node.kind === 'widget' ? `widget of form field ${name}` : `form field ${name}`;
    if (before.ft !== node.ft) this.note('disallowed', `form field ${name} changed type (/${before.ft ?? '?'} → /${node.ft ?? '?'})`);
    let apNoted = false;
    if (this.touched.get(num) === 'changed') {
      const od = dictOf(this.old, new PdfRef(num, 0));
      const keys = changedKeys(od, this.old, node.dict, this.neu).filter((k) => !(k === 'Ff' && this.madeReadOnly(od, node.dict, what)));
      const allowed = allowedFieldKeys(node.kind, isSig);
      const bad = keys.filter((k) => !allowed.has(k) && !(k === 'Kids' && node.kind !== 'node' && this.onlyWidgetsRemoved(od, node.dict)));
      for (const k of bad) {
        if (k === 'Kids' && node.kind !== 'node') this.blame(num, `${what} gained or lost widgets (obj ${num})`);
        else this.blame(num, `${what} /${k} changed (obj ${num})`);
      }
      if (node.kind === 'node' && keys.includes('Kids')) {
        const oldKids = arrayOf(this.old, od?.get('Kids')).filter(isRef).map((r) => r.num);
        const newKids = new Set(arrayOf(this.neu, node.dict.get('Kids')).filter(isRef).map((r) => r.num));
        if (oldKids.some((k) => !newKids.has(k))) this.blame(num, `form field ${name} lost child fields (obj ${num})`);
      }
      const good = keys.filter((k) => allowed.has(k) && k !== 'Kids');
      const looks = good.filter((k) => k === 'AP' || k === 'AS');
      apNoted = looks.length > 0;
      const other = good.filter((k) => k !== 'AP' && k !== 'AS');
      if (good.length > 0) {
        if (lock) this.blame(num, `form field ${name} is locked by ${lock} but its ${good.map((k) => '/' + k).join(' ')} changed`);
        else if (isSig) {
          if (good.includes('V')) {
            const v = node.dict.get('V');
            if (isRef(v) && this.touched.get(v.num) !== 'new') this.blame(num, `signature field ${name} now points to an existing object (obj ${v.num}) as its signature`);
            else this.note('signatures', `signature field ${name} signed`);
          } else this.note('signatures', `signature field ${name} ${good.map((k) => '/' + k).join(' ')} changed`);
        } else {
          if (good.includes('V') || good.includes('RV')) this.note('form-fill', `form field ${name} filled (/V changed)`);
          else if (other.length > 0) this.note('form-fill', `${what} ${other.map((k) => '/' + k).join(' ')} changed`);
          if (looks.length > 0) this.note('form-fill', `appearance of ${what} changed`);
        }
      }
      if (bad.length === 0) this.explain(num);
      for (const k of good) this.explainTree(node.dict.get(k));
    }
    if (node.kind === 'merged' || node.kind === 'widget') {
      if (this.explainAppearance(num, node.dict) && !apNoted) {
        if (lock) this.blame(num, `form field ${name} is locked by ${lock} but its appearance changed`);
        else this.note(isSig ? 'signatures' : 'form-fill', `appearance of ${what} changed`);
      }
    }
  }

  /**
   * A field's /Ff that only gained ReadOnly (bit 1): what Acrobat does to the fields a signature
   * locks, in the signature's revision. Noted as form filling; locked or not, nothing can be typed.
   */
  private madeReadOnly(before: PdfDict | undefined, after: PdfDict, what: string): boolean {
    const o = safeResolve(this.old, before?.get('Ff')) ?? 0;
    const n = safeResolve(this.neu, after.get('Ff'));
    if (typeof o !== 'number' || typeof n !== 'number' || (o | 1) !== n || (o & 1) === 1) return false;
    this.note('form-fill', `${what} made read-only (/Ff)`);
    return true;
  }

  /** A field's /Kids that lost widgets (each one removable) and gained none. */
  private onlyWidgetsRemoved(before: PdfDict | undefined, after: PdfDict): boolean {
    const oldKids = arrayOf(this.old, before?.get('Kids')).filter(isRef).map((r) => r.num);
    const newKids = arrayOf(this.neu, after.get('Kids')).filter(isRef).map((r) => r.num);
    const kept = new Set(oldKids);
    if (newKids.some((k) => !kept.has(k))) return false;
    const gone = oldKids.filter((k) => !newKids.includes(k));
    return gone.length > 0 && gone.every((k) => this.widgetRemovable(k));
  }

  /** The signature whose field lock covers `name`, as words for a detail; undefined when the field is not locked. */
  private lockOf(name: string): string | undefined {
    for (const l of this.locks) {
      const listed = [...l.fields].some((f) => name === f || name.startsWith(f + '.'));
      if (l.action === 'All' || (l.action === 'Include' && listed) || (l.action === 'Exclude' && !listed)) return `signature ${l.by}`;
    }
    return undefined;
  }

  /** Field locks of the earlier revision's signed signature fields: their /Lock and the FieldMDP references of their signatures. */
  private readLocks(): Lock[] {
    const out: Lock[] = [];
    const r = this.old;
    const add = (d: PdfDict | undefined, by: string): void => {
      if (!d) return;
      const action = d.name('Action');
      if (!action) return;
      const fields = new Set<string>();
      for (const f of arrayOf(r, d.get('Fields'))) {
        const s = safeResolve(r, f);
        if (s instanceof PdfString) fields.add(decodeTextString(s.bytes));
      }
      out.push({ by, action, fields });
    };
    for (const node of this.oldTree.values()) {
      if (node.ft !== 'Sig' || node.kind === 'widget' || node.kind === 'node') continue;
      const sig = dictOf(r, node.dict.get('V'));
      if (!sig) continue;
      add(dictOf(r, node.dict.get('Lock')), node.name);
      for (const ref of arrayOf(r, sig.get('Reference'))) {
        const rd = dictOf(r, ref);
        if (rd?.name('TransformMethod') === 'FieldMDP') add(dictOf(r, rd.get('TransformParams')), node.name);
      }
    }
    return out;
  }

  private checkBookkeeping(): void {
    for (const [num, state] of this.touched) {
      if (this.explained.has(num) || this.frozen.has(num)) continue;
      const v = safeGet(this.neu, num);
      if (!(v instanceof PdfStream)) continue;
      const type = v.dict.name('Type');
      if (type !== 'XRef' && type !== 'ObjStm') continue;
      if (state === 'new') this.explained.add(num);
      else {
        const ov = safeGet(this.old, num);
        if (ov instanceof PdfStream && ov.dict.name('Type') === type) this.explained.add(num);
      }
    }
  }

  private checkUnexplained(): void {
    const pendingNew = new Set<number>();
    const reached = (): Set<number> => reachable(this.neu, new PdfDict([...this.neu.trailer.map].filter(([k]) => k !== 'Prev' && k !== 'XRefStm' && k !== 'Encrypt')), MAX_WALK);
    if (this.freed.size > 0) {
      // An object deleted that nothing uses any more: the rule that judged its last user judged
      // the deletion (an annotation removed, an /Annots array dropped). One still in use, or
      // frozen, is disallowed.
      const live = reached();
      for (const [num, what] of this.freed) {
        const role = this.frozen.get(num);
        if (role) this.blame(num, `object ${num}${what} of the earlier revision deleted (free entry): ${role}`);
        else if (live.has(num)) this.blame(num, `object ${num}${what} of the earlier revision deleted (free entry) but still used`);
        else this.note('none', `object ${num}${what} deleted, no longer used`);
      }
    }
    for (const [num, state] of this.touched) {
      if (this.explained.has(num) || this.frozen.has(num) || this.reported.has(num)) continue;
      if (state === 'changed') {
        const ov = safeGet(this.old, num);
        const nv = safeGet(this.neu, num);
        this.note('disallowed', `object ${num}${describe(ov)} of the earlier revision redefined${describe(nv) !== describe(ov) ? ` as${describe(nv)}` : ''}, outside anything an update may change`);
      } else pendingNew.add(num);
    }
    if (pendingNew.size === 0) return;
    // New objects nothing accounted for: harmless when nothing reaches them, already reported when
    // only objects whose own change was reported reach them.
    const parents = new Map<number, number[]>();
    const seen = new Set<number>();
    const stack: number[] = [];
    for (const k of ['Root', 'Info']) {
      const r = this.neu.trailer.get(k);
      if (isRef(r) && !seen.has(r.num)) {
        seen.add(r.num);
        stack.push(r.num);
      }
    }
    let budget = MAX_WALK;
    while (stack.length && budget-- > 0) {
      const cur = stack.pop()!;
      forEachRef(safeGet(this.neu, cur), (ref) => {
        if (pendingNew.has(ref.num)) {
          const list = parents.get(ref.num) ?? [];
          if (!list.includes(cur)) list.push(cur);
          parents.set(ref.num, list);
        }
        if (seen.has(ref.num)) return;
        seen.add(ref.num);
        stack.push(ref.num);
      });
    }
    const accounted = (n: number): boolean => !this.touched.has(n) || this.explained.has(n);
    for (const num of pendingNew) {
      if (!seen.has(num)) continue;
      const list = parents.get(num) ?? [];
      if (list.length > 0 && !list.some(accounted)) continue;
      const from = list.find(accounted);
      const v = safeGet(this.neu, num);
      const via = from === undefined ? 'the trailer' : `obj ${from}${describe(safeGet(this.neu, from))}`;
      this.note('disallowed', `new object ${num}${describe(v)} is used by ${via} in a way no allowed change explains`);
    }
  }
}

function present(o: PdfObject | undefined): boolean {
  return o !== undefined && o !== null;
}

/** Annotation flags Hidden (2) or NoView (32): the annotation shows nothing on screen. */
function hidden(flags: PdfObject | undefined): boolean {
  return typeof flags === 'number' && (flags & 34) !== 0;
}

/**
 * A widget is a form field's face; one that belongs to no field but paints on the page is an
 * overlay that no field value explains (the "replace via overlay" shadow attack).
 */
const SHADOW_WIDGET = 'widget annotation that belongs to no form field added with a visible appearance: it can paint over the signed content';

/** The objects `o` reaches in `r` (bounded). */
function reachable(r: PdfReader, o: PdfObject | undefined, limit = 100_000): Set<number> {
  const seen = new Set<number>();
  const stack: Array<PdfObject | undefined> = [o];
  let budget = limit;
  while (stack.length && budget-- > 0) {
    forEachRef(stack.pop(), (ref) => {
      if (seen.has(ref.num)) return;
      seen.add(ref.num);
      stack.push(safeGet(r, ref.num));
    });
  }
  return seen;
}

/** True for dictionaries a freeze does not walk into: pages, the catalog, annotations, fields. */
/** A direct object as text, dictionary keys sorted: equal texts, equal objects (references not followed). */
function canonical(o: PdfObject | undefined, depth = 0): string {
  if (depth > 64) return '…';
  if (o === undefined || o === null) return 'null';
  if (typeof o === 'number' || typeof o === 'boolean') return String(o);
  if (o instanceof PdfName) return `/${o.value}`;
  if (o instanceof PdfString) return `<${o.bytes.toString('hex')}>`;
  if (isRef(o)) return `${o.num} ${o.gen} R`;
  if (isArray(o)) return `[${o.map((x) => canonical(x, depth + 1)).join(' ')}]`;
  if (isDict(o)) return `<<${[...o.map.keys()].sort().map((k) => `/${k} ${canonical(o.get(k), depth + 1)}`).join(' ')}>>`;
  return `stream ${canonical(o.dict, depth + 1)}`;
}

function countBy<T>(items: T[], key: (t: T) => string): Map<string, number> {
  const m = new Map<string, number>();
  for (const t of items) m.set(key(t), (m.get(key(t)) ?? 0) + 1);
  return m;
}

/** Takes one of `key` from the counts; false when there is none left. */
function takeOne(counts: Map<string, number>, key: string): boolean {
  const n = counts.get(key) ?? 0;
  if (n === 0) return false;
  counts.set(key, n - 1);
  return true;
}
