// HTTP byte ranges (RFC 9110 §14) for serving stored files: one range per request, which is what
// pdf.js asks for when it loads a document's pages on demand. Pure, so the web server and the
// desktop shell's kyso:// scheme answer the same way.

export type RangeAnswer =
  /** No Range header (or one we may ignore, e.g. another unit): the whole file, 200. */
  | { kind: 'full' }
  /** Bytes start..end inclusive, 206 with Content-Range: bytes start-end/size. */
  | { kind: 'partial'; start: number; end: number }
  /** 416 with Content-Range: bytes * /size. */
  | { kind: 'unsatisfiable' };

/**
 * What to answer for a Range header over a file of `size` bytes. A malformed header or several
 * ranges are answered as unsatisfiable rather than guessed at: our one client asks for one range.
 */
export function parseRange(header: string | null | undefined, size: number): RangeAnswer {
  if (header === undefined || header === null || header === '') return { kind: 'full' };
  const m = /^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$/i.exec(header);
  if (!m) return /^\s*bytes\s*=/i.test(header) ? { kind: 'unsatisfiable' } : { kind: 'full' };
  const [, a, b] = m as unknown as [string, string, string];
  if (a === '' && b === '') return { kind: 'unsatisfiable' };
  if (a === '') {
    // bytes=-N: the last N bytes.
    const n = Number(b);
    if (n === 0 || size === 0) return { kind: 'unsatisfiable' };
    return { kind: 'partial', start: Math.max(0, size - n), end: size - 1 };
  }
  const start = Number(a);
  if (!Number.isSafeInteger(start) || start >= size) return { kind: 'unsatisfiable' };
  let end = b === '' ? size - 1 : Number(b);
  if (!Number.isSafeInteger(end) || end < start) return { kind: 'unsatisfiable' };
  if (end >= size) end = size - 1;
  return { kind: 'partial', start, end };
}

/** The Content-Range header of an answer. */
export function contentRange(r: RangeAnswer, size: number): string | undefined {
  if (r.kind === 'partial') return `bytes ${r.start}-${r.end}/${size}`;
  if (r.kind === 'unsatisfiable') return `bytes */${size}`;
  return undefined;
}

/** Content-Disposition for saving a file under `name` (RFC 6266): an ASCII fallback and the UTF-8 name. */
export function attachmentDisposition(name: string): string {
  const ascii = name.normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/đ/g, 'd').replace(/Đ/g, 'D').replace(/[^\x20-\x7e]|["\\]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`;
}
