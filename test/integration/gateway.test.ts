// The public election gateway (issue 17, docs/operations.md "A public gateway"): a real node
// serving it on a second port. Only the voter's page and the public election routes exist there;
// everything else is absent (404, not 401 or 403), with or without the node's token. Oversized,
// malformed and non-ballot submissions get a 4xx with a code and change nothing; one address
// asking too fast gets 429 with Retry-After.
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encode } from '../../shared/codec/index.js';
import { AddressBuckets } from '../../electron/node/api/gateway.js';
import { ensureDevNode } from '../../electron/node/dev/dev-node.js';
import { NotaryNode } from '../../electron/node/node.js';

let dir = '';
let ui = '';
let node: NotaryNode;
let gateway = '';
let token = '';

const BURST = 60;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'notary-gateway-'));
  ui = join(dir, 'ui');
  await mkdir(join(ui, 'assets'), { recursive: true });
  await writeFile(join(ui, 'voter.html'), '<!doctype html><title>Vote</title><div id="voter"></div>');
  await writeFile(join(ui, 'index.html'), '<!doctype html><title>Desktop</title>');
  await writeFile(join(ui, 'assets', 'voter.js'), 'console.log(1)');
  await writeFile(join(ui, 'verify.html'), '<!doctype html><title>Check</title><div id="verify"></div>');
  await writeFile(join(ui, 'verify-sw.js'), 'self.addEventListener("fetch", () => undefined)');
  await writeFile(join(ui, 'verify.webmanifest'), '{"name":"Check"}');
  const { passphrase } = await ensureDevNode(join(dir, 'node'));
  const configFile = join(dir, 'node', 'config.json');
  const config = JSON.parse(await readFile(configFile, 'utf8'));
  config.gateway = { host: '127.0.0.1', port: 0, perAddressBurst: BURST, perAddressPerMinute: 60 };
  await writeFile(configFile, JSON.stringify(config));
  node = await NotaryNode.start({
    dataDir: join(dir, 'node'),
    passphrase,
    uiDir: ui,
    logger: pino({ level: 'silent' }),
  });
  gateway = node.gatewayUrl!;
  token = (await readFile(join(dir, 'node', 'api-token'), 'utf8')).trim();
}, 90_000);

afterAll(async () => {
  await node?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function call(
  method: string,
  path: string,
  init: { body?: BodyInit; type?: string; token?: boolean } = {},
): Promise<{
  status: number;
  json: { error?: { code: string; message: string } } & Record<string, unknown>;
  headers: Headers;
}> {
  const response = await fetch(`${gateway}${path}`, {
    method,
    headers: {
      ...(init.type ? { 'content-type': init.type } : {}),
      ...(init.token ? { authorization: `Bearer ${token}` } : {}),
    },
    ...(init.body !== undefined ? { body: init.body } : {}),
  });
  const text = await response.text();
  let json = {};
  try {
    json = JSON.parse(text);
  } catch {
    json = { text };
  }
  return { status: response.status, json: json as never, headers: response.headers };
}

describe('the public election gateway', () => {
  it("serves the voter's page and its assets, and nothing else of the UI", async () => {
    const page = await fetch(`${gateway}/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('id="voter"');
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect((await fetch(`${gateway}/assets/voter.js`)).status).toBe(200);
    expect((await fetch(`${gateway}/index.html`)).status).toBe(404);
    expect((await fetch(`${gateway}/anything`)).status).toBe(404);
  });

  it("serves the verification page, its service worker and manifest, and the checkpoints' reads to any origin", async () => {
    const page = await fetch(`${gateway}/verify.html`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('id="verify"');
    const worker = await fetch(`${gateway}/verify-sw.js`);
    expect(worker.headers.get('content-type')).toContain('text/javascript');
    expect(worker.headers.get('cache-control')).toBe('no-cache');
    expect((await fetch(`${gateway}/verify.webmanifest`)).headers.get('content-type')).toContain(
      'application/manifest+json',
    );
    expect((await fetch(`${gateway}/assets/voter.js`)).headers.get('cache-control')).toContain('immutable');
    const list = await call('GET', '/api/v1/checkpoints');
    expect(list.status).toBe(200);
    expect(list.headers.get('access-control-allow-origin')).toBe('*');
    expect((await call('GET', '/api/v1/checkpoints/1/bundle')).status).toBe(404);
    // the checkpoint file and the proofs are the local API's only
    expect((await call('GET', '/api/v1/checkpoints/1')).json.error!.message).toMatch(/no route/);
    expect((await call('GET', '/api/v1/proofs/BY-1')).json.error!.message).toMatch(/no route/);
  });

  it('answers the public election reads with no token', async () => {
    const list = await call('GET', '/api/v1/elections');
    expect(list.status).toBe(200);
    expect(list.json).toEqual({ chainId: node.chain.chainId, elections: [] });
    const missing = await call('GET', '/api/v1/elections/city-2026/turnout');
    expect(missing.status).toBe(404);
    expect(missing.json.error!.code).toBe('NOT_FOUND');
    const badCursor = await call('GET', '/api/v1/elections/city-2026/ballots?after=abcdef');
    expect(badCursor.status).toBe(400);
    expect(badCursor.json.error!.code).toBe('MALFORMED');
    const status = await call('GET', `/api/v1/txs/${'a'.repeat(64)}`);
    expect(status.status).toBe(200);
  });

  it("has none of the node's other routes, even with the node's token", async () => {
    for (const [method, path] of [
      ['GET', '/api/v1/status'],
      ['GET', '/api/v1/peers'],
      ['GET', '/api/v1/openapi.json'],
      ['POST', '/api/v1/txs'],
      ['POST', '/api/v1/network'],
      ['GET', '/metrics'],
      ['GET', '/api/v1/inbox'],
    ] as const) {
      for (const withToken of [false, true]) {
        const answer = await call(method, path, {
          token: withToken,
          type: 'application/json',
          ...(method === 'POST' ? { body: '{}' } : {}),
        });
        expect(answer.status, `${method} ${path}`).toBe(404);
        expect(answer.json.error!.code).toBe('NOT_FOUND');
      }
    }
    // no WebSocket either
    const upgrade = await fetch(`${gateway}/api/v1/events`, {
      headers: { connection: 'upgrade', upgrade: 'websocket' },
    }).catch(() => undefined);
    expect(upgrade === undefined || upgrade.status === 404).toBe(true);
  });

  it('refuses an oversized, malformed or non-ballot submission with a code, and changes nothing', async () => {
    const before = { mempool: node.mempool.size, height: node.chain.head.height };
    const big = await call('POST', '/api/v1/elections/city-2026/ballots', {
      type: 'application/cbor',
      body: new Uint8Array(200 * 1024),
    });
    expect(big.status).toBe(413);
    expect(big.json.error!.code).toBe('BODY_TOO_LARGE');
    const junk = await call('POST', '/api/v1/elections/city-2026/ballots', {
      type: 'application/cbor',
      body: Uint8Array.of(0xff, 0x00, 0x13),
    });
    expect(junk.status).toBe(400);
    expect(junk.json.error!.code).toBe('MALFORMED');
    const notTx = await call('POST', '/api/v1/elections/city-2026/ballots', {
      type: 'application/cbor',
      body: Buffer.from(encode({ hello: 'world' })),
    });
    expect(notTx.status).toBeGreaterThanOrEqual(400);
    expect(notTx.status).toBeLessThan(500);
    // a well-formed transaction that is not a ballot
    const transfer = {
      type: 'governance.param',
      chainId: node.chain.chainId,
      expiresAtMs: Date.now() + 60_000,
      nonce: 1,
      signatures: [],
      payload: {},
    };
    const other = await call('POST', '/api/v1/elections/city-2026/ballots', {
      type: 'application/cbor',
      body: Buffer.from(encode(transfer)),
    });
    expect(other.status).toBeGreaterThanOrEqual(400);
    expect(other.status).toBeLessThan(500);
    expect(node.mempool.size).toBe(before.mempool);
  });

  it('answers 429 with Retry-After to one address asking faster than its bucket refills', async () => {
    let limited: Awaited<ReturnType<typeof call>> | undefined;
    for (let i = 0; i < BURST + 5 && !limited; i++) {
      const answer = await call('GET', '/api/v1/elections');
      if (answer.status === 429) limited = answer;
      else expect(answer.status).toBe(200);
    }
    expect(limited).toBeDefined();
    expect(limited!.json.error!.code).toBe('RATE_LIMITED');
    expect(Number(limited!.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
  });
});

describe('per-address buckets', () => {
  it('give a burst, refill at the rate, and remember a bounded number of addresses', () => {
    let now = 0;
    const buckets = new AddressBuckets(60, 3, () => now, 100);
    for (let i = 0; i < 3; i++) expect(buckets.take('a').ok).toBe(true);
    const refused = buckets.take('a');
    expect(refused).toEqual({ ok: false, retryAfterSeconds: 1 });
    expect(buckets.take('b').ok).toBe(true); // another address has its own bucket
    now += 1_000; // one token a second at 60 a minute
    expect(buckets.take('a').ok).toBe(true);
    expect(buckets.take('a').ok).toBe(false);
    for (let i = 0; i < 1_000; i++) buckets.take(`x${i}`);
    expect(buckets.size).toBeLessThanOrEqual(100);
  });
});
