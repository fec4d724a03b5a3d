// SyncControl says when syncing fails for a reason an operator must see: every peer refused to
// answer (stop 27's CI: a validator 94 blocks behind said nothing at all), or the run ended
// short of the height peers named. Once a minute at most, as consensus retries every second.
import { describe, expect, it } from 'vitest';
import {
  FAILED_RUN_LOG_INTERVAL_MS,
  SYNC_STALL_MS,
  SyncControl,
} from '../../electron/node/network/sync/sync-control.js';
import { NetworkError, NetworkErrorCode, type SyncClient } from '../../electron/node/network/index.js';

const GENESIS = 'a'.repeat(64);

function setUp(answer: (peerId: string) => Promise<{ height: number }>) {
  let nowMs = 1_000_000;
  let head = 84;
  const warnings: Array<{ fields: Record<string, unknown>; message: string }> = [];
  const client: SyncClient = {
    syncPeerIds: () => ['peer-a', 'peer-b'],
    requestStatus: async (peerId) => ({ genesisHash: GENESIS, headHash: 'b'.repeat(64), ...(await answer(peerId)) }),
    requestBlocks: async (peerId) => {
      throw new NetworkError(NetworkErrorCode.timeout, `sync request to ${peerId} took over 30000 ms`);
    },
  };
  const control = new SyncControl(
    {},
    {
      client,
      local: { status: () => ({ genesisHash: GENESIS, height: head, headHash: 'c'.repeat(64) }) },
      apply: async () => undefined,
      clock: { now: () => nowMs, setTimer: () => 0, clearTimer: () => undefined },
      log: {
        debug() {},
        info() {},
        warn: (fields, message) => void warnings.push({ fields, message }),
        error() {},
      },
    },
  );
  return { control, warnings, advance: (ms: number) => (nowMs += ms), setHead: (h: number) => (head = h) };
}

describe('sync control', () => {
  it('warns, with the reasons, when no peer answered; once a minute while it goes on', async () => {
    const { control, warnings, advance } = setUp(async () => {
      throw new Error('Too many outbound protocol streams');
    });
    for (let i = 0; i < 5; i++) {
      expect(await control.sync()).toMatchObject({ peersAnswered: 0, height: 84 });
      advance(1_000);
    }
    expect(warnings).toHaveLength(1);
    expect(warnings[0]!.message).toMatch(/no peer answered/);
    expect(warnings[0]!.fields).toMatchObject({ height: 84, peersAnswered: 0 });
    expect(JSON.stringify(warnings[0]!.fields.failedPeers)).toMatch(/Too many outbound protocol streams/);
    advance(FAILED_RUN_LOG_INTERVAL_MS);
    await control.sync();
    expect(warnings).toHaveLength(2);
  });

  it('warns when peers named a height it could not reach', async () => {
    const { control, warnings } = setUp(async () => ({ height: 178 }));
    expect(await control.sync()).toMatchObject({ height: 84, targetHeight: 178 });
    // the syncer's own line per failing peer, then the run's
    const runs = warnings.filter((warning) => /could not reach/.test(warning.message));
    expect(runs).toHaveLength(1);
    expect(runs[0]!.fields).toMatchObject({ height: 84, targetHeight: 178, peersAnswered: 2 });
  });

  it('abandons a run stalled at one stage for SYNC_STALL_MS, saying where, and starts a new one', async () => {
    // a status request that never settles, whatever its deadline (a fault below the syncer)
    let hang = true;
    const { control, warnings, advance } = setUp(() =>
      hang ? new Promise(() => undefined) : Promise.resolve({ height: 84 }),
    );
    const stalled = control.sync();
    await new Promise((resolve) => setImmediate(resolve));
    expect(control.syncing).toBe(true);
    expect(control.stage?.what).toBe('asking peers their heads');
    advance(SYNC_STALL_MS - 1);
    control.catchUp();
    expect(control.syncing).toBe(true);
    expect(warnings).toEqual([]);
    advance(1);
    hang = false;
    control.catchUp();
    await expect(stalled).rejects.toThrow(/sync stalled for 90 s while asking peers their heads/);
    expect(warnings).toEqual([
      {
        message: 'sync stalled; the run is abandoned and a new one starts',
        fields: { stage: 'asking peers their heads', forMs: SYNC_STALL_MS },
      },
    ]);
    // the catch-up started a new run, which finishes
    await expect(control.sync()).resolves.toMatchObject({ outcome: 'caught-up', peersAnswered: 2 });
    expect(control.syncing).toBe(false);
  });

  it('says nothing when no peer is ahead', async () => {
    const { control, warnings } = setUp(async () => ({ height: 84 }));
    expect(await control.sync()).toMatchObject({ height: 84, outcome: 'caught-up' });
    expect(warnings).toEqual([]);
  });
});
