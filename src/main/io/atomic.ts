// Writing a file so that nothing is lost: the bytes go to a temporary file beside the target,
// are flushed to disk, and only then renamed over the target. A failure leaves no partial file.
import { closeSync, fsyncSync, openSync, renameSync, unlinkSync, writeSync } from 'node:fs';
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

  private constructor(
    readonly target: string,
    readonly tempPath: string,
    fd: number,
  ) {
    this.fd = fd;
  }

  /** Opens a new temporary file in the target's folder (same file system, so the rename is atomic). */
  static create(target: string): AtomicFile {
    const tempPath = join(dirname(target), `.${basename(target)}.${randomBytes(6).toString('hex')}.kyso-tmp`);
    try {
      return new AtomicFile(target, tempPath, openSync(tempPath, 'wx', 0o644));
    } catch (e) {
      throw asWriteError(e, target);
    }
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
    this.guard((fd) => {
      let off = 0;
      while (off < buf.length) off += writeSync(fd, buf, off, buf.length - off);
    });
  }

  /** Writes bytes at a position already written (used to fill a signature in place). */
  writeAt(buf: Buffer, position: number): void {
    this.guard((fd) => {
      let off = 0;
      while (off < buf.length) off += writeSync(fd, buf, off, buf.length - off, position + off);
    });
  }

  /** Flushes, closes and renames over the target, then flushes the folder entry. */
  commit(): void {
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
