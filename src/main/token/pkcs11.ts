// The PKCS#11 layer: one loaded, initialised driver per file per process, and the one place where
// CKR return values become Kyso error codes.
//
// A PIN handed to this layer is passed straight to C_Login and forgotten: it is never logged, never
// stored, never put into an error (pkcs11js errors carry only the CKR name and the native call stack).
import { realpathSync } from 'node:fs';
import pkcs11js from 'pkcs11js';
import type { Template } from 'pkcs11js';
import { KysoError } from '../../shared/errors.js';

/** pkcs11js handles (slots, sessions, objects) are native CK_ULONGs in a Buffer. */
export type Handle = Buffer;
export type Pkcs11 = InstanceType<typeof pkcs11js.PKCS11>;
export const P11 = pkcs11js;

/** Something that holds driver resources and must be released before C_Finalize (a token session). */
export interface Releasable {
  release(): void;
  /** The slot the resource is on. */
  readonly slotHandle: Handle;
}

export class LoadedModule {
  private readonly open = new Set<Releasable>();

  constructor(
    /** The path the caller asked for (shown to people). */
    readonly path: string,
    readonly p11: Pkcs11,
  ) {}

  track(r: Releasable): void {
    this.open.add(r);
  }

  untrack(r: Releasable): void {
    this.open.delete(r);
  }

  /** Whether a tracked session is still open on `slot` (login is shared by all sessions on a token). */
  hasSessionOn(slot: Handle): boolean {
    return [...this.open].some((r) => r.slotHandle.equals(slot));
  }

  /** Closes every session still open on this driver, then finalises and unloads it. Never throws. */
  finalize(): void {
    for (const r of [...this.open]) {
      try {
        r.release();
      } catch {
        // the token may be gone; nothing more to do for this session
      }
    }
    this.open.clear();
    try {
      this.p11.C_Finalize();
    } catch {
      // already finalised or the driver is broken: unloading is all that is left
    }
    try {
      this.p11.close();
    } catch {
      // ignore
    }
  }
}

// Keyed by the real path, so a symlink and its target share one C_Initialize.
const modules = new Map<string, LoadedModule>();
let exitHookInstalled = false;

/**
 * The driver at `path`, loaded and C_Initialize'd on first use. Throws TOKEN_MODULE_LOAD_FAILED when the
 * file is not a loadable PKCS#11 library or its C_Initialize fails.
 */
export function loadModule(path: string): LoadedModule {
  let key: string;
  try {
    key = realpathSync(path);
  } catch (e) {
    throw new KysoError('TOKEN_MODULE_NOT_FOUND', { module: path }, { cause: e });
  }
  const existing = modules.get(key);
  if (existing) return existing;

  const p11 = new pkcs11js.PKCS11();
  try {
    p11.load(key);
  } catch (e) {
    throw new KysoError('TOKEN_MODULE_LOAD_FAILED', { module: path, reason: errorText(e) }, { cause: e });
  }
  try {
    initialize(p11);
  } catch (e) {
    try {
      p11.close();
    } catch {
      // ignore: the load already failed
    }
    throw new KysoError('TOKEN_MODULE_LOAD_FAILED', { module: path, reason: errorText(e) }, { cause: e });
  }
  const mod = new LoadedModule(path, p11);
  modules.set(key, mod);
  if (!exitHookInstalled) {
    process.once('exit', finalizeAll);
    exitHookInstalled = true;
  }
  return mod;
}

/**
 * C_Initialize telling the driver it may use OS locking: signatures run on libuv worker threads
 * (C_SignAsync). A driver that cannot lock gets a plain C_Initialize; Kyso serialises calls per session.
 */
function initialize(p11: Pkcs11): void {
  try {
    p11.C_Initialize({ flags: pkcs11js.CKF_OS_LOCKING_OK });
  } catch (e) {
    const code = ckrCode(e);
    if (code === pkcs11js.CKR_CRYPTOKI_ALREADY_INITIALIZED) return;
    if (code === pkcs11js.CKR_CANT_LOCK || code === pkcs11js.CKR_ARGUMENTS_BAD) {
      p11.C_Initialize();
      return;
    }
    throw e;
  }
}

/**
 * Closes every session (logging out), C_Finalize's and unloads every driver. Called on process exit;
 * the Electron shell calls it on 'will-quit'. Loading again afterwards starts afresh.
 */
export function finalizeAll(): void {
  for (const mod of modules.values()) mod.finalize();
  modules.clear();
}

// ---------------------------------------------------------------------------------------------------
// Errors

const CKR_NAMES = new Map<number, string>();
for (const [name, value] of Object.entries(pkcs11js)) {
  if (name.startsWith('CKR_') && typeof value === 'number' && !CKR_NAMES.has(value)) CKR_NAMES.set(value, name);
}

/** The CKR_* name of a return value, or its hex when the driver returned a vendor-defined code. */
export function ckrName(code: number): string {
  return CKR_NAMES.get(code) ?? `CKR_0x${code.toString(16).toUpperCase().padStart(8, '0')}`;
}

/** The CKR value carried by a pkcs11js error, or undefined for anything else. */
export function ckrCode(e: unknown): number | undefined {
  if (!e || typeof e !== 'object') return undefined;
  const err = e as { name?: unknown; code?: unknown; message?: unknown };
  if (err.name === 'Pkcs11Error' && typeof err.code === 'number') return err.code;
  // Errors that did not go through pkcs11js's wrapper still say "CKR_NAME:number".
  const m = typeof err.message === 'string' ? /(CKR_\w+):(\d+)/.exec(err.message) : null;
  return m ? Number(m[2]) : undefined;
}

function errorText(e: unknown): string {
  const code = ckrCode(e);
  if (code !== undefined) return ckrName(code);
  return e instanceof Error ? e.message : String(e);
}

const REMOVED = new Set<number>([
  pkcs11js.CKR_DEVICE_REMOVED,
  pkcs11js.CKR_TOKEN_NOT_PRESENT,
  pkcs11js.CKR_SESSION_HANDLE_INVALID,
  pkcs11js.CKR_SESSION_CLOSED,
  pkcs11js.CKR_DEVICE_ERROR,
  pkcs11js.CKR_SLOT_ID_INVALID,
  pkcs11js.CKR_TOKEN_NOT_RECOGNIZED,
]);

/** What the caller knows that makes an error more precise. */
export interface ErrorContext {
  /** With p11, lets CKR_PIN_INCORRECT read the token's flags right after the failure. */
  p11?: Pkcs11;
  slot?: Handle;
  /** The mechanism being used, for TOKEN_MECHANISM_UNSUPPORTED. */
  mechanism?: string;
  /** Object handles that were valid a moment ago: in a sign, CKR_*_HANDLE_INVALID means the token went away. */
  handlesWereValid?: boolean;
}

/**
 * Turns whatever a PKCS#11 call threw into a KysoError. `operation` names the call (e.g. "C_Sign") for
 * TOKEN_ERROR. For CKR_PIN_INCORRECT the token's flags are read right after the failure (when the
 * context gives the slot), to tell the person how close the token is to locking.
 */
export function mapPkcs11Error(e: unknown, operation: string, ctx: ErrorContext = {}): KysoError {
  if (e instanceof KysoError) return e;
  const code = ckrCode(e);
  if (code === undefined) {
    return new KysoError('TOKEN_ERROR', { ckr: e instanceof Error ? e.message : String(e), operation }, { cause: e });
  }
  const ckr = ckrName(code);
  const details = { ckr, operation };
  switch (code) {
    case pkcs11js.CKR_PIN_INCORRECT:
    case pkcs11js.CKR_PIN_INVALID:
      return new KysoError(pinIncorrectCode(ctx), details, { cause: e });
    case pkcs11js.CKR_PIN_LOCKED:
      return new KysoError('TOKEN_PIN_LOCKED', details, { cause: e });
    case pkcs11js.CKR_PIN_EXPIRED:
      return new KysoError('TOKEN_PIN_EXPIRED', details, { cause: e });
    case pkcs11js.CKR_PIN_LEN_RANGE:
      return new KysoError('TOKEN_PIN_LEN_RANGE', details, { cause: e });
    case pkcs11js.CKR_USER_NOT_LOGGED_IN:
      // The session lost its login (token re-plugged, another program logged out): the PIN is needed again.
      return new KysoError('TOKEN_PIN_MISSING', details, { cause: e });
    case pkcs11js.CKR_MECHANISM_INVALID:
    case pkcs11js.CKR_MECHANISM_PARAM_INVALID:
      return new KysoError('TOKEN_MECHANISM_UNSUPPORTED', { ...details, mechanism: ctx.mechanism ?? ckr }, { cause: e });
    case pkcs11js.CKR_KEY_TYPE_INCONSISTENT:
    case pkcs11js.CKR_KEY_FUNCTION_NOT_PERMITTED:
      return new KysoError('TOKEN_KEY_UNSUPPORTED', { ...details, keyType: ckr }, { cause: e });
    case pkcs11js.CKR_OBJECT_HANDLE_INVALID:
    case pkcs11js.CKR_KEY_HANDLE_INVALID:
      if (ctx.handlesWereValid) return new KysoError('TOKEN_REMOVED', details, { cause: e });
      break;
  }
  if (REMOVED.has(code)) return new KysoError('TOKEN_REMOVED', details, { cause: e });
  return new KysoError('TOKEN_ERROR', details, { cause: e });
}

function pinIncorrectCode(ctx: ErrorContext) {
  if (!ctx.p11 || !ctx.slot) return 'TOKEN_PIN_INCORRECT' as const;
  let flags: number;
  try {
    flags = ctx.p11.C_GetTokenInfo(ctx.slot).flags;
  } catch {
    return 'TOKEN_PIN_INCORRECT' as const;
  }
  // A token may answer CKR_PIN_INCORRECT to the try that locked it; say so rather than "try again".
  if (flags & pkcs11js.CKF_USER_PIN_LOCKED) return 'TOKEN_PIN_LOCKED' as const;
  if (flags & pkcs11js.CKF_USER_PIN_FINAL_TRY) return 'TOKEN_PIN_INCORRECT_FINAL_TRY' as const;
  if (flags & pkcs11js.CKF_USER_PIN_COUNT_LOW) return 'TOKEN_PIN_INCORRECT_COUNT_LOW' as const;
  return 'TOKEN_PIN_INCORRECT' as const;
}

// ---------------------------------------------------------------------------------------------------
// Small helpers over pkcs11js

/** Slot ids as people and the CLI see them: the CK_SLOT_ID in decimal (as softhsm2-util prints it). */
export function slotIdString(slot: Handle): string {
  if (slot.length >= 8) return slot.readBigUInt64LE(0).toString();
  if (slot.length >= 4) return String(slot.readUInt32LE(0));
  return String(slot.readUIntLE(0, slot.length));
}

/** All objects matching `template`. */
export function findObjects(p11: Pkcs11, session: Handle, template: Template): Handle[] {
  p11.C_FindObjectsInit(session, template);
  const out: Handle[] = [];
  try {
    for (;;) {
      const batch = p11.C_FindObjects(session, 64);
      if (batch.length === 0) break;
      out.push(...batch);
    }
  } finally {
    p11.C_FindObjectsFinal(session);
  }
  return out;
}

/** One attribute's raw value, or undefined when the object does not have it or hides it. */
export function getAttribute(p11: Pkcs11, session: Handle, object: Handle, type: number): Buffer | undefined {
  try {
    const [attr] = p11.C_GetAttributeValue(session, object, [{ type }]);
    return attr?.value;
  } catch (e) {
    const code = ckrCode(e);
    if (code === pkcs11js.CKR_ATTRIBUTE_TYPE_INVALID || code === pkcs11js.CKR_ATTRIBUTE_SENSITIVE) return undefined;
    throw e;
  }
}

/** Space-padded PKCS#11 text fields, trimmed. */
export function p11Text(s: string): string {
  return s.replace(/\0/g, '').trim();
}
