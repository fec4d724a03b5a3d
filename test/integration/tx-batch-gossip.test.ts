// The txs topic's validator against a real chain on LevelDB (decision #60): a batch's new
// transactions enter the mempool and it is forwarded; a batch of known ones is ignored (no
// penalty); a batch holding a transaction no state can make valid is rejected (its publisher
// admitted it, so the fault is theirs), while its valid transactions are still admitted.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { encodeTransaction, type PropertyObject, type Transaction } from '../../shared/ledger/index.js';
import { Chain } from '../../electron/node/chain/chain.js';
import { devGenesis, devParty, devTransfer } from '../../electron/node/dev/demo-registry.js';
import { Mempool } from '../../electron/node/mempool/mempool.js';
import { chainValidators } from '../../electron/node/network/gossip/chain-validators.js';
import { encodeTxBatch } from '../../electron/node/network/gossip/tx-batch.js';
import { toGossipAction } from '../../electron/node/network/gossip/validation.js';

const genesis = devGenesis({ objects: 20, parties: 5 });
const parties = Array.from({ length: 5 }, (_, i) => devParty(i));
const nowMs = genesis.genesisTimeMs + 1_000;
let dir: string;
let chain: Chain;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'notary-txs-'));
  chain = await Chain.open({ dir: join(dir, 'chain'), genesis });
});
afterEach(async () => {
  await chain.close();
  await rm(dir, { recursive: true, force: true });
});

async function sale(objectIndex: number): Promise<Transaction> {
  const object = (await chain.getRecord(`obj/BY-DEV-${String(objectIndex).padStart(6, '0')}`)) as PropertyObject;
  return devTransfer(object, parties[(objectIndex + 1) % 5]!, parties, {
    chainId: genesis.chainId,
    nowMs,
    nonce: objectIndex,
  });
}

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
    const batch = encodeTxBatch(await Promise.all([0, 1, 2].map(async (i) => encodeTransaction(await sale(i)))));
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
    const good = await sale(3);
    const forged = await sale(4);
    const signature = forged.signatures[0]!;
    const tampered = {
      ...forged,
      signatures: [
        {
          ...signature,
          signature: `${signature.signature.slice(0, -2)}${signature.signature.endsWith('00') ? '01' : '00'}`,
        },
        ...forged.signatures.slice(1),
      ],
    } as Transaction;
    const batch = encodeTxBatch([encodeTransaction(good), encodeTransaction(tampered)]);
    expect(await verdict(Promise.resolve(txs(batch, 'peer')))).toMatchObject({
      action: 'reject',
      code: 'BAD_SIGNATURE',
    });
    expect(mempool.size).toBe(1);
  });
});
