// The commands of `kyso`. Each takes its arguments and returns an exit code; errors are thrown
// as KysoError and printed by main() as one line.
import { resolve } from 'node:path';
import { KysoError } from '../../shared/errors.js';
import { signPdf, timestampPdf, type SignatureProfile, type SignPdfResult } from '../sign/sign.js';
import { SIGNATURE_ROLES, imageFile, signVisible, type SignatureRole, type SignVisibleResult, type VisibleOptions } from '../sign/visible.js';
import { finalizeAll, formatTokenList, listTokens, openToken, resolveModulePath, tokenListToJson } from '../token/index.js';
import type { SignatureScheme } from '../cms/signer.js';
import { tsaDigestTimestamper, tsaTimestamper } from '../sign/timestamp.js';
import { int, parse, pinFromEnv, rect, required, str, list, type Parsed } from './args.js';
import { cacheDir, commandTrust, readDerOrPem, verifyCommand } from './verify.js';
import { checkSignerCertificate, type SignerWarning } from '../trust/signer-check.js';
import { TRUST_COMMANDS, TRUST_HELP } from './trust.js';
import { DESK_COMMANDS, DESK_HELP } from './desk-commands.js';
import { SERVICE_COMMANDS, SERVICE_HELP } from './service-help.js';
import { EDXML_COMMANDS } from './desk-exchange.js';

export type Command = (argv: string[]) => Promise<number>;

export const HELP = `kyso — ký số văn bản điện tử | digital signing of official documents

Cách dùng | Usage:
  kyso token list [--module PATH] [--json]
      Liệt kê thiết bị ký số (token) và chứng thư số | List tokens and their certificates.

  kyso sign IN.pdf -o OUT.pdf --token LABEL --pin-env VAR [--module PATH] [--key-id HEX]
            [--page N --rect x,y,w,h] [--reason TEXT] [--location TEXT]
            [--profile pades|pkcs7] [--field NAME] [--scheme pkcs1|pss] [--json]
            [--role drafter|leader|org|attachment|copy] [--image PNG] [--anchor TEXT]
            [--preset nd30|quang-ninh] [--signer-name TEXT] [--signer-title TEXT]
            [--doc-number TEXT] [--issued YYYY-MM-DD] [--organisation TEXT] [--copy-form TEXT]
            [--tsa URL] [--cert PEM]... [--trust PEM]... [--crl FILE]... [--offline]
      Ký số tệp PDF (cập nhật gia tăng) | Sign a PDF (incremental update).
      Trước khi ký, chứng thư của người ký được kiểm tra (hiệu lực, mục đích, chuỗi đến CA gốc,
      thu hồi qua OCSP/CRL); chứng thư bị thu hồi thì không ký (CERT_REVOKED). Chuỗi CA trung gian và
      dữ liệu thu hồi được gắn vào chữ ký | Before signing, the signer's certificate is checked
      (validity, key usage, path to a trusted root, revocation by OCSP/CRL); a revoked one is refused
      (CERT_REVOKED). The intermediates and the revocation data are embedded in the signature.
      --cert: chứng thư CA trung gian | intermediate certificates (when the token holds only the signer's).
      --crl, --offline: kiểm tra thu hồi bằng CRL đã có, không dùng mạng | check revocation with
             these CRLs, without the network.
      --tsa: gắn dấu thời gian RFC 3161 vào chữ ký (PAdES B-T), ví dụ http://ca.gov.vn/tsa
             | timestamp the signature (RFC 3161, PAdES B-T); also KYSO_TSA_URL.
      Mã PIN đọc từ biến môi trường VAR, không bao giờ từ dòng lệnh | The PIN is read from the
      environment variable VAR, never from the command line.
      --rect: điểm PDF tính từ góc dưới trái trang | PDF points from the page's lower-left corner.
      --role: chữ ký hiện hình theo Nghị định 30 | a visible signature as Nghị định 30 places it:
        drafter   ký nháy: chữ viết tắt tên (hoặc ảnh) sau dòng "Lưu:" | initials after "Lưu:"
        leader    ký phê duyệt: ảnh chữ ký (xanh, PNG trong suốt) giữa chức vụ và họ tên
                  | the signature image between --signer-title and the name (default: certificate's)
        org       ký phát hành: ảnh dấu (đỏ, kích thước thật) trùm 1/3 chữ ký bên trái; với
                  --doc-number/--issued, văn thư điền số, ngày ban hành trong cùng lần ký
                  | the seal over the left third of the leader's signature; fills number and date
        attachment  văn bản kèm theo: số, ký hiệu (--doc-number), thời gian ký, cơ quan, góc trên phải
        copy      bản sao điện tử (--copy-form "SAO Y"): góc trên phải trang đầu
      --preset quang-ninh: chữ ký cơ quan ở lề trái trang 1, dưới "Số:" | org block under "Số:".
      --issued: phải là ngày ký (giờ Việt Nam) | must be the signing day (Vietnam time).

  kyso timestamp IN.pdf -o OUT.pdf --tsa URL [--field NAME] [--json]
      Gắn dấu thời gian cho cả văn bản (lưu trữ lâu dài; không cần token) | Add a document
      timestamp (PAdES, ETSI.RFC3161) over the whole file, signatures included: for archives.

  kyso verify FILE.pdf [--trust PEM]... [--crl FILE]... [--ocsp FILE]... [--cert PEM]...
            [--offline] [--at DATE] [--json]
      Kiểm tra chữ ký số | Verify the signatures (ETSI EN 319 102-1 indications).
      --at: kiểm tra tại một thời điểm (tài liệu lưu trữ) | validate at that time (archived records).
      Mã thoát | Exit: 0 mọi chữ ký hợp lệ | all passed; 1 có chữ ký không hợp lệ | one failed;
      3 chưa xác định | indeterminate; 2 sai cú pháp hoặc không phải PDF | bad usage or not a PDF.
      Chứng thư gốc tin cậy | Trusted roots: --trust, KYSO_TRUST, ~/.config/kyso/trust/*.pem.
${TRUST_HELP}${DESK_HELP}${SERVICE_HELP}
Mã thoát | Exit codes: 0 thành công | success; 1 lỗi | failed; 2 sai cú pháp lệnh | wrong usage.
Driver PKCS#11: --module, hoặc | or KYSO_PKCS11_MODULE, hoặc danh mục | or the catalogue native/token-drivers.json.
`;

function lang(): 'vi' | 'en' {
  return process.env.KYSO_LANG === 'en' ? 'en' : 'vi';
}

const tokenList: Command = async (argv) => {
  const p = parse(argv, { module: { type: 'string' }, json: { type: 'boolean' }, all: { type: 'boolean' } });
  if (p.positionals.length) throw new KysoError('USAGE', { reason: `unexpected argument "${p.positionals[0]}"` });
  try {
    const module = resolveModulePath(str(p, 'module'));
    const tokens = listTokens(module, { includeUninitialized: p.values.all === true });
    if (p.values.json) process.stdout.write(JSON.stringify({ module, tokens: tokenListToJson(tokens) }, null, 2) + '\n');
    else process.stdout.write(formatTokenList(tokens, lang()));
    return 0;
  } finally {
    finalizeAll();
  }
};

function scheme(v: string | undefined): SignatureScheme | undefined {
  if (v === undefined) return undefined;
  if (v === 'pkcs1') return 'rsa-pkcs1';
  if (v === 'pss') return 'rsa-pss';
  throw new KysoError('USAGE', { reason: '--scheme must be pkcs1 or pss' });
}

function profile(v: string | undefined): SignatureProfile {
  if (v === undefined || v === 'pades') return 'pades';
  if (v === 'pkcs7') return 'pkcs7';
  throw new KysoError('USAGE', { reason: '--profile must be pades or pkcs7' });
}

const sign: Command = async (argv) => {
  const p = parse(argv, {
    output: { type: 'string', short: 'o' },
    module: { type: 'string' },
    token: { type: 'string' },
    'key-id': { type: 'string' },
    'pin-env': { type: 'string' },
    page: { type: 'string' },
    rect: { type: 'string' },
    reason: { type: 'string' },
    location: { type: 'string' },
    contact: { type: 'string' },
    profile: { type: 'string' },
    field: { type: 'string' },
    scheme: { type: 'string' },
    json: { type: 'boolean' },
    role: { type: 'string' },
    image: { type: 'string' },
    anchor: { type: 'string' },
    preset: { type: 'string' },
    'doc-number': { type: 'string' },
    issued: { type: 'string' },
    'signer-name': { type: 'string' },
    'signer-title': { type: 'string' },
    organisation: { type: 'string' },
    'copy-form': { type: 'string' },
    tsa: { type: 'string' },
    cert: { type: 'string', multiple: true },
    trust: { type: 'string', multiple: true },
    crl: { type: 'string', multiple: true },
    offline: { type: 'boolean' },
  });
  if (p.positionals.length !== 1) throw new KysoError('USAGE', { reason: 'give exactly one input PDF' });
  const extraCerts = list(p, 'cert').flatMap((f) => readDerOrPem(resolve(f)));
  const crls = list(p, 'crl').flatMap((f) => readDerOrPem(resolve(f)));
  const { trust, intermediates } = commandTrust(list(p, 'trust'));
  const tsaUrl = str(p, 'tsa') ?? (process.env.KYSO_TSA_URL || undefined);
  if (tsaUrl && !/^https?:\/\//.test(tsaUrl)) throw new KysoError('USAGE', { reason: '--tsa must be an http:// or https:// address' });
  const input = resolve(p.positionals[0]!);
  const output = resolve(required(p, 'output'));
  const label = required(p, 'token');
  const page = int(p, 'page');
  const r = rect(p, 'rect');
  const prof = profile(str(p, 'profile'));
  const sch = scheme(str(p, 'scheme'));
  const visible = visibleOptions(p, page, r);
  const pin = pinFromEnv(p);
  const module = resolveModulePath(str(p, 'module'));
  const session = openToken({ module, label });
  try {
    session.login(pin);
    const signer = session.signer({ keyId: str(p, 'key-id'), scheme: sch });
    // TT 15/2025: the certificate is checked before the token signs; nothing is written when it is revoked.
    const checked = await checkSignerCertificate({
      certificate: signer.certificate,
      tokenChain: signer.chain,
      extraCerts: [...extraCerts, ...intermediates],
      trust,
      crls,
      online: p.values.offline !== true,
      cacheDir: cacheDir(),
    });
    const common = {
      input,
      output,
      signer,
      reason: str(p, 'reason'),
      location: str(p, 'location'),
      contactInfo: str(p, 'contact'),
      fieldName: str(p, 'field'),
      profile: prof,
      timestamp: tsaUrl ? tsaTimestamper({ url: tsaUrl }) : undefined,
      chain: checked.chain,
      revocation: checked.revocation,
    };
    const visibleResult: SignVisibleResult | undefined = visible ? await signVisible({ ...common, visible }) : undefined;
    const result: SignPdfResult = visibleResult ?? (await signPdf({ ...common, page, rect: r }));
    const plan = visibleResult?.plan;
    // After the file is written: a failure says only its one error line.
    printWarnings(checked.warnings);
    if (p.values.json) {
      process.stdout.write(
        JSON.stringify({
          output: result.output,
          field: result.fieldName,
          page: result.page,
          byteRange: result.byteRange,
          cmsSize: result.cmsSize,
          reserved: result.reserved,
          size: result.size,
          signingTime: result.signingTime.toISOString(),
          signer: result.signer.subject,
          mechanism: signer.lastMechanism,
          timestamped: Boolean(tsaUrl),
          chain: checked.path,
          chainStatus: checked.status,
          embedded: { certificates: checked.chain.length, crls: checked.revocation.crls.length, ocsps: checked.revocation.ocsps.length },
          warnings: checked.warnings,
          ...(plan && visible
            ? {
                role: visible.role,
                rect: plan.rect,
                rotation: plan.widgetRotation,
                filled: plan.numbering.map((n) => ({ kind: n.kind, text: n.text })),
              }
            : {}),
        }) + '\n',
      );
    } else {
      process.stdout.write(
        `Đã ký: ${result.output} (trường ${result.fieldName}, trang ${result.page}, người ký ${result.signer.commonName})\n` +
          `Signed: ${result.output} (field ${result.fieldName}, page ${result.page}, signer ${result.signer.commonName})\n`,
      );
      if (plan?.numbering.length) {
        const filled = plan.numbering.map((n) => n.text).join(', ');
        process.stdout.write(`Đã điền số, ngày ban hành: ${filled} | Filled number and issue date: ${filled}\n`);
      }
    }
    return 0;
  } finally {
    session.close();
    finalizeAll();
  }
};

/** Warnings of the certificate check, one line each on stderr, Vietnamese first. */
function printWarnings(warnings: SignerWarning[]): void {
  for (const w of warnings) process.stderr.write(`Cảnh báo [${w.code}]: ${w.vi} | Warning: ${w.en}\n`);
}

function role(v: string | undefined): SignatureRole | undefined {
  if (v === undefined) return undefined;
  if ((SIGNATURE_ROLES as readonly string[]).includes(v)) return v as SignatureRole;
  throw new KysoError('USAGE', { reason: `--role must be one of ${SIGNATURE_ROLES.join(', ')}` });
}

const VISIBLE_ONLY = ['image', 'anchor', 'preset', 'doc-number', 'issued', 'signer-name', 'signer-title', 'organisation', 'copy-form'];

/** The visible-signature options, when --role is given (checked before the token is opened). */
function visibleOptions(p: Parsed, page: number | undefined, r: [number, number, number, number] | undefined): VisibleOptions | undefined {
  const which = role(str(p, 'role'));
  if (!which) {
    const stray = VISIBLE_ONLY.find((k) => p.values[k] !== undefined);
    if (stray) throw new KysoError('USAGE', { reason: `--${stray} needs --role` });
    return undefined;
  }
  const imagePath = str(p, 'image');
  return {
    role: which,
    preset: str(p, 'preset'),
    image: imagePath ? imageFile(resolve(imagePath)) : undefined,
    page,
    rect: r,
    anchor: str(p, 'anchor'),
    signerName: str(p, 'signer-name'),
    signerTitle: str(p, 'signer-title'),
    docNumber: str(p, 'doc-number'),
    issued: str(p, 'issued'),
    organisation: str(p, 'organisation'),
    copyForm: str(p, 'copy-form'),
  };
}

/** `kyso timestamp IN.pdf -o OUT.pdf --tsa URL`: a document timestamp, no token needed. */
const timestamp: Command = async (argv) => {
  const p = parse(argv, { output: { type: 'string', short: 'o' }, tsa: { type: 'string' }, field: { type: 'string' }, json: { type: 'boolean' } });
  if (p.positionals.length !== 1) throw new KysoError('USAGE', { reason: 'give exactly one input PDF' });
  const url = str(p, 'tsa') ?? (process.env.KYSO_TSA_URL || undefined);
  if (!url) throw new KysoError('USAGE', { reason: 'give the timestamp server with --tsa URL (or KYSO_TSA_URL)' });
  if (!/^https?:\/\//.test(url)) throw new KysoError('USAGE', { reason: '--tsa must be an http:// or https:// address' });
  const r = await timestampPdf({
    input: p.positionals[0]!,
    output: required(p, 'output'),
    tsa: tsaDigestTimestamper({ url }),
    fieldName: str(p, 'field'),
  });
  if (p.values.json) process.stdout.write(JSON.stringify({ output: r.output, field: r.fieldName, byteRange: r.byteRange, tokenSize: r.tokenSize, size: r.size }) + '\n');
  else
    process.stdout.write(
      `Đã gắn dấu thời gian: ${r.output} (trường ${r.fieldName}, máy chủ ${url})\nTimestamped: ${r.output} (field ${r.fieldName}, server ${url})\n`,
    );
  return 0;
};

export const COMMANDS: Record<string, Command> = {
  'token list': tokenList,
  sign,
  timestamp,
  verify: verifyCommand,
  ...TRUST_COMMANDS,
  ...DESK_COMMANDS,
  ...SERVICE_COMMANDS,
  ...EDXML_COMMANDS,
};
