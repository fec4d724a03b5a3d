// checkpoint: a day's checkpoint at N objects (7.4 million by default; decision #73). The scale
// child imports the objects into a store; the checkpoint child then builds the statement tree
// on a worker thread as a node does, and on the main thread as before, in the same run: the
// time of each, the longest stall of the main thread's event loop during each, the memory
// added, reading the kept tree back at a restart, and a proof's p99.
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { figure, log, type Figure } from './common.js';

const SCALE_CHILD = fileURLToPath(new URL('./scale-child.ts', import.meta.url));
const CHILD = fileURLToPath(new URL('./checkpoint-child.ts', import.meta.url));
/** The longest a checkpoint may hold the main thread: well under a consensus step's timeout. */
const STALL_TARGET_MS = 100;

interface Phase {
  ms: number;
  /** The share of the time the main thread was busy (event loop utilization). */
  mainBusy: number;
  stallMaxMs: number;
  stallP99Ms: number;
  rssAddedBytes: number;
}

interface ChildResult {
  objects: number;
  bucketBits: number;
  entriesBytes: number;
  worker: Phase;
  main: Phase;
  load: Phase;
  proofP50Ms: number;
  proofP99Ms: number;
}

function run(script: string, args: string[], tag: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => {
      err = (err + chunk.toString()).slice(-20_000);
      for (const line of chunk.toString().split('\n')) if (line.startsWith(`[${tag}]`)) log(line.slice(tag.length + 3));
    });
    child.once('error', reject);
    child.once('exit', (code) =>
      code === 0 ? resolve(out) : reject(new Error(`bench: the ${tag} child exited with ${code}: ${err}`)),
    );
  });
}

const mib = (bytes: number) => bytes / 2 ** 20;

export async function benchCheckpoint(objects: number, fullScale: number): Promise<Figure[]> {
  const dir = await mkdtemp(join(tmpdir(), 'notary-bench-checkpoint-'));
  try {
    log(`checkpoint: importing ${objects} objects first (the scale child)`);
    await run(SCALE_CHILD, [String(objects), join(dir, 'store'), '1', '0'], 'scale');
    const result = JSON.parse(
      (await run(CHILD, [join(dir, 'store')], 'checkpoint')).trim().split('\n').pop()!,
    ) as ChildResult;
    const full = objects >= fullScale;
    const { worker, main, load } = result;
    const count = result.objects.toLocaleString('en-US');
    return [
      figure({
        figure: 'checkpoint',
        what: `statement tree of ${count} objects built on a worker: longest main-thread stall`,
        value: worker.stallMaxMs,
        unit: 'ms',
        ...(full ? { target: `<= ${STALL_TARGET_MS} ms`, met: worker.stallMaxMs <= STALL_TARGET_MS } : {}),
        note: `p99 stall ${worker.stallP99Ms.toFixed(1)} ms; built on the main thread instead: longest stall ${main.stallMaxMs.toFixed(0)} ms, p99 ${main.stallP99Ms.toFixed(1)} ms`,
      }),
      figure({
        figure: 'checkpoint',
        what: 'statement tree built on a worker: share of the time the main thread was busy',
        value: worker.mainBusy,
        unit: '',
        limit: main.mainBusy,
        note: `built on the main thread it was busy ${(main.mainBusy * 100).toFixed(0)}% of the time (the limit)`,
      }),
      figure({
        figure: 'checkpoint',
        what: 'statement tree built on a worker: time',
        value: worker.ms / 1000,
        unit: 's',
        limit: main.ms / 1000,
        note: `the same rows built on the main thread took ${(main.ms / 1000).toFixed(1)} s (the limit); ${result.bucketBits} bucket bits, ${mib(result.entriesBytes).toFixed(0)} MiB of entries`,
      }),
      figure({
        figure: 'checkpoint',
        what: 'statement tree built on a worker: memory added (peak RSS above the start)',
        value: mib(worker.rssAddedBytes),
        unit: 'MiB',
        note: `on the main thread: ${mib(main.rssAddedBytes).toFixed(0)} MiB`,
      }),
      figure({
        figure: 'checkpoint',
        what: 'a kept tree read back and checked on a worker (at a restart): time',
        value: load.ms / 1000,
        unit: 's',
        note: `longest main-thread stall ${load.stallMaxMs.toFixed(0)} ms; memory added ${mib(load.rssAddedBytes).toFixed(0)} MiB`,
      }),
      figure({
        figure: 'checkpoint',
        what: 'a proof from the kept tree (GET /proofs/{id}): p99',
        value: result.proofP99Ms,
        unit: 'ms',
        note: `p50 ${result.proofP50Ms.toFixed(3)} ms, 5,000 random objects`,
      }),
    ];
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
