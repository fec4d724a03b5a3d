// The API contract (DESIGN §7): every method's input and output as zod schemas, shared by
// the HTTP server, the Electron IPC handlers, the CLI and the renderer.
import { z } from 'zod';
import * as schema from '../ledger/schema.js';
import { certificateSchema, receiptSchema } from '../receipt/index.js';

export const API_PREFIX = '/api/v1';
export const API_BODY_BYTES_MAX = 256 * 1024;

export const apiErrorSchema = z.strictObject({ error: z.strictObject({ code: z.string(), message: z.string() }) });
export type ApiErrorBody = z.infer<typeof apiErrorSchema>;

/** The node found its store damaged (docs/operations.md): it signs and proposes nothing, and refuses submissions. */
export const storeDamageSchema = z.strictObject({
  /** What is wrong: "does not hash to its key", "LevelDB: Corruption: block checksum mismatch …". */
  what: z.string(),
  /** Where: the row (kind and key), e.g. "row state-node 3fa2…", or the store folder. */
  where: z.string(),
  sinceMs: z.number().int().nonnegative(),
  /** The one command that repairs it (moves the chain folder aside; the next start re-syncs from peers). */
  repair: z.string(),
});
export type StoreDamageView = z.infer<typeof storeDamageSchema>;

/** The protocol this node runs and the chain's governance as its head state says. */
export const protocolStatusSchema = z.strictObject({
  /** The version in force at the next height. */
  version: z.number().int().positive(),
  /** The versions this node's software runs (NOTARY_PROTOCOL_MAX may lower them). */
  supported: z.array(z.number().int().positive()).max(64),
  /** The upgrade the registrars scheduled, until its height has passed. */
  upgrade: z
    .strictObject({
      version: z.number().int().positive(),
      height: z.number().int().positive(),
      name: z.string().optional(),
    })
    .optional(),
  /** Present when this node stopped before a height its software cannot execute: the one sentence saying why and what to do. */
  stopped: z.string().optional(),
});
export type ProtocolStatus = z.infer<typeof protocolStatusSchema>;

export const chainParamsSchema = z.strictObject({
  maxValidators: z.number().int().positive(),
  heartbeatMs: z.number().int().positive(),
  checkpointEveryMs: z.number().int().positive().optional(),
});

/**
 * This node's clock against the network's, measured on the proposals it receives from other
 * validators (electron/node/consensus/clock-watch.ts; decision #66).
 */
export const clockStatusSchema = z.strictObject({
  /** This node's clock minus the network's, in ms (positive: ahead, negative: behind); null before any sample. */
  offsetMs: z.number().int().nullable(),
  /** Proposals the estimate is made from (bounded), and the validators that proposed them. */
  samples: z.number().int().nonnegative(),
  proposers: z.number().int().nonnegative(),
  /** When the state began, by this node's clock. */
  sinceMs: z.number().int(),
  /** 'off': at least 5 s from the network (its blocks may be refused); 'unknown': fewer than 2 proposers heard yet. */
  state: z.enum(['ok', 'off', 'unknown']),
});
export type ClockStatus = z.infer<typeof clockStatusSchema>;
export type ClockState = ClockStatus['state'];

/**
 * The disk under the node's data folder (electron/node/store/disk-watch.ts; decision #67). Any
 * state but 'ok' refuses submissions with 507 (DISK_FULL, DISK_READ_ONLY, DATA_FILES_MISSING,
 * DISK_FAILING); the node keeps following and catches up by itself once the disk takes writes.
 */
export const diskStatusSchema = z.strictObject({
  /** 'low': free space under the reserve; 'full': a write failed for space; 'missing': the store's files are gone. */
  state: z.enum(['ok', 'low', 'full', 'read-only', 'missing', 'failing']),
  /** Bytes still free for the node; null when the file system would not say. */
  freeBytes: z.number().int().nonnegative().nullable(),
  reserveBytes: z.number().int().nonnegative(),
  /** When the state began, by this node's clock. */
  sinceMs: z.number().int(),
  /** What is wrong and what happens next, for the operator; absent when 'ok'. */
  sentence: z.string().optional(),
});
export type DiskStatus = z.infer<typeof diskStatusSchema>;
export type DiskState = DiskStatus['state'];

/**
 * Why a node does not call itself in sync (electron/node/network/sync/head-watch.ts; decision #69):
 * 'syncing': fetching blocks; 'behind': the network committed blocks this node has not (a signed
 * vote, proposal or commit said so); 'store': its store takes no writes (a full or read-only disk,
 * damage), so it cannot follow; 'unconfirmed': nothing confirmed its head in the last few seconds
 * (just started, or cut off). A read from a node not in sync may be older than the network's.
 */
export const behindReasonSchema = z.enum(['syncing', 'behind', 'store', 'unconfirmed']);
export type BehindReason = z.infer<typeof behindReasonSchema>;
export const headSyncShape = {
  /** The node has evidence its head is the network's: its reads are current. */
  inSync: z.boolean(),
  /** Present when not in sync. */
  behind: z
    .strictObject({
      reason: behindReasonSchema,
      /** Blocks the network is known (by signatures) to have committed above this node's head; null when not known. */
      blocks: z.number().int().nonnegative().nullable(),
    })
    .optional(),
};
export type HeadSync = z.infer<z.ZodObject<typeof headSyncShape>>;

export const statusSchema = z.strictObject({
  chainId: z.string(),
  nodeName: z.string(),
  role: z.enum(['registrar', 'notary', 'observer']),
  peerId: z.string(),
  height: z.number().int().nonnegative(),
  headHash: schema.hash,
  headTimeMs: z.number().int().nonnegative(),
  /** Whether this node reaches more than 2/3 of the validators; offline it certifies into the outbox. */
  online: z.boolean(),
  peers: z.number().int().nonnegative(),
  validators: z.number().int().nonnegative(),
  validatorsReachable: z.number().int().nonnegative(),
  syncing: z.boolean(),
  ...headSyncShape,
  mempool: z.strictObject({ size: z.number().int(), bytes: z.number().int() }),
  outbox: z.strictObject({ pending: z.number().int(), final: z.number().int(), rejected: z.number().int() }),
  /**
   * Present when the node joined from a state snapshot at this height: it holds no blocks,
   * receipts or object history from 1 to this height - 1 (receipts answer BEFORE_SNAPSHOT).
   */
  snapshotBase: z.number().int().positive().optional(),
  /** Present only when the node found its store damaged; `online` is then false. */
  damaged: storeDamageSchema.optional(),
  protocol: protocolStatusSchema,
  /** The chain's parameters (governance.params). */
  params: chainParamsSchema,
  clock: clockStatusSchema,
  disk: diskStatusSchema,
});
export type NodeStatus = z.infer<typeof statusSchema>;

export const txStatusSchema = z.discriminatedUnion('state', [
  z.strictObject({ state: z.literal('pending') }),
  z.strictObject({ state: z.literal('outbox') }),
  z.strictObject({
    state: z.literal('final'),
    height: z.number().int().positive(),
    index: z.number().int().nonnegative(),
  }),
  z.strictObject({ state: z.literal('rejected'), code: z.string(), sentence: z.string() }),
  z.strictObject({ state: z.literal('unknown') }),
]);
export type TxStatus = z.infer<typeof txStatusSchema>;

export const submitResultSchema = z.strictObject({
  txHash: schema.hash,
  txId: schema.hash,
  status: txStatusSchema,
});
export type SubmitResult = z.infer<typeof submitResultSchema>;

export const outboxEntrySchema = z.strictObject({
  seq: z.number().int(),
  txHash: schema.hash,
  txId: schema.hash,
  type: z.string(),
  state: z.enum(['pending', 'submitted', 'final', 'rejected']),
  addedAtMs: z.number().int(),
  updatedAtMs: z.number().int(),
  height: z.number().int().optional(),
  code: z.string().optional(),
  sentence: z.string().optional(),
});
export type OutboxEntryView = z.infer<typeof outboxEntrySchema>;

export const txHashParam = schema.hash;

export const blockSummarySchema = z.strictObject({
  hash: schema.hash,
  header: schema.blockHeader,
  txCount: z.number().int().nonnegative(),
  txHashes: z.array(schema.hash),
});
export type BlockSummary = z.infer<typeof blockSummarySchema>;

/** One block with the commit certificate that made it final (the signatures of > 2/3 of its validators). */
export const blockDetailSchema = blockSummarySchema.extend({ commit: schema.commit.nullable() });
export type BlockDetail = z.infer<typeof blockDetailSchema>;

// ---- registry queries ------------------------------------------------------------------

/** The most objects a search returns; `truncated` says when the owner holds more. */
export const SEARCH_RESULTS_MAX = 100;
/** The most history rows one request returns, oldest first. */
export const HISTORY_ROWS_MAX = 1_000;

export const objectIdParam = schema.objectId;
export const searchQuerySchema = z.string().trim().min(1, 'q is an object id or an owner public key').max(128);

export const receiptViewSchema = receiptSchema;

const base64 = (bytesMax: number) =>
  z
    .string()
    .max(Math.ceil(bytesMax / 3) * 4)
    .regex(/^[A-Za-z0-9+/]*={0,2}$/, 'base64');

/** One checkpoint as the list shows it. */
export const checkpointSummarySchema = z.strictObject({
  height: z.number().int().nonnegative(),
  timeMs: z.number().int().nonnegative(),
  id: schema.hash,
  statements: z.number().int().nonnegative(),
  validatorsSigned: z.number().int().nonnegative(),
  validatorsTotal: z.number().int().nonnegative(),
  witnesses: z.number().int().nonnegative(),
  /** Whether the node still keeps its statements, so it can print compact proofs against it. */
  proofs: z.boolean(),
});
export type CheckpointSummary = z.infer<typeof checkpointSummarySchema>;

/** A property object's compact proof: the bytes its certificate's QR code carries (REQ-CKP.3). */
export const compactProofViewSchema = z.strictObject({
  id: schema.objectId,
  height: z.number().int().nonnegative(),
  timeMs: z.number().int().nonnegative(),
  checkpointId: schema.hash,
  /** The QR code's bytes, base64: at most 412 (QR version 15 at error correction M). */
  qr: base64(412),
  /** False when the owners did not fit and the QR carries only their hash and count. */
  ownersInQr: z.boolean(),
});
export type ReceiptView = z.infer<typeof receiptViewSchema>;

export const propertyViewSchema = z.strictObject({
  property: schema.propertyObject,
  /** The record proved against the head block's state root: verifies offline with verifyCertificate. */
  certificate: certificateSchema,
  /** Whether the answering node was in sync when it read: if not, a newer version may exist. */
  ...headSyncShape,
});
export type PropertyView = z.infer<typeof propertyViewSchema>;

/** The ledger's transaction types, in module order (shared/modules/index.ts). */
export const txTypeSchema = z.enum(schema.TX_TYPES);

export const historyEntrySchema = z.strictObject({
  height: z.number().int().nonnegative(),
  index: z.number().int().nonnegative(),
  txHash: schema.hash,
  type: txTypeSchema,
});
export const propertyHistorySchema = z.strictObject({
  objectId: schema.objectId,
  entries: z.array(historyEntrySchema).max(HISTORY_ROWS_MAX),
  truncated: z.boolean(),
});
export type PropertyHistory = z.infer<typeof propertyHistorySchema>;

export const searchResultSchema = z.strictObject({
  query: z.string(),
  /** What the query matched: an object id, an owner's public key, or nothing. */
  match: z.enum(['object', 'owner', 'none']),
  results: z
    .array(z.strictObject({ id: schema.objectId, kind: schema.propertyKind, address: z.string() }))
    .max(SEARCH_RESULTS_MAX),
  truncated: z.boolean(),
});
export type SearchResult = z.infer<typeof searchResultSchema>;

export const peerViewSchema = z.strictObject({
  peerId: z.string(),
  addresses: z.array(z.string()),
  connectedSinceMs: z.number(),
  latencyMs: z.number().nullable(),
  gossipScore: z.number(),
  /** The peer's head height as it answered just now (sync status), or null if it did not in time. */
  height: z.number().int().nonnegative().nullable(),
  /** What the peer's software says of itself (libp2p identify): `notary/0.1.0 protocols=1,2`; null before it did. */
  agentVersion: z.string().max(200).nullable(),
  /** The protocol versions the peer's software runs, from its agentVersion; null when it does not say. */
  protocols: z.array(z.number().int().positive()).max(64).nullable(),
});
export const peersSchema = z.array(peerViewSchema);
export type PeerView = z.infer<typeof peerViewSchema>;

export const validatorViewSchema = z.strictObject({
  key: schema.publicKey,
  name: z.string().nullable(),
  role: schema.role.nullable(),
  status: schema.authorityStatus.nullable(),
  peerId: z.string().nullable(),
  /** This node itself, or a peer with an open connection to it. */
  connected: z.boolean(),
  self: z.boolean(),
  /** The authority record's version (authority.update and revoke name it). */
  version: z.number().int().positive().nullable(),
  /** The office's earlier keys, oldest first, when it rotated its key (the first is its identity). */
  formerKeys: z.array(schema.publicKey).optional(),
  /** The last height (of the recent window) whose commit carries this validator's signature. */
  lastSignedHeight: z.number().int().nonnegative().nullable(),
  /** Commits of the recent window missing this validator's signature, while it was in the set. */
  missedVotes: z.number().int().nonnegative(),
  /** Designated by governance (protocol 2), or null for a record from before designation (it votes by role). */
  designated: z.boolean().nullable(),
  /** The protocol versions its software runs: this node's own, or a connected peer's as it advertises them; else null. */
  protocols: z.array(z.number().int().positive()).max(64).nullable(),
  /** Whether its software runs the scheduled upgrade's version; null when none is scheduled or it is not known. */
  runsUpgrade: z.boolean().nullable(),
});
/**
 * An authority outside the set (REQ-VAL.1): a registrar or notary office that certifies and
 * follows the chain without voting, or an observer. Active and suspended records only.
 */
export const followerViewSchema = validatorViewSchema.pick({
  key: true,
  name: true,
  role: true,
  status: true,
  peerId: true,
  connected: true,
  self: true,
  designated: true,
  protocols: true,
  runsUpgrade: true,
});
/** How many recent commits the validator view looks at. */
export const SIGNING_WINDOW_BLOCKS = 100;
/** The most followers the validator view lists (a national network has hundreds of offices). */
export const FOLLOWERS_MAX = 2_000;
export const validatorsViewSchema = z.strictObject({
  /** The set that votes on the next block. */
  height: z.number().int().positive(),
  /** The commits counted for lastSignedHeight and missedVotes: this many, ending at the head. */
  window: z.number().int().nonnegative(),
  validators: z.array(validatorViewSchema),
  /** Every other active or suspended authority, by role then name: they follow and do not vote. */
  followers: z.array(followerViewSchema).max(FOLLOWERS_MAX),
  /** True when more authorities follow than FOLLOWERS_MAX. */
  followersTruncated: z.boolean(),
});
export type FollowerView = z.infer<typeof followerViewSchema>;
export type ValidatorsView = z.infer<typeof validatorsViewSchema>;

// ---- the notary's inbox: transfer contracts waiting to be certified ------------------

/** The most contracts an inbox holds; a notary's day is far fewer. */
export const INBOX_ENTRIES_MAX = 1_000;

/** A transfer as the parties bring it: contract and their consents; the notary has not signed. */
export const transferDraftSchema = schema.transaction.refine(
  (tx) => tx.type === 'transfer',
  'only a transfer contract can be certified',
);

export const inboxEntrySchema = z.strictObject({
  /** The draft's txId: the same id the certified transaction will have. */
  id: schema.hash,
  addedAtMs: z.number().int(),
  objectId: schema.objectId,
  priceMinor: z.number().int().nonnegative(),
  /** Set once this node certified it. */
  certifiedTxHash: schema.hash.optional(),
  draft: schema.transaction,
});
export type InboxEntry = z.infer<typeof inboxEntrySchema>;

export const CHECK_NAMES = [
  'chain',
  'expiry',
  'notary',
  'object',
  'version',
  'consents',
  'shares',
  'encumbrances',
  'duty',
  'ledger',
] as const;
/** One check the ledger will make, shown to the notary before signing. */
export const transferCheckSchema = z.strictObject({
  check: z.enum(CHECK_NAMES),
  ok: z.boolean(),
  /** The reject code when not ok. */
  code: z.string().optional(),
  /** A sentence for the notary, in English; the UI translates by check and code. */
  sentence: z.string(),
  /** Values a translated sentence may need (amounts, versions, keys). */
  values: z.record(z.string(), z.union([z.string(), z.number()])).optional(),
});
export const transferChecksSchema = z.strictObject({
  id: schema.hash,
  /** True when every check passes: certifying now should make it final. */
  ok: z.boolean(),
  checks: z.array(transferCheckSchema),
  /** Duty owed under the fee schedule, in minor units. */
  dutyOwedMinor: z.number().int().nonnegative(),
  atHeight: z.number().int().nonnegative(),
});
export type TransferChecks = z.infer<typeof transferChecksSchema>;

/** Who this node signs as. The private key never leaves the node. */
export const identitySchema = z.strictObject({
  publicKey: schema.publicKey.nullable(),
  role: z.enum(['registrar', 'notary', 'observer']),
  /** The authority record's name and status on chain, when registered. */
  name: z.string().nullable(),
  status: schema.authorityStatus.nullable(),
  /** How the signing key is kept on disk. */
  keystore: z.enum(['encrypted', 'plain', 'none']),
  dataDir: z.string(),
});
export type Identity = z.infer<typeof identitySchema>;

/** The most block summaries one request returns. */
export const BLOCKS_PAGE_MAX = 100;
export const blocksPageSchema = z.strictObject({
  head: z.number().int().nonnegative(),
  blocks: z.array(blockSummarySchema).max(BLOCKS_PAGE_MAX),
});
export type BlocksPage = z.infer<typeof blocksPageSchema>;

// ---- live events (WebSocket /api/v1/events, and the Electron IPC channel) ------------------

export const apiEventSchema = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('block'),
    height: z.number().int().positive(),
    hash: schema.hash,
    timeMs: z.number().int(),
    txHashes: z.array(schema.hash),
  }),
  z.strictObject({ type: z.literal('tx'), txHash: schema.hash, status: txStatusSchema }),
  z.strictObject({ type: z.literal('status'), status: statusSchema }),
  z.strictObject({ type: z.literal('inbox') }),
  z.strictObject({ type: z.literal('evidence'), validator: schema.publicKey, height: z.number().int() }),
]);
export type ApiEvent = z.infer<typeof apiEventSchema>;
/** WebSocket subprotocols: the version, and the token (browsers cannot set headers on a WebSocket). */
export const EVENTS_PROTOCOL = 'notary.events.v1';
export const TOKEN_PROTOCOL_PREFIX = 'bearer.';

// ---- settings ----------------------------------------------------------------------------

/** The most bootstrap peers a node keeps. */
export const BOOTSTRAP_PEERS_MAX = 256;
/** A peer to dial at start: a TCP multiaddr ending in the peer's id, e.g. /ip4/10.0.0.7/tcp/47000/p2p/12D3Koo…. */
export const bootstrapAddressSchema = z
  .string()
  .trim()
  .max(512)
  .regex(
    /^\/(ip4|ip6|dns4|dns6|dns)\/[^/]+\/tcp\/\d{1,5}\/p2p\/[1-9A-HJ-NP-Za-km-z]{46,60}$/,
    'a peer address looks like /ip4/10.0.0.7/tcp/47000/p2p/12D3Koo… (host, TCP port and peer id)',
  );
export const bootstrapUpdateSchema = z.strictObject({
  bootstrap: z
    .array(bootstrapAddressSchema)
    .max(BOOTSTRAP_PEERS_MAX)
    .refine((list) => new Set(list).size === list.length, 'the same peer address is listed twice'),
});

export const settingsSchema = z.strictObject({
  name: z.string(),
  role: z.enum(['registrar', 'notary', 'observer']),
  dataDir: z.string(),
  listen: z.array(z.string()),
  /** The addresses this node's libp2p host listens on now, with its peer id: give one to other offices. */
  listening: z.array(z.string()),
  bootstrap: z.array(z.string()).max(BOOTSTRAP_PEERS_MAX),
  mdns: z.boolean(),
  api: z.strictObject({ url: z.string(), allowRemote: z.boolean() }),
});
export type NodeSettings = z.infer<typeof settingsSchema>;

// ---- governance --------------------------------------------------------------------------

/** An authority change with this office's registrar signature added, and how far it is from quorum. */
export const cosignResultSchema = z.strictObject({
  tx: schema.transaction,
  txHash: schema.hash,
  /** Valid signatures of active registrars on it now. */
  signatures: z.number().int().nonnegative(),
  /** Signatures the ledger needs: more than two thirds of the active registrars. */
  needed: z.number().int().positive(),
  registrars: z.number().int().nonnegative(),
});
export type CosignResult = z.infer<typeof cosignResultSchema>;
