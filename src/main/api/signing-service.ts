// The signing service inside the app (issue 16): when enabled in Settings, the app's main process
// (Electron shell or `npm run web`) serves the VGCA service's functions at wss://127.0.0.1:PORT
// with the engine, and everything the service must ask the user waits here for Kyso's own window:
// a new origin (allow and remember, or refuse), the file when the request names none, and each
// signing — origin, function, first page, the token and the PIN. The window polls `pending()` and
// answers; a request nobody answers in time is refused (origin) or cancelled (Status 11).
import { createHash, randomUUID } from 'node:crypto';
import { closeSync, createReadStream, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import type { ServiceOutcome, ServicePending, ServiceStatus } from '../../shared/contract.js';
import { KysoError, toKysoError, type ErrorPayload } from '../../shared/errors.js';
import { caFingerprint, ensureServiceTls, localCaFiles, serviceConfigDir } from '../service/local-ca.js';
import { allowListPath, OriginPolicy, readAllowList } from '../service/origins.js';
import type { ChosenToken, SigningPrompt } from '../service/pdf-functions.js';
import type { PdfFunction, ServiceResponse } from '../service/protocol.js';
import { DEFAULT_SERVICE_PORT, startService, type RunningService, type ServiceOptions } from '../service/server.js';
import { applyTrust, caIdentity, type TrustOutcome } from '../service/trust-stores.js';
import type { Uploads } from '../store/uploads.js';
import type { SettingsStore } from './settings.js';
import type { TokenService } from './tokens.js';

/** How long a new origin's request waits for the user's answer before it is refused (asked again next time). */
export const ORIGIN_WAIT_MS = 2 * 60_000;
/** How long a signing waits for the user (file, PIN) before it is cancelled. */
export const SIGNING_WAIT_MS = 10 * 60_000;

const Config = z.object({ enabled: z.boolean().default(false), port: z.number().int().min(1).max(65535).default(DEFAULT_SERVICE_PORT) });
type Config = z.infer<typeof Config>;

export interface SigningServiceDeps {
  dataDir: string;
  settings: SettingsStore;
  tokens: TokenService;
  uploads: Uploads;
  /** The desk's audit log (the same chain as the screens' signatures). */
  audit: (e: { actor: string; action: string; subject: string; details: Record<string, unknown> }) => void;
  log: (line: string) => void;
}

interface OriginQuestion {
  id: string;
  origin: string;
  askedAt: string;
  answer: (allow: boolean | null) => void;
}

/** The one signing under way (the service runs them one at a time). */
interface Signing {
  id: string;
  origin: string;
  function: PdfFunction;
  askedAt: string;
  needsFile: boolean;
  fileName: string | null;
  sha256: string | null;
  docNumber: string | null;
  issued: string | null;
  pinError: ErrorPayload | null;
  /** The file the user chose (an upload, removed when the call ends). */
  pickedUpload: string | null;
  token: ChosenToken | null;
  giveFile?: (file: { path: string; name: string } | Error) => void;
  giveAnswer?: (a: { pin: string; token: ChosenToken } | 'cancel') => void;
  /** The window's answerSigning call, waiting for how it ended. */
  round?: (o: ServiceOutcome) => void;
}

/** Waits for `p` at most `ms`, then takes `fallback`. */
function bounded<T>(p: Promise<T>, ms: number, fallback: () => T): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<T>((resolve) => {
    timer = setTimeout(() => resolve(fallback()), ms);
    timer.unref();
  });
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}

async function sha256Of(path: string): Promise<string> {
  const h = createHash('sha256');
  for await (const c of createReadStream(path)) h.update(c as Buffer);
  return h.digest('hex');
}

export class AppSigningService {
  private readonly configFile: string;
  private running: RunningService | undefined;
  private startError: ErrorPayload | null = null;
  private policyCache: OriginPolicy | undefined;
  private readonly questions = new Map<string, OriginQuestion>();
  private current: Signing | null = null;
  /** Called when something new waits for the user (the desktop shell brings its window forward). */
  onAttention: (() => void) | undefined;
  /** Files shown in the confirmation panel, by SHA-256 (read at /files/<sha256>). */
  private readonly shown = new Map<string, string>();

  constructor(private readonly d: SigningServiceDeps) {
    this.configFile = join(d.dataDir, 'service.json');
  }

  private dir(): string {
    return serviceConfigDir();
  }

  private config(): Config {
    if (!existsSync(this.configFile)) return Config.parse({});
    try {
      return Config.parse(JSON.parse(readFileSync(this.configFile, 'utf8')));
    } catch (e) {
      throw new KysoError('ASSET_INVALID', { path: this.configFile, reason: (e as Error).message });
    }
  }

  private saveConfig(c: Config): void {
    mkdirSync(this.d.dataDir, { recursive: true });
    const tmp = `${this.configFile}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(c, null, 2) + '\n');
    const fd = openSync(tmp, 'r+');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, this.configFile);
  }

  /** The allowed origins (shared with `kyso service`: origins.json beside the local CA); asks the window for new ones. */
  private policy(): OriginPolicy {
    return (this.policyCache ??= OriginPolicy.fromFile(allowListPath(this.dir()), {}, (origin) => this.askOrigin(origin)));
  }

  status(): ServiceStatus {
    const c = this.config();
    const files = localCaFiles(this.dir());
    let ca: ServiceStatus['ca'] = null;
    if (existsSync(files.caCert)) ca = { path: files.caCert, sha256: caFingerprint(readFileSync(files.caCert, 'utf8')) };
    const origins = this.policyCache ? this.policyCache.list() : readAllowList(allowListPath(this.dir())).origins;
    return { enabled: c.enabled, port: c.port, running: !!this.running, error: this.running ? null : this.startError, origins, ca };
  }

  /** At the app's start: runs the service when Settings say so (a failure is shown in Settings, not fatal). */
  async resume(): Promise<void> {
    if (!this.config().enabled) return;
    try {
      await this.start();
    } catch (e) {
      this.d.log(`dịch vụ ký số không chạy | the signing service did not start: ${toKysoError(e).code}`);
    }
  }

  async configure(patch: { enabled?: boolean; port?: number }): Promise<ServiceStatus> {
    const before = this.config();
    const next = { ...before, ...Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)) } as Config;
    this.saveConfig(next);
    if (this.running && (!next.enabled || next.port !== this.running.port)) await this.stop();
    if (next.enabled && !this.running) await this.start();
    if (!next.enabled) this.startError = null;
    return this.status();
  }

  addOrigin(origin: string): ServiceStatus {
    this.policy().allow(origin);
    return this.status();
  }

  removeOrigin(origin: string): ServiceStatus {
    this.policy().forget(origin);
    return this.status();
  }

  async trustCa(action: 'install' | 'remove'): Promise<{ status: ServiceStatus; stores: Array<{ store: string; ok: boolean }> }> {
    const tls = await ensureServiceTls(this.dir());
    const outcome: TrustOutcome[] = applyTrust(action, caIdentity(tls.files.caCert, tls.caPem), homedir());
    return { status: this.status(), stores: outcome.map((o) => ({ store: o.store, ok: o.ok })) };
  }

  private async start(): Promise<void> {
    const { port } = this.config();
    try {
      const tls = await ensureServiceTls(this.dir());
      if (tls.created) {
        // As `kyso service` does at first start: browsers trust the service once the CA is in their stores.
        try {
          applyTrust('install', caIdentity(tls.files.caCert, tls.caPem), homedir());
        } catch (e) {
          this.d.log(`Cảnh báo: chưa cài được CA cục bộ | Warning: the local CA is not installed (${toKysoError(e).code})`);
        }
      }
      this.running = await startService({ port, tls, ...this.context() });
      this.startError = null;
      this.d.log(`Kyso service: wss://127.0.0.1:${this.running.port}/`);
    } catch (e) {
      const err = toKysoError(e);
      this.startError = err.toPayload();
      throw err;
    }
  }

  /** Stops listening; whatever waits for the user is refused or cancelled. */
  async stop(): Promise<void> {
    const r = this.running;
    this.running = undefined;
    for (const q of this.questions.values()) q.answer(null);
    this.current?.giveAnswer?.('cancel');
    this.current?.giveFile?.(new KysoError('SERVICE_CANCELLED'));
    await r?.close();
  }

  // -------------------------------------------------------------------------------------------
  // What the window sees and answers

  pending(): ServicePending[] {
    const out: ServicePending[] = [...this.questions.values()].map((q) => ({ kind: 'origin', id: q.id, origin: q.origin, askedAt: q.askedAt }));
    const s = this.current;
    // Shown while it waits for the user and while the signature they asked for is made.
    if (s && (s.giveFile || s.giveAnswer || s.round))
      out.push({
        kind: 'signing',
        id: s.id,
        origin: s.origin,
        function: s.function,
        needsFile: s.needsFile,
        fileName: s.fileName,
        sha256: s.sha256,
        docNumber: s.docNumber,
        issued: s.issued,
        pinError: s.pinError,
        askedAt: s.askedAt,
      });
    return out;
  }

  answerOrigin(id: string, allow: boolean): void {
    const q = this.questions.get(id);
    if (!q) throw new KysoError('SERVICE_REQUEST_GONE', { id });
    q.answer(allow);
  }

  chooseFile(id: string, file: { name: string; sha256: string }): void {
    const s = this.waiting(id);
    if (!s.giveFile) throw new KysoError('SERVICE_REQUEST_GONE', { id });
    const path = this.d.uploads.require(file.sha256);
    s.pickedUpload = file.sha256;
    s.giveFile({ path, name: file.name });
  }

  answerSigning(id: string, token: ChosenToken, pin: string): Promise<ServiceOutcome> {
    const s = this.waiting(id);
    if (!s.giveAnswer) throw new KysoError('SERVICE_REQUEST_GONE', { id });
    const ended = new Promise<ServiceOutcome>((resolve) => (s.round = resolve));
    s.token = token;
    s.giveAnswer({ pin, token });
    return ended;
  }

  cancel(id: string): void {
    const s = this.waiting(id);
    s.giveFile?.(new KysoError('SERVICE_CANCELLED'));
    s.giveAnswer?.('cancel');
  }

  /** A file shown in the confirmation panel, for GET /files/<sha256>. */
  locate(sha256: string): { path: string; size: number } | undefined {
    const path = this.shown.get(sha256);
    return path && existsSync(path) ? { path, size: statSync(path).size } : undefined;
  }

  private waiting(id: string): Signing {
    if (!this.current || this.current.id !== id) throw new KysoError('SERVICE_REQUEST_GONE', { id });
    return this.current;
  }

  // -------------------------------------------------------------------------------------------
  // The service's hooks

  private askOrigin(origin: string): Promise<boolean | null> {
    const id = randomUUID();
    const asked = new Promise<boolean | null>((resolve) => {
      this.questions.set(id, { id, origin, askedAt: new Date().toISOString(), answer: resolve });
    });
    this.onAttention?.();
    return bounded(asked, ORIGIN_WAIT_MS, () => null).finally(() => this.questions.delete(id));
  }

  private begin(origin: string, fn: PdfFunction): Signing {
    if (!this.current) this.onAttention?.();
    return (this.current ??= {
      id: randomUUID(),
      origin,
      function: fn,
      askedAt: new Date().toISOString(),
      needsFile: false,
      fileName: null,
      sha256: null,
      docNumber: null,
      issued: null,
      pinError: null,
      pickedUpload: null,
      token: null,
    });
  }

  private pickFile(q: { origin: string; function: PdfFunction }): Promise<{ path: string; name: string } | null> {
    const s = this.begin(q.origin, q.function);
    s.needsFile = true;
    const chosen = new Promise<{ path: string; name: string } | Error>((resolve) => (s.giveFile = resolve));
    return bounded(chosen, SIGNING_WAIT_MS, () => new KysoError('SERVICE_CANCELLED')).then((r) => {
      s.giveFile = undefined;
      if (r instanceof Error) throw r;
      s.needsFile = false;
      return r;
    });
  }

  private async confirm(p: SigningPrompt): Promise<{ pin: string; token: ChosenToken } | 'cancel'> {
    const s = this.begin(p.origin, p.function);
    if (!s.sha256) {
      s.sha256 = await sha256Of(p.file);
      this.shown.set(s.sha256, p.file);
    }
    s.fileName = p.fileName;
    s.docNumber = p.docNumber ?? null;
    s.issued = p.issued ?? null;
    s.pinError = p.pinError ?? null;
    const answered = new Promise<{ pin: string; token: ChosenToken } | 'cancel'>((resolve) => (s.giveAnswer = resolve));
    // Asked again after a wrong PIN: the window's call learns it now.
    if (p.pinError && s.round) this.endRound({ outcome: 'pin-wrong', error: p.pinError, fileServer: null });
    const a = await bounded(answered, SIGNING_WAIT_MS, () => 'cancel' as const);
    s.giveAnswer = undefined;
    return a;
  }

  private endRound(o: ServiceOutcome): void {
    const r = this.current?.round;
    if (this.current) this.current.round = undefined;
    r?.(o);
  }

  private settled(answer: ServiceResponse, error?: ErrorPayload): void {
    const s = this.current;
    if (!s) return;
    const outcome: ServiceOutcome['outcome'] = answer.Status === 0 ? 'signed' : error?.code === 'SERVICE_CANCELLED' ? 'cancelled' : 'failed';
    this.endRound({ outcome, error: error ?? null, fileServer: answer.Status === 0 ? answer.FileServer : null });
    if (s.pickedUpload) this.d.uploads.remove(s.pickedUpload);
    if (s.sha256) this.shown.delete(s.sha256);
    this.current = null;
  }

  /** The engine's context: read at each call, so a root, CRL, image or preset changed in Settings applies at once. */
  private context(): Omit<ServiceOptions, 'port' | 'tls'> {
    const { settings, tokens, dataDir } = this.d;
    const self = this;
    const image = (kind: 'signature' | 'seal') => {
      const label = self.current?.token?.label;
      const bytes = label ? settings.image(label, kind) : undefined;
      return bytes ? { bytes, source: `${label}/${kind}.png` } : undefined;
    };
    return {
      policy: this.policy(),
      confirm: (p) => this.confirm(p),
      pickFile: (q) => this.pickFile(q),
      askAgainOnWrongPin: true,
      settled: (a, e) => this.settled(a, e),
      openSigner: (pin, token) => {
        if (!token) throw new KysoError('TOKEN_NOT_FOUND', { label: '' });
        return tokens.openSigner(token, pin);
      },
      images: {
        get signature() {
          return image('signature');
        },
        get seal() {
          return image('seal');
        },
      },
      person: {
        get preset() {
          return settings.stored().preset;
        },
      },
      trust: {
        get trust() {
          return settings.trustStore();
        },
        extraCerts: [],
        get crls() {
          return settings.crls();
        },
        get online() {
          return settings.stored().onlineRevocation;
        },
        cacheDir: join(dataDir, 'cache', 'revocation'),
      },
      workDir: join(dataDir, 'service'),
      audit: (e) => this.d.audit({ actor: this.current?.token ? `token:${this.current.token.label}` : 'service', ...e }),
      log: this.d.log,
      // GetCertInfo: the first plugged-in token's signing certificate, read without a PIN.
      certInfo: async () => {
        const list = tokens.list();
        for (const t of list.tokens) {
          const c = t.certificates.find((x) => !x.isCa && x.hasPrivateKey !== false);
          if (c) return { CertInfo: { Subject: c.subject, CommonName: c.commonName, Issuer: c.issuer, SerialNumber: c.serialNumber, NotBefore: c.notBefore, NotAfter: c.notAfter, TokenLabel: t.label } };
        }
        throw new KysoError('TOKEN_NONE_PRESENT', {});
      },
    };
  }
}
