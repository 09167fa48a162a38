// Issue 16, the app's answers to a new origin: allowed (remembered in origins.json), refused (not
// asked again while Kyso runs), unanswered (refused now, asked again next time); and the list as
// Settings edits it (allow, forget: forgotten origins are asked about again).
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { OriginPolicy, readAllowList } from '../../src/main/service/origins.js';
import { makeTempDir, removeTempDir } from '../fixtures/tmp.js';

let work: string;
beforeAll(() => {
  work = makeTempDir('service-origin-answers');
});
afterAll(() => removeTempDir(work));

/** A policy whose "ask" answers from a script, counting the questions. */
function scripted(file: string, answers: Array<boolean | null>) {
  const asked: string[] = [];
  const policy = OriginPolicy.fromFile(file, {}, async (o) => {
    asked.push(o);
    return answers.shift() ?? null;
  });
  return { policy, asked };
}

describe('a new origin asked about in the app', () => {
  test('allowed: served, remembered in the file, not asked again', async () => {
    const file = join(work, 'allowed', 'origins.json');
    const { policy, asked } = scripted(file, [true]);
    expect(policy.asks).toBe(true);
    expect(await policy.admit('https://qlvb.example.gov.vn/')).toBe(true);
    expect(await policy.admit('https://qlvb.example.gov.vn')).toBe(true);
    expect(asked).toEqual(['https://qlvb.example.gov.vn']);
    expect(readAllowList(file).origins).toEqual(['https://qlvb.example.gov.vn']);
  });

  test('refused: not served, not asked again while Kyso runs, not written down', async () => {
    const file = join(work, 'refused', 'origins.json');
    const { policy, asked } = scripted(file, [false, true]);
    expect(await policy.admit('https://evil.example')).toBe(false);
    expect(await policy.admit('https://evil.example')).toBe(false);
    expect(asked).toEqual(['https://evil.example']);
    expect(readAllowList(file).origins).toEqual([]);
  });

  test('no answer in time: refused this once, asked again at the next request', async () => {
    const { policy, asked } = scripted(join(work, 'late', 'origins.json'), [null, true]);
    expect(await policy.admit('https://qlvb.example.gov.vn')).toBe(false);
    expect(await policy.admit('https://qlvb.example.gov.vn')).toBe(true);
    expect(asked).toHaveLength(2);
  });

  test('several sockets of one new page wait for one question', async () => {
    let release!: (v: boolean) => void;
    let questions = 0;
    const policy = OriginPolicy.fromFile(join(work, 'once', 'origins.json'), {}, () => {
      questions++;
      return new Promise<boolean>((r) => (release = r));
    });
    const both = Promise.all([policy.admit('https://a.example'), policy.admit('https://a.example')]);
    await Promise.resolve();
    release(true);
    expect(await both).toEqual([true, true]);
    expect(questions).toBe(1);
  });

  test('Settings: allow adds (and lifts a refusal), forget removes and the next request asks again', async () => {
    const file = join(work, 'settings', 'origins.json');
    const { policy, asked } = scripted(file, [false, false]);
    expect(await policy.admit('https://b.example')).toBe(false);
    expect(policy.allow('https://b.example/path')).toBe('https://b.example');
    expect(await policy.admit('https://b.example')).toBe(true);
    expect(policy.list()).toEqual(['https://b.example']);
    policy.forget('https://b.example');
    expect(readAllowList(file).origins).toEqual([]);
    expect(await policy.admit('https://b.example')).toBe(false);
    expect(asked).toEqual(['https://b.example', 'https://b.example']);
  });

  test('the command line never asks', async () => {
    const policy = OriginPolicy.fromFile(join(work, 'cli', 'origins.json'), { origins: ['https://qlvb.example.gov.vn'] });
    expect(policy.asks).toBe(false);
    expect(await policy.admit('https://qlvb.example.gov.vn')).toBe(true);
    expect(await policy.admit('https://other.example')).toBe(false);
  });
});
