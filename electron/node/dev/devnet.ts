// `notary devnet`: keys, genesis and configs for a network of N validators, F full nodes and M
// observers on 127.0.0.1 (or one address each, `hosts`), one data folder each, ready for `notary start --data DIR/<node>`.
// Parties (sellers, buyers) use the well-known dev keys of dev-keys.ts: development only.
import { peerIdFromPrivateKey } from '@libp2p/peer-id';
import { mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { generateKeyPair } from '../../../shared/crypto/index.js';
import { LATEST_PROTOCOL, type Genesis } from '../../../shared/ledger/index.js';
import { DEFAULT_CHAIN_PARAMS } from '../../../shared/modules/governance/types.js';
import { BLOCK_INTERVAL_MIN_MS_DEFAULT, DataFiles, writeFileDurably, type NodeConfig } from '../config.js';
import { DEVNET_CHAIN_ID, devGenesis } from './demo-registry.js';
import { loadOrCreateIdentity } from '../network/identity.js';

/** A devnet node's disk reserve: test nodes write little, and a test machine's disk may be small. */
export const DEVNET_DISK_RESERVE_MB = 16;

export interface DevnetOptions {
  dir: string;
  validators: number;
  observers: number;
  /**
   * Notary offices that governance did not designate (`validator: false`, REQ-VAL.1): they
   * certify and follow without voting. Registered authorities with peer ids, so peers admit them.
   * Default 0; needs protocol 2.
   */
  fullNodes?: number;
  /** First TCP port; node i listens on basePort + i. */
  basePort: number;
  objects: number;
  chainId?: string;
  /**
   * The chain's heartbeat parameter (genesis params); default the chain default (120 s), as a
   * real network: no block while nothing waits but one every heartbeat.
   */
  chainHeartbeatMs?: number;
  /** Consensus timing overrides of every node, e.g. a node-level heartbeat of 1 s for tests. */
  consensus?: Partial<NodeConfig['consensus']>;
  /**
   * The protocol version of height 1; default the latest this software knows. Tests of an
   * upgrade start a devnet at 1 and schedule the next.
   */
  protocolVersion?: number;
  /** Snapshot overrides, e.g. a snapshot every few blocks for tests. */
  snapshot?: Partial<NodeConfig['snapshot']>;
  /** Checkpoint overrides of every node's config; observers countersign as witnesses. */
  checkpoint?: Partial<NodeConfig['checkpoint']>;
  /** The chain's checkpoint period (genesis params), e.g. seconds for tests; default none named (a day). */
  chainCheckpointEveryMs?: number;
  /** Disk overrides (the reserve under which a node accepts no transactions); default DEVNET_DISK_RESERVE_MB. */
  disk?: Partial<NodeConfig['disk']>;
  /**
   * The address node i listens on, peers and API alike (a test lab gives each node its own network
   * namespace and address): the API then serves other hosts (api.allowRemote; the token is still
   * required). Default 127.0.0.1 for every node, the API on loopback only.
   */
  hosts?: string[];
}

export interface DevnetNode {
  name: string;
  dataDir: string;
  role: 'registrar' | 'notary' | 'observer';
  /** Whether the office votes (REQ-VAL.1): the validators; not full nodes nor observers. */
  validator: boolean;
  peerId: string;
  publicKey: string;
  /** The node's own address (DevnetOptions.hosts); absent: 127.0.0.1. */
  host?: string;
  port: number;
}

/** Registrars govern; with few validators make about half of them registrars, the rest notaries. */
function roleOf(index: number, validators: number): 'registrar' | 'notary' {
  return index < Math.max(1, Math.ceil(validators / 2)) ? 'registrar' : 'notary';
}

export async function createDevnet(options: DevnetOptions): Promise<{ nodes: DevnetNode[]; genesis: Genesis }> {
  if (!Number.isInteger(options.validators) || options.validators < 1 || options.validators > 64)
    throw new Error('--validators must be 1 to 64');
  if (!Number.isInteger(options.observers) || options.observers < 0 || options.observers > 64)
    throw new Error('--observers must be 0 to 64');
  const fullNodes = options.fullNodes ?? 0;
  const protocolVersion = options.protocolVersion ?? LATEST_PROTOCOL;
  if (!Number.isInteger(fullNodes) || fullNodes < 0 || fullNodes > 64) throw new Error('--full-nodes must be 0 to 64');
  // REJECT: before protocol 2 every active notary votes, so an office cannot be a full node
  if (fullNodes > 0 && protocolVersion < 2)
    throw new Error('--full-nodes needs protocol 2 or later: on protocol 1 every notary office votes');
  // REJECT: a host list that does not name every node's address
  if (options.hosts && options.hosts.length !== options.validators + fullNodes + options.observers)
    throw new Error('hosts must name one address for each node');
  await mkdir(options.dir, { recursive: true });
  if ((await readdir(options.dir)).length > 0)
    throw new Error(`${options.dir} is not empty; devnet writes a new network into an empty folder`);

  const nodes: Array<DevnetNode & { secretKey: string }> = [];
  // validators first, then full nodes, then observers: without full nodes the ports are as before
  const total = options.validators + fullNodes + options.observers;
  for (let i = 0; i < total; i++) {
    const validator = i < options.validators;
    const fullNode = !validator && i < options.validators + fullNodes;
    const name = validator
      ? `node-${i + 1}`
      : fullNode
        ? `full-${i - options.validators + 1}`
        : `observer-${i - options.validators - fullNodes + 1}`;
    const dataDir = join(options.dir, name);
    await mkdir(dataDir, { recursive: true, mode: 0o700 });
    const identity = await loadOrCreateIdentity(join(dataDir, DataFiles.nodeKey));
    const signing = generateKeyPair();
    nodes.push({
      name,
      dataDir,
      role: validator ? roleOf(i, options.validators) : fullNode ? 'notary' : 'observer',
      validator,
      peerId: peerIdFromPrivateKey(identity).toString(),
      publicKey: signing.publicKey,
      secretKey: signing.secretKey,
      ...(options.hosts ? { host: options.hosts[i]! } : {}),
      port: options.basePort + i,
    });
  }

  const base = devGenesis({ objects: options.objects, chainId: options.chainId ?? DEVNET_CHAIN_ID });
  const genesis: Genesis = {
    ...base,
    genesisTimeMs: Date.now(),
    protocolVersion,
    params: {
      ...DEFAULT_CHAIN_PARAMS,
      ...(options.chainHeartbeatMs ? { heartbeatMs: options.chainHeartbeatMs } : {}),
      ...(options.chainCheckpointEveryMs ? { checkpointEveryMs: options.chainCheckpointEveryMs } : {}),
    },
    authorities: [
      ...nodes.map((node) => ({
        key: node.publicKey,
        role: node.role,
        name: `Devnet ${node.name}`,
        peerId: node.peerId,
        // designation needs protocol 2: the devnet's validators vote, its full nodes do not
        ...(protocolVersion >= 2 && node.role !== 'observer' ? { validator: node.validator } : {}),
      })),
      ...base.authorities.filter((authority) => authority.role === 'observer'), // the dev bank
    ],
  };

  const hostOf = (node: DevnetNode) => node.host ?? '127.0.0.1';
  for (const node of nodes) {
    const config: NodeConfig = {
      name: node.name,
      role: node.role,
      listen: [`/ip4/${hostOf(node)}/tcp/${node.port}`],
      bootstrap: nodes
        .filter((other) => other !== node)
        .map((other) => `/ip4/${hostOf(other)}/tcp/${other.port}/p2p/${other.peerId}`),
      allowlist: [],
      mdns: false,
      api: { host: hostOf(node), port: 0, allowRemote: node.host !== undefined },
      consensus: {
        timeoutProposeMs: 3_000,
        timeoutPrevoteMs: 1_000,
        timeoutPrecommitMs: 1_000,
        timeoutDeltaMs: 500,
        blockTxsMax: 500,
        blockIntervalMinMs: BLOCK_INTERVAL_MIN_MS_DEFAULT,
        ...options.consensus,
      },
      snapshot: { intervalBlocks: 1_000, keep: 2, chunkBytesTarget: 2 * 1024 * 1024, ...options.snapshot },
      disk: { reserveMb: DEVNET_DISK_RESERVE_MB, ...options.disk },
      checkpoint: { everyMs: 86_400_000, keepEntries: 2, witness: node.role === 'observer', ...options.checkpoint },
    };
    await writeFileDurably(join(node.dataDir, DataFiles.config), `${JSON.stringify(config, null, 2)}\n`);
    await writeFileDurably(join(node.dataDir, DataFiles.genesis), `${JSON.stringify(genesis, null, 2)}\n`);
    // Dev networks keep the signing key in a plain 0600 file; real nodes use the encrypted keystore.
    await writeFileDurably(
      join(node.dataDir, DataFiles.signingKey),
      `${JSON.stringify({ publicKey: node.publicKey, secretKey: node.secretKey }, null, 2)}\n`,
      0o600,
    );
  }
  const summary = nodes.map(({ secretKey: _secret, ...node }) => node);
  await writeFileDurably(
    join(options.dir, 'devnet.json'),
    `${JSON.stringify({ chainId: genesis.chainId, nodes: summary }, null, 2)}\n`,
  );
  return { nodes: summary, genesis };
}
