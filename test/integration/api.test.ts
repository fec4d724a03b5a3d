// The local HTTP API against a real node: a registrar and a notary validator on 127.0.0.1 with real
// libp2p and LevelDB. A certified transfer commits; its receipt and the object's certificate
// verify offline; history, search, peers, validators, OpenAPI and /metrics answer; bad input
// is refused before it reaches the node.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  apiErrorSchema,
  apiRoutes,
  peersSchema,
  propertyHistorySchema,
  propertyViewSchema,
  receiptViewSchema,
  routePath,
  searchResultSchema,
  statusSchema,
  txStatusSchema,
  validatorsViewSchema,
  type RouteSpec,
} from '../../shared/api/index.js';
import type { KeyPair } from '../../shared/crypto/index.js';
import {
  signTransaction,
  txHash,
  type Genesis,
  type PropertyObject,
  type UnsignedTransaction,
} from '../../shared/ledger/index.js';
import { encode } from '../../shared/codec/index.js';
import { verifyCertificate, verifyReceipt } from '../../shared/receipt/index.js';
import { DataFiles } from '../../electron/node/config.js';
import { devKey, devParty, devTransfer } from '../../electron/node/dev/demo-registry.js';
import { createDevnet } from '../../electron/node/dev/devnet.js';
import { NotaryNode } from '../../electron/node/node.js';
import { waitFor } from '../support/devnet-harness.js';
import { freeBasePort } from '../support/ports.js';

let dir: string;
let node: NotaryNode;
let other: NotaryNode;
let token: string;
let genesis: Genesis;
let notary: KeyPair;
/** The validator keys a verifier holds from genesis. */
let trustedValidators: string[];
const buyer = devKey('api-test-buyer');
let transferHash: string;

async function api(
  path: string,
  init: RequestInit & { auth?: boolean } = {},
): Promise<{ status: number; body: unknown; text: string }> {
  const headers = new Headers(init.headers);
  if (init.auth ?? true) headers.set('authorization', `Bearer ${token}`);
  const response = await fetch(`${node.apiUrl}${path}`, { ...init, headers });
  const text = await response.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  return { status: response.status, body, text };
}

/** Two free consecutive-enough TCP ports are not guaranteed; ask the OS for a base with room after it. */
// A genesis needs a registrar, and every active registrar and notary votes: the smallest
// network that certifies a transfer is two validators, here two nodes in this process.
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'notary-api-'));
  const devnet = await createDevnet({
    dir,
    validators: 2,
    observers: 0,
    basePort: await freeBasePort(2),
    objects: 10,
    chainId: 'by-registry-api-test',
    consensus: { heartbeatMs: 200 },
  });
  genesis = devnet.genesis;
  const [registrar, notaryNode] = devnet.nodes;
  trustedValidators = devnet.nodes.map((entry) => entry.publicKey);
  expect([registrar!.role, notaryNode!.role]).toEqual(['registrar', 'notary']);
  notary = JSON.parse(await readFile(join(notaryNode!.dataDir, DataFiles.signingKey), 'utf8')) as KeyPair;
  const logger = pino({ level: 'silent' });
  const start = (dataDir: string) => NotaryNode.start({ dataDir, api: { host: '127.0.0.1', port: 0 }, logger });
  [node, other] = await Promise.all([start(registrar!.dataDir), start(notaryNode!.dataDir)]);
  token = (await readFile(join(registrar!.dataDir, 'api-token'), 'utf8')).trim();
  await waitFor(
    'the two validators to connect',
    async () => (statusSchema.parse((await api('/api/v1/status')).body).online ? true : undefined),
    30_000,
    100,
  );

  const input = genesis.properties![0]!;
  const object: PropertyObject = { ...input, encumbrances: [], version: 1, registeredHeight: 0, updatedHeight: 0 };
  const parties = [...Array.from({ length: 50 }, (_, i) => devParty(i)), buyer];
  const tx = devTransfer(object, buyer, parties, { chainId: genesis.chainId, nowMs: Date.now(), nonce: 1, notary });
  transferHash = txHash(tx);
  const submitted = await api('/api/v1/txs', { method: 'POST', body: JSON.stringify(tx) });
  expect(submitted.status).toBe(202);
  await waitFor(
    'the transfer to be final',
    async () => {
      const status = txStatusSchema.parse((await api(`/api/v1/txs/${transferHash}`)).body);
      if (status.state === 'rejected') throw new Error(`${status.code}: ${status.sentence}`);
      return status.state === 'final' ? status : undefined;
    },
    30_000,
    100,
  );
});

afterAll(async () => {
  await Promise.all([node?.stop(), other?.stop()]);
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('the local API', () => {
  it('serves a receipt of a committed transfer that verifies offline', async () => {
    const { status, body } = await api(`/api/v1/receipts/${transferHash}`);
    expect(status).toBe(200);
    const receipt = receiptViewSchema.parse(body);
    expect(txHash(receipt.tx)).toBe(transferHash);
    expect(verifyReceipt(receipt, { trustedValidators })).toMatchObject({ ok: true });
  });

  it('answers 404 with a sentence for a receipt of a transaction that is not committed', async () => {
    const { status, body } = await api(`/api/v1/receipts/${'ab'.repeat(32)}`);
    expect(status).toBe(404);
    expect(apiErrorSchema.parse(body).error.message).toMatch(/not committed/);
  });

  it('serves the current record of a property with a certificate naming the buyer as owner', async () => {
    const id = genesis.properties![0]!.id;
    const { status, body } = await api(`/api/v1/properties/${encodeURIComponent(id)}`);
    expect(status).toBe(200);
    const view = propertyViewSchema.parse(body);
    expect(view.property.owners).toEqual([{ key: buyer.publicKey, share: [1, 1] }]);
    expect(verifyCertificate(view.certificate, { trustedValidators })).toMatchObject({ ok: true });
    expect((await api('/api/v1/properties/BY-NO-SUCH-OBJECT')).status).toBe(404);
  });

  it('lists the transfer in the object history', async () => {
    const id = genesis.properties![0]!.id;
    const { status, body } = await api(`/api/v1/properties/${encodeURIComponent(id)}/history`);
    expect(status).toBe(200);
    const history = propertyHistorySchema.parse(body);
    expect(history.entries).toContainEqual(expect.objectContaining({ txHash: transferHash, type: 'transfer' }));
  });

  it('finds an object by its id and by its new owner key', async () => {
    const id = genesis.properties![0]!.id;
    const byId = searchResultSchema.parse((await api(`/api/v1/search?q=${encodeURIComponent(id)}`)).body);
    expect(byId).toMatchObject({ match: 'object', results: [{ id }] });
    const byOwner = searchResultSchema.parse((await api(`/api/v1/search?q=${buyer.publicKey}`)).body);
    expect(byOwner).toMatchObject({ match: 'owner', results: [{ id }], truncated: false });
    expect(searchResultSchema.parse((await api('/api/v1/search?q=nobody')).body).match).toBe('none');
    expect((await api('/api/v1/search')).status).toBe(400);
  });

  it('lists peers and the validator set with this node connected', async () => {
    const peers = peersSchema.parse((await api('/api/v1/peers')).body);
    expect(peers.map((peer) => peer.peerId)).toEqual([other.network.peerId]);
    const view = validatorsViewSchema.parse((await api('/api/v1/validators')).body);
    expect(view.validators).toHaveLength(2);
    expect(view.validators).toContainEqual(
      expect.objectContaining({
        key: notary.publicKey,
        role: 'notary',
        peerId: other.network.peerId,
        self: false,
        connected: true,
      }),
    );
    expect(view.validators).toContainEqual(expect.objectContaining({ role: 'registrar', self: true, connected: true }));
    expect(statusSchema.parse((await api('/api/v1/status')).body).height).toBeGreaterThanOrEqual(1);
  });

  it('publishes an OpenAPI 3.1 document listing every route and the bearer scheme', async () => {
    const { status, body } = await api('/api/v1/openapi.json');
    expect(status).toBe(200);
    const document = body as {
      openapi: string;
      paths: Record<string, Record<string, unknown>>;
      components: { securitySchemes: Record<string, unknown> };
    };
    expect(document.openapi).toBe('3.1.0');
    expect(document.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
    for (const route of Object.values(apiRoutes) as RouteSpec[]) {
      expect(
        document.paths[routePath(route)]?.[route.method.toLowerCase()],
        `${route.method} ${route.path}`,
      ).toBeDefined();
    }
  });

  it('exposes Prometheus metrics', async () => {
    const { status, text } = await api('/metrics');
    expect(status).toBe(200);
    expect(text).toMatch(/^notary_chain_height [1-9]\d*$/m);
    expect(text).toMatch(/^notary_gossip_messages_total\{topic="tx",outcome="accepted"\} \d+$/m);
    expect(text).toContain('process_cpu_user_seconds_total');
  });

  it('refuses a request without the token', async () => {
    for (const path of ['/api/v1/status', '/api/v1/openapi.json', '/metrics']) {
      const { status, body } = await api(path, { auth: false });
      expect(status).toBe(401);
      expect(apiErrorSchema.parse(body).error.code).toBe('UNAUTHORIZED');
    }
  });

  it('refuses a malformed hash, height or object id with 400 and changes nothing', async () => {
    const before = (await api('/api/v1/status')).body;
    for (const path of [
      '/api/v1/receipts/XYZ',
      '/api/v1/txs/abc',
      '/api/v1/blocks/-1',
      '/api/v1/properties/%20bad',
      '/api/v1/properties/%E0%A4%A',
    ]) {
      const { status, body } = await api(path);
      expect(status, path).toBe(400);
      expect(apiErrorSchema.parse(body).error.code).toBe('MALFORMED');
    }
    // Nothing waits to be certified or sent (the height itself moves with the 200 ms heartbeat).
    const after = statusSchema.parse((await api('/api/v1/status')).body);
    expect({ mempool: after.mempool, outbox: after.outbox }).toEqual({
      mempool: statusSchema.parse(before).mempool,
      outbox: statusSchema.parse(before).outbox,
    });
  });

  it('refuses a body over the limit with 413', async () => {
    const status = await new Promise<number>((resolve, reject) => {
      const url = new URL(`${node.apiUrl}/api/v1/txs`);
      const request = httpRequest(
        url,
        { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-length': String(512 * 1024) } },
        (response) => {
          response.resume();
          resolve(response.statusCode ?? 0);
        },
      );
      request.on('error', reject);
      request.write('x'.repeat(1024)); // the declared length alone is refused
    });
    expect(status).toBe(413);
  });

  it('takes a transaction as canonical CBOR (application/cbor), and refuses CBOR that is not canonical with 400', async () => {
    const tx = signTransaction(
      {
        type: 'election.key',
        chainId: genesis.chainId,
        expiresAtMs: Date.now() + 3_600_000,
        nonce: 7,
        payload: { election: 'no-such-election' },
      } as unknown as UnsignedTransaction,
      notary.secretKey,
    );
    const cbor = (body: Uint8Array) =>
      api('/api/v1/txs', {
        method: 'POST',
        headers: { 'content-type': 'application/cbor' },
        body: new Uint8Array(body),
      });
    const refused = await cbor(encode(tx));
    // decoded and handed to the ledger, which names what is wrong with it
    expect(refused.status).toBe(422);
    expect(apiErrorSchema.parse(refused.body).error.code).toBe('ELECTION_UNKNOWN');
    // a map with its keys out of canonical order: one value, two byte forms, refused
    const unsorted = Uint8Array.of(0xa2, 0x61, 0x62, 0x01, 0x61, 0x61, 0x02);
    const malformed = await cbor(unsorted);
    expect(malformed.status).toBe(400);
    expect(apiErrorSchema.parse(malformed.body).error.code).toBe('MALFORMED');
  });

  it('answers 404 with a sentence for an election, its export or a credential that does not exist', async () => {
    for (const path of [
      '/api/v1/elections/none-2026',
      '/api/v1/elections/none-2026/export',
      '/api/v1/elections/none-2026/dealings',
      `/api/v1/election-credentials/${buyer.publicKey}`,
    ]) {
      const { status, body } = await api(path);
      expect(status, path).toBe(404);
      expect(apiErrorSchema.parse(body).error.message).toMatch(/no election none-2026|on no election's roll/);
    }
    const bad = await api('/api/v1/elections/bad%20id');
    expect(bad.status).toBe(400);
  });

  it('answers 404 for an unknown route', async () => {
    const { status, body } = await api('/api/v1/no-such-route');
    expect(status).toBe(404);
    expect(apiErrorSchema.parse(body).error.code).toBe('NOT_FOUND');
  });
});
