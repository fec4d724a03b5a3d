// Transactions leave a node in batches on the txs topic (decision #60): a batch closes at its
// count, before its bytes would pass the limit, or after its delay; each caller gets the batch's
// publish result; the encoding round-trips and refuses what is not a batch of transactions.
import { describe, expect, it } from 'vitest';
import { encode } from '../../shared/codec/index.js';
import { devGenesis, devKeys } from '../../electron/node/dev/demo-registry.js';
import {
  decodeTxBatch,
  encodeTxBatch,
  TX_BATCH_CONTENT_BYTES_MAX,
  TX_BATCH_TXS_MAX,
} from '../../electron/node/network/gossip/tx-batch.js';
import { TxBatcher } from '../../electron/node/network/gossip/tx-batcher.js';
import type { PublishResult } from '../../electron/node/network/interface.js';
import { encodeTransaction, signTransaction, type Transaction } from '../../shared/ledger/index.js';

const genesis = devGenesis({ objects: 1, parties: 1 });

function tx(n: number): Uint8Array {
  const unsigned = {
    type: 'authority.revoke',
    chainId: genesis.chainId,
    nonce: n,
    expiresAtMs: genesis.genesisTimeMs + 60_000,
    payload: { key: devKeys.notary.publicKey, version: 1, reason: `test ${n}` },
  };
  return encodeTransaction(signTransaction(unsigned as unknown as Transaction, devKeys.registrar.secretKey));
}

function harness() {
  const published: Uint8Array[] = [];
  const timers: Array<{ fire: () => void; cancelled: boolean }> = [];
  const batcher = new TxBatcher({
    publish: async (batch) => {
      published.push(batch);
      return { recipients: 3, outcome: 'sent' } satisfies PublishResult;
    },
    schedule: (fire) => {
      const timer = { fire, cancelled: false };
      timers.push(timer);
      return () => {
        timer.cancelled = true;
      };
    },
  });
  const elapse = () => timers.filter((t) => !t.cancelled).forEach((t) => ((t.cancelled = true), t.fire()));
  return { batcher, published, elapse };
}

describe('transaction batches', () => {
  it('round-trips a batch, each transaction with its own bytes', () => {
    const txs = [tx(1), tx(2), tx(3)];
    const decoded = decodeTxBatch(encodeTxBatch(txs));
    expect(decoded.map((entry) => entry.bytes)).toEqual(txs);
    expect(decoded.map((entry) => entry.tx.nonce)).toEqual([1, 2, 3]);
  });

  it('refuses as MALFORMED (reject) what is not a batch of transactions', () => {
    const bad = [
      encode([]),
      encode({ txs: [tx(1)] }),
      encode([tx(1), 'text']),
      encode([tx(1), new Uint8Array([1, 2, 3])]),
      encode(Array.from({ length: TX_BATCH_TXS_MAX + 1 }, () => tx(1))),
      new Uint8Array([0xff]),
    ];
    for (const bytes of bad)
      expect(() => decodeTxBatch(bytes)).toThrow(expect.objectContaining({ code: 'MALFORMED', action: 'reject' }));
  });

  it('sends one batch after the delay, and every caller learns its result', async () => {
    const { batcher, published, elapse } = harness();
    const results = [batcher.publish(tx(1)), batcher.publish(tx(2)), batcher.publish(tx(3))];
    expect(published).toHaveLength(0);
    elapse();
    expect(await Promise.all(results)).toEqual(Array(3).fill({ recipients: 3, outcome: 'sent' }));
    expect(published).toHaveLength(1);
    expect(decodeTxBatch(published[0]!).map((e) => e.tx.nonce)).toEqual([1, 2, 3]);
  });

  it('closes a batch at its count without waiting, and before its bytes would pass the limit', async () => {
    const { batcher, published, elapse } = harness();
    const sent = Array.from({ length: TX_BATCH_TXS_MAX + 1 }, (_, n) => batcher.publish(tx(n)));
    expect(published).toHaveLength(1);
    expect(decodeTxBatch(published[0]!)).toHaveLength(TX_BATCH_TXS_MAX);
    elapse();
    await Promise.all(sent);
    expect(published).toHaveLength(2);

    const big = new Uint8Array(Math.floor(TX_BATCH_CONTENT_BYTES_MAX / 2) + 1);
    const { batcher: bytesBatcher, published: byBytes, elapse: later } = harness();
    void bytesBatcher.publish(big);
    void bytesBatcher.publish(big);
    expect(byBytes).toHaveLength(1);
    later();
    expect(byBytes).toHaveLength(2);
  });

  it('publishes what is open when stopped, then refuses more', async () => {
    const { batcher, published } = harness();
    const open = batcher.publish(tx(1));
    batcher.stop();
    await open;
    expect(published).toHaveLength(1);
    await expect(batcher.publish(tx(2))).rejects.toThrow(/stopping/);
  });
});
