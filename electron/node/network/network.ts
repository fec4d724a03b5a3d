// The node's network: one libp2p node with the chain's gossip topics, the sync protocol, the
// permissioned gater and peer tracking, started and stopped together.
import type { GossipSub } from '@chainsafe/libp2p-gossipsub';
import type { Identify } from '@libp2p/identify';
import type { Libp2p, PeerId } from '@libp2p/interface';
import type { PingService } from '@libp2p/ping';
import { peerIdFromString } from '@libp2p/peer-id';
import { multiaddr } from '@multiformats/multiaddr';
import { NetworkError, NetworkErrorCode } from './errors.js';
import type { PermissionedGater } from './gater.js';
import { GossipTopics } from './gossip/gossip-topics.js';
import { GOSSIP_LINK_CHECK_MS, GossipLinkWatch } from './gossip/link-watch.js';
import type {
  GossipHandler,
  GossipValidator,
  Network,
  NetworkLogger,
  NetworkMetrics,
  PeerInfo,
  PublishResult,
  SyncedBlock,
  SyncSource,
  SyncStatus,
  TopicKind,
} from './interface.js';
import type { NetworkLimits } from './options.js';
import { PeerTracker } from './peers.js';
import { PEER_SCORE_THRESHOLDS } from './topics.js';
import { requestBlocks, requestStatus } from './sync/client.js';
import { SyncServer } from './sync/server.js';
import { syncProtocol } from './topics.js';

export type NotaryLibp2p = Libp2p<{ identify: Identify; ping: PingService; pubsub: GossipSub }>;

export interface NotaryNetworkInit {
  chainId: string;
  libp2p: NotaryLibp2p;
  gater: PermissionedGater;
  validators: Record<TopicKind, GossipValidator>;
  syncSource?: SyncSource;
  limits: NetworkLimits;
  log: NetworkLogger;
}

export class NotaryNetwork implements Network {
  readonly chainId: string;
  readonly libp2p: NotaryLibp2p;
  readonly #gater: PermissionedGater;
  readonly #gossip: GossipTopics;
  readonly #peers: PeerTracker;
  readonly #syncCounters = { served: 0, refused: 0, requested: 0, failed: 0 };
  readonly #protocol: string;
  #started = false;
  #scoreTimer: ReturnType<typeof setInterval> | undefined;
  #linkTimer: ReturnType<typeof setInterval> | undefined;
  #links: GossipLinkWatch | undefined;

  constructor(private readonly init: NotaryNetworkInit) {
    this.chainId = init.chainId;
    this.libp2p = init.libp2p;
    this.#gater = init.gater;
    this.#protocol = syncProtocol(init.chainId);
    this.#gossip = new GossipTopics({
      chainId: init.chainId,
      validators: { ...init.validators },
      limits: init.limits,
      log: init.log,
    });
    this.#peers = new PeerTracker(init.libp2p, init.limits, init.log);
  }

  get peerId(): string {
    return this.libp2p.peerId.toString();
  }

  /**
   * The node's own validators (state checks: mempool, consensus signatures, the chain), set
   * between createNetwork({ start: false }) and start(): they need parts built after the network.
   */
  setValidators(validators: Partial<Record<TopicKind, GossipValidator>>): void {
    this.#gossip.setValidators(validators);
  }

  async start(): Promise<void> {
    if (this.#started) return;
    await this.libp2p.start();
    if (this.init.syncSource) {
      const server = new SyncServer({
        source: this.init.syncSource,
        concurrency: this.init.limits.syncServeConcurrency,
        timeoutMs: this.init.limits.blocksTimeoutMs,
        log: this.init.log,
        counters: this.#syncCounters,
      });
      const streams = this.init.limits.syncStreamsPerConnection;
      await this.libp2p.handle(this.#protocol, server.handle, {
        maxInboundStreams: streams,
        maxOutboundStreams: streams,
      });
    }
    this.#gossip.start(this.libp2p.services.pubsub);
    this.#peers.start();
    this.#scoreTimer = setInterval(() => void this.#disconnectMisbehaving(), this.init.limits.scoreCheckIntervalMs);
    this.#scoreTimer.unref?.();
    // a gossip stream reset under a live connection leaves the peer deaf until the link is made again
    const links = new GossipLinkWatch({ libp2p: this.libp2p, pubsub: this.libp2p.services.pubsub, log: this.init.log });
    this.#links = links;
    this.#linkTimer = setInterval(() => void links.check(), GOSSIP_LINK_CHECK_MS);
    this.#linkTimer.unref?.();
    this.#started = true;
    // Peers on the allowlist may have connected before we listened for their removal.
    await this.#closeDisallowed();
    this.init.log.info({ peerId: this.peerId, addresses: this.multiaddrs() }, 'network started');
  }

  async stop(): Promise<void> {
    if (!this.#started) return;
    this.#started = false;
    clearInterval(this.#scoreTimer);
    clearInterval(this.#linkTimer);
    this.#gossip.stop();
    await this.#peers.stop();
    await this.libp2p.stop();
    this.init.log.info({ peerId: this.peerId }, 'network stopped');
  }

  multiaddrs(): string[] {
    return this.libp2p.getMultiaddrs().map((address) => address.toString());
  }

  topic(kind: TopicKind): string {
    return this.#gossip.topic(kind);
  }

  async setAllowedPeers(peerIds: Iterable<string>): Promise<void> {
    const removed = this.#gater.setAllowedPeers(peerIds);
    if (removed.length > 0) this.init.log.info({ removed }, 'peers removed from the allowlist');
    await this.#closeDisallowed();
  }

  allowedPeers(): string[] {
    return this.#gater.allowedPeers();
  }

  async dial(address: string, options: { signal?: AbortSignal } = {}): Promise<void> {
    this.#assertStarted();
    let target;
    try {
      target = multiaddr(address);
    } catch (error) {
      throw new NetworkError(
        NetworkErrorCode.badConfig,
        `"${address}" is not a multiaddr (${(error as Error).message})`,
      );
    }
    await this.libp2p.dial(target, options);
  }

  async hangUp(peerId: string): Promise<void> {
    await this.libp2p.hangUp(peerIdFromString(peerId));
  }

  subscribe(kind: TopicKind, handler: GossipHandler): () => void {
    return this.#gossip.subscribe(kind, handler);
  }

  publish(kind: TopicKind, bytes: Uint8Array): Promise<PublishResult> {
    return this.#gossip.publish(kind, bytes);
  }

  metrics(): NetworkMetrics {
    return {
      ...this.#gossip.counters(),
      sync: { ...this.#syncCounters },
      links: { repaired: this.#links?.repairs ?? 0 },
    };
  }

  peers(): PeerInfo[] {
    return this.#peers.peers();
  }

  gossipScore(peerId: string): number {
    return this.#peers.score(peerId);
  }

  syncPeerIds(): string[] {
    return this.libp2p.getPeers().map((peer) => peer.toString());
  }

  async requestStatus(peerId: string, options: { signal?: AbortSignal } = {}): Promise<SyncStatus> {
    return this.#request(() =>
      requestStatus(this.libp2p, this.#protocol, peerId, { ...options, timeoutMs: this.init.limits.statusTimeoutMs }),
    );
  }

  async requestBlocks(
    peerId: string,
    from: number,
    to: number,
    options: { signal?: AbortSignal } = {},
  ): Promise<SyncedBlock[]> {
    return this.#request(() =>
      requestBlocks(this.libp2p, this.#protocol, peerId, from, to, {
        ...options,
        timeoutMs: this.init.limits.blocksTimeoutMs,
      }),
    );
  }

  async #request<T>(request: () => Promise<T>): Promise<T> {
    this.#assertStarted();
    this.#syncCounters.requested++;
    try {
      return await request();
    } catch (error) {
      this.#syncCounters.failed++;
      throw error;
    }
  }

  /** Peers refused for a while after their gossip score fell under the graylist threshold. */
  bannedPeers(): string[] {
    return this.#gater.bannedPeers();
  }

  /**
   * gossipsub only stops listening to a peer under the graylist threshold (it keeps the
   * connection); a peer that earned that score by sending invalid messages (only state-independent
   * faults are rejected, so an honest peer never does) is disconnected and refused for scoreBanMs.
   */
  async #disconnectMisbehaving(): Promise<void> {
    for (const peer of this.libp2p.getPeers()) {
      const id = peer.toString();
      const score = this.gossipScore(id);
      if (score >= PEER_SCORE_THRESHOLDS.graylistThreshold) continue;
      this.#gater.ban(id, Date.now() + this.init.limits.scoreBanMs);
      this.init.log.warn(
        { peer: id, score, banMs: this.init.limits.scoreBanMs },
        'disconnecting a peer whose gossip score fell under the graylist threshold',
      );
      await this.libp2p
        .hangUp(peer)
        .catch((error: unknown) => this.init.log.warn({ peer: id, error: String(error) }, 'hang up failed'));
    }
  }

  /** Closes every connection to a peer that is not (or no longer) allowed. */
  async #closeDisallowed(): Promise<void> {
    const peers = new Map<string, PeerId>();
    for (const connection of this.libp2p.getConnections()) {
      if (!this.#gater.isAllowed(connection.remotePeer))
        peers.set(connection.remotePeer.toString(), connection.remotePeer);
    }
    await Promise.all(
      [...peers.values()].map(async (peer) => {
        this.init.log.info({ peer: peer.toString() }, 'disconnecting a peer that is not on the allowlist');
        await this.libp2p
          .hangUp(peer)
          .catch((error: unknown) =>
            this.init.log.warn({ peer: peer.toString(), error: String(error) }, 'hang up failed'),
          );
      }),
    );
  }

  #assertStarted(): void {
    if (!this.#started) throw new NetworkError(NetworkErrorCode.notStarted, 'the network is not started');
  }
}
