// The tokens as the screens see them: the list (polled, so that a token pulled out or plugged in
// shows without a restart), what is known of each PIN, and a signer for one signing step (or a
// batch) that logs in with the PIN the person typed, only once the step may run, and always
// closes its session.
//
// Tries left before a token locks: the token itself only says "a wrong PIN was typed" (COUNT_LOW),
// "one try left" (FINAL_TRY) and "locked". Kyso counts the wrong PINs typed here since the last
// good one (kept in the data folder, so a restart does not forget them) and subtracts them from the
// limit the driver catalogue documents, or the office's setting; when neither is known it says so.
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { toKysoError } from '../../shared/errors.js';
import type { TokenList } from '../../shared/contract.js';
import { finalizeAll, listTokens, loadDriverCatalogue, openToken, resolveModulePath, type TokenInfo, type TokenSession, type TokenSigner } from '../token/index.js';

const PIN_ERRORS = new Set(['TOKEN_PIN_INCORRECT', 'TOKEN_PIN_INCORRECT_COUNT_LOW', 'TOKEN_PIN_INCORRECT_FINAL_TRY']);

export interface TokenSettings {
  modulePath: string | null;
  pinLockAfter: number | null;
}

export class TokenService {
  /** Wrong PINs typed in Kyso since the last good one, per token serial. */
  private readonly wrongPins: Map<string, number>;
  private readonly wrongPinsFile: string;
  private busy = 0;

  constructor(dataDir: string, private readonly settings: () => TokenSettings) {
    this.wrongPinsFile = join(dataDir, 'pin-attempts.json');
    this.wrongPins = new Map(Object.entries(this.readWrongPins()));
  }

  private readWrongPins(): Record<string, number> {
    if (!existsSync(this.wrongPinsFile)) return {};
    try {
      const v = JSON.parse(readFileSync(this.wrongPinsFile, 'utf8')) as unknown;
      if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).filter(([, n]) => Number.isInteger(n))) as Record<string, number>;
    } catch {
      // A damaged counter file only loses the count; the token's own flags still show.
    }
    return {};
  }

  private saveWrongPins(): void {
    const tmp = `${this.wrongPinsFile}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(Object.fromEntries(this.wrongPins)));
    renameSync(tmp, this.wrongPinsFile);
  }

  private modulePath(): string | null {
    return this.settings().modulePath;
  }

  /** How many wrong PINs lock a token of this driver: the catalogue's documented figure, else the office's setting. */
  private lockAfter(module: string): number | null {
    let documented: number | undefined;
    try {
      documented = loadDriverCatalogue().find((d) => Object.values(d.platforms).some((paths) => paths?.includes(module)))?.lockAfterWrongPins;
    } catch {
      documented = undefined;
    }
    return documented ?? this.settings().pinLockAfter ?? null;
  }

  list(rescan = false): TokenList {
    const checkedAt = new Date().toISOString();
    let module: string;
    try {
      module = resolveModulePath(this.modulePath() ?? undefined);
    } catch (e) {
      return { module: this.modulePath(), tokens: [], error: toKysoError(e).toPayload(), checkedAt };
    }
    // Some drivers (SoftHSM among them) only see tokens added after C_Initialize once re-initialised;
    // never while a signature is being made.
    if (rescan && this.busy === 0) finalizeAll();
    let tokens: TokenInfo[];
    try {
      tokens = listTokens(module);
    } catch (e) {
      return { module, tokens: [], error: toKysoError(e).toPayload(), checkedAt };
    }
    const lockAfter = this.lockAfter(module);
    return {
      module,
      checkedAt,
      tokens: tokens
        .map((t) => {
          const wrong = this.wrongPins.get(t.serial) ?? 0;
          const triesLeft = t.flags.userPinLocked ? 0 : t.flags.userPinFinalTry ? 1 : lockAfter !== null ? Math.max(lockAfter - wrong, 0) : null;
          return {
            slotId: t.slotId,
            label: t.label,
            serial: t.serial,
            manufacturer: t.manufacturer,
            model: t.model,
            flags: {
              loginRequired: t.flags.loginRequired,
              userPinCountLow: t.flags.userPinCountLow,
              userPinFinalTry: t.flags.userPinFinalTry,
              userPinLocked: t.flags.userPinLocked,
            },
            certificates: t.certificates.map(({ der: _der, keyUsage: _ku, ...c }) => c),
            ...(t.readError ? { readError: t.readError } : {}),
            pin: { lockAfter, wrongSinceLogin: wrong, triesLeft },
          };
        })
        .sort((a, b) => a.label.localeCompare(b.label) || a.serial.localeCompare(b.serial)),
    };
  }

  /**
   * Runs `work` with a way to open a signer of the token, logged in with `pin`. The token is opened
   * and logged in only when `work` first asks (after the step's own checks, so a refused step never
   * uses a PIN try), once for everything `work` does (one login for a batch), and the session is
   * closed afterwards whatever happens. Wrong PINs are counted so the PIN dialog can say how many
   * tries are left.
   */
  /**
   * A session of the token logged in with `pin`, for one signature of the signing service (the
   * caller closes it); a wrong PIN is counted as in withSigner.
   */
  openSigner(token: { label: string; serial?: string }, pin: string): { signer: TokenSigner; close: () => void } {
    const session = openToken({ module: this.modulePath() ?? undefined, label: token.label, serial: token.serial });
    try {
      this.login(session, pin);
      return { signer: session.signer(), close: () => session.close() };
    } catch (e) {
      session.close();
      throw e;
    }
  }

  private login(session: TokenSession, pin: string): void {
    try {
      session.login(pin);
      if (this.wrongPins.delete(session.serial)) this.saveWrongPins();
    } catch (e) {
      const err = toKysoError(e);
      if (PIN_ERRORS.has(err.code)) {
        this.wrongPins.set(session.serial, (this.wrongPins.get(session.serial) ?? 0) + 1);
        this.saveWrongPins();
      }
      throw err;
    }
  }

  async withSigner<T>(token: { label: string; serial?: string }, pin: string, work: (signer: () => Promise<TokenSigner>) => Promise<T>): Promise<T> {
    this.busy++;
    let session: TokenSession | undefined;
    let opened: Promise<TokenSigner> | undefined;
    const open = (): TokenSigner => {
      session = openToken({ module: this.modulePath() ?? undefined, label: token.label, serial: token.serial });
      this.login(session, pin);
      return session.signer();
    };
    try {
      return await work(() => (opened ??= Promise.resolve().then(open)));
    } finally {
      session?.close();
      this.busy--;
    }
  }
}
