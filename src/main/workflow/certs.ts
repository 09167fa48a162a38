// Certificates the desk keeps for completing signers' chains: DATA/certs holds the intermediate CA
// certificates (PEM, DER or PKCS#7 bundles) of the office's tokens, which often carry only the
// signer's own certificate. Revocation lists are kept beside them in DATA/crl.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { certificatesIn } from '../trust/formats.js';

/** The folder of intermediates in a data folder. */
export function dataCertsDir(dataDir: string): string {
  return join(dataDir, 'certs');
}

/** Every certificate of DATA/certs (files that hold none are skipped). */
export function dataFolderCertificates(dataDir: string): Buffer[] {
  const dir = dataCertsDir(dataDir);
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .sort()
    .map((f) => join(dir, f))
    .filter((f) => statSync(f).isFile())
    .flatMap((f) => certificatesIn(readFileSync(f)));
}
