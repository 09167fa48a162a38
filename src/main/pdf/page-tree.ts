// Where a document's page tree lies in its file: the byte offsets of every Pages node and Page
// object, from the cross-reference table. pdf.js, opening a file by ranges, walks every kid of the
// page tree before it shows anything (it checks the last page exists), one range request after
// another; knowing these offsets lets the file's server send those few bytes in one answer.
import { isArray, isRef, type PdfObject } from './objects.js';
import type { PdfReader } from './reader.js';

/** Offsets (ascending, distinct) of the objects of the page tree; an object in an object stream counts as its stream's offset. */
export function pageTreeOffsets(r: PdfReader, limit = 100_000): number[] {
  const offsets = new Set<number>();
  const seen = new Set<number>();
  const offsetOf = (num: number): number | undefined => {
    const e = r.xref.get(num);
    if (e?.type === 'n') return e.offset;
    if (e?.type === 'c') {
      const s = r.xref.get(e.stream);
      return s?.type === 'n' ? s.offset : undefined;
    }
    return undefined;
  };
  const walk = (node: PdfObject | undefined, depth: number): void => {
    if (!isRef(node) || seen.has(node.num) || depth > 64 || seen.size >= limit) return;
    seen.add(node.num);
    const at = offsetOf(node.num);
    if (at !== undefined) offsets.add(at);
    const d = r.resolveDict(node);
    if (!d || d.name('Type') === 'Page') return;
    const kids = r.resolve(d.get('Kids'));
    if (isArray(kids)) for (const k of kids) walk(k, depth + 1);
  };
  walk(r.catalog().get('Pages'), 0);
  return [...offsets].sort((a, b) => a - b);
}
