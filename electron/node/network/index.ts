// The notary node's network (DESIGN §6): libp2p with permissioned connections, the chain's
// gossip topics with validators, the sync protocol and the syncer.
export { createNetwork } from './create.js';
export { NotaryNetwork, type NotaryLibp2p } from './network.js';
export { NetworkError, NetworkErrorCode, GossipAction, GossipValidationError } from './errors.js';
export { PermissionedGater, canonicalPeerId } from './gater.js';
export { loadIdentity, loadOrCreateIdentity } from './identity.js';
export { generateSwarmKey, parseSwarmKey, readSwarmKeyFile } from './swarm-key.js';
export {
  TOPIC_BYTES_MAX,
  GOSSIP_RPC_BYTES_MAX,
  PEER_SCORE_THRESHOLDS,
  peerScoreParams,
  syncProtocol,
  topicName,
} from './topics.js';
export { toGossipAction, REASON_CODES_MAX, type GossipVerdict } from './gossip/validation.js';
export { BoundedQueue } from './gossip/queue.js';
export {
  decodeBlockAnnouncement,
  defaultValidators,
  encodeBlockAnnouncement,
  type BlockAnnouncement,
} from './gossip/messages.js';
export {
  SYNC_BLOCKS_MAX,
  SYNC_FRAME_BYTES_MAX,
  SYNC_REQUEST_BYTES_MAX,
  SYNC_RESPONSE_BYTES_MAX,
  SYNC_STATUS_FRAME_BYTES_MAX,
  SyncErrorCode,
  rangeProblem,
} from './sync/protocol.js';
export { chainSyncSource, type ServableChain } from './sync/chain-source.js';
export {
  Syncer,
  decodeSyncedBlock,
  type SyncerEvents,
  type SyncerInit,
  type SyncPrepared,
  type SyncProgress,
  type SyncResult,
} from './sync/syncer.js';
export { NETWORK_DEFAULTS, DEFAULT_LISTEN, silentLogger, type NetworkInit, type NetworkLimits } from './options.js';
export * from './interface.js';
