// Shared pieces of `npm run bench`: the figure record, timing helpers, the machine limit
// (native ed25519 verifies on one core) and a bench genesis built without @noble key derivation.
import { readdirSync, readFileSync } from 'node:fs';
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
  /** The issue's target, as text ("ratio >= 0.7", "<= 2 ms"). */
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

/** CPU seconds (user + system) used so far by each node process and this one, by kind of thread. */
export function cpuSeconds(nodes: ReadonlyArray<{ info: { name: string; role: string }; process?: { pid?: number } }>) {
  const used = new Map<string, Map<ThreadKind, number>>();
  for (const node of nodes) {
    const pid = node.process?.pid;
    if (!pid) continue;
    const name = node.info.role === 'observer' ? 'gateway' : node.info.name;
    const kinds = new Map<ThreadKind, number>();
    try {
      for (const task of readdirSync(`/proc/${pid}/task`)) {
        try {
          // /proc/PID/task/TID/stat: the fields after the command's closing parenthesis; utime and stime are 14 and 15, in ticks
          const fields = readFileSync(`/proc/${pid}/task/${task}/stat`, 'utf8').split(') ')[1]!.split(' ');
          const kind = threadKind(readFileSync(`/proc/${pid}/task/${task}/comm`, 'utf8').trim());
          kinds.set(kind, (kinds.get(kind) ?? 0) + (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND);
        } catch {
          // the thread ended between the listing and the read
        }
      }
      used.set(name, kinds);
    } catch {
      // not on Linux, or the process is gone: that process is left out of the breakdown
    }
  }
  const self = process.cpuUsage();
  used.set('bench', new Map([['main', (self.user + self.system) / 1e6]]));
  return used;
}

/** Node's thread names: the JavaScript thread, the verify workers, V8's helpers (GC, compiling), libuv's pool (the store, hashing), the CPU profiler's. */
export type ThreadKind = 'main' | 'workers' | 'v8' | 'libuv' | 'profiler' | 'other';
export function threadKind(comm: string): ThreadKind {
  if (comm === 'MainThread' || comm === 'node') return 'main';
  if (comm === 'WorkerThread') return 'workers';
  if (comm.startsWith('V8')) return 'v8';
  if (comm.startsWith('v8:Prof')) return 'profiler'; // BENCH_PROFILE_DIR's sampling thread
  if (comm.startsWith('libuv')) return 'libuv';
  return 'other';
}

/** Cores used between two readings: each process's total, then its threads' shares. */
export function coresUsed(
  before: Map<string, Map<ThreadKind, number>>,
  after: Map<string, Map<ThreadKind, number>>,
  wallSeconds: number,
) {
  return [...after]
    .map(([name, kinds]) => {
      const shares = [...kinds]
        .map(([kind, seconds]) => [kind, (seconds - (before.get(name)?.get(kind) ?? 0)) / wallSeconds] as const)
        .filter(([, share]) => share >= 0.005);
      const total = shares.reduce((sum, [, share]) => sum + share, 0);
      const parts =
        shares.length > 1 ? ` (${shares.map(([kind, share]) => `${kind} ${share.toFixed(2)}`).join(', ')})` : '';
      return `${name} ${total.toFixed(2)}${parts}`;
    })
    .join('; ');
}

/** USER_HZ: the unit of /proc's CPU times on Linux. */
const CLOCK_TICKS_PER_SECOND = 100;

/** CPU seconds used between two readings by the processes and kinds of thread `include` picks. */
export function cpuBetween(
  before: Map<string, Map<ThreadKind, number>>,
  after: Map<string, Map<ThreadKind, number>>,
  include: (name: string, kind: ThreadKind) => boolean,
): number {
  let seconds = 0;
  for (const [name, kinds] of after)
    for (const [kind, used] of kinds) if (include(name, kind)) seconds += used - (before.get(name)?.get(kind) ?? 0);
  return seconds;
}
