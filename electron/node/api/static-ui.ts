// Serves the built renderer (dist/renderer) on the API port, so a browser opens the same UI
// as the Electron window. Static files only, no token needed for them (they hold no data;
// the UI reads the token from the URL fragment the node printed). Paths are confined to the
// folder; anything else falls back to index.html (the UI routes by hash).
import { readFile, stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json; charset=utf-8',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

/** The renderer's content security policy: scripts only from the app itself, no eval, no frames. */
export function contentSecurityPolicy(connect: string[] = []): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    `connect-src 'self' ${connect.join(' ')}`.trim(),
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

export function staticUi(root: string) {
  // no trailing separator (defaultUiDir() ends with one), or every asset fails the confinement check below
  const base = normalize(root).replace(/(.)[\\/]+$/, '$1');
  return async function serve(request: IncomingMessage, response: ServerResponse): Promise<boolean> {
    if (request.method !== 'GET' && request.method !== 'HEAD') return false;
    let pathname: string;
    try {
      pathname = decodeURIComponent(new URL(request.url ?? '/', 'http://localhost').pathname);
    } catch {
      return false;
    }
    let file = normalize(join(base, pathname));
    if (file !== base && !file.startsWith(base + sep)) return false;
    let info = await stat(file).catch(() => undefined);
    if (!info?.isFile()) {
      if (extname(pathname) !== '') return false; // a missing asset is a 404, not the app
      file = join(base, 'index.html');
      info = await stat(file).catch(() => undefined);
      if (!info?.isFile()) return false;
    }
    const body = await readFile(file);
    const host = request.headers.host ?? '127.0.0.1';
    response.writeHead(200, {
      'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
      'content-length': body.length,
      'content-security-policy': contentSecurityPolicy([`ws://${host}`]),
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
      'cache-control': file.endsWith('index.html') ? 'no-cache' : 'public, max-age=31536000, immutable',
    });
    response.end(request.method === 'HEAD' ? undefined : body);
    return true;
  };
}
