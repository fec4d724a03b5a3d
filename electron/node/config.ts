// A node's configuration file (DATA/config.json), checked with zod when read: a typo in a
// district office's config is a clear error at start, not a silent default.
import { access, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { parseGenesis, type Genesis } from '../../shared/ledger/index.js';

/** The least time between heights a node keeps by default (decision #83). */
export const BLOCK_INTERVAL_MIN_MS_DEFAULT = 250;

export const nodeConfigSchema = z.strictObject({
  /** Human name of this node (office), shown to peers' operators. */
  name: z.string().min(1).max(128),
  role: z.enum(['registrar', 'notary', 'observer']),
  /** libp2p listen multiaddrs. */
  listen: z.array(z.string().min(1).max(256)).max(16).default(['/ip4/127.0.0.1/tcp/0']),
  /** Multiaddrs with /p2p/<peer id> of peers to dial at start. */
  bootstrap: z.array(z.string().min(1).max(512)).max(256).default([]),
  /** Peer ids admitted besides those the on-chain authority registry names. */
  allowlist: z.array(z.string().min(1).max(128)).max(10_000).default([]),
  /** Discover peers on the office LAN. */
  mdns: z.boolean().default(false),
  /** Path (relative to the data dir) of a swarm.key pre-shared key for a private network. */
  privateNetworkKeyFile: z.string().max(1024).optional(),
  /**
   * Local HTTP API address. The API serves this machine only: a host other than a loopback
   * address is refused at start unless allowRemote is true (the token is still required).
   */
  api: z
    .strictObject({
      host: z.string().min(1).max(256).default('127.0.0.1'),
      port: z.number().int().min(0).max(65_535).default(0),
      allowRemote: z.boolean().default(false),
    })
    .default({ host: '127.0.0.1', port: 0, allowRemote: false }),
  consensus: z
    .strictObject({
      /**
       * Overrides the chain's heartbeat (its parameter: how often an idle chain still makes a
       * block) on this node only: for test networks that want a block every second. Absent
       * (the default): the chain's.
       */
      heartbeatMs: z.number().int().min(100).max(3_600_000).optional(),
      timeoutProposeMs: z.number().int().min(100).max(600_000).default(3_000),
      timeoutPrevoteMs: z.number().int().min(50).max(600_000).default(1_000),
      timeoutPrecommitMs: z.number().int().min(50).max(600_000).default(1_000),
      timeoutDeltaMs: z.number().int().min(0).max(600_000).default(500),
      blockTxsMax: z.number().int().min(1).max(10_000).default(500),
      /**
       * Least time from one height's start to its first proposal (CometBFT's timeout_commit;
       * decision #83): transactions that arrive close together share a block. Never past the
       * heartbeat. 0: a proposer builds as soon as one transaction waits.
       */
      blockIntervalMinMs: z.number().int().min(0).max(10_000).default(BLOCK_INTERVAL_MIN_MS_DEFAULT),
    })
    .default({
      timeoutProposeMs: 3_000,
      timeoutPrevoteMs: 1_000,
      timeoutPrecommitMs: 1_000,
      timeoutDeltaMs: 500,
      blockTxsMax: 500,
      blockIntervalMinMs: BLOCK_INTERVAL_MIN_MS_DEFAULT,
    }),
  /**
   * The public election gateway (docs/operations.md "A public gateway"): a second HTTP listener an
   * operator may expose beyond loopback, serving the voter's page, the public election pages and
   * ballot submissions only, with no token. Absent: none.
   */
  gateway: z
    .strictObject({
      host: z.string().min(1).max(255),
      port: z.number().int().min(0).max(65_535),
      /** Requests a minute one client address may make (a token bucket). */
      perAddressPerMinute: z.number().int().min(1).max(100_000).default(120),
      /** Requests one address may make at once before the bucket refills. */
      perAddressBurst: z.number().int().min(1).max(10_000).default(30),
      /** Open connections at most; more are refused by the server. */
      connectionsMax: z.number().int().min(1).max(100_000).default(1_000),
      /** Of the node's mempool, the share one election's ballots may hold before the gateway says "busy". */
      electionMempoolShare: z.number().min(0.01).max(1).default(0.5),
    })
    .optional(),
  /** State snapshots this node makes and serves to offices joining by snapshot (docs/operations.md). */
  snapshot: z
    .strictObject({
      /** A snapshot every this many blocks; 0 makes none (the node still serves headers). */
      intervalBlocks: z.number().int().min(0).max(10_000_000).default(1_000),
      /** Snapshots kept on disk, newest first (each about the size of the state rows). */
      keep: z.number().int().min(1).max(16).default(2),
      /** A chunk is split while its encoding is above this many bytes (at most 4 MiB). */
      chunkBytesTarget: z
        .number()
        .int()
        .min(256)
        .max(4 * 1024 * 1024)
        .default(2 * 1024 * 1024),
    })
    .default({ intervalBlocks: 1_000, keep: 2, chunkBytesTarget: 2 * 1024 * 1024 }),
  /** Checkpoints this node makes, signs and serves (docs/operations.md "Checkpoints"). */
  checkpoint: z
    .strictObject({
      /**
       * A checkpoint at the first block of each period of this many milliseconds (UTC-aligned);
       * 0 makes none. The same on every validator of a network; default a day.
       */
      everyMs: z
        .number()
        .int()
        .min(0)
        .max(366 * 86_400_000)
        .default(86_400_000),
      /** Checkpoints whose statements are kept to print compact proofs from (64 bytes a statement). */
      keepEntries: z.number().int().min(1).max(16).default(2),
      /** An observer office countersigns the checkpoints its own node made, as a witness. */
      witness: z.boolean().default(false),
    })
    .default({ everyMs: 86_400_000, keepEntries: 2, witness: false }),
  /** The disk under the data folder (docs/operations.md, "A full disk"). */
  disk: z
    .strictObject({
      /** Free space kept for blocks: under it the node accepts no new transactions (1 MB to 1 TB). */
      reserveMb: z.number().int().min(1).max(1_048_576).default(256),
    })
    .default({ reserveMb: 256 }),
});

export type NodeConfig = z.infer<typeof nodeConfigSchema>;

export const DataFiles = {
  config: 'config.json',
  genesis: 'genesis.json',
  /** A national-scale genesis's objects, one JSON object per line (chain/genesis-properties.ts); optional. */
  genesisProperties: 'genesis-properties.ndjson',
  nodeKey: 'node-key',
  /** Plain 0600 signing key: devnets only. */
  signingKey: 'signing-key.json',
  /** The node's signing key in an encrypted keystore (`notary init`), unlocked at start. */
  signingKeystore: 'signing-key.keystore.json',
  /** The office's next key while a key rotation is under way (`notary keys rotate`). */
  signingKeystoreNext: 'signing-key.next.keystore.json',
  /** A devnet's plain next key while a key rotation is under way. */
  signingKeyNext: 'signing-key.next.json',
  /** Keys the office rotated away from, still encrypted, never used again: `<publicKey>.keystore.json`. */
  retiredKeys: 'retired-keys',
  chain: 'chain',
  outbox: 'outbox',
  /** Transactions answered `pending` to a client and not yet committed (mempool/pending-log.ts). */
  pendingLog: 'pending.log',
  privValidator: 'priv-validator.json',
  /** The public ballot board and turnout, derived from the blocks (modules/election/board.ts); rebuilt if deleted. */
  electionIndex: 'election-index',
  /** This office's trustee keystores made on its screens, one per election: `<election-id>.json` (modules/election/trustee-api.ts). */
  trustees: 'trustees',
} as const;

export class ConfigError extends Error {
  readonly code = 'CONFIG_INVALID' as const;
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

async function readJson(path: string, what: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new ConfigError(
      `cannot read the ${what} at ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
    );
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new ConfigError(`the ${what} at ${path} is not valid JSON: ${(error as Error).message}`);
  }
}

export async function readConfig(dataDir: string): Promise<NodeConfig> {
  const path = join(dataDir, DataFiles.config);
  const parsed = nodeConfigSchema.safeParse(await readJson(path, 'node configuration'));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ConfigError(`${path}: ${issue?.path.join('.') || 'config'}: ${issue?.message}`);
  }
  return parsed.data;
}

/** The genesis objects file of a data folder, when it has one. */
export async function genesisPropertiesFile(dataDir: string): Promise<string | undefined> {
  const path = join(dataDir, DataFiles.genesisProperties);
  try {
    await access(path);
    return path;
  } catch {
    return undefined;
  }
}

export async function readGenesis(dataDir: string): Promise<Genesis> {
  const path = join(dataDir, DataFiles.genesis);
  try {
    return parseGenesis(await readJson(path, 'genesis'));
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    throw new ConfigError(`${path}: ${(error as Error).message}`);
  }
}

export { writeFileDurably } from './store/durable-file.js';
