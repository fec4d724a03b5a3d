// `npm run devchain`: creates (or continues) a development chain in a data folder, commits
// a few blocks of certified transfers and prints the head. Until the node shell exists,
// this is the project's main job: a live registry a newcomer can look at.
import '../runtime-check.js';
import { mkdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import { Command } from 'commander';
import { Chain } from '../chain/chain.js';
import { auditChain } from '../chain/audit.js';
import { devCommitBlock, devGenesis, devTransfers } from './demo-registry.js';

const program = new Command()
  .name('devchain')
  .description('Create or extend a development chain and print its head.')
  .option('--dir <dir>', 'data folder', '.devchain')
  .option('--blocks <n>', 'blocks to commit', '5')
  .option('--transfers <n>', 'certified transfers per block', '20')
  .option('--objects <n>', 'property objects in the genesis registry', '300')
  .parse();

const options = program.opts<{ dir: string; blocks: string; transfers: string; objects: string }>();
const blocks = positiveInt(options.blocks, '--blocks');
const perBlock = positiveInt(options.transfers, '--transfers');
const objects = positiveInt(options.objects, '--objects');

function positiveInt(value: string, name: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 1_000_000) {
    console.error(`devchain: ${name} must be a whole number from 1 to 1,000,000, got "${value}"`);
    process.exit(2);
  }
  return n;
}

const dir = resolve(options.dir);
await mkdir(dir, { recursive: true });
const genesis = devGenesis({ objects });
let chain: Chain;
try {
  chain = await Chain.open({ dir, genesis });
} catch (error) {
  console.error(`devchain: ${(error as Error).message}`);
  process.exit(1);
}
console.log(`chain ${genesis.chainId} in ${dir}, at height ${chain.head.height}`);
const startedMs = performance.now();
let committed = 0;
for (let i = 0; i < blocks; i++) {
  const timeMs = chain.head.header.timeMs + 5_000;
  const txs = await devTransfers(chain, perBlock, { objects, parties: 50, seed: chain.head.height, nowMs: timeMs });
  const { block, outcomes } = await devCommitBlock(chain, txs, timeMs);
  const rejected = outcomes.filter((outcome) => !outcome.ok);
  committed += block.txs.length;
  console.log(
    `committed block ${block.header.height}: ${block.txs.length} transfers${rejected.length ? `, ${rejected.length} rejected` : ''}`,
  );
}
const seconds = (performance.now() - startedMs) / 1000;
const report = await auditChain(chain.store, genesis, { verify: chain.verify });
const head = chain.head;
console.log(
  [
    `head: height ${head.height}, block ${head.hash}`,
    `      state root ${head.header.stateRoot}, ${new Date(head.header.timeMs).toISOString()}`,
    `      ${committed} transfers in ${seconds.toFixed(2)} s this run; audit from genesis: ${report.ok ? `clean (${report.transactions} transactions)` : `FAILED at height ${report.problem?.height}: ${report.problem?.message}`}`,
  ].join('\n'),
);
await chain.close();
process.exit(report.ok ? 0 : 1);
