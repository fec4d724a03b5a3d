// The chain's gossip topics on top of gossipsub with asynchronous validation: gossipsub holds
// each arriving message until we report Accept (deliver + forward), Ignore (drop) or Reject
// (drop + penalise the sender). Validation runs in a bounded queue per topic, off gossipsub's
// receive path, so a slow block check never stalls the stream it came on.
import type { GossipSub, GossipsubMessage } from '@chainsafe/libp2p-gossipsub';
import { TopicValidatorResult } from '@libp2p/interface';
import { GossipAction, NetworkError, NetworkErrorCode } from '../errors.js';
import {
  TOPIC_KINDS,
  type GossipHandler,
  type GossipValidator,
  type NetworkLogger,
  type PublishResult,
  type TopicCounters,
  type TopicKind,
} from '../interface.js';
import type { NetworkLimits } from '../options.js';
import { TOPIC_BYTES_MAX, topicName } from '../topics.js';
import { BoundedQueue } from './queue.js';
import { countReason, emptyCounters, recordVerdict } from './validation.js';

const RESULT: Record<GossipAction, TopicValidatorResult> = {
  accept: TopicValidatorResult.Accept,
  ignore: TopicValidatorResult.Ignore,
  reject: TopicValidatorResult.Reject,
};

export interface GossipTopicsInit {
  chainId: string;
  validators: Record<TopicKind, GossipValidator>;
  limits: Pick<NetworkLimits, 'validationQueueLength' | 'validationConcurrency'>;
  log: NetworkLogger;
}

export class GossipTopics {
  readonly #kindOf = new Map<string, TopicKind>();
  readonly #handlers = new Map<TopicKind, Set<GossipHandler>>();
  readonly #queues = new Map<TopicKind, BoundedQueue>();
  readonly #counters = new Map<TopicKind, TopicCounters>();
  #pubsub: GossipSub | undefined;

  constructor(private readonly init: GossipTopicsInit) {
    for (const kind of TOPIC_KINDS) {
      this.#kindOf.set(topicName(init.chainId, kind), kind);
      this.#handlers.set(kind, new Set());
      this.#counters.set(kind, emptyCounters());
    }
  }

  topic(kind: TopicKind): string {
    return topicName(this.init.chainId, kind);
  }

  start(pubsub: GossipSub): void {
    this.#pubsub = pubsub;
    for (const kind of TOPIC_KINDS) {
      this.#queues.set(
        kind,
        new BoundedQueue(this.init.limits.validationQueueLength[kind], this.init.limits.validationConcurrency[kind]),
      );
      if (this.#handlers.get(kind)!.size > 0) pubsub.subscribe(this.topic(kind));
    }
    pubsub.addEventListener('gossipsub:message', this.#onMessage);
  }

  /** Replaces topics' validators; only before start, so that no message meets the ones replaced. */
  setValidators(validators: Partial<Record<TopicKind, GossipValidator>>): void {
    if (this.#pubsub) throw new Error('gossip validators are set before the network starts');
    Object.assign(this.init.validators, validators);
  }

  stop(): void {
    this.#pubsub?.removeEventListener('gossipsub:message', this.#onMessage);
    for (const queue of this.#queues.values()) queue.close();
    this.#queues.clear();
    this.#pubsub = undefined;
  }

  /** We join a topic's mesh while it has at least one handler. */
  subscribe(kind: TopicKind, handler: GossipHandler): () => void {
    const handlers = this.#handlers.get(kind)!;
    if (handlers.size === 0) this.#pubsub?.subscribe(this.topic(kind));
    handlers.add(handler);
    return () => {
      if (!handlers.delete(handler)) return;
      if (handlers.size === 0) this.#pubsub?.unsubscribe(this.topic(kind));
    };
  }

  async publish(kind: TopicKind, bytes: Uint8Array): Promise<PublishResult> {
    if (!this.#pubsub) throw new NetworkError(NetworkErrorCode.notStarted, 'the network is not started');
    if (bytes.length > TOPIC_BYTES_MAX[kind]) {
      throw new NetworkError(
        NetworkErrorCode.messageTooLarge,
        `${bytes.length} bytes is over the ${kind} topic limit of ${TOPIC_BYTES_MAX[kind]}`,
      );
    }
    try {
      const { recipients } = await this.#pubsub.publish(this.topic(kind), bytes);
      this.#counters.get(kind)!.published++;
      return { recipients: recipients.length, outcome: 'sent' };
    } catch (error) {
      const message = (error as Error).message;
      if (message === 'PublishError.NoPeersSubscribedToTopic') return { recipients: 0, outcome: 'no-peers' };
      if (message === 'PublishError.Duplicate') return { recipients: 0, outcome: 'duplicate' };
      throw error;
    }
  }

  counters(): Record<TopicKind, TopicCounters> {
    const copy = (kind: TopicKind) => {
      const counters = this.#counters.get(kind)!;
      return { ...counters, reasons: { ...counters.reasons } };
    };
    return { tx: copy('tx'), txs: copy('txs'), consensus: copy('consensus'), block: copy('block') };
  }

  readonly #onMessage = (event: CustomEvent<GossipsubMessage>): void => {
    const { msg, msgId, propagationSource } = event.detail;
    const fromPeerId = propagationSource.toString();
    const kind = this.#kindOf.get(msg.topic);
    // gossipsub holds every message until it hears from us, even one we have no use for.
    if (!kind) return this.#report(msgId, fromPeerId, GossipAction.ignore);
    const counters = this.#counters.get(kind)!;
    // REJECT before decoding anything: over the topic's byte limit.
    if (msg.data.length > TOPIC_BYTES_MAX[kind]) {
      const error = new NetworkError(
        NetworkErrorCode.messageTooLarge,
        `${msg.data.length} bytes on the ${kind} topic; the limit is ${TOPIC_BYTES_MAX[kind]}`,
      );
      return this.#report(
        msgId,
        fromPeerId,
        recordVerdict(counters, this.init.log, { kind, fromPeerId, bytes: msg.data.length }, error).action,
      );
    }
    const authorPeerId = msg.type === 'signed' ? msg.from.toString() : fromPeerId;
    const queued = this.#queues
      .get(kind)
      ?.offer(() => this.#validate(kind, msgId, { kind, bytes: msg.data, fromPeerId, authorPeerId }));
    if (!queued) {
      // IGNORE: our queue is full (or we are stopping); the sender did nothing wrong.
      counters.ignored++;
      counters.dropped++;
      countReason(counters, 'QUEUE_FULL');
      this.#report(msgId, fromPeerId, GossipAction.ignore);
    }
  };

  async #validate(kind: TopicKind, msgId: string, message: Parameters<GossipHandler>[0]): Promise<void> {
    let error: unknown;
    try {
      await this.init.validators[kind](message.bytes, message.fromPeerId);
    } catch (thrown) {
      error = thrown ?? new Error('the validator threw a nullish value');
    }
    const counters = this.#counters.get(kind)!;
    const { action } = recordVerdict(
      counters,
      this.init.log,
      { kind, fromPeerId: message.fromPeerId, bytes: message.bytes.length },
      error,
    );
    this.#report(msgId, message.fromPeerId, action);
    if (action !== GossipAction.accept) return;
    // Handlers run inside the queue slot: a slow consumer slows intake (and, past the queue
    // length, drops with Ignore) instead of piling up unbounded work.
    for (const handler of [...this.#handlers.get(kind)!]) {
      try {
        await handler(message);
      } catch (handlerError) {
        counters.handlerErrors++;
        this.init.log.error(
          { topic: kind, peer: message.fromPeerId, error: String(handlerError) },
          'gossip handler failed',
        );
      }
    }
  }

  #report(msgId: string, fromPeerId: string, action: GossipAction): void {
    this.#pubsub?.reportMessageValidationResult(msgId, fromPeerId, RESULT[action]);
  }
}
