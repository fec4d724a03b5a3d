// An office joins a running network from a state snapshot (issue 14): three validators and an
// observer serve; one of them (observer-1) serves chunks that were tampered with on its disk.
// The new office (observer-2, started with --join-snapshot) refuses those chunks, fetches them
// from the others, ends at the same head and state root, follows new blocks, serves receipts
// of blocks after its snapshot and answers BEFORE_SNAPSHOT for older ones.
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decode, encode } from '../../shared/codec/index.js';
import type { KeyPair } from '../../shared/crypto/index.js';
import { txHash, type PropertyObject, type Transaction } from '../../shared/ledger/index.js';
import { devParty, devTransfer } from '../../electron/node/dev/demo-registry.js';
import { ChainStore } from '../../electron/node/store/index.js';
import { Devnet, waitFor, type NodeProcess } from '../support/devnet-harness.js';

const PARTIES = 50;
const INTERVAL = 10;
const parties = Array.from({ length: PARTIES }, (_, i) => devParty(i));
let devnet: Devnet;
let notary: KeyPair;

function sale(index: number, nonce: number): Transaction {
  const input = devnet.genesis.properties![index]!;
  const object: PropertyObject = { ...input, encumbrances: [], version: 1, registeredHeight: 0, updatedHeight: 0 };
  const owner = parties.findIndex((party) => party.publicKey === object.owners[0]!.key);
  return devTransfer(object, parties[(owner + 1) % PARTIES]!, parties, {
    chainId: devnet.genesis.chainId,
    nowMs: Date.now(),
    nonce,
    notary,
  });
}

/** The complete snapshot heights a node has made (folders named by height). */
async function snapshotHeights(node: NodeProcess): Promise<number[]> {
  const names = await readdir(join(node.info.dataDir, 'snapshots')).catch(() => [] as string[]);
  return names.filter((name) => /^\d+$/.test(name)).map(Number);
}

/** Flips one byte inside the first record of every chunk of a snapshot: same size, valid CBOR, wrong root. */
async function tamper(node: NodeProcess, height: number): Promise<number> {
  const dir = join(node.info.dataDir, 'snapshots', String(height), 'chunks');
  const names = await readdir(dir);
  for (const name of names) {
    const pairs = decode(new Uint8Array(await readFile(join(dir, name)))) as Array<[string, Uint8Array]>;
    const value = pairs[0]![1];
    value[value.length - 1]! ^= 0x01;
    await writeFile(join(dir, name), encode(pairs));
  }
  return names.length;
}

async function stateRootAt(node: NodeProcess, height: number): Promise<string | undefined> {
  return (await node.block(height))?.header.stateRoot;
}

describe('joining by snapshot (real node processes)', () => {
  beforeAll(async () => {
    devnet = await Devnet.create({
      validators: 3,
      observers: 2,
      objects: 120,
      snapshot: { intervalBlocks: INTERVAL, keep: 2, chunkBytesTarget: 1_024 },
    });
    notary = await devnet.signingKey('node-3');
    await Promise.all(['node-1', 'node-2', 'node-3', 'observer-1'].map((name) => devnet.node(name).start()));
  }, 120_000);

  afterAll(async () => {
    await devnet?.stop();
  });

  it('joins (over an interrupted earlier join) from peers one of which serves tampered chunks, ends at the same head and state root, follows new blocks, and answers BEFORE_SNAPSHOT for older receipts [REQ-SNAP.1] [REQ-SNAP.5]', async () => {
    const [node1, node3, observer1, joiner] = ['node-1', 'node-3', 'observer-1', 'observer-2'].map((name) =>
      devnet.node(name),
    ) as [NodeProcess, NodeProcess, NodeProcess, NodeProcess];
    // a transfer committed before the snapshot
    const early = sale(0, 1);
    const earlyHash = txHash(early);
    await node1.submit(early);
    const earlyHeight = await waitFor('the early transfer to be final', async () => {
      const status = await node1.txStatus(earlyHash);
      return status.state === 'final' ? status.height : undefined;
    });
    // every server holds a snapshot above it
    const serving = [node1, devnet.node('node-2'), node3, observer1];
    const height = await waitFor(
      'a snapshot above the transfer on every serving node',
      async () => {
        const each = await Promise.all(serving.map(snapshotHeights));
        const common = each[0]!.filter((h) => h > earlyHeight && each.every((list) => list.includes(h)));
        return common.length > 0 ? Math.max(...common) : undefined;
      },
      90_000,
    );
    // the chain stops (one of three validators down), so no newer snapshot appears meanwhile
    await node3.kill();
    const stoppedAt = await waitFor('the chain to stop', async () => {
      const first = (await node1.status()).height;
      await new Promise((resolve) => setTimeout(resolve, 2_500));
      return (await node1.status()).height === first ? first : undefined;
    });
    const newest = Math.max(...(await snapshotHeights(node1)));
    expect(newest).toBeGreaterThanOrEqual(height);
    const tampered = await tamper(observer1, Math.max(...(await snapshotHeights(observer1))));
    expect(tampered).toBeGreaterThan(1);

    // a join interrupted before (a store without a head, with a row no snapshot has) is removed, not reused
    const leftover = await ChainStore.open(join(joiner.info.dataDir, 'chain.joining'));
    await leftover.writeGenesisRows({
      stateWrites: [{ key: 'obj/STALE-1', value: encode({ stale: true }) }],
      smtNodes: [],
      partyObjects: [],
    });
    await leftover.close();

    await joiner.start(['--join-snapshot']);
    const status = await joiner.status();
    expect(status.snapshotBase).toBe(newest);
    expect((await joiner.request('GET', '/properties/STALE-1')).status).toBe(404);
    // the tampered chunks were refused, naming the peer that served them
    const observer1Peer = observer1.info.peerId;
    expect(joiner.log).toMatch(/chunk refused/);
    expect(joiner.log).toContain(observer1Peer);
    expect(joiner.log).toMatch(/SNAPSHOT_CHUNK_ROOT/);
    // it catches up with the stopped chain by ordinary block sync
    await waitFor('the joiner to reach the head', async () =>
      (await joiner.status()).height >= stoppedAt ? true : undefined,
    );
    expect(await stateRootAt(joiner, stoppedAt)).toBe(await stateRootAt(node1, stoppedAt));
    expect((await joiner.block(stoppedAt))?.hash).toBe((await node1.block(stoppedAt))?.hash);

    // the chain resumes; the joiner follows new blocks and serves receipts of them
    await node3.start();
    const late = sale(1, 2);
    const lateHash = txHash(late);
    await node1.submit(late);
    const lateHeight = await waitFor(
      'the late transfer to be final on the joiner',
      async () => {
        const answer = await joiner.txStatus(lateHash);
        return answer.state === 'final' ? answer.height : undefined;
      },
      90_000,
    );
    expect(lateHeight).toBeGreaterThan(stoppedAt);
    expect(await stateRootAt(joiner, lateHeight)).toBe(await stateRootAt(node1, lateHeight));
    expect((await joiner.request('GET', `/receipts/${lateHash}`)).status).toBe(200);
    // an old receipt: on a full node, not on the joiner, which says why
    expect((await node1.request('GET', `/receipts/${earlyHash}`)).status).toBe(200);
    const old = await joiner.request<{ error: { code: string; message: string } }>('GET', `/receipts/${earlyHash}`);
    expect(old.status).toBe(404);
    expect(old.body.error.code).toBe('BEFORE_SNAPSHOT');
    expect(old.body.error.message).toContain(`snapshot at height ${newest}`);
    const oldBlock = await joiner.request<{ error: { code: string } }>('GET', `/blocks/${earlyHeight}`);
    expect(oldBlock.body.error.code).toBe('BEFORE_SNAPSHOT');
    // the scrub after start found nothing (a leftover row would be damage)
    expect((await joiner.status()).damaged).toBeUndefined();
  }, 300_000);
});
