// gossip: node-to-node transaction propagation between two notary networks (validation, peer
// scoring, content ids, the permissioned gater) against a bare gossipsub pair on the same
// loopback moving the same payloads, both in this process, measured back to back.
import { gossipsub, type GossipSub } from '@chainsafe/libp2p-gossipsub';
import { noise } from '@chainsafe/libp2p-noise';
import { yamux } from '@chainsafe/libp2p-yamux';
import { identify } from '@libp2p/identify';
import { tcp } from '@libp2p/tcp';
import { createLibp2p } from 'libp2p';
import { encodeTransaction, type Transaction } from '../../shared/ledger/index.js';
import { createNetwork, type NotaryNetwork } from '../../electron/node/network/index.js';
import { benchGenesis, figure, type Figure } from './common.js';
import { fastTransfer, genesisObject } from './fixtures.js';

const IN_FLIGHT = 64;
const TIMEOUT_MS = 60_000;

async function until(what: string, condition: () => boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`bench: timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Publishes every payload with a bounded number in flight; resolves with messages/s at the receiver. */
async function pump(
  payloads: Uint8Array[],
  publish: (bytes: Uint8Array) => Promise<unknown>,
  received: () => number,
): Promise<{ rate: number; delivered: number }> {
  const start = performance.now();
  let next = 0;
  const workers = Array.from({ length: IN_FLIGHT }, async () => {
    while (next < payloads.length) {
      const bytes = payloads[next++]!;
      await publish(bytes).catch(() => undefined);
    }
  });
  await Promise.all(workers);
  const deadline = Date.now() + TIMEOUT_MS;
  let last = received();
  let lastChange = Date.now();
  while (received() < payloads.length && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 10));
    if (received() !== last) {
      last = received();
      lastChange = Date.now();
    } else if (Date.now() - lastChange > 5_000) break; // the rest were dropped
  }
  const seconds = (performance.now() - start) / 1000;
  return { rate: received() / seconds, delivered: received() };
}

async function barePair(payloads: Uint8Array[]): Promise<{ rate: number; delivered: number }> {
  const make = () =>
    createLibp2p({
      addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] },
      transports: [tcp()],
      connectionEncrypters: [noise()],
      streamMuxers: [yamux()],
      services: {
        identify: identify(),
        pubsub: gossipsub({ emitSelf: false, maxOutboundBufferSize: 64 * 1024 * 1024 }),
      },
    });
  const a = await make();
  const b = await make();
  try {
    const topic = 'bench-tx';
    let count = 0;
    b.services.pubsub.addEventListener('message', (event) => {
      if (event.detail.topic === topic) count++;
    });
    a.services.pubsub.subscribe(topic);
    b.services.pubsub.subscribe(topic);
    await a.dial(b.getMultiaddrs()[0]!);
    await until('the bare pair to subscribe', () => a.services.pubsub.getSubscribers(topic).length > 0);
    await until('the bare mesh', () => (a.services.pubsub as unknown as GossipSub).getMeshPeers(topic).length > 0);
    return await pump(
      payloads,
      (bytes) => a.services.pubsub.publish(topic, bytes),
      () => count,
    );
  } finally {
    await Promise.all([a.stop(), b.stop()]);
  }
}

async function notaryPair(chainId: string, payloads: Uint8Array[]): Promise<{ rate: number; delivered: number }> {
  const networks: NotaryNetwork[] = [];
  try {
    const a = await createNetwork({ chainId, listen: ['/ip4/127.0.0.1/tcp/0'], mdns: false });
    networks.push(a);
    const b = await createNetwork({ chainId, listen: ['/ip4/127.0.0.1/tcp/0'], mdns: false });
    networks.push(b);
    await a.setAllowedPeers([b.peerId]);
    await b.setAllowedPeers([a.peerId]);
    let count = 0;
    b.subscribe('tx', () => void count++);
    a.subscribe('tx', () => undefined);
    await a.dial(b.multiaddrs()[0]!);
    await until('the notary mesh', () => a.libp2p.services.pubsub.getMeshPeers(a.topic('tx')).includes(b.peerId));
    return await pump(
      payloads,
      (bytes) => a.publish('tx', bytes),
      () => count,
    );
  } finally {
    await Promise.all(networks.map((network) => network.stop()));
  }
}

export async function benchGossip(messages: number): Promise<Figure[]> {
  const genesis = benchGenesis(messages);
  const txs: Transaction[] = Array.from({ length: messages }, (_, i) =>
    fastTransfer(genesisObject(genesis, i), { chainId: genesis.chainId, nowMs: genesis.genesisTimeMs, nonce: i }),
  );
  const payloads = txs.map((tx) => encodeTransaction(tx));
  // Alternate the two so that machine noise hits both alike; keep the better of two rounds each.
  const bare1 = await barePair(payloads);
  const notary1 = await notaryPair(genesis.chainId, payloads);
  const bare2 = await barePair(payloads);
  const notary2 = await notaryPair(genesis.chainId, payloads);
  const bare = bare1.rate >= bare2.rate ? bare1 : bare2;
  const notary = notary1.rate >= notary2.rate ? notary1 : notary2;
  const size = Math.round(payloads.reduce((sum, bytes) => sum + bytes.length, 0) / payloads.length);
  return [
    figure({
      figure: 'gossip',
      what: `node-to-node transfer propagation (notary network, tx topic): ${messages} transfers of ${size} B`,
      value: notary.rate,
      unit: 'msg/s',
      limit: bare.rate,
      note: `limit = a bare gossipsub pair's messages/s with the same payloads; delivered ${notary.delivered}/${messages} vs bare ${bare.delivered}/${messages}`,
    }),
  ];
}
