// Runs one simulation: N validators (and observers) in one process, each a real consensus
// driver + state machine + PrivValidator + SimApp over its own in-memory chain, on virtual
// time, over the seeded fault-injecting network. After every event the invariants are checked;
// after the heal, every honest node must reach the target height before a deadline computed
// from a bounded number of rounds. Any failure names the seed and the command replaying it.
import type { DuplicateVoteEvidence } from '../../shared/chain/messages.js';
import type { KeyPair } from '../../shared/crypto/index.js';
import {
  consensusDriver,
  DEFAULT_TIMEOUTS,
  MemoryPrivValidatorStore,
  PrivValidator,
  timeoutDurationMs,
  type ConsensusDriver,
  type ConsensusLogger,
  type PrivValidatorState,
  type PrivValidatorStore,
} from '../../electron/node/consensus/index.js';
import { checkFastSigner, fastSign, memoizedVerifier } from './fast-crypto.js';
import { ByzantineTransport, type ByzantineBehavior, type ByzantineStats } from './byzantine.js';
import { simGenesis, simTransfers, simValidatorKey } from './fixtures.js';
import { Invariants } from './invariants.js';
import { SimNetwork, type NetworkStats } from './network.js';
import { Prng } from './prng.js';
import type { SimConfig } from './scenario.js';
import { SimApp, SimMempool, type SyncPeers } from './sim-app.js';
import { SimChain } from './sim-chain.js';
import { VirtualClock } from './virtual-clock.js';

export const GOSSIP_INTERVAL_MS = 1_000;
/** Events one run may take before it is declared stuck in a loop. */
export const STEPS_MAX = 3_000_000;
const EVIDENCE_KEPT_MAX = 64;
/** Rounds per height allowed after the heal: n + 2 covers f faulty proposers in a row and a lock. */
const roundsPerHeightAfterHeal = (validators: number) => validators + 2;

export interface SimResult {
  seed: number;
  validators: number;
  observers: number;
  /** Lowest head among honest nodes at the end. */
  heightsCommitted: number;
  /** What honest nodes decided, height by height (the first commit seen of each). */
  decided: Array<{ height: number; round: number; blockHash: string }>;
  /** Evidence reported by honest nodes (the first EVIDENCE_KEPT_MAX). */
  evidence: DuplicateVoteEvidence[];
  /** Rounds taken by all decided heights (a height decided in round 0 counts 1). */
  rounds: number;
  maxRound: number;
  virtualMs: number;
  steps: number;
  faults: {
    network: NetworkStats;
    partitions: number;
    crashes: number;
    byzantine: ByzantineStats;
    forgedSyncServed: number;
    syncedBlocks: number;
    evidence: number;
    signRefused: number;
  };
}

export class SimFailure extends Error {
  constructor(
    readonly seed: number,
    readonly replay: string,
    reason: string,
  ) {
    super(`simulation seed ${seed} failed: ${reason}\n  replay: ${replay}`);
    this.name = 'SimFailure';
  }
}

interface SimNode {
  index: number;
  key: KeyPair | null;
  byzantine: ByzantineBehavior | null;
  chain: SimChain;
  store: MemoryPrivValidatorStore | null;
  running: { driver: ConsensusDriver; app: SimApp; fence: FencedStore } | null;
}

/** A crashed process writes nothing more: the fence fails its pending writes. */
class FencedStore implements PrivValidatorStore {
  dead = false;
  constructor(readonly inner: PrivValidatorStore) {}
  load(): Promise<PrivValidatorState | undefined> {
    return this.inner.load();
  }
  save(state: PrivValidatorState): Promise<void> {
    return this.dead ? Promise.reject(new Error('the simulated process is dead')) : this.inner.save(state);
  }
  describe(): string {
    return 'sim';
  }
}

/** Shared by every run of the process: results are the same for every node and every run. */
const sharedVerifier = memoizedVerifier();

const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

export async function runSimulation(config: SimConfig, replay: string): Promise<SimResult> {
  const sim = new Simulation(config, replay);
  return sim.run();
}

class Simulation {
  readonly genesis;
  readonly clock;
  readonly verify = sharedVerifier;
  readonly network: SimNetwork;
  readonly invariants: Invariants;
  readonly mempool = new SimMempool();
  readonly nodes: SimNode[] = [];
  readonly failures: Error[] = [];
  readonly evidence: DuplicateVoteEvidence[] = [];
  readonly byzantineStats: ByzantineStats = { silenced: 0, equivocations: 0, invalidProposals: 0 };
  readonly counters = { crashes: 0, forgedSyncServed: 0, syncedBlocks: 0, evidence: 0, signRefused: 0 };
  readonly rng: { byzantine: Prng; sync: Prng };
  steps = 0;
  /** Set SIM_LOG=1 to print every driver log line with node and virtual time. */
  readonly log = process.env.SIM_LOG === '1';
  healed: { target: number; deadlineMs: number } | null = null;

  constructor(
    readonly config: SimConfig,
    readonly replay: string,
  ) {
    this.genesis = simGenesis(config.validators);
    this.clock = new VirtualClock(this.genesis.genesisTimeMs + 1_000);
    const root = new Prng(config.seed);
    const networkRng = root.fork('network');
    this.rng = { byzantine: root.fork('byzantine'), sync: root.fork('sync') };
    const honestKeys = new Set<string>();
    for (let i = 0; i < config.validators; i++)
      if (!config.byzantine.some((b) => b.node === i)) honestKeys.add(simValidatorKey(i).publicKey);
    this.invariants = new Invariants(honestKeys, this.verify);
    this.network = new SimNetwork(this.clock, networkRng, config.network, (from, message) =>
      this.#guard(() => {
        this.invariants.onWire(from, message);
        config.script?.onWire?.(from, message);
      }),
    );
    const dropIf = config.script?.dropIf;
    if (dropIf)
      this.network.dropIf = (from, to, message) =>
        dropIf(from, to, message, this.clock.now() - this.genesis.genesisTimeMs);
  }

  async run(): Promise<SimResult> {
    try {
      await this.#setUp();
      await this.#loop();
    } catch (error) {
      this.failures.push(error as Error);
    }
    // Not awaited: calls waiting on virtual timers would wait forever once the clock stops.
    for (const node of this.nodes) void node.running?.driver.stop();
    if (this.failures.length > 0) {
      const first = this.failures[0]!;
      throw new SimFailure(
        this.config.seed,
        this.replay,
        `${first.message} (virtual time ${this.clock.now() - this.genesis.genesisTimeMs} ms, step ${this.steps})`,
      );
    }
    return this.#result();
  }

  #guard(check: () => void): void {
    try {
      check();
    } catch (error) {
      this.failures.push(error as Error);
    }
  }

  get #honest(): SimNode[] {
    return this.nodes.filter((node) => node.byzantine === null);
  }

  async #setUp(): Promise<void> {
    const { config } = this;
    for (let index = 0; index < config.validators + config.observers; index++) {
      const isValidator = index < config.validators;
      const byzantine = config.byzantine.find((b) => b.node === index)?.behavior ?? null;
      const node: SimNode = {
        index,
        key: isValidator ? simValidatorKey(index) : null,
        byzantine,
        chain: undefined as unknown as SimChain,
        store: isValidator ? new MemoryPrivValidatorStore() : null,
        running: null,
      };
      node.chain = await SimChain.create(this.genesis, this.verify, (block, commit) =>
        this.#guard(() => this.invariants.onCommit(index, byzantine === null, node.chain, block, commit)),
      );
      this.nodes.push(node);
    }
    for (const node of this.nodes) await this.#start(node);
    const at = (ms: number, run: () => void) => this.clock.setTimer(ms, run);
    for (const partition of config.partitions) {
      at(partition.startMs, () => (this.network.partition = new Set(partition.side)));
      at(partition.endMs, () => (this.network.partition = null));
    }
    for (const crash of config.crashes) {
      at(crash.atMs, () => this.#crash(this.nodes[crash.node]!));
      at(
        crash.atMs + crash.downMs,
        () => void this.#start(this.nodes[crash.node]!).catch((error: Error) => this.failures.push(error)),
      );
    }
    const transfers = simTransfers();
    for (const tx of config.transactions) at(tx.atMs, () => this.mempool.add(transfers[tx.index]!));
    at(config.faultWindowMs, () => this.#heal());
  }

  async #start(node: SimNode): Promise<void> {
    const { config } = this;
    const fence = new FencedStore(node.store ?? new MemoryPrivValidatorStore());
    if (node.key) checkFastSigner(node.key.secretKey);
    const signer = node.key
      ? await PrivValidator.open({
          secretKey: node.key.secretKey,
          chainId: this.genesis.chainId,
          store: fence,
          sign: fastSign,
        })
      : null;
    const app = new SimApp(node.index, node.chain, this.mempool, this.clock, this.rng.sync, this.#syncPeers);
    const transport = node.byzantine
      ? new ByzantineTransport(
          node.index,
          node.byzantine,
          node.key!.secretKey,
          this.genesis.chainId,
          this.network,
          this.rng.byzantine,
          this.byzantineStats,
        )
      : this.network.transport(node.index);
    const driver = consensusDriver({
      chainId: this.genesis.chainId,
      heartbeatMs: config.heartbeatMs,
      gossipIntervalMs: GOSSIP_INTERVAL_MS,
      onEvidence: (evidence) => {
        this.counters.evidence += 1;
        if (node.byzantine === null && this.evidence.length < EVIDENCE_KEPT_MAX) this.evidence.push(evidence);
      },
      onHalt: (error) => {
        if (node.byzantine === null)
          this.failures.push(new Error(`honest node ${node.index} halted: ${error.message}`));
      },
    })({
      clock: this.clock,
      transport,
      app,
      verify: this.verify,
      privValidator: signer,
      metrics: { signRefused: () => (this.counters.signRefused += 1) },
      ...(this.log ? { logger: this.#logger(node.index) } : {}),
    });
    node.running = { driver, app, fence };
    await driver.start();
  }

  #logger(index: number): ConsensusLogger {
    const line = (level: string) => (fields: object, message: string) =>
      console.log(
        `${String(this.clock.now() - this.genesis.genesisTimeMs).padStart(7)} ms node ${index} ${level} ${message} ${JSON.stringify(fields, (_k, v: unknown) => (v instanceof Error ? v.message : v))}`,
      );
    return { debug: line('debug'), info: line('info'), warn: line('warn'), error: line('error') };
  }

  #crash(node: SimNode): void {
    const running = node.running;
    if (!running) return;
    this.counters.crashes += 1;
    running.fence.dead = true;
    running.app.kill();
    void running.driver.stop();
    this.network.detach(node.index);
    node.running = null;
  }

  get #syncPeers(): SyncPeers {
    return {
      reachable: (from) =>
        this.nodes
          .filter((peer) => peer.index !== from && this.network.reachable(from, peer.index))
          .map((peer) => ({ chain: peer.chain, byzantine: peer.byzantine !== null })),
      syncDelayMs: () => this.rng.sync.int(this.config.network.delayMinMs, this.config.network.delayMaxMs) * 2,
      onSynced: (_node, blocks) => (this.counters.syncedBlocks += blocks),
      onForgedServed: () => (this.counters.forgedSyncServed += 1),
    };
  }

  #heal(): void {
    const { config } = this;
    this.network.faults = config.healedNetwork;
    this.network.partition = null;
    const honest = this.#honest;
    const heights = honest.map((node) => node.chain.head.height);
    const target = Math.max(config.heights, Math.max(...heights) + config.heightsAfterHeal);
    const maxRound = Math.max(0, ...honest.map((node) => node.running?.driver.status().round ?? 0));
    const heightsToGo = target - Math.min(...heights);
    const rounds = roundsPerHeightAfterHeal(config.validators);
    const deadlineMs =
      this.#roundsMs(maxRound, rounds) +
      (heightsToGo - 1) * this.#roundsMs(0, rounds) +
      heightsToGo * config.heartbeatMs +
      3 * GOSSIP_INTERVAL_MS;
    this.healed = { target, deadlineMs: this.clock.now() + deadlineMs };
  }

  /** Longest time `count` rounds from `firstRound` take: every timeout plus three message delays each. */
  #roundsMs(firstRound: number, count: number): number {
    let total = 0;
    for (let round = firstRound; round < firstRound + count; round++) {
      total +=
        timeoutDurationMs(DEFAULT_TIMEOUTS, 'propose', round) + timeoutDurationMs(DEFAULT_TIMEOUTS, 'prevote', round);
      total += timeoutDurationMs(DEFAULT_TIMEOUTS, 'precommit', round) + 3 * this.config.healedNetwork.delayMaxMs;
    }
    return total;
  }

  async #loop(): Promise<void> {
    for (;;) {
      if (this.failures.length > 0) return;
      if (this.healed) {
        const { target, deadlineMs } = this.healed;
        if (this.#honest.every((node) => node.chain.head.height >= target)) return;
        if (this.clock.now() > deadlineMs) {
          const behind = this.#honest
            .filter((node) => node.chain.head.height < target)
            .map((node) => `node ${node.index} at ${node.chain.head.height}`);
          throw new Error(
            `liveness: after the heal, not every honest node reached height ${target} within ${roundsPerHeightAfterHeal(this.config.validators)} rounds per height (${behind.join(', ')})`,
          );
        }
      }
      if (!this.clock.runNext()) throw new Error('no events left: the simulation deadlocked');
      this.steps += 1;
      await settle();
      this.#guard(() =>
        this.invariants.checkChains(this.#honest.map((node) => ({ node: node.index, chain: node.chain }))),
      );
      if (this.steps > STEPS_MAX) throw new Error(`more than ${STEPS_MAX} events`);
    }
  }

  #result(): SimResult {
    const rounds = [...this.invariants.rounds.values()];
    const decided = [...this.invariants.decided]
      .sort(([a], [b]) => a - b)
      .map(([height, blockHash]) => ({ height, round: this.invariants.rounds.get(height)!, blockHash }));
    return {
      decided,
      evidence: [...this.evidence],
      seed: this.config.seed,
      validators: this.config.validators,
      observers: this.config.observers,
      heightsCommitted: Math.min(...this.#honest.map((node) => node.chain.head.height)),
      rounds: rounds.reduce((sum, round) => sum + round + 1, 0),
      maxRound: Math.max(0, ...rounds),
      virtualMs: this.clock.now() - this.genesis.genesisTimeMs,
      steps: this.steps,
      faults: {
        network: { ...this.network.stats },
        partitions: this.config.partitions.length,
        crashes: this.counters.crashes,
        byzantine: { ...this.byzantineStats },
        forgedSyncServed: this.counters.forgedSyncServed,
        syncedBlocks: this.counters.syncedBlocks,
        evidence: this.counters.evidence,
        signRefused: this.counters.signRefused,
      },
    };
  }
}
