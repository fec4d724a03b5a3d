// app://notary/… serves the built renderer (never a dev server), confined to its folder,
// with the same content security policy as the browser UI.
import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { contentSecurityPolicy } from '../node/api/static-ui.js';
import { APP_HOST } from './security.js';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
};

export function appProtocolHandler(root: string): (request: { url: string }) => Promise<Response> {
  const base = resolve(root);
  return async (request) => {
    let url: URL;
    try {
      url = new URL(request.url);
    } catch {
      return new Response('bad request', { status: 400 });
    }
    if (url.host !== APP_HOST) return new Response('not found', { status: 404 });
    let pathname: string;
    try {
      pathname = decodeURIComponent(url.pathname);
    } catch {
      return new Response('bad request', { status: 400 });
    }
    let file = normalize(join(base, pathname));
    if (file !== base && !file.startsWith(base + sep)) return new Response('not found', { status: 404 });
    const info = await stat(file).catch(() => undefined);
    if (!info?.isFile()) {
      if (extname(pathname) !== '') return new Response('not found', { status: 404 });
      file = join(base, 'index.html');
    }
    const body = await readFile(file).catch(() => undefined);
    if (!body) return new Response('not found', { status: 404 });
    return new Response(new Uint8Array(body), {
      status: 200,
      headers: {
        'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
        'content-security-policy': contentSecurityPolicy(),
        'x-content-type-options': 'nosniff',
      },
    });
  };
}
