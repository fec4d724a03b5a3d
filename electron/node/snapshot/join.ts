// Joins the chain from a state snapshot (docs/operations.md "Joining by snapshot"): choose the
// newest snapshot peers offer, certify its header by following headers and commits from genesis
// (shared/snapshot/light-client.ts), check the manifest against that header, fetch the chunks
// from every peer that offers it (a few at once), check each before writing it, and refuse a
// bad or missing chunk from a peer (the peer is dropped for the join, the chunk asked of
// another). The store gets no head until the last synced batch: a crash before it leaves a
// store that is never read as a chain (the caller writes into a folder renamed at the end).
import { availableParallelism } from 'node:os';
import { decode, encode } from '../../../shared/codec/index.js';
import type { Verifier } from '../../../shared/crypto/index.js';
import {
  blockHash,
  genesisState,
  schema,
  StateKey,
  type Block,
  type BlockHeader,
  type Commit,
  type Genesis,
  type ValidatorSchedule,
} from '../../../shared/ledger/index.js';
import {
  LightClient,
  SnapshotError,
  verifyManifest,
  type SnapshotChunkEntry,
  type SnapshotManifest,
} from '../../../shared/snapshot/index.js';
import { COMPACT_FROM_OBJECTS } from '../chain/genesis-import.js';
import type { NetworkLogger, SyncedBlock } from '../network/interface.js';
import { BLOCK_BYTES_MAX, COMMIT_BYTES_MAX, ChainStore, type GenesisRows } from '../store/index.js';
import { installNodeSha256 } from '../crypto/fast-hash.js';
import { packChunkRows, type ChunkRefusal, type PackedRows } from './chunk-rows.js';
import { SNAP_HEADERS_MAX } from './protocol.js';
import type { SnapshotClient } from './client.js';

// OpenSSL's sha256 for the chunk checks (the same function as @noble's, faster).
installNodeSha256();

export interface JoinProgress {
  phase: 'offers' | 'headers' | 'chunks' | 'commit' | 'compact' | 'done';
  height: number;
  headers: number;
  chunksDone: number;
  chunksTotal: number;
  bytesDone: number;
  bytesTotal: number;
}

export interface JoinInit {
  /** An empty folder for the new store. */
  dir: string;
  genesis: Genesis;
  client: SnapshotClient;
  /** Blocks by the sync protocol (the base block itself). */
  requestBlocks(peerId: string, from: number, to: number): Promise<SyncedBlock[]>;
  /** Peers connected now. */
  peers(): string[];
  verify: Verifier;
  log: NetworkLogger;
  /**
   * Checks chunks and packs their rows off the main thread (the node's VerifyPool); without it,
   * or when it has no room, the join checks them itself. Either way the same code.
   */
  pool?: {
    packChunk(
      entry: SnapshotChunkEntry,
      bytes: Uint8Array,
    ): Promise<{ rows: PackedRows } | { refused: ChunkRefusal } | undefined>;
  };
  /** Chunks fetched and checked at once. Default 4. */
  parallelChunks?: number;
  /** How long to wait for a first peer. Default 60 s. */
  peersWaitMs?: number;
  onProgress?: (progress: JoinProgress) => void;
}

export interface JoinResult {
  height: number;
  blockHash: string;
  stateRoot: string;
  pairs: number;
  chunks: number;
  bytes: number;
  /** Peers dropped during the join, with why. */
  refusedPeers: Array<{ peerId: string; reason: string }>;
  phasesMs: { headers: number; chunks: number; commit: number; compact: number };
}

/** Transport failures in a row after which a peer is dropped for the join (a chunk that does not check: at once). */
const STRIKES_MAX = 3;
const STRIKE_PAUSE_MS = 500;

/**
 * Worker threads that check chunks during a join: every core (at most 4). On a two-core office
 * machine the main thread only receives and writes (idle two thirds of the time at 1M objects)
 * and one worker was the bottleneck; two cut the chunk phase by a quarter.
 */
export function joinWorkerCount(): number {
  return Math.max(1, Math.min(4, availableParallelism()));
}

export class JoinError extends Error {
  constructor(
    readonly code: 'SNAPSHOT_NO_PEERS' | 'SNAPSHOT_NONE_OFFERED' | 'SNAPSHOT_PEERS_FAILED',
    message: string,
  ) {
    super(`${code}: ${message}`);
    this.name = 'JoinError';
  }
}

export async function joinFromSnapshot(init: JoinInit): Promise<JoinResult> {
  const { client, log } = init;
  const refused = new Map<string, string>();
  const refuse = (peerId: string, reason: string) => {
    if (!refused.has(peerId)) log.warn({ peer: peerId, reason }, 'snapshot: peer refused; asking another');
    refused.set(peerId, reason);
  };
  const progress: JoinProgress = {
    phase: 'offers',
    height: 0,
    headers: 0,
    chunksDone: 0,
    chunksTotal: 0,
    bytesDone: 0,
    bytesTotal: 0,
  };
  const report = (change: Partial<JoinProgress>) => {
    Object.assign(progress, change);
    init.onProgress?.({ ...progress });
  };

  // 1. The newest snapshot any peer offers, and the peers that offer it.
  const peers = await waitForPeers(init);
  const offered = await Promise.allSettled(peers.map((peerId) => client.offers(peerId)));
  let height = -1;
  for (const [i, answer] of offered.entries()) {
    if (answer.status === 'rejected') refuse(peers[i]!, String(answer.reason));
    else for (const offer of answer.value) height = Math.max(height, offer.height);
  }
  if (height < 1)
    throw new JoinError(
      'SNAPSHOT_NONE_OFFERED',
      `none of ${peers.length} peers offers a snapshot above genesis; start without --join-snapshot to replay from genesis`,
    );
  const holders = peers.filter((_, i) => {
    const answer = offered[i]!;
    return answer.status === 'fulfilled' && answer.value.some((offer) => offer.height === height);
  });
  const usable = () => {
    const left = holders.filter((peerId) => !refused.has(peerId));
    if (left.length === 0)
      throw new JoinError(
        'SNAPSHOT_PEERS_FAILED',
        `every peer offering the snapshot at height ${height} failed: ${[...refused]
          .map(([p, r]) => `${p}: ${r}`)
          .join('; ')
          .slice(0, 600)}`,
      );
    return left;
  };
  const anyPeer = () => {
    const left = init.peers().filter((peerId) => !refused.has(peerId));
    return left.length > 0 ? left : usable();
  };
  log.info({ height, peers: holders.length }, 'snapshot: joining from the snapshot peers offer');
  report({ height, phase: 'headers' });

  // 2. Headers and commits from genesis to the snapshot's height, certified one by one.
  const started = performance.now();
  const { genesisHeader, header, commitBytes } = await certifyHeaders(init, height, anyPeer, refuse, (headers) =>
    report({ headers }),
  );
  const baseBlock = await fetchBaseBlock(init, header, refuse, usable);
  const headersDone = performance.now();

  // 3. The manifest, checked against the certified header.
  const topNodes: GenesisRows['smtNodes'] = [];
  let manifest: SnapshotManifest | undefined;
  while (!manifest) {
    const peerId = usable()[0]!;
    try {
      topNodes.length = 0;
      manifest = verifyManifest(decode(await client.manifest(peerId, height), 4 * 1024 * 1024), header, (hash, bytes) =>
        topNodes.push({ hash, bytes }),
      );
    } catch (error) {
      refuse(peerId, `manifest: ${String((error as Error).message ?? error)}`);
    }
  }
  const chunksTotal = manifest.chunks.length;
  const bytesTotal = manifest.chunks.reduce((sum, chunk) => sum + chunk.bytes, 0);
  report({ phase: 'chunks', chunksTotal, bytesTotal });
  log.info(
    { height, chunks: chunksTotal, bytes: bytesTotal },
    'snapshot: manifest checked against the certified header',
  );

  // 4. The chunks, from every peer offering them, each checked before it is written.
  const store = await ChainStore.open(init.dir, { chainId: init.genesis.chainId });
  try {
    await store.writeGenesisRows({ stateWrites: [], smtNodes: topNodes, partyObjects: [] });
    let next = 0;
    let pairs = 0;
    let turn = 0;
    let lastLogged = 0;
    const queue: number[] = [];
    const strikes = new Map<string, { count: number; atMs: number }>();
    const worker = async () => {
      for (;;) {
        const index = queue.length > 0 ? queue.shift()! : next < chunksTotal ? next++ : undefined;
        if (index === undefined) return;
        const entry = manifest.chunks[index]!;
        const candidates = usable();
        const peerId = candidates[turn++ % candidates.length]!;
        let rows: PackedRows;
        try {
          rows = await checkChunk(init, entry, await client.chunk(peerId, height, index));
          pairs += rows.pairs;
        } catch (error) {
          const code = error instanceof SnapshotError ? error.code : (error as { code?: string }).code;
          const what = String((error as Error).message ?? error).slice(0, 300);
          queue.push(index);
          // REJECT: a chunk that does not check: this peer is done for the join; another is asked.
          // A transport failure (timeout, a stream cut short) counts a strike: the peer is dropped
          // at STRIKES_MAX, so one busy moment does not lose the only peer that holds the snapshot.
          // Streams cut at once by one lost connection count as one strike (libp2p redials on the next request).
          const last = strikes.get(peerId) ?? { count: 0, atMs: 0 };
          const now = Date.now();
          const strikeCount =
            error instanceof SnapshotError
              ? STRIKES_MAX
              : now - last.atMs < STRIKE_PAUSE_MS
                ? last.count
                : last.count + 1;
          strikes.set(peerId, { count: strikeCount, atMs: now });
          log.warn(
            { peer: peerId, chunk: index, code, strikes: strikeCount, error: what },
            'snapshot: chunk refused; asking another peer',
          );
          if (strikeCount >= STRIKES_MAX) refuse(peerId, `chunk ${index}: ${what.slice(0, 200)}`);
          else await new Promise((resolve) => setTimeout(resolve, STRIKE_PAUSE_MS * Math.max(1, strikeCount)));
          continue;
        }
        strikes.delete(peerId);
        await store.writePackedRows(rows);
        report({ chunksDone: progress.chunksDone + 1, bytesDone: progress.bytesDone + entry.bytes });
        if (
          progress.chunksDone - lastLogged >= Math.max(1, Math.floor(chunksTotal / 20)) ||
          progress.chunksDone === chunksTotal
        ) {
          lastLogged = progress.chunksDone;
          log.info(
            { chunks: `${progress.chunksDone}/${chunksTotal}`, bytes: `${progress.bytesDone}/${bytesTotal}` },
            'snapshot: chunks written',
          );
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(init.parallelChunks ?? 4, Math.max(1, chunksTotal)) }, worker));
    const chunksDone = performance.now();

    // 5. The chain: genesis, the base block and its commit, the head, in one synced batch.
    report({ phase: 'commit' });
    const genesisHash = blockHash(genesisHeader);
    await store.commitSnapshotBase({
      genesis: {
        blockHash: genesisHash,
        blockBytes: encode({ header: genesisHeader, txs: [] } satisfies Block),
        commitBytes: encode({ height: 0, round: 0, blockHash: genesisHash, signatures: [] } satisfies Commit),
      },
      base: {
        height,
        blockHash: blockHash(header),
        stateRoot: header.stateRoot,
        blockBytes: encode(baseBlock),
        commitBytes,
      },
    });
    const committed = performance.now();
    if (pairs >= COMPACT_FROM_OBJECTS) {
      report({ phase: 'compact' });
      await store.compact();
    }
    report({ phase: 'done' });
    return {
      height,
      blockHash: blockHash(header),
      stateRoot: header.stateRoot,
      pairs,
      chunks: chunksTotal,
      bytes: bytesTotal,
      refusedPeers: [...refused].map(([peerId, reason]) => ({ peerId, reason })),
      phasesMs: {
        headers: headersDone - started,
        chunks: chunksDone - headersDone,
        commit: committed - chunksDone,
        compact: performance.now() - committed,
      },
    };
  } finally {
    await store.close();
  }
}

async function waitForPeers(init: JoinInit): Promise<string[]> {
  const deadline = Date.now() + (init.peersWaitMs ?? 60_000);
  for (;;) {
    const peers = init.peers();
    // A moment more once the first connects: the others' offers count too.
    if (peers.length > 0) {
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      return init.peers();
    }
    if (Date.now() > deadline)
      throw new JoinError(
        'SNAPSHOT_NO_PEERS',
        'no peer connected within the wait; check config.json bootstrap and that the peers admit this node',
      );
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** Follows headers 0..height from any peer; a peer whose header, commit or set does not check is dropped. */
async function certifyHeaders(
  init: JoinInit,
  height: number,
  peers: () => string[],
  refuse: (peerId: string, reason: string) => void,
  onHeaders: (count: number) => void,
): Promise<{ genesisHeader: BlockHeader; header: BlockHeader; commitBytes: Uint8Array }> {
  const schedule = genesisState({ ...init.genesis, properties: [] }).find(
    ([key]) => key === StateKey.validatorSchedule,
  )![1] as ValidatorSchedule;
  const light = new LightClient({
    chainId: init.genesis.chainId,
    genesisTimeMs: init.genesis.genesisTimeMs,
    schedule,
    verify: init.verify,
  });
  const sets = new Map<string, string[]>();
  let genesisHeader: BlockHeader | undefined;
  let last: { header: BlockHeader; commitBytes: Uint8Array } | undefined;
  let nextHeight = 0;
  let turn = 0;
  while (nextHeight <= height) {
    const candidates = peers();
    const peerId = candidates[turn++ % candidates.length]!;
    try {
      const served = await init.client.headers(peerId, nextHeight, Math.min(height, nextHeight + SNAP_HEADERS_MAX - 1));
      if (served.length === 0) throw new Error(`served no header from ${nextHeight}`);
      for (const item of served) {
        const header = schema.blockHeader.parse(decode(item.header, 64 * 1024)) as BlockHeader;
        if (header.height !== item.height) throw new Error(`sent header ${header.height} as ${item.height}`);
        if (item.height === 0) {
          light.acceptGenesis(header);
          genesisHeader = header;
        } else {
          const commit = schema.commit.parse(decode(item.commit, COMMIT_BYTES_MAX)) as Commit;
          let validators = sets.get(header.validatorsHash);
          if (!validators) {
            validators = await init.client.validators(peerId, header.validatorsHash);
            sets.set(header.validatorsHash, validators); // checked by its hash in accept, dropped below if wrong
          }
          try {
            light.accept(header, commit, validators);
          } catch (error) {
            sets.delete(header.validatorsHash);
            throw error;
          }
          last = { header, commitBytes: item.commit };
        }
        nextHeight = item.height + 1;
      }
      onHeaders(nextHeight);
    } catch (error) {
      refuse(peerId, `headers from ${nextHeight}: ${String((error as Error).message ?? error).slice(0, 200)}`);
    }
  }
  return { genesisHeader: genesisHeader!, header: last!.header, commitBytes: last!.commitBytes };
}

/** The snapshot height's block (its header certified already): from a peer holding it, by the sync protocol. */
async function fetchBaseBlock(
  init: JoinInit,
  header: BlockHeader,
  refuse: (peerId: string, reason: string) => void,
  usable: () => string[],
): Promise<Block> {
  for (;;) {
    const peerId = usable()[0]!;
    try {
      const [synced] = await init.requestBlocks(peerId, header.height, header.height);
      if (!synced || synced.height !== header.height) throw new Error(`did not serve block ${header.height}`);
      const block = schema.block.parse(decode(synced.blockBytes, BLOCK_BYTES_MAX)) as Block;
      // REJECT: a block whose header is not the certified one.
      if (blockHash(block.header) !== blockHash(header)) throw new Error(`served another block at ${header.height}`);
      return block;
    } catch (error) {
      refuse(peerId, `block ${header.height}: ${String((error as Error).message ?? error).slice(0, 200)}`);
    }
  }
}

/** A chunk checked and its rows packed, on the pool's worker when there is room, else here. */
async function checkChunk(init: JoinInit, entry: SnapshotChunkEntry, bytes: Uint8Array): Promise<PackedRows> {
  const answer = await init.pool?.packChunk(entry, bytes);
  if (!answer) return packChunkRows(entry, bytes);
  if ('refused' in answer) throw new SnapshotError(answer.refused.code, answer.refused.message);
  return answer.rows;
}
