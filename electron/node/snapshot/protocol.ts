// The snapshot protocol `/notary/<chainId>/snapshot/1.0.0` (docs/protocol.md, REQ-SNAP.1): one
// request per stream, length-prefixed canonical CBOR frames, each size-limited and
// schema-checked, as the sync protocol's.
//
//   {type: 'offers'}                      -> {type: 'offers', offers: [SnapshotOffer…]}
//   {type: 'manifest', height}            -> {type: 'manifest', manifest: bytes (CBOR of the manifest)}
//   {type: 'chunk', height, index}        -> {type: 'chunk', height, index, chunk: bytes}
//   {type: 'headers', from, to}           -> {type: 'header', height, header: bytes, commit: bytes}* {type: 'end'}
//   {type: 'validators', hash}            -> {type: 'validators', validators: [key…]}
//   any request may instead get           -> {type: 'error', code, message}
import { z } from 'zod';
import { schema } from '../../../shared/ledger/index.js';
import {
  SNAPSHOT_CHUNK_BYTES_MAX,
  SNAPSHOT_CHUNKS_MAX,
  SNAPSHOT_MANIFEST_BYTES_MAX,
  snapshotOfferSchema,
} from '../../../shared/snapshot/index.js';
import { bytesSchema, errorFrameSchema, heightSchema, ReqRespErrorCode } from '../network/reqresp/frames.js';

export const snapshotProtocol = (chainId: string): string => `/notary/${chainId}/snapshot/1.0.0`;

export const SNAP_REQUEST_BYTES_MAX = 1024;
/** Offers a node lists at most. */
export const SNAP_OFFERS_MAX = 8;
/** Headers per request at most, and the bytes of one headers response. */
export const SNAP_HEADERS_MAX = 512;
export const SNAP_HEADERS_RESPONSE_BYTES_MAX = 4 * 1024 * 1024;
/** One header (≈ 400 B) with its commit (≈ 100 B per validator, at most 10,000 validators). */
export const SNAP_HEADER_FRAME_BYTES_MAX = 1024 * 1024 + 4096;
export const SNAP_VALIDATORS_MAX = 10_000;
/** Any response frame is at most this long: a chunk or a manifest with its frame. */
export const SNAP_FRAME_BYTES_MAX = Math.max(SNAPSHOT_CHUNK_BYTES_MAX, SNAPSHOT_MANIFEST_BYTES_MAX) + 4096;
export const SNAP_ERROR_MESSAGE_LENGTH_MAX = 256;

export const SnapErrorCode = {
  ...ReqRespErrorCode,
  /** from > to, from < 1, or more than SNAP_HEADERS_MAX heights. */
  badRange: 'BAD_RANGE',
  /** No snapshot at that height, no chunk of that index, a header outside what this node holds. */
  unavailable: 'UNAVAILABLE',
  /** No validator set of that hash in this node's state. */
  notFound: 'NOT_FOUND',
} as const;
export type SnapErrorCode = (typeof SnapErrorCode)[keyof typeof SnapErrorCode];

export const snapRequestSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('offers') }),
  z.strictObject({ type: z.literal('manifest'), height: heightSchema }),
  z.strictObject({
    type: z.literal('chunk'),
    height: heightSchema,
    index: z.number().int().nonnegative().max(SNAPSHOT_CHUNKS_MAX),
  }),
  z.strictObject({ type: z.literal('headers'), from: heightSchema, to: heightSchema }),
  z.strictObject({ type: z.literal('validators'), hash: schema.hash }),
]);
export type SnapRequest = z.infer<typeof snapRequestSchema>;

const errorFrame = errorFrameSchema(SnapErrorCode, SNAP_ERROR_MESSAGE_LENGTH_MAX);
export type SnapErrorFrame = z.infer<typeof errorFrame>;

export const offersFrameSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('offers'), offers: z.array(snapshotOfferSchema).max(SNAP_OFFERS_MAX) }),
  errorFrame,
]);
export const manifestFrameSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('manifest'), manifest: bytesSchema(SNAPSHOT_MANIFEST_BYTES_MAX) }),
  errorFrame,
]);
export const chunkFrameSchema = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('chunk'),
    height: heightSchema,
    index: z.number().int().nonnegative(),
    chunk: bytesSchema(SNAPSHOT_CHUNK_BYTES_MAX),
  }),
  errorFrame,
]);
export const headersFrameSchema = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('header'),
    height: heightSchema,
    header: bytesSchema(SNAP_HEADER_FRAME_BYTES_MAX),
    commit: bytesSchema(SNAP_HEADER_FRAME_BYTES_MAX),
  }),
  z.strictObject({ type: z.literal('end') }),
  errorFrame,
]);
export const validatorsFrameSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('validators'), validators: z.array(schema.publicKey).max(SNAP_VALIDATORS_MAX) }),
  errorFrame,
]);

export function headersRangeProblem(from: number, to: number): string | undefined {
  if (from > to) return `from ${from} is above to ${to}`;
  if (to - from + 1 > SNAP_HEADERS_MAX) return `${to - from + 1} headers requested; at most ${SNAP_HEADERS_MAX}`;
  return undefined;
}
