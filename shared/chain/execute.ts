// Executes a block against a state source: the ledger rules, then the state tree.
// Shared by the LevelDB chain, the in-memory simulator and the offline auditor, so all
// three compute roots the same way. Reads are async (LevelDB); rules run synchronously
// over the prefetched keys.
import { bytesToHex, hexToBytes, utf8 } from '../codec/index.js';
import { sha256 } from '../crypto/index.js';
import {
  executeBlock,
  GOVERNING_KEYS,
  protocolAt,
  txRules,
  type LedgerOptions,
  type TxOutcome,
} from '../ledger/apply.js';
import { appHashOf } from '../ledger/block.js';
import { merkleRoot } from '../merkle/rfc6962.js';
import { encodeStateValue, MapStateReader, StateKey, stateKeysOf } from '../ledger/state.js';
import { TxDigests } from '../ledger/tx.js';
import type { BlockContext, Transaction, ValidatorSchedule } from '../ledger/types.js';
import { validatorsAt, validatorsHash } from '../modules/authority/validators.js';
import { ownershipChanges } from '../modules/property/index-rows.js';
import { SparseMerkleTree, type NewNodes, type SmtNodeReader } from '../smt/index.js';

export interface StateSource {
  /** Decoded, checked records for the keys present; absent keys are missing from the map. */
  getMany(keys: string[]): Promise<Map<string, unknown>>;
  nodes: SmtNodeReader;
}

export interface Execution {
  outcomes: TxOutcome[];
  /** In key order; value null deletes. */
  stateWrites: Array<{ key: string; record: unknown; value: Uint8Array | null }>;
  smtNodes: NewNodes;
  stateRoot: string;
  txRoot: string;
  /** Hash of the set voting on this height. */
  validatorsHash: string;
  validators: string[];
  appHash: string;
  txs: Array<{ txHash: string; index: number }>;
  objectHistory: Array<{ objectId: string; txHash: string; index: number }>;
  partyObjects: Array<{ party: string; objectId: string; owns: boolean }>;
}

export function stateKeyHash(key: string): Uint8Array {
  return sha256(utf8(key));
}

/** The record a transaction's history row is about (a property object's id), as its module says. */
export function objectIdOf(tx: Transaction): string | undefined {
  const subject = txRules(tx.type).subject as ((tx: Transaction) => string | undefined) | undefined;
  return subject?.(tx);
}

export async function executeOn(
  source: StateSource,
  stateRoot: string,
  txs: Transaction[],
  block: BlockContext,
  options: LedgerOptions,
): Promise<Execution> {
  // The schedule, the authority index and the protocol are read for every block, even an empty one.
  const digests = options.digests ?? new TxDigests();
  const keys = new Set<string>([StateKey.validatorSchedule, StateKey.authorityIndex, ...GOVERNING_KEYS]);
  for (const tx of txs) for (const key of stateKeysOf(tx, digests)) keys.add(key);
  const base = await source.getMany([...keys]);
  const schedule = base.get(StateKey.validatorSchedule) as ValidatorSchedule | undefined;
  if (!schedule) throw new Error('the state has no validator schedule');
  const validators = validatorsAt(schedule, block.height);
  const reader = new MapStateReader(base);
  const protocol = protocolAt(reader, block.height);

  const { state, outcomes } = executeBlock(reader, txs, block, { verify: options.verify, digests });
  const stateWrites = state
    .changes()
    .map(([key, record]) => ({ key, record, value: record === null ? null : encodeStateValue(record) }));
  const tree = new SparseMerkleTree(source.nodes, hexToBytes(stateRoot));
  const { root, newNodes } = await tree.update(
    stateWrites.map((write) => ({
      keyHash: stateKeyHash(write.key),
      valueHash: write.value === null ? null : sha256(write.value),
    })),
  );
  const rootHex = bytesToHex(root);
  const nextSchedule = (state.get(StateKey.validatorSchedule) as ValidatorSchedule | undefined) ?? schedule;

  const accepted = txs.filter((_, i) => outcomes[i]!.ok);
  // Each hash once: the tx index rows and the txRoot share them (txRootOf would hash every tx again).
  const txIndex = accepted.map((tx, index) => ({ txHash: digests.hash(tx), index }));
  const txRoot = bytesToHex(merkleRoot(txIndex.map((entry) => hexToBytes(entry.txHash))));
  const objectHistory: Execution['objectHistory'] = [];
  accepted.forEach((tx, index) => {
    const objectId = objectIdOf(tx);
    if (objectId) objectHistory.push({ objectId, txHash: txIndex[index]!.txHash, index });
  });
  return {
    outcomes,
    stateWrites,
    smtNodes: newNodes,
    stateRoot: rootHex,
    txRoot,
    validators,
    validatorsHash: validatorsHash(validators),
    appHash: appHashOf(rootHex, validatorsHash(validatorsAt(nextSchedule, block.height + 2)), protocol),
    txs: txIndex,
    objectHistory,
    partyObjects: ownershipChanges((key) => base.get(key), stateWrites),
  };
}
