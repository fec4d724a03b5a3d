// Child process of the scale figure (so that its peak RSS is the import's alone):
// `node --import tsx test/bench/scale-child.ts OBJECTS DIR LOOKUPS [WARM_LEVELS] [--reuse]`
// streams a genesis of OBJECTS bench objects into a new store at DIR (or, with --reuse, opens
// the store a previous run left there), reopens it, pins the top WARM_LEVELS levels of the
// state tree in the node cache as Chain.open does (default 16; 0 = none), then times random
// lookups; prints one JSON line.
import { readFileSync } from 'node:fs';
import { decodeStateValue, StateKey } from '../../shared/ledger/index.js';
import { hexToBytes } from '../../shared/codec/index.js';
import { stateKeyHash } from '../../shared/chain/execute.js';
import { SparseMerkleTree } from '../../shared/smt/index.js';
import { importGenesis, type GenesisImportResult } from '../../electron/node/chain/genesis-import.js';
import { CachedNodeReader, NODE_CACHE_TOP_LEVELS_DEFAULT } from '../../electron/node/chain/node-cache.js';
import { ChainStore } from '../../electron/node/store/index.js';
import { benchGenesis, benchObjectId, benchProperty, percentile } from './common.js';

const objects = Number(process.argv[2]);
const dir = process.argv[3]!;
const lookups = Number(process.argv[4] ?? 2_000);
const warmLevels = Number(process.argv[5] ?? NODE_CACHE_TOP_LEVELS_DEFAULT);
const reuse = process.argv.includes('--reuse');
const genesis = benchGenesis(0, false);

function* properties() {
  for (let i = 0; i < objects; i++) yield benchProperty(i);
}

// Peak RSS split into anonymous memory (the heap, buffers, LevelDB's caches) and file-backed
// pages (LevelDB reads its tables through mmap: pages it touched count in RSS until the kernel
// needs them back), sampled from /proc on Linux.
const peaks = { anonKiB: 0, fileKiB: 0, compactStartKiB: 0 };
function sampleRss(): void {
  try {
    const status = readFileSync('/proc/self/status', 'utf8');
    const kib = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? 0);
    peaks.anonKiB = Math.max(peaks.anonKiB, kib('RssAnon'));
    peaks.fileKiB = Math.max(peaks.fileKiB, kib('RssFile'));
  } catch {
    // not Linux
  }
}
const sampler = setInterval(sampleRss, 250);
const start = performance.now();
let store = await ChainStore.open(dir, { chainId: genesis.chainId });
let lastReport = Date.now();
const result: Pick<GenesisImportResult, 'objects' | 'smtNodes' | 'stateRoot' | 'phasesMs'> = reuse
  ? {
      objects,
      smtNodes: 0,
      stateRoot: store.head!.stateRoot,
      phasesMs: { records: 0, sort: 0, tree: 0, commit: 0, compact: 0 },
    }
  : await importGenesis(store, genesis, properties(), {
      onProgress: (phase, done) => {
        if (phase === 'compact') peaks.compactStartKiB = process.resourceUsage().maxRSS;
        if (Date.now() - lastReport > 20_000) {
          lastReport = Date.now();
          process.stderr.write(`[scale] ${phase} ${done} rss ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MB\n`);
        }
      },
    });
const importMs = performance.now() - start;
const importRss = process.resourceUsage().maxRSS * 1024;
sampleRss();
clearInterval(sampler);
await store.close();

// Lookups on the reopened store: the record, and the record with its state proof (GET /properties/:id).
const reopenStart = performance.now();
store = await ChainStore.open(dir, { chainId: genesis.chainId });
const reopenMs = performance.now() - reopenStart;
// The node's reader: LevelDB behind the bounded node cache (electron/node/chain/node-cache.ts),
// its top levels pinned (Chain.open starts this in the background; here it is awaited and timed).
// Node reads that reach LevelDB, counted (the figure the pinned levels change; timings here
// swing with the machine's load).
let storeReads = 0;
const counted = store;
const reader = new CachedNodeReader({
  getSmtNode: (hashHex) => {
    storeReads++;
    return counted.getSmtNode(hashHex);
  },
  getSmtNodesRaw: (hashes) => counted.getSmtNodesRaw(hashes),
});
const warm =
  warmLevels > 0 ? await reader.warm(store.head!.stateRoot, { levels: warmLevels }) : { nodes: 0, levels: 0, ms: 0 };
const lookupStart = performance.now();
const readsBefore = storeReads;
const tree = new SparseMerkleTree(reader, hexToBytes(store.head!.stateRoot));
const recordMs: number[] = [];
const withProofMs: number[] = [];
let seed = 12345;
const random = () => (seed = (Math.imul(seed, 1_103_515_245) + 12_345) >>> 0) / 2 ** 32;
for (let i = 0; i < lookups; i++) {
  const key = StateKey.object(benchObjectId(Math.floor(random() * objects)));
  let t = performance.now();
  const bytes = (await store.getStateMany([key])).get(key);
  if (!bytes) throw new Error(`bench: ${key} is missing after import`);
  decodeStateValue(key, bytes);
  recordMs.push(performance.now() - t);
  t = performance.now();
  const again = (await store.getStateMany([key])).get(key)!;
  decodeStateValue(key, again);
  const proof = await tree.prove(stateKeyHash(key));
  if (!proof.leaf) throw new Error(`bench: no inclusion proof for ${key}`);
  withProofMs.push(performance.now() - t);
}
const lookupMs = performance.now() - lookupStart;
const nodeReadsPerLookup = (storeReads - readsBefore) / lookups;
await store.close();
console.log(
  JSON.stringify({
    objects: result.objects,
    smtNodes: result.smtNodes,
    stateRoot: result.stateRoot,
    importMs,
    phasesMs: result.phasesMs,
    peakRssBytes: importRss,
    peakRssAnonBytes: peaks.anonKiB * 1024,
    peakRssFileBytes: peaks.fileKiB * 1024,
    peakRssBeforeCompactBytes: peaks.compactStartKiB * 1024,
    recordP50: percentile(recordMs, 50),
    recordP99: percentile(recordMs, 99),
    withProofP50: percentile(withProofMs, 50),
    withProofP99: percentile(withProofMs, 99),
    lookups,
    lookupMs,
    reopenMs,
    warm,
    nodeReadsPerLookup,
  }),
);
