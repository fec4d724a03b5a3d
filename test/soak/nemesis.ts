// The soaks' nemesis (issue 7, and issue 17's election day): every few seconds it kills (-9, then
// restarts), pauses (SIGSTOP/SIGCONT) or isolates (the operator's network switch) a random node,
// never more than one (f = 1 of 4) at once, and a healed node stays "faulty" until it has caught
// up. With a network lab (issue 19, nodes in network namespaces) it isolates at the kernel
// instead (nftables at the lab's switch; the node's API still answers) and also pulls a node's
// cable (its link down: nothing answers). Beside it: the longest time no healthy node saw a new
// block, and what got stuck. Shared by test/soak/run.ts (transfers) and test/soak/election.ts (ballots).
//
// Faults below the application (issue 19), drawn only when a soak lists them (`--faults`), so a
// seed run without them replays as before:
// - skew: one node's clock jumps ±30 s or ±5 min (its offset file, NOTARY_TEST_CLOCK_OFFSET_FILE;
//   the devnet started with `movableClocks`) and back to 0 after the hold; while it is off, its
//   status must say so, by about the amount (decision #66). Sometimes it is a blip instead: a
//   jump forward or back for a second or two, and back, within the hold.
// - slow: one node stopped for 100-300 ms of every 400-600 ms (SIGSTOP/SIGCONT) for 5-10 s, an
//   overloaded computer; it must catch up after, and no peer may ban it for its gossip score.
// - disk: one node's data folder, on a small disk of its own (test/support/small-disk.ts), filled
//   to the last byte or to under the node's reserve; it must say so within 10 s (decision #67),
//   and once freed take writes again and catch up by itself.
import { rename, writeFile } from 'node:fs/promises';
import type { ClockStatus } from '../../shared/api/index.js';
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

export type FaultKind = 'kill' | 'pause' | 'isolate' | 'cut' | 'skew' | 'slow' | 'disk';
const ALL_KINDS: readonly FaultKind[] = ['kill', 'pause', 'isolate', 'cut', 'skew', 'slow', 'disk'];
const KINDS: readonly FaultKind[] = ['kill', 'pause', 'isolate'];
const KINDS_IN_A_LAB: readonly FaultKind[] = ['kill', 'pause', 'isolate', 'cut'];
/** Faults under which the node still answers its API (an isolated node certifies into its outbox). */
const ANSWERING: readonly FaultKind[] = ['isolate', 'skew', 'slow', 'disk'];
/** How long a node has to say its disk is short or full (its disk watch looks every 2 s). */
const DISK_NOTICED_MS = 10_000;

/** A skewed clock's jumps: a wrong time zone's worth is beyond the ±1 day bound, these are a bad NTP step. */
const SKEWS_MS = [30_000, -30_000, 300_000, -300_000];
/** A held skew this long at least: the clock watch needs a few proposals of two other proposers to see it. */
const SKEW_HOLD_MIN_MS = 10_000;
/**
 * The clock watch sees a jump after two proposals of each of two other proposers: on a chain
 * slower than usual (a loaded machine, rounds lost to the skewed node's own refused proposals) the
 * hold is extended until the chain has committed this many blocks since the jump. A 2-hour soak
 * (seed 34725) had node-1 moved +5 min while the chain made 4 blocks in 14 s, and called it stuck.
 */
const SKEW_BLOCKS_MIN = 8;
/** ...but never beyond this. */
const SKEW_HOLD_MAX_MS = 90_000;
/** The clock watch's estimate may differ from the jump by propagation and a loaded machine's queues. */
const SKEW_TOLERANCE_MIN_MS = 3_000;

/**
 * `--faults kill,pause,isolate,skew,slow` as a list of fault kinds; `cut` needs a network lab.
 * Undefined (no flag): the soak's defaults, drawn as before.
 */
export function parseFaults(text: string | undefined, options: { lab: boolean }): FaultKind[] | undefined {
  if (text === undefined) return undefined;
  const kinds = text.split(',').map((kind) => kind.trim());
  for (const kind of kinds)
    if (!ALL_KINDS.includes(kind as FaultKind))
      throw new Error(`--faults: ${JSON.stringify(kind)} is no fault kind (${ALL_KINDS.join(', ')})`);
  if (new Set(kinds).size !== kinds.length) throw new Error(`--faults: ${text} names a kind twice`);
  if (kinds.includes('cut') && !options.lab)
    throw new Error('--faults: cut pulls a cable in a network lab: add --netns');
  return kinds as FaultKind[];
}

/** Jumps a node's clock (started with `movableClocks`) to `offsetMs`; the file is replaced, never seen half-written. */
export async function moveClock(node: NodeProcess, offsetMs: number): Promise<void> {
  const file = node.clockOffsetFile;
  await writeFile(`${file}.next`, `${offsetMs}\n`);
  await rename(`${file}.next`, file);
}

function signedDuration(ms: number): string {
  const sign = ms < 0 ? '-' : '+';
  return Math.abs(ms) >= 60_000 ? `${sign}${Math.abs(ms) / 60_000} min` : `${sign}${Math.abs(ms) / 1000} s`;
}

export class Nemesis {
  /** The node under a fault now (at most one), and what is being done to it. */
  faulty: { node: NodeProcess; kind: FaultKind } | undefined;
  readonly faults: Record<FaultKind, number> = { kill: 0, pause: 0, isolate: 0, cut: 0, skew: 0, slow: 0, disk: 0 };
  readonly stuck: string[] = [];
  longestGapMs = 0;
  #stopping = false;
  /** With eachKindFirst: the kinds not drawn yet. */
  #firstKinds: FaultKind[] | undefined;
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
      /** The kinds to draw from (parseFaults); default kill, pause, isolate, and cut in a lab. */
      kinds?: readonly FaultKind[];
      /**
       * Each node's data folder on a small disk of its own, for the `disk` fault: filled to the last
       * byte, or to `underReserveBytes` left (under the node's reserve), then freed.
       */
      disks?: { byNode: ReadonlyMap<string, SmallDisk>; underReserveBytes: number };
      /** Every kind once first, in a drawn order, then drawn at random: a short run meets each (CI). */
      eachKindFirst?: boolean;
    },
  ) {}

  /** Nodes that answer: all but one killed, paused or cut off (an isolated, skewed or slowed node answers). */
  healthy(): NodeProcess[] {
    return this.nodes.filter((node) => node !== this.faulty?.node || ANSWERING.includes(this.faulty.kind));
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.random() * items.length)]!;
  }

  #shuffled<T>(items: readonly T[]): T[] {
    const copy = [...items];
    for (let i = copy.length - 1; i > 0; i--) {
      const j = Math.floor(this.random() * (i + 1));
      [copy[i], copy[j]] = [copy[j]!, copy[i]!];
    }
    return copy;
  }

  get totalFaults(): number {
    return Object.values(this.faults).reduce((a, b) => a + b, 0);
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
      // Without a lab or a list the draw is as before, so an old seed replays the same faults.
      const kinds = this.options.kinds ?? (lab ? KINDS_IN_A_LAB : KINDS);
      if (this.options.eachKindFirst && this.#firstKinds === undefined) this.#firstKinds = this.#shuffled(kinds);
      const kind = this.#firstKinds?.shift() ?? this.pick(kinds);
      const holdMs = 2_000 + this.random() * 4_000;
      this.faulty = { node, kind };
      this.faults[kind]++;
      if (kind !== 'skew' && kind !== 'slow' && kind !== 'disk')
        log(`nemesis: ${kind} ${node.info.name} for ${(holdMs / 1000).toFixed(1)} s`);
      try {
        if (kind === 'skew') await this.#skew(node, holdMs);
        else if (kind === 'slow') await this.#slow(node, holdMs);
        else if (kind === 'disk') await this.#fillDisk(node, holdMs);
        else if (kind === 'kill') {
          await node.kill();
          await sleep(holdMs);
          await node.start(this.options.startArgs?.(node) ?? []);
        } else if (kind === 'pause') {
          node.process!.kill('SIGSTOP');
          await sleep(holdMs);
          node.process!.kill('SIGCONT');
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
   * One node's clock jumps by a drawn amount and back. Held (2 of 3 draws): for 10-18 s, in which
   * its status must come to say its clock is off by about the amount; a node that does not say
   * so is recorded as stuck. A blip: forward or back for 0.5-3 s, then back within the hold.
   */
  async #skew(node: NodeProcess, holdMs: number): Promise<void> {
    const offsetMs = this.pick(SKEWS_MS);
    const blip = this.random() < 1 / 3;
    const name = node.info.name;
    if (blip) {
      const blipMs = 500 + this.random() * 2_500;
      this.options.log(
        `nemesis: skew ${name} ${signedDuration(offsetMs)} for ${(blipMs / 1000).toFixed(1)} s and back (a blip; hold ${(holdMs / 1000).toFixed(1)} s)`,
      );
      await moveClock(node, offsetMs);
      await sleep(blipMs);
      await moveClock(node, 0);
      await sleep(Math.max(0, holdMs - blipMs));
      return;
    }
    const skewHoldMs = SKEW_HOLD_MIN_MS + (holdMs - 2_000) * 2;
    this.options.log(`nemesis: skew ${name} ${signedDuration(offsetMs)} for ${(skewHoldMs / 1000).toFixed(1)} s`);
    const movedAt = Date.now();
    await moveClock(node, offsetMs);
    try {
      const seen = await this.#clockSeenOff(node, offsetMs, movedAt + skewHoldMs);
      if (seen.ok) this.options.log(`nemesis: ${name} says its clock is ${seen.said} after ${seen.afterS} s`);
      else {
        this.stuck.push(
          `${name}'s clock was moved ${signedDuration(offsetMs)}, and ${seen.afterS} s later its status still said ${seen.said}`,
        );
        this.options.log(`STUCK: ${this.stuck.at(-1)}
${name} log tail:
${node.log.slice(-2_000)}`);
      }
      await sleep(Math.max(0, movedAt + skewHoldMs - Date.now()));
    } finally {
      await moveClock(node, 0);
    }
  }

  /** Polls a skewed node's status until it says its clock is off by about `offsetMs`, or the deadline. */
  async #clockSeenOff(
    node: NodeProcess,
    offsetMs: number,
    deadline: number,
  ): Promise<{ ok: boolean; said: string; afterS: string }> {
    const started = Date.now();
    const toleranceMs = Math.max(SKEW_TOLERANCE_MIN_MS, Math.abs(offsetMs) * 0.02);
    let said = 'nothing (no answer)';
    let firstHeight: number | undefined;
    let height: number | undefined;
    for (;;) {
      const status = await api<{ clock: ClockStatus; height: number }>(node, 'GET', '/status').then(
        (r) => r.body,
        () => undefined,
      );
      const clock = status?.clock;
      if (status) {
        height = status.height;
        firstHeight ??= status.height;
      }
      if (clock) said = `${clock.state} (${clock.offsetMs === null ? 'no offset' : `${clock.offsetMs} ms`})`;
      const afterS = ((Date.now() - started) / 1000).toFixed(1);
      if (clock?.state === 'off' && clock.offsetMs !== null && Math.abs(clock.offsetMs - offsetMs) <= toleranceMs)
        return { ok: true, said, afterS };
      // past the hold: wait on for the blocks the clock watch needs, up to SKEW_HOLD_MAX_MS
      const blocks = firstHeight === undefined || height === undefined ? 0 : height - firstHeight;
      const slowChain = blocks < SKEW_BLOCKS_MIN && Date.now() < started + SKEW_HOLD_MAX_MS;
      if (Date.now() >= deadline && !slowChain)
        return { ok: false, said: `${said}, ${blocks} blocks after the jump`, afterS };
      await sleep(500);
    }
  }

  /** An overloaded computer: the node stopped for part of every short period, for 5-10 s. */
  async #slow(node: NodeProcess, holdMs: number): Promise<void> {
    const slowMs = 5_000 + (holdMs - 2_000) * 1.25;
    const stoppedMs = 100 + this.random() * 200;
    const periodMs = 400 + this.random() * 200;
    this.options.log(
      `nemesis: slow ${node.info.name}: stopped ${stoppedMs.toFixed(0)} ms of every ${periodMs.toFixed(0)} ms for ${(slowMs / 1000).toFixed(1)} s`,
    );
    const end = Date.now() + slowMs;
    while (Date.now() < end) {
      node.process!.kill('SIGSTOP');
      try {
        await sleep(stoppedMs);
      } finally {
        node.process!.kill('SIGCONT');
      }
      await sleep(periodMs - stoppedMs);
    }
  }

  /**
   * Fills the node's disk (to the last byte, or to under its reserve), checks that it says so
   * within DISK_NOTICED_MS (recorded in `stuck` otherwise), holds, and frees it. The node must then
   * take writes again and catch up by itself (caughtUp, after the fault).
   */
  async #fillDisk(node: NodeProcess, holdMs: number): Promise<void> {
    const disks = this.options.disks;
    if (!disks)
      throw new Error('the disk fault needs each node on a small disk (the soak mounts them for --faults disk)');
    const disk = disks.byNode.get(node.info.name)!;
    const full = this.random() < 0.5;
    // Under the reserve the node still commits blocks into what is left, so it may fill the rest
    // itself and say `full`: both refuse submissions, and both are true.
    const wants = full ? ['full'] : ['low', 'full'];
    const want = wants.join('" or "');
    this.options.log(
      `nemesis: disk ${node.info.name} filled ${full ? 'to the last byte' : 'to under its reserve'} for ${(holdMs / 1000).toFixed(1)} s`,
    );
    try {
      await disk.fill(full ? 0 : disks.underReserveBytes);
      const deadline = Date.now() + DISK_NOTICED_MS;
      let seen = 'unknown';
      while (Date.now() < deadline) {
        seen = await api<{ disk: { state: string } }>(node, 'GET', '/status').then(
          (r) => r.body.disk.state,
          () => 'no answer',
        );
        if (wants.includes(seen)) break;
        await sleep(250);
      }
      if (!wants.includes(seen)) {
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
