// Hashes the signed byte ranges of a PDF on a worker thread, so that reading and hashing a large
// file (≈0.1 s per 100 MB) runs beside the main thread's parsing of the PDF, the CMS and the
// certificate chain instead of after it. Node's own crypto does every hash.
//
// The worker starts before anyone knows the ByteRange: it reads the file once from the first byte,
// hashing it with SHA-256 and keeping the hash state at every chunk boundary (a copy is a few
// hundred bytes). Every signature's first range starts at byte 0, so a request for
// [0, a) + [b, b + c) costs one partial chunk and the short second range once the pass is past a;
// other algorithms, or ranges that do not start at 0, are hashed from scratch (still off the main
// thread). Requests are answered between chunks as soon as they can be, never only at the end of
// the pass: a small signed revision followed by a huge appendix waits for no more than it needs.
//
// Both sides are here: serveRangeHashes() runs in the worker (its script calls it), and
// startRangeHasher() is the main thread's client.
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import type { Hash } from 'node:crypto';
import { receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';

export type HashName = 'sha1' | 'sha256' | 'sha384' | 'sha512';
/** [start, length] pairs, hashed in order as one stream. */
export type ByteRanges = ReadonlyArray<readonly [number, number]>;

/** Enough of a file's stat to tell that two opens reached the same unchanged file. */
export interface FileIdentity {
  dev: number;
  ino: number;
  size: number;
  mtimeMs: number;
  ctimeMs: number;
}

export function sameFile(a: FileIdentity | undefined, b: FileIdentity | undefined): boolean {
  return Boolean(a && b && a.dev === b.dev && a.ino === b.ino && a.size === b.size && a.mtimeMs === b.mtimeMs && a.ctimeMs === b.ctimeMs);
}

/** The file a hasher reads: its absolute path, and what it was when the hasher opened it. */
export interface OpenedFile {
  path: string;
  identity: FileIdentity;
}

/** Digests of byte ranges of one file, computed elsewhere. */
export interface RangeHasher {
  /** The file the hasher opened; undefined when it had none or could not open it. */
  opened(): Promise<OpenedFile | undefined>;
  /** Rejects with ShortRangeError when the file ends inside a range. */
  digest(alg: HashName, ranges: ByteRanges): Promise<Buffer>;
}

/** The file ended inside a byte range. */
export class ShortRangeError extends Error {}

// ---- the protocol ------------------------------------------------------------------------------

type Request = { id: number; alg: HashName; ranges: Array<[number, number]> };
type Reply =
  | { kind: 'opened'; file: OpenedFile | null }
  | { kind: 'digest'; id: number; digest: Uint8Array }
  | { kind: 'short'; id: number }
  | { kind: 'failed'; id: number; message: string }
  /** A KYSO_TRACE line, written by the main thread (a worker's own stderr may not be flushed at exit). */
  | { kind: 'trace'; line: string };

/** The speculated algorithm: what Kyso and most producers sign with. */
const PASS_ALG: HashName = 'sha256';
// Bigger chunks are no faster (measured 128 KiB–2 MiB); 1 MiB bounds the re-read of a request.
const CHUNK = 1024 * 1024;

// ---- the worker side ---------------------------------------------------------------------------

/**
 * The worker's side: hashes the file at `path` (absolute; undefined: there is none) and answers
 * the requests that come on `port`. `origin`: the main thread's performance.timeOrigin, so that
 * trace lines (KYSO_TRACE) share its time line.
 */
export function serveRangeHashes(path: string | undefined, port: MessagePort, origin: number): void {
  // Loaded here, not at the top: the launcher requires this file before anything else, and the
  // sooner it has started the worker the better (Node ≥ 20.16: process.getBuiltinModule).
  const { createHash } = process.getBuiltinModule('node:crypto');
  const post = (r: Reply): void => port.postMessage(r);
  const trace = process.env.KYSO_TRACE
    ? (phase: string): void => post({ kind: 'trace', line: `[trace] ${(performance.timeOrigin + performance.now() - origin).toFixed(1).padStart(8)} ms  hash worker: ${phase}\n` })
    : (): void => undefined;
  let fd: number;
  let size: number;
  try {
    if (path === undefined) throw new Error('no file');
    fd = openSync(path, 'r');
    const s = fstatSync(fd);
    size = s.size;
    post({ kind: 'opened', file: { path, identity: { dev: s.dev, ino: s.ino, size: s.size, mtimeMs: s.mtimeMs, ctimeMs: s.ctimeMs } } });
  } catch {
    post({ kind: 'opened', file: null });
    return;
  }
  trace('file opened');
  const buf = Buffer.allocUnsafe(CHUNK);
  /** Reads into buf, retrying short reads; returns the bytes read (fewer only at the end of the file). */
  const readAt = (offset: number, length: number): number => {
    let done = 0;
    while (done < length) {
      const n = readSync(fd, buf, done, length - done, offset + done);
      if (n === 0) break;
      done += n;
    }
    return done;
  };
  const feed = (h: Hash, start: number, length: number): boolean => {
    for (let off = 0; off < length; ) {
      const want = Math.min(CHUNK, length - off);
      const n = readAt(start + off, want);
      if (n > 0) h.update(buf.subarray(0, n));
      if (n < want) return false;
      off += n;
    }
    return true;
  };

  // states[k]: the hash of the file's first k * CHUNK bytes. passDone: no more states will come.
  const states: Hash[] = [createHash(PASS_ALG)];
  let passDone = false;
  const fromPass = (req: Request): boolean => req.alg === PASS_ALG && req.ranges.length > 0 && req.ranges[0]![0] === 0 && req.ranges[0]![1] >= 0;
  const ready = (req: Request): boolean => passDone || !fromPass(req) || Math.floor(req.ranges[0]![1] / CHUNK) < states.length;

  const answer = (req: Request): void => {
    try {
      let h: Hash;
      let ranges = req.ranges;
      if (fromPass(req)) {
        const a = ranges[0]![1];
        const k = Math.min(Math.floor(a / CHUNK), states.length - 1);
        h = states[k]!.copy();
        ranges = [[k * CHUNK, a - k * CHUNK], ...ranges.slice(1)];
      } else {
        h = createHash(req.alg);
      }
      for (const [start, length] of ranges) {
        if (!feed(h, start, length)) return post({ kind: 'short', id: req.id });
      }
      post({ kind: 'digest', id: req.id, digest: h.digest() });
    } catch (e) {
      post({ kind: 'failed', id: req.id, message: (e as Error).message });
    }
  };
  const waiting: Request[] = [];
  const answerReady = (): void => {
    for (let m = receiveMessageOnPort(port); m; m = receiveMessageOnPort(port)) waiting.push(m.message as Request);
    for (let i = 0; i < waiting.length; ) {
      if (ready(waiting[i]!)) answer(waiting.splice(i, 1)[0]!);
      else i++;
    }
  };

  const h = createHash(PASS_ALG);
  for (let off = 0; off + CHUNK <= size; off += CHUNK) {
    if (readAt(off, CHUNK) < CHUNK) break;
    h.update(buf);
    states.push(h.copy());
    answerReady();
  }
  passDone = true;
  trace(`${PASS_ALG} pass over the file done`);
  answerReady();
  // From now on, requests are answered as they come. The port keeps the worker alive; the process
  // ends it when the main thread is done.
  port.on('message', answer);
  port.once('close', () => closeSync(fd));
}

// ---- the client side ---------------------------------------------------------------------------

/**
 * Starts a worker that runs `script` with `workerData`; the script calls serveRangeHashes() (see
 * ../cli/verify-early.ts). The worker keeps the process alive only while an answer from it is
 * awaited; a failed worker rejects what is pending (callers then hash on their own thread).
 */
export function startRangeHasher(script: string, workerData: unknown): RangeHasher {
  const worker = new Worker(script, { workerData });
  worker.unref();
  // While anything awaits the worker, it must keep the event loop (and so the process) alive.
  let holds = 0;
  const hold = (): void => void (holds++ === 0 && worker.ref());
  const release = (): void => void (--holds === 0 && worker.unref());

  let openedKnown = false;
  let resolveOpened!: (f: OpenedFile | undefined) => void;
  const opened = new Promise<OpenedFile | undefined>((r) => (resolveOpened = r));
  hold(); // released when the worker says which file it opened
  const setOpened = (f: OpenedFile | undefined): void => {
    if (openedKnown) return;
    openedKnown = true;
    resolveOpened(f);
    release();
  };

  const pending = new Map<number, { resolve: (b: Buffer) => void; reject: (e: Error) => void }>();
  let nextId = 1;
  let dead: Error | undefined;
  const settle = (id: number): { resolve: (b: Buffer) => void; reject: (e: Error) => void } | undefined => {
    const p = pending.get(id);
    if (p) {
      pending.delete(id);
      release();
    }
    return p;
  };
  const fail = (e: Error): void => {
    dead ??= e;
    setOpened(undefined);
    for (const id of [...pending.keys()]) settle(id)?.reject(e);
  };
  worker.on('message', (r: Reply) => {
    if (r.kind === 'opened') setOpened(r.file ?? undefined);
    else if (r.kind === 'digest') settle(r.id)?.resolve(Buffer.from(r.digest.buffer, r.digest.byteOffset, r.digest.byteLength));
    else if (r.kind === 'short') settle(r.id)?.reject(new ShortRangeError('the file ends inside a signed byte range'));
    else if (r.kind === 'failed') settle(r.id)?.reject(new Error(r.message));
    else process.stderr.write(r.line);
  });
  worker.on('error', fail);
  worker.on('exit', (code) => fail(new Error(`the hashing worker stopped (exit ${code})`)));

  return {
    opened: () => opened,
    digest(alg, ranges) {
      if (dead) return Promise.reject(dead);
      const id = nextId++;
      return new Promise<Buffer>((resolve, reject) => {
        pending.set(id, { resolve, reject });
        hold();
        worker.postMessage({ id, alg, ranges: ranges.map(([s, l]) => [s, l]) } satisfies Request);
      });
    },
  };
}
