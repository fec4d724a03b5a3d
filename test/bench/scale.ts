// scale: genesis import of N property objects (7.4 million by default) into a new store, in a
// child process so that its peak RSS is its own: time, store size, peak RSS, lookup p99.
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { figure, log, type Figure } from './common.js';

const CHILD = fileURLToPath(new URL('./scale-child.ts', import.meta.url));

interface ChildResult {
  objects: number;
  smtNodes: number;
  importMs: number;
  phasesMs: Record<string, number>;
  peakRssBytes: number;
  peakRssAnonBytes?: number;
  peakRssFileBytes?: number;
  peakRssBeforeCompactBytes?: number;
  recordP50: number;
  recordP99: number;
  withProofP50: number;
  withProofP99: number;
  lookups: number;
  reopenMs: number;
  nodeReadsPerLookup: number;
  warm: { nodes: number; levels: number; ms: number; stoppedBy?: string };
}

async function directoryBytes(dir: string): Promise<number> {
  let total = 0;
  for (const name of await readdir(dir)) total += (await stat(join(dir, name))).size;
  return total;
}

export async function benchScale(objects: number, lookups: number, fullScale: number): Promise<Figure[]> {
  const dir = await mkdtemp(join(tmpdir(), 'notary-bench-scale-'));
  try {
    const output = await new Promise<string>((resolve, reject) => {
      const child = spawn(
        process.execPath,
        ['--import', 'tsx', CHILD, String(objects), join(dir, 'store'), String(lookups)],
        { stdio: ['ignore', 'pipe', 'pipe'] },
      );
      let out = '';
      let err = '';
      child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => {
        err = (err + chunk.toString()).slice(-20_000);
        for (const line of chunk.toString().split('\n')) if (line.startsWith('[scale]')) log(line.slice(8));
      });
      child.once('error', reject);
      child.once('exit', (code) =>
        code === 0 ? resolve(out) : reject(new Error(`bench: the scale child exited with ${code}: ${err}`)),
      );
    });
    const result = JSON.parse(output.trim().split('\n').pop()!) as ChildResult;
    const bytes = await directoryBytes(join(dir, 'store'));
    const minutes = result.importMs / 60_000;
    const full = objects >= fullScale;
    const phases = Object.entries(result.phasesMs)
      .map(([phase, ms]) => `${phase} ${(ms / 1000).toFixed(1)} s`)
      .join(', ');
    return [
      figure({
        figure: 'scale',
        what: `genesis import of ${objects.toLocaleString('en-US')} objects: time`,
        value: result.importMs / 1000,
        unit: 's',
        ...(full ? { target: '<= 900 s', met: minutes <= 15 } : {}),
        note: `${phases}; ${result.smtNodes.toLocaleString('en-US')} tree nodes`,
      }),
      figure({
        figure: 'scale',
        what: 'genesis import: store size',
        value: bytes / 2 ** 20,
        unit: 'MiB',
        note: `${(bytes / objects).toFixed(0)} B per object`,
      }),
      figure({
        figure: 'scale',
        what: 'genesis import: peak RSS',
        value: result.peakRssBytes / 2 ** 20,
        unit: 'MiB',
        ...(full ? { target: '<= 1536 MiB', met: result.peakRssBytes <= 1.5 * 2 ** 30 } : {}),
        ...(result.peakRssAnonBytes
          ? {
              note: `peak anonymous ${(result.peakRssAnonBytes / 2 ** 20).toFixed(0)} MiB, peak file-backed (LevelDB's mmapped tables) ${((result.peakRssFileBytes ?? 0) / 2 ** 20).toFixed(0)} MiB; peak before the final compaction ${((result.peakRssBeforeCompactBytes ?? 0) / 2 ** 20).toFixed(0)} MiB`,
            }
          : {}),
      }),
      figure({
        figure: 'scale',
        what: `lookup p99: record + state proof (GET /properties/:id), ${result.lookups} random objects`,
        value: result.withProofP99,
        unit: 'ms',
        ...(full ? { target: '<= 5 ms', met: result.withProofP99 <= 5 } : {}),
        note: `p50 ${result.withProofP50.toFixed(2)} ms; record alone p99 ${result.recordP99.toFixed(2)} ms, p50 ${result.recordP50.toFixed(2)} ms; top ${result.warm.levels} tree levels pinned first, ${result.nodeReadsPerLookup.toFixed(1)} LevelDB node reads per proof`,
      }),
      figure({
        figure: 'scale',
        what: 'reopen of the imported store (ChainStore.open)',
        value: result.reopenMs,
        unit: 'ms',
        note: `then, in the background in a node, ${result.warm.nodes.toLocaleString('en-US')} nodes of the top ${result.warm.levels} tree levels pinned in ${(result.warm.ms / 1000).toFixed(1)} s${result.warm.stoppedBy ? ` (stopped: ${result.warm.stoppedBy})` : ''}`,
      }),
    ];
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
