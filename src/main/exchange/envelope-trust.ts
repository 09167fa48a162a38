// The verdict on a received package's envelope signature: the XML-DSig check (edxml-sign) and then
// its signer certificate judged as a PDF signer's is: a path to the desk's trusted roots, validity
// and revocation (CRLs, OCSP) at the time of arrival. The verdict is reported, never blocking: the
// PDF's own signatures decide whether the document can be accepted (issue 13).
import type { ChainResult } from '../verify/chain.js';
import type { EnvelopeSignature } from './edxml-model.js';

export type EnvelopeVerdictStatus = 'valid' | 'invalid' | 'untrusted' | 'revoked' | 'missing';

export interface EnvelopeVerdict {
  status: EnvelopeVerdictStatus;
  /** One sentence for the clerk, Vietnamese. */
  vi: string;
  /** The same sentence, English. */
  en: string;
  /** The signer certificate's common name, when it could be read. */
  signer: string | null;
  /** What the checks found, as short codes (INVALID_SIGNATURE, UNTRUSTED_ROOT, REVOKED, EXPIRED…). */
  problems: string[];
  /** When the signer certificate was revoked (ISO), for a revoked verdict. */
  revokedAt?: string;
}

/** Judges a certificate the way the desk judges PDF signers (its trust store, CRLs, OCSP). */
export type CertificateJudge = (signer: Buffer, pool: Buffer[], at: Date) => Promise<ChainResult>;

function verdict(status: EnvelopeVerdictStatus, vi: string, en: string, sig: EnvelopeSignature, problems: string[], extra: Partial<EnvelopeVerdict> = {}): EnvelopeVerdict {
  return { status, vi, en, signer: sig.signer ?? null, problems, ...extra };
}

const PDF_DECIDES_VI = 'Việc tiếp nhận vẫn căn cứ vào chữ ký số trên văn bản PDF.';
const PDF_DECIDES_EN = "Acceptance still rests on the PDF's own signatures.";

/**
 * The verdict on an envelope signature. `judge` absent: the desk has no way to judge certificates
 * (a bare `edxml parse` without trust settings), so a cryptographically good signature is
 * "untrusted" and says so. Never throws: a failing check is reported as untrusted.
 */
export async function judgeEnvelope(sig: EnvelopeSignature, judge: CertificateJudge | undefined, at: Date): Promise<EnvelopeVerdict> {
  const certs = sig.certificates ?? [];
  if (sig.status !== 'valid' || !judge || certs.length === 0) return unjudgedVerdict(sig);
  return judgedVerdict(sig, judge, certs, at);
}

/** The verdict without a certificate check: missing, invalid, or (a good signature) untrusted for want of a trust store. */
export function unjudgedVerdict(sig: EnvelopeSignature): EnvelopeVerdict {
  if (sig.status === 'missing') {
    return verdict(
      'missing',
      `Gói tin không có chữ ký số của cơ quan gửi. ${PDF_DECIDES_VI}`,
      `The package carries no envelope signature of the sending agency. ${PDF_DECIDES_EN}`,
      sig,
      ['NO_SIGNATURE'],
    );
  }
  if (sig.status === 'broken') {
    return verdict(
      'invalid',
      `Chữ ký số của gói tin không hợp lệ: gói tin đã bị sửa đổi sau khi ký hoặc chữ ký bị hỏng; hãy đề nghị cơ quan gửi gửi lại. ${PDF_DECIDES_VI}`,
      `The envelope signature is invalid (${sig.reason ?? 'cannot be checked'}): the package was changed after signing or the signature is damaged; ask the sender to send it again. ${PDF_DECIDES_EN}`,
      sig,
      ['INVALID_SIGNATURE'],
    );
  }
  return verdict(
      'untrusted',
      'Chữ ký số của gói tin đúng nhưng chưa kiểm tra được chứng thư số của người ký: chưa có danh sách CA tin cậy (--data hoặc --trust).',
      'The envelope signature is intact but its certificate could not be checked: no trusted roots were given (--data or --trust).',
      sig,
      ['NO_TRUST_STORE'],
    );
}

async function judgedVerdict(sig: EnvelopeSignature, judge: CertificateJudge, certs: Buffer[], at: Date): Promise<EnvelopeVerdict> {
  let r: ChainResult;
  try {
    r = await judge(certs[0]!, certs.slice(1), at);
  } catch (e) {
    return verdict(
      'untrusted',
      'Chữ ký số của gói tin đúng nhưng không kiểm tra được chứng thư số của người ký.',
      `The envelope signature is intact but its certificate could not be checked (${(e as Error).message}).`,
      sig,
      ['CHECK_FAILED'],
    );
  }
  const problems = r.problems.filter((p) => p !== 'SIGNER_IS_CA');
  if (r.certificate === 'revoked') {
    const when = r.revokedAt ? r.revokedAt.toISOString().slice(0, 10) : undefined;
    return verdict(
      'revoked',
      `Chứng thư số ký gói tin đã bị thu hồi${when ? ` từ ngày ${when}` : ''}${r.revocationReason ? ` (lý do: ${r.revocationReason})` : ''}: không tin cậy nguồn gửi; hãy liên hệ cơ quan gửi. ${PDF_DECIDES_VI}`,
      `The certificate that signed the envelope is revoked${when ? ` since ${when}` : ''}${r.revocationReason ? ` (reason: ${r.revocationReason})` : ''}: do not trust where it came from; contact the sender. ${PDF_DECIDES_EN}`,
      sig,
      problems.includes('REVOKED') || problems.includes('CA_REVOKED') ? problems : ['REVOKED', ...problems],
      r.revokedAt ? { revokedAt: r.revokedAt.toISOString() } : {},
    );
  }
  if (r.chain !== 'trusted') {
    const incomplete = r.chain === 'incomplete';
    return verdict(
      'untrusted',
      incomplete
        ? 'Chữ ký số của gói tin đúng nhưng thiếu chứng thư CA trung gian để nối tới CA gốc tin cậy: hãy nạp chứng thư CA của cơ quan gửi trong phần cài đặt.'
        : 'Chữ ký số của gói tin đúng nhưng chứng thư số của người ký không thuộc CA gốc tin cậy của bàn làm việc này: hãy kiểm tra nguồn gửi hoặc thêm CA gốc nếu đúng.',
      incomplete
        ? "The envelope signature is intact but an intermediate CA certificate is missing to reach a trusted root: add the sender's CA certificate in the settings."
        : "The envelope signature is intact but its certificate does not chain to a root this desk trusts: check where it came from, or add the root if it is right.",
      sig,
      [incomplete ? 'CHAIN_INCOMPLETE' : 'UNTRUSTED_ROOT', ...problems],
    );
  }
  if (r.certificate !== 'valid' || !r.keyUsageOk) {
    const why =
      r.certificate === 'expired'
        ? { vi: 'chứng thư số đã hết hạn', en: 'the certificate has expired', code: 'EXPIRED' }
        : r.certificate === 'not-yet-valid'
          ? { vi: 'chứng thư số chưa đến ngày hiệu lực', en: 'the certificate is not valid yet', code: 'NOT_YET_VALID' }
          : r.certificate === 'revocation-unknown'
            ? { vi: 'chưa xác định được tình trạng thu hồi (hãy nạp CRL mới nhất hoặc bật tra cứu trực tuyến)', en: 'its revocation status is unknown (load the newest CRL or allow online checks)', code: 'REVOCATION_UNKNOWN' }
            : { vi: 'chứng thư số không dùng để ký', en: 'the certificate is not meant for signing', code: 'KEY_USAGE' };
    return verdict(
      'untrusted',
      `Chữ ký số của gói tin đúng nhưng ${why.vi}.`,
      `The envelope signature is intact but ${why.en}.`,
      sig,
      problems.includes(why.code) ? problems : [why.code, ...problems],
    );
  }
  return verdict(
    'valid',
    `Chữ ký số của gói tin hợp lệ: ký bởi ${sig.signer ?? 'cơ quan gửi'}, chứng thư số tin cậy và chưa bị thu hồi.`,
    `The envelope signature is valid: signed by ${sig.signer ?? 'the sender'}, with a trusted certificate that is not revoked.`,
    sig,
    problems,
  );
}
