// `npm run bench:ledger`: encode, verify and apply rates of the ledger on this machine.
// Each rate is also given as a ratio to a limit measured in the same run (this machine is
// shared and noisy): apply is compared with native ed25519 verifies/s / 3, since a
// certified transfer carries three signatures (seller, buyer, notary).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encode } from '../../shared/codec/index.js';
import { Domain, verify as nobleVerify, type SignatureCheck } from '../../shared/crypto/index.js';
import {
  decodeTransaction,
  executeBlock,
  MapStateReader,
  StateKey,
  type PropertyObject,
  type Transaction,
} from '../../shared/ledger/index.js';
import { createFastVerifier } from '../../electron/node/crypto/fast-verify.js';
import { Chain } from '../../electron/node/chain/chain.js';
import { devCommitBlock, devGenesis, devParty, devTransfer } from '../../electron/node/dev/demo-registry.js';
import { txIdBytes } from '../../shared/ledger/tx.js';

const quick = process.argv.includes('--quick');
const OBJECTS = quick ? 2_000 : 20_000;
const BLOCK_TXS = 500;

/** Runs `work` repeatedly for at least `minMs`; returns operations per second. */
function rate(work: () => number, minMs = quick ? 300 : 1_500): number {
  work(); // warm up
  let operations = 0;
  const start = performance.now();
  let elapsed = 0;
  while (elapsed < minMs) {
    operations += work();
    elapsed = performance.now() - start;
  }
  return (operations * 1000) / elapsed;
}

async function asyncRate(work: () => Promise<number>, rounds: number): Promise<number> {
  await work();
  let operations = 0;
  const start = performance.now();
  for (let i = 0; i < rounds; i++) operations += await work();
  return (operations * 1000) / (performance.now() - start);
}

const genesis = devGenesis({ objects: OBJECTS, parties: 100 });
const parties = Array.from({ length: 100 }, (_, i) => devParty(i));
const nowMs = genesis.genesisTimeMs + 1_000;
const objects = genesis.properties!.map(
  (input) => ({ ...input, encumbrances: [], version: 1, registeredHeight: 0, updatedHeight: 0 }) as PropertyObject,
);
const transfers: Transaction[] = objects.map((object, i) =>
  devTransfer(
    object,
    parties[(parties.findIndex((p) => p.publicKey === object.owners[0]!.key) + 1) % parties.length]!,
    parties,
    { chainId: genesis.chainId, nowMs, nonce: i },
  ),
);
const encoded = transfers.map((tx) => encode(tx));
const txBytes = encoded.reduce((sum, bytes) => sum + bytes.length, 0) / encoded.length;

// No verified-signature cache: the apply loop reuses transfers, and every figure here is a cold verify.
const fast = createFastVerifier({ cacheEntries: 0 });
const tx0 = transfers[0]!;
const check: SignatureCheck = {
  publicKey: tx0.signatures[0]!.key,
  signature: tx0.signatures[0]!.signature,
  domain: Domain.tx,
  chainId: genesis.chainId,
  message: txIdBytes(tx0),
};

const results: Array<{ figure: string; rate: number; unit: string; limit?: number; note?: string }> = [];
const nativeVerifies = rate(() => {
  for (let i = 0; i < 200; i++) fast(check);
  return 200;
});
results.push({ figure: 'verify (node:crypto ed25519, 1 core)', rate: nativeVerifies, unit: 'sig/s' });
results.push({
  figure: 'verify (@noble/curves ed25519)',
  rate: rate(() => (nobleVerify(check), 1)),
  unit: 'sig/s',
  limit: nativeVerifies,
  note: 'of native',
});
const encodeRate = rate(() => {
  for (let i = 0; i < 200; i++) encode(transfers[i % transfers.length]);
  return 200;
});
results.push({ figure: `encode transfer (${txBytes.toFixed(0)} B canonical CBOR)`, rate: encodeRate, unit: 'tx/s' });
results.push({
  figure: 'decode + validate transfer',
  rate: rate(() => {
    for (let i = 0; i < 200; i++) decodeTransaction(encoded[i % encoded.length]!);
    return 200;
  }),
  unit: 'tx/s',
});

const baseState = new Map<string, unknown>(objects.map((object) => [StateKey.object(object.id), object]));
for (const [key, value] of (await import('../../shared/ledger/genesis.js')).genesisState({
  ...genesis,
  properties: [],
}))
  baseState.set(key, value);
const reader = new MapStateReader(baseState);
let offset = 0;
const applyRate = rate(() => {
  const block = transfers.slice(offset, offset + BLOCK_TXS);
  offset = (offset + BLOCK_TXS) % (transfers.length - BLOCK_TXS);
  const { outcomes } = executeBlock(
    reader,
    block,
    { chainId: genesis.chainId, height: 1, timeMs: nowMs },
    { verify: fast },
  );
  if (outcomes.some((outcome) => !outcome.ok)) throw new Error('bench: a transfer was rejected');
  return block.length;
});
results.push({
  figure: 'apply transfers (rules + 3 signatures, in memory)',
  rate: applyRate,
  unit: 'tx/s',
  limit: nativeVerifies / 3,
  note: 'of verifies/3',
});

const dir = await mkdtemp(join(tmpdir(), 'notary-bench-'));
try {
  const chain = await Chain.open({ dir, genesis });
  let next = 0;
  const commitRate = await asyncRate(
    async () => {
      const block = transfers.slice(next, next + BLOCK_TXS);
      next += BLOCK_TXS;
      const { outcomes } = await devCommitBlock(chain, block, chain.head.header.timeMs + 1_000);
      if (outcomes.some((outcome) => !outcome.ok)) throw new Error('bench: a transfer was rejected at commit');
      return block.length;
    },
    Math.floor(OBJECTS / BLOCK_TXS) - 2,
  );
  results.push({
    figure: `commit to LevelDB (${BLOCK_TXS}-tx blocks: execute, state tree, synced batch)`,
    rate: commitRate,
    unit: 'tx/s',
    limit: nativeVerifies / 3,
    note: 'of verifies/3',
  });
  await chain.close();
} finally {
  await rm(dir, { recursive: true, force: true });
}

const width = Math.max(...results.map((r) => r.figure.length));
console.log(
  `ledger benchmark on this machine${quick ? ' (--quick)' : ''}: ${OBJECTS} objects, ${BLOCK_TXS}-transfer blocks\n`,
);
for (const r of results) {
  const ratio = r.limit ? `  ${(r.rate / r.limit).toFixed(2)} ${r.note}` : '';
  console.log(
    `${r.figure.padEnd(width)}  ${Math.round(r.rate).toLocaleString('en-US').padStart(10)} ${r.unit}${ratio}`,
  );
}
