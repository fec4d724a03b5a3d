// createNetwork: builds the libp2p node (TCP, noise, yamux, identify, ping, gossipsub with peer
// scoring, bootstrap, optional mDNS and pnet) around a persisted identity and the permissioned
// gater, and returns the started NotaryNetwork.
import { gossipsub, type GossipSub, type GossipSubComponents } from '@chainsafe/libp2p-gossipsub';
import type { RPC } from '@chainsafe/libp2p-gossipsub/message';
import { noise } from '@chainsafe/libp2p-noise';
import { yamux } from '@chainsafe/libp2p-yamux';
import { bootstrap } from '@libp2p/bootstrap';
import { generateKeyPair } from '@libp2p/crypto/keys';
import { identify } from '@libp2p/identify';
import type { Message } from '@libp2p/interface';
import { mdns } from '@libp2p/mdns';
import { ping } from '@libp2p/ping';
import { preSharedKey } from '@libp2p/pnet';
import { tcp } from '@libp2p/tcp';
import { multiaddr } from '@multiformats/multiaddr';
import { createLibp2p } from 'libp2p';
import { createHash } from 'node:crypto';
import { schema } from '../../../shared/ledger/index.js';
import { NetworkError, NetworkErrorCode } from './errors.js';
import { canonicalPeerId, PermissionedGater } from './gater.js';
import { defaultValidators } from './gossip/messages.js';
import { loadOrCreateIdentity } from './identity.js';
import { TOPIC_KINDS } from './interface.js';
import { NotaryNetwork, type NotaryLibp2p } from './network.js';
import { DEFAULT_LISTEN, resolveLimits, silentLogger, type NetworkInit } from './options.js';
import { parseSwarmKey, readSwarmKeyFile } from './swarm-key.js';
import { GOSSIP_RPC_BYTES_MAX, PEER_SCORE_THRESHOLDS, peerScoreParams, topicName } from './topics.js';

/** Bytes a slow peer may have queued towards it before gossipsub refuses to queue more. */
const GOSSIP_OUTBOUND_BUFFER_BYTES_MAX = 64 * 1024 * 1024;
const MDNS_INTERVAL_MS = 20_000;

export async function createNetwork(init: NetworkInit): Promise<NotaryNetwork> {
  const chainId = checkChainId(init.chainId);
  const limits = resolveLimits(init.limits);
  const log = init.logger ?? silentLogger;
  const listen = (init.listen ?? DEFAULT_LISTEN).map((address) => parseMultiaddr(address, 'listen address').toString());
  const bootstrapList = (init.bootstrap ?? []).map(checkBootstrapAddress);
  const privateKey = init.identityFile
    ? await loadOrCreateIdentity(init.identityFile)
    : await generateKeyPair('Ed25519');
  const psk = init.swarmKey
    ? parseSwarmKey(init.swarmKey)
    : init.swarmKeyFile
      ? await readSwarmKeyFile(init.swarmKeyFile)
      : undefined;
  const gater = new PermissionedGater(init.allowedPeers);

  const libp2p: NotaryLibp2p = await createLibp2p({
    privateKey,
    start: false,
    addresses: { listen },
    transports: [tcp()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    connectionGater: gater.connectionGater(),
    ...(psk ? { connectionProtector: preSharedKey({ psk }) } : {}),
    connectionManager: { maxConnections: limits.connectionsMax },
    // libp2p pings each connection every 10 s and aborts it when a ping outlasts an adaptive
    // timeout (at least 5 s by default). A desktop whose CPU is busy for a few seconds (a block
    // executed, ten nodes on two cores) then loses every connection at once and gossip meshes
    // never settle; a link is dropped only after a ping unanswered for this long.
    connectionMonitor: { pingTimeout: { minTimeout: limits.connectionPingTimeoutMinMs } },
    peerDiscovery: [
      ...(bootstrapList.length > 0 ? [bootstrap({ list: bootstrapList })] : []),
      ...(init.mdns ? [mdns({ interval: MDNS_INTERVAL_MS })] : []),
    ],
    services: {
      identify: identify(init.agentVersion ? { agentVersion: init.agentVersion } : {}),
      ping: ping({ maxOutboundStreams: PING_STREAMS_MAX, maxInboundStreams: PING_STREAMS_MAX }),
      pubsub: gossipsub({
        // Validation is ours (gossip/gossip-topics.ts): nothing is forwarded before we report on it.
        asyncValidation: true,
        emitSelf: false,
        fallbackToFloodsub: false,
        // Permissioned: peers come from the allowlist, not from other peers' exchange lists.
        doPX: false,
        allowedTopics: TOPIC_KINDS.map((kind) => topicName(chainId, kind)),
        msgIdFn: contentMessageId,
        fastMsgIdFn: signedCopyId,
        scoreParams: peerScoreParams(chainId),
        scoreThresholds: PEER_SCORE_THRESHOLDS,
        maxInboundDataLength: GOSSIP_RPC_BYTES_MAX,
        maxOutboundBufferSize: GOSSIP_OUTBOUND_BUFFER_BYTES_MAX,
      }) as (components: GossipSubComponents) => GossipSub, // the factory is typed as a plain PubSub
    },
  });

  const network = new NotaryNetwork({
    chainId,
    libp2p,
    gater,
    validators: { ...defaultValidators(chainId), ...init.validators },
    ...(init.syncSource ? { syncSource: init.syncSource } : {}),
    limits,
    log,
  });
  if (init.start !== false) await network.start();
  return network;
}

/**
 * Ping streams one connection may have open at once, each way. libp2p's connection monitor pings
 * every connection every 10 s over the same protocol as the peer list's latency pings (peers.ts).
 * With ping's default of one outbound stream, the two meeting on a connection failed the
 * monitor's ping with TooManyOutboundProtocolStreams, and the monitor aborted the healthy
 * connection (decision #72): on a loaded machine, where pings last longer, several times a
 * minute, and each abort could leave gossip deaf to that peer. A heartbeat that outlasts the next
 * one needs a third.
 */
export const PING_STREAMS_MAX = 4;

/** Consensus messages up to this size are votes; a proposal carries a whole block and is always larger. */
export const VOTE_MESSAGE_BYTES_MAX = 512;

/**
 * Message id = sha256(topic, data), first 20 bytes: the same transaction, proposal or block
 * gossiped by two nodes is one message, validated and forwarded once. Votes add the author and
 * sequence number: the consensus driver re-sends its current votes every gossip interval, for
 * peers that joined late or lost them, and a content id would swallow each re-send as a
 * duplicate (a stalled height on a network that started unevenly). Proposals stay
 * content-addressed: re-flooding a block of a megabyte every second would starve the CPU.
 */
function contentMessageId(message: Message): Uint8Array {
  const hash = createHash('sha256').update(message.topic).update(message.data);
  if (
    message.type === 'signed' &&
    message.topic.endsWith('/consensus/1') &&
    message.data.length <= VOTE_MESSAGE_BYTES_MAX
  ) {
    hash.update(message.from.toString()).update(message.sequenceNumber.toString());
  }
  return hash.digest().subarray(0, 20);
}

/**
 * A received copy's local key for gossipsub's first duplicate check, before its peer signature is
 * verified: the topic, author, sequence number and signature. Without it, gossipsub verified the
 * signature of every copy a mesh brings (one from each peer that forwards it) before finding it a
 * duplicate: that check was the largest single cost of an idle validator (decision #78).
 * Sound for StrictSign: gossipsub caches a key only after its copy passed the signature check,
 * and an ed25519 signature binds the author, sequence number, topic and data, so a copy with a
 * valid signature under a cached key is that same message; a copy with altered data under it is
 * dropped as the duplicate it claims to be, never delivered. A re-sent vote has a new sequence
 * number and signature, so a new key. No wire change: the key never leaves the node.
 */
export function signedCopyId(message: RPC.Message): string {
  // a copy without a signature or author fails the check that follows: a key no valid copy has
  if (!message.signature || !message.from) return '';
  return `${message.topic}|${base64(message.from)}|${base64(message.seqno ?? new Uint8Array())}|${base64(message.signature)}`;
}

const base64 = (bytes: Uint8Array) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');

function checkChainId(chainId: string): string {
  const parsed = schema.chainId.safeParse(chainId);
  if (!parsed.success)
    throw new NetworkError(
      NetworkErrorCode.badConfig,
      `"${chainId}" is not a chain id: ${parsed.error.issues[0]?.message}`,
    );
  return parsed.data;
}

function parseMultiaddr(address: string, what: string) {
  try {
    return multiaddr(address);
  } catch (error) {
    throw new NetworkError(
      NetworkErrorCode.badConfig,
      `${what} "${address}" is not a multiaddr (${(error as Error).message})`,
    );
  }
}

/** A bootstrap address must name its peer: the gater can then refuse it before dialing if it is not allowed. */
function checkBootstrapAddress(address: string): string {
  const parsed = parseMultiaddr(address, 'bootstrap address');
  const peerId = parsed.getPeerId();
  if (!peerId)
    throw new NetworkError(NetworkErrorCode.badConfig, `bootstrap address "${address}" does not end in /p2p/<peer id>`);
  canonicalPeerId(peerId);
  return parsed.toString();
}
