// A node killed at any instant restarts with its last committed block intact and nothing
// half-applied: SIGKILL a committing child process at random instants, then check that the
// store opens, holds every block the child saw committed, and audits clean from genesis
// (every state root equal to a fresh replay).
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { Chain } from '../../electron/node/chain/chain.js';
import { auditChain } from '../../electron/node/chain/audit.js';
import { devGenesis } from '../../electron/node/dev/demo-registry.js';
import { seededRandom } from '../support/prng.js';

const KILLS = Number(process.env.CRASH_KILLS ?? 50);
const SEED = Number(process.env.CRASH_SEED ?? Date.now() % 1_000_000);
const CHILD = fileURLToPath(new URL('../support/crash-child.ts', import.meta.url));

const random = seededRandom; // a failing run replays with CRASH_SEED

interface ChildRun {
  lastCommitted: number;
  opened: boolean;
}

/**
 * Starts the child and kills it with SIGKILL `delayMs` after it has opened the store, or, with
 * `afterCommit`, `delayMs` after its first commit of this run: the instant is random within the
 * child's own progress, so a loaded machine (a slow start) still kills a chain that is committing.
 */
function runAndKill(dir: string, delayMs: number, afterCommit: boolean): Promise<ChildRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, dir], { stdio: ['ignore', 'pipe', 'pipe'] });
    const run: ChildRun = { lastCommitted: -1, opened: false };
    let stderr = '';
    let buffer = '';
    child.stdout.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      const lines = buffer.split('\n');
      buffer = lines.pop() ?? '';
      for (const line of lines) {
        const [word, height] = line.split(' ');
        if (word === 'open' && !run.opened) {
          run.opened = true;
          if (!afterCommit) setTimeout(() => child.kill('SIGKILL'), delayMs);
        }
        if (word === 'committed') {
          if (afterCommit && run.lastCommitted < 0) setTimeout(() => child.kill('SIGKILL'), delayMs);
          run.lastCommitted = Number(height);
        }
      }
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const guard = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('exit', (code, signal) => {
      clearTimeout(guard);
      if (signal !== 'SIGKILL') reject(new Error(`child exited by itself (code ${code}): ${stderr}`));
      else if (!run.opened) reject(new Error(`child never opened the store: ${stderr}`));
      else resolve(run);
    });
  });
}

describe('crash safety', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });

  it(`keeps every committed block and nothing half-applied across ${KILLS} SIGKILLs at random instants`, async () => {
    const dir = await mkdtemp(join(tmpdir(), 'notary-crash-'));
    dirs.push(dir);
    const next = random(SEED);
    const genesis = devGenesis({ objects: 200 });
    let previousHeight = 0;
    let killsWithProgress = 0;
    for (let kill = 1; kill <= KILLS; kill++) {
      // One kill in five at any instant after the store opened (also before a first commit),
      // the others at a random instant after the run's first commit, while it commits more.
      const afterCommit = next() >= 0.2;
      const delayMs = afterCommit ? Math.floor(next() * 700) : 100 + Math.floor(next() * 700);
      const run = await runAndKill(dir, delayMs, afterCommit);
      const chain = await Chain.open({ dir, genesis }).catch((error: Error) => {
        throw new Error(
          `CRASH_SEED=${SEED} kill ${kill} (after ${delayMs} ms): the store did not reopen: ${error.message}`,
        );
      });
      try {
        const context = `CRASH_SEED=${SEED} kill ${kill} (${delayMs} ms after ${afterCommit ? 'its first commit' : 'opening'}, child saw ${run.lastCommitted} committed)`;
        expect(chain.head.height, `${context}: a committed block was lost`).toBeGreaterThanOrEqual(
          Math.max(run.lastCommitted, previousHeight),
        );
        // at most the block being written when killed may be present beyond what the child saw
        if (run.lastCommitted >= 0) expect(chain.head.height, context).toBeLessThanOrEqual(run.lastCommitted + 1);
        const report = await auditChain(chain.store, genesis, { verify: chain.verify });
        expect(report.problem, context).toBeUndefined();
        expect(report.ok).toBe(true);
        if (chain.head.height > previousHeight) killsWithProgress++;
        previousHeight = chain.head.height;
      } finally {
        await chain.close();
      }
    }
    // the kills must have interrupted a chain that was really committing
    expect(previousHeight).toBeGreaterThan(KILLS / 2);
    expect(killsWithProgress).toBeGreaterThan(KILLS / 2);
    console.log(
      `crash test: ${KILLS} kills (CRASH_SEED=${SEED}), chain reached height ${previousHeight}, audited clean after every kill`,
    );
  }, 600_000);
});
