// Stream filters needed to read structure (cross-reference and object streams) and
// page content (for change analysis and anchors). Image codecs are never decoded here.
import { inflateSync, inflateRawSync, constants as zc } from 'node:zlib';
import { PdfDict, PdfName, isArray, isDict, type PdfObject } from './objects.js';

export class UnsupportedFilter extends Error {}

function inflate(data: Buffer): Buffer {
  try {
    return inflateSync(data);
  } catch {
    // Many producers write truncated or checksum-less zlib data; viewers accept what inflates.
    try {
      return inflateSync(data, { finishFlush: zc.Z_SYNC_FLUSH });
    } catch {
      // Some files carry raw deflate without the zlib header.
      return inflateRawSync(data, { finishFlush: zc.Z_SYNC_FLUSH });
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
  if (predictor === 2) {
    if (bpc !== 8) throw new UnsupportedFilter('TIFF predictor with BitsPerComponent other than 8');
    const out = Buffer.from(data);
    for (let r = 0; r + rowLen <= out.length; r += rowLen)
      for (let i = bpp; i < rowLen; i++) out[r + i] = (out[r + i]! + out[r + i - bpp]!) & 0xff;
    return out;
  }
  // PNG predictors: each row starts with its own filter type byte.
  const rows = Math.floor(data.length / (rowLen + 1));
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

function ascii85(data: Buffer): Buffer {
  let s = data.toString('latin1').replace(/\s/g, '');
  if (s.startsWith('<~')) s = s.slice(2);
  const end = s.indexOf('~>');
  if (end >= 0) s = s.slice(0, end);
  const out: number[] = [];
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
  return Buffer.from(out);
}

function lzw(data: Buffer, earlyChange: number): Buffer {
  const out: number[] = [];
  let dict: number[][] = [];
  const reset = (): void => {
    dict = [];
    for (let i = 0; i < 256; i++) dict.push([i]);
    dict.push([], []);
  };
  reset();
  let codeLen = 9;
  let bitBuf = 0;
  let bitCount = 0;
  let prev: number[] | null = null;
  for (const byte of data) {
    bitBuf = (bitBuf << 8) | byte;
    bitCount += 8;
    while (bitCount >= codeLen) {
      const code = (bitBuf >>> (bitCount - codeLen)) & ((1 << codeLen) - 1);
      bitCount -= codeLen;
      bitBuf &= (1 << bitCount) - 1;
      if (code === 256) {
        reset();
        codeLen = 9;
        prev = null;
        continue;
      }
      if (code === 257) return Buffer.from(out);
      let entry: number[];
      if (code < dict.length && dict[code]!.length) entry = dict[code]!;
      else if (prev) entry = [...prev, prev[0]!];
      else break;
      out.push(...entry);
      if (prev) dict.push([...prev, entry[0]!]);
      prev = entry;
      const next = dict.length + earlyChange;
      if (next >= 1 << codeLen && codeLen < 12) codeLen++;
    }
  }
  return Buffer.from(out);
}

function runLength(data: Buffer): Buffer {
  const out: number[] = [];
  for (let i = 0; i < data.length; ) {
    const n = data[i++]!;
    if (n === 128) break;
    if (n < 128) {
      for (let k = 0; k <= n && i < data.length; k++) out.push(data[i++]!);
    } else {
      const b = data[i++] ?? 0;
      for (let k = 0; k < 257 - n; k++) out.push(b);
    }
  }
  return Buffer.from(out);
}

const IMAGE_FILTERS = new Set(['DCTDecode', 'DCT', 'JPXDecode', 'CCITTFaxDecode', 'CCF', 'JBIG2Decode']);

/** Decodes stream data through its /Filter chain. Image codecs stop the chain (the data stays encoded). */
export function decodeStream(dict: PdfDict, raw: Buffer, resolve: (o: PdfObject | undefined) => PdfObject | undefined = (o) => o): Buffer {
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
        data = applyPredictor(inflate(data), parm);
        break;
      case 'LZWDecode':
      case 'LZW':
        data = applyPredictor(lzw(data, Number(parm?.get('EarlyChange') ?? 1)), parm);
        break;
      case 'ASCIIHexDecode':
      case 'AHx':
        data = asciiHex(data);
        break;
      case 'ASCII85Decode':
      case 'A85':
        data = ascii85(data);
        break;
      case 'RunLengthDecode':
      case 'RL':
        data = runLength(data);
        break;
      case 'Crypt':
        break;
      default:
        if (!IMAGE_FILTERS.has(name)) throw new UnsupportedFilter(`filter ${name}`);
    }
  });
  return data;
}
