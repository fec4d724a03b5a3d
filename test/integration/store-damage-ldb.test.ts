// Damage inside LevelDB table files (.ldb) of a stopped node's store (defects issue, item 1).
//
// LevelDB does not verify its block checksums on reads (classic-level 3 has no
// verify_checksums option), so a byte flipped inside a table can hand back a wrong value, a
// wrong key, or make a row vanish, without a word. The chain therefore checks what it reads:
// a state-tree node must hash to its key, a state record must hash to the head state tree's
// leaf (or be absent from both), a block must be the block recorded for its height with its
// transactions hashing to its txRoot, a commit must certify that block.
//
// The matrix: bytes flipped at seeded random offsets of the .ldb files; each case must end
// refused at open with a sentence, or with every read either answering exactly what the
// undamaged store answers or failing with StoreDamage naming the row (kind and key), and the
// scrub (run by the node once after start) naming any damage a read found or any read that
// answered differently (a row whose key the flip changed looks absent to a lookup). Never a
// silently different answer. A failing case prints its seed; DAMAGE_SEED=N replays it,
// DAMAGE_TRIALS=N runs more (default 64).
//
// Then the node's reaction, with real parts: damaged state, no signing, NODE_DAMAGED, status,
// metrics, and `notary repair`.
import { cp, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ClassicLevel } from 'classic-level';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { statusSchema } from '../../shared/api/index.js';
import { bytesToHex, utf8 } from '../../shared/codec/index.js';
import { sha256, type KeyPair } from '../../shared/crypto/index.js';
import { StateKey, decodeStateValue, txHash, type Genesis, type PropertyObject } from '../../shared/ledger/index.js';
import { smtLeafHash } from '../../shared/smt/index.js';
import { Chain } from '../../electron/node/chain/chain.js';
import { repairStore } from '../../electron/node/cli/repair.js';
import { DataFiles } from '../../electron/node/config.js';
import {
  devCommitBlock,
  devGenesis,
  devKeys,
  devObjectId,
  devParty,
  devTransfer,
  devTransfers,
} from '../../electron/node/dev/demo-registry.js';
import { initNode } from '../../electron/node/setup/init.js';
import { unlockKeystore } from '../../electron/node/keystore/index.js';
import { NotaryNode } from '../../electron/node/node.js';
import { StoreDamage } from '../../electron/node/store/errors.js';
import { Keys } from '../../electron/node/store/keys.js';
import { waitFor } from '../support/devnet-harness.js';
import { seededRandom } from '../support/prng.js';

const prng = seededRandom;

const OBJECTS = 60;
const genesis = devGenesis({ objects: OBJECTS, parties: 10 });

/** Every read the node's API and consensus make of a chain, keyed by what was read, as JSON. */
type Reads = Map<string, () => Promise<unknown>>;

function readsOf(chain: Chain, txHashes: string[]): Reads {
  const reads: Reads = new Map();
  const json = (value: unknown) => JSON.stringify(value ?? null);
  for (let i = 0; i < OBJECTS; i++) {
    const id = devObjectId(i);
    reads.set(`record ${id}`, async () => json(await chain.getRecord(StateKey.object(id))));
    reads.set(`certificate ${id}`, async () => json(await chain.certificate(id)));
  }
  for (const key of [StateKey.validatorSchedule, StateKey.authorityIndex])
    reads.set(`record ${key}`, async () => json(await chain.getRecord(key)));
  for (let height = 0; height <= chain.head.height; height++) {
    reads.set(`block ${height}`, async () => json(await chain.getBlock(height)));
    reads.set(`commit ${height}`, async () => json(await chain.getCommit(height)));
  }
  for (const hash of txHashes) reads.set(`receipt ${hash.slice(0, 12)}`, async () => json(await chain.receipt(hash)));
  return reads;
}

/** Damage is named: StoreDamage, its row's kind and key in the sentence. */
function expectNamedDamage(error: unknown, what: string): void {
  expect(error, `${what}: ${(error as Error).stack}`).toBeInstanceOf(StoreDamage);
  const damage = error as StoreDamage;
  expect(damage.row, `${what}: ${damage.message}`).toBeDefined();
  expect(damage.message).toMatch(
    /^The store at .* is corrupt: row (block|commit|block-hash|state|state-node|tx-location|object-history|party-object|meta) \S+.*Run `notary audit` or re-sync from peers\.$/s,
  );
}

describe('bytes flipped inside LevelDB tables (.ldb), seeded', () => {
  const SEED = Number(process.env.DAMAGE_SEED ?? 20261204);
  const TRIALS = process.env.DAMAGE_SEED === undefined ? Number(process.env.DAMAGE_TRIALS ?? 64) : 1;
  let root: string;
  let original: string;
  let txHashes: string[];
  let expected: Map<string, unknown>;

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'notary-ldb-damage-'));
    original = join(root, 'original');
    const chain = await Chain.open({ dir: original, genesis });
    txHashes = [];
    for (let i = 0; i < 12; i++) {
      const timeMs = chain.head.header.timeMs + 1_000;
      const txs = await devTransfers(chain, 4, { objects: OBJECTS, parties: 10, seed: i, nowMs: timeMs });
      txHashes.push(...txs.map((tx) => txHash(tx)));
      await devCommitBlock(chain, txs, timeMs);
    }
    // Every row into table files: the damage below lands in .ldb files only.
    await chain.store.compact();
    expected = new Map();
    for (const [what, read] of readsOf(chain, txHashes)) expected.set(what, await read());
    await chain.close();
    await (await Chain.open({ dir: original, genesis })).close();
    for (const name of await readdir(original)) if (name.endsWith('.log')) await rm(join(original, name));
  }, 60_000);

  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('each case is refused at open, or named by StoreDamage (its row, kind and key) on a read or by the scrub, or every read answers exactly as before; never a silently different answer', async () => {
    const tables = (await readdir(original)).filter((name) => name.endsWith('.ldb'));
    expect(tables.length).toBeGreaterThan(0);
    const tally: Record<string, number> = {};
    const silent: string[] = [];
    for (let trial = 0; trial < TRIALS; trial++) {
      const seed = SEED + trial;
      const random = prng(seed);
      const dir = join(root, `trial-${seed}`);
      await cp(original, dir, { recursive: true });
      const file = tables[Math.floor(random() * tables.length)]!;
      const bytes = await readFile(join(dir, file));
      const at = Math.floor(random() * bytes.length);
      const bit = Math.floor(random() * 8);
      bytes[at]! ^= 1 << bit;
      await writeFile(join(dir, file), bytes);
      const replay = `(replay: DAMAGE_SEED=${seed}; ${file} byte ${at} of ${bytes.length}, bit ${bit})`;

      let chain: Chain;
      try {
        chain = await Chain.open({ dir, genesis });
      } catch (error) {
        const { code, message } = error as { code?: string; message: string };
        expect(code, `${replay} ${message}`).toMatch(/^STORE_/);
        expect(message, replay).toMatch(
          /Run `notary audit` or re-sync from peers\.$|re-syncs every block from its peers/,
        );
        tally['refused at open'] = (tally['refused at open'] ?? 0) + 1;
        await rm(dir, { recursive: true, force: true });
        continue;
      }
      let detected: StoreDamage | undefined;
      const different: string[] = [];
      let scrubbed: StoreDamage | undefined;
      try {
        for (const [what, read] of readsOf(chain, txHashes)) {
          let answer: unknown;
          try {
            answer = await read();
          } catch (error) {
            expectNamedDamage(error, `${what} ${replay}`);
            detected ??= error as StoreDamage;
            continue;
          }
          if (answer !== expected.get(what)) different.push(`${what} answered differently ${replay}`);
        }
        // The scrub (the node runs it in the background after start) checks every row against
        // what it points at: it finds rows whose key the damage changed, which no read can.
        try {
          await chain.scrub();
        } catch (error) {
          expectNamedDamage(error, `scrub ${replay}`);
          scrubbed = error as StoreDamage;
        }
      } finally {
        await chain.close();
      }
      // Never a silently different answer: a read that answered differently is in a case the scrub names.
      if (different.length > 0 && !scrubbed) silent.push(...different);
      if (detected && !scrubbed) silent.push(`the scrub missed damage a read found (${detected.message}) ${replay}`);
      const outcome = detected
        ? `detected on read (${detected.row!.kind})`
        : scrubbed
          ? `found by the scrub (${scrubbed.row!.kind})${different.length > 0 ? ' after a read answered differently' : ''}`
          : 'harmless: every read as before';
      tally[outcome] = (tally[outcome] ?? 0) + 1;
      await rm(dir, { recursive: true, force: true });
    }
    console.log(`ldb damage matrix (seeds ${SEED}..${SEED + TRIALS - 1}): ${JSON.stringify(tally)}`);
    expect(silent, 'reads that answered differently without naming the damage').toEqual([]);
  }, 60_000);
});

describe('a state-tree node missing from the store', () => {
  it("is StoreDamage naming the node, for a certificate and for a block built on it, not the tree's MISSING_NODE", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'notary-missing-node-'));
    const chain = await Chain.open({ dir, genesis });
    try {
      const id = devObjectId(3);
      const record = (await chain.store.getState(StateKey.object(id)))!;
      const leaf = bytesToHex(smtLeafHash(sha256(utf8(StateKey.object(id))), sha256(record)));
      await chain.close();
      const db = new ClassicLevel<Uint8Array, Uint8Array>(dir, { keyEncoding: 'view', valueEncoding: 'view' });
      await db.open();
      await db.del(Keys.smtNode(leaf));
      await db.close();
      const reopened = await Chain.open({ dir, genesis, durable: false });
      try {
        const refused = await reopened.certificate(id).then(
          () => undefined,
          (error: unknown) => error,
        );
        expect(refused).toBeInstanceOf(StoreDamage);
        expect((refused as StoreDamage).row).toEqual({ kind: 'state-node', key: leaf });
        // A block with a transfer of that object: its execution walks to the missing leaf.
        const timeMs = reopened.head.header.timeMs + 1_000;
        const object = decodeStateValue(StateKey.object(id), record) as PropertyObject;
        const parties = [...Array.from({ length: 10 }, (_, i) => devParty(i)), devParty(60)];
        const tx = devTransfer(object, devParty(60), parties, { chainId: genesis.chainId, nowMs: timeMs, nonce: 1 });
        const built = await reopened.propose([tx], { timeMs, proposer: devKeys.notary.publicKey }).then(
          () => undefined,
          (error: unknown) => error,
        );
        expect(built).toBeInstanceOf(StoreDamage);
        expect((built as StoreDamage).row).toEqual({ kind: 'state-node', key: leaf });
      } finally {
        await reopened.close();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 60_000);
});

// The checks must never mistake a block committed during a read for damage: the state rows
// and the head state root are read at different moments.
describe('verified reads racing commits', () => {
  it('reads of records the blocks change, while 15 blocks commit, are never reported as damage', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'notary-race-'));
    const chain = await Chain.open({ dir, genesis });
    try {
      let committing = true;
      const reader = (async () => {
        let reads = 0;
        while (committing) {
          await Promise.all(
            Array.from({ length: OBJECTS }, (_, i) => chain.getRecord(StateKey.object(devObjectId(i)))),
          );
          reads++;
          // Rows a block did not write are answered from memory, without a read that yields to
          // the event loop: a reader this tight must let the commits run, as requests do.
          await new Promise((resolve) => setImmediate(resolve));
        }
        return reads;
      })();
      for (let i = 0; i < 15; i++) {
        const timeMs = chain.head.header.timeMs + 1_000;
        await devCommitBlock(
          chain,
          await devTransfers(chain, 8, { objects: OBJECTS, parties: 10, seed: 100 + i, nowMs: timeMs }),
          timeMs,
        );
      }
      committing = false;
      expect(await reader).toBeGreaterThan(0);
      await chain.scrub();
    } finally {
      await chain.close();
      await rm(dir, { recursive: true, force: true });
    }
  }, 60_000);
});

// The node's reaction (a running dev node, real parts): damage it meets puts it in the damaged
// state once. It signs and proposes nothing more, refuses submissions with NODE_DAMAGED and a
// sentence (never `pending`), answers reads that hit the damage with the same code (never a
// 500), and says so in its status and metrics; `notary repair` is refused while it runs and
// moves the chain folder aside once it is stopped.
describe('a dev node that meets damage in its store', () => {
  let root: string;
  let dataDir: string;
  let node: NotaryNode | undefined;
  const passphrase = 'a test passphrase for the damage test';

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'notary-damaged-node-'));
  });

  afterAll(async () => {
    await node?.stop().catch(() => undefined);
    await rm(root, { recursive: true, force: true });
  });

  const start = () =>
    NotaryNode.start({
      dataDir,
      passphrase,
      api: { host: '127.0.0.1', port: 0 },
      logger: pino({ level: 'silent' }),
      uiDir: null,
    });

  async function api(path: string, init: RequestInit = {}): Promise<{ status: number; body: unknown; text: string }> {
    const token = (await readFile(join(dataDir, 'api-token'), 'utf8')).trim();
    const response = await fetch(`${node!.apiUrl}${path}`, { ...init, headers: { authorization: `Bearer ${token}` } });
    const text = await response.text();
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      body = undefined;
    }
    return { status: response.status, body, text };
  }

  /** A fresh dev node (20 objects, 200 ms heartbeat) that committed a few blocks, stopped. */
  async function stoppedDevNode(name: string): Promise<{ genesis: Genesis; notary: KeyPair }> {
    dataDir = join(root, name);
    await initNode({ dataDir, dev: true, role: 'notary', name: 'Damaged office', passphrase, objects: 20 });
    const configPath = join(dataDir, DataFiles.config);
    const config = JSON.parse(await readFile(configPath, 'utf8')) as { consensus?: Record<string, number> };
    config.consensus = { ...config.consensus, heartbeatMs: 200 };
    await writeFile(configPath, JSON.stringify(config));
    node = await start();
    await waitFor('a few blocks', async () => (node!.chain.head.height >= 3 ? true : undefined), 30_000, 50);
    const genesis = node.chain.genesis;
    await node.stop();
    node = undefined;
    return { genesis, notary: await unlockKeystore(join(dataDir, DataFiles.signingKeystore), passphrase) };
  }

  async function withRawStore<T>(run: (db: ClassicLevel<Uint8Array, Uint8Array>) => Promise<T>): Promise<T> {
    const db = new ClassicLevel<Uint8Array, Uint8Array>(join(dataDir, DataFiles.chain), {
      keyEncoding: 'view',
      valueEncoding: 'view',
    });
    await db.open();
    try {
      return await run(db);
    } finally {
      await db.close();
    }
  }

  function transfer(genesis: Genesis, notary: KeyPair, index: number) {
    const input = genesis.properties![index]!;
    const object: PropertyObject = { ...input, encumbrances: [], version: 1, registeredHeight: 0, updatedHeight: 0 };
    const parties = [...Array.from({ length: 50 }, (_, i) => devParty(i)), devParty(60)];
    return devTransfer(object, devParty(60), parties, {
      chainId: genesis.chainId,
      nowMs: Date.now(),
      nonce: index,
      notary,
    });
  }

  it('stops signing, refuses submissions with NODE_DAMAGED (never pending), reports damaged in status and metrics; repair moves the chain aside', async () => {
    const { genesis, notary } = await stoppedDevNode('state-record');
    // The state record of one object damaged (one byte of its value), as a flip in a table would leave it.
    const damagedId = genesis.properties![7]!.id;
    await withRawStore(async (db) => {
      const key = Keys.state(StateKey.object(damagedId));
      const value = new Uint8Array((await db.get(key))!);
      value[value.length - 3]! ^= 0x01;
      await db.put(key, value);
    });

    node = await start();
    // A transfer of the damaged object: refused with the code and a sentence, not acknowledged `pending`.
    const submitted = await api('/api/v1/txs', { method: 'POST', body: JSON.stringify(transfer(genesis, notary, 7)) });
    expect(submitted.status, submitted.text).toBe(503);
    expect(submitted.body).toEqual({
      error: {
        code: 'NODE_DAMAGED',
        message: expect.stringMatching(
          new RegExp(
            `store damaged \\(row state obj/${damagedId}: .*notary repair --data ${dataDir.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}`,
          ),
        ),
      },
    });
    const heightAtDamage = node.chain.head.height;
    const signedAtDamage = await readFile(join(dataDir, DataFiles.privValidator), 'utf8').catch(() => '');

    // Status and metrics say so; `online` is no longer claimed.
    const status = statusSchema.parse((await api('/api/v1/status')).body);
    expect(status.online).toBe(false);
    expect(status.damaged).toMatchObject({
      where: `row state obj/${damagedId}`,
      what: expect.stringMatching(/does not hash to the state tree's leaf/),
      repair: `notary repair --data ${dataDir}`,
    });
    expect((await api('/metrics')).text).toMatch(/^notary_store_damaged 1$/m);

    // A read that hits the damage answers the code, not 500; every submission is refused now.
    expect(await api(`/api/v1/properties/${encodeURIComponent(damagedId)}`)).toMatchObject({
      status: 503,
      body: { error: { code: 'NODE_DAMAGED' } },
    });
    expect(
      await api('/api/v1/txs', { method: 'POST', body: JSON.stringify(transfer(genesis, notary, 3)) }),
    ).toMatchObject({ status: 503, body: { error: { code: 'NODE_DAMAGED' } } });

    // Nothing more is signed: no block, no vote, over many heartbeats.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(node.chain.head.height).toBe(heightAtDamage);
    expect(await readFile(join(dataDir, DataFiles.privValidator), 'utf8').catch(() => '')).toBe(signedAtDamage);

    // Repair: refused while the node runs; once stopped, the chain folder is moved aside.
    await expect(repairStore(dataDir)).rejects.toThrow(/A notary node is using .*chain.*stop it first/);
    await node.stop();
    node = undefined;
    const aside = await repairStore(dataDir, new Date(Date.UTC(2026, 11, 4, 3, 15)));
    expect(aside).toBe(join(dataDir, 'chain.damaged-20261204T031500Z'));
    expect((await readdir(dataDir)).filter((name) => name.startsWith('chain'))).toEqual([
      'chain.damaged-20261204T031500Z',
    ]);
  }, 60_000);

  it('a state-tree node that does not hash to its key (the CORRUPT_NODE of the report): named at start, the node damaged before it acknowledges anything', async () => {
    const { genesis, notary } = await stoppedDevNode('tree-node');
    const damagedId = genesis.properties![9]!.id;
    // The leaf of the object's record in the state tree: hash(keyHash, valueHash).
    const leafHash = await withRawStore(async (db) => {
      const record = (await db.get(Keys.state(StateKey.object(damagedId))))!;
      const hash = bytesToHex(smtLeafHash(sha256(utf8(StateKey.object(damagedId))), sha256(record)));
      const nodeBytes = new Uint8Array((await db.get(Keys.smtNode(hash)))!);
      nodeBytes[40]! ^= 0x10;
      await db.put(Keys.smtNode(hash), nodeBytes);
      return hash;
    });
    node = await start();
    const status = await waitFor(
      'the node to report the damage',
      async () => statusSchema.parse((await api('/api/v1/status')).body).damaged,
      10_000,
      50,
    );
    expect(status).toMatchObject({ where: `row state-node ${leafHash}`, what: 'the node does not hash to its key' });
    expect(
      await api('/api/v1/txs', { method: 'POST', body: JSON.stringify(transfer(genesis, notary, 9)) }),
    ).toMatchObject({ status: 503, body: { error: { code: 'NODE_DAMAGED' } } });
    expect(await api(`/api/v1/properties/${encodeURIComponent(damagedId)}`)).toMatchObject({
      status: 503,
      body: { error: { code: 'NODE_DAMAGED' } },
    });
    const height = node.chain.head.height;
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(node.chain.head.height).toBe(height);
    await node.stop();
    node = undefined;
  }, 60_000);

  it('a row whose key a damaged table changed (a committed transfer then looks uncommitted): found by the background scrub', async () => {
    const { genesis, notary } = await stoppedDevNode('moved-key');
    // One committed transfer, so that there is a tx-location row to damage.
    node = await start();
    const tx = transfer(genesis, notary, 5);
    expect((await api('/api/v1/txs', { method: 'POST', body: JSON.stringify(tx) })).status).toBe(202);
    const hash = txHash(tx);
    await waitFor(
      'the transfer final',
      async () => ((await api(`/api/v1/txs/${hash}`)).body as { state: string }).state === 'final' || undefined,
      20_000,
      50,
    );
    await node.stop();
    node = undefined;
    // Its tx-location row moved to another key (one bit of the key), as a flip in a table's key bytes leaves it.
    const moved = await withRawStore(async (db) => {
      const key = Keys.txLocation(hash);
      const value = (await db.get(key))!;
      const other = new Uint8Array(key);
      other[20]! ^= 0x04;
      await db.batch([
        { type: 'del', key },
        { type: 'put', key: other, value },
      ]);
      return bytesToHex(other.subarray(1));
    });
    node = await start();
    const damaged = await waitFor(
      'the scrub to find the moved row',
      async () => statusSchema.parse((await api('/api/v1/status')).body).damaged,
      20_000,
      50,
    );
    expect(damaged).toMatchObject({
      where: `row tx-location ${moved}`,
      what: expect.stringMatching(/^the transaction at height \d+, index 0 is not this one$/),
    });
    expect(
      await api('/api/v1/txs', { method: 'POST', body: JSON.stringify(transfer(genesis, notary, 6)) }),
    ).toMatchObject({ status: 503, body: { error: { code: 'NODE_DAMAGED' } } });
    await node.stop();
    node = undefined;
  }, 60_000);
});
