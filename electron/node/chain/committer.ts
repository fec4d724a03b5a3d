// Every block this node commits passes here, from consensus, sync or a block announcement: one
// at a time. It writes the block, re-checks the mempool against it, and tells its subscribers
// (the pending log, the outbox, the events, the peer allowlist, later the registry modules)
// what the block settled, each in turn before the next block is written.
import { txId, type Block, type Commit } from '../../../shared/ledger/index.js';
import { Listeners, type Listener } from '../lifecycle/listeners.js';
import type { Dropped, Mempool } from '../mempool/mempool.js';
import type { DamageWatch } from '../store/damage-watch.js';
import type { Chain, PreparedBlock } from './chain.js';

/** What one committed block settled. */
export interface Committed {
  block: Block;
  /** The block's transactions, by txId. */
  txIds: ReadonlySet<string>;
  /**
   * Transactions the mempool dropped after the block, with the ledger's reason. The re-check
   * is part of the commit, not a subscriber: every subscriber needs what it dropped too.
   */
  dropped: readonly Dropped[];
}

export interface CommitterComponents {
  chain: Pick<Chain, 'head' | 'commit'>;
  mempool: Pick<Mempool, 'afterCommit'>;
  damage: Pick<DamageWatch, 'view' | 'sentence' | 'check'>;
}

export function committer() {
  return (components: CommitterComponents) => new Committer(components);
}

export class Committer {
  #turns: Promise<unknown> = Promise.resolve();
  readonly #committed = new Listeners<Committed>();

  constructor(private readonly components: CommitterComponents) {}

  /** Called after each commit, in the order added; an error or damage in one fails that commit. */
  onCommitted(listener: Listener<Committed>): () => void {
    return this.#committed.add(listener);
  }

  /** Commits after the commits before it settle. A height at or below the head is skipped (already committed). */
  commit(block: Block, commit: Commit, prepared?: PreparedBlock): Promise<void> {
    const turn = this.#turns.then(() => this.#commitInTurn(block, commit, prepared));
    this.#turns = turn.catch(() => undefined);
    return turn;
  }

  async #commitInTurn(block: Block, commit: Commit, prepared?: PreparedBlock): Promise<void> {
    const { chain, mempool, damage } = this.components;
    // REJECT: a damaged node commits nothing more.
    if (damage.view) throw new Error(`not committing block ${block.header.height}: ${damage.sentence()}`);
    try {
      if (block.header.height <= chain.head.height) return;
      const written = await chain.commit(block, commit, prepared);
      const txIds = new Set(block.txs.map((tx) => txId(tx)));
      const dropped = await mempool.afterCommit(block, written, txIds);
      await this.#committed.emitInTurn({ block, txIds, dropped });
    } catch (error) {
      damage.check(error);
      throw error;
    }
  }
}
