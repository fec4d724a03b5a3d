// The Syncer against scripted peers (no sockets): it takes blocks from whoever is ahead, moves
// on from peers that fail or lie, stops at the best height, and stays within its request budget.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { encode } from '../../shared/codec/index.js';
import { Chain } from '../../electron/node/chain/chain.js';
import { HEAD_FILE_NAME } from '../../electron/node/store/head-file.js';
import { devCommitBlock, devGenesis, devTransfers } from '../../electron/node/dev/demo-registry.js';
import {
  chainSyncSource,
  NetworkError,
  NetworkErrorCode,
  rangeProblem,
  SYNC_BLOCKS_MAX,
  Syncer,
  type SyncClient,
  type SyncerInit,
  type SyncedBlock,
  type SyncSource,
  type SyncStatus,
} from '../../electron/node/network/index.js';

const genesis = devGenesis({ objects: 30, parties: 6 });
const HEIGHT = 10;
const dirs: string[] = [];
let served: Chain;
let fresh: Chain;

async function openChain(): Promise<Chain> {
  const dir = await mkdtemp(join(tmpdir(), 'notary-syncer-'));
  dirs.push(dir);
  return Chain.open({ dir, genesis });
}

beforeAll(async () => {
  served = await openChain();
  for (let i = 0; i < HEIGHT; i++) {
    const timeMs = served.head.header.timeMs + 1_000;
    await devCommitBlock(
      served,
      await devTransfers(served, 1, { objects: 30, parties: 6, seed: i, nowMs: timeMs }),
      timeMs,
    );
  }
});
afterEach(async () => {
  await fresh?.close();
});
afterAll(async () => {
  await served.close();
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

type Behaviour = {
  status?: (real: SyncStatus) => SyncStatus;
  blocks?: (from: number, to: number, real: SyncedBlock[]) => Promise<SyncedBlock[]>;
};

/** A client whose peers all read the served chain, each bent by its behaviour. */
function scriptedClient(source: SyncSource, peers: Record<string, Behaviour>): SyncClient & { calls: string[] } {
  const calls: string[] = [];
  const serve = async (from: number, to: number): Promise<SyncedBlock[]> => {
    const blocks: SyncedBlock[] = [];
    for (let height = from; height <= Math.min(to, served.head.height); height++) {
      blocks.push({
        height,
        blockBytes: (await source.getBlockBytes(height))!,
        commitBytes: (await source.getCommitBytes(height))!,
      });
    }
    return blocks;
  };
  return {
    calls,
    syncPeerIds: () => Object.keys(peers),
    requestStatus: async (peerId) => {
      const real = await source.status();
      return peers[peerId]!.status?.(real) ?? real;
    },
    requestBlocks: async (peerId, from, to) => {
      calls.push(`${peerId} ${from}-${to}`);
      expect(rangeProblem(from, to)).toBeUndefined();
      const real = await serve(from, to);
      return peers[peerId]!.blocks ? peers[peerId]!.blocks!(from, to, real) : real;
    },
  };
}

function syncerFor(
  client: SyncClient,
  options: { batchBlocks?: number; requestsMax?: number; apply?: SyncerInit['apply'] } = {},
) {
  return new Syncer({
    client,
    local: chainSyncSource(fresh),
    apply: options.apply ?? ((block, commit) => fresh.commit(block, commit)),
    batchBlocks: options.batchBlocks ?? 4,
    ...(options.requestsMax ? { requestsMax: options.requestsMax } : {}),
  });
}

describe('Syncer', () => {
  it('moves on from peers that time out, lie about a commit, or follow another genesis, and ends at the best head [REQ-SYNC.2]', async () => {
    fresh = await openChain();
    const source = chainSyncSource(served);
    const client = scriptedClient(source, {
      elsewhere: { status: (real) => ({ ...real, genesisHash: 'ff'.repeat(32), height: 99 }) },
      dead: {
        blocks: async () => {
          throw new NetworkError(NetworkErrorCode.timeout, 'no answer');
        },
      },
      liar: {
        // Real blocks, but the commit's round is changed: its precommits no longer verify.
        blocks: async (_from, _to, real) => {
          const commit = (await served.getCommit(real[0]!.height))!;
          return [{ ...real[0]!, commitBytes: encode({ ...commit, round: 1 }) }];
        },
      },
      honest: {},
    });
    const progress: number[] = [];
    const syncer = syncerFor(client);
    syncer.addEventListener('sync:progress', (event) => progress.push(event.detail.currentHeight));

    const result = await syncer.sync();

    expect(fresh.head.hash).toBe(served.head.hash);
    expect(result).toMatchObject({ height: HEIGHT, targetHeight: HEIGHT, appliedBlocks: HEIGHT, outcome: 'caught-up' });
    expect(result.failedPeers.map((peer) => peer.peerId).sort()).toEqual(['dead', 'elsewhere', 'liar']);
    expect(result.failedPeers.find((peer) => peer.peerId === 'liar')!.reason).toMatch(/does not verify/);
    expect(client.calls).toEqual(['dead 1-4', 'liar 1-4', 'honest 1-4', 'honest 5-8', 'honest 9-10']);
    expect(progress).toEqual([4, 8, 10]);
  });

  it('asks the store for a synced batch only for the last block of each response (decision #74)', async () => {
    fresh = await openChain();
    const client = scriptedClient(chainSyncSource(served), { a: {} });
    const writes = vi.spyOn(fresh.store, 'commitBlock');
    const syncer = syncerFor(client, { apply: (block, commit, prepared) => fresh.commit(block, commit, prepared) });

    const result = await syncer.sync();

    expect(result).toMatchObject({ height: HEIGHT, outcome: 'caught-up' });
    expect(client.calls).toEqual(['a 1-4', 'a 5-8', 'a 9-10']);
    // Responses of 4 are decoded on the worker, the last of 2 here: both ways pass `durable`.
    expect(writes.mock.calls.map(([batch, options]) => [batch.height, options?.sync])).toEqual([
      ...[1, 2, 3].map((height) => [height, false]),
      [4, true],
      ...[5, 6, 7].map((height) => [height, false]),
      [8, true],
      [9, false],
      [10, true],
    ]);
    // The committed-head file names the last synced block, the head.
    expect(JSON.parse(await readFile(join(fresh.store.dir, HEAD_FILE_NAME), 'utf8'))).toEqual({
      height: HEIGHT,
      blockHash: fresh.head.hash,
    });
  });

  it('abandons a stalled run at once; the next run catches up, and the old one commits nothing more when released', async () => {
    fresh = await openChain();
    const client = scriptedClient(chainSyncSource(served), { a: {} });
    let release = () => {};
    let stalls = 1;
    const applied: number[] = [];
    const syncer = syncerFor(client, {
      apply: async (block, commit) => {
        if (block.header.height === 2 && stalls-- > 0) await new Promise<void>((resolve) => (release = resolve));
        applied.push(block.header.height);
        return fresh.commit(block, commit);
      },
    });
    const first = syncer.sync();
    while (syncer.stage?.what !== 'committing block 2') await new Promise((resolve) => setTimeout(resolve, 5));
    syncer.abandon(new Error('stalled'));
    await expect(first).rejects.toThrow('stalled');
    expect(syncer.running).toBe(false);

    const second = syncer.sync();
    expect(await second).toMatchObject({ height: HEIGHT, outcome: 'caught-up' });
    expect(fresh.head.hash).toBe(served.head.hash);
    // the first run's block 2 commits late (the chain skips it), and that run stops there
    release();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(applied.filter((height) => height === 3)).toHaveLength(1);
    expect(syncer.running).toBe(false);
    expect(syncer.stage).toBeUndefined();
  });

  it('stops when its request budget is spent', async () => {
    fresh = await openChain();
    const client = scriptedClient(chainSyncSource(served), { a: {} });
    const result = await syncerFor(client, { requestsMax: 2 }).sync();
    expect(result).toMatchObject({ height: 8, targetHeight: HEIGHT, requests: 2, outcome: 'request-limit' });
  });

  it('reports no-peers when every peer ahead fails, and is caught up when nobody is ahead', async () => {
    fresh = await openChain();
    const empty = scriptedClient(chainSyncSource(served), {
      a: { blocks: async () => [] },
      b: { blocks: async () => [] },
    });
    expect(await syncerFor(empty).sync()).toMatchObject({
      height: 0,
      targetHeight: HEIGHT,
      requests: 2,
      outcome: 'no-peers',
    });

    const lying = scriptedClient(chainSyncSource(served), {
      a: { blocks: async (_f, _t, real) => [{ ...real[0]!, height: 7 }] },
    });
    expect(await syncerFor(lying).sync()).toMatchObject({ height: 0, outcome: 'no-peers' });

    const behind = scriptedClient(chainSyncSource(served), { a: { status: (real) => ({ ...real, height: 0 }) } });
    expect(await syncerFor(behind).sync()).toMatchObject({
      height: 0,
      targetHeight: 0,
      requests: 0,
      outcome: 'caught-up',
    });
  });

  it('ends the run on a failure of its own store, without blaming the peer', async () => {
    fresh = await openChain();
    const client = scriptedClient(chainSyncSource(served), { a: {} });
    const syncer = syncerFor(client, {
      apply: async () => {
        throw new Error('disk full');
      },
    });
    await expect(syncer.sync()).rejects.toThrow('disk full');
    expect(client.calls).toEqual(['a 1-4']);
  });
});

describe('sync ranges', () => {
  it('allow 1..SYNC_BLOCKS_MAX heights from height 1 [REQ-SYNC.1]', () => {
    expect(rangeProblem(1, SYNC_BLOCKS_MAX)).toBeUndefined();
    expect(rangeProblem(5, 5)).toBeUndefined();
    expect(rangeProblem(0, 1)).toMatch(/height 1/);
    expect(rangeProblem(3, 2)).toMatch(/above/);
    expect(rangeProblem(1, SYNC_BLOCKS_MAX + 1)).toMatch(/at most/);
    expect(rangeProblem(1.5, 2)).toMatch(/integers/);
  });
});
