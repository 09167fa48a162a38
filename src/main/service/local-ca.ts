// Kyso's own certificate authority for the loopback signing service (wss://127.0.0.1:8987): made
// on this machine at first start, its key never leaves it (a file readable by the user only), and
// used for nothing but the 127.0.0.1 / localhost server certificate. Browsers trust the service
// once this CA is in the user's trust stores (./trust-stores.ts); `kyso service remove-ca` undoes it.
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes, sign, X509Certificate, type KeyObject } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { bitString, boolean, certificate, explicit, extension, integer, name, octetString, oid, seq, time, type Der } from './der.js';

/** Name of the CA as it shows in the user's certificate managers. */
export const LOCAL_CA_NAME = 'Kyso Local Signing Service CA';
const CA_YEARS = 10;
/** Browsers refuse server certificates valid for longer than about 13 months. */
const SERVER_DAYS = 390;
/** The server certificate is renewed this long before it expires. */
const RENEW_DAYS = 30;

export interface LocalCaFiles {
  dir: string;
  caCert: string;
  caKey: string;
  serverCert: string;
  serverKey: string;
}

export interface ServiceTls {
  files: LocalCaFiles;
  /** PEM texts for tls.createServer. */
  cert: string;
  key: string;
  caPem: string;
  /** SHA-256 of the CA certificate (DER), hex: how the trust stores find it again. */
  caFingerprint: string;
  /** Whether this call made a new CA (first start). */
  created: boolean;
}

/** The user's config folder for the service: $XDG_CONFIG_HOME/kyso/service (Windows: %APPDATA%\kyso\service). */
export function serviceConfigDir(): string {
  if (process.env.KYSO_SERVICE_DIR) return process.env.KYSO_SERVICE_DIR;
  if (process.platform === 'win32' && process.env.APPDATA) return join(process.env.APPDATA, 'kyso', 'service');
  const base = process.env.XDG_CONFIG_HOME || join(homedir(), '.config');
  return join(base, 'kyso', 'service');
}

export function localCaFiles(dir = serviceConfigDir()): LocalCaFiles {
  return { dir, caCert: join(dir, 'ca.pem'), caKey: join(dir, 'ca.key'), serverCert: join(dir, 'server.pem'), serverKey: join(dir, 'server.key') };
}

const OID = {
  ecdsaSha256: '1.2.840.10045.4.3.2',
  basicConstraints: '2.5.29.19',
  keyUsage: '2.5.29.15',
  extKeyUsage: '2.5.29.37',
  subjectAltName: '2.5.29.17',
  subjectKeyId: '2.5.29.14',
  authorityKeyId: '2.5.29.35',
  nameConstraints: '2.5.29.30',
  serverAuth: '1.3.6.1.5.5.7.3.1',
} as const;

function serial(): Buffer {
  const b = randomBytes(16);
  b[0]! &= 0x7f; // a positive INTEGER
  b[0]! |= 0x01; // without a leading zero byte to strip
  return b;
}

/** Writes a file readable and writable by the user only (0600), atomically. */
function writePrivate(path: string, data: string): void {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, data, { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, path);
}

function pem(der: Buffer): string {
  return `-----BEGIN CERTIFICATE-----\n${der.toString('base64').replace(/(.{64})/g, '$1\n').replace(/\n$/, '')}\n-----END CERTIFICATE-----\n`;
}

function newKey(): { privateKey: KeyObject; publicKey: KeyObject } {
  return generateKeyPairSync('ec', { namedCurve: 'P-256' });
}

const spki = (k: KeyObject): Buffer => k.export({ type: 'spki', format: 'der' });

/** SHA-1 of the subjectPublicKey bits (RFC 5280 4.2.1.2, method 1). */
function keyId(k: KeyObject): Buffer {
  const der = spki(k);
  // For P-256 the key's BIT STRING is the last 66 bytes: 03 42 00 <65 bytes>.
  return createHash('sha1').update(der.subarray(der.length - 65)).digest();
}

/**
 * NameConstraints (RFC 5280 4.2.1.10) permitting only dNSName localhost and iPAddress 127.0.0.0/8
 * and ::1: even if the key were stolen, it could not vouch for any other site.
 */
function nameConstraintsLoopback(): Der {
  const sub = (tag: number, v: Buffer): Der => seq([{ tag, body: v }]);
  return seq([
    {
      tag: 0xa0,
      body: Buffer.concat([
        sub(0x82, Buffer.from('localhost', 'ascii')).encoded,
        sub(0x87, Buffer.from([127, 0, 0, 0, 255, 0, 0, 0])).encoded,
        sub(0x87, Buffer.concat([Buffer.alloc(15), Buffer.from([1]), Buffer.alloc(16, 0xff)])).encoded,
      ]),
    },
  ]);
}

function issue(o: { subject: Der; issuer: Der; publicKey: KeyObject; signingKey: KeyObject; notBefore: Date; notAfter: Date; extensions: Der[] }): Buffer {
  const alg = seq([oid(OID.ecdsaSha256)]);
  const tbs = seq([
    explicit(0, integer(Buffer.from([2]))),
    integer(serial()),
    alg,
    o.issuer,
    seq([time(o.notBefore), time(o.notAfter)]),
    o.subject,
    { tag: 0x30, body: spki(o.publicKey).subarray(spkiHeader(spki(o.publicKey))) },
    explicit(3, seq(o.extensions)),
  ]);
  const signature = sign('sha256', tbs.encoded, o.signingKey);
  return certificate(tbs, alg, bitString(signature));
}

/** Length of the DER header of a SEQUENCE (the SPKI is re-wrapped as a Der node). */
function spkiHeader(der: Buffer): number {
  return der[1]! < 0x80 ? 2 : 2 + (der[1]! & 0x7f);
}

const CA_SUBJECT = (): Der => name([['2.5.4.3', LOCAL_CA_NAME], ['2.5.4.10', 'Kyso (this computer only)']]);

function makeCa(files: LocalCaFiles, now: Date): void {
  const keys = newKey();
  const notAfter = new Date(now);
  notAfter.setUTCFullYear(notAfter.getUTCFullYear() + CA_YEARS);
  const der = issue({
    subject: CA_SUBJECT(),
    issuer: CA_SUBJECT(),
    publicKey: keys.publicKey,
    signingKey: keys.privateKey,
    notBefore: new Date(now.getTime() - 3600_000),
    notAfter,
    extensions: [
      extension(OID.basicConstraints, true, seq([boolean(true), integer(Buffer.from([0]))])),
      // keyCertSign | cRLSign
      extension(OID.keyUsage, true, bitString(Buffer.from([0x06]), 1)),
      extension(OID.subjectKeyId, false, octetString(keyId(keys.publicKey))),
      // The CA may only vouch for names of this machine's loopback interface.
      extension(OID.nameConstraints, true, nameConstraintsLoopback()),
    ],
  });
  writePrivate(files.caKey, keys.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string);
  writeFileSync(files.caCert, pem(der));
}

function makeServer(files: LocalCaFiles, now: Date): void {
  const caKey = createPrivateKey(readFileSync(files.caKey));
  const keys = newKey();
  const der = issue({
    subject: name([['2.5.4.3', '127.0.0.1'], ['2.5.4.10', 'Kyso']]),
    issuer: CA_SUBJECT(),
    publicKey: keys.publicKey,
    signingKey: caKey,
    notBefore: new Date(now.getTime() - 3600_000),
    notAfter: new Date(now.getTime() + SERVER_DAYS * 86400_000),
    extensions: [
      extension(OID.basicConstraints, true, seq([])),
      // digitalSignature
      extension(OID.keyUsage, true, bitString(Buffer.from([0x80]), 7)),
      extension(OID.extKeyUsage, false, seq([oid(OID.serverAuth)])),
      extension(
        OID.subjectAltName,
        false,
        seq([
          { tag: 0x87, body: Buffer.from([127, 0, 0, 1]) },
          { tag: 0x82, body: Buffer.from('localhost', 'ascii') },
          { tag: 0x87, body: Buffer.concat([Buffer.alloc(15), Buffer.from([1])]) },
        ]),
      ),
      extension(OID.subjectKeyId, false, octetString(keyId(keys.publicKey))),
      extension(OID.authorityKeyId, false, seq([{ tag: 0x80, body: keyId(createPublicKey(caKey)) }])),
    ],
  });
  writePrivate(files.serverKey, keys.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string);
  writeFileSync(files.serverCert, pem(der));
}

function needsServerCert(files: LocalCaFiles, now: Date): boolean {
  if (!existsSync(files.serverCert) || !existsSync(files.serverKey)) return true;
  const server = new X509Certificate(readFileSync(files.serverCert));
  const ca = new X509Certificate(readFileSync(files.caCert));
  if (!server.checkIssued(ca) || !server.verify(ca.publicKey)) return true;
  return new Date(server.validTo).getTime() - now.getTime() < RENEW_DAYS * 86400_000;
}

export function caFingerprint(caPem: string): string {
  return createHash('sha256').update(new X509Certificate(caPem).raw).digest('hex');
}

/**
 * The service's TLS material: the CA (made at first start) and a current server certificate for
 * 127.0.0.1 and localhost (made or renewed as needed).
 */
export async function ensureServiceTls(dir = serviceConfigDir(), now = new Date()): Promise<ServiceTls> {
  const files = localCaFiles(dir);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  let created = false;
  if (!existsSync(files.caCert) || !existsSync(files.caKey)) {
    makeCa(files, now);
    created = true;
  }
  if (created || needsServerCert(files, now)) makeServer(files, now);
  const caPem = readFileSync(files.caCert, 'utf8');
  return {
    files,
    cert: readFileSync(files.serverCert, 'utf8') + caPem,
    key: readFileSync(files.serverKey, 'utf8'),
    caPem,
    caFingerprint: caFingerprint(caPem),
    created,
  };
}
