// The API contract (DESIGN §7): every method's input and output as zod schemas, shared by
// the HTTP server, the Electron IPC handlers, the CLI and the renderer.
import { z } from 'zod';
import * as schema from '../ledger/schema.js';

export const API_PREFIX = '/api/v1';
export const API_BODY_BYTES_MAX = 256 * 1024;

export const apiErrorSchema = z.strictObject({ error: z.strictObject({ code: z.string(), message: z.string() }) });
export type ApiErrorBody = z.infer<typeof apiErrorSchema>;

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
  mempool: z.strictObject({ size: z.number().int(), bytes: z.number().int() }),
  outbox: z.strictObject({ pending: z.number().int(), final: z.number().int(), rejected: z.number().int() }),
});
export type NodeStatus = z.infer<typeof statusSchema>;

export const txStatusSchema = z.discriminatedUnion('state', [
  z.strictObject({ state: z.literal('pending') }),
  z.strictObject({ state: z.literal('outbox') }),
  z.strictObject({ state: z.literal('final'), height: z.number().int().positive(), index: z.number().int().nonnegative() }),
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
