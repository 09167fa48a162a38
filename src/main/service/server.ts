// The loopback signing service: https on 127.0.0.1 with Kyso's local CA, WebSockets (the `ws`
// library) at /<Function>. A socket is accepted only from an allowed origin and with a loopback
// Host header (a DNS-rebinding page gets nothing); it receives one JSON text frame, answers one,
// and closes. Signing calls run one at a time: each one waits for the user in Kyso's window.
import { createServer, type Server } from 'node:https';
import type { IncomingMessage } from 'node:http';
import { WebSocketServer, type WebSocket } from 'ws';
import { KysoError, toKysoError, type ErrorCode } from '../../shared/errors.js';
import type { OriginPolicy } from './origins.js';
import { errorResponse, isPdfFunction, isServiceFunction, okResponse, type ServiceResponse } from './protocol.js';
import { runPdfFunction, type PdfServiceContext } from './pdf-functions.js';

export const DEFAULT_SERVICE_PORT = 8987;
export const SERVICE_VERSION = '0.1.0';
/** The largest request frame (requests carry addresses and metadata, never files). */
const MAX_FRAME = 1024 * 1024;
/** How long an open socket may wait for its request. */
const REQUEST_WAIT_MS = 30_000;

export interface ServiceOptions extends PdfServiceContext {
  port: number;
  tls: { cert: string; key: string };
  policy: OriginPolicy;
  /** GetCertInfo: the certificate of the token in use, without the PIN. */
  certInfo?: () => Promise<Record<string, unknown>>;
}

export interface RunningService {
  port: number;
  server: Server;
  close(): Promise<void>;
}

function loopbackHost(host: string | undefined, port: number): boolean {
  if (!host) return false;
  return [`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`].includes(host.toLowerCase());
}

function functionOf(req: IncomingMessage): string {
  const path = new URL(req.url ?? '/', 'https://127.0.0.1').pathname;
  return decodeURIComponent(path.replace(/^\/+|\/+$/g, ''));
}

/** The request frame: JSON; some callers send a JSON string holding JSON. */
function parseFrame(data: Buffer): unknown {
  let v: unknown = JSON.parse(data.toString('utf8'));
  if (typeof v === 'string') v = JSON.parse(v);
  return v;
}

export function startService(o: ServiceOptions): Promise<RunningService> {
  const server = createServer({ cert: o.tls.cert, key: o.tls.key, minVersion: 'TLSv1.2' }, (req, res) => {
    // Plain https: only a liveness answer (the page may probe the port before it opens a socket).
    res.writeHead(req.url === '/' ? 200 : 404, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' });
    res.end(req.url === '/' ? `Kyso ${SERVICE_VERSION}\n` : '');
  });
  let port = o.port;
  const wss = new WebSocketServer({
    server,
    maxPayload: MAX_FRAME,
    verifyClient: (info, done) => {
      const origin = info.origin;
      if (!loopbackHost(info.req.headers.host, port)) return done(false, 421, 'Misdirected Request');
      if (!isServiceFunction(functionOf(info.req))) return done(false, 404, 'Not Found');
      // The app asks the user about a new origin once the request is in, and a refusal is answered
      // as data (Status ≠ 0, a Vietnamese message); the CLI, which cannot ask, gives no socket.
      if (o.policy.asks) return done(!!origin && origin !== 'null', 403, 'Forbidden');
      o.policy
        .admit(origin)
        .then((ok) => {
          if (!ok) o.log(`từ chối | refused: origin ${origin ?? '(none)'} is not allowed`);
          done(ok, ok ? undefined : 403, ok ? undefined : 'Forbidden');
        })
        .catch(() => done(false, 403, 'Forbidden'));
    },
  });
  let queue: Promise<unknown> = Promise.resolve();
  const serial = <T>(fn: () => Promise<T>): Promise<T> => {
    const p = queue.then(fn, fn);
    queue = p.catch(() => undefined);
    return p;
  };

  wss.on('connection', (ws: WebSocket, req: IncomingMessage) => {
    const fn = functionOf(req);
    const origin = String(req.headers.origin);
    const timer = setTimeout(() => ws.close(1008, 'no request'), REQUEST_WAIT_MS);
    ws.once('message', (data, isBinary) => {
      clearTimeout(timer);
      const answer = (r: ServiceResponse): void => {
        if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(r), () => ws.close(1000));
      };
      let body: unknown;
      try {
        if (isBinary) throw new KysoError('SERVICE_REQUEST_INVALID', { reason: 'a binary frame' });
        body = parseFrame(data as Buffer);
      } catch (e) {
        const err = e instanceof KysoError ? e : new KysoError('SERVICE_REQUEST_INVALID', { reason: 'the request is not JSON' });
        return answer(errorResponse(err.code, err.details));
      }
      handle(fn, body, origin)
        .then(answer)
        .catch((e) => {
          const err = toKysoError(e);
          answer(errorResponse(err.code as ErrorCode, err.details));
        });
    });
    ws.on('error', () => ws.terminate());
  });

  const handle = async (fn: string, body: unknown, origin: string): Promise<ServiceResponse> => {
    o.log(`${fn} ← ${origin}`);
    if (o.policy.asks && !(await o.policy.admit(origin))) {
      o.log(`từ chối | refused: origin ${origin} is not allowed`);
      throw new KysoError('SERVICE_ORIGIN_NOT_ALLOWED', { origin });
    }
    if (fn === 'GetVersion') return okResponse({ Message: `Kyso ${SERVICE_VERSION}`, Version: SERVICE_VERSION, Product: 'Kyso' });
    if (fn === 'Config') return okResponse({ Message: 'Kyso đang chạy | Kyso is running' });
    if (fn === 'GetCertInfo') {
      if (!o.certInfo) throw new KysoError('SERVICE_FUNCTION_UNSUPPORTED', { function: fn });
      return okResponse({ Message: 'Thành công', ...(await serial(o.certInfo)) });
    }
    if (isPdfFunction(fn)) return serial(() => runPdfFunction(fn, body, origin, o));
    throw new KysoError('SERVICE_FUNCTION_UNSUPPORTED', { function: fn });
  };

  return new Promise((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) => reject(e.code === 'EADDRINUSE' ? new KysoError('SERVICE_PORT_IN_USE', { port: o.port }) : e));
    server.listen(o.port, '127.0.0.1', () => {
      const a = server.address();
      port = typeof a === 'object' && a ? a.port : o.port;
      resolve({
        port,
        server,
        close: () =>
          new Promise<void>((done) => {
            for (const c of wss.clients) c.terminate();
            wss.close();
            server.close(() => done());
          }),
      });
    });
  });
}
