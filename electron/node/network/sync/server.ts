// Serves the sync protocol from a SyncSource. Every request is read within a size limit and a
// deadline, checked against the schema and the range rules, and answered; a bad request gets
// an error frame, never an exception that escapes the handler.
import type { IncomingStreamData, Stream } from '@libp2p/interface';
import { lpStream, type LengthPrefixedStream } from 'it-length-prefixed-stream';
import type { NetworkLogger, SyncSource } from '../interface.js';
import {
  decodeFrame,
  encodeFrame,
  errorFrameOf,
  rangeProblem,
  SYNC_REQUEST_BYTES_MAX,
  SYNC_RESPONSE_BYTES_MAX,
  SyncErrorCode,
  syncRequestSchema,
  type SyncRequest,
} from './protocol.js';

export interface SyncServerInit {
  source: SyncSource;
  /** Requests served at once over all peers; more get BUSY. */
  concurrency: number;
  /** Deadline for reading the request and writing the whole response. */
  timeoutMs: number;
  log: NetworkLogger;
  counters: { served: number; refused: number };
}

export class SyncServer {
  #active = 0;

  constructor(private readonly init: SyncServerInit) {}

  /** The libp2p stream handler. */
  readonly handle = ({ stream, connection }: IncomingStreamData): void => {
    void this.#serve(stream, connection.remotePeer.toString());
  };

  async #serve(stream: Stream, peerId: string): Promise<void> {
    const signal = AbortSignal.timeout(this.init.timeoutMs);
    const lp = lpStream(stream, { maxDataLength: SYNC_REQUEST_BYTES_MAX });
    const busy = this.#active >= this.init.concurrency;
    this.#active++;
    try {
      const served = busy
        ? await this.#refuse(lp, peerId, SyncErrorCode.busy, 'too many sync requests at once; try later', signal)
        : await this.#answer(lp, peerId, signal);
      if (served) this.init.counters.served++;
      await stream.close({ signal });
    } catch (error) {
      this.init.log.debug({ peer: peerId, error: String(error) }, 'sync stream failed');
      stream.abort(error instanceof Error ? error : new Error(String(error)));
    } finally {
      this.#active--;
    }
  }

  /** Reads and answers one request; true if served, false if refused with an error frame. */
  async #answer(lp: LengthPrefixedStream<Stream>, peerId: string, signal: AbortSignal): Promise<boolean> {
    let request: SyncRequest;
    try {
      request = decodeFrame((await lp.read({ signal })).subarray(), SYNC_REQUEST_BYTES_MAX, syncRequestSchema);
    } catch (error) {
      // Past the deadline: stop. Anything else (bad bytes, a frame over the limit, a truncated
      // frame) is answered with BAD_REQUEST while the peer may still read.
      if (signal.aborted) throw error;
      return this.#refuse(lp, peerId, SyncErrorCode.badRequest, (error as Error).message, signal);
    }
    try {
      if (request.type === 'status') return await this.#status(lp, signal);
      return await this.#blocks(lp, peerId, request.from, request.to, signal);
    } catch (error) {
      if (signal.aborted) throw error;
      // Our own store failed: tell the peer (it tries another) and log it here.
      this.init.log.error({ peer: peerId, error: String(error) }, 'sync server failed reading its source');
      return this.#refuse(lp, peerId, SyncErrorCode.internal, 'the serving node failed to read its store', signal);
    }
  }

  async #refuse(
    lp: LengthPrefixedStream<Stream>,
    peerId: string,
    code: SyncErrorCode,
    message: string,
    signal: AbortSignal,
  ): Promise<false> {
    this.init.counters.refused++;
    this.init.log.debug({ peer: peerId, code, reason: message }, 'sync request refused');
    await lp.write(encodeFrame(errorFrameOf(code, message)), { signal });
    return false;
  }

  async #status(lp: LengthPrefixedStream<Stream>, signal: AbortSignal): Promise<true> {
    const { genesisHash, height, headHash } = await this.init.source.status();
    await lp.write(encodeFrame({ type: 'status', genesisHash, height, headHash }), { signal });
    return true;
  }

  /** Streams heights from..min(to, head), stopping before the response would pass its byte limit. */
  async #blocks(
    lp: LengthPrefixedStream<Stream>,
    peerId: string,
    from: number,
    to: number,
    signal: AbortSignal,
  ): Promise<boolean> {
    const problem = rangeProblem(from, to);
    if (problem) return this.#refuse(lp, peerId, SyncErrorCode.badRange, problem, signal);
    const { height: head } = await this.init.source.status();
    if (from > head)
      return this.#refuse(lp, peerId, SyncErrorCode.unavailable, `from ${from} is above our head ${head}`, signal);
    const first = this.init.source.firstHeight?.() ?? 1;
    if (from < first)
      return this.#refuse(
        lp,
        peerId,
        SyncErrorCode.unavailable,
        `this node joined from a snapshot at height ${first} and holds no blocks below it`,
        signal,
      );
    let responseBytes = 0;
    for (let height = from; height <= Math.min(to, head); height++) {
      const [block, commit] = await Promise.all([
        this.init.source.getBlockBytes(height),
        this.init.source.getCommitBytes(height),
      ]);
      if (!block || !commit) {
        this.init.log.error({ height }, 'a block at or below our head is missing from the store');
        return this.#refuse(lp, peerId, SyncErrorCode.internal, `block ${height} is missing on this node`, signal);
      }
      const size = block.length + commit.length;
      if (size > SYNC_RESPONSE_BYTES_MAX && height === from) {
        return this.#refuse(
          lp,
          peerId,
          SyncErrorCode.blockTooLarge,
          `block ${height} with its commit is ${size} bytes`,
          signal,
        );
      }
      if (responseBytes + size > SYNC_RESPONSE_BYTES_MAX) break;
      responseBytes += size;
      await lp.write(encodeFrame({ type: 'block', height, block, commit }), { signal });
    }
    await lp.write(encodeFrame({ type: 'end' }), { signal });
    return true;
  }
}
