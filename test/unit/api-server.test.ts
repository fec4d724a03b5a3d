// The HTTP server's admission rules without a node: a client that is not on loopback is
// refused with 403 unless allowRemote is set, before the token is even looked at.
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { createServer as createNetServer, type Server as NetServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startApiServer, type ApiHandlers } from '../../electron/node/api/http-server.js';

const unused = () => Promise.reject(new Error('not used in this test'));
const handlers: ApiHandlers = {
  status: unused,
  submit: unused,
  txStatus: unused,
  outbox: unused,
  block: unused,
  blocks: unused,
  identity: unused,
  cosign: unused,
  settings: unused,
  setBootstrap: unused,
  keystoreBackup: unused,
  inbox: unused,
  inboxAdd: unused,
  inboxChecks: unused,
  inboxCertify: unused,
  inboxRemove: unused,
  evidence: () => Promise.resolve([]),
  setOffline: unused,
  receipt: unused,
  property: unused,
  propertyHistory: unused,
  search: unused,
  peers: unused,
  validators: unused,
  metrics: unused,
};

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
async function serveRemote(allowRemote: boolean | undefined): Promise<{ get(path: string, token?: string): Promise<number> }> {
  const api = await startApiServer({ host: '127.0.0.1', port: 0, tokenFile: join(dir, 'api-token'), handlers, ...(allowRemote === undefined ? {} : { allowRemote }) });
  closers.push(() => api.close());
  const socketPath = join(dir, 'api.sock');
  const bridge: NetServer = createNetServer((socket) => api.server.emit('connection', socket));
  await new Promise<void>((resolve) => bridge.listen(socketPath, resolve));
  closers.push(() => new Promise((resolve) => bridge.close(() => resolve())));
  return {
    get: (path, token) =>
      new Promise((resolve, reject) => {
        const request = httpRequest({ socketPath, path, headers: { connection: 'close', ...(token ? { authorization: `Bearer ${token}` } : {}) } }, (response) => {
          response.resume();
          resolve(response.statusCode ?? 0);
        });
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

describe('the browser UI on the API port', () => {
  async function serveUi() {
    const ui = join(dir, 'ui');
    await mkdir(join(ui, 'assets'), { recursive: true });
    await writeFile(join(ui, 'index.html'), '<!doctype html><title>ui</title>');
    await writeFile(join(ui, 'assets', 'app.js'), 'console.log(1)');
    await writeFile(join(dir, 'secret.txt'), 'not for browsers');
    const api = await startApiServer({ host: '127.0.0.1', port: 0, tokenFile: join(dir, 'api-token'), handlers, uiDir: ui });
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
