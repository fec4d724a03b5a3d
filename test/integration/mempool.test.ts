// The mempool, the txs topic's validator (decision #60) and the offline outbox against a real
// chain on LevelDB.
import { ClassicLevel } from 'classic-level';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  encodeTransaction,
  signTransaction,
  txId,
  type PropertyObject,
  type Transaction,
} from '../../shared/ledger/index.js';
import { Chain } from '../../electron/node/chain/chain.js';
import { devCommitBlock, devGenesis, devKeys, devParty, devTransfer } from '../../electron/node/dev/demo-registry.js';
import { Mempool, MempoolError } from '../../electron/node/mempool/mempool.js';
import { Outbox, OutboxError } from '../../electron/node/mempool/outbox.js';
import { chainValidators } from '../../electron/node/network/gossip/chain-validators.js';
import { encodeTxBatch } from '../../electron/node/network/gossip/tx-batch.js';
import { toGossipAction } from '../../electron/node/network/gossip/validation.js';

const genesis = devGenesis({ objects: 20, parties: 5 });
const parties = Array.from({ length: 5 }, (_, i) => devParty(i));
const nowMs = genesis.genesisTimeMs + 1_000;
let dir: string;
let chain: Chain;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'notary-mempool-'));
  chain = await Chain.open({ dir: join(dir, 'chain'), genesis });
});
afterEach(async () => {
  await chain.close();
  await rm(dir, { recursive: true, force: true });
});

async function sale(objectIndex: number, buyer: number, nonce = objectIndex): Promise<Transaction> {
  const object = (await chain.getRecord(`obj/BY-DEV-${String(objectIndex).padStart(6, '0')}`)) as PropertyObject;
  return devTransfer(object, parties[buyer]!, parties, { chainId: genesis.chainId, nowMs, nonce });
}

/** A sale whose first signature has its last byte changed: no state can make it valid. */
async function forgedSale(objectIndex: number, buyer: number): Promise<Transaction> {
  const forged = await sale(objectIndex, buyer);
  const signature = forged.signatures[0]!;
  const last = signature.signature.endsWith('00') ? '01' : '00';
  return {
    ...forged,
    signatures: [
      { ...signature, signature: `${signature.signature.slice(0, -2)}${last}` },
      ...forged.signatures.slice(1),
    ],
  } as Transaction;
}

describe('mempool', () => {
  it('admits a valid transfer and refuses an invalid one with the ledger code', async () => {
    const mempool = new Mempool(chain, () => nowMs);
    await mempool.add(await sale(0, 1));
    const bad = await sale(1, 2);
    const underpaid = signTransaction(
      { ...bad, payload: { ...bad.payload, duty: { reference: 'x', amountMinor: 1 } } } as Transaction,
      devKeys.notary.secretKey,
    );
    await expect(mempool.add(underpaid)).rejects.toMatchObject({ code: 'DUTY_TOO_LOW' });
    expect(mempool.size).toBe(1);
  });

  it('refuses the same transaction twice, even re-signed', async () => {
    const mempool = new Mempool(chain, () => nowMs);
    const tx = await sale(0, 1);
    await mempool.add(tx);
    await expect(
      mempool.add(signTransaction({ ...tx, signatures: [] }, devKeys.notary.secretKey)),
    ).rejects.toMatchObject({ code: 'ALREADY_PENDING' });
  });

  it('refuses newcomers when full instead of evicting', async () => {
    const mempool = new Mempool(chain, () => nowMs, { txsMax: 2 });
    await mempool.add(await sale(0, 1));
    await mempool.add(await sale(1, 2));
    await expect(mempool.add(await sale(2, 3))).rejects.toBeInstanceOf(MempoolError);
    expect(mempool.take(10, 1 << 20)).toHaveLength(2);
    expect(mempool.take(1, 1 << 20)).toHaveLength(1);
  });

  it('admits a batch with one state read, answering each transaction as add() would', async () => {
    const mempool = new Mempool(chain, () => nowMs);
    const valid = await sale(5, 1);
    const bad = await sale(6, 2);
    const underpaid = signTransaction(
      { ...bad, payload: { ...bad.payload, duty: { reference: 'x', amountMinor: 1 } } } as Transaction,
      devKeys.notary.secretKey,
    );
    // two sales of one flat: each is valid against the head, as two add() calls would find
    const first = await sale(7, 1, 100);
    const second = await sale(7, 2, 200);
    const answers = await mempool.addMany([valid, valid, underpaid, first, second]);
    expect(answers.map((a) => (a.ok ? 'ok' : (a.error as { code?: string }).code))).toEqual([
      'ok',
      'ALREADY_PENDING',
      'DUTY_TOO_LOW',
      'ok',
      'ok',
    ]);
    expect(mempool.size).toBe(3);
    const again = await mempool.addMany([valid]);
    expect(again[0]).toMatchObject({ ok: false, error: { code: 'ALREADY_PENDING' } });
    const full = new Mempool(chain, () => nowMs, { txsMax: 1 });
    const capped = await full.addMany([valid, first]);
    expect(capped.map((a) => (a.ok ? 'ok' : (a.error as { code?: string }).code))).toEqual(['ok', 'MEMPOOL_FULL']);
  });

  it('checks submissions that arrive together in a few batches, answering each its own', async () => {
    const batches: number[] = [];
    const counting = {
      checkTransaction: chain.checkTransaction.bind(chain),
      checkTransactions: (txs: readonly Transaction[], timeMs: number) => {
        batches.push(txs.length);
        return chain.checkTransactions(txs, timeMs);
      },
    };
    const mempool = new Mempool(counting, () => nowMs);
    const sales = await Promise.all(Array.from({ length: 12 }, (_, i) => sale(i, 1 + (i % 4))));
    const bad = sales[11]!;
    const underpaid = signTransaction(
      { ...bad, payload: { ...bad.payload, duty: { reference: 'x', amountMinor: 1 } } } as Transaction,
      devKeys.notary.secretKey,
    );
    const answers = await Promise.allSettled(
      [...sales.slice(0, 11), sales[3]!, underpaid].map((tx) => mempool.add(tx)),
    );
    expect(answers.map((a) => (a.status === 'fulfilled' ? 'ok' : (a.reason as { code?: string }).code))).toEqual([
      ...Array.from({ length: 11 }, () => 'ok'),
      'ALREADY_PENDING',
      'DUTY_TOO_LOW',
    ]);
    for (const [i, answer] of answers.slice(0, 11).entries())
      expect(answer).toMatchObject({ status: 'fulfilled', value: { txId: txId(sales[i]!) } });
    expect(mempool.size).toBe(11);
    // two go at once (one checked while the next gathers), the other eleven wait for one of them
    expect(batches.length).toBeLessThanOrEqual(3);
    // the copy of a sale in the same batch is answered without a check
    expect(batches.reduce((a, b) => a + b, 0)).toBe(12);
  });

  it('drops the second sale of a flat once the first is committed, with STALE_VERSION', async () => {
    const mempool = new Mempool(chain, () => nowMs);
    const first = await sale(3, 1, 100);
    const second = await sale(3, 2, 200); // same flat, same version, another buyer
    await mempool.add(first);
    await mempool.add(second);
    const { block } = await devCommitBlock(chain, mempool.take(1, 1 << 20), nowMs);
    const dropped = await mempool.afterCommit(block);
    expect(dropped).toEqual([expect.objectContaining({ txId: txId(second), code: 'STALE_VERSION' })]);
    expect(mempool.size).toBe(0);
  });
});

// A batch's new transactions enter the mempool and it is forwarded; known ones are ignored (no
// penalty); one that no state can make valid rejects the batch (its publisher admitted it).
function validatorsFor(mempool: Mempool) {
  return chainValidators()({
    chain,
    mempool,
    committer: { commit: async () => undefined },
    sync: { catchUp: () => undefined },
    damage: { view: undefined, sentence: () => '', check: () => false },
  }).topics;
}

async function verdict(run: Promise<void>) {
  try {
    await run;
    return toGossipAction(undefined);
  } catch (error) {
    return toGossipAction(error);
  }
}

describe('the txs topic', () => {
  it('admits a batch and forwards it; the same transactions again are ignored, not penalised [REQ-NET.3]', async () => {
    const mempool = new Mempool(chain, () => nowMs);
    const { txs } = validatorsFor(mempool);
    const batch = encodeTxBatch(
      await Promise.all([0, 1, 2].map(async (i) => encodeTransaction(await sale(i, (i + 1) % 5)))),
    );
    expect(await verdict(Promise.resolve(txs(batch, 'peer')))).toMatchObject({ action: 'accept' });
    expect(mempool.size).toBe(3);
    expect(await verdict(Promise.resolve(txs(batch, 'peer')))).toMatchObject({
      action: 'ignore',
      code: 'ALREADY_PENDING',
    });
  });

  it('rejects a batch with a forged signature but admits its valid transactions', async () => {
    const mempool = new Mempool(chain, () => nowMs);
    const { txs } = validatorsFor(mempool);
    const good = await sale(3, 4);
    const tampered = await forgedSale(4, 0);
    const batch = encodeTxBatch([encodeTransaction(good), encodeTransaction(tampered)]);
    expect(await verdict(Promise.resolve(txs(batch, 'peer')))).toMatchObject({
      action: 'reject',
      code: 'BAD_SIGNATURE',
    });
    expect(mempool.size).toBe(1);
  });
});

describe('the txs topic screens what it admits (decision #84)', () => {
  it("admits a well-signed transfer the rules refuse, which this node's block build then drops with their code", async () => {
    const mempool = new Mempool(chain, () => nowMs);
    const { txs } = validatorsFor(mempool);
    const valid = await sale(8, 1);
    const bad = await sale(9, 2);
    const underpaid = signTransaction(
      { ...bad, payload: { ...bad.payload, duty: { reference: 'x', amountMinor: 1 } } } as Transaction,
      devKeys.notary.secretKey,
    );
    const batch = encodeTxBatch([encodeTransaction(valid), encodeTransaction(underpaid)]);
    expect(await verdict(Promise.resolve(txs(batch, 'peer')))).toMatchObject({ action: 'accept' });
    expect(mempool.size).toBe(2);
    // the proposer's build: the rules refuse the underpaid one, which is not taken again
    const { block, outcomes } = await devCommitBlock(chain, mempool.take(10, 1 << 20), nowMs);
    expect(block.txs).toEqual([valid]);
    expect(outcomes).toEqual([
      expect.objectContaining({ ok: true }),
      expect.objectContaining({ ok: false, code: 'DUTY_TOO_LOW' }),
    ]);
    expect(mempool.dropRefused(outcomes)).toBe(1);
    expect(await mempool.afterCommit(block)).toEqual([]);
    expect(mempool.size).toBe(0);
    // the committed one gossiped again: its replay record refuses it (no penalty: a lagging peer)
    expect(await verdict(Promise.resolve(txs(encodeTxBatch([encodeTransaction(valid)]), 'peer')))).toMatchObject({
      action: 'ignore',
      code: 'REPLAY',
    });
    expect(mempool.size).toBe(0);
  });

  it('answers the screen for each, and the rules for one whose signature does not verify', async () => {
    const good = await sale(10, 1);
    const tampered = await forgedSale(11, 2);
    const expired = await sale(12, 3);
    const late = { ...expired, expiresAtMs: nowMs - 1 } as Transaction;
    const other = await sale(13, 4);
    const foreign = { ...other, chainId: 'another-registry' } as Transaction;
    const outcomes = await chain.screenTransactions([good, tampered, late, foreign], nowMs);
    expect(outcomes.map((o) => (o.ok ? `ok${o.screened ? ', screened' : ''}` : o.code))).toEqual([
      'ok, screened',
      'BAD_SIGNATURE',
      'EXPIRED',
      'WRONG_CHAIN',
    ]);
  });
});

describe('outbox', () => {
  it('keeps certified transactions across a restart until they end final or rejected [REQ-OUT.1]', async () => {
    const outboxDir = join(dir, 'outbox');
    let outbox = await Outbox.open(outboxDir);
    const a = await outbox.add(await sale(0, 1), nowMs);
    const b = await outbox.add(await sale(1, 2), nowMs);
    await expect(outbox.add(a.tx, nowMs)).rejects.toMatchObject({ code: 'ALREADY_IN_OUTBOX' });
    await outbox.close();
    outbox = await Outbox.open(outboxDir);
    expect(outbox.open().map((entry) => entry.txId)).toEqual([a.txId, b.txId]);
    await outbox.update(a.txId, { state: 'final', height: 3 }, nowMs);
    await outbox.update(b.txId, { state: 'rejected', code: 'STALE_VERSION', sentence: 'sold elsewhere' }, nowMs);
    await outbox.update(b.txId, { state: 'final' }, nowMs); // an ending is never rewritten
    await outbox.close();
    outbox = await Outbox.open(outboxDir);
    expect(outbox.list().map((entry) => [entry.state, entry.code ?? entry.height])).toEqual([
      ['final', 3],
      ['rejected', 'STALE_VERSION'],
    ]);
    expect(outbox.open()).toEqual([]);
    const c = await outbox.add(await sale(2, 3), nowMs);
    expect(c.seq).toBe(3);
    await outbox.close();
  });

  it('refuses to open a damaged outbox with a clear message', async () => {
    const outboxDir = join(dir, 'outbox');
    const db = new ClassicLevel<Uint8Array, Uint8Array>(outboxDir, { keyEncoding: 'view', valueEncoding: 'view' });
    await db.put(new Uint8Array(8), Uint8Array.of(0xff, 0x00));
    await db.close();
    await expect(Outbox.open(outboxDir)).rejects.toBeInstanceOf(OutboxError);
    await expect(Outbox.open(outboxDir)).rejects.toThrow(/damaged entry/);
  });
});
