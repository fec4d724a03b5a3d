// The sync protocol `/notary/<chainId>/sync/1.0.0`: one request per stream, answered with
// length-prefixed canonical CBOR frames, each size-limited and schema-checked on arrival.
//
//   request  {type: 'status'}                  -> {type: 'status', genesisHash, height, headHash}
//   request  {type: 'blocks', from, to}        -> {type: 'block', height, block, commit}* {type: 'end'}
//   any request may instead get                -> {type: 'error', code, message}
//
// A blocks response carries heights from, from+1, ... with no gap, at most SYNC_BLOCKS_MAX of
// them and at most SYNC_RESPONSE_BYTES_MAX of block + commit bytes; it may stop early (at the
// server's head or at the byte limit), and the client asks again from where it ended.
import { z } from 'zod';
import { schema } from '../../../../shared/ledger/index.js';
import { bytesSchema, errorFrameSchema, heightSchema, ReqRespErrorCode } from '../reqresp/frames.js';

export { decodeFrame, encodeFrame } from '../reqresp/frames.js';

export const SYNC_BLOCKS_MAX = 64;
export const SYNC_RESPONSE_BYTES_MAX = 16 * 1024 * 1024;
export const SYNC_REQUEST_BYTES_MAX = 1024;
/** A status answer (or an error frame) is a few hundred bytes. */
export const SYNC_STATUS_FRAME_BYTES_MAX = 1024;
/** One response frame: a block and its commit within the response limit, plus the frame's own fields. */
export const SYNC_FRAME_BYTES_MAX = SYNC_RESPONSE_BYTES_MAX + 4096;
export const SYNC_ERROR_MESSAGE_LENGTH_MAX = 256;

export const SyncErrorCode = {
  ...ReqRespErrorCode,
  /** from > to, from < 1, or more than SYNC_BLOCKS_MAX heights. */
  badRange: 'BAD_RANGE',
  /** `from` is above the server's head. */
  unavailable: 'UNAVAILABLE',
  /** One block with its commit is over SYNC_RESPONSE_BYTES_MAX. */
  blockTooLarge: 'BLOCK_TOO_LARGE',
} as const;
export type SyncErrorCode = (typeof SyncErrorCode)[keyof typeof SyncErrorCode];

export const syncRequestSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('status') }),
  z.strictObject({ type: z.literal('blocks'), from: heightSchema, to: heightSchema }),
]);
export type SyncRequest = z.infer<typeof syncRequestSchema>;

const errorFrame = errorFrameSchema(SyncErrorCode, SYNC_ERROR_MESSAGE_LENGTH_MAX);

export const statusResponseSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('status'), genesisHash: schema.hash, height: heightSchema, headHash: schema.hash }),
  errorFrame,
]);

export const blocksFrameSchema = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('block'),
    height: heightSchema,
    block: bytesSchema(SYNC_RESPONSE_BYTES_MAX),
    commit: bytesSchema(SYNC_RESPONSE_BYTES_MAX),
  }),
  z.strictObject({ type: z.literal('end') }),
  errorFrame,
]);

export type SyncResponseFrame = z.infer<typeof statusResponseSchema> | z.infer<typeof blocksFrameSchema>;
export type SyncErrorFrame = z.infer<typeof errorFrame>;

/** The range rules, the same on both sides; returns what is wrong, or undefined. */
export function rangeProblem(from: number, to: number): string | undefined {
  if (!Number.isSafeInteger(from) || !Number.isSafeInteger(to)) return 'heights must be integers';
  if (from < 1) return 'blocks start at height 1 (genesis is known to every node)';
  if (from > to) return `from ${from} is above to ${to}`;
  if (to - from + 1 > SYNC_BLOCKS_MAX)
    return `${to - from + 1} heights requested; at most ${SYNC_BLOCKS_MAX} per request`;
  return undefined;
}
