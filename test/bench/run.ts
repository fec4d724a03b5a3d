// `npm run bench [-- --quick] [-- --only ingest,sync,...]`: every figure of issue #6 as a
// ratio to a limit measured in the same run (the machine is shared and noisy), printed as a
// table and written to bench-results.json. --quick (CI) uses small sizes and finishes in
// under 3 minutes; neither mode fails on speed, only on errors.
//
//   ingest   one validator verifies, applies and commits transfers    / (native verifies/s on 1 core / 3, sampled between blocks)
//   admission one validator admits gossip batches, with its verify worker  / the same on its main thread alone
//   network  4 validator processes on loopback, committed tx/s        / (2 cores x native verifies/s / 12)
//   sync     a fresh observer catching up the ingest chain over libp2p / the ingest rate (scaled by the verify rate during each)
//   scale    genesis import of 7.4M objects: time, size, RSS, lookup p99 (absolute)
//   snapshot a new office joining from a snapshot of 7.4M objects         / the streamed import of the same objects (time, peak RSS)
//   checkpoint a day's statement tree of 7.4M objects on a worker: main-thread stall, time / the same built on the main thread
//   receipt  build and verify a receipt; its size (absolute)
//   gossip   node-to-node tx propagation                               / a bare gossipsub pair's messages/s
//   election 4 validators + 1 gateway, 6-box ballots: committed ballots/s / (2 cores x ballot verifications/s on 1 core / 4)
import { writeFile } from 'node:fs/promises';
import { availableParallelism, cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { log, nativeVerifiesPerSecond, type Figure } from './common.js';
import { benchGossip } from './gossip.js';
import { benchIngest, benchReceipt, benchSync, benchSyncSmallBlocks } from './ledger-figures.js';
import { benchNetwork } from './network.js';
import { benchScale } from './scale.js';
import { benchSnapshot } from './snapshot.js';
import { benchCheckpoint } from './checkpoint.js';
import { benchElection } from './election.js';
import { benchAdmission } from './admission.js';

export const FIGURES = [
  'ingest',
  'receipt',
  'sync',
  'gossip',
  'scale',
  'snapshot',
  'checkpoint',
  'admission',
  'network',
  'election',
] as const;
export type FigureName = (typeof FIGURES)[number];

export interface BenchOptions {
  quick: boolean;
  only?: FigureName[];
  /** Overrides of the sizes. */
  transfers?: number;
  scaleObjects?: number;
  output?: string | null;
  print?: boolean;
}

export interface BenchResults {
  mode: 'quick' | 'default';
  startedAt: string;
  seconds: number;
  machine: { cpus: number; model: string; node: string };
  limits: { nativeVerifiesPerSecond: number };
  sizes: { transfers: number; scaleObjects: number };
  figures: Figure[];
}

export const FULL_SCALE_OBJECTS = 7_400_000;

export async function runBench(options: BenchOptions): Promise<BenchResults> {
  const started = Date.now();
  const want = (name: FigureName) => !options.only || options.only.includes(name);
  const transfers = options.transfers ?? (options.quick ? 3_000 : 200_000);
  const scaleObjects = options.scaleObjects ?? (options.quick ? 100_000 : FULL_SCALE_OBJECTS);
  const figures: Figure[] = [];

  const verifies = nativeVerifiesPerSecond(options.quick ? 500 : 2_000);
  log(`limit: ${verifies.toFixed(0)} native ed25519 verifies/s on one core`);

  if (want('ingest') || want('sync') || want('receipt')) {
    log(`ingest: ${transfers} transfers`);
    const ingest = await benchIngest({ transfers });
    try {
      if (want('ingest')) figures.push(...ingest.figures);
      if (want('receipt')) {
        log('receipt');
        figures.push(...(await benchReceipt(ingest.chain, ingest.txHashes, options.quick ? 100 : 300)));
      }
      if (want('sync')) {
        log(`sync: ${ingest.txHashes.length} transfers`);
        figures.push(...(await benchSync(ingest.chain, ingest.txHashes.length, ingest.rate, ingest.verifiesDuring)));
      }
      if (want('sync')) {
        const blocks = options.quick ? 150 : 1_500;
        log(`sync: ${blocks} blocks of 2 transfers, one fsync a response against one a block`);
        figures.push(...(await benchSyncSmallBlocks(blocks, 2, options.quick ? 1 : 3)));
      }
    } finally {
      await ingest.cleanup();
    }
  }
  if (want('gossip')) {
    log('gossip');
    figures.push(...(await benchGossip(options.quick ? 2_000 : 10_000)));
  }
  if (want('scale')) {
    log(`scale: genesis import of ${scaleObjects} objects`);
    figures.push(...(await benchScale(scaleObjects, options.quick ? 500 : 5_000, FULL_SCALE_OBJECTS)));
  }
  if (want('snapshot')) {
    const snapshotObjects = options.scaleObjects ?? (options.quick ? 20_000 : FULL_SCALE_OBJECTS);
    log(`snapshot: joining from a snapshot of ${snapshotObjects} objects`);
    figures.push(...(await benchSnapshot(snapshotObjects, FULL_SCALE_OBJECTS)));
  }
  if (want('checkpoint')) {
    const checkpointObjects = options.scaleObjects ?? (options.quick ? 20_000 : FULL_SCALE_OBJECTS);
    log(`checkpoint: the statement tree of ${checkpointObjects} objects`);
    figures.push(...(await benchCheckpoint(checkpointObjects, FULL_SCALE_OBJECTS)));
  }
  if (want('admission')) {
    const admitted = options.quick ? 1_280 : 6_400;
    log(`admission: ${admitted} transfers in gossip batches`);
    figures.push(...(await benchAdmission(admitted, options.quick ? 1 : 3)));
  }
  if (want('network')) {
    const nowVerifies = nativeVerifiesPerSecond(options.quick ? 300 : 1_000);
    figures.push(
      ...(await benchNetwork({
        verifiesPerSecond: nowVerifies,
        throughputSeconds: options.quick ? 2 : 15,
        latencySeconds: options.quick ? 3 : 20,
        steadySeconds: options.quick ? 5 : 15,
        drainMs: options.quick ? 30_000 : 120_000,
        countsMax: options.quick ? 500 : 3_000,
      })),
    );
  }

  if (want('election')) {
    figures.push(
      ...(await benchElection({
        throughputSeconds: options.quick ? 3 : 20,
        latencySeconds: options.quick ? 4 : 30,
        drainMs: options.quick ? 30_000 : 120_000,
        countsMax: options.quick ? 150 : 3_000,
      })),
    );
  }

  const results: BenchResults = {
    mode: options.quick ? 'quick' : 'default',
    startedAt: new Date(started).toISOString(),
    seconds: (Date.now() - started) / 1000,
    machine: { cpus: availableParallelism(), model: cpus()[0]?.model ?? 'unknown', node: process.version },
    limits: { nativeVerifiesPerSecond: verifies },
    sizes: { transfers, scaleObjects },
    figures,
  };
  if (options.output !== null)
    await writeFile(options.output ?? 'bench-results.json', `${JSON.stringify(results, null, 2)}\n`);
  if (options.print ?? true) console.log(formatTable(results));
  return results;
}

function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  if (Math.abs(value) >= 100) return Math.round(value).toLocaleString('en-US');
  if (Math.abs(value) >= 1) return value.toFixed(2);
  return value.toFixed(3);
}

export function formatTable(results: BenchResults): string {
  const rows = results.figures.map((f) => [
    f.figure,
    f.what,
    `${formatNumber(f.value)} ${f.unit}`,
    f.limit === undefined ? '' : `${formatNumber(f.limit)} ${f.unit}`,
    f.ratio === undefined ? '' : f.ratio.toFixed(2),
    f.target === undefined ? '' : `${f.target}${f.met === undefined ? '' : f.met ? ' (met)' : ' (NOT met)'}`,
  ]);
  const header = ['figure', 'what', 'value', 'limit (same run)', 'ratio', 'target'];
  const widths = header.map((h, i) =>
    Math.min(i === 1 ? 90 : 40, Math.max(h.length, ...rows.map((row) => row[i]!.length))),
  );
  const line = (cells: string[]) => `| ${cells.map((cell, i) => cell.padEnd(widths[i]!)).join(' | ')} |`;
  const out = [
    `npm run bench${results.mode === 'quick' ? ' -- --quick' : ''}: ${results.seconds.toFixed(0)} s on ${results.machine.cpus} cores (${results.machine.model}), Node ${results.machine.node}`,
    `native ed25519 verifies/s on one core: ${formatNumber(results.limits.nativeVerifiesPerSecond)}`,
    '',
    line(header),
    `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`,
    ...rows.map(line),
    '',
    ...results.figures.filter((f) => f.note).map((f) => `- ${f.figure}: ${f.what}: ${f.note}`),
  ];
  return out.join('\n');
}

function parseArgs(argv: string[]): BenchOptions {
  const value = (name: string) => {
    const index = argv.indexOf(`--${name}`);
    return index >= 0 ? argv[index + 1] : undefined;
  };
  const only = value('only')
    ?.split(',')
    .map((name) => name.trim()) as FigureName[] | undefined;
  for (const name of only ?? [])
    if (!FIGURES.includes(name)) throw new Error(`--only: no figure "${name}" (one of ${FIGURES.join(', ')})`);
  const number = (name: string) => {
    const text = value(name);
    if (text === undefined) return undefined;
    const parsed = Number(text.replace(/_/g, ''));
    if (!Number.isSafeInteger(parsed) || parsed <= 0) throw new Error(`--${name} must be a positive integer`);
    return parsed;
  };
  return {
    quick: argv.includes('--quick'),
    ...(only ? { only } : {}),
    ...(number('transfers') ? { transfers: number('transfers')! } : {}),
    ...(number('scale-objects') ? { scaleObjects: number('scale-objects')! } : {}),
    ...(value('output') ? { output: value('output')! } : {}),
  };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  runBench(parseArgs(process.argv.slice(2)))
    .then(() => process.exit(0))
    .catch((error: unknown) => {
      console.error(error);
      process.exit(1);
    });
}
