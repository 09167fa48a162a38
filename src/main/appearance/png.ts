// Decodes PNG images (signature and seal images) with Node's zlib into what a PDF image
// XObject takes: 8-bit gray or RGB samples and, when the image has transparency, a separate
// 8-bit alpha channel (the /SMask). All colour types, bit depths 1-16, tRNS and Adam7 interlacing.
import { inflateSync } from 'node:zlib';

export interface DecodedImage {
  width: number;
  height: number;
  colorSpace: 'DeviceGray' | 'DeviceRGB';
  /** 8-bit samples, 1 or 3 per pixel, rows top to bottom. */
  pixels: Buffer;
  /** 8-bit alpha per pixel; absent when every pixel is opaque. */
  alpha?: Buffer;
  /** Physical resolution from pHYs (pixels per metre), when the image states one. */
  pixelsPerMetre?: { x: number; y: number };
}

export class PngError extends Error {}

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const CHANNELS: Record<number, number> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };
const ALLOWED_DEPTHS: Record<number, number[]> = { 0: [1, 2, 4, 8, 16], 2: [8, 16], 3: [1, 2, 4, 8], 4: [8, 16], 6: [8, 16] };
// Adam7 passes: x start, y start, x step, y step.
const ADAM7: Array<[number, number, number, number]> = [
  [0, 0, 8, 8],
  [4, 0, 8, 8],
  [0, 4, 4, 8],
  [2, 0, 4, 4],
  [0, 2, 2, 4],
  [1, 0, 2, 2],
  [0, 1, 1, 2],
];
const MAX_PIXELS = 40_000_000;

export function isPng(data: Buffer): boolean {
  return data.length >= 8 && data.subarray(0, 8).equals(SIGNATURE);
}

export function decodePng(data: Buffer): DecodedImage {
  if (!isPng(data)) throw new PngError('not a PNG file');
  let pos = 8;
  let width = 0;
  let height = 0;
  let depth = 0;
  let colorType = -1;
  let interlace = 0;
  let palette: Buffer | undefined;
  let trns: Buffer | undefined;
  let ppm: { x: number; y: number } | undefined;
  const idat: Buffer[] = [];
  while (pos + 8 <= data.length) {
    const len = data.readUInt32BE(pos);
    const type = data.toString('latin1', pos + 4, pos + 8);
    const body = data.subarray(pos + 8, pos + 8 + len);
    if (body.length !== len) throw new PngError(`chunk ${type} is truncated`);
    pos += 12 + len;
    if (type === 'IHDR') {
      if (len < 13) throw new PngError('bad IHDR');
      width = body.readUInt32BE(0);
      height = body.readUInt32BE(4);
      depth = body[8]!;
      colorType = body[9]!;
      interlace = body[12]!;
    } else if (type === 'PLTE') palette = body;
    else if (type === 'tRNS') trns = body;
    else if (type === 'pHYs' && len >= 9 && body[8] === 1) ppm = { x: body.readUInt32BE(0), y: body.readUInt32BE(4) };
    else if (type === 'IDAT') idat.push(body);
    else if (type === 'IEND') break;
  }
  if (!width || !height) throw new PngError('no image header');
  if (width * height > MAX_PIXELS) throw new PngError(`image too large (${width}×${height})`);
  if (!(colorType in CHANNELS) || !ALLOWED_DEPTHS[colorType]!.includes(depth)) throw new PngError(`colour type ${colorType} with ${depth}-bit samples`);
  if (colorType === 3 && !palette) throw new PngError('palette image without a palette');
  if (interlace > 1) throw new PngError('unknown interlace method');
  if (!idat.length) throw new PngError('no image data');
  let raw: Buffer;
  try {
    raw = inflateSync(Buffer.concat(idat));
  } catch (e) {
    throw new PngError(`image data does not decompress (${(e as Error).message})`);
  }

  const channels = CHANNELS[colorType]!;
  // Samples of the whole image, one number per channel, before colour conversion.
  const samples = new Uint16Array(width * height * channels);
  const bitsPerPixel = channels * depth;
  const bpp = Math.max(1, bitsPerPixel >> 3);
  let offset = 0;
  const passes: Array<[number, number, number, number]> = interlace ? ADAM7 : [[0, 0, 1, 1]];
  for (const [x0, y0, dx, dy] of passes) {
    const pw = Math.ceil((width - x0) / dx);
    const ph = Math.ceil((height - y0) / dy);
    if (pw <= 0 || ph <= 0) continue;
    const stride = Math.ceil((pw * bitsPerPixel) / 8);
    const need = ph * (stride + 1);
    if (offset + need > raw.length) throw new PngError('image data is shorter than the image');
    let prev = Buffer.alloc(stride);
    for (let r = 0; r < ph; r++) {
      const filter = raw[offset]!;
      const line = Buffer.from(raw.subarray(offset + 1, offset + 1 + stride));
      offset += stride + 1;
      unfilter(filter, line, prev, bpp);
      prev = line;
      const y = y0 + r * dy;
      for (let c = 0; c < pw; c++) {
        const x = x0 + c * dx;
        const base = (y * width + x) * channels;
        for (let k = 0; k < channels; k++) samples[base + k] = sampleAt(line, c * channels + k, depth);
      }
    }
  }
  return toOutput(samples, { width, height, depth, colorType, palette, trns, ppm });
}

function sampleAt(line: Buffer, index: number, depth: number): number {
  if (depth === 8) return line[index]!;
  if (depth === 16) return line.readUInt16BE(index * 2);
  const bit = index * depth;
  const byte = line[bit >> 3]!;
  const shift = 8 - depth - (bit & 7);
  return (byte >> shift) & ((1 << depth) - 1);
}

function paeth(a: number, b: number, c: number): number {
  const p = a + b - c;
  const pa = Math.abs(p - a);
  const pb = Math.abs(p - b);
  const pc = Math.abs(p - c);
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

function unfilter(filter: number, line: Buffer, prev: Buffer, bpp: number): void {
  const n = line.length;
  switch (filter) {
    case 0:
      return;
    case 1:
      for (let i = bpp; i < n; i++) line[i] = (line[i]! + line[i - bpp]!) & 0xff;
      return;
    case 2:
      for (let i = 0; i < n; i++) line[i] = (line[i]! + prev[i]!) & 0xff;
      return;
    case 3:
      for (let i = 0; i < n; i++) line[i] = (line[i]! + (((i >= bpp ? line[i - bpp]! : 0) + prev[i]!) >> 1)) & 0xff;
      return;
    case 4:
      for (let i = 0; i < n; i++) line[i] = (line[i]! + paeth(i >= bpp ? line[i - bpp]! : 0, prev[i]!, i >= bpp ? prev[i - bpp]! : 0)) & 0xff;
      return;
    default:
      throw new PngError(`unknown row filter ${filter}`);
  }
}

interface Header {
  width: number;
  height: number;
  depth: number;
  colorType: number;
  palette?: Buffer;
  trns?: Buffer;
  ppm?: { x: number; y: number };
}

function toOutput(samples: Uint16Array, h: Header): DecodedImage {
  const n = h.width * h.height;
  const to8 = h.depth === 16 ? (v: number) => v >> 8 : h.depth === 8 || h.colorType === 3 ? (v: number) => v : (v: number) => Math.round((v * 255) / ((1 << h.depth) - 1));
  const gray = h.colorType === 0 || h.colorType === 4;
  const pixels = Buffer.alloc(n * (gray ? 1 : 3));
  const alpha = Buffer.alloc(n, 255);
  let transparent = false;
  const channels = CHANNELS[h.colorType]!;
  const key = h.trns && h.colorType === 0 && h.trns.length >= 2 ? h.trns.readUInt16BE(0) : undefined;
  const rgbKey = h.trns && h.colorType === 2 && h.trns.length >= 6 ? [h.trns.readUInt16BE(0), h.trns.readUInt16BE(2), h.trns.readUInt16BE(4)] : undefined;
  for (let i = 0; i < n; i++) {
    const s = i * channels;
    let a = 255;
    switch (h.colorType) {
      case 0:
        pixels[i] = to8(samples[s]!);
        if (key !== undefined && samples[s] === key) a = 0;
        break;
      case 4:
        pixels[i] = to8(samples[s]!);
        a = to8(samples[s + 1]!);
        break;
      case 2:
        pixels[i * 3] = to8(samples[s]!);
        pixels[i * 3 + 1] = to8(samples[s + 1]!);
        pixels[i * 3 + 2] = to8(samples[s + 2]!);
        if (rgbKey && samples[s] === rgbKey[0] && samples[s + 1] === rgbKey[1] && samples[s + 2] === rgbKey[2]) a = 0;
        break;
      case 6:
        pixels[i * 3] = to8(samples[s]!);
        pixels[i * 3 + 1] = to8(samples[s + 1]!);
        pixels[i * 3 + 2] = to8(samples[s + 2]!);
        a = to8(samples[s + 3]!);
        break;
      case 3: {
        const idx = samples[s]!;
        if (idx * 3 + 2 >= h.palette!.length) throw new PngError(`palette index ${idx} out of range`);
        pixels[i * 3] = h.palette![idx * 3]!;
        pixels[i * 3 + 1] = h.palette![idx * 3 + 1]!;
        pixels[i * 3 + 2] = h.palette![idx * 3 + 2]!;
        if (h.trns && idx < h.trns.length) a = h.trns[idx]!;
        break;
      }
    }
    alpha[i] = a;
    if (a !== 255) transparent = true;
  }
  return {
    width: h.width,
    height: h.height,
    colorSpace: gray ? 'DeviceGray' : 'DeviceRGB',
    pixels,
    alpha: transparent ? alpha : undefined,
    pixelsPerMetre: h.ppm && h.ppm.x > 0 && h.ppm.y > 0 ? h.ppm : undefined,
  };
}
