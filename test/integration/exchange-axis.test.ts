// The axis / LGSP client against the stand-in server (test/fixtures/axis-server.ts), written from
// the public notes on the VNPT SDKVXP: the real axis cannot be reached from here. Send, list, get,
// update status, agency list import, and the answers that are errors (bad HMAC, unknown system,
// stale timestamp, unknown document, 5xx, nobody listening) as our error codes.
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { axisTimestamp, parseAxisTimestamp, signedHeaders, AxisTransport } from '../../src/main/exchange/transport-axis.js';
import { axisTransportFromConfig } from '../../src/main/exchange/config-axis.js';
import type { OutgoingPackage } from '../../src/main/exchange/transport.js';
import { KysoError } from '../../src/shared/errors.js';
import { startAxisServer, type AxisServer, type AxisSystem } from '../fixtures/axis-server.js';
import { makeTempDir, removeTempDir } from '../fixtures/tmp.js';

const SYT: AxisSystem = { systemId: 'SYT-QN', secret: 'bí-mật-sở-y-tế', organId: '000.00.22.H47', name: 'Sở Y tế tỉnh Quảng Ninh' };
const STC: AxisSystem = { systemId: 'STC-QN', secret: 'so-tai-chinh-secret', organId: '000.00.21.H47', name: 'Sở Tài chính tỉnh Quảng Ninh' };

let server: AxisServer;
let work: string;

function client(system: AxisSystem, extra: Partial<ConstructorParameters<typeof AxisTransport>[0]> = {}): AxisTransport {
  return new AxisTransport({ url: server.url, systemId: system.systemId, secret: system.secret, receiveDir: join(work, 'in', system.systemId), timeoutMs: 5000, ...extra });
}

let seq = 0;
function makePackage(toOrganId: string, documentId: string): OutgoingPackage {
  seq += 1;
  const path = join(work, `out-${seq}.edxml`);
  const bytes = Buffer.from(
    `<?xml version="1.0" encoding="UTF-8"?>\n<edXML:edXMLEnvelope xmlns:edXML="http://www.mic.gov.vn/TBT/QCVN_102_2016"><edXML:edXMLHeader><edXML:MessageHeader>` +
      `<edXML:From><edXML:OrganId>${SYT.organId}</edXML:OrganId></edXML:From><edXML:To><edXML:OrganId>${toOrganId}</edXML:OrganId></edXML:To>` +
      `<edXML:DocumentId>${documentId}</edXML:DocumentId></edXML:MessageHeader></edXML:edXMLHeader></edXML:edXMLEnvelope>\n`,
    'utf8',
  );
  writeFileSync(path, bytes);
  return { queueId: seq, organId: toOrganId, address: 'axis', fileName: `${SYT.organId}_20261203_${seq}-QĐ-SYT.edxml`, path, sha256: createHash('sha256').update(bytes).digest('hex'), subject: documentId };
}

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'resolved';
  } catch (e) {
    return e instanceof KysoError ? e.code : `not a KysoError: ${String(e)}`;
  }
}

beforeAll(async () => {
  work = makeTempDir('exchange-axis');
  server = await startAxisServer({
    systems: [SYT, STC],
    agencies: [
      { code: SYT.organId, name: SYT.name, pcode: '000.00.00.H47', mail: 'syt@quangninh.gov.vn' },
      { code: STC.organId, name: STC.name, pcode: '000.00.00.H47' },
      { code: '000.00.00.G22', name: 'Bộ Y tế' },
      { name: 'an entry without a code is skipped' },
    ],
  });
});

afterAll(async () => {
  await server?.stop();
  if (work) removeTempDir(work);
});

describe('the SDKVXP headers', () => {
  test('the timestamp is ddMMyyyy\'T\'HHmmss+SSSS in Vietnam time and reads back', () => {
    const t = new Date('2026-12-03T14:53:07.042Z');
    expect(axisTimestamp(t)).toBe('03122026T215307+0042');
    expect(parseAxisTimestamp('03122026T215307+0042')?.toISOString()).toBe(t.toISOString());
    expect(parseAxisTimestamp('2026-12-03')).toBeNull();
  });

  test('systemid and timestamp are sent plain and as XroadVnpt-*, signed by an HMAC-SHA256 of their JSON', () => {
    const h = signedHeaders('SYT-QN', 'k', new Date('2026-12-03T00:00:00.000Z'));
    expect(h).toMatchObject({ systemid: 'SYT-QN', 'XroadVnpt-systemid': 'SYT-QN', timestamp: '03122026T070000+0000', 'XroadVnpt-sign-header-key': 'systemid;timestamp' });
    expect(JSON.parse(h['XroadVnpt-sign-header']!)).toEqual({ systemid: 'SYT-QN', timestamp: '03122026T070000+0000' });
    expect(h['XroadVnpt-hash-header']).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('axis client against the stand-in axis', () => {
  test('send, list, get, update status: a package goes from one agency to the other and is gone once acknowledged', async () => {
    const syt = client(SYT);
    const stc = client(STC);
    const pkg = makePackage(STC.organId, `${SYT.organId},2026/12/03,15/QĐ-SYT`);
    const sent = await syt.send(pkg);
    expect(sent.remoteId).toMatch(/^[0-9a-f-]{36}$/);
    expect((await syt.listSent()).map((d) => d.docId)).toContain(sent.remoteId);

    const listed = await stc.listReceived();
    expect(listed).toHaveLength(1);
    expect(listed[0]).toMatchObject({ docId: sent.remoteId, from: SYT.organId, fileName: pkg.fileName });

    const got = await stc.receive();
    expect(got).toHaveLength(1);
    expect(got[0]).toMatchObject({ transportId: sent.remoteId, fileName: pkg.fileName, from: SYT.organId });
    expect(readFileSync(got[0]!.path)).toEqual(readFileSync(pkg.path));

    // Not acknowledged: it is still there for the next receive (another process, the same package).
    expect((await client(STC).receive()).map((p) => p.transportId)).toEqual([sent.remoteId]);

    await stc.updateStatus(sent.remoteId!, 'processing');
    expect(server.docs().find((d) => d.docId === sent.remoteId)?.status).toBe('processing');
    await stc.acknowledge(got[0]!);
    expect(server.docs().find((d) => d.docId === sent.remoteId)?.status).toBe('done');
    expect(await stc.receive()).toEqual([]);
    // The sender receives nothing of its own.
    expect(await syt.receive()).toEqual([]);
  });

  test('receive honours its limit', async () => {
    const syt = client(SYT);
    for (let i = 0; i < 3; i++) await syt.send(makePackage(STC.organId, `${SYT.organId},2026/12/03,${30 + i}/QĐ-SYT`));
    const stc = client(STC);
    const two = await stc.receive(2);
    expect(two).toHaveLength(2);
    for (const p of two) await stc.acknowledge(p);
    const rest = await stc.receive(10);
    expect(rest).toHaveLength(1);
    await stc.acknowledge(rest[0]!);
  });

  test('a document the axis cannot hand over does not hold back the others; it comes next time', async () => {
    const syt = client(SYT);
    for (let i = 0; i < 3; i++) await syt.send(makePackage(STC.organId, `${SYT.organId},2026/12/03,${50 + i}/QĐ-SYT`));
    const stc = client(STC);
    server.failNext(1, 500, 'getEdoc');
    const first = await stc.receive();
    expect(first).toHaveLength(2);
    for (const p of first) await stc.acknowledge(p);
    const second = await stc.receive();
    expect(second).toHaveLength(1);
    await stc.acknowledge(second[0]!);
    // When nothing comes through, the error is reported.
    await syt.send(makePackage(STC.organId, `${SYT.organId},2026/12/03,53/QĐ-SYT`));
    server.failNext(1, 503, 'getEdoc');
    expect(await codeOf(stc.receive())).toBe('EXCHANGE_UNREACHABLE');
    for (const p of await stc.receive()) await stc.acknowledge(p);
  });

  test('agency list import: organId and name of every agency the axis lists', async () => {
    const agencies = await client(STC).listAgencies();
    expect(agencies).toEqual([
      { organId: SYT.organId, name: SYT.name, parentId: '000.00.00.H47', email: 'syt@quangninh.gov.vn', phone: undefined, address: undefined },
      { organId: STC.organId, name: STC.name, parentId: '000.00.00.H47', email: undefined, phone: undefined, address: undefined },
      { organId: '000.00.00.G22', name: 'Bộ Y tế', parentId: undefined, email: undefined, phone: undefined, address: undefined },
    ]);
  });

  test('a wrong secret, an unknown system or a stale timestamp is refused by the axis: EXCHANGE_AUTH', async () => {
    const before = server.log.length;
    const stored = server.docs().length;
    expect(await codeOf(client({ ...SYT, secret: 'sai' }).listReceived())).toBe('EXCHANGE_AUTH');
    expect(await codeOf(client({ ...SYT, systemId: 'KHONG-CO' }).send(makePackage(STC.organId, 'x')))).toBe('EXCHANGE_AUTH');
    expect(await codeOf(client(SYT, { now: () => new Date(Date.now() - 3600_000) }).listAgencies())).toBe('EXCHANGE_AUTH');
    expect(server.log.slice(before).map((l) => l.status)).toEqual([401, 401, 401]);
    // Nothing was stored from the refused send.
    expect(server.docs()).toHaveLength(stored);
  });

  test('an unknown document, a hash that does not match, a package with no recipient: EXCHANGE_REFUSED', async () => {
    const stc = client(STC);
    expect(await codeOf(stc.getEdoc('no-such-doc', join(work, 'nothing.edxml')))).toBe('EXCHANGE_REFUSED');
    expect(await codeOf(stc.updateStatus('no-such-doc', 'done'))).toBe('EXCHANGE_REFUSED');
    const pkg = makePackage(SYT.organId, 'y');
    expect(await codeOf(stc.send({ ...pkg, sha256: '0'.repeat(64) }))).toBe('EXCHANGE_REFUSED');
    const lonely = join(work, 'lonely.edxml');
    writeFileSync(lonely, '<edXMLEnvelope/>');
    expect(await codeOf(stc.send({ ...pkg, path: lonely, sha256: createHash('sha256').update('<edXMLEnvelope/>').digest('hex') }))).toBe('EXCHANGE_REFUSED');
  });

  test('a 5xx answer or nobody listening: EXCHANGE_UNREACHABLE (retry later); the next try goes through', async () => {
    const syt = client(SYT);
    server.failNext(1, 503);
    expect(await codeOf(syt.send(makePackage(STC.organId, 'z')))).toBe('EXCHANGE_UNREACHABLE');
    server.failNext(1, 500);
    expect(await codeOf(client(STC).receive())).toBe('EXCHANGE_UNREACHABLE');
    const ok = await syt.send(makePackage(STC.organId, 'z'));
    expect(ok.remoteId).toBeTruthy();
    const stc = client(STC);
    for (const p of await stc.receive()) await stc.acknowledge(p);

    const down = new AxisTransport({ url: 'http://127.0.0.1:1/vxp', systemId: SYT.systemId, secret: SYT.secret, receiveDir: work, timeoutMs: 2000 });
    expect(await codeOf(down.receive())).toBe('EXCHANGE_UNREACHABLE');
  });

  test('the transport is built from a plain config object, the secret from the environment variable it names', async () => {
    const t = axisTransportFromConfig({ url: server.url, systemId: STC.systemId, secretEnv: 'KYSO_TEST_AXIS_SECRET' }, { env: { KYSO_TEST_AXIS_SECRET: STC.secret }, receiveDir: join(work, 'cfg') });
    expect(await t.receive()).toEqual([]);
    expect(() => axisTransportFromConfig({ url: server.url, systemId: 'x', secretEnv: 'KYSO_UNSET_SECRET' }, { env: {}, receiveDir: work })).toThrow(/KYSO_UNSET_SECRET/);
    expect(() => axisTransportFromConfig({ url: 'ftp://x', systemId: 'x', secretEnv: 'S' }, { env: { S: 's' }, receiveDir: work })).toThrow(KysoError);
  });
});
