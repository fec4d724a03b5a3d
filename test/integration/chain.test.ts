// The node's chain on a real LevelDB store: blocks are checked before they are committed,
// receipts and certificates verify offline, and damage is found with its height.
import { ClassicLevel } from 'classic-level';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { signVote } from '../../shared/chain/index.js';
import { encode } from '../../shared/codec/index.js';
import {
  blockHash,
  decodeStateValue,
  txHash,
  txRootOf,
  type Block,
  type Commit,
  type PropertyObject,
  type Transaction,
} from '../../shared/ledger/index.js';
import { verifyCertificate, verifyReceipt } from '../../shared/receipt/index.js';
import { auditChain } from '../../electron/node/chain/audit.js';
import { Chain } from '../../electron/node/chain/chain.js';
import {
  devCommitBlock,
  devGenesis,
  devObjectId,
  devKeys,
  devParty,
  devTransfer,
  devTransfers,
  devValidators,
} from '../../electron/node/dev/demo-registry.js';
import { Keys } from '../../electron/node/store/keys.js';
import { StoreDamage } from '../../electron/node/store/errors.js';

const genesis = devGenesis({ objects: 50, parties: 10 });
let dir: string;
let chain: Chain;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'notary-chain-'));
  chain = await Chain.open({ dir, genesis });
});
afterEach(async () => {
  await chain.close().catch(() => undefined);
  await rm(dir, { recursive: true, force: true });
});

async function commitTransfers(count: number) {
  const timeMs = chain.head.header.timeMs + 1_000;
  const txs = await devTransfers(chain, count, { objects: 50, parties: 10, seed: chain.head.height, nowMs: timeMs });
  return devCommitBlock(chain, txs, timeMs);
}

function signedCommit(block: Block, signers = devValidators): Commit {
  const hash = blockHash(block.header);
  return {
    height: block.header.height,
    round: 0,
    blockHash: hash,
    signatures: signers.map((key) =>
      signVote(key.secretKey, genesis.chainId, 'precommit', block.header.height, 0, hash),
    ),
  };
}

async function rawEdit(edit: (db: ClassicLevel<Uint8Array, Uint8Array>) => Promise<void>) {
  await chain.close();
  const db = new ClassicLevel<Uint8Array, Uint8Array>(dir, { keyEncoding: 'view', valueEncoding: 'view' });
  await db.open();
  await edit(db);
  await db.close();
}

describe('chain', () => {
  it('commits blocks of certified transfers and reopens at the same head', async () => {
    await commitTransfers(5);
    await commitTransfers(5);
    const head = chain.head;
    await chain.close();
    chain = await Chain.open({ dir, genesis });
    expect(chain.head).toEqual(head);
    expect((await auditChain(chain.store, genesis, { verify: chain.verify })).ok).toBe(true);
  });

  it('commits an empty heartbeat block', async () => {
    const { block } = await devCommitBlock(chain, [], genesis.genesisTimeMs + 1_000);
    expect(block.txs).toEqual([]);
    expect(chain.head.height).toBe(1);
  });

  it('refuses a block whose state root does not match its transactions, and changes nothing [REQ-BLK.1]', async () => {
    const txs = await devTransfers(chain, 3, {
      objects: 50,
      parties: 10,
      seed: 1,
      nowMs: genesis.genesisTimeMs + 1_000,
    });
    const { block } = await chain.propose(txs, {
      timeMs: genesis.genesisTimeMs + 1_000,
      proposer: devKeys.registrar.publicKey,
    });
    const forged: Block = { ...block, header: { ...block.header, stateRoot: '11'.repeat(32) } };
    await expect(chain.commit(forged, signedCommit(forged))).rejects.toThrow(/stateRoot does not match/);
    expect(chain.head.height).toBe(0);
  });

  it('refuses a block that carries a rejected transaction (a double sale) [REQ-BLK.1]', async () => {
    const nowMs = genesis.genesisTimeMs + 1_000;
    const parties = Array.from({ length: 10 }, (_, i) => devParty(i));
    const object = (await chain.getRecord('obj/BY-DEV-000000')) as PropertyObject;
    // the owner sells the same flat twice, to two buyers, both certified against version 1
    const sale = devTransfer(object, parties[1]!, parties, { chainId: genesis.chainId, nowMs, nonce: 1 });
    const secondSale = devTransfer(object, parties[2]!, parties, { chainId: genesis.chainId, nowMs, nonce: 2 });
    const { block } = await chain.propose([sale], { timeMs: nowMs, proposer: devKeys.registrar.publicKey });
    const stuffed: Block = {
      header: { ...block.header, txRoot: txRootOf([sale, secondSale]) },
      txs: [sale, secondSale],
    };
    await expect(chain.commit(stuffed, signedCommit(stuffed))).rejects.toThrow(
      /transaction 1 is invalid: STALE_VERSION/,
    );
    const tampered: Block = { ...block, txs: [secondSale] };
    await expect(chain.commit(tampered, signedCommit(tampered))).rejects.toThrow(/txRoot does not match/);
    expect(chain.head.height).toBe(0);
  });

  it('refuses a block committed by fewer than two thirds of the validators [REQ-BLK.2]', async () => {
    const txs = await devTransfers(chain, 2, {
      objects: 50,
      parties: 10,
      seed: 1,
      nowMs: genesis.genesisTimeMs + 1_000,
    });
    const { block } = await chain.propose(txs, {
      timeMs: genesis.genesisTimeMs + 1_000,
      proposer: devKeys.registrar.publicKey,
    });
    await expect(chain.commit(block, signedCommit(block, [devKeys.notary]))).rejects.toThrow(/1 of 2 precommits/);
    expect(chain.head.height).toBe(0);
  });

  it('refuses to open a store made from another genesis', async () => {
    await chain.close();
    await expect(Chain.open({ dir, genesis: devGenesis({ objects: 51, parties: 10 }) })).rejects.toMatchObject({
      code: 'STORE_CHAIN_MISMATCH',
    });
  });
});

describe('receipts and certificates', () => {
  it('gives a receipt that verifies offline, as JSON, against the trusted validators [REQ-RCT.1]', async () => {
    const { block } = await commitTransfers(4);
    await commitTransfers(3);
    const receipt = JSON.parse(JSON.stringify(await chain.receipt(txHash(block.txs[2]!))));
    const trustedValidators = genesis.authorities.filter((a) => a.role !== 'observer').map((a) => a.key);
    expect(verifyReceipt(receipt, { trustedValidators })).toMatchObject({ ok: true, height: block.header.height });
    expect(JSON.stringify(receipt).length).toBeLessThan(8_000);
  });

  it('refuses a receipt whose transaction was altered, or whose validators are not trusted [REQ-RCT.1]', async () => {
    const { block } = await commitTransfers(4);
    const receipt = (await chain.receipt(txHash(block.txs[1]!)))!;
    const altered = structuredClone(receipt);
    (altered.tx as { nonce: number }).nonce += 1;
    expect(verifyReceipt(altered)).toMatchObject({ ok: false, code: 'INVALID_PROOF' });
    expect(verifyReceipt(receipt, { trustedValidators: [devKeys.bank.publicKey] })).toMatchObject({
      ok: false,
      code: 'UNTRUSTED_VALIDATORS',
    });
    const unsigned = {
      ...structuredClone(receipt),
      commit: { ...receipt.commit, signatures: receipt.commit.signatures.slice(1) },
    };
    expect(verifyReceipt(unsigned)).toMatchObject({ ok: false, code: 'INVALID_COMMIT' });
    expect(verifyReceipt({ kind: 'receipt' })).toMatchObject({ ok: false, code: 'MALFORMED' });
  });

  it("certifies an object's current owner, and refuses a certificate with another owner [REQ-RCT.2]", async () => {
    const { block } = await commitTransfers(3);
    const objectId = (block.txs[0] as Extract<Transaction, { type: 'transfer' }>).payload.contract.objectId;
    const certificate = (await chain.certificate(objectId))!;
    expect(verifyCertificate(JSON.parse(JSON.stringify(certificate)))).toMatchObject({ ok: true, subject: objectId });
    const forged = structuredClone(certificate);
    forged.object.owners[0]!.key = devKeys.bank.publicKey;
    expect(verifyCertificate(forged)).toMatchObject({ ok: false, code: 'INVALID_PROOF' });
  });
});

describe('audit', () => {
  it('names the height of a block altered in the middle of the chain', async () => {
    for (let i = 0; i < 4; i++) await commitTransfers(3);
    await rawEdit(async (db) => {
      const bytes = (await db.get(Keys.block(2)))!;
      const block = (await import('../../shared/codec/index.js')).decode(bytes) as Block;
      block.header.timeMs += 1; // still canonical CBOR, still a block: only the hashes betray it
      await db.put(Keys.block(2), encode(block));
    });
    chain = await Chain.open({ dir, genesis });
    const report = await auditChain(chain.store, genesis, { verify: chain.verify });
    expect(report).toMatchObject({ ok: false, verifiedHeight: 1, problem: { height: 2 } });
  });

  it('finds a flipped byte in a stored state record', async () => {
    const { block } = await commitTransfers(3);
    const objectId = (block.txs[0] as Extract<Transaction, { type: 'transfer' }>).payload.contract.objectId;
    await rawEdit(async (db) => {
      const bytes = (await db.get(Keys.state(`obj/${objectId}`)))!;
      bytes[bytes.length - 1]! ^= 0x01;
      await db.put(Keys.state(`obj/${objectId}`), bytes);
    });
    chain = await Chain.open({ dir, genesis });
    const report = await auditChain(chain.store, genesis, { verify: chain.verify });
    expect(report.ok).toBe(false);
    expect(report.problem?.message).toMatch(new RegExp(`obj/${objectId}`));
  });
});

describe("verified reads across commits (the tree's answers and rows carried to the next root)", () => {
  it('reads again only the rows a block wrote, at their new values, and names a damaged row it reads', async () => {
    const keys = Array.from({ length: 50 }, (_, i) => `obj/${devObjectId(i)}`);
    const absent = `obj/${devObjectId(999_998)}`;
    const neverRead = `obj/${devObjectId(999_999)}`;
    // Every object's row (and one key's absence) is read and checked against the tree at this root.
    const before = await chain.getMany([...keys, absent]);
    expect(before.has(absent)).toBe(false);
    const { block } = await commitTransfers(6);
    const written = new Set(
      block.txs.map((tx) => `obj/${(tx as Extract<Transaction, { type: 'transfer' }>).payload.contract.objectId}`),
    );
    expect(written.size).toBe(6);
    const store = chain.store;
    const read = store.getStateMany.bind(store);
    const asked: string[] = [];
    const reading = async (damage: (rows: Map<string, Uint8Array>) => void, wanted: string[]) => {
      store.getStateMany = async (keys: string[]) => {
        asked.push(...keys);
        const rows = await read(keys);
        damage(rows);
        return rows;
      };
      try {
        return await chain.getMany(wanted);
      } finally {
        store.getStateMany = read;
      }
    };
    // A row the store hands back altered, missing or present where the tree has none: damage, named.
    const failure = (damage: (rows: Map<string, Uint8Array>) => void, wanted: string[]) =>
      reading(damage, wanted).then(
        () => undefined,
        (error: unknown) => error as StoreDamage,
      );
    for (const key of written) {
      const flipped = await failure(
        (rows) => {
          const bytes = rows.get(key)!.slice();
          bytes[bytes.length - 1]! ^= 0x01;
          rows.set(key, bytes);
        },
        [key],
      );
      expect(flipped).toBeInstanceOf(StoreDamage);
      expect(flipped!.message).toContain('does not hash to the state tree');
      expect(flipped!.row).toMatchObject({ key });
      expect((await failure((rows) => rows.delete(key), [key]))!.message).toContain('the row is missing');
    }
    // A key the tree proves absent is answered so without asking the store for its row (decision
    // #85): a stray row there changes no answer (the scrub names it, below).
    asked.length = 0;
    expect(await failure((rows) => rows.set(neverRead, new Uint8Array([0xa0])), [neverRead])).toBeUndefined();
    expect(asked).toEqual([]);
    // Nothing a failed read saw was kept: the clean read asks the store for exactly those rows.
    asked.length = 0;
    // Only the rows the block wrote are read from the store again: the others stand at the new
    // root (a row the store damages later is the background scrub's to find), and the absent
    // keys need no row.
    const after = await reading(() => undefined, [...keys, absent, neverRead]);
    expect(asked.sort()).toEqual([...written].sort());
    for (const key of keys) {
      const version = (after.get(key) as PropertyObject).version;
      expect(version).toBe((before.get(key) as PropertyObject).version + (written.has(key) ? 1 : 0));
    }
    expect(after.has(absent)).toBe(false);
    expect(after.has(neverRead)).toBe(false);
    // Read again: the rows are answered from memory, the same.
    asked.length = 0;
    expect(await reading(() => undefined, [...keys, absent, neverRead])).toEqual(after);
    expect(asked).toEqual([]);
  });

  it('answers a key the tree lacks as absent without its row, and the scrub names a stray row there (decision #85)', async () => {
    const stray = `obj/${devObjectId(999_997)}`;
    await rawEdit((db) => db.put(Keys.state(stray), encode({ stray: true })));
    chain = await Chain.open({ dir, genesis });
    // the tree's answer, not the row's: what every node agrees on
    expect((await chain.getMany([stray])).has(stray)).toBe(false);
    const scrubbed = await chain.scrub().then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(scrubbed).toBeInstanceOf(StoreDamage);
    expect((scrubbed as StoreDamage).message).toContain('has no such key');
    expect((scrubbed as StoreDamage).row).toMatchObject({ key: stray });
  });

  it('hands out kept records decoded once and frozen: no reader can change what the next one reads', async () => {
    const key = `obj/${devObjectId(3)}`;
    const first = (await chain.getMany([key])).get(key) as PropertyObject;
    const kept = (await chain.getMany([key])).get(key) as PropertyObject;
    // Decoded once: the second read is the same record, not a second decoding of the row.
    expect(kept).toBe(first);
    const owners = JSON.stringify(first.owners);
    expect(() => {
      (first as { version: number }).version = 99;
    }).toThrow(TypeError);
    expect(() => (first.owners as unknown[]).push('someone else')).toThrow(TypeError);
    expect(() => {
      (first.owners[0] as { share: number[] }).share[0] = 2;
    }).toThrow(TypeError);
    const again = (await chain.getMany([key])).get(key) as PropertyObject;
    expect(again.version).toBe(1);
    expect(JSON.stringify(again.owners)).toBe(owners);
    // A record read from the store for the first time is frozen too (the same rule whether kept or not).
    const fresh = (await chain.getMany([`obj/${devObjectId(4)}`])).get(`obj/${devObjectId(4)}`);
    expect(Object.isFrozen(fresh)).toBe(true);
  });
});

describe('a read overtaken by a commit', () => {
  it('answers every record as at the root it began at, rows it kept and rows it read alike', async () => {
    const keys = Array.from({ length: 49 }, (_, i) => `obj/${devObjectId(i)}`);
    const before = await chain.getMany(keys); // every row kept at this root but the last object's
    const last = `obj/${devObjectId(49)}`;
    const store = chain.store;
    const lastBefore = decodeStateValue(last, (await store.getStateMany([last])).get(last)!);
    const read = store.getStateMany.bind(store);
    let written: string[] = [];
    // The read of the one row not kept returns, then a block commits before the check goes on.
    store.getStateMany = async (wanted: string[]) => {
      store.getStateMany = read;
      const rows = await read(wanted);
      const { block } = await commitTransfers(6);
      written = block.txs.map(
        (tx) => `obj/${(tx as Extract<Transaction, { type: 'transfer' }>).payload.contract.objectId}`,
      );
      return rows;
    };
    const answer = await chain.getMany([...keys, last]);
    expect(written).toHaveLength(6);
    expect(answer).toEqual(new Map([...before, [last, lastBefore]]));
    // and the next read is at the new root
    const after = await chain.getMany(keys);
    for (const key of written)
      expect((after.get(key) as PropertyObject).version).toBe((before.get(key) as PropertyObject).version + 1);
  });
});

describe('reads racing a commit', () => {
  it('answers "not yet" for a block and a commit whose read began before they were committed, never damage', async () => {
    const next = chain.head.height + 1;
    const store = chain.store;
    const readBlock = store.getBlockBytes.bind(store);
    const readCommit = store.getCommitBytes.bind(store);
    // Each read misses, then the block commits before the read returns (as on a loaded machine).
    store.getBlockBytes = async (height: number) => {
      const bytes = await readBlock(height);
      if (height === next) await commitTransfers(1);
      return bytes;
    };
    const block = await chain.getBlock(next);
    store.getBlockBytes = readBlock;
    expect(block).toBeUndefined();
    expect(chain.head.height).toBe(next);
    store.getCommitBytes = async (height: number) => {
      const bytes = await readCommit(height);
      if (height === next + 1) await commitTransfers(1);
      return bytes;
    };
    const commit = await chain.getCommit(next + 1);
    store.getCommitBytes = readCommit;
    expect(commit).toBeUndefined();
    expect(await chain.getBlock(next + 1)).toBeDefined();
  });
});
