// A gossip stream that dies while its connection stays open (decision #72). gossipsub keeps one
// long-lived stream each way per peer and makes them only when a peer connects: a stream reset
// under a live connection (a second connection from a dial race closing, a stream error on a
// loaded machine) left the peer connected, counted and deaf: gossipsub dropped it, or kept a dead
// stream and wrote into it for ever. Three CI runs found a validator of a four-node devnet stuck
// that way, tens of blocks behind, with nothing in its log. The network's link watch finds such
// a peer and closes the connection, so that both sides start afresh, and says so.
import { peerIdFromString } from '@libp2p/peer-id';
import { afterEach, describe, expect, it } from 'vitest';
import { encodeConsensusMessage, signVoteMessage } from '../../shared/chain/messages.js';
import { devKeys } from '../../electron/node/dev/demo-registry.js';
import { createNetwork, type GossipMessage, type NotaryNetwork } from '../../electron/node/network/index.js';
import { GOSSIP_LINK_GRACE_MS } from '../../electron/node/network/gossip/link-watch.js';

const chainId = 'gossip-link-test';
const networks: NotaryNetwork[] = [];
let votes = 0;
/** A well-formed vote, a new one each time (gossip drops a message it has seen). */
const vote = () =>
  encodeConsensusMessage(signVoteMessage(devKeys.registrar.secretKey, chainId, 'prevote', ++votes, 0, 'ab'.repeat(32)));
const warnings: string[] = [];

async function startNode(): Promise<NotaryNetwork> {
  const log = {
    debug: () => undefined,
    info: () => undefined,
    warn: (_fields: unknown, message: string) => void warnings.push(message),
    error: () => undefined,
  };
  const network = await createNetwork({ chainId, listen: ['/ip4/127.0.0.1/tcp/0'], mdns: false, logger: log });
  networks.push(network);
  return network;
}

async function waitFor(what: string, condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** The gossipsub streams between a node and a peer, on its open connections. */
function gossipStreams(network: NotaryNetwork, peer: NotaryNetwork) {
  const codecs = network.libp2p.services.pubsub.multicodecs;
  return network.libp2p
    .getConnections(peerIdFromString(peer.peerId))
    .filter((connection) => connection.status === 'open')
    .flatMap((connection) => connection.streams)
    .filter((stream) => codecs.includes(stream.protocol ?? ''));
}

afterEach(async () => {
  await Promise.all(networks.splice(0).map((network) => network.stop()));
  warnings.length = 0;
});

describe('a gossip stream reset under a live connection', () => {
  it.each([
    ['both gossip streams', ['inbound', 'outbound']],
    ['the stream from the peer', ['inbound']],
  ])(
    '(%s) is found and the link made again, so the peer hears gossip once more',
    async (_, reset) => {
      const [a, b] = [await startNode(), await startNode()];
      await a.setAllowedPeers([b.peerId]);
      await b.setAllowedPeers([a.peerId]);
      const heardByB: GossipMessage[] = [];
      const heardByA: GossipMessage[] = [];
      b.subscribe('consensus', (message) => void heardByB.push(message));
      a.subscribe('consensus', (message) => void heardByA.push(message));
      await a.dial(b.multiaddrs()[0]!);
      const topic = a.topic('consensus');
      await waitFor('a mesh', () => a.libp2p.services.pubsub.getMeshPeers(topic).includes(b.peerId));

      const publish = async () => {
        await a.publish('consensus', vote()).catch(() => undefined);
      };
      await publish();
      await waitFor('the first message', () => heardByB.length === 1);

      // b resets gossip streams; the connection stays open
      const streams = gossipStreams(b, a);
      expect(streams.map((stream) => stream.direction).sort()).toEqual(['inbound', 'outbound']);
      for (const stream of streams)
        if (reset.includes(stream.direction)) stream.abort(new Error('test: the stream is reset'));
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(a.libp2p.getConnections(peerIdFromString(b.peerId)).length).toBeGreaterThan(0);

      // a keeps publishing; b hears it again once the link watch has made the link again
      await waitFor(
        'b to hear a again',
        () => {
          void publish();
          return heardByB.length > 1;
        },
        GOSSIP_LINK_GRACE_MS * 3 + 10_000,
      );
      expect(warnings.some((warning) => warning.startsWith('gossip has no working stream'))).toBe(true);
      expect(a.metrics().links.repaired + b.metrics().links.repaired).toBeGreaterThan(0);
      // both ways: b's own messages reach a again too
      await waitFor(
        'a to hear b',
        () => {
          void b.publish('consensus', vote()).catch(() => undefined);
          return heardByA.length > 0;
        },
        10_000,
      );
    },
    90_000,
  );
});

describe('a latency ping under way when the connection monitor pings', () => {
  it('leaves the connection open (the monitor aborted it when both pinged at once)', async () => {
    const [a, b] = [await startNode(), await startNode()];
    await a.setAllowedPeers([b.peerId]);
    await b.setAllowedPeers([a.peerId]);
    await a.dial(b.multiaddrs()[0]!);
    const peerB = peerIdFromString(b.peerId);
    const connection = a.libp2p.getConnections(peerB)[0]!;
    // a latency ping that takes long on a loaded machine: its stream stays open across the
    // monitor's next heartbeat (every 10 s)
    const held = await connection.newStream('/ipfs/ping/1.0.0');
    expect(await a.libp2p.services.ping.ping(peerB)).toBeGreaterThanOrEqual(0);
    await new Promise((resolve) => setTimeout(resolve, 12_000));
    expect(connection.status).toBe('open');
    expect(connection.rtt).toBeGreaterThanOrEqual(0); // the monitor's heartbeat went through
    await held.close();
  }, 30_000);
});
