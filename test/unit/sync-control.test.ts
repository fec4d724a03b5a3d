// SyncControl says when syncing fails for a reason an operator must see: every peer refused to
// answer (stop 27's CI: a validator 94 blocks behind said nothing at all), or the run ended
// short of the height peers named. Once a minute at most, as consensus retries every second.
import { describe, expect, it } from 'vitest';
import { FAILED_RUN_LOG_INTERVAL_MS, SyncControl } from '../../electron/node/network/sync/sync-control.js';
import { NetworkError, NetworkErrorCode, type SyncClient } from '../../electron/node/network/index.js';

const GENESIS = 'a'.repeat(64);

function setUp(answer: (peerId: string) => Promise<{ height: number }>) {
  let nowMs = 1_000_000;
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
      local: { status: () => ({ genesisHash: GENESIS, height: 84, headHash: 'c'.repeat(64) }) },
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
  return { control, warnings, advance: (ms: number) => (nowMs += ms) };
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

  it('says nothing when no peer is ahead', async () => {
    const { control, warnings } = setUp(async () => ({ height: 84 }));
    expect(await control.sync()).toMatchObject({ height: 84, outcome: 'caught-up' });
    expect(warnings).toEqual([]);
  });
});
