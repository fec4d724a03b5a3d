// Serves the sync protocol from a SyncSource. Every request is read within a size limit and a
// deadline, checked against the schema and the range rules, and answered; a bad request gets
// an error frame, never an exception that escapes the handler (reqresp/serve.ts).
import type { IncomingStreamData } from '@libp2p/interface';
import type { NetworkLogger, SyncSource } from '../interface.js';
import { requestHandler, type Reply } from '../reqresp/serve.js';
import {
  rangeProblem,
  SYNC_ERROR_MESSAGE_LENGTH_MAX,
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
  /** The libp2p stream handler. */
  readonly handle: (data: IncomingStreamData) => void;

  constructor(private readonly init: SyncServerInit) {
    this.handle = requestHandler<SyncRequest, SyncErrorCode>({
      name: 'sync',
      requestBytesMax: SYNC_REQUEST_BYTES_MAX,
      requestSchema: syncRequestSchema,
      errorMessageLengthMax: SYNC_ERROR_MESSAGE_LENGTH_MAX,
      codes: SyncErrorCode,
      internalMessage: 'the serving node failed to read its store',
      internalLog: 'sync server failed reading its source',
      concurrency: init.concurrency,
      timeoutMs: init.timeoutMs,
      log: init.log,
      counters: init.counters,
      respond: (request, reply) =>
        request.type === 'status' ? this.#status(reply) : this.#blocks(reply, request.from, request.to),
    });
  }

  async #status(reply: Reply<SyncErrorCode>): Promise<true> {
    const { genesisHash, height, headHash } = await this.init.source.status();
    await reply.write({ type: 'status', genesisHash, height, headHash });
    return true;
  }

  /** Streams heights from..min(to, head), stopping before the response would pass its byte limit. */
  async #blocks(reply: Reply<SyncErrorCode>, from: number, to: number): Promise<boolean> {
    const problem = rangeProblem(from, to);
    if (problem) return reply.refuse(SyncErrorCode.badRange, problem);
    const { height: head } = await this.init.source.status();
    if (from > head) return reply.refuse(SyncErrorCode.unavailable, `from ${from} is above our head ${head}`);
    const first = this.init.source.firstHeight?.() ?? 1;
    if (from < first)
      return reply.refuse(
        SyncErrorCode.unavailable,
        `this node joined from a snapshot at height ${first} and holds no blocks below it`,
      );
    let responseBytes = 0;
    for (let height = from; height <= Math.min(to, head); height++) {
      const [block, commit] = await Promise.all([
        this.init.source.getBlockBytes(height),
        this.init.source.getCommitBytes(height),
      ]);
      if (!block || !commit) {
        this.init.log.error({ height }, 'a block at or below our head is missing from the store');
        return reply.refuse(SyncErrorCode.internal, `block ${height} is missing on this node`);
      }
      const size = block.length + commit.length;
      if (size > SYNC_RESPONSE_BYTES_MAX && height === from)
        return reply.refuse(SyncErrorCode.blockTooLarge, `block ${height} with its commit is ${size} bytes`);
      if (responseBytes + size > SYNC_RESPONSE_BYTES_MAX) break;
      responseBytes += size;
      await reply.write({ type: 'block', height, block, commit });
    }
    await reply.write({ type: 'end' });
    return true;
  }
}
