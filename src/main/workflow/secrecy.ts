// State-secret documents (MẬT, TỐI MẬT, TUYỆT MẬT — NĐ30 cell 10a) stay outside electronic
// exchange (QN Đ1.1, Đ19.2d). A document is refused when flagged, or when its first pages show the
// mark: the upper-case word standing alone, not "BÍ MẬT" or "BẢO MẬT" in a sentence or a title.
import { openDocumentText } from '../appearance/anchors.js';
import type { SecrecyValue } from '../store/documents.js';

export interface SecrecyFinding {
  secrecy: Exclude<SecrecyValue, 'none'>;
  /** Where it was found: "page 1: «MẬT»" or "flag". */
  where: string;
}

const MARK = /(?<![\p{L}])(?<!BÍ\s)(?<!BẢO\s)(TUYỆT MẬT|TỐI MẬT|MẬT)(?![\p{L}])/u;
const VALUE: Record<string, Exclude<SecrecyValue, 'none'>> = { 'TUYỆT MẬT': 'tuyet-mat', 'TỐI MẬT': 'toi-mat', 'MẬT': 'mat' };

/** The secrecy mark in one line of text, if any. */
export function secrecyInLine(text: string): Exclude<SecrecyValue, 'none'> | undefined {
  const m = MARK.exec(text.normalize('NFC').replace(/\s+/g, ' '));
  return m ? VALUE[m[1]!] : undefined;
}

/** Looks for a secrecy mark on the first pages of a PDF (its text layer; a scan without one shows nothing). */
export async function findSecrecyMark(path: string, pages = 2): Promise<SecrecyFinding | undefined> {
  const doc = await openDocumentText(path);
  try {
    for (let p = 0; p < Math.min(pages, doc.pageCount); p++) {
      for (const line of await doc.lines(p)) {
        const s = secrecyInLine(line.text);
        if (s) return { secrecy: s, where: `trang ${p + 1} | page ${p + 1}: «${line.text.trim().slice(0, 60)}»` };
      }
    }
    return undefined;
  } finally {
    await doc.close();
  }
}
