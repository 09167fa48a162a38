// A signer source over a PKCS#11 token for the desk: the token is opened and logged in only when
// the step's checks have passed, once for a whole batch, and always closed afterwards.
import type { Signer, SignatureScheme } from '../cms/signer.js';
import { openToken, type TokenSession } from '../token/index.js';

export interface TokenSignerOptions {
  module?: string;
  label?: string;
  serial?: string;
  pin: string;
  keyId?: string;
  scheme?: SignatureScheme;
}

/** A lazy signer (pass as a SignerSource) and the close() that ends its session. */
export function tokenSigner(o: TokenSignerOptions): { source: () => Signer; close: () => void } {
  let session: TokenSession | undefined;
  let signer: Signer | undefined;
  return {
    source: () => {
      if (signer) return signer;
      session = openToken({ module: o.module, label: o.label, serial: o.serial });
      session.login(o.pin);
      signer = session.signer({ keyId: o.keyId, scheme: o.scheme });
      return signer;
    },
    close: () => {
      session?.close();
      session = undefined;
      signer = undefined;
    },
  };
}
