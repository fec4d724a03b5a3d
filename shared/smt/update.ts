// Batch update of the sparse Merkle tree in two phases, so that thousands of writes cost one
// descent: (1) load, level by level, every node on the paths of the sorted writes, each once and
// with bounded concurrency; (2) rebuild the touched paths bottom-up, synchronously, re-collapsing
// any subtree left with a single leaf so the shape stays canonical.
import { bytesToHex, compareBytes } from '../codec/index.js';
import type { NewNodes } from './new-nodes.js';
import type { SmtWrite } from './interface.js';
import {
  SMT_DEPTH_MAX,
  SmtError,
  type SmtNode,
  encodeNode,
  isEmptyHash,
  smtInternalHash,
  smtLeafHash,
  splitIndex,
} from './node.js';

/** Reads in flight at once while loading one level: bounds memory and LevelDB's queue. */
export const SMT_LOAD_CONCURRENCY = 64;

export type NodeLoader = (hash: Uint8Array) => Promise<SmtNode>;
/** Several nodes in one read, in order (the reader's getMany); each decoded and checked as NodeLoader's. */
export type NodesLoader = (hashes: Uint8Array[]) => Promise<SmtNode[]>;

/** Nodes per batched read while loading one level (the store takes up to 10,000 keys a call). */
export const SMT_LOAD_BATCH = 2_000;

interface Entry {
  keyHash: Uint8Array;
  valueHash: Uint8Array;
}

/** A subtree the batch reaches. writes[lo, hi) fall inside it; `node` is set once loaded. */
interface Visit {
  hash: Uint8Array;
  depth: number;
  lo: number;
  hi: number;
  node?: SmtNode;
  left?: Visit;
  right?: Visit;
}

/** 'unknown': a non-empty subtree the batch neither changes nor needed to look into. */
interface Subtree {
  hash: Uint8Array;
  kind: 'empty' | 'leaf' | 'internal' | 'unknown';
}

const EMPTY: Subtree = { hash: new Uint8Array(32), kind: 'empty' };

/** Writes sorted by key, with `deletesBefore[i]` = number of deletes among writes[0, i). */
export interface SortedWrites {
  writes: SmtWrite[];
  deletesBefore: Uint32Array;
}

export async function applyWrites(
  root: Uint8Array,
  sorted: SortedWrites,
  load: NodeLoader,
  newNodes: NewNodes,
  loadMany?: NodesLoader,
): Promise<Uint8Array> {
  const top: Visit = { hash: root, depth: 0, lo: 0, hi: sorted.writes.length };
  await loadPaths(top, sorted, load, loadMany);
  const result = rewrite(top, sorted.writes, newNodes);
  if (result.kind === 'unknown') throw new Error('SMT invariant: the new root was never computed');
  return result.hash;
}

async function loadPaths(
  top: Visit,
  sorted: SortedWrites,
  load: NodeLoader,
  loadMany: NodesLoader | undefined,
): Promise<void> {
  let frontier = isEmptyHash(top.hash) ? [] : [top];
  for (let level = 0; frontier.length > 0; level++) {
    if (level > SMT_DEPTH_MAX) throw new SmtError('CORRUPT_NODE', 'a path is deeper than 256 levels');
    if (loadMany) {
      for (let start = 0; start < frontier.length; start += SMT_LOAD_BATCH) {
        const chunk = frontier.slice(start, start + SMT_LOAD_BATCH);
        const nodes = await loadMany(chunk.map((visit) => visit.hash));
        chunk.forEach((visit, i) => (visit.node = nodes[i]));
      }
    } else {
      for (let start = 0; start < frontier.length; start += SMT_LOAD_CONCURRENCY) {
        const chunk = frontier.slice(start, start + SMT_LOAD_CONCURRENCY);
        await Promise.all(chunk.map(async (visit) => (visit.node = await load(visit.hash))));
      }
    }
    const next: Visit[] = [];
    for (const visit of frontier) expand(visit, sorted, next);
    frontier = next;
  }
}

/** Descends into an internal node's children: those with writes, and those whose kind may be needed. */
function expand(visit: Visit, sorted: SortedWrites, next: Visit[]): void {
  const node = visit.node;
  if (node === undefined || node.kind === 'leaf' || visit.lo === visit.hi) return;
  if (visit.depth >= SMT_DEPTH_MAX) throw new SmtError('CORRUPT_NODE', 'an internal node at depth 256');
  const { lo, hi, depth } = visit;
  const mid = splitIndex(sorted.writes, lo, hi, depth);
  const left: Visit = { hash: node.left, depth: depth + 1, lo, hi: mid };
  const right: Visit = { hash: node.right, depth: depth + 1, lo: mid, hi };
  visit.left = left;
  visit.right = right;
  // If deletes may empty one side, re-collapsing needs to know whether the other side is a leaf.
  const mayEmpty = (from: number, to: number) =>
    (sorted.deletesBefore[to] as number) > (sorted.deletesBefore[from] as number);
  if (!isEmptyHash(left.hash) && (lo < mid || mayEmpty(mid, hi))) next.push(left);
  if (!isEmptyHash(right.hash) && (mid < hi || mayEmpty(lo, mid))) next.push(right);
}

function rewrite(visit: Visit, writes: SmtWrite[], newNodes: NewNodes): Subtree {
  const node = visit.node;
  if (visit.lo === visit.hi) {
    if (isEmptyHash(visit.hash)) return EMPTY;
    return { hash: visit.hash, kind: node === undefined ? 'unknown' : node.kind };
  }
  if (node?.kind === 'internal') {
    const left = rewrite(visit.left as Visit, writes, newNodes);
    const right = rewrite(visit.right as Visit, writes, newNodes);
    return join(left, right, newNodes);
  }
  const entries = mergeLeaf(node, writes, visit.lo, visit.hi);
  return build(entries, 0, entries.length, visit.depth, newNodes);
}

/** The pairs of a subtree that held at most one leaf, after the writes: sorted, deletes applied. */
function mergeLeaf(node: SmtNode | undefined, writes: SmtWrite[], lo: number, hi: number): Entry[] {
  const entries: Entry[] = [];
  let existing = node?.kind === 'leaf' ? { keyHash: node.keyHash, valueHash: node.valueHash } : undefined;
  for (let i = lo; i < hi; i++) {
    const write = writes[i] as SmtWrite;
    if (existing !== undefined) {
      const order = compareBytes(existing.keyHash, write.keyHash);
      if (order < 0) entries.push(existing);
      if (order <= 0) existing = undefined; // kept above, or replaced / deleted by this write
    }
    if (write.valueHash !== null) entries.push({ keyHash: write.keyHash, valueHash: write.valueHash });
  }
  if (existing !== undefined) entries.push(existing);
  return entries;
}

/** The canonical subtree at `depth` holding exactly entries[lo, hi). */
function build(entries: Entry[], lo: number, hi: number, depth: number, newNodes: NewNodes): Subtree {
  if (lo === hi) return EMPTY;
  if (hi - lo === 1) {
    const { keyHash, valueHash } = entries[lo] as Entry;
    const hash = smtLeafHash(keyHash, valueHash);
    newNodes.add(hash, encodeNode({ kind: 'leaf', keyHash, valueHash }));
    return { hash, kind: 'leaf' };
  }
  if (depth >= SMT_DEPTH_MAX) throw new Error('SMT invariant: two distinct keys share all 256 bits');
  const mid = splitIndex(entries, lo, hi, depth);
  return join(build(entries, lo, mid, depth + 1, newNodes), build(entries, mid, hi, depth + 1, newNodes), newNodes);
}

/** Parent of two subtrees. A lone leaf rises to replace its parent, which is what keeps the shape canonical. */
function join(left: Subtree, right: Subtree, newNodes: NewNodes): Subtree {
  if (left.kind === 'empty' && right.kind !== 'internal') {
    if (right.kind === 'unknown') throw new Error('SMT invariant: the kind of a lone sibling was not loaded');
    return right;
  }
  if (right.kind === 'empty' && left.kind !== 'internal') {
    if (left.kind === 'unknown') throw new Error('SMT invariant: the kind of a lone sibling was not loaded');
    return left;
  }
  const hash = smtInternalHash(left.hash, right.hash);
  newNodes.add(hash, encodeNode({ kind: 'internal', left: left.hash, right: right.hash }));
  return { hash, kind: 'internal' };
}

/** Validates, copies and sorts a batch. Rejects a key written twice: the caller's write set is a map. */
export function sortWrites(writes: SmtWrite[], writesMax: number): SortedWrites {
  if (!Array.isArray(writes)) throw new SmtError('INVALID_INPUT', 'writes is not an array');
  if (writes.length > writesMax)
    throw new SmtError('INVALID_INPUT', `${writes.length} writes, over the limit of ${writesMax}`);
  const copies = writes.map(copyWrite);
  copies.sort((a, b) => compareBytes(a.keyHash, b.keyHash));
  const deletesBefore = new Uint32Array(copies.length + 1);
  for (let i = 0; i < copies.length; i++) {
    const write = copies[i] as SmtWrite;
    if (i > 0 && compareBytes((copies[i - 1] as SmtWrite).keyHash, write.keyHash) === 0) {
      throw new SmtError('INVALID_INPUT', `key ${bytesToHex(write.keyHash)} is written twice in one batch`);
    }
    deletesBefore[i + 1] = (deletesBefore[i] as number) + (write.valueHash === null ? 1 : 0);
  }
  return { writes: copies, deletesBefore };
}

/** Copied so a caller mutating its arrays during the async descent cannot change the result. */
function copyWrite(write: SmtWrite): SmtWrite {
  const { keyHash, valueHash } = write ?? {};
  if (!(keyHash instanceof Uint8Array) || keyHash.length !== 32)
    throw new SmtError('INVALID_INPUT', 'keyHash is not 32 bytes');
  if (valueHash === null) return { keyHash: keyHash.slice(), valueHash: null };
  if (!(valueHash instanceof Uint8Array) || valueHash.length !== 32) {
    throw new SmtError('INVALID_INPUT', 'valueHash is neither 32 bytes nor null');
  }
  return { keyHash: keyHash.slice(), valueHash: valueHash.slice() };
}
