// A verification report as the screens and the command line show it (the contract's FileVerdict):
// the facts per signature and the sentence in Vietnamese and English, without byte-level details.
import type { FileVerdict } from '../../shared/contract.js';
import type { FileReport, SignatureReport } from '../verify/verify.js';

export function signatureVerdict(s: SignatureReport): FileVerdict['signatures'][number] {
  return {
    index: s.index,
    field: s.field,
    kind: s.kind,
    signer: s.signer
      ? {
          commonName: s.signer.commonName,
          ...(s.signer.organization ? { organization: s.signer.organization } : {}),
          issuer: s.signer.issuer,
          notBefore: s.signer.notBefore,
          notAfter: s.signer.notAfter,
        }
      : null,
    signedAt: s.signedAt,
    signedAtSource: s.signedAtSource,
    integrity: s.integrity,
    chain: s.chain,
    certificate: s.certificate,
    modificationsAfter: s.modificationsAfter,
    indication: s.indication,
    subIndication: s.subIndication,
    messages: s.messages,
  };
}

export function fileVerdict(r: FileReport, at: Date): FileVerdict {
  return {
    indication: r.indication,
    subIndication: r.subIndication,
    messages: r.messages,
    verifiedAt: at.toISOString(),
    signatures: r.signatures.map(signatureVerdict),
  };
}
