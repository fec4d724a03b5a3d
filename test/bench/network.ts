// network: 4 validator processes (`notary start`, test/support/devnet-harness.ts) on
// loopback under a steady offered load of certified transfers, spread over the validators'
// HTTP APIs. Phase 1 offers the limit rate (throughput); phase 2 offers half the limit
// (submit-to-final latency, which the issue bounds at that load).
import type { PropertyObject, Transaction } from '../../shared/ledger/index.js';
import { txHash } from '../../shared/ledger/index.js';
import { Devnet, waitFor } from '../support/devnet-harness.js';
import {
  coresUsed,
  cpuBetween,
  cpuSeconds,
  figure,
  log,
  percentile,
  watchFinality,
  type Figure,
  type ThreadKind,
} from './common.js';
import { fastTransfer } from './fixtures.js';

const SUBMITTERS = 48;
/**
 * Phase 3's steady load: 20 transfers a second is about 5,000 times the registry's average
 * (100,000 transfers a month is 0.04 a second), the latency an office sees on a busy day.
 */
const STEADY_RATE = 20;

interface Phase {
  offered: number;
  offeredRate: number;
  final: number;
  committedRate: number;
  latencies: number[];
  drained: boolean;
  /** CPU milliseconds a final transfer, on one validator (all its threads / its main thread). */
  cpuMs: { all: number; main: number };
}

/** With BENCH_PROFILE_DIR set, the nodes run under --cpu-prof; SIGTERM lets them write their profiles. */
export async function stopGracefully(devnet: Devnet): Promise<void> {
  await Promise.all(
    devnet.nodes.map(
      (node) =>
        new Promise<void>((resolve) => {
          const child = node.process;
          if (!child || child.exitCode !== null) return resolve();
          const timer = setTimeout(resolve, 15_000);
          child.once('exit', () => {
            clearTimeout(timer);
            resolve();
          });
          child.kill('SIGTERM');
        }),
    ),
  );
}

/** Ports are picked at random and the machine is shared: a port already taken means another try. */
async function startDevnet(objects: number): Promise<Devnet> {
  for (let attempt = 1; ; attempt++) {
    const devnet = await Devnet.create({ validators: 4, observers: 0, objects, heartbeatMs: 1_000 });
    try {
      await devnet.startAll();
      return devnet;
    } catch (error) {
      await devnet.stop();
      if (attempt >= 4 || !/EADDRINUSE/.test(String((error as Error).message))) throw error;
      log(`network: a port was taken, starting again (${String((error as Error).message).split('\n')[0]})`);
    }
  }
}

export async function benchNetwork(options: {
  verifiesPerSecond: number;
  throughputSeconds: number;
  latencySeconds: number;
  steadySeconds?: number;
  drainMs: number;
  countsMax?: number;
}): Promise<Figure[]> {
  const limit = (2 * options.verifiesPerSecond) / (4 * 3);
  const steadySeconds = options.steadySeconds ?? 15;
  const rates = [limit, limit / 2, STEADY_RATE];
  const countsMax = options.countsMax ?? Number.POSITIVE_INFINITY;
  const counts = [
    Math.min(countsMax, Math.ceil(limit * options.throughputSeconds)),
    Math.min(countsMax, Math.ceil((limit / 2) * options.latencySeconds)),
    Math.ceil(STEADY_RATE * steadySeconds),
  ];
  log(`network: starting 4 validator processes (limit ${limit.toFixed(0)} tx/s)`);
  const profileDir = process.env.BENCH_PROFILE_DIR;
  const nodeOptions = process.env.NODE_OPTIONS;
  if (profileDir) process.env.NODE_OPTIONS = `${nodeOptions ?? ''} --cpu-prof --cpu-prof-dir=${profileDir}`.trim();
  const devnet = await startDevnet(counts[0]! + counts[1]! + counts[2]!).finally(() => {
    if (profileDir) {
      if (nodeOptions === undefined) delete process.env.NODE_OPTIONS;
      else process.env.NODE_OPTIONS = nodeOptions;
    }
  });
  try {
    const notary = await devnet.signingKey('node-3');
    const validators = devnet.nodes;
    const watcher = validators[0]!;
    await waitFor('the first block', async () => ((await watcher.status()).height >= 1 ? true : undefined), 90_000);
    const genesis = devnet.genesis;
    const nowMs = Date.now();
    const txs: Transaction[] = genesis.properties!.map((input, i) =>
      fastTransfer(
        { ...input, encumbrances: [], version: 1, registeredHeight: 0, updatedHeight: 0 } as PropertyObject,
        { chainId: genesis.chainId, nowMs, nonce: i, notary },
      ),
    );
    const finality = await watchFinality(watcher);
    const finalAt = finality.finalAt;

    const phases: Phase[] = [];
    let offset = 0;
    for (const [p, rate] of rates.entries()) {
      const batch = txs.slice(offset, offset + counts[p]!);
      offset += counts[p]!;
      const submittedAt = new Map<string, number>();
      const cpuBefore = cpuSeconds(validators);
      const startedMs = Date.now();
      let index = 0;
      const submitters = Array.from({ length: SUBMITTERS }, async () => {
        while (index < batch.length) {
          const i = index++;
          const waitMs = startedMs + (i * 1000) / rate - Date.now();
          if (waitMs > 0) await new Promise((resolve) => setTimeout(resolve, waitMs));
          const tx = batch[i]!;
          submittedAt.set(txHash(tx), Date.now());
          await validators[i % validators.length]!.submit(tx);
        }
      });
      await Promise.all(submitters);
      const offeredSeconds = (Date.now() - startedMs) / 1000;
      const hashes = [...submittedAt.keys()];
      const deadline = Date.now() + options.drainMs;
      while (Date.now() < deadline && !hashes.every((hash) => finalAt.has(hash)))
        await new Promise((resolve) => setTimeout(resolve, 50));
      const final = hashes.filter((hash) => finalAt.has(hash));
      const drained = final.length === hashes.length;
      const endMs = drained ? Math.max(...final.map((hash) => finalAt.get(hash)!)) : deadline;
      const latencies = hashes.map((hash) => (finalAt.get(hash) ?? deadline) - submittedAt.get(hash)!);
      // Where the machine's CPU went in the phase: each validator's threads, and this process.
      const cpuAfter = cpuSeconds(validators);
      log(
        `network: phase ${p + 1} cores used (CPU seconds a second): ${coresUsed(cpuBefore, cpuAfter, (Date.now() - startedMs) / 1000)}`,
      );
      const perTransfer = (kind?: ThreadKind) =>
        (1000 * cpuBetween(cpuBefore, cpuAfter, (name, k) => name !== 'bench' && (kind === undefined || k === kind))) /
        validators.length /
        Math.max(1, final.length);
      phases.push({
        cpuMs: { all: perTransfer(), main: perTransfer('main') },
        offered: batch.length,
        offeredRate: batch.length / offeredSeconds,
        final: final.length,
        committedRate: final.length / ((endMs - startedMs) / 1000),
        latencies,
        drained,
      });
      log(
        `network: phase ${p + 1} offered ${batch.length} at ${(batch.length / offeredSeconds).toFixed(0)} tx/s, final ${final.length}, committed ${phases[p]!.committedRate.toFixed(0)} tx/s`,
      );
    }
    await finality.stop();
    if (process.env.BENCH_PROFILE_DIR) await stopGracefully(devnet);
    const [busy, half, steady] = phases as [Phase, Phase, Phase];
    const p99 = percentile(half.latencies, 99);
    return [
      figure({
        figure: 'network',
        what: `4 validator processes on loopback, offered ${busy.offered} at ${busy.offeredRate.toFixed(0)} tx/s: committed transfers/s`,
        value: busy.committedRate,
        unit: 'tx/s',
        limit,
        target: 'ratio >= 0.5',
        met: busy.committedRate / limit >= 0.5,
        note: `limit = 2 cores x native verifies/s / (4 nodes x 3 signatures); ${busy.final}/${busy.offered} final${busy.drained ? '' : ` within the ${options.drainMs / 1000} s drain`}; p50 ${percentile(busy.latencies, 50)} ms, p99 ${percentile(busy.latencies, 99)} ms at this load; CPU a final transfer on each validator ${busy.cpuMs.all.toFixed(2)} ms (main thread ${busy.cpuMs.main.toFixed(2)} ms)`,
      }),
      figure({
        figure: 'network',
        what: `submit-to-final p50 at half the limit (${half.offered} offered at ${half.offeredRate.toFixed(0)} tx/s)`,
        value: percentile(half.latencies, 50) / 1000,
        unit: 's',
        note: `${half.final}/${half.offered} final; committed ${half.committedRate.toFixed(0)} tx/s`,
      }),
      figure({
        figure: 'network',
        what: 'submit-to-final p99 at half the limit',
        value: p99 / 1000,
        unit: 's',
        target: '<= 1.5 s',
        met: p99 <= 1_500 && half.drained,
        ...(half.drained
          ? {}
          : {
              note: `not every transfer was final within the ${options.drainMs / 1000} s drain: p99 is a lower bound`,
            }),
      }),
      figure({
        figure: 'network',
        what: `submit-to-final p50 / p99 at a steady ${STEADY_RATE} tx/s (${steady.offered} offered at ${steady.offeredRate.toFixed(1)} tx/s)`,
        value: percentile(steady.latencies, 99) / 1000,
        unit: 's',
        note: `p50 ${(percentile(steady.latencies, 50) / 1000).toFixed(2)} s; ${steady.final}/${steady.offered} final; about 5,000 times the registry's average load`,
      }),
    ];
  } finally {
    await devnet.stop();
  }
}
