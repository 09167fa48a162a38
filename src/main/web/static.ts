// The renderer's built files as both shells serve them (the web server over HTTP, the Electron
// shell over its kyso:// scheme): which file a URL path names, confined to the renderer folder,
// and the type it is sent with.
import { extname, join, normalize, sep } from 'node:path';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.map': 'application/json',
};

/** The Content-Type of a served file. */
export function contentType(file: string): string {
  return TYPES[extname(file)] ?? 'application/octet-stream';
}

/**
 * The file under dir that a URL path ("/" is index.html) names, or null when the path is not
 * valid percent-encoding or leads outside dir ("..", encoded separators).
 */
export function staticFile(dir: string, pathname: string): string | null {
  let rel: string;
  try {
    rel = decodeURIComponent(pathname === '/' ? '/index.html' : pathname);
  } catch {
    return null;
  }
  const root = normalize(dir);
  const file = normalize(join(root, rel));
  return file.startsWith(root + sep) ? file : null;
}
