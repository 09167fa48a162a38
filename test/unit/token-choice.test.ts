// Which token is preselected for the organisation's step when the clerk has chosen none yet: the
// one whose certificate is held by the organisation itself (CN = O), never a person's.
import { describe, expect, test } from 'vitest';
import type { Certificate, Token } from '../../src/shared/contract.js';
import { holdsOrganisationCertificate } from '../../src/renderer/components/TokenSelect.js';

function token(label: string, certs: Array<Partial<Certificate> & { subject: string; commonName: string }>): Token {
  return {
    slotId: '0',
    label,
    serial: label,
    manufacturer: 'test',
    model: 'test',
    flags: { loginRequired: true, userPinCountLow: false, userPinFinalTry: false, userPinLocked: false },
    certificates: certs.map((c, i) => ({ id: String(i), label, issuer: 'CN=CA', serialNumber: '01', notBefore: '2026-01-01T00:00:00.000Z', notAfter: '2028-01-01T00:00:00.000Z', isCa: false, hasPrivateKey: true, ...c })),
    pin: { lockAfter: null, wrongSinceLogin: 0, triesLeft: null },
  } as Token;
}

describe('the organisation token preselected', () => {
  test('CN equal to O (NFC or NFD, any case) is an organisation certificate', () => {
    const org = token('VAN THU', [{ subject: 'C=VN, L=Quảng Ninh, O=Sở Y tế tỉnh Quảng Ninh, CN=Sở Y tế tỉnh Quảng Ninh', commonName: 'Sở Y tế tỉnh Quảng Ninh' }]);
    expect(holdsOrganisationCertificate(org)).toBe(true);
    const nfd = token('VAN THU 2', [{ subject: `C=VN, O=${'SỞ Y TẾ'.normalize('NFD')}, CN=Sở Y tế`, commonName: 'Sở Y tế' }]);
    expect(holdsOrganisationCertificate(nfd)).toBe(true);
  });

  test("a person's certificate, a CA, a certificate without its key, or no O: not preselected", () => {
    expect(holdsOrganisationCertificate(token('LANH DAO', [{ subject: 'C=VN, O=Sở Y tế tỉnh Quảng Ninh, T=Giám đốc, CN=Nguyễn Văn Đức', commonName: 'Nguyễn Văn Đức' }]))).toBe(false);
    expect(holdsOrganisationCertificate(token('CA', [{ subject: 'C=VN, O=Kyso, CN=Kyso', commonName: 'Kyso', isCa: true }]))).toBe(false);
    expect(holdsOrganisationCertificate(token('NOKEY', [{ subject: 'C=VN, O=Sở Y tế, CN=Sở Y tế', commonName: 'Sở Y tế', hasPrivateKey: false }]))).toBe(false);
    expect(holdsOrganisationCertificate(token('NO-O', [{ subject: 'C=VN, CN=Sở Y tế', commonName: 'Sở Y tế' }]))).toBe(false);
    expect(holdsOrganisationCertificate(token('EMPTY', []))).toBe(false);
  });

  test('an O that only begins like the holder\'s name is not the same organisation', () => {
    expect(holdsOrganisationCertificate(token('X', [{ subject: 'C=VN, O=Sở Y tế tỉnh Quảng Ninh, OU=Văn phòng, CN=Sở Y tế', commonName: 'Sở Y tế' }]))).toBe(false);
  });
});
