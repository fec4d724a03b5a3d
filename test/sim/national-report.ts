// The figures of a national run (NationalRecord), and the checks beyond the invariants that
// the run must pass: the validator-set change took effect at H + 2 and the joiner votes, the
// upgrade enabled its transaction type at exactly its height and old software stopped there.
//
// Finality latency: for every committed transfer and every honest node that committed its
// block, the virtual time from the transfer's arrival at its office's node to that node's
// commit; pooled per role (a node is a validator for a height when its key is in the height's
// set). Traffic: everything a node received and sent over the run (gossip with framing,
// control estimates, sync), divided by the heights decided; validators are nodes 0..V-1.
import { txId } from '../../shared/ledger/index.js';
import { simTransfers } from './fixtures.js';
import { TRAFFIC_KINDS, type TrafficKind } from './mesh-network.js';
import type { SimConfig } from './scenario.js';
import type { NationalRecord, SimResult } from './simulation.js';

/** A transfer submitted this long before the end of a run must have been committed by then. */
export const TRANSFER_DUE_MS = 10_000;

export interface Percentiles {
  samples: number;
  p50: number;
  p99: number;
  max: number;
}

export interface TrafficPerBlock {
  nodes: number;
  /** Per node per block, mean over nodes. */
  receivedMessages: number;
  receivedBytes: number;
  sentMessages: number;
  sentBytes: number;
  /** Per node per block, the node at the 99th percentile (received + sent bytes). */
  bytesP99: number;
  /** Received bytes per node per block by kind, mean over nodes. */
  receivedBytesByKind: Record<TrafficKind, number>;
}

export interface NationalReport {
  heights: number;
  virtualMs: number;
  finality: {
    validators: Percentiles;
    fullNodes: Percentiles;
    transfersCommitted: number;
    transfersSubmitted: number;
    /** Submitted at least TRANSFER_DUE_MS before the end of the run, and committed. */
    transfersDueCommitted: number;
    transfersDue: number;
  };
  traffic: { validators: TrafficPerBlock; fullNodes: TrafficPerBlock };
  rounds: { mean: number; max: number; heightsPastRound0: number; histogram: Map<number, number> };
  validatorChange: {
    txHeight: number | null;
    effectiveHeight: number | null;
    joinerVotedFrom: number | null;
    joinerSignedFrom: number | null;
  };
  upgrade: {
    height: number;
    enabledTxHeights: number[];
    stopped: Array<{ node: number; height: number; sentence: string }>;
  } | null;
  mesh: NationalRecord['mesh'];
  topology: string;
  /** Every check that failed, in a sentence; empty when the run passed. */
  problems: string[];
}

export function percentiles(values: number[]): Percentiles {
  if (values.length === 0) return { samples: 0, p50: Number.NaN, p99: Number.NaN, max: Number.NaN };
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
  return { samples: sorted.length, p50: at(0.5), p99: at(0.99), max: sorted[sorted.length - 1]! };
}

export function nationalReport(config: SimConfig, result: SimResult): NationalReport {
  const record = result.national;
  if (!record) throw new Error('not a national run');
  const heights = result.decided.length;
  const problems: string[] = [];
  const finality = finalityOf(record);
  const transferIds = simTransfers(Math.max(0, ...config.transactions.map((tx) => tx.index + 1))).map((tx) => txId(tx));
  const committedTxs = new Set([...record.blocks.values()].flatMap((block) => block.txIds));
  const due = config.transactions.filter((tx) => tx.atMs + TRANSFER_DUE_MS <= result.virtualMs);
  const validatorNodes = record.nodes.filter((node) => node.index < config.validators);
  const fullNodes = record.nodes.filter((node) => node.index >= config.validators);
  const histogram = new Map<number, number>();
  for (const { round } of result.decided) histogram.set(round, (histogram.get(round) ?? 0) + 1);
  const report: NationalReport = {
    heights,
    virtualMs: result.virtualMs,
    finality: {
      ...finality,
      transfersCommitted: config.transactions.filter((tx) => committedTxs.has(transferIds[tx.index]!)).length,
      transfersSubmitted: config.transactions.length,
      transfersDue: due.length,
      transfersDueCommitted: due.filter((tx) => committedTxs.has(transferIds[tx.index]!)).length,
    },
    traffic: { validators: trafficOf(validatorNodes, heights), fullNodes: trafficOf(fullNodes, heights) },
    rounds: {
      mean: result.rounds / Math.max(1, heights),
      max: result.maxRound,
      heightsPastRound0: result.decided.filter((d) => d.round > 0).length,
      histogram,
    },
    validatorChange: validatorChangeOf(config, record, problems),
    upgrade: upgradeOf(config, record, problems),
    mesh: record.mesh,
    topology: record.topology,
    problems,
  };
  return report;
}

function finalityOf(record: NationalRecord): { validators: Percentiles; fullNodes: Percentiles } {
  const validators: number[] = [];
  const fullNodes: number[] = [];
  for (const [height, block] of record.blocks) {
    const set = new Set(block.validators);
    for (const [i, id] of block.txIds.entries()) {
      const submittedAtMs = record.txSubmittedAtMs.get(id);
      // Transfers only: authority changes and the upgrade's registration wait for their height.
      if (submittedAtMs === undefined || block.types[i] !== 'transfer') continue;
      for (const node of record.nodes) {
        const committedAtMs = node.commitAtMs.get(height);
        if (node.byzantine || committedAtMs === undefined) continue;
        (node.key !== null && set.has(node.key) ? validators : fullNodes).push(committedAtMs - submittedAtMs);
      }
    }
  }
  return { validators: percentiles(validators), fullNodes: percentiles(fullNodes) };
}

function trafficOf(nodes: NationalRecord['nodes'], heights: number): TrafficPerBlock {
  const perBlock = (value: number) => value / Math.max(1, heights);
  const sum = (pick: (node: NationalRecord['nodes'][number]) => number) =>
    nodes.reduce((total, node) => total + pick(node), 0) / Math.max(1, nodes.length);
  const total = (counters: Record<TrafficKind, { messages: number; bytes: number }>, field: 'messages' | 'bytes') =>
    TRAFFIC_KINDS.reduce((acc, kind) => acc + counters[kind][field], 0);
  const byKind = Object.fromEntries(
    TRAFFIC_KINDS.map((kind) => [kind, perBlock(sum((node) => node.traffic.received[kind].bytes))]),
  ) as Record<TrafficKind, number>;
  return {
    nodes: nodes.length,
    // Control traffic is bytes only (IHAVE and IDONTWANT ride on other RPCs).
    receivedMessages: perBlock(sum((node) => total(node.traffic.received, 'messages'))),
    receivedBytes: perBlock(sum((node) => total(node.traffic.received, 'bytes'))),
    sentMessages: perBlock(sum((node) => total(node.traffic.sent, 'messages'))),
    sentBytes: perBlock(sum((node) => total(node.traffic.sent, 'bytes'))),
    bytesP99: perBlock(
      percentiles(nodes.map((node) => total(node.traffic.received, 'bytes') + total(node.traffic.sent, 'bytes'))).p99,
    ),
    receivedBytesByKind: byKind,
  };
}

function validatorChangeOf(
  config: SimConfig,
  record: NationalRecord,
  problems: string[],
): NationalReport['validatorChange'] {
  const change = config.national?.validatorChanges[0];
  if (!change) return { txHeight: null, effectiveHeight: null, joinerVotedFrom: null, joinerSignedFrom: null };
  const joiner = record.nodes[change.joining]!.key!;
  const leaving = record.nodes[change.leaving]!.key!;
  let txHeight: number | null = null;
  let effectiveHeight: number | null = null;
  let joinerSignedFrom: number | null = null;
  for (const [height, block] of record.blocks) {
    if (txHeight === null && block.types.includes('authority.add')) txHeight = height;
    if (effectiveHeight === null && block.validators.includes(joiner)) effectiveHeight = height;
    if (joinerSignedFrom === null && block.signers.includes(joiner)) joinerSignedFrom = height;
    if (block.validators.includes(joiner) && block.validators.includes(leaving))
      problems.push(`height ${height}: the joiner and the leaver vote together`);
    if (effectiveHeight !== null && block.signers.includes(leaving))
      problems.push(`height ${height}: validator ${change.leaving} signed after leaving the set`);
  }
  if (txHeight === null) problems.push('the validator-set change was never committed');
  else if (effectiveHeight === null) {
    if (record.blocks.size >= txHeight + 2) problems.push(`the set changed at ${txHeight} but never took effect`);
  } else if (effectiveHeight !== txHeight + 2)
    problems.push(`the set changed by block ${txHeight} took effect at ${effectiveHeight}, not ${txHeight + 2}`);
  const joinerVotedFrom = record.firstVoteHeight.get(joiner) ?? null;
  // It votes from the height the set takes it in (later only if it was cut off then), never before.
  if (effectiveHeight !== null && (joinerVotedFrom === null || joinerVotedFrom < effectiveHeight))
    problems.push(
      `node ${change.joining} joined the set at ${effectiveHeight} but first voted at ${joinerVotedFrom ?? 'no height'}`,
    );
  return { txHeight, effectiveHeight, joinerVotedFrom, joinerSignedFrom };
}

function upgradeOf(config: SimConfig, record: NationalRecord, problems: string[]): NationalReport['upgrade'] {
  const upgrade = config.national?.upgrade;
  if (!upgrade) return null;
  const { height } = upgrade.plan;
  const enabledTxHeights = [...record.blocks]
    .filter(([, block]) => block.types.some((type) => upgrade.plan.enables.includes(type as never)))
    .map(([h]) => h);
  for (const h of enabledTxHeights)
    if (h < height) problems.push(`height ${h} carries a transaction the upgrade enables only from ${height}`);
  if (record.blocks.size >= height + 2 && enabledTxHeights.length < upgrade.registrations.length)
    problems.push(`the transaction the upgrade enables at ${height} was not committed`);
  const stopped = upgrade.oldSoftware.map((index) => ({ node: index, ...record.nodes[index]!.stopped }));
  for (const stop of stopped) {
    const head = Math.max(0, ...record.nodes[stop.node]!.commitAtMs.keys());
    if (record.blocks.size >= height && stop.height !== height)
      problems.push(`old software on node ${stop.node} did not stop at height ${height}`);
    if (head >= height) problems.push(`old software on node ${stop.node} committed height ${head} past the upgrade`);
  }
  return {
    height,
    enabledTxHeights,
    stopped: stopped
      .filter((stop) => stop.height !== undefined)
      .map((stop) => ({ node: stop.node, height: stop.height!, sentence: stop.sentence! })),
  };
}

const ms = (value: number) => (Number.isNaN(value) ? 'n/a' : `${Math.round(value)} ms`);
const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;

export function formatReport(report: NationalReport, wallMs: number): string {
  const { finality, traffic, rounds } = report;
  const trafficLine = (name: string, t: TrafficPerBlock) =>
    `  ${name} (${t.nodes}): received ${t.receivedMessages.toFixed(0)} msgs / ${kb(t.receivedBytes)}, ` +
    `sent ${t.sentMessages.toFixed(0)} msgs / ${kb(t.sentBytes)}; p99 node ${kb(t.bytesP99)} in+out; received by kind: ` +
    TRAFFIC_KINDS.map((kind) => `${kind} ${kb(t.receivedBytesByKind[kind])}`).join(', ');
  const histogram = [...rounds.histogram]
    .sort(([a], [b]) => a - b)
    .map(([round, count]) => `round ${round}: ${count}`)
    .join(', ');
  const lines = [
    `heights decided ${report.heights} in ${(report.virtualMs / 1000).toFixed(1)} s of virtual time; wall time ${(wallMs / 1000).toFixed(1)} s`,
    `topology: ${report.topology}`,
    `finality (transfer arrival -> commit), ${finality.transfersCommitted} of ${finality.transfersSubmitted} transfers committed ` +
      `(${finality.transfersDueCommitted} of the ${finality.transfersDue} that arrived ${TRANSFER_DUE_MS / 1000} s or more before the end):`,
    `  seen by a validator: p50 ${ms(finality.validators.p50)}, p99 ${ms(finality.validators.p99)}, max ${ms(finality.validators.max)} (${finality.validators.samples} samples)`,
    `  seen by a full node: p50 ${ms(finality.fullNodes.p50)}, p99 ${ms(finality.fullNodes.p99)}, max ${ms(finality.fullNodes.max)} (${finality.fullNodes.samples} samples)`,
    `per node per block:`,
    trafficLine('validators', traffic.validators),
    trafficLine('full nodes', traffic.fullNodes),
    `rounds per height: mean ${rounds.mean.toFixed(2)}, max round ${rounds.max}, ${rounds.heightsPastRound0} heights past round 0 (${histogram})`,
    `gossip: ${report.mesh.floods} floods, ${report.mesh.sent} link copies (${report.mesh.dropped} dropped, ${report.mesh.duplicated} duplicated, ${report.mesh.partitionDropped} cut), ` +
      `${report.mesh.relayedVoteFloods} of them votes relayed by another node than their signer, ${report.mesh.idontwantSaved} saved by IDONTWANT, ${report.mesh.duplicatePublishes} duplicate publishes refused`,
    `validator-set change: authority txs in block ${report.validatorChange.txHeight ?? '-'}, new set from ${report.validatorChange.effectiveHeight ?? '-'}, joiner's first vote at ${report.validatorChange.joinerVotedFrom ?? '-'}, its first commit signature at ${report.validatorChange.joinerSignedFrom ?? '-'}`,
  ];
  if (report.upgrade) {
    lines.push(
      `upgrade at height ${report.upgrade.height}: enabled transaction committed at ${report.upgrade.enabledTxHeights.join(', ') || '-'}; ` +
        `old software stopped: ${report.upgrade.stopped.map((s) => `node ${s.node} at ${s.height}`).join(', ') || 'none'}`,
    );
    if (report.upgrade.stopped[0]) lines.push(`  "${report.upgrade.stopped[0].sentence}"`);
  }
  return lines.join('\n');
}

export interface NationalBounds {
  finalityP99ValidatorMs: number;
  finalityP99FullNodeMs: number;
  /** Bytes a full node receives per block, all kinds, mean over full nodes. */
  fullNodeBytesPerBlockMax: number;
  /** Share of the transfers submitted TRANSFER_DUE_MS before the end that must be committed by then. */
  transfersCommittedMin: number;
}

/** Each bound the run missed, in a sentence. */
export function boundsProblems(report: NationalReport, bounds: NationalBounds): string[] {
  const problems: string[] = [];
  const { finality, traffic } = report;
  if (!(finality.validators.p99 <= bounds.finalityP99ValidatorMs))
    problems.push(
      `finality p99 seen by a validator ${finality.validators.p99} ms > ${bounds.finalityP99ValidatorMs} ms`,
    );
  if (!(finality.fullNodes.p99 <= bounds.finalityP99FullNodeMs))
    problems.push(`finality p99 seen by a full node ${finality.fullNodes.p99} ms > ${bounds.finalityP99FullNodeMs} ms`);
  if (!(traffic.fullNodes.receivedBytes <= bounds.fullNodeBytesPerBlockMax))
    problems.push(
      `a full node received ${Math.round(traffic.fullNodes.receivedBytes)} bytes per block > ${bounds.fullNodeBytesPerBlockMax}`,
    );
  if (finality.transfersDueCommitted < bounds.transfersCommittedMin * finality.transfersDue)
    problems.push(`${finality.transfersDueCommitted} of ${finality.transfersDue} transfers due committed`);
  return problems;
}
