// A small builder of content-stream operators for appearance streams.
import { serializeNumber } from '../pdf/serialize.js';

export type Rgb = [number, number, number];

const n = serializeNumber;

export class ContentBuilder {
  private readonly ops: string[] = [];

  save(): this {
    this.ops.push('q');
    return this;
  }
  restore(): this {
    this.ops.push('Q');
    return this;
  }
  /** Draws an image XObject into the box (x, y, w, h). */
  image(name: string, x: number, y: number, w: number, h: number): this {
    this.ops.push(`q ${n(w)} 0 0 ${n(h)} ${n(x)} ${n(y)} cm /${name} Do Q`);
    return this;
  }
  /** One run of text at baseline (x, y); `encoded` is the font's hex string. */
  text(font: string, size: number, x: number, y: number, encoded: string, color: Rgb): this {
    this.ops.push(`BT ${color.map(n).join(' ')} rg /${font} ${n(size)} Tf ${n(x)} ${n(y)} Td ${encoded} Tj ET`);
    return this;
  }
  /** A rectangle, stroked (line width in points) and/or filled. */
  rect(x: number, y: number, w: number, h: number, o: { stroke?: Rgb; fill?: Rgb; lineWidth?: number }): this {
    const ops: string[] = ['q'];
    if (o.fill) ops.push(`${o.fill.map(n).join(' ')} rg`);
    if (o.stroke) ops.push(`${o.stroke.map(n).join(' ')} RG ${n(o.lineWidth ?? 1)} w`);
    ops.push(`${n(x)} ${n(y)} ${n(w)} ${n(h)} re ${o.fill && o.stroke ? 'B' : o.fill ? 'f' : 'S'} Q`);
    this.ops.push(ops.join(' '));
    return this;
  }
  toBuffer(): Buffer {
    return Buffer.from(this.ops.join('\n'), 'latin1');
  }
}
