// The node's API handlers: one part per area, merged into the one map the HTTP server and the
// Electron IPC channel call (shared/api/handlers.ts checks every route has exactly one
// handler). Each registry module's part comes from its folder (electron/node/modules/<name>/api.ts).
import { mergeHandlers, type ApiHandlerMap, type NodeStatus } from '../../../../shared/api/index.js';
import { ProtocolUnsupportedError } from '../../../../shared/chain/index.js';
import type { ConsensusService } from '../../consensus/service.js';
import type { NotaryNetwork } from '../../network/network.js';
import type { DamageWatch } from '../../store/damage-watch.js';
import type { DiskWatch } from '../../store/disk-watch.js';
import type { EvidenceLog } from '../../store/evidence-log.js';
import { ApiError } from '../errors.js';
import { nodeMetrics } from '../metrics.js';
import { registryQueries } from '../queries.js';
import { chainHandlers } from './chain.js';
import { checkpointHandlers, type CheckpointHandlersComponents } from './checkpoints.js';
import { authorityApi, type AuthorityApiComponents } from '../../modules/authority/api.js';
import { inboxHandlers, type InboxHandlersComponents } from './inbox.js';
import { propertyApi, type PropertyApiComponents } from '../../modules/property/api.js';
import { electionApi, type ElectionApiComponents } from '../../modules/election/api.js';
import { trusteeApi } from '../../modules/election/trustee-api.js';
import { settingsHandlers, type SettingsHandlersComponents } from './settings.js';
import { nodeStatus, statusHandlers, type NodeStatusComponents } from './status.js';
import { transactionHandlers, type TransactionHandlersComponents } from './transactions.js';

/** How long the peers view waits for a peer's head height. */
const PEER_STATUS_TIMEOUT_MS = 1_500;

export type NodeApiComponents = NodeStatusComponents &
  TransactionHandlersComponents &
  InboxHandlersComponents &
  AuthorityApiComponents &
  Omit<PropertyApiComponents, 'queries'> &
  ElectionApiComponents &
  SettingsHandlersComponents &
  CheckpointHandlersComponents & {
    network: Pick<NotaryNetwork, 'peerId' | 'peers' | 'libp2p' | 'metrics' | 'requestStatus'>;
    consensus: Pick<ConsensusService, 'status'>;
    evidence: Pick<EvidenceLog, 'list'>;
    damage: Pick<DamageWatch, 'view' | 'check' | 'refuse' | 'sentence'>;
    disk: Pick<DiskWatch, 'view' | 'translate'>;
  };

export interface NodeApi {
  handlers: ApiHandlerMap;
  /** The node's status, unguarded (the status events and NotaryNode.status). */
  status(): Promise<NodeStatus>;
}

export function nodeApi(components: NodeApiComponents): NodeApi {
  const { chain, network, mempool, outbox, consensus, sync, damage } = components;
  const queries = registryQueries({
    chain,
    peers: () => network.peers(),
    selfKey: () => components.signingKey?.publicKey,
    peerHeight: async (peerId) =>
      (await network.requestStatus(peerId, { signal: AbortSignal.timeout(PEER_STATUS_TIMEOUT_MS) })).height,
    protocols: () => components.protocol.supported,
    headSync: () => components.heads.readSync(),
  });
  const status = nodeStatus(components);
  const metrics = nodeMetrics({
    height: () => chain.head.height,
    peers: () => network.peers().length,
    mempool: () => ({ size: mempool.size, bytes: mempool.bytes }),
    outboxPending: () =>
      outbox.list().filter((entry) => entry.state === 'pending' || entry.state === 'submitted').length,
    consensusRound: () => consensus.status()?.round ?? 0,
    syncing: () => sync.syncing,
    damaged: () => damage.view !== undefined,
    network: () => network.metrics(),
    clockOffset: () => components.clockOffset.view(),
    disk: () => components.disk.view(),
    headSync: () => components.heads.view(),
    // A damaged node still serves its metrics (notary_store_damaged 1): the figures that need the store are then left out.
    missedVotes: async () => {
      if (damage.view) return [];
      try {
        return (await queries.validators()).validators.map(({ key, name, missedVotes }) => ({
          key,
          name,
          missed: missedVotes,
        }));
      } catch (error) {
        if (damage.check(error)) return [];
        throw error;
      }
    },
  });
  const handlers = mergeHandlers(
    statusHandlers({ status, metrics, evidence: components.evidence }),
    transactionHandlers(components),
    chainHandlers({ chain, queries }),
    checkpointHandlers(components),
    inboxHandlers(components),
    settingsHandlers(components),
    // Each registry module's part, in module order.
    authorityApi(components),
    propertyApi({ ...components, queries }),
    electionApi(components),
    trusteeApi(components),
  );
  return { handlers: guarded(handlers, damage, components.disk), status };
}

/**
 * Every handler: damage it runs into puts the node in the damaged state and answers 503
 * NODE_DAMAGED, never a 500; a disk that refused a write answers 507 with the disk's code.
 */
function guarded(
  handlers: ApiHandlerMap,
  damage: NodeApiComponents['damage'],
  disk: NodeApiComponents['disk'],
): ApiHandlerMap {
  const guarded: Record<string, unknown> = {};
  for (const [name, handler] of Object.entries(handlers) as Array<[string, (input: unknown) => Promise<unknown>]>) {
    guarded[name] = async (input: unknown) => {
      try {
        return await handler(input);
      } catch (error) {
        // a node stopped before an upgrade it cannot run: the same sentence as its status
        if (error instanceof ProtocolUnsupportedError) throw new ApiError(503, error.code, error.message);
        if (!damage.check(error)) throw disk.translate(error);
        throw new ApiError(503, 'NODE_DAMAGED', damage.sentence());
      }
    };
  }
  return guarded as ApiHandlerMap;
}
