// The history checker of issue 19 (test/soak/history-checker.ts): honest histories pass, and each
// known violation, written by hand or injected into a few hundred seeded random histories, is
// caught and named with the operations involved.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  checkHistory,
  RULE_COUNTS,
  type CommittedChain,
  type CommittedTx,
  type HistoryCounts,
} from '../soak/history-checker.js';
import {
  History,
  HistoryFullError,
  type Operation,
  type ReadAnswer,
  type ReceiptAnswer,
  type SubmitAnswer,
} from '../soak/history.js';
import type { Transaction } from '../../shared/ledger/index.js';
import { recordedRead, recordedSubmit, recordedTxStatus } from '../soak/history-client.js';
import type { NodeProcess } from '../support/devnet-harness.js';
import { hex, honestHistory, INJECTIONS, key } from '../support/history-fixtures.js';
import { seededRandom } from '../support/prng.js';

const [A, B, C, D] = [key(1), key(2), key(3), key(4)];
const OBJECT = 'obj-1';
const tx = (n: number) => hex('tx', n);
const whole = (owner: string) => [{ key: owner, share: [1, 1] as [number, number] }];

function transfer(n: number, version: number, seller: string, buyer: string): CommittedTx {
  return {
    hash: tx(n),
    type: 'transfer',
    transfer: { objectId: OBJECT, objectVersion: version, sellers: whole(seller), buyers: whole(buyer) },
  };
}

/** obj-1 owned by A at version 1; one block per list of transactions. */
function chain(...blocks: CommittedTx[][]): CommittedChain {
  return {
    objects: [{ id: OBJECT, version: 1, owners: whole(A) }],
    blocks: blocks.map((txs, i) => ({ height: i + 1, txs })),
  };
}

/** Operations with ids in order; each at [id * 10, id * 10 + 5] ms unless told. */
let nextId = 1;
const at = (id: number, timing?: { invokedMs: number; completedMs: number }) =>
  timing ?? { invokedMs: id * 10, completedMs: id * 10 + 5 };
function submit(n: number, answer: SubmitAnswer, client = 'client-0', node = 'node-0'): Operation {
  const id = nextId++;
  return { id, kind: 'submit', client, node, ...at(id), input: { txHash: tx(n) }, answer };
}
function receipt(n: number, answer: ReceiptAnswer, client = 'client-0', node = 'node-0'): Operation {
  const id = nextId++;
  return { id, kind: 'receipt', client, node, ...at(id), input: { txHash: tx(n) }, answer };
}
function read(
  version: number,
  owner: string,
  asOfHeight: number,
  options: {
    client?: string;
    node?: string;
    behind?: boolean;
    /** What the answer and the statuses said of being in sync (decision #69); absent: not said. */
    inSync?: boolean;
    timing?: { invokedMs: number; completedMs: number };
  } = {},
): Operation {
  const id = nextId++;
  const said = options.inSync === undefined ? {} : { inSync: options.inSync };
  const report = { height: asOfHeight, online: true, syncing: options.behind ?? false, ...said };
  const answer: ReadAnswer = {
    kind: 'record',
    version,
    owners: whole(owner),
    asOfHeight,
    ...said,
    before: report,
    after: report,
  };
  return {
    id,
    kind: 'read',
    client: options.client ?? 'client-0',
    node: options.node ?? 'node-0',
    ...at(id, options.timing),
    input: { objectId: OBJECT },
    answer,
  };
}
const ops = (build: () => Operation[]) => {
  nextId = 1;
  return build();
};
const pending: SubmitAnswer = { kind: 'pending', via: 'mempool' };
/** A sold to B (block 1), B sold to C (block 2). */
const twoSales = chain([transfer(1, 1, A, B)], [transfer(2, 2, B, C)]);

describe('the history checker passes honest histories', () => {
  it('passes acknowledged transfers, committed once each, read in order and queried final where they are', () => {
    const history = ops(() => [
      submit(1, pending),
      read(2, B, 1, { node: 'node-1' }),
      submit(2, pending, 'client-1', 'node-2'),
      receipt(2, { kind: 'final', height: 2, index: 0 }),
      read(3, C, 2, { node: 'node-3' }),
    ]);
    const verdict = checkHistory(history, twoSales);
    expect(verdict.firstViolation).toBeUndefined();
    expect(verdict).toMatchObject({ ok: true, violationsTotal: 0 });
    expect(verdict.counts).toMatchObject<Partial<HistoryCounts>>({
      acknowledged: 2,
      committed: 2,
      lost: 0,
      doubled: 0,
      staleReads: 0,
      nonMonotonicReads: 0,
      reads: 2,
      readsInSync: 2,
      receipts: 1,
    });
  });

  it('passes submissions left unanswered by a crash, committed or not, and refused ones never committed', () => {
    const history = ops(() => [
      submit(1, { kind: 'unknown', reason: 'crash' }),
      submit(3, { kind: 'unknown', reason: 'unreachable' }),
      submit(4, { kind: 'rejected', code: 'STALE_VERSION', status: 409 }),
      submit(2, pending),
      submit(2, { kind: 'rejected', code: 'ALREADY_PENDING', status: 409 }, 'client-0', 'node-1'),
    ]);
    const verdict = checkHistory(history, twoSales);
    expect(verdict.ok).toBe(true);
    expect(verdict.counts).toMatchObject<Partial<HistoryCounts>>({
      transactions: 4,
      acknowledged: 1,
      committed: 2,
      committedUnacknowledged: 1,
      unknownAnswers: 2,
      rejectedAnswers: 2,
    });
  });

  it('passes an old version read after finality from a node that reports itself behind', () => {
    const history = ops(() => [
      submit(1, pending),
      submit(2, pending),
      read(3, C, 2, { node: 'node-0' }),
      read(2, B, 1, { node: 'node-1', behind: true }),
      read(1, A, 0, { node: 'node-2', behind: true }),
    ]);
    const verdict = checkHistory(history, twoSales);
    expect(verdict.ok).toBe(true);
    expect(verdict.counts).toMatchObject({ readsBehind: 2, staleReads: 0, nonMonotonicReads: 0 });
  });

  it('passes an old version from a read concurrent with the one that saw the new version (real-time order only)', () => {
    const history = ops(() => [
      submit(1, pending),
      submit(2, pending),
      read(3, C, 2, { node: 'node-0', timing: { invokedMs: 100, completedMs: 200 } }),
      read(2, B, 1, { node: 'node-1', timing: { invokedMs: 150, completedMs: 250 } }),
    ]);
    expect(checkHistory(history, twoSales).ok).toBe(true);
  });
});

describe('the history checker names the first violation with the operations involved', () => {
  it('names a lost write: acknowledged, never committed', () => {
    const history = ops(() => [submit(1, pending), submit(2, pending)]);
    const verdict = checkHistory(history, chain([transfer(1, 1, A, B)]));
    expect(verdict.ok).toBe(false);
    expect(verdict.counts.lost).toBe(1);
    expect(verdict.firstViolation?.rule).toBe('lost-write');
    expect(verdict.firstViolation?.sentence).toMatch(
      /^transaction 74780000… was acknowledged \(op 2 \(submission of 74780000… on node-0 by client-0, answered pending\)\) but the chain to height 1 does not hold it$/,
    );
    expect(verdict.firstViolation?.operations.map((op) => op.id)).toEqual([2]);
  });

  it('names a doubled commit', () => {
    const history = ops(() => [submit(1, pending)]);
    const verdict = checkHistory(history, chain([transfer(1, 1, A, B)], [transfer(1, 1, A, B)]));
    expect(verdict.counts.doubled).toBe(1);
    expect(verdict.firstViolation).toMatchObject({ rule: 'doubled-commit' });
    expect(verdict.firstViolation?.sentence).toMatch(/committed 2 times, at 1\/0 and 2\/0/);
  });

  it('names a committed transaction that no client submitted', () => {
    const history = ops(() => [submit(1, pending)]);
    const verdict = checkHistory(history, twoSales);
    expect(verdict.counts.neverSubmitted).toBe(1);
    expect(verdict.firstViolation?.rule).toBe('never-submitted');
    expect(verdict.firstViolation?.sentence).toMatch(/committed at 2\/0 but no client ever submitted it/);
  });

  it("names an answer 'final' that does not match where the chain has the transaction", () => {
    const history = ops(() => [
      submit(1, pending),
      receipt(1, { kind: 'final', height: 2, index: 0 }, 'client-1', 'node-3'),
    ]);
    const verdict = checkHistory(history, chain([transfer(1, 1, A, B)], []));
    expect(verdict.firstViolation?.rule).toBe('false-finality');
    expect(verdict.firstViolation?.sentence).toMatch(
      /^op 2 \(status query .* on node-3 by client-1, answered final\) said .* final at 2\/0, but the chain has it at 1\/0/,
    );
  });

  it("names a gap in an object's version chain", () => {
    const history = ops(() => [submit(1, pending), submit(2, pending)]);
    const verdict = checkHistory(history, chain([transfer(1, 1, A, B)], [transfer(2, 3, B, C)]));
    expect(verdict.counts.versionGaps).toBe(1);
    expect(verdict.firstViolation?.rule).toBe('version-gap');
    expect(verdict.firstViolation?.sentence).toMatch(
      /names version 3 of object obj-1, but the chain has it at version 2: versions 2 to 2 are missing/,
    );
    expect(verdict.firstViolation?.operations.map((op) => op.id)).toEqual([2]);
  });

  it('names a double sale: two transfers naming the same version', () => {
    const history = ops(() => [submit(1, pending), submit(2, pending, 'client-1', 'node-1')]);
    const verdict = checkHistory(history, chain([transfer(1, 1, A, B)], [transfer(2, 1, A, D)]));
    expect(verdict.counts.doubleSales).toBe(1);
    expect(verdict.firstViolation?.rule).toBe('double-sale');
    expect(verdict.firstViolation?.sentence).toMatch(/at 1\/0 and .* at 2\/0 both name version 1 of object obj-1/);
    expect(verdict.firstViolation?.operations.map((op) => op.id)).toEqual([1, 2]);
  });

  it('names a seller who did not own what they sold at the version named (a lost update)', () => {
    const history = ops(() => [submit(1, pending), submit(2, pending)]);
    const verdict = checkHistory(history, chain([transfer(1, 1, A, B)], [transfer(2, 2, A, D)]));
    expect(verdict.counts.sellersNotOwners).toBe(1);
    expect(verdict.firstViolation?.rule).toBe('seller-not-owner');
    expect(verdict.firstViolation?.sentence).toMatch(
      /sells 1\/1 of object obj-1 from 6b657900…, who owned 0\/1 at version 2 .*an update was lost/,
    );
  });

  it('names a read whose record is not what the chain holds at the height it is proved at', () => {
    const history = ops(() => [submit(1, pending), submit(2, pending), read(3, C, 1, { node: 'node-2' })]);
    const verdict = checkHistory(history, twoSales);
    expect(verdict.firstViolation?.rule).toBe('read-not-committed');
    expect(verdict.firstViolation?.sentence).toMatch(
      /^op 3 \(read of obj-1 on node-2 by client-0\) answered version 3 .* as of height 1, but at height 1 the chain has version 2/,
    );
  });

  it('passes an old version from a node that is online and not syncing but says it is not in sync', () => {
    const history = ops(() => [
      submit(1, pending),
      submit(2, pending),
      read(3, C, 2, { node: 'node-0', inSync: true }),
      read(2, B, 1, { node: 'node-1', inSync: false }),
    ]);
    const verdict = checkHistory(history, twoSales);
    expect(verdict.ok).toBe(true);
    expect(verdict.counts).toMatchObject({ readsBehind: 1, staleReads: 0 });
  });

  it('names a stale read from a node whose answer says it is in sync', () => {
    const history = ops(() => [
      submit(1, pending),
      submit(2, pending),
      read(3, C, 2, { node: 'node-0', inSync: true }),
      read(2, B, 1, { node: 'node-1', client: 'client-1', inSync: true }),
    ]);
    const verdict = checkHistory(history, twoSales);
    expect(verdict.counts).toMatchObject({ staleReads: 1 });
    expect(verdict.firstViolation?.rule).toBe('stale-read');
  });

  it('names a stale read after finality from a node that reports itself in sync', () => {
    const history = ops(() => [
      submit(1, pending),
      submit(2, pending),
      read(3, C, 2, { node: 'node-0', client: 'client-0' }),
      read(2, B, 1, { node: 'node-1', client: 'client-1' }),
    ]);
    const verdict = checkHistory(history, twoSales);
    expect(verdict.counts).toMatchObject({ staleReads: 1, nonMonotonicReads: 0 });
    expect(verdict.firstViolation?.rule).toBe('stale-read');
    expect(verdict.firstViolation?.sentence).toBe(
      'op 4 (read of obj-1 on node-1 by client-1) returned version 2 as of height 1, reporting itself in sync (height 1 before, 1 after), though op 3 (read of obj-1 on node-0 by client-0) had already seen version 3 final before the read started',
    );
    expect(verdict.firstViolation?.operations.map((op) => op.id)).toEqual([3, 4]);
  });

  it('names a stale read after a status query answered final', () => {
    const history = ops(() => [
      submit(1, pending),
      submit(2, pending),
      receipt(2, { kind: 'final', height: 2, index: 0 }, 'client-0', 'node-0'),
      read(2, B, 1, { node: 'node-1', client: 'client-1' }),
    ]);
    const verdict = checkHistory(history, twoSales);
    expect(verdict.firstViolation?.rule).toBe('stale-read');
    expect(verdict.firstViolation?.operations.map((op) => op.id)).toEqual([3, 4]);
  });

  it('names a non-monotonic read on one node, even from a node that says it is behind', () => {
    const history = ops(() => [
      submit(1, pending),
      submit(2, pending),
      read(3, C, 2, { node: 'node-1', client: 'client-0' }),
      read(2, B, 1, { node: 'node-1', client: 'client-1', behind: true }),
    ]);
    const verdict = checkHistory(history, twoSales);
    expect(verdict.counts).toMatchObject({ staleReads: 0, nonMonotonicReads: 1 });
    expect(verdict.firstViolation?.rule).toBe('non-monotonic-read');
    expect(verdict.firstViolation?.sentence).toMatch(
      /^op 4 .* returned version 2 after op 3 .* on the same node had returned version 3: the node went back$/,
    );
  });

  it('names a non-monotonic read by one client from a node that reports itself in sync', () => {
    const history = ops(() => [
      submit(1, pending),
      submit(2, pending),
      read(3, C, 2, { node: 'node-0', client: 'client-0' }),
      read(2, B, 1, { node: 'node-1', client: 'client-0' }),
    ]);
    const verdict = checkHistory(history, twoSales);
    expect(verdict.counts).toMatchObject({ staleReads: 1, nonMonotonicReads: 1 });
    expect(verdict.firstViolation?.rule).toBe('non-monotonic-read');
    expect(verdict.firstViolation?.sentence).toMatch(
      /^op 4 .* from a node reporting itself in sync, after op 3 .* by the same client had returned version 3$/,
    );
  });

  it('refuses a malformed chain (a missing block) rather than judge the run by it', () => {
    expect(() => checkHistory([], { objects: [], blocks: [{ height: 2, txs: [] }] })).toThrow(/block 2 follows 0/);
  });
});

describe('the history checker over seeded random histories', () => {
  const SEEDS = 300;

  it(`passes ${SEEDS} honest histories and catches every injected violation in each`, () => {
    const injected = new Map<string, number>(INJECTIONS.map((injection) => [injection.name, 0]));
    for (let seed = 1; seed <= SEEDS; seed++) {
      const random = seededRandom(seed);
      const honest = honestHistory(random);
      const verdict = checkHistory(honest.operations, honest.committed);
      expect(verdict.firstViolation, `seed ${seed}`).toBeUndefined();
      for (const injection of INJECTIONS) {
        const mutated = injection.inject(honest, random);
        if (!mutated) continue;
        injected.set(injection.name, injected.get(injection.name)! + 1);
        const caught = checkHistory(mutated.operations, mutated.committed);
        expect(caught.ok, `seed ${seed}: ${injection.name}`).toBe(false);
        expect(
          caught.counts[RULE_COUNTS[injection.rule]],
          `seed ${seed}: ${injection.name} named as ${injection.rule}, got ${caught.firstViolation?.sentence}`,
        ).toBeGreaterThan(0);
      }
    }
    // every kind of injection was applied to most histories, not skipped for want of a candidate
    for (const [name, count] of injected) expect(count, name).toBeGreaterThan(SEEDS * 0.8);
  });

  it('is deterministic: one history, one verdict, one sentence', () => {
    const honest = honestHistory(seededRandom(7));
    const mutated = INJECTIONS[0]!.inject(honest, seededRandom(7))!;
    expect(checkHistory(mutated.operations, mutated.committed)).toEqual(
      checkHistory(mutated.operations, mutated.committed),
    );
  });
});

describe('the history recorder', () => {
  it('records invocation and completion times in invocation order and writes JSONL', async () => {
    let clock = 0;
    const history = new History({ now: () => (clock += 5) });
    const first = history.invoke('read', 'reader-0', 'node-1', { objectId: OBJECT });
    const second = history.invoke('submit', 'load', 'node-0', { txHash: tx(1) });
    history.complete(second, pending);
    history.complete(first, { kind: 'error', message: 'timeout' });
    expect(history.operations.map((op) => [op.id, op.invokedMs, op.completedMs])).toEqual([
      [2, 10, 15],
      [1, 5, 20],
    ]);
    expect(history.openCount).toBe(0);
    expect(() => history.complete(first, { kind: 'error', message: 'again' })).toThrow(/completed twice/);
    const dir = await mkdtemp(join(tmpdir(), 'history-'));
    try {
      await history.writeJsonl(join(dir, 'history.jsonl'));
      const lines = (await readFile(join(dir, 'history.jsonl'), 'utf8')).trimEnd().split('\n');
      expect(lines.map((line) => (JSON.parse(line) as Operation).id)).toEqual([1, 2]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('refuses an operation past its cap with a sentence saying what to do', () => {
    const history = new History({ operationsMax: 2 });
    history.complete(history.invoke('receipt', 'c', 'n', { txHash: tx(1) }), { kind: 'unknown' });
    history.invoke('receipt', 'c', 'n', { txHash: tx(2) });
    expect(() => history.invoke('receipt', 'c', 'n', { txHash: tx(3) })).toThrow(HistoryFullError);
    expect(() => history.invoke('receipt', 'c', 'n', { txHash: tx(3) })).toThrow(/maximum of 2 operations/);
  });
});

describe("the soak's recorded calls", () => {
  /** A stand-in node: one HTTP server answering the routes the soak's clients call. */
  async function standIn(routes: Record<string, { status: number; body: unknown }>) {
    const server = createServer((request, response) => {
      const route = routes[`${request.method} ${request.url}`] ?? {
        status: 404,
        body: { error: { code: 'NOT_FOUND' } },
      };
      request.resume();
      request.on('end', () => {
        response.writeHead(route.status, { 'content-type': 'application/json' });
        response.end(JSON.stringify(route.body));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const node = {
      info: { name: 'node-7' },
      url: `http://127.0.0.1:${port}/api/v1`,
      token: 't',
    } as unknown as NodeProcess;
    return { node, close: () => new Promise((resolve) => server.close(resolve)) };
  }

  it('records a submission, a status query and a read with the status around it, as the checker takes them', async () => {
    const status = { height: 5, online: true, syncing: false };
    const { node, close } = await standIn({
      'POST /api/v1/txs': { status: 202, body: { txHash: tx(1), txId: tx(1), status: { state: 'outbox' } } },
      [`GET /api/v1/txs/${tx(1)}`]: { status: 200, body: { state: 'final', height: 3, index: 1 } },
      [`GET /api/v1/txs/${tx(2)}`]: { status: 409, body: {} },
      'GET /api/v1/status': { status: 200, body: status },
      [`GET /api/v1/properties/${OBJECT}`]: {
        status: 200,
        body: { property: { version: 2, owners: whole(B) }, certificate: { header: { height: 5 } } },
      },
    });
    try {
      const history = new History();
      const sale = { type: 'transfer', payload: { contract: { objectId: OBJECT, objectVersion: 1 } } } as Transaction;
      const response = await recordedSubmit(history, 'load', node, sale, tx(1));
      expect(response?.status).toBe(202);
      expect(await recordedTxStatus(history, 'settle', node, tx(1))).toBe('final');
      expect(await recordedTxStatus(history, 'settle', node, tx(2))).toBe('unreachable');
      await recordedRead(history, 'reader-0', node, OBJECT);
      await recordedRead(history, 'reader-0', node, 'obj-2');
      expect(
        history.operations.map(({ id, kind, client, node: name, input, answer }) => ({
          id,
          kind,
          client,
          name,
          input,
          answer,
        })),
      ).toEqual([
        {
          id: 1,
          kind: 'submit',
          client: 'load',
          name: 'node-7',
          input: { txHash: tx(1), objectId: OBJECT, objectVersion: 1 },
          answer: { kind: 'pending', via: 'outbox' },
        },
        {
          id: 2,
          kind: 'receipt',
          client: 'settle',
          name: 'node-7',
          input: { txHash: tx(1) },
          answer: { kind: 'final', height: 3, index: 1 },
        },
        {
          id: 3,
          kind: 'receipt',
          client: 'settle',
          name: 'node-7',
          input: { txHash: tx(2) },
          answer: { kind: 'error', message: 'HTTP 409' },
        },
        {
          id: 4,
          kind: 'read',
          client: 'reader-0',
          name: 'node-7',
          input: { objectId: OBJECT },
          answer: { kind: 'record', version: 2, owners: whole(B), asOfHeight: 5, before: status, after: status },
        },
        {
          id: 5,
          kind: 'read',
          client: 'reader-0',
          name: 'node-7',
          input: { objectId: 'obj-2' },
          answer: { kind: 'error', message: 'HTTP 404' },
        },
      ]);
      for (const op of history.operations) expect(op.completedMs).toBeGreaterThanOrEqual(op.invokedMs);
    } finally {
      await close();
    }
  });

  it('records a submission no node answered as unknown, and a refusal with its code', async () => {
    const { node, close } = await standIn({
      'POST /api/v1/txs': { status: 409, body: { error: { code: 'ALREADY_PENDING' } } },
    });
    const history = new History();
    const sale = { type: 'transfer', payload: { contract: { objectId: OBJECT, objectVersion: 1 } } } as Transaction;
    try {
      await recordedSubmit(history, 'load', node, sale, tx(1));
    } finally {
      await close();
    }
    await recordedSubmit(history, 'load', node, sale, tx(1));
    expect(history.operations.map((op) => op.answer)).toEqual([
      { kind: 'rejected', code: 'ALREADY_PENDING', status: 409 },
      { kind: 'unknown', reason: 'unreachable' },
    ]);
  });
});
