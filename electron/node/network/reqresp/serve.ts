// The serving side of a request/response protocol: a bound on requests served at once, one
// request read within a size limit and a deadline and schema-checked, then answered or refused
// with an error frame; never an exception that escapes the handler.
import type { IncomingStreamData, Stream } from '@libp2p/interface';
import { lpStream, type LengthPrefixedStream } from 'it-length-prefixed-stream';
import type { z } from 'zod';
import type { NetworkLogger } from '../interface.js';
import { decodeFrame, encodeFrame, errorFrameOf } from './frames.js';

/** How a protocol answers one request. */
export interface Reply<Code extends string> {
  readonly peerId: string;
  readonly signal: AbortSignal;
  write(frame: unknown): Promise<void>;
  /** Answers with an error frame instead, counted and logged as a refusal. */
  refuse(code: Code, message: string): Promise<false>;
}

export interface ServeInit<Request, Code extends string> {
  /** The protocol as the logs name it: `sync`, `snapshot`. */
  name: string;
  requestBytesMax: number;
  requestSchema: z.ZodType<Request>;
  errorMessageLengthMax: number;
  /** The protocol's codes for a bad request, too many at once, and this node's own failure. */
  codes: { readonly badRequest: Code; readonly busy: Code; readonly internal: Code };
  /** What the peer is told, and what is logged here, when this node fails answering. */
  internalMessage: string;
  internalLog: string;
  /** Requests served at once over all peers; more get the busy code. */
  concurrency: number;
  /** Deadline for reading the request and writing the whole response. */
  timeoutMs: number;
  log: NetworkLogger;
  counters: { served: number; refused: number };
  /** Answers one schema-checked request: true if served, false if refused. A throw is this node's failure. */
  respond(request: Request, reply: Reply<Code>): Promise<boolean>;
}

/** The libp2p stream handler of a protocol. */
export function requestHandler<Request, Code extends string>(
  init: ServeInit<Request, Code>,
): (data: IncomingStreamData) => void {
  let active = 0;

  const serve = async (stream: Stream, peerId: string): Promise<void> => {
    const signal = AbortSignal.timeout(init.timeoutMs);
    const lp = lpStream(stream, { maxDataLength: init.requestBytesMax });
    const reply: Reply<Code> = {
      peerId,
      signal,
      write: async (frame) => {
        await lp.write(encodeFrame(frame), { signal });
      },
      refuse: async (code, message) => {
        init.counters.refused++;
        init.log.debug({ peer: peerId, code, reason: message }, `${init.name} request refused`);
        await lp.write(encodeFrame(errorFrameOf(code, message, init.errorMessageLengthMax)), { signal });
        return false;
      },
    };
    const busy = active >= init.concurrency;
    active++;
    try {
      const served = busy
        ? await reply.refuse(init.codes.busy, `too many ${init.name} requests at once; try later`)
        : await answer(lp, reply);
      if (served) init.counters.served++;
      await stream.close({ signal });
    } catch (error) {
      init.log.debug({ peer: peerId, error: String(error) }, `${init.name} stream failed`);
      stream.abort(error instanceof Error ? error : new Error(String(error)));
    } finally {
      active--;
    }
  };

  /** Reads and answers one request; true if served, false if refused with an error frame. */
  const answer = async (lp: LengthPrefixedStream<Stream>, reply: Reply<Code>): Promise<boolean> => {
    const { peerId, signal } = reply;
    let request: Request;
    try {
      request = decodeFrame((await lp.read({ signal })).subarray(), init.requestBytesMax, init.requestSchema);
    } catch (error) {
      // Past the deadline: stop. Anything else (bad bytes, a frame over the limit, a truncated
      // frame) is answered with BAD_REQUEST while the peer may still read.
      if (signal.aborted) throw error;
      return reply.refuse(init.codes.badRequest, (error as Error).message);
    }
    try {
      return await init.respond(request, reply);
    } catch (error) {
      if (signal.aborted) throw error;
      // Our own store failed: tell the peer (it tries another) and log it here.
      init.log.error({ peer: peerId, error: String(error) }, init.internalLog);
      return reply.refuse(init.codes.internal, init.internalMessage);
    }
  };

  return ({ stream, connection }) => {
    void serve(stream, connection.remotePeer.toString());
  };
}
