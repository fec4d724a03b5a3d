// The node's LevelDB store: one atomic, synced batch per committed block (docs/store.md).
export {
  BATCH_WRITES_MAX,
  BLOCK_BYTES_MAX,
  COMMIT_BYTES_MAX,
  ChainStore,
  EMPTY_STATE_ROOT,
  GET_MANY_KEYS_MAX,
  LIMIT_DEFAULT,
  LIMIT_MAX,
  OPEN_TAIL_BLOCKS,
  SMT_NODE_BYTES_MAX,
  STATE_VALUE_BYTES_MAX,
  STORE_SCHEMA_VERSION,
  type BlockCommitBatch,
  type GenesisRows,
  type OpenOptions,
  type SnapshotBase,
  type SnapshotBaseBatch,
  type StateView,
  type StoreHead,
} from './chain-store.js';
export { REMEDY, StoreError, type StoreErrorCode } from './errors.js';
export { Keys, Prefix, RETIRED_PREFIXES } from './keys.js';
