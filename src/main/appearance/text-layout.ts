// Line breaking and sizing of the short texts appearances show (names, times, stamps), measured
// with the embedded font's own widths.
import type { FontFace } from './fonts.js';
import { prepareText } from './fonts.js';

/** Breaks text into lines no wider than maxWidth, at spaces; a word too long alone is cut. */
export function wrapText(face: FontFace, text: string, size: number, maxWidth: number): string[] {
  const lines: string[] = [];
  for (const paragraph of prepareText(text).split('\n')) {
    let line = '';
    for (const word of paragraph.split(/\s+/).filter(Boolean)) {
      const candidate = line ? `${line} ${word}` : word;
      if (face.measure(candidate, size) <= maxWidth) {
        line = candidate;
        continue;
      }
      if (line) lines.push(line);
      line = '';
      let rest = word;
      while (face.measure(rest, size) > maxWidth && rest.length > 1) {
        let cut = rest.length - 1;
        while (cut > 1 && face.measure(rest.slice(0, cut), size) > maxWidth) cut--;
        lines.push(rest.slice(0, cut));
        rest = rest.slice(cut);
      }
      line = rest;
    }
    if (line) lines.push(line);
  }
  return lines;
}

export interface FittedText {
  size: number;
  lines: string[];
  lineHeight: number;
}

/** The largest size (from maxSize down to minSize) at which text fits width × height. */
export function fitText(face: FontFace, text: string, width: number, height: number, maxSize: number, minSize = 4, leading = 1.15): FittedText {
  for (let size = maxSize; size >= minSize; size -= 0.25) {
    const lines = wrapText(face, text, size, width);
    if (lines.length * size * leading <= height) return { size, lines, lineHeight: size * leading };
  }
  return { size: minSize, lines: wrapText(face, text, minSize, width), lineHeight: minSize * leading };
}

/** Initials of a person's name, e.g. "Trần Thị Hồng Nhung" -> "TTHN" (cell 12 of NĐ 30). */
export function initials(name: string): string {
  return prepareText(name)
    .split(/\s+/)
    .filter(Boolean)
    .map((w) => [...w][0]!.toLocaleUpperCase('vi'))
    .join('');
}
