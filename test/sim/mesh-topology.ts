// Who is connected to whom in a national network, and how long each link takes. Seeded:
// the same seed gives the same graph and the same latencies.
//
// Gossipsub keeps, per topic, a mesh of D peers (D = 6, between Dlo = 4 and Dhi = 12) among
// the peers a node is connected to, and sends gossip (IHAVE) to Dlazy = 6 connected peers
// outside its mesh. Every node subscribes to the same three topics, so one mesh serves all
// three here. The graph: each node grafts random peers until it has D mesh links (links are
// symmetric, as GRAFT/PRUNE keep them; a peer already at Dhi refuses), then connects to random
// further peers until it has `connections` in all. The mesh is re-drawn until it is connected.
//
// Latency: each link's one-way base latency is drawn once, uniform in [linkMinMs, linkMaxMs]
// (offices on national fixed lines), or `remoteLinkMs` when either end is a remote district.
// A message on a link takes base x (1 + jitter x u) + its size over the sender's uplink.
import type { Prng } from './prng.js';

export interface LatencyPlan {
  linkMinMs: number;
  linkMaxMs: number;
  /** Every link of a remote node (either end) has this base latency. */
  remoteLinkMs: number;
  /** Nodes in remote districts. */
  remoteNodes: readonly number[];
  /** Up to this fraction of the base latency is added to each message, at random. */
  jitterRatio: number;
  /** Office uplink: a message of b bytes adds b / uplinkBytesPerMs ms. 2,500 B/ms = 20 Mbit/s. */
  uplinkBytesPerMs: number;
  /** Gossip validation of a message before a node forwards it (signature check). */
  validationMs: number;
}

export interface MeshPlan {
  /** Gossipsub D: mesh peers per node. */
  meshDegree: number;
  /** Gossipsub Dhi: a node grafts no peer beyond this. */
  meshDegreeMax: number;
  /** Connections per node (mesh peers included). */
  connections: number;
  /** Gossipsub Dlazy: peers outside the mesh sent IHAVE each heartbeat. */
  lazyPeers: number;
  /** Gossipsub mcacheGossip: heartbeats over which each message id is advertised. */
  historyGossip: number;
  latency: LatencyPlan;
}

export const DEFAULT_MESH_PLAN: Omit<MeshPlan, 'latency'> = {
  meshDegree: 6,
  meshDegreeMax: 12,
  connections: 12,
  lazyPeers: 6,
  historyGossip: 3,
};

/** Tries at drawing a connected mesh before giving up (a bad plan, not bad luck). */
const MESH_DRAWS_MAX = 20;

export class MeshTopology {
  /** Mesh peers of each node, sorted. */
  readonly mesh: number[][];
  /** Connected peers of each node (mesh peers first). */
  readonly connected: number[][];
  readonly #linkMs = new Map<number, number>();
  readonly #remote: ReadonlySet<number>;

  constructor(
    readonly size: number,
    readonly plan: MeshPlan,
    rng: Prng,
  ) {
    if (size < 2) throw new Error('a mesh needs two nodes');
    const { latency } = plan;
    if (!(latency.linkMinMs >= 0 && latency.linkMaxMs >= latency.linkMinMs)) throw new Error('bad link latency range');
    this.#remote = new Set(latency.remoteNodes);
    let mesh: Array<Set<number>> | null = null;
    for (let draw = 0; draw < MESH_DRAWS_MAX && mesh === null; draw++) {
      const candidate = drawMesh(size, plan, rng);
      if (isConnected(candidate)) mesh = candidate;
    }
    if (mesh === null) throw new Error(`no connected mesh of ${size} nodes with degree ${plan.meshDegree}`);
    const connected = mesh.map((peers) => new Set(peers));
    const target = Math.min(plan.connections, size - 1);
    for (const node of rng.shuffle(Array.from({ length: size }, (_, n) => n))) {
      for (let tries = 0; connected[node]!.size < target && tries < size * 4; tries++) {
        const peer = rng.int(0, size - 1);
        if (peer === node || connected[node]!.has(peer)) continue;
        connected[node]!.add(peer);
        connected[peer]!.add(node);
      }
    }
    this.mesh = mesh.map((peers) => [...peers].sort((a, b) => a - b));
    this.connected = connected.map((peers, node) => [
      ...this.mesh[node]!,
      ...[...peers].filter((peer) => !mesh[node]!.has(peer)).sort((a, b) => a - b),
    ]);
    for (let node = 0; node < size; node++) {
      for (const peer of this.connected[node]!) {
        if (peer < node) continue;
        this.#linkMs.set(node * size + peer, this.#drawLinkMs(node, peer, rng));
      }
    }
  }

  isRemote(node: number): boolean {
    return this.#remote.has(node);
  }

  /** Base one-way latency of a link; a pair not connected gets one drawn from `rng` (a sync dial). */
  linkMs(a: number, b: number, rng?: Prng): number {
    const key = a < b ? a * this.size + b : b * this.size + a;
    const known = this.#linkMs.get(key);
    if (known !== undefined) return known;
    if (!rng) throw new Error(`nodes ${a} and ${b} are not connected`);
    return this.#drawLinkMs(a, b, rng);
  }

  #drawLinkMs(a: number, b: number, rng: Prng): number {
    const { latency } = this.plan;
    if (this.#remote.has(a) || this.#remote.has(b)) return latency.remoteLinkMs;
    return rng.int(latency.linkMinMs, latency.linkMaxMs);
  }

  /** Mean mesh degree, and the lowest and highest. */
  describe(): string {
    const degrees = this.mesh.map((peers) => peers.length);
    const connections = this.connected.map((peers) => peers.length);
    const mean = (values: number[]) => (values.reduce((a, b) => a + b, 0) / values.length).toFixed(1);
    return (
      `mesh degree ${mean(degrees)} (${Math.min(...degrees)}-${Math.max(...degrees)}), ` +
      `connections ${mean(connections)} (${Math.min(...connections)}-${Math.max(...connections)}), ` +
      `${this.#remote.size} remote nodes`
    );
  }
}

function drawMesh(size: number, plan: MeshPlan, rng: Prng): Array<Set<number>> {
  const mesh = Array.from({ length: size }, () => new Set<number>());
  const degree = Math.min(plan.meshDegree, size - 1);
  for (const node of rng.shuffle(Array.from({ length: size }, (_, n) => n))) {
    for (let tries = 0; mesh[node]!.size < degree && tries < size * 4; tries++) {
      const peer = rng.int(0, size - 1);
      if (peer === node || mesh[node]!.has(peer) || mesh[peer]!.size >= plan.meshDegreeMax) continue;
      mesh[node]!.add(peer);
      mesh[peer]!.add(node);
    }
  }
  return mesh;
}

function isConnected(mesh: ReadonlyArray<ReadonlySet<number>>): boolean {
  const seen = new Uint8Array(mesh.length);
  const stack = [0];
  seen[0] = 1;
  let count = 1;
  while (stack.length > 0) {
    for (const peer of mesh[stack.pop()!]!) {
      if (seen[peer]) continue;
      seen[peer] = 1;
      count += 1;
      stack.push(peer);
    }
  }
  return count === mesh.length;
}
