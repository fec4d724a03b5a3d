// A national network's plan, drawn from its seed: V validators and F non-voting full nodes on
// a gossip mesh with country latencies (mesh-topology.ts), transfers arriving at random
// offices, the simulator's faults during a window (link drops and duplicates, extra delay, a
// region cut off and healed, a validator and a full node crashing and restarting, byzantine
// validators up to f), one validator leaving and a full node joining the set by authority
// transactions (in force at H + 2), and an upgrade height with old software on two nodes.
import { BYZANTINE_BEHAVIORS } from './byzantine.js';
import { isSimRegistrar } from './fixtures.js';
import { DEFAULT_MESH_PLAN, type MeshPlan } from './mesh-topology.js';
import type { NetworkFaults } from './network.js';
import { Prng } from './prng.js';
import { faultyMax, type SimConfig } from './scenario.js';

export interface NationalOptions {
  seed: number;
  validators: number;
  fullNodes: number;
  heights: number;
  /** false: no faults, no byzantine validators (the quiet baseline). Default true. */
  faults?: boolean;
  /** Byzantine validators; default min(3, f). */
  byzantine?: number;
  /** Mean time between transfers arriving; default 1,000 ms. */
  txIntervalMs?: number;
}

/** What the liveness deadline assumes one flood across the mesh takes at most. */
const FLOOD_DELAY_MAX_MS = 1_200;
/** A height with transactions, in virtual time, for spreading the plan's events over a run. */
const HEIGHT_EXPECTED_MS = 1_000;
export const NATIONAL_HEARTBEAT_MS = 2_000;
const REMOTE_SHARE = 0.05;
const OLD_SOFTWARE_NODES = 2;

export function nationalConfig(options: NationalOptions): SimConfig {
  const { seed, validators, fullNodes, heights } = options;
  if (validators < 4) throw new Error('a national run needs at least 4 validators');
  if (fullNodes < 4)
    throw new Error('a national run needs at least 4 full nodes (a joiner and old software among them)');
  const faults = options.faults ?? true;
  const rng = new Prng(seed).fork('national-scenario');
  const nodes = validators + fullNodes;
  const fullNodeIndexes = Array.from({ length: fullNodes }, (_, i) => validators + i);
  const expectedMs = heights * HEIGHT_EXPECTED_MS;
  const faultWindowMs = faults ? Math.max(3_000, Math.round(expectedMs * 0.4)) : 1_000;

  const joiner = validators; // the first full node
  const oldSoftware = rng.shuffle(fullNodeIndexes.filter((n) => n !== joiner)).slice(0, OLD_SOFTWARE_NODES);
  const byzantineCount = faults ? Math.min(options.byzantine ?? 3, faultyMax(validators)) : 0;
  // Validators 0 and 1 are the dev registrar and notary (they certify the transfers): kept honest.
  const byzantine = rng
    .shuffle(Array.from({ length: validators - 2 }, (_, i) => i + 2))
    .slice(0, byzantineCount)
    .map((node) => ({ node, behavior: rng.pick(BYZANTINE_BEHAVIORS) }));
  const isByzantine = (n: number) => byzantine.some((b) => b.node === n);
  const honestValidators = Array.from({ length: validators }, (_, n) => n).filter((n) => !isByzantine(n));
  // The leaving validator is an honest notary that does not crash.
  const leaving = rng.pick(honestValidators.filter((n) => n >= 2 && !isSimRegistrar(n)));

  const remoteCount = Math.max(1, Math.round(nodes * REMOTE_SHARE));
  const remoteNodes = rng
    .shuffle([
      ...rng.shuffle(Array.from({ length: validators }, (_, n) => n)).slice(0, 1),
      ...rng.shuffle(fullNodeIndexes).slice(0, remoteCount - 1),
    ])
    .sort((a, b) => a - b);
  const mesh: MeshPlan = {
    ...DEFAULT_MESH_PLAN,
    latency: {
      linkMinMs: 10,
      linkMaxMs: 60,
      remoteLinkMs: 200,
      remoteNodes,
      jitterRatio: 0.1,
      uplinkBytesPerMs: 2_500,
      validationMs: 1,
    },
  };

  const network: NetworkFaults = faults
    ? {
        dropRate: rng.next() * 0.1,
        precommitDropRate: rng.chance(0.5) ? rng.next() * 0.2 : 0,
        precommitDelayMaxMs: rng.chance(0.5) ? rng.int(200, 1_500) : 0,
        duplicateRate: rng.next() * 0.05,
        delayMinMs: 0,
        delayMaxMs: rng.int(0, 100),
      }
    : quietNetwork();

  const partitions = faults
    ? (() => {
        const startMs = rng.int(500, Math.max(500, faultWindowMs - 3_000));
        const side = rng.shuffle(Array.from({ length: nodes }, (_, n) => n)).slice(0, Math.round(nodes * 0.2));
        return [
          {
            startMs,
            endMs: Math.min(faultWindowMs, startMs + rng.int(1_000, 6_000)),
            side: side.sort((a, b) => a - b),
          },
        ];
      })()
    : [];
  const crashable = honestValidators.filter((n) => n !== leaving && n > 1);
  const crashes = faults
    ? [
        { node: rng.pick(crashable), atMs: rng.int(0, faultWindowMs - 1_000), downMs: rng.int(500, 5_000) },
        {
          node: rng.pick(fullNodeIndexes.filter((n) => n !== joiner && !oldSoftware.includes(n))),
          atMs: rng.int(0, faultWindowMs - 1_000),
          downMs: rng.int(500, 5_000),
        },
      ].map((crash) => ({ ...crash, downMs: Math.min(crash.downMs, faultWindowMs - crash.atMs) }))
    : [];

  const submitters = Array.from({ length: nodes }, (_, n) => n).filter(
    (n) => !isByzantine(n) && !oldSoftware.includes(n),
  );
  const transactions: SimConfig['transactions'] = [];
  const txIntervalMs = options.txIntervalMs ?? 1_000;
  for (let atMs = 200, index = 0; index < heights; index++) {
    atMs += Math.max(1, Math.round(-Math.log(1 - rng.next()) * txIntervalMs));
    transactions.push({ atMs, index, node: rng.pick(submitters) });
  }

  const upgradeHeight = Math.max(4, Math.round(heights * 0.6));
  return {
    seed,
    validators,
    observers: fullNodes,
    heights,
    heightsAfterHeal: 2,
    heartbeatMs: NATIONAL_HEARTBEAT_MS,
    faultWindowMs,
    network,
    healedNetwork: quietNetwork(),
    partitions,
    crashes,
    byzantine,
    transactions,
    national: {
      mesh,
      joiners: [joiner],
      validatorChanges: [{ atMs: Math.round(expectedMs * 0.25), leaving, joining: joiner, node: rng.pick(submitters) }],
      upgrade: {
        plan: { height: upgradeHeight, version: 2, enables: ['property.register'] },
        oldSoftware,
        registrations: [{ atMs: Math.round(expectedMs * 0.2), node: rng.pick(submitters) }],
      },
      floodDelayMaxMs: FLOOD_DELAY_MAX_MS + network.delayMaxMs + network.precommitDelayMaxMs,
    },
  };
}

function quietNetwork(): NetworkFaults {
  return { dropRate: 0, precommitDropRate: 0, precommitDelayMaxMs: 0, duplicateRate: 0, delayMinMs: 0, delayMaxMs: 0 };
}

/** The command that replays one national run exactly. */
export function nationalReplay(options: NationalOptions): string {
  return (
    `npx tsx test/sim/national.ts --seed ${options.seed} --validators ${options.validators} ` +
    `--full-nodes ${options.fullNodes} --heights ${options.heights}` +
    (options.faults === false ? ' --no-faults' : '') +
    (options.byzantine === undefined ? '' : ` --byzantine ${options.byzantine}`)
  );
}

export function describeNational(config: SimConfig): string {
  const national = config.national!;
  const upgrade = national.upgrade;
  return [
    `${config.validators} validators + ${config.observers} full nodes, ${config.heights} heights, heartbeat ${config.heartbeatMs} ms`,
    `faults for ${config.faultWindowMs} ms: link drop ${(config.network.dropRate * 100).toFixed(1)}% (precommits +${(config.network.precommitDropRate * 100).toFixed(0)}%, +${config.network.precommitDelayMaxMs} ms), duplicate ${(config.network.duplicateRate * 100).toFixed(1)}%, extra delay 0-${config.network.delayMaxMs} ms`,
    `partitions ${config.partitions.map((p) => `${p.side.length} nodes ${p.startMs}-${p.endMs} ms`).join(', ') || 'none'}`,
    `crashes ${config.crashes.map((c) => `node ${c.node} at ${c.atMs} ms for ${c.downMs} ms`).join(', ') || 'none'}`,
    `byzantine ${config.byzantine.map((b) => `${b.node}:${b.behavior}`).join(',') || 'none'}`,
    `${config.transactions.length} transfers`,
    national.validatorChanges
      .map((c) => `validator ${c.leaving} leaves and node ${c.joining} joins (txs at ${c.atMs} ms)`)
      .join(', '),
    upgrade
      ? `upgrade to protocol ${upgrade.plan.version} at height ${upgrade.plan.height} (old software: nodes ${upgrade.oldSoftware.join(', ')})`
      : 'no upgrade',
    `remote nodes ${national.mesh.latency.remoteNodes.join(',')}`,
  ].join('\n  ');
}
