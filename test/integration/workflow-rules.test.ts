// Issue 5, the rules as pure functions: who signs next in each method, when a draft may be sent
// back, and how the clerk's entry and the printed "Số:" make the number and symbol (NĐ30: from 01
// each year, numbers below 10 written 05; a printed symbol is not contradicted; a number is not
// written over another).
import { describe, expect, test } from 'vitest';
import { isKysoError } from '../../src/shared/errors.js';
import { resolveNumber } from '../../src/main/workflow/numbers.js';
import { canReturn, METHOD_STEPS, nextRole, requiredBefore } from '../../src/main/workflow/rules.js';

function code(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    return isKysoError(e) ? e.code : String(e);
  }
  return 'none';
}

describe('methods', () => {
  test('the order of each method, and what must stand before each signature', () => {
    expect(METHOD_STEPS).toEqual({ 1: ['org'], 2: ['leader', 'org'], 3: ['drafter', 'leader', 'org'] });
    expect([0, 1, 2, 3].map((n) => nextRole(3, n))).toEqual(['drafter', 'leader', 'org', null]);
    expect([0, 1].map((n) => nextRole(1, n))).toEqual(['org', null]);
    expect(requiredBefore(3, 'org')).toEqual(['drafter', 'leader']);
    expect(requiredBefore(3, 'leader')).toEqual(['drafter']);
    expect(requiredBefore(2, 'org')).toEqual(['leader']);
    expect(requiredBefore(1, 'org')).toEqual([]);
    expect(requiredBefore(2, 'drafter')).toEqual([]);
  });

  test('a draft goes back only before the leader signed, and never in method 1', () => {
    expect(canReturn(3, 'draft')).toBe(true);
    expect(canReturn(3, 'initialled')).toBe(true);
    expect(canReturn(2, 'draft')).toBe(true);
    expect(canReturn(3, 'approved')).toBe(false);
    expect(canReturn(2, 'issued')).toBe(false);
    expect(canReturn(1, 'draft')).toBe(false);
  });
});

describe('number and symbol', () => {
  const next = () => 7;
  const draft = { text: '/QĐ-SYT' };
  test('what the clerk enters, completed by the printed symbol', () => {
    expect(resolveNumber('203', draft, next, '1')).toEqual({ seq: 203, full: '203/QĐ-SYT', fill: '203' });
    expect(resolveNumber('5', draft, next, '1')).toEqual({ seq: 5, full: '05/QĐ-SYT', fill: '05' });
    expect(resolveNumber('203/QĐ-SYT', draft, next, '1')).toEqual({ seq: 203, full: '203/QĐ-SYT', fill: '203' });
    expect(resolveNumber(undefined, draft, next, '1')).toEqual({ seq: 7, full: '07/QĐ-SYT', fill: '07' });
    expect(resolveNumber('/QĐ-SYT', draft, next, '1')).toEqual({ seq: 7, full: '07/QĐ-SYT', fill: '07' });
  });

  test('without a printed symbol: the whole number is entered, and drawn after "Số:"', () => {
    const blank = { text: '' };
    expect(resolveNumber('15/UBND-VP', blank, next, '1')).toEqual({ seq: 15, full: '15/UBND-VP', fill: '15/UBND-VP' });
    expect(resolveNumber('/UBND-VP', blank, next, '1')).toEqual({ seq: 7, full: '07/UBND-VP', fill: '07/UBND-VP' });
    expect(code(() => resolveNumber('15', blank, next, '1'))).toBe('DOC_NUMBER_REQUIRED');
    expect(code(() => resolveNumber(undefined, blank, next, '1'))).toBe('DOC_NUMBER_REQUIRED');
  });

  test('a scan without text: recorded, nothing drawn', () => {
    expect(resolveNumber('15/UBND-VP', undefined, next, '1')).toEqual({ seq: 15, full: '15/UBND-VP', fill: undefined });
    expect(code(() => resolveNumber(undefined, undefined, next, '1'))).toBe('DOC_NUMBER_REQUIRED');
  });

  test('a number printed already is kept; another one is refused; a symbol is not contradicted', () => {
    const numbered = { text: '12/QĐ-SYT' };
    expect(resolveNumber(undefined, numbered, next, '1')).toEqual({ seq: 12, full: '12/QĐ-SYT', fill: undefined });
    expect(resolveNumber('12/QĐ-SYT', numbered, next, '1')).toEqual({ seq: 12, full: '12/QĐ-SYT', fill: undefined });
    expect(code(() => resolveNumber('13/QĐ-SYT', numbered, next, '1'))).toBe('DOC_NUMBER_ALREADY_FILLED');
    expect(code(() => resolveNumber('203/QĐ-UBND', draft, next, '1'))).toBe('DOC_NUMBER_SYMBOL_MISMATCH');
    expect(code(() => resolveNumber('/KH-SYT', draft, next, '1'))).toBe('DOC_NUMBER_SYMBOL_MISMATCH');
    expect(code(() => resolveNumber('số ba', draft, next, '1'))).toBe('USAGE');
    expect(code(() => resolveNumber('0', draft, next, '1'))).toBe('USAGE');
  });
});
