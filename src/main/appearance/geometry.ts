// Page geometry for placing appearances: boxes, the four right-angle frames a page or a line of
// text can be read in, and the mapping between the page's user space and what the reader sees
// (the crop box turned by /Rotate).
import type { PageInfo } from '../pdf/reader.js';

export type Rotation = 0 | 90 | 180 | 270;

/** An axis-aligned box, x0 < x1, y0 < y1. */
export interface Box {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

export function box(x0: number, y0: number, x1: number, y1: number): Box {
  return { x0: Math.min(x0, x1), y0: Math.min(y0, y1), x1: Math.max(x0, x1), y1: Math.max(y0, y1) };
}

export const width = (b: Box): number => b.x1 - b.x0;
export const height = (b: Box): number => b.y1 - b.y0;

/** The nearest right angle to a direction in degrees, counter-clockwise. */
export function snapRotation(degrees: number): Rotation {
  return ((((Math.round(degrees / 90) * 90) % 360) + 360) % 360) as Rotation;
}

/** Turns a point counter-clockwise by r degrees about the origin. */
export function rotatePoint(x: number, y: number, r: Rotation): [number, number] {
  switch (r) {
    case 0:
      return [x, y];
    case 90:
      return [-y, x];
    case 180:
      return [-x, -y];
    case 270:
      return [y, -x];
  }
}

export function rotateBox(b: Box, r: Rotation): Box {
  const [ax, ay] = rotatePoint(b.x0, b.y0, r);
  const [bx, by] = rotatePoint(b.x1, b.y1, r);
  return box(ax, ay, bx, by);
}

/**
 * A frame is user space turned so that its x axis runs along a line of text (or the page as the
 * reader sees it): frame = rotate(user, -r). Boxes computed in the frame ("below the title") are
 * turned back with toUser.
 */
export function toFrame(b: Box, r: Rotation): Box {
  return rotateBox(b, ((360 - r) % 360) as Rotation);
}
export function fromFrame(b: Box, r: Rotation): Box {
  return rotateBox(b, r);
}

/** The form XObject /Matrix that draws an upright appearance turned by r (counter-clockwise). */
export function rotationMatrix(r: Rotation): number[] {
  switch (r) {
    case 0:
      return [1, 0, 0, 1, 0, 0];
    case 90:
      return [0, 1, -1, 0, 0, 0];
    case 180:
      return [-1, 0, 0, -1, 0, 0];
    case 270:
      return [0, -1, 1, 0, 0, 0];
  }
}

/** The page's crop box in user space. */
export function cropBox(page: Pick<PageInfo, 'cropBox'>): Box {
  const [a, b, c, d] = page.cropBox;
  return box(a, b, c, d);
}

/**
 * The page as the reader sees it: the crop box turned clockwise by /Rotate, origin at its
 * lower-left corner. The visual frame is the frame of rotation /Rotate, shifted.
 */
export interface VisualPage {
  width: number;
  height: number;
  rotation: Rotation;
  /** A box in visual coordinates (points from the lower-left corner as seen) to user space. */
  toUser(b: Box): Box;
  /** A box in user space to visual coordinates. */
  toVisual(b: Box): Box;
}

export function visualPage(page: Pick<PageInfo, 'cropBox' | 'rotate'>): VisualPage {
  const r = page.rotate;
  const crop = cropBox(page);
  const framed = toFrame(crop, r);
  const toVisual = (b: Box): Box => {
    const f = toFrame(b, r);
    return box(f.x0 - framed.x0, f.y0 - framed.y0, f.x1 - framed.x0, f.y1 - framed.y0);
  };
  const toUser = (b: Box): Box => fromFrame(box(b.x0 + framed.x0, b.y0 + framed.y0, b.x1 + framed.x0, b.y1 + framed.y0), r);
  return { width: width(framed), height: height(framed), rotation: r, toUser, toVisual };
}

/** [x, y, w, h] relative to the crop box's lower-left corner, as signPdf takes a rectangle. */
export function toCropRect(page: Pick<PageInfo, 'cropBox'>, b: Box): [number, number, number, number] {
  const [cx, cy] = page.cropBox;
  const r = (v: number): number => Math.round(v * 100) / 100;
  return [r(b.x0 - cx), r(b.y0 - cy), r(width(b)), r(height(b))];
}

/** True when b lies inside the crop box (with a small tolerance). */
export function insideCrop(page: Pick<PageInfo, 'cropBox'>, b: Box, tolerance = 0.5): boolean {
  const c = cropBox(page);
  return b.x0 >= c.x0 - tolerance && b.y0 >= c.y0 - tolerance && b.x1 <= c.x1 + tolerance && b.y1 <= c.y1 + tolerance;
}
