// app://notary/… serves the built renderer (never a dev server), confined to its folder,
// with the same files and content security policy as the browser UI, less the verification
// page's WebAssembly (decision #75): the desktop window shows the desktop UI only.
import { contentSecurityPolicy, uiFiles } from '../node/api/static-ui.js';
import { APP_HOST } from './security.js';

export function appProtocolHandler(root: string): (request: { url: string }) => Promise<Response> {
  const files = uiFiles(root);
  return async (request) => {
    let url: URL;
    try {
      url = new URL(request.url);
    } catch {
      return new Response('bad request', { status: 400 });
    }
    if (url.host !== APP_HOST) return new Response('not found', { status: 404 });
    const found = await files(url.pathname);
    if (!found) return new Response('not found', { status: 404 });
    return new Response(new Uint8Array(found.body), {
      status: 200,
      headers: {
        'content-type': found.contentType,
        'content-security-policy': contentSecurityPolicy(),
        'x-content-type-options': 'nosniff',
      },
    });
  };
}
