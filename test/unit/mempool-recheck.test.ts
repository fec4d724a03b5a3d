// The mempool re-checks transactions that only time can make invalid: an election's window
// closes while no block touches the ballot's keys. Without the stale re-check such a ballot sat
// "pending" until it expired (an hour), and every proposer kept making empty blocks for it.
// The checker here is the ledger's seam, scripted by time so the policy itself is what is tested.
import { describe, expect, it } from 'vitest';
import { txHash, txId, type Block, type Transaction, type TxOutcome } from '../../shared/ledger/index.js';
import { ElectionKey } from '../../shared/modules/election/types.js';
import {
  Mempool,
  RECHECK_SCREENED_AFTER_MS,
  RECHECK_SCREENED_PER_BLOCK,
  RECHECK_STALE_AFTER_MS,
  RECHECK_STALE_PER_BLOCK,
  type TransactionChecker,
} from '../../electron/node/mempool/mempool.js';

const CLOSES_AT_MS = 1_000_000;

function ballot(n: number): Transaction {
  return {
    type: 'election.cast',
    chainId: 'test',
    nonce: n,
    expiresAtMs: CLOSES_AT_MS * 10,
    payload: { election: 'e', credential: `c${n}` },
    signatures: [],
  } as unknown as Transaction;
}

/** Rejects a ballot at or after the window's close, as the election rule does; counts its calls. */
function windowChecker(): TransactionChecker & { calls: number } {
  const checker = {
    calls: 0,
    async checkTransaction(tx: Transaction, timeMs: number): Promise<TxOutcome> {
      checker.calls++;
      return timeMs >= CLOSES_AT_MS
        ? { txHash: txId(tx), ok: false, code: 'ELECTION_STEP_CLOSED', sentence: 'voting closed' }
        : { txHash: txId(tx), ok: true };
    },
  };
  return checker as TransactionChecker & { calls: number };
}

const emptyBlock = (timeMs: number) => ({ header: { timeMs }, txs: [] }) as unknown as Block;

describe('mempool: transactions that time alone makes invalid', () => {
  it('drops a ballot once the block time passes its window, with the ledger reason, though no key was written', async () => {
    let now = CLOSES_AT_MS - 5_000;
    const mempool = new Mempool(windowChecker(), () => now);
    await mempool.add(ballot(1));
    now = CLOSES_AT_MS + RECHECK_STALE_AFTER_MS;
    const dropped = await mempool.afterCommit(emptyBlock(CLOSES_AT_MS + 1), new Set());
    expect(dropped).toEqual([expect.objectContaining({ txId: txId(ballot(1)), code: 'ELECTION_STEP_CLOSED' })]);
    expect(mempool.size).toBe(0);
  });

  it('keeps it while the agreed block time is still inside the window, even if this clock has passed it', async () => {
    let now = CLOSES_AT_MS - 5_000;
    const mempool = new Mempool(windowChecker(), () => now);
    await mempool.add(ballot(1));
    now = CLOSES_AT_MS + RECHECK_STALE_AFTER_MS; // this office's clock runs ahead of the chain
    expect(await mempool.afterCommit(emptyBlock(CLOSES_AT_MS - 1), new Set())).toEqual([]);
    expect(mempool.size).toBe(1);
  });

  it('does not re-check what was checked recently, and re-checks at most a bounded number per block, oldest first', async () => {
    let now = CLOSES_AT_MS - 5_000;
    const checker = windowChecker();
    const mempool = new Mempool(checker, () => now);
    const count = RECHECK_STALE_PER_BLOCK * 2 + 3;
    for (let n = 0; n < count; n++) await mempool.add(ballot(n));
    checker.calls = 0;
    now += RECHECK_STALE_AFTER_MS - 1;
    expect(await mempool.afterCommit(emptyBlock(now - 1), new Set())).toEqual([]);
    expect(checker.calls).toBe(0);

    now = CLOSES_AT_MS + RECHECK_STALE_AFTER_MS;
    const first = await mempool.afterCommit(emptyBlock(CLOSES_AT_MS + 1), new Set());
    expect(first.map((d) => d.txId)).toEqual(
      Array.from({ length: RECHECK_STALE_PER_BLOCK }, (_, n) => txId(ballot(n))),
    );
    const rest: string[] = [];
    for (let k = 0; k < 3; k++)
      rest.push(...(await mempool.afterCommit(emptyBlock(CLOSES_AT_MS + 2 + k), new Set())).map((d) => d.txId));
    expect(rest).toEqual(
      Array.from({ length: count - RECHECK_STALE_PER_BLOCK }, (_, n) => txId(ballot(n + RECHECK_STALE_PER_BLOCK))),
    );
    expect(mempool.size).toBe(0);
  });
});

describe('mempool: what a block of ballots re-checks', () => {
  const ballotOf = (n: number) =>
    ({
      type: 'election.cast',
      chainId: 'test',
      nonce: n,
      expiresAtMs: CLOSES_AT_MS * 10,
      payload: { election: 'e', ballot: new Uint8Array([n]) },
      signatures: [{ key: `${n}`.padStart(64, '0'), signature: '' }],
    }) as unknown as Transaction;

  it('does not re-check waiting ballots for the totals other ballots add to, only for what can refuse them', async () => {
    const checker = windowChecker();
    const now = CLOSES_AT_MS - 60_000;
    const mempool = new Mempool(checker, () => now);
    for (let n = 1; n <= 50; n++) await mempool.add(ballotOf(n));
    const admitted = checker.calls;
    // a block of other voters' ballots writes the totals and those voters' credentials
    const othersWrote = new Set([ElectionKey.tally('e'), ElectionKey.credential('9'.repeat(64))]);
    await mempool.afterCommit(emptyBlock(now), othersWrote, []);
    expect(checker.calls - admitted).toBe(0);
    // a block with this voter's earlier ballot wrote its credential: that ballot is checked again
    await mempool.afterCommit(emptyBlock(now), new Set([ElectionKey.credential('7'.padStart(64, '0'))]), []);
    expect(checker.calls - admitted).toBe(1);
    // the phase or key changed (a close): every ballot of the election is checked again
    await mempool.afterCommit(emptyBlock(now), new Set([ElectionKey.status('e')]), []);
    expect(checker.calls - admitted).toBe(51);
    expect(mempool.size).toBe(50);
  });
});

// Decision #84: a gossiped transaction is only screened; the rules run when this node builds a
// block with it, or once it outlives a block made after it came. The screen here passes
// everything and the rules refuse every even nonce, so what the policy drops is plain.
describe('mempool: what gossip admitted on the screen alone', () => {
  const refusesEven = () => {
    const checker = {
      /** The transactions the rules ran on (a refusal is asked twice: at the block's time and the clock's). */
      checked: new Set<string>(),
      screened: 0,
      get calls() {
        return checker.checked.size;
      },
      async checkTransaction(tx: Transaction): Promise<TxOutcome> {
        checker.checked.add(txId(tx));
        return tx.nonce % 2 === 0
          ? { txHash: txHash(tx), ok: false, code: 'NOT_OWNER', sentence: 'not the owner' }
          : { txHash: txHash(tx), ok: true };
      },
      async screenTransactions(txs: readonly Transaction[]) {
        checker.screened += txs.length;
        return txs.map((tx) => ({ txHash: txHash(tx), ok: true as const, screened: true }));
      },
    };
    return checker;
  };
  const START_MS = 5_000_000;

  it('runs no rules on admission, and drops what a block build refuses without reporting it', async () => {
    const checker = refusesEven();
    const mempool = new Mempool(checker, () => START_MS);
    const txs = [1, 2, 3, 4].map((n) => ballot(n));
    const answers = await mempool.addMany(txs, undefined, { screen: true });
    expect(answers.every((answer) => answer.ok)).toBe(true);
    expect([checker.screened, checker.calls]).toEqual([4, 0]);
    // what Chain.propose answers for the build: the rules refuse the even ones
    const outcomes = await Promise.all(txs.map((tx) => checker.checkTransaction(tx)));
    checker.checked.clear();
    expect(mempool.dropRefused(outcomes)).toBe(2);
    expect(mempool.take(10, 1 << 20)).toEqual([txs[0], txs[2]]);
    // another node's client hears from that node; the block was made as they came, so the rest
    // wait without the rules
    expect(await mempool.afterCommit(emptyBlock(START_MS), new Set(), [])).toEqual([]);
    expect(checker.calls).toBe(0);
  });

  it('gives the rules to those a block made after them outlived, a bounded number a block, oldest first', async () => {
    const checker = refusesEven();
    const mempool = new Mempool(checker, () => START_MS);
    const count = RECHECK_SCREENED_PER_BLOCK + 10;
    await mempool.addMany(
      Array.from({ length: count }, (_, n) => ballot(n)),
      undefined,
      { screen: true },
    );
    // a block made before they came, or too soon after for gossip and clocks: no rules yet
    expect(await mempool.afterCommit(emptyBlock(START_MS + RECHECK_SCREENED_AFTER_MS - 1), new Set(), [])).toEqual([]);
    expect(checker.calls).toBe(0);
    const first = await mempool.afterCommit(emptyBlock(START_MS + RECHECK_SCREENED_AFTER_MS), new Set(), []);
    expect(checker.calls).toBe(RECHECK_SCREENED_PER_BLOCK);
    expect(first.map((d) => d.txId)).toEqual(
      Array.from({ length: RECHECK_SCREENED_PER_BLOCK / 2 }, (_, k) => txId(ballot(2 * k))),
    );
    await mempool.afterCommit(emptyBlock(START_MS + RECHECK_SCREENED_AFTER_MS + 1), new Set(), []);
    expect(checker.calls).toBe(count);
    // what the rules passed is checked, not screened, now: no more rules for it
    await mempool.afterCommit(emptyBlock(START_MS + RECHECK_SCREENED_AFTER_MS + 2), new Set(), []);
    expect(checker.calls).toBe(count);
    expect(mempool.size).toBe(count / 2);
  });

  it('keeps the full check for what is not gossiped, and leaves what passed it to the commit', async () => {
    const checker = refusesEven();
    const mempool = new Mempool(checker, () => START_MS);
    await expect(mempool.add(ballot(2))).rejects.toMatchObject({ code: 'NOT_OWNER' });
    expect([checker.screened, checker.calls]).toEqual([0, 1]);
    // checked on admission, refused by a build (a second sale after the first, in one block):
    // it stays until a commit settles it, since another proposer may commit it instead
    await mempool.add(ballot(3));
    expect(mempool.dropRefused([{ txHash: txHash(ballot(3)), ok: false, code: 'STALE_VERSION', sentence: '' }])).toBe(
      0,
    );
    expect(mempool.size).toBe(1);
  });
});
