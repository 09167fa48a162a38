// Just enough DER to write the two certificates of the local CA (./local-ca.ts) without a
// certificate library: a node is its tag and its body; lengths are computed when encoded.
export interface Der {
  tag: number;
  body: Buffer;
  readonly encoded: Buffer;
}

type Node = { tag: number; body: Buffer };

function length(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

function node(tag: number, body: Buffer): Der {
  return {
    tag,
    body,
    get encoded() {
      return Buffer.concat([Buffer.from([tag]), length(body.length), body]);
    },
  };
}

const enc = (n: Node): Buffer => Buffer.concat([Buffer.from([n.tag]), length(n.body.length), n.body]);

export const seq = (items: Node[]): Der => node(0x30, Buffer.concat(items.map(enc)));
export const set = (items: Node[]): Der => node(0x31, Buffer.concat(items.map(enc)));
export const explicit = (n: number, inner: Node): Der => node(0xa0 | n, enc(inner));
export const boolean = (v: boolean): Der => node(0x01, Buffer.from([v ? 0xff : 0]));
/** A non-negative INTEGER from big-endian bytes. */
export function integer(bytes: Buffer): Der {
  let b = bytes;
  while (b.length > 1 && b[0] === 0 && b[1]! < 0x80) b = b.subarray(1);
  if (b[0]! >= 0x80) b = Buffer.concat([Buffer.from([0]), b]);
  return node(0x02, b);
}
export const octetString = (b: Buffer): Der => node(0x04, b);
export const bitString = (b: Buffer, unused = 0): Der => node(0x03, Buffer.concat([Buffer.from([unused]), b]));
export function oid(dotted: string): Der {
  const parts = dotted.split('.').map(Number);
  const out = [40 * parts[0]! + parts[1]!];
  for (const p of parts.slice(2)) {
    const chunk: number[] = [p & 0x7f];
    for (let v = Math.floor(p / 128); v > 0; v = Math.floor(v / 128)) chunk.unshift(0x80 | (v & 0x7f));
    out.push(...chunk);
  }
  return node(0x06, Buffer.from(out));
}
const utf8 = (s: string): Der => node(0x0c, Buffer.from(s, 'utf8'));
/** A Name of single-valued RDNs, [oid, value] pairs, most general first as written. */
export const name = (rdns: Array<[string, string]>): Der => seq(rdns.map(([o, v]) => set([seq([oid(o), utf8(v)])])));
/** UTCTime until 2049, GeneralizedTime after (RFC 5280 4.1.2.5). */
export function time(d: Date): Der {
  const iso = d.toISOString().replace(/[-:T]/g, '').slice(0, 14) + 'Z';
  return d.getUTCFullYear() < 2050 ? node(0x17, Buffer.from(iso.slice(2), 'ascii')) : node(0x18, Buffer.from(iso, 'ascii'));
}
export function extension(id: string, critical: boolean, value: Node): Der {
  return seq([oid(id), ...(critical ? [boolean(true)] : []), octetString(enc(value))]);
}
export function certificate(tbs: Node, alg: Node, signature: Node): Buffer {
  return seq([tbs, alg, signature]).encoded;
}
