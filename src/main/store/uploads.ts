// Files on their way in: what the page sends (web mode, PUT /files) or the desktop shell reads from
// the path its own file dialog gave, before a call of the contract takes it (documents.import,
// inbox.import, settings…) by its SHA-256. Bytes are streamed to a temporary file while they are
// hashed — never held whole in memory — and get their name only when the last byte has arrived:
// an upload cut off midway, or one that fills the disk, leaves nothing behind. An upload is used
// once; those never used are swept after a day.
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { KysoError } from '../../shared/errors.js';
import type { StoredFile } from './files.js';

const SHA = /^[0-9a-f]{64}$/;
const PART = '.part-';

/** How a failed write or a broken source is told: a full disk and a cut-off upload have their own codes. */
export function uploadError(e: unknown, dir: string, received: number): KysoError {
  if (e instanceof KysoError) return e;
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOSPC' || code === 'EDQUOT') return new KysoError('UPLOAD_DISK_FULL', { path: dir, received }, { cause: e });
  if (code === 'ERR_STREAM_PREMATURE_CLOSE' || code === 'ECONNRESET' || code === 'ECONNABORTED' || (e as Error | undefined)?.message === 'aborted')
    return new KysoError('UPLOAD_INCOMPLETE', { received }, { cause: e });
  if (code === 'ENOENT') return new KysoError('FILE_NOT_FOUND', { path: (e as NodeJS.ErrnoException).path ?? dir }, { cause: e });
  if (typeof code === 'string') return new KysoError('FILE_WRITE_FAILED', { path: dir, reason: code }, { cause: e });
  return new KysoError('INTERNAL', { reason: (e as Error | undefined)?.message ?? String(e) }, { cause: e });
}

export class Uploads {
  constructor(readonly dir: string) {
    mkdirSync(dir, { recursive: true });
  }

  /** The completed upload's path, or undefined. */
  find(sha256: string): string | undefined {
    if (!SHA.test(sha256)) return undefined;
    const p = join(this.dir, sha256);
    return existsSync(p) ? p : undefined;
  }

  /** The completed upload's path; UPLOAD_NOT_FOUND when there is none. */
  require(sha256: string): string {
    const p = this.find(sha256);
    if (!p) throw new KysoError('UPLOAD_NOT_FOUND', { sha256 });
    return p;
  }

  /**
   * Streams `source` into a temporary file while hashing it; renames it to its SHA-256 once the
   * source has ended. `expected` (a Content-Length) must then match. Any failure removes the
   * temporary file and is thrown as UPLOAD_DISK_FULL, UPLOAD_INCOMPLETE or FILE_WRITE_FAILED.
   */
  async receive(source: Readable | AsyncIterable<Uint8Array>, o: { expected?: number; maxBytes?: number } = {}): Promise<StoredFile> {
    const tmp = join(this.dir, `${PART}${Date.now()}-${randomBytes(8).toString('hex')}`);
    const hash = createHash('sha256');
    let size = 0;
    const max = o.maxBytes ?? Number.MAX_SAFE_INTEGER;
    const meter = new Transform({
      transform(chunk: Buffer, _enc, done) {
        size += chunk.length;
        if (size > max) return done(new KysoError('USAGE', { reason: `file larger than ${max} bytes` }));
        hash.update(chunk);
        done(null, chunk);
      },
    });
    try {
      // The file stream writes in large pieces: fewer system calls for a file of hundreds of MB.
      await pipeline(source, meter, createWriteStream(tmp, { flags: 'wx', mode: 0o644, highWaterMark: 1 << 20 }));
      if (o.expected !== undefined && size !== o.expected) throw new KysoError('UPLOAD_INCOMPLETE', { received: size });
    } catch (e) {
      await rm(tmp, { force: true });
      throw uploadError(e, this.dir, size);
    }
    const sha256 = hash.digest('hex');
    try {
      // Not flushed here: the desk flushes a file when it takes it into the store (ContentStore.adopt).
      await rename(tmp, join(this.dir, sha256));
    } catch (e) {
      await rm(tmp, { force: true });
      throw uploadError(e, this.dir, size);
    }
    return { sha256, size };
  }

  /** Takes a file the user chose on this machine (the desktop shell's dialog), streamed. */
  receiveFile(path: string): Promise<StoredFile> {
    let expected: number;
    try {
      expected = statSync(path).size;
    } catch (e) {
      throw new KysoError('FILE_NOT_FOUND', { path }, { cause: e });
    }
    return this.receive(createReadStream(path, { highWaterMark: 1 << 20 }), { expected });
  }

  /** Forgets an upload (after a call has taken it, or refused it). */
  remove(sha256: string): void {
    if (SHA.test(sha256)) rmSync(join(this.dir, sha256), { force: true });
  }

  /** Removes uploads never used and temporary files of uploads that died, older than maxAgeMs. */
  sweep(maxAgeMs = 24 * 3600_000): number {
    let n = 0;
    for (const name of readdirSync(this.dir)) {
      const p = join(this.dir, name);
      try {
        const age = Date.now() - statSync(p).mtimeMs;
        if (age > (name.startsWith(PART) ? Math.min(maxAgeMs, 3600_000) : maxAgeMs)) {
          rmSync(p, { force: true });
          n++;
        }
      } catch {
        /* gone meanwhile */
      }
    }
    return n;
  }
}
