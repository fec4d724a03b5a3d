// The soaks' nemesis (issue 7, and issue 17's election day): every few seconds it kills (-9, then
// restarts), pauses (SIGSTOP/SIGCONT) or isolates (the operator's network switch) a random node,
// never more than one (f = 1 of 4) at once, and a healed node stays "faulty" until it has caught
// up. With a network lab (issue 19, nodes in network namespaces) it isolates at the kernel
// instead (nftables at the lab's switch; the node's API still answers) and also pulls a node's
// cable (its link down: nothing answers). Beside it: the longest time no healthy node saw a new
// block, and what got stuck. Shared by test/soak/run.ts (transfers) and test/soak/election.ts (ballots).
import type { NodeProcess } from '../support/devnet-harness.js';
import type { NetnsLab } from '../support/netns.js';
import type { SmallDisk } from '../support/small-disk.js';

export const REQUEST_MS = 3_000;
/** How long the nemesis keeps asking an isolated node to come back on the network. */
const HEAL_MS = 60_000;

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export function soakLog(prefix: string): (message: string) => void {
  return (message) => console.log(`[${prefix} ${new Date().toISOString().slice(11, 19)}] ${message}`);
}

/** fn over items with at most `limit` calls in flight; results in the items' order. */
export async function mapBounded<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        results[i] = await fn(items[i]!);
      }
    }),
  );
  return results;
}

/** A JSON (or, with `cbor`, canonical CBOR) request to a node's API with its token. */
export async function api<T>(
  node: NodeProcess,
  method: string,
  path: string,
  body?: unknown,
  timeoutMs = REQUEST_MS,
  cbor?: Uint8Array,
): Promise<{ status: number; body: T }> {
  const response = await fetch(`${node.url}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${node.token}`,
      ...(cbor
        ? { 'content-type': 'application/cbor' }
        : body === undefined
          ? {}
          : { 'content-type': 'application/json' }),
    },
    ...(cbor ? { body: Buffer.from(cbor) } : body === undefined ? {} : { body: JSON.stringify(body) }),
    signal: AbortSignal.timeout(timeoutMs),
  });
  return { status: response.status, body: (await response.json()) as T };
}

export async function heightOf(node: NodeProcess): Promise<number> {
  return api<{ height: number }>(node, 'GET', '/status').then(
    (r) => r.body.height,
    () => -1,
  );
}

export type FaultKind = 'kill' | 'pause' | 'isolate' | 'cut' | 'disk';
const KINDS: readonly FaultKind[] = ['kill', 'pause', 'isolate'];
const KINDS_IN_A_LAB: readonly FaultKind[] = ['kill', 'pause', 'isolate', 'cut'];
/** How long a node has to say its disk is short or full (its disk watch looks every 2 s). */
const DISK_NOTICED_MS = 10_000;

export class Nemesis {
  /** The node under a fault now (at most one), and what is being done to it. */
  faulty: { node: NodeProcess; kind: FaultKind } | undefined;
  readonly faults: Record<FaultKind, number> = { kill: 0, pause: 0, isolate: 0, cut: 0, disk: 0 };
  readonly stuck: string[] = [];
  longestGapMs = 0;
  #stopping = false;
  #tasks: Promise<void>[] = [];

  constructor(
    readonly nodes: NodeProcess[],
    private readonly random: () => number,
    private readonly options: {
      faultEveryMs: number;
      log: (message: string) => void;
      /** Extra `notary start` arguments of a node when it is restarted (a gateway's `--gateway`). */
      startArgs?: (node: NodeProcess) => string[];
      /** Nodes in network namespaces: isolate at the kernel, and pull cables. */
      lab?: NetnsLab;
      /**
       * Each node's data folder on a small disk of its own (issue 19): the nemesis also fills one,
       * to the last byte or to under the node's reserve (`underReserveBytes` left), then frees it.
       */
      disks?: { byNode: ReadonlyMap<string, SmallDisk>; underReserveBytes: number };
    },
  ) {}

  /** Nodes that answer: all but one killed, paused or cut off (an isolated node answers, and certifies into its outbox). */
  healthy(): NodeProcess[] {
    return this.nodes.filter((node) => node !== this.faulty?.node || this.faulty.kind === 'isolate');
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.random() * items.length)]!;
  }

  get totalFaults(): number {
    return Object.values(this.faults).reduce((sum, count) => sum + count, 0);
  }

  start(): void {
    this.#tasks = [this.#run(), this.#watchCommits()];
  }

  /** Stops injecting; resolves once the node under a fault is healed and caught up. */
  async stop(): Promise<void> {
    this.#stopping = true;
    await Promise.all(this.#tasks);
  }

  /** Leaves no node paused (a run that failed half-way). */
  release(): void {
    for (const node of this.nodes) if (node.process && node.process.exitCode === null) node.process.kill('SIGCONT');
  }

  async #run(): Promise<void> {
    const { log } = this.options;
    while (!this.#stopping) {
      await sleep(this.options.faultEveryMs * (0.5 + this.random()));
      if (this.#stopping) break;
      const node = this.pick(this.nodes);
      const lab = this.options.lab;
      // Without a lab the draw is as before, so an old seed replays the same faults.
      const kinds = lab ? KINDS_IN_A_LAB : KINDS;
      const kind = this.pick<FaultKind>(this.options.disks ? [...kinds, 'disk'] : kinds);
      const holdMs = 2_000 + this.random() * 4_000;
      this.faulty = { node, kind };
      this.faults[kind]++;
      log(`nemesis: ${kind} ${node.info.name} for ${(holdMs / 1000).toFixed(1)} s`);
      try {
        if (kind === 'kill') {
          await node.kill();
          await sleep(holdMs);
          await node.start(this.options.startArgs?.(node) ?? []);
        } else if (kind === 'pause') {
          node.process!.kill('SIGSTOP');
          await sleep(holdMs);
          node.process!.kill('SIGCONT');
        } else if (kind === 'disk') {
          await this.#fillDisk(node, holdMs);
        } else if (kind === 'cut') {
          await lab!.cut(node.info.name);
          await sleep(holdMs);
          await lab!.restore(node.info.name);
        } else if (lab?.spec.nft) {
          await lab.isolate(node.info.name);
          await sleep(holdMs);
          await lab.healAll();
        } else {
          await api(node, 'POST', '/network', { offline: true });
          await sleep(holdMs);
          await this.#bringOnline(node);
        }
      } catch (error) {
        this.stuck.push(`healing ${node.info.name} (${kind}) failed: ${(error as Error).message}`);
        log(`nemesis: ${this.stuck.at(-1)}`);
      }
      // A healed node is still faulty until it has caught up: only then may the next fault start
      // (otherwise a restarted validator still syncing plus a new fault make two).
      await this.caughtUp(node);
      this.faulty = undefined;
    }
  }

  /**
   * Fills the node's disk (to the last byte, or to under its reserve), checks that it says so
   * within DISK_NOTICED_MS (recorded in `stuck` otherwise), holds, and frees it. The node must then
   * take writes again and catch up by itself (caughtUp, after the fault).
   */
  async #fillDisk(node: NodeProcess, holdMs: number): Promise<void> {
    const { byNode, underReserveBytes } = this.options.disks!;
    const disk = byNode.get(node.info.name)!;
    const full = this.random() < 0.5;
    try {
      await disk.fill(full ? 0 : underReserveBytes);
      const want = full ? 'full' : 'low';
      const deadline = Date.now() + DISK_NOTICED_MS;
      let seen = 'unknown';
      while (Date.now() < deadline) {
        seen = await api<{ disk: { state: string } }>(node, 'GET', '/status').then(
          (r) => r.body.disk.state,
          () => 'no answer',
        );
        if (seen === want) break;
        await sleep(250);
      }
      this.options.log(
        `nemesis: ${node.info.name}'s disk filled ${full ? 'to the last byte' : 'to under its reserve'}; its status says "${seen}"`,
      );
      if (seen !== want) {
        this.stuck.push(
          `${node.info.name} said its disk was "${seen}", not "${want}", ${DISK_NOTICED_MS / 1000} s after it was filled`,
        );
        this.options.log(`nemesis: ${this.stuck.at(-1)}`);
      }
      await sleep(holdMs);
    } finally {
      await disk.free();
    }
  }

  /**
   * Turns the node's offline switch off again, as an operator would: a loaded machine may answer
   * after the request's timeout, so it is asked again until it says so (a heal that failed once
   * left the node cut off while the next fault began: two faults at once, a 78-s stall).
   */
  async #bringOnline(node: NodeProcess): Promise<void> {
    const deadline = Date.now() + HEAL_MS;
    for (let attempt = 1; ; attempt++) {
      try {
        await api(node, 'POST', '/network', { offline: false }, REQUEST_MS * attempt);
        return;
      } catch (error) {
        if (Date.now() >= deadline) throw error;
        this.options.log(
          `nemesis: ${node.info.name} did not answer its heal (${(error as Error).message}); asking again`,
        );
        await sleep(500);
      }
    }
  }

  async caughtUp(node: NodeProcess): Promise<void> {
    const deadline = Date.now() + 120_000;
    while (Date.now() < deadline) {
      const others = Math.max(...(await Promise.all(this.nodes.filter((other) => other !== node).map(heightOf))));
      if ((await heightOf(node)) >= others - 1) return;
      await sleep(250);
    }
    // Recorded, not thrown: the run goes on and its end checks fail with the figures.
    const heights = await Promise.all(this.nodes.map(async (other) => `${other.info.name} ${await heightOf(other)}`));
    this.stuck.push(`${node.info.name} did not catch up within 120 s of being healed (${heights.join(', ')})`);
    this.options.log(`STUCK: ${this.stuck.at(-1)}\n${node.info.name} log tail:\n${node.log.slice(-4_000)}`);
  }

  /** The longest time no healthy node saw a new block. */
  async #watchCommits(): Promise<void> {
    let best = 0;
    let lastAt = Date.now();
    while (!this.#stopping) {
      const heights = await Promise.all(this.healthy().map(heightOf));
      const height = Math.max(...heights);
      if (height > best) {
        this.longestGapMs = Math.max(this.longestGapMs, Date.now() - lastAt);
        best = height;
        lastAt = Date.now();
      }
      await sleep(200);
    }
    this.longestGapMs = Math.max(this.longestGapMs, Date.now() - lastAt);
  }
}

/**
 * Every node at one block history: the hash at the common height equal, how often each tx
 * appears in it, each tx's position in it (its last appearance, in block then index order),
 * and its blocks' transaction hashes (as node 0 has them).
 */
export async function oneHistory(nodes: NodeProcess[]): Promise<{
  common: number;
  oneRoot: boolean;
  seen: Map<string, number>;
  position: Map<string, number>;
  blocks: Array<{ height: number; txHashes: string[] }>;
}> {
  const heights = await Promise.all(
    nodes.map((node) => api<{ height: number }>(node, 'GET', '/status').then((r) => r.body.height)),
  );
  const common = Math.min(...heights);
  const hashes = await Promise.all(
    nodes.map((node) => api<{ hash: string }>(node, 'GET', `/blocks/${common}`).then((r) => r.body.hash)),
  );
  const seen = new Map<string, number>();
  const position = new Map<string, number>();
  const blocks: Array<{ height: number; txHashes: string[] }> = [];
  for (let height = 1; height <= common; height++) {
    const block = (await api<{ txHashes: string[] }>(nodes[0]!, 'GET', `/blocks/${height}`, undefined, 10_000)).body;
    blocks.push({ height, txHashes: block.txHashes });
    for (const hash of block.txHashes) {
      seen.set(hash, (seen.get(hash) ?? 0) + 1);
      position.set(hash, position.size);
    }
  }
  return { common, oneRoot: new Set(hashes).size === 1, seen, position, blocks };
}

/** Honest peers disconnected for their gossip score (only a faulty sender earns that), and the lowest score seen. */
export async function gossipScores(nodes: NodeProcess[]): Promise<{ bans: number; lowest: number }> {
  const bans = nodes
    .map((node) => (node.log.match(/gossip score fell under the graylist threshold/g) ?? []).length)
    .reduce((a, b) => a + b, 0);
  const lowest = Math.min(
    ...(await Promise.all(
      nodes.map((node) =>
        api<Array<{ gossipScore: number }>>(node, 'GET', '/peers').then(
          (r) => Math.min(0, ...r.body.map((peer) => peer.gossipScore)),
          () => 0,
        ),
      ),
    )),
  );
  return { bans, lowest: Number(lowest.toFixed(2)) };
}
