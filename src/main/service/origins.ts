// Which web pages may use the signing service. Any page the clerk opens can try a WebSocket to
// 127.0.0.1, so a request is served only for an origin the user allowed: listed in the settings
// (origins.json beside the local CA), given with --allow-origin, or allowed when asked — the first
// request from a new origin asks the user in Kyso's own window (the `ask` hook); the CLI never asks.
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import { KysoError } from '../../shared/errors.js';

const Stored = z.object({
  origins: z.array(z.string()).default([]),
  /** Hosts (besides each page's own) that source files may be fetched from. */
  fileHosts: z.array(z.string()).default([]),
});
export type AllowListFile = z.infer<typeof Stored>;

/** "https://qlvb.example.gov.vn" from any spelling of it; refuses what is not an http(s) origin. */
export function normaliseOrigin(value: string): string {
  let u: URL;
  try {
    u = new URL(value.trim());
  } catch {
    throw new KysoError('USAGE', { reason: `"${value}" is not an origin such as https://qlvb.example.gov.vn` });
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') throw new KysoError('USAGE', { reason: `"${value}" is not an http(s) origin` });
  return u.origin;
}

export function allowListPath(serviceDir: string): string {
  return join(serviceDir, 'origins.json');
}

export function readAllowList(path: string): AllowListFile {
  if (!existsSync(path)) return Stored.parse({});
  try {
    return Stored.parse(JSON.parse(readFileSync(path, 'utf8')));
  } catch (e) {
    throw new KysoError('ASSET_INVALID', { path, reason: (e as Error).message });
  }
}

export function writeAllowList(path: string, list: AllowListFile): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(list, null, 2) + '\n', { mode: 0o600 });
  const fd = openSync(tmp, 'r+');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
}

/**
 * Asked once per new origin: true when the user allows it (then remembered), false when refused
 * (not asked again while Kyso runs), null when nobody answered in time (asked again next time).
 */
export type AskOrigin = (origin: string) => Promise<boolean | null>;

export class OriginPolicy {
  private readonly allowed = new Set<string>();
  private readonly fileHosts = new Set<string>();
  private readonly pending = new Map<string, Promise<boolean | null>>();
  /** Origins the user refused while Kyso runs: asked once, not again until the list is edited or Kyso restarts. */
  private readonly refused = new Set<string>();

  constructor(
    o: { origins?: string[]; fileHosts?: string[] },
    private readonly ask?: AskOrigin,
    /** Where origins the user allows when asked are remembered (none: for this run only). */
    private readonly persist?: string,
  ) {
    for (const x of o.origins ?? []) this.allowed.add(normaliseOrigin(x));
    for (const h of o.fileHosts ?? []) this.fileHosts.add(h.toLowerCase());
  }

  static fromFile(path: string, extra: { origins?: string[]; fileHosts?: string[] }, ask?: AskOrigin): OriginPolicy {
    const stored = readAllowList(path);
    return new OriginPolicy({ origins: [...stored.origins, ...(extra.origins ?? [])], fileHosts: [...stored.fileHosts, ...(extra.fileHosts ?? [])] }, ask, ask ? path : undefined);
  }

  isAllowed(origin: string): boolean {
    return this.allowed.has(origin);
  }

  /** Whether a request from an unlisted origin is asked about (the app) rather than refused (the CLI). */
  get asks(): boolean {
    return this.ask !== undefined;
  }

  /** The origins allowed now, sorted. */
  list(): string[] {
    return [...this.allowed].sort();
  }

  /** Allows an origin (from the settings); remembered when the policy has a file. */
  allow(origin: string): string {
    const o = normaliseOrigin(origin);
    this.allowed.add(o);
    this.refused.delete(o);
    this.remember((list) => (list.includes(o) ? list : [...list, o]));
    return o;
  }

  /** Takes an origin off the list (from the settings); its next request asks again. */
  forget(origin: string): void {
    const o = normaliseOrigin(origin);
    this.allowed.delete(o);
    this.refused.delete(o);
    this.remember((list) => list.filter((x) => x !== o));
  }

  private remember(change: (origins: string[]) => string[]): void {
    if (!this.persist) return;
    const stored = readAllowList(this.persist);
    writeAllowList(this.persist, { ...stored, origins: change(stored.origins) });
  }

  /** Whether a request from this origin is served: listed, or allowed by the user now. */
  async admit(origin: string | undefined): Promise<boolean> {
    if (!origin || origin === 'null') return false;
    let o: string;
    try {
      o = normaliseOrigin(origin);
    } catch {
      return false;
    }
    if (this.allowed.has(o)) return true;
    if (!this.ask || this.refused.has(o)) return false;
    // Several sockets from one new page ask once.
    let p = this.pending.get(o);
    if (!p) {
      p = this.ask(o).catch(() => false);
      this.pending.set(o, p);
    }
    const answer = await p;
    this.pending.delete(o);
    if (answer === true) {
      this.allowed.add(o);
      this.remember((list) => (list.includes(o) ? list : [...list, o]));
    } else if (answer === false) this.refused.add(o);
    return answer === true;
  }

  /** A source file's URL may be fetched for a page of `origin`: same host, or a host the user allowed. */
  checkFileUrl(url: URL, origin: string): void {
    const own = new URL(origin).hostname.toLowerCase();
    const host = url.hostname.toLowerCase();
    if (host === own || this.fileHosts.has(host) || this.fileHosts.has(url.host.toLowerCase())) return;
    throw new KysoError('SERVICE_FETCH_HOST_NOT_ALLOWED', { host: url.host, origin });
  }
}
