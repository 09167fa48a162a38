// Images drawn at run time, for the demo and the tests: a blue handwritten-looking signature and a
// red round seal (transparent PNGs; the seal states its real size, 36 mm, in its pHYs chunk), with
// the tiny PNG encoder (RGBA 8-bit, filter 0, zlib from Node) and the pen strokes that draw them.
import { crc32, deflateSync } from 'node:zlib';

export interface Rgba {
  width: number;
  height: number;
  /** width * height * 4 bytes, rows top to bottom. */
  data: Buffer;
}

export function blank(width: number, height: number): Rgba {
  return { width, height, data: Buffer.alloc(width * height * 4) };
}

function chunk(type: string, body: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(body.length);
  const tb = Buffer.concat([Buffer.from(type, 'latin1'), body]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(tb) >>> 0);
  return Buffer.concat([len, tb, crc]);
}

/** Encodes RGBA pixels; dpi sets pHYs so the image states its printed size. */
export function encodePng(img: Rgba, opts: { dpi?: number } = {}): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(img.width, 0);
  ihdr.writeUInt32BE(img.height, 4);
  ihdr[8] = 8;
  ihdr[9] = 6;
  const stride = img.width * 4;
  const raw = Buffer.alloc((stride + 1) * img.height);
  for (let y = 0; y < img.height; y++) img.data.copy(raw, y * (stride + 1) + 1, y * stride, (y + 1) * stride);
  const parts = [Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr)];
  if (opts.dpi) {
    const phys = Buffer.alloc(9);
    const ppm = Math.round(opts.dpi / 0.0254);
    phys.writeUInt32BE(ppm, 0);
    phys.writeUInt32BE(ppm, 4);
    phys[8] = 1;
    parts.push(chunk('pHYs', phys));
  }
  parts.push(chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0)));
  return Buffer.concat(parts);
}

/** Paints a disc of radius r (pixels) at (cx, cy) in colour [r, g, b]. */
export function dot(img: Rgba, cx: number, cy: number, r: number, colour: [number, number, number]): void {
  for (let y = Math.floor(cy - r); y <= Math.ceil(cy + r); y++) {
    for (let x = Math.floor(cx - r); x <= Math.ceil(cx + r); x++) {
      if (x < 0 || y < 0 || x >= img.width || y >= img.height) continue;
      if ((x - cx) ** 2 + (y - cy) ** 2 > r * r) continue;
      const p = (y * img.width + x) * 4;
      img.data[p] = colour[0];
      img.data[p + 1] = colour[1];
      img.data[p + 2] = colour[2];
      img.data[p + 3] = 255;
    }
  }
}

/** A handwritten-looking signature in blue ink on a transparent background. */
export function signaturePng(width = 360, height = 140): Buffer {
  const img = blank(width, height);
  const blue: [number, number, number] = [20, 40, 200];
  // Cursive loops (x runs back on itself at each turn) and an underline flourish, as chains of dots.
  for (let t = 0; t <= 1; t += 0.0004) {
    const env = Math.sin(Math.PI * Math.min(1, t * 1.15)) * 0.8 + 0.2;
    const x = 30 + t * (width - 80) + 16 * Math.sin(t * Math.PI * 2 * 5.5);
    const y = height * 0.42 - 34 * env * Math.cos(t * Math.PI * 2 * 5.5) + 10 * Math.sin(t * 9);
    dot(img, x, y, 2.6 + Math.sin(t * 40) * 0.6, blue);
  }
  for (let t = 0; t <= 1; t += 0.0008) dot(img, 25 + t * (width - 45), height * 0.78 - Math.sin(t * Math.PI) * 14 - t * 10, 2.2 * (1 - t * 0.6), blue);
  return encodePng(img);
}

/** A round red seal with a ring, a star and a border of ticks; dpi gives its real size. */
export function sealPng(diameterPx = 300, dpi = 211.67): Buffer {
  const img = blank(diameterPx, diameterPx);
  const red: [number, number, number] = [220, 20, 30];
  const c = diameterPx / 2;
  for (let a = 0; a < Math.PI * 2; a += 0.004) {
    dot(img, c + Math.cos(a) * (c - 6), c + Math.sin(a) * (c - 6), 4.5, red);
    dot(img, c + Math.cos(a) * (c * 0.62), c + Math.sin(a) * (c * 0.62), 2.5, red);
  }
  for (let a = 0; a < Math.PI * 2; a += Math.PI / 20)
    for (let k = 0.68; k < 0.9; k += 0.01) dot(img, c + Math.cos(a) * c * k, c + Math.sin(a) * c * k, 1.6, red);
  // A five-pointed star in the middle.
  for (let i = 0; i < 5; i++) {
    const a1 = -Math.PI / 2 + (i * 4 * Math.PI) / 5;
    const a2 = -Math.PI / 2 + ((i + 1) * 4 * Math.PI) / 5;
    for (let t = 0; t <= 1; t += 0.01) {
      const x = c + (Math.cos(a1) * (1 - t) + Math.cos(a2) * t) * c * 0.4;
      const y = c + (Math.sin(a1) * (1 - t) + Math.sin(a2) * t) * c * 0.4;
      dot(img, x, y, 2.5, red);
    }
  }
  return encodePng(img, { dpi });
}
