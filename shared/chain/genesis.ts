// The genesis block: height 0, the genesis state's root, no transactions, no commit.
import { bytesToHex } from '../codec/index.js';
import { sha256 } from '../crypto/index.js';
import { protocolAt } from '../ledger/apply.js';
import { appHashOf, blockHash, txRootOf, ZERO_HASH } from '../ledger/block.js';
import { genesisState } from '../ledger/genesis.js';
import { encodeStateValue, MapStateReader, StateKey } from '../ledger/state.js';
import type { Block, BlockHeader, Commit, Genesis, ValidatorSchedule } from '../ledger/types.js';
import { validatorsAt, validatorsHash } from '../modules/authority/validators.js';
import { SMT_EMPTY_ROOT, SparseMerkleTree, type SmtNodeReader } from '../smt/index.js';
import { stateKeyHash, type Execution } from './execute.js';

/**
 * The genesis block's header for a state root (shared by the in-memory build and the node's
 * bulk import). `records`: the genesis state without its objects, which the header reads the
 * validator schedule and the protocol version from.
 */
export function genesisHeader(
  genesis: Genesis,
  stateRoot: string,
  records: ReadonlyArray<[string, unknown]>,
): BlockHeader {
  const state = new MapStateReader(new Map(records));
  const schedule = state.get(StateKey.validatorSchedule) as ValidatorSchedule;
  const validators = validatorsAt(schedule, 0);
  return {
    chainId: genesis.chainId,
    height: 0,
    prevHash: ZERO_HASH,
    timeMs: genesis.genesisTimeMs,
    proposer: ZERO_HASH,
    txRoot: txRootOf([]),
    stateRoot,
    validatorsHash: validatorsHash(validators),
    appHash: appHashOf(stateRoot, validatorsHash(validatorsAt(schedule, 2)), protocolAt(state, 0)),
  };
}

export async function genesisExecution(
  genesis: Genesis,
  nodes: SmtNodeReader,
): Promise<{ block: Block; commit: Commit; execution: Execution }> {
  const entries = genesisState(genesis);
  const stateWrites = entries.map(([key, record]) => ({
    key,
    record,
    value: encodeStateValue(record) as Uint8Array | null,
  }));
  const tree = new SparseMerkleTree(nodes, SMT_EMPTY_ROOT);
  const { root, newNodes } = await tree.update(
    stateWrites.map((write) => ({ keyHash: stateKeyHash(write.key), valueHash: sha256(write.value as Uint8Array) })),
  );
  const stateRoot = bytesToHex(root);
  const header = genesisHeader(genesis, stateRoot, entries);
  const schedule = entries.find(([key]) => key === StateKey.validatorSchedule)![1] as ValidatorSchedule;
  const validators = validatorsAt(schedule, 0);
  const hash = blockHash(header);
  const partyObjects: Execution['partyObjects'] = [];
  for (const [key, record] of entries) {
    if (!key.startsWith('obj/')) continue;
    for (const owner of (record as { owners: { key: string }[] }).owners)
      partyObjects.push({ party: owner.key, objectId: key.slice(4), owns: true });
  }
  return {
    block: { header, txs: [] },
    commit: { height: 0, round: 0, blockHash: hash, signatures: [] },
    execution: {
      outcomes: [],
      stateWrites,
      smtNodes: newNodes,
      stateRoot,
      txRoot: header.txRoot,
      validators,
      validatorsHash: header.validatorsHash,
      appHash: header.appHash,
      txs: [],
      objectHistory: [],
      partyObjects,
    },
  };
}
