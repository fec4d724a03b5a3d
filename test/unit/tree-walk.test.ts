// The tree walker (admission's record checks): its answer for a key, at any root, is the
// state tree's own (SparseMerkleTree.get), whatever it keeps and however little; a node the
// store lacks or holds damaged is StoreDamage naming the node, never a wrong answer.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bytesToHex, utf8 } from '../../shared/codec/index.js';
import { sha256 } from '../../shared/crypto/index.js';
import { MemoryNodeStore, SparseMerkleTree } from '../../shared/smt/index.js';
import { CachedNodeReader } from '../../electron/node/chain/node-cache.js';
import { TreeWalker } from '../../electron/node/chain/tree-walk.js';
import { StoreDamage } from '../../electron/node/store/errors.js';

const keyHash = (i: number) => sha256(utf8(`key ${i}`));
const valueHash = (i: number, version: number) => sha256(utf8(`value ${i} ${version}`));

function sourceOf(store: MemoryNodeStore, altered = new Map<string, Uint8Array | undefined>()) {
  return {
    dir: '/the/store',
    getSmtNode: async (hashHex: string) => (altered.has(hashHex) ? altered.get(hashHex) : store.get(hashHex)),
  };
}

describe('the tree walker', () => {
  it('answers as the tree does, for present and absent keys, at every root of a history of updates, whatever it keeps', async () => {
    await fc.assert(
      fc.asyncProperty(
        // blocks of writes: [key index, version or null = delete]
        fc.array(fc.array(fc.tuple(fc.nat(60), fc.option(fc.nat(3))), { minLength: 1, maxLength: 25 }), {
          minLength: 1,
          maxLength: 5,
        }),
        fc.constantFrom(0, 1, 7, 40, 10_000),
        async (blocks, kept) => {
          const store = new MemoryNodeStore();
          let tree = new SparseMerkleTree(store);
          const roots: Uint8Array[] = [tree.root];
          for (const writes of blocks) {
            const unique = new Map(writes.map(([i, version]) => [i, version]));
            const { root, newNodes } = await tree.update(
              [...unique].map(([i, version]) => ({
                keyHash: keyHash(i),
                valueHash: version === null ? null : valueHash(i, version),
              })),
            );
            store.put(newNodes);
            tree = new SparseMerkleTree(store, root);
            roots.push(root);
          }
          const walker = new TreeWalker(new CachedNodeReader(sourceOf(store), 0), '/the/store', kept);
          // every root, newest first and then back again: nodes kept from one root serve another
          for (const root of [...roots.slice().reverse(), ...roots]) {
            const reference = new SparseMerkleTree(store, root);
            for (let i = 0; i <= 61; i++) {
              const expected = await reference.get(keyHash(i));
              const answer = await walker.valueHashAt(bytesToHex(root), keyHash(i));
              expect(answer === undefined ? undefined : bytesToHex(answer)).toBe(
                expected === undefined ? undefined : bytesToHex(expected),
              );
            }
          }
          expect(walker.size).toBeLessThanOrEqual(Math.max(kept, 1));
        },
      ),
      { numRuns: 60 },
    );
  });

  it('calls a missing or damaged node StoreDamage naming it, and answers again once it reads right', async () => {
    const store = new MemoryNodeStore();
    const { root, newNodes } = await new SparseMerkleTree(store).update(
      Array.from({ length: 200 }, (_, i) => ({ keyHash: keyHash(i), valueHash: valueHash(i, 0) })),
    );
    store.put(newNodes);
    const rootHex = bytesToHex(root);
    // a node below the root on key 0's path
    const rootBytes = (await store.get(rootHex))!;
    const child = bytesToHex(rootBytes.subarray(keyHash(0)[0]! >> 7 ? 38 : 4, keyHash(0)[0]! >> 7 ? 70 : 36));
    const damages: Array<[string, Uint8Array | undefined]> = [
      ['missing', undefined],
      ['short', rootBytes.subarray(0, 69)],
      ['another node', rootBytes],
    ];
    for (const [what, bytes] of damages) {
      const walker = new TreeWalker(new CachedNodeReader(sourceOf(store, new Map([[child, bytes]]))), '/the/store');
      const error = await walker.valueHashAt(rootHex, keyHash(0)).catch((caught: unknown) => caught);
      expect(error, what).toBeInstanceOf(StoreDamage);
      expect((error as StoreDamage).row, what).toEqual({ kind: 'state-node', key: child });
      expect((error as StoreDamage).message, what).toContain('/the/store');
    }
    const walker = new TreeWalker(new CachedNodeReader(sourceOf(store)), '/the/store');
    expect(bytesToHex((await walker.valueHashAt(rootHex, keyHash(0)))!)).toBe(bytesToHex(valueHash(0, 0)));
    expect(await walker.valueHashAt(rootHex, keyHash(999))).toBeUndefined();
  });
});
