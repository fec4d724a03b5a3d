// The requesting side of the snapshot protocol. Everything a peer sends is untrusted: frames are
// size-limited and schema-checked here, and their contents (manifest, chunks, headers, commits,
// validator sets) are checked by shared/snapshot before anything is written.
import type { Libp2p, Stream } from '@libp2p/interface';
import { peerIdFromString } from '@libp2p/peer-id';
import { lpStream } from 'it-length-prefixed-stream';
import type { z } from 'zod';
import { CodecError } from '../../../shared/codec/index.js';
import type { SnapshotOffer } from '../../../shared/snapshot/index.js';
import { NetworkError, NetworkErrorCode } from '../network/errors.js';
import {
  SNAP_FRAME_BYTES_MAX,
  SNAP_HEADERS_MAX,
  SNAP_HEADERS_RESPONSE_BYTES_MAX,
  SNAP_HEADER_FRAME_BYTES_MAX,
  chunkFrameSchema,
  decodeFrame,
  encodeFrame,
  headersFrameSchema,
  manifestFrameSchema,
  offersFrameSchema,
  validatorsFrameSchema,
  type SnapErrorFrame,
  type SnapRequest,
} from './protocol.js';

type Success<T> = Exclude<T, { type: 'error' }>;
type OffersFrame = Success<z.infer<typeof offersFrameSchema>>;
type ManifestFrame = Success<z.infer<typeof manifestFrameSchema>>;
type ChunkFrame = Success<z.infer<typeof chunkFrameSchema>>;
type ValidatorsFrame = Success<z.infer<typeof validatorsFrameSchema>>;

export interface ServedHeader {
  height: number;
  header: Uint8Array;
  commit: Uint8Array;
}

/** The client half as the join needs it (a stand-in in tests). */
export interface SnapshotClient {
  offers(peerId: string): Promise<SnapshotOffer[]>;
  manifest(peerId: string, height: number): Promise<Uint8Array>;
  chunk(peerId: string, height: number, index: number): Promise<Uint8Array>;
  headers(peerId: string, from: number, to: number): Promise<ServedHeader[]>;
  validators(peerId: string, hash: string): Promise<string[]>;
}

export function snapshotClient(libp2p: Libp2p, protocol: string, options: { timeoutMs?: number } = {}): SnapshotClient {
  const timeoutMs = options.timeoutMs ?? 60_000;
  const one = <T extends { type: string }>(
    peerId: string,
    request: SnapRequest,
    frameSchema: z.ZodType<T | SnapErrorFrame>,
    bytesMax = SNAP_FRAME_BYTES_MAX,
  ): Promise<T> =>
    exchange(libp2p, protocol, peerId, request, timeoutMs, async (read) => {
      const frame = decodeFrame(await read(bytesMax), bytesMax, frameSchema);
      if (frame.type === 'error') throw remoteError(peerId, frame as SnapErrorFrame);
      return frame as T;
    });
  return {
    offers: async (peerId) => (await one<OffersFrame>(peerId, { type: 'offers' }, offersFrameSchema, 64 * 1024)).offers,
    manifest: async (peerId, height) =>
      (await one<ManifestFrame>(peerId, { type: 'manifest', height }, manifestFrameSchema)).manifest,
    chunk: async (peerId, height, index) => {
      const frame = await one<ChunkFrame>(peerId, { type: 'chunk', height, index }, chunkFrameSchema);
      if (frame.height !== height || frame.index !== index)
        throw violation(peerId, `sent chunk ${frame.index} of ${frame.height} for chunk ${index} of ${height}`);
      return frame.chunk;
    },
    validators: async (peerId, hash) =>
      (await one<ValidatorsFrame>(peerId, { type: 'validators', hash }, validatorsFrameSchema, 1024 * 1024)).validators,
    headers: (peerId, from, to) =>
      exchange(libp2p, protocol, peerId, { type: 'headers', from, to }, timeoutMs, async (read) => {
        const served: ServedHeader[] = [];
        let bytes = 0;
        for (let frames = 0; frames <= SNAP_HEADERS_MAX; frames++) {
          const frame = decodeFrame(
            await read(SNAP_HEADER_FRAME_BYTES_MAX * 2),
            SNAP_HEADER_FRAME_BYTES_MAX * 2,
            headersFrameSchema,
          );
          if (frame.type === 'error') throw remoteError(peerId, frame);
          if (frame.type === 'end') return served;
          if (frame.height !== from + served.length || frame.height > to)
            throw violation(peerId, `sent header ${frame.height} where ${from + served.length} was due`);
          bytes += frame.header.length + frame.commit.length;
          if (bytes > SNAP_HEADERS_RESPONSE_BYTES_MAX + SNAP_HEADER_FRAME_BYTES_MAX)
            throw violation(peerId, 'sent more header bytes than one response may carry');
          served.push({ height: frame.height, header: frame.header, commit: frame.commit });
        }
        throw violation(peerId, `sent more than ${SNAP_HEADERS_MAX} headers`);
      }),
  };
}

const FRAMING_ERRORS: ReadonlySet<string | undefined> = new Set([
  'UnexpectedEOFError',
  'InvalidMessageLengthError',
  'InvalidDataLengthError',
  'InvalidDataLengthLengthError',
]);

async function exchange<T>(
  libp2p: Libp2p,
  protocol: string,
  peerId: string,
  request: SnapRequest,
  timeoutMs: number,
  respond: (read: (bytesMax: number) => Promise<Uint8Array>) => Promise<T>,
): Promise<T> {
  const signal = AbortSignal.timeout(timeoutMs);
  let stream: Stream | undefined;
  try {
    stream = await libp2p.dialProtocol(peerIdFromString(peerId), protocol, { signal });
    const lp = lpStream(stream, { maxDataLength: SNAP_FRAME_BYTES_MAX * 2 });
    await lp.write(encodeFrame(request), { signal });
    await stream.closeWrite({ signal });
    const result = await respond(async (bytesMax) => {
      const frame = (await lp.read({ signal })).subarray();
      if (frame.length > bytesMax)
        throw violation(peerId, `sent a ${frame.length}-byte frame; at most ${bytesMax} expected`);
      return frame;
    });
    await stream.close({ signal });
    return result;
  } catch (error) {
    stream?.abort(error instanceof Error ? error : new Error(String(error)));
    if (signal.aborted)
      throw new NetworkError(NetworkErrorCode.timeout, `snapshot request to ${peerId} took over ${timeoutMs} ms`);
    if (error instanceof CodecError) throw violation(peerId, error.message);
    if (FRAMING_ERRORS.has((error as Error)?.name)) throw violation(peerId, (error as Error).message);
    throw error;
  }
}

function violation(peerId: string, message: string): NetworkError {
  return new NetworkError(NetworkErrorCode.protocolViolation, `peer ${peerId}: ${message}`);
}

function remoteError(peerId: string, frame: SnapErrorFrame): NetworkError {
  return new NetworkError(
    NetworkErrorCode.remoteError,
    `peer ${peerId} answered ${frame.code}: ${frame.message}`,
    frame.code,
  );
}
