// The stand-in document-management system (QLVB) of the signing service's browser tests: its page
// (the plugin's calling pattern, written from the protocol: one socket per call, the request sent on
// open, the one answer taken, the service closes), its files, and its upload handler (multipart
// field uploadfile with the page's session; /upload-expired answers as a DMS whose session ended).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  name: string;
  bytes: Buffer;
  sessionId: string | null;
  jwtField: string | null;
  authorization: string | undefined;
}

export class Dms {
  readonly files = new Map<string, Buffer>();
  readonly received: Received[] = [];
  server!: Server;
  origin = '';
  /** The service's port, written into the page. */
  servicePort = 0;

  async start(): Promise<void> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.origin = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.origin);
    if (req.method === 'GET' && url.pathname === '/') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      return void res.end(pageHtml(this.servicePort));
    }
    if (req.method === 'GET' && url.pathname.startsWith('/files/')) {
      const f = this.files.get(decodeURIComponent(url.pathname.slice(7)));
      if (!f) return void res.writeHead(404).end();
      res.writeHead(200, { 'content-type': 'application/pdf', 'content-length': f.length });
      return void res.end(f);
    }
    if (req.method === 'POST' && url.pathname === '/upload-expired') {
      for await (const _ of req) void _;
      res.writeHead(200, { 'content-type': 'application/json' });
      return void res.end(JSON.stringify({ Status: false, Message: 'Phiên làm việc đã hết hạn', FileName: '', FileServer: '' }));
    }
    if (req.method === 'POST' && url.pathname === '/upload') {
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      const form = await new Response(Buffer.concat(chunks), { headers: { 'content-type': req.headers['content-type'] ?? '' } }).formData();
      const file = form.get('uploadfile');
      if (!(file instanceof Blob)) {
        res.writeHead(200, { 'content-type': 'application/json' });
        return void res.end(JSON.stringify({ Status: false, Message: 'Thiếu tệp uploadfile', FileName: '', FileServer: '' }));
      }
      const name = `signed-${this.received.length + 1}.pdf`;
      const bytes = Buffer.from(await file.arrayBuffer());
      this.files.set(name, bytes);
      this.received.push({ name, bytes, sessionId: form.get('SessionId') as string | null, jwtField: form.get('JWTToken') as string | null, authorization: req.headers.authorization });
      res.writeHead(200, { 'content-type': 'application/json' });
      return void res.end(JSON.stringify({ Status: true, Message: 'Đã lưu', FileName: `/files/${name}`, FileServer: `qlvb-test:${name}` }));
    }
    res.writeHead(404).end();
  }

  stop(): Promise<void> {
    return new Promise((r) => this.server.close(() => r()));
  }
}

/**
 * The page of the DMS: the calling pattern of the plugin, written from the protocol — one socket per
 * call, send the request on open, take the one answer, the service closes.
 */
export function pageHtml(servicePort: number): string {
  return `<!doctype html><html><head><meta charset="utf-8"><title>QLVB</title></head><body>
<h1>Quản lý văn bản (thử nghiệm)</h1>
<script>
window.signService = function (fn, request) {
  return new Promise(function (resolve, reject) {
    var answered = false;
    var ws = new WebSocket('wss://127.0.0.1:${servicePort}/' + fn);
    ws.onopen = function () { ws.send(JSON.stringify(request)); };
    ws.onmessage = function (e) { answered = true; resolve(JSON.parse(e.data)); };
    ws.onerror = function () { if (!answered) reject(new Error('no connection to the signing service')); };
    ws.onclose = function (e) { if (!answered) reject(new Error('closed ' + e.code)); };
  });
};
</script></body></html>`;
}
