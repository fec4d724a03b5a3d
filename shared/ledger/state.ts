// The ledger's state: a map from string keys to records, read through a synchronous view.
// The node prefetches every key a block can touch (`stateKeysOf`) before applying it, so
// the rules stay pure and synchronous while the state itself lives in LevelDB.
import { decode, encode } from '../codec/index.js';
import { LedgerError, RejectCode } from './errors.js';
import * as schema from './schema.js';
import type {
  Authority,
  AuthorityIndexEntry,
  FeeSchedule,
  PropertyObject,
  ReplayRecord,
  Transaction,
  ValidatorSchedule,
} from './types.js';
import { txId, type TxDigests } from './tx.js';

/** Every state key. Prefixes are part of the protocol: never reuse or rename one. */
export const StateKey = {
  object: (id: string) => `obj/${id}`,
  authority: (key: string) => `auth/${key}`,
  replay: (id: string) => `tx/${id}`,
  fees: 'cfg/fees',
  authorityIndex: 'cfg/authorities',
  validatorSchedule: 'cfg/validators',
  /** Every validator set the chain ever scheduled, by its hash: receipts of old heights name theirs. */
  validatorSet: (hash: string) => `vset/${hash}`,
} as const;

const schemaOfKey = (key: string) => {
  if (key.startsWith('obj/')) return schema.propertyObject;
  if (key.startsWith('auth/')) return schema.authority;
  if (key.startsWith('tx/')) return schema.replayRecord;
  if (key === StateKey.fees) return schema.feeSchedule;
  if (key === StateKey.authorityIndex) return schema.authorityIndex;
  if (key === StateKey.validatorSchedule) return schema.validatorSchedule;
  if (key.startsWith('vset/')) return schema.validatorSet;
  return undefined;
};

/** Stored bytes -> a checked record. Data read back is never trusted blindly. */
export function decodeStateValue(key: string, bytes: Uint8Array): unknown {
  const recordSchema = schemaOfKey(key);
  if (!recordSchema) throw new Error(`unknown state key ${key}`);
  const parsed = recordSchema.safeParse(decode(bytes));
  if (!parsed.success) throw new Error(`state record ${key} is damaged: ${parsed.error.issues[0]?.message}`);
  return parsed.data;
}

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

  object(id: string): PropertyObject | undefined {
    return this.get(StateKey.object(id)) as PropertyObject | undefined;
  }
  authority(key: string): Authority | undefined {
    return this.get(StateKey.authority(key)) as Authority | undefined;
  }
  fees(): FeeSchedule {
    const fees = this.get(StateKey.fees) as FeeSchedule | undefined;
    if (!fees) throw new LedgerError(RejectCode.malformed, 'the chain has no fee schedule');
    return fees;
  }
  authorityIndex(): AuthorityIndexEntry[] {
    return (this.get(StateKey.authorityIndex) as AuthorityIndexEntry[] | undefined) ?? [];
  }
  validatorSchedule(): ValidatorSchedule {
    return (this.get(StateKey.validatorSchedule) as ValidatorSchedule | undefined) ?? [];
  }
  replay(id: string): ReplayRecord | undefined {
    return this.get(StateKey.replay(id)) as ReplayRecord | undefined;
  }
}

/**
 * Every state key a transaction may read or write: what the node prefetches before
 * applying a block. Over-approximates; never misses a key (a miss throws in the reader).
 */
export function stateKeysOf(tx: Transaction, digests?: TxDigests): string[] {
  const keys = new Set<string>([
    StateKey.replay(digests ? digests.id(tx) : txId(tx)),
    StateKey.fees,
    StateKey.authorityIndex,
    StateKey.validatorSchedule,
  ]);
  for (const signature of tx.signatures) keys.add(StateKey.authority(signature.key));
  switch (tx.type) {
    case 'property.register':
      keys.add(StateKey.object(tx.payload.object.id));
      keys.add(StateKey.authority(tx.payload.registrar));
      break;
    case 'transfer':
      keys.add(StateKey.object(tx.payload.contract.objectId));
      keys.add(StateKey.authority(tx.payload.notary));
      break;
    case 'encumbrance.add':
      keys.add(StateKey.object(tx.payload.objectId));
      keys.add(StateKey.authority(tx.payload.encumbrance.holder));
      break;
    case 'encumbrance.release':
      keys.add(StateKey.object(tx.payload.objectId));
      break;
    case 'authority.add':
      keys.add(StateKey.authority(tx.payload.authority.key));
      break;
    case 'authority.update':
    case 'authority.revoke':
      keys.add(StateKey.authority(tx.payload.key));
      break;
  }
  return [...keys];
}
