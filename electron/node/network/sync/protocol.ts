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
import { CodecError, decode, encode } from '../../../../shared/codec/index.js';
import { schema } from '../../../../shared/ledger/index.js';
import { NetworkError, NetworkErrorCode } from '../errors.js';

export const SYNC_BLOCKS_MAX = 64;
export const SYNC_RESPONSE_BYTES_MAX = 16 * 1024 * 1024;
export const SYNC_REQUEST_BYTES_MAX = 1024;
/** A status answer (or an error frame) is a few hundred bytes. */
export const SYNC_STATUS_FRAME_BYTES_MAX = 1024;
/** One response frame: a block and its commit within the response limit, plus the frame's own fields. */
export const SYNC_FRAME_BYTES_MAX = SYNC_RESPONSE_BYTES_MAX + 4096;
export const SYNC_ERROR_MESSAGE_LENGTH_MAX = 256;

export const SyncErrorCode = {
  /** The request is not canonical CBOR, not a known request, or over its size limit. */
  badRequest: 'BAD_REQUEST',
  /** from > to, from < 1, or more than SYNC_BLOCKS_MAX heights. */
  badRange: 'BAD_RANGE',
  /** `from` is above the server's head. */
  unavailable: 'UNAVAILABLE',
  /** One block with its commit is over SYNC_RESPONSE_BYTES_MAX. */
  blockTooLarge: 'BLOCK_TOO_LARGE',
  /** The server is answering as many requests as it allows. */
  busy: 'BUSY',
  /** The server failed reading its own store. */
  internal: 'INTERNAL',
} as const;
export type SyncErrorCode = (typeof SyncErrorCode)[keyof typeof SyncErrorCode];

const height = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);
const bytes = (max: number) =>
  z
    .custom<Uint8Array>((value) => value instanceof Uint8Array, 'expected bytes')
    .refine((value) => value.length > 0 && value.length <= max, `must be 1..${max} bytes`);

export const syncRequestSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('status') }),
  z.strictObject({ type: z.literal('blocks'), from: height, to: height }),
]);
export type SyncRequest = z.infer<typeof syncRequestSchema>;

const errorFrame = z.strictObject({
  type: z.literal('error'),
  code: z.enum(Object.values(SyncErrorCode) as [SyncErrorCode, ...SyncErrorCode[]]),
  message: z.string().max(SYNC_ERROR_MESSAGE_LENGTH_MAX),
});

export const statusResponseSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('status'), genesisHash: schema.hash, height, headHash: schema.hash }),
  errorFrame,
]);

export const blocksFrameSchema = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('block'),
    height,
    block: bytes(SYNC_RESPONSE_BYTES_MAX),
    commit: bytes(SYNC_RESPONSE_BYTES_MAX),
  }),
  z.strictObject({ type: z.literal('end') }),
  errorFrame,
]);

export type SyncResponseFrame = z.infer<typeof statusResponseSchema> | z.infer<typeof blocksFrameSchema>;
export type SyncErrorFrame = z.infer<typeof errorFrame>;

export function errorFrameOf(code: SyncErrorCode, message: string): SyncErrorFrame {
  return { type: 'error', code, message: message.slice(0, SYNC_ERROR_MESSAGE_LENGTH_MAX) };
}

export function encodeFrame(frame: SyncRequest | SyncResponseFrame): Uint8Array {
  return encode(frame);
}

/** Decodes one frame: canonical CBOR within `bytesMax`, then the schema. Throws CodecError (MALFORMED) for bad bytes or a bad shape. */
export function decodeFrame<T>(frameBytes: Uint8Array, bytesMax: number, frameSchema: z.ZodType<T>): T {
  const value = decode(frameBytes, bytesMax);
  const parsed = frameSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new CodecError(
      `not a valid frame${issue && issue.path.length > 0 ? ` at ${issue.path.join('.')}` : ''}: ${issue?.message ?? 'invalid'}`,
    );
  }
  return parsed.data;
}

/** The range rules, the same on both sides; returns what is wrong, or undefined. */
export function rangeProblem(from: number, to: number): string | undefined {
  if (!Number.isSafeInteger(from) || !Number.isSafeInteger(to)) return 'heights must be integers';
  if (from < 1) return 'blocks start at height 1 (genesis is known to every node)';
  if (from > to) return `from ${from} is above to ${to}`;
  if (to - from + 1 > SYNC_BLOCKS_MAX)
    return `${to - from + 1} heights requested; at most ${SYNC_BLOCKS_MAX} per request`;
  return undefined;
}

/** A protocol violation by the remote peer, as the client reports it. */
export function violation(peerId: string, message: string): NetworkError {
  return new NetworkError(NetworkErrorCode.protocolViolation, `peer ${peerId}: ${message}`);
}
