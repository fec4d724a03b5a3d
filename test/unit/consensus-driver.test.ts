// The consensus driver against fake components: a manual clock, a loopback transport and an
// application that stores blocks in an array. One validator (n = 1) decides alone, so every
// step is visible: build, sign through the PrivValidator, broadcast, feed back, commit, next height.
import { describe, expect, it } from 'vitest';
import { utf8 } from '../../shared/codec/index.js';
import { generateKeyPair, sha256, sha256Hex, verify } from '../../shared/crypto/index.js';
import { verifyCommit } from '../../shared/chain/commit.js';
import type { ConsensusMessage } from '../../shared/chain/messages.js';
import { blockHash, ZERO_HASH } from '../../shared/ledger/block.js';
import type { Block, BlockHeader, Commit } from '../../shared/ledger/types.js';
import {
  APP_CALL_WARN_MS,
  consensusDriver,
  MemoryPrivValidatorStore,
  PrivValidator,
  type AppHead,
  type Clock,
  type ConsensusApp,
  type ConsensusDriverInit,
  type TimerId,
} from '../../electron/node/consensus/index.js';

const CHAIN_ID = 'consensus-test';
const key = generateKeyPair(sha256(utf8('driver-test')));

class ManualClock implements Clock {
  nowMs = 1_000_000;
  #next = 1;
  #timers = new Map<TimerId, { atMs: number; run: () => void }>();
  now(): number {
    return this.nowMs;
  }
  setTimer(delayMs: number, callback: () => void): TimerId {
    const id = this.#next++;
    this.#timers.set(id, { atMs: this.nowMs + Math.max(1, delayMs), run: callback });
    return id;
  }
  clearTimer(id: TimerId): void {
    this.#timers.delete(id);
  }
  /** Moves time forward, running due timers in order and letting promises settle after each. */
  async advance(ms: number): Promise<void> {
    const until = this.nowMs + ms;
    for (;;) {
      await settle();
      const due = [...this.#timers]
        .filter(([, t]) => t.atMs <= until)
        .sort(([a, x], [b, y]) => x.atMs - y.atMs || a - b)[0];
      if (!due) break;
      this.#timers.delete(due[0]);
      this.nowMs = due[1].atMs;
      due[1].run();
    }
    this.nowMs = until;
    await settle();
  }
}

const settle = async () => {
  for (let i = 0; i < 5; i++) await new Promise<void>((resolve) => setImmediate(resolve));
};

class ArrayApp implements ConsensusApp {
  readonly blocks: Block[] = [];
  readonly commits: Commit[] = [];
  readonly calls: string[] = [];
  builds: Array<{ height: number; timeMs: number; proposer: string }> = [];
  waitForTransactions?: (signal: AbortSignal) => Promise<void>;
  heartbeatMsFor?: (height: number) => number;
  failCommit = false;
  validators = [key.publicKey];

  head(): AppHead {
    const header = this.#headHeader();
    return { height: header.height, hash: blockHash(header) };
  }
  #headHeader(): BlockHeader {
    return (
      this.blocks.at(-1)?.header ?? {
        chainId: CHAIN_ID,
        height: 0,
        prevHash: ZERO_HASH,
        timeMs: 0,
        proposer: ZERO_HASH,
        txRoot: ZERO_HASH,
        stateRoot: ZERO_HASH,
        validatorsHash: ZERO_HASH,
        appHash: ZERO_HASH,
      }
    );
  }
  async validatorsFor(): Promise<string[]> {
    return this.validators;
  }
  async buildBlock(height: number, _round: number, context: { proposer: string; timeMs: number }): Promise<Block> {
    this.builds.push({ height, ...context });
    const h = sha256Hex(utf8(`block ${height}`));
    return {
      header: {
        ...this.#headHeader(),
        height,
        prevHash: this.head().hash,
        timeMs: context.timeMs,
        proposer: context.proposer,
        txRoot: h,
      },
      txs: [],
    };
  }
  async validateBlock(): Promise<{ valid: true }> {
    return { valid: true };
  }
  async commitBlock(block: Block, commit: Commit): Promise<void> {
    if (this.failCommit) throw new Error('disk full');
    this.blocks.push(block);
    this.commits.push(commit);
  }
}

function loopback() {
  const sent: ConsensusMessage[] = [];
  let handler: ((message: ConsensusMessage) => void) | null = null;
  return {
    sent,
    deliver: (message: ConsensusMessage) => handler?.(message),
    transport: {
      broadcast: (message: ConsensusMessage) => void sent.push(message),
      onMessage: (h: (message: ConsensusMessage) => void) => {
        handler = h;
        return () => (handler = null);
      },
    },
  };
}

async function setUp(init: Partial<ConsensusDriverInit> = {}, observer = false) {
  const clock = new ManualClock();
  const app = new ArrayApp();
  const net = loopback();
  const store = new MemoryPrivValidatorStore();
  const privValidator = observer
    ? null
    : await PrivValidator.open({ secretKey: key.secretKey, chainId: CHAIN_ID, store });
  const halts: Error[] = [];
  const dropped: number[] = [];
  const warnings: Array<{ fields: Record<string, unknown>; message: string }> = [];
  const logger = {
    debug() {},
    info() {},
    warn: (fields: object, message: string) =>
      void warnings.push({ fields: fields as Record<string, unknown>, message }),
    error() {},
  };
  const driver = consensusDriver({ chainId: CHAIN_ID, onHalt: (e) => halts.push(e), ...init })({
    clock,
    transport: net.transport,
    app,
    verify,
    privValidator,
    logger,
    metrics: { inputDropped: () => dropped.push(1) },
  });
  return { clock, app, net, store, driver, halts, dropped, warnings };
}

describe('consensus driver', () => {
  it('builds, signs through the PrivValidator, broadcasts and commits height after height [REQ-CONS.1]', async () => {
    const { clock, app, net, store, driver } = await setUp();
    await driver.start();
    await clock.advance(10);
    expect(app.blocks.length).toBeGreaterThanOrEqual(3);
    expect(app.builds[0]).toEqual({ height: 1, timeMs: 1_000_000, proposer: key.publicKey });
    app.blocks.forEach((block, i) => {
      expect(block.header.height).toBe(i + 1);
      expect(() =>
        verifyCommit(app.commits[i]!, blockHash(block.header), i + 1, [key.publicKey], CHAIN_ID, verify),
      ).not.toThrow();
    });
    expect(net.sent.filter((m) => m.height === 1).map((m) => (m.kind === 'vote' ? m.type : m.kind))).toEqual([
      'proposal',
      'prevote',
      'precommit',
    ]);
    expect(store.saves).toBeGreaterThanOrEqual(9); // every signature persisted
    await driver.stop();
  });

  it('says which application call it has waited on for 30 s (a commit that never ends), once', async () => {
    const { clock, app, driver, warnings } = await setUp();
    let release = () => {};
    const commitBlock = app.commitBlock.bind(app);
    app.commitBlock = async (block, commit) => {
      if (block.header.height === 2) await new Promise<void>((resolve) => (release = resolve));
      return commitBlock(block, commit);
    };
    await driver.start();
    await clock.advance(APP_CALL_WARN_MS - 1_000);
    expect(app.blocks).toHaveLength(1);
    expect(driver.status().waitingOn).toMatchObject({ call: 'commitBlock' });
    expect(warnings).toEqual([]);
    await clock.advance(2_000);
    expect(warnings).toEqual([
      {
        message: 'consensus is waiting on the application',
        fields: expect.objectContaining({ call: 'commitBlock', height: 2 }) as unknown,
      },
    ]);
    expect((warnings[0]!.fields.forMs as number) >= APP_CALL_WARN_MS).toBe(true);
    await clock.advance(60_000);
    expect(warnings).toHaveLength(1);
    release();
    await clock.advance(10);
    expect(app.blocks.length).toBeGreaterThan(2);
    expect(driver.status().waitingOn?.call).not.toBe('commitBlock');
    await driver.stop();
  });

  it('waits for transactions or the heartbeat before a round-0 proposal [REQ-CONS.5]', async () => {
    const { clock, app, driver } = await setUp({ heartbeatMs: 500 });
    app.waitForTransactions = () => new Promise(() => undefined); // none ever arrive
    await driver.start();
    await clock.advance(499);
    expect(app.builds).toEqual([]);
    await clock.advance(1);
    expect(app.builds.map((b) => b.height)).toEqual([1]);
    await driver.stop();
  });

  it('builds at once when transactions already wait [REQ-CONS.5]', async () => {
    const { clock, app, driver } = await setUp({ heartbeatMs: 10_000 });
    app.waitForTransactions = () => Promise.resolve();
    await driver.start();
    await clock.advance(0);
    expect(app.blocks.length).toBeGreaterThan(0);
    await driver.stop();
  });

  it('keeps the least interval between heights when transactions always wait, and never waits past the heartbeat [REQ-CONS.5]', async () => {
    const { clock, app, driver } = await setUp({ heartbeatMs: 10_000, blockIntervalMinMs: 250 });
    app.waitForTransactions = () => Promise.resolve(); // a transaction always waits
    await driver.start();
    await clock.advance(249);
    expect(app.builds).toEqual([]);
    await clock.advance(1);
    expect(app.builds.map((b) => b.height)).toEqual([1]);
    await clock.advance(1_100);
    // each height starts when the previous one commits: one proposal per 250 ms, not one per instant
    const heights = app.builds.map((b) => b.height);
    expect(heights).toEqual([1, 2, 3, 4, 5]);
    const gaps = app.builds.slice(1).map((b, i) => b.timeMs - app.builds[i]!.timeMs);
    expect(gaps.every((gap) => gap >= 250)).toBe(true);
    await driver.stop();

    // a heartbeat shorter than the interval wins: an idle chain's block is not delayed further
    const short = await setUp({ heartbeatMs: 100, blockIntervalMinMs: 250 });
    short.app.waitForTransactions = () => new Promise(() => undefined);
    await short.driver.start();
    await short.clock.advance(100);
    expect(short.app.builds.map((b) => b.height)).toEqual([1]);
    await short.driver.stop();
  });

  it('a transaction after the least interval is built at once; stop ends the wait [REQ-CONS.5]', async () => {
    const { clock, app, driver } = await setUp({ heartbeatMs: 60_000, blockIntervalMinMs: 250 });
    const waiting: Array<() => void> = [];
    const arrive = () => waiting.splice(0).forEach((resolve) => resolve());
    app.waitForTransactions = () => new Promise<void>((resolve) => void waiting.push(resolve));
    await driver.start();
    await clock.advance(5_000);
    expect(app.builds).toEqual([]);
    // from height 2 on, a transaction always waits: height 2 then waits out the least interval
    app.waitForTransactions = () => Promise.resolve();
    arrive();
    await clock.advance(0);
    expect(app.builds.map((b) => b.height)).toEqual([1]);
    // stopped inside height 2's least interval: stop returns, and nothing is built after
    await clock.advance(100);
    expect(app.builds.map((b) => b.height)).toEqual([1]);
    await driver.stop();
    await clock.advance(1_000);
    expect(app.builds.map((b) => b.height)).toEqual([1]);
  });

  it('refuses a negative or fractional least interval', async () => {
    await expect(setUp({ blockIntervalMinMs: -1 })).rejects.toThrow(/blockIntervalMinMs/);
    await expect(setUp({ blockIntervalMinMs: 0.5 })).rejects.toThrow(/blockIntervalMinMs/);
  });

  it("takes each height's heartbeat from the application (a chain parameter) [REQ-CONS.5]", async () => {
    const { clock, app, driver } = await setUp({ heartbeatMs: 1 });
    app.waitForTransactions = () => new Promise(() => undefined);
    app.heartbeatMsFor = (height) => (height === 1 ? 500 : 60_000);
    await driver.start();
    await clock.advance(500);
    expect(app.builds.map((b) => b.height)).toEqual([1]);
    await clock.advance(59_000);
    expect(app.builds.map((b) => b.height)).toEqual([1]);
    await clock.advance(1_100); // height 2 started just after height 1 committed, at ~501 ms
    expect(app.builds.map((b) => b.height)).toEqual([1, 2]);
    await driver.stop();
  });

  it('after an idle hour, a transaction waits two propose timeouts for a dead proposer, not the heartbeat [REQ-CONS.5]', async () => {
    // Two validators; the other one proposes height 1 and is down. An hour-long heartbeat.
    let seed = 0;
    let dead = generateKeyPair(sha256(utf8(`dead ${seed}`)));
    while (dead.publicKey < key.publicKey) dead = generateKeyPair(sha256(utf8(`dead ${++seed}`)));
    const hourMs = 3_600_000;
    const prevotesAt = async (txAfterMs: number | null) => {
      const { clock, app, net, driver } = await setUp({ heartbeatMs: hourMs, timeouts: { timeoutProposeMs: 3_000 } });
      app.validators = [key.publicKey, dead.publicKey]; // sorted: the dead key proposes (1 + 0) mod 2
      let arrive: () => void = () => undefined;
      const arrived = new Promise<void>((resolve) => (arrive = resolve));
      app.waitForTransactions = () => arrived;
      const startMs = clock.nowMs;
      await driver.start();
      if (txAfterMs !== null) {
        await clock.advance(txAfterMs);
        arrive();
      }
      const nilPrevote = () => net.sent.some((m) => m.kind === 'vote' && m.type === 'prevote' && m.round === 0);
      while (!nilPrevote() && clock.nowMs - startMs < 2 * hourMs) await clock.advance(250);
      await driver.stop();
      return clock.nowMs - startMs;
    };
    // Idle: the round-0 propose timeout is the heartbeat plus the propose timeout.
    expect(await prevotesAt(null)).toBe(hourMs + 3_000);
    // A transaction after 59 minutes: two propose timeouts later the round moves on.
    expect(await prevotesAt(59 * 60_000)).toBe(59 * 60_000 + 6_000);
  });

  it('drops peer messages beyond the queue bound, and counts them', async () => {
    const { net, driver, dropped } = await setUp({ networkInputsMax: 4 });
    await driver.start();
    const stray = generateKeyPair(sha256(utf8('stray')));
    const { signVoteMessage } = await import('../../shared/chain/messages.js');
    for (let i = 0; i < 10; i++) net.deliver(signVoteMessage(stray.secretKey, CHAIN_ID, 'prevote', 50, i, null));
    expect(dropped).toHaveLength(6);
    await driver.stop();
  });

  it('halts loudly when the application cannot commit a decided block', async () => {
    const { clock, app, driver, halts } = await setUp();
    app.failCommit = true;
    await driver.start();
    await clock.advance(10);
    expect(halts.map((e) => e.message)).toEqual(['disk full']);
    expect(driver.status()).toMatchObject({ running: false, height: 1 });
  });

  it('an observer follows without signing', async () => {
    const { clock, app, net, driver } = await setUp({}, true);
    await driver.start();
    await clock.advance(5_000);
    expect(app.builds).toEqual([]);
    expect(net.sent).toEqual([]);
    expect(driver.status()).toMatchObject({ height: 1 });
    await driver.stop();
  });
});
