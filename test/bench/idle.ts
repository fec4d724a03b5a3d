// `npx tsx test/bench/idle.ts --idle-minutes 60`: what an idle network costs every desktop, and
// what the first transaction after the idle spell waits. Four validator processes on 127.0.0.1
// with the chain's own heartbeat (no node overrides it), no transactions: the on-disk growth of
// each node's data folder over the idle spell, extrapolated to a day, and per block; then one
// certified transfer submitted to a validator that does not propose the next height, timed from
// submission to final on every node.
//
// --idle-minutes N     the idle spell (default 10; the figure in docs/performance.md used 60)
// --heartbeat-ms MS    a node-level heartbeat override instead of the chain's, to get bytes per
//                      empty block quickly (the figure's run leaves it unset)
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { devParty, devTransfer } from '../../electron/node/dev/demo-registry.js';
import { txHash, type PropertyObject } from '../../shared/ledger/index.js';
import { Devnet, waitFor } from '../support/devnet-harness.js';

function arg(name: string): number | undefined {
  const index = process.argv.indexOf(`--${name}`);
  if (index < 0) return undefined;
  const value = Number(process.argv[index + 1]);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`--${name} must be a positive number`);
  return value;
}

async function bytesUnder(dir: string): Promise<number> {
  let total = 0;
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) total += await bytesUnder(path);
    // A file renamed away meanwhile (an atomic write's temporary) counts as nothing.
    else if (entry.isFile()) total += (await stat(path).catch(() => ({ size: 0 }))).size;
  }
  return total;
}

const idleMs = (arg('idle-minutes') ?? 10) * 60_000;
const heartbeatOverrideMs = arg('heartbeat-ms');
const devnet = await Devnet.create({
  validators: 4,
  observers: 0,
  objects: 100,
  heartbeatMs: heartbeatOverrideMs ?? null,
});
const MB = 1024 * 1024;
try {
  await devnet.startAll();
  const [first] = devnet.nodes as [(typeof devnet.nodes)[number]];
  const status = await first.status();
  console.log(
    `idle bench: 4 validators, heartbeat ${heartbeatOverrideMs ? `${heartbeatOverrideMs} ms (node override)` : `${status.params.heartbeatMs} ms (the chain's)`}; idle ${idleMs / 60_000} min`,
  );
  // Past the start-up: the first block, and the stores' first compactions.
  await waitFor(
    'the first block',
    async () => ((await first.status()).height >= 1 ? true : undefined),
    15 * 60_000,
    500,
  );
  const sizes = async () => Promise.all(devnet.nodes.map((node) => bytesUnder(node.info.dataDir)));
  const startMs = Date.now();
  const before = await sizes();
  const heightBefore = (await first.status()).height;
  await new Promise((resolve) => setTimeout(resolve, idleMs));
  const after = await sizes();
  const heightAfter = (await first.status()).height;
  const elapsedMs = Date.now() - startMs;
  const growth = after.map((size, i) => size - before[i]!);
  const meanGrowth = growth.reduce((a, b) => a + b, 0) / growth.length;
  const blocks = heightAfter - heightBefore;
  console.log(`  blocks while idle: ${blocks} in ${(elapsedMs / 60_000).toFixed(1)} min`);
  console.log(`  growth per node: ${growth.map((bytes) => `${(bytes / 1024).toFixed(1)} KiB`).join(', ')}`);
  console.log(
    `  on-disk growth per node per day: ${(((meanGrowth / elapsedMs) * 86_400_000) / MB).toFixed(2)} MiB (target ≤ 2 MB/day)`,
  );
  if (blocks > 0) console.log(`  per empty block: ${(meanGrowth / blocks / 1024).toFixed(2)} KiB`);

  // The first transaction after the idle spell, submitted to a validator that is not the next proposer.
  const notaryNode = devnet.nodes.find((node) => node.info.role === 'notary') ?? first;
  const notary = await devnet.signingKey(notaryNode.info.name);
  const parties = Array.from({ length: 50 }, (_, i) => devParty(i));
  const input = devnet.genesis.properties![0]!;
  const object: PropertyObject = { ...input, encumbrances: [], version: 1, registeredHeight: 0, updatedHeight: 0 };
  const owner = parties.findIndex((party) => party.publicKey === object.owners[0]!.key);
  const tx = devTransfer(object, parties[(owner + 1) % 50]!, parties, {
    chainId: devnet.genesis.chainId,
    nowMs: Date.now(),
    nonce: 1,
    notary,
  });
  const hash = txHash(tx);
  const submittedMs = Date.now();
  await notaryNode.submit(tx);
  const finalMs = await Promise.all(
    devnet.nodes.map((node) =>
      waitFor(
        `the transfer final on ${node.info.name}`,
        async () => ((await node.txStatus(hash)).state === 'final' ? Date.now() : undefined),
        10 * 60_000,
        20,
      ),
    ),
  );
  console.log(
    `  first transfer after the idle spell: final on every node after ${Math.max(...finalMs) - submittedMs} ms (first node ${Math.min(...finalMs) - submittedMs} ms)`,
  );
} finally {
  await devnet.stop();
}
