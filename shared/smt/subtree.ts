// Subtrees of the state tree built on their own, and joined: what snapshot chunks need. A chunk
// carries the pairs under one key prefix; its subtree is built from them alone (buildSubtree)
// and the subtrees of all chunks join into the state root (joinSubtrees), exactly as the whole
// tree would be built at once (the same canonical shape: a lone leaf floats up to the
// shallowest depth where it is alone). test/unit/snapshot.test.ts holds both to the bulk build.
import { SMT_DEPTH_MAX, SMT_EMPTY_ROOT, SmtError, bitAt, encodeNode, smtInternalHash, smtLeafHash } from './node.js';

export interface SmtSubtree {
  hash: Uint8Array;
  kind: 'empty' | 'leaf' | 'internal';
}

export interface SmtLeafPair {
  keyHash: Uint8Array;
  valueHash: Uint8Array;
}

/** Receives every node a build makes (hash, canonical 70-byte form), once. */
export type SmtNodeSink = (hash: Uint8Array, bytes: Uint8Array) => void;

export const SMT_EMPTY_SUBTREE: SmtSubtree = { hash: SMT_EMPTY_ROOT, kind: 'empty' };

/** Joins two sibling subtrees as the canonical tree does: a lone leaf beside an empty subtree floats up. */
export function joinPair(left: SmtSubtree, right: SmtSubtree, sink?: SmtNodeSink): SmtSubtree {
  if (left.kind === 'empty' && right.kind !== 'internal') return right;
  if (right.kind === 'empty' && left.kind !== 'internal') return left;
  const hash = smtInternalHash(left.hash, right.hash);
  sink?.(hash, encodeNode({ kind: 'internal', left: left.hash, right: right.hash }));
  return { hash, kind: 'internal' };
}

/**
 * The subtree at `depth` holding `leaves` (strictly ascending keys sharing their first `depth`
 * bits; the caller checks that). Its hash is what the subtree contributes to the whole tree.
 */
export function buildSubtree(leaves: readonly SmtLeafPair[], depth: number, sink?: SmtNodeSink): SmtSubtree {
  const build = (lo: number, hi: number, at: number): SmtSubtree => {
    if (lo === hi) return SMT_EMPTY_SUBTREE;
    if (hi - lo === 1) {
      const { keyHash, valueHash } = leaves[lo]!;
      const hash = smtLeafHash(keyHash, valueHash);
      sink?.(hash, encodeNode({ kind: 'leaf', keyHash, valueHash }));
      return { hash, kind: 'leaf' };
    }
    if (at >= SMT_DEPTH_MAX) throw new SmtError('INVALID_INPUT', 'two leaves share all 256 key bits');
    let low = lo;
    let high = hi;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (bitAt(leaves[middle]!.keyHash, at) === 0) low = middle + 1;
      else high = middle;
    }
    return joinPair(build(lo, low, at + 1), build(low, hi, at + 1), sink);
  };
  return build(0, leaves.length, depth);
}

/** A subtree placed at a key prefix: the first `depth` bits of `path`. */
export interface SmtPlacedSubtree {
  path: Uint8Array;
  depth: number;
  subtree: SmtSubtree;
}

/**
 * The root of the tree made of `placed` subtrees (in prefix order, no prefix inside another;
 * anything not covered is empty), with the nodes above them. Throws INVALID_INPUT otherwise.
 */
export function joinSubtrees(placed: readonly SmtPlacedSubtree[], sink?: SmtNodeSink): SmtSubtree {
  for (let i = 1; i < placed.length; i++) {
    if (comparePrefixes(placed[i - 1]!, placed[i]!) >= 0)
      throw new SmtError('INVALID_INPUT', `subtree ${i} is not after subtree ${i - 1} in prefix order, or inside it`);
  }
  const join = (lo: number, hi: number, at: number): SmtSubtree => {
    if (lo === hi) return SMT_EMPTY_SUBTREE;
    if (hi - lo === 1 && placed[lo]!.depth === at) return placed[lo]!.subtree;
    if (placed.slice(lo, hi).some((entry) => entry.depth <= at))
      throw new SmtError('INVALID_INPUT', `a subtree at depth ${at} overlaps another`);
    let split = lo;
    while (split < hi && bitAt(placed[split]!.path, at) === 0) split++;
    return joinPair(join(lo, split, at + 1), join(split, hi, at + 1), sink);
  };
  return join(0, placed.length, 0);
}

/** Prefix order; 0 when one prefix is inside the other (overlap). */
export function comparePrefixes(
  a: { path: Uint8Array; depth: number },
  b: { path: Uint8Array; depth: number },
): number {
  const common = Math.min(a.depth, b.depth);
  for (let at = 0; at < common; at++) {
    const diff = bitAt(a.path, at) - bitAt(b.path, at);
    if (diff !== 0) return diff;
  }
  return 0;
}

/** Whether `keyHash` starts with the first `depth` bits of `path`. */
export function hasPrefix(keyHash: Uint8Array, path: Uint8Array, depth: number): boolean {
  for (let at = 0; at < depth; at++) if (bitAt(keyHash, at) !== bitAt(path, at)) return false;
  return true;
}
