// Consensus as a part of the node: the driver on the node's app, the consensus topic and the
// PrivValidator, restarted after a halt, stopped for good when the store is damaged. Through a
// key rotation it signs with whichever of the node's keys votes at the next height, switching
// drivers between heights; the new key's PrivValidator adopts the old one's state (decision #51).
import {
  encodeConsensusMessage,
  type ConsensusMessage,
  type DuplicateVoteEvidence,
} from '../../../shared/chain/index.js';
import type { EventHub } from '../api/events.js';
import type { NodeConfig } from '../config.js';
import { encodeBlockAnnouncement } from '../network/gossip/messages.js';
import type { NotaryNetwork } from '../network/network.js';
import type { EvidenceLog } from '../store/evidence-log.js';
import type { DamageWatch } from '../store/damage-watch.js';
import type { ProtocolWatch } from '../chain/protocol-watch.js';
import type { ClockWatch } from './clock-watch.js';
import { nodeConsensusApp, type NodeConsensusAppComponents } from './app.js';
import { consensusDriver, type ConsensusDriver, type ConsensusStatus } from './driver.js';
import type { Verifier } from '../../../shared/crypto/index.js';
import { StateKey, validatorsAt, type Authority, type ValidatorSchedule } from '../../../shared/ledger/index.js';
import type { Committer } from '../chain/committer.js';
import type { SigningKey } from '../keystore/signing-key.js';
import type { ConsensusLogger, TimerId } from './interfaces.js';
import type { Connectivity } from '../network/connectivity.js';
import type { DiskWatch } from '../store/disk-watch.js';
import { FilePrivValidatorStore } from './priv-validator-file-store.js';
import { PrivValidator, RetiredKeyError } from './priv-validator.js';

/** First and longest wait before a halted consensus driver is replaced. */
export const HALT_RECOVERY_MIN_MS = 1_000;
export const HALT_RECOVERY_MAX_MS = 30_000;
/** A halt this long after the previous one starts the backoff again from its minimum. */
const HALT_BACKOFF_RESET_MS = 60_000;

export interface ConsensusServiceInit {
  chainId: string;
  consensus: NodeConfig['consensus'];
  /**
   * The validator's keys (the office's own first; two while a key rotation is under way) and the
   * folder of its sign state; null: an observer, which follows but never signs.
   */
  signer: { keys(): SigningKey[]; dataDir: string } | null;
}

export interface ConsensusServiceComponents extends Omit<NodeConsensusAppComponents, 'damage' | 'announce'> {
  damage: Pick<DamageWatch, 'view' | 'sentence' | 'check' | 'onDamaged'>;
  /** Stops consensus before a height whose protocol this software does not run. */
  protocol: Pick<ProtocolWatch, 'stop' | 'onStopped'>;
  /** Each commit may move the validator to another of the node's keys (a key rotation). */
  committer: Pick<Committer, 'commit' | 'onCommitted'>;
  verify: Verifier;
  /** The consensus topic, and the block topic for announcing what this node proposed and committed. */
  network: Pick<NotaryNetwork, 'publish' | 'subscribe'>;
  /** The message the gossip validator decoded from these bytes (ChainValidators.consensusDecoded). */
  decode(bytes: Uint8Array): ConsensusMessage;
  /** Equivocation seen is kept, logged and told to the UI. */
  evidence: Pick<EvidenceLog, 'record'>;
  events: Pick<EventHub, 'emit'>;
  /** Each message as received, before the driver queues it: proposals measure this node's clock (decision #66). */
  clockOffset?: Pick<ClockWatch, 'heard'>;
  /** The disk watch: once the store takes writes again after the disk refused one, a halted driver restarts at once. */
  disk?: Pick<DiskWatch, 'onRecovered'>;
  /** Each message as received: its validator counts as reachable for a while, even relayed (issue 19). */
  connectivity?: Pick<Connectivity, 'heard'>;
  log: ConsensusLogger & { fatal(fields: object, message: string): void };
}

export function consensusService(init: ConsensusServiceInit) {
  return (components: ConsensusServiceComponents) => new ConsensusService(init, components);
}

export class ConsensusService {
  #driver: ConsensusDriver | undefined;
  #privValidator: PrivValidator | null = null;
  #stopping = false;
  #lastHaltAtMs = Number.NEGATIVE_INFINITY;
  #haltBackoffMs = HALT_RECOVERY_MIN_MS;
  #recoveryTimer: TimerId | undefined;
  #halts = 0;
  /** Signer switches run one at a time, outside the commit that asked for them. */
  #switchTail: Promise<void> = Promise.resolve();
  #unsubscribe: (() => void) | undefined;
  /** A voting key whose signing state would not open: not retried (nor the driver restarted) every block. */
  #unopenable: string | undefined;

  constructor(
    private readonly init: ConsensusServiceInit,
    private readonly components: ConsensusServiceComponents,
  ) {
    components.damage.onDamaged(() => {
      // Damage is not a halt to recover from: nothing more is signed, proposed or voted until the operator repairs it.
      this.#privValidator?.refuseSigning('the store is damaged');
      this.#clearRecovery();
      this.#driver
        ?.stop()
        .catch((error: unknown) => components.log.debug({ err: error }, 'consensus stop after damage failed'));
    });
    components.disk?.onRecovered(() => this.resumeNow());
    components.protocol.onStopped(() => {
      // Nothing is proposed or voted at a height this software cannot execute; the sentence is in status and the log.
      this.#clearRecovery();
      this.#driver
        ?.stop()
        .catch((error: unknown) => components.log.debug({ err: error }, 'consensus stop for the upgrade failed'));
    });
  }

  /** How often consensus halted and was restarted since start. */
  get halts(): number {
    return this.#halts;
  }

  status(): ConsensusStatus | undefined {
    return this.#driver?.status();
  }

  async start(): Promise<void> {
    const { signer } = this.init;
    // A restart with the same software stops at the same place (the protocol watch said why).
    if (this.components.protocol.stop) return;
    if (signer) {
      this.#privValidator = await this.#openSigner(await this.#keyFor(this.components.chain.head.height + 1), true);
      if (signer.keys().length > 1 || this.#privValidator === null)
        this.#unsubscribe = this.components.committer.onCommitted(() => this.#checkSigner());
    }
    this.#driver = this.#buildDriver();
    await this.#driver.start();
  }

  /**
   * The cause of a halt is gone (the disk takes writes again): a restart waiting out its backoff
   * runs now, and the next halt backs off from the minimum again.
   */
  resumeNow(): void {
    if (this.#recoveryTimer === undefined || this.#stopping) return;
    this.#clearRecovery();
    this.#lastHaltAtMs = Number.NEGATIVE_INFINITY;
    void this.#recover();
  }

  async stop(): Promise<void> {
    this.#stopping = true;
    this.#unsubscribe?.();
    this.#clearRecovery();
    await this.#switchTail;
    await this.#driver?.stop();
  }

  /** The node's key that votes at `height`, else the office's own; undefined for an observer. */
  async #keyFor(height: number): Promise<SigningKey | undefined> {
    const keys = this.init.signer?.keys() ?? [];
    if (keys.length < 2) return keys[0];
    const schedule = (await this.components.chain.getRecord(StateKey.validatorSchedule)) as ValidatorSchedule;
    const validators = validatorsAt(schedule, height);
    return keys.find((key) => validators.includes(key.publicKey)) ?? keys[0];
  }

  /**
   * The PrivValidator of `key`, adopting the sign state of the office's former key when it is
   * one. A key that does not vote next may fail to open (a retired key; an office reinstalled
   * after losing its key, whose rotation is not final yet): the node then follows without
   * signing. A voting key that cannot open stops the start, as before rotation existed.
   */
  async #openSigner(key: SigningKey | undefined, atStart: boolean): Promise<PrivValidator | null> {
    const { signer, chainId } = this.init;
    if (!signer || !key) return null;
    const { chain, log } = this.components;
    const record = (await chain.getRecord(StateKey.authority(key.publicKey))) as Authority | undefined;
    try {
      return await PrivValidator.open({
        secretKey: key.secretKey,
        chainId,
        store: new FilePrivValidatorStore(signer.dataDir),
        ...(record?.formerKeys ? { formerKeys: record.formerKeys } : {}),
      });
    } catch (error) {
      const schedule = (await chain.getRecord(StateKey.validatorSchedule)) as ValidatorSchedule;
      const votes = validatorsAt(schedule, chain.head.height + 1).includes(key.publicKey);
      if (votes && !(error instanceof RetiredKeyError)) {
        if (atStart) throw error;
        this.#unopenable = key.publicKey;
        log.error(
          { err: error, key: key.publicKey },
          'the validator cannot open its signing state; it follows until restarted',
        );
        return null;
      }
      log.warn({ err: error, key: key.publicKey }, 'this key does not sign here; the node follows the chain');
      return null;
    }
  }

  /** After a commit: when another of the node's keys votes at the next height, switch drivers to it. */
  #checkSigner(): void {
    const run = this.#switchTail.then(async () => {
      const { chain, damage, log } = this.components;
      if (this.#stopping || damage.view) return;
      const key = await this.#keyFor(chain.head.height + 1);
      if (!key || key.publicKey === this.#privValidator?.publicKey || key.publicKey === this.#unopenable) return;
      const schedule = (await chain.getRecord(StateKey.validatorSchedule)) as ValidatorSchedule;
      if (!validatorsAt(schedule, chain.head.height + 1).includes(key.publicKey)) return;
      // The driver of the old key is no validator of this height: stopping it loses no vote.
      await this.#driver?.stop();
      this.#privValidator = await this.#openSigner(key, false);
      if (this.#stopping) return;
      this.#driver = this.#buildDriver();
      await this.#driver.start();
      log.warn({ key: key.publicKey, height: chain.head.height + 1 }, 'the validator signs with its new key');
    });
    this.#switchTail = run.catch((error: unknown) => {
      this.components.log.error({ err: error }, 'switching the validator key failed');
      this.#onHalt(error instanceof Error ? error : new Error(String(error)));
    });
  }

  /** A driver runs once: the first at start, a fresh one after each halt (the PrivValidator keeps its lock). */
  #buildDriver(): ConsensusDriver {
    const { consensus } = this.init;
    const { clock, log, verify, network } = this.components;
    return consensusDriver({
      chainId: this.init.chainId,
      timeouts: {
        timeoutProposeMs: consensus.timeoutProposeMs,
        timeoutPrevoteMs: consensus.timeoutPrevoteMs,
        timeoutPrecommitMs: consensus.timeoutPrecommitMs,
        deltaMs: consensus.timeoutDeltaMs,
      },
      blockIntervalMinMs: consensus.blockIntervalMinMs,
      onHalt: (error) => this.#onHalt(error),
      onEvidence: (evidence) => this.#onEvidence(evidence),
    })({
      clock,
      transport: {
        broadcast: (message: ConsensusMessage) => {
          network
            .publish('consensus', encodeConsensusMessage(message))
            .catch((error: unknown) => log.debug({ err: error }, 'consensus publish failed'));
        },
        onMessage: (handler) =>
          network.subscribe('consensus', (message) => {
            const decoded = this.components.decode(message.bytes);
            this.components.clockOffset?.heard(decoded);
            this.components.connectivity?.heard(decoded);
            handler(decoded);
          }),
      },
      app: nodeConsensusApp({ blockTxsMax: consensus.blockTxsMax, heartbeatMs: consensus.heartbeatMs })({
        ...this.components,
        selfKey: this.#privValidator?.publicKey ?? this.components.selfKey,
        announce: (block, commit) =>
          void network.publish('block', encodeBlockAnnouncement({ block, commit })).catch(() => undefined),
      }),
      verify,
      privValidator: this.#privValidator,
      logger: log,
    });
  }

  /**
   * A halted driver processes nothing more; left alone, the node would answer "online" with a
   * frozen height (found by the soak). So: wait a moment, catch up from peers, start a fresh
   * driver. Repeated halts back off, up to HALT_RECOVERY_MAX_MS between attempts.
   */
  #onHalt(error: Error): void {
    const { damage, clock, log, chain } = this.components;
    this.#halts++;
    // Damage is not a halt to recover from (the damage watch stops consensus), nor an upgrade this software cannot run.
    if (damage.check(error) || damage.view || this.components.protocol.stop) return;
    log.fatal({ err: error, height: chain.head.height }, 'consensus halted; restarting it after a sync');
    if (this.#stopping) return;
    const sinceLastMs = clock.now() - this.#lastHaltAtMs;
    this.#lastHaltAtMs = clock.now();
    this.#haltBackoffMs =
      sinceLastMs > HALT_BACKOFF_RESET_MS
        ? HALT_RECOVERY_MIN_MS
        : Math.min(this.#haltBackoffMs * 2, HALT_RECOVERY_MAX_MS);
    this.#recoveryTimer = clock.setTimer(this.#haltBackoffMs, () => void this.#recover());
  }

  async #recover(): Promise<void> {
    this.#recoveryTimer = undefined;
    const { damage, log, chain, sync } = this.components;
    if (this.#stopping || damage.view || this.components.protocol.stop) return;
    try {
      await this.#driver?.stop();
      try {
        await sync.sync();
      } catch (error) {
        log.warn({ err: error }, 'sync before the consensus restart failed; starting anyway');
      }
      if (this.#stopping || damage.view) return;
      this.#driver = this.#buildDriver();
      await this.#driver.start();
      log.warn({ height: chain.head.height, halts: this.#halts }, 'consensus restarted after a halt');
    } catch (error) {
      log.error({ err: error }, 'consensus could not be restarted; trying again');
      this.#onHalt(error instanceof Error ? error : new Error(String(error)));
    }
  }

  #onEvidence(evidence: DuplicateVoteEvidence): void {
    const { log, events, clock } = this.components;
    const { validator, height } = evidence.voteA;
    log.warn({ validator, height }, 'equivocation detected');
    events.emit({ type: 'evidence', validator, height });
    this.components.evidence
      .record(evidence, clock.now())
      .catch((error: unknown) => log.error({ err: error }, 'evidence not saved'));
  }

  #clearRecovery(): void {
    if (this.#recoveryTimer !== undefined) this.components.clock.clearTimer(this.#recoveryTimer);
    this.#recoveryTimer = undefined;
  }
}
