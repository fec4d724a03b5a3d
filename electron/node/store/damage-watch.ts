// The node's damaged state (decision #44): the first damage found in the store, from any path
// (an API read, a submission's check, consensus, a commit, gossip admission, the scrub), is
// recorded once, and every part subscribed to `damaged` stops what it must (the signer,
// consensus). Reads that do not touch the damage still answer; admissions answer NODE_DAMAGED.
import type { StoreDamageView } from '../../../shared/api/index.js';
import { ApiError } from '../api/errors.js';
import type { Chain } from '../chain/chain.js';
import { sleep, type Clock } from '../lifecycle/clock.js';
import { Listeners, type Listener } from '../lifecycle/listeners.js';
import { damageOf, type StoreDamage } from './errors.js';

/** The background store scrub's pause between pages of rows (Chain.scrub). */
const SCRUB_PAUSE_MS = 5;

export interface DamageWatchInit {
  /** The data folder, named in the repair command the node shows. */
  dataDir: string;
}

export interface DamageWatchComponents {
  chain: Pick<Chain, 'head' | 'warming' | 'scrub'>;
  clock: Clock;
  log: {
    fatal(fields: object, message: string): void;
    info(fields: object, message: string): void;
    warn(fields: object, message: string): void;
    error(fields: object, message: string): void;
  };
}

export function damageWatch(init: DamageWatchInit) {
  return (components: DamageWatchComponents) => new DamageWatch(init, components);
}

export class DamageWatch {
  #view: StoreDamageView | undefined;
  #stopping = false;
  readonly #damaged = new Listeners<StoreDamageView>();

  constructor(
    private readonly init: DamageWatchInit,
    private readonly components: DamageWatchComponents,
  ) {}

  /** The damage found, if any (status, metrics, the UI). */
  get view(): StoreDamageView | undefined {
    return this.#view;
  }

  /** Called once, at the first damage, synchronously: a signer stopped here signs nothing more. */
  onDamaged(listener: Listener<StoreDamageView>): () => void {
    return this.#damaged.add(listener);
  }

  report(damage: StoreDamage): void {
    if (this.#view) return;
    const { log, chain } = this.components;
    const view = {
      what: damage.what,
      where: damage.where,
      sinceMs: this.components.clock.now(),
      repair: `notary repair --data ${this.init.dataDir}`,
    };
    this.#view = view;
    this.#damaged.emit(view, (error) => log.error({ err: error }, 'a part did not stop after the damage'));
    log.fatal(
      { where: view.where, what: view.what, height: chain.head.height },
      `the store is damaged (${view.where}: ${view.what}); this node stops signing, proposing and admitting transactions. Stop it and run: ${view.repair}`,
    );
  }

  /** Reports the damage inside `error`, if there is one; true then. */
  check(error: unknown): boolean {
    const damage = damageOf(error);
    if (damage) this.report(damage);
    return damage !== undefined;
  }

  sentence(): string {
    const damage = this.#view!;
    return `this node found its store damaged (${damage.where}: ${damage.what}) and accepts no transactions until it is repaired; the operator stops it and runs \`${damage.repair}\`, which moves the chain folder aside so that the next start re-syncs it from peers`;
  }

  /** REJECT with 503 NODE_DAMAGED: a damaged node admits and signs nothing. */
  refuse(): void {
    if (this.#view) throw new ApiError(503, 'NODE_DAMAGED', this.sentence());
  }

  /** Checks in the background what the store holds: the top of the state tree read at open, then every row. */
  start(): void {
    // A node at the top of the state tree that does not hash to its key is damage.
    void this.components.chain.warming?.then((warm) => warm.damage && this.report(warm.damage));
    void this.#scrub();
  }

  stop(): void {
    this.#stopping = true;
  }

  /**
   * Every row of the store checked against what it points at (Chain.scrub), once after start.
   * It finds damage no read meets, e.g. a row whose key a damaged table changed, so that the
   * transaction looks uncommitted. Pauses between pages; stops with the node.
   */
  async #scrub(): Promise<void> {
    const { chain, clock, log } = this.components;
    const startedMs = clock.now();
    let workedFromMs = clock.now();
    // At most half of the event loop: after each page, a pause as long as the page took (at least SCRUB_PAUSE_MS).
    const pause = async () => {
      await sleep(clock, Math.max(SCRUB_PAUSE_MS, clock.now() - workedFromMs));
      workedFromMs = clock.now();
    };
    try {
      const { rows } = await chain.scrub({ pause, stopped: () => this.#stopping || this.#view !== undefined });
      if (!this.#stopping && !this.#view)
        log.info({ rows, ms: clock.now() - startedMs }, 'store scrub: every row checked, no damage');
    } catch (error) {
      if (!this.check(error) && !this.#stopping) log.warn({ err: error }, 'store scrub stopped');
    }
  }
}
