// The outbox waits by monotonic time (issue 19, clocks): a wall clock stepped back five minutes
// (an NTP correction; the soak's skew fault) held what an office certified offline for five
// minutes, because the reconciler and the sender measured their waits with the wall clock.
import { describe, expect, it } from 'vitest';
import { OutboxReconciler, CAUGHT_UP_CHECK_INTERVAL_MS } from '../../electron/node/mempool/outbox-reconciler.js';
import { RESEND_MIN_MS } from '../../electron/node/mempool/outbox-sender.js';

function office() {
  const time = { wallMs: 1_800_000_000_000, monotonicMs: 50_000 };
  const calls = { sync: 0, publish: 0 };
  let peersAnswer = 0;
  const entry = { txId: 'a'.repeat(64), txHash: 'b'.repeat(64), state: 'submitted', tx: { type: 'transfer' } };
  const reconciler = new OutboxReconciler({
    outbox: { open: () => [entry], update: async () => undefined } as never,
    mempool: { has: () => true, add: async () => undefined } as never,
    chain: { store: { getTxLocation: async () => undefined } } as never,
    committer: { onCommitted: () => () => undefined },
    connectivity: {
      reachability: async () => ({ validators: 4, reachable: 4, online: true }),
      onBackOnline: () => () => undefined,
      onPeerConnected: () => () => undefined,
    },
    sync: {
      syncing: false,
      sync: async () => {
        calls.sync++;
        return { outcome: 'caught-up', height: 5, targetHeight: 5, peersAnswered: peersAnswer };
      },
    },
    damage: { view: undefined },
    publish: async () => {
      calls.publish++;
      return { outcome: 'published', recipients: 3 } as never;
    },
    onRejected: undefined,
    clock: {
      now: () => time.wallMs,
      monotonic: () => time.monotonicMs,
      setTimer: () => 0 as never,
      clearTimer: () => undefined,
    },
    log: { warn: () => undefined, debug: () => undefined },
  });
  const pass = (ms: number) => {
    time.wallMs += ms;
    time.monotonicMs += ms;
  };
  return { reconciler, time, calls, pass, peersAnswer: (n: number) => (peersAnswer = n) };
}

describe('the outbox after the wall clock is stepped back', () => {
  it('asks its peers again CAUGHT_UP_CHECK_INTERVAL_MS later, not five minutes later', async () => {
    const { reconciler, time, calls, pass, peersAnswer } = office();
    reconciler.start();
    // back online: the first status round finds no peer answering yet
    expect(await reconciler.reconcile()).toBe(false);
    expect(calls.sync).toBe(1);
    // the wall clock goes back five minutes; a peer answers from now on
    time.wallMs -= 5 * 60_000;
    peersAnswer(1);
    pass(CAUGHT_UP_CHECK_INTERVAL_MS + 1);
    expect(await reconciler.reconcile()).toBe(true);
    expect(calls.sync).toBe(2);
    expect(calls.publish).toBe(1);
  });

  it('sends an open entry again RESEND_MIN_MS later, not five minutes later', async () => {
    const { reconciler, time, calls, pass, peersAnswer } = office();
    peersAnswer(1);
    reconciler.start();
    pass(1);
    expect(await reconciler.reconcile()).toBe(true);
    expect(calls.publish).toBe(1);
    time.wallMs -= 5 * 60_000;
    pass(RESEND_MIN_MS - 1);
    await reconciler.reconcile();
    expect(calls.publish).toBe(1);
    pass(2);
    await reconciler.reconcile();
    expect(calls.publish).toBe(2);
  });
});
