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
import {
  addObjectRow,
  buildStatementTree,
  CheckpointStopped,
  loadStatementTree,
  STATEMENT_PAGE_ROWS,
} from '../../electron/node/checkpoint/tree-worker.js';
import { benchGenesis } from '../bench/common.js';

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

  it('stops building when the node stops, on its next page', async () => {
    let pages = 0;
    await expect(buildStatementTree(chain.store.stateView(), () => ++pages > 2)).rejects.toBeInstanceOf(
      CheckpointStopped,
    );
  });
});
