// Serves the snapshot protocol: the snapshots this node made, and the headers, commits and
// validator sets a light client needs to certify one. Every request is read within a size
// limit and a deadline and schema-checked; a bad one gets an error frame, never an exception.
import type { IncomingStreamData, Stream } from '@libp2p/interface';
import { lpStream, type LengthPrefixedStream } from 'it-length-prefixed-stream';
import { StateKey } from '../../../shared/ledger/index.js';
import { blockSpans } from '../chain/block-spans.js';
import type { NetworkLogger } from '../network/interface.js';
import type { SnapshotFiles } from './files.js';
import {
  SNAP_HEADERS_RESPONSE_BYTES_MAX,
  SNAP_OFFERS_MAX,
  SNAP_REQUEST_BYTES_MAX,
  SnapErrorCode,
  decodeFrame,
  encodeFrame,
  errorFrameOf,
  headersRangeProblem,
  snapRequestSchema,
  type SnapRequest,
} from './protocol.js';

/** What the server reads of the chain (structural: Chain fits). */
export interface SnapshotServedChain {
  readonly head: { height: number };
  readonly store: {
    readonly snapshotBase?: { height: number } | undefined;
    getBlockBytes(height: number): Promise<Uint8Array | undefined>;
    getCommitBytes(height: number): Promise<Uint8Array | undefined>;
  };
  getRecord(key: string): Promise<unknown>;
}

export interface SnapshotServerInit {
  files: SnapshotFiles;
  chain: SnapshotServedChain;
  /** Requests served at once over all peers; more get BUSY. Default 8. */
  concurrency?: number;
  /** Deadline for reading the request and writing the whole response. Default 60 s. */
  timeoutMs?: number;
  log: NetworkLogger;
}

export class SnapshotServer {
  #active = 0;
  readonly counters = { served: 0, refused: 0 };

  constructor(private readonly init: SnapshotServerInit) {}

  readonly handle = ({ stream, connection }: IncomingStreamData): void => {
    void this.#serve(stream, connection.remotePeer.toString());
  };

  async #serve(stream: Stream, peerId: string): Promise<void> {
    const signal = AbortSignal.timeout(this.init.timeoutMs ?? 60_000);
    const lp = lpStream(stream, { maxDataLength: SNAP_REQUEST_BYTES_MAX });
    const busy = this.#active >= (this.init.concurrency ?? 8);
    this.#active++;
    try {
      const served = busy
        ? await this.#refuse(lp, peerId, SnapErrorCode.busy, 'too many snapshot requests at once; try later', signal)
        : await this.#answer(lp, peerId, signal);
      if (served) this.counters.served++;
      await stream.close({ signal });
    } catch (error) {
      this.init.log.debug({ peer: peerId, error: String(error) }, 'snapshot stream failed');
      stream.abort(error instanceof Error ? error : new Error(String(error)));
    } finally {
      this.#active--;
    }
  }

  async #answer(lp: LengthPrefixedStream<Stream>, peerId: string, signal: AbortSignal): Promise<boolean> {
    let request: SnapRequest;
    try {
      request = decodeFrame((await lp.read({ signal })).subarray(), SNAP_REQUEST_BYTES_MAX, snapRequestSchema);
    } catch (error) {
      if (signal.aborted) throw error;
      return this.#refuse(lp, peerId, SnapErrorCode.badRequest, (error as Error).message, signal);
    }
    try {
      return await this.#respond(lp, peerId, request, signal);
    } catch (error) {
      if (signal.aborted) throw error;
      this.init.log.error({ peer: peerId, error: String(error) }, 'snapshot server failed reading its files or store');
      return this.#refuse(
        lp,
        peerId,
        SnapErrorCode.internal,
        'the serving node failed to read its snapshot or store',
        signal,
      );
    }
  }

  async #respond(
    lp: LengthPrefixedStream<Stream>,
    peerId: string,
    request: SnapRequest,
    signal: AbortSignal,
  ): Promise<boolean> {
    const { files, chain } = this.init;
    const write = async (frame: unknown) => lp.write(encodeFrame(frame), { signal });
    switch (request.type) {
      case 'offers':
        await write({ type: 'offers', offers: files.offers(SNAP_OFFERS_MAX) });
        return true;
      case 'manifest': {
        const manifest = files.manifestBytes(request.height);
        if (!manifest)
          return this.#refuse(
            lp,
            peerId,
            SnapErrorCode.unavailable,
            `no snapshot at height ${request.height} here`,
            signal,
          );
        await write({ type: 'manifest', manifest });
        return true;
      }
      case 'chunk': {
        const chunk = await files.chunk(request.height, request.index);
        if (!chunk)
          return this.#refuse(
            lp,
            peerId,
            SnapErrorCode.unavailable,
            `no chunk ${request.index} of a snapshot at height ${request.height} here`,
            signal,
          );
        await write({ type: 'chunk', height: request.height, index: request.index, chunk });
        return true;
      }
      case 'validators': {
        const validators = await chain.getRecord(StateKey.validatorSet(request.hash));
        if (!Array.isArray(validators))
          return this.#refuse(
            lp,
            peerId,
            SnapErrorCode.notFound,
            `no validator set ${request.hash} in this node's state`,
            signal,
          );
        await write({ type: 'validators', validators });
        return true;
      }
      case 'headers':
        return this.#headers(lp, peerId, request.from, request.to, signal);
    }
  }

  /** Headers from..min(to, head), each with its commit, stopping before the byte limit. */
  async #headers(
    lp: LengthPrefixedStream<Stream>,
    peerId: string,
    from: number,
    to: number,
    signal: AbortSignal,
  ): Promise<boolean> {
    const problem = headersRangeProblem(from, to);
    if (problem) return this.#refuse(lp, peerId, SnapErrorCode.badRange, problem, signal);
    const { chain } = this.init;
    const base = chain.store.snapshotBase?.height;
    if (from > chain.head.height || (base !== undefined && from > 0 && from < base))
      return this.#refuse(
        lp,
        peerId,
        SnapErrorCode.unavailable,
        base !== undefined && from < base
          ? `this node joined from a snapshot at height ${base} and holds no headers from 1 to ${base - 1}`
          : `header ${from} is above our head ${chain.head.height}`,
        signal,
      );
    let bytes = 0;
    for (let height = from; height <= Math.min(to, chain.head.height); height++) {
      if (base !== undefined && height > 0 && height < base) break; // genesis alone, then the base
      const [block, commit] = await Promise.all([
        chain.store.getBlockBytes(height),
        chain.store.getCommitBytes(height),
      ]);
      if (!block || !commit) throw new Error(`block ${height} is missing from the store`);
      const span = blockSpans(block).header;
      const header = block.subarray(span.start, span.end);
      if (bytes > 0 && bytes + header.length + commit.length > SNAP_HEADERS_RESPONSE_BYTES_MAX) break;
      bytes += header.length + commit.length;
      await lp.write(encodeFrame({ type: 'header', height, header, commit }), { signal });
    }
    await lp.write(encodeFrame({ type: 'end' }), { signal });
    return true;
  }

  async #refuse(
    lp: LengthPrefixedStream<Stream>,
    peerId: string,
    code: SnapErrorCode,
    message: string,
    signal: AbortSignal,
  ): Promise<false> {
    this.counters.refused++;
    this.init.log.debug({ peer: peerId, code, reason: message }, 'snapshot request refused');
    await lp.write(encodeFrame(errorFrameOf(code, message)), { signal });
    return false;
  }
}
