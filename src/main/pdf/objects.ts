// The PDF object model: what the parser produces and the serializer writes.
// Streams do not hold their data: they point to where it lies in the file, so that a
// 100 MB scan is never read just to learn its page tree.

export class PdfName {
  private static readonly cache = new Map<string, PdfName>();
  private constructor(readonly value: string) {}
  static of(value: string): PdfName {
    let n = PdfName.cache.get(value);
    if (!n) {
      n = new PdfName(value);
      PdfName.cache.set(value, n);
    }
    return n;
  }
  toString(): string {
    return `/${this.value}`;
  }
}

export class PdfString {
  constructor(
    readonly bytes: Buffer,
    readonly hex: boolean = false,
  ) {}
}

export class PdfRef {
  constructor(
    readonly num: number,
    readonly gen: number,
  ) {}
  key(): string {
    return `${this.num} ${this.gen}`;
  }
  equals(o: unknown): boolean {
    return o instanceof PdfRef && o.num === this.num && o.gen === this.gen;
  }
  toString(): string {
    return `${this.num} ${this.gen} R`;
  }
}

export class PdfDict {
  readonly map: Map<string, PdfObject>;
  constructor(entries?: Iterable<[string, PdfObject]>) {
    this.map = new Map(entries);
  }
  get(key: string): PdfObject | undefined {
    return this.map.get(key);
  }
  set(key: string, value: PdfObject): this {
    this.map.set(key, value);
    return this;
  }
  delete(key: string): void {
    this.map.delete(key);
  }
  has(key: string): boolean {
    return this.map.has(key);
  }
  keys(): string[] {
    return [...this.map.keys()];
  }
  clone(): PdfDict {
    return new PdfDict(this.map);
  }
  /** The name value of `key`, or undefined when it is absent or not a name. */
  name(key: string): string | undefined {
    const v = this.map.get(key);
    return v instanceof PdfName ? v.value : undefined;
  }
}

/**
 * A stream as found in a file: its dictionary and where its raw (still encoded) data lies.
 * `data` is set instead when the stream was built in memory or read already.
 */
export class PdfStream {
  constructor(
    readonly dict: PdfDict,
    readonly dataOffset: number,
    readonly dataLength: number,
    readonly data?: Buffer,
  ) {}
}

/** Bytes already serialized by the caller, written as they are (used for signature dictionaries). */
export class PdfRaw {
  constructor(readonly bytes: Buffer) {}
}

export type PdfObject =
  | null
  | boolean
  | number
  | PdfName
  | PdfString
  | PdfRef
  | PdfDict
  | PdfStream
  | PdfObject[];

export function isDict(o: PdfObject | undefined): o is PdfDict {
  return o instanceof PdfDict;
}
export function isRef(o: PdfObject | undefined): o is PdfRef {
  return o instanceof PdfRef;
}
export function isName(o: PdfObject | undefined, value?: string): o is PdfName {
  return o instanceof PdfName && (value === undefined || o.value === value);
}
export function isArray(o: PdfObject | undefined): o is PdfObject[] {
  return Array.isArray(o);
}
export function isNumber(o: PdfObject | undefined): o is number {
  return typeof o === 'number';
}

export const name = PdfName.of;
export function dict(entries: Record<string, PdfObject>): PdfDict {
  return new PdfDict(Object.entries(entries));
}
