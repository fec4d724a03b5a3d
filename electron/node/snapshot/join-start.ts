// `notary start --join-snapshot`: before the node opens its store, a fresh data folder is
// filled from a snapshot peers offer (join.ts), over a network of its own that admits the
// bootstrap peers, the config allowlist and the genesis authorities. The store is written in
// DATA/chain.joining and renamed to DATA/chain only when complete, so a crash mid-way leaves no
// chain: the next start removes the leftover and joins again. A folder that has a chain
// already ignores the switch.
import { access, rename, rm } from 'node:fs/promises';
import { syncDirectory } from '../store/durable-file.js';
import { join } from 'node:path';
import type { Genesis } from '../../../shared/ledger/index.js';
import { DataFiles, type NodeConfig } from '../config.js';
import { createFastVerifier } from '../crypto/fast-verify.js';
import { VerifyPool } from '../crypto/verify-pool.js';
import { createNetwork } from '../network/create.js';
import type { NetworkLogger } from '../network/interface.js';
import { snapshotClient } from './client.js';
import { joinFromSnapshot, joinWorkerCount, type JoinProgress, type JoinResult } from './join.js';
import { snapshotProtocol } from './protocol.js';

export const JOINING_DIR = 'chain.joining';

export async function joinBeforeStart(options: {
  dataDir: string;
  config: NodeConfig;
  genesis: Genesis;
  log: NetworkLogger & { child(bindings: object): NetworkLogger };
  onProgress?: (progress: JoinProgress) => void;
}): Promise<JoinResult | undefined> {
  const { dataDir, config, genesis, log } = options;
  const chainDir = join(dataDir, DataFiles.chain);
  if (await exists(chainDir)) {
    log.info({ dir: chainDir }, 'snapshot: this data folder has a chain already; --join-snapshot is ignored');
    return undefined;
  }
  const joiningDir = join(dataDir, JOINING_DIR);
  await rm(joiningDir, { recursive: true, force: true }); // an interrupted join starts over
  const peerIdOf = (address: string) => address.split('/p2p/')[1];
  const network = await createNetwork({
    chainId: genesis.chainId,
    listen: ['/ip4/127.0.0.1/tcp/0'],
    identityFile: join(dataDir, DataFiles.nodeKey),
    bootstrap: config.bootstrap,
    ...(config.privateNetworkKeyFile ? { swarmKeyFile: join(dataDir, config.privateNetworkKeyFile) } : {}),
    allowedPeers: [
      ...config.allowlist,
      ...config.bootstrap.map(peerIdOf).filter((id): id is string => id !== undefined),
      ...genesis.authorities.flatMap((authority) => (authority.peerId ? [authority.peerId] : [])),
    ],
    logger: log.child({ part: 'network' }),
  });
  // Every core checks chunks while this thread receives and writes them.
  const pool = new VerifyPool({ workers: joinWorkerCount() });
  try {
    const started = performance.now();
    const result = await joinFromSnapshot({
      pool,
      dir: joiningDir,
      genesis,
      client: snapshotClient(network.libp2p, snapshotProtocol(genesis.chainId)),
      requestBlocks: (peerId, from, to) => network.requestBlocks(peerId, from, to),
      peers: () => network.syncPeerIds(),
      verify: createFastVerifier(),
      log: log.child({ part: 'snapshot' }),
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    });
    await rename(joiningDir, chainDir);
    await syncDirectory(dataDir);
    log.info(
      {
        height: result.height,
        pairs: result.pairs,
        chunks: result.chunks,
        ms: Math.round(performance.now() - started),
        refused: result.refusedPeers,
      },
      'snapshot: joined; syncing blocks from its height',
    );
    return result;
  } finally {
    await pool.close();
    await network.stop();
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}
