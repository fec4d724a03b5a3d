// The node's network as its config describes it: listen addresses, bootstrap peers, mDNS, the
// private network key and the allowlist, serving the chain to syncing peers. Built unstarted:
// the node sets its validators, which need parts built after the network, then starts it.
import { join } from 'node:path';
import type { Chain } from '../chain/chain.js';
import { DataFiles, type NodeConfig } from '../config.js';
import { createNetwork } from './create.js';
import type { NetworkLogger } from './interface.js';
import type { NotaryNetwork } from './network.js';
import { chainSyncSource } from './sync/chain-source.js';

export interface NodeNetworkOptions {
  dataDir: string;
  config: NodeConfig;
  chain: Chain;
  /** Overrides config.listen. */
  listen: string[];
  /** What identify tells peers of this software and the protocol versions it runs (agent.ts). */
  agentVersion?: string;
  log: NetworkLogger & { child(bindings: object): NetworkLogger };
}

export async function nodeNetwork(options: NodeNetworkOptions): Promise<NotaryNetwork> {
  const { dataDir, config, chain, listen, log, agentVersion } = options;
  const network = await createNetwork({
    chainId: chain.chainId,
    listen,
    identityFile: join(dataDir, DataFiles.nodeKey),
    bootstrap: config.bootstrap,
    mdns: config.mdns,
    ...(config.privateNetworkKeyFile ? { swarmKeyFile: join(dataDir, config.privateNetworkKeyFile) } : {}),
    allowedPeers: config.allowlist,
    syncSource: chainSyncSource(chain),
    logger: log.child({ part: 'network' }),
    ...(agentVersion ? { agentVersion } : {}),
    start: false,
  });
  // Transactions and blocks are admitted by the topics' validators; subscribing joins their meshes.
  network.subscribe('tx', () => undefined);
  network.subscribe('txs', () => undefined);
  network.subscribe('block', () => undefined);
  return network;
}
