// One paragraph of figures for a batch of simulations: what ran, what was injected, what held.
import type { SimResult } from './simulation.js';

export function summarize(results: readonly SimResult[], failed: number, elapsedMs: number): string {
  const sum = (pick: (r: SimResult) => number) => results.reduce((total, r) => total + pick(r), 0);
  const lines = [
    `seeds run: ${results.length + failed}, clean: ${results.length}, failed: ${failed}, wall time ${(elapsedMs / 1000).toFixed(1)} s`,
    `heights committed: ${sum((r) => r.heightsCommitted)} (lowest honest head per seed, summed); rounds: ${sum((r) => r.rounds)}, ` +
      `highest round: ${Math.max(0, ...results.map((r) => r.maxRound))}; virtual time ${(sum((r) => r.virtualMs) / 1000).toFixed(0)} s; events ${sum((r) => r.steps)}`,
    `faults injected: messages dropped ${sum((r) => r.faults.network.dropped)}, duplicated ${sum((r) => r.faults.network.duplicated)}, ` +
      `cut by partitions ${sum((r) => r.faults.network.partitionDropped)} (of ${sum((r) => r.faults.network.sent)} sent); partitions ${sum((r) => r.faults.partitions)}; ` +
      `crashes ${sum((r) => r.faults.crashes)}; byzantine: equivocations ${sum((r) => r.faults.byzantine.equivocations)}, invalid proposals ` +
      `${sum((r) => r.faults.byzantine.invalidProposals)}, withheld messages ${sum((r) => r.faults.byzantine.silenced)}; forged sync certificates ${sum((r) => r.faults.forgedSyncServed)}`,
    `outcomes: evidence reports ${sum((r) => r.faults.evidence)}, blocks synced ${sum((r) => r.faults.syncedBlocks)}, signatures refused after restart ${sum((r) => r.faults.signRefused)}`,
  ];
  return lines.join('\n');
}
