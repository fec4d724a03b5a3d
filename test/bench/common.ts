// Shared pieces of `npm run bench`: the figure record, timing helpers, the machine limit
// (native ed25519 verifies on one core) and a bench genesis built without @noble key derivation.
import type { Genesis } from '../../shared/ledger/index.js';
import { Domain, type SignatureCheck } from '../../shared/crypto/index.js';
import { txIdBytes } from '../../shared/ledger/tx.js';
import { createFastVerifier } from '../../electron/node/crypto/fast-verify.js';
import { DEV_CHAIN_ID, DEV_GENESIS_TIME_MS, devKeys } from '../../electron/node/dev/demo-registry.js';
import { fastTransfer, parties, PARTIES } from './fixtures.js';

export interface Figure {
  /** Issue #6 figure: ingest, network, sync, scale, receipt, gossip. */
  figure: string;
  /** What was measured, in a few words. */
  what: string;
  value: number;
  unit: string;
  /** The limit measured in the same run, in the same unit; absent for absolute figures. */
  limit?: number;
  /** value / limit. */
  ratio?: number;
  /** The target, as text ("ratio >= 0.7", "<= 2 ms"). */
  target?: string;
  /** Whether the target is met (informational: the bench never fails on speed). */
  met?: boolean;
  note?: string;
}

export function figure(f: Omit<Figure, 'ratio'> & { ratio?: number }): Figure {
  const ratio = f.ratio ?? (f.limit !== undefined && f.limit > 0 ? f.value / f.limit : undefined);
  return { ...f, ...(ratio === undefined ? {} : { ratio }) };
}

export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

export function log(message: string): void {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
}

/** Native (node:crypto) ed25519 verifies per second on one core, with no cache: the ingest limit's base. */
export function nativeVerifiesPerSecond(minMs: number): number {
  const genesis = benchGenesis(1);
  const tx = fastTransfer(
    { ...genesis.properties![0]!, encumbrances: [], version: 1, registeredHeight: 0, updatedHeight: 0 } as never,
    { chainId: genesis.chainId, nowMs: genesis.genesisTimeMs, nonce: 1 },
  );
  const verify = createFastVerifier({ cacheEntries: 0 });
  const check: SignatureCheck = {
    publicKey: tx.signatures[0]!.key,
    signature: tx.signatures[0]!.signature,
    domain: Domain.tx,
    chainId: genesis.chainId,
    message: txIdBytes(tx),
  };
  for (let i = 0; i < 200; i++) verify(check);
  let operations = 0;
  const start = performance.now();
  while (performance.now() - start < minMs) {
    for (let i = 0; i < 200; i++) if (!verify(check)) throw new Error('bench: a valid signature failed');
    operations += 200;
  }
  return (operations * 1000) / (performance.now() - start);
}

const STREETS = ['Nezavisimosti', 'Pobediteley', 'Lenina', 'Sovetskaya', 'Kirova', 'Masherova'];
const CITIES = ['Minsk', 'Brest', 'Gomel', 'Grodno', 'Vitebsk', 'Mogilev'];

export function benchObjectId(index: number): string {
  return `BY-${String(Math.floor(index / 1_000_000)).padStart(2, '0')}-${String(index % 1_000_000).padStart(6, '0')}`;
}

/** One genesis object, like devGenesis makes, owned by bench party `index % PARTIES`. */
export function benchProperty(index: number): NonNullable<Genesis['properties']>[number] {
  return {
    id: benchObjectId(index),
    kind: index % 5 === 0 ? 'land' : 'apartment',
    address: `${CITIES[index % CITIES.length]}, ${STREETS[index % STREETS.length]} ${1 + (index % 97)}-${1 + (index % 211)}`,
    areaDm2: 3_000 + ((index * 7_919) % 12_000),
    owners: [{ key: parties[index % PARTIES]!.publicKey, share: [1, 1] }],
  };
}

/** The dev chain's authorities (registrar and notary validate) with `objects` bench objects. */
export function benchGenesis(objects: number, withProperties = true): Genesis {
  return {
    chainId: DEV_CHAIN_ID,
    genesisTimeMs: DEV_GENESIS_TIME_MS,
    authorities: [
      { key: devKeys.registrar.publicKey, role: 'registrar', name: 'Dev registry office' },
      { key: devKeys.notary.publicKey, role: 'notary', name: 'Dev notary' },
      { key: devKeys.bank.publicKey, role: 'observer', name: 'Dev bank' },
    ],
    feeSchedule: { dutyMinimumMinor: 5_000, dutyRateBasisPoints: 20 },
    properties: withProperties ? Array.from({ length: objects }, (_, i) => benchProperty(i)) : [],
  };
}

/**
 * The limit sampled all along a long figure: the machine's load changes during a 10-minute
 * ingest, so a limit measured only before it would not be "the same run" in any useful sense.
 * sample() blocks for `sampleMs` (call it between blocks); mean() is the average rate.
 */
export class VerifySampler {
  readonly samples: number[] = [];
  constructor(private readonly sampleMs = 100) {}
  sample(): void {
    this.samples.push(nativeVerifiesPerSecond(this.sampleMs));
  }
  mean(): number {
    return this.samples.reduce((sum, value) => sum + value, 0) / this.samples.length;
  }
}

/** When each transaction became final, by txHash, as one node's blocks show it from its next height on. */
export async function watchFinality(node: {
  status(): Promise<{ height: number }>;
  block(height: number): Promise<{ txHashes: string[] } | undefined>;
}): Promise<{ finalAt: Map<string, number>; stop(): Promise<void> }> {
  const finalAt = new Map<string, number>();
  let next = (await node.status()).height + 1;
  let watching = true;
  const watch = (async () => {
    while (watching) {
      const block = await node.block(next).catch(() => undefined);
      if (block) {
        const at = Date.now();
        for (const hash of block.txHashes) finalAt.set(hash, at);
        next++;
      } else await new Promise((resolve) => setTimeout(resolve, 15));
    }
  })();
  return {
    finalAt,
    stop: async () => {
      watching = false;
      await watch;
    },
  };
}
