// Writes PDF objects back to bytes. Used only for the objects of a new revision.
import { PdfDict, PdfName, PdfRaw, PdfRef, PdfStream, PdfString, type PdfObject } from './objects.js';

const REGULAR_NAME_CHAR = /^[!-~]$/;
const NAME_ESCAPE = new Set('()<>[]{}/%#'.split(''));

export function serializeName(value: string): string {
  let s = '/';
  for (const ch of Buffer.from(value, 'latin1')) {
    const c = String.fromCharCode(ch);
    if (REGULAR_NAME_CHAR.test(c) && !NAME_ESCAPE.has(c)) s += c;
    else s += '#' + ch.toString(16).padStart(2, '0');
  }
  return s;
}

export function serializeNumber(n: number): string {
  if (Number.isInteger(n)) return String(n);
  // Six decimals is finer than any device resolution; no exponent form in PDF.
  let s = n.toFixed(6).replace(/0+$/, '').replace(/\.$/, '');
  if (s === '-0') s = '0';
  return s;
}

export function serializeString(s: PdfString): string {
  if (s.hex) return '<' + s.bytes.toString('hex') + '>';
  let out = '(';
  for (const b of s.bytes) {
    if (b === 0x28 || b === 0x29 || b === 0x5c) out += '\\' + String.fromCharCode(b);
    else if (b === 0x0d) out += '\\r';
    else if (b === 0x0a) out += '\\n';
    else if (b < 0x20 || b > 0x7e) out += '\\' + b.toString(8).padStart(3, '0');
    else out += String.fromCharCode(b);
  }
  return out + ')';
}

/** Serializes a non-stream object as latin1 text. */
export function serialize(o: PdfObject | PdfRaw): string {
  if (o === null) return 'null';
  if (o === true) return 'true';
  if (o === false) return 'false';
  if (typeof o === 'number') return serializeNumber(o);
  if (o instanceof PdfName) return serializeName(o.value);
  if (o instanceof PdfString) return serializeString(o);
  if (o instanceof PdfRef) return `${o.num} ${o.gen} R`;
  if (Array.isArray(o)) return '[' + o.map((x) => serialize(x)).join(' ') + ']';
  if (o instanceof PdfDict) {
    let s = '<<';
    for (const [k, v] of o.map) s += serializeName(k) + ' ' + serialize(v);
    return s + '>>';
  }
  if (o instanceof PdfRaw) return o.bytes.toString('latin1');
  if (o instanceof PdfStream) throw new Error('streams are written with serializeIndirect');
  throw new Error('unknown object');
}

/** Bytes of "num gen obj ... endobj" for one object of a new revision. */
export function serializeIndirect(ref: PdfRef, o: PdfObject | PdfRaw): Buffer {
  const head = `${ref.num} ${ref.gen} obj\n`;
  if (o instanceof PdfStream) {
    if (!o.data) throw new Error('a stream written in a new revision must hold its data');
    const d = o.dict.clone();
    d.set('Length', o.data.length);
    return Buffer.concat([
      Buffer.from(head + serialize(d) + '\nstream\n', 'latin1'),
      o.data,
      Buffer.from('\nendstream\nendobj\n', 'latin1'),
    ]);
  }
  if (o instanceof PdfRaw) return Buffer.concat([Buffer.from(head, 'latin1'), o.bytes, Buffer.from('\nendobj\n', 'latin1')]);
  return Buffer.from(head + serialize(o) + '\nendobj\n', 'latin1');
}
