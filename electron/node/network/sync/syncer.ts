// Catches the chain up from peers ahead of it. Any peer may serve, observers included: each
// block arrives with its commit certificate and `apply` (Chain.commit) verifies both, so a
// lying peer can waste our time but never change our chain. A peer that fails (timeout, error
// frame, protocol violation, a block that does not verify) is dropped for the rest of the run
// and the next one is asked. One block request is in flight at a time; status requests go to
// at most `statusPeersMax` peers at once; a run makes at most `requestsMax` block requests.
// A response's blocks are decoded on a worker thread (CBOR, schemas, transaction digests), a
// few blocks at a time, while the main thread executes the ones before (`decodeWorkers`).
import { TypedEventEmitter } from '@libp2p/interface';
import { NetworkErrorCode } from '../errors.js';
import { LedgerError, TxDigests, type Block, type Commit } from '../../../../shared/ledger/index.js';
import { decodeCommittedBlock } from '../../../../shared/chain/decode.js';
import { VerifyPool } from '../../crypto/verify-pool.js';
import { BLOCK_BYTES_MAX, COMMIT_BYTES_MAX } from '../../store/index.js';
import type { NetworkLogger, SyncClient, SyncedBlock, SyncStatus } from '../interface.js';
import { silentLogger } from '../options.js';
import { violation } from '../reqresp/exchange.js';
import { SYNC_BLOCKS_MAX } from './protocol.js';

export interface SyncerInit {
  client: SyncClient;
  /** Our own chain: genesis hash and height (the same source the sync server serves). */
  local: { status(): Promise<SyncStatus> | SyncStatus };
  /**
   * Verifies and commits one block (the node passes Chain.commit). `prepared` carries what the
   * decode worker computed: the transactions' digests, and the block's bytes when canonical;
   * and `durable`, false for every block of a response but the last (see #applyAll).
   */
  apply(block: Block, commit: Commit, prepared: SyncPrepared): Promise<unknown>;
  /** Worker threads decoding blocks ahead of their execution, during a run. Default 1; 0 decodes on the main thread. */
  decodeWorkers?: number;
  /** Peers asked for their status at once. Default 8. */
  statusPeersMax?: number;
  /** Block requests per run. Default 10,000 (640,000 blocks). */
  requestsMax?: number;
  /** Status rounds per run: after reaching a target the peers are asked again, as the chain moves on. Default 8. */
  roundsMax?: number;
  /** Heights per request. Default and maximum SYNC_BLOCKS_MAX. */
  batchBlocks?: number;
  /** Monotonic milliseconds, for how long a run has been at its stage. Default performance.now. */
  now?: () => number;
  log?: NetworkLogger;
}

/** What `apply` is handed beside the block and its commit (Chain.commit's PreparedBlock). */
export interface SyncPrepared {
  digests?: TxDigests;
  blockBytes?: Uint8Array;
  /** False: the block may be written without an fsync (a later block of the response will be). */
  durable: boolean;
}

/** What a run is waiting on, and since when (SyncControl abandons a run stalled at one stage). */
export interface SyncStage {
  what: string;
  sinceMs: number;
}

export interface SyncProgress {
  targetHeight: number;
  currentHeight: number;
  peerId?: string;
}

export interface SyncResult {
  height: number;
  targetHeight: number;
  appliedBlocks: number;
  requests: number;
  /** Peers dropped during the run, with why. */
  failedPeers: Array<{ peerId: string; reason: string }>;
  /** Peers on our genesis that answered a status request in the run's last round. */
  peersAnswered: number;
  /** `caught-up`: no peer is ahead; `request-limit`: requestsMax reached; `no-peers`: every peer ahead failed. */
  outcome: 'caught-up' | 'request-limit' | 'no-peers';
}

export interface SyncerEvents {
  'sync:target': CustomEvent<SyncProgress>;
  'sync:progress': CustomEvent<SyncProgress>;
  'sync:done': CustomEvent<SyncResult>;
}

/** A fault of the serving peer: the run goes on with another peer. */
class PeerFault extends Error {
  /** Typed like every other refusal of network input (found by test/unit/fuzz-network.test.ts). */
  readonly code = NetworkErrorCode.protocolViolation;
}

/** Our own failure while applying a verified-looking block (the store): the run ends with the original error. */
class LocalFailure {
  constructor(readonly error: unknown) {}
}

interface Candidate {
  peerId: string;
  height: number;
}

/** One run's own state: a run abandoned while stalled may go on in the background beside the next. */
interface Run {
  signal: AbortSignal;
  /** Started at the first response worth it, closed at the end of the run. */
  decoder: VerifyPool | undefined;
  stage: SyncStage;
}

export class Syncer extends TypedEventEmitter<SyncerEvents> {
  readonly #init: Required<Omit<SyncerInit, 'log'>> & { log: NetworkLogger };
  #running: Promise<SyncResult> | undefined;
  #current: { run: Run; abort: AbortController; abandon: (reason: Error) => void } | undefined;

  constructor(init: SyncerInit) {
    super();
    this.#init = {
      statusPeersMax: 8,
      requestsMax: 10_000,
      roundsMax: 8,
      batchBlocks: SYNC_BLOCKS_MAX,
      decodeWorkers: 1,
      now: () => performance.now(),
      log: silentLogger,
      ...init,
    };
    if (this.#init.batchBlocks < 1 || this.#init.batchBlocks > SYNC_BLOCKS_MAX)
      throw new RangeError(`batchBlocks must be 1..${SYNC_BLOCKS_MAX}`);
  }

  get running(): boolean {
    return this.#running !== undefined;
  }

  /** What the current run waits on, and since when; undefined when none runs. */
  get stage(): SyncStage | undefined {
    return this.#current ? { ...this.#current.run.stage } : undefined;
  }

  /** Syncs to the best height peers report; a call while a run is going returns that run. */
  sync(): Promise<SyncResult> {
    if (!this.#running) {
      const abort = new AbortController();
      const run: Run = {
        signal: abort.signal,
        decoder: undefined,
        stage: { what: 'starting', sinceMs: this.#init.now() },
      };
      let abandon: (reason: Error) => void = () => undefined;
      const abandoned = new Promise<never>((_, reject) => (abandon = reject));
      const current = { run, abort, abandon };
      this.#current = current;
      const work = this.#run(run).finally(() => run.decoder?.close());
      // an abandoned run's own work settles later; nothing waits on it
      work.catch(() => undefined);
      const running = Promise.race([work, abandoned]).finally(() => {
        if (this.#current !== current) return;
        this.#current = undefined;
        this.#running = undefined;
      });
      this.#running = running;
    }
    return this.#running;
  }

  /** Aborts the current run (its promise rejects with the abort reason). */
  stop(): void {
    this.#current?.abort.abort(new Error('sync stopped'));
  }

  /**
   * Gives up the current run: its promise rejects with `reason` at once, and the next sync()
   * starts a new run. What the old run still waits on settles in the background (its requests
   * are aborted; a block it still commits is one the committer would have taken anyway).
   */
  abandon(reason: Error): void {
    const current = this.#current;
    if (!current) return;
    this.#current = undefined;
    this.#running = undefined;
    current.abort.abort(reason);
    current.abandon(reason);
  }

  #at(run: Run, what: string): void {
    run.stage = { what, sinceMs: this.#init.now() };
  }

  async #run(run: Run): Promise<SyncResult> {
    const { signal } = run;
    const failed = new Map<string, string>();
    const result: SyncResult = {
      height: 0,
      targetHeight: 0,
      appliedBlocks: 0,
      requests: 0,
      failedPeers: [],
      peersAnswered: 0,
      outcome: 'caught-up',
    };
    for (let round = 0; round < this.#init.roundsMax; round++) {
      this.#at(run, 'reading its own head');
      const local = await this.#init.local.status();
      this.#at(run, 'asking peers their heads');
      const { ahead, answered } = await this.#peersAhead(local, failed, signal);
      result.peersAnswered = answered;
      result.height = local.height;
      result.targetHeight = Math.max(result.targetHeight, local.height, ...ahead.map((peer) => peer.height));
      if (ahead.length === 0) break;
      this.safeDispatchEvent('sync:target', {
        detail: { targetHeight: result.targetHeight, currentHeight: local.height },
      });
      const outcome = await this.#pull(run, ahead, failed, result);
      if (outcome !== 'caught-up') {
        result.outcome = outcome;
        break;
      }
    }
    result.height = (await this.#init.local.status()).height;
    result.failedPeers = [...failed].map(([peerId, reason]) => ({ peerId, reason }));
    if (result.outcome === 'caught-up' && result.height < result.targetHeight && failed.size > 0)
      result.outcome = 'no-peers';
    this.safeDispatchEvent('sync:done', { detail: result });
    return result;
  }

  /** Peers on our genesis whose head is above ours, highest first. */
  async #peersAhead(
    local: SyncStatus,
    failed: Map<string, string>,
    signal: AbortSignal,
  ): Promise<{ ahead: Candidate[]; answered: number }> {
    const peerIds = this.#init.client.syncPeerIds().filter((id) => !failed.has(id));
    const ahead: Candidate[] = [];
    let answered = 0;
    for (let i = 0; i < peerIds.length; i += this.#init.statusPeersMax) {
      const batch = peerIds.slice(i, i + this.#init.statusPeersMax);
      const statuses = await Promise.allSettled(
        batch.map((peerId) => this.#init.client.requestStatus(peerId, { signal })),
      );
      signal.throwIfAborted();
      statuses.forEach((settled, j) => {
        const peerId = batch[j]!;
        if (settled.status === 'rejected') return void failed.set(peerId, `status: ${String(settled.reason)}`);
        if (settled.value.genesisHash !== local.genesisHash) return void failed.set(peerId, 'serves another genesis');
        answered++;
        if (settled.value.height > local.height) ahead.push({ peerId, height: settled.value.height });
      });
    }
    return { ahead: ahead.sort((a, b) => b.height - a.height), answered };
  }

  /** Pulls ranges from the candidates until we reach the highest or run out of peers or requests. */
  async #pull(
    run: Run,
    ahead: Candidate[],
    failed: Map<string, string>,
    result: SyncResult,
  ): Promise<SyncResult['outcome']> {
    const { signal } = run;
    const target = ahead[0]!.height;
    // Far enough behind to use the decode worker: start it now, while the first request is out.
    if (target - (await this.#init.local.status()).height >= DECODE_AHEAD_BLOCKS_MIN)
      void this.#decoderOf(run)?.start();
    for (;;) {
      const height = (await this.#init.local.status()).height;
      if (height >= target) return 'caught-up';
      const peer = ahead.find((candidate) => candidate.height > height && !failed.has(candidate.peerId));
      if (!peer) return 'no-peers';
      if (result.requests >= this.#init.requestsMax) return 'request-limit';
      result.requests++;
      const from = height + 1;
      const to = Math.min(from + this.#init.batchBlocks - 1, peer.height);
      try {
        this.#at(run, `asking ${peer.peerId} for blocks ${from}..${to}`);
        const blocks = await this.#init.client.requestBlocks(peer.peerId, from, to, { signal });
        await this.#applyAll(run, peer.peerId, blocks, result);
        // A peer that claims a higher head but serves nothing we can use is not worth another request.
        if ((await this.#init.local.status()).height < from)
          throw new PeerFault(`peer ${peer.peerId} served nothing from height ${from}`);
      } catch (error) {
        signal.throwIfAborted();
        // A request failure or a block that does not verify sends us to the next peer; any
        // other failure while applying is our own (the store) and ends the run.
        if (error instanceof LocalFailure) throw error.error;
        failed.set(peer.peerId, (error as Error).message ?? String(error));
        this.#init.log.warn(
          { peer: peer.peerId, from, to, error: String(error) },
          'sync from peer failed; trying another',
        );
        continue;
      }
      const current = (await this.#init.local.status()).height;
      this.safeDispatchEvent('sync:progress', {
        detail: { targetHeight: result.targetHeight, currentHeight: current, peerId: peer.peerId },
      });
    }
  }

  /**
   * Commits a response's blocks in turn. Only the last is asked to be durable (one fsync per
   * response, not per block, decision #74): every block here is certified by more than two
   * thirds of the validators, so one a power cut takes back is fetched again, and LevelDB
   * writes its log in order, so the last block's synced batch makes the earlier ones durable.
   * A response cut short (a bad block, an abandoned run) leaves its earlier blocks unsynced
   * until the next synced batch, whoever writes it (the next response, consensus): the same
   * loss at worst.
   */
  async #applyAll(run: Run, peerId: string, blocks: SyncedBlock[], result: SyncResult): Promise<void> {
    const decoded = this.#decodeAhead(run, peerId, blocks);
    for (let i = 0; i < blocks.length; i++) {
      const synced = blocks[i]!;
      // Another writer (consensus) may have committed this height meanwhile.
      if (synced.height <= (await this.#init.local.status()).height) continue;
      // an abandoned run commits no more (the committer would skip its blocks, but need not be asked)
      run.signal.throwIfAborted();
      this.#at(run, `decoding block ${synced.height}`);
      const { block, commit, prepared } = (await decoded[i]?.()) ?? decodeSyncedBlock(peerId, synced);
      try {
        this.#at(run, `committing block ${synced.height}`);
        await this.#init.apply(block, commit, { ...prepared, durable: i === blocks.length - 1 });
      } catch (error) {
        if (isBlockFault(error))
          throw new PeerFault(`block ${synced.height} from ${peerId} does not verify: ${(error as Error).message}`);
        throw new LocalFailure(error);
      }
      result.appliedBlocks++;
    }
  }

  #decoderOf(run: Run): VerifyPool | undefined {
    if (this.#init.decodeWorkers === 0) return undefined;
    run.decoder ??= new VerifyPool({
      workers: this.#init.decodeWorkers,
      batchesQueuedMax: Math.ceil(SYNC_BLOCKS_MAX / DECODE_CHUNK_BLOCKS) + 1,
    });
    return run.decoder;
  }

  /**
   * Hands a response's blocks to the decode worker in chunks of DECODE_CHUNK_BLOCKS, all at
   * once (a response is at most SYNC_BLOCKS_MAX blocks, so at most 16 chunks wait), and returns
   * per block a getter of its decoded form; undefined entries are decoded here. A block the
   * worker finds bad is a PeerFault, as here.
   */
  #decodeAhead(
    run: Run,
    peerId: string,
    blocks: SyncedBlock[],
  ): Array<(() => Promise<DecodedSynced | undefined>) | undefined> {
    const decoder = blocks.length < DECODE_AHEAD_BLOCKS_MIN ? undefined : this.#decoderOf(run);
    if (!decoder) return [];
    const getters: Array<() => Promise<DecodedSynced | undefined>> = [];
    for (let start = 0; start < blocks.length; start += DECODE_CHUNK_BLOCKS) {
      const chunk = blocks.slice(start, start + DECODE_CHUNK_BLOCKS);
      const answer = decoder.decodeBlocks(chunk, { blockBytesMax: BLOCK_BYTES_MAX, commitBytesMax: COMMIT_BYTES_MAX });
      chunk.forEach((synced, index) => {
        getters.push(async () => {
          const entry = (await answer)?.[index];
          if (!entry) return undefined;
          if ('error' in entry)
            throw new PeerFault(violation(peerId, `served a bad block ${synced.height}: ${entry.error}`).message);
          const digests = new TxDigests();
          entry.block.txs.forEach((tx, i) =>
            digests.seed(tx, entry.digests.txIds.slice(32 * i, 32 * i + 32), entry.digests.txHashes[i]!),
          );
          return {
            block: entry.block,
            commit: entry.commit,
            prepared: { digests, blockBytes: entry.digests.canonical ? synced.blockBytes : undefined },
          };
        });
      });
    }
    return getters;
  }
}

/** Blocks per decode job: one, so the first block executes while the worker decodes the next. */
const DECODE_CHUNK_BLOCKS = 1;
/** Responses shorter than this are decoded on the main thread (a worker's start costs more). */
const DECODE_AHEAD_BLOCKS_MIN = 4;

interface DecodedSynced {
  block: Block;
  commit: Commit;
  prepared?: { digests?: TxDigests; blockBytes?: Uint8Array };
}

/** Decodes a served block and commit and checks they name each other; PeerFault otherwise. */
export function decodeSyncedBlock(peerId: string, synced: SyncedBlock): DecodedSynced {
  try {
    return decodeCommittedBlock(synced.height, synced.blockBytes, synced.commitBytes, {
      blockBytesMax: BLOCK_BYTES_MAX,
      commitBytesMax: COMMIT_BYTES_MAX,
    });
  } catch (error) {
    throw new PeerFault(violation(peerId, `served a bad block ${synced.height}: ${(error as Error).message}`).message);
  }
}

/** Errors `apply` throws for a block that is wrong (not for a failure of our own store). */
function isBlockFault(error: unknown): boolean {
  if (error instanceof LedgerError) return true;
  const code = (error as { code?: unknown })?.code;
  return code === 'INVALID_BLOCK' || code === 'INVALID_COMMIT' || code === 'MALFORMED';
}
