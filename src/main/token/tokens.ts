// The tokens plugged in, their certificates, and a session on one of them that logs in once and
// signs a batch of documents.
import { verify as nodeVerify, constants as cryptoConstants, publicDecrypt, X509Certificate, type KeyObject } from 'node:crypto';
import type { TokenInfo as P11TokenInfo } from 'pkcs11js';
import type { DigestAlgorithm, KeyDescription, SignatureScheme, Signer } from '../cms/signer.js';
import { ecdsaRawToDer } from '../cms/signer.js';
import { KysoError } from '../../shared/errors.js';
import { resolveModulePath } from './drivers.js';
import { describeTokenCertificate, keyDescriptionOf, orderChain, type CertInfo } from './certs.js';
import { digestSignAttempts, schemeFor, signAttempts, signatureBufferSize, type SignAttempt } from './mechanisms.js';
import {
  P11,
  ckrCode,
  findObjects,
  getAttribute,
  loadModule,
  mapPkcs11Error,
  p11Text,
  slotIdString,
  type Handle,
  type LoadedModule,
  type Pkcs11,
  type Releasable,
} from './pkcs11.js';

export type { CertInfo } from './certs.js';

export interface TokenFlags {
  loginRequired: boolean;
  /** Per PKCS#11: a wrong PIN was entered at least once since the last successful login. */
  userPinCountLow: boolean;
  userPinFinalTry: boolean;
  userPinLocked: boolean;
  userPinToBeChanged: boolean;
  tokenInitialized: boolean;
}

export interface TokenInfo {
  /** CK_SLOT_ID in decimal. */
  slotId: string;
  label: string;
  serial: string;
  manufacturer: string;
  model: string;
  flags: TokenFlags;
  certificates: CertInfo[];
  /** Set when the certificates could not be read (the CKR name); the token is listed anyway. */
  readError?: string;
}

export interface ListTokensOptions {
  /** Also list tokens without CKF_TOKEN_INITIALIZED (SoftHSM's spare slot; blank cards). */
  includeUninitialized?: boolean;
}

export interface OpenTokenOptions {
  /** Driver file; default: resolveModulePath(). */
  module?: string;
  /** Token label, compared exactly after trimming the padding. */
  label?: string;
  /** Token serial number, compared exactly after trimming. */
  serial?: string;
}

export interface SignerOptions {
  /** CKA_ID (hex, any case) of the certificate/key to use; required when the token holds several. */
  keyId?: string;
  /** Default: rsa-pkcs1 for RSA keys, ecdsa for EC keys. */
  scheme?: SignatureScheme;
  /** Extra chain certificates (DER), added to the CA certificates found on the token. */
  chain?: readonly Buffer[];
  /** Skip the hash-and-sign mechanisms and sign raw (CKM_RSA_PKCS / CKM_RSA_PKCS_PSS) over Kyso's hash. */
  forceRawRsa?: boolean;
}

/** A Signer whose private key stays on the token, telling which key and mechanism it used. */
export interface TokenSigner extends Signer {
  /** CKA_ID of the key, lower-case hex. */
  readonly keyId: string;
  /** The mechanism of the last signature made ("CKM_SHA256_RSA_PKCS", "CKM_RSA_PKCS"...), for the log. */
  readonly lastMechanism: string | undefined;
}

// CK_STATE values (not exported by pkcs11js).
const CKS_RO_USER_FUNCTIONS = 1;
const CKS_RW_USER_FUNCTIONS = 3;

function flagsOf(f: number): TokenFlags {
  return {
    loginRequired: (f & P11.CKF_LOGIN_REQUIRED) !== 0,
    userPinCountLow: (f & P11.CKF_USER_PIN_COUNT_LOW) !== 0,
    userPinFinalTry: (f & P11.CKF_USER_PIN_FINAL_TRY) !== 0,
    userPinLocked: (f & P11.CKF_USER_PIN_LOCKED) !== 0,
    userPinToBeChanged: (f & P11.CKF_USER_PIN_TO_BE_CHANGED) !== 0,
    tokenInitialized: (f & P11.CKF_TOKEN_INITIALIZED) !== 0,
  };
}

/** A CK_ULONG attribute (CKA_KEY_TYPE...) as a number; its width follows the platform's C long. */
function ulong(b: Buffer | undefined): number | undefined {
  if (!b || b.length === 0) return undefined;
  return b.readUIntLE(0, Math.min(b.length, 6));
}

interface PresentToken {
  slot: Handle;
  info: P11TokenInfo;
}

/** Slots with an initialised token whose info can be read; a token that fails C_GetTokenInfo is treated as absent. */
function presentTokens(mod: LoadedModule, includeUninitialized = false): PresentToken[] {
  let slots: Handle[];
  try {
    slots = mod.p11.C_GetSlotList(true);
  } catch (e) {
    throw mapPkcs11Error(e, 'C_GetSlotList');
  }
  const out: PresentToken[] = [];
  for (const slot of slots) {
    let info: P11TokenInfo;
    try {
      info = mod.p11.C_GetTokenInfo(slot);
    } catch {
      // SoftHSM answers CKR_GENERAL_ERROR for a token whose files vanished; hardware, CKR_TOKEN_NOT_PRESENT.
      continue;
    }
    if (!includeUninitialized && (info.flags & P11.CKF_TOKEN_INITIALIZED) === 0) continue;
    out.push({ slot, info });
  }
  return out;
}

function describeList(tokens: PresentToken[]): string {
  if (tokens.length === 0) return '—';
  const labels = tokens.map((t) => p11Text(t.info.label));
  return tokens
    .map((t, i) => (labels.indexOf(labels[i]!) !== labels.lastIndexOf(labels[i]!) ? `${labels[i]} [${p11Text(t.info.serialNumber)}]` : labels[i]!))
    .join(', ');
}

/**
 * The certificates on a token, paired with their private keys by CKA_ID. `privateVisible` says whether
 * private objects can be seen (logged in, or a token without login), i.e. whether "no key found" means "none".
 */
function readCertificates(p11: Pkcs11, session: Handle, privateVisible: boolean): CertInfo[] {
  const idsOf = (cls: number) =>
    new Set(findObjects(p11, session, [{ type: P11.CKA_CLASS, value: cls }]).map((h) => (getAttribute(p11, session, h, P11.CKA_ID) ?? Buffer.alloc(0)).toString('hex')));
  const privateIds = idsOf(P11.CKO_PRIVATE_KEY);
  const publicIds = privateVisible ? new Set<string>() : idsOf(P11.CKO_PUBLIC_KEY);
  const certs: CertInfo[] = [];
  const handles = findObjects(p11, session, [
    { type: P11.CKA_CLASS, value: P11.CKO_CERTIFICATE },
    { type: P11.CKA_CERTIFICATE_TYPE, value: P11.CKC_X_509 },
  ]);
  for (const h of handles) {
    const der = getAttribute(p11, session, h, P11.CKA_VALUE);
    if (!der || der.length === 0) continue;
    const id = (getAttribute(p11, session, h, P11.CKA_ID) ?? Buffer.alloc(0)).toString('hex');
    const label = (getAttribute(p11, session, h, P11.CKA_LABEL) ?? Buffer.alloc(0)).toString('utf8');
    const hasKey = privateIds.has(id) ? true : privateVisible ? false : publicIds.has(id) ? true : null;
    const info = describeTokenCertificate(Buffer.from(der), id, label, hasKey);
    if (info) certs.push(info);
  }
  // Token object order is arbitrary: people's certificates first, then CAs, each by id.
  return certs.sort((a, b) => Number(a.isCa) - Number(b.isCa) || a.id.localeCompare(b.id));
}

function tokenInfoOf(mod: LoadedModule, t: PresentToken): TokenInfo {
  const base = {
    slotId: slotIdString(t.slot),
    label: p11Text(t.info.label),
    serial: p11Text(t.info.serialNumber),
    manufacturer: p11Text(t.info.manufacturerID),
    model: p11Text(t.info.model),
    flags: flagsOf(t.info.flags),
  };
  let session: Handle | undefined;
  try {
    session = mod.p11.C_OpenSession(t.slot, P11.CKF_SERIAL_SESSION);
    // Another Kyso session may be logged in to this token (login is per application): then private keys show.
    const state = mod.p11.C_GetSessionInfo(session).state;
    const privateVisible = !base.flags.loginRequired || state === CKS_RO_USER_FUNCTIONS || state === CKS_RW_USER_FUNCTIONS;
    return { ...base, certificates: readCertificates(mod.p11, session, privateVisible) };
  } catch (e) {
    return { ...base, certificates: [], readError: String(mapPkcs11Error(e, 'read certificates').details.ckr ?? 'error') };
  } finally {
    if (session) {
      try {
        mod.p11.C_CloseSession(session);
      } catch {
        // the token went away meanwhile
      }
    }
  }
}

/** The tokens plugged in and the certificates readable on them without a PIN. */
export function listTokens(modulePath?: string, opts: ListTokensOptions = {}): TokenInfo[] {
  const mod = loadModule(resolveModulePath(modulePath));
  return presentTokens(mod, opts.includeUninitialized).map((t) => tokenInfoOf(mod, t));
}

/**
 * A session on one token: by label and/or serial, or the only token present.
 * TOKEN_NONE_PRESENT, TOKEN_NOT_FOUND {label, present} or TOKEN_AMBIGUOUS {present} otherwise.
 */
export function openToken(opts: OpenTokenOptions = {}): TokenSession {
  const mod = loadModule(resolveModulePath(opts.module));
  const present = presentTokens(mod);
  const label = opts.label?.trim();
  const serial = opts.serial?.trim();
  const matching = present.filter(
    (t) => (label === undefined || p11Text(t.info.label) === label) && (serial === undefined || p11Text(t.info.serialNumber) === serial),
  );
  if (label === undefined && serial === undefined && present.length === 0) throw new KysoError('TOKEN_NONE_PRESENT', { module: mod.path });
  if (matching.length === 0) throw new KysoError('TOKEN_NOT_FOUND', { label: label ?? serial ?? '', present: describeList(present) });
  if (matching.length > 1) throw new KysoError('TOKEN_AMBIGUOUS', { present: describeList(matching) });
  const t = matching[0]!;
  return new TokenSession(mod, t.slot, t.info);
}

/**
 * An open PKCS#11 session on one token. Log in once, then make as many signers/signatures as needed;
 * close() logs out. Signatures are made one at a time (a PKCS#11 session runs one operation at a time).
 * Use openToken() to get one.
 */
export class TokenSession implements Releasable {
  readonly slotId: string;
  readonly label: string;
  readonly serial: string;
  readonly modulePath: string;
  private readonly p11: Pkcs11;
  private session: Handle | undefined;
  private loggedInFlag = false;
  private readonly loginRequired: boolean;
  private mechanisms: Set<number> | null | undefined; // undefined: not asked yet; null: the token would not say
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly mod: LoadedModule,
    private readonly slot: Handle,
    info: P11TokenInfo,
  ) {
    this.p11 = mod.p11;
    this.slotId = slotIdString(slot);
    this.label = p11Text(info.label);
    this.serial = p11Text(info.serialNumber);
    this.modulePath = mod.path;
    this.loginRequired = (info.flags & P11.CKF_LOGIN_REQUIRED) !== 0;
    try {
      // Read-only is enough to sign, and works on write-protected tokens.
      this.session = this.p11.C_OpenSession(slot, P11.CKF_SERIAL_SESSION);
    } catch (e) {
      throw mapPkcs11Error(e, 'C_OpenSession');
    }
    mod.track(this);
  }

  get loggedIn(): boolean {
    return this.loggedInFlag;
  }

  get isOpen(): boolean {
    return this.session !== undefined;
  }

  private handle(): Handle {
    if (!this.session) throw new KysoError('INTERNAL', { reason: 'token session used after close()' });
    return this.session;
  }

  /** The token as it is now (flags re-read), with its certificates. */
  info(): TokenInfo {
    let info: P11TokenInfo;
    try {
      info = this.p11.C_GetTokenInfo(this.slot);
    } catch (e) {
      throw mapPkcs11Error(e, 'C_GetTokenInfo');
    }
    return tokenInfoOf(this.mod, { slot: this.slot, info });
  }

  /**
   * C_Login as the user. The PIN goes to the driver and nowhere else. Empty → TOKEN_PIN_MISSING; a wrong
   * PIN → TOKEN_PIN_INCORRECT, _COUNT_LOW, _FINAL_TRY or TOKEN_PIN_LOCKED from the token's flags.
   * CKR_USER_ALREADY_LOGGED_IN counts as success: login state belongs to the application, not the session,
   * so while another Kyso session on this token is logged in the driver does not check the PIN at all
   * (SoftHSM does not). JS strings cannot be wiped; the PIN is simply not kept anywhere after this call.
   */
  login(pin: string | undefined): void {
    const session = this.handle();
    if (pin === undefined || pin === '') throw new KysoError('TOKEN_PIN_MISSING');
    try {
      this.p11.C_Login(session, P11.CKU_USER, pin);
    } catch (e) {
      if (ckrCode(e) !== P11.CKR_USER_ALREADY_LOGGED_IN) throw mapPkcs11Error(e, 'C_Login', { p11: this.p11, slot: this.slot });
    }
    this.loggedInFlag = true;
  }

  /** Every X.509 certificate on the token (CA ones included), with private-key presence as visible now. */
  certificates(): CertInfo[] {
    try {
      return readCertificates(this.p11, this.handle(), this.loggedInFlag || !this.loginRequired);
    } catch (e) {
      throw mapPkcs11Error(e, 'C_FindObjects');
    }
  }

  /** End-entity certificates whose private key (same CKA_ID) is on the token. Needs login on most tokens. */
  signingCertificates(): CertInfo[] {
    return this.certificates().filter((c) => !c.isCa && c.hasPrivateKey === true);
  }

  /**
   * A Signer for one certificate of the token: the one named by keyId, else the only end-entity
   * certificate with a private key. Throws TOKEN_PIN_MISSING before login (when the token needs one),
   * TOKEN_AMBIGUOUS_CERTIFICATE {label, ids}, TOKEN_NO_PRIVATE_KEY {subject}, TOKEN_NO_CERTIFICATE {label},
   * TOKEN_KEY_UNSUPPORTED, TOKEN_SCHEME_MISMATCH.
   */
  signer(opts: SignerOptions = {}): TokenSigner {
    if (this.loginRequired && !this.loggedInFlag) throw new KysoError('TOKEN_PIN_MISSING');
    const all = this.certificates();
    const endEntity = all.filter((c) => !c.isCa);
    let cert: CertInfo;
    if (opts.keyId !== undefined) {
      const wanted = opts.keyId.toLowerCase().replace(/[^0-9a-f]/g, '');
      const matches = endEntity.filter((c) => c.id === wanted);
      if (matches.length === 0) throw new KysoError('TOKEN_NO_CERTIFICATE', { label: this.label, keyId: wanted });
      const withKey = matches.filter((c) => c.hasPrivateKey);
      if (withKey.length === 0) throw new KysoError('TOKEN_NO_PRIVATE_KEY', { subject: matches[0]!.subject });
      cert = newestValid(withKey);
    } else {
      const withKey = endEntity.filter((c) => c.hasPrivateKey);
      const ids = [...new Set(withKey.map((c) => c.id))].sort();
      if (ids.length > 1) throw new KysoError('TOKEN_AMBIGUOUS_CERTIFICATE', { label: this.label, ids: ids.join(', ') });
      if (ids.length === 1) cert = newestValid(withKey);
      else if (endEntity.length > 0) throw new KysoError('TOKEN_NO_PRIVATE_KEY', { subject: endEntity.map((c) => c.subject).join('; ') });
      else throw new KysoError('TOKEN_NO_CERTIFICATE', { label: this.label });
    }

    const key = keyDescriptionOf(cert.der);
    const scheme = schemeFor(key, opts.scheme);
    if (!scheme) throw new KysoError('TOKEN_SCHEME_MISMATCH', { keyType: keyName(key), scheme: opts.scheme });
    this.checkPrivateKeyType(Buffer.from(cert.id, 'hex'), key, cert.subject);

    const pool = [...all.filter((c) => c.isCa).map((c) => c.der), ...(opts.chain ?? [])];
    const chain = orderChain(cert.der, pool);
    return new Pkcs11Signer(this, cert, Buffer.from(cert.id, 'hex'), chain, key, scheme, opts.forceRawRsa === true);
  }

  /** The private key object must be of the certificate's kind; the CKA_ID pairing alone does not prove it. */
  private checkPrivateKeyType(id: Buffer, key: KeyDescription, subject: string): void {
    const session = this.handle();
    let keyType: number | undefined;
    try {
      const [h] = findObjects(this.p11, session, [
        { type: P11.CKA_CLASS, value: P11.CKO_PRIVATE_KEY },
        { type: P11.CKA_ID, value: id },
      ]);
      if (!h) throw new KysoError('TOKEN_NO_PRIVATE_KEY', { subject });
      keyType = ulong(getAttribute(this.p11, session, h, P11.CKA_KEY_TYPE));
    } catch (e) {
      throw mapPkcs11Error(e, 'C_FindObjects');
    }
    if (keyType === undefined) return;
    const expected = key.type === 'RSA' ? P11.CKK_RSA : P11.CKK_EC;
    if (keyType !== expected) throw new KysoError('TOKEN_KEY_MISMATCH', { subject, keyType });
  }

  /** Runs `fn` after every operation queued before it: one PKCS#11 operation at a time on this session. */
  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => undefined);
    return run;
  }

  /**
   * The token is still the one we opened and still logged in. Drivers differ in how a pulled token
   * shows: hardware drops the slot from C_GetSlotList(true) or fails C_GetTokenInfo with
   * CKR_TOKEN_NOT_PRESENT/CKR_DEVICE_REMOVED; SoftHSM keeps the slot but C_GetTokenInfo fails with
   * CKR_GENERAL_ERROR. Any failure here means the token is not usable as it was: TOKEN_REMOVED.
   */
  private ensurePresent(session: Handle): void {
    const removed = (operation: string, e?: unknown) =>
      new KysoError('TOKEN_REMOVED', { operation, ckr: e === undefined ? undefined : mapPkcs11Error(e, operation).details.ckr }, { cause: e });
    let slots: Handle[];
    try {
      slots = this.p11.C_GetSlotList(true);
    } catch (e) {
      throw removed('C_GetSlotList', e);
    }
    if (!slots.some((s) => s.equals(this.slot))) throw removed('C_GetSlotList');
    let info: P11TokenInfo;
    try {
      info = this.p11.C_GetTokenInfo(this.slot);
    } catch (e) {
      throw removed('C_GetTokenInfo', e);
    }
    // Another token plugged into the same slot.
    if (p11Text(info.serialNumber) !== this.serial) throw removed('C_GetTokenInfo');
    let state: number;
    try {
      state = this.p11.C_GetSessionInfo(session).state;
    } catch (e) {
      throw removed('C_GetSessionInfo', e);
    }
    if (this.loginRequired && state !== CKS_RO_USER_FUNCTIONS && state !== CKS_RW_USER_FUNCTIONS) {
      this.loggedInFlag = false;
      throw new KysoError('TOKEN_PIN_MISSING', { operation: 'C_GetSessionInfo' });
    }
  }

  /** Finds the private key again: a handle from before may be stale, and its absence means the token changed. */
  private findKey(session: Handle, id: Buffer): Handle {
    let handles: Handle[];
    try {
      handles = findObjects(this.p11, session, [
        { type: P11.CKA_CLASS, value: P11.CKO_PRIVATE_KEY },
        { type: P11.CKA_ID, value: id },
      ]);
    } catch (e) {
      throw mapPkcs11Error(e, 'C_FindObjects', { handlesWereValid: true });
    }
    // It was there when the signer was made (after login); SoftHSM gives an empty result once its files are gone.
    if (handles.length === 0) throw new KysoError('TOKEN_REMOVED', { operation: 'C_FindObjects' });
    return handles[0]!;
  }

  private mechanismSupported(mechanism: number): boolean {
    if (this.mechanisms === undefined) {
      try {
        this.mechanisms = new Set(this.p11.C_GetMechanismList(this.slot));
      } catch {
        this.mechanisms = null;
      }
    }
    return this.mechanisms === null || this.mechanisms.has(mechanism);
  }

  private async signOnce(session: Handle, keyHandle: Handle, attempt: SignAttempt, key: KeyDescription): Promise<Buffer> {
    this.p11.C_SignInit(session, attempt.mechanism, keyHandle);
    return this.p11.C_SignAsync(session, attempt.input, Buffer.alloc(signatureBufferSize(key)));
  }

  /** One signature value as the token returns it (ECDSA: r || s). Used by TokenSigner. */
  signRaw(id: Buffer, key: KeyDescription, attempts: SignAttempt[]): Promise<{ value: Buffer; attempt: SignAttempt }> {
    return this.exclusive(async () => {
      const session = this.handle();
      this.ensurePresent(session);
      const keyHandle = this.findKey(session, id);
      for (let i = 0; i < attempts.length; i++) {
        const attempt = attempts[i]!;
        const last = i === attempts.length - 1;
        if (!last && !this.mechanismSupported(attempt.mechanism.mechanism)) continue;
        try {
          return { value: await this.signOnce(session, keyHandle, attempt, key), attempt };
        } catch (e) {
          const code = ckrCode(e);
          const unsupported = code === P11.CKR_MECHANISM_INVALID || code === P11.CKR_MECHANISM_PARAM_INVALID;
          if (unsupported && !last) {
            // The mechanism list claimed it; the token disagrees. Remember, and fall back.
            this.mechanisms?.delete(attempt.mechanism.mechanism);
            continue;
          }
          throw mapPkcs11Error(e, 'C_Sign', { mechanism: attempt.name, handlesWereValid: true });
        }
      }
      throw new KysoError('INTERNAL', { reason: 'no signing mechanism attempted' });
    });
  }

  /** Logs out (unless another open Kyso session on the same token still uses the login) and closes the session. Idempotent. */
  close(): void {
    const session = this.session;
    if (!session) return;
    this.session = undefined;
    this.mod.untrack(this);
    if (this.loggedInFlag && !this.mod.hasSessionOn(this.slot)) {
      try {
        this.p11.C_Logout(session);
      } catch {
        // already logged out, or the token is gone
      }
    }
    this.loggedInFlag = false;
    try {
      this.p11.C_CloseSession(session);
    } catch {
      // the token is gone: the driver dropped the session already
    }
  }

  /** For finalizeAll(). */
  release(): void {
    this.close();
  }

  /** The slot this session is on (for LoadedModule's bookkeeping). */
  get slotHandle(): Handle {
    return this.slot;
  }
}

/** Among certificates sharing one key, the one valid now with the latest start; else the latest to expire. */
function newestValid(certs: CertInfo[]): CertInfo {
  const now = new Date().toISOString();
  const valid = certs.filter((c) => c.notBefore <= now && now <= c.notAfter).sort((a, b) => b.notBefore.localeCompare(a.notBefore));
  return valid[0] ?? [...certs].sort((a, b) => b.notAfter.localeCompare(a.notAfter))[0]!;
}

function keyName(key: KeyDescription): string {
  return key.type === 'RSA' ? `RSA ${key.bits}` : `EC ${key.curve}`;
}

class Pkcs11Signer implements TokenSigner {
  private readonly publicKey: KeyObject;
  lastMechanism: string | undefined;

  constructor(
    private readonly session: TokenSession,
    private readonly cert: CertInfo,
    private readonly keyIdBytes: Buffer,
    readonly chain: readonly Buffer[],
    readonly key: KeyDescription,
    readonly scheme: SignatureScheme,
    private readonly forceRawRsa: boolean,
  ) {
    this.publicKey = new X509Certificate(cert.der).publicKey;
  }

  get certificate(): Buffer {
    return this.cert.der;
  }

  get keyId(): string {
    return this.cert.id;
  }

  async sign(data: Buffer, digest: DigestAlgorithm): Promise<Buffer> {
    const attempts = signAttempts(this.scheme, digest, data, this.forceRawRsa);
    const { value, attempt } = await this.session.signRaw(this.keyIdBytes, this.key, attempts);
    this.lastMechanism = attempt.name;
    const signature = attempt.ecdsaRaw ? ecdsaRawToDer(value) : value;
    // A key that does not match its certificate makes signatures no one can verify: catch it here,
    // before it is embedded in a document.
    if (!this.verifies(data, digest, signature)) {
      throw new KysoError('TOKEN_KEY_MISMATCH', { subject: this.cert.subject, mechanism: attempt.name });
    }
    return signature;
  }

  /** Signs a hash computed elsewhere (no message at hand): PKCS#1 v1.5 over its DigestInfo, PSS or ECDSA over it. */
  async signDigest(hash: Buffer, digest: DigestAlgorithm): Promise<Buffer> {
    const { value, attempt } = await this.session.signRaw(this.keyIdBytes, this.key, digestSignAttempts(this.scheme, digest, hash));
    this.lastMechanism = attempt.name;
    const signature = attempt.ecdsaRaw ? ecdsaRawToDer(value) : value;
    if (this.scheme === 'rsa-pkcs1') {
      // The same guard as sign(): a key that does not match its certificate is caught here.
      let recovered: Buffer | undefined;
      try {
        recovered = publicDecrypt({ key: this.publicKey, padding: cryptoConstants.RSA_PKCS1_PADDING }, signature);
      } catch {
        recovered = undefined;
      }
      if (!recovered?.equals(attempt.input)) throw new KysoError('TOKEN_KEY_MISMATCH', { subject: this.cert.subject, mechanism: attempt.name });
    }
    return signature;
  }

  private verifies(data: Buffer, digest: DigestAlgorithm, signature: Buffer): boolean {
    try {
      if (this.scheme === 'ecdsa') return nodeVerify(digest, data, { key: this.publicKey, dsaEncoding: 'der' }, signature);
      if (this.scheme === 'rsa-pss') {
        const saltLength = digest === 'sha256' ? 32 : digest === 'sha384' ? 48 : 64;
        return nodeVerify(digest, data, { key: this.publicKey, padding: cryptoConstants.RSA_PKCS1_PSS_PADDING, saltLength }, signature);
      }
      return nodeVerify(digest, data, this.publicKey, signature);
    } catch {
      return false;
    }
  }
}
