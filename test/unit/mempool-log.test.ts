// The pending log (electron/node/mempool/pending-log.ts): what a node answered `pending` survives
// a crash; a torn tail and a damaged record are left out; the file stays bounded.
import { appendFile, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { PropertyObject, Transaction } from '../../shared/ledger/index.js';
import { txId } from '../../shared/ledger/index.js';
import { devGenesis, devParty, devTransfer } from '../../electron/node/dev/demo-registry.js';
import { encodeRecord, PendingLog } from '../../electron/node/mempool/pending-log.js';

const genesis = devGenesis({ objects: 64, parties: 5 });
const parties = Array.from({ length: 5 }, (_, i) => devParty(i));

/** Distinct transfers; `nonce` makes more of them than there are objects. */
function transfers(count: number, first = 0): Transaction[] {
  return Array.from({ length: count }, (_, i) => {
    const input = genesis.properties![(first + i) % genesis.properties!.length]!;
    const object = { ...input, encumbrances: [], version: 1, registeredHeight: 0, updatedHeight: 0 } as PropertyObject;
    const owner = parties.findIndex((party) => party.publicKey === object.owners[0]!.key);
    return devTransfer(object, parties[(owner + 1) % parties.length]!, parties, {
      chainId: genesis.chainId,
      nowMs: genesis.genesisTimeMs + 1_000,
      nonce: first + i,
    });
  });
}

let dir: string;
let path: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'notary-pending-log-'));
  path = join(dir, 'pending.log');
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('pending log', () => {
  it('gives back every acknowledged transaction after a reopen, in order', async () => {
    const txs = transfers(20);
    const { log } = await PendingLog.open(path);
    await Promise.all(txs.map((tx) => log.append(tx)));
    // no close: what a kill -9 leaves behind is what the appends synced
    const reopened = await PendingLog.open(path);
    expect(reopened.txs.map((tx) => txId(tx))).toEqual(txs.map((tx) => txId(tx)));
    expect(reopened.damaged).toBe(0);
    expect(reopened.tornBytes).toBe(0);
    await Promise.all([log.close(), reopened.log.close()]);
  });

  it('shares one write between concurrent appends (group commit)', async () => {
    const { log } = await PendingLog.open(path);
    const txs = transfers(50);
    await Promise.all(txs.map((tx) => log.append(tx)));
    expect(log.size).toBe(50);
    expect(log.records).toBe(50);
    expect(log.syncs).toBeLessThanOrEqual(2); // the first append alone, the 49 queued behind it together
    await log.close();
  });

  it('ignores a torn tail and appends after the last whole record', async () => {
    const txs = transfers(3);
    const { log } = await PendingLog.open(path);
    for (const tx of txs.slice(0, 2)) await log.append(tx);
    await log.close();
    const torn = encodeRecord(txs[2]!).subarray(0, 30); // a crash in the middle of a write
    await appendFile(path, torn);
    const reopened = await PendingLog.open(path);
    expect(reopened.tornBytes).toBe(30);
    expect(reopened.txs.map((tx) => txId(tx))).toEqual(txs.slice(0, 2).map((tx) => txId(tx)));
    await reopened.log.append(txs[2]!);
    await reopened.log.close();
    const again = await PendingLog.open(path);
    expect(again.txs.map((tx) => txId(tx))).toEqual(txs.map((tx) => txId(tx)));
    expect(again.tornBytes).toBe(0);
    await again.log.close();
  });

  it('skips a record whose checksum does not match and keeps the ones after it', async () => {
    const txs = transfers(3);
    const records = txs.map((tx) => encodeRecord(tx));
    records[1]![records[1]!.length - 5]! ^= 0xff; // one flipped byte in the second payload
    await writeFile(path, Buffer.concat(records));
    const { log, txs: read, damaged } = await PendingLog.open(path);
    expect(damaged).toBe(1);
    expect(read.map((tx) => txId(tx))).toEqual([txId(txs[0]!), txId(txs[2]!)]);
    await log.close();
    // the damaged record is gone from the rewritten file
    expect((await readFile(path)).length).toBe(records[0]!.length + records[2]!.length);
  });

  it('treats an impossible record length as the end of the log', async () => {
    const [tx] = transfers(1);
    const header = Buffer.alloc(8);
    header.writeUInt32BE(0xffff_fff0, 0);
    await writeFile(path, Buffer.concat([encodeRecord(tx!), header, Buffer.alloc(64)]));
    const { log, txs, tornBytes } = await PendingLog.open(path);
    expect(txs).toHaveLength(1);
    expect(tornBytes).toBe(72);
    await log.close();
  });

  it('refuses appends beyond its entry limit', async () => {
    const { log } = await PendingLog.open(path, { entriesMax: 4 });
    const txs = transfers(5);
    await Promise.all(txs.slice(0, 4).map((tx) => log.append(tx)));
    await expect(log.append(txs[4]!)).rejects.toMatchObject({ code: 'PENDING_LOG_FULL' });
    log.settle([txId(txs[0]!)]);
    await log.append(txs[4]!);
    expect(log.size).toBe(4);
    await log.close();
  });

  it('refuses appends beyond its byte limit', async () => {
    const txs = transfers(3);
    const { log } = await PendingLog.open(path, {
      bytesMax: encodeRecord(txs[0]!).length + encodeRecord(txs[1]!).length,
    });
    await log.append(txs[0]!);
    await log.append(txs[1]!);
    await expect(log.append(txs[2]!)).rejects.toMatchObject({ code: 'PENDING_LOG_FULL' });
    log.settle([txId(txs[1]!)]);
    await log.append(txs[2]!);
    await log.close();
  });

  it('rewrites the file once settled records dominate, so its size stays bounded', async () => {
    const compactRecordsMin = 64;
    const { log } = await PendingLog.open(path, { compactRecordsMin });
    const rounds = 3;
    const perRound = compactRecordsMin;
    let largest = 0;
    for (let round = 0; round < rounds; round++) {
      const txs = transfers(perRound, round * perRound);
      await Promise.all(txs.map((tx) => log.append(tx)));
      largest = Math.max(largest, log.records);
      log.settle(txs.slice(0, perRound - 1).map((tx) => txId(tx))); // all but one committed
      await log.append(transfers(1, 100_000 + round)[0]!); // the next append runs the rewrite first
      expect(log.records).toBeLessThanOrEqual(2 * log.size + compactRecordsMin);
    }
    expect(largest).toBeLessThanOrEqual(2 * compactRecordsMin);
    expect(log.size).toBe(2 * rounds);
    const recordBytes = encodeRecord(transfers(1)[0]!).length;
    expect((await stat(path)).size).toBeLessThan(recordBytes * 4 * rounds);
    await log.close();
    const reopened = await PendingLog.open(path);
    expect(reopened.txs).toHaveLength(2 * rounds);
    await reopened.log.close();
  });
});
