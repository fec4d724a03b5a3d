// When the node syncs from peers: when consensus asks (it fell behind), before consensus
// restarts after a halt, and when a block announcement shows a gap. One Syncer, so one
// `syncing` state, which status, metrics and the outbox read.
import { monotonicOf, type Clock } from '../../lifecycle/clock.js';
import type { NetworkLogger, SyncClient, SyncStatus } from '../interface.js';
import { Syncer, type SyncerInit, type SyncResult, type SyncStage } from './syncer.js';

/** A block announcement ahead of the head starts a sync at most this often. */
export const CATCH_UP_INTERVAL_MS = 5_000;

/**
 * A run that waits this long at one stage (a request, a block's decoding or commit) is
 * abandoned with a warning naming the stage, and a new run starts. Every request has its own
 * deadline (5 s for heads, 30 s for blocks), so only a fault of this node stalls a run so long.
 */
export const SYNC_STALL_MS = 90_000;

/** A failing sync is logged at most this often. */
export const FAILED_RUN_LOG_INTERVAL_MS = 60_000;

export interface SyncControlInit {
  catchUpIntervalMs?: number;
  /** Default SYNC_STALL_MS. */
  stallMs?: number;
}

export interface SyncControlComponents {
  client: SyncClient;
  local: { status(): Promise<SyncStatus> | SyncStatus };
  /** Commits one synced block (the committer). */
  apply: SyncerInit['apply'];
  clock: Clock;
  log: NetworkLogger;
}

export function syncControl(init: SyncControlInit = {}) {
  return (components: SyncControlComponents) => new SyncControl(init, components);
}

export class SyncControl {
  readonly #syncer: Syncer;
  readonly #monotonic: () => number;
  #lastCatchUpMs = Number.NEGATIVE_INFINITY;
  #lastFailureLogMs = Number.NEGATIVE_INFINITY;
  #stopping = false;

  constructor(
    private readonly init: SyncControlInit,
    private readonly components: SyncControlComponents,
  ) {
    this.#monotonic = monotonicOf(components.clock);
    this.#syncer = new Syncer({
      now: this.#monotonic,
      client: components.client,
      local: components.local,
      apply: components.apply,
      log: components.log,
    });
  }

  /** A sync is running. */
  get syncing(): boolean {
    return this.#syncer.running;
  }

  /** What the run going waits on, and since when (monotonic ms); undefined when none runs. */
  get stage(): SyncStage | undefined {
    return this.#syncer.stage;
  }

  /** Syncs to the best height peers report (joins the run going, if one is); rejects with the run's error. */
  sync(): Promise<SyncResult> {
    this.#abandonIfStalled();
    return this.#syncer.sync().then((result) => this.#report(result));
  }

  /** A gap seen in gossip: sync in the background, unless one runs or one started less than catchUpIntervalMs ago. */
  catchUp(): void {
    const { clock, log } = this.components;
    const intervalMs = this.init.catchUpIntervalMs ?? CATCH_UP_INTERVAL_MS;
    this.#abandonIfStalled();
    if (this.syncing || this.#stopping || clock.now() - this.#lastCatchUpMs < intervalMs) return;
    this.#lastCatchUpMs = clock.now();
    this.#syncer
      .sync()
      .then((result) => this.#report(result))
      .catch((error: unknown) => log.debug({ err: error }, 'catch-up sync failed'));
  }

  /** Checked whenever a sync is asked for (consensus, block announcements): a stalled run is given up, saying where. */
  #abandonIfStalled(): void {
    const stage = this.#syncer.stage;
    if (!stage) return;
    const forMs = this.#monotonic() - stage.sinceMs;
    if (forMs < (this.init.stallMs ?? SYNC_STALL_MS)) return;
    this.components.log.warn(
      { stage: stage.what, forMs: Math.round(forMs) },
      'sync stalled; the run is abandoned and a new one starts',
    );
    this.#syncer.abandon(new Error(`sync stalled for ${Math.round(forMs / 1000)} s while ${stage.what}`));
  }

  /**
   * A run in which peers failed and none answered, or that ended short of the height peers
   * named: said at warn level, at most once per FAILED_RUN_LOG_INTERVAL_MS (each run retries
   * every second while consensus is behind), with the peers' reasons.
   */
  #report(result: SyncResult): SyncResult {
    const { clock, log } = this.components;
    const short = result.height < result.targetHeight;
    if (result.failedPeers.length === 0 || (result.peersAnswered > 0 && !short)) return result;
    if (clock.now() - this.#lastFailureLogMs < FAILED_RUN_LOG_INTERVAL_MS) return result;
    this.#lastFailureLogMs = clock.now();
    log.warn(
      {
        height: result.height,
        targetHeight: result.targetHeight,
        peersAnswered: result.peersAnswered,
        failedPeers: result.failedPeers.slice(0, 4),
      },
      'sync could not reach the height peers named, or no peer answered',
    );
    return result;
  }

  stop(): void {
    this.#stopping = true;
    this.#syncer.stop();
  }
}
