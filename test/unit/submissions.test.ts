// Submissions and the outbox on virtual time: a real LevelDB chain, mempool, pending log and
// outbox, the real committer and damage watch, on test/sim's VirtualClock. The network's edge
// stands in: whether a quorum is reachable (a switch), and what was published (a list).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ApiEvent } from '../../shared/api/index.js';
import { signVote } from '../../shared/chain/index.js';
import {
  blockHash,
  decodeTransaction,
  txHash,
  txId,
  type Commit,
  type Transaction,
} from '../../shared/ledger/index.js';
import { EventHub } from '../../electron/node/api/events.js';
import { Chain } from '../../electron/node/chain/chain.js';
import { committer, type Committer } from '../../electron/node/chain/committer.js';
import {
  DEV_GENESIS_TIME_MS,
  devCommitBlock,
  devGenesis,
  devKeys,
  devTransfers,
  devValidators,
} from '../../electron/node/dev/demo-registry.js';
import { Listeners } from '../../electron/node/lifecycle/listeners.js';
import { Mempool } from '../../electron/node/mempool/mempool.js';
import { RESEND_MIN_MS } from '../../electron/node/mempool/outbox-sender.js';
import { CAUGHT_UP_CHECK_INTERVAL_MS } from '../../electron/node/mempool/outbox-reconciler.js';
import { Outbox } from '../../electron/node/mempool/outbox.js';
import { PendingLog } from '../../electron/node/mempool/pending-log.js';
import { submissions, type Submissions } from '../../electron/node/mempool/submissions.js';
import type { PublishResult } from '../../electron/node/network/index.js';
import { damageWatch } from '../../electron/node/store/damage-watch.js';
import { VirtualClock } from '../sim/virtual-clock.js';

const OBJECTS = 10;
const PARTIES = 5;
const DAY_MS = 24 * 60 * 60 * 1000;
const genesis = devGenesis({ objects: OBJECTS, parties: PARTIES });
const silent = { fatal: () => undefined, error: () => undefined, warn: () => undefined, info: () => undefined };
const log = { ...silent, debug: () => undefined };

let dir: string;
let clock: VirtualClock;
let chain: Chain;
let mempool: Mempool;
let pendingLog: PendingLog;
let outbox: Outbox;
let commits: Committer;
let sent: Submissions;
let online: boolean;
/** What a status round with peers shows (the node's syncer); by default no peer answers. */
let peerStatus: { outcome: string; targetHeight: number; peersAnswered: number };
let backOnline: Listeners<void>;
let published: Uint8Array[];
let publishAnswer: PublishResult;
let events: ApiEvent[];

/** Moves virtual time on; no part here has a timer running, so nothing else fires. */
function advance(ms: number): void {
  const target = clock.now() + ms;
  clock.setTimer(ms, () => undefined);
  while (clock.now() < target) clock.runNext();
}

/** A block of `txs` at the clock's time, signed by every dev validator, committed through the committer. */
async function commitBlock(txs: Transaction[]): Promise<number> {
  const { block } = await chain.propose(txs, { timeMs: clock.now(), proposer: devKeys.registrar.publicKey });
  const hash = blockHash(block.header);
  const commit: Commit = {
    height: block.header.height,
    round: 0,
    blockHash: hash,
    signatures: devValidators.map((key) =>
      signVote(key.secretKey, chain.chainId, 'precommit', block.header.height, 0, hash),
    ),
  };
  await commits.commit(block, commit);
  return block.header.height;
}

async function transfers(count: number, seed = 1): Promise<Transaction[]> {
  return devTransfers(chain, count, { objects: OBJECTS, parties: PARTIES, seed, nowMs: clock.now() });
}

function buildSubmissions(txsAtStart: PendingLog): Submissions {
  const hub = new EventHub();
  hub.subscribe((event) => events.push(event));
  const damage = damageWatch({ dataDir: dir })({ chain, clock, log });
  commits = committer()({ chain, mempool, damage });
  return submissions()({
    chain,
    mempool,
    pendingLog: txsAtStart,
    outbox,
    committer: commits,
    connectivity: {
      reachability: async () => ({ validators: 2, reachable: online ? 2 : 0, online }),
      onBackOnline: (listener) => backOnline.add(listener),
      onPeerConnected: () => () => undefined,
    },
    sync: { syncing: false, sync: async () => ({ ...peerStatus, height: chain.head.height }) },
    damage,
    publish: async (bytes) => {
      published.push(bytes);
      return publishAnswer;
    },
    events: hub,
    clock,
    log,
  });
}

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'notary-submissions-'));
  clock = new VirtualClock(DEV_GENESIS_TIME_MS + 1_000);
  chain = await Chain.open({ dir: join(dir, 'chain'), genesis });
  mempool = new Mempool(chain, () => clock.now());
  pendingLog = (await PendingLog.open(join(dir, 'pending.log'))).log;
  outbox = await Outbox.open(join(dir, 'outbox'));
  online = true;
  backOnline = new Listeners<void>();
  published = [];
  publishAnswer = { recipients: 1, outcome: 'sent' };
  peerStatus = { outcome: 'caught-up', targetHeight: 0, peersAnswered: 0 };
  events = [];
  sent = buildSubmissions(pendingLog);
});

afterEach(async () => {
  await outbox.close();
  await pendingLog.close();
  await chain.close();
  await rm(dir, { recursive: true, force: true });
});

const txEvents = (hash: string) => events.filter((event) => event.type === 'tx' && event.txHash === hash);

describe('a submission over time', () => {
  it('answers pending, is gossiped once, then final with its height and index once a block commits it; the pending log lets it go', async () => {
    const [tx] = (await transfers(1)) as [Transaction];
    const hash = txHash(tx);
    expect((await sent.submit(tx)).status).toEqual({ state: 'pending' });
    expect(await sent.txStatus(hash)).toEqual({ state: 'pending' });
    expect(pendingLog.has(txId(tx))).toBe(true);
    expect(published).toHaveLength(1);

    advance(1_000);
    const height = await commitBlock([tx]);
    expect(await sent.txStatus(hash)).toEqual({ state: 'final', height, index: 0 });
    expect(pendingLog.has(txId(tx))).toBe(false);
    expect(mempool.size).toBe(0);
    // the UI hears of the block first, then of the transaction's fate
    const blockEvent = events.findIndex((event) => event.type === 'block' && event.height === height);
    expect(blockEvent).toBeGreaterThanOrEqual(0);
    expect(txEvents(hash).map((event) => event.type === 'tx' && event.status)).toEqual([
      { state: 'pending' },
      { state: 'final', height, index: 0 },
    ]);
    expect(events.indexOf(txEvents(hash)[1]!)).toBeGreaterThan(blockEvent);
  });

  it('drops a pending transaction that expires before a block takes it, at the next block: rejected EXPIRED', async () => {
    const [tx] = (await transfers(1)) as [Transaction];
    const hash = txHash(tx);
    await sent.submit(tx);
    advance(DAY_MS + 1);
    await commitBlock([]);
    expect(await sent.txStatus(hash)).toMatchObject({ state: 'rejected', code: 'EXPIRED' });
    expect(mempool.has(txId(tx))).toBe(false);
    expect(pendingLog.has(txId(tx))).toBe(false);
    expect(txEvents(hash).at(-1)).toMatchObject({ status: { state: 'rejected', code: 'EXPIRED' } });
  });
});

describe('the outbox on virtual time', () => {
  it('keeps what was certified offline, sends it only after a block committed since the office came back, and sends it again after 2 s, then 4 s, until a block settles it', async () => {
    online = false;
    const [tx] = (await transfers(1)) as [Transaction];
    const hash = txHash(tx);
    expect((await sent.submit(tx)).status).toEqual({ state: 'outbox' });
    expect(await sent.txStatus(hash)).toEqual({ state: 'outbox' });
    await sent.reconcile();
    expect(published).toHaveLength(0);

    online = true;
    await backOnline.emitInTurn();
    await sent.reconcile();
    expect(published).toHaveLength(0); // no block yet since it came back: its state may be stale

    advance(1_000);
    await commitBlock([]);
    await sent.reconcile();
    expect(published).toHaveLength(1);
    expect(outbox.getByHash(hash)?.state).toBe('submitted');
    expect(await sent.txStatus(hash)).toEqual({ state: 'pending' });
    await sent.reconcile();
    expect(published).toHaveLength(1);

    advance(RESEND_MIN_MS - 1);
    await sent.reconcile();
    expect(published).toHaveLength(1);
    advance(1);
    await sent.reconcile();
    expect(published).toHaveLength(2);
    advance(2 * RESEND_MIN_MS - 1);
    await sent.reconcile();
    expect(published).toHaveLength(2);
    advance(1);
    await sent.reconcile();
    expect(published).toHaveLength(3);

    const height = await commitBlock([tx]);
    expect(outbox.getByHash(hash)).toMatchObject({ state: 'final', height });
    expect(await sent.txStatus(hash)).toEqual({ state: 'final', height, index: 0 });
    advance(10 * RESEND_MIN_MS);
    await sent.reconcile();
    expect(published).toHaveLength(3);
  });

  it('back online on an idle network, sends the outbox once peers show no head above ours, without waiting for a heartbeat block [REQ-OUT.2]', async () => {
    online = false;
    const [tx] = (await transfers(1)) as [Transaction];
    await sent.submit(tx);
    online = true;
    await backOnline.emitInTurn();
    // A peer is ahead and the sync could not reach its head: the state may be stale.
    peerStatus = { outcome: 'no-peers', targetHeight: chain.head.height + 3, peersAnswered: 2 };
    await sent.reconcile();
    expect(published).toHaveLength(0);
    // Peers answer with our head: caught up, sent at the next status round (spaced out).
    peerStatus = { outcome: 'caught-up', targetHeight: chain.head.height, peersAnswered: 2 };
    await sent.reconcile();
    expect(published).toHaveLength(0);
    advance(CAUGHT_UP_CHECK_INTERVAL_MS);
    await sent.reconcile();
    expect(published).toHaveLength(1);
    expect(outbox.getByHash(txHash(tx))?.state).toBe('submitted');
  });

  it('sends again at the next pass, without waiting, what reached no peer', async () => {
    online = false;
    const [tx] = (await transfers(1)) as [Transaction];
    await sent.submit(tx);
    online = true;
    await backOnline.emitInTurn();
    advance(1_000);
    await commitBlock([]);
    publishAnswer = { recipients: 0, outcome: 'no-peers' };
    await sent.reconcile();
    await sent.reconcile();
    expect(published).toHaveLength(2);
  });

  it('ends rejected with EXPIRED an entry that expired while the office was offline, and never sends it', async () => {
    online = false;
    const [tx] = (await transfers(1)) as [Transaction];
    const hash = txHash(tx);
    await sent.submit(tx);
    advance(DAY_MS + 1);
    online = true;
    await backOnline.emitInTurn();
    advance(1_000);
    await commitBlock([]);
    await sent.reconcile();
    expect(published).toHaveLength(0);
    expect(outbox.getByHash(hash)).toMatchObject({ state: 'rejected', code: 'EXPIRED' });
    expect(await sent.txStatus(hash)).toMatchObject({ state: 'rejected', code: 'EXPIRED' });
    expect(txEvents(hash).at(-1)).toMatchObject({ status: { state: 'rejected', code: 'EXPIRED' } });
  });
});

describe('re-admission after a restart', () => {
  it('puts an acknowledged transaction back into the mempool and gossips it once online; one committed meanwhile is settled', async () => {
    const [kept, committed] = (await transfers(2)) as [Transaction, Transaction];
    await pendingLog.append(kept);
    await pendingLog.append(committed);
    await pendingLog.close();
    advance(1_000);
    await devCommitBlock(chain, [committed], clock.now()); // committed by the network while this node was down

    const reopened = await PendingLog.open(join(dir, 'pending.log'));
    pendingLog = reopened.log;
    sent = buildSubmissions(pendingLog);
    online = false;
    await sent.readmit(reopened.txs);
    expect(mempool.has(txId(kept))).toBe(true);
    expect(mempool.has(txId(committed))).toBe(false);
    expect(pendingLog.has(txId(committed))).toBe(false);
    expect(await sent.txStatus(txHash(kept))).toEqual({ state: 'pending' });

    await sent.reconcile();
    expect(published).toHaveLength(0); // peers may never have had it, but none is reachable
    online = true;
    await sent.reconcile();
    await sent.reconcile();
    expect(published.map((bytes) => txHash(decodeTransaction(bytes)))).toEqual([txHash(kept)]);
  });
});
