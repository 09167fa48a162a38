// Pure parts of files by reference: HTTP ranges as the web server and the kyso:// scheme answer
// them, how a failed upload is named (a full disk, a cut-off body), and the catalogue's texts for
// the new codes in both languages.
import { describe, expect, test } from 'vitest';
import { attachmentDisposition, contentRange, parseRange } from '../../src/main/io/range.js';
import { uploadError } from '../../src/main/store/uploads.js';
import { ERROR_CODES, renderError } from '../../src/shared/errors.js';

describe('parseRange', () => {
  const size = 1000;
  test.each([
    [undefined, { kind: 'full' }],
    ['', { kind: 'full' }],
    ['items=0-5', { kind: 'full' }],
    ['bytes=0-99', { kind: 'partial', start: 0, end: 99 }],
    ['bytes=900-', { kind: 'partial', start: 900, end: 999 }],
    ['bytes=-100', { kind: 'partial', start: 900, end: 999 }],
    ['bytes=-5000', { kind: 'partial', start: 0, end: 999 }],
    ['bytes=990-5000', { kind: 'partial', start: 990, end: 999 }],
    ['bytes=1000-', { kind: 'unsatisfiable' }],
    ['bytes=50-10', { kind: 'unsatisfiable' }],
    ['bytes=-0', { kind: 'unsatisfiable' }],
    ['bytes=-', { kind: 'unsatisfiable' }],
    ['bytes=0-1,4-5', { kind: 'unsatisfiable' }],
    ['bytes=x-y', { kind: 'unsatisfiable' }],
  ] as const)('%s', (header, answer) => {
    expect(parseRange(header, size)).toEqual(answer);
  });

  test('Content-Range of each answer', () => {
    expect(contentRange({ kind: 'partial', start: 5, end: 9 }, 10)).toBe('bytes 5-9/10');
    expect(contentRange({ kind: 'unsatisfiable' }, 10)).toBe('bytes */10');
    expect(contentRange({ kind: 'full' }, 10)).toBeUndefined();
  });

  test('an empty file has no range to give', () => {
    expect(parseRange('bytes=0-', 0)).toEqual({ kind: 'unsatisfiable' });
    expect(parseRange('bytes=-1', 0)).toEqual({ kind: 'unsatisfiable' });
  });

  test('a Vietnamese file name is kept in UTF-8 with an ASCII fallback', () => {
    expect(attachmentDisposition('Quyết định "số 5".pdf')).toBe(`attachment; filename="Quyet dinh _so 5_.pdf"; filename*=UTF-8''${encodeURIComponent('Quyết định "số 5".pdf')}`);
  });
});

describe('a failed upload is named by what happened', () => {
  const errno = (code: string) => Object.assign(new Error(code), { code });
  test('a full disk (ENOSPC, EDQUOT)', () => {
    for (const code of ['ENOSPC', 'EDQUOT']) {
      const e = uploadError(errno(code), '/data/uploads', 4096);
      expect(e.toPayload()).toEqual({ code: 'UPLOAD_DISK_FULL', details: { path: '/data/uploads', received: 4096 } });
    }
  });
  test('a body cut off midway', () => {
    expect(uploadError(errno('ERR_STREAM_PREMATURE_CLOSE'), '/d', 10).code).toBe('UPLOAD_INCOMPLETE');
    expect(uploadError(errno('ECONNRESET'), '/d', 10).code).toBe('UPLOAD_INCOMPLETE');
    expect(uploadError(new Error('aborted'), '/d', 10).code).toBe('UPLOAD_INCOMPLETE');
  });
  test('other write failures keep their system code', () => {
    expect(uploadError(errno('EACCES'), '/d', 0).toPayload()).toEqual({ code: 'FILE_WRITE_FAILED', details: { path: '/d', reason: 'EACCES' } });
  });
});

describe('the error catalogue', () => {
  test('every code has a message and a hint in Vietnamese and in English', () => {
    for (const code of ERROR_CODES) {
      for (const lang of ['vi', 'en'] as const) {
        const t = renderError(code, {}, lang);
        expect(t.message.trim(), `${code} ${lang}`).not.toBe('');
        expect(t.hint.trim(), `${code} ${lang}`).not.toBe('');
      }
    }
    expect(renderError('UPLOAD_DISK_FULL', { path: '/d', received: 5 }, 'vi').message).toContain('Ổ đĩa đã đầy');
    expect(renderError('UPLOAD_DISK_FULL', { path: '/d', received: 5 }, 'en').message).toContain('The disk is full');
  });
});
