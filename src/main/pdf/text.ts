// PDF text strings and dates. Vietnamese needs UTF-16BE: PDFDocEncoding has no "ữ" or "Đ".
import { PdfString } from './objects.js';

/** A PDF text string: plain bytes when the text is printable ASCII, UTF-16BE with a BOM otherwise. */
export function textString(s: string): PdfString {
  if (/^[\x20-\x7e]*$/.test(s)) return new PdfString(Buffer.from(s, 'latin1'));
  const body = Buffer.from(s, 'utf16le').swap16();
  return new PdfString(Buffer.concat([Buffer.from([0xfe, 0xff]), body]), true);
}

/** Decodes a PDF text string (UTF-16BE with BOM, UTF-8 with BOM, or PDFDocEncoding read as latin1). */
export function decodeTextString(bytes: Buffer): string {
  if (bytes.length >= 2 && bytes[0] === 0xfe && bytes[1] === 0xff) {
    const body = Buffer.from(bytes.subarray(2, 2 + ((bytes.length - 2) & ~1)));
    return body.swap16().toString('utf16le');
  }
  if (bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return bytes.subarray(3).toString('utf8');
  return bytes.toString('latin1');
}

const pad = (n: number, w = 2): string => String(n).padStart(w, '0');

/** "D:YYYYMMDDHHmmSS+07'00'" in the machine's local time zone (Vietnam: +07'00'). */
export function pdfDate(d: Date): string {
  const off = -d.getTimezoneOffset();
  const sign = off >= 0 ? '+' : '-';
  const abs = Math.abs(off);
  return (
    `D:${d.getFullYear()}${pad(d.getMonth() + 1)}${pad(d.getDate())}${pad(d.getHours())}${pad(d.getMinutes())}${pad(d.getSeconds())}` +
    `${sign}${pad(Math.floor(abs / 60))}'${pad(abs % 60)}'`
  );
}

/** Parses a PDF date ("D:20261123101500+07'00'", with the usual producer variations); undefined when unreadable. */
export function parsePdfDate(s: string): Date | undefined {
  const m = /^(?:D:)?(\d{4})(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\d{2})?\s*(?:([Zz+\-])\s*(\d{2})?'?(\d{2})?'?)?/.exec(s.trim());
  if (!m) return undefined;
  const [, y, mo = '01', da = '01', h = '00', mi = '00', se = '00', tz, th = '00', tm = '00'] = m;
  let ms = Date.UTC(+y!, +mo - 1, +da, +h, +mi, +se);
  if (tz === '+' || tz === '-') {
    const off = (+th * 60 + +tm) * 60_000;
    ms += tz === '+' ? -off : off;
  }
  const d = new Date(ms);
  return Number.isNaN(d.getTime()) ? undefined : d;
}
