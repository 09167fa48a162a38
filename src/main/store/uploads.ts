// Files on their way in: what the page sends (web mode, PUT /files) or the desktop shell reads from
// the path its own file dialog gave, before a call of the contract takes it (documents.import,
// inbox.import, settings…) by its SHA-256. Bytes are streamed to a temporary file while they are
// hashed — never held whole in memory — and get their name only when the last byte has arrived:
// an upload cut off midway, or one that fills the disk, leaves nothing behind. An upload is used
// once; those never used are swept after a day.
//
// A large file may also come in blocks over several connections at once (begin, part…, end): a
// browser sends one request body slowly (Chromium passes a file body on in small pieces, one at a
// time), and several bodies in parallel fill the loopback connection. Each block is written at its
// own offset in the one temporary file; the hash follows the blocks in file order, reading back
// each contiguous run once it has landed (from the page cache), so by the last block only the last
// few remain to hash. Any block cut off, refused or failed removes the whole temporary file.
//
// No upload is flushed here (no fsync): an upload is only staging. A document or a received file is
// flushed when a call takes it into the store (ContentStore.adopt hashes it again and fsyncs it and
// its folder before the call's row commits); an upload lost in a power cut before that was never
// part of the desk, and the user chooses the file again.
import { createHash, randomBytes, type Hash } from 'node:crypto';
import { closeSync, createReadStream, createWriteStream, existsSync, mkdirSync, openSync, readdirSync, rmSync, statSync } from 'node:fs';
import { open, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { KysoError } from '../../shared/errors.js';
import type { StoredFile } from './files.js';

const SHA = /^[0-9a-f]{64}$/;
const PART = '.part-';
const ID = /^[0-9a-f]{32}$/;
/** A parted upload with no block arriving for this long is dropped (the page was closed meanwhile). */
const IDLE_MS = 120_000;

/** An upload arriving in blocks (begin, part…, end). */
interface Parted {
  tmp: string;
  size: number;
  /** Ranges [start, end) being received or received: blocks may not overlap. */
  claimed: Array<[number, number]>;
  /** Received blocks, start → end, not yet hashed. */
  landed: Map<number, number>;
  /** Bytes of complete blocks. */
  received: number;
  /** Bytes that have arrived in any block, complete or not (what a failure reports). */
  arrived: number;
  inFlight: number;
  /** Bytes hashed so far, from offset 0. */
  hashed: number;
  hash: Hash;
  /** The hash's work, one run after another. */
  hashing: Promise<void>;
  failed?: KysoError;
  idle?: NodeJS.Timeout;
}

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
  private readonly parted = new Map<string, Parted>();

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

  /** Starts an upload of `size` bytes that will come in blocks; answers its id. */
  begin(size: number, o: { maxBytes?: number } = {}): string {
    if (!Number.isSafeInteger(size) || size < 0) throw new KysoError('USAGE', { reason: 'bad upload size' });
    if (size > (o.maxBytes ?? Number.MAX_SAFE_INTEGER)) throw new KysoError('USAGE', { reason: `file larger than ${o.maxBytes} bytes` });
    const id = randomBytes(16).toString('hex');
    const tmp = join(this.dir, `${PART}${Date.now()}-${id}`);
    try {
      closeSync(openSync(tmp, 'wx', 0o644));
    } catch (e) {
      throw uploadError(e, this.dir, 0);
    }
    const p: Parted = { tmp, size, claimed: [], landed: new Map(), received: 0, arrived: 0, inFlight: 0, hashed: 0, hash: createHash('sha256'), hashing: Promise.resolve() };
    this.parted.set(id, p);
    this.touch(id, p);
    return id;
  }

  /**
   * Writes one block of a parted upload at `offset`; `length` (its Content-Length) bytes must come.
   * A block outside the file or over another, a block cut off, or a write that fails ends the whole
   * upload and removes its temporary file.
   */
  async part(id: string, offset: number, length: number, source: Readable | AsyncIterable<Uint8Array>): Promise<{ received: number }> {
    const p = this.session(id);
    const end = offset + length;
    if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length <= 0 || end > p.size)
      throw this.fail(id, p, new KysoError('USAGE', { reason: `block ${offset}+${length} outside the upload of ${p.size} bytes` }));
    if (p.claimed.some(([a, b]) => offset < b && a < end)) throw this.fail(id, p, new KysoError('USAGE', { reason: `block ${offset}+${length} overlaps another` }));
    p.claimed.push([offset, end]);
    p.inFlight++;
    this.touch(id, p);
    let got = 0;
    const meter = new Transform({
      transform(chunk: Buffer, _enc, done) {
        got += chunk.length;
        p.arrived += chunk.length;
        if (got > length) return done(new KysoError('USAGE', { reason: `block larger than ${length} bytes` }));
        done(null, chunk);
      },
    });
    try {
      await pipeline(source, meter, createWriteStream(p.tmp, { flags: 'r+', start: offset, highWaterMark: 1 << 20 }));
      if (got !== length) throw new KysoError('UPLOAD_INCOMPLETE', { received: p.arrived });
      if (p.failed) throw p.failed;
    } catch (e) {
      throw this.fail(id, p, p.failed ?? uploadError(e, this.dir, p.arrived));
    } finally {
      p.inFlight--;
      this.touch(id, p);
    }
    p.received += length;
    p.landed.set(offset, end);
    p.hashing = p.hashing.then(() => this.hashLanded(id, p));
    return { received: p.received };
  }

  /** Ends a parted upload once every block has come: renamed to its SHA-256, as receive() does. */
  async end(id: string): Promise<StoredFile> {
    const p = this.session(id);
    if (p.inFlight > 0 || p.received !== p.size) throw this.fail(id, p, new KysoError('UPLOAD_INCOMPLETE', { received: p.received }));
    // Ended once: a second end (or a late block) finds nothing.
    this.parted.delete(id);
    clearTimeout(p.idle);
    await p.hashing;
    if (p.failed) throw p.failed;
    const sha256 = p.hash.digest('hex');
    try {
      await rename(p.tmp, join(this.dir, sha256));
    } catch (e) {
      await rm(p.tmp, { force: true });
      throw uploadError(e, this.dir, p.size);
    }
    return { sha256, size: p.size };
  }

  /** Gives up a parted upload (the page saw one of its blocks fail): nothing is left. */
  abort(id: string): void {
    const p = this.parted.get(id);
    if (p) this.fail(id, p, new KysoError('UPLOAD_INCOMPLETE', { received: p.received }));
  }

  private session(id: string): Parted {
    const p = ID.test(id) ? this.parted.get(id) : undefined;
    if (!p) throw new KysoError('UPLOAD_NOT_FOUND', { sha256: id });
    return p;
  }

  /** Drops a parted upload and its temporary file; answers the error it failed with. */
  private fail(id: string, p: Parted, e: KysoError): KysoError {
    p.failed ??= e;
    clearTimeout(p.idle);
    this.parted.delete(id);
    rmSync(p.tmp, { force: true });
    return p.failed;
  }

  private touch(id: string, p: Parted): void {
    clearTimeout(p.idle);
    p.idle = setTimeout(() => {
      if (p.inFlight === 0 && this.parted.get(id) === p) this.fail(id, p, new KysoError('UPLOAD_INCOMPLETE', { received: p.received }));
    }, IDLE_MS);
    p.idle.unref();
  }

  /** Hashes the blocks that now continue the hashed run, read back from the temporary file. */
  private async hashLanded(id: string, p: Parted): Promise<void> {
    if (p.failed || !p.landed.has(p.hashed)) return;
    const buf = Buffer.allocUnsafe(1 << 20);
    let fh;
    try {
      fh = await open(p.tmp, 'r');
      for (let end = p.landed.get(p.hashed); end !== undefined; end = p.landed.get(p.hashed)) {
        p.landed.delete(p.hashed);
        while (p.hashed < end) {
          const { bytesRead } = await fh.read(buf, 0, Math.min(buf.length, end - p.hashed), p.hashed);
          if (bytesRead === 0) throw new KysoError('UPLOAD_INCOMPLETE', { received: p.hashed });
          p.hash.update(buf.subarray(0, bytesRead));
          p.hashed += bytesRead;
        }
      }
    } catch (e) {
      if (!p.failed) this.fail(id, p, uploadError(e, this.dir, p.hashed));
    } finally {
      await fh?.close();
    }
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
