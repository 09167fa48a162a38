// Who refers to what in one revision of a document: for each object, the objects (and trailers)
// whose values name it. A rule asks it when an object's use must be its own (an appearance stream
// an update rewrites may not also be what the catalog or the trailer points to).
import type { PdfObject } from '../pdf/objects.js';
import type { PdfReader } from '../pdf/reader.js';
import { describe, forEachRef, safeGet } from './changes-util.js';

/** Object number standing for "a trailer" among the users of an object (0 is never an object). */
const TRAILER = 0;
const MAX_WALK = 2_000_000;

export class ReferenceIndex {
  private readonly users = new Map<number, Set<number>>();

  /** Walks everything the revision's trailers reach, once. */
  constructor(private readonly reader: PdfReader) {
    const seen = new Set<number>();
    const stack: Array<[number, PdfObject | undefined]> = [];
    // Every trailer of the revision, with the keys readers ignore: a reference kept there is a use.
    for (const t of [reader.trailer, ...reader.sections.map((sec) => sec.trailer)])
      for (const [k, v] of t.map) if (k !== 'Prev' && k !== 'XRefStm' && k !== 'Encrypt') stack.push([TRAILER, v]);
    let budget = MAX_WALK;
    while (stack.length && budget-- > 0) {
      const [from, o] = stack.pop()!;
      forEachRef(o, (ref) => {
        const set = this.users.get(ref.num) ?? new Set<number>();
        set.add(from);
        this.users.set(ref.num, set);
        if (seen.has(ref.num)) return;
        seen.add(ref.num);
        stack.push([ref.num, safeGet(reader, ref.num)]);
      });
    }
  }

  /** Whether anything but the objects `own` refers to object `num`. */
  usedBesides(num: number, own: ReadonlySet<number>): boolean {
    return [...(this.users.get(num) ?? [])].some((u) => !own.has(u));
  }

  /** The users of `num` other than `own`, in words for a detail. */
  describeUsers(num: number, own: ReadonlySet<number>): string {
    return [...(this.users.get(num) ?? [])]
      .filter((u) => !own.has(u))
      .map((u) => (u === TRAILER ? 'the trailer' : `obj ${u}${describe(safeGet(this.reader, u))}`))
      .join(', ');
  }
}
