// The token options the desk's signing commands share (--token, --pin-env…), and one way to run a
// command with a token session that is opened only when needed and always closed.
import { finalizeAll, resolveModulePath } from '../token/index.js';
import { tokenSigner } from '../workflow/token.js';
import type { SignerSource } from '../workflow/service.js';
import { KysoError } from '../../shared/errors.js';
import { pinFromEnv, str, type Options, type Parsed } from './args.js';

export const TOKEN_OPTIONS: Options = {
  module: { type: 'string' },
  token: { type: 'string' },
  serial: { type: 'string' },
  'key-id': { type: 'string' },
  'pin-env': { type: 'string' },
};

export async function withToken<T>(p: Parsed, fn: (source: SignerSource) => Promise<T>): Promise<T> {
  if (str(p, 'token') === undefined && str(p, 'serial') === undefined) throw new KysoError('USAGE', { reason: '--token is required (the organisation\'s token)' });
  const pin = pinFromEnv(p);
  const token = tokenSigner({ module: resolveModulePath(str(p, 'module')), label: str(p, 'token'), serial: str(p, 'serial'), pin, keyId: str(p, 'key-id') });
  try {
    return await fn(token.source);
  } finally {
    token.close();
    finalizeAll();
  }
}
