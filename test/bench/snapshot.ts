// snapshot: a new office joining a network whose state holds N objects (7.4 million by default)
// from a state snapshot, against the streamed genesis import of the same objects measured in
// the same run (the serving child imports them first). Two child processes, so that each peak
// RSS is its own: the server (import, two blocks, the snapshot, serving on loopback) and the
// joiner (notary start --join-snapshot's code: headers, manifest, chunks checked and written).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { peerIdFromPrivateKey } from '@libp2p/peer-id';
import { loadOrCreateIdentity } from '../../electron/node/network/identity.js';
import { figure, log, type Figure } from './common.js';

const CHILD = fileURLToPath(new URL('./snapshot-child.ts', import.meta.url));

interface Served {
  address: string;
  importMs: number;
  importRssBytes: number;
  importRssAnonBytes: number;
  makeMs: number;
  makePhasesMs: { rows: number; chunks: number };
  chunks: number;
  pairs: number;
  bytes: number;
  height: number;
  stateRoot: string;
}

interface Joined {
  joinMs: number;
  phasesMs: Record<string, number>;
  pairs: number;
  chunks: number;
  bytes: number;
  height: number;
  stateRoot: string;
  peakRssBytes: number;
  peakRssAnonBytes: number;
  peakRssFileBytes: number;
}

function child(args: string[], onLine?: (line: string) => void): { process: ChildProcess; output: Promise<string> } {
  // NOTARY_BENCH_CPU_PROF=DIR: each child writes a V8 CPU profile there (node refuses --cpu-prof in NODE_OPTIONS).
  const profile = process.env.NOTARY_BENCH_CPU_PROF
    ? ['--cpu-prof', `--cpu-prof-dir=${process.env.NOTARY_BENCH_CPU_PROF}`]
    : [];
  const process_ = spawn(process.execPath, [...profile, '--import', 'tsx', CHILD, ...args], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  const output = new Promise<string>((resolve, reject) => {
    process_.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (onLine && out.includes('\n')) onLine(out.trim().split('\n')[0]!);
    });
    process_.stderr!.on('data', (chunk: Buffer) => {
      err = (err + chunk.toString()).slice(-20_000);
      for (const line of chunk.toString().split('\n')) if (line.startsWith('[snapshot]')) log(line.slice(11, 300));
    });
    process_.once('error', reject);
    process_.once('exit', (code) =>
      code === 0 ? resolve(out) : reject(new Error(`bench: snapshot child ${args[0]} exited with ${code}: ${err}`)),
    );
  });
  return { process: process_, output };
}

export async function benchSnapshot(objects: number, fullScale: number): Promise<Figure[]> {
  const dir = await mkdtemp(join(tmpdir(), 'notary-bench-snapshot-'));
  let server: ChildProcess | undefined;
  try {
    await mkdir(join(dir, 'joiner'));
    const joinerPeerId = peerIdFromPrivateKey(await loadOrCreateIdentity(join(dir, 'joiner', 'node-key'))).toString();
    log(`snapshot: the server imports ${objects} objects, commits 2 blocks and makes its snapshot`);
    const served = await new Promise<Served>((resolve, reject) => {
      const started = child(['serve', String(objects), join(dir, 'server'), joinerPeerId], (line) =>
        resolve(JSON.parse(line) as Served),
      );
      server = started.process;
      started.output.catch(reject);
    });
    log(`snapshot: a new office joins from ${served.chunks} chunks (${(served.bytes / 2 ** 20).toFixed(0)} MiB)`);
    const joined = JSON.parse(
      (await child(['join', join(dir, 'joiner'), served.address]).output).trim().split('\n').pop()!,
    ) as Joined;
    if (joined.stateRoot !== served.stateRoot || joined.height !== served.height)
      throw new Error(
        `bench: the joined store is at ${joined.height} ${joined.stateRoot}, not ${served.height} ${served.stateRoot}`,
      );
    const full = objects >= fullScale;
    const phases = Object.entries(joined.phasesMs)
      .map(([phase, ms]) => `${phase} ${(ms / 1000).toFixed(1)} s`)
      .join(', ');
    return [
      figure({
        figure: 'snapshot',
        what: `joining from a snapshot of ${objects.toLocaleString('en-US')} objects (${joined.chunks} chunks, ${(joined.bytes / 2 ** 20).toFixed(0)} MiB, loopback): time`,
        value: joined.joinMs / 1000,
        unit: 's',
        limit: served.importMs / 1000,
        ratio: joined.joinMs / served.importMs,
        ...(full
          ? { target: '< import and <= 600 s', met: joined.joinMs < served.importMs && joined.joinMs <= 600_000 }
          : {}),
        note: `${phases}; limit = the streamed genesis import of the same objects in this run (${(served.importMs / 1000).toFixed(1)} s)`,
      }),
      figure({
        figure: 'snapshot',
        what: 'joining from a snapshot: peak RSS',
        value: joined.peakRssBytes / 2 ** 20,
        unit: 'MiB',
        limit: served.importRssBytes / 2 ** 20,
        ratio: joined.peakRssBytes / served.importRssBytes,
        note: `peak anonymous ${(joined.peakRssAnonBytes / 2 ** 20).toFixed(0)} MiB, file-backed ${(joined.peakRssFileBytes / 2 ** 20).toFixed(0)} MiB; limit = the import's peak RSS (anonymous ${(served.importRssAnonBytes / 2 ** 20).toFixed(0)} MiB)`,
      }),
      figure({
        figure: 'snapshot',
        what: 'making the snapshot on a serving node',
        value: served.makeMs / 1000,
        unit: 's',
        note: `rows into buckets ${(served.makePhasesMs.rows / 1000).toFixed(1)} s, chunks ${(served.makePhasesMs.chunks / 1000).toFixed(1)} s; ${served.pairs.toLocaleString('en-US')} records`,
      }),
    ];
  } finally {
    server?.stdin?.end();
    await new Promise((resolve) => setTimeout(resolve, 500));
    server?.kill('SIGKILL');
    await rm(dir, { recursive: true, force: true });
  }
}
