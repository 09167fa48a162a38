// Writing a file so that nothing is lost: the bytes go to a temporary file beside the target,
// are flushed to disk, and only then renamed over the target. A failure leaves no partial file.
import { closeSync, constants, fstatSync, fsync, fsyncSync, openSync, readSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { copyFile } from 'node:fs/promises';
import type { Hash } from 'node:crypto';
import { randomBytes } from 'node:crypto';
import { basename, dirname, join } from 'node:path';
import { KysoError, toKysoError } from '../../shared/errors.js';

function asWriteError(e: unknown, target: string): KysoError {
  const err = e as NodeJS.ErrnoException;
  if (err?.code === 'ENOSPC' || err?.code === 'EDQUOT') return new KysoError('DISK_FULL', { path: target }, { cause: e });
  if (err?.code === 'ENOENT') return new KysoError('FILE_WRITE_FAILED', { path: target, reason: 'folder not found' }, { cause: e });
  if (typeof err?.code === 'string') return new KysoError('FILE_WRITE_FAILED', { path: target, reason: err.code }, { cause: e });
  return toKysoError(e);
}

export class AtomicFile {
  private fd: number | null;
  private done = false;
  /** Bytes written so far: appends go here. */
  length = 0;
  private pendingFlush: Promise<void> | null = null;

  private constructor(
    readonly target: string,
    readonly tempPath: string,
    fd: number,
  ) {
    this.fd = fd;
  }

  private static tempFor(target: string): string {
    return join(dirname(target), `.${basename(target)}.${randomBytes(6).toString('hex')}.kyso-tmp`);
  }

  /** Opens a new, empty temporary file in the target's folder (same file system, so the rename is atomic). */
  static create(target: string): AtomicFile {
    const tempPath = AtomicFile.tempFor(target);
    try {
      return new AtomicFile(target, tempPath, openSync(tempPath, 'wx', 0o644));
    } catch (e) {
      throw asWriteError(e, target);
    }
  }

  /**
   * Starts the temporary file as a copy of `source`, made by the kernel (a reflink where the file
   * system has them, else copy_file_range/sendfile): the bytes never pass through JavaScript.
   */
  static async fromCopy(source: string, target: string): Promise<AtomicFile> {
    const tempPath = AtomicFile.tempFor(target);
    let fd: number;
    try {
      await copyFile(source, tempPath, constants.COPYFILE_EXCL | constants.COPYFILE_FICLONE);
      fd = openSync(tempPath, 'r+');
    } catch (e) {
      try {
        unlinkSync(tempPath);
      } catch {
        /* not created */
      }
      throw asWriteError(e, target);
    }
    const f = new AtomicFile(target, tempPath, fd);
    f.length = fstatSync(fd).size;
    return f;
  }

  private guard<T>(f: (fd: number) => T): T {
    if (this.fd === null) throw new KysoError('INTERNAL', { reason: 'write after close' });
    try {
      return f(this.fd);
    } catch (e) {
      throw asWriteError(e, this.target);
    }
  }

  /** Appends bytes at the current end. */
  write(buf: Buffer): void {
    const at = this.length;
    this.guard((fd) => {
      let off = 0;
      while (off < buf.length) off += writeSync(fd, buf, off, buf.length - off, at + off);
    });
    this.length += buf.length;
  }

  /** Feeds bytes [start, end) of what was written to a hash, reading back in 4 MB chunks. */
  hashRange(hash: Hash, start: number, end: number): void {
    const buf = Buffer.allocUnsafe(Math.min(4 * 1024 * 1024, Math.max(end - start, 1)));
    this.guard((fd) => {
      for (let pos = start; pos < end; ) {
        const n = readSync(fd, buf, 0, Math.min(buf.length, end - pos), pos);
        if (n === 0) throw new KysoError('FILE_READ_FAILED', { path: this.tempPath, reason: 'short read' });
        hash.update(buf.subarray(0, n));
        pos += n;
      }
    });
  }

  /**
   * Starts flushing what is written so far to disk, in the background (libuv's thread pool), so that
   * the disk works while the token signs. commit() waits for it.
   */
  startFlush(): void {
    const fd = this.fd;
    if (fd === null || this.pendingFlush) return;
    this.pendingFlush = new Promise<void>((res, rej) => fsync(fd, (e) => (e ? rej(asWriteError(e, this.target)) : res())));
    // A failure is reported by commit(); until then it must not be an unhandled rejection.
    this.pendingFlush.catch(() => undefined);
  }

  /** Writes bytes at a position already written (used to fill a signature in place). */
  writeAt(buf: Buffer, position: number): void {
    this.guard((fd) => {
      let off = 0;
      while (off < buf.length) off += writeSync(fd, buf, off, buf.length - off, position + off);
    });
  }

  /** Flushes, closes and renames over the target, then flushes the folder entry. */
  async commit(): Promise<void> {
    if (this.pendingFlush) await this.pendingFlush;
    this.guard((fd) => fsyncSync(fd));
    this.guard((fd) => closeSync(fd));
    this.fd = null;
    try {
      renameSync(this.tempPath, this.target);
    } catch (e) {
      this.abort();
      throw asWriteError(e, this.target);
    }
    this.done = true;
    try {
      const dfd = openSync(dirname(this.target), 'r');
      try {
        fsyncSync(dfd);
      } finally {
        closeSync(dfd);
      }
    } catch {
      // Some file systems (and Windows) do not allow syncing a folder; the rename already happened.
    }
  }

  /** Throws the temporary file away. Safe to call more than once, and after commit. */
  abort(): void {
    if (this.fd !== null) {
      try {
        closeSync(this.fd);
      } catch {
        /* already closed */
      }
      this.fd = null;
    }
    if (!this.done) {
      try {
        unlinkSync(this.tempPath);
      } catch {
        /* never created or already gone */
      }
      this.done = true;
    }
  }
}
