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
  '.webmanifest': 'application/manifest+json; charset=utf-8',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

/**
 * The renderer's content security policy: scripts only from the app itself, no eval, no frames.
 * `wasm`: the page may also compile WebAssembly ('wasm-unsafe-eval', never JS eval): the
 * verification page only, for libsodium's ed25519 (decision #75).
 */
export function contentSecurityPolicy(connect: string[] = [], options: { wasm?: boolean } = {}): string {
  return [
    "default-src 'self'",
    options.wasm ? "script-src 'self' 'wasm-unsafe-eval'" : "script-src 'self'",
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

/** The one page whose policy allows WebAssembly (decision #75); an app route never falls back to it. */
const WASM_PAGE = 'verify.html';

/**
 * The file of the built UI that a URL path names, confined to the folder: an app route (no
 * extension) falls back to index.html, a missing asset is undefined. Shared by the HTTP server
 * and the Electron app:// protocol.
 */
export function uiFiles(
  root: string,
  entryFile = 'index.html',
): (
  encodedPath: string,
) => Promise<{ body: Buffer; contentType: string; entry: boolean; hashed: boolean; wasm: boolean } | undefined> {
  // no trailing separator (defaultUiDir() ends with one), or every asset fails the confinement check below
  const base = normalize(root).replace(/(.)[\\/]+$/, '$1');
  return async (encodedPath) => {
    let pathname: string;
    try {
      pathname = decodeURIComponent(encodedPath);
    } catch {
      return undefined;
    }
    let file = normalize(join(base, pathname));
    if (file !== base && !file.startsWith(base + sep)) return undefined;
    let info = await stat(file).catch(() => undefined);
    if (!info?.isFile()) {
      if (extname(pathname) !== '') return undefined; // a missing asset is a 404, not the app
      file = join(base, entryFile);
      info = await stat(file).catch(() => undefined);
      if (!info?.isFile()) return undefined;
    }
    const body = await readFile(file);
    return {
      body,
      contentType: TYPES[extname(file)] ?? 'application/octet-stream',
      entry: file.endsWith('.html'),
      // vite names what it writes to assets/ by content; the rest (a service worker, a manifest) keeps its name
      hashed: file.startsWith(join(base, 'assets') + sep),
      // the verification page's document, whose policy lets it compile libsodium's WebAssembly
      wasm: file === join(base, WASM_PAGE),
    };
  };
}

/** `entryFile`: what an app route (a path with no extension) serves: the desktop UI, or the voter's page on a gateway. */
export function staticUi(root: string, entryFile = 'index.html') {
  const files = uiFiles(root, entryFile);
  return async function serve(request: IncomingMessage, response: ServerResponse): Promise<boolean> {
    if (request.method !== 'GET' && request.method !== 'HEAD') return false;
    const found = await files(new URL(request.url ?? '/', 'http://localhost').pathname);
    if (!found) return false;
    const host = request.headers.host ?? '127.0.0.1';
    response.writeHead(200, {
      'content-type': found.contentType,
      'content-length': found.body.length,
      'content-security-policy': contentSecurityPolicy([`ws://${host}`], { wasm: found.wasm }),
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
      'cache-control': found.hashed ? 'public, max-age=31536000, immutable' : 'no-cache',
    });
    response.end(request.method === 'HEAD' ? undefined : found.body);
    return true;
  };
}
