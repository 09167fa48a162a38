// Issue 11 part 2: files cross HTTP by reference. The web server of `npm run web`, in this process
// over a real data folder: PUT /files streams raw bytes to an upload named by their SHA-256 (key
// and origin checked as for API calls), calls name files by that SHA-256, GET /files/<sha256>
// serves stored files with HTTP ranges (206, 416). What goes wrong leaves nothing: an upload cut
// off midway, and one that fills the disk (a real 1 MiB tmpfs) with its own error code. A large file
// may come in blocks over several connections (POST /files/parts, PUT …/<id>?offset=N, POST …/end):
// the same answer, the same checks, and a block cut off or refused leaves nothing either.
import { spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { DocumentSummary, Result } from '../../src/shared/contract.js';
import { createApp, type Services } from '../../src/main/api/services.js';
import { startWebServer, type WebServer } from '../../src/main/web/server.js';
import { makeNd30Pdf } from '../fixtures/nd30.js';
import { makeTempDir, removeTempDir, repoRoot } from '../fixtures/tmp.js';

const staticDir = join(repoRoot(), 'dist', 'renderer');

interface Running {
  data: string;
  server: WebServer;
  services: Services;
}

async function start(data: string): Promise<Running> {
  const { dispatch, services } = createApp({ dataDir: data, transport: 'web', version: 'test' });
  const server = await startWebServer({ dispatch, staticDir, files: services.files });
  return { data, server, services };
}

async function stop(r: Running | undefined): Promise<void> {
  if (!r) return;
  await r.server.close();
  r.services.close();
}

/** Every file under a folder, recursively (what an upload may have left behind). */
function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name));
}

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

let work: string;
let app: Running;
let pdf: Buffer;

const put = (body: Buffer | undefined, headers: Record<string, string> = { 'X-Kyso-Key': app.server.key }) =>
  fetch(`${app.server.origin}/files`, { method: 'PUT', headers: { 'Content-Type': 'application/octet-stream', ...headers }, body });
const get = (path: string, headers: Record<string, string> = { 'X-Kyso-Key': app.server.key }) => fetch(`${app.server.origin}${path}`, { headers });
const callApi = async <T>(name: string, input: unknown): Promise<Result<T>> =>
  (await (
    await fetch(`${app.server.origin}/api/${name}`, { method: 'POST', headers: { 'Content-Type': 'application/json', 'X-Kyso-Key': app.server.key }, body: JSON.stringify(input) })
  ).json()) as Result<T>;

beforeAll(async () => {
  if (!existsSync(join(staticDir, 'index.html'))) throw new Error(`${staticDir} is missing: run npm run setup`);
  work = makeTempDir('web-files');
  app = await start(join(work, 'data'));
  pdf = await makeNd30Pdf();
});

afterAll(async () => {
  await stop(app);
  if (work) removeTempDir(work);
});

describe('PUT /files', () => {
  test('streams the raw bytes to an upload and answers their SHA-256 and size', async () => {
    const bytes = randomBytes(3 * 1024 * 1024 + 17);
    const r = await put(bytes);
    expect(r.status).toBe(200);
    expect(await r.json()).toEqual({ ok: true, value: { sha256: sha(bytes), size: bytes.length } });
    expect(filesUnder(join(app.data, 'uploads')).map((p) => p.split('/').pop())).toEqual([sha(bytes)]);
  });

  test('needs this launch\'s key in its header (not a cookie), from our origin and host', async () => {
    const before = filesUnder(join(app.data, 'uploads')).length;
    const body = Buffer.from('%PDF-1.4 not for you');
    expect((await put(body, {})).status).toBe(403);
    expect((await put(body, { 'X-Kyso-Key': 'wrong' })).status).toBe(403);
    expect((await put(body, { Cookie: `kyso_key_${app.server.port}=${app.server.key}` })).status).toBe(403);
    const foreign = await put(body, { 'X-Kyso-Key': app.server.key, Origin: 'http://evil.example' });
    expect(foreign.status).toBe(403);
    expect(await foreign.json()).toMatchObject({ ok: false, error: { code: 'API_FORBIDDEN' } });
    expect((await fetch(`${app.server.origin}/files`, { method: 'POST', headers: { 'X-Kyso-Key': app.server.key }, body })).status).toBe(405);
    expect(filesUnder(join(app.data, 'uploads'))).toHaveLength(before);
  });

  test('an upload cut off midway leaves no file and no row', async () => {
    const before = filesUnder(app.data).filter((p) => !p.includes('kyso.db'));
    // A client that announces 8 MiB, sends 1 MiB and goes away.
    await new Promise<void>((resolve, reject) => {
      const s = connect(app.server.port, '127.0.0.1', () => {
        s.write(
          `PUT /files HTTP/1.1\r\nHost: 127.0.0.1:${app.server.port}\r\nX-Kyso-Key: ${app.server.key}\r\nContent-Type: application/octet-stream\r\nContent-Length: ${8 * 1024 * 1024}\r\n\r\n`,
        );
        s.write(randomBytes(1024 * 1024), () => setTimeout(() => s.destroy(), 100));
      });
      s.on('close', () => resolve());
      s.on('error', reject);
    });
    // The server notices the close and removes what it wrote.
    await expect.poll(() => filesUnder(join(app.data, 'uploads')).filter((p) => p.includes('.part-')), { timeout: 5000 }).toEqual([]);
    expect(filesUnder(app.data).filter((p) => !p.includes('kyso.db'))).toEqual(before);
    const list = await callApi<DocumentSummary[]>('documents.list', {});
    expect(list).toEqual({ ok: true, value: [] });
    // And it still answers.
    expect((await put(Buffer.from('after'))).status).toBe(200);
  });
});

describe('PUT /files/parts: a file in blocks over several connections', () => {
  const key = () => ({ 'X-Kyso-Key': app.server.key });
  const begin = async (size: number, headers: Record<string, string> = key()) => fetch(`${app.server.origin}/files/parts?size=${size}`, { method: 'POST', headers });
  const id = async (size: number): Promise<string> => {
    const r = (await (await begin(size)).json()) as Result<{ id: string }>;
    if (!r.ok) throw new Error(JSON.stringify(r));
    expect(r.value.id).toMatch(/^[0-9a-f]{32}$/);
    return r.value.id;
  };
  const block = (upload: string, offset: number, body: Buffer, headers: Record<string, string> = key()) =>
    fetch(`${app.server.origin}/files/parts/${upload}?offset=${offset}`, { method: 'PUT', headers: { 'Content-Type': 'application/octet-stream', ...headers }, body });
  const end = (upload: string) => fetch(`${app.server.origin}/files/parts/${upload}/end`, { method: 'POST', headers: key() });
  const leftovers = () => filesUnder(join(app.data, 'uploads')).filter((p) => p.includes('.part-'));

  test('blocks sent out of order and at once make the same file, answered like PUT /files', async () => {
    const bytes = Buffer.concat([pdf, randomBytes(3 * 1024 * 1024 + 17)]);
    const upload = await id(bytes.length);
    const step = 1024 * 1024;
    const offsets = Array.from({ length: Math.ceil(bytes.length / step) }, (_, i) => i * step).reverse();
    const answers = await Promise.all(offsets.map((o) => block(upload, o, bytes.subarray(o, o + step))));
    expect(answers.map((a) => a.status)).toEqual(offsets.map(() => 200));
    const r = await end(upload);
    expect(await r.json()).toEqual({ ok: true, value: { sha256: sha(bytes), size: bytes.length } });
    expect(leftovers()).toEqual([]);
    const got = await get(`/files/${sha(bytes)}`);
    expect(sha(Buffer.from(await got.arrayBuffer()))).toBe(sha(bytes));
    // An ordinary upload now, named by its SHA-256 like any other.
    expect(filesUnder(join(app.data, 'uploads')).map((p) => p.split('/').pop())).toContain(sha(bytes));
  });

  test('needs the key in its header and our origin, at every step', async () => {
    expect((await begin(10, {})).status).toBe(403);
    expect((await begin(10, { 'X-Kyso-Key': 'wrong' })).status).toBe(403);
    expect((await begin(10, { ...key(), Origin: 'http://evil.example' })).status).toBe(403);
    const upload = await id(10);
    expect((await block(upload, 0, Buffer.alloc(10), {})).status).toBe(403);
    expect((await fetch(`${app.server.origin}/files/parts/${upload}/end`, { method: 'POST' })).status).toBe(403);
    expect((await fetch(`${app.server.origin}/files/parts/${upload}`, { method: 'DELETE', headers: key() })).status).toBe(200);
    expect(leftovers()).toEqual([]);
  });

  test('a block cut off midway ends the whole upload: no file, no row, its other blocks refused', async () => {
    const before = filesUnder(app.data).filter((p) => !p.includes('kyso.db'));
    const upload = await id(16 * 1024 * 1024);
    expect((await block(upload, 0, randomBytes(1024 * 1024))).status).toBe(200);
    expect(leftovers()).toHaveLength(1);
    // A connection that announces 8 MiB for the next block, sends 1 MiB and goes away.
    await new Promise<void>((resolve, reject) => {
      const s = connect(app.server.port, '127.0.0.1', () => {
        s.write(
          `PUT /files/parts/${upload}?offset=${1024 * 1024} HTTP/1.1\r\nHost: 127.0.0.1:${app.server.port}\r\nX-Kyso-Key: ${app.server.key}\r\nContent-Length: ${8 * 1024 * 1024}\r\n\r\n`,
        );
        s.write(randomBytes(1024 * 1024), () => setTimeout(() => s.destroy(), 100));
      });
      s.on('close', () => resolve());
      s.on('error', reject);
    });
    await expect.poll(leftovers, { timeout: 5000 }).toEqual([]);
    expect(filesUnder(app.data).filter((p) => !p.includes('kyso.db'))).toEqual(before);
    const next = await block(upload, 9 * 1024 * 1024, randomBytes(1024));
    expect(next.status).toBe(404);
    expect(await next.json()).toMatchObject({ ok: false, error: { code: 'UPLOAD_NOT_FOUND' } });
    expect((await end(upload)).status).toBe(404);
    expect(await callApi<DocumentSummary[]>('documents.list', {})).toEqual({ ok: true, value: [] });
    expect(leftovers()).toEqual([]);
  });

  test('ended before every block has come: UPLOAD_INCOMPLETE (vi and en), nothing kept', async () => {
    const upload = await id(2048);
    expect((await block(upload, 0, randomBytes(1024))).status).toBe(200);
    const r = await end(upload);
    expect(r.status).toBe(400);
    const body = (await r.json()) as Result<never>;
    expect(body).toEqual({ ok: false, error: { code: 'UPLOAD_INCOMPLETE', details: { received: 1024 } } });
    const { renderError } = await import('../../src/shared/errors.js');
    if (body.ok) return;
    expect(renderError(body.error.code, body.error.details, 'vi').message).toMatch(/^Tệp gửi lên bị ngắt giữa chừng \(1024 byte\)/);
    expect(renderError(body.error.code, body.error.details, 'en').message).toMatch(/^The upload was cut off midway \(1024 bytes\)/);
    expect(leftovers()).toEqual([]);
  });

  test('a block over another or outside the file is refused and ends the upload; so is a size beyond the limit', async () => {
    for (const [offset, length] of [
      [512, 1024],
      [1536, 1024],
    ] as const) {
      const upload = await id(2048);
      expect((await block(upload, 0, randomBytes(1024))).status).toBe(200);
      const r = await block(upload, offset, randomBytes(length));
      expect(r.status).toBe(400);
      expect(await r.json()).toMatchObject({ ok: false, error: { code: 'USAGE' } });
      expect(leftovers()).toEqual([]);
      expect((await end(upload)).status).toBe(404);
    }
    expect((await begin(-1)).status).toBe(400);
    expect((await begin(9 * 1024 * 1024 * 1024)).status).toBe(400);
    expect(leftovers()).toEqual([]);
  });
});

describe('calls name files by SHA-256; GET /files/<sha256> serves them with ranges', () => {
  let doc: DocumentSummary;

  test('documents.import takes the upload into the store (the upload is used once)', async () => {
    const up = (await (await put(pdf)).json()) as Result<{ sha256: string; size: number }>;
    if (!up.ok) throw new Error(JSON.stringify(up));
    const r = await callApi<DocumentSummary>('documents.import', { file: { name: 'QĐ ký số.pdf', sha256: up.value.sha256 }, title: 'Quyết định', method: 1, urgency: 'normal' });
    if (!r.ok) throw new Error(JSON.stringify(r));
    doc = r.value;
    expect(doc).toMatchObject({ fileName: 'QĐ ký số.pdf', sha256: sha(pdf), size: pdf.length, state: 'draft' });
    expect(existsSync(join(app.data, 'uploads', up.value.sha256))).toBe(false);
    expect(existsSync(join(app.data, 'files', doc.sha256.slice(0, 2), doc.sha256.slice(2)))).toBe(true);
    const again = await callApi('documents.import', { file: { name: 'x.pdf', sha256: up.value.sha256 }, title: 'x', method: 1, urgency: 'normal' });
    expect(again).toEqual({ ok: false, error: { code: 'UPLOAD_NOT_FOUND', details: { sha256: up.value.sha256 } } });
    // Bytes in a call are not a file: the contract takes only a SHA-256.
    const inline = await callApi('documents.import', { file: { name: 'x.pdf', data: pdf.toString('base64') }, title: 'x', method: 1, urgency: 'normal' });
    expect(inline).toMatchObject({ ok: false, error: { code: 'API_INVALID_INPUT' } });
  });

  test('whole file: 200 with its length, ranges announced', async () => {
    const r = await get(`/files/${doc.sha256}`);
    expect(r.status).toBe(200);
    expect(r.headers.get('accept-ranges')).toBe('bytes');
    expect(r.headers.get('content-type')).toBe('application/pdf');
    expect(Number(r.headers.get('content-length'))).toBe(pdf.length);
    expect(Buffer.from(await r.arrayBuffer()).equals(pdf)).toBe(true);
  });

  test('a range: 206 with the right Content-Range and bytes', async () => {
    const size = pdf.length;
    const cases: Array<[string, number, number]> = [
      ['bytes=0-1023', 0, 1023],
      ['bytes=1000-1999', 1000, 1999],
      [`bytes=${size - 100}-`, size - 100, size - 1],
      ['bytes=-64', size - 64, size - 1],
      [`bytes=10-${size + 5000}`, 10, size - 1],
    ];
    for (const [range, start, end] of cases) {
      const r = await get(`/files/${doc.sha256}`, { 'X-Kyso-Key': app.server.key, Range: range });
      expect(r.status, range).toBe(206);
      expect(r.headers.get('content-range'), range).toBe(`bytes ${start}-${end}/${size}`);
      expect(Number(r.headers.get('content-length')), range).toBe(end - start + 1);
      expect(Buffer.from(await r.arrayBuffer()).equals(pdf.subarray(start, end + 1)), range).toBe(true);
    }
  });

  test('a range outside the file: 416 with bytes */size', async () => {
    for (const range of [`bytes=${pdf.length}-`, `bytes=${pdf.length + 10}-${pdf.length + 20}`, 'bytes=500-100', 'bytes=-0', 'bytes=abc', 'bytes=0-1,5-9']) {
      const r = await get(`/files/${doc.sha256}`, { 'X-Kyso-Key': app.server.key, Range: range });
      expect(r.status, range).toBe(416);
      expect(r.headers.get('content-range'), range).toBe(`bytes */${pdf.length}`);
    }
  });

  test('page-tree: the chunks holding every page object, in one answer', async () => {
    const chunk = 1024;
    const r = await get(`/files/${doc.sha256}/page-tree?chunk=${chunk}`);
    expect(r.status).toBe(200);
    const body = Buffer.from(await r.arrayBuffer());
    expect(Number(r.headers.get('content-length'))).toBe(body.length);
    const count = body.readUInt32BE(0);
    const indexes = Array.from({ length: count }, (_, i) => body.readUInt32BE(4 + 4 * i));
    expect(count).toBeGreaterThan(0);
    expect(indexes).toEqual([...indexes].sort((a, b) => a - b));
    // Each chunk is the file's bytes at its place.
    let at = 4 + 4 * count;
    for (const idx of indexes) {
      const len = Math.min(chunk, pdf.length - idx * chunk);
      expect(body.subarray(at, at + len).equals(pdf.subarray(idx * chunk, idx * chunk + len)), `chunk ${idx}`).toBe(true);
      at += len;
    }
    expect(at).toBe(body.length);
    // Every page object of the file starts in one of them.
    const { PdfReader } = await import('../../src/main/pdf/reader.js');
    const reader = PdfReader.fromBuffer(pdf);
    for (const p of reader.pages()) {
      const e = reader.xref.get(p.ref.num);
      if (e?.type === 'n') expect(indexes).toContain(Math.floor(e.offset / chunk));
    }
    expect((await get(`/files/${doc.sha256}/page-tree`)).status).toBe(400);
    expect((await get(`/files/${doc.sha256}/page-tree?chunk=1024`, {})).status).toBe(403);
  });

  test('Settings\' images go by reference too: sized in settings.get, read at /files/<sha256> as PNG', async () => {
    const { sealPng } = await import('../fixtures/png.js');
    const png = sealPng();
    const up = (await (await put(png)).json()) as Result<{ sha256: string }>;
    if (!up.ok) throw new Error(JSON.stringify(up));
    const s = await callApi<{ images: Array<Record<string, unknown>> }>('settings.setImage', { person: 'KYSO-ORG', kind: 'seal', file: { name: 'seal.png', sha256: up.value.sha256 } });
    if (!s.ok) throw new Error(JSON.stringify(s));
    const image = s.value.images.find((i) => i.person === 'KYSO-ORG')!;
    expect(image).toMatchObject({ kind: 'seal', sha256: sha(png), width: png.readUInt32BE(16), height: png.readUInt32BE(20) });
    expect(JSON.stringify(s.value)).not.toContain('base64');
    const r = await get(`/files/${sha(png)}`);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('image/png');
    expect(Buffer.from(await r.arrayBuffer()).equals(png)).toBe(true);
  });

  test('a download names the file (Vietnamese name kept in UTF-8)', async () => {
    const r = await get(`/files/${doc.sha256}?download=${encodeURIComponent('QĐ ký số.signed.pdf')}`);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-disposition')).toBe(`attachment; filename="QD ky so.signed.pdf"; filename*=UTF-8''${encodeURIComponent('QĐ ký số.signed.pdf')}`);
    await r.arrayBuffer();
  });

  test('reading needs the key (header or the page\'s cookie) and our origin; unknown files are 404', async () => {
    expect((await get(`/files/${doc.sha256}`, {})).status).toBe(403);
    expect((await get(`/files/${doc.sha256}`, { 'X-Kyso-Key': 'wrong' })).status).toBe(403);
    expect((await get(`/files/${doc.sha256}`, { 'X-Kyso-Key': app.server.key, Origin: 'http://evil.example' })).status).toBe(403);
    const withCookie = await get(`/files/${doc.sha256}`, { Cookie: `kyso_key_${app.server.port}=${app.server.key}`, Range: 'bytes=0-4' });
    expect(withCookie.status).toBe(206);
    expect(await withCookie.text()).toBe('%PDF-');
    expect((await get(`/files/${'0'.repeat(64)}`)).status).toBe(404);
    expect((await get('/files/../../kyso.db')).status).toBe(404);
  });
});

describe('a full disk', () => {
  let full: Running | undefined;
  let mountPoint: string | undefined;

  afterAll(async () => {
    await stop(full);
    if (mountPoint) spawnSync('umount', [mountPoint]);
  });

  test('an upload larger than the free space: UPLOAD_DISK_FULL (vi and en), nothing left behind', async () => {
    mountPoint = join(work, 'tiny-disk');
    mkdirSync(mountPoint);
    // A real file system of 1 MiB (tmpfs; needs root, which the build machines are).
    const m = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', mountPoint], { encoding: 'utf8' });
    if (m.status !== 0) {
      mountPoint = undefined;
      throw new Error(`cannot mount a 1 MiB tmpfs for the full-disk test: ${m.stderr}`);
    }
    full = await start(join(mountPoint, 'data'));
    const r = await fetch(`${full.server.origin}/files`, {
      method: 'PUT',
      headers: { 'Content-Type': 'application/octet-stream', 'X-Kyso-Key': full.server.key },
      body: randomBytes(3 * 1024 * 1024),
    });
    expect(r.status).toBe(507);
    const body = (await r.json()) as Result<never>;
    expect(body).toMatchObject({ ok: false, error: { code: 'UPLOAD_DISK_FULL', details: { path: join(mountPoint, 'data', 'uploads') } } });
    const { renderError } = await import('../../src/shared/errors.js');
    if (body.ok) return;
    expect(renderError(body.error.code, body.error.details, 'vi').message).toMatch(/^Ổ đĩa đã đầy/);
    expect(renderError(body.error.code, body.error.details, 'en').message).toMatch(/^The disk is full/);
    expect(filesUnder(join(mountPoint, 'data', 'uploads'))).toEqual([]);
    // The same in blocks: the block that fills the disk ends the upload, nothing kept.
    const begun = (await (await fetch(`${full.server.origin}/files/parts?size=${3 * 1024 * 1024}`, { method: 'POST', headers: { 'X-Kyso-Key': full.server.key } })).json()) as Result<{ id: string }>;
    if (!begun.ok) throw new Error(JSON.stringify(begun));
    const b = await fetch(`${full.server.origin}/files/parts/${begun.value.id}?offset=0`, {
      method: 'PUT',
      headers: { 'Content-Type': 'application/octet-stream', 'X-Kyso-Key': full.server.key },
      body: randomBytes(3 * 1024 * 1024),
    });
    expect(b.status).toBe(507);
    expect(await b.json()).toMatchObject({ ok: false, error: { code: 'UPLOAD_DISK_FULL', details: { path: join(mountPoint, 'data', 'uploads') } } });
    expect(filesUnder(join(mountPoint, 'data', 'uploads'))).toEqual([]);
    // Space is back: a small file goes through.
    const small = Buffer.from('%PDF-1.4 small');
    const ok = await fetch(`${full.server.origin}/files`, { method: 'PUT', headers: { 'X-Kyso-Key': full.server.key }, body: small });
    expect(await ok.json()).toEqual({ ok: true, value: { sha256: sha(small), size: small.length } });
  });
});
