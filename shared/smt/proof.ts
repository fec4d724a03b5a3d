// Offline check of a state proof (DESIGN §4 receipts): shared/ code alone, given the stateRoot
// from a certified header. The fold mirrors SparseMerkleTree.prove: siblings run from the
// root's children downwards, so the path is rebuilt from the deepest sibling up.
import { bytesEqual, hexToBytes } from '../codec/index.js';
import type { SmtProof } from './interface.js';
import { SMT_DEPTH_MAX, bitAt, isHash, smtInternalHash, smtLeafHash } from './node.js';

const HASH_HEX = /^[0-9a-f]{64}$/;

function isHashHex(value: unknown): value is string {
  return typeof value === 'string' && HASH_HEX.test(value);
}

/**
 * Inclusion of (keyHash, valueHash) when valueHash is given; absence of keyHash when it is null.
 * Never throws: anything malformed is simply not a proof.
 */
export function verifySmtProof(
  root: Uint8Array,
  keyHash: Uint8Array,
  valueHash: Uint8Array | null,
  proof: SmtProof,
): boolean {
  try {
    if (!isHash(root) || !isHash(keyHash) || !(valueHash === null || isHash(valueHash))) return false;
    if (typeof proof !== 'object' || proof === null) return false;
    const { siblings, leaf } = proof;
    if (!Array.isArray(siblings) || siblings.length > SMT_DEPTH_MAX || !siblings.every(isHashHex)) return false;
    const end = endHash(keyHash, valueHash, leaf, siblings.length);
    if (end === undefined) return false;
    let hash = end;
    for (let depth = siblings.length - 1; depth >= 0; depth--) {
      const sibling = hexToBytes(siblings[depth] as string);
      hash = bitAt(keyHash, depth) === 1 ? smtInternalHash(sibling, hash) : smtInternalHash(hash, sibling);
    }
    return bytesEqual(hash, root);
  } catch {
    return false;
  }
}

/** Hash of the subtree the path ends in, or undefined if that end cannot prove the claim. */
function endHash(
  keyHash: Uint8Array,
  valueHash: Uint8Array | null,
  leaf: unknown,
  depth: number,
): Uint8Array | undefined {
  if (leaf === undefined) return valueHash === null ? new Uint8Array(32) : undefined; // empty subtree: absence only
  if (typeof leaf !== 'object' || leaf === null) return undefined;
  const claimed = leaf as { keyHash?: unknown; valueHash?: unknown };
  if (!isHashHex(claimed.keyHash) || !isHashHex(claimed.valueHash)) return undefined;
  const leafKey = hexToBytes(claimed.keyHash);
  const leafValue = hexToBytes(claimed.valueHash);
  if (valueHash !== null) {
    // Inclusion: the leaf is the key's own, with the claimed value.
    if (!bytesEqual(leafKey, keyHash) || !bytesEqual(leafValue, valueHash)) return undefined;
  } else {
    // Absence: another key's leaf, alone in the subtree where our key would have to be.
    if (bytesEqual(leafKey, keyHash)) return undefined;
    for (let bit = 0; bit < depth; bit++) if (bitAt(leafKey, bit) !== bitAt(keyHash, bit)) return undefined;
  }
  return smtLeafHash(leafKey, leafValue);
}
