// The components the consensus driver runs against. Each is injected, so the node wires the
// LevelDB chain, libp2p gossipsub and real time, and the simulator wires in-memory chains, a
// fault-injecting network and virtual time, around the same driver and state machine.
import type { ConsensusMessage, DuplicateVoteEvidence } from '../../../shared/chain/messages.js';
import type { Block, Commit } from '../../../shared/ledger/types.js';

export type TimerId = number;

export interface Clock {
  /** Milliseconds since the Unix epoch: block times come from it. */
  now(): number;
  /**
   * Milliseconds on a clock that is never stepped (the system's monotonic one), for how long ago something
   * happened; absent on virtual clocks, whose now() never steps back (lifecycle/clock.ts monotonicOf).
   */
  monotonic?(): number;
  /** Calls `callback` once after `delayMs` (never synchronously). */
  setTimer(delayMs: number, callback: () => void): TimerId;
  /** Cancels a timer; unknown or fired ids are ignored. */
  clearTimer(id: TimerId): void;
}

export interface ConsensusTransport {
  /**
   * Sends a message to every peer (gossip topic /consensus/1). The driver re-sends its own
   * current messages every gossipIntervalMs, byte for byte: the transport must let an identical
   * message through again (with gossipsub, keep message ids per publish, not content-addressed,
   * or treat a Duplicate publish error as sent). It need not relay other nodes' messages (the
   * machine re-sends what matters), nor deliver the node's own messages back (the driver feeds
   * them to the machine itself; a copy coming back is deduplicated). Must not throw.
   */
  broadcast(message: ConsensusMessage): void;
  /**
   * Registers the handler of decoded, shape-checked messages from peers (decodeConsensusMessage);
   * the state machine checks signatures and membership. Returns the unsubscribe function.
   */
  onMessage(handler: (message: ConsensusMessage) => void): () => void;
}

/** The last committed block (the LevelDB Chain's `head` satisfies it). */
export interface AppHead {
  height: number;
  hash: string;
}

/**
 * valid(v) of Algorithm 1. `valid` must be a function of the block and the chain state only,
 * the same on every honest node: if more than 2/3 of the validators precommit a block this
 * node calls invalid, the node halts (its execution differs from theirs). A check on local
 * conditions, such as a block time ahead of this office's clock, goes in `timely: false`: the
 * node then prevotes nil on it, yet still locks on it and commits it when a quorum has.
 */
export type BlockValidity = { valid: true; timely?: boolean; reason?: string } | { valid: false; reason: string };

/**
 * The application under consensus. The driver never calls it concurrently: every call below
 * waits for the previous one to settle (one FIFO lock), so commitBlock cannot interleave with
 * validateBlock, buildBlock or requestSync. A call that throws halts the driver, except
 * buildBlock (the round times out instead) and requestSync (retried on the next tick).
 * Blocks committed by other paths (the node's own syncer, block announcements) are fine: the
 * driver sees head() move on its next tick and starts the following height.
 */
export interface ConsensusApp {
  /** The last committed block; consensus runs height head().height + 1. */
  head(): AppHead;
  /** Sorted keys of the validators voting on `height`; asked for head + 1 and head + 2. */
  validatorsFor(height: number): Promise<string[]>;
  /**
   * A block for `height` extending the head, proposed by `proposer`, its time at least
   * `timeMs` (and later than the head's). Should return promptly: the driver has already
   * waited for transactions or the heartbeat (see waitForTransactions).
   */
  buildBlock(height: number, round: number, context: { proposer: string; timeMs: number }): Promise<Block>;
  /** valid(v): links to the head, every transaction accepted, roots re-computed (see BlockValidity). */
  validateBlock(block: Block): Promise<BlockValidity>;
  /**
   * Commits a decided block with its certificate, durably, before resolving. The driver skips
   * the call if sync already committed that height (head().height >= the block's height).
   */
  commitBlock(block: Block, commit: Commit): Promise<void>;
  /**
   * Optional: the stored commit certificate of a committed height (LevelDB Chain: getCommit).
   * The driver asks for the head's, so that a restarted node can still give validators that
   * missed the commit the precommits they need.
   */
  commitOf?(height: number): Promise<Commit | undefined>;
  /**
   * Optional: fetch committed blocks with their commits from peers, starting at `height`
   * (validators with more than 1/3 of the votes are already past it), verify and commit them.
   * Resolves when done or given up; the driver then restarts from the new head.
   */
  requestSync?(height: number): Promise<void>;
  /**
   * Optional: resolves when at least one transaction waits to be included (at once if one does
   * already); the driver aborts `signal` when the heartbeat elapses first. Without it, every
   * round-0 proposal waits the whole heartbeat.
   */
  waitForTransactions?(signal: AbortSignal): Promise<void>;
  /**
   * Optional: the heartbeat of `height` in milliseconds, the longest a round-0 proposer waits
   * for a transaction (a chain parameter; DESIGN §10). Without it, the driver's heartbeatMs.
   */
  heartbeatMsFor?(height: number): Promise<number> | number;
}

/** The subset of a pino logger the driver uses. */
export interface ConsensusLogger {
  debug(fields: object, message: string): void;
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

/** Hooks for metrics; every one optional. */
export interface ConsensusMetrics {
  roundStarted?(height: number, round: number): void;
  committed?(height: number, round: number, txs: number): void;
  /** Validators of `height` whose precommit is missing from its commit certificate. */
  missedVotes?(height: number, validators: string[]): void;
  evidence?(evidence: DuplicateVoteEvidence): void;
  /** A network message dropped because the input queue was full. */
  inputDropped?(): void;
  /** The PrivValidator refused a signature (a conflict with what it signed before a restart). */
  signRefused?(height: number, round: number, step: string): void;
  rejected?(reason: string): void;
}
