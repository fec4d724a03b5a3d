// The office's own settings: its identity and key, the configuration an operator sees, the
// bootstrap peers, the keystore backup and the offline switch.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ApiHandlerPart, NodeSettings } from '../../../../shared/api/index.js';
import { StateKey, type Authority } from '../../../../shared/ledger/index.js';
import type { Chain } from '../../chain/chain.js';
import { DataFiles, writeFileDurably, type NodeConfig } from '../../config.js';
import type { SigningKey } from '../../keystore/signing-key.js';
import type { Connectivity } from '../../network/connectivity.js';
import type { NotaryNetwork } from '../../network/network.js';
import { found } from './found.js';

export interface SettingsHandlersComponents {
  dataDir: string;
  /** Changed here by setBootstrap, so the other parts read the new list. */
  config: NodeConfig;
  chain: Pick<Chain, 'getRecord'>;
  network: Pick<NotaryNetwork, 'libp2p'>;
  connectivity: Pick<Connectivity, 'redial' | 'setOffline'>;
  signingKey: SigningKey | null;
  /** Where the API listens, once it does. */
  api(): { url: string; allowRemote: boolean };
  log: { info(fields: object, message: string): void };
}

export function settingsHandlers(components: SettingsHandlersComponents) {
  const { dataDir, config, chain, network, connectivity, signingKey, log } = components;

  const settings = async (): Promise<NodeSettings> => ({
    name: config.name,
    role: config.role,
    dataDir,
    listen: [...config.listen],
    listening: network.libp2p.getMultiaddrs().map((address) => address.toString()),
    bootstrap: [...config.bootstrap],
    mdns: config.mdns,
    api: components.api(),
  });

  /** The encrypted keystore file, or undefined when the node has none. */
  const keystoreFile = async (): Promise<Record<string, unknown> | undefined> => {
    try {
      return JSON.parse(await readFile(join(dataDir, DataFiles.signingKeystore), 'utf8')) as Record<string, unknown>;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  };

  return {
    identity: async () => {
      const key = signingKey?.publicKey ?? null;
      const authority = key ? ((await chain.getRecord(StateKey.authority(key))) as Authority | undefined) : undefined;
      const encrypted = existsSync(join(dataDir, DataFiles.signingKeystore));
      return {
        publicKey: key,
        role: config.role,
        name: authority?.name ?? null,
        status: authority?.status ?? null,
        keystore: key === null ? 'none' : encrypted ? 'encrypted' : 'plain',
        dataDir,
      };
    },

    settings,

    /** Saves a new bootstrap list to config.json (the operator's other settings kept as written) and dials it. */
    setBootstrap: async ({ body: { bootstrap } }) => {
      const path = join(dataDir, DataFiles.config);
      const raw = JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>;
      raw.bootstrap = bootstrap;
      await writeFileDurably(path, `${JSON.stringify(raw, null, 2)}\n`);
      config.bootstrap = [...bootstrap];
      log.info({ bootstrap: bootstrap.length }, 'bootstrap peers changed by the operator');
      connectivity.redial();
      return settings();
    },

    keystoreBackup: async () =>
      found(
        await keystoreFile(),
        'this node has no encrypted keystore (an observer, or a devnet node with a plain key file)',
      ),

    /** Operator switch: take this office off the network (or back on), as a cut cable would. */
    setNetwork: async ({ body: { offline } }) => {
      await connectivity.setOffline(offline);
      return { offline };
    },
  } satisfies ApiHandlerPart;
}
