// The national network as gossipsub would carry it (REQ-NET.3/4, decision #16), for counting
// messages and bytes per node as well as for delivering them:
// - a publisher sends to every connected peer (gossipsub floodPublish); every other node
//   forwards a message it sees for the first time to its mesh peers, except the one it came
//   from, after validating it (`validationMs`). A node that crashed forwards nothing;
// - message ids as the node's msgIdFn makes them: votes get a new id per publish (author and
//   sequence number), so every re-send and relay floods the network again; proposals, blocks
//   and transactions are content-addressed, so a node forwards each once, and publishing one
//   again within the seen TTL (2 min) is refused at the publisher (a `Duplicate` publish);
// - IDONTWANT (gossipsub 1.2): a node that received a message of 512 bytes or more tells its
//   mesh peers, and a peer that heard it before forwarding does not send it there;
// - control traffic is counted, not simulated: each node advertises each message id it saw in
//   IHAVE to `lazyPeers` peers on `historyGossip` heartbeats, and sends IDONTWANT to its mesh
//   peers for each large message. IWANT is not modelled: with every node in a mesh of six,
//   a message reaches nearly every node by flooding, and consensus re-sends what is lost.
// Each flood is computed at once as shortest arrival times over the mesh (Dijkstra), with every
// link copy drawn through the faults (drop, duplicate, partition cut, extra delay); each node
// then gets one delivery at its arrival time. A cut or crash that happens while a message is in
// flight only stops it at delivery. A wiretap sees every consensus message published.
import { decodeConsensusMessage, encodeConsensusMessage, type ConsensusMessage } from '../../shared/chain/messages.js';
import type { ConsensusTransport } from '../../electron/node/consensus/index.js';
import { MeshTopology, type MeshPlan } from './mesh-topology.js';
import type { Handler, NetworkFaults, NetworkStats, SimWire } from './network.js';
import type { Prng } from './prng.js';
import type { VirtualClock } from './virtual-clock.js';

export const GOSSIP_TOPICS = ['consensus', 'block', 'tx'] as const;
export type GossipTopic = (typeof GOSSIP_TOPICS)[number];
export type TrafficKind = GossipTopic | 'sync' | 'control';
export const TRAFFIC_KINDS: readonly TrafficKind[] = [...GOSSIP_TOPICS, 'sync', 'control'];

/**
 * Bytes around each gossip message on the wire: the RPC's protobuf fields (from: a 38-byte
 * peer id, seqno 8, topic ~30, signature 64, tags and lengths ~10), yamux's 12-byte frame
 * header, noise's 2-byte length and 16-byte tag.
 */
export const GOSSIP_FRAME_BYTES = 180;
/** A message id (msgIdFn: 20 bytes) with its protobuf tag and length in an IHAVE or IDONTWANT. */
export const MESSAGE_ID_WIRE_BYTES = 22;
/** Gossipsub's idontwantMinDataSize. */
export const IDONTWANT_MIN_BYTES = 512;
/** Gossipsub's seenTTL: a content id seen within it is a duplicate. */
export const SEEN_TTL_MS = 120_000;
const SEEN_IDS_MAX = 50_000;

export interface TrafficCounter {
  messages: number;
  bytes: number;
}

export class NodeTraffic {
  readonly received: Record<TrafficKind, TrafficCounter>;
  readonly sent: Record<TrafficKind, TrafficCounter>;
  constructor() {
    const counters = () =>
      Object.fromEntries(TRAFFIC_KINDS.map((kind) => [kind, { messages: 0, bytes: 0 }])) as Record<
        TrafficKind,
        TrafficCounter
      >;
    this.received = counters();
    this.sent = counters();
  }
}

export interface MeshStats extends NetworkStats {
  /** Copies not sent because the peer had said IDONTWANT. */
  idontwantSaved: number;
  /** Content-addressed publishes refused as duplicates (a proposer's re-send of its proposal). */
  duplicatePublishes: number;
  floods: number;
  /** Floods of a vote published by a node other than its signer (re-sends on a stall, last commits). */
  relayedVoteFloods: number;
}

interface Flood {
  topic: GossipTopic;
  /** A content id, deduplicated for SEEN_TTL_MS; null: a new id for this publish (votes). */
  contentId: string | null;
  wireBytes: number;
  precommit: boolean;
  message: ConsensusMessage | null;
  deliver(to: number): void;
}

/** A min-heap of (time, node) for one flood. */
class ArrivalHeap {
  readonly #times: number[] = [];
  readonly #nodes: number[] = [];
  get size(): number {
    return this.#nodes.length;
  }
  push(time: number, node: number): void {
    const times = this.#times;
    const nodes = this.#nodes;
    times.push(time);
    nodes.push(node);
    for (let i = nodes.length - 1; i > 0;) {
      const parent = (i - 1) >> 1;
      if (times[parent]! <= times[i]!) break;
      [times[i], times[parent]] = [times[parent]!, times[i]!];
      [nodes[i], nodes[parent]] = [nodes[parent]!, nodes[i]!];
      i = parent;
    }
  }
  pop(): number {
    const times = this.#times;
    const nodes = this.#nodes;
    const top = nodes[0]!;
    const lastTime = times.pop()!;
    const lastNode = nodes.pop()!;
    if (nodes.length === 0) return top;
    times[0] = lastTime;
    nodes[0] = lastNode;
    for (let i = 0; ;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let smallest = i;
      if (left < nodes.length && times[left]! < times[smallest]!) smallest = left;
      if (right < nodes.length && times[right]! < times[smallest]!) smallest = right;
      if (smallest === i) return top;
      [times[i], times[smallest]] = [times[smallest]!, times[i]!];
      [nodes[i], nodes[smallest]] = [nodes[smallest]!, nodes[i]!];
      i = smallest;
    }
  }
}

export class MeshNetwork implements SimWire {
  readonly stats: MeshStats = {
    sent: 0,
    delivered: 0,
    dropped: 0,
    duplicated: 0,
    partitionDropped: 0,
    idontwantSaved: 0,
    duplicatePublishes: 0,
    floods: 0,
    relayedVoteFloods: 0,
  };
  /** The validator key node `n` signs with, if any: tells a relayed vote from an own one. */
  keyOf: (node: number) => string | null = () => null;
  readonly topology: MeshTopology;
  readonly traffic: NodeTraffic[];
  faults: NetworkFaults;
  partition: ReadonlySet<number> | null = null;
  dropIf: ((from: number, to: number, message: ConsensusMessage) => boolean) | null = null;
  readonly #handlers = new Map<number, Handler>();
  readonly #topicHandlers: Record<'block' | 'tx', Map<number, (bytes: Uint8Array) => void>> = {
    block: new Map(),
    tx: new Map(),
  };
  /** Content id -> which nodes have it, and when it was first published. */
  readonly #seen = new Map<string, { reached: Uint8Array; atMs: number }>();

  constructor(
    readonly clock: VirtualClock,
    readonly rng: Prng,
    readonly size: number,
    plan: MeshPlan,
    topologyRng: Prng,
    faults: NetworkFaults,
    readonly wiretap: (from: number, message: ConsensusMessage) => void,
  ) {
    this.topology = new MeshTopology(size, plan, topologyRng);
    this.traffic = Array.from({ length: size }, () => new NodeTraffic());
    this.faults = faults;
  }

  get plan(): MeshPlan {
    return this.topology.plan;
  }

  peersOf(node: number): number[] {
    return this.topology.connected[node]!;
  }

  attach(node: number, handler: Handler): void {
    this.#handlers.set(node, handler);
  }

  /** A crashed node: no handlers, and a fresh seen cache when it comes back. */
  detach(node: number): void {
    this.#handlers.delete(node);
    this.#topicHandlers.block.delete(node);
    this.#topicHandlers.tx.delete(node);
    for (const { reached } of this.#seen.values()) reached[node] = 0;
  }

  isAttached(node: number): boolean {
    return this.#handlers.has(node);
  }

  reachable(a: number, b: number): boolean {
    return this.#handlers.has(a) && this.#handlers.has(b) && !this.#cut(a, b);
  }

  #cut(a: number, b: number): boolean {
    return this.partition !== null && this.partition.has(a) !== this.partition.has(b);
  }

  /** Handlers of the block and transaction topics (bytes as published). */
  onTopic(topic: 'block' | 'tx', node: number, handler: (bytes: Uint8Array) => void): void {
    this.#topicHandlers[topic].set(node, handler);
  }

  broadcast(from: number, message: ConsensusMessage, peers?: readonly number[]): void {
    this.wiretap(from, message);
    if (message.kind === 'vote' && message.validator !== this.keyOf(from) && this.#handlers.has(from))
      this.stats.relayedVoteFloods += 1;
    const bytes = encodeConsensusMessage(message);
    // Decoded once: every receiver gets the same object (the state machine never changes a message).
    const decoded = decodeConsensusMessage(bytes);
    this.#flood(
      from,
      {
        topic: 'consensus',
        contentId: message.kind === 'proposal' ? `p/${message.signature}` : null,
        wireBytes: bytes.length + GOSSIP_FRAME_BYTES,
        precommit: message.kind === 'vote' && message.type === 'precommit',
        message,
        deliver: (to) => this.#handlers.get(to)?.(decoded),
      },
      peers ?? this.peersOf(from),
    );
  }

  /** Publishes on the block or transaction topic; `contentId` is the block hash or txId. */
  publish(from: number, topic: 'block' | 'tx', contentId: string, bytes: Uint8Array): void {
    this.#flood(
      from,
      {
        topic,
        contentId: `${topic}/${contentId}`,
        wireBytes: bytes.length + GOSSIP_FRAME_BYTES,
        precommit: false,
        message: null,
        deliver: (to) => this.#topicHandlers[topic].get(to)?.(bytes),
      },
      this.peersOf(from),
    );
  }

  /** A sync response's bytes, counted on both ends (the sync protocol is outside gossip). */
  countSync(server: number, client: number, bytes: number): void {
    count(this.traffic[server]!.sent.sync, bytes);
    count(this.traffic[client]!.received.sync, bytes);
  }

  transport(node: number): ConsensusTransport {
    return {
      broadcast: (message) => this.broadcast(node, message),
      onMessage: (handler) => {
        this.attach(node, handler);
        return () => {
          if (this.#handlers.get(node) === handler) this.#handlers.delete(node);
        };
      },
    };
  }

  /** A sync request's round trip between two nodes. */
  roundTripMs(a: number, b: number): number {
    return 2 * this.topology.linkMs(a, b, this.rng);
  }

  #flood(from: number, flood: Flood, firstHops: readonly number[]): void {
    if (!this.#handlers.has(from)) return;
    const now = this.clock.now();
    const seen = flood.contentId === null ? null : this.#seenFor(flood.contentId, now);
    // A content id this node has seen is a duplicate publish: gossipsub sends nothing.
    if (seen?.[from]) {
      this.stats.duplicatePublishes += 1;
      return;
    }
    this.stats.floods += 1;
    const { size, topology, faults, traffic } = this;
    const { latency } = topology.plan;
    const large = flood.wireBytes - GOSSIP_FRAME_BYTES >= IDONTWANT_MIN_BYTES;
    const arrival = new Float64Array(size).fill(Number.POSITIVE_INFINITY);
    const parent = new Int32Array(size).fill(-1);
    const done = new Uint8Array(size);
    const heap = new ArrivalHeap();
    const reached: number[] = [];
    arrival[from] = now;
    heap.push(now, from);
    while (heap.size > 0) {
      const node = heap.pop();
      if (done[node]) continue;
      done[node] = 1;
      if (node !== from) {
        // Down, or had it already (a content id): no delivery, no forwarding.
        if (!this.#handlers.has(node) || seen?.[node]) continue;
        reached.push(node);
      }
      const sendAtMs = arrival[node]! + (node === from ? 0 : latency.validationMs);
      const targets = node === from ? firstHops : topology.mesh[node]!;
      for (const peer of targets) {
        if (peer === parent[node] || peer === node) continue;
        if (large && done[peer] && arrival[peer]! + topology.linkMs(peer, node) <= sendAtMs) {
          this.stats.idontwantSaved += 1;
          continue;
        }
        if (!this.#handlers.has(peer)) continue; // no connection to a crashed peer
        if (this.#cut(node, peer)) {
          this.stats.partitionDropped += 1;
          continue;
        }
        this.stats.sent += 1;
        count(traffic[node]!.sent[flood.topic], flood.wireBytes);
        if (
          (flood.message && this.dropIf?.(node, peer, flood.message)) ||
          this.rng.chance(faults.dropRate) ||
          (flood.precommit && this.rng.chance(faults.precommitDropRate))
        ) {
          this.stats.dropped += 1;
          continue;
        }
        count(traffic[peer]!.received[flood.topic], flood.wireBytes);
        if (this.rng.chance(faults.duplicateRate)) {
          this.stats.duplicated += 1;
          count(traffic[node]!.sent[flood.topic], flood.wireBytes);
          count(traffic[peer]!.received[flood.topic], flood.wireBytes);
        }
        const baseMs = topology.linkMs(node, peer);
        const delayMs =
          baseMs * (1 + latency.jitterRatio * this.rng.next()) +
          flood.wireBytes / latency.uplinkBytesPerMs +
          this.rng.int(0, faults.delayMaxMs - faults.delayMinMs) +
          (flood.precommit && faults.precommitDelayMaxMs > 0 ? this.rng.int(0, faults.precommitDelayMaxMs) : 0);
        const at = sendAtMs + delayMs;
        if (at < arrival[peer]!) {
          arrival[peer] = at;
          parent[peer] = node;
          heap.push(at, peer);
        }
      }
    }
    if (seen) {
      seen[from] = 1;
      for (const node of reached) seen[node] = 1;
    }
    this.#countControl(from, reached, large);
    this.#scheduleDeliveries(flood, reached, arrival, now);
  }

  #countControl(from: number, reached: readonly number[], large: boolean): void {
    const { lazyPeers, historyGossip } = this.topology.plan;
    const ihaveBytes = lazyPeers * historyGossip * MESSAGE_ID_WIRE_BYTES;
    for (const node of [from, ...reached]) {
      const traffic = this.traffic[node]!;
      // IHAVE: sent to lazy peers and received from as many, on average.
      traffic.sent.control.bytes += ihaveBytes;
      traffic.received.control.bytes += ihaveBytes;
      if (large && node !== from) {
        const mesh = this.topology.mesh[node]!;
        traffic.sent.control.bytes += mesh.length * MESSAGE_ID_WIRE_BYTES;
        for (const peer of mesh) this.traffic[peer]!.received.control.bytes += MESSAGE_ID_WIRE_BYTES;
      }
    }
  }

  /** One event per distinct arrival millisecond, not one per node. */
  #scheduleDeliveries(flood: Flood, reached: readonly number[], arrival: Float64Array, now: number): void {
    const byMs = new Map<number, number[]>();
    for (const node of reached) {
      const atMs = Math.max(now + 1, Math.round(arrival[node]!));
      let nodes = byMs.get(atMs);
      if (!nodes) byMs.set(atMs, (nodes = []));
      nodes.push(node);
    }
    for (const [atMs, nodes] of byMs) {
      this.clock.setTimer(atMs - now, () => {
        for (const node of nodes) {
          // Crashed since: the copy in flight is lost with the connection.
          if (!this.#handlers.has(node)) {
            this.stats.partitionDropped += 1;
            continue;
          }
          this.stats.delivered += 1;
          flood.deliver(node);
        }
      });
    }
  }

  #seenFor(contentId: string, now: number): Uint8Array {
    let entry = this.#seen.get(contentId);
    if (entry && now - entry.atMs > SEEN_TTL_MS) {
      this.#seen.delete(contentId);
      entry = undefined;
    }
    if (!entry) {
      if (this.#seen.size >= SEEN_IDS_MAX) this.#pruneSeen(now);
      entry = { reached: new Uint8Array(this.size), atMs: now };
      this.#seen.set(contentId, entry);
    }
    return entry.reached;
  }

  #pruneSeen(now: number): void {
    for (const [id, entry] of this.#seen) if (now - entry.atMs > SEEN_TTL_MS) this.#seen.delete(id);
    // Still full: the oldest go (Map order is insertion order).
    for (const id of this.#seen.keys()) {
      if (this.#seen.size < SEEN_IDS_MAX) break;
      this.#seen.delete(id);
    }
  }
}

function count(counter: { messages: number; bytes: number }, bytes: number): void {
  counter.messages += 1;
  counter.bytes += bytes;
}
