// Issue 13, internal routing: method 3 across three desks of one agency (the drafter's, the
// leader's, the clerk's data folders), each signing with its own SoftHSM2 token, the draft moving
// with `kyso doc forward` over the folder transport; the leader first sends it back (the return
// travels the same way), then approves; the clerk issues it. The final file is judged by pdfsig
// and qpdf.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { exchangeBench, type Bench, type Desk } from '../fixtures/desks.js';
import { expectJudgedValid } from '../fixtures/expect.js';
import { makeNssDb } from '../fixtures/judges.js';
import { sharedTestPki } from '../fixtures/pki.js';
import { sharedSoftHsm, type SoftHsm } from '../fixtures/softhsm.js';
import { makeTempDir, removeTempDir } from '../fixtures/tmp.js';

const pki = await sharedTestPki();
let work: string;
let hsm: SoftHsm;
let b: Bench;
let drafter: Desk;
let leader: Desk;
let clerk: Desk;

beforeAll(async () => {
  work = makeTempDir('exchange-routing');
  hsm = sharedSoftHsm(pki);
  b = await exchangeBench(work, pki, hsm);
  drafter = b.desk('Chuyên viên', '000.00.31.H41-cv');
  leader = b.desk('Giám đốc', '000.00.31.H41-gd');
  clerk = b.desk('Văn thư', '000.00.31.H41-vt');
  await b.connect([drafter, leader, clerk]);
}, 120_000);

afterAll(() => removeTempDir(work));

interface Doc {
  id: string;
  title: string;
  state: string;
  nextRole: string | null;
  comment: string | null;
  signatures: Array<{ role: string }>;
}

async function docs(d: Desk): Promise<Doc[]> {
  const r = b.ok(await b.kyso(['--data', d.data, 'doc', 'list', '--json'])).json();
  return (r.documents ?? r.items) as Doc[];
}

function sign(d: Desk, id: string, role: 'drafter' | 'leader' | 'org', token: string): string[] {
  const img = role === 'leader' ? ['--image', b.signature, '--signer-title', 'GIÁM ĐỐC'] : role === 'org' ? ['--image', b.seal] : [];
  return ['--data', d.data, 'doc', 'sign', id, '--as', role, '--token', token, '--pin-env', 'PIN', ...img];
}

describe('doc forward: method 3 across three desks', () => {
  test('drafter → leader (returned) → drafter → leader → clerk, issued and judged valid', async () => {
    const pin = { PIN: hsm.tokens.DRAFTER.pin };
    const add = b.ok(await b.kyso(['--data', drafter.data, 'doc', 'add', b.draft, '--method', '3', '--title', 'Quyết định ban hành quy chế', '--json'])).json();
    const id = add.id as string;
    b.ok(await b.kyso(sign(drafter, id, 'drafter', 'KYSO-DRAFTER'), pin));
    b.ok(await b.kyso(['--data', drafter.data, 'doc', 'forward', id, '--to', leader.organId]));
    await b.sync(drafter);
    expect(await b.sync(leader)).toMatchObject({ received: 1 });
    let [atLeader] = await docs(leader);
    expect(atLeader).toMatchObject({ title: 'Quyết định ban hành quy chế', state: 'initialled', nextRole: 'leader', signatures: [{ role: 'drafter' }] });

    // The leader sends it back with a comment; it comes back to the drafter's own copy.
    b.ok(await b.kyso(['--data', leader.data, 'doc', 'return', atLeader!.id, '--comment', 'Sửa Điều 3']));
    b.ok(await b.kyso(['--data', leader.data, 'doc', 'forward', atLeader!.id, '--to', drafter.organId]));
    await b.sync(leader);
    await b.sync(drafter);
    const back = await docs(drafter);
    expect(back.length).toBe(1);
    expect(back[0]).toMatchObject({ id, state: 'returned', nextRole: 'drafter', comment: 'Sửa Điều 3', signatures: [] });

    // Initialled again, forwarded again: the leader's copy moves on (no second document there).
    b.ok(await b.kyso(sign(drafter, id, 'drafter', 'KYSO-DRAFTER'), pin));
    b.ok(await b.kyso(['--data', drafter.data, 'doc', 'forward', id, '--to', leader.organId]));
    await b.sync(drafter);
    await b.sync(leader);
    const leaderDocs = await docs(leader);
    expect(leaderDocs.length).toBe(1);
    atLeader = leaderDocs[0];
    expect(atLeader).toMatchObject({ state: 'initialled', nextRole: 'leader', signatures: [{ role: 'drafter' }] });
    b.ok(await b.kyso(sign(leader, atLeader!.id, 'leader', 'KYSO-LEADER'), { PIN: hsm.tokens.LEADER.pin }));
    b.ok(await b.kyso(['--data', leader.data, 'doc', 'forward', atLeader!.id, '--to', clerk.organId]));
    await b.sync(leader);
    await b.sync(clerk);
    const [atClerk] = await docs(clerk);
    expect(atClerk).toMatchObject({ state: 'approved', nextRole: 'org', signatures: [{ role: 'drafter' }, { role: 'leader' }] });
    const issued = b.ok(await b.kyso([...sign(clerk, atClerk!.id, 'org', 'KYSO-ORG'), '--json'], { PIN: hsm.tokens.ORG.pin })).json();
    expect(issued).toMatchObject({ state: 'issued' });
    const out = join(work, 'issued.pdf');
    b.ok(await b.kyso(['--data', clerk.data, 'doc', 'export', atClerk!.id, '-o', out]));
    const nss = makeNssDb(join(work, 'nss'), [pki.root.certPem]);
    expectJudgedValid(out, nss, [pki.drafter.names.commonName, pki.leader.names.commonName, pki.org.names.commonName]);
  });
});
