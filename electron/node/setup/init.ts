// `notary init`: a new node data folder. The libp2p node key, config.json, and for a registrar
// or notary a signing key sealed in an encrypted keystore. With `dev`, also a genesis of a
// single-validator dev chain seeded with demo data, on which the node commits alone
// (docs/decisions.md #26). Without `dev`, the operator copies the network's genesis.json in.
import { peerIdFromPrivateKey } from '@libp2p/peer-id';
import { chmod, mkdir, readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { generateKeyPair } from '../../../shared/crypto/index.js';
import { genesisState, LATEST_PROTOCOL, parseGenesis, type Genesis } from '../../../shared/ledger/index.js';
import { DataFiles, nodeConfigSchema, writeFileDurably, type NodeConfig } from '../config.js';
import { devGenesis, devKeys } from '../dev/demo-registry.js';
import { checkPassphrase, createKeystore } from '../keystore/index.js';
import { loadOrCreateIdentity } from '../network/identity.js';

export type InitRole = 'registrar' | 'notary' | 'observer';

export interface InitOptions {
  dataDir: string;
  /** Also write a single-validator dev chain's genesis. */
  dev: boolean;
  role: InitRole;
  /** The office name shown to peers; a default from the role otherwise. */
  name?: string;
  /** Seals the signing key; required for a registrar or notary, unused for an observer. */
  passphrase?: string;
  /** Demo property objects in a dev genesis (default 300). */
  objects?: number;
}

export interface InitResult {
  dataDir: string;
  role: InitRole;
  name: string;
  /** The node's signing key (null for an observer). */
  publicKey: string | null;
  peerId: string;
  /** The dev chain's id, or null when the network's genesis.json is still to be copied in. */
  chainId: string | null;
  keystoreFile: string | null;
}

export type InitErrorCode = 'DATA_DIR_NOT_EMPTY' | 'INIT_INVALID';

export class InitError extends Error {
  constructor(
    readonly code: InitErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'InitError';
  }
}

const DEFAULT_NAMES: Record<InitRole, string> = {
  registrar: 'Registry office',
  notary: 'Notary office',
  observer: 'Observer node',
};

export async function initNode(options: InitOptions): Promise<InitResult> {
  const { dataDir, role } = options;
  const signs = role !== 'observer';
  // every check before the first write, so a refusal leaves nothing behind
  if (options.dev && !signs) {
    throw new InitError(
      'INIT_INVALID',
      'A dev chain needs its node to vote: use --role notary (the default) or --role registrar with --dev.',
    );
  }
  if (signs) {
    if (options.passphrase === undefined)
      throw new InitError('INIT_INVALID', `A ${role} node needs a passphrase to seal its signing key.`);
    checkPassphrase(options.passphrase);
  }
  const name = options.name ?? (options.dev ? `Dev ${role} (this node)` : DEFAULT_NAMES[role]);
  if (name.length < 1 || name.length > 128) throw new InitError('INIT_INVALID', 'A node name is 1 to 128 characters.');
  const existed = await requireEmptyOrMissing(dataDir);

  try {
    await mkdir(dataDir, { recursive: true, mode: 0o700 });
    if (process.platform !== 'win32') await chmod(dataDir, 0o700);
    const identity = await loadOrCreateIdentity(join(dataDir, DataFiles.nodeKey));
    const peerId = peerIdFromPrivateKey(identity).toString();

    let keystoreFile: string | null = null;
    let publicKey: string | null = null;
    if (signs) {
      const keyPair = generateKeyPair();
      keystoreFile = join(dataDir, DataFiles.signingKeystore);
      await createKeystore(keystoreFile, keyPair, options.passphrase!);
      publicKey = keyPair.publicKey;
    }

    const config: NodeConfig = nodeConfigSchema.parse({ name, role, api: { host: '127.0.0.1', port: 0 } });
    await writeFileDurably(join(dataDir, DataFiles.config), `${JSON.stringify(config, null, 2)}\n`);

    let chainId: string | null = null;
    if (options.dev) {
      const genesis = devChainGenesis({
        publicKey: publicKey!,
        role: role as 'registrar' | 'notary',
        name,
        peerId,
        objects: options.objects,
      });
      // refuse here, not at start: the genesis must give the chain its one validator
      genesisState(parseGenesis(genesis));
      await writeFileDurably(join(dataDir, DataFiles.genesis), `${JSON.stringify(genesis, null, 2)}\n`);
      chainId = genesis.chainId;
    }
    return { dataDir, role, name, publicKey, peerId, chainId, keystoreFile };
  } catch (error) {
    // the folder was new or empty: take back what was written, so init can simply be run again
    await (existed ? emptyFolder(dataDir) : rm(dataDir, { recursive: true, force: true })).catch(() => undefined);
    throw error;
  }
}

/**
 * The dev chain of decision #26: the demo registry of devGenesis, with the node's own key as
 * its only validator. The well-known dev registrar (or, when the node is the registrar, the dev
 * notary) is listed suspended, so a genesis registrar exists but never votes; the dev bank stays.
 * A new chain starts at the latest protocol this software knows, its validator designated.
 */
export function devChainGenesis(node: {
  publicKey: string;
  role: 'registrar' | 'notary';
  name: string;
  peerId?: string;
  objects?: number;
  nowMs?: number;
}): Genesis {
  const base = devGenesis({ objects: node.objects ?? 300, parties: 50 });
  const suspended =
    node.role === 'registrar'
      ? { key: devKeys.notary.publicKey, role: 'notary' as const, name: 'Dev notary (suspended)' }
      : { key: devKeys.registrar.publicKey, role: 'registrar' as const, name: 'Dev registry office (suspended)' };
  return {
    ...base,
    genesisTimeMs: node.nowMs ?? Date.now(),
    protocolVersion: LATEST_PROTOCOL,
    authorities: [
      {
        ...{ key: node.publicKey, role: node.role, name: node.name, validator: true },
        ...(node.peerId ? { peerId: node.peerId } : {}),
      },
      { ...suspended, status: 'suspended', validator: false },
      ...base.authorities.filter((authority) => authority.role === 'observer'), // the dev bank
    ],
  };
}

/** True when the folder exists (and is empty); throws DATA_DIR_NOT_EMPTY when it holds anything. */
async function requireEmptyOrMissing(dir: string): Promise<boolean> {
  let info;
  try {
    info = await stat(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw new InitError(
      'INIT_INVALID',
      `Cannot read ${dir}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}.`,
    );
  }
  if (!info.isDirectory())
    throw new InitError(
      'DATA_DIR_NOT_EMPTY',
      `${dir} exists and is not a folder; notary init needs a new or empty folder.`,
    );
  if ((await readdir(dir)).length > 0) {
    throw new InitError(
      'DATA_DIR_NOT_EMPTY',
      `${dir} is not empty; notary init writes a new node only into a new or empty folder, so nothing there is overwritten.`,
    );
  }
  return true;
}

async function emptyFolder(dir: string): Promise<void> {
  for (const entry of await readdir(dir)) await rm(join(dir, entry), { recursive: true, force: true });
}
