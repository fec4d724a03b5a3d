// A simulation's plan, drawn entirely from its seed: how many validators and observers, which
// faults happen when during the fault window, which validators are byzantine and how, which
// transactions arrive. The network heals at the end of the window; then every honest node
// must commit new heights within a bounded number of rounds.
import type { ConsensusMessage } from '../../shared/chain/messages.js';
import { BYZANTINE_BEHAVIORS, type ByzantineBehavior } from './byzantine.js';
import { SIM_TRANSFERS_MAX } from './fixtures.js';
import type { MeshPlan } from './mesh-topology.js';
import type { NetworkFaults } from './network.js';
import { Prng } from './prng.js';
import type { UpgradePlan } from './upgrade.js';

export interface PartitionPlan {
  startMs: number;
  endMs: number;
  /** Nodes cut off from the others. */
  side: number[];
}

export interface CrashPlan {
  node: number;
  atMs: number;
  downMs: number;
}

export interface SimConfig {
  seed: number;
  /** Nodes 0..validators-1 are validators, the next `observers` nodes observers. */
  validators: number;
  observers: number;
  /** Every honest node commits at least this many heights. */
  heights: number;
  /** ...and at least this many more after the heal. */
  heightsAfterHeal: number;
  heartbeatMs: number;
  /** The drivers' least time between heights (capped by the heartbeat); absent: 0. */
  blockIntervalMinMs?: number;
  /** Faults happen in [0, faultWindowMs) of virtual time; the network heals at its end. */
  faultWindowMs: number;
  network: NetworkFaults;
  healedNetwork: NetworkFaults;
  partitions: PartitionPlan[];
  crashes: CrashPlan[];
  byzantine: Array<{ node: number; behavior: ByzantineBehavior }>;
  /** `node`: where it is submitted (national runs gossip it from there; otherwise every mempool has it at once). */
  transactions: Array<{ atMs: number; index: number; node?: number }>;
  /** A national network (national-scenario.ts): a gossip mesh instead of direct links, and more. */
  national?: NationalPlan;
  /** Targeted scenarios only: a scripted fault and a view of the wire. */
  script?: {
    /** True drops that copy; `elapsedMs` is virtual time since the start. */
    dropIf?(from: number, to: number, message: ConsensusMessage, elapsedMs: number): boolean;
    onWire?(from: number, message: ConsensusMessage): void;
  };
}

export interface NationalPlan {
  mesh: MeshPlan;
  /** Full nodes that hold a validator key (sim key = node index) and join the set by authority.add. */
  joiners: number[];
  /** authority.revoke of `leaving` and authority.add of `joining`, submitted at node `node`. */
  validatorChanges: Array<{ atMs: number; leaving: number; joining: number; node: number }>;
  upgrade: {
    plan: UpgradePlan;
    /** Full nodes whose software knows only protocol 1: they must stop at the upgrade height. */
    oldSoftware: number[];
    /** property.register transactions (the type the upgrade enables), submitted before the height. */
    registrations: Array<{ atMs: number; node: number }>;
  } | null;
  /** Longest one flood takes across the mesh (the liveness deadline's message delay). */
  floodDelayMaxMs: number;
}

export interface ConfigOverrides {
  validators?: number;
  heights?: number;
}

/** f of n = 3f + 1 (or more) validators. */
export function faultyMax(validators: number): number {
  return Math.floor((validators - 1) / 3);
}

export function randomConfig(seed: number, overrides: ConfigOverrides = {}): SimConfig {
  const rng = new Prng(seed).fork('scenario');
  const validators = overrides.validators ?? rng.pick([4, 4, 4, 4, 4, 4, 5, 7]);
  const observers = rng.chance(0.25) ? 1 : 0;
  const nodes = validators + observers;
  const faultWindowMs = rng.int(3_000, 25_000);
  const delayMinMs = rng.int(1, 20);
  const network: NetworkFaults = {
    dropRate: rng.next() * 0.3,
    precommitDropRate: rng.chance(0.3) ? rng.next() * 0.6 : 0,
    precommitDelayMaxMs: rng.chance(0.5) ? rng.int(500, 4_000) : 0,
    duplicateRate: rng.next() * 0.1,
    delayMinMs,
    delayMaxMs: delayMinMs + rng.int(0, 400),
  };

  const partitions: PartitionPlan[] = [];
  let partitionFreeFromMs = 0;
  for (let i = rng.int(0, 2); i > 0 && partitionFreeFromMs < faultWindowMs - 500; i--) {
    const startMs = rng.int(partitionFreeFromMs, faultWindowMs - 500);
    const endMs = Math.min(faultWindowMs, startMs + rng.int(500, 12_000));
    const side = rng.shuffle(Array.from({ length: nodes }, (_, n) => n)).slice(0, rng.int(1, nodes - 1));
    partitions.push({ startMs, endMs, side: side.sort((a, b) => a - b) });
    partitionFreeFromMs = endMs + 1;
  }

  const byzantineCount = rng.chance(0.4) ? 0 : rng.int(1, faultyMax(validators));
  const byzantine = rng
    .shuffle(Array.from({ length: validators }, (_, n) => n))
    .slice(0, byzantineCount)
    .map((node) => ({ node, behavior: rng.pick(BYZANTINE_BEHAVIORS) }));

  const honest = Array.from({ length: nodes }, (_, n) => n).filter((n) => !byzantine.some((b) => b.node === n));
  const crashes: CrashPlan[] = [];
  if (rng.chance(0.5) && faultWindowMs > 1_000) {
    const atMs = rng.int(0, faultWindowMs - 1_000);
    crashes.push({ node: rng.pick(honest), atMs, downMs: rng.int(200, Math.min(10_000, faultWindowMs - atMs)) });
  }

  const transactions = rng
    .shuffle(Array.from({ length: SIM_TRANSFERS_MAX }, (_, i) => i))
    .slice(0, rng.int(0, 4))
    .map((index) => ({ atMs: rng.int(0, faultWindowMs + 3_000), index }));

  return {
    seed,
    validators,
    observers,
    heights: overrides.heights ?? rng.int(3, 6),
    heightsAfterHeal: 2,
    heartbeatMs: rng.chance(0.5) ? 0 : rng.int(100, 1_500),
    faultWindowMs,
    network,
    healedNetwork: { ...network, dropRate: 0, precommitDropRate: 0, precommitDelayMaxMs: 0 },
    partitions,
    crashes,
    byzantine,
    transactions,
    // drawn last, so that every earlier draw (and so every older seed's faults) stays as it was
    blockIntervalMinMs: rng.chance(0.5) ? 0 : rng.int(50, 1_000),
  };
}

/** The command that replays one seed exactly. */
export function replayCommand(seed: number, overrides: ConfigOverrides = {}): string {
  const extra = [
    overrides.validators === undefined ? '' : ` --validators ${overrides.validators}`,
    overrides.heights === undefined ? '' : ` --heights ${overrides.heights}`,
  ];
  return `npx tsx test/sim/run.ts --seed ${seed}${extra.join('')}`;
}

export function describeConfig(config: SimConfig): string {
  const parts = [
    `${config.validators} validators${config.observers ? ` + ${config.observers} observer` : ''}`,
    `${config.heights} heights`,
    `faults for ${config.faultWindowMs} ms: drop ${(config.network.dropRate * 100).toFixed(0)}% (precommits +${(config.network.precommitDropRate * 100).toFixed(0)}%, +${config.network.precommitDelayMaxMs} ms), duplicate ${(config.network.duplicateRate * 100).toFixed(0)}%, delay ${config.network.delayMinMs}-${config.network.delayMaxMs} ms`,
    `${config.partitions.length} partitions`,
    `${config.crashes.length} crashes`,
    config.byzantine.length
      ? `byzantine ${config.byzantine.map((b) => `${b.node}:${b.behavior}`).join(',')}`
      : 'no byzantine',
    `${config.transactions.length} transfers`,
    `heartbeat ${config.heartbeatMs} ms`,
    `least interval ${Math.min(config.blockIntervalMinMs ?? 0, config.heartbeatMs)} ms`,
  ];
  return parts.join('; ');
}
