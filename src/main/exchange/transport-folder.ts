// The folder transport: each desk has a drop box, a folder it reads (a share on the agency's
// network: SMB, NFS). A package is written under a hidden temporary name, flushed, then renamed
// into place, so a reader never sees half a file; a receiver reads packages where they lie and
// moves each into processed/ only when the engine has committed it (acknowledge).
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readdirSync, renameSync, rmSync, statSync, writeSync, readSync } from 'node:fs';
import { basename, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { KysoError } from '../../shared/errors.js';
import type { IncomingPackage, OutgoingPackage, SendResult, Transport } from './transport.js';

const PROCESSED = 'processed';

function unreachable(address: string, e: unknown): KysoError {
  return new KysoError('EXCHANGE_UNREACHABLE', { transport: 'folder', server: address, address, reason: (e as NodeJS.ErrnoException).code ?? (e as Error).message }, { cause: e });
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
    // Some network file systems cannot open a folder for syncing; the rename is still atomic there.
  }
}

/** Copies a file under a temporary name in `dir`, flushes it, renames it to `name`. */
export function dropFile(source: string, dir: string, name: string): void {
  const tmp = join(dir, `.${name}.${randomBytes(4).toString('hex')}.part`);
  const out = openSync(tmp, 'wx', 0o644);
  try {
    const inp = openSync(source, 'r');
    try {
      const buf = Buffer.allocUnsafe(1 << 20);
      for (;;) {
        const n = readSync(inp, buf, 0, buf.length, null);
        if (n === 0) break;
        let off = 0;
        while (off < n) off += writeSync(out, buf, off, n - off);
      }
    } finally {
      closeSync(inp);
    }
    fsyncSync(out);
  } catch (e) {
    closeSync(out);
    rmSync(tmp, { force: true });
    throw e;
  }
  closeSync(out);
  try {
    renameSync(tmp, join(dir, name));
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
  fsyncDir(dir);
}

export class FolderTransport implements Transport {
  readonly kind = 'folder' as const;

  /** @param inbox this desk's own drop box (undefined: the desk only sends). */
  constructor(private readonly inbox?: string) {}

  async send(pkg: OutgoingPackage): Promise<SendResult> {
    const dir = pkg.address;
    try {
      if (!statSync(dir).isDirectory()) throw new KysoError('EXCHANGE_REFUSED', { transport: 'folder', server: dir, address: dir, reason: 'not a folder' });
    } catch (e) {
      if (e instanceof KysoError) throw e;
      throw unreachable(dir, e);
    }
    try {
      dropFile(pkg.path, dir, pkg.fileName);
    } catch (e) {
      throw unreachable(dir, e);
    }
    return { remoteId: join(dir, pkg.fileName) };
  }

  async receive(limit = 1000): Promise<IncomingPackage[]> {
    if (!this.inbox) return [];
    let names: string[];
    try {
      names = readdirSync(this.inbox);
    } catch (e) {
      throw unreachable(this.inbox, e);
    }
    return names
      .filter((n) => !n.startsWith('.') && n.toLowerCase().endsWith('.edxml'))
      .sort()
      .slice(0, limit)
      .map((n) => ({ transportId: n, fileName: n, path: join(this.inbox!, n) }));
  }

  async acknowledge(pkg: IncomingPackage): Promise<void> {
    if (!this.inbox) return;
    const done = join(this.inbox, PROCESSED);
    mkdirSync(done, { recursive: true });
    if (!existsSync(pkg.path)) return; // already moved by an earlier run that stopped before its commit was noticed
    renameSync(pkg.path, join(done, basename(pkg.path)));
    fsyncDir(this.inbox);
  }

  async close(): Promise<void> {}
}
