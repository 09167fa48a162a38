// The content-addressed file store beside the database: every file Kyso keeps (each revision of
// each document, received files, attachments) lives under files/ab/cdef… named by its SHA-256.
// A file is written to a temporary name, flushed, then linked to its name — link(2) never
// replaces an existing name — and flushed in its folder, so it is either whole or absent. Files
// are never overwritten or deleted, and are made read-only.
import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, closeSync, existsSync, fsyncSync, linkSync, mkdirSync, openSync, readdirSync, rmSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { KysoError } from '../../shared/errors.js';

export interface StoredFile {
  sha256: string;
  size: number;
}

const SHA = /^[0-9a-f]{64}$/;

/** Where the store under `root` keeps the file of this SHA-256 (whether or not it is there). */
export function storedPath(root: string, sha256: string): string {
  if (!SHA.test(sha256)) throw new KysoError('INTERNAL', { reason: `not a SHA-256: ${sha256}` });
  return join(root, sha256.slice(0, 2), sha256.slice(2));
}

/** SHA-256 of a file, read through one reused 1 MB buffer (memory stays flat whatever the size). */
export async function hashFile(path: string): Promise<StoredFile> {
  const h = createHash('sha256');
  const buf = Buffer.allocUnsafe(1 << 20);
  let size = 0;
  const fh = await open(path, 'r');
  try {
    for (;;) {
      const { bytesRead } = await fh.read(buf, 0, buf.length, size);
      if (bytesRead === 0) break;
      h.update(buf.subarray(0, bytesRead));
      size += bytesRead;
    }
  } finally {
    await fh.close();
  }
  return { sha256: h.digest('hex'), size };
}

function fsyncDir(dir: string): void {
  try {
    const fd = openSync(dir, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    // Some file systems do not allow syncing a folder.
  }
}

export class ContentStore {
  /** Where files are prepared before they get their name (same file system, so link is atomic). */
  readonly staging: string;

  constructor(readonly root: string) {
    this.staging = join(dirname(root), 'staging');
    mkdirSync(root, { recursive: true });
    mkdirSync(this.staging, { recursive: true });
  }

  pathOf(sha256: string): string {
    return storedPath(this.root, sha256);
  }

  has(sha256: string): boolean {
    return existsSync(this.pathOf(sha256));
  }

  /** A fresh path in the staging folder for a file about to be written (e.g. a signature's output). */
  stagingPath(ext = '.pdf'): string {
    return join(this.staging, `${Date.now()}-${randomBytes(8).toString('hex')}${ext}`);
  }

  /**
   * Takes a complete, flushed file from the staging folder into the store under its SHA-256 and
   * removes the staging name. An identical file already stored is kept as it is.
   */
  async adopt(stagedPath: string): Promise<StoredFile> {
    const f = await hashFile(stagedPath);
    const fd = openSync(stagedPath, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    const target = this.pathOf(f.sha256);
    const dir = dirname(target);
    const newDir = !existsSync(dir);
    mkdirSync(dir, { recursive: true });
    if (newDir) fsyncDir(this.root);
    try {
      linkSync(stagedPath, target);
      chmodSync(target, 0o444);
      fsyncDir(dir);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw new KysoError('FILE_WRITE_FAILED', { path: target, reason: (e as NodeJS.ErrnoException).code ?? String(e) }, { cause: e });
      // Already stored: it must be the same bytes, or the store has been damaged.
      const existing = await hashFile(target);
      if (existing.sha256 !== f.sha256) {
        unlinkSync(stagedPath);
        throw new KysoError('STORE_FILE_DAMAGED', { path: target, sha256: f.sha256 });
      }
    }
    unlinkSync(stagedPath);
    return f;
  }

  /** Stores bytes (an imported file) and returns their name. */
  async putBytes(bytes: Buffer): Promise<StoredFile> {
    const tmp = this.stagingPath('.part');
    const fd = openSync(tmp, 'wx', 0o644);
    try {
      let off = 0;
      while (off < bytes.length) off += writeSync(fd, bytes, off, bytes.length - off);
      fsyncSync(fd);
    } catch (e) {
      closeSync(fd);
      rmSync(tmp, { force: true });
      throw e;
    }
    closeSync(fd);
    return this.adopt(tmp);
  }

  /** Checks a stored file against its name: true when present and intact. */
  async check(sha256: string): Promise<boolean> {
    const p = this.pathOf(sha256);
    if (!existsSync(p)) return false;
    return (await hashFile(p)).sha256 === sha256;
  }

  /** The stored file's path, after making sure it is there (not its content: see check). */
  require(sha256: string): string {
    const p = this.pathOf(sha256);
    if (!existsSync(p)) throw new KysoError('STORE_FILE_MISSING', { sha256, path: p });
    return p;
  }

  /**
   * Removes staging files left by a process that died mid-step (older than maxAgeMs, so a step
   * running in another Kyso right now keeps its file).
   */
  sweepStaging(maxAgeMs = 3600_000): number {
    let n = 0;
    for (const name of readdirSync(this.staging)) {
      const p = join(this.staging, name);
      try {
        if (Date.now() - statSync(p).mtimeMs > maxAgeMs) {
          rmSync(p, { force: true, recursive: true });
          n++;
        }
      } catch {
        /* gone meanwhile */
      }
    }
    return n;
  }
}
