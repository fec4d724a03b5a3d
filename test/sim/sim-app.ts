// The application a simulated node runs consensus for: its SimChain, a view of the shared
// mempool (transactions reach every node at once: the sim tests consensus, not tx gossip), and
// block sync that copies committed blocks with their commits from a reachable peer and commits
// them only after verifying each certificate (SimChain.commit checks it like Chain.commit).
// One SimApp per incarnation: a crash kills it, and its calls fail from then on.
import type { Transaction } from '../../shared/ledger/index.js';
import { txId } from '../../shared/ledger/index.js';
import type { AppHead, BlockValidity, Clock, ConsensusApp } from '../../electron/node/consensus/index.js';
import type { Block, Commit } from '../../shared/ledger/types.js';
import type { Prng } from './prng.js';
import type { SimChain } from './sim-chain.js';

/** Blocks copied per sync request; the driver asks again while still behind. */
export const SYNC_BLOCKS_MAX = 64;

export class SimMempool {
  readonly #txs: Transaction[] = [];
  readonly #ids = new Set<string>();
  #waiters = new Set<() => void>();

  /** Adds a transaction once (gossip may bring it again). */
  add(tx: Transaction): void {
    const id = txId(tx);
    if (this.#ids.has(id)) return;
    this.#ids.add(id);
    this.#txs.push(tx);
    const waiters = [...this.#waiters];
    this.#waiters.clear();
    for (const wake of waiters) wake();
  }

  /** Transactions not yet committed on `chain`, oldest first. */
  pendingFor(chain: SimChain): Transaction[] {
    return this.#txs.filter((tx) => !chain.committedTxIds.has(txId(tx)));
  }

  waitFor(chain: SimChain, signal: AbortSignal): Promise<void> {
    if (this.pendingFor(chain).length > 0) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const wake = () => {
        signal.removeEventListener('abort', abort);
        resolve();
      };
      const abort = () => {
        this.#waiters.delete(wake);
        reject(new Error('aborted'));
      };
      this.#waiters.add(wake);
      signal.addEventListener('abort', abort, { once: true });
    });
  }
}

export interface SyncPeer {
  index: number;
  chain: SimChain;
  /** A byzantine peer may serve a forged commit certificate. */
  byzantine: boolean;
}

export interface SyncPeers {
  /** The peers `node` can reach now. */
  reachable(node: number): SyncPeer[];
  syncDelayMs(): number;
  onSynced(node: number, blocks: number): void;
  /** One block copied from peer `from` (for traffic counts). */
  onCopied?(node: number, from: number, block: Block, commit: Commit): void;
  /** A forged certificate was served (and must be refused). */
  onForgedServed(node: number): void;
}

export class SimApp implements ConsensusApp {
  #alive = true;

  constructor(
    readonly node: number,
    readonly chain: SimChain,
    readonly mempool: SimMempool,
    readonly clock: Clock,
    readonly rng: Prng,
    readonly peers: SyncPeers,
    /** After committing a decided block: the proposer announces it on the block topic (as app.ts). */
    readonly announce: ((block: Block, commit: Commit) => void) | null = null,
  ) {}

  /** The process died: every later call fails, as it would with the process gone. */
  kill(): void {
    this.#alive = false;
  }

  head(): AppHead {
    return this.chain.head;
  }

  validatorsFor(height: number): Promise<string[]> {
    return this.#alive ? Promise.resolve(this.chain.validatorsFor(height)) : dead();
  }

  buildBlock(_height: number, _round: number, context: { proposer: string; timeMs: number }): Promise<Block> {
    return this.#alive ? this.chain.propose(this.mempool.pendingFor(this.chain), context) : dead();
  }

  validateBlock(block: Block): Promise<BlockValidity> {
    return this.#alive ? this.chain.validate(block) : dead();
  }

  commitOf(height: number): Promise<Commit | undefined> {
    return this.#alive ? Promise.resolve(this.chain.commits[height]) : dead();
  }

  commitBlock(block: Block, commit: Commit): Promise<void> {
    if (!this.#alive) return dead();
    const committed = this.chain.commit(block, commit);
    const announce = this.announce;
    return announce ? committed.then(() => announce(block, commit)) : committed;
  }

  waitForTransactions(signal: AbortSignal): Promise<void> {
    return this.mempool.waitFor(this.chain, signal);
  }

  async requestSync(height: number): Promise<void> {
    await new Promise<void>((resolve) => this.clock.setTimer(this.peers.syncDelayMs(), resolve));
    if (!this.#alive) return dead();
    const ahead = this.peers
      .reachable(this.node)
      .filter(({ chain }) => chain.head.height >= height && chain.head.height > this.chain.head.height);
    if (ahead.length === 0) return;
    const peer = this.rng.pick(ahead);
    let copied = 0;
    while (copied < SYNC_BLOCKS_MAX && this.#alive && this.chain.head.height < peer.chain.head.height) {
      const next = this.chain.head.height + 1;
      let commit = peer.chain.commits[next]!;
      if (peer.byzantine && this.rng.chance(0.5)) {
        // A lying peer drops all but one precommit: commit() must refuse it (verifyCommit).
        commit = { ...commit, signatures: commit.signatures.slice(0, 1) };
        this.peers.onForgedServed(this.node);
      }
      await this.chain.commit(peer.chain.blocks[next]!, commit);
      this.peers.onCopied?.(this.node, peer.index, peer.chain.blocks[next]!, commit);
      copied += 1;
    }
    this.peers.onSynced(this.node, copied);
  }
}

function dead(): Promise<never> {
  return Promise.reject(new Error('the simulated process is dead'));
}
