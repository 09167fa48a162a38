// GET /files/<sha256>/page-tree?chunk=N (web) and kyso://app/files/<sha256>/page-tree?chunk=N
// (desktop): the chunks of a stored PDF that hold its page tree, in one answer, so that the page's
// pdf.js — which walks every page object before it shows the first page — finds them at hand
// instead of asking for them one range at a time (329 round trips for a 500 MB scan).
// The answer is binary: a 32-bit count, that many 32-bit chunk indexes, then the chunks' bytes in
// that order (each chunk N bytes, the file's last one shorter).
import { open } from 'node:fs/promises';
import { pageTreeOffsets } from '../pdf/page-tree.js';
import { PdfReader } from '../pdf/reader.js';

/** Page dictionaries are small: an object is taken to end within this many bytes of its start. */
const OBJECT_SPAN = 2048;
/** At most this many chunks (pdf.js asks for the others itself). */
const MAX_CHUNKS = 1024;

/** The chunk size a request may ask for. */
export function parseChunkSize(v: string | null): number | undefined {
  const n = Number(v);
  return Number.isInteger(n) && n >= 1024 && n <= 1 << 20 ? n : undefined;
}

/** The indexes of the chunks holding the page tree; none for a file that does not read as a PDF. */
export function pageTreeChunkIndexes(path: string, size: number, chunk: number): number[] {
  let r: PdfReader;
  try {
    r = PdfReader.open(path);
  } catch {
    return [];
  }
  try {
    const out = new Set<number>();
    for (const at of pageTreeOffsets(r)) {
      out.add(Math.floor(at / chunk));
      out.add(Math.floor(Math.min(at + OBJECT_SPAN, size - 1) / chunk));
      if (out.size >= MAX_CHUNKS) break;
    }
    return [...out].sort((a, b) => a - b).slice(0, MAX_CHUNKS);
  } catch {
    return [];
  } finally {
    r.close();
  }
}

/** The answer's bytes, streamed: the index, then each chunk read from the file. */
export async function* pageTreeBody(path: string, size: number, chunk: number, indexes: number[]): AsyncGenerator<Buffer> {
  const head = Buffer.alloc(4 + 4 * indexes.length);
  head.writeUInt32BE(indexes.length, 0);
  indexes.forEach((idx, i) => head.writeUInt32BE(idx, 4 + 4 * i));
  yield head;
  const fh = await open(path, 'r');
  try {
    for (const idx of indexes) {
      const start = idx * chunk;
      const buf = Buffer.alloc(Math.min(chunk, size - start));
      let done = 0;
      while (done < buf.length) {
        const { bytesRead } = await fh.read(buf, done, buf.length - done, start + done);
        if (bytesRead === 0) break;
        done += bytesRead;
      }
      yield buf;
    }
  } finally {
    await fh.close();
  }
}

/** The answer's length, for Content-Length. */
export function pageTreeLength(size: number, chunk: number, indexes: number[]): number {
  return 4 + 4 * indexes.length + indexes.reduce((s, idx) => s + Math.min(chunk, size - idx * chunk), 0);
}
