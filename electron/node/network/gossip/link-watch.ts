// Whether gossip still has a working link to each connected peer (decision #72). gossipsub keeps
// one long-lived stream each way per peer and opens them only when a peer connects. A stream
// reset while its connection stays open (the losing connection of a dial race closing, a stream
// error on a loaded machine) leaves the peer connected but deaf: gossipsub drops the peer when its
// read stream fails, and keeps a dead write stream when its write fails, and it makes neither again
// until the peer disconnects (ChainSafe/js-libp2p-gossipsub#456, libp2p/js-libp2p#3531; still so in
// 14.1). Three CI runs found a validator stuck that way tens of blocks behind, saying nothing.
//
// The watch looks at every connected peer that speaks gossip; a peer without an open stream
// each way, or that gossipsub no longer counts, for GOSSIP_LINK_GRACE_MS (a new connection opens
// its streams in well under a second) has its connection closed and dialled again, so that both
// sides start afresh, with a warning that names what was wrong. At most once per peer per
// GOSSIP_LINK_REPAIR_INTERVAL_MS, so a peer that keeps failing is not churned.
import type { GossipSub } from '@chainsafe/libp2p-gossipsub';
import type { Libp2p, PeerId } from '@libp2p/interface';
import type { NetworkLogger } from '../interface.js';

/** Between looks at the links. */
export const GOSSIP_LINK_CHECK_MS = 2_000;
/** How long a link may lack a stream before it is made again. */
export const GOSSIP_LINK_GRACE_MS = 10_000;
/** A peer's link is made again at most this often. */
export const GOSSIP_LINK_REPAIR_INTERVAL_MS = 60_000;
/** How long the dial after the close may take (the connectivity redial tries again after). */
const REDIAL_TIMEOUT_MS = 10_000;

export type GossipLinkFault = 'gossip dropped the peer' | 'no open stream to the peer' | 'no open stream from the peer';

export interface GossipLinkWatchInit {
  libp2p: Pick<Libp2p, 'getPeers' | 'getConnections' | 'hangUp' | 'dial' | 'peerStore'>;
  pubsub: Pick<GossipSub, 'multicodecs' | 'peers' | 'streamsOutbound'>;
  log: NetworkLogger;
  /** Monotonic milliseconds. Default performance.now. */
  now?: () => number;
}

export class GossipLinkWatch {
  /** Per peer with a faulty link: since when (monotonic ms). */
  readonly #faultySinceMs = new Map<string, number>();
  readonly #repairedAtMs = new Map<string, number>();
  readonly #now: () => number;
  #checking: Promise<void> | undefined;
  /** Links made again since start. */
  repairs = 0;

  constructor(private readonly init: GossipLinkWatchInit) {
    this.#now = init.now ?? (() => performance.now());
  }

  /** One look at every connected peer; a look still running is joined. */
  check(): Promise<void> {
    this.#checking ??= this.#check().finally(() => {
      this.#checking = undefined;
    });
    return this.#checking;
  }

  /** What is wrong with the gossip link to a connected peer that speaks gossip, or undefined. */
  async fault(peer: PeerId): Promise<GossipLinkFault | undefined> {
    const { libp2p, pubsub } = this.init;
    const connections = libp2p.getConnections(peer).filter((connection) => connection.status === 'open');
    if (connections.length === 0) return undefined; // not connected: the redial's business
    const codecs = pubsub.multicodecs;
    const speaks = await libp2p.peerStore.get(peer).then(
      (known) => known.protocols.some((protocol) => codecs.includes(protocol)),
      () => false,
    );
    if (!speaks) return undefined;
    if (!pubsub.peers.has(peer.toString())) return 'gossip dropped the peer';
    const streams = connections
      .flatMap((connection) => connection.streams)
      .filter((stream) => stream.status === 'open' && codecs.includes(stream.protocol ?? ''));
    const writable = streams.some(
      (stream) =>
        stream.direction === 'outbound' && (stream.writeStatus === 'ready' || stream.writeStatus === 'writing'),
    );
    if (!writable || !pubsub.streamsOutbound.has(peer.toString())) return 'no open stream to the peer';
    if (!streams.some((stream) => stream.direction === 'inbound' && stream.readStatus === 'ready'))
      return 'no open stream from the peer';
    return undefined;
  }

  async #check(): Promise<void> {
    const { libp2p, log } = this.init;
    const seen = new Set<string>();
    for (const peer of libp2p.getPeers()) {
      const id = peer.toString();
      seen.add(id);
      const fault = await this.fault(peer);
      if (fault === undefined) {
        this.#faultySinceMs.delete(id);
        continue;
      }
      const nowMs = this.#now();
      const sinceMs = this.#faultySinceMs.get(id) ?? nowMs;
      this.#faultySinceMs.set(id, sinceMs);
      const forMs = nowMs - sinceMs;
      if (forMs < GOSSIP_LINK_GRACE_MS) continue;
      if (nowMs - (this.#repairedAtMs.get(id) ?? Number.NEGATIVE_INFINITY) < GOSSIP_LINK_REPAIR_INTERVAL_MS) continue;
      this.#repairedAtMs.set(id, nowMs);
      this.#faultySinceMs.delete(id);
      this.repairs++;
      log.warn(
        { peer: id, fault, forMs: Math.round(forMs) },
        'gossip has no working stream with a connected peer; the connection is closed and made again',
      );
      await libp2p
        .hangUp(peer)
        .catch((error: unknown) => log.warn({ peer: id, error: String(error) }, 'hang up failed'));
      libp2p
        .dial(peer, { signal: AbortSignal.timeout(REDIAL_TIMEOUT_MS) })
        .catch((error: unknown) =>
          log.debug({ peer: id, error: String(error) }, 'dial after a gossip link fault failed'),
        );
    }
    for (const id of this.#faultySinceMs.keys()) if (!seen.has(id)) this.#faultySinceMs.delete(id);
    const cutoff = this.#now() - GOSSIP_LINK_REPAIR_INTERVAL_MS;
    for (const [id, atMs] of this.#repairedAtMs) if (atMs < cutoff) this.#repairedAtMs.delete(id);
  }
}
