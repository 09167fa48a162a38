// pdf.js for the screens: open a document from bytes, and find a line of text on its pages
// (the anchor a signature is placed by). The worker is a file of ours, so the CSP allows it.
import * as pdfjs from 'pdfjs-dist';
import workerUrl from 'pdfjs-dist/build/pdf.worker.min.mjs?url';

pdfjs.GlobalWorkerOptions.workerSrc = workerUrl;

/**
 * One pdf.js worker for every document the screens open, started with the page: its 1.4 MB of
 * script is loaded and compiled once, not on the way to each first page.
 */
let worker: pdfjs.PDFWorker | undefined;
function sharedWorker(): pdfjs.PDFWorker {
  return (worker ??= new pdfjs.PDFWorker());
}
if (typeof window !== 'undefined') queueMicrotask(() => void sharedWorker());

export type PdfDocument = pdfjs.PDFDocumentProxy;
export type PageViewport = pdfjs.PageViewport;
export const AnnotationMode = pdfjs.AnnotationMode;

/** The first bytes fetched, and the size of each later range: pages are fetched as they are drawn. */
const FIRST_CHUNK = 256 * 1024;
const RANGE_CHUNK = 32 * 1024;

/**
 * pdf.js reading a stored file by HTTP ranges through fetch — /files/<sha256> on the web server or
 * kyso://app/files/<sha256> in the desktop app alike — so a scan of hundreds of MB is never loaded
 * whole: pdf.js asks for the ranges it needs (the cross-reference table, then each page it draws).
 * The chunks holding the page tree, which pdf.js walks object by object before it shows anything,
 * come beforehand in one answer (<url>/page-tree) and are handed over without a round trip.
 */
class FetchRangeTransport extends pdfjs.PDFDataRangeTransport {
  constructor(
    private readonly url: string,
    private readonly headers: Record<string, string>,
    length: number,
    initial: Uint8Array,
    private readonly atHand: Map<number, Uint8Array>,
  ) {
    super(length, initial);
  }

  /** The range [begin, end) from the chunks at hand, or undefined when one is missing. */
  private fromHand(begin: number, end: number): Uint8Array | undefined {
    if (begin % RANGE_CHUNK !== 0) return undefined;
    const out = new Uint8Array(end - begin);
    for (let at = begin; at < end; at += RANGE_CHUNK) {
      const c = this.atHand.get(at / RANGE_CHUNK);
      if (!c || c.length < Math.min(RANGE_CHUNK, end - at)) return undefined;
      out.set(c.subarray(0, Math.min(RANGE_CHUNK, end - at)), at - begin);
    }
    return out;
  }

  override requestDataRange(begin: number, end: number): void {
    const ready = this.fromHand(begin, end);
    // pdf.js registers its reader after asking: the answer must come later, even when at hand.
    if (ready) return void queueMicrotask(() => this.onDataRange(begin, ready));
    void fetch(this.url, { headers: { ...this.headers, Range: `bytes=${begin}-${end - 1}` } })
      .then(async (r) => {
        if (r.status !== 206 && r.status !== 200) throw new Error(`HTTP ${r.status}`);
        const bytes = new Uint8Array(await r.arrayBuffer());
        this.onDataRange(begin, r.status === 200 ? bytes.subarray(begin, end) : bytes);
      })
      .catch((e: unknown) => console.warn(`Kyso: bytes ${begin}-${end} of ${this.url} could not be read (${(e as Error).message})`));
  }
}

/** The chunks of the page tree (see src/main/api/page-tree.ts); none when they cannot be had. */
async function pageTreeChunks(url: string, headers: Record<string, string>): Promise<Map<number, Uint8Array>> {
  const out = new Map<number, Uint8Array>();
  try {
    const r = await fetch(`${url}/page-tree?chunk=${RANGE_CHUNK}`, { headers });
    if (!r.ok) return out;
    const body = new Uint8Array(await r.arrayBuffer());
    const view = new DataView(body.buffer, body.byteOffset, body.byteLength);
    const count = view.getUint32(0);
    let at = 4 + 4 * count;
    for (let i = 0; i < count; i++) {
      const idx = view.getUint32(4 + 4 * i);
      const len = Math.min(RANGE_CHUNK, body.length - at);
      out.set(idx, body.subarray(at, at + len));
      at += len;
    }
  } catch {
    // Only a shortcut: pdf.js asks for what it needs anyway.
  }
  return out;
}

/** Opens a stored file by URL, range by range. */
export async function openPdfUrl(url: string, headers: Record<string, string> = {}): Promise<PdfDocument> {
  // Marks for the benchmark (bench/web.ts): fetching the first bytes and the page tree, then pdf.js opening.
  performance.mark('kyso-open-start');
  const [first, atHand] = await Promise.all([fetch(url, { headers: { ...headers, Range: `bytes=0-${FIRST_CHUNK - 1}` } }), pageTreeChunks(url, headers)]);
  performance.mark('kyso-open-fetched');
  if (first.status !== 206 && first.status !== 200) throw new Error(`${url}: HTTP ${first.status}`);
  const initial = new Uint8Array(await first.arrayBuffer());
  const total = first.status === 206 ? Number(/\/(\d+)\s*$/.exec(first.headers.get('content-range') ?? '')?.[1]) : initial.length;
  // No eval (the CSP forbids it).
  if (!Number.isFinite(total) || initial.length >= total) return pdfjs.getDocument({ data: initial, isEvalSupported: false, worker: sharedWorker() }).promise;
  const range = new FetchRangeTransport(url, headers, total, initial, atHand);
  const doc = await pdfjs.getDocument({ range, rangeChunkSize: RANGE_CHUNK, disableAutoFetch: true, disableStream: true, isEvalSupported: false, worker: sharedWorker() }).promise;
  performance.mark('kyso-open-ready');
  return doc;
}

export interface TextHit {
  page: number;
  /** User-space box of the matched text item: x, y (baseline), width, height. */
  x: number;
  y: number;
  width: number;
  height: number;
}

/** The first text item (by page, then reading order) containing `needle`, compared without case. */
export async function findText(doc: PdfDocument, needle: string): Promise<TextHit | undefined> {
  const want = needle.normalize('NFC').trim().toLocaleLowerCase('vi');
  if (!want) return undefined;
  for (let p = 1; p <= doc.numPages; p++) {
    const page = await doc.getPage(p);
    const content = await page.getTextContent();
    for (const item of content.items) {
      if (!('str' in item)) continue;
      if (item.str.normalize('NFC').toLocaleLowerCase('vi').includes(want)) {
        const [, , , d, e, f] = item.transform as number[];
        return { page: p, x: e!, y: f!, width: item.width, height: item.height || Math.abs(d!) };
      }
    }
  }
  return undefined;
}
