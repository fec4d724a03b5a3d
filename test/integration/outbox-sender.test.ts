// The outbox's sender against real parts: a LevelDB outbox, mempools on LevelDB chains, and two
// libp2p nodes on 127.0.0.1, an office and a validator. What the office certified offline must
// reach a validator's mempool even when the first send reached nobody (the validator had not
// subscribed to the tx topic yet) or was lost with a restart, and each entry must end final.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { decodeTransaction, txHash, type Transaction } from '../../shared/ledger/index.js';
import { Chain } from '../../electron/node/chain/chain.js';
import { devCommitBlock, devGenesis, devTransfers } from '../../electron/node/dev/demo-registry.js';
import { Mempool, MempoolError } from '../../electron/node/mempool/mempool.js';
import { Outbox } from '../../electron/node/mempool/outbox.js';
import { OutboxSender } from '../../electron/node/mempool/outbox-sender.js';
import {
  createNetwork,
  GossipAction,
  GossipValidationError,
  type NotaryNetwork,
  type PublishResult,
} from '../../electron/node/network/index.js';

const OBJECTS = 10;
const PARTIES = 5;
const genesis = devGenesis({ objects: OBJECTS, parties: PARTIES });
/** How often the node flushes its outbox while online (RECONCILE_INTERVAL_MS is 1 s; faster here). */
const FLUSH_EVERY_MS = 100;
const silent = { warn: () => undefined, debug: () => undefined };

let dir: string;
let office: { chain: Chain; mempool: Mempool; outbox: Outbox; network: NotaryNetwork };
let validator: { chain: Chain; mempool: Mempool; network: NotaryNetwork };
let tx: Transaction;
let nowMs: number;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'notary-outbox-sender-'));
  const officeChain = await Chain.open({ dir: join(dir, 'office-chain'), genesis });
  const validatorChain = await Chain.open({ dir: join(dir, 'validator-chain'), genesis });
  nowMs = officeChain.head.header.timeMs + 1_000;
  [tx] = (await devTransfers(officeChain, 1, { objects: OBJECTS, parties: PARTIES, seed: 1, nowMs })) as [Transaction];
  const validatorMempool = new Mempool(validatorChain, () => nowMs);
  const listen = ['/ip4/127.0.0.1/tcp/0'];
  office = {
    chain: officeChain,
    mempool: new Mempool(officeChain, () => nowMs),
    outbox: await Outbox.open(join(dir, 'outbox')),
    network: await createNetwork({ chainId: genesis.chainId, listen, mdns: false }),
  };
  validator = {
    chain: validatorChain,
    mempool: validatorMempool,
    // as the node does: a transaction is admitted to the mempool by the topic's validator
    network: await createNetwork({
      chainId: genesis.chainId,
      listen,
      mdns: false,
      validators: {
        tx: async (bytes) => {
          try {
            await validatorMempool.add(decodeTransaction(bytes));
          } catch (error) {
            if (error instanceof MempoolError)
              throw new GossipValidationError(GossipAction.ignore, error.code, error.message);
            throw error;
          }
        },
      },
    }),
  };
  await office.network.setAllowedPeers([validator.network.peerId]);
  await validator.network.setAllowedPeers([office.network.peerId]);
  office.network.subscribe('tx', () => undefined);
  await office.network.dial(validator.network.multiaddrs()[0]!);
});

afterEach(async () => {
  await office.network.stop();
  await validator.network.stop();
  await office.outbox.close();
  await office.chain.close();
  await validator.chain.close();
  await rm(dir, { recursive: true, force: true });
});

/** The office's sender, recording what each publish answered. */
function sender(outbox: Outbox, mempool: Mempool) {
  const published: PublishResult['outcome'][] = [];
  const send = new OutboxSender({
    outbox,
    mempool,
    committedAt: async (hash) => (await office.chain.store.getTxLocation(hash))?.height,
    publish: async (bytes) => {
      const result = await office.network.publish('tx', bytes);
      published.push(result.outcome);
      return result;
    },
    log: silent,
  });
  return { send, published };
}

/** Flushes as the node's timer does until `done` holds, or fails after `timeoutMs`. */
async function flushUntil(send: OutboxSender, what: string, done: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await send.flush();
    await new Promise((resolve) => setTimeout(resolve, FLUSH_EVERY_MS));
  }
}

async function until(what: string, condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function validatorSubscribed(): boolean {
  const subscribers = office.network.libp2p.services.pubsub.getSubscribers(office.network.topic('tx'));
  return subscribers.some((peer) => peer.toString() === validator.network.peerId);
}

describe('the outbox sender [REQ-OUT.3]', () => {
  it('sends again an entry whose first publish reached no peer, until a validator holds it, and stops once a block settles it', async () => {
    await office.outbox.add(tx, nowMs);
    const { send, published } = sender(office.outbox, office.mempool);
    // connected, but the validator has not joined the tx topic yet: the publish reaches nobody
    await send.flush();
    expect(published).toEqual(['no-peers']);
    expect(office.outbox.get(office.outbox.list()[0]!.txId)!.state).toBe('submitted');

    validator.network.subscribe('tx', () => undefined);
    await until('the office to see the validator subscribed', validatorSubscribed);
    await flushUntil(send, "the transaction in the validator's mempool", () => validator.mempool.hasHash(txHash(tx)));
    expect(published.at(-1)).toBe('sent');
    // heard by a peer: not sent again at once, but after a wait (RESEND_MIN_MS, doubling)
    const sends = published.length;
    await send.flush();
    expect(published).toHaveLength(sends);

    // a block commits it (as the validators would): the entry ends final and is never sent again
    await devCommitBlock(office.chain, [tx], nowMs + 1_000);
    send.resendAll();
    await send.flush();
    expect(office.outbox.list()[0]).toMatchObject({ state: 'final', height: 1 });
    send.resendAll();
    await send.flush();
    expect(published).toHaveLength(sends);
  });

  it('after a restart, puts an entry left submitted back into the mempool and sends it', async () => {
    const entry = await office.outbox.add(tx, nowMs);
    await office.outbox.update(entry.txId, { state: 'submitted' }, nowMs);
    // the previous process stopped here: its mempool is gone, the outbox is on disk
    await office.outbox.close();
    office.outbox = await Outbox.open(join(dir, 'outbox'));
    const mempool = new Mempool(office.chain, () => nowMs);
    validator.network.subscribe('tx', () => undefined);
    await until('the office to see the validator subscribed', validatorSubscribed);

    const { send } = sender(office.outbox, mempool);
    await flushUntil(send, "the transaction in the validator's mempool", () => validator.mempool.hasHash(txHash(tx)));
    expect(mempool.hasHash(txHash(tx))).toBe(true);
  });
});
