// The token layer's public face: drivers, tokens, sessions, signers.
export { probeDrivers, resolveModulePath, loadDriverCatalogue, type DriverEntry, type FoundDriver } from './drivers.js';
export { finalizeAll, mapPkcs11Error } from './pkcs11.js';
export {
  listTokens,
  openToken,
  TokenSession,
  type CertInfo,
  type ListTokensOptions,
  type OpenTokenOptions,
  type SignerOptions,
  type TokenFlags,
  type TokenInfo,
  type TokenSigner,
} from './tokens.js';
export { formatTokenList, tokenListToJson, type TokenInfoJson } from './format.js';
