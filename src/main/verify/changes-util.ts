// Helpers for the modification-detection code (changes.ts, changes-diff.ts): severity order,
// structural equality of PDF objects across two revisions, and reads that never throw.
import { PdfDict, PdfName, PdfRef, PdfStream, PdfString, isArray, isDict, isRef, type PdfObject } from '../pdf/objects.js';
import type { PdfReader } from '../pdf/reader.js';
import type { XrefEntry } from '../pdf/xref.js';

export type ChangeKind = 'none' | 'form-fill' | 'annotations' | 'signatures' | 'disallowed';

const SEVERITY: Record<ChangeKind, number> = { none: 0, 'form-fill': 1, annotations: 2, signatures: 3, disallowed: 4 };

/** The more severe of two kinds. */
export function worse(a: ChangeKind, b: ChangeKind): ChangeKind {
  return SEVERITY[b] > SEVERITY[a] ? b : a;
}

export function sameEntry(a: XrefEntry | undefined, b: XrefEntry | undefined): boolean {
  if (!a || !b) return a === b;
  if (a.type !== b.type) return false;
  if (a.type === 'n' && b.type === 'n') return a.offset === b.offset && a.gen === b.gen;
  if (a.type === 'c' && b.type === 'c') return a.stream === b.stream && a.index === b.index;
  return true;
}

export function inUse(e: XrefEntry | undefined): boolean {
  return !!e && e.type !== 'f';
}

/** The object numbered `num`, or undefined when it cannot be read. */
export function safeGet(r: PdfReader, num: number): PdfObject | undefined {
  try {
    return r.get(new PdfRef(num, 0));
  } catch {
    return undefined;
  }
}

export function safeResolve(r: PdfReader, o: PdfObject | undefined): PdfObject | undefined {
  try {
    return r.resolve(o);
  } catch {
    return undefined;
  }
}

/** The dictionary `o` is or points to (a stream's dictionary for a stream); undefined otherwise or on error. */
export function dictOf(r: PdfReader, o: PdfObject | undefined): PdfDict | undefined {
  try {
    return r.resolveDict(o);
  } catch {
    return undefined;
  }
}

export function arrayOf(r: PdfReader, o: PdfObject | undefined): PdfObject[] {
  const v = safeResolve(r, o);
  return isArray(v) ? v : [];
}

function present(o: PdfObject | undefined): boolean {
  return o !== undefined && o !== null;
}

/** Keys of either dictionary whose values differ (an absent key and a null value are the same). */
export function changedKeys(a: PdfDict | undefined, ra: PdfReader, b: PdfDict | undefined, rb: PdfReader, ignore: ReadonlySet<string> = NO_KEYS): string[] {
  const keys = new Set<string>([...(a?.keys() ?? []), ...(b?.keys() ?? [])]);
  const out: string[] = [];
  for (const k of keys) {
    if (ignore.has(k)) continue;
    if (!sameValue(a?.get(k), ra, b?.get(k), rb)) out.push(k);
  }
  return out;
}

const NO_KEYS: ReadonlySet<string> = new Set();
const STREAM_IGNORED: ReadonlySet<string> = new Set(['Length']);

/**
 * Structural equality of two objects read from two revisions. References are compared by number
 * and generation, not followed: what they point to is compared on its own, object by object.
 * Streams are equal when their dictionaries (but /Length) are and their data is, raw or decoded.
 */
export function sameValue(a: PdfObject | undefined, ra: PdfReader, b: PdfObject | undefined, rb: PdfReader, depth = 0): boolean {
  if (a === b) return true;
  if (!present(a) || !present(b)) return !present(a) && !present(b);
  if (depth > 64) return false;
  if (typeof a === 'number' || typeof a === 'boolean' || typeof b === 'number' || typeof b === 'boolean') return a === b;
  if (a instanceof PdfName) return b instanceof PdfName && a.value === b.value;
  if (a instanceof PdfString) return b instanceof PdfString && a.bytes.equals(b.bytes);
  if (a instanceof PdfRef) return b instanceof PdfRef && a.num === b.num && a.gen === b.gen;
  if (isArray(a)) {
    if (!isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!sameValue(a[i], ra, b[i], rb, depth + 1)) return false;
    return true;
  }
  if (isDict(a)) return isDict(b) && sameDict(a, ra, b, rb, NO_KEYS, depth);
  if (a instanceof PdfStream) {
    if (!(b instanceof PdfStream)) return false;
    if (!sameDict(a.dict, ra, b.dict, rb, STREAM_IGNORED, depth)) return false;
    try {
      const x = ra.rawStreamData(a);
      const y = rb.rawStreamData(b);
      if (x.equals(y)) return true;
      return ra.streamData(a).equals(rb.streamData(b));
    } catch {
      return false;
    }
  }
  return false;
}

function sameDict(a: PdfDict, ra: PdfReader, b: PdfDict, rb: PdfReader, ignore: ReadonlySet<string>, depth: number): boolean {
  const keys = new Set<string>([...a.keys(), ...b.keys()]);
  for (const k of keys) {
    if (ignore.has(k)) continue;
    if (!sameValue(a.get(k), ra, b.get(k), rb, depth + 1)) return false;
  }
  return true;
}

/** Calls fn for every reference directly inside `o` (not following any), with the key it sits under. */
export function forEachRef(o: PdfObject | undefined, fn: (ref: PdfRef, key: string | undefined) => void, skip: ReadonlySet<string> = NO_KEYS, key?: string, depth = 0): void {
  if (depth > 64 || o === undefined || o === null) return;
  if (isRef(o)) fn(o, key);
  else if (isArray(o)) {
    // Numbers need no call: a font's widths array holds tens of thousands of them.
    for (const x of o) if (typeof x === 'object' && x !== null) forEachRef(x, fn, skip, key, depth + 1);
  } else if (isDict(o)) {
    for (const [k, v] of o.map) if (!skip.has(k)) forEachRef(v, fn, skip, k, depth + 1);
  } else if (o instanceof PdfStream) forEachRef(o.dict, fn, skip, key, depth + 1);
}

/** A few words on what an object is, for details: " (/Font)", " (stream)", "". */
export function describe(o: PdfObject | undefined): string {
  const d = isDict(o) ? o : o instanceof PdfStream ? o.dict : undefined;
  if (!d) return isArray(o) ? ' (array)' : '';
  const type = d.name('Type');
  const sub = d.name('Subtype');
  if (type && sub) return ` (/${type} /${sub})`;
  if (type) return ` (/${type})`;
  if (sub) return ` (/${sub})`;
  if (d.name('FT')) return ` (/FT /${d.name('FT')})`;
  return o instanceof PdfStream ? ' (stream)' : '';
}
