// The requesting side of the sync protocol. Everything a peer sends is untrusted: frames are
// size-limited and schema-checked, heights must run from `from` without a gap, and the
// response must stay within its count and byte limits. Block contents are checked later by
// the chain (commit certificate + re-execution).
import type { Libp2p } from '@libp2p/interface';
import { NetworkError, NetworkErrorCode } from '../errors.js';
import type { SyncedBlock, SyncStatus } from '../interface.js';
import { exchange, violation, type ExchangeInit } from '../reqresp/exchange.js';
import {
  blocksFrameSchema,
  rangeProblem,
  statusResponseSchema,
  SYNC_BLOCKS_MAX,
  SYNC_FRAME_BYTES_MAX,
  SYNC_STATUS_FRAME_BYTES_MAX,
  SYNC_RESPONSE_BYTES_MAX,
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
  return exchange(syncExchange(libp2p, protocol, peerId, options), { type: 'status' }, async (read) => {
    const frame = await read(SYNC_STATUS_FRAME_BYTES_MAX, statusResponseSchema);
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
  return exchange(syncExchange(libp2p, protocol, peerId, options), { type: 'blocks', from, to }, async (read) => {
    const blocks: SyncedBlock[] = [];
    let responseBytes = 0;
    // Bounded: at most SYNC_BLOCKS_MAX block frames, then the end frame.
    for (let frames = 0; frames <= SYNC_BLOCKS_MAX; frames++) {
      const frame = await read(SYNC_FRAME_BYTES_MAX, blocksFrameSchema);
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

function syncExchange(libp2p: Libp2p, protocol: string, peerId: string, options: RequestOptions): ExchangeInit {
  const { timeoutMs, signal } = options;
  return { libp2p, protocol, peerId, name: 'sync', frameBytesMax: SYNC_FRAME_BYTES_MAX, timeoutMs, signal };
}
