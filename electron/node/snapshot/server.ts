// Serves the snapshot protocol: the snapshots this node made, and the headers, commits and
// validator sets a light client needs to certify one. Every request is read within a size
// limit and a deadline and schema-checked; a bad one gets an error frame, never an exception.
import type { IncomingStreamData } from '@libp2p/interface';
import { StateKey } from '../../../shared/ledger/index.js';
import { blockSpans } from '../chain/block-spans.js';
import type { NetworkLogger } from '../network/interface.js';
import { requestHandler, type Reply } from '../network/reqresp/serve.js';
import type { SnapshotFiles } from './files.js';
import {
  SNAP_ERROR_MESSAGE_LENGTH_MAX,
  SNAP_HEADERS_RESPONSE_BYTES_MAX,
  SNAP_OFFERS_MAX,
  SNAP_REQUEST_BYTES_MAX,
  SnapErrorCode,
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
  readonly counters = { served: 0, refused: 0 };
  /** The libp2p stream handler. */
  readonly handle: (data: IncomingStreamData) => void;

  constructor(private readonly init: SnapshotServerInit) {
    this.handle = requestHandler<SnapRequest, SnapErrorCode>({
      name: 'snapshot',
      requestBytesMax: SNAP_REQUEST_BYTES_MAX,
      requestSchema: snapRequestSchema,
      errorMessageLengthMax: SNAP_ERROR_MESSAGE_LENGTH_MAX,
      codes: SnapErrorCode,
      internalMessage: 'the serving node failed to read its snapshot or store',
      internalLog: 'snapshot server failed reading its files or store',
      concurrency: init.concurrency ?? 8,
      timeoutMs: init.timeoutMs ?? 60_000,
      log: init.log,
      counters: this.counters,
      respond: (request, reply) => this.#respond(request, reply),
    });
  }

  async #respond(request: SnapRequest, reply: Reply<SnapErrorCode>): Promise<boolean> {
    const { files, chain } = this.init;
    switch (request.type) {
      case 'offers':
        await reply.write({ type: 'offers', offers: files.offers(SNAP_OFFERS_MAX) });
        return true;
      case 'manifest': {
        const manifest = files.manifestBytes(request.height);
        if (!manifest) return reply.refuse(SnapErrorCode.unavailable, `no snapshot at height ${request.height} here`);
        await reply.write({ type: 'manifest', manifest });
        return true;
      }
      case 'chunk': {
        const chunk = await files.chunk(request.height, request.index);
        if (!chunk)
          return reply.refuse(
            SnapErrorCode.unavailable,
            `no chunk ${request.index} of a snapshot at height ${request.height} here`,
          );
        await reply.write({ type: 'chunk', height: request.height, index: request.index, chunk });
        return true;
      }
      case 'validators': {
        const validators = await chain.getRecord(StateKey.validatorSet(request.hash));
        if (!Array.isArray(validators))
          return reply.refuse(SnapErrorCode.notFound, `no validator set ${request.hash} in this node's state`);
        await reply.write({ type: 'validators', validators });
        return true;
      }
      case 'headers':
        return this.#headers(reply, request.from, request.to);
    }
  }

  /** Headers from..min(to, head), each with its commit, stopping before the byte limit. */
  async #headers(reply: Reply<SnapErrorCode>, from: number, to: number): Promise<boolean> {
    const problem = headersRangeProblem(from, to);
    if (problem) return reply.refuse(SnapErrorCode.badRange, problem);
    const { chain } = this.init;
    const base = chain.store.snapshotBase?.height;
    if (from > chain.head.height || (base !== undefined && from > 0 && from < base))
      return reply.refuse(
        SnapErrorCode.unavailable,
        base !== undefined && from < base
          ? `this node joined from a snapshot at height ${base} and holds no headers from 1 to ${base - 1}`
          : `header ${from} is above our head ${chain.head.height}`,
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
      await reply.write({ type: 'header', height, header, commit });
    }
    await reply.write({ type: 'end' });
    return true;
  }
}
