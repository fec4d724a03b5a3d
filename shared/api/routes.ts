// Every HTTP route of the API (DESIGN §7) as data: the server dispatches on it, the handler map
// (handlers.ts) is typed from it and the OpenAPI document is generated from it, so none can drift apart.
import { z } from 'zod';
import * as schema from '../ledger/schema.js';
import {
  bootstrapUpdateSchema,
  settingsSchema,
  BLOCKS_PAGE_MAX,
  blockDetailSchema,
  blocksPageSchema,
  checkpointSummarySchema,
  compactProofViewSchema,
  objectIdParam,
  identitySchema,
  inboxEntrySchema,
  INBOX_ENTRIES_MAX,
  transferChecksSchema,
  transferDraftSchema,
  outboxEntrySchema,
  peersSchema,
  receiptViewSchema,
  statusSchema,
  submitResultSchema,
  txHashParam,
  txStatusSchema,
  validatorsViewSchema,
} from './contract.js';
import { checkpointBundleSchema } from '../checkpoint/bundle.js';
import { checkpointFileSchema } from '../checkpoint/checkpoint.js';
import { authorityRoutes } from '../modules/authority/api.js';
import { propertyRoutes } from '../modules/property/api.js';
import { electionRoutes } from '../modules/election/api.js';
import type { ApiMethodName } from './methods.js';
import type { RouteSpec } from './route-spec.js';

export type { RouteSpec } from './route-spec.js';

/** Decimal digits only: no sign, no exponent, no hex ("0x10" is not a height). */
export const heightParam = z
  .string()
  .regex(/^\d{1,16}$/, 'a block height is a whole number from 0')
  .transform(Number)
  .pipe(z.number().int().max(Number.MAX_SAFE_INTEGER));
/** `before`: the page ends below this height (default: the head); `limit`: 1 to BLOCKS_PAGE_MAX. */
export const blocksQuery = {
  before: z.union([z.literal(''), heightParam]).transform((value) => (value === '' ? undefined : value)),
  limit: z
    .union([
      z.literal(''),
      z
        .string()
        .regex(/^\d{1,3}$/, 'limit is a whole number')
        .transform(Number)
        .pipe(z.number().int().min(1).max(BLOCKS_PAGE_MAX)),
    ])
    .transform((value) => (value === '' ? 20 : value)),
};
export const inboxIdParam = schema.hash;
export const networkSwitchSchema = z.strictObject({ offline: z.boolean() });

/** The node's own routes; each registry module adds its own (shared/modules/<name>/api.ts). */
const nodeRoutes = {
  status: {
    method: 'GET',
    path: '/status',
    summary: 'Height, peers, online, mempool and outbox of this node',
    status: 200,
    response: statusSchema,
  },
  submit: {
    method: 'POST',
    path: '/txs',
    summary: 'Submit a signed transaction (to the mempool, or the outbox when offline)',
    body: schema.transaction,
    bodyCheck: 'handler',
    status: 202,
    response: submitResultSchema,
    errors: [409, 413, 422, 503, 507],
  },
  txStatus: {
    method: 'GET',
    path: '/txs/{txHash}',
    summary: 'pending | outbox | final | rejected (with the reason) | unknown',
    params: { txHash: txHashParam },
    status: 200,
    response: txStatusSchema,
  },
  receipt: {
    method: 'GET',
    path: '/receipts/{txHash}',
    summary: 'An offline-verifiable receipt of a committed transaction',
    params: { txHash: txHashParam },
    status: 200,
    response: receiptViewSchema,
    errors: [404],
  },
  blocks: {
    method: 'GET',
    path: '/blocks',
    summary: 'Recent committed blocks, newest first (before: an exclusive height; limit: up to 100)',
    query: blocksQuery,
    status: 200,
    response: blocksPageSchema,
  },
  block: {
    method: 'GET',
    path: '/blocks/{height}',
    summary: 'A committed block: header, transaction hashes and its commit certificate',
    params: { height: heightParam },
    status: 200,
    response: blockDetailSchema,
    errors: [404],
  },

  checkpoints: {
    method: 'GET',
    path: '/checkpoints',
    summary: 'The checkpoints this node made, newest first, with how many validators and witnesses signed each',
    status: 200,
    response: z.array(checkpointSummarySchema),
  },
  checkpoint: {
    method: 'GET',
    path: '/checkpoints/{height}',
    summary: 'A checkpoint file, as a bank or a court keeps it (docs/protocol.md REQ-CKP.2)',
    params: { height: heightParam },
    status: 200,
    response: checkpointFileSchema,
    errors: [404],
  },
  checkpointBundle: {
    method: 'GET',
    path: '/checkpoints/{height}/bundle',
    summary: 'A checkpoint file with its layer of bucket heads: what a verifier imports to check compact proofs',
    params: { height: heightParam },
    status: 200,
    response: checkpointBundleSchema,
    errors: [404],
  },
  checkpointProof: {
    method: 'GET',
    path: '/proofs/{id}',
    summary: "A property object's compact proof against the newest checkpoint: the bytes of its certificate's QR code",
    params: { id: objectIdParam },
    status: 200,
    response: compactProofViewSchema,
    errors: [404, 409],
  },

  outbox: {
    method: 'GET',
    path: '/outbox',
    summary: 'Transactions certified while offline and what became of them',
    status: 200,
    response: z.array(outboxEntrySchema),
  },
  evidence: {
    method: 'GET',
    path: '/evidence',
    summary: 'Equivocation evidence seen, oldest first',
    status: 200,
    response: z.array(z.unknown()),
  },
  peers: {
    method: 'GET',
    path: '/peers',
    summary: 'Connected peers with latency and gossip score',
    status: 200,
    response: peersSchema,
  },
  validators: {
    method: 'GET',
    path: '/validators',
    summary: 'The validator set for the next block, with each authority and whether it is connected',
    status: 200,
    response: validatorsViewSchema,
  },
  identity: {
    method: 'GET',
    path: '/identity',
    summary: 'The key this node signs with (public part only), its role and how the key is kept',
    status: 200,
    response: identitySchema,
  },
  inbox: {
    method: 'GET',
    path: '/inbox',
    summary: 'Transfer contracts waiting for this notary, newest first',
    status: 200,
    response: z.array(inboxEntrySchema).max(INBOX_ENTRIES_MAX),
  },
  inboxAdd: {
    method: 'POST',
    path: '/inbox',
    summary: 'Put a transfer contract signed by its parties into the inbox (from a file, pasted, or another system)',
    body: transferDraftSchema,
    bodyCheck: 'handler',
    status: 201,
    response: inboxEntrySchema,
    errors: [409, 413, 507],
  },
  inboxChecks: {
    method: 'GET',
    path: '/inbox/{id}/checks',
    summary: 'The checks the ledger will make, each passed or failed with its reason, before the notary signs',
    params: { id: inboxIdParam },
    status: 200,
    response: transferChecksSchema,
    errors: [404],
  },
  inboxCertify: {
    method: 'POST',
    path: '/inbox/{id}/certify',
    summary: "Certify with this node's notary key and submit (to the outbox when offline)",
    params: { id: inboxIdParam },
    body: z.strictObject({}),
    bodyHint: 'expected an empty JSON object {} or no body',
    bodyOptional: true,
    status: 202,
    response: submitResultSchema,
    errors: [404, 409, 422, 503, 507],
  },
  inboxRemove: {
    method: 'POST',
    path: '/inbox/{id}/remove',
    summary: 'Remove a contract from the inbox',
    params: { id: inboxIdParam },
    body: z.strictObject({}),
    bodyHint: 'expected an empty JSON object {} or no body',
    bodyOptional: true,
    status: 200,
    response: z.strictObject({ removed: z.boolean() }),
    errors: [404],
  },

  settings: {
    method: 'GET',
    path: '/settings',
    summary: 'The node configuration an operator sees: name, role, data folder, listen and bootstrap peers',
    status: 200,
    response: settingsSchema,
  },
  setBootstrap: {
    method: 'POST',
    path: '/settings/bootstrap',
    summary: 'Replace the bootstrap peer list (saved to config.json; new peers are dialled at once)',
    body: bootstrapUpdateSchema,
    bodyHint: 'expected {"bootstrap": ["/ip4/HOST/tcp/PORT/p2p/PEER_ID", ...]}',
    status: 200,
    response: settingsSchema,
  },
  keystoreBackup: {
    method: 'GET',
    path: '/keystore/backup',
    summary: "The node's encrypted keystore file, to keep as a backup (still sealed by its passphrase)",
    status: 200,
    response: z.record(z.string(), z.unknown()),
    errors: [404],
  },
  setNetwork: {
    method: 'POST',
    path: '/network',
    summary: 'Take this office off the network (or back on), as a cut cable would',
    body: networkSwitchSchema,
    bodyHint: 'expected {"offline": true|false}',
    status: 200,
    response: networkSwitchSchema,
  },
  openapi: {
    method: 'GET',
    path: '/openapi.json',
    summary: 'This document',
    status: 200,
    response: z.record(z.string(), z.unknown()),
  },
  metrics: {
    method: 'GET',
    path: '/metrics',
    root: true,
    summary: 'Prometheus metrics (text exposition format)',
    status: 200,
    response: 'text',
  },
} as const satisfies Record<string, RouteSpec>;

/** Every route: the node's, then each module's, in module order. */
export const apiRoutes = { ...nodeRoutes, ...authorityRoutes, ...propertyRoutes, ...electionRoutes } as const;

export type RouteName = keyof typeof apiRoutes;

// The preload's zod-free list of names must be exactly the table's keys.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : never) : never;
const _methodNamesMatch: Same<ApiMethodName, RouteName> = true;
void _methodNamesMatch;
