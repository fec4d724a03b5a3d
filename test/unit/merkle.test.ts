import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bytesToHex, concatBytes, hexToBytes } from '../../shared/codec/index.js';
import { sha256 } from '../../shared/crypto/index.js';
import {
  MERKLE_PROOF_PATH_MAX,
  MerkleTree,
  type MerkleInclusionProof,
  inclusionProof,
  merkleRoot,
  verifyInclusion,
} from '../../shared/merkle/rfc6962.js';

// The Certificate Transparency reference leaves and the roots of their first n leaves.
const CT_LEAVES = [
  '',
  '00',
  '10',
  '2021',
  '3031',
  '40414243',
  '5051525354555657',
  '606162636465666768696a6b6c6d6e6f',
].map(hexToBytes);
const CT_ROOTS = [
  'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
  '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
  'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
  'aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77',
  'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
  '4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4',
  '76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef',
  'ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c',
  '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328',
];

// RFC 6962 §2.1 and §2.1.1 written out literally (recursive), as the oracle for the
// iterative implementation.
const leafHash = (leaf: Uint8Array) => sha256(concatBytes(Uint8Array.of(0), leaf));
const nodeHash = (left: Uint8Array, right: Uint8Array) => sha256(concatBytes(Uint8Array.of(1), left, right));
const splitPoint = (n: number) => {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
};
function referenceRoot(leaves: Uint8Array[]): Uint8Array {
  if (leaves.length === 0) return sha256(new Uint8Array(0));
  if (leaves.length === 1) return leafHash(leaves[0]!);
  const k = splitPoint(leaves.length);
  return nodeHash(referenceRoot(leaves.slice(0, k)), referenceRoot(leaves.slice(k)));
}
function referencePath(m: number, leaves: Uint8Array[]): Uint8Array[] {
  if (leaves.length <= 1) return [];
  const k = splitPoint(leaves.length);
  return m < k
    ? [...referencePath(m, leaves.slice(0, k)), referenceRoot(leaves.slice(k))]
    : [...referencePath(m - k, leaves.slice(k)), referenceRoot(leaves.slice(0, k))];
}

/** Distinct 32-byte "tx hashes", as the block's txRoot uses. */
const txHashes = (count: number) => Array.from({ length: count }, (_, i) => sha256(Uint8Array.of(i >> 8, i & 0xff)));

describe('RFC 6962 Merkle root', () => {
  it('hashes the empty tree to sha256 of the empty string', () => {
    expect(bytesToHex(merkleRoot([]))).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  });

  it('hashes one, two and three leaves as the definition says', () => {
    const [a, b, c] = txHashes(3) as [Uint8Array, Uint8Array, Uint8Array];
    expect(merkleRoot([a])).toEqual(sha256(concatBytes(Uint8Array.of(0), a)));
    expect(merkleRoot([a, b])).toEqual(nodeHash(leafHash(a), leafHash(b)));
    // Three leaves split at two: the third leaf is promoted, never duplicated.
    expect(merkleRoot([a, b, c])).toEqual(nodeHash(nodeHash(leafHash(a), leafHash(b)), leafHash(c)));
  });

  it('matches the Certificate Transparency reference roots for 0..8 leaves', () => {
    CT_ROOTS.forEach((root, size) => expect(bytesToHex(merkleRoot(CT_LEAVES.slice(0, size)))).toBe(root));
  });

  it('matches the recursive RFC 6962 definition for every size up to 70', () => {
    for (let size = 0; size <= 70; size++) {
      const leaves = txHashes(size);
      expect(merkleRoot(leaves)).toEqual(referenceRoot(leaves));
    }
  });

  it('builds a root over a 10,000-transaction block', () => {
    expect(merkleRoot(txHashes(10_000))).toHaveLength(32);
  });
});

describe('RFC 6962 inclusion proofs', () => {
  it('gives the Certificate Transparency audit path of leaf 5 in a tree of 8', () => {
    const proof = inclusionProof(CT_LEAVES, 5);
    expect(proof).toEqual({
      index: 5,
      treeSize: 8,
      path: [
        'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
        'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
        'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
      ],
    });
    expect(verifyInclusion(hexToBytes(CT_ROOTS[8]!), CT_LEAVES[5]!, proof)).toBe(true);
  });

  it('proves and verifies every index of every tree of 1..70 leaves, with the RFC path', () => {
    for (let size = 1; size <= 70; size++) {
      const leaves = txHashes(size);
      const tree = new MerkleTree(leaves);
      const root = merkleRoot(leaves);
      expect(tree.root).toEqual(root);
      for (let index = 0; index < size; index++) {
        const proof = tree.proof(index);
        expect(proof).toEqual(inclusionProof(leaves, index));
        expect(proof.path).toEqual(referencePath(index, leaves).map(bytesToHex));
        expect(verifyInclusion(root, leaves[index]!, proof)).toBe(true);
      }
    }
  });

  it('proves every transaction of a 10,000-transaction block from one tree', () => {
    const leaves = txHashes(10_000);
    const tree = new MerkleTree(leaves);
    const root = tree.root;
    for (let index = 0; index < leaves.length; index++) {
      const proof = tree.proof(index);
      expect(proof.path.length).toBeLessThanOrEqual(14);
      if (!verifyInclusion(root, leaves[index]!, proof)) expect.fail(`leaf ${index} does not verify`);
    }
  });

  it('refuses to prove an index outside the tree', () => {
    expect(() => inclusionProof(txHashes(3), 3)).toThrow();
    expect(() => inclusionProof(txHashes(3), -1)).toThrow();
    expect(() => inclusionProof([], 0)).toThrow();
  });

  it('rejects a proof for another leaf, another index, another root or another size', () => {
    const leaves = txHashes(13);
    const root = merkleRoot(leaves);
    const proof = inclusionProof(leaves, 6);
    expect(verifyInclusion(root, leaves[7]!, proof)).toBe(false);
    expect(verifyInclusion(root, leaves[6]!, { ...proof, index: 7 })).toBe(false);
    expect(verifyInclusion(merkleRoot(leaves.slice(1)), leaves[6]!, proof)).toBe(false);
    // The size is authenticated by the signed header, not by the root: a proof only binds the
    // tree's shape around the leaf, so sizes 9..16 share this path and sizes outside do not.
    for (const treeSize of [7, 8, 17, 32]) {
      expect(verifyInclusion(root, leaves[6]!, { ...proof, treeSize })).toBe(false);
    }
  });

  it('proves any leaf of any random block (property)', () => {
    const block = fc
      .array(fc.uint8Array({ minLength: 32, maxLength: 32 }), { minLength: 1, maxLength: 300 })
      .chain((leaves) => fc.tuple(fc.constant(leaves), fc.nat({ max: leaves.length - 1 })));
    fc.assert(
      fc.property(block, ([leaves, index]) => {
        const root = merkleRoot(leaves);
        expect(root).toEqual(referenceRoot(leaves));
        const proof = inclusionProof(leaves, index);
        expect(verifyInclusion(root, leaves[index]!, proof)).toBe(true);
        const tampered = Uint8Array.from(leaves[index]!);
        tampered[0]! ^= 1;
        expect(verifyInclusion(root, tampered, proof)).toBe(false);
      }),
    );
  });
});

describe('RFC 6962 verification of malformed proofs', () => {
  const leaves = txHashes(9);
  const root = merkleRoot(leaves);
  const good = inclusionProof(leaves, 4);
  const leaf = leaves[4]!;
  const verifyAs = (proof: unknown) => verifyInclusion(root, leaf, proof as MerkleInclusionProof);

  it('returns false, never throws, for a path of the wrong length', () => {
    expect(verifyAs({ ...good, path: good.path.slice(1) })).toBe(false);
    expect(verifyAs({ ...good, path: [...good.path, good.path[0]] })).toBe(false);
    expect(verifyAs({ ...good, path: Array(MERKLE_PROOF_PATH_MAX + 1).fill(good.path[0]) })).toBe(false);
  });

  it('returns false for hashes that are not 32 bytes of lowercase hex', () => {
    for (const bad of [
      'zz'.repeat(32),
      good.path[0]!.toUpperCase(),
      good.path[0]!.slice(2),
      `${good.path[0]}00`,
      7,
      null,
    ]) {
      expect(verifyAs({ ...good, path: [bad, ...good.path.slice(1)] })).toBe(false);
    }
  });

  it('returns false for impossible indexes, sizes and shapes', () => {
    for (const bad of [
      { ...good, index: -1 },
      { ...good, index: 9 },
      { ...good, index: 1.5 },
      { ...good, treeSize: 0 },
      { ...good, treeSize: 2 ** 60 },
      { ...good, treeSize: '9' },
      { ...good, path: 'not an array' },
      { index: 4, treeSize: 9 },
      null,
      undefined,
      'proof',
    ]) {
      expect(verifyAs(bad)).toBe(false);
    }
  });

  it('returns false for a root or leaf that is not bytes', () => {
    expect(verifyInclusion(root.slice(1), leaf, good)).toBe(false);
    expect(verifyInclusion('root' as unknown as Uint8Array, leaf, good)).toBe(false);
    expect(verifyInclusion(root, 'leaf' as unknown as Uint8Array, good)).toBe(false);
  });
});
