// The checkpoint protocol `/notary/<chainId>/checkpoint/1.0.0` (docs/protocol.md REQ-CKP.4): one
// request per stream, length-prefixed canonical CBOR frames, size-limited and schema-checked,
// as the sync and snapshot protocols'. Nodes gather each other's checkpoint signatures with it.
//
//   {type: 'signatures', height} -> {type: 'signatures', height, id, signatures: [{key, signature}…], witnesses: […]}
//   any request may instead get  -> {type: 'error', code, message}
import { z } from 'zod';
import { CHECKPOINT_SIGNATURES_MAX, CHECKPOINT_WITNESSES_MAX } from '../../../shared/checkpoint/index.js';
import { schema } from '../../../shared/ledger/index.js';
import { errorFrameSchema, heightSchema, ReqRespErrorCode } from '../network/reqresp/frames.js';

export const checkpointProtocol = (chainId: string): string => `/notary/${chainId}/checkpoint/1.0.0`;

export const CKP_REQUEST_BYTES_MAX = 256;
/** 1,064 signatures of about 140 bytes each, with the frame. */
export const CKP_FRAME_BYTES_MAX = 256 * 1024;
export const CKP_ERROR_MESSAGE_LENGTH_MAX = 256;

export const CkpErrorCode = {
  ...ReqRespErrorCode,
  /** No checkpoint at that height here. */
  unavailable: 'UNAVAILABLE',
} as const;
export type CkpErrorCode = (typeof CkpErrorCode)[keyof typeof CkpErrorCode];

export const ckpRequestSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('signatures'), height: heightSchema }),
]);
export type CkpRequest = z.infer<typeof ckpRequestSchema>;

export const signaturesFrameSchema = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('signatures'),
    height: heightSchema,
    id: schema.hash,
    signatures: z.array(schema.signatureEntry).max(CHECKPOINT_SIGNATURES_MAX),
    witnesses: z.array(schema.signatureEntry).max(CHECKPOINT_WITNESSES_MAX),
  }),
  errorFrameSchema(CkpErrorCode, CKP_ERROR_MESSAGE_LENGTH_MAX),
]);
