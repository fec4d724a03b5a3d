// The state as the modules declare it: which module owns each key prefix and the schema its
// records are read back with, and every key a transaction may touch (the prefetch set).
// The overlay and readers themselves are the kernel's (overlay.ts).
import type { z } from 'zod';
import { decode } from '../codec/index.js';
import { MODULES } from '../modules/index.js';
import { AuthorityKey } from '../modules/authority/types.js';
import { PropertyKey } from '../modules/property/types.js';
import { GOVERNING_KEYS, txRules } from './apply.js';
import { txId, type TxDigests } from './digests.js';
import { KernelKey } from './overlay.js';
import { replayRecord } from './primitives.js';
import type { Transaction } from './types.js';

export * from './overlay.js';

/**
 * The keys the node reads from its store by name (the rules read through the modules'
 * keepers instead). Prefixes are part of the protocol: never reuse or rename one.
 */
export const StateKey = { ...KernelKey, ...AuthorityKey, ...PropertyKey } as const;

interface PrefixOwner {
  prefix: string;
  exact: boolean;
  schema: z.ZodType;
  module: string;
}

/** Every key prefix with its owner: the kernel's `tx/`, then each module's. */
export const STATE_PREFIXES: readonly PrefixOwner[] = [
  { prefix: 'tx/', exact: false, schema: replayRecord, module: 'kernel' },
  ...MODULES.flatMap((module) =>
    module.prefixes.map((owned) => ({
      prefix: owned.prefix,
      exact: owned.exact ?? false,
      schema: owned.schema,
      module: module.name,
    })),
  ),
];

function schemaOfKey(key: string): z.ZodType | undefined {
  for (const owned of STATE_PREFIXES) {
    if (owned.exact ? key === owned.prefix : key.startsWith(owned.prefix)) return owned.schema;
  }
  return undefined;
}

/** Stored bytes -> a checked record. Data read back is never trusted blindly. */
export function decodeStateValue(key: string, bytes: Uint8Array): unknown {
  const recordSchema = schemaOfKey(key);
  if (!recordSchema) throw new Error(`unknown state key ${key}`);
  const parsed = recordSchema.safeParse(decode(bytes));
  if (!parsed.success) throw new Error(`state record ${key} is damaged: ${parsed.error.issues[0]?.message}`);
  return parsed.data;
}

/**
 * Every state key a transaction may read or write: what the node prefetches before
 * applying a block, and what the mempool re-checks a waiting transaction against.
 * Over-approximates; never misses a key (a miss throws in the reader).
 */
export function stateKeysOf(tx: Transaction, digests?: TxDigests): string[] {
  return keysWith(tx, txRules(tx.type).keysOf as (tx: Transaction) => Iterable<string>, digests);
}

/**
 * The state keys whose change can make a waiting transaction invalid (the rules'
 * validityKeysOf, else keysOf, with the kernel's and the modules' common keys): the mempool
 * re-checks it when a block writes one of them.
 */
export function validityKeysOf(tx: Transaction): string[] {
  const rules = txRules(tx.type);
  return keysWith(tx, (rules.validityKeysOf ?? rules.keysOf) as (tx: Transaction) => Iterable<string>);
}

function keysWith(tx: Transaction, ruleKeys: (tx: Transaction) => Iterable<string>, digests?: TxDigests): string[] {
  const keys = new Set<string>([KernelKey.replay(digests ? digests.id(tx) : txId(tx)), ...GOVERNING_KEYS]);
  for (const module of MODULES) {
    if ('keysOfAny' in module && module.keysOfAny) for (const key of module.keysOfAny(tx)) keys.add(key);
  }
  for (const key of ruleKeys(tx)) keys.add(key);
  return [...keys];
}
