// The verification page's shelf (renderer/verify/shelf.ts): the registry a genesis document
// trusts, rebuilt from the bundles the page kept, each checked again; a compact proof against it
// becomes a verdict in the page's terms (renderer/verify/verdict.ts).
import { describe, expect, it } from 'vitest';
import { generateKeyPair } from '../../shared/crypto/index.js';
import {
  checkpointBundle,
  encodeCompactProof,
  propertyStatement,
  type CheckpointFile,
  type StatementTree,
} from '../../shared/checkpoint/index.js';
import type { Genesis } from '../../shared/ledger/index.js';
import type { PropertyObject } from '../../shared/modules/property/types.js';
import { keyHashOf, signedCheckpoint, treeOf } from '../support/checkpoint-fixture.js';
import { addBundle, BundleError, bundleKey, rebuildRegistry } from '../../renderer/verify/shelf.js';
import { compactVerdict } from '../../renderer/verify/verdict.js';

const CHAIN = 'by-registry-1';
const validatorPairs = [31, 32, 33].map((fill) => generateKeyPair(new Uint8Array(32).fill(fill)));
const witness = generateKeyPair(new Uint8Array(32).fill(41));
const ownerKeys = [51, 52].map((fill) => generateKeyPair(new Uint8Array(32).fill(fill)).publicKey);

function genesisOf(chainId = CHAIN, pairs = validatorPairs): Genesis {
  return {
    chainId,
    genesisTimeMs: Date.UTC(2026, 0, 1),
    authorities: [
      ...pairs.map((pair, i) => ({
        key: pair.publicKey,
        role: 'registrar' as const,
        name: `Registry office ${i + 1}`,
      })),
      { key: witness.publicKey, role: 'observer' as const, name: 'Belarusbank, Minsk branch 5' },
    ],
    feeSchedule: { dutyMinimumMinor: 5_000, dutyRateBasisPoints: 20 },
  };
}

const objects: PropertyObject[] = Array.from({ length: 30 }, (_, n) => ({
  id: `BY-07-${String(n).padStart(10, '0')}`,
  kind: n % 2 === 0 ? 'apartment' : 'land',
  address: `Minsk, Nezavisimosti ${n}`,
  areaDm2: 5_432 + n,
  owners:
    n % 3 === 0
      ? [
          { key: ownerKeys[0]!, share: [1, 2] },
          { key: ownerKeys[1]!, share: [1, 2] },
        ]
      : [{ key: ownerKeys[0]!, share: [1, 1] }],
  encumbrances:
    n % 4 === 0
      ? [{ id: `m-${n}`, kind: 'mortgage', holder: witness.publicKey, reference: `L-${n}`, sinceHeight: 3 }]
      : [],
  version: 1,
  registeredHeight: 1,
  updatedHeight: 1,
}));
const checkpointFile = (tree: StatementTree, height: number): CheckpointFile =>
  signedCheckpoint(tree, {
    chainId: CHAIN,
    height,
    timeMs: Date.UTC(2026, 11, 5, 12, 0) + height,
    set: validatorPairs,
    witnesses: [witness],
  });

const tree = treeOf(objects);
const bundleAt = (height: number) =>
  JSON.parse(JSON.stringify(checkpointBundle(checkpointFile(tree, height), tree.layer)));

function qrOf(object: PropertyObject, height: number): Uint8Array {
  const proof = tree.proof(keyHashOf(object.id))!;
  return encodeCompactProof({ chainId: CHAIN, height, statement: propertyStatement(object), proof });
}

describe("the verification page's shelf", () => {
  it('rebuilds the kept checkpoints newest first, with validators signed of the total and witnesses by name', () => {
    const registry = rebuildRegistry(genesisOf(), [
      { key: bundleKey(CHAIN, 100), bundle: bundleAt(100) },
      { key: bundleKey(CHAIN, 200), bundle: bundleAt(200) },
    ]);
    expect(registry.trust.chainId).toBe(CHAIN);
    expect(registry.refused).toEqual([]);
    expect(registry.held.map((entry) => entry.height)).toEqual([200, 100]);
    expect(registry.held[0]).toMatchObject({
      key: `${CHAIN}/200`,
      validatorsSigned: 3,
      validatorsTotal: 3,
      witnesses: [{ key: witness.publicKey, name: 'Belarusbank, Minsk branch 5' }],
    });
  });

  it('keeps a bundle that no longer checks listed as refused with its code (BAD_LAYER, NOT_A_BUNDLE, UNTRUSTED_VALIDATORS)', () => {
    const changedLayer = bundleAt(300);
    changedLayer.layer = `${changedLayer.layer[0] === 'A' ? 'B' : 'A'}${changedLayer.layer.slice(1)}`;
    const registry = rebuildRegistry(genesisOf(), [
      { key: 'a', bundle: changedLayer },
      { key: 'b', bundle: { kind: 'checkpoint-bundle' } },
      { key: 'c', bundle: bundleAt(100) },
    ]);
    expect(registry.held.map((entry) => entry.height)).toEqual([100]);
    expect(registry.refused.map((entry) => [entry.key, entry.code])).toEqual([
      ['a', 'BAD_LAYER'],
      ['b', 'NOT_A_BUNDLE'],
    ]);
    // the same bundle under a genesis of other validators: not trusted
    const others = [61, 62, 63].map((fill) => generateKeyPair(new Uint8Array(32).fill(fill)));
    const stranger = rebuildRegistry(genesisOf(CHAIN, others), [{ key: 'c', bundle: bundleAt(100) }]);
    expect(stranger.refused.map((entry) => entry.code)).toEqual(['UNTRUSTED_VALIDATORS']);
  });

  it('throws a BundleError naming the check when a bundle is added', () => {
    const registry = rebuildRegistry(genesisOf(), []);
    expect(() => addBundle(registry, { nonsense: true })).toThrow(BundleError);
    const unsigned = bundleAt(100);
    unsigned.checkpoint.signatures = unsigned.checkpoint.signatures.slice(0, 1);
    try {
      addBundle(registry, unsigned);
      expect.unreachable();
    } catch (error) {
      expect((error as BundleError).code).toBe('NO_QUORUM');
    }
    expect(addBundle(registry, bundleAt(100)).height).toBe(100);
    expect(registry.held).toHaveLength(1);
  });

  it("passes a genuine QR proof with its owners, area and encumbrances as of the checkpoint's block", () => {
    const registry = rebuildRegistry(genesisOf(), [{ key: 'k', bundle: bundleAt(100) }]);
    const object = objects[0]!;
    const verdict = compactVerdict(registry.shelf.verify(qrOf(object, 100)));
    expect(verdict).toMatchObject({
      ok: true,
      source: 'compact',
      chainId: CHAIN,
      height: 100,
      validatorsSigned: 3,
      validatorsTotal: 3,
      holding: { id: object.id, kind: 'apartment', areaDm2: 5_432, ownersCount: 2, mortgages: 1, arrests: 0 },
    });
    expect(verdict.ok && verdict.holding?.owners?.map((owner) => owner.key)).toEqual(ownerKeys);
    expect(verdict.ok && verdict.witnesses.map((entry) => entry.name)).toEqual(['Belarusbank, Minsk branch 5']);
  });

  it('fails a proof with a changed byte (INVALID_PROOF), of a checkpoint not held (UNKNOWN_CHECKPOINT, with its height), of another registry (OTHER_CHAIN)', () => {
    const registry = rebuildRegistry(genesisOf(), [{ key: 'k', bundle: bundleAt(100) }]);
    const object = objects[1]!;
    const qr = qrOf(object, 100);
    const changed = qr.slice();
    changed[changed.length - 1]! ^= 0x01; // a byte of the path
    expect(compactVerdict(registry.shelf.verify(changed))).toMatchObject({ ok: false, code: 'INVALID_PROOF' });
    expect(compactVerdict(registry.shelf.verify(qrOf(object, 101)))).toMatchObject({
      ok: false,
      code: 'UNKNOWN_CHECKPOINT',
      height: 101,
    });
    const proof = tree.proof(keyHashOf(object.id))!;
    const other = encodeCompactProof({
      chainId: 'other-registry',
      height: 100,
      statement: propertyStatement(object),
      proof,
    });
    expect(compactVerdict(registry.shelf.verify(other))).toMatchObject({
      ok: false,
      code: 'OTHER_CHAIN',
      chainId: 'other-registry',
    });
    expect(compactVerdict(registry.shelf.verify(new Uint8Array([0x4e, 0x43, 0x31, 0xff])))).toMatchObject({
      ok: false,
      code: 'MALFORMED',
    });
  });
});
