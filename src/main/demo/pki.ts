// A throw-away PKI for the demo, made with the openssl command line: a root, a sub-CA for state
// agencies, and the three signers of the methods (drafter, leader, organisation) with Vietnamese
// names; and the CRLs of both CAs, so verification can check revocation offline. Valid 30 days.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { run } from './tools.js';

export interface DemoIdentity {
  name: string;
  keyPath: string;
  certPath: string;
  certDerPath: string;
  /** CKA_ID shared by the key and the certificate on the token (hex). */
  idHex: string;
}

export interface DemoPki {
  root: DemoIdentity;
  subCa: DemoIdentity;
  drafter: DemoIdentity;
  leader: DemoIdentity;
  org: DemoIdentity;
  crlDerPaths: string[];
}

const CONFIG = `
[ req ]
distinguished_name = dn
string_mask = utf8only
utf8 = yes
prompt = no
[ dn ]
CN = placeholder
[ root_ext ]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[ subca_ext ]
basicConstraints = critical, CA:TRUE, pathlen:0
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
[ leaf_ext ]
basicConstraints = CA:FALSE
keyUsage = critical, digitalSignature, nonRepudiation
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
`;

/** The `openssl ca` configuration that issues a CA's CRL from its (empty) database in dir. */
const caConfig = (dir: string): string => `
[ ca ]
default_ca = ca_default
[ ca_default ]
database = ${dir}/index.txt
crlnumber = ${dir}/crlnumber
default_md = sha256
default_crl_days = 30
crl_extensions = crl_ext
[ crl_ext ]
authorityKeyIdentifier = keyid:always
`;

function key(dir: string, name: string): string {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const p = join(dir, `${name}.key`);
  writeFileSync(p, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
  return p;
}

function subj(parts: Array<[string, string]>): string {
  return '/' + parts.map(([k, v]) => `${k}=${v.replace(/[/\\]/g, (m) => `\\${m}`)}`).join('/');
}

export function makeDemoPki(dir: string): DemoPki {
  const cnf = join(dir, 'openssl.cnf');
  writeFileSync(cnf, CONFIG);
  const ident = (name: string, keyPath: string, certPath: string): DemoIdentity => {
    const certDerPath = certPath.replace(/\.pem$/, '.der');
    run('openssl', ['x509', '-in', certPath, '-outform', 'DER', '-out', certDerPath]);
    return { name, keyPath, certPath, certDerPath, idHex: randomBytes(8).toString('hex') };
  };
  const rootKey = key(dir, 'root');
  const rootPem = join(dir, 'root.pem');
  run('openssl', ['req', '-config', cnf, '-new', '-x509', '-key', rootKey, '-utf8', '-subj', subj([['C', 'VN'], ['O', 'Kyso Demo'], ['CN', 'Kyso Demo Root CA']]), '-days', '60', '-sha256', '-extensions', 'root_ext', '-out', rootPem]);
  const issue = (name: string, parts: Array<[string, string]>, ca: { key: string; cert: string }, ext: string): DemoIdentity => {
    const k = key(dir, name);
    const csr = join(dir, `${name}.csr`);
    const pem = join(dir, `${name}.pem`);
    run('openssl', ['req', '-config', cnf, '-new', '-key', k, '-utf8', '-subj', subj(parts), '-out', csr]);
    run('openssl', ['x509', '-req', '-in', csr, '-CA', ca.cert, '-CAkey', ca.key, '-set_serial', `0x${randomBytes(12).toString('hex')}`, '-days', '30', '-sha256', '-extfile', cnf, '-extensions', ext, '-out', pem]);
    return ident(parts.find(([k2]) => k2 === 'CN')![1], k, pem);
  };
  const root = ident('Kyso Demo Root CA', rootKey, rootPem);
  const agency: Array<[string, string]> = [['C', 'VN'], ['L', 'Quảng Ninh'], ['O', 'Sở Y tế tỉnh Quảng Ninh']];
  const subCa = issue('sub-ca', [['C', 'VN'], ['O', 'Kyso Demo'], ['CN', 'CA phục vụ các cơ quan Nhà nước (bản chạy thử)']], { key: rootKey, cert: rootPem }, 'subca_ext');
  const ca = { key: subCa.keyPath, cert: subCa.certPath };
  const drafter = issue('drafter', [...agency, ['CN', 'Trần Thị Hồng Nhung']], ca, 'leaf_ext');
  const leader = issue('leader', [...agency, ['CN', 'Nguyễn Văn Minh']], ca, 'leaf_ext');
  const org = issue('organisation', [...agency, ['CN', 'Sở Y tế tỉnh Quảng Ninh']], ca, 'leaf_ext');
  // Empty CRLs of both CAs: nothing revoked, and revocation is known offline.
  const crlDerPaths: string[] = [];
  for (const [name, c] of [
    ['root', { key: rootKey, cert: rootPem }],
    ['sub-ca', ca],
  ] as const) {
    const caDir = join(dir, `ca-${name}`);
    mkdirSync(caDir, { recursive: true });
    writeFileSync(join(caDir, 'index.txt'), '');
    writeFileSync(join(caDir, 'crlnumber'), '01\n');
    const pem = join(dir, `${name}.crl.pem`);
    const der = join(dir, `${name}.crl`);
    const caCnf = join(caDir, 'ca.cnf');
    writeFileSync(caCnf, caConfig(caDir));
    run('openssl', ['ca', '-config', caCnf, '-gencrl', '-keyfile', c.key, '-cert', c.cert, '-out', pem]);
    run('openssl', ['crl', '-in', pem, '-outform', 'DER', '-out', der]);
    crlDerPaths.push(der);
  }
  return { root, subCa, drafter, leader, org, crlDerPaths };
}
