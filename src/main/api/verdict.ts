// A verification report as the screens show it: the facts per signature and the sentence in
// Vietnamese and English, without the byte-level details.
import type { FileVerdict } from '../../shared/contract.js';
import type { FileReport } from '../verify/verify.js';

export function toVerdict(r: FileReport, at = new Date()): FileVerdict {
  return {
    indication: r.indication,
    subIndication: r.subIndication,
    messages: r.messages,
    verifiedAt: at.toISOString(),
    signatures: r.signatures.map((s) => ({
      index: s.index,
      field: s.field,
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
    })),
  };
}
