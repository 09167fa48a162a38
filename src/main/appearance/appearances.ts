// What each signature shows (NĐ 30, Appendix I), drawn on a canvas of the appearance's upright
// size: the leader's handwritten signature, the seal, the Quảng Ninh organisation block, the
// drafter's initials, and the text stamp of attachments and copies.
import type { Rgb } from './content.js';
import type { Canvas, ImageHandle } from './kit.js';
import { fitText } from './text-layout.js';

export type Draw = (c: Canvas) => void;

const BLACK: Rgb = [0, 0, 0];

/** Where an image of the given pixel size fits inside w × h, centred, keeping its shape. */
export function fitImage(img: { width: number; height: number }, w: number, h: number): { x: number; y: number; w: number; h: number } {
  const scale = Math.min(w / img.width, h / img.height);
  const iw = img.width * scale;
  const ih = img.height * scale;
  return { x: (w - iw) / 2, y: (h - ih) / 2, w: iw, h: ih };
}

/** An image filling the appearance (the box was made in its shape): signature, seal, initials. */
export function imageAppearance(img: ImageHandle): Draw {
  return (c) => {
    const f = fitImage(img, c.width, c.height);
    c.image(img, f.x, f.y, f.w, f.h);
  };
}

/** Lines of text from the top, left-aligned, each with its own size and style. */
export interface TextLineSpec {
  text: string;
  size: number;
  style?: 'regular' | 'bold' | 'italic';
  color?: Rgb;
}

export function linesAppearance(lines: TextLineSpec[], leading = 1.2, margin = 1): Draw {
  return (c) => {
    let y = c.height - margin;
    for (const l of lines) {
      y -= l.size * leading;
      c.text(l.text, { x: margin, y: y + 0.24 * l.size, size: l.size, style: l.style, color: l.color ?? BLACK });
    }
  };
}

/** The size a block of lines needs (for placing a stamp before drawing it). */
export function measureLines(c: Pick<Canvas, 'face'>, lines: TextLineSpec[], leading = 1.2, margin = 1): { width: number; height: number } {
  let w = 0;
  let h = 0;
  for (const l of lines) {
    w = Math.max(w, c.face(l.style).measure(l.text, l.size));
    h += l.size * leading;
  }
  return { width: w + 2 * margin, height: h + 2 * margin };
}

/**
 * The attachment or copy stamp (NĐ 30): the main document's number and symbol (or the form of
 * copy), the signing time in ISO 8601 with +07:00, the organisation; serif, 10 pt, black, upright.
 */
export function stampLines(texts: string[], size: number): TextLineSpec[] {
  return texts.filter((t) => t.trim()).map((text) => ({ text, size }));
}

/** A signature without an image: the signer's name and the signing time, fitted to the box. */
export function signerTextAppearance(name: string, detail: string, color: Rgb = BLACK): Draw {
  return (c) => {
    const face = c.face('bold');
    const nameFit = fitText(face, name, c.width - 4, c.height * 0.55, 12);
    const detailFit = fitText(c.face('regular'), detail, c.width - 4, c.height * 0.4, 8);
    let y = c.height - 2;
    for (const line of nameFit.lines) {
      y -= nameFit.lineHeight;
      c.text(line, { x: 2, y: y + 0.25 * nameFit.size, size: nameFit.size, style: 'bold', color });
    }
    for (const line of detailFit.lines) {
      y -= detailFit.lineHeight;
      c.text(line, { x: 2, y: y + 0.25 * detailFit.size, size: detailFit.size, color });
    }
  };
}

/**
 * Quảng Ninh (QN Đ14.3a): the seal or logo at the left, then the organisation's name and the
 * signing time, fitted to the box.
 */
export function organisationBlockAppearance(o: { image?: ImageHandle; organisation: string; time: string; nameSize: number; timeSize: number }): Draw {
  return (c) => {
    let x = 2;
    if (o.image) {
      const side = c.height - 4;
      const f = fitImage(o.image, side, side);
      c.image(o.image, 2 + f.x, 2 + f.y, f.w, f.h);
      x = side + 6;
    }
    const w = c.width - x - 2;
    const nameFit = fitText(c.face('bold'), o.organisation, w, c.height * 0.6, o.nameSize);
    const timeFit = fitText(c.face('regular'), o.time, w, c.height * 0.35, o.timeSize);
    const total = nameFit.lines.length * nameFit.lineHeight + timeFit.lines.length * timeFit.lineHeight;
    let y = (c.height + total) / 2;
    for (const line of nameFit.lines) {
      y -= nameFit.lineHeight;
      c.text(line, { x, y: y + 0.25 * nameFit.size, size: nameFit.size, style: 'bold', color: BLACK });
    }
    for (const line of timeFit.lines) {
      y -= timeFit.lineHeight;
      c.text(line, { x, y: y + 0.25 * timeFit.size, size: timeFit.size, color: BLACK });
    }
  };
}
