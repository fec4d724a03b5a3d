// Runs one simulation: N validators (and observers) in one process, each a real consensus
// driver + state machine + PrivValidator + SimApp over its own in-memory chain, on virtual
// time, over the seeded fault-injecting network. After every event the invariants are checked;
// after the heal, every honest node must reach the target height before a deadline computed
// from a bounded number of rounds. Any failure names the seed and the command replaying it.
import type { DuplicateVoteEvidence } from '../../shared/chain/messages.js';
import type { KeyPair } from '../../shared/crypto/index.js';
import { decodeTransaction, encodeTransaction, txId, type Transaction } from '../../shared/ledger/index.js';
import type { Block, Commit } from '../../shared/ledger/types.js';
import {
  decodeBlockAnnouncement,
  encodeBlockAnnouncement,
  type BlockAnnouncement,
} from '../../electron/node/network/gossip/messages.js';
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
import {
  SIM_OBJECTS,
  simGenesis,
  simRegistration,
  simTransfers,
  simValidatorChange,
  simValidatorKey,
} from './fixtures.js';
import { Invariants } from './invariants.js';
import { MeshNetwork, type MeshStats, type NodeTraffic } from './mesh-network.js';
import { SimNetwork, type NetworkStats, type SimWire } from './network.js';
import { Prng } from './prng.js';
import type { SimConfig } from './scenario.js';
import { SimApp, SimMempool, type SyncPeers } from './sim-app.js';
import { SimChain } from './sim-chain.js';
import { UpgradeRequiredError } from './upgrade.js';
import { VirtualClock } from './virtual-clock.js';

export const GOSSIP_INTERVAL_MS = 1_000;
/** Events one run may take before it is declared stuck in a loop. */
export const STEPS_MAX = 3_000_000;
/** National runs: as many events per node. */
const STEPS_PER_NODE_NATIONAL_MAX = 1_000_000;
/** National runs: a submitted transaction is gossiped again this often until committed, at most this often. */
const TX_RESEND_MS = 3_000;
const TX_RESENDS_MAX = 40;
/** Events of one virtual millisecond run before the nodes settle (national runs). */
const EVENTS_PER_SETTLE_MAX = 1_000;
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
  /** National runs only: what national-report.ts measures. */
  national?: NationalRecord;
}

/** Per node, what a national run saw: commit times, traffic, and how it ended. */
export interface NationalRecord {
  genesisTimeMs: number;
  nodes: Array<{
    index: number;
    /** The key it votes with while in the set (validators and joiners), else null. */
    key: string | null;
    byzantine: boolean;
    remote: boolean;
    /** Old software that stopped at the upgrade height: the sentence it stopped with. */
    stopped: { height: number; sentence: string } | null;
    /** height -> virtual time (since genesis) at which this node committed it. */
    commitAtMs: Map<number, number>;
    traffic: NodeTraffic;
  }>;
  /** txId -> virtual time it was submitted. */
  txSubmittedAtMs: Map<string, number>;
  /** Validator key -> the first height it voted on. */
  firstVoteHeight: Map<string, number>;
  /** Decided heights: the transactions and the validators of each. */
  blocks: Map<number, { txIds: string[]; types: string[]; validators: string[]; signers: string[]; round: number }>;
  mesh: MeshStats;
  topology: string;
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
  /** National runs: old software stopped at the upgrade height. */
  stopped: { height: number; sentence: string } | null;
  commitAtMs: Map<number, number>;
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
  readonly network: SimWire;
  /** The gossip mesh of a national run, else null (direct links). */
  readonly mesh: MeshNetwork | null = null;
  readonly invariants: Invariants;
  readonly mempool = new SimMempool();
  /** National runs: one mempool per node, filled by transaction gossip. */
  readonly mempools: SimMempool[] = [];
  readonly txSubmittedAtMs = new Map<string, number>();
  /** Validator key -> the first height it voted on (national runs: when a joiner started voting). */
  readonly firstVoteHeight = new Map<string, number>();
  /** Nodes that committed since the invariants last looked at their chains. */
  readonly #committedSinceCheck = new Set<number>();
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
    this.genesis = simGenesis(
      config.validators,
      Math.max(SIM_OBJECTS, ...config.transactions.map((tx) => tx.index + 1)),
    );
    this.clock = new VirtualClock(this.genesis.genesisTimeMs + 1_000);
    const root = new Prng(config.seed);
    const networkRng = root.fork('network');
    this.rng = { byzantine: root.fork('byzantine'), sync: root.fork('sync') };
    const honestKeys = new Set<string>();
    for (let i = 0; i < config.validators; i++)
      if (!config.byzantine.some((b) => b.node === i)) honestKeys.add(simValidatorKey(i).publicKey);
    for (const joiner of config.national?.joiners ?? []) honestKeys.add(simValidatorKey(joiner).publicKey);
    this.invariants = new Invariants(honestKeys, this.verify);
    const wiretap = (from: number, message: Parameters<SimNetwork['wiretap']>[1]) =>
      this.#guard(() => {
        this.invariants.onWire(from, message);
        config.script?.onWire?.(from, message);
        if (message.kind === 'vote' && !this.firstVoteHeight.has(message.validator))
          this.firstVoteHeight.set(message.validator, message.height);
      });
    if (config.national) {
      const nodes = config.validators + config.observers;
      this.mesh = new MeshNetwork(
        this.clock,
        root.fork('mesh'),
        nodes,
        config.national.mesh,
        root.fork('topology'),
        config.network,
        wiretap,
      );
      this.network = this.mesh;
      this.mesh.keyOf = (node) => this.nodes[node]?.key?.publicKey ?? null;
      for (let index = 0; index < nodes; index++) this.mempools.push(new SimMempool());
    } else {
      this.network = new SimNetwork(this.clock, networkRng, config.network, wiretap);
    }
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

  /** Honest nodes expected to keep up: all but old software stopped at an upgrade. */
  get #live(): SimNode[] {
    return this.nodes.filter((node) => node.byzantine === null && node.stopped === null);
  }

  async #setUp(): Promise<void> {
    const { config } = this;
    const { national } = config;
    const upgrade = national?.upgrade ?? null;
    for (let index = 0; index < config.validators + config.observers; index++) {
      const isValidator = index < config.validators || (national?.joiners.includes(index) ?? false);
      const byzantine = config.byzantine.find((b) => b.node === index)?.behavior ?? null;
      const node: SimNode = {
        index,
        key: isValidator ? simValidatorKey(index) : null,
        byzantine,
        chain: undefined as unknown as SimChain,
        store: isValidator ? new MemoryPrivValidatorStore() : null,
        running: null,
        stopped: null,
        commitAtMs: new Map(),
      };
      const protocol = upgrade
        ? { plan: upgrade.plan, knownVersionMax: upgrade.oldSoftware.includes(index) ? 1 : upgrade.plan.version }
        : null;
      node.chain = await SimChain.create(
        this.genesis,
        this.verify,
        (block, commit) => {
          this.#committedSinceCheck.add(index);
          if (national) node.commitAtMs.set(block.header.height, this.clock.now() - this.genesis.genesisTimeMs);
          this.#guard(() => this.invariants.onCommit(index, byzantine === null, node.chain, block, commit));
        },
        protocol,
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
    const transfers = simTransfers(Math.max(0, ...config.transactions.map((tx) => tx.index + 1)));
    for (const tx of config.transactions) at(tx.atMs, () => this.#submit(transfers[tx.index]!, tx.node ?? 0));
    national?.validatorChanges.forEach((change, k) => {
      const txs = simValidatorChange(config.validators, change.leaving, change.joining, 1_000 + 2 * k);
      at(change.atMs, () => txs.forEach((tx) => this.#submit(tx, change.node)));
    });
    upgrade?.registrations.forEach((registration, k) => {
      const tx = simRegistration(2_000 + k);
      at(registration.atMs, () => this.#submit(tx, registration.node));
    });
    at(config.faultWindowMs, () => this.#heal());
  }

  /**
   * A transaction arrives at `node`: into its mempool, and in a national run gossiped from there,
   * and again every TX_RESEND_MS until that node has committed it, as the outbox does (REQ-OUT.3;
   * each re-send a new gossip message, or gossipsub would refuse it as a duplicate).
   */
  #submit(tx: Transaction, node: number, attempt = 0): void {
    if (!this.mesh) return this.mempool.add(tx);
    const id = txId(tx);
    if (attempt === 0) {
      this.txSubmittedAtMs.set(id, this.clock.now() - this.genesis.genesisTimeMs);
      this.mempools[node]!.add(tx);
    }
    if (this.nodes[node]!.chain.committedTxIds.has(id) || this.nodes[node]!.stopped) return;
    this.mesh.publish(node, 'tx', `${id}/${attempt}`, encodeTransaction(tx));
    if (attempt < TX_RESENDS_MAX) this.clock.setTimer(TX_RESEND_MS, () => this.#submit(tx, node, attempt + 1));
  }

  /** A national node's block and transaction topics (the block topic as chain-validators.ts handles it). */
  #subscribeTopics(node: SimNode, mesh: MeshNetwork): void {
    mesh.onTopic('tx', node.index, (bytes) => this.mempools[node.index]!.add(decodedOnce(bytes, decodeTransaction)));
    mesh.onTopic('block', node.index, (bytes) => {
      const { block, commit } = decodedOnce(bytes, decodeBlockAnnouncement);
      // IGNORE: already committed, or ahead of the head (sync fetches the gap).
      if (block.header.height !== node.chain.head.height + 1) return;
      node.chain.commit(block, commit).catch((error: Error) => {
        // A refused certificate or a head that moved is the gossip validator's Reject or Ignore; a fork is not.
        if (error.message.startsWith('fork')) this.failures.push(error);
      });
    });
  }

  #announcer(node: SimNode): ((block: Block, commit: Commit) => void) | null {
    const { mesh } = this;
    const key = node.key?.publicKey;
    if (!mesh || key === undefined) return null;
    return (block, commit) => {
      if (block.header.proposer === key)
        mesh.publish(node.index, 'block', commit.blockHash, announcementBytes({ block, commit }));
    };
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
    const app = new SimApp(
      node.index,
      node.chain,
      this.mempools[node.index] ?? this.mempool,
      this.clock,
      this.rng.sync,
      this.#syncPeers,
      this.#announcer(node),
    );
    if (this.mesh) this.#subscribeTopics(node, this.mesh);
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
      blockIntervalMinMs: config.blockIntervalMinMs ?? 0,
      gossipIntervalMs: GOSSIP_INTERVAL_MS,
      onEvidence: (evidence) => {
        this.counters.evidence += 1;
        if (node.byzantine === null && this.evidence.length < EVIDENCE_KEPT_MAX) this.evidence.push(evidence);
      },
      onHalt: (error) => {
        if (error instanceof UpgradeRequiredError && node.chain.head.height === error.height - 1) {
          // Old software at the upgrade height: it stops, as it must, and says why.
          node.stopped = { height: error.height, sentence: error.message };
          this.clock.setTimer(0, () => this.#crash(node));
          return;
        }
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
          .map((peer) => ({ index: peer.index, chain: peer.chain, byzantine: peer.byzantine !== null })),
      syncDelayMs: () => {
        const latency = this.config.national?.mesh.latency;
        return latency
          ? this.rng.sync.int(latency.linkMinMs, latency.linkMaxMs) * 2
          : this.rng.sync.int(this.config.network.delayMinMs, this.config.network.delayMaxMs) * 2;
      },
      onSynced: (_node, blocks) => (this.counters.syncedBlocks += blocks),
      onCopied: (node, from, block, commit) =>
        this.mesh?.countSync(from, node, announcementBytes({ block, commit }).length),
      onForgedServed: () => (this.counters.forgedSyncServed += 1),
    };
  }

  #heal(): void {
    const { config } = this;
    this.network.faults = config.healedNetwork;
    this.network.partition = null;
    const honest = this.#live;
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
      total +=
        timeoutDurationMs(DEFAULT_TIMEOUTS, 'precommit', round) +
        3 * (this.config.national?.floodDelayMaxMs ?? this.config.healedNetwork.delayMaxMs);
    }
    return total;
  }

  async #loop(): Promise<void> {
    let committed = true;
    for (;;) {
      if (this.failures.length > 0) return;
      if (this.healed) {
        const { target, deadlineMs } = this.healed;
        const live = this.#live;
        if (committed && live.every((node) => node.chain.head.height >= target)) return;
        if (this.clock.now() > deadlineMs) {
          const behind = live
            .filter((node) => node.chain.head.height < target)
            .map((node) => `node ${node.index} at ${node.chain.head.height}`);
          throw new Error(
            `liveness: after the heal, not every honest node reached height ${target} within ${roundsPerHeightAfterHeal(this.config.validators)} rounds per height (${behind.join(', ')})`,
          );
        }
      }
      if (!this.clock.runNext()) throw new Error('no events left: the simulation deadlocked');
      this.steps += 1;
      // A national run takes every event of this virtual millisecond before letting the nodes
      // react (one settle per millisecond, not per event: the same events at the same times).
      for (
        let batch = 1;
        this.mesh && batch < EVENTS_PER_SETTLE_MAX && this.clock.nextAtMs() === this.clock.now();
        batch++
      ) {
        this.clock.runNext();
        this.steps += 1;
      }
      await settle();
      committed = this.#committedSinceCheck.size > 0;
      if (committed) {
        // Only a commit changes a chain: the others were checked when they last committed.
        const changed = [...this.#committedSinceCheck].map((index) => this.nodes[index]!);
        this.#committedSinceCheck.clear();
        this.#guard(() =>
          this.invariants.checkChains(
            changed.filter((node) => node.byzantine === null).map((node) => ({ node: node.index, chain: node.chain })),
          ),
        );
      }
      const stepsMax = this.mesh ? STEPS_PER_NODE_NATIONAL_MAX * this.nodes.length : STEPS_MAX;
      if (this.steps > stepsMax) throw new Error(`more than ${stepsMax} events`);
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
      heightsCommitted: Math.min(...this.#live.map((node) => node.chain.head.height)),
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
      ...(this.mesh ? { national: this.#nationalRecord(this.mesh) } : {}),
    };
  }

  #nationalRecord(mesh: MeshNetwork): NationalRecord {
    const longest = this.#live.reduce((a, b) => (b.chain.head.height > a.chain.head.height ? b : a));
    const blocks: NationalRecord['blocks'] = new Map();
    for (let height = 1; height <= longest.chain.head.height; height++) {
      const block = longest.chain.blocks[height]!;
      blocks.set(height, {
        txIds: block.txs.map((tx) => txId(tx)),
        types: block.txs.map((tx) => tx.type),
        validators: longest.chain.validatorsFor(height),
        signers: longest.chain.commits[height]!.signatures.map((entry) => entry.validator),
        round: longest.chain.commits[height]!.round,
      });
    }
    return {
      genesisTimeMs: this.genesis.genesisTimeMs,
      nodes: this.nodes.map((node) => ({
        index: node.index,
        key: node.key?.publicKey ?? null,
        byzantine: node.byzantine !== null,
        remote: mesh.topology.isRemote(node.index),
        stopped: node.stopped,
        commitAtMs: node.commitAtMs,
        traffic: mesh.traffic[node.index]!,
      })),
      txSubmittedAtMs: this.txSubmittedAtMs,
      firstVoteHeight: this.firstVoteHeight,
      blocks,
      mesh: { ...mesh.stats },
      topology: mesh.topology.describe(),
    };
  }
}

const decoded = new WeakMap<Uint8Array, unknown>();

/** Every receiver of one gossip message gets the same bytes: decode them once. */
function decodedOnce<T>(bytes: Uint8Array, decode: (bytes: Uint8Array) => T): T {
  let value = decoded.get(bytes) as T | undefined;
  if (value === undefined) {
    value = decode(bytes);
    decoded.set(bytes, value);
  }
  return value;
}

const announcements = new WeakMap<Commit, Uint8Array>();

/** A block announcement's bytes, encoded once per commit object. */
function announcementBytes(announcement: BlockAnnouncement): Uint8Array {
  let bytes = announcements.get(announcement.commit);
  if (!bytes) {
    bytes = encodeBlockAnnouncement(announcement);
    announcements.set(announcement.commit, bytes);
  }
  return bytes;
}
