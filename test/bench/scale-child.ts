// Child process of the scale figure (so that its peak RSS is the import's alone):
// `node --import tsx test/bench/scale-child.ts OBJECTS DIR LOOKUPS` streams a genesis of
// OBJECTS bench objects into a new store at DIR, then times random lookups; prints one JSON line.
import { decodeStateValue, StateKey } from '../../shared/ledger/index.js';
import { hexToBytes } from '../../shared/codec/index.js';
import { stateKeyHash } from '../../shared/chain/execute.js';
import { SparseMerkleTree } from '../../shared/smt/index.js';
import { importGenesis } from '../../electron/node/chain/genesis-import.js';
import { CachedNodeReader } from '../../electron/node/chain/node-cache.js';
import { ChainStore } from '../../electron/node/store/index.js';
import { benchGenesis, benchObjectId, benchProperty, percentile } from './common.js';

const objects = Number(process.argv[2]);
const dir = process.argv[3]!;
const lookups = Number(process.argv[4] ?? 2_000);
const genesis = benchGenesis(0, false);

function* properties() {
  for (let i = 0; i < objects; i++) yield benchProperty(i);
}

const start = performance.now();
let store = await ChainStore.open(dir, { chainId: genesis.chainId });
let lastReport = Date.now();
const result = await importGenesis(store, genesis, properties(), {
  onProgress: (phase, done) => {
    if (Date.now() - lastReport > 20_000) {
      lastReport = Date.now();
      process.stderr.write(`[scale] ${phase} ${done} rss ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MB\n`);
    }
  },
});
const importMs = performance.now() - start;
const importRss = process.resourceUsage().maxRSS * 1024;
await store.close();

// Lookups on the reopened store: the record, and the record with its state proof (GET /properties/:id).
store = await ChainStore.open(dir, { chainId: genesis.chainId });
const reopenStart = performance.now();
// The node's reader: LevelDB behind the bounded node cache (electron/node/chain/node-cache.ts).
const tree = new SparseMerkleTree(new CachedNodeReader(store), hexToBytes(store.head!.stateRoot));
const recordMs: number[] = [];
const withProofMs: number[] = [];
let seed = 12345;
const random = () => ((seed = (Math.imul(seed, 1_103_515_245) + 12_345) >>> 0) / 2 ** 32);
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
const lookupMs = performance.now() - reopenStart;
await store.close();
console.log(
  JSON.stringify({
    objects: result.objects,
    smtNodes: result.smtNodes,
    stateRoot: result.stateRoot,
    importMs,
    phasesMs: result.phasesMs,
    peakRssBytes: importRss,
    recordP50: percentile(recordMs, 50),
    recordP99: percentile(recordMs, 99),
    withProofP50: percentile(withProofMs, 50),
    withProofP99: percentile(withProofMs, 99),
    lookups,
    lookupMs,
  }),
);
