// The screens' texts: every one in Vietnamese and English, with the same placeholders in both (a
// {name} missing from one language would print as "{name}" on screen), and the Vietnamese with its
// diacritics (a text typed without them reads as a different, sometimes rude, word).
import { describe, expect, test } from 'vitest';
import { ALL_TEXTS, text } from '../../src/renderer/i18n.js';

const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe('the texts of the screens', () => {
  test('each has both languages and the same placeholders', () => {
    for (const [key, [vi, en]] of Object.entries(ALL_TEXTS)) {
      expect(vi.trim(), key).not.toBe('');
      expect(en.trim(), key).not.toBe('');
      expect(placeholders(vi), key).toEqual(placeholders(en));
    }
  });

  test('Vietnamese texts carry their diacritics', () => {
    // Texts of more than two words without a single Vietnamese letter were typed without accents,
    // unless they are names or codes shared by both languages.
    const shared = new Set(['appName', 'token', 'pinFor']);
    const plain = Object.entries(ALL_TEXTS)
      .filter(([key, [vi]]) => !shared.has(key) && vi.split(/\s+/).length > 2)
      .filter(([, [vi]]) => !/[àáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵđ]/i.test(vi))
      .map(([key]) => key);
    expect(plain).toEqual([]);
  });

  test('placeholders are filled, and unknown ones left visible', () => {
    expect(text('vi', 'pinTriesLeft', { n: 9 })).toBe('Còn 9 lần thử trước khi token bị khóa.');
    expect(text('en', 'pinTriesLeft', { n: 9 })).toBe('9 tries left before the token locks.');
    expect(text('vi', 'pinTriesLeft')).toContain('{n}');
  });
});
