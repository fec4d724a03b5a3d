// The requesting side of the snapshot protocol. Everything a peer sends is untrusted: frames are
// size-limited and schema-checked here, and their contents (manifest, chunks, headers, commits,
// validator sets) are checked by shared/snapshot before anything is written.
import type { Libp2p } from '@libp2p/interface';
import type { z } from 'zod';
import type { SnapshotOffer } from '../../../shared/snapshot/index.js';
import { exchange, violation, type ExchangeInit } from '../network/reqresp/exchange.js';
import {
  SNAP_FRAME_BYTES_MAX,
  SNAP_HEADERS_MAX,
  SNAP_HEADERS_RESPONSE_BYTES_MAX,
  SNAP_HEADER_FRAME_BYTES_MAX,
  chunkFrameSchema,
  headersFrameSchema,
  manifestFrameSchema,
  offersFrameSchema,
  validatorsFrameSchema,
  type SnapRequest,
} from './protocol.js';

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
  const exchangeWith = (peerId: string): ExchangeInit => ({
    libp2p,
    protocol,
    peerId,
    name: 'snapshot',
    frameBytesMax: SNAP_FRAME_BYTES_MAX * 2,
    timeoutMs,
  });
  /** One request answered by one frame. */
  const one = <F extends { type: string }>(
    peerId: string,
    request: SnapRequest,
    frameSchema: z.ZodType<F>,
    bytesMax = SNAP_FRAME_BYTES_MAX,
  ) => exchange(exchangeWith(peerId), request, (read) => read(bytesMax, frameSchema));
  return {
    offers: async (peerId) => (await one(peerId, { type: 'offers' }, offersFrameSchema, 64 * 1024)).offers,
    manifest: async (peerId, height) => (await one(peerId, { type: 'manifest', height }, manifestFrameSchema)).manifest,
    chunk: async (peerId, height, index) => {
      const frame = await one(peerId, { type: 'chunk', height, index }, chunkFrameSchema);
      if (frame.height !== height || frame.index !== index)
        throw violation(peerId, `sent chunk ${frame.index} of ${frame.height} for chunk ${index} of ${height}`);
      return frame.chunk;
    },
    validators: async (peerId, hash) =>
      (await one(peerId, { type: 'validators', hash }, validatorsFrameSchema, 1024 * 1024)).validators,
    headers: (peerId, from, to) =>
      exchange(exchangeWith(peerId), { type: 'headers', from, to }, async (read) => {
        const served: ServedHeader[] = [];
        let bytes = 0;
        for (let frames = 0; frames <= SNAP_HEADERS_MAX; frames++) {
          const frame = await read(SNAP_HEADER_FRAME_BYTES_MAX * 2, headersFrameSchema);
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
