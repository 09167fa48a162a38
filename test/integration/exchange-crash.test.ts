// Issue 13: kill -9 at several points of `kyso exchange sync` — the package delivered but not yet
// recorded as sent, recorded, half taken in (inside the receiver's transaction), taken in but not
// yet moved aside — loses nothing and duplicates nothing: the next sync finishes the work, the
// receiver registers the document once and answers 01 once, and both databases stay whole.
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { exchangeBench, type Bench, type Desk } from '../fixtures/desks.js';
import { sharedTestPki } from '../fixtures/pki.js';
import { sharedSoftHsm } from '../fixtures/softhsm.js';
import { makeTempDir, removeTempDir } from '../fixtures/tmp.js';

const pki = await sharedTestPki();
let work: string;
let b: Bench;
let a: Desk;
let r: Desk;

beforeAll(async () => {
  work = makeTempDir('exchange-crash');
  b = await exchangeBench(work, pki, sharedSoftHsm(pki));
  a = b.desk('Sở Y tế', '000.00.31.H41');
  r = b.desk('Sở Nội vụ', '000.00.32.H41');
  await b.connect([a, r]);
}, 120_000);

afterAll(() => removeTempDir(work));

function whole(d: Desk): void {
  const db = new Database(join(d.data, 'kyso.db'));
  try {
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    expect(db.pragma('foreign_key_check')).toEqual([]);
  } finally {
    db.close();
  }
}

const POINTS: Array<[string, 'sender' | 'receiver']> = [
  ['exchange-after-send', 'sender'],
  ['exchange-after-send-commit', 'sender'],
  ['exchange-in-receive', 'receiver'],
  ['exchange-before-ack', 'receiver'],
];

describe('SIGKILL in the middle of a sync', () => {
  for (const [point, side] of POINTS) {
    test(`${point} (${side}): nothing lost, nothing twice`, async () => {
      const title = `Công văn ${point}`;
      const id = await b.issue(a, title);
      b.ok(await b.kyso(['--data', a.data, 'outbox', 'send', id, '--to', r.organId]));
      const crashing = side === 'sender' ? a : r;
      if (side === 'receiver') await b.sync(a);
      const killed = await b.kyso(['--data', crashing.data, 'exchange', 'sync', '--json'], { KYSO_CRASH_AT: point });
      expect(killed.signal, killed.stderr).toBe('SIGKILL');
      whole(crashing);
      // The next passes finish the work.
      await b.sync(a);
      await b.sync(r);
      await b.sync(r);
      await b.sync(a);
      const inbox = b.ok(await b.kyso(['--data', r.data, 'inbox', 'list', '--json'])).json().items as Array<{ title: string; organId: string }>;
      expect(inbox.filter((i) => i.title === title).length).toBe(1);
      const out = b.ok(await b.kyso(['--data', a.data, 'outbox', 'list', '--json'])).json().items as Array<{ documentId: string; state: string; recipients: Array<{ history: Array<{ statusCode: string }> }> }>;
      const item = out.find((o) => o.documentId === id)!;
      expect(item.state).toBe('sent');
      expect(item.recipients[0]!.history.map((h) => h.statusCode)).toEqual(['01']);
      const audit = b.ok(await b.kyso(['--data', crashing.data, 'audit', 'verify', '--json'])).json();
      expect(audit.ok).toBe(true);
      whole(a);
      whole(r);
    });
  }
});
