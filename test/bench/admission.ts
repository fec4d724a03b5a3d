// admission: one validator admits full gossip batches of transfers (Chain.checkTransactions,
// what the mempool ran on each batch it received), with its verify worker against without it,
// alternately in one run: the worker takes the batches' signature checks while the state is
// read (issue 15, "signatures on worker threads"). Then the screen a gossiped batch gets since
// decision #84 (Chain.screenTransactions: no state but the replay records, no rules) against
// that full check. Reported: transfers admitted a second, and the main thread's busy time a
// transfer (what the event loop is not free for: votes, proposals, the API).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Genesis, PropertyObject, Transaction } from '../../shared/ledger/index.js';
import { Chain } from '../../electron/node/chain/chain.js';
import { createFastVerifier } from '../../electron/node/crypto/fast-verify.js';
import { TX_BATCH_TXS_MAX } from '../../electron/node/network/gossip/tx-batch.js';
import { benchGenesis, figure, log, type Figure } from './common.js';
import { fastTransfer } from './fixtures.js';

interface Pass {
  txPerSecond: number;
  mainMsPerTx: number;
}

async function admitAll(
  dir: string,
  genesis: Genesis,
  workers: number,
  txs: Transaction[],
  timeMs: number,
  screen = false,
): Promise<Pass> {
  const chain = await Chain.open({ dir, genesis, verify: createFastVerifier(), verifyWorkers: workers });
  try {
    // a node starts its worker when it starts; its start is not admission's cost
    await chain.verifyPool.start();
    const loop = performance.eventLoopUtilization();
    const started = performance.now();
    for (let from = 0; from < txs.length; from += TX_BATCH_TXS_MAX) {
      const batch = txs.slice(from, from + TX_BATCH_TXS_MAX);
      const outcomes = screen
        ? await chain.screenTransactions(batch, timeMs)
        : await chain.checkTransactions(batch, timeMs);
      const refused = outcomes.find((outcome) => !outcome.ok);
      if (refused) throw new Error(`admission bench: a transfer was refused: ${JSON.stringify(refused)}`);
    }
    const ms = performance.now() - started;
    const busy = performance.eventLoopUtilization(loop).active;
    return { txPerSecond: (txs.length / ms) * 1000, mainMsPerTx: busy / txs.length };
  } finally {
    await chain.close();
  }
}

export async function benchAdmission(transfers: number, rounds: number): Promise<Figure[]> {
  const genesis = benchGenesis(transfers);
  const nowMs = genesis.genesisTimeMs + 1_000;
  const txs = genesis.properties!.map((input, i) =>
    fastTransfer({ ...input, encumbrances: [], version: 1, registeredHeight: 0, updatedHeight: 0 } as PropertyObject, {
      chainId: genesis.chainId,
      nowMs,
      nonce: i,
    }),
  );
  const passes: Record<'plain' | 'pooled' | 'screened', Pass[]> = { plain: [], pooled: [], screened: [] };
  for (let round = 0; round < rounds; round++) {
    for (const [name, workers, screen] of [
      ['plain', 0, false],
      ['pooled', 1, false],
      ['screened', 1, true],
    ] as const) {
      const dir = await mkdtemp(join(tmpdir(), 'notary-bench-admission-'));
      try {
        passes[name].push(await admitAll(dir, genesis, workers, txs, nowMs + 1_000, screen));
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    }
    log(
      `admission: round ${round + 1}: ${passes.plain.at(-1)!.txPerSecond.toFixed(0)} tx/s on the main thread alone, ${passes.pooled.at(-1)!.txPerSecond.toFixed(0)} with the worker, ${passes.screened.at(-1)!.txPerSecond.toFixed(0)} screened`,
    );
  }
  // the median of the rounds: the machine is shared and a round can be interrupted
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
  const plain = median(passes.plain.map((pass) => pass.txPerSecond));
  const pooled = median(passes.pooled.map((pass) => pass.txPerSecond));
  const plainMain = median(passes.plain.map((pass) => pass.mainMsPerTx));
  const pooledMain = median(passes.pooled.map((pass) => pass.mainMsPerTx));
  const screened = median(passes.screened.map((pass) => pass.txPerSecond));
  const screenedMain = median(passes.screened.map((pass) => pass.mainMsPerTx));
  return [
    figure({
      figure: 'admission',
      what: `one validator admits ${transfers} transfers in gossip batches of ${TX_BATCH_TXS_MAX}, with its verify worker: transfers/s`,
      value: pooled,
      unit: 'tx/s',
      limit: plain,
      note: `limit = the same on the main thread alone, alternately in this run (median of ${rounds})`,
    }),
    figure({
      figure: 'admission',
      what: "the main thread's busy time a transfer, with the verify worker",
      value: pooledMain,
      unit: 'ms',
      limit: plainMain,
      note: 'limit = the same without the worker; below 1 means the event loop is freer',
    }),
    figure({
      figure: 'admission',
      what: 'the screen of a gossiped batch (decision #84), with the verify worker: transfers/s',
      value: screened,
      unit: 'tx/s',
      limit: pooled,
      note: 'limit = the full check with the worker, alternately in this run; above 1 means the screen is cheaper',
    }),
    figure({
      figure: 'admission',
      what: "the main thread's busy time a transfer, screened",
      value: screenedMain,
      unit: 'ms',
      limit: pooledMain,
      note: 'limit = the full check with the worker; below 1 means the screen leaves the event loop freer',
    }),
  ];
}
