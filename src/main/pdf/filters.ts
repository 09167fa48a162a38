// Stream filters needed to read structure (cross-reference and object streams) and
// page content (for change analysis and anchors). Image codecs are never decoded here.
//
// Every decoder stops at an output limit: a few kilobytes of Flate, LZW or RunLength data can
// stand for gigabytes, and the files we read come from anyone.
import { inflateSync, inflateRawSync, constants as zc } from 'node:zlib';
import { PdfDict, PdfName, isArray, isDict, type PdfObject } from './objects.js';

export class UnsupportedFilter extends Error {}

/**
 * The most one stream may decode to unless its caller sets a lower limit: far more than any real
 * page content or object stream, far less than what would exhaust the memory of a clerk's computer.
 */
export const MAX_DECODED = 256 * 1024 * 1024;

/** A stream decodes to more than its limit: a decompression bomb, or data too big to examine. */
export class DecodeLimitExceeded extends Error {
  constructor(readonly limit: number) {
    super(`the stream decodes to more than ${limit} bytes`);
  }
}

/** Decoder output: a buffer that doubles as it fills, never past the limit. */
class Output {
  buf: Buffer;
  length = 0;

  constructor(
    private readonly limit: number,
    expected: number,
  ) {
    this.buf = Buffer.allocUnsafe(Math.min(limit, Math.max(expected, 1024)));
  }

  /** Makes room for `n` more bytes; returns where they go. */
  extend(n: number): number {
    const at = this.length;
    const need = at + n;
    if (need > this.buf.length) {
      if (need > this.limit) throw new DecodeLimitExceeded(this.limit);
      const grown = Buffer.allocUnsafe(Math.min(this.limit, Math.max(need, this.buf.length * 2)));
      this.buf.copy(grown, 0, 0, at);
      this.buf = grown;
    }
    this.length = need;
    return at;
  }

  push(...bytes: number[]): void {
    const at = this.extend(bytes.length);
    for (let i = 0; i < bytes.length; i++) this.buf[at + i] = bytes[i]!;
  }

  result(): Buffer {
    return this.buf.subarray(0, this.length);
  }
}

function inflateWith(fn: typeof inflateSync, data: Buffer, limit: number, finishFlush?: number): Buffer {
  try {
    return fn(data, { maxOutputLength: Math.max(1, limit), ...(finishFlush === undefined ? {} : { finishFlush }) });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') throw new DecodeLimitExceeded(limit);
    throw e;
  }
}

function inflate(data: Buffer, limit: number): Buffer {
  try {
    return inflateWith(inflateSync, data, limit);
  } catch (e) {
    // A bomb stays one: trying the lenient ways would only inflate it twice more.
    if (e instanceof DecodeLimitExceeded) throw e;
    // Many producers write truncated or checksum-less zlib data; viewers accept what inflates.
    try {
      return inflateWith(inflateSync, data, limit, zc.Z_SYNC_FLUSH);
    } catch (e2) {
      if (e2 instanceof DecodeLimitExceeded) throw e2;
      // Some files carry raw deflate without the zlib header.
      return inflateWith(inflateRawSync, data, limit, zc.Z_SYNC_FLUSH);
    }
  }
}

function applyPredictor(data: Buffer, parms: PdfDict | undefined): Buffer {
  if (!parms) return data;
  const predictor = Number(parms.get('Predictor') ?? 1);
  if (predictor <= 1) return data;
  const colors = Number(parms.get('Colors') ?? 1);
  const bpc = Number(parms.get('BitsPerComponent') ?? 8);
  const columns = Number(parms.get('Columns') ?? 1);
  const bpp = Math.max(1, Math.ceil((colors * bpc) / 8));
  const rowLen = Math.ceil((colors * bpc * columns) / 8);
  // Rows of no bytes would never advance: the TIFF loop below would run for ever.
  if (rowLen < 1) throw new UnsupportedFilter(`predictor rows of ${rowLen} bytes`);
  if (predictor === 2) {
    if (bpc !== 8) throw new UnsupportedFilter('TIFF predictor with BitsPerComponent other than 8');
    const out = Buffer.from(data);
    for (let r = 0; r + rowLen <= out.length; r += rowLen)
      for (let i = bpp; i < rowLen; i++) out[r + i] = (out[r + i]! + out[r + i - bpp]!) & 0xff;
    return out;
  }
  // PNG predictors: each row starts with its own filter type byte.
  const rows = Math.floor(data.length / (rowLen + 1));
  // Not one whole row: nothing to allocate, however large /Columns claims a row is.
  if (rows === 0) return Buffer.alloc(0);
  const out = Buffer.alloc(rows * rowLen);
  const prev = Buffer.alloc(rowLen);
  for (let r = 0; r < rows; r++) {
    const type = data[r * (rowLen + 1)]!;
    const src = data.subarray(r * (rowLen + 1) + 1, (r + 1) * (rowLen + 1));
    const row = out.subarray(r * rowLen, (r + 1) * rowLen);
    for (let i = 0; i < rowLen; i++) {
      const a = i >= bpp ? row[i - bpp]! : 0;
      const b = prev[i]!;
      const c = i >= bpp ? prev[i - bpp]! : 0;
      let v = src[i]!;
      switch (type) {
        case 1: v += a; break;
        case 2: v += b; break;
        case 3: v += (a + b) >> 1; break;
        case 4: {
          const p = a + b - c;
          const pa = Math.abs(p - a), pb = Math.abs(p - b), pc = Math.abs(p - c);
          v += pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
          break;
        }
        default: break;
      }
      row[i] = v & 0xff;
    }
    row.copy(prev);
  }
  return out;
}

function asciiHex(data: Buffer): Buffer {
  let s = data.toString('latin1');
  const end = s.indexOf('>');
  if (end >= 0) s = s.slice(0, end);
  s = s.replace(/[^0-9a-fA-F]/g, '');
  if (s.length % 2) s += '0';
  return Buffer.from(s, 'hex');
}

function ascii85(data: Buffer, limit: number): Buffer {
  let s = data.toString('latin1').replace(/\s/g, '');
  if (s.startsWith('<~')) s = s.slice(2);
  const end = s.indexOf('~>');
  if (end >= 0) s = s.slice(0, end);
  const out = new Output(limit, s.length);
  let group: number[] = [];
  for (const ch of s) {
    if (ch === 'z' && group.length === 0) {
      out.push(0, 0, 0, 0);
      continue;
    }
    group.push(ch.charCodeAt(0) - 33);
    if (group.length === 5) {
      let v = 0;
      for (const g of group) v = v * 85 + g;
      out.push((v >>> 24) & 255, (v >>> 16) & 255, (v >>> 8) & 255, v & 255);
      group = [];
    }
  }
  if (group.length > 1) {
    const n = group.length;
    while (group.length < 5) group.push(84);
    let v = 0;
    for (const g of group) v = v * 85 + g;
    const bytes = [(v >>> 24) & 255, (v >>> 16) & 255, (v >>> 8) & 255, v & 255];
    out.push(...bytes.slice(0, n - 1));
  }
  return out.result();
}

function lzw(data: Buffer, earlyChange: number, limit: number): Buffer {
  // The table holds each string as a link to its prefix plus one last byte, so a code costs three
  // numbers however long its string, and it stops growing at 4096 codes as the format says.
  const prefix = new Int16Array(4096).fill(-1);
  const suffix = new Uint8Array(4096);
  const size = new Uint16Array(4096);
  for (let i = 0; i < 256; i++) {
    suffix[i] = i;
    size[i] = 1;
  }
  const out = new Output(limit, data.length * 4);
  /** Writes the string of `code` and returns its first byte. */
  const emit = (code: number): number => {
    const at = out.extend(size[code]!);
    for (let c = code, i = at + size[code]! - 1; c >= 0; c = prefix[c]!, i--) out.buf[i] = suffix[c]!;
    return out.buf[at]!;
  };
  let next = 258;
  let codeLen = 9;
  let bitBuf = 0;
  let bitCount = 0;
  let prev = -1;
  for (const byte of data) {
    bitBuf = (bitBuf << 8) | byte;
    bitCount += 8;
    while (bitCount >= codeLen) {
      const code = (bitBuf >>> (bitCount - codeLen)) & ((1 << codeLen) - 1);
      bitCount -= codeLen;
      bitBuf &= (1 << bitCount) - 1;
      if (code === 256) {
        next = 258;
        codeLen = 9;
        prev = -1;
        continue;
      }
      if (code === 257) return out.result();
      let first: number;
      if (code < 256 || (code > 257 && code < next)) first = emit(code);
      else if (code === next && prev >= 0) {
        // The code being defined right now: the previous string followed by its own first byte.
        first = emit(prev);
        out.push(first);
      } else return out.result(); // a code not yet defined: the data is broken from here on
      if (prev >= 0 && next < 4096) {
        prefix[next] = prev;
        suffix[next] = first;
        size[next] = size[prev]! + 1;
        next++;
      }
      prev = code;
      if (next + earlyChange >= 1 << codeLen && codeLen < 12) codeLen++;
    }
  }
  return out.result();
}

function runLength(data: Buffer, limit: number): Buffer {
  const out = new Output(limit, data.length * 2);
  for (let i = 0; i < data.length; ) {
    const n = data[i++]!;
    if (n === 128) break;
    if (n < 128) {
      const len = Math.min(n + 1, data.length - i);
      const at = out.extend(len);
      data.copy(out.buf, at, i, i + len);
      i += len;
    } else {
      const at = out.extend(257 - n);
      out.buf.fill(data[i++] ?? 0, at, at + 257 - n);
    }
  }
  return out.result();
}

const IMAGE_FILTERS = new Set(['DCTDecode', 'DCT', 'JPXDecode', 'CCITTFaxDecode', 'CCF', 'JBIG2Decode']);

/**
 * Decodes stream data through its /Filter chain. Image codecs stop the chain (the data stays encoded).
 * Throws DecodeLimitExceeded when a step would produce more than `limit` bytes.
 */
export function decodeStream(
  dict: PdfDict,
  raw: Buffer,
  resolve: (o: PdfObject | undefined) => PdfObject | undefined = (o) => o,
  limit = MAX_DECODED,
): Buffer {
  const f = resolve(dict.get('Filter'));
  const filters: string[] = f instanceof PdfName ? [f.value] : isArray(f) ? f.map((x) => (x instanceof PdfName ? x.value : '')) : [];
  const p = resolve(dict.get('DecodeParms') ?? dict.get('DP'));
  const parms: (PdfDict | undefined)[] = isArray(p) ? p.map((x) => { const r = resolve(x); return isDict(r) ? r : undefined; }) : [isDict(p) ? p : undefined];
  let data = raw;
  filters.forEach((name, i) => {
    const parm = parms[i];
    switch (name) {
      case 'FlateDecode':
      case 'Fl':
        data = applyPredictor(inflate(data, limit), parm);
        break;
      case 'LZWDecode':
      case 'LZW':
        data = applyPredictor(lzw(data, Number(parm?.get('EarlyChange') ?? 1), limit), parm);
        break;
      case 'ASCIIHexDecode':
      case 'AHx':
        data = asciiHex(data);
        break;
      case 'ASCII85Decode':
      case 'A85':
        data = ascii85(data, limit);
        break;
      case 'RunLengthDecode':
      case 'RL':
        data = runLength(data, limit);
        break;
      case 'Crypt':
        break;
      default:
        if (!IMAGE_FILTERS.has(name)) throw new UnsupportedFilter(`filter ${name}`);
    }
  });
  return data;
}
