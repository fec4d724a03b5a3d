// Checkpoints and compact proofs (docs/protocol.md REQ-CKP.1–3). The statement tree is checked
// against a second implementation written from RFC 6962 §2.1's recursive definition; every
// honest proof verifies, and every changed field, position, path byte or signature fails.
import fc from 'fast-check';
import QRCode from 'qrcode';
import { describe, expect, it } from 'vitest';
import { bytesToHex, concatBytes, encode, hexToBytes, utf8 } from '../../shared/codec/index.js';
import { Domain, generateKeyPair, sha256, sign, verify, type KeyPair } from '../../shared/crypto/index.js';
import { signVote } from '../../shared/chain/commit.js';
import { appHashOf, blockHash, type BlockHeader } from '../../shared/ledger/index.js';
import { devGenesis } from '../../electron/node/dev/demo-registry.js';
import type { PropertyObject } from '../../shared/modules/property/types.js';
import { keyHashOf, signedCheckpoint, treeOf } from '../support/checkpoint-fixture.js';
import { validatorsHash } from '../../shared/modules/authority/validators.js';
import {
  bucketBitsFor,
  bucketOf,
  checkpointId,
  CheckpointShelf,
  CheckpointShelfError,
  checkpointBundle,
  followValidatorSets,
  type SetChange,
  parseCheckpointBundle,
  trustFromGenesis,
  COMPACT_BYTES_MAX,
  decodeCompactProof,
  encodeCompactProof,
  layerRoot,
  propertyStatement,
  statementLeaf,
  leafFields,
  StatementTree,
  StatementTreeBuilder,
  verifyBucketProof,
  verifyCheckpoint,
  type CheckpointFile,
} from '../../shared/checkpoint/index.js';

const CHAIN = 'by-registry-1';

// ---- a second implementation, from the RFC's recursive definition (no shared code but sha256) ----
function mth(leafHashes: Uint8Array[]): Uint8Array {
  if (leafHashes.length === 0) return sha256(new Uint8Array(0));
  if (leafHashes.length === 1) return leafHashes[0]!;
  let k = 1;
  while (k * 2 < leafHashes.length) k *= 2;
  return sha256(concatBytes(Uint8Array.of(1), mth(leafHashes.slice(0, k)), mth(leafHashes.slice(k))));
}
/** RFC 8949 §3.1 major type 0, shortest form (sizes below 2^32). */
function cborUint(value: number): Uint8Array {
  if (value < 24) return Uint8Array.of(value);
  if (value < 0x100) return Uint8Array.of(0x18, value);
  if (value < 0x10000) return Uint8Array.of(0x19, value >> 8, value & 0xff);
  return Uint8Array.of(0x1a, value >>> 24, (value >> 16) & 0xff, (value >> 8) & 0xff, value & 0xff);
}
function referenceRoot(leaves: { keyHash: Uint8Array; leaf: Uint8Array }[], bits: number): Uint8Array {
  const buckets: { keyHash: string; hash: Uint8Array }[][] = Array.from({ length: 2 ** bits }, () => []);
  for (const { keyHash, leaf } of leaves) {
    // the first `bits` bits, by string arithmetic rather than the code's shifts
    const binary = [...keyHash].map((byte) => byte.toString(2).padStart(8, '0')).join('');
    const bucket = bits === 0 ? 0 : parseInt(binary.slice(0, bits), 2);
    buckets[bucket]!.push({ keyHash: bytesToHex(keyHash), hash: sha256(concatBytes(Uint8Array.of(0), leaf)) });
  }
  // each bucket's head binds its size: sha256 of the CBOR array [size, MTH], written out by hand
  const head = (size: number, root: Uint8Array) =>
    sha256(concatBytes(Uint8Array.of(0x82), cborUint(size), Uint8Array.of(0x58, 0x20), root));
  let level = buckets.map((bucket) =>
    head(bucket.length, mth(bucket.sort((a, b) => (a.keyHash < b.keyHash ? -1 : 1)).map((entry) => entry.hash))),
  );
  while (level.length > 1) {
    const next: Uint8Array[] = [];
    for (let i = 0; i < level.length; i += 2)
      next.push(sha256(concatBytes(Uint8Array.of(1), level[i]!, level[i + 1]!)));
    level = next;
  }
  return level[0]!;
}

// ---- objects ----
const ownerKeys = [1, 2, 3, 4, 5].map((fill) => generateKeyPair(new Uint8Array(32).fill(fill)).publicKey);
function objectOf(n: number, owners = 1 + (n % 3)): PropertyObject {
  return {
    id: `BY-07-${String(n).padStart(10, '0')}`,
    kind: (['land', 'building', 'apartment', 'premises', 'parking', 'other'] as const)[n % 6]!,
    address: `Minsk, Nezavisimosti ${n}`,
    areaDm2: 1000 + n,
    owners: Array.from({ length: owners }, (_, i) => ({
      key: i < ownerKeys.length ? ownerKeys[i]! : bytesToHex(sha256(utf8(`owner ${n} ${i}`))),
      share: [1, owners] as [number, number],
    })),
    encumbrances:
      n % 4 === 0
        ? [{ id: `m-${n}`, kind: 'mortgage', holder: ownerKeys[4]!, reference: `L-${n}`, sinceHeight: 3 }]
        : [],
    version: 1 + (n % 5),
    registeredHeight: 1,
    updatedHeight: 1 + (n % 7),
  };
}
// ---- a checkpoint signed by 4 validators and witnesses ----
const validatorPairs = [11, 12, 13, 14].map((fill) => generateKeyPair(new Uint8Array(32).fill(fill)));
const validators = validatorPairs.map((pair) => pair.publicKey).sort();
const witnessPairs = [21, 22, 23].map((fill) => generateKeyPair(new Uint8Array(32).fill(fill)));
const knownWitnesses = [
  { key: witnessPairs[0]!.publicKey, name: 'Belarusbank, Minsk branch 5' },
  { key: witnessPairs[1]!.publicKey, name: 'Minsk City Court' },
];

function checkpointFile(
  tree: StatementTree,
  options: { signers?: number; witnesses?: number; chainId?: string; set?: KeyPair[] } = {},
) {
  return signedCheckpoint(tree, {
    chainId: options.chainId ?? CHAIN,
    height: 1440,
    timeMs: Date.UTC(2026, 11, 5, 23, 59),
    set: options.set ?? validatorPairs,
    signers: options.signers ?? 3,
    commitSigners: 3,
    witnesses: witnessPairs.slice(0, options.witnesses ?? 3),
  });
}
const clone = <T>(value: T): T => structuredClone(value);

describe('the statement tree', () => {
  it('sizes buckets to about 128 statements: 16 bits at 7.4 million objects [REQ-CKP.1]', () => {
    expect([0, 1, 100, 128, 129, 256, 257, 7_400_000, 100_000_000].map(bucketBitsFor)).toEqual([
      0, 0, 0, 0, 1, 1, 2, 16, 16,
    ]);
    expect(bucketOf(Uint8Array.of(0b1011_0000, ...new Uint8Array(31)), 3)).toBe(0b101);
    expect(bucketOf(Uint8Array.of(0xff, 0x80, ...new Uint8Array(30)), 9)).toBe(0b1_1111_1111);
  });

  it('builds the root a second implementation builds, and proves every statement in it [REQ-CKP.1]', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 700 }), fc.integer({ min: 0, max: 1_000 }), (count, offset) => {
        const objects = Array.from({ length: count }, (_, i) => objectOf(offset + i));
        const tree = treeOf(objects);
        const leaves = objects.map((object) => ({
          keyHash: keyHashOf(object.id),
          leaf: statementLeaf(leafFields(propertyStatement(object))),
        }));
        expect(tree.bucketBits).toBe(bucketBitsFor(count));
        expect(bytesToHex(tree.root)).toBe(bytesToHex(referenceRoot(leaves, tree.bucketBits)));
        expect(bytesToHex(layerRoot(tree.layer, tree.bucketBits))).toBe(bytesToHex(tree.root));
        for (const { keyHash, leaf } of leaves) {
          const proof = tree.proof(keyHash)!;
          expect(verifyBucketProof(tree.layer, tree.bucketBits, keyHash, leaf, proof)).toBe(true);
        }
        expect(tree.proof(keyHashOf('BY-not-there'))).toBeUndefined();
      }),
      { numRuns: 25 },
    );
  });

  it("sorts key hashes that share their first bytes, in any order of adding, to the second implementation's root [REQ-CKP.1]", () => {
    // the builder bins by the first two bytes, then sorts each bin: crowd a few bins on purpose
    const key = fc.tuple(fc.integer({ min: 0, max: 2 }), fc.uint8Array({ minLength: 31, maxLength: 31 }));
    fc.assert(
      fc.property(
        fc.uniqueArray(key, { maxLength: 400, selector: ([first, rest]) => `${first}:${bytesToHex(rest)}` }),
        (keys) => {
          const leaves = keys.map(([first, rest], i) => ({
            keyHash: Uint8Array.of(first, ...rest),
            leaf: utf8(`statement ${i}`),
          }));
          const builder = new StatementTreeBuilder(leaves.length >> 1);
          for (const { keyHash, leaf } of leaves) builder.add(keyHash, leaf);
          const tree = builder.build();
          const sorted = leaves.map(({ keyHash }) => bytesToHex(keyHash)).sort();
          const built = Array.from({ length: tree.statements }, (_, i) =>
            bytesToHex(tree.entries.subarray(i * 64, i * 64 + 32)),
          );
          expect(built).toEqual(sorted);
          expect(tree.entries.length).toBe(64 * leaves.length);
          expect(bytesToHex(tree.root)).toBe(bytesToHex(referenceRoot(leaves, tree.bucketBits)));
        },
      ),
      { numRuns: 60 },
    );
  });

  it('refuses a statement added twice, and entries out of key order [REQ-CKP.1]', () => {
    const builder = new StatementTreeBuilder();
    const leaf = statementLeaf(leafFields(propertyStatement(objectOf(1))));
    builder.add(keyHashOf('BY-1'), leaf);
    builder.add(keyHashOf('BY-1'), leaf);
    expect(() => builder.build()).toThrow(/not after the one before it/);
    const tree = treeOf(Array.from({ length: 5 }, (_, i) => objectOf(i)));
    const swapped = tree.entries.slice();
    swapped.set(tree.entries.subarray(0, 64), 64);
    swapped.set(tree.entries.subarray(64, 128), 0);
    expect(() => new StatementTree(swapped)).toThrow(/not after the one before it/);
    expect(bytesToHex(new StatementTree(tree.entries.slice()).root)).toBe(bytesToHex(tree.root));
  });

  it('refuses a statement with any field changed, another position or a changed path byte [REQ-CKP.1]', () => {
    const objects = Array.from({ length: 600 }, (_, i) => objectOf(i));
    const tree = treeOf(objects);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 599 }), fc.integer({ min: 0, max: 8 }), fc.nat(), (n, field, salt) => {
        const object = objects[n]!;
        const keyHash = keyHashOf(object.id);
        const fields = leafFields(propertyStatement(object));
        const proof = tree.proof(keyHash)!;
        const changed = { ...fields };
        if (field === 0) changed.version += 1;
        else if (field === 1) changed.kind = changed.kind === 'land' ? 'building' : 'land';
        else if (field === 2) changed.areaDm2 += 1 + (salt % 100);
        else if (field === 3) changed.ownersCount += 1;
        else if (field === 4) changed.ownersHash = sha256(changed.ownersHash);
        else if (field === 5) changed.mortgages += 1;
        else if (field === 6) changed.arrests += 1;
        else if (field === 7) changed.id = objects[(n + 1) % objects.length]!.id;
        else changed.version = Math.max(0, changed.version - 1 - (salt % 3));
        expect(verifyBucketProof(tree.layer, tree.bucketBits, keyHash, statementLeaf(changed), proof)).toBe(false);
        const leaf = statementLeaf(fields);
        if (proof.path.length > 0) {
          const path = proof.path.map((hash) => hash.slice());
          const at = salt % path.length;
          path[at]![salt % 32] = path[at]![salt % 32]! ^ (1 << (salt % 8));
          expect(verifyBucketProof(tree.layer, tree.bucketBits, keyHash, leaf, { ...proof, path })).toBe(false);
          expect(
            verifyBucketProof(tree.layer, tree.bucketBits, keyHash, leaf, {
              ...proof,
              leafIndex: (proof.leafIndex + 1) % proof.bucketSize,
            }),
          ).toBe(false);
        }
        const layer = tree.layer.slice();
        const byte = bucketOf(keyHash, tree.bucketBits) * 32 + (salt % 32);
        layer[byte] = layer[byte]! ^ 1;
        expect(verifyBucketProof(layer, tree.bucketBits, keyHash, leaf, proof)).toBe(false);
      }),
      { numRuns: 300 },
    );
  });
});

describe('a checkpoint file', () => {
  const tree = treeOf(Array.from({ length: 300 }, (_, i) => objectOf(i)));

  it('verifies with 3 of 4 validators and names the witnesses the verifier knows [REQ-CKP.2]', () => {
    const file = checkpointFile(tree);
    const result = verifyCheckpoint(file, { trustedValidators: validators, witnesses: knownWitnesses });
    expect(result).toMatchObject({ ok: true, validatorsSigned: 3, validatorsTotal: 4, unknownWitnesses: 1 });
    expect(result.ok && result.witnesses.map((witness) => witness.name)).toEqual([
      'Belarusbank, Minsk branch 5',
      'Minsk City Court',
    ]);
    expect(result.ok && result.id).toBe(checkpointId(file.body));
    // the file survives JSON, as a bank keeps it
    expect(verifyCheckpoint(JSON.parse(JSON.stringify(file))).ok).toBe(true);
  });

  it('names a forged witness signature and a bad validator signature, and refuses either [REQ-CKP.2]', () => {
    const file = checkpointFile(tree);
    const forged = clone(file);
    forged.witnesses[1]!.signature = sign(witnessPairs[1]!.secretKey, Domain.checkpoint, CHAIN, encode('another'));
    const result = verifyCheckpoint(forged, { witnesses: knownWitnesses });
    expect(result).toMatchObject({ ok: false, code: 'BAD_WITNESS', key: witnessPairs[1]!.publicKey });
    expect(!result.ok && result.reason).toContain('Minsk City Court');
    const badValidator = clone(file);
    badValidator.signatures[0]!.signature = badValidator.signatures[1]!.signature;
    expect(verifyCheckpoint(badValidator)).toMatchObject({
      ok: false,
      code: 'BAD_SIGNATURE',
      key: file.signatures[0]!.key,
    });
    // a witness's signature is no validator's
    const outsider = clone(file);
    outsider.signatures[2] = file.witnesses[0]!;
    expect(verifyCheckpoint(outsider)).toMatchObject({ ok: false, code: 'BAD_SIGNATURE' });
  });

  it('refuses a checkpoint 2 of 4 validators signed, a changed body, and a commit or set that does not hold [REQ-CKP.2]', () => {
    expect(verifyCheckpoint(checkpointFile(tree, { signers: 2 }))).toMatchObject({ ok: false, code: 'NO_QUORUM' });
    const file = checkpointFile(tree);
    for (const change of [
      (f: CheckpointFile) => (f.body.statementRoot = 'ee'.repeat(32)),
      (f: CheckpointFile) => (f.body.statements += 1),
      (f: CheckpointFile) => (f.body.bucketBits = (f.body.bucketBits + 1) % 17),
    ]) {
      const changed = clone(file);
      change(changed);
      expect(verifyCheckpoint(changed)).toMatchObject({ ok: false, code: 'BAD_SIGNATURE' });
    }
    for (const change of [
      (f: CheckpointFile) => (f.body.height += 1),
      (f: CheckpointFile) => (f.body.timeMs += 1),
      (f: CheckpointFile) => (f.body.stateRoot = 'ee'.repeat(32)),
      (f: CheckpointFile) => (f.header.stateRoot = 'ee'.repeat(32)),
    ]) {
      const changed = clone(file);
      change(changed);
      expect(verifyCheckpoint(changed)).toMatchObject({ ok: false, code: 'INVALID_PROOF' });
    }
    const noCommit = clone(file);
    noCommit.commit.signatures = noCommit.commit.signatures.slice(0, 2);
    expect(verifyCheckpoint(noCommit)).toMatchObject({ ok: false, code: 'INVALID_COMMIT' });
    expect(verifyCheckpoint(file, { trustedValidators: validators.slice(0, 2) })).toMatchObject({
      ok: false,
      code: 'UNTRUSTED_VALIDATORS',
    });
    // signatures of another chain's checkpoint do not carry over
    const other = checkpointFile(tree, { chainId: 'by-registry-2' });
    const mixed = clone(file);
    mixed.signatures = other.signatures;
    expect(verifyCheckpoint(mixed)).toMatchObject({ ok: false, code: 'BAD_SIGNATURE' });
    expect(verifyCheckpoint({ kind: 'checkpoint' })).toMatchObject({ ok: false, code: 'MALFORMED' });
  });
});

describe('a compact proof', () => {
  const objects = Array.from({ length: 700 }, (_, i) => objectOf(i));
  const tree = treeOf(objects);
  const file = checkpointFile(tree);
  const shelf = new CheckpointShelf({ trustedValidators: validators, witnesses: knownWitnesses });
  shelf.add(file, tree.layer);
  const proofOf = (object: PropertyObject, statement = propertyStatement(object)) =>
    encodeCompactProof({
      chainId: CHAIN,
      height: file.body.height,
      statement,
      proof: tree.proof(keyHashOf(object.id))!,
    });

  it('verifies against a held checkpoint: the owners, the version, the witnesses [REQ-CKP.3]', () => {
    for (const object of objects.slice(0, 50)) {
      const result = shelf.verify(proofOf(object));
      expect(result).toMatchObject({ ok: true, chainId: CHAIN, height: 1440, validatorsSigned: 3, validatorsTotal: 4 });
      if (!result.ok) continue;
      expect(result.owners).toEqual(object.owners);
      expect(result.fields).toMatchObject({ id: object.id, version: object.version, kind: object.kind });
      expect(result.witnesses).toHaveLength(2);
    }
    expect(shelf.list().map((held) => held.body.height)).toEqual([1440]);
  });

  it('fails on any changed byte: a field, the position or the path [REQ-CKP.3]', () => {
    const bytes = proofOf(objects[7]!);
    const decoded = decodeCompactProof(bytes);
    expect(decoded.proof.path.length).toBeGreaterThan(0);
    fc.assert(
      fc.property(fc.integer({ min: 3, max: bytes.length - 1 }), fc.integer({ min: 0, max: 7 }), (at, bit) => {
        const changed = bytes.slice();
        changed[at] = changed[at]! ^ (1 << bit);
        const result = shelf.verify(changed);
        expect(result.ok, `byte ${at} bit ${bit}`).toBe(false);
      }),
      { numRuns: 400 },
    );
    // a changed owner's share, re-encoded canonically, is refused as a proof, not as bytes
    const statement = propertyStatement(objects[7]!);
    const stolen = { ...statement, owners: [{ key: ownerKeys[3]!, share: [1, 1] as const }] };
    expect(shelf.verify(proofOf(objects[7]!, stolen))).toMatchObject({ ok: false, code: 'INVALID_PROOF' });
    const newer = { ...statement, version: statement.version + 1 };
    expect(shelf.verify(proofOf(objects[7]!, newer))).toMatchObject({ ok: false, code: 'INVALID_PROOF' });
  });

  it('says which checkpoint it needs, and that another chain is another registry [REQ-CKP.3]', () => {
    const object = objects[3]!;
    const statement = propertyStatement(object);
    const proof = tree.proof(keyHashOf(object.id))!;
    expect(shelf.verify(encodeCompactProof({ chainId: CHAIN, height: 2880, statement, proof }))).toMatchObject({
      ok: false,
      code: 'UNKNOWN_CHECKPOINT',
      height: 2880,
    });
    expect(
      shelf.verify(encodeCompactProof({ chainId: 'by-registry-2', height: 1440, statement, proof })),
    ).toMatchObject({
      ok: false,
      code: 'OTHER_CHAIN',
    });
    expect(shelf.verify(utf8('NOTARY1:abc'))).toMatchObject({ ok: false, code: 'MALFORMED' });
  });

  it('takes in only a layer that builds the signed root [REQ-CKP.3]', () => {
    const other = new CheckpointShelf();
    const layer = tree.layer.slice();
    layer[5] = layer[5]! ^ 1;
    expect(() => other.add(file, layer)).toThrow(CheckpointShelfError);
    expect(() => other.add(file, tree.layer.subarray(32))).toThrow(/not \d+ hashes/);
    const forged = clone(file);
    forged.witnesses[0]!.signature = forged.witnesses[1]!.signature;
    expect(() => other.add(forged, tree.layer)).toThrow(/witness/);
  });

  it('fits a version-15 QR code at 7.4 million objects, with two owners, three on a path of 7 hashes [REQ-CKP.3]', () => {
    // At 7.4 million statements, k = 16 and a bucket holds about 113 (8 % of buckets above 128):
    // a path of 7 hashes, or 8. A bucket of 200 gives one of the longest, and the longest ids.
    const bucket = Array.from({ length: 200 }, (_, i) => objectOf(i, 3));
    const bucketTree = treeOf(bucket);
    const proof = bucketTree.proof(keyHashOf(bucket[0]!.id))!;
    const longPath = { ...proof, path: [...proof.path, ...proof.path].slice(0, 8) };
    const sizes: number[] = [];
    for (const [owners, hashes] of [
      [1, 8],
      [2, 8],
      [3, 7],
    ] as const) {
      const object = { ...objectOf(5, owners), id: 'BY-07-0123456789-0123' };
      const path = { ...proof, path: longPath.path.slice(0, hashes) };
      const bytes = encodeCompactProof({
        chainId: CHAIN,
        height: 4_000_000,
        statement: propertyStatement(object),
        proof: path,
      });
      sizes.push(bytes.length);
      expect(decodeCompactProof(bytes).owners, `${owners} owners, ${hashes} hashes`).toHaveLength(owners);
      const qr = QRCode.create([{ data: bytes, mode: 'byte' }], { errorCorrectionLevel: 'M' });
      expect(qr.version).toBeLessThanOrEqual(15);
    }
    expect(Math.max(...sizes)).toBeLessThanOrEqual(COMPACT_BYTES_MAX);
    // three owners and 8 hashes: the owners' hash and count, still within a version-15 code
    const three = encodeCompactProof({
      chainId: CHAIN,
      height: 4_000_000,
      statement: propertyStatement({ ...objectOf(5, 3), id: 'BY-07-0123456789-0123' }),
      proof: longPath,
    });
    expect(decodeCompactProof(three).owners).toBeUndefined();
    expect(three.length).toBeLessThanOrEqual(COMPACT_BYTES_MAX);
    // ten owners do not fit: the QR carries their hash and count, and still verifies
    const crowded = objectOf(5_000, 10);
    const crowdedTree = treeOf([crowded, ...objects.slice(0, 50)]);
    const crowdedFile = checkpointFile(crowdedTree);
    const crowdedShelf = new CheckpointShelf();
    crowdedShelf.add(crowdedFile, crowdedTree.layer);
    const bytes = encodeCompactProof({
      chainId: CHAIN,
      height: 1440,
      statement: propertyStatement(crowded),
      proof: { ...crowdedTree.proof(keyHashOf(crowded.id))! },
    });
    const result = crowdedShelf.verify(bytes);
    expect(result).toMatchObject({ ok: true, fields: { ownersCount: 10 } });
    expect(result.ok && result.owners).toBeUndefined();
    expect(hexToBytes(bytesToHex(bytes)).length).toBeLessThanOrEqual(COMPACT_BYTES_MAX);
  });
});

describe('what a verifier takes in', () => {
  it('reads a bundle back to the same file and layer, and the trust of a genesis document [REQ-CKP.3]', () => {
    const tree = treeOf(Array.from({ length: 200 }, (_, i) => objectOf(i)));
    const file = checkpointFile(tree);
    const bundle = JSON.parse(JSON.stringify(checkpointBundle(file, tree.layer)));
    const read = parseCheckpointBundle(bundle);
    expect(bytesToHex(read.layer)).toBe(bytesToHex(tree.layer));
    const shelf = new CheckpointShelf({ trustedValidators: validators });
    expect(shelf.add(read.file, read.layer).height).toBe(1440);
    expect(() => parseCheckpointBundle({ ...bundle, layer: '***' })).toThrow(/not a checkpoint bundle/);
    const genesis = devGenesis();
    const trust = trustFromGenesis(JSON.parse(JSON.stringify(genesis)));
    expect(trust.chainId).toBe(genesis.chainId);
    expect(trust.validators.length).toBeGreaterThan(0);
    expect(trust.witnesses.every((witness) => witness.name.length > 0)).toBe(true);
    expect(() => trustFromGenesis({ chainId: 'x' })).toThrow();
  });
});

describe('following the validator set [REQ-CKP.5]', () => {
  // set A votes at genesis; header 98, signed by A, schedules set B (A without its first key, with a new one) from 100
  const newcomer = generateKeyPair(new Uint8Array(32).fill(15));
  const setB = [...validatorPairs.slice(1), newcomer];
  const keysOf = (pairs: KeyPair[]) => pairs.map((pair) => pair.publicKey).sort();
  function change(signers: KeyPair[], next: KeyPair[], height = 98, protocol = 3): SetChange {
    const header: BlockHeader = {
      chainId: CHAIN,
      height,
      prevHash: '11'.repeat(32),
      timeMs: Date.UTC(2026, 5, 1),
      proposer: keysOf(signers)[0]!,
      txRoot: '22'.repeat(32),
      stateRoot: '33'.repeat(32),
      validatorsHash: validatorsHash(keysOf(signers)),
      appHash: appHashOf('33'.repeat(32), validatorsHash(keysOf(next)), protocol),
    };
    const hash = blockHash(header);
    const commit = {
      height,
      round: 0,
      blockHash: hash,
      signatures: [...signers]
        .sort((a, b) => (a.publicKey < b.publicKey ? -1 : 1))
        .slice(0, 3)
        .map((pair) => signVote(pair.secretKey, CHAIN, 'precommit', height, 0, hash)),
    };
    return { header, commit, validators: keysOf(signers), nextValidators: keysOf(next) };
  }
  const tree = treeOf(Array.from({ length: 50 }, (_, i) => objectOf(i)));

  it('takes a later set through the change that scheduled it, and refuses the checkpoint without it', () => {
    const genesisKeys = keysOf(validatorPairs);
    expect(followValidatorSets(genesisKeys, [change(validatorPairs, setB)], CHAIN, verify)).toEqual(keysOf(setB));
    const file = checkpointFile(tree, { set: setB });
    const shelf = new CheckpointShelf({ trustedValidators: genesisKeys });
    // B shares 3 of its 4 keys with A: a quorum, so this one passes even without the change...
    expect(shelf.add(file, tree.layer, [change(validatorPairs, setB)]).height).toBe(1440);
    // ...but a set of newcomers does not, unless the changes lead to it
    const strangers = [16, 17, 18, 19].map((fill) => generateKeyPair(new Uint8Array(32).fill(fill)));
    const strangersFile = checkpointFile(tree, { set: strangers });
    expect(() => new CheckpointShelf({ trustedValidators: genesisKeys }).add(strangersFile, tree.layer)).toThrow(
      /trusted/,
    );
    const halfway = [validatorPairs[0]!, validatorPairs[1]!, strangers[0]!, strangers[1]!];
    const path = [
      change(validatorPairs, [...validatorPairs.slice(0, 3), strangers[0]!], 98),
      change([...validatorPairs.slice(0, 3), strangers[0]!], halfway, 200),
      change(halfway, strangers, 300),
    ];
    // no step changes more than a third of the set, so each is signed by a set the verifier already follows
    expect(() => followValidatorSets(genesisKeys, path, CHAIN, verify)).not.toThrow();
    expect(new CheckpointShelf({ trustedValidators: genesisKeys }).add(strangersFile, tree.layer, path).height).toBe(
      1440,
    );
  });

  it('refuses a change whose appHash does not name the next set, an untrusted signer, another chain, or changes out of order', () => {
    const genesisKeys = keysOf(validatorPairs);
    const swapped = { ...change(validatorPairs, setB), nextValidators: keysOf(validatorPairs) };
    expect(() => followValidatorSets(genesisKeys, [swapped], CHAIN, verify)).toThrow(/appHash/);
    const strangers = [16, 17, 18, 19].map((fill) => generateKeyPair(new Uint8Array(32).fill(fill)));
    expect(() => followValidatorSets(genesisKeys, [change(strangers, setB)], CHAIN, verify)).toThrow(/trusted/);
    const forged = change(validatorPairs, setB);
    forged.commit.signatures[0]!.signature = forged.commit.signatures[1]!.signature;
    expect(() => followValidatorSets(genesisKeys, [forged], CHAIN, verify)).toThrow(/change 1/);
    const other = {
      ...change(validatorPairs, setB),
      header: { ...change(validatorPairs, setB).header, chainId: 'by-registry-2' },
    };
    expect(() => followValidatorSets(genesisKeys, [other], CHAIN, verify)).toThrow(/chain/);
    expect(() =>
      followValidatorSets(
        genesisKeys,
        [change(validatorPairs, setB, 200), change(setB, validatorPairs, 100)],
        CHAIN,
        verify,
      ),
    ).toThrow(/not after/);
    const strangersFile = checkpointFile(tree, { set: strangers });
    expect(() =>
      new CheckpointShelf({ trustedValidators: genesisKeys }).add(strangersFile, tree.layer, [swapped]),
    ).toThrow(CheckpointShelfError);
  });
});
