// The requesting side of the sync protocol. Everything a peer sends is untrusted: frames are
// size-limited and schema-checked, heights must run from `from` without a gap, and the
// response must stay within its count and byte limits. Block contents are checked later by
// the chain (commit certificate + re-execution).
import type { Libp2p, Stream } from '@libp2p/interface';
import { peerIdFromString } from '@libp2p/peer-id';
import { lpStream } from 'it-length-prefixed-stream';
import { CodecError } from '../../../../shared/codec/index.js';
import { NetworkError, NetworkErrorCode } from '../errors.js';
import type { SyncedBlock, SyncStatus } from '../interface.js';
import {
  blocksFrameSchema,
  decodeFrame,
  encodeFrame,
  rangeProblem,
  statusResponseSchema,
  SYNC_BLOCKS_MAX,
  SYNC_FRAME_BYTES_MAX,
  SYNC_STATUS_FRAME_BYTES_MAX,
  SYNC_RESPONSE_BYTES_MAX,
  violation,
  type SyncErrorFrame,
  type SyncRequest,
} from './protocol.js';

export interface RequestOptions {
  signal?: AbortSignal;
  timeoutMs: number;
}

export async function requestStatus(
  libp2p: Libp2p,
  protocol: string,
  peerId: string,
  options: RequestOptions,
): Promise<SyncStatus> {
  return exchange(libp2p, protocol, peerId, { type: 'status' }, options, async (read) => {
    const frame = decodeFrame(
      await read(SYNC_STATUS_FRAME_BYTES_MAX),
      SYNC_STATUS_FRAME_BYTES_MAX,
      statusResponseSchema,
    );
    if (frame.type === 'error') throw remoteError(peerId, frame);
    return { genesisHash: frame.genesisHash, height: frame.height, headHash: frame.headHash };
  });
}

export async function requestBlocks(
  libp2p: Libp2p,
  protocol: string,
  peerId: string,
  from: number,
  to: number,
  options: RequestOptions,
): Promise<SyncedBlock[]> {
  const problem = rangeProblem(from, to);
  if (problem) throw new NetworkError(NetworkErrorCode.badConfig, `bad block range: ${problem}`);
  return exchange(libp2p, protocol, peerId, { type: 'blocks', from, to }, options, async (read) => {
    const blocks: SyncedBlock[] = [];
    let responseBytes = 0;
    // Bounded: at most SYNC_BLOCKS_MAX block frames, then the end frame.
    for (let frames = 0; frames <= SYNC_BLOCKS_MAX; frames++) {
      const frame = decodeFrame(await read(SYNC_FRAME_BYTES_MAX), SYNC_FRAME_BYTES_MAX, blocksFrameSchema);
      if (frame.type === 'error') throw remoteError(peerId, frame);
      if (frame.type === 'end') {
        if (blocks.length === 0) throw violation(peerId, `ended a response for ${from}..${to} without any block`);
        return blocks;
      }
      const expected = from + blocks.length;
      if (frame.height !== expected || frame.height > to)
        throw violation(peerId, `sent height ${frame.height} where ${expected} (at most ${to}) was due`);
      responseBytes += frame.block.length + frame.commit.length;
      if (responseBytes > SYNC_RESPONSE_BYTES_MAX)
        throw violation(peerId, `sent over ${SYNC_RESPONSE_BYTES_MAX} bytes in one response`);
      blocks.push({ height: frame.height, blockBytes: frame.block, commitBytes: frame.commit });
    }
    throw violation(peerId, `sent more than ${SYNC_BLOCKS_MAX} blocks in one response`);
  });
}

/** Errors of it-length-prefixed-stream / it-byte-stream for a stream that breaks the framing. */
const FRAMING_ERRORS: ReadonlySet<string | undefined> = new Set([
  'UnexpectedEOFError',
  'InvalidMessageLengthError',
  'InvalidDataLengthError',
  'InvalidDataLengthLengthError',
]);

type FrameReader = (bytesMax: number) => Promise<Uint8Array>;

/** Opens a stream, sends one request, lets `respond` read the answer, and always closes or aborts the stream. */
async function exchange<T>(
  libp2p: Libp2p,
  protocol: string,
  peerId: string,
  request: SyncRequest,
  options: RequestOptions,
  respond: (read: FrameReader) => Promise<T>,
): Promise<T> {
  const timeout = AbortSignal.timeout(options.timeoutMs);
  const signal = options.signal ? AbortSignal.any([timeout, options.signal]) : timeout;
  let stream: Stream | undefined;
  try {
    stream = await libp2p.dialProtocol(peerIdFromString(peerId), protocol, { signal });
    const lp = lpStream(stream, { maxDataLength: SYNC_FRAME_BYTES_MAX });
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
    if (timeout.aborted)
      throw new NetworkError(NetworkErrorCode.timeout, `sync request to ${peerId} took over ${options.timeoutMs} ms`);
    if (error instanceof CodecError) throw violation(peerId, error.message);
    // A response cut short or with a bad length prefix is the peer's fault like a bad frame
    // (found by test/integration/byzantine-gossip.test.ts: it surfaced as ERR_UNEXPECTED_EOF).
    if (FRAMING_ERRORS.has((error as Error)?.name)) throw violation(peerId, (error as Error).message);
    throw error;
  }
}

function remoteError(peerId: string, frame: SyncErrorFrame): NetworkError {
  return new NetworkError(
    NetworkErrorCode.remoteError,
    `peer ${peerId} answered ${frame.code}: ${frame.message}`,
    frame.code,
  );
}
