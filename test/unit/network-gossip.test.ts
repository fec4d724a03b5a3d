// GossipTopics against a stand-in gossipsub: what it reports for each message, what reaches
// the handlers, and what is counted, without sockets.
import type { GossipSub } from '@chainsafe/libp2p-gossipsub';
import { describe, expect, it } from 'vitest';
import { LedgerError, RejectCode } from '../../shared/ledger/index.js';
import {
  GossipValidationError,
  NETWORK_DEFAULTS,
  TOPIC_BYTES_MAX,
  topicName,
  type GossipMessage,
} from '../../electron/node/network/index.js';
import { GossipTopics } from '../../electron/node/network/gossip/gossip-topics.js';
import { silentLogger } from '../../electron/node/network/options.js';

const CHAIN_ID = 'by-registry-test';

class FakePubsub extends EventTarget {
  readonly reports: Array<[string, string, string]> = [];
  readonly subscribed = new Set<string>();
  subscribe(topic: string) {
    this.subscribed.add(topic);
  }
  unsubscribe(topic: string) {
    this.subscribed.delete(topic);
  }
  reportMessageValidationResult(msgId: string, from: string, result: string) {
    this.reports.push([msgId, from, result]);
  }
  deliver(msgId: string, topic: string, data: Uint8Array, from = 'peer-b') {
    const peer = { toString: () => from };
    const msg = {
      type: 'signed',
      from: { toString: () => 'author-a' },
      topic,
      data,
      sequenceNumber: 1n,
      signature: new Uint8Array(),
      key: {},
    };
    this.dispatchEvent(new CustomEvent('gossipsub:message', { detail: { msgId, propagationSource: peer, msg } }));
  }
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 10));

function setup(validate: (bytes: Uint8Array) => void | Promise<void>, queue = { length: 8, concurrency: 1 }) {
  const pubsub = new FakePubsub();
  const calls: Uint8Array[] = [];
  const validator = async (bytes: Uint8Array) => {
    calls.push(bytes);
    await validate(bytes);
  };
  const topics = new GossipTopics({
    chainId: CHAIN_ID,
    validators: { tx: validator, txs: validator, consensus: validator, block: validator },
    limits: {
      validationQueueLength: { ...NETWORK_DEFAULTS.validationQueueLength, tx: queue.length },
      validationConcurrency: { ...NETWORK_DEFAULTS.validationConcurrency, tx: queue.concurrency },
    },
    log: silentLogger,
  });
  const received: GossipMessage[] = [];
  topics.subscribe('tx', (message) => void received.push(message));
  topics.start(pubsub as unknown as GossipSub);
  return { pubsub, topics, calls, received, tx: topicName(CHAIN_ID, 'tx') };
}

describe('GossipTopics', () => {
  it('joins a topic with its first handler and leaves it with its last', () => {
    const { pubsub, topics, tx } = setup(() => undefined);
    expect([...pubsub.subscribed]).toEqual([tx]);
    const off = topics.subscribe('block', () => undefined);
    expect(pubsub.subscribed.has(topicName(CHAIN_ID, 'block'))).toBe(true);
    off();
    expect(pubsub.subscribed.has(topicName(CHAIN_ID, 'block'))).toBe(false);
  });

  it('reports accept and hands the message on, with its sender and author', async () => {
    const { pubsub, received, topics, tx } = setup(() => undefined);
    pubsub.deliver('m1', tx, new Uint8Array([1]));
    await settle();
    expect(pubsub.reports).toEqual([['m1', 'peer-b', 'accept']]);
    expect(received).toEqual([
      { kind: 'tx', bytes: new Uint8Array([1]), fromPeerId: 'peer-b', authorPeerId: 'author-a' },
    ]);
    expect(topics.counters().tx).toMatchObject({ accepted: 1 });
  });

  it('rejects a message over the topic limit without running the validator [REQ-NET.3]', async () => {
    const { pubsub, calls, received, topics, tx } = setup(() => undefined);
    pubsub.deliver('big', tx, new Uint8Array(TOPIC_BYTES_MAX.tx + 1));
    await settle();
    expect(pubsub.reports).toEqual([['big', 'peer-b', 'reject']]);
    expect(calls).toHaveLength(0);
    expect(received).toHaveLength(0);
    expect(topics.counters().tx).toMatchObject({ rejected: 1, reasons: { MESSAGE_TOO_LARGE: 1 } });
  });

  it('maps validator errors to reject and ignore, and delivers neither [REQ-NET.3]', async () => {
    const { pubsub, received, topics, tx } = setup((bytes) => {
      if (bytes[0] === 1) throw new LedgerError(RejectCode.badSignature, 'forged');
      if (bytes[0] === 2) throw new GossipValidationError('ignore', 'ALREADY_KNOWN', 'seen it');
    });
    pubsub.deliver('bad', tx, new Uint8Array([1]));
    pubsub.deliver('old', tx, new Uint8Array([2]));
    await settle();
    expect(pubsub.reports).toEqual([
      ['bad', 'peer-b', 'reject'],
      ['old', 'peer-b', 'ignore'],
    ]);
    expect(received).toHaveLength(0);
    expect(topics.counters().tx).toMatchObject({
      rejected: 1,
      ignored: 1,
      reasons: { BAD_SIGNATURE: 1, ALREADY_KNOWN: 1 },
    });
  });

  it('ignores (drops) what arrives at a full validation queue [REQ-NET.3]', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const { pubsub, topics, tx } = setup(() => gate, { length: 1, concurrency: 1 });
    pubsub.deliver('m1', tx, new Uint8Array([1])); // running
    pubsub.deliver('m2', tx, new Uint8Array([2])); // waiting
    pubsub.deliver('m3', tx, new Uint8Array([3])); // dropped
    expect(pubsub.reports).toEqual([['m3', 'peer-b', 'ignore']]);
    release();
    await settle();
    expect(pubsub.reports.map(([id, , result]) => `${id}:${result}`)).toEqual(['m3:ignore', 'm1:accept', 'm2:accept']);
    expect(topics.counters().tx).toMatchObject({ accepted: 2, ignored: 1, dropped: 1, reasons: { QUEUE_FULL: 1 } });
  });

  it('counts a failing handler without changing the verdict', async () => {
    const { pubsub, topics, tx } = setup(() => undefined);
    topics.subscribe('tx', () => {
      throw new Error('consumer bug');
    });
    pubsub.deliver('m1', tx, new Uint8Array([1]));
    await settle();
    expect(pubsub.reports).toEqual([['m1', 'peer-b', 'accept']]);
    expect(topics.counters().tx).toMatchObject({ accepted: 1, handlerErrors: 1 });
  });

  it('refuses to publish over the topic limit [REQ-NET.3]', async () => {
    const { topics } = setup(() => undefined);
    await expect(topics.publish('tx', new Uint8Array(TOPIC_BYTES_MAX.tx + 1))).rejects.toMatchObject({
      code: 'MESSAGE_TOO_LARGE',
    });
  });
});
