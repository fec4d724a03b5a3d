// Topic names, byte limits and gossipsub peer-score parameters, one place per chain.
import type { PeerScoreParams, PeerScoreThresholds, TopicScoreParams } from '@chainsafe/libp2p-gossipsub/score';
import { CONSENSUS_MESSAGE_BYTES_MAX } from '../../../shared/chain/messages.js';
import { schema } from '../../../shared/ledger/index.js';
import type { TopicKind } from './interface.js';
import { TX_BATCH_BYTES_MAX } from './gossip/tx-batch.js';

/** Largest message accepted per topic, checked before any decoding. */
export const TOPIC_BYTES_MAX: Record<TopicKind, number> = {
  tx: schema.LIMITS.txBytesMax,
  txs: TX_BATCH_BYTES_MAX,
  consensus: CONSENSUS_MESSAGE_BYTES_MAX,
  block: 12 * 1024 * 1024,
};

/** Largest gossipsub RPC frame read from a stream: the largest message plus control headroom. */
export const GOSSIP_RPC_BYTES_MAX = 16 * 1024 * 1024;

export function topicName(chainId: string, kind: TopicKind): string {
  return `/notary/${chainId}/${kind}/1`;
}

export function syncProtocol(chainId: string): string {
  return `/notary/${chainId}/sync/1.0.0`;
}

/** Per-second decay that halves a counter in `halfLifeSeconds` (gossipsub decays once per decayInterval = 1 s). */
function decayFor(halfLifeSeconds: number): number {
  return Math.pow(0.5, 1 / halfLifeSeconds);
}

/**
 * Score parameters of one topic. A permissioned registry has little, bursty traffic, so
 * mesh-delivery-rate penalties (P3, P3b) are off: a quiet hour must not look like a faulty
 * peer. What counts is P4, invalid messages: only state-independent faults are rejected
 * (gossip/validation.ts), so an honest peer never earns one, and one costs more than a
 * peer's positive score can offset; it halves every 10 minutes.
 */
function topicParams(topicWeight: number): TopicScoreParams {
  return {
    topicWeight,
    // P1: a little credit for staying in the mesh, capped at an hour.
    timeInMeshWeight: 0.01,
    timeInMeshQuantum: 1_000,
    timeInMeshCap: 3_600,
    // P2: credit for delivering messages first.
    firstMessageDeliveriesWeight: 1,
    firstMessageDeliveriesDecay: decayFor(600),
    firstMessageDeliveriesCap: 10,
    // P3, P3b: off (see above).
    meshMessageDeliveriesWeight: 0,
    meshMessageDeliveriesDecay: decayFor(60),
    meshMessageDeliveriesCap: 1,
    meshMessageDeliveriesThreshold: 1,
    meshMessageDeliveriesWindow: 10,
    meshMessageDeliveriesActivation: 60_000,
    meshFailurePenaltyWeight: 0,
    meshFailurePenaltyDecay: decayFor(60),
    // P4: invalid messages; the penalty grows with the square of their count.
    invalidMessageDeliveriesWeight: -40,
    invalidMessageDeliveriesDecay: decayFor(600),
  };
}

/** Consensus and blocks matter more than single transactions. */
const TOPIC_WEIGHTS: Record<TopicKind, number> = { tx: 0.5, txs: 0.5, consensus: 1, block: 1 };

export function peerScoreParams(chainId: string): Partial<PeerScoreParams> {
  const topics: Record<string, TopicScoreParams> = {};
  for (const kind of Object.keys(TOPIC_WEIGHTS) as TopicKind[])
    topics[topicName(chainId, kind)] = topicParams(TOPIC_WEIGHTS[kind]);
  return {
    topics,
    topicScoreCap: 20,
    // P6 off: offices behind one NAT (and every test node on 127.0.0.1) share an address, and the
    // allowlist already bounds how many identities there are.
    IPColocationFactorWeight: 0,
    IPColocationFactorThreshold: 10,
    decayInterval: 1_000,
    decayToZero: 0.01,
    retainScore: 3_600_000,
  };
}

/** gossipsub's defaults, stated so that tests and operators can reason about them. */
export const PEER_SCORE_THRESHOLDS: PeerScoreThresholds = {
  gossipThreshold: -10,
  publishThreshold: -50,
  graylistThreshold: -80,
  acceptPXThreshold: 10,
  opportunisticGraftThreshold: 20,
};
