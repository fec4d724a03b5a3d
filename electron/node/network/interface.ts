// The network as the rest of the node sees it: gossip topics with validators, the sync
// protocol, the permissioned peer set and peer information for the UI (DESIGN §6).
import type { Libp2p } from '@libp2p/interface';

/**
 * The gossip topics of a chain: `/notary/<chainId>/<kind>/1`. `txs` carries batches of
 * transactions (tx-batch.ts), what nodes publish since decision #60; `tx` (one transaction)
 * is still read, from nodes of earlier releases.
 */
export type TopicKind = 'tx' | 'txs' | 'consensus' | 'block';
export const TOPIC_KINDS: readonly TopicKind[] = ['tx', 'txs', 'consensus', 'block'];

/**
 * Checks one gossip message before it is delivered or forwarded. Returns normally to accept;
 * throws a typed error otherwise (GossipValidationError, LedgerError, MessageError, ...), which
 * toGossipAction maps to Ignore or Reject. `fromPeerId` is the peer that sent it to us.
 */
export type GossipValidator = (bytes: Uint8Array, fromPeerId: string) => Promise<void> | void;

export interface GossipMessage {
  kind: TopicKind;
  bytes: Uint8Array;
  /** The peer that forwarded the message to us (the one penalised for a bad message). */
  fromPeerId: string;
  /** The peer that signed the message (its author). */
  authorPeerId: string;
}

/** Receives messages its topic's validator accepted. Errors are logged and counted, never propagated. */
export type GossipHandler = (message: GossipMessage) => Promise<void> | void;

export interface PublishResult {
  /** How many peers the message was sent to. */
  recipients: number;
  /** `no-peers`: nobody subscribes yet; the message is not remembered, so publishing again later sends it. */
  outcome: 'sent' | 'no-peers' | 'duplicate';
}

export interface TopicCounters {
  accepted: number;
  ignored: number;
  rejected: number;
  /** Ignored because the topic's validation queue was full (counted in `ignored` too). */
  dropped: number;
  /** Handlers that threw after a message was accepted. */
  handlerErrors: number;
  published: number;
  /** Ignored + rejected messages by reason code (at most REASON_CODES_MAX codes, then `OTHER`). */
  reasons: Record<string, number>;
}

export type NetworkMetrics = Record<TopicKind, TopicCounters> & {
  sync: { served: number; refused: number; requested: number; failed: number };
  /** Gossip links made again after a stream died under a live connection (gossip/link-watch.ts). */
  links: { repaired: number };
};

export interface PeerInfo {
  peerId: string;
  /** Remote addresses of the open connections to the peer. */
  addresses: string[];
  /** Wall-clock time the oldest open connection to the peer was opened. */
  connectedSinceMs: number;
  /** Round trip of the last successful ping, or null before the first. */
  latencyMs: number | null;
  /** The peer's gossipsub score as this node sees it (negative: misbehaving). */
  gossipScore: number;
  /** What the peer's identify said of its software (`notary/0.1.0 protocols=1,2`), or null before it did. */
  agentVersion: string | null;
}

/** The chain status a peer reports over the sync protocol. */
export interface SyncStatus {
  genesisHash: string;
  height: number;
  headHash: string;
}

/** Where the sync server reads what it serves. Bytes are served as stored (canonical CBOR). */
export interface SyncSource {
  status(): Promise<SyncStatus> | SyncStatus;
  getBlockBytes(height: number): Promise<Uint8Array | undefined>;
  getCommitBytes(height: number): Promise<Uint8Array | undefined>;
  /** The lowest height above genesis this node holds (a node that joined from a snapshot: its base). Default 1. */
  firstHeight?(): number;
}

/** One block of a sync response, still encoded: the syncer decodes and the chain verifies it. */
export interface SyncedBlock {
  height: number;
  blockBytes: Uint8Array;
  commitBytes: Uint8Array;
}

/** The client half of the sync protocol, as the Syncer needs it (the Network implements it). */
export interface SyncClient {
  /** Peers we could ask now (connected). */
  syncPeerIds(): string[];
  requestStatus(peerId: string, options?: { signal?: AbortSignal }): Promise<SyncStatus>;
  requestBlocks(peerId: string, from: number, to: number, options?: { signal?: AbortSignal }): Promise<SyncedBlock[]>;
}

/** pino-compatible subset: `log.warn({ peer, code }, 'message')`. */
export interface NetworkLogger {
  debug(fields: Record<string, unknown>, message: string): void;
  info(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
  error(fields: Record<string, unknown>, message: string): void;
}

export interface Network extends SyncClient {
  readonly chainId: string;
  readonly peerId: string;
  /** The underlying libp2p node, for wiring the node does not get from this interface. */
  readonly libp2p: Libp2p;
  /** Addresses we listen on, each ending in /p2p/<our peer id>. */
  multiaddrs(): string[];
  topic(kind: TopicKind): string;

  /** Replaces the allowlist; connections to peers no longer on it are closed. */
  setAllowedPeers(peerIds: Iterable<string>): Promise<void>;
  allowedPeers(): string[];
  dial(multiaddr: string, options?: { signal?: AbortSignal }): Promise<void>;
  hangUp(peerId: string): Promise<void>;

  /** Adds a handler for accepted messages of a topic; returns a function that removes it. */
  subscribe(kind: TopicKind, handler: GossipHandler): () => void;
  publish(kind: TopicKind, bytes: Uint8Array): Promise<PublishResult>;

  metrics(): NetworkMetrics;
  peers(): PeerInfo[];
  gossipScore(peerId: string): number;

  stop(): Promise<void>;
}
