// Child process of the checkpoint figure: `node --import tsx test/bench/checkpoint-child.ts DIR`
// opens the store the scale child imported at DIR and builds the statement tree of its objects
// as a node makes a day's checkpoint (decision #73), three ways, timing each and the longest
// stall of this process's event loop (what consensus, gossip and the API would wait):
//  - worker: checkpoint/tree-worker.ts, the node's way (rows read here, leaves and sort on a worker);
//  - load: the kept entries file read back and checked against the root, on a worker (a restart);
//  - main: the same rows turned into leaves and sorted on the main thread (the way before), last,
//    so that its garbage does not fall into the others' figures.
// The worker's build is a node's first checkpoint (no count known: its buffer grows); the main
// thread's is given the count, as a node's later checkpoints are (the last one's).
// Then the p99 of a proof from the loaded tree (GET /proofs/{id}). Prints one JSON line.
import { readFileSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { monitorEventLoopDelay, performance as hooks } from 'node:perf_hooks';
import { StatementTreeBuilder } from '../../shared/checkpoint/index.js';
import { stateKeyHash } from '../../shared/chain/execute.js';
import { bytesToHex } from '../../shared/codec/index.js';
import { StateKey } from '../../shared/ledger/index.js';
import {
  addObjectRow,
  buildStatementTree,
  loadStatementTree,
  STATEMENT_PAGE_ROWS,
} from '../../electron/node/checkpoint/tree-worker.js';
import { installNodeSha256 } from '../../electron/node/crypto/fast-hash.js';
import { ChainStore } from '../../electron/node/store/index.js';
import { benchGenesis, benchObjectId, percentile } from './common.js';

const dir = process.argv[2]!;
installNodeSha256(); // as a node does at start
const genesis = benchGenesis(0, false);
const store = await ChainStore.open(dir, { chainId: genesis.chainId });

/** Peak resident memory (this process and its worker threads) above what it was when `run` started. */
function rssKiB(): number {
  const status = readFileSync('/proc/self/status', 'utf8');
  return Number(/^VmRSS:\s+(\d+)/m.exec(status)?.[1] ?? 0);
}

async function measured<T>(name: string, run: () => Promise<T>) {
  const base = rssKiB();
  let peak = base;
  const sampler = setInterval(() => (peak = Math.max(peak, rssKiB())), 100);
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  const utilization = hooks.eventLoopUtilization();
  const started = performance.now();
  const result = await run();
  const ms = performance.now() - started;
  loop.disable();
  // the share of the time the main thread was busy (not waiting in its event loop)
  const mainBusy = hooks.eventLoopUtilization(utilization).utilization;
  clearInterval(sampler);
  peak = Math.max(peak, rssKiB());
  process.stderr.write(`[checkpoint] ${name}: ${(ms / 1000).toFixed(1)} s\n`);
  return {
    result,
    figures: {
      ms,
      mainBusy,
      stallMaxMs: loop.max / 1e6,
      stallP99Ms: loop.percentile(99) / 1e6,
      rssAddedBytes: (peak - base) * 1024,
    },
  };
}

const worker = await measured('built on a worker', () => buildStatementTree(store.stateView(), () => false));
const tree = worker.result;
const entriesPath = join(dir, '..', 'entries.bin');
await writeFile(entriesPath, tree.entries);
const root = bytesToHex(tree.root);

const load = await measured('read back on a worker', () => loadStatementTree(entriesPath, root));
const loaded = load.result;

const main = await measured('built on the main thread', async () => {
  const builder = new StatementTreeBuilder(tree.statements);
  const view = store.stateView();
  try {
    for await (const page of view.rows(STATEMENT_PAGE_ROWS, StateKey.object('')))
      for (const [key, value] of page) addObjectRow(builder, key, value);
  } finally {
    await view.close();
  }
  return builder.build();
});
if (bytesToHex(main.result.root) !== root) throw new Error('bench: the two builds disagree on the root');
const objects = tree.statements;
const proofMs: number[] = [];
let seed = 12345;
const random = () => (seed = (Math.imul(seed, 1_103_515_245) + 12_345) >>> 0) / 2 ** 32;
for (let i = 0; i < 5_000; i++) {
  const keyHash = stateKeyHash(StateKey.object(benchObjectId(Math.floor(random() * objects))));
  const started = performance.now();
  if (!loaded.proof(keyHash)) throw new Error('bench: an object has no proof');
  proofMs.push(performance.now() - started);
}
await rm(entriesPath, { force: true });
await store.close();
console.log(
  JSON.stringify({
    objects,
    bucketBits: tree.bucketBits,
    entriesBytes: tree.entries.length,
    worker: worker.figures,
    main: main.figures,
    load: load.figures,
    proofP50Ms: percentile(proofMs, 50),
    proofP99Ms: percentile(proofMs, 99),
  }),
);
