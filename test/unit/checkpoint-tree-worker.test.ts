// A checkpoint's statement tree built on a worker thread from a real LevelDB view (decision #73):
// the same root as the tree built on the main thread from the same rows, proofs that verify, a
// kept entries file read back and checked against the signed root (a changed byte refused),
// and a build that stops when the node does.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  leafFields,
  propertyStatement,
  statementLeaf,
  StatementTreeBuilder,
  verifyBucketProof,
} from '../../shared/checkpoint/index.js';
import { stateKeyHash } from '../../shared/chain/execute.js';
import { bytesToHex, decode } from '../../shared/codec/index.js';
import { StateKey } from '../../shared/ledger/index.js';
import type { PropertyObject } from '../../shared/modules/property/types.js';
import { Chain } from '../../electron/node/chain/chain.js';
import { CheckpointFiles } from '../../electron/node/checkpoint/files.js';
import {
  addObjectRow,
  buildStatementTree,
  CheckpointStopped,
  loadStatementTree,
  STATEMENT_PAGE_ROWS,
} from '../../electron/node/checkpoint/tree-worker.js';
import { benchGenesis } from '../bench/common.js';
import { signedCheckpoint } from '../support/checkpoint-fixture.js';
import { generateKeyPair } from '../../shared/crypto/index.js';

const OBJECTS = 2_500; // three pages and a half, over 16 buckets
let dir: string;
let chain: Chain;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'notary-checkpoint-worker-'));
  chain = await Chain.open({ dir: join(dir, 'chain'), genesis: benchGenesis(OBJECTS), verifyWorkers: 0 });
}, 60_000);

afterAll(async () => {
  await chain?.close();
  await rm(dir, { recursive: true, force: true });
});

describe("a checkpoint's statement tree on a worker thread", () => {
  it('builds the root the main thread builds from the same rows, and proves from it [REQ-CKP.1]', async () => {
    const tree = await buildStatementTree(chain.store.stateView(), () => false, OBJECTS);
    const here = new StatementTreeBuilder();
    const rows: Array<[string, Uint8Array]> = [];
    const view = chain.store.stateView();
    try {
      for await (const page of view.rows(STATEMENT_PAGE_ROWS, StateKey.object(''))) rows.push(...page);
    } finally {
      await view.close();
    }
    for (const [key, value] of rows) addObjectRow(here, key, value);
    const reference = here.build();
    expect(tree.statements).toBe(OBJECTS);
    expect(bytesToHex(tree.root)).toBe(bytesToHex(reference.root));
    expect(bytesToHex(tree.layer)).toBe(bytesToHex(reference.layer));
    // a proof from the worker's tree rebuilds its layer from the statement's own leaf, and only from it
    let checked = 0;
    for (const [key, value] of rows.filter((_, i) => i % 500 === 17)) {
      const keyHash = stateKeyHash(key);
      const leaf = statementLeaf(leafFields(propertyStatement(decode(value) as PropertyObject)));
      const proof = tree.proof(keyHash)!;
      expect(verifyBucketProof(tree.layer, tree.bucketBits, keyHash, leaf, proof)).toBe(true);
      leaf[leaf.length - 1]! ^= 1;
      expect(verifyBucketProof(tree.layer, tree.bucketBits, keyHash, leaf, proof)).toBe(false);
      checked++;
    }
    expect(checked).toBe(5);
  });

  it('reads a kept tree back against its signed root, and refuses entries with a changed byte', async () => {
    const tree = await buildStatementTree(chain.store.stateView(), () => false);
    const path = join(dir, 'entries.bin');
    await writeFile(path, tree.entries);
    const root = bytesToHex(tree.root);
    const loaded = await loadStatementTree(path, root);
    expect(bytesToHex(loaded.root)).toBe(root);
    expect(bytesToHex(loaded.entries)).toBe(bytesToHex(tree.entries));

    const changed = new Uint8Array(await readFile(path));
    changed[64 * 100 + 40]! ^= 1; // a leaf hash byte
    await writeFile(path, changed);
    await expect(loadStatementTree(path, root)).rejects.toThrow(/do not build the checkpoint's signed root/);
    await expect(loadStatementTree(join(dir, 'missing.bin'), root)).rejects.toThrow(/ENOENT/);
  });

  it('reads a kept tree back once for requests that come together, and tries again after a failed read', async () => {
    const tree = await buildStatementTree(chain.store.stateView(), () => false);
    const set = [1, 2, 3].map((fill) => generateKeyPair(new Uint8Array(32).fill(fill)));
    const file = signedCheckpoint(tree, { chainId: chain.chainId, height: 7, timeMs: Date.UTC(2026, 11, 6), set });
    const folder = join(dir, 'checkpoints');
    await new CheckpointFiles(folder).save(file, tree);
    const quiet = { warn: () => undefined };
    const restarted = new CheckpointFiles(folder);
    await restarted.load(quiet);
    const [first, second] = await Promise.all([restarted.tree(7), restarted.tree(7)]);
    expect(first).toBe(second); // one read, not two of 64 bytes a statement each
    expect(bytesToHex(first!.root)).toBe(bytesToHex(tree.root));

    const entries = join(folder, '7', 'entries.bin');
    const good = await readFile(entries);
    const bad = Uint8Array.from(good);
    bad[64 * 3 + 40]! ^= 1;
    await writeFile(entries, bad);
    const again = new CheckpointFiles(folder);
    await again.load(quiet);
    await expect(again.tree(7)).rejects.toThrow(/do not build the checkpoint's signed root/);
    await writeFile(entries, good);
    expect(bytesToHex((await again.tree(7))!.root)).toBe(bytesToHex(tree.root));
    expect(await again.tree(8)).toBeUndefined();
  });

  it('stops building when the node stops, on its next page', async () => {
    let pages = 0;
    await expect(buildStatementTree(chain.store.stateView(), () => ++pages > 2)).rejects.toBeInstanceOf(
      CheckpointStopped,
    );
  });
});
