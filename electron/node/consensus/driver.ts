// Runs the consensus state machine against the node's components (interfaces.ts): feeds it
// one input at a time from a bounded queue (input-queue.ts), executes its outputs, awaits the
// application and the signer, and feeds their answers back. It owns no consensus logic.
//
// - Signatures go through the PrivValidator, which persists before it signs; the signed message
//   is broadcast, then fed back to the machine like any peer's.
// - After a commit it starts the next height with the application's validators for it (a set
//   changed by block H votes from H + 2, so head + 1 and head + 2 are always known).
// - Heartbeat (DESIGN §5, §10): at round 0 a proposer waits until a transaction waits
//   (app.waitForTransactions) or the height's heartbeat (app.heartbeatMsFor, a chain parameter)
//   has passed since the height started, then builds. Every validator's round-0 propose timeout
//   runs to the end of the heartbeat plus the propose timeout, so an idle wait never costs a
//   round; and once a transaction waits in its own mempool, to at most two propose timeouts from
//   then, so a network idle for an hour does not make the first transaction wait out a dead
//   proposer's heartbeat. The application's calls may take as long as they need: the machine keeps
//   handling messages meanwhile and drops answers that arrive after their round moved on.
// - Every gossipIntervalMs the machine gets a tick: it re-sends what gossip may have lost
//   (gossip.ts) and, while the network is past this height, asks the application to sync.
// - A driver runs once: after stop() or a halt, build a new one (the PrivValidator and the
//   application's chain carry everything that must survive).
import type { Verifier } from '../../../shared/crypto/index.js';
import type { DuplicateVoteEvidence, Vote } from '../../../shared/chain/messages.js';
import type { Block, Commit } from '../../../shared/ledger/types.js';
import { InputQueue, NETWORK_INPUTS_MAX_DEFAULT } from './input-queue.js';
import type {
  Clock,
  ConsensusApp,
  ConsensusLogger,
  ConsensusMetrics,
  ConsensusTransport,
  TimerId,
} from './interfaces.js';
import { DoubleSignError, type PrivValidator } from './priv-validator.js';
import { ConsensusStateMachine } from './state-machine.js';
import type { ConsensusInput, ConsensusOutput, Step, TimeoutConfig } from './types.js';

export const GOSSIP_INTERVAL_MS_DEFAULT = 1000;
/** An application call that holds consensus longer than this is logged (once per call). */
export const APP_CALL_WARN_MS = 30_000;

export interface ConsensusDriverInit {
  chainId: string;
  /** Defaults: propose 3000, prevote 1000, precommit 1000, delta 500 ms per round. */
  timeouts?: Partial<Omit<TimeoutConfig, 'heartbeatMs'>>;
  /**
   * Longest wait for transactions before a round-0 proposal, when the application does not
   * give one per height (app.heartbeatMsFor); 0 (default) builds at once.
   */
  heartbeatMs?: number;
  /**
   * Least time from a height's start to its round-0 proposal, even when transactions already
   * wait (CometBFT's timeout_commit): under a light load, transactions that arrive close together
   * share one height instead of each making their own. Capped by the height's heartbeat; 0
   * (default) builds as soon as a transaction waits.
   */
  blockIntervalMinMs?: number;
  /** Re-send interval of own messages, and of sync requests while behind. */
  gossipIntervalMs?: number;
  /** Messages from peers that may wait in the input queue (newest dropped beyond it). */
  networkInputsMax?: number;
  onCommitted?(block: Block, commit: Commit): void;
  onEvidence?(evidence: DuplicateVoteEvidence): void;
  /** Called once when the driver halts on an error; it then processes nothing more. */
  onHalt?(error: Error): void;
}

export interface ConsensusDriverComponents {
  clock: Clock;
  transport: ConsensusTransport;
  app: ConsensusApp;
  verify: Verifier;
  /** The validator's signer; absent or null for an observer, which follows but never signs. */
  privValidator?: PrivValidator | null;
  logger?: ConsensusLogger;
  metrics?: ConsensusMetrics;
}

export interface ConsensusStatus {
  running: boolean;
  height: number;
  round: number;
  step: Step;
  halted: Error | null;
  /** The application call consensus waits on (building, validating or committing a block, a sync), and for how long. */
  waitingOn?: { call: string; forMs: number };
}

/** js-libp2p style factory: `consensusDriver(init)(components)`. */
export function consensusDriver(init: ConsensusDriverInit): (components: ConsensusDriverComponents) => ConsensusDriver {
  return (components) => new ConsensusDriver(init, components);
}

const silentLogger: ConsensusLogger = { debug() {}, info() {}, warn() {}, error() {} };

export class ConsensusDriver {
  readonly #init: ConsensusDriverInit;
  readonly #components: ConsensusDriverComponents;
  readonly #machine: ConsensusStateMachine;
  readonly #queue: InputQueue;
  readonly #logger: ConsensusLogger;
  readonly #metrics: ConsensusMetrics;
  readonly #defaultHeartbeatMs: number;
  /** The heartbeat of the height being decided (app.heartbeatMsFor, else the init's). */
  #heartbeatMs: number;
  readonly #gossipIntervalMs: number;
  readonly #blockIntervalMinMs: number;
  #started = false;
  #running = false;
  #halted: Error | null = null;
  #drainScheduled = false;
  #draining = false;
  #timers = new Map<string, TimerId>();
  #unsubscribe: (() => void) | null = null;
  /** One FIFO lock around every application call. */
  #appTail: Promise<unknown> = Promise.resolve();
  /** The application call holding the lock, and since when (the tick warns of one that never ends). */
  #appCall: { name: string; sinceMs: number; warned: boolean } | undefined;
  #inFlight = new Set<Promise<unknown>>();
  #syncing = false;
  /** Highest height whose startHeight is queued: commit and sync may both want to start it. */
  #heightQueued = 0;
  #heightStartedAtMs = 0;
  /** Ends the build's wait in progress (#sleep), if any. */
  #endWait: (() => void) | null = null;
  #waits = 0;
  /** Ends the round-0 wait for a transaction that shortens the propose timeout. */
  #stopTxWatch: (() => void) | null = null;

  constructor(init: ConsensusDriverInit, components: ConsensusDriverComponents) {
    this.#init = init;
    this.#components = components;
    this.#defaultHeartbeatMs = init.heartbeatMs ?? 0;
    this.#heartbeatMs = this.#defaultHeartbeatMs;
    if (!Number.isSafeInteger(this.#defaultHeartbeatMs) || this.#defaultHeartbeatMs < 0)
      throw new Error('heartbeatMs must be a non-negative integer of milliseconds');
    this.#blockIntervalMinMs = init.blockIntervalMinMs ?? 0;
    if (!Number.isSafeInteger(this.#blockIntervalMinMs) || this.#blockIntervalMinMs < 0)
      throw new Error('blockIntervalMinMs must be a non-negative integer of milliseconds');
    this.#gossipIntervalMs = init.gossipIntervalMs ?? GOSSIP_INTERVAL_MS_DEFAULT;
    if (!Number.isSafeInteger(this.#gossipIntervalMs) || this.#gossipIntervalMs < 1)
      throw new Error('gossipIntervalMs must be a positive integer');
    this.#machine = new ConsensusStateMachine({
      chainId: init.chainId,
      self: components.privValidator?.publicKey ?? null,
      verify: components.verify,
      // The heartbeat's share of the round-0 propose timeout is the driver's (#schedulePropose).
      timeouts: { ...init.timeouts, heartbeatMs: 0 },
    });
    this.#queue = new InputQueue(init.networkInputsMax ?? NETWORK_INPUTS_MAX_DEFAULT);
    this.#logger = components.logger ?? silentLogger;
    this.#metrics = components.metrics ?? {};
  }

  status(): ConsensusStatus {
    const machine = this.#machine;
    return {
      running: this.#running,
      height: machine.height,
      round: machine.round,
      step: machine.step,
      halted: this.#halted,
      ...(this.#appCall
        ? { waitingOn: { call: this.#appCall.name, forMs: this.#monotonic() - this.#appCall.sinceMs } }
        : {}),
    };
  }

  async start(): Promise<void> {
    if (this.#started) throw new Error('a consensus driver starts once; build a new one to restart');
    this.#started = true;
    this.#running = true;
    this.#unsubscribe = this.#components.transport.onMessage((message) => {
      if (!this.#running) return;
      const input: ConsensusInput =
        message.kind === 'vote' ? { kind: 'vote', vote: message } : { kind: 'proposal', proposal: message };
      if (this.#queue.pushNetwork(input)) this.#scheduleDrain();
      else this.#metrics.inputDropped?.();
    });
    this.#scheduleTick();
    await this.#startNextHeight();
  }

  /** Stops timers and input; waits for the application and signer calls in progress. */
  async stop(): Promise<void> {
    this.#shutdown();
    await Promise.allSettled([...this.#inFlight]);
  }

  #shutdown(): void {
    this.#running = false;
    this.#unsubscribe?.();
    this.#unsubscribe = null;
    for (const id of this.#timers.values()) this.#components.clock.clearTimer(id);
    this.#timers.clear();
    this.#queue.clear();
    this.#endWait?.();
    this.#stopTxWatch?.();
  }

  #halt(error: unknown): void {
    if (this.#halted) return;
    if (!this.#running) {
      // A call still in flight when the driver stopped failed: expected while shutting down.
      this.#logger.debug({ err: error }, 'a call failed after the consensus driver stopped');
      return;
    }
    this.#halted = error instanceof Error ? error : new Error(String(error));
    this.#logger.error(
      { err: this.#halted, height: this.#machine.height, round: this.#machine.round },
      'consensus halted',
    );
    this.#shutdown();
    this.#init.onHalt?.(this.#halted);
  }

  #enqueue(input: ConsensusInput): void {
    if (!this.#running) return;
    this.#queue.pushInternal(input);
    this.#scheduleDrain();
  }

  #scheduleDrain(): void {
    if (this.#drainScheduled || this.#draining) return;
    this.#drainScheduled = true;
    queueMicrotask(() => this.#drain());
  }

  #drain(): void {
    this.#drainScheduled = false;
    this.#draining = true;
    try {
      for (let input = this.#queue.shift(); input && this.#running; input = this.#queue.shift()) {
        const outputs = this.#machine.handle(input);
        for (const output of outputs) this.#execute(output);
      }
    } catch (error) {
      this.#halt(error);
    } finally {
      this.#draining = false;
    }
  }

  #execute(output: ConsensusOutput): void {
    const transport = this.#components.transport;
    const metrics = this.#metrics;
    switch (output.kind) {
      case 'buildProposal':
        return this.#track(this.#build(output.height, output.round));
      case 'validateBlock':
        return this.#track(this.#validate(output.height, output.block, output.blockHash));
      case 'signProposal':
      case 'signVote':
        return this.#track(this.#sign(output));
      case 'broadcast':
        return transport.broadcast(output.message);
      case 'scheduleTimeout': {
        const fire = () =>
          this.#enqueue({ kind: 'timeout', height: output.height, round: output.round, step: output.step });
        if (output.step === 'propose' && output.round === 0)
          return this.#scheduleRoundZeroPropose(output.height, output.durationMs, fire);
        return this.#setTimer(`${output.height}/${output.round}/${output.step}`, output.durationMs, fire);
      }
      case 'commit':
        return this.#track(this.#commit(output.block, output.commit, [...this.#machine.validators]));
      case 'evidence':
        this.#logger.warn({ evidence: output.evidence }, 'a validator signed two different votes for one round');
        metrics.evidence?.(output.evidence);
        return this.#init.onEvidence?.(output.evidence);
      case 'requestSync':
        if (!this.#syncing && this.#components.app.requestSync) this.#track(this.#sync(output.height));
        return;
      case 'roundStarted':
        this.#logger.debug({ height: output.height, round: output.round }, 'round started');
        return metrics.roundStarted?.(output.height, output.round);
      case 'rejected':
        this.#logger.debug({ reason: output.reason, validator: output.validator }, 'consensus input rejected');
        return metrics.rejected?.(output.reason);
    }
  }

  #track(work: Promise<void>): void {
    this.#inFlight.add(work);
    void work.finally(() => this.#inFlight.delete(work));
  }

  #withApp<T>(name: string, call: () => Promise<T>): Promise<T> {
    const run = this.#appTail.then(async () => {
      const current = { name, sinceMs: this.#monotonic(), warned: false };
      this.#appCall = current;
      try {
        return await call();
      } finally {
        if (this.#appCall === current) this.#appCall = undefined;
      }
    });
    this.#appTail = run.catch(() => undefined);
    return run;
  }

  #setTimer(key: string, delayMs: number, callback: () => void): void {
    if (!this.#running) return;
    const { clock } = this.#components;
    const previous = this.#timers.get(key);
    if (previous !== undefined) clock.clearTimer(previous);
    const id = clock.setTimer(delayMs, () => {
      this.#timers.delete(key);
      if (this.#running) callback();
    });
    this.#timers.set(key, id);
  }

  #scheduleTick(): void {
    this.#setTimer('tick', this.#gossipIntervalMs, () => {
      this.#enqueue({ kind: 'tick' });
      this.#warnOfLongAppCall();
      // The head may move under the driver (the node's syncer, a block announcement): follow it.
      if (this.#components.app.head().height >= this.#machine.height && this.#heightQueued > 0)
        this.#track(this.#startNextHeight());
      this.#scheduleTick();
    });
  }

  /** The clock's monotonic time (a stepped wall clock must not make a call look long), else its now(). */
  #monotonic(): number {
    const { clock } = this.#components;
    return clock.monotonic ? clock.monotonic() : clock.now();
  }

  /** An application call that holds the lock this long stops consensus here: say which, once. */
  #warnOfLongAppCall(): void {
    const call = this.#appCall;
    // a sync far behind takes minutes, and says itself when it stalls (sync-control.ts)
    if (!call || call.warned || call.name === 'requestSync') return;
    const forMs = this.#monotonic() - call.sinceMs;
    if (forMs < APP_CALL_WARN_MS) return;
    call.warned = true;
    this.#logger.warn(
      { call: call.name, forMs, height: this.#machine.height, round: this.#machine.round, step: this.#machine.step },
      'consensus is waiting on the application',
    );
  }

  async #startNextHeight(): Promise<void> {
    const { app } = this.#components;
    let plan: { height: number; validators: string[]; nextValidators: string[]; lastCommit?: Commit };
    let heartbeatMs: number;
    try {
      ({ heartbeatMs, ...plan } = await this.#withApp('startHeight', async () => {
        const height = app.head().height + 1;
        const lastCommit = height > 1 ? await app.commitOf?.(height - 1) : undefined;
        return {
          height,
          validators: await app.validatorsFor(height),
          nextValidators: await app.validatorsFor(height + 1),
          heartbeatMs: app.heartbeatMsFor ? await app.heartbeatMsFor(height) : this.#defaultHeartbeatMs,
          ...(lastCommit ? { lastCommit } : {}),
        };
      }));
    } catch (error) {
      return this.#halt(error);
    }
    if (!this.#running || plan.height <= this.#heightQueued) return;
    this.#heightQueued = plan.height;
    this.#heartbeatMs = heartbeatMs;
    this.#stopTxWatch?.();
    for (const [key, id] of this.#timers) {
      if (key !== 'tick' && Number(key.split('/')[0]) < plan.height) {
        this.#components.clock.clearTimer(id);
        this.#timers.delete(key);
      }
    }
    this.#heightStartedAtMs = this.#components.clock.now();
    this.#enqueue({ kind: 'startHeight', ...plan, ...this.#restored(plan.height) });
    this.#reannounceVotes(plan.height);
  }

  /** Round, step and lock the PrivValidator persisted at `height` before a restart. */
  #restored(height: number): Pick<Extract<ConsensusInput, { kind: 'startHeight' }>, 'round' | 'step' | 'lock'> {
    const signer = this.#components.privValidator;
    if (!signer) return {};
    const last = signer.lastSigned;
    if (last && last.height > height) {
      this.#logger.warn(
        { signedHeight: last.height, height },
        'this validator signed at a later height than its chain has; it signs again once the chain catches up',
      );
    }
    const lock = signer.lock;
    return {
      ...(last && last.height === height ? { round: last.round } : {}),
      ...(last && last.height === height && last.step !== 'propose' ? { step: last.step } : {}),
      ...(lock && lock.height === height
        ? {
            lock: {
              round: lock.round,
              blockHash: lock.blockHash,
              ...(lock.block ? { block: lock.block, prevotes: lock.prevotes ?? [] } : {}),
            },
          }
        : {}),
    };
  }

  /**
   * After a restart, votes this validator signed at this height may never have reached everyone,
   * and it will not sign them again: send the persisted ones, so that the others can still count
   * them (a quorum may hinge on exactly one of them).
   */
  #reannounceVotes(height: number): void {
    const signer = this.#components.privValidator;
    for (const slot of signer?.signedAt(height) ?? []) {
      if (!signer || slot.step === 'propose') continue;
      const vote: Vote = {
        kind: 'vote',
        type: slot.step,
        height,
        round: slot.round,
        blockHash: slot.blockHash,
        validator: signer.publicKey,
        signature: slot.signature,
      };
      this.#components.transport.broadcast(vote);
      this.#enqueue({ kind: 'vote', vote });
    }
  }

  /**
   * Round 0's propose timeout: to the end of the height's heartbeat, plus the propose timeout;
   * once a transaction waits here, the propose timeout plus min(heartbeat, propose timeout) from
   * then, if that is sooner. The proposer builds as soon as a transaction waits in its own
   * mempool and gossip brings it there about when it arrives here, so a dead proposer after an
   * idle spell costs at most two propose timeouts, not a heartbeat; and on a busy chain with a
   * short heartbeat the round keeps the slack it always had (heartbeat + propose from the
   * height's start), which a loaded machine needs to build and send a full block.
   */
  #scheduleRoundZeroPropose(height: number, durationMs: number, fire: () => void): void {
    const key = `${height}/0/propose`;
    const { clock, app } = this.#components;
    const heartbeatLeftMs = Math.max(0, this.#heightStartedAtMs + this.#heartbeatMs - clock.now());
    const deadlineMs = clock.now() + heartbeatLeftMs + durationMs;
    this.#setTimer(key, heartbeatLeftMs + durationMs, fire);
    if (heartbeatLeftMs === 0 || !app.waitForTransactions) return;
    this.#stopTxWatch?.();
    const controller = new AbortController();
    const stop = () => {
      controller.abort();
      if (this.#stopTxWatch === stop) this.#stopTxWatch = null;
    };
    this.#stopTxWatch = stop;
    app.waitForTransactions(controller.signal).then(
      () => {
        if (controller.signal.aborted || !this.#running) return;
        stop();
        if (this.#machine.height !== height || this.#machine.round !== 0 || !this.#timers.has(key)) return;
        // Only ever sooner: a transaction after the heartbeat's end leaves the deadline as it was.
        const soonerMs = durationMs + Math.min(this.#heartbeatMs, durationMs);
        if (clock.now() + soonerMs < deadlineMs) this.#setTimer(key, soonerMs, fire);
      },
      () => undefined,
    );
  }

  async #build(height: number, round: number): Promise<void> {
    if (round === 0) await this.#waitForTransactionsOrHeartbeat();
    const signer = this.#components.privValidator;
    if (!this.#running || !signer || this.#machine.height !== height || this.#machine.round !== round) return;
    try {
      const { app, clock } = this.#components;
      // Sync may have committed this height while we waited: then there is nothing to build.
      const block = await this.#withApp('buildBlock', async () =>
        app.head().height + 1 === height
          ? app.buildBlock(height, round, { proposer: signer.publicKey, timeMs: clock.now() })
          : undefined,
      );
      if (block) this.#enqueue({ kind: 'proposalBuilt', height, round, block });
    } catch (error) {
      // The round's propose timeout moves everyone on; a proposer that cannot build is only slow.
      this.#logger.error({ err: error, height, round }, 'the application could not build a block');
    }
  }

  async #waitForTransactionsOrHeartbeat(): Promise<void> {
    const clock = this.#components.clock;
    const heartbeatLeftMs = this.#heightStartedAtMs + this.#heartbeatMs - clock.now();
    if (heartbeatLeftMs > 0) {
      const controller = new AbortController();
      await this.#sleep(
        heartbeatLeftMs,
        () => controller.abort(),
        (wake) => this.#components.app.waitForTransactions?.(controller.signal).then(wake, () => undefined),
      );
    }
    // The least interval, counted from the height's start (never past the heartbeat).
    const leastMs = Math.min(this.#blockIntervalMinMs, this.#heartbeatMs);
    const leastLeftMs = this.#heightStartedAtMs + leastMs - clock.now();
    if (leastLeftMs > 0) await this.#sleep(leastLeftMs);
  }

  /**
   * Waits `delayMs`, or until `watch` wakes it sooner, or the driver stops. One wait at a time: a
   * new one first ends the one before (its height moved on, and its build then returns), so that
   * no build, which stop() waits for, is left waiting on a timer nobody keeps.
   */
  async #sleep(delayMs: number, onWake?: () => void, watch?: (wake: () => void) => void): Promise<void> {
    this.#endWait?.();
    if (!this.#running) return;
    const key = `wait/${++this.#waits}`;
    await new Promise<void>((resolve) => {
      let woken = false;
      const wake = () => {
        if (woken) return;
        woken = true;
        if (this.#endWait === wake) this.#endWait = null;
        const id = this.#timers.get(key);
        if (id !== undefined) {
          this.#components.clock.clearTimer(id);
          this.#timers.delete(key);
        }
        onWake?.();
        resolve();
      };
      this.#endWait = wake;
      this.#setTimer(key, delayMs, wake);
      watch?.(wake);
    });
  }

  async #validate(height: number, block: Block, blockHash: string): Promise<void> {
    try {
      // A height already committed (by sync) has nothing left to validate; answering "invalid"
      // for a block that no longer extends the head could make the machine halt.
      const { app } = this.#components;
      const result = await this.#withApp('validateBlock', async () =>
        this.#machine.height === height && app.head().height < height ? app.validateBlock(block) : undefined,
      );
      // Another path (sync, a block announcement) may have committed the height meanwhile.
      if (result && app.head().height < height) this.#enqueue({ kind: 'blockValidity', height, blockHash, ...result });
    } catch (error) {
      this.#halt(error);
    }
  }

  async #sign(output: Extract<ConsensusOutput, { kind: 'signVote' | 'signProposal' }>): Promise<void> {
    const signer = this.#components.privValidator;
    if (!signer) return this.#halt(new Error('the state machine asked an observer to sign'));
    try {
      if (output.kind === 'signVote') {
        const vote = await signer.signVote(
          output.type,
          output.height,
          output.round,
          output.blockHash,
          output.lockProof,
        );
        if (!this.#running) return; // crashed after persisting, before sending: the signer remembers
        this.#logger.debug(
          { type: vote.type, height: vote.height, round: vote.round, blockHash: vote.blockHash },
          'voted',
        );
        this.#components.transport.broadcast(vote);
        this.#enqueue({ kind: 'vote', vote });
      } else {
        const proposal = await signer.signProposal(output.block, output.round, output.polRound, output.blockHash);
        if (!this.#running) return;
        this.#logger.debug(
          { height: proposal.height, round: proposal.round, polRound: proposal.polRound, blockHash: output.blockHash },
          'proposed',
        );
        this.#components.transport.broadcast(proposal);
        this.#enqueue({ kind: 'proposal', proposal });
      }
    } catch (error) {
      if (!(error instanceof DoubleSignError)) return this.#halt(error);
      const step = output.kind === 'signVote' ? output.type : 'propose';
      this.#logger.warn(
        { height: output.height, round: output.round, step, reason: error.message },
        'the signer refused a conflicting signature',
      );
      this.#metrics.signRefused?.(output.height, output.round, step);
    }
  }

  async #commit(block: Block, commit: Commit, validators: string[]): Promise<void> {
    const { app } = this.#components;
    const height = block.header.height;
    try {
      await this.#withApp('commitBlock', async () => {
        if (app.head().height < height) await app.commitBlock(block, commit);
      });
    } catch (error) {
      return this.#halt(error);
    }
    this.#logger.info(
      { height, round: commit.round, txs: block.txs.length, blockHash: commit.blockHash },
      'block committed',
    );
    this.#metrics.committed?.(height, commit.round, block.txs.length);
    const signed = new Set(commit.signatures.map((entry) => entry.validator));
    const missing = validators.filter((key) => !signed.has(key));
    if (missing.length > 0) this.#metrics.missedVotes?.(height, missing);
    this.#init.onCommitted?.(block, commit);
    // Through the clock, never straight on: a chain with one validator and no heartbeat would
    // otherwise decide height after height in microtasks and starve the rest of the process.
    this.#setTimer('next-height', 0, () => this.#track(this.#startNextHeight()));
  }

  async #sync(height: number): Promise<void> {
    const request = this.#components.app.requestSync;
    if (!request) return;
    this.#syncing = true;
    try {
      await this.#withApp('requestSync', () => request.call(this.#components.app, height));
    } catch (error) {
      this.#logger.warn({ err: error, height }, 'sync failed; retrying on the next tick');
    } finally {
      this.#syncing = false;
    }
    if (this.#running && this.#components.app.head().height >= this.#machine.height) await this.#startNextHeight();
  }
}
