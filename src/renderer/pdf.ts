// pdf.js for the screens: open a document from bytes, and find a line of text on its pages
// (the anchor a signature is placed by). The worker is a file of ours, so the CSP allows it.
import * as pdfjs from 'pdfjs-dist';
import workerUrl from 'pdfjs-dist/build/pdf.worker.min.mjs?url';

pdfjs.GlobalWorkerOptions.workerSrc = workerUrl;

export type PdfDocument = pdfjs.PDFDocumentProxy;
export type PageViewport = pdfjs.PageViewport;
export const AnnotationMode = pdfjs.AnnotationMode;

/** The first bytes fetched, and the size of each later range: pages are fetched as they are drawn. */
const FIRST_CHUNK = 256 * 1024;
const RANGE_CHUNK = 256 * 1024;

/**
 * pdf.js reading a stored file by HTTP ranges through fetch — /files/<sha256> on the web server or
 * kyso://app/files/<sha256> in the desktop app alike — so a scan of hundreds of MB is never loaded
 * whole: pdf.js asks for the ranges it needs (the cross-reference table, then each page it draws).
 */
class FetchRangeTransport extends pdfjs.PDFDataRangeTransport {
  constructor(
    private readonly url: string,
    private readonly headers: Record<string, string>,
    length: number,
    initial: Uint8Array,
  ) {
    super(length, initial);
  }

  override requestDataRange(begin: number, end: number): void {
    void fetch(this.url, { headers: { ...this.headers, Range: `bytes=${begin}-${end - 1}` } })
      .then(async (r) => {
        if (r.status !== 206 && r.status !== 200) throw new Error(`HTTP ${r.status}`);
        const bytes = new Uint8Array(await r.arrayBuffer());
        this.onDataRange(begin, r.status === 200 ? bytes.subarray(begin, end) : bytes);
      })
      .catch((e: unknown) => console.warn(`Kyso: bytes ${begin}-${end} of ${this.url} could not be read (${(e as Error).message})`));
  }
}

/** Opens a stored file by URL, range by range. */
export async function openPdfUrl(url: string, headers: Record<string, string> = {}): Promise<PdfDocument> {
  const first = await fetch(url, { headers: { ...headers, Range: `bytes=0-${FIRST_CHUNK - 1}` } });
  if (first.status !== 206 && first.status !== 200) throw new Error(`${url}: HTTP ${first.status}`);
  const initial = new Uint8Array(await first.arrayBuffer());
  const total = first.status === 206 ? Number(/\/(\d+)\s*$/.exec(first.headers.get('content-range') ?? '')?.[1]) : initial.length;
  // No eval (the CSP forbids it).
  if (!Number.isFinite(total) || initial.length >= total) return pdfjs.getDocument({ data: initial, isEvalSupported: false }).promise;
  const range = new FetchRangeTransport(url, headers, total, initial);
  return pdfjs.getDocument({ range, rangeChunkSize: RANGE_CHUNK, disableAutoFetch: true, disableStream: true, isEvalSupported: false }).promise;
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
