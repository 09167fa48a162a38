// The exchange screens' texts (src/renderer/i18n-exchange.ts) meet the same rules as the others:
// both languages, the same placeholders, Vietnamese with its diacritics; and the search folding
// the address book uses finds "Sở Nội vụ" from "so noi vu".
import { describe, expect, test } from 'vitest';
import { ALL_X_TEXTS, foldVi } from '../../src/renderer/i18n-exchange.js';
import { ALL_TEXTS } from '../../src/renderer/i18n.js';

const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe('the exchange screens’ texts', () => {
  test('each has both languages and the same placeholders, and no key clashes with the common texts', () => {
    for (const [key, [vi, en]] of Object.entries(ALL_X_TEXTS)) {
      expect(vi.trim(), key).not.toBe('');
      expect(en.trim(), key).not.toBe('');
      expect(placeholders(vi), key).toEqual(placeholders(en));
      expect(Object.hasOwn(ALL_TEXTS, key), key).toBe(false);
    }
  });

  test('Vietnamese texts carry their diacritics', () => {
    const codes = new Set(['syncFailedLine', 'unreadableLine']);
    const plain = Object.entries(ALL_X_TEXTS)
      .filter(([key, [vi]]) => !codes.has(key) && vi.split(/\s+/).length > 2)
      .filter(([, [vi]]) => !/[àáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵđ]/i.test(vi))
      .map(([key]) => key);
    expect(plain).toEqual([]);
  });

  test('search folding drops tone marks and đ, whatever the Unicode form', () => {
    expect(foldVi('Sở Nội vụ tỉnh Quảng Ninh')).toBe('so noi vu tinh quang ninh');
    expect(foldVi('Ban Dân tộc'.normalize('NFD'))).toBe('ban dan toc');
    expect(foldVi('ĐOÀN đại biểu')).toBe('doan dai bieu');
  });
});
