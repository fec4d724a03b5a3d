// Peer information for the UI and API: who is connected, since when, how far away (ping round
// trip) and how well behaved (gossipsub score). Pings run on connect and then every
// pingIntervalMs, at most PING_CONCURRENCY at once, one round at a time.
import type { GossipSub } from '@chainsafe/libp2p-gossipsub';
import type { IdentifyResult, Libp2p, PeerId } from '@libp2p/interface';
import type { PingService } from '@libp2p/ping';
import type { NetworkLogger, PeerInfo } from './interface.js';
import type { NetworkLimits } from './options.js';

const PING_CONCURRENCY = 8;
const AGENT_VERSION_LENGTH_MAX = 200;

export class PeerTracker {
  readonly #latencyMs = new Map<string, number>();
  /** Each connected peer's identify agentVersion (agent.ts), bounded by the connections. */
  readonly #agents = new Map<string, string>();
  #timer: ReturnType<typeof setInterval> | undefined;
  #round: Promise<void> | undefined;
  #stopped = new AbortController();

  constructor(
    private readonly libp2p: Libp2p<{ ping: PingService; pubsub: GossipSub }>,
    private readonly limits: Pick<NetworkLimits, 'pingIntervalMs' | 'pingTimeoutMs'>,
    private readonly log: NetworkLogger,
  ) {}

  start(): void {
    this.#stopped = new AbortController();
    this.libp2p.addEventListener('peer:connect', this.#onConnect);
    this.libp2p.addEventListener('peer:disconnect', this.#onDisconnect);
    this.libp2p.addEventListener('peer:identify', this.#onIdentify);
    this.#timer = setInterval(() => this.#pingRound(), this.limits.pingIntervalMs);
    this.#timer.unref?.();
  }

  async stop(): Promise<void> {
    this.libp2p.removeEventListener('peer:connect', this.#onConnect);
    this.libp2p.removeEventListener('peer:disconnect', this.#onDisconnect);
    this.libp2p.removeEventListener('peer:identify', this.#onIdentify);
    clearInterval(this.#timer);
    this.#stopped.abort();
    await this.#round;
  }

  peers(): PeerInfo[] {
    const byPeer = new Map<string, PeerInfo>();
    for (const connection of this.libp2p.getConnections()) {
      if (connection.status !== 'open') continue;
      const peerId = connection.remotePeer.toString();
      const info = byPeer.get(peerId) ?? {
        peerId,
        addresses: [],
        connectedSinceMs: connection.timeline.open,
        latencyMs: this.#latencyMs.get(peerId) ?? null,
        gossipScore: this.score(peerId),
        agentVersion: this.#agents.get(peerId) ?? null,
      };
      info.addresses.push(connection.remoteAddr.toString());
      info.connectedSinceMs = Math.min(info.connectedSinceMs, connection.timeline.open);
      byPeer.set(peerId, info);
    }
    return [...byPeer.values()].sort((a, b) => a.peerId.localeCompare(b.peerId));
  }

  score(peerId: string): number {
    return this.libp2p.services.pubsub.getScore(peerId);
  }

  readonly #onConnect = (event: CustomEvent<PeerId>): void => {
    void this.#ping(event.detail);
  };

  readonly #onDisconnect = (event: CustomEvent<PeerId>): void => {
    this.#latencyMs.delete(event.detail.toString());
    this.#agents.delete(event.detail.toString());
  };

  readonly #onIdentify = (event: CustomEvent<IdentifyResult>): void => {
    const { peerId, agentVersion } = event.detail;
    // a peer's own words, shown to operators: bounded, and only while it is connected
    if (agentVersion !== undefined && this.libp2p.getConnections(peerId).length > 0)
      this.#agents.set(peerId.toString(), agentVersion.slice(0, AGENT_VERSION_LENGTH_MAX));
  };

  #pingRound(): void {
    if (this.#round) return; // the previous round is still running: skip this one
    this.#round = (async () => {
      const peers = this.libp2p.getPeers();
      for (let i = 0; i < peers.length && !this.#stopped.signal.aborted; i += PING_CONCURRENCY) {
        await Promise.all(peers.slice(i, i + PING_CONCURRENCY).map((peer) => this.#ping(peer)));
      }
    })().finally(() => {
      this.#round = undefined;
    });
  }

  async #ping(peer: PeerId): Promise<void> {
    if (this.#stopped.signal.aborted) return;
    try {
      const signal = AbortSignal.any([AbortSignal.timeout(this.limits.pingTimeoutMs), this.#stopped.signal]);
      const latencyMs = await this.libp2p.services.ping.ping(peer, { signal });
      if (this.libp2p.getConnections(peer).length > 0) this.#latencyMs.set(peer.toString(), latencyMs);
    } catch (error) {
      this.log.debug({ peer: peer.toString(), error: String(error) }, 'ping failed');
    }
  }
}
