// The commands of `kyso`. Each takes its arguments and returns an exit code; errors are thrown
// as KysoError and printed by main() as one line.
import { resolve } from 'node:path';
import { KysoError } from '../../shared/errors.js';
import { signPdf, type SignatureProfile } from '../sign/sign.js';
import { finalizeAll, formatTokenList, listTokens, openToken, resolveModulePath, tokenListToJson } from '../token/index.js';
import type { SignatureScheme } from '../cms/signer.js';
import { int, parse, pinFromEnv, rect, required, str } from './args.js';
import { verifyCommand } from './verify.js';

export type Command = (argv: string[]) => Promise<number>;

export const HELP = `kyso — ký số văn bản điện tử | digital signing of official documents

Cách dùng | Usage:
  kyso token list [--module PATH] [--json]
      Liệt kê thiết bị ký số (token) và chứng thư số | List tokens and their certificates.

  kyso sign IN.pdf -o OUT.pdf --token LABEL --pin-env VAR [--module PATH] [--key-id HEX]
            [--page N --rect x,y,w,h] [--reason TEXT] [--location TEXT]
            [--profile pades|pkcs7] [--field NAME] [--scheme pkcs1|pss] [--json]
      Ký số tệp PDF (cập nhật gia tăng) | Sign a PDF (incremental update).
      Mã PIN đọc từ biến môi trường VAR, không bao giờ từ dòng lệnh | The PIN is read from the
      environment variable VAR, never from the command line.
      --rect: điểm PDF tính từ góc dưới trái trang | PDF points from the page's lower-left corner.

  kyso verify FILE.pdf [--trust PEM]... [--crl FILE]... [--ocsp FILE]... [--cert PEM]...
            [--offline] [--json]
      Kiểm tra chữ ký số | Verify the signatures (ETSI EN 319 102-1 indications).
      Mã thoát | Exit: 0 mọi chữ ký hợp lệ | all passed; 1 có chữ ký không hợp lệ | one failed;
      3 chưa xác định | indeterminate; 2 sai cú pháp hoặc không phải PDF | bad usage or not a PDF.
      Chứng thư gốc tin cậy | Trusted roots: --trust, KYSO_TRUST, ~/.config/kyso/trust/*.pem.

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
  });
  if (p.positionals.length !== 1) throw new KysoError('USAGE', { reason: 'give exactly one input PDF' });
  const input = resolve(p.positionals[0]!);
  const output = resolve(required(p, 'output'));
  const label = required(p, 'token');
  const page = int(p, 'page');
  const r = rect(p, 'rect');
  const prof = profile(str(p, 'profile'));
  const sch = scheme(str(p, 'scheme'));
  const pin = pinFromEnv(p);
  const module = resolveModulePath(str(p, 'module'));
  const session = openToken({ module, label });
  try {
    session.login(pin);
    const signer = session.signer({ keyId: str(p, 'key-id'), scheme: sch });
    const result = await signPdf({
      input,
      output,
      signer,
      page,
      rect: r,
      reason: str(p, 'reason'),
      location: str(p, 'location'),
      contactInfo: str(p, 'contact'),
      fieldName: str(p, 'field'),
      profile: prof,
    });
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
        }) + '\n',
      );
    } else {
      process.stdout.write(
        `Đã ký: ${result.output} (trường ${result.fieldName}, trang ${result.page}, người ký ${result.signer.commonName})\n` +
          `Signed: ${result.output} (field ${result.fieldName}, page ${result.page}, signer ${result.signer.commonName})\n`,
      );
    }
    return 0;
  } finally {
    session.close();
    finalizeAll();
  }
};

export const COMMANDS: Record<string, Command> = {
  'token list': tokenList,
  sign,
  verify: verifyCommand,
};
