// Real libp2p nodes in one process on 127.0.0.1: gossip with validation and peer scoring,
// the permissioned gater, private networks, and block sync between two LevelDB chains.
import { peerIdFromPrivateKey, peerIdFromString } from '@libp2p/peer-id';
import { lpStream } from 'it-length-prefixed-stream';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { encodeConsensusMessage, signVoteMessage } from '../../shared/chain/messages.js';
import { decode, encode } from '../../shared/codec/index.js';
import { encodeTransaction, type Transaction } from '../../shared/ledger/index.js';
import { Chain } from '../../electron/node/chain/chain.js';
import { devCommitBlock, devGenesis, devKeys, devTransfers } from '../../electron/node/dev/demo-registry.js';
import {
  chainSyncSource,
  createNetwork,
  encodeBlockAnnouncement,
  generateSwarmKey,
  loadOrCreateIdentity,
  NetworkError,
  SYNC_FRAME_BYTES_MAX,
  Syncer,
  syncProtocol,
  type GossipMessage,
  type NetworkInit,
  type NotaryNetwork,
  type SyncProgress,
  type TopicKind,
} from '../../electron/node/network/index.js';

const OBJECTS = 60;
const PARTIES = 10;
const genesis = devGenesis({ objects: OBJECTS, parties: PARTIES });
const chainId = genesis.chainId;
const KINDS: TopicKind[] = ['tx', 'consensus', 'block'];

const networks: NotaryNetwork[] = [];
const chains: Chain[] = [];
const dirs: string[] = [];

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'notary-net-'));
  dirs.push(dir);
  return dir;
}

async function openChain(): Promise<Chain> {
  const chain = await Chain.open({ dir: await tempDir(), genesis });
  chains.push(chain);
  return chain;
}

async function startNode(init: Partial<NetworkInit> = {}): Promise<NotaryNetwork> {
  const network = await createNetwork({ chainId, listen: ['/ip4/127.0.0.1/tcp/0'], mdns: false, ...init });
  networks.push(network);
  return network;
}

/** Lets each node admit exactly the listed others. */
async function allow(network: NotaryNetwork, ...others: NotaryNetwork[]): Promise<void> {
  await network.setAllowedPeers(others.map((other) => other.peerId));
}

async function connect(a: NotaryNetwork, b: NotaryNetwork): Promise<void> {
  await a.dial(b.multiaddrs()[0]!);
}

function connected(a: NotaryNetwork, b: NotaryNetwork): boolean {
  return a.libp2p.getConnections(peerIdFromString(b.peerId)).length > 0;
}

async function waitFor(what: string, condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function meshed(network: NotaryNetwork, kind: TopicKind, ...others: NotaryNetwork[]): boolean {
  const mesh = network.libp2p.services.pubsub.getMeshPeers(network.topic(kind));
  return others.every((other) => mesh.includes(other.peerId));
}

/** Collects accepted messages per topic. */
function collect(network: NotaryNetwork, kinds: TopicKind[] = KINDS): GossipMessage[] {
  const received: GossipMessage[] = [];
  for (const kind of kinds) network.subscribe(kind, (message) => void received.push(message));
  return received;
}

async function commitTransfers(chain: Chain, count: number) {
  const timeMs = chain.head.header.timeMs + 1_000;
  const txs = await devTransfers(chain, count, {
    objects: OBJECTS,
    parties: PARTIES,
    seed: chain.head.height,
    nowMs: timeMs,
  });
  return devCommitBlock(chain, txs, timeMs);
}

afterEach(async () => {
  await Promise.all(networks.splice(0).map((network) => network.stop()));
});

afterAll(async () => {
  for (const chain of chains.splice(0)) await chain.close();
  await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

describe('gossip', () => {
  // Real messages for each topic: transactions, votes and committed blocks of a dev chain.
  const txs: Transaction[] = [];
  const blocks: Uint8Array[] = [];
  beforeAll(async () => {
    const chain = await openChain();
    for (let i = 0; i < 3; i++) {
      const { block, commit } = await commitTransfers(chain, 2);
      blocks.push(encodeBlockAnnouncement({ block, commit }));
    }
    txs.push(
      ...(await devTransfers(chain, 4, {
        objects: OBJECTS,
        parties: PARTIES,
        seed: 99,
        nowMs: chain.head.header.timeMs + 1_000,
      })),
    );
  });

  function messageFor(kind: TopicKind, index: number): Uint8Array {
    if (kind === 'tx') return encodeTransaction(txs[index]!);
    if (kind === 'block') return blocks[index]!;
    return encodeConsensusMessage(
      signVoteMessage(devKeys.registrar.secretKey, chainId, 'prevote', index + 1, 0, 'ab'.repeat(32)),
    );
  }

  it('delivers a message on each topic from each of three nodes to the other two [REQ-NET.3]', async () => {
    const nodes = [await startNode(), await startNode(), await startNode()];
    const [a, b, c] = nodes as [NotaryNetwork, NotaryNetwork, NotaryNetwork];
    await allow(a, b, c);
    await allow(b, a, c);
    await allow(c, a, b);
    const received = nodes.map((node) => collect(node));
    await connect(a, b);
    await connect(a, c);
    await connect(b, c);
    for (const kind of KINDS)
      await waitFor(`${kind} mesh`, () => meshed(a, kind, b, c) && meshed(b, kind, a, c) && meshed(c, kind, a, b));

    for (const [index, node] of nodes.entries()) {
      for (const kind of KINDS) expect((await node.publish(kind, messageFor(kind, index))).outcome).toBe('sent');
    }
    await waitFor('every message everywhere', () => received.every((list) => list.length === 2 * KINDS.length));

    for (const [index, node] of nodes.entries()) {
      const others = nodes.filter((other) => other !== node).map((other) => other.peerId);
      for (const kind of KINDS) {
        const got = received[index]!.filter((message) => message.kind === kind);
        expect(got.map((message) => message.authorPeerId).sort()).toEqual([...others].sort());
      }
      const metrics = node.metrics();
      for (const kind of KINDS) expect(metrics[kind]).toMatchObject({ accepted: 2, rejected: 0, published: 1 });
    }
  });

  it('does not forward a message its validator rejects, and lowers the sender score [REQ-NET.3]', async () => {
    // A line a - b - c: a and c refuse each other, so whatever c gets from a came through b.
    const [a, b, c] = [await startNode(), await startNode(), await startNode()];
    await allow(a, b);
    await allow(b, a, c);
    await allow(c, b);
    collect(a, ['tx']);
    const atB = collect(b, ['tx']);
    const atC = collect(c, ['tx']);
    await connect(a, b);
    await connect(c, b);
    await waitFor('tx mesh', () => meshed(b, 'tx', a, c) && meshed(a, 'tx', b) && meshed(c, 'tx', b));

    // A valid transaction from a reaches c through b.
    await a.publish('tx', messageFor('tx', 0));
    await waitFor('the valid tx at c', () => atC.length === 1);
    expect(atC[0]!.authorPeerId).toBe(a.peerId);
    expect(atC[0]!.fromPeerId).toBe(b.peerId);

    // Bytes that are not a transaction: b rejects them (MALFORMED) and does not pass them on.
    await a.publish('tx', new Uint8Array([0xff, 0x00, 0x13, 0x37]));
    await waitFor('b rejecting the bad tx', () => b.metrics().tx.rejected === 1);
    expect(b.metrics().tx.reasons).toMatchObject({ MALFORMED: 1 });
    await waitFor('a score below zero at b', () => b.gossipScore(a.peerId) < 0);
    expect(b.peers().find((peer) => peer.peerId === a.peerId)?.gossipScore).toBeLessThan(0);
    // Give a forwarded copy time to arrive, had there been one.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(atB).toHaveLength(1);
    expect(atC).toHaveLength(1);
    expect(c.metrics().tx).toMatchObject({ accepted: 1, rejected: 0, ignored: 0 });
    expect(c.gossipScore(b.peerId)).toBeGreaterThanOrEqual(0);
  });
});

describe('permissioned connections [REQ-NET.2]', () => {
  it('refuses a peer that is not on the allowlist, in both directions', async () => {
    const [a, stranger] = [await startNode(), await startNode()];
    await allow(a); // a admits nobody
    await allow(stranger, a); // the stranger would talk to a
    await expect(a.dial(stranger.multiaddrs()[0]!)).rejects.toThrow();
    // a refuses right after the handshake, so the stranger's dial fails or its connection dies at once.
    await stranger.dial(a.multiaddrs()[0]!).catch(() => undefined);
    await waitFor('no connection either way', () => !connected(stranger, a) && !connected(a, stranger));
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(connected(a, stranger) || connected(stranger, a)).toBe(false);
    expect(a.peers()).toEqual([]);
  });

  it('disconnects a peer removed from the allowlist and refuses it afterwards', async () => {
    const [a, b] = [await startNode(), await startNode()];
    await allow(a, b);
    await allow(b, a);
    await connect(b, a);
    await waitFor('a connection', () => connected(a, b) && connected(b, a));
    expect(a.peers().map((peer) => peer.peerId)).toEqual([b.peerId]);

    await waitFor('a ping round trip', () => a.peers()[0]?.latencyMs !== null);
    const [info] = a.peers();
    expect(info).toMatchObject({
      peerId: b.peerId,
      addresses: [expect.stringMatching(/^\/ip4\/127\.0\.0\.1\/tcp\/\d+/)],
    });
    expect(info!.latencyMs).toBeGreaterThanOrEqual(0);
    expect(info!.connectedSinceMs).toBeLessThanOrEqual(Date.now());

    await a.setAllowedPeers([]);
    await waitFor('the connection closed on both sides', () => !connected(a, b) && !connected(b, a));
    await b.dial(a.multiaddrs()[0]!).catch(() => undefined);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(connected(a, b)).toBe(false);
  });
});

describe('bootstrap and identity', () => {
  it('dials its bootstrap peers at start and keeps its peer id across restarts [REQ-NET.1]', async () => {
    const identityFile = join(await tempDir(), 'node.key');
    const peerId = peerIdFromPrivateKey(await loadOrCreateIdentity(identityFile)).toString();
    const a = await startNode();
    await a.setAllowedPeers([peerId]);
    const init = { identityFile, bootstrap: [a.multiaddrs()[0]!], allowedPeers: [a.peerId] };

    const b = await startNode(init);
    expect(b.peerId).toBe(peerId);
    await waitFor('the bootstrap connection', () => connected(b, a) && connected(a, b));
    await b.stop();

    const again = await startNode(init);
    expect(again.peerId).toBe(peerId);
    await waitFor('the bootstrap connection after a restart', () => connected(again, a));
  });

  it('refuses a bootstrap address that does not name its peer', async () => {
    await expect(startNode({ bootstrap: ['/ip4/127.0.0.1/tcp/4001'] })).rejects.toMatchObject({ code: 'BAD_CONFIG' });
  });
});

describe('private network', () => {
  it('keeps nodes with different swarm keys apart [REQ-NET.2]', async () => {
    const key = generateSwarmKey();
    const [member, sameKey, otherKey] = [
      await startNode({ swarmKey: key }),
      await startNode({ swarmKey: key }),
      await startNode({ swarmKey: generateSwarmKey() }),
    ];
    await allow(member, sameKey, otherKey);
    await allow(sameKey, member);
    await allow(otherKey, member);

    // The handshake never gets through the other key's encryption; the dial fails or stalls until
    // its deadline (libp2p's own dial timeout in production, 2 s here).
    const outcomes = await Promise.allSettled([
      otherKey.dial(member.multiaddrs()[0]!, { signal: AbortSignal.timeout(2_000) }),
      member.dial(otherKey.multiaddrs()[0]!, { signal: AbortSignal.timeout(2_000) }),
    ]);
    expect(outcomes.map((outcome) => outcome.status)).toEqual(['rejected', 'rejected']);
    expect(connected(member, otherKey) || connected(otherKey, member)).toBe(false);

    await sameKey.dial(member.multiaddrs()[0]!);
    await waitFor('the same-key connection', () => connected(member, sameKey));
  });
});

describe('sync', () => {
  let served: Chain;
  beforeAll(async () => {
    served = await openChain();
    for (let i = 0; i < 30; i++) await commitTransfers(served, 2);
  });

  async function servingPair() {
    const fresh = await openChain();
    const server = await startNode({ syncSource: chainSyncSource(served) });
    const client = await startNode({ syncSource: chainSyncSource(fresh) });
    await allow(server, client);
    await allow(client, server);
    await connect(client, server);
    await waitFor('a connection', () => connected(client, server));
    return { fresh, server, client };
  }

  it('catches a fresh chain up 30 blocks to the same head hash [REQ-SYNC.1]', async () => {
    const { fresh, server, client } = await servingPair();
    const syncer = new Syncer({
      client,
      local: chainSyncSource(fresh),
      apply: (block, commit) => fresh.commit(block, commit),
      batchBlocks: 8,
    });
    const targets: SyncProgress[] = [];
    const progress: SyncProgress[] = [];
    syncer.addEventListener('sync:target', (event) => targets.push(event.detail));
    syncer.addEventListener('sync:progress', (event) => progress.push(event.detail));

    const result = await syncer.sync();

    expect(result).toMatchObject({
      height: 30,
      targetHeight: 30,
      appliedBlocks: 30,
      requests: 4,
      outcome: 'caught-up',
      failedPeers: [],
    });
    expect(fresh.head.hash).toBe(served.head.hash);
    expect(targets[0]).toEqual({ targetHeight: 30, currentHeight: 0 });
    expect(progress.map((event) => event.currentHeight)).toEqual([8, 16, 24, 30]);
    expect(server.metrics().sync.served).toBeGreaterThanOrEqual(5); // statuses + 4 block ranges
    expect(client.metrics().sync.failed).toBe(0);
  });

  it('answers bad sync requests with an error code and keeps serving [REQ-SYNC.1]', async () => {
    const { server, client } = await servingPair();
    async function ask(payload: Uint8Array): Promise<{ type: string; code?: string }> {
      const stream = await client.libp2p.dialProtocol(peerIdFromString(server.peerId), syncProtocol(chainId));
      const lp = lpStream(stream, { maxDataLength: SYNC_FRAME_BYTES_MAX });
      await lp.write(payload);
      await stream.closeWrite();
      const reply = decode((await lp.read()).subarray()) as { type: string; code?: string };
      await stream.close();
      return reply;
    }

    expect(await ask(new Uint8Array([0xff, 0xfe, 0x00]))).toMatchObject({ type: 'error', code: 'BAD_REQUEST' }); // not CBOR
    expect(
      await ask(
        new Uint8Array([0xa1, 0x64, 0x74, 0x79, 0x70, 0x65, 0x78, 0x06, ...new TextEncoder().encode('status')]),
      ),
    ).toMatchObject({ type: 'error', code: 'BAD_REQUEST' }); // not canonical
    expect(await ask(encode({ type: 'headers' }))).toMatchObject({ type: 'error', code: 'BAD_REQUEST' });
    expect(await ask(encode({ type: 'blocks', from: 1, to: 2, extra: true }))).toMatchObject({
      type: 'error',
      code: 'BAD_REQUEST',
    });
    expect(await ask(new Uint8Array(4096))).toMatchObject({ type: 'error', code: 'BAD_REQUEST' }); // over the request limit
    expect(await ask(encode({ type: 'blocks', from: 9, to: 3 }))).toMatchObject({ type: 'error', code: 'BAD_RANGE' });
    expect(await ask(encode({ type: 'blocks', from: 0, to: 3 }))).toMatchObject({ type: 'error', code: 'BAD_RANGE' });
    expect(await ask(encode({ type: 'blocks', from: 1, to: 65 }))).toMatchObject({ type: 'error', code: 'BAD_RANGE' });
    expect(await ask(encode({ type: 'blocks', from: 31, to: 40 }))).toMatchObject({
      type: 'error',
      code: 'UNAVAILABLE',
    });
    await expect(client.requestBlocks(server.peerId, 31, 40)).rejects.toMatchObject({
      code: 'REMOTE_ERROR',
      remoteCode: 'UNAVAILABLE',
    });
    await expect(client.requestBlocks(server.peerId, 5, 1)).rejects.toBeInstanceOf(NetworkError);

    // Still serving, and a range past the head is cut at the head.
    expect(await client.requestStatus(server.peerId)).toEqual({
      genesisHash: expect.any(String),
      height: 30,
      headHash: served.head.hash,
    });
    const tail = await client.requestBlocks(server.peerId, 28, 40);
    expect(tail.map((block) => block.height)).toEqual([28, 29, 30]);
    expect(server.metrics().sync.refused).toBe(10);
  });
});
