export type { SmtNodeReader, SmtProof, SmtUpdateResult, SmtWrite } from './interface.js';
export { MemoryNodeStore } from './memory-node-store.js';
export { NewNodes, type NewNode } from './new-nodes.js';
export {
  SMT_DEPTH_MAX,
  SMT_EMPTY_ROOT,
  SMT_NODE_BYTES,
  SmtError,
  type SmtErrorCode,
  decodeNode,
  isEmptyHash,
  smtInternalHash,
  smtLeafHash,
} from './node.js';
export { verifySmtProof } from './proof.js';
export { SMT_UPDATE_WRITES_MAX, SparseMerkleTree } from './sparse-merkle-tree.js';
export { SMT_LOAD_CONCURRENCY } from './update.js';
export { SmtLeafTable, buildSmtBulk, type SmtBulkSink, type SmtBulkOptions } from './bulk.js';
export {
  SMT_EMPTY_SUBTREE,
  buildSubtree,
  comparePrefixes,
  hasPrefix,
  joinPair,
  joinSubtrees,
  type SmtLeafPair,
  type SmtNodeSink,
  type SmtPlacedSubtree,
  type SmtSubtree,
} from './subtree.js';
