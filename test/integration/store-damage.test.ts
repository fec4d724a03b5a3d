// Damage to a stopped node's LevelDB store (issue 7).
//
// 1. Processes: a devnet of 2 validators + 1 observer. The observer is killed (-9), bytes of
//    its store's write-ahead log are flipped; `notary start` refuses with a sentence that names
//    the store and what to do, `notary audit` names the damage, and the repair is the operator
//    running `notary repair` (it moves the damaged chain folder aside): the node starts from genesis and re-syncs every
//    block from its peers (each verified by its commit certificate), to the same block hashes.
// 2. In process: a seeded matrix of flips and truncations of the store's files (log, tables,
//    manifest), each ending refused at open (a truncated log too: the committed-head file
//    records a higher head, STORE_ROLLED_BACK) or named by the audit; and single-row damage
//    the checksums cannot see, by row kind, each named by the audit.
import { cp, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ClassicLevel } from 'classic-level';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditChain } from '../../electron/node/chain/audit.js';
import { Chain } from '../../electron/node/chain/chain.js';
import { DataFiles } from '../../electron/node/config.js';
import { createFastVerifier } from '../../electron/node/crypto/fast-verify.js';
import { devCommitBlock, devGenesis, devTransfers } from '../../electron/node/dev/demo-registry.js';
import { Keys, Prefix } from '../../electron/node/store/keys.js';
import { decode } from '../../shared/codec/index.js';
import { Devnet, waitFor } from '../support/devnet-harness.js';
import { seededRandom } from '../support/prng.js';
import { runNotary } from '../support/notary-cli.js';

const notary = (...args: string[]) => runNotary(args);

/** A failing trial replays with STORE_DAMAGE_SEED. */
const prng = seededRandom;

async function flipFileByte(file: string, at: number, bit = 0): Promise<void> {
  const bytes = await readFile(file);
  bytes[at % bytes.length]! ^= 1 << bit;
  await writeFile(file, bytes);
}

describe('a damaged observer store in a 2-validator + 1-observer devnet (processes)', () => {
  let devnet: Devnet;
  beforeAll(async () => {
    devnet = await Devnet.create({ validators: 2, observers: 1, objects: 50, heartbeatMs: 300 });
    await devnet.startAll();
  });
  afterAll(async () => {
    await devnet?.stop();
  });

  it('refuses to start, the audit names the damage, and moving the chain folder aside re-syncs it from peers', async () => {
    const observer = devnet.node('observer-1');
    const validator = devnet.node('node-1');
    await waitFor(
      'the observer at height 5',
      async () => ((await observer.status()).height >= 5 ? true : undefined),
      60_000,
    );
    await observer.kill();
    const chainDir = join(observer.info.dataDir, DataFiles.chain);
    const log = (await readdir(chainDir)).find((name) => name.endsWith('.log'))!;
    const size = (await readFile(join(chainDir, log))).length;
    await flipFileByte(join(chainDir, log), Math.floor(size / 2), 3);

    // Start: refused with one sentence naming the store and the remedy, no stack trace.
    const started = await notary('start', '--data', observer.info.dataDir);
    expect(started.code).not.toBe(0);
    expect(started.stderr).toMatch(
      /The store at .*chain is corrupt: .*Run `notary audit` or re-sync from peers\. To re-sync it from peers: notary repair --data \S+ \(moves the chain folder aside\), then start again\./,
    );
    expect(started.stderr).not.toMatch(/\n\s+at /);
    // Audit: names the damage (LevelDB's checksum finding), exit 1.
    const audit = await notary('audit', '--data', observer.info.dataDir);
    expect(audit.code).toBe(1);
    expect(`${audit.stdout}${audit.stderr}`).toMatch(/corrupt|checksum|DAMAGE/i);

    // Repair: the operator runs the one command (it moves the damaged folder aside) and starts the node again.
    const repaired = await notary('repair', '--data', observer.info.dataDir);
    expect(repaired, repaired.stderr).toMatchObject({
      code: 0,
      stdout: expect.stringMatching(/^repair: moved the chain folder to .*chain\.damaged-\d{8}T\d{6}Z\./),
    });
    const target = (await validator.status()).height;
    await observer.start();
    await waitFor(
      `the observer re-synced to height ${target}`,
      async () => ((await observer.status()).height >= target ? true : undefined),
      60_000,
    );
    for (let height = 1; height <= target; height++) {
      const [ours, theirs] = [await observer.block(height), await validator.block(height)];
      expect(ours?.hash, `block ${height}`).toBe(theirs?.hash);
    }
    // And it keeps following the chain.
    await waitFor(
      'the observer following new blocks',
      async () => ((await observer.status()).height > target ? true : undefined),
      30_000,
    );
    await observer.kill();
    expect(await notary('audit', '--data', observer.info.dataDir)).toMatchObject({
      code: 0,
      stdout: expect.stringMatching(/^audit: clean, /),
    });
  }, 150_000);
});

describe('a matrix of file damage (in process, seeded)', () => {
  const SEED = Number(process.env.STORE_DAMAGE_SEED ?? 7);
  const genesis = devGenesis({ objects: 60, parties: 10 });
  const verify = createFastVerifier();
  let root: string;
  let original: string;
  let head: { height: number; hash: string };

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'notary-damage-'));
    original = join(root, 'original');
    const chain = await Chain.open({ dir: original, genesis });
    for (let i = 0; i < 20; i++) {
      const timeMs = chain.head.header.timeMs + 1_000;
      await devCommitBlock(
        chain,
        await devTransfers(chain, 4, { objects: 60, parties: 10, seed: i, nowMs: timeMs }),
        timeMs,
      );
    }
    head = { height: chain.head.height, hash: chain.head.hash };
    await chain.close();
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  type Outcome = 'refused at open' | 'named by audit' | 'earlier head, audit clean' | 'undetected';

  async function judge(dir: string): Promise<{ outcome: Outcome; detail: string }> {
    let chain: Chain;
    try {
      chain = await Chain.open({ dir, genesis });
    } catch (error) {
      const { code, message } = error as { code?: string; message: string };
      expect(code).toMatch(/^STORE_/);
      if (code === 'STORE_ROLLED_BACK')
        expect(message).toMatch(
          /lost committed blocks? .*Move the chain folder aside .*re-syncs every block from its peers/,
        );
      else expect(message).toMatch(/Run `notary audit` or re-sync from peers\.$/);
      return { outcome: 'refused at open', detail: code! };
    }
    try {
      const report = await auditChain(chain.store, genesis, { verify });
      if (!report.ok) {
        // Every damage message names the row: its kind and key.
        expect(report.problem!.message).toMatch(
          /^row (block|commit|block-hash|state|state-node|tx-location|object-history|party-object|meta) \S+.*: /,
        );
        return {
          outcome: 'named by audit',
          detail: `height ${report.problem!.height}: ${report.problem!.message.slice(0, 200)}`,
        };
      }
      if (chain.head.height < head.height)
        return { outcome: 'earlier head, audit clean', detail: `head ${chain.head.height} of ${head.height}` };
      return { outcome: 'undetected', detail: 'audit clean at the same head' };
    } finally {
      await chain.close();
    }
  }

  /** Which row kinds differ from the original store (after damage the audit did not name). */
  async function differingRows(dir: string): Promise<string[]> {
    const read = async (path: string) => {
      const db = new ClassicLevel<Uint8Array, Uint8Array>(path, { keyEncoding: 'view', valueEncoding: 'view' });
      await db.open();
      const rows = new Map<string, string>();
      for await (const [key, value] of db.iterator())
        rows.set(Buffer.from(key).toString('hex'), Buffer.from(value).toString('hex'));
      await db.close();
      return rows;
    };
    // Opening a LevelDB folder rewrites it (the log becomes a table): read a copy, never `original`.
    const reference = join(root, 'reference');
    await rm(reference, { recursive: true, force: true });
    await cp(original, reference, { recursive: true });
    const [a, b] = [await read(reference), await read(dir)];
    const kinds = new Set<string>();
    for (const key of new Set([...a.keys(), ...b.keys()]))
      if (a.get(key) !== b.get(key)) kinds.add(String.fromCharCode(parseInt(key.slice(0, 2), 16)));
    return [...kinds].sort();
  }

  it('flips and truncations of the log, tables and manifest: refused or named; undetected only when no row changed', async () => {
    // A second copy whose log was compacted into a table file at reopen: damage then lands in .ldb files.
    const compacted = join(root, 'compacted');
    await cp(original, compacted, { recursive: true });
    await (await Chain.open({ dir: compacted, genesis })).close();
    const random = prng(SEED);
    const tally: Record<string, number> = {};
    const gaps: string[] = [];
    for (let trial = 0; trial < 32; trial++) {
      const source = trial % 2 === 0 ? original : compacted;
      const dir = join(root, `trial-${trial}`);
      await cp(source, dir, { recursive: true });
      // Data files three times as likely as the manifest.
      const files = (await readdir(dir))
        .filter((name) => /\.(log|ldb)$|^MANIFEST-/.test(name) && !(name.endsWith('.log') && source === compacted))
        .flatMap((name) => (name.startsWith('MANIFEST-') ? [name] : [name, name, name]));
      const file = files[Math.floor(random() * files.length)]!;
      const bytes = await readFile(join(dir, file));
      const at = Math.floor(random() * bytes.length);
      const truncate = random() < 0.4;
      if (truncate) await writeFile(join(dir, file), bytes.subarray(0, at));
      else await flipFileByte(join(dir, file), at, Math.floor(random() * 8));
      const { outcome, detail } = await judge(dir);
      const what = `${truncate ? 'truncate' : 'flip'} ${file.replace(/\d+/, 'N')}: ${outcome}${outcome === 'refused at open' ? ` (${detail})` : ''}`;
      tally[what] = (tally[what] ?? 0) + 1;
      if (outcome === 'undetected' || outcome === 'earlier head, audit clean') {
        // A flip in a table's unused bytes changes nothing; any changed row must have been named.
        const rows = await differingRows(dir);
        if (rows.length > 0) gaps.push(`${what}: rows ${rows.join(',')} differ`);
        expect(rows, `${what} ${detail}`).toEqual([]);
      }
      await rm(dir, { recursive: true, force: true });
    }
    console.log(
      `store damage matrix (seed ${SEED}): ${JSON.stringify(tally, null, 1)}\naudit gaps: ${JSON.stringify(gaps)}`,
    );
  });

  async function damageRow(prefix: number, pick: (key: Uint8Array) => boolean, source = original): Promise<string> {
    const dir = join(root, `row-${prefix}-${Math.random().toString(36).slice(2)}`);
    await cp(source, dir, { recursive: true });
    const db = new ClassicLevel<Uint8Array, Uint8Array>(dir, { keyEncoding: 'view', valueEncoding: 'view' });
    await db.open();
    for await (const [key, value] of db.iterator({ gte: Uint8Array.of(prefix), lt: Uint8Array.of(prefix + 1) })) {
      if (!pick(key)) continue;
      const damaged = new Uint8Array(value);
      damaged[damaged.length >> 1]! ^= 0x04;
      await db.put(key, damaged);
      break;
    }
    await db.close();
    return dir;
  }

  it('a flipped byte in a block below the head, a commit or a state record: named by the audit', async () => {
    for (const [prefix, what] of [
      [Prefix.block, 'block 5'],
      [Prefix.commit, 'commit 7'],
      [Prefix.state, 'a state record'],
    ] as const) {
      const key = what === 'block 5' ? Keys.block(5) : what === 'commit 7' ? Keys.commit(7) : undefined;
      const dir = await damageRow(
        prefix,
        (candidate) => key === undefined || Buffer.compare(Buffer.from(candidate), Buffer.from(key)) === 0,
      );
      expect((await judge(dir)).outcome, what).toMatch(/refused at open|named by audit/);
    }
  });

  it("a block whose bytes are no longer canonical CBOR: the message names the row (block 0), not only the codec's sentence", async () => {
    const dir = join(root, 'row-block-0');
    await cp(original, dir, { recursive: true });
    const db = new ClassicLevel<Uint8Array, Uint8Array>(dir, { keyEncoding: 'view', valueEncoding: 'view' });
    await db.open();
    const bytes = new Uint8Array((await db.get(Keys.block(0)))!);
    // The first single-bit flip that leaves CBOR the codec refuses as non-canonical.
    const at = bytes.findIndex((_, i) => {
      const copy = bytes.slice();
      copy[i]! ^= 0x01;
      try {
        decode(copy);
        return false;
      } catch (error) {
        return /not the canonical encoding/.test((error as Error).message);
      }
    });
    expect(at).toBeGreaterThanOrEqual(0);
    bytes[at]! ^= 0x01;
    await db.put(Keys.block(0), bytes);
    await db.close();
    expect(await judge(dir)).toEqual({
      outcome: 'named by audit',
      detail: 'height 0: row block 0: not the canonical encoding of its value',
    });
  });

  // Rows the replay itself never reads (issue 7, gap 1, fixed): LevelDB does not verify table
  // checksums on reads, so the audit walks the state tree from the head state root (each node
  // present and hashing to its key) and compares the tree node and index rows ('t' tx locations,
  // 'o' object history, 'p' party objects) with the ones its replay wrote.
  it('a flipped byte in a state-tree node: named by the audit', async () => {
    const dir = await damageRow(Prefix.smtNode, () => true);
    const { outcome, detail } = await judge(dir);
    expect(outcome).toMatch(/refused at open|named by audit/);
    expect(detail).toMatch(/row state-node [0-9a-f]{64}/);
  });

  it('a flipped byte in a state-tree node under the head state root: named as damaged by the tree walk', async () => {
    const dir = join(root, `row-head-node`);
    await cp(original, dir, { recursive: true });
    const chain = await Chain.open({ dir, genesis });
    const rootHash = chain.head.header.stateRoot;
    await chain.close();
    const damaged = await damageRow(
      Prefix.smtNode,
      (key) => Buffer.from(key.subarray(1)).toString('hex') === rootHash,
      dir,
    );
    expect(await judge(damaged)).toEqual({
      outcome: 'named by audit',
      detail: expect.stringMatching(new RegExp(`row state-node ${rootHash}: damaged under the head state root`)),
    });
  });

  it('a flipped byte in an object-history index row: named by the audit with its object and height', async () => {
    const dir = await damageRow(Prefix.objectHistory, () => true);
    const { outcome, detail } = await judge(dir);
    expect(outcome).toBe('named by audit');
    expect(detail).toMatch(/^height \d+: row object-history \S+ at height \d+, index \d+: differs/);
  });

  it('a flipped byte in a tx-location index row: named by the audit with its tx hash', async () => {
    const dir = await damageRow(Prefix.txLocation, () => true);
    const { outcome, detail } = await judge(dir);
    expect(outcome).toBe('named by audit');
    expect(detail).toMatch(/row tx-location [0-9a-f]{64}: /);
  });

  it('a flipped byte in a party index row, or a party row lost: named by the audit', async () => {
    const flipped = await damageRow(Prefix.partyObject, () => true);
    expect(await judge(flipped)).toMatchObject({
      outcome: 'named by audit',
      detail: expect.stringMatching(/row party-object \S+ holding \S+: /),
    });
    const lost = join(root, 'row-party-lost');
    await cp(original, lost, { recursive: true });
    const db = new ClassicLevel<Uint8Array, Uint8Array>(lost, { keyEncoding: 'view', valueEncoding: 'view' });
    await db.open();
    const [key] = await db
      .keys({ gte: Uint8Array.of(Prefix.partyObject), lt: Uint8Array.of(Prefix.partyObject + 1), limit: 1 })
      .all();
    await db.del(key!);
    await db.close();
    expect(await judge(lost)).toMatchObject({
      outcome: 'named by audit',
      detail: expect.stringMatching(/row party-object \S+ holding \S+: missing from the store/),
    });
  });
});
