// `npm run bench:devnet -- --rate 20 --seconds 30`: 4 validator processes and 1 observer on
// 127.0.0.1 under a steady offered load of certified transfers, spread over the validators'
// APIs. Prints committed transfers/s and submit-to-final latency p50 / p99, measured by
// watching committed blocks on one node.
import { Devnet, percentile, waitFor } from '../support/devnet-harness.js';
import { txHash, type PropertyObject, type Transaction } from '../../shared/ledger/index.js';
import { devParty, devTransfer } from '../../electron/node/dev/demo-registry.js';

function arg(name: string, fallback: number): number {
  const index = process.argv.indexOf(`--${name}`);
  const value = index >= 0 ? Number(process.argv[index + 1]) : fallback;
  if (!Number.isFinite(value) || value <= 0) throw new Error(`--${name} must be a positive number`);
  return value;
}

const rate = arg('rate', 20);
const seconds = arg('seconds', 30);
const count = Math.round(rate * seconds);
const parties = Array.from({ length: 50 }, (_, i) => devParty(i));
const devnet = await Devnet.create({ validators: 4, observers: 1, objects: count, heartbeatMs: 1_000 });
try {
  await devnet.startAll();
  const notary = await devnet.signingKey('node-3');
  const watcher = devnet.node('observer-1');
  await waitFor('the first block', async () => ((await watcher.status()).height >= 1 ? true : undefined), 60_000);
  const validators = devnet.nodes.filter((node) => node.info.role !== 'observer');
  const submittedAt = new Map<string, number>();
  const finalAt = new Map<string, number>();
  let next = (await watcher.status()).height + 1;
  let watching = true;
  const watch = (async () => {
    while (watching) {
      const block = await watcher.block(next).catch(() => undefined);
      if (block) {
        for (const hash of block.txHashes) finalAt.set(hash, Date.now());
        next++;
      } else await new Promise((resolve) => setTimeout(resolve, 20));
    }
  })();
  const startedMs = Date.now();
  const pending: Promise<unknown>[] = [];
  for (let i = 0; i < count; i++) {
    const dueMs = startedMs + (i * 1000) / rate;
    const waitMs = dueMs - Date.now();
    if (waitMs > 0) await new Promise((resolve) => setTimeout(resolve, waitMs));
    const input = devnet.genesis.properties![i]!;
    const object: PropertyObject = { ...input, encumbrances: [], version: 1, registeredHeight: 0, updatedHeight: 0 };
    const owner = parties.findIndex((party) => party.publicKey === object.owners[0]!.key);
    const tx: Transaction = devTransfer(object, parties[(owner + 1) % 50]!, parties, {
      chainId: devnet.genesis.chainId,
      nowMs: Date.now(),
      nonce: i,
      notary,
    });
    submittedAt.set(txHash(tx), Date.now());
    pending.push(validators[i % validators.length]!.submit(tx));
  }
  await Promise.all(pending);
  const offeredSeconds = (Date.now() - startedMs) / 1000;
  await waitFor(
    'every transfer final',
    async () => ([...submittedAt.keys()].every((hash) => finalAt.has(hash)) ? true : undefined),
    120_000,
  );
  watching = false;
  await watch;
  const latencies = [...submittedAt].map(([hash, at]) => finalAt.get(hash)! - at);
  const lastFinalMs = Math.max(...finalAt.values());
  console.log(
    `devnet bench: ${count} transfers offered at ${rate}/s over ${offeredSeconds.toFixed(1)} s (4 validators + 1 observer, 2 cores)`,
  );
  console.log(`  committed: ${(count / ((lastFinalMs - startedMs) / 1000)).toFixed(1)} transfers/s`);
  console.log(
    `  submit-to-final: p50 ${percentile(latencies, 50)} ms, p99 ${percentile(latencies, 99)} ms, max ${Math.max(...latencies)} ms`,
  );
} finally {
  await devnet.stop();
}
