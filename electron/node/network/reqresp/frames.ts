// The frames of our request/response protocols (sync, snapshot): one request per stream,
// answered with length-prefixed canonical CBOR frames, each size-limited and schema-checked on
// arrival. Each protocol keeps its own messages, limits and error codes; this is what they share.
import { z } from 'zod';
import { CodecError, decode, encode } from '../../../../shared/codec/index.js';

export const heightSchema = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);

export const bytesSchema = (max: number) =>
  z
    .custom<Uint8Array>((value) => value instanceof Uint8Array, 'expected bytes')
    .refine((value) => value.length > 0 && value.length <= max, `must be 1..${max} bytes`);

/** A protocol's error codes: a name in code for each string on the wire. */
export type ErrorCodeTable<Code extends string> = Readonly<Record<string, Code>>;

/** The codes every request-response protocol answers with; each protocol adds its own. */
export const ReqRespErrorCode = {
  /** The request is not canonical CBOR, not a known request, or over its size limit. */
  badRequest: 'BAD_REQUEST',
  /** The server is answering as many requests as it allows. */
  busy: 'BUSY',
  /** The server failed reading its own store or files. */
  internal: 'INTERNAL',
} as const;

export interface ErrorFrame<Code extends string = string> {
  type: 'error';
  code: Code;
  message: string;
}

/** The error frame any request may get instead of its answer: one of the protocol's codes and a bounded message. */
export function errorFrameSchema<Code extends string>(codes: ErrorCodeTable<Code>, messageLengthMax: number) {
  return z.strictObject({
    type: z.literal('error'),
    code: z.enum(Object.values(codes) as [Code, ...Code[]]),
    message: z.string().max(messageLengthMax),
  });
}

export function errorFrameOf<Code extends string>(
  code: Code,
  message: string,
  messageLengthMax: number,
): ErrorFrame<Code> {
  return { type: 'error', code, message: message.slice(0, messageLengthMax) };
}

export function encodeFrame(frame: unknown): Uint8Array {
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
