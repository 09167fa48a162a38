// What appearances are drawn with inside one revision: the fonts (one subset per style, written
// once every appearance of the revision is drawn) and the images (each embedded once, however
// many appearances show it), and form XObjects that stand upright in a given frame.
import { createHash } from 'node:crypto';
import { deflateSync } from 'node:zlib';
import { KysoError } from '../../shared/errors.js';
import type { IncrementalUpdate } from '../pdf/incremental.js';
import { PdfDict, PdfName, PdfRef, PdfStream } from '../pdf/objects.js';
import { ContentBuilder, type Rgb } from './content.js';
import { EmbeddedFont, loadFace, type FontFace, type FontStyle } from './fonts.js';
import { rotationMatrix, type Rotation } from './geometry.js';
import { PngError, decodePng, type DecodedImage } from './png.js';

export interface ImageHandle {
  ref: PdfRef;
  width: number;
  height: number;
  /** Size in points when the file states its resolution (the seal's real size), else undefined. */
  physicalSize?: { width: number; height: number };
}

/** Decodes a PNG file's bytes; IMAGE_INVALID names the file when it cannot be used. */
export function readPng(bytes: Buffer, source: string): DecodedImage {
  try {
    return decodePng(bytes);
  } catch (e) {
    if (e instanceof PngError) throw new KysoError('IMAGE_INVALID', { path: source, reason: e.message });
    throw e;
  }
}

export function physicalSize(img: Pick<DecodedImage, 'width' | 'height' | 'pixelsPerMetre'>): { width: number; height: number } | undefined {
  const ppm = img.pixelsPerMetre;
  if (!ppm) return undefined;
  const pt = (px: number, perMetre: number): number => (px / perMetre) * (72 / 0.0254);
  return { width: pt(img.width, ppm.x), height: pt(img.height, ppm.y) };
}

export interface TextOptions {
  x: number;
  y: number;
  size: number;
  style?: FontStyle;
  color?: Rgb;
}

/** Drawing surface of one form XObject, in points from its lower-left corner, upright. */
export interface Canvas {
  readonly width: number;
  readonly height: number;
  face(style?: FontStyle): FontFace;
  image(img: ImageHandle, x: number, y: number, w: number, h: number): void;
  text(s: string, o: TextOptions): void;
  /** A rectangle: a box's frame (stroke) or a blank ground under new text (fill). */
  rect(x: number, y: number, w: number, h: number, o: { stroke?: Rgb; fill?: Rgb; lineWidth?: number }): void;
}

export class AppearanceKit {
  private readonly fonts = new Map<FontStyle, EmbeddedFont>();
  private readonly images = new Map<string, ImageHandle>();

  constructor(readonly update: IncrementalUpdate) {}

  font(style: FontStyle): EmbeddedFont {
    let f = this.fonts.get(style);
    if (!f) {
      f = new EmbeddedFont(loadFace(style), this.update);
      this.fonts.set(style, f);
    }
    return f;
  }

  /** Embeds a PNG once per revision (keyed by its bytes) and returns its handle. */
  image(bytes: Buffer, source: string, decoded?: DecodedImage): ImageHandle {
    const key = createHash('sha256').update(bytes).digest('hex');
    const cached = this.images.get(key);
    if (cached) return cached;
    const img = decoded ?? readPng(bytes, source);
    const dict = (cs: string, w: number, h: number): PdfDict =>
      new PdfDict([
        ['Type', PdfName.of('XObject')],
        ['Subtype', PdfName.of('Image')],
        ['Width', w],
        ['Height', h],
        ['ColorSpace', PdfName.of(cs)],
        ['BitsPerComponent', 8],
        ['Filter', PdfName.of('FlateDecode')],
      ]);
    const main = dict(img.colorSpace, img.width, img.height);
    if (img.alpha) {
      const smask = this.update.add(new PdfStream(dict('DeviceGray', img.width, img.height), 0, 0, deflateSync(img.alpha)));
      main.set('SMask', smask);
    }
    const ref = this.update.add(new PdfStream(main, 0, 0, deflateSync(img.pixels)));
    const handle: ImageHandle = { ref, width: img.width, height: img.height, physicalSize: physicalSize(img) };
    this.images.set(key, handle);
    return handle;
  }

  /**
   * A form XObject of visual size width × height drawn by `draw`, upright when its annotation's
   * rectangle is read in a frame of rotation r (the BBox is turned by the /Matrix; the viewer fits
   * the turned box onto the annotation's /Rect).
   */
  form(width: number, height: number, rotation: Rotation, draw: (c: Canvas) => void): PdfRef {
    const content = new ContentBuilder();
    const fontRes = new PdfDict();
    const imageRes = new PdfDict();
    const fontNames = new Map<FontStyle, string>();
    const imageNames = new Map<number, string>();
    const canvas: Canvas = {
      width,
      height,
      face: (style = 'regular') => loadFace(style),
      image: (img, x, y, w, h) => {
        let name = imageNames.get(img.ref.num);
        if (!name) {
          name = `Im${imageNames.size + 1}`;
          imageNames.set(img.ref.num, name);
          imageRes.set(name, img.ref);
        }
        content.image(name, x, y, w, h);
      },
      text: (s, o) => {
        const style = o.style ?? 'regular';
        const font = this.font(style);
        let name = fontNames.get(style);
        if (!name) {
          name = `F${fontNames.size + 1}`;
          fontNames.set(style, name);
          fontRes.set(name, font.ref);
        }
        content.text(name, o.size, o.x, o.y, font.encode(s), o.color ?? [0, 0, 0]);
      },
      rect: (x, y, w, h, o) => {
        content.rect(x, y, w, h, o);
      },
    };
    draw(canvas);
    const resources = new PdfDict();
    if (fontNames.size) resources.set('Font', fontRes);
    if (imageNames.size) resources.set('XObject', imageRes);
    const d = new PdfDict([
      ['Type', PdfName.of('XObject')],
      ['Subtype', PdfName.of('Form')],
      ['BBox', [0, 0, round(width), round(height)]],
      ['Resources', resources],
    ]);
    if (rotation !== 0) d.set('Matrix', rotationMatrix(rotation));
    const data = content.toBuffer();
    if (data.length > 256) {
      d.set('Filter', PdfName.of('FlateDecode'));
      return this.update.add(new PdfStream(d, 0, 0, deflateSync(data)));
    }
    return this.update.add(new PdfStream(d, 0, 0, data));
  }

  /** Writes the font subsets; call once, after the last appearance of the revision is drawn. */
  finish(): void {
    for (const f of this.fonts.values()) if (f.isUsed) f.write(this.update);
  }
}

function round(v: number): number {
  return Math.round(v * 1000) / 1000;
}
