// Options of createNetwork: every one optional except the chain id, with defaults that
// suit a desktop node on a district office LAN and keep tests on loopback.
import type { GossipValidator, NetworkLogger, SyncSource, TopicKind } from './interface.js';

export interface NetworkInit {
  chainId: string;
  /** Multiaddrs to listen on. Default: /ip4/127.0.0.1/tcp/0 (loopback, any port). */
  listen?: string[];
  /** Ed25519 identity key file (libp2p protobuf form), created with mode 0600 when missing. Default: a new in-memory key. */
  identityFile?: string;
  /** Bootstrap peers: multiaddrs that end in /p2p/<peer id>. Default: none. */
  bootstrap?: string[];
  /** Find peers on the LAN with mDNS (district offices). Default: false. */
  mdns?: boolean;
  /** Private network: path of a swarm.key file (`/key/swarm/psk/1.0.0/`, `/base16/`, 64 hex). Default: none. */
  swarmKeyFile?: string;
  /** Private network: the swarm.key file content, instead of swarmKeyFile. */
  swarmKey?: Uint8Array;
  /** Peers admitted at start (the node then feeds the authority registry + config allowlist). Default: none. */
  allowedPeers?: Iterable<string>;
  /** Per-topic validators. Default: shape checks only (defaultValidators). */
  validators?: Partial<Record<TopicKind, GossipValidator>>;
  /** What the sync server serves. Default: no sync server. */
  syncSource?: SyncSource;
  /** Limits and timeouts; see NETWORK_DEFAULTS. */
  limits?: Partial<NetworkLimits>;
  logger?: NetworkLogger;
  /** Start listening at once. Default: true. */
  start?: boolean;
  /** What identify tells peers of this software (agent.ts: `notary/0.1.0 protocols=1,2`). Default: libp2p's. */
  agentVersion?: string;
}

export interface NetworkLimits {
  /** Messages waiting for validation per topic; a message arriving at a full queue is ignored (dropped, no penalty). */
  validationQueueLength: Record<TopicKind, number>;
  /** Validations running at once per topic. */
  validationConcurrency: Record<TopicKind, number>;
  /** Open connections at most. */
  connectionsMax: number;
  statusTimeoutMs: number;
  blocksTimeoutMs: number;
  /** How often connected peers are pinged for latency. */
  pingIntervalMs: number;
  pingTimeoutMs: number;
  /** The shortest wait for libp2p's connection-monitor ping before it aborts a connection. */
  connectionPingTimeoutMinMs: number;
  /** Sync requests served at once (over all peers); more are refused with BUSY. */
  syncServeConcurrency: number;
  /** Sync streams one connection may have open at once, each way. */
  syncStreamsPerConnection: number;
  /** How often peers' gossip scores are checked; a peer under the graylist threshold is disconnected. */
  scoreCheckIntervalMs: number;
  /** How long a peer disconnected for its score is refused by the gater. */
  scoreBanMs: number;
}

export const NETWORK_DEFAULTS: NetworkLimits = {
  validationQueueLength: { tx: 4096, txs: 256, consensus: 1024, block: 64 },
  validationConcurrency: { tx: 4, txs: 2, consensus: 2, block: 1 },
  connectionsMax: 200,
  statusTimeoutMs: 5_000,
  blocksTimeoutMs: 30_000,
  pingIntervalMs: 15_000,
  pingTimeoutMs: 5_000,
  connectionPingTimeoutMinMs: 20_000,
  syncServeConcurrency: 16,
  syncStreamsPerConnection: 4,
  scoreCheckIntervalMs: 1_000,
  scoreBanMs: 10 * 60_000,
};

export const DEFAULT_LISTEN = ['/ip4/127.0.0.1/tcp/0'];

/** A logger that drops everything, for when none is injected. */
export const silentLogger: NetworkLogger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};

export function resolveLimits(limits: Partial<NetworkLimits> = {}): NetworkLimits {
  return {
    ...NETWORK_DEFAULTS,
    ...limits,
    validationQueueLength: { ...NETWORK_DEFAULTS.validationQueueLength, ...limits.validationQueueLength },
    validationConcurrency: { ...NETWORK_DEFAULTS.validationConcurrency, ...limits.validationConcurrency },
  };
}
