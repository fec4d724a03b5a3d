// The notary node wires its parts and nothing else (Lodestar's BeaconNode.init): it opens the
// stores, builds the parts in order, each given only the parts it needs, starts them, and
// stops them in reverse. Runs headless (`notary start`) or inside Electron main.
import { join } from 'node:path';
import { pino, type Logger } from 'pino';
import type { ApiHandlerMap, NodeStatus, StoreDamageView, TxStatus } from '../../shared/api/index.js';
import { EventHub } from './api/events.js';
import { nodeApi } from './api/handlers/index.js';
import { ApiExposedError, isLoopbackHost } from './api/http-server.js';
import { localApi, type LocalApi } from './api/local-api.js';
import { publicGateway, type GatewayPart } from './api/gateway.js';
import type { Chain } from './chain/chain.js';
import { committer } from './chain/committer.js';
import { supportedProtocols } from './chain/protocol-support.js';
import { protocolWatch } from './chain/protocol-watch.js';
import { readConfig, readGenesis, type NodeConfig } from './config.js';
import { clockWatch } from './consensus/clock-watch.js';
import { consensusService, type ConsensusService } from './consensus/service.js';
import { openKeyRing, retireRotatedKey } from './keystore/key-ring.js';
import type { SigningKey } from './keystore/signing-key.js';
import { systemClock } from './lifecycle/clock.js';
import { testNodeClock } from './lifecycle/test-clock-offset.js';
import { stopAll, type Part } from './lifecycle/parts.js';
import { TxBatcher } from './network/gossip/tx-batcher.js';
import { Mempool } from './mempool/mempool.js';
import type { Outbox } from './mempool/outbox.js';
import { submissions, type Submissions } from './mempool/submissions.js';
import { connectivity } from './network/connectivity.js';
import { chainValidators } from './network/gossip/chain-validators.js';
import type { NotaryNetwork } from './network/network.js';
import { agentVersionOf } from './network/agent.js';
import { nodeNetwork } from './network/node-network.js';
import { chainSyncSource } from './network/sync/chain-source.js';
import { syncControl } from './network/sync/sync-control.js';
import { headWatch } from './network/sync/head-watch.js';
import { joinBeforeStart } from './snapshot/join-start.js';
import { stateServices } from './checkpoint/parts.js';
import { damageWatch, type DamageWatch } from './store/damage-watch.js';
import { diskWatch } from './store/disk-watch.js';
import { openNodeStores } from './store/node-stores.js';
import { electionBoard } from './modules/election/board.js';
import { loadElectionGroup } from '../../shared/modules/election/group.js';
import { defaultUiDir, type StartOptions } from './start-options.js';

export { defaultUiDir, type StartOptions } from './start-options.js';

export class NotaryNode {
  private constructor(
    readonly dataDir: string,
    readonly config: NodeConfig,
    readonly signingKey: SigningKey | null,
    readonly log: Logger,
    readonly chain: Chain,
    readonly mempool: Mempool,
    readonly outbox: Outbox,
    readonly network: NotaryNetwork,
    /** Live events for the UI: WebSocket clients and the Electron window subscribe here. */
    readonly events: EventHub,
    /** The API handlers: the HTTP server and the Electron IPC channel call the same ones. */
    readonly handlers: ApiHandlerMap,
    private readonly parts: {
      api: LocalApi;
      gateway: GatewayPart | undefined;
      status(): Promise<NodeStatus>;
      submissions: Submissions;
      consensus: ConsensusService;
      damage: DamageWatch;
      /** In start order. */
      lifecycle: Part[];
    },
  ) {}

  static async start(options: StartOptions): Promise<NotaryNode> {
    const { dataDir } = options;
    const log = options.logger ?? pino({ level: process.env.NOTARY_LOG_LEVEL ?? 'info' }, pino.destination(2));
    const config = await readConfig(dataDir);
    const address = { ...config.api, ...options.api };
    const allowRemote = address.allowRemote ?? false;
    // REJECT: an API address other machines reach without the opt-in, before anything opens
    if (!allowRemote && !isLoopbackHost(address.host)) throw new ApiExposedError(address.host);
    const genesis = await readGenesis(dataDir);
    // the election rules' ballot proofs in libsodium (12x @noble/curves, the same bytes: decision #57)
    await loadElectionGroup();
    const keys = await openKeyRing(dataDir, config.role, options.passphrase);
    // the office's key as the chain has it now: transactions are signed with it (decision #51)
    const signingKey = keys?.live ?? null;
    const protocols = supportedProtocols();
    const clock = testNodeClock(genesis.chainId, systemClock(), log);
    if (options.joinSnapshot) await joinBeforeStart({ dataDir, config, genesis, log });
    const stores = await openNodeStores(dataDir, genesis, log, { protocolMax: protocols[protocols.length - 1]! });
    const lifecycle: Part[] = [stores];
    try {
      const { stop: _closeStores, pendingTxs, ...stored } = stores; // the stores' stop is the lifecycle's
      const { chain, outbox } = stored;
      const clockOffset = clockWatch()({ clock, chain, log: log.child({ part: 'clock' }) }); // decision #66
      const mempool = new Mempool(chain, () => clockOffset.networkNow()); // windows by the network's time
      const base = { ...stored, dataDir, config, signingKey, selfKey: signingKey?.publicKey, mempool, clock, log };
      const agentVersion = agentVersionOf(protocols);
      const network = await nodeNetwork({ ...base, listen: options.listen ?? config.listen, agentVersion });
      const damage = damageWatch({ dataDir })(base);
      const disk = diskWatch({ dataDir, reserveBytes: config.disk.reserveMb * 2 ** 20 })(base);
      const blockCommitter = committer()({ ...base, damage });
      const protocol = protocolWatch({ supported: protocols })({ ...base, committer: blockCommitter });
      if (keys) await retireRotatedKey(keys, chain, blockCommitter, log);
      const sync = syncControl()({
        ...{ client: network, local: chainSyncSource(chain), clock, log: log.child({ part: 'sync' }) },
        apply: (block, commit, prepared) => blockCommitter.commit(block, commit, prepared),
      });
      // A node stopped for an upgrade fetches no block it could not execute.
      protocol.onStopped(() => sync.stop());
      const { snapshots, checkpoints } = stateServices(config, {
        ...{ dataDir, chain, committer: blockCommitter, network, log, keys, now: () => clockOffset.networkNow() },
      });
      const board = electionBoard({ dataDir, chain, committer: blockCommitter, log });
      const heads = headWatch()({ ...base, client: network, sync, damage });
      const validators = chainValidators()({ ...base, committer: blockCommitter, sync, damage, protocol, heads });
      network.setValidators(validators.topics);
      const events = new EventHub();
      const watches = { clockOffset, heads }; // the clock (#66) and the head (#69) against the network's
      const parts = { ...base, network, damage, disk, protocol, committer: blockCommitter, sync, events, ...watches };
      const links = connectivity()(parts);
      // Transactions leave in batches on the txs topic (decision #60).
      const batcher = new TxBatcher({ publish: (batch) => network.publish('txs', batch) });
      const publish = (bytes: Uint8Array) => batcher.publish(bytes);
      const sent = submissions()({ ...parts, connectivity: links, publish, log: log.child({ part: 'outbox' }) });
      await sent.readmit(pendingTxs);
      const consensus = consensusService({
        ...{ chainId: chain.chainId, consensus: config.consensus },
        signer: keys && config.role !== 'observer' ? { keys: () => keys.consensusKeys(), dataDir } : null,
      })({
        ...{ ...parts, connectivity: links, verify: chain.verify, decode: validators.consensusDecoded },
        log: log.child({ part: 'consensus' }),
      });
      const { handlers, status } = nodeApi({
        ...{ ...parts, connectivity: links, submissions: sent, consensus, board, checkpoints },
        api: () => ({ url: api.url, allowRemote }),
      });
      const uiDir = options.uiDir === undefined ? defaultUiDir() : (options.uiDir ?? undefined);
      const api = localApi({ ...address, allowRemote, uiDir, tokenFile: join(dataDir, 'api-token') })({
        ...{ handlers, status, events, damage, clock, log },
      });
      const gateway = publicGateway(config.gateway, options.gateway, { handlers, uiDir, mempool, log });
      lifecycle.push(disk, board, network, batcher, snapshots, checkpoints, sync, heads, links, consensus);
      lifecycle.push(damage, sent, api, ...(gateway ? [gateway] : []));
      for (const part of lifecycle) await part.start?.();
      log.info(
        { peerId: network.peerId, height: chain.head.height, api: api.url, gateway: gateway?.url },
        'node started',
      );
      return new NotaryNode(dataDir, config, signingKey, log, chain, mempool, outbox, network, events, handlers, {
        ...{ api, gateway, status, submissions: sent, consensus, damage, lifecycle },
      });
    } catch (error) {
      await stopAll(lifecycle);
      throw error;
    }
  }

  get apiUrl(): string {
    return this.parts.api.url;
  }

  /** The public election gateway's address, when this node serves one. */
  get gatewayUrl(): string | undefined {
    return this.parts.gateway?.url;
  }

  /** True when the API listens on an address other machines can reach (api.allowRemote). */
  get apiExposed(): boolean {
    return this.parts.api.exposed;
  }

  /** The address to open in a browser: the UI, with the API token in the fragment (never sent to a server). */
  uiUrl(): Promise<string | undefined> {
    return this.parts.api.uiUrl();
  }

  status(): Promise<NodeStatus> {
    return this.parts.status();
  }

  txStatus(hash: string): Promise<TxStatus> {
    return this.parts.submissions.txStatus(hash);
  }

  /** How often consensus halted and was restarted since start. */
  get consensusHalts(): number {
    return this.parts.consensus.halts;
  }

  /** The damage this node found in its store, if any. */
  get damaged(): StoreDamageView | undefined {
    return this.parts.damage.view;
  }

  stop(): Promise<void> {
    return stopAll(this.parts.lifecycle);
  }
}
