// `kyso token list`: the tokens as text for a person, or as JSON for a script.
import type { Lang } from '../../shared/errors.js';
import type { CertInfoJson } from './certs.js';
import type { TokenInfo } from './tokens.js';

export type TokenInfoJson = Omit<TokenInfo, 'certificates'> & { certificates: CertInfoJson[] };

/** The token list as plain JSON: certificate DER as base64 when `includeDer`, else left out. */
export function tokenListToJson(tokens: readonly TokenInfo[], opts: { includeDer?: boolean } = {}): TokenInfoJson[] {
  return tokens.map((t) => ({
    ...t,
    certificates: t.certificates.map(({ der, ...rest }) => (opts.includeDer ? { ...rest, der: der.toString('base64') } : rest)),
  }));
}

const TEXT = {
  vi: {
    none: 'Không có token nào đang cắm vào máy.',
    token: 'Token',
    slot: 'khe',
    serial: 'số sê-ri',
    loginRequired: 'cần mã PIN',
    countLow: 'đã có lần nhập sai mã PIN kể từ lần đăng nhập đúng gần nhất',
    finalTry: 'CHỈ CÒN MỘT lần thử mã PIN',
    locked: 'ĐÃ BỊ KHÓA do nhập sai mã PIN',
    toBeChanged: 'cần đổi mã PIN',
    notInitialized: 'chưa khởi tạo',
    noCerts: 'Không có chứng thư số nào đọc được khi chưa nhập mã PIN.',
    readError: 'Không đọc được chứng thư số',
    cert: 'Chứng thư',
    ca: 'chứng thư CA',
    subject: 'Chủ thể',
    issuer: 'Cấp bởi',
    serialNo: 'Số hiệu',
    validity: 'Hiệu lực',
    usage: 'Mục đích',
    anyUsage: 'không giới hạn',
    key: 'Khóa bí mật',
    keyYes: 'có',
    keyNo: 'không có',
    keyUnknown: 'chưa rõ (cần mã PIN để xem)',
  },
  en: {
    none: 'No token is plugged in.',
    token: 'Token',
    slot: 'slot',
    serial: 'serial',
    loginRequired: 'PIN required',
    countLow: 'a wrong PIN was entered since the last successful login',
    finalTry: 'ONE PIN try left',
    locked: 'LOCKED after wrong PINs',
    toBeChanged: 'PIN must be changed',
    notInitialized: 'not initialised',
    noCerts: 'No certificate readable without the PIN.',
    readError: 'Certificates could not be read',
    cert: 'Certificate',
    ca: 'CA certificate',
    subject: 'Subject',
    issuer: 'Issuer',
    serialNo: 'Serial',
    validity: 'Valid',
    usage: 'Usage',
    anyUsage: 'unrestricted',
    key: 'Private key',
    keyYes: 'yes',
    keyNo: 'no',
    keyUnknown: 'unknown (needs the PIN)',
  },
} as const;

/** The token list for a terminal, in one language (Vietnamese by default). */
export function formatTokenList(tokens: readonly TokenInfo[], lang: Lang = 'vi'): string {
  const t = TEXT[lang];
  if (tokens.length === 0) return t.none + '\n';
  const lines: string[] = [];
  for (const tok of tokens) {
    const state: string[] = [];
    if (!tok.flags.tokenInitialized) state.push(t.notInitialized);
    if (tok.flags.userPinLocked) state.push(t.locked);
    else if (tok.flags.userPinFinalTry) state.push(t.finalTry);
    else if (tok.flags.userPinCountLow) state.push(t.countLow);
    if (tok.flags.userPinToBeChanged) state.push(t.toBeChanged);
    if (tok.flags.loginRequired) state.push(t.loginRequired);
    const maker = [tok.manufacturer, tok.model].filter(Boolean).join(' ');
    lines.push(`${t.token} "${tok.label}" (${t.slot} ${tok.slotId}, ${t.serial} ${tok.serial}${maker ? `, ${maker}` : ''})${state.length ? ` — ${state.join('; ')}` : ''}`);
    if (tok.readError) lines.push(`  ${t.readError}: ${tok.readError}`);
    else if (tok.certificates.length === 0) lines.push(`  ${t.noCerts}`);
    for (const c of tok.certificates) {
      lines.push(`  ${c.isCa ? t.ca : t.cert} [${c.id || '—'}]${c.label ? ` ${c.label}` : ''}`);
      lines.push(`    ${t.subject}: ${c.subject}`);
      lines.push(`    ${t.issuer}: ${c.issuer}`);
      lines.push(`    ${t.serialNo}: ${c.serialNumber}`);
      lines.push(`    ${t.validity}: ${c.notBefore.slice(0, 10)} → ${c.notAfter.slice(0, 10)}`);
      lines.push(`    ${t.usage}: ${c.keyUsage.length ? c.keyUsage.join(', ') : t.anyUsage}`);
      if (!c.isCa) lines.push(`    ${t.key}: ${c.hasPrivateKey === true ? t.keyYes : c.hasPrivateKey === false ? t.keyNo : t.keyUnknown}`);
    }
  }
  return lines.join('\n') + '\n';
}
