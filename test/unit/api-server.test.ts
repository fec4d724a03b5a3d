// The HTTP server's admission rules without a node: a client that is not on loopback is
// refused with 403 unless allowRemote is set, before the token is even looked at.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
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
