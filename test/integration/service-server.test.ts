// Issue 16, the service's socket rules without a browser or a token: TLS from the local CA, the
// origin and Host checks (a page of another origin, or a DNS-rebinding name, gets no socket), one
// frame each way, malformed frames, unknown functions, a cancel in Kyso's window (Status 11) and
// a source file over the size limit — with the `ws` client, trusting only the local CA.
import { createHash } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ensureServiceTls, type ServiceTls } from '../../src/main/service/local-ca.js';
import { OriginPolicy } from '../../src/main/service/origins.js';
import type { SigningPrompt } from '../../src/main/service/pdf-functions.js';
import { startService, type RunningService } from '../../src/main/service/server.js';
import { makeTempDir, removeTempDir } from '../fixtures/tmp.js';

const PAGE = 'http://127.0.0.1:5555';
let work: string;
let tls: ServiceTls;
let svc: RunningService;
let files: Server;
let filesOrigin: string;
const prompts: SigningPrompt[] = [];
const logged: string[] = [];

beforeAll(async () => {
  work = makeTempDir('service-server');
  tls = await ensureServiceTls(join(work, 'service'));
  files = createServer((req, res) => {
    if (req.url === '/small.pdf') return void res.end(Buffer.from('%PDF-1.4\n% small\n'));
    if (req.url === '/big.pdf') return void res.end(Buffer.concat([Buffer.from('%PDF-1.4\n'), Buffer.alloc(64 * 1024)]));
    res.writeHead(404).end();
  });
  await new Promise<void>((r) => files.listen(0, '127.0.0.1', r));
  filesOrigin = `http://127.0.0.1:${(files.address() as AddressInfo).port}`;
  svc = await startService({
    port: 0,
    tls,
    policy: new OriginPolicy({ origins: [PAGE] }),
    confirm: async (p) => {
      prompts.push(p);
      return 'cancel';
    },
    openSigner: () => {
      throw new Error('no token in this test');
    },
    images: {},
    person: {},
    trust: { trust: { anchors: [] }, extraCerts: [], crls: [], online: false },
    workDir: join(work, 'calls'),
    limits: { maxBytes: 32 * 1024, timeoutMs: 5000 },
    log: (l) => logged.push(l),
  });
});

afterAll(async () => {
  await svc?.close();
  await new Promise<void>((r) => files.close(() => r()));
  removeTempDir(work);
});

interface Outcome {
  answer?: Record<string, unknown>;
  refused?: number;
}

function call(fn: string, frame: string | Buffer | undefined, o: { origin?: string; host?: string } = {}): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`wss://127.0.0.1:${svc.port}/${fn}`, {
      ca: tls.caPem,
      origin: o.origin ?? PAGE,
      headers: o.host ? { host: o.host } : undefined,
    });
    ws.on('unexpected-response', (_req, res) => resolve({ refused: res.statusCode }));
    ws.on('open', () => {
      if (frame !== undefined) ws.send(frame);
    });
    ws.on('message', (data) => resolve({ answer: JSON.parse(String(data)) as Record<string, unknown> }));
    ws.on('error', (e) => reject(e));
  });
}

describe('the service socket', () => {
  test('Config over TLS from the local CA, from an allowed origin', async () => {
    const r = await call('Config', '{}');
    expect(r.answer).toMatchObject({ Status: 0 });
  });

  test('another origin, no origin, a DNS-rebinding Host and an unknown path get no socket', async () => {
    expect(await call('Config', '{}', { origin: 'https://evil.example' })).toEqual({ refused: 403 });
    expect(await call('Config', '{}', { origin: 'null' })).toEqual({ refused: 403 });
    expect(await call('Config', '{}', { host: `attacker.example:${svc.port}` })).toEqual({ refused: 421 });
    expect(await call('DeleteEverything', '{}')).toEqual({ refused: 404 });
    expect(logged.some((l) => l.includes('origin https://evil.example is not allowed'))).toBe(true);
  });

  test('a frame that is not JSON, a binary frame and a function Kyso lacks: Status ≠ 0 in Vietnamese', async () => {
    expect((await call('SignApproved', 'not json')).answer).toMatchObject({ Status: 2, ErrorCode: 'SERVICE_REQUEST_INVALID' });
    expect((await call('SignApproved', Buffer.from([1, 2, 3]))).answer).toMatchObject({ Status: 2, ErrorCode: 'SERVICE_REQUEST_INVALID' });
    // A data function reads its own frame: a request without its data is refused in Vietnamese.
    const x = (await call('SignXML', '{}')).answer!;
    expect(x).toMatchObject({ Status: 2, ErrorCode: 'SERVICE_REQUEST_INVALID' });
    expect(String(x.Message)).toMatch(/Yêu cầu ký gửi đến không hợp lệ/);
    // A request given as a JSON string holding JSON, as some callers send it.
    expect((await call('Config', JSON.stringify(JSON.stringify({})))).answer).toMatchObject({ Status: 0 });
  });

  test('the user cancels in Kyso: Status 11, after being shown the origin, the function and the file', async () => {
    const r = (await call('SignApproved', JSON.stringify({ FileName: `${filesOrigin}/small.pdf`, FileUploadHandler: `${filesOrigin}/upload` }))).answer!;
    expect(r).toMatchObject({ Status: 11, ErrorCode: 'SERVICE_CANCELLED' });
    expect(prompts.at(-1)).toMatchObject({ origin: PAGE, function: 'SignApproved', fileName: 'small.pdf' });
  });

  test('a data function asks the same way: the window gets the function and what is signed; cancelled, Status 11', async () => {
    const message = Buffer.from('Biên bản họp', 'utf8');
    const r = (await call('SignMsg', JSON.stringify({ Base64Content: message.toString('base64') }))).answer!;
    expect(r).toMatchObject({ Status: 11, ErrorCode: 'SERVICE_CANCELLED' });
    expect(prompts.at(-1)).toMatchObject({ origin: PAGE, function: 'SignMsg', data: { kind: 'message', bytes: message.length, sha256: createHash('sha256').update(message).digest('hex'), preview: 'Biên bản họp' } });
    // Nothing of the page's data stays behind.
    expect(readdirSync(join(work, 'calls'))).toEqual([]);
  });

  test('a source file over the size limit is not taken (Status 5), nor one without a name in the request (no file chooser here)', async () => {
    const big = (await call('SignApproved', JSON.stringify({ FileName: `${filesOrigin}/big.pdf` }))).answer!;
    expect(big).toMatchObject({ Status: 5, ErrorCode: 'SERVICE_FETCH_TOO_LARGE' });
    const none = (await call('SignApproved', JSON.stringify({ FileName: '' }))).answer!;
    expect(none).toMatchObject({ Status: 5, ErrorCode: 'SERVICE_NO_FILE_UNATTENDED' });
  });
});
