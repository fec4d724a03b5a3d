// What the node says about itself: its status (also sent to live subscribers), its metrics,
// the equivocation evidence it has seen, and the API's own document.
import { openApiDocument, type ApiHandlerPart, type NodeStatus } from '../../../../shared/api/index.js';
import type { Chain } from '../../chain/chain.js';
import type { ClockWatch } from '../../consensus/clock-watch.js';
import type { NodeConfig } from '../../config.js';
import type { Mempool } from '../../mempool/mempool.js';
import type { Outbox } from '../../mempool/outbox.js';
import type { Connectivity, Reachability } from '../../network/connectivity.js';
import type { NotaryNetwork } from '../../network/network.js';
import type { DamageWatch } from '../../store/damage-watch.js';
import type { DiskWatch } from '../../store/disk-watch.js';
import type { HeadWatch } from '../../network/sync/head-watch.js';
import type { ProtocolWatch } from '../../chain/protocol-watch.js';
import type { EvidenceLog } from '../../store/evidence-log.js';
import type { NodeMetrics } from '../metrics.js';

export interface NodeStatusComponents {
  chain: Pick<Chain, 'chainId' | 'head' | 'governance'> & { readonly snapshotBase?: number | undefined };
  config: Pick<NodeConfig, 'name' | 'role'>;
  network: Pick<NotaryNetwork, 'peerId' | 'peers'>;
  mempool: Pick<Mempool, 'size' | 'bytes'>;
  outbox: Pick<Outbox, 'list'>;
  connectivity: Pick<Connectivity, 'reachability'>;
  sync: { readonly syncing: boolean };
  damage: Pick<DamageWatch, 'view' | 'check'>;
  protocol: Pick<ProtocolWatch, 'stop' | 'supported'>;
  clockOffset: Pick<ClockWatch, 'view'>;
  disk: Pick<DiskWatch, 'view'>;
  heads: Pick<HeadWatch, 'view' | 'readSync'>;
}

/** The node's status; a damaged node still answers it (reading the validators may be what is damaged). */
export function nodeStatus(components: NodeStatusComponents): () => Promise<NodeStatus> {
  const { chain, config, network, mempool, outbox, connectivity, sync, damage, protocol, clockOffset, disk, heads } =
    components;
  return async () => {
    let reach: Reachability;
    try {
      reach = await connectivity.reachability();
    } catch (error) {
      if (!damage.check(error)) throw error;
      reach = { validators: 0, reachable: 0, online: false };
    }
    const entries = outbox.list();
    const head = chain.head;
    const damaged = damage.view;
    const governance = chain.governance();
    const stop = protocol.stop;
    return {
      chainId: chain.chainId,
      nodeName: config.name,
      role: config.role,
      peerId: network.peerId,
      height: head.height,
      headHash: head.hash,
      headTimeMs: head.header.timeMs,
      online: reach.online && damaged === undefined,
      peers: network.peers().length,
      validators: reach.validators,
      validatorsReachable: reach.reachable,
      syncing: sync.syncing,
      ...heads.view(),
      mempool: { size: mempool.size, bytes: mempool.bytes },
      outbox: {
        pending: entries.filter((entry) => entry.state === 'pending' || entry.state === 'submitted').length,
        final: entries.filter((entry) => entry.state === 'final').length,
        rejected: entries.filter((entry) => entry.state === 'rejected').length,
      },
      ...(chain.snapshotBase !== undefined ? { snapshotBase: chain.snapshotBase } : {}),
      ...(damaged ? { damaged: { ...damaged } } : {}),
      protocol: {
        version: governance.protocol,
        supported: [...protocol.supported],
        ...(governance.upgrade ? { upgrade: { ...governance.upgrade } } : {}),
        ...(stop ? { stopped: stop.sentence } : {}),
      },
      params: { ...governance.params },
      clock: clockOffset.view(),
      disk: disk.view(),
    };
  };
}

export interface StatusHandlersComponents {
  status(): Promise<NodeStatus>;
  metrics: Pick<NodeMetrics, 'scrape'>;
  evidence: Pick<EvidenceLog, 'list'>;
}

export function statusHandlers({ status, metrics, evidence }: StatusHandlersComponents) {
  return {
    status: () => status(),
    metrics: () => metrics.scrape(),
    evidence: async () => evidence.list(),
    openapi: async () => openApiDocument(),
  } satisfies ApiHandlerPart;
}
