// What a verification result means, said to a clerk in Vietnamese and in English:
// what was found, and what to do about it.
import type { FileReport, SignatureReport, SubIndication } from './verify.js';

type Pair = { vi: string; en: string };

const day = (iso: string | null | undefined): string => (iso ? iso.slice(0, 10).split('-').reverse().join('/') : '?');
const time = (iso: string | null): string => (iso ? `${day(iso)} ${iso.slice(11, 16)} UTC` : '?');

const CHANGES: Record<SignatureReport['modificationsAfter'], Pair> = {
  none: { vi: 'Văn bản không bị thay đổi sau khi ký.', en: 'The document was not changed after signing.' },
  'form-fill': { vi: 'Sau khi ký chỉ có điền biểu mẫu.', en: 'After signing, only form fields were filled in.' },
  annotations: {
    vi: 'Sau khi ký có thêm chú thích hoặc ô ghi hiện trên trang (ví dụ số, ký hiệu văn bản); nội dung gốc của trang không đổi, nhưng hãy xem các chú thích đó ghi gì.',
    en: "After signing, annotations shown on the page were added (e.g. the document number); the page's own content is unchanged, but look at what they show.",
  },
  signatures: { vi: 'Sau khi ký chỉ có thêm chữ ký số khác.', en: 'After signing, only further signatures were added.' },
  disallowed: { vi: 'Văn bản ĐÃ BỊ SỬA ĐỔI sau khi ký (nội dung trang, số trang hoặc cấu trúc).', en: 'The document WAS CHANGED after signing (page content, pages or structure).' },
};

/** The change fact (first of a signature's changes) that says its certification was not respected. */
export function docMdpViolation(permission: 1 | 2 | 3): string {
  return `changes after a certification signature that its permission (DocMDP P=${permission}) does not allow`;
}

/** What the certification permitted, by its DocMDP permission (P=3 permits every change short of 'disallowed'). */
const CERTIFIED: Record<1 | 2, Pair> = {
  1: {
    vi: 'Văn bản đã được chứng thực không cho phép thay đổi sau khi ký, nhưng sau đó đã có thay đổi.',
    en: 'The document was certified with no changes permitted after signing, but it was changed afterwards.',
  },
  2: {
    vi: 'Văn bản đã được chứng thực chỉ cho phép điền biểu mẫu và ký thêm sau khi ký, nhưng sau đó đã có thay đổi khác (ví dụ thêm chú thích).',
    en: 'The document was certified to permit only form filling and further signatures after signing, but it was changed otherwise afterwards (annotations, for one).',
  },
};

const ROLE: Record<'signer' | 'sub-CA' | 'root', Pair> = {
  signer: { vi: 'chứng thư số của người ký', en: "the signer's certificate" },
  'sub-CA': { vi: 'chứng thư CA trung gian', en: 'the sub-CA' },
  root: { vi: 'chứng thư CA gốc', en: 'the root CA' },
};
const cap = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);

/** The certificate a verdict speaks of, by role and name ("the sub-CA 'X'"); "the certificate" when unknown. */
function named(r: SignatureReport): Pair {
  const c = r.details.concerned;
  if (!c) return { vi: 'chứng thư số', en: 'the certificate' };
  return { vi: `${ROLE[c.role].vi} “${c.commonName}”`, en: `${ROLE[c.role].en} '${c.commonName}'` };
}

function problem(sub: SubIndication, r: SignatureReport): Pair {
  const fault = r.details.faults[0] ?? '';
  const n = named(r);
  const until = r.details.concerned?.notAfter ?? r.signer?.notAfter;
  switch (sub) {
    case 'FORMAT_FAILURE': {
      const permission = ([1, 2] as const).find((p) => r.details.changes[0] === docMdpViolation(p));
      if (permission && r.integrity === 'valid')
        return { vi: `${CERTIFIED[permission].vi} Không tiếp nhận; đề nghị cơ quan gửi gửi lại văn bản.`, en: `${CERTIFIED[permission].en} Do not accept it; ask the sender to send it again.` };
      if (r.modificationsAfter === 'disallowed' && r.integrity === 'valid')
        return { vi: `${CHANGES.disallowed.vi} Không tiếp nhận; đề nghị cơ quan gửi gửi lại văn bản.`, en: `${CHANGES.disallowed.en} Do not accept it; ask the sender to send it again.` };
      return { vi: `Cấu trúc chữ ký không hợp lệ (${fault}). Không tiếp nhận văn bản.`, en: `The signature is malformed (${fault}). Do not accept the document.` };
    }
    case 'HASH_FAILURE':
      return { vi: 'Nội dung văn bản đã bị thay đổi sau khi ký (giá trị băm không khớp). Không tiếp nhận văn bản.', en: 'The document was altered after signing (the digest does not match). Do not accept it.' };
    case 'SIG_CRYPTO_FAILURE':
      return { vi: 'Giá trị chữ ký không khớp với khóa của chứng thư số người ký. Không tiếp nhận văn bản.', en: "The signature value does not match the signer certificate's key. Do not accept the document." };
    case 'REVOKED':
      return { vi: `${cap(n.vi)} đã bị thu hồi (ngày ${day(r.details.revocation?.revokedAt)}). Không tiếp nhận văn bản.`, en: `${cap(n.en)} was revoked (on ${day(r.details.revocation?.revokedAt)}). Do not accept the document.` };
    case 'REVOKED_NO_POE':
      return { vi: `${cap(n.vi)} đã bị thu hồi ngày ${day(r.details.revocation?.revokedAt)}, sau thời điểm ký khai báo; không có dấu thời gian chứng minh. Liên hệ cơ quan gửi để xác minh.`, en: `${cap(n.en)} was revoked on ${day(r.details.revocation?.revokedAt)}, after the claimed signing time, which no timestamp proves. Check with the sender.` };
    case 'EXPIRED':
      return { vi: `${cap(n.vi)} đã hết hạn (${day(until)}) khi ký. Không tiếp nhận văn bản.`, en: `${cap(n.en)} had expired (${day(until)}) when the document was signed. Do not accept it.` };
    case 'OUT_OF_BOUNDS_NO_POE':
      return { vi: `${cap(n.vi)} đã hết hạn ngày ${day(until)}; không có dấu thời gian chứng minh chữ ký được tạo khi chứng thư còn hiệu lực. Đối chiếu với hồ sơ lưu trữ hoặc hỏi cơ quan gửi.`, en: `${cap(n.en)} expired on ${day(until)}, and no timestamp proves the signature was made while it was valid. Check the archive record or ask the sender.` };
    case 'NOT_YET_VALID':
      return { vi: `Chứng thư số chưa có hiệu lực tại thời điểm ký (hiệu lực từ ${day(r.signer?.notBefore)}). Không tiếp nhận văn bản.`, en: `The certificate was not yet valid when signing (valid from ${day(r.signer?.notBefore)}). Do not accept the document.` };
    case 'NO_SIGNING_CERTIFICATE_FOUND':
      return { vi: 'Không tìm thấy chứng thư số của người ký trong chữ ký. Đề nghị cơ quan gửi ký lại.', en: "The signer's certificate is not in the signature. Ask the sender to sign again." };
    case 'NO_CERTIFICATE_CHAIN_FOUND':
      return { vi: 'Chứng thư số không do tổ chức cung cấp dịch vụ chứng thực được tin cậy cấp (không dựng được chuỗi đến chứng thư gốc đã cấu hình). Kiểm tra danh sách chứng thư gốc tin cậy.', en: 'The certificate does not chain to a configured trusted root. Check the list of trusted roots.' };
    case 'CERTIFICATE_CHAIN_GENERAL_FAILURE':
      return { vi: 'Chuỗi chứng thư số không hợp lệ (chữ ký của tổ chức cấp không đúng). Không tiếp nhận văn bản.', en: 'The certificate chain is invalid (an issuer signature does not verify). Do not accept the document.' };
    case 'CHAIN_CONSTRAINTS_FAILURE':
      return { vi: 'Chứng thư số này không được phép dùng để ký văn bản. Không tiếp nhận văn bản.', en: 'This certificate is not allowed to sign documents. Do not accept the document.' };
    case 'CRYPTO_CONSTRAINTS_FAILURE':
      return { vi: 'Chữ ký dùng thuật toán mật mã sai quy tắc (thuật toán băm không phù hợp với thuật toán ký). Đề nghị cơ quan gửi ký lại.', en: 'The signature breaks the rules of its algorithm (a digest algorithm the signature algorithm does not allow). Ask the sender to sign again.' };
    case 'CRYPTO_CONSTRAINTS_FAILURE_NO_POE':
      return { vi: 'Chữ ký dùng thuật toán băm SHA-1 đã lỗi thời. Đề nghị cơ quan gửi ký lại.', en: 'The signature uses the obsolete SHA-1 hash algorithm. Ask the sender to sign again.' };
    case 'TRY_LATER':
      return { vi: `Chưa kiểm tra được tình trạng thu hồi của ${n.vi} (không có CRL hoặc OCSP). Kết nối mạng hoặc nạp danh sách thu hồi (CRL) rồi kiểm tra lại.`, en: `The revocation status of ${n.en} could not be checked (no CRL or OCSP). Go online or load the CRL, then verify again.` };
    case 'SIGNED_DATA_NOT_FOUND':
      return { vi: 'Tệp không có chữ ký số.', en: 'The file has no digital signature.' };
  }
}

export function signatureMessages(r: SignatureReport): Pair {
  const who = r.signer ? `${r.signer.commonName}${r.signer.organization && r.signer.organization !== r.signer.commonName ? ` (${r.signer.organization})` : ''}` : undefined;
  const when =
    r.signedAtSource === 'timestamp'
      ? { vi: `lúc ${time(r.signedAt)} (theo dấu thời gian)`, en: `at ${time(r.signedAt)} (timestamped)` }
      : r.signedAtSource === 'claimed'
        ? { vi: `lúc ${time(r.signedAt)} (thời gian do người ký khai báo)`, en: `at ${time(r.signedAt)} (time claimed by the signer)` }
        : r.signedAtSource === 'document-timestamp'
          ? { vi: `trước ${time(r.signedAt)} (theo dấu thời gian của văn bản)`, en: `before ${time(r.signedAt)} (per a document timestamp)` }
          : r.signedAtSource === 'proof-of-existence'
          ? { vi: `trước ${time(r.signedAt)} (theo hồ sơ lưu trữ)`, en: `before ${time(r.signedAt)} (per the archive record)` }
          : { vi: '', en: '' };
  // No signer when the signature cannot be read far enough to name one.
  const stamp = r.kind === 'document-timestamp';
  const head = {
    vi: `${stamp ? 'Dấu thời gian văn bản' : 'Chữ ký'} ${r.index} ${who ? `của ${who}` : '(không rõ người ký)'} ${when.vi}`.trim(),
    en: `${stamp ? 'Document timestamp' : 'Signature'} ${r.index} ${who ? `by ${who}` : '(signer unknown)'} ${when.en}`.trim(),
  };
  const changes = CHANGES[r.modificationsAfter];
  if (r.indication === 'TOTAL_PASSED') {
    const whole = r.coversWholeDocument ? { vi: '', en: '' } : { vi: ` ${changes.vi}`, en: ` ${changes.en}` };
    return {
      vi: `${head.vi}: HỢP LỆ. Chứng thư số còn hiệu lực và được tin cậy.${r.coversWholeDocument ? ' ' + CHANGES.none.vi : whole.vi}`,
      en: `${head.en}: VALID. The certificate is valid and trusted.${r.coversWholeDocument ? ' ' + CHANGES.none.en : whole.en}`,
    };
  }
  const p = problem(r.subIndication ?? 'FORMAT_FAILURE', r);
  const verdict = r.indication === 'TOTAL_FAILED' ? { vi: 'KHÔNG HỢP LỆ', en: 'INVALID' } : { vi: 'CHƯA XÁC ĐỊNH', en: 'INDETERMINATE' };
  return { vi: `${head.vi}: ${verdict.vi}. ${p.vi}`, en: `${head.en}: ${verdict.en}. ${p.en}` };
}

export function fileMessages(f: FileReport): Pair {
  const n = f.signatures.length;
  if (n === 0) return { vi: 'Tệp không có chữ ký số.', en: 'The file has no digital signature.' };
  if (f.indication === 'TOTAL_PASSED') return { vi: `Cả ${n} chữ ký số đều hợp lệ.`, en: `All ${n} signature(s) are valid.` };
  if (f.indication === 'TOTAL_FAILED') return { vi: 'Có chữ ký số không hợp lệ: không tiếp nhận văn bản.', en: 'A signature is invalid: do not accept the document.' };
  return { vi: 'Chưa xác định được tính hợp lệ của chữ ký số; xem chi tiết và kiểm tra lại.', en: 'The signatures could not be fully validated; see the details and verify again.' };
}
