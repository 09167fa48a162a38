// Every error code has its Vietnamese and English message and hint, with the same placeholders:
// a code that lacks either cannot reach a clerk as a sentence.
import { describe, expect, test } from 'vitest';
import { ERROR_CODES, errorLine, renderError } from '../../src/shared/errors.js';
import { ERROR_MESSAGES_EN } from '../../src/shared/i18n/errors.en.js';
import { ERROR_MESSAGES_VI } from '../../src/shared/i18n/errors.vi.js';

/** The details a text names; a detail given per language (roleVi / roleEn) counts as one. */
const placeholders = (s: string): string[] => [...new Set([...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!.replace(/(Vi|En)$/, '')))].sort();

describe('the error catalogue', () => {
  test.each([...ERROR_CODES])('%s has a message and a hint in vi and en, with the same details', (code) => {
    for (const cat of [ERROR_MESSAGES_VI, ERROR_MESSAGES_EN]) {
      expect(cat[code]?.message.trim().length, code).toBeGreaterThan(0);
      expect(cat[code]?.hint.trim().length, code).toBeGreaterThan(0);
    }
    expect(placeholders(ERROR_MESSAGES_VI[code].message + ERROR_MESSAGES_VI[code].hint)).toEqual(placeholders(ERROR_MESSAGES_EN[code].message + ERROR_MESSAGES_EN[code].hint));
  });

  test('no message is keyed by a code outside the closed list', () => {
    expect(Object.keys(ERROR_MESSAGES_VI).sort()).toEqual([...ERROR_CODES].sort());
    expect(Object.keys(ERROR_MESSAGES_EN).sort()).toEqual([...ERROR_CODES].sort());
  });

  test('CERT_REVOKED names the certificate, the date and the reason in both languages', () => {
    const d = { subject: 'Vũ Đình Khoa', revokedAt: '2026-11-30', reason: 'keyCompromise' };
    expect(renderError('CERT_REVOKED', d, 'vi').message).toBe('Chứng thư số "Vũ Đình Khoa" đã bị thu hồi (ngày 2026-11-30, lý do: keyCompromise).');
    expect(renderError('CERT_REVOKED', d, 'en').message).toBe('Certificate "Vũ Đình Khoa" has been revoked (on 2026-11-30, reason: keyCompromise).');
    expect(errorLine('CERT_REVOKED', d)).toMatch(/^Lỗi \[CERT_REVOKED\]: .+ \| Error: .+/);
  });
});
