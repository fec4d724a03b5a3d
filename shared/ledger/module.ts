// A registry system on the ledger: one module per system (property, authority,
// encumbrance; later elections, auctions, registries, public money). Modelled on the
// Cosmos SDK module (x/bank: types/keys.go, keeper/msg_server.go, module.go,
// expected_keepers.go) without its ceremony: no dependency injection, no protobuf Any, no gas.
//
// Layering (held by test/unit/ledger-modules.test.ts):
//   kernel      shared/ledger/{primitives,errors,overlay,digests,module,shares}.ts
//               never import a module;
//   modules     shared/modules/<name>/ import the kernel and the keepers of the modules they
//               `use` (earlier in the list), never another module's keys;
//   assembly    shared/modules/index.ts (the one ordered list) and the files that derive from
//               it: shared/ledger/{schema,types,state,tx,apply,genesis,reject-codes}.ts.
import type { z } from 'zod';
import type { SignatureCheck, Verifier } from '../crypto/index.js';
import type { TxDigests } from './digests.js';
import type { RejectCodeSpec } from './errors.js';
import type { StateOverlay, StateReader } from './overlay.js';
import type { AnyTransaction } from './primitives.js';

/** What the ledger knows of the block it is applying. */
export interface BlockContext {
  chainId: string;
  height: number;
  timeMs: number;
  /**
   * The block's commit certificate was verified before it is executed (sync, a block
   * announcement: decision #33): what more than two thirds of the validators checked before
   * signing (transaction signatures, ballots' proofs) is not checked again; every rule still
   * runs and the state root must match. Absent for a block this node votes on.
   */
  certified?: boolean;
}

/**
 * The chain's parameters every module may need, whichever module governs them (Cosmos:
 * baseapp's ParamStore, an interface the base defines and a module fills).
 */
export interface ChainParams {
  /** The most validators the governed set may grow to (from protocol 2). */
  maxValidators: number;
  /** How long validators wait for a transaction before proposing an empty block. */
  heartbeatMs: number;
  /** The checkpoint period (REQ-CKP.4); absent: a day. */
  checkpointEveryMs?: number;
}

export interface RuleContext {
  state: StateOverlay;
  block: BlockContext;
  /** The protocol version in force at the block's height (1 on every chain made before versions). */
  protocol: number;
  /** The chain parameters as they stand before this transaction. */
  params: ChainParams;
  verify: Verifier;
  /** sha256 of the unsigned transaction: the message every tx signature covers. */
  txIdBytes: Uint8Array;
  /** The block's transaction digests (txIds, hashes, signed contents). */
  digests: TxDigests;
}

/** The rules of one transaction type, given its transaction `Tx`. */
export interface TxRules<Tx extends AnyTransaction> {
  /**
   * Every state key `apply` may read or write, beyond the kernel's and the modules' common
   * keys (`keysOfAny`): what the node prefetches before a block (decision #7), and what
   * the mempool re-checks a waiting transaction against when a block changes one of them.
   * Over-approximates; never misses a key (a miss throws in the reader).
   */
  keysOf(tx: Tx): Iterable<string>;
  /**
   * The keys among keysOf whose change can make the transaction invalid, when that is fewer:
   * the mempool re-checks a waiting transaction only when a block writes one of them. A ballot
   * writes its election's totals but is not refused for them, so a block of ballots does not
   * re-check every ballot still waiting. Absent: keysOf.
   */
  validityKeysOf?(tx: Tx): Iterable<string>;
  /** Checks and applies the transaction, or throws a LedgerError (the kernel rolls back). */
  apply(tx: Tx, context: RuleContext): void;
  /**
   * The first protocol version with this transaction type; before it the kernel rejects the
   * type with NOT_YET_ENABLED. Absent: every version.
   */
  sinceProtocol?: number;
  /** The record a history row is about (a property object's id), if any. */
  subject?(tx: Tx): string | undefined;
  /**
   * Signatures the rules check beyond the envelope's (a transfer's consents over its
   * contract), so a block's signatures can be verified ahead, off the main thread.
   */
  extraSignatureChecks?(tx: Tx, chainId: string, digests: TxDigests): SignatureCheck[];
}

/** A transaction type: its whole schema (from txSchema) and its rules. */
export interface TxType<S extends z.ZodType<AnyTransaction> = z.ZodType<AnyTransaction>> extends TxRules<z.output<S>> {
  type: z.output<S>['type'];
  schema: S;
  /** One sentence: what the transaction does, for docs/modules.md and the API reference. */
  describe: string;
}

export function defineTx<S extends z.ZodType<AnyTransaction>>(
  type: z.output<S>['type'],
  schema: S,
  rules: TxRules<z.output<S>> & { describe: string },
): TxType<S> {
  return { type, schema, ...rules };
}

/** A state key prefix a module owns, with the schema its records are read back with. */
export interface StatePrefix {
  /** `auth/` (a family of keys) or, with `exact`, one key such as `cfg/fees`. */
  prefix: string;
  exact?: boolean;
  schema: z.ZodType;
  describe: string;
}

/** Writes a genesis makes: key -> record. Throw LedgerError on an invalid genesis. */
export type GenesisWriter = Map<string, unknown>;

export interface LedgerModule<
  Name extends string = string,
  Txs extends readonly TxType<any>[] = readonly TxType<any>[], // eslint-disable-line @typescript-eslint/no-explicit-any
  GenesisShape extends z.ZodRawShape = z.ZodRawShape,
  Codes extends Readonly<Record<string, RejectCodeSpec>> = Readonly<Record<string, RejectCodeSpec>>,
> {
  name: Name;
  describe: string;
  /** Modules whose records this one reads, through their keepers; each earlier in MODULES. */
  uses: readonly string[];
  prefixes: readonly StatePrefix[];
  txs: Txs;
  /** Its reject codes, each with what it means; unique across the kernel and every module. */
  codes: Codes;
  /** Keys this module contributes to every transaction's set (e.g. its signers' records). */
  keysOfAny?(tx: AnyTransaction): Iterable<string>;
  /**
   * Checks every transaction of any module before its own rules, over the same prefetched
   * state (Cosmos: an ante handler; authority: a rotated key signs nothing). Reads only keys
   * of `keysOfAny`; throws a LedgerError to reject.
   */
  beforeTx?(tx: AnyTransaction, context: RuleContext): void;
  /** The module's fields of the genesis file, and the records it writes from them. */
  genesis?: {
    shape: GenesisShape;
    init(genesis: z.output<z.ZodObject<GenesisShape>>, writes: GenesisWriter): void;
  };
  /**
   * The module that governs the chain, exactly one in the list: the protocol version in force
   * at a height and the chain parameters, which the kernel hands every rule and the appHash.
   * Listed modules before it read them from the RuleContext, never from its keeper.
   */
  governs?: {
    /** The keys `protocolAt` and `params` read: prefetched for every block and transaction. */
    keys: readonly string[];
    /** The version in force at `height`, from the state before that height's block. */
    protocolAt(state: StateReader, height: number): number;
    params(state: StateReader): ChainParams;
  };
  /** Runs after a block's transactions, in module order (authority: the validator schedule). */
  endBlock?(state: StateOverlay, block: BlockContext): void;
}

export function defineModule<
  const Name extends string,
  const Txs extends readonly TxType<any>[], // eslint-disable-line @typescript-eslint/no-explicit-any
  const Codes extends Readonly<Record<string, RejectCodeSpec>>,
  GenesisShape extends z.ZodRawShape = Record<never, never>,
>(module: LedgerModule<Name, Txs, GenesisShape, Codes>): LedgerModule<Name, Txs, GenesisShape, Codes> {
  return module;
}
