// The HTTP server's admission rules without a node: a client that is not on loopback is
// refused with 403 unless allowRemote is set, before the token is even looked at.
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { createServer as createNetServer, type Server as NetServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { apiRoutes, type ApiHandlerMap } from '../../shared/api/index.js';
import { ApiExposedError, startApiServer } from '../../electron/node/api/http-server.js';
import { contentSecurityPolicy } from '../../electron/node/api/static-ui.js';
import { readConfig } from '../../electron/node/config.js';
import { NotaryNode } from '../../electron/node/node.js';

const unused = () => Promise.reject(new Error('not used in this test'));
/** Every route answers "not used", except the evidence list this test reads: new routes need no edit here. */
const handlers = {
  ...Object.fromEntries(Object.keys(apiRoutes).map((name) => [name, unused])),
  evidence: () => Promise.resolve([]),
} as unknown as ApiHandlerMap;

let dir: string;
let closers: Array<() => Promise<void>>;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'notary-api-server-'));
  closers = [];
});

afterEach(async () => {
  for (const close of closers.reverse()) await close();
  await rm(dir, { recursive: true, force: true });
});

/**
 * Serves the API through a Unix socket as well: such a connection has no loopback address,
 * so it stands for a client on another host without needing a second network interface.
 */
async function serveRemote(
  allowRemote: boolean | undefined,
): Promise<{ get(path: string, token?: string): Promise<number> }> {
  const api = await startApiServer({
    host: '127.0.0.1',
    port: 0,
    tokenFile: join(dir, 'api-token'),
    handlers,
    ...(allowRemote === undefined ? {} : { allowRemote }),
  });
  closers.push(() => api.close());
  const socketPath = join(dir, 'api.sock');
  const bridge: NetServer = createNetServer((socket) => api.server.emit('connection', socket));
  await new Promise<void>((resolve) => bridge.listen(socketPath, resolve));
  closers.push(() => new Promise((resolve) => bridge.close(() => resolve())));
  return {
    get: (path, token) =>
      new Promise((resolve, reject) => {
        const request = httpRequest(
          {
            socketPath,
            path,
            headers: { connection: 'close', ...(token ? { authorization: `Bearer ${token}` } : {}) },
          },
          (response) => {
            response.resume();
            resolve(response.statusCode ?? 0);
          },
        );
        request.on('error', reject);
        request.end();
      }),
  };
}

describe('API admission', () => {
  it('refuses a client that is not on loopback with 403 by default', async () => {
    const remote = await serveRemote(undefined);
    expect(await remote.get('/api/v1/evidence')).toBe(403);
  });

  it('lets a remote client through to the token check when allowRemote is set', async () => {
    const remote = await serveRemote(true);
    expect(await remote.get('/api/v1/evidence')).toBe(401);
    const token = (await readFile(join(dir, 'api-token'), 'utf8')).trim();
    expect(await remote.get('/api/v1/evidence', token)).toBe(200);
  });
});

describe('the API listen address (issue 12, item 2)', () => {
  it('refuses to listen on every interface (0.0.0.0, ::) or a LAN address without api.allowRemote: API_NOT_LOOPBACK', async () => {
    for (const host of ['0.0.0.0', '::', '192.0.2.7']) {
      const started = startApiServer({ host, port: 0, tokenFile: join(dir, 'api-token'), handlers });
      await expect(started).rejects.toBeInstanceOf(ApiExposedError);
      await expect(started).rejects.toMatchObject({
        code: 'API_NOT_LOOPBACK',
        message: expect.stringContaining('allowRemote'),
      });
    }
  });

  it('listens on every interface only when api.allowRemote is set', async () => {
    const api = await startApiServer({
      host: '0.0.0.0',
      port: 0,
      tokenFile: join(dir, 'api-token'),
      handlers,
      allowRemote: true,
    });
    closers.push(() => api.close());
    expect((api.server.address() as { address: string }).address).toBe('0.0.0.0');
  });

  it('keeps loopback addresses working without the opt-in: 127.0.0.1, localhost, ::1', async () => {
    for (const host of ['127.0.0.1', 'localhost', '::1']) {
      const api = await startApiServer({ host, port: 0, tokenFile: join(dir, 'api-token'), handlers });
      await api.close();
    }
  });

  it('reads api.allowRemote from config.json (the documented opt-in), false by default', async () => {
    const base = { name: 'Office', role: 'observer' };
    await writeFile(join(dir, 'config.json'), JSON.stringify(base));
    expect((await readConfig(dir)).api.allowRemote).toBe(false);
    await writeFile(
      join(dir, 'config.json'),
      JSON.stringify({ ...base, api: { host: '0.0.0.0', port: 8080, allowRemote: true } }),
    );
    expect((await readConfig(dir)).api).toEqual({ host: '0.0.0.0', port: 8080, allowRemote: true });
    await writeFile(
      join(dir, 'config.json'),
      JSON.stringify({ ...base, api: { host: '0.0.0.0', allowRemotely: true } }),
    );
    await expect(readConfig(dir)).rejects.toMatchObject({ code: 'CONFIG_INVALID' });
  });

  it('a node started with --api 0.0.0.0:PORT stops before it opens anything, naming the opt-in', async () => {
    await writeFile(join(dir, 'config.json'), JSON.stringify({ name: 'Office', role: 'observer' }));
    await expect(NotaryNode.start({ dataDir: dir, api: { host: '0.0.0.0', port: 0 } })).rejects.toMatchObject({
      code: 'API_NOT_LOOPBACK',
    });
    // the same address from config.json, without the opt-in
    await writeFile(
      join(dir, 'config.json'),
      JSON.stringify({ name: 'Office', role: 'observer', api: { host: '0.0.0.0' } }),
    );
    await expect(NotaryNode.start({ dataDir: dir })).rejects.toMatchObject({ code: 'API_NOT_LOOPBACK' });
  });

  it('a 401 says where the token lives without naming the data folder', async () => {
    const api = await startApiServer({ host: '127.0.0.1', port: 0, tokenFile: join(dir, 'api-token'), handlers });
    closers.push(() => api.close());
    const response = await fetch(`${api.url}/api/v1/evidence`);
    expect(response.status).toBe(401);
    const text = await response.text();
    expect(text).toContain('api-token');
    expect(text).not.toContain(dir);
  });
});

describe('request bodies (issue 12, items 4 and 6)', () => {
  const seen: unknown[] = [];
  const bodyHandlers: ApiHandlerMap = {
    ...handlers,
    submit: ({ body: tx }) => {
      seen.push(tx);
      return Promise.resolve({ txHash: '00'.repeat(32), txId: '00'.repeat(32), status: { state: 'pending' as const } });
    },
    inboxCertify: ({ params: { id } }) => {
      seen.push(id);
      return Promise.resolve({ txHash: '00'.repeat(32), txId: '00'.repeat(32), status: { state: 'pending' as const } });
    },
  };

  async function post(
    path: string,
    body: Buffer | undefined,
  ): Promise<{ status: number; json: { error?: { code: string; message: string } } }> {
    const api = await startApiServer({
      host: '127.0.0.1',
      port: 0,
      tokenFile: join(dir, 'api-token'),
      handlers: bodyHandlers,
    });
    closers.push(() => api.close());
    const token = (await readFile(join(dir, 'api-token'), 'utf8')).trim();
    const response = await fetch(`${api.url}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      ...(body ? { body: new Uint8Array(body) } : {}),
    });
    return { status: response.status, json: (await response.json()) as { error?: { code: string; message: string } } };
  }

  it('refuses a body that is not valid UTF-8 (a raw 0xFF byte) with MALFORMED, and the handler never sees it', async () => {
    seen.length = 0;
    const body = Buffer.concat([Buffer.from('{"note":"'), Buffer.from([0xff]), Buffer.from('"}')]);
    const reply = await post('/api/v1/txs', body);
    expect(reply.status).toBe(400);
    expect(reply.json.error).toMatchObject({ code: 'MALFORMED', message: expect.stringContaining('UTF-8') });
    expect(seen).toEqual([]);
  });

  it('still reads valid UTF-8 with Cyrillic text', async () => {
    seen.length = 0;
    const reply = await post('/api/v1/txs', Buffer.from(JSON.stringify({ note: 'Мінск' })));
    expect(reply.status).toBe(202);
    expect(seen).toEqual([{ note: 'Мінск' }]);
  });

  it('certifies an inbox contract with no body at all, as with {}', async () => {
    seen.length = 0;
    const id = 'ab'.repeat(32);
    expect((await post(`/api/v1/inbox/${id}/certify`, undefined)).status).toBe(202);
    expect((await post(`/api/v1/inbox/${id}/certify`, Buffer.from('{}'))).status).toBe(202);
    const extra = await post(`/api/v1/inbox/${id}/certify`, Buffer.from('{"x":1}'));
    expect(extra.status).toBe(400);
    expect(seen).toEqual([id, id]);
  });
});

describe('the browser UI on the API port', () => {
  async function serveUi() {
    const ui = join(dir, 'ui');
    await mkdir(join(ui, 'assets'), { recursive: true });
    await writeFile(join(ui, 'index.html'), '<!doctype html><title>ui</title>');
    await writeFile(join(ui, 'verify.html'), '<!doctype html><title>verify</title>');
    await writeFile(join(ui, 'voter.html'), '<!doctype html><title>voter</title>');
    await writeFile(join(ui, 'assets', 'app.js'), 'console.log(1)');
    await writeFile(join(dir, 'secret.txt'), 'not for browsers');
    const api = await startApiServer({
      host: '127.0.0.1',
      port: 0,
      tokenFile: join(dir, 'api-token'),
      handlers,
      uiDir: ui,
    });
    closers.push(() => api.close());
    return api.url;
  }

  it('serves the app without the token, with a strict CSP, and falls back to index.html for app routes', async () => {
    const url = await serveUi();
    const index = await fetch(`${url}/`);
    expect(index.status).toBe(200);
    expect(await index.text()).toContain('<title>ui</title>');
    const csp = index.headers.get('content-security-policy')!;
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(index.headers.get('x-content-type-options')).toBe('nosniff');
    expect((await fetch(`${url}/assets/app.js`)).headers.get('content-type')).toMatch(/javascript/);
    expect(await (await fetch(`${url}/registry`)).text()).toContain('<title>ui</title>');
  });

  it("lets the verification page's document alone compile WebAssembly ('wasm-unsafe-eval', no JS eval)", async () => {
    const url = await serveUi();
    const policy = async (path: string) => (await fetch(`${url}${path}`)).headers.get('content-security-policy')!;
    const verify = await policy('/verify.html');
    expect(verify).toContain("script-src 'self' 'wasm-unsafe-eval';");
    expect(verify.replace("'wasm-unsafe-eval'", '')).not.toContain('unsafe-eval');
    expect(verify).toContain("object-src 'none'");
    for (const other of ['/', '/index.html', '/voter.html', '/registry', '/verify', '/assets/app.js']) {
      const csp = await policy(other);
      expect(csp, other).toContain("script-src 'self';");
      expect(csp, other).not.toContain('unsafe-eval');
    }
    expect(contentSecurityPolicy()).not.toContain('wasm-unsafe-eval');
    expect(contentSecurityPolicy([], { wasm: true })).toContain("script-src 'self' 'wasm-unsafe-eval'");
  });

  it('keeps the API behind the token, and nothing outside the UI folder is served', async () => {
    const url = await serveUi();
    expect((await fetch(`${url}/api/v1/evidence`)).status).toBe(401);
    expect((await fetch(`${url}/metrics`)).status).toBe(401);
    expect((await fetch(`${url}/assets/missing.js`)).status).not.toBe(200);
    expect(await (await fetch(`${url}/%2e%2e/secret.txt`)).text()).not.toContain('not for browsers');
    expect(await (await fetch(`${url}/..%2fsecret.txt`)).text()).not.toContain('not for browsers');
    expect(await (await fetch(`${url}/api-token`)).text()).not.toMatch(/^[0-9a-f]{64}/);
  });
});
