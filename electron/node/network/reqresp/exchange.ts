// The requesting side of a request/response protocol: dial, send the one request, close our
// half, read the answer within a deadline, and always close or abort the stream. Everything a
// peer sends is untrusted; how it broke the protocol comes back as a typed NetworkError.
import type { Libp2p, Stream } from '@libp2p/interface';
import { peerIdFromString } from '@libp2p/peer-id';
import { lpStream } from 'it-length-prefixed-stream';
import type { z } from 'zod';
import { CodecError } from '../../../../shared/codec/index.js';
import { NetworkError, NetworkErrorCode } from '../errors.js';
import { decodeFrame, encodeFrame, type ErrorFrame } from './frames.js';

export interface ExchangeInit {
  libp2p: Libp2p;
  protocol: string;
  peerId: string;
  /** The protocol as the timeout error names it: `sync`, `snapshot`. */
  name: string;
  /** The length prefix's limit: no response frame of the protocol is longer. */
  frameBytesMax: number;
  timeoutMs: number;
  /** Aborts the exchange early, besides the deadline. */
  signal?: AbortSignal;
}

/** Reads the next frame within `bytesMax` and checks it against the schema; an error frame throws REMOTE_ERROR. */
export type FrameReader = <F extends { type: string }>(
  bytesMax: number,
  frameSchema: z.ZodType<F>,
) => Promise<Exclude<F, { type: 'error' }>>;

/** Errors of it-length-prefixed-stream / it-byte-stream for a stream that breaks the framing. */
const FRAMING_ERRORS: ReadonlySet<string | undefined> = new Set([
  'UnexpectedEOFError',
  'InvalidMessageLengthError',
  'InvalidDataLengthError',
  'InvalidDataLengthLengthError',
]);

/** Opens a stream, sends one request, lets `respond` read the answer, and always closes or aborts the stream. */
export async function exchange<T>(
  init: ExchangeInit,
  request: unknown,
  respond: (read: FrameReader) => Promise<T>,
): Promise<T> {
  const { peerId } = init;
  const timeout = AbortSignal.timeout(init.timeoutMs);
  const signal = init.signal ? AbortSignal.any([timeout, init.signal]) : timeout;
  let stream: Stream | undefined;
  try {
    stream = await init.libp2p.dialProtocol(peerIdFromString(peerId), init.protocol, { signal });
    const lp = lpStream(stream, { maxDataLength: init.frameBytesMax });
    await lp.write(encodeFrame(request), { signal });
    await stream.closeWrite({ signal });
    const result = await respond(async <F extends { type: string }>(bytesMax: number, frameSchema: z.ZodType<F>) => {
      const frameBytes = (await lp.read({ signal })).subarray();
      if (frameBytes.length > bytesMax)
        throw violation(peerId, `sent a ${frameBytes.length}-byte frame; at most ${bytesMax} expected`);
      const frame = decodeFrame(frameBytes, bytesMax, frameSchema);
      if (frame.type === 'error') throw remoteError(peerId, frame as unknown as ErrorFrame);
      return frame as Exclude<F, { type: 'error' }>;
    });
    await stream.close({ signal });
    return result;
  } catch (error) {
    stream?.abort(error instanceof Error ? error : new Error(String(error)));
    if (timeout.aborted)
      throw new NetworkError(
        NetworkErrorCode.timeout,
        `${init.name} request to ${peerId} took over ${init.timeoutMs} ms`,
      );
    if (error instanceof CodecError) throw violation(peerId, error.message);
    // A response cut short or with a bad length prefix is the peer's fault like a bad frame
    // (found by test/integration/byzantine-gossip.test.ts: it surfaced as ERR_UNEXPECTED_EOF).
    if (FRAMING_ERRORS.has((error as Error)?.name)) throw violation(peerId, (error as Error).message);
    throw error;
  }
}

/** A protocol violation by the remote peer, as the client reports it. */
export function violation(peerId: string, message: string): NetworkError {
  return new NetworkError(NetworkErrorCode.protocolViolation, `peer ${peerId}: ${message}`);
}

function remoteError(peerId: string, frame: ErrorFrame): NetworkError {
  return new NetworkError(
    NetworkErrorCode.remoteError,
    `peer ${peerId} answered ${frame.code}: ${frame.message}`,
    frame.code,
  );
}
