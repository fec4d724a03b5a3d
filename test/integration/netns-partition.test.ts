// Partitions at the kernel (issue 19): four validator processes, each in its own network
// namespace, while nftables rules at the lab's switch isolate one of them and split the four
// 2–2, and one link flaps (test/soak/partition.ts, run here in its short form). Runs as root with `ip netns` (CI);
// skips, saying why, elsewhere. Without `nft` the isolation pulls the cable and the split is skipped.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LAB_PREFIX, labUnavailable, nftAvailable } from '../support/netns.js';

const SCENARIO = fileURLToPath(new URL('../soak/partition.ts', import.meta.url));
const UNAVAILABLE = labUnavailable();
const NFT = !UNAVAILABLE && nftAvailable();

interface Result {
  passed: boolean;
  nft: boolean;
  error?: string;
  submitted: number;
  lost: number;
  doubled: number;
  oneHistory: boolean;
  events: string[];
  phases: {
    isolate: {
      transfersCommittedByTheThree: number;
      node4Noticed: { online: boolean; validatorsReachable: number; afterMs: number } | string;
      node4BehindBy: number | string;
      transferToNode4WhileCutOff: string;
      caughtUpAfterHealingMs: number;
    };
    flap: { heightsBefore: number[]; heightsAtEnd: number[]; caughtUpAfterFlappingMs: number };
    split?: {
      blocksDuringSplit: number;
      transfersSubmittedDuringSplit: number;
      finalDuringSplit: number;
      allFinalEverywhereAfterHealingMs: number;
    };
  };
}

describe.skipIf(UNAVAILABLE)(`partitions at the kernel${UNAVAILABLE ? ` (skipped: ${UNAVAILABLE})` : ''}`, () => {
  let dir: string;
  let result: Result;
  let output = '';
  let child: ChildProcess | undefined;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'notary-partition-'));
    const file = join(dir, 'result.json');
    child = spawn(
      process.execPath,
      ['--import', 'tsx', SCENARIO, '--phases', NFT ? 'isolate,split,flap' : 'isolate,flap', '--json', file],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    await new Promise((resolve) => child!.once('exit', resolve));
    try {
      result = JSON.parse(await readFile(file, 'utf8')) as Result;
    } catch {
      throw new Error(`the partition scenario wrote no result:\n${output.slice(-6_000)}`);
    }
    console.log(`netns partitions: ${JSON.stringify(result.phases)}\n${result.events.join('\n')}`);
  }, 240_000);

  afterAll(async () => {
    // the scenario removes its lab when it ends, also on SIGTERM
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child!.once('exit', resolve));
      child.kill('SIGTERM');
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 20_000))]);
    }
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('ends with every transfer in exactly one block and one history on all four nodes', () => {
    expect(result.error, output.slice(-6_000)).toBeUndefined();
    expect(result).toMatchObject({ passed: true, lost: 0, doubled: 0, oneHistory: true });
  });

  it('keeps three validators committing while the fourth is isolated; it reports itself cut off and catches up after healing', () => {
    const { isolate } = result.phases;
    expect(isolate.transfersCommittedByTheThree).toBe(6);
    if (NFT) {
      expect(isolate.node4Noticed).toMatchObject({ online: false });
      expect(isolate.transferToNode4WhileCutOff).toMatch(/^answered outbox/);
      expect(isolate.node4BehindBy).toBeGreaterThan(0);
    }
    expect(isolate.caughtUpAfterHealingMs).toBeGreaterThan(0);
  });

  it.skipIf(!NFT)('commits no transfer during a 2–2 split and commits them all after healing', () => {
    const split = result.phases.split!;
    expect(split.transfersSubmittedDuringSplit).toBe(4);
    expect(split.finalDuringSplit).toBe(0);
    // a block whose precommits were already out when the cut came may land on one side
    expect(split.blocksDuringSplit).toBeLessThanOrEqual(1);
    expect(split.allFinalEverywhereAfterHealingMs).toBeGreaterThan(0);
  });

  it('keeps committing while a link flaps, and the flapping node is in step right after', () => {
    const { flap } = result.phases;
    expect(Math.max(...flap.heightsAtEnd)).toBeGreaterThan(Math.max(...flap.heightsBefore));
    expect(flap.caughtUpAfterFlappingMs).toBeGreaterThanOrEqual(0);
  });

  it('removes its network namespaces when it ends', () => {
    const left = spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' })
      .stdout.split('\n')
      .filter((line) => line.startsWith(`${LAB_PREFIX}${child!.pid}-`));
    expect(left).toEqual([]);
  });
});
