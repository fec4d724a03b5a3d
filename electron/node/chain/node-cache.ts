// A bounded LRU cache of state-tree nodes in front of LevelDB. Nodes are content-addressed
// and never change, so a cached node is always right. Every lookup and every block walks the
// top of the tree, and a block's new nodes are the paths the next blocks walk again: without
// the cache each of those is an async LevelDB read (issue #6: ~24 reads per proof at 7.4M).
//
// Besides the LRU, `warm` reads the top levels of the tree once (after open, in the
// background) into a separate pinned set that lookups never evict: at 7.4M objects the top
// 16 levels (~130,000 nodes, ~30 MB) are two thirds of every proof's reads.
import { bytesToHex, hexToBytes } from '../../../shared/codec/index.js';
import { decodeNode, isEmptyHash, type NewNode, type SmtNodeReader } from '../../../shared/smt/index.js';
import { StoreDamage } from '../store/errors.js';
import { hashBytes } from '../store/keys.js';
import { Generations } from './generations.js';
import { NodeArenaTable } from './node-arena.js';

/**
 * About 160 bytes a node: its ~70 bytes and their length in an arena's chunk (node-arena.ts),
 * and its share of the two tables' slots (~84, each table made when first filled): about 40 MB
 * at the default. (As a Uint8Array of its own a node took ~280 bytes, and the cache 90 MB.)
 */
export const NODE_CACHE_ENTRIES_DEFAULT = 250_000;
/** Levels `warm` pins by default: at most 2^17 - 1 nodes, ~30 MB. */
export const NODE_CACHE_TOP_LEVELS_DEFAULT = 16;
/** The most levels `warm` accepts (2^21 nodes, ~500 MB): a bound, not a setting to approach. */
export const NODE_CACHE_TOP_LEVELS_MAX = 20;
/** Nodes per LevelDB getMany while warming (the store's limit is 10,000). */
const WARM_BATCH_NODES = 2_000;

export interface NodeSource {
  /** The store's folder, named by the damage a read finds. */
  readonly dir?: string;
  getSmtNode(hashHex: string): Promise<Uint8Array | undefined>;
  /** Batched reads by raw hash; without it `warm` reads one node at a time. */
  getSmtNodesRaw?(hashes: Uint8Array[]): Promise<Array<Uint8Array | undefined>>;
}

export interface WarmResult {
  nodes: number;
  levels: number;
  ms: number;
  /** Set when warming stopped early (store closed, a node missing or corrupt): lookups then read through. */
  stoppedBy?: string;
  /** Set when it stopped at a node that does not hash to its key: the store is damaged. */
  damage?: StoreDamage;
}

export class CachedNodeReader implements SmtNodeReader {
  /**
   * Every node it returns hashes to its key: a store read is checked once as it enters memory
   * (#verified), `warm` checks what it pins, and `remember` is given only nodes the tree made.
   * So the tree does not hash them again on every walk.
   */
  readonly hashChecked = true;
  /**
   * Two generations instead of an exact LRU (generations.ts), each a table keyed by the hashes'
   * bytes with the nodes in an arena (node-arena.ts): bounded by entriesMax.
   */
  readonly #cached: Generations<Uint8Array, Uint8Array>;
  #pinned = new NodeArenaTable(0);
  #run = 0;
  #stop = false;

  constructor(
    private readonly source: NodeSource,
    readonly entriesMax = NODE_CACHE_ENTRIES_DEFAULT,
  ) {
    this.#cached = new Generations(entriesMax, (entries) => new NodeArenaTable(entries));
  }

  async get(hashHex: string): Promise<Uint8Array | undefined> {
    const hash = hashBytes(hashHex);
    const held = hash && this.#held(hash);
    if (held !== undefined) return held;
    const bytes = await this.source.getSmtNode(hashHex);
    // a malformed key has no node: the store's read refused it above
    if (bytes !== undefined && hash !== undefined) this.#cached.add(hash, this.#verified(hash, bytes));
    return bytes;
  }

  /**
   * Several nodes: the cached ones at once, the others in batched LevelDB reads (a block's
   * state-tree update loads each level of its paths this way: one getMany instead of hundreds
   * of reads). Without a batched source, one read each.
   */
  async getMany(hashHexes: string[]): Promise<Array<Uint8Array | undefined>> {
    const hashes = hashHexes.map(hashBytes);
    if (hashes.every((hash) => hash !== undefined)) return this.getManyByHash(hashes as Uint8Array[]);
    return Promise.all(hashHexes.map((hashHex) => this.get(hashHex)));
  }

  /** getMany by the hashes' bytes (the tree's own form: no hex made or read). */
  async getManyByHash(hashes: Uint8Array[]): Promise<Array<Uint8Array | undefined>> {
    const found: Array<Uint8Array | undefined> = new Array(hashes.length);
    const missing: number[] = [];
    for (let i = 0; i < hashes.length; i++) {
      const held = this.#held(hashes[i]!);
      if (held === undefined) missing.push(i);
      else found[i] = held;
    }
    if (missing.length === 0) return found;
    if (!this.source.getSmtNodesRaw) {
      await Promise.all(missing.map(async (i) => (found[i] = await this.get(bytesToHex(hashes[i]!)))));
      return found;
    }
    for (let from = 0; from < missing.length; from += WARM_BATCH_NODES) {
      const indexes = missing.slice(from, from + WARM_BATCH_NODES);
      const read = await this.source.getSmtNodesRaw(indexes.map((i) => hashes[i]!));
      indexes.forEach((i, j) => {
        const bytes = read[j];
        found[i] = bytes;
        if (bytes !== undefined) this.#cached.add(hashes[i]!, this.#verified(hashes[i]!, bytes));
      });
    }
    return found;
  }

  /** A node already in memory (pinned or cached), without a read: undefined when it is not. */
  cached(hashHex: string): Uint8Array | undefined {
    const hash = hashBytes(hashHex);
    return hash && this.#held(hash);
  }

  /** A pinned node, or a cached one made the most recently used. */
  #held(hash: Uint8Array): Uint8Array | undefined {
    return this.#pinned.get(hash) ?? this.#cached.get(hash);
  }

  /**
   * Nodes just written (a committed block's): the next blocks walk them first. Only nodes the
   * tree made (`SmtUpdateResult.newNodes`), whose keys were computed from their bytes.
   */
  remember(nodes: Iterable<NewNode>): void {
    for (const { hash, bytes } of nodes) this.#cached.add(hash, bytes);
  }

  get size(): number {
    return this.#cached.size;
  }

  get pinned(): number {
    return this.#pinned.size;
  }

  /**
   * Pins the nodes of the top `levels` levels under `rootHex`, read breadth-first in batches.
   * Best effort: it never throws; a read error stops it (`stoppedBy`) and what was read stays.
   * A second call replaces the pinned set (e.g. for a later root). `stop` stops a running one.
   */
  async warm(rootHex: string, options: { levels?: number } = {}): Promise<WarmResult> {
    const levels = Math.min(options.levels ?? NODE_CACHE_TOP_LEVELS_DEFAULT, NODE_CACHE_TOP_LEVELS_MAX);
    const started = performance.now();
    const run = ++this.#run;
    this.#stop = false;
    const pinned: Array<[Uint8Array, Uint8Array]> = [];
    const result = (stoppedBy?: string, damage?: StoreDamage): WarmResult => {
      // a later warm replaces this one's nodes, never the other way round
      if (run === this.#run) {
        const table = new NodeArenaTable(pinned.length);
        for (const [hash, bytes] of pinned) table.set(hash, bytes);
        this.#pinned = table;
      }
      return {
        nodes: pinned.length,
        levels,
        ms: performance.now() - started,
        ...(stoppedBy === undefined ? {} : { stoppedBy }),
        ...(damage === undefined ? {} : { damage }),
      };
    };
    let level: Uint8Array[] = rootHex === '0'.repeat(64) ? [] : [hexToBytes(rootHex)];
    for (let depth = 0; depth < levels && level.length > 0; depth++) {
      const next: Uint8Array[] = [];
      for (let from = 0; from < level.length; from += WARM_BATCH_NODES) {
        if (run !== this.#run) return result('replaced by a later warm');
        if (this.#stop) return result('stopped');
        const hashes = level.slice(from, from + WARM_BATCH_NODES);
        let found: Array<Uint8Array | undefined>;
        try {
          found = this.source.getSmtNodesRaw
            ? await this.source.getSmtNodesRaw(hashes)
            : await Promise.all(hashes.map((hash) => this.source.getSmtNode(bytesToHex(hash))));
        } catch (error) {
          return result((error as Error).message);
        }
        for (let i = 0; i < hashes.length; i++) {
          const bytes = found[i];
          if (bytes === undefined) return result(`node ${bytesToHex(hashes[i]!)} is missing`);
          let node;
          try {
            node = decodeNode(bytes, hashes[i]!);
          } catch (error) {
            const hashHex = bytesToHex(hashes[i]!);
            return result(
              (error as Error).message,
              new StoreDamage(
                this.source.dir ?? 'the store',
                (error as Error).message.replace(/^(CORRUPT_NODE: )?stored node /, 'the node '),
                { kind: 'state-node', key: hashHex },
                { cause: error },
              ),
            );
          }
          pinned.push([hashes[i]!, bytes]);
          if (node.kind === 'internal') {
            if (!isEmptyHash(node.left)) next.push(node.left);
            if (!isEmptyHash(node.right)) next.push(node.right);
          }
        }
      }
      level = next;
    }
    return result();
  }

  /** Stops a running warm (its nodes read so far are still pinned). */
  stopWarming(): void {
    this.#stop = true;
  }

  /**
   * A node read from the store must hash to its key (LevelDB does not verify its table
   * checksums on reads): damage becomes StoreDamage naming the row, once, before the node is
   * cached or used (issue: a damaged table served a node the tree then refused as CORRUPT_NODE
   * deep inside block building).
   */
  #verified(hash: Uint8Array, bytes: Uint8Array): Uint8Array {
    try {
      decodeNode(bytes, hash);
    } catch (error) {
      throw new StoreDamage(
        this.source.dir ?? 'the store',
        (error as Error).message.replace(/^(CORRUPT_NODE: )?stored node /, 'the node '),
        { kind: 'state-node', key: bytesToHex(hash) },
        { cause: error },
      );
    }
    return bytes;
  }
}
