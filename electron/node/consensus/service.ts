// Consensus as a part of the node: the driver on the node's app, the consensus topic and the
// PrivValidator, restarted after a halt, stopped for good when the store is damaged.
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
import { nodeConsensusApp, type NodeConsensusAppComponents } from './app.js';
import { consensusDriver, type ConsensusDriver, type ConsensusStatus } from './driver.js';
import type { Verifier } from '../../../shared/crypto/index.js';
import type { ConsensusLogger, TimerId } from './interfaces.js';
import { FilePrivValidatorStore } from './priv-validator-file-store.js';
import { PrivValidator } from './priv-validator.js';

/** First and longest wait before a halted consensus driver is replaced. */
export const HALT_RECOVERY_MIN_MS = 1_000;
export const HALT_RECOVERY_MAX_MS = 30_000;
/** A halt this long after the previous one starts the backoff again from its minimum. */
const HALT_BACKOFF_RESET_MS = 60_000;

export interface ConsensusServiceInit {
  chainId: string;
  consensus: NodeConfig['consensus'];
  /** The validator's key and the folder of its sign state; null: an observer, which follows but never signs. */
  signer: { secretKey: string; dataDir: string } | null;
}

export interface ConsensusServiceComponents extends Omit<NodeConsensusAppComponents, 'damage' | 'announce'> {
  damage: Pick<DamageWatch, 'view' | 'sentence' | 'check' | 'onDamaged'>;
  /** Stops consensus before a height whose protocol this software does not run. */
  protocol: Pick<ProtocolWatch, 'stop' | 'onStopped'>;
  verify: Verifier;
  /** The consensus topic, and the block topic for announcing what this node proposed and committed. */
  network: Pick<NotaryNetwork, 'publish' | 'subscribe'>;
  /** The message the gossip validator decoded from these bytes (ChainValidators.consensusDecoded). */
  decode(bytes: Uint8Array): ConsensusMessage;
  /** Equivocation seen is kept, logged and told to the UI. */
  evidence: Pick<EvidenceLog, 'record'>;
  events: Pick<EventHub, 'emit'>;
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
    const { signer, chainId } = this.init;
    // A restart with the same software stops at the same place (the protocol watch said why).
    if (this.components.protocol.stop) return;
    if (signer)
      this.#privValidator = await PrivValidator.open({
        secretKey: signer.secretKey,
        chainId,
        store: new FilePrivValidatorStore(signer.dataDir),
      });
    this.#driver = this.#buildDriver();
    await this.#driver.start();
  }

  async stop(): Promise<void> {
    this.#stopping = true;
    this.#clearRecovery();
    await this.#driver?.stop();
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
          network.subscribe('consensus', (message) => handler(this.components.decode(message.bytes))),
      },
      app: nodeConsensusApp({ blockTxsMax: consensus.blockTxsMax, heartbeatMs: consensus.heartbeatMs })({
        ...this.components,
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
