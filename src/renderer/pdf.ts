// pdf.js for the screens: open a document from bytes, and find a line of text on its pages
// (the anchor a signature is placed by). The worker is a file of ours, so the CSP allows it.
import * as pdfjs from 'pdfjs-dist';
import workerUrl from 'pdfjs-dist/build/pdf.worker.min.mjs?url';

pdfjs.GlobalWorkerOptions.workerSrc = workerUrl;

export type PdfDocument = pdfjs.PDFDocumentProxy;
export type PageViewport = pdfjs.PageViewport;
export const AnnotationMode = pdfjs.AnnotationMode;

export function openPdf(data: Uint8Array): Promise<PdfDocument> {
  // pdf.js takes ownership of the buffer it is given: give it a copy. No eval (the CSP forbids it).
  return pdfjs.getDocument({ data: data.slice(), isEvalSupported: false }).promise;
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
