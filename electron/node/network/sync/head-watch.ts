// Whether this node's head is the network's (issue 19, the history checker's "no stale read
// once the node reports itself in sync"; decision #69). A node says it is in sync only when it
// has evidence, not when it merely lacks news: a 45-minute soak found nodes 3 to 7 blocks behind
// (just restarted; or a full disk) that answered reads as if current.
//
// The evidence, each checked before it counts:
// - a consensus message signed by a validator of the next height: at height h it shows the
//   network committed h - 1 (ahead of us when h - 1 > head); at our head or the next height, that
//   the network was where we are when it was sent (it confirms us);
// - a block announcement whose commit certificate verifies against the validators of the next
//   height: the network committed that height;
// - a peer's answer to a status request naming our very head (a probe, sent only when nothing
//   confirmed us lately: an idle network sends no consensus messages until its heartbeat).
// The node is in sync when no sync runs, its store takes writes, nothing verified is above its
// head, and it was confirmed within CONFIRMED_WINDOW_MS (or it is the only validator). A head
// committed since a confirmation is no older than the one confirmed, so it stays confirmed.
// A peer's claimed height is never taken as "behind" without a signature behind it: a lying
// office cannot make the others look stale, only leave them unconfirmed while it alone answers.
import type { BehindReason, HeadSync } from '../../../../shared/api/index.js';
import type { ConsensusMessage } from '../../../../shared/chain/index.js';
import { verifyCommit } from '../../../../shared/chain/index.js';
import {
  StateKey,
  blockHash,
  validatorsAt,
  type Block,
  type Commit,
  type ValidatorSchedule,
} from '../../../../shared/ledger/index.js';
import type { Chain } from '../../chain/chain.js';
import { every, type Clock } from '../../lifecycle/clock.js';
import type { NetworkLogger, SyncClient, SyncStatus } from '../interface.js';

/**
 * How long a confirmation holds: a node stopped or cut off longer than this (a paused process, a
 * pulled cable) says "unconfirmed" at once, before anything it missed could be served as current.
 */
export const CONFIRMED_WINDOW_MS = 3_000;
/** A probe is sent once the last confirmation is this old (a busy network confirms far more often). */
export const PROBE_AFTER_MS = 1_000;
/** Between looks at whether a probe is due. */
export const PROBE_INTERVAL_MS = 1_000;
/**
 * A probe answer naming a height above ours, after this long without a confirmation, starts a
 * catch-up sync: gossip brought no news of the network's progress (a deaf link, decision #72),
 * so the sync protocol fetches what it missed. The blocks are verified as any synced block; a
 * lying peer costs a sync request (at most one per CATCH_UP_INTERVAL_MS), nothing more.
 */
export const PROBE_CATCH_UP_AFTER_MS = 5_000;
/** The warning that gossip brought no news is logged at most this often. */
export const SILENT_GOSSIP_LOG_INTERVAL_MS = 60_000;
/** A peer's status answer later than this is no answer. */
export const PROBE_TIMEOUT_MS = 2_000;
/** A record read asks at most this many connected peers for their heads... */
export const READ_PEERS_MAX = 16;
/** ...and waits this long for their answers (a peer that answers later is not counted). */
export const READ_CONFIRM_TIMEOUT_MS = 500;

export interface HeadWatchComponents {
  /** With the chain's store: a store that refused a write commits nothing until it is opened again. */
  chain: Pick<Chain, 'head' | 'getRecord' | 'chainId' | 'verify'> & {
    readonly store: { readonly writeRefused: unknown };
  };
  client: Pick<SyncClient, 'syncPeerIds' | 'requestStatus'>;
  sync: { readonly syncing: boolean; catchUp(): void };
  damage: { readonly view: unknown };
  selfKey: string | undefined;
  clock: Clock;
  log: NetworkLogger;
}

export function headWatch() {
  return (components: HeadWatchComponents) => new HeadWatch(components);
}

export class HeadWatch {
  /** The highest height verified as committed by the network (0: none heard). */
  #networkHeight = 0;
  /** When evidence last said the network was no further than this node's head. */
  #confirmedAtMs = Number.NEGATIVE_INFINITY;
  #validators: { height: number; keys: Promise<ReadonlySet<string>> } | undefined;
  /** The validator schedule as last read. */
  #schedule: ValidatorSchedule | undefined;
  #probing = false;
  #nextPeer = 0;
  #silentLoggedAtMs = Number.NEGATIVE_INFINITY;
  #stopTimer: (() => void) | undefined;

  constructor(private readonly components: HeadWatchComponents) {}

  start(): void {
    // the validators of the next height, read now: a node that is the only one is in sync at once
    this.#validatorKeys().catch(() => undefined);
    this.#stopTimer = every(this.components.clock, PROBE_INTERVAL_MS, () => void this.probe());
  }

  stop(): void {
    this.#stopTimer?.();
    this.#stopTimer = undefined;
  }

  /** A consensus message whose signature verified (the consensus topic's validator). */
  heardConsensus(message: ConsensusMessage): void {
    const signer = message.kind === 'vote' ? message.validator : message.proposer;
    void this.#isValidator(signer)
      .then((member) => {
        if (!member) return;
        this.#raise(message.height - 1);
        const head = this.components.chain.head.height;
        if (message.height === head || message.height === head + 1) this.#confirm();
      })
      .catch((error: unknown) => this.components.log.debug({ err: error }, 'head watch: validators unreadable'));
  }

  /**
   * A block announced above our head (gossip's block topic): counted when its commit verifies
   * against the validators of our next height (a set changed since is no evidence, only silence).
   */
  async heardBlock(block: Block, commit: Commit): Promise<void> {
    const height = block.header.height;
    if (height <= Math.max(this.#networkHeight, this.components.chain.head.height)) return;
    try {
      const { chain } = this.components;
      const keys = await this.#validatorKeys();
      verifyCommit(commit, blockHash(block.header), height, [...keys], chain.chainId, chain.verify);
      this.#raise(height);
    } catch (error) {
      this.components.log.debug({ err: error, height }, 'head watch: an announced block is no evidence');
    }
  }

  /** One probe, when the head was not confirmed lately: one connected peer (in turn) is asked its head. */
  async probe(): Promise<void> {
    const { chain, client, clock, log } = this.components;
    if (this.#probing || clock.now() - this.#confirmedAtMs < PROBE_AFTER_MS) return;
    const peers = client.syncPeerIds();
    if (peers.length === 0) return;
    const peer = peers[this.#nextPeer++ % peers.length]!;
    const head = chain.head;
    this.#probing = true;
    try {
      const answer = await client.requestStatus(peer, { signal: AbortSignal.timeout(PROBE_TIMEOUT_MS) });
      // our head when asked, or the one committed while the answer was on its way
      if (namesHead(answer, head) || namesHead(answer, chain.head)) this.#confirm();
      else if (answer.height > chain.head.height) this.#aheadUnheard(peer, answer.height);
    } catch (error) {
      log.debug({ err: error, peer }, 'head watch: a peer did not say its head');
    } finally {
      this.#probing = false;
    }
  }

  /**
   * A peer says it is ahead, and nothing confirmed this node for PROBE_CATCH_UP_AFTER_MS: gossip
   * is not bringing the network's progress, so a sync fetches it (said once a minute at most).
   */
  #aheadUnheard(peer: string, peerHeight: number): void {
    const { chain, clock, log, sync } = this.components;
    const silentMs = clock.now() - this.#confirmedAtMs;
    if (silentMs < PROBE_CATCH_UP_AFTER_MS || sync.syncing) return;
    if (clock.now() - this.#silentLoggedAtMs >= SILENT_GOSSIP_LOG_INTERVAL_MS) {
      this.#silentLoggedAtMs = clock.now();
      const fields = { peer, peerHeight, head: chain.head.height };
      const message = 'a peer is ahead and gossip brought no news of it; catching up through sync';
      // never confirmed since this start: a node just started behind, which is no fault
      if (Number.isFinite(silentMs)) log.warn({ ...fields, silentMs: Math.round(silentMs) }, message);
      else log.info({ ...fields, silentMs: null }, message);
    }
    sync.catchUp();
  }

  /**
   * For a record read: in sync only if, asked now, the connected peers show no head above ours
   * and at least one names the same head (a read barrier). The window view() leaves is closed:
   * a node cut off, paused or lagging a moment ago cannot answer "in sync" from evidence that
   * came before (a 45-minute soak, seed 45045, found an office isolated for 2.8 s and one for
   * 5.2 s answering reads in sync 3 and 6 blocks behind). Costs one round trip to each peer;
   * a peer that does not answer within READ_CONFIRM_TIMEOUT_MS is not waited for. A claimed
   * height is not verified: a lying peer can make this node's reads say "behind", nothing more.
   */
  async readSync(): Promise<HeadSync> {
    const seen = this.view();
    // syncing, behind or unable to write: said at once; alone: nobody to ask
    if (!seen.inSync && seen.behind?.reason !== 'unconfirmed') return seen;
    if (this.#alone()) return { inSync: true };
    const { chain, client } = this.components;
    const head = chain.head;
    const peers = client.syncPeerIds().slice(0, READ_PEERS_MAX);
    const answers = await Promise.allSettled(
      peers.map((peer) => client.requestStatus(peer, { signal: AbortSignal.timeout(READ_CONFIRM_TIMEOUT_MS) })),
    );
    let same = false;
    let highest = head.height;
    for (const answer of answers) {
      if (answer.status !== 'fulfilled') continue;
      highest = Math.max(highest, answer.value.height);
      if (namesHead(answer.value, head)) same = true;
    }
    // a block committed here while the peers answered: ours is then at least as new as theirs
    const now = chain.head.height;
    if (highest > now) return { inSync: false, behind: { reason: 'behind', blocks: highest - now } };
    if (!same && now === head.height) return { inSync: false, behind: { reason: 'unconfirmed', blocks: null } };
    this.#confirm();
    return { inSync: true };
  }

  /** In sync, or why not and by how many blocks where known (from what was heard; no round trip). */
  view(): HeadSync {
    const head = this.components.chain.head.height;
    // the validators of the next height, for #alone (read once per head)
    this.#validatorKeys().catch(() => undefined);
    const blocks = this.#networkHeight > head ? this.#networkHeight - head : this.#networkHeight > 0 ? 0 : null;
    const reason = this.#reason(blocks);
    return reason === undefined ? { inSync: true } : { inSync: false, behind: { reason, blocks } };
  }

  #reason(blocks: number | null): BehindReason | undefined {
    const { sync, chain, damage } = this.components;
    if (damage.view !== undefined || chain.store.writeRefused !== undefined) return 'store';
    if (sync.syncing) return 'syncing';
    if (blocks !== null && blocks > 0) return 'behind';
    if (this.#fresh() || this.#alone()) return undefined;
    return 'unconfirmed';
  }

  /** Confirmed within the window. */
  #fresh(): boolean {
    return this.components.clock.now() - this.#confirmedAtMs <= CONFIRMED_WINDOW_MS;
  }

  /**
   * This node is the only validator of the next height: its head is the network's. Judged on the
   * schedule as last read, which a block just committed cannot have changed for the next height
   * (a change takes effect two blocks after the block that carries it).
   */
  #alone(): boolean {
    if (!this.#schedule || this.components.selfKey === undefined) return false;
    const keys = validatorsAt(this.#schedule, this.#nextHeight());
    return keys.length === 1 && keys[0] === this.components.selfKey;
  }

  #confirm(): void {
    this.#confirmedAtMs = this.components.clock.now();
  }

  #raise(height: number): void {
    if (height > this.#networkHeight) this.#networkHeight = height;
  }

  #nextHeight(): number {
    return this.components.chain.head.height + 1;
  }

  async #isValidator(key: string): Promise<boolean> {
    return (await this.#validatorKeys()).has(key);
  }

  /** The validators of our next height, from the schedule read once per head. */
  #validatorKeys(): Promise<ReadonlySet<string>> {
    const height = this.#nextHeight();
    if (this.#validators?.height !== height) {
      const keys = this.components.chain.getRecord(StateKey.validatorSchedule).then((schedule) => {
        this.#schedule = schedule as ValidatorSchedule;
        return new Set(validatorsAt(this.#schedule, height));
      });
      // a failed read is read again next time
      keys.catch(() => {
        if (this.#validators?.keys === keys) this.#validators = undefined;
      });
      this.#validators = { height, keys };
    }
    return this.#validators.keys;
  }
}

/** A peer's status answer names this very head (height and hash). */
function namesHead(answer: SyncStatus, head: { height: number; hash: string }): boolean {
  return answer.height === head.height && answer.headHash === head.hash;
}
