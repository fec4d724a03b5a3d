// Checkpoints for tests (docs/protocol.md REQ-CKP.1–2): a statement tree of property objects, and
// a checkpoint of it on a made-up block, signed by a validator set and countersigned by witnesses.
import { signVote } from '../../shared/chain/commit.js';
import { stateKeyHash } from '../../shared/chain/execute.js';
import {
  checkpointBodyOf,
  CHECKPOINT_VERSION,
  leafFields,
  propertyStatement,
  signCheckpoint,
  statementLeaf,
  StatementTreeBuilder,
  type CheckpointFile,
  type StatementTree,
} from '../../shared/checkpoint/index.js';
import type { KeyPair } from '../../shared/crypto/index.js';
import { blockHash, StateKey, type BlockHeader } from '../../shared/ledger/index.js';
import { validatorsHash } from '../../shared/modules/authority/validators.js';
import type { PropertyObject } from '../../shared/modules/property/types.js';

export const keyHashOf = (id: string): Uint8Array => stateKeyHash(StateKey.object(id));

export function treeOf(objects: readonly PropertyObject[]): StatementTree {
  const builder = new StatementTreeBuilder();
  for (const object of objects) builder.add(keyHashOf(object.id), statementLeaf(leafFields(propertyStatement(object))));
  return builder.build();
}

export interface CheckpointOptions {
  chainId: string;
  height: number;
  timeMs: number;
  /** The block's validator set. */
  set: readonly KeyPair[];
  /** How many of the set (by key order) sign the checkpoint; all by default. */
  signers?: number;
  /** How many of the set (by key order) sign the block's commit; all by default. */
  commitSigners?: number;
  witnesses?: readonly KeyPair[];
}

/** A checkpoint of `tree` on a block of the options' chain, height and time, with its commit. */
export function signedCheckpoint(tree: StatementTree, options: CheckpointOptions): CheckpointFile {
  const { chainId, height } = options;
  const sorted = [...options.set].sort((a, b) => (a.publicKey < b.publicKey ? -1 : 1));
  const validators = sorted.map((pair) => pair.publicKey);
  const header: BlockHeader = {
    chainId,
    height,
    prevHash: 'aa'.repeat(32),
    timeMs: options.timeMs,
    proposer: validators[0]!,
    txRoot: 'bb'.repeat(32),
    stateRoot: 'cc'.repeat(32),
    validatorsHash: validatorsHash(validators),
    appHash: 'dd'.repeat(32),
  };
  const hash = blockHash(header);
  const body = checkpointBodyOf(header, hash, tree);
  return {
    kind: 'checkpoint',
    version: CHECKPOINT_VERSION,
    body,
    signatures: sorted
      .slice(0, options.signers ?? sorted.length)
      .map((pair) => signCheckpoint(pair.secretKey, pair.publicKey, body)),
    witnesses: (options.witnesses ?? []).map((pair) => signCheckpoint(pair.secretKey, pair.publicKey, body)),
    header,
    commit: {
      height,
      round: 0,
      blockHash: hash,
      signatures: sorted
        .slice(0, options.commitSigners ?? sorted.length)
        .map((pair) => signVote(pair.secretKey, chainId, 'precommit', height, 0, hash)),
    },
    validators,
  };
}
