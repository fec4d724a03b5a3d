// Schemas for every ledger value that crosses a boundary (network, API, files, store).
// Types are inferred from them, so the checked shape and the typed shape cannot drift.
// The kernel's primitives come from primitives.ts, each module's records and payloads from
// its types.ts; the transaction union, the block and the genesis are assembled here from
// the module list (shared/modules/index.ts).
import { z } from 'zod';
import { MODULES, type AnyTxType } from '../modules/index.js';
import { blockHeader, chainId, timeMs } from './primitives.js';

export * from './primitives.js';
export * from '../modules/authority/types.js';
export * from '../modules/governance/types.js';
export * from '../modules/property/types.js';
export * from '../modules/encumbrance/types.js';
export * from '../modules/election/types.js';

const txSchemas = MODULES.flatMap((module) => module.txs.map((tx) => tx.schema)) as unknown as [
  AnyTxType['schema'],
  ...AnyTxType['schema'][],
];

/** Every transaction type, in module order: the API's and the UI's lists are this one. */
export const TX_TYPES = txSchemas.map((tx) => tx.shape.type.value) as [AnyTxType['type'], ...AnyTxType['type'][]];

/** Any transaction of any module, told apart by its `type`. */
export const transaction = z.discriminatedUnion('type', txSchemas);

export const block = z.strictObject({
  header: blockHeader,
  txs: z.array(transaction).max(10_000),
});

type UnionToIntersection<U> = (U extends unknown ? (value: U) => void : never) extends (value: infer I) => void
  ? I
  : never;
type ShapeOf<M> = M extends { genesis?: { shape: infer S } } ? S : never;
type GenesisShapes = UnionToIntersection<ShapeOf<(typeof MODULES)[number]>>;

/** The genesis file: the chain's id and time, then each module's fields, in module order. */
export const genesis = z.strictObject({
  chainId,
  genesisTimeMs: timeMs,
  ...(Object.assign(
    {},
    ...MODULES.map((module) => ('genesis' in module ? module.genesis?.shape : undefined) ?? {}),
  ) as GenesisShapes),
});
