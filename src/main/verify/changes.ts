// What happened to a document after a signature: the incremental updates that follow the signed
// revision, each compared with the one before it (changes-diff.ts), classified by severity:
//
//   'none'         nothing but bookkeeping: cross-reference sections and streams, object streams,
//                  /Info, XMP /Metadata, a DSS (LTV validation data), catalog /Extensions and
//                  /Version, objects deleted that nothing uses any more
//   'form-fill'    values and appearances of existing, unlocked, non-signature fields; AcroForm
//                  /NeedAppearances, /DR, /DA; the structure tree (tags) of what is added or
//                  removed (changes-structure.ts)
//   'annotations'  annotations added, changed or removed on pages (with their appearances),
//                  a widget that belongs to no form field included; widgets of unsigned,
//                  unlocked fields removed
//   'signatures'   new signature fields (signed, empty, document timestamps) with widgets,
//                  appearances and signature dictionaries; an empty signature field signed;
//                  AcroForm /SigFlags
//   'disallowed'   anything else: page content, resources or page tree changed; catalog rewired
//                  (/OpenAction, /Names, /Outlines, /Perms...); an object of the earlier revision
//                  redefined outside the above, deleted, its generation changed, or its
//                  cross-reference entry pointed back into earlier bytes; a signed signature field
//                  or its signature dictionary touched; a locked field changed; a non-signature
//                  field added or removed; actions (JavaScript, /AA...) on new annotations; an
//                  update that cannot be read; an object stream of the update that viewers may
//                  read differently (an object listed twice, an entry pointing at another object);
//                  more updates than are compared (MAX_UPDATES).
//
// The most severe change over all later updates wins. A DSS alone is 'none' (it adds validation
// data, nothing a reader sees); a document timestamp adds a signature field, so it is 'signatures'.
import type { PdfReader } from '../pdf/reader.js';
import { diffRevisions } from './changes-diff.js';
import { worse, type ChangeKind } from './changes-util.js';

export type { ChangeKind } from './changes-util.js';

export interface ChangeReport {
  kind: ChangeKind;
  /** How many incremental updates follow the signed revision. */
  revisionsAfter: number;
  /** Short English facts, e.g. "page 1 /Contents redefined (obj 12)"; prefixed "update N: " when there are several. */
  details: string[];
  /** What is no disallowed change but worth saying (offsets repaired by scanning). */
  warnings?: string[];
}

const MAX_DETAILS = 60;
/**
 * More updates after one signature than real documents have (they have a handful). Each update is
 * compared with the whole revision before it, so a file of thousands of tiny updates would keep the
 * verifier busy for minutes: beyond this number they are not compared, and the answer is 'disallowed'.
 */
const MAX_UPDATES = 500;
const CHUNK = 1 << 20;

function isWhite(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09 || c === 0x0c || c === 0x00;
}

/** True when bytes [from, to) hold only white space. */
function blank(reader: PdfReader, from: number, to: number): boolean {
  for (let off = from; off < to; off += CHUNK) {
    const buf = reader.source.read(off, Math.min(CHUNK, to - off));
    for (const c of buf) if (!isWhite(c)) return false;
  }
  return true;
}

/**
 * Where the revisions after `from` end: just past each "startxref N %%EOF" (and its line break),
 * keeping only ends with something other than white space since the previous one.
 */
function revisionEnds(reader: PdfReader, from: number): number[] {
  const size = reader.size;
  const ends: number[] = [];
  const overlap = 16;
  let last = from;
  for (let off = Math.max(0, from - overlap); off < size; off += CHUNK - overlap) {
    const buf = reader.source.read(off, CHUNK);
    const text = buf.toString('latin1');
    for (let i = text.indexOf('%%EOF'); i >= 0; i = text.indexOf('%%EOF', i + 5)) {
      const at = off + i;
      let end = at + 5;
      if (end <= from) continue;
      const before = reader.source.read(Math.max(0, at - 64), Math.min(64, at)).toString('latin1');
      if (!/startxref\s+\d+\s*$/.test(before)) continue;
      const eol = reader.source.read(end, 2);
      if (eol[0] === 0x0d && eol[1] === 0x0a) end += 2;
      else if (eol[0] === 0x0a || eol[0] === 0x0d) end += 1;
      if (end <= last) continue;
      if (blank(reader, last, end)) continue;
      ends.push(end);
      last = end;
    }
    if (off + buf.length >= size) break;
  }
  return ends;
}

function shorten(details: string[]): string[] {
  return details.length > MAX_DETAILS ? [...details.slice(0, MAX_DETAILS), `… and ${details.length - MAX_DETAILS} more`] : details;
}

/**
 * What viewers may read differently among the objects the update stores in object streams (see
 * PdfReader.ambiguity): a hidden second copy of an object is a change no comparison can judge.
 */
function ambiguities(old: PdfReader, neu: PdfReader): string[] {
  const found = new Set<string>();
  for (const section of neu.sections) {
    if (section.offset < old.size) continue;
    for (const [num, e] of section.entries) {
      if (e.type !== 'c') continue;
      try {
        const a = neu.ambiguity(num);
        if (a) found.add(a);
      } catch {
        // An object stream that cannot be read: the comparison has reported its objects already.
      }
    }
  }
  return [...found];
}

/**
 * Classifies what the updates after a signature changed. `signedLength` is the length of the
 * signed revision (ByteRange[2] + ByteRange[3]). Never throws: what cannot be read is 'disallowed'.
 */
export function classifyChanges(reader: PdfReader, signedLength: number): ChangeReport {
  if (!Number.isInteger(signedLength) || signedLength <= 0 || signedLength > reader.size)
    return { kind: 'disallowed', revisionsAfter: 0, details: [`the signed length ${signedLength} does not fit the file (${reader.size} bytes)`] };
  try {
    if (blank(reader, signedLength, reader.size)) return { kind: 'none', revisionsAfter: 0, details: [] };
    let base: PdfReader;
    try {
      base = reader.revision(signedLength);
    } catch (e) {
      return { kind: 'disallowed', revisionsAfter: 0, details: [`the signed revision cannot be read (${(e as Error).message})`] };
    }
    const details: string[] = [];
    const warnings: string[] = [];
    let kind: ChangeKind = 'none';
    if (base.repaired) details.push('the signed revision has broken cross-reference information (read by scanning)');
    const ends = revisionEnds(reader, signedLength);
    const lastEnd = ends.length ? ends[ends.length - 1]! : signedLength;
    let trailing = false;
    if (!blank(reader, lastEnd, reader.size)) {
      // Bytes after the last complete update: what a reader makes of them is the file itself.
      trailing = true;
      const tail = reader.source.read(lastEnd, Math.min(reader.size - lastEnd, 4 * CHUNK)).toString('latin1');
      if (/\d+\s+\d+\s+obj\b|\bxref\b|\btrailer\b|startxref/.test(tail)) {
        kind = 'disallowed';
        details.push(`${reader.size - lastEnd} bytes after the last complete update hold PDF objects or cross-reference data without a proper end (%%EOF)`);
      } else details.push(`${reader.size - lastEnd} bytes of trailing data after the last update ignored`);
    }
    const count = ends.length + (trailing && ends.length === 0 ? 1 : 0);
    if (count > MAX_UPDATES) {
      details.push(`${count} updates follow the signature, more than the ${MAX_UPDATES} Kyso compares; what they changed was not checked`);
      base.close();
      return { kind: 'disallowed', revisionsAfter: count, details: shorten(details) };
    }
    // The bytes after the last complete update belong to the file as a whole, so they are compared too.
    const revisions = trailing ? [...ends, reader.size] : ends;
    const prefix = (i: number): string => (revisions.length > 1 ? `update ${i + 1}: ` : '');
    // One revision at a time, each compared with the one before it: only those two readers are kept.
    let prev = base;
    revisions.forEach((end, i) => {
      let neu: PdfReader;
      try {
        neu = i === revisions.length - 1 ? reader : reader.revision(end);
      } catch (e) {
        kind = 'disallowed';
        details.push(`${prefix(i)}the update ending at byte ${end} cannot be read (${(e as Error).message})`);
        return;
      }
      try {
        const r = diffRevisions(prev, neu);
        kind = worse(kind, r.kind);
        for (const d of r.details) details.push(prefix(i) + d);
        for (const w of r.warnings) if (!warnings.includes(w)) warnings.push(w);
        for (const d of ambiguities(prev, neu)) {
          kind = 'disallowed';
          details.push(prefix(i) + d);
        }
      } catch (e) {
        kind = 'disallowed';
        details.push(`${prefix(i)}the update ending at byte ${end} cannot be compared (${(e as Error).message})`);
      }
      prev.close();
      prev = neu;
    });
    if (prev !== reader) prev.close();
    return { kind, revisionsAfter: count, details: shorten(details), ...(warnings.length ? { warnings } : {}) };
  } catch (e) {
    return { kind: 'disallowed', revisionsAfter: 0, details: [`the changes after the signature cannot be read (${(e as Error).message})`] };
  }
}
