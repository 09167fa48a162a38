// Random access to the bytes of a PDF: a file read by ranges, or a buffer already in memory.
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';

export interface ByteSource {
  readonly size: number;
  /** Reads up to `length` bytes from `offset` (fewer at the end of the source). */
  read(offset: number, length: number): Buffer;
  /** Reads up to `length` bytes from `offset` into `buf` (from its start); returns how many. */
  readInto(buf: Buffer, offset: number, length: number): number;
  close(): void;
}

export class FileSource implements ByteSource {
  readonly size: number;
  private fd: number | null;

  constructor(readonly path: string) {
    this.fd = openSync(path, 'r');
    this.size = fstatSync(this.fd).size;
  }

  read(offset: number, length: number): Buffer {
    if (this.fd === null) throw new Error('source closed');
    const start = Math.max(0, Math.min(offset, this.size));
    const len = Math.max(0, Math.min(length, this.size - start));
    const buf = Buffer.allocUnsafe(len);
    let done = 0;
    while (done < len) {
      const n = readSync(this.fd, buf, done, len - done, start + done);
      if (n === 0) break;
      done += n;
    }
    return done === len ? buf : buf.subarray(0, done);
  }

  readInto(buf: Buffer, offset: number, length: number): number {
    if (this.fd === null) throw new Error('source closed');
    const start = Math.max(0, Math.min(offset, this.size));
    const len = Math.max(0, Math.min(length, this.size - start, buf.length));
    let done = 0;
    while (done < len) {
      const n = readSync(this.fd, buf, done, len - done, start + done);
      if (n === 0) break;
      done += n;
    }
    return done;
  }

  close(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }
}

export class BufferSource implements ByteSource {
  constructor(readonly buf: Buffer) {}
  get size(): number {
    return this.buf.length;
  }
  read(offset: number, length: number): Buffer {
    return this.buf.subarray(Math.max(0, offset), Math.max(0, Math.min(this.buf.length, offset + length)));
  }
  readInto(buf: Buffer, offset: number, length: number): number {
    return this.read(offset, Math.min(length, buf.length)).copy(buf);
  }
  close(): void {}
}

/** The first `size` bytes of another source: a file as it was at an earlier revision. Closing it leaves the parent open. */
export class PrefixSource implements ByteSource {
  readonly size: number;
  constructor(
    private readonly parent: ByteSource,
    size: number,
  ) {
    this.size = Math.max(0, Math.min(size, parent.size));
  }
  read(offset: number, length: number): Buffer {
    const start = Math.max(0, Math.min(offset, this.size));
    return this.parent.read(start, Math.max(0, Math.min(length, this.size - start)));
  }
  readInto(buf: Buffer, offset: number, length: number): number {
    const start = Math.max(0, Math.min(offset, this.size));
    return this.parent.readInto(buf, start, Math.max(0, Math.min(length, this.size - start)));
  }
  close(): void {}
}
