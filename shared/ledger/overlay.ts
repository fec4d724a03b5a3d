// The ledger's state: a map from string keys to records, read through a synchronous view.
// The node prefetches every key a block can touch (`stateKeysOf`) before applying it, so
// the rules stay pure and synchronous while the state itself lives in LevelDB. Each key
// prefix belongs to one module (shared/modules/*/types.ts); the kernel owns only `tx/`.
import { encode } from '../codec/index.js';
import type { z } from 'zod';
import type { replayRecord } from './primitives.js';

export type ReplayRecord = z.infer<typeof replayRecord>;

/** The kernel's own keys. Prefixes are part of the protocol: never reuse or rename one. */
export const KernelKey = {
  /** The replay record of a committed transaction, by its txId. */
  replay: (id: string) => `tx/${id}`,
} as const;

export function encodeStateValue(value: unknown): Uint8Array {
  return encode(value);
}

export interface StateReader {
  /** The decoded record, or undefined when absent. Throws if the key was not prefetched. */
  get(key: string): unknown;
}

/** A map-backed reader: genesis, tests, and prefetched views. */
export class MapStateReader implements StateReader {
  constructor(private readonly entries: ReadonlyMap<string, unknown>) {}
  get(key: string): unknown {
    return this.entries.get(key);
  }
}

/**
 * Writes buffered over a base view: a block's changes, read back by later transactions of
 * the same block. Each transaction runs inside begin()/commit(); a rejection calls
 * rollback(), so a rule that throws halfway can never leave half its writes behind.
 */
export class StateOverlay implements StateReader {
  private readonly changed = new Map<string, unknown>();
  private pending: Map<string, unknown> | null = null;
  constructor(private readonly base: StateReader) {}

  get(key: string): unknown {
    if (this.pending?.has(key)) return this.pending.get(key) ?? undefined;
    if (this.changed.has(key)) return this.changed.get(key) ?? undefined;
    return this.base.get(key);
  }

  set(key: string, value: unknown): void {
    (this.pending ?? this.changed).set(key, value);
  }

  delete(key: string): void {
    (this.pending ?? this.changed).set(key, null);
  }

  begin(): void {
    if (this.pending) throw new Error('a transaction is already open on this state');
    this.pending = new Map();
  }

  commit(): void {
    if (!this.pending) throw new Error('no transaction is open on this state');
    for (const [key, value] of this.pending) this.changed.set(key, value);
    this.pending = null;
  }

  rollback(): void {
    this.pending = null;
  }

  /** Changes in key order (null = deleted): the deterministic write set of a block. */
  changes(): Array<[string, unknown]> {
    if (this.pending) throw new Error('a transaction is still open on this state');
    return [...this.changed.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  }

  replay(id: string): ReplayRecord | undefined {
    return this.get(KernelKey.replay(id)) as ReplayRecord | undefined;
  }
}
