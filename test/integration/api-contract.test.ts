// The API contract through both transports against one real node (a dev chain, LevelDB,
// libp2p, consensus): HTTP with its token, and Electron IPC through an in-process stand-in
// running the real main-side handlers (electron/main/ipc.ts) and the real preload bridge.
// The same calls must give the same answers, and bad input must change nothing.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import {
  API_BODY_BYTES_MAX,
  API_METHOD_NAMES,
  apiClient,
  ApiCallError,
  apiEventSchema,
  apiRoutes,
  EVENTS_PROTOCOL,
  httpTransport,
  ipcTransport,
  TOKEN_PROTOCOL_PREFIX,
  type ApiClient,
  type ApiEvent,
} from '../../shared/api/index.js';
import { LATEST_PROTOCOL, PROTOCOL_VERSIONS_KNOWN, StateKey, type PropertyObject } from '../../shared/ledger/index.js';
import { verifyCertificate, verifyReceipt } from '../../shared/receipt/index.js';
import { registerIpc } from '../../electron/main/ipc.js';
import { createBridge } from '../../electron/preload/bridge.js';
import { devObjectId, devParty, devTransferDraft } from '../../electron/node/dev/demo-registry.js';
import { ensureDevNode } from '../../electron/node/dev/dev-node.js';
import { NotaryNode } from '../../electron/node/node.js';
import { ipcStandIn } from '../support/ipc-standin.js';

let dir: string;
let node: NotaryNode;
let token: string;
const ipc = ipcStandIn();
const bridge = createBridge(ipc.ipcRenderer);
const parties = Array.from({ length: 50 }, (_, i) => devParty(i));

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'notary-contract-'));
  const { passphrase } = await ensureDevNode(dir);
  node = await NotaryNode.start({ dataDir: dir, passphrase, uiDir: null, logger: pino({ level: 'silent' }) });
  token = (await readFile(join(dir, 'api-token'), 'utf8')).trim();
  // the first block, so the chain has something to list
  for (const deadline = Date.now() + 15_000; node.chain.head.height < 1 && Date.now() < deadline;)
    await new Promise((r) => setTimeout(r, 50));
  registerIpc(ipc.ipcMain, {
    node: () => node,
    contents: () => ipc.contents,
    unlock: () => Promise.resolve(),
  }).attachEvents(node);
});

afterAll(async () => {
  await node?.stop();
  await rm(dir, { recursive: true, force: true });
});

/** A live event stream per transport: the WebSocket for HTTP, the preload's onEvent for IPC. */
function httpEvents(onEvent: (event: ApiEvent) => void): Promise<() => void> {
  const socket = new WebSocket(`${node.apiUrl.replace('http', 'ws')}/api/v1/events`, [
    EVENTS_PROTOCOL,
    `${TOKEN_PROTOCOL_PREFIX}${token}`,
  ]);
  socket.on('message', (data) => onEvent(apiEventSchema.parse(JSON.parse(String(data)))));
  return new Promise((resolve, reject) => {
    socket.once('open', () => resolve(() => socket.close()));
    socket.once('error', reject);
  });
}
function ipcEvents(onEvent: (event: ApiEvent) => void): Promise<() => void> {
  return Promise.resolve(bridge.onEvent((event) => onEvent(apiEventSchema.parse(event))));
}

const transports: Array<[string, () => ApiClient, typeof httpEvents, number]> = [
  ['HTTP', () => apiClient(httpTransport({ baseUrl: node.apiUrl, token })), httpEvents, 10],
  ['IPC', () => apiClient(ipcTransport(bridge)), ipcEvents, 20],
];

async function failure(promise: Promise<unknown>): Promise<ApiCallError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(ApiCallError);
  return error as ApiCallError;
}

describe.each(transports)('the API contract over %s', (_name, client, events, firstObject) => {
  it('status and identity: a dev chain whose only validator is this notary, key encrypted', async () => {
    const api = client();
    const status = await api.call('status');
    expect(status).toMatchObject({
      chainId: 'by-registry-dev',
      role: 'notary',
      online: true,
      validators: 1,
      validatorsReachable: 1,
      // a new dev chain starts at the latest protocol this software runs
      protocol: { version: LATEST_PROTOCOL, supported: [...PROTOCOL_VERSIONS_KNOWN] },
      params: { maxValidators: 100, heartbeatMs: 120_000 },
    });
    expect(status.protocol.stopped).toBeUndefined();
    const identity = await api.call('identity');
    expect(identity).toMatchObject({ role: 'notary', status: 'active', keystore: 'encrypted', dataDir: dir });
    expect(identity.publicKey).toMatch(/^[0-9a-f]{64}$/);
  });

  it('registry queries: search, property with a certificate that verifies offline, history, blocks newest first', async () => {
    const api = client();
    const id = devObjectId(3);
    expect((await api.call('search', { query: { q: id } })).results.map((result) => result.id)).toEqual([id]);
    const view = await api.call('property', { params: { id } });
    expect(view.property.id).toBe(id);
    expect(verifyCertificate(view.certificate)).toMatchObject({ ok: true });
    const owner = view.property.owners[0]!.key;
    expect((await api.call('search', { query: { q: owner } })).match).toBe('owner');
    expect((await api.call('propertyHistory', { params: { id } })).entries).toEqual([]);
    const page = await api.call('blocks', { query: { limit: 3 } });
    expect(page.blocks.length).toBeGreaterThan(0);
    expect(page.blocks.length).toBeLessThanOrEqual(3);
    const heights = page.blocks.map((block) => block.header.height);
    expect(heights).toEqual([...heights].sort((a, b) => b - a));
    const detail = await api.call('block', { params: { height: heights[0]! } });
    expect(detail.commit?.signatures.map((entry) => entry.validator)).toEqual([detail.header.proposer]);
  });

  it('settings: the bootstrap list is validated, saved to config.json and shown; the keystore backup is the sealed file', async () => {
    const api = client();
    const settings = await api.call('settings');
    expect(settings).toMatchObject({ role: 'notary', dataDir: dir, bootstrap: [] });
    expect(settings.listening.some((address) => address.includes('/p2p/'))).toBe(true);
    const configBefore = await readFile(join(dir, 'config.json'), 'utf8');
    expect(await failure(api.call('setBootstrap', { body: { bootstrap: ['/ip4/10.0.0.7/tcp/47000'] } }))).toMatchObject(
      { status: 400, code: 'MALFORMED' },
    );
    expect(await failure(api.call('setBootstrap', { body: { bootstrap: ['x'.repeat(600)] } }))).toMatchObject({
      status: 400,
    });
    expect(await readFile(join(dir, 'config.json'), 'utf8')).toBe(configBefore);
    const peer = '/ip4/10.0.0.7/tcp/47000/p2p/12D3KooWJuvkhSWtEamQM6Da6N9GbnrhuGtnLuKjcik5wkKiAre9';
    expect((await api.call('setBootstrap', { body: { bootstrap: [peer] } })).bootstrap).toEqual([peer]);
    expect(JSON.parse(await readFile(join(dir, 'config.json'), 'utf8')).bootstrap).toEqual([peer]);
    expect((await api.call('settings')).bootstrap).toEqual([peer]);
    await api.call('setBootstrap', { body: { bootstrap: [] } });
    const backup = await api.call('keystoreBackup');
    expect(backup.publicKey).toBe((await api.call('identity')).publicKey);
    expect(backup).toHaveProperty('ciphertext');
    expect(JSON.stringify(backup)).not.toMatch(/secret/i);
  });

  it('governance: a notary office does not co-sign authority changes', async () => {
    const api = client();
    const change = {
      type: 'authority.add',
      chainId: 'by-registry-dev',
      expiresAtMs: Date.now() + 86_400_000,
      nonce: 1,
      signatures: [],
      payload: { authority: { key: 'ab'.repeat(32), role: 'observer', name: 'Bank' } },
    };
    expect(await failure(api.call('cosign', { body: change as never }))).toMatchObject({
      status: 409,
      code: 'NOT_A_REGISTRAR',
    });
    expect(await failure(api.call('cosign', { body: { type: 'authority.add' } as never }))).toMatchObject({
      status: 400,
      code: 'MALFORMED',
    });
  });

  it('validators: each with its authority record, version and signing record over the recent blocks; the other authorities follow', async () => {
    const api = client();
    const view = await api.call('validators');
    expect(view.window).toBeGreaterThan(0);
    expect(view.validators).toHaveLength(1);
    const [self] = view.validators;
    expect(self).toMatchObject({
      self: true,
      connected: true,
      role: 'notary',
      status: 'active',
      version: 1,
      missedVotes: 0,
      // the dev chain designates its one validator; its own software's versions; nothing scheduled
      designated: true,
      protocols: [...PROTOCOL_VERSIONS_KNOWN],
      runsUpgrade: null,
    });
    expect(self!.lastSignedHeight).toBeGreaterThanOrEqual(1);
    // every other authority that may take part follows without voting [REQ-VAL.1]
    expect(view.followersTruncated).toBe(false);
    for (const follower of view.followers) {
      expect(view.validators.map((validator) => validator.key)).not.toContain(follower.key);
      expect(['active', 'suspended']).toContain(follower.status);
      expect(follower.self).toBe(false);
    }
  });

  it('bad input gets a 4xx with a code and a reason, and changes nothing', async () => {
    const api = client();
    const before = await api.call('status');
    const inboxBefore = await api.call('inbox');
    expect(await failure(api.call('txStatus', { params: { txHash: 'not-a-hash' } }))).toMatchObject({
      status: 400,
      code: 'MALFORMED',
    });
    expect(await failure(api.call('property', { params: { id: 'BY-NOWHERE-1' } }))).toMatchObject({
      status: 404,
      code: 'NOT_FOUND',
    });
    expect(await failure(api.call('blocks', { query: { limit: 0 } }))).toMatchObject({
      status: 400,
      code: 'MALFORMED',
    });
    expect(await failure(api.call('submit', { body: { type: 'transfer', junk: true } as never }))).toMatchObject({
      status: 400,
      code: 'MALFORMED',
    });
    expect(
      await failure(api.call('inboxAdd', { body: { huge: 'x'.repeat(API_BODY_BYTES_MAX + 1) } as never })),
    ).toMatchObject({ status: 413, code: 'BODY_TOO_LARGE' });
    expect(await failure(api.call('inboxChecks', { params: { id: '0'.repeat(64) } }))).toMatchObject({ status: 404 });
    const after = await api.call('status');
    expect(after.mempool).toEqual(before.mempool);
    expect(await api.call('inbox')).toEqual(inboxBefore);
  });

  it('a contract goes into the inbox, its checks are shown, and once certified it is final live, with a receipt that verifies offline', async () => {
    const api = client();
    const identity = await api.call('identity');
    const record = (await node.chain.getRecord(StateKey.object(devObjectId(firstObject)))) as PropertyObject;
    const buyer =
      parties[(parties.findIndex((party) => party.publicKey === record.owners[0]!.key) + 1) % parties.length]!;
    const draft = devTransferDraft(record, buyer, parties, {
      chainId: 'by-registry-dev',
      nowMs: Date.now(),
      nonce: firstObject,
      notaryKey: identity.publicKey!,
    });

    // a contract whose duty is short is shown as failing that check, before anything is signed
    const short = {
      ...draft,
      nonce: draft.nonce + 1_000,
      payload: { ...draft.payload, duty: { ...draft.payload.duty, amountMinor: 1 } },
    };
    const shortEntry = await api.call('inboxAdd', { body: short });
    const shortChecks = await api.call('inboxChecks', { params: { id: shortEntry.id } });
    expect(shortChecks.ok).toBe(false);
    expect(shortChecks.checks.find((check) => check.check === 'duty')).toMatchObject({
      ok: false,
      code: 'DUTY_TOO_LOW',
    });
    expect(shortChecks.checks.find((check) => check.check === 'ledger')).toMatchObject({
      ok: false,
      code: 'DUTY_TOO_LOW',
    });
    expect(await api.call('inboxRemove', { params: { id: shortEntry.id }, body: {} })).toEqual({ removed: true });

    const entry = await api.call('inboxAdd', { body: draft });
    expect(entry).toMatchObject({ objectId: record.id });
    expect(await failure(api.call('inboxAdd', { body: draft }))).toMatchObject({
      status: 409,
      code: 'ALREADY_IN_INBOX',
    });
    const checks = await api.call('inboxChecks', { params: { id: entry.id } });
    expect(checks.checks.filter((check) => !check.ok)).toEqual([]);
    expect(checks.checks.map((check) => check.check)).toEqual([
      'chain',
      'expiry',
      'notary',
      'object',
      'version',
      'consents',
      'shares',
      'encumbrances',
      'duty',
      'ledger',
    ]);

    const seen: ApiEvent[] = [];
    const close = await events((event) => seen.push(event));
    try {
      const result = await api.call('inboxCertify', { params: { id: entry.id }, body: {} });
      expect(result.status.state).toBe('pending');
      const deadline = Date.now() + 20_000;
      while (
        !seen.some(
          (event) => event.type === 'tx' && event.txHash === result.txHash && event.status.state === 'final',
        ) &&
        Date.now() < deadline
      )
        await new Promise((r) => setTimeout(r, 100));
      expect(
        seen.find((event) => event.type === 'tx' && event.txHash === result.txHash && event.status.state === 'final'),
      ).toBeDefined();
      expect(seen.some((event) => event.type === 'block' && event.txHashes.includes(result.txHash))).toBe(true);
      expect((await api.call('txStatus', { params: { txHash: result.txHash } })).state).toBe('final');
      expect(verifyReceipt(await api.call('receipt', { params: { txHash: result.txHash } }))).toMatchObject({
        ok: true,
      });
      expect((await api.call('inbox')).find((candidate) => candidate.id === entry.id)?.certifiedTxHash).toBe(
        result.txHash,
      );
      const after = await api.call('property', { params: { id: record.id } });
      expect(after.property.owners).toEqual([{ key: buyer.publicKey, share: [1, 1] }]);
    } finally {
      close();
    }
  });
});

describe('the IPC channel refuses what the window must not do', () => {
  it('exposes exactly one function per route of the table', () => {
    expect(Object.keys(bridge.api).sort()).toEqual(Object.keys(apiRoutes).sort());
    expect([...API_METHOD_NAMES].sort()).toEqual(Object.keys(apiRoutes).sort());
    expect(ipc.channels().sort()).toEqual(['notary:api', 'notary:unlock']);
  });

  it('refuses calls from another origin, from a subframe or from another webContents', async () => {
    const api = apiClient(ipcTransport(bridge));
    try {
      ipc.fromFrame({ url: 'https://attacker.example/', parent: null });
      expect(await failure(api.call('status'))).toMatchObject({ status: 403, code: 'FORBIDDEN' });
      ipc.fromFrame({ url: 'app://notary/index.html', parent: {} });
      expect(await failure(api.call('status'))).toMatchObject({ status: 403, code: 'FORBIDDEN' });
      ipc.fromFrame({ url: 'app://notary/index.html', parent: null }, {} as never);
      expect(await failure(api.call('status'))).toMatchObject({ status: 403, code: 'FORBIDDEN' });
      expect(await bridge.unlock('whatever')).toMatchObject({ ok: false, code: 'FORBIDDEN' });
    } finally {
      ipc.fromFrame({ url: 'app://notary/index.html', parent: null });
    }
  });

  it('answers an unknown method or a malformed request with a code, not a crash', async () => {
    const raw = (name: unknown, request: unknown) =>
      ipc.ipcRenderer.invoke('notary:api', name, request) as Promise<{
        status: number;
        body: { error: { code: string } };
      }>;
    expect(await raw('shutdown', {})).toMatchObject({ status: 404, body: { error: { code: 'NOT_FOUND' } } });
    expect(await raw('__proto__', {})).toMatchObject({ status: 404 });
    expect(await raw('property', { params: ['x'] })).toMatchObject({
      status: 400,
      body: { error: { code: 'MALFORMED' } },
    });
    expect(await raw('property', {})).toMatchObject({ status: 400 });
    expect(await raw('status', 'not an object')).toMatchObject({ status: 400 });
  });
});

describe('live events over WebSocket', () => {
  it('refuses a client without the token and streams blocks to one with it', async () => {
    const refused = new WebSocket(`${node.apiUrl.replace('http', 'ws')}/api/v1/events`, [EVENTS_PROTOCOL]);
    const error = await new Promise<Error>((resolve) => refused.once('error', resolve));
    expect(error.message).toMatch(/401/);
    const blocks: ApiEvent[] = [];
    const close = await httpEvents((event) => event.type === 'block' && blocks.push(event));
    const deadline = Date.now() + 10_000;
    while (blocks.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    close();
    expect(blocks.length).toBeGreaterThan(0);
  });
});
