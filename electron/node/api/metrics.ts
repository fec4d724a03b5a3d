// Prometheus metrics (DESIGN §7) on a registry of our own, never prom-client's global one,
// so several nodes in one process (tests, the simulator) do not mix their figures. Every
// value is read from the node when scraped; nothing is pushed from the hot paths.
import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';
import { TOPIC_KINDS, type NetworkMetrics } from '../network/interface.js';

export interface MetricsSource {
  height(): number;
  peers(): number;
  mempool(): { size: number; bytes: number };
  outboxPending(): number;
  consensusRound(): number;
  syncing(): boolean;
  /** Whether the head is the network's (network/sync/head-watch.ts). */
  headSync?(): { inSync: boolean; behind?: { blocks: number | null } };
  /** Whether the node found its store damaged (it then signs and admits nothing; docs/operations.md). */
  damaged?(): boolean;
  network(): NetworkMetrics;
  /** This node's clock against the network's (consensus/clock-watch.ts). */
  clockOffset?(): { offsetMs: number | null; samples: number };
  /** The disk under the data folder (store/disk-watch.ts). */
  disk?(): { state: string; freeBytes: number | null };
  /** Per validator of the next block: commits of the recent window that lack its signature. */
  missedVotes(): Promise<Array<{ key: string; name: string | null; missed: number }>>;
}

export interface NodeMetrics {
  registry: Registry;
  scrape(): Promise<{ contentType: string; text: string }>;
}

const GOSSIP_OUTCOMES = ['accepted', 'ignored', 'rejected'] as const;

export function nodeMetrics(source: MetricsSource, options: { processMetrics?: boolean } = {}): NodeMetrics {
  const registry = new Registry();
  const gauge = (name: string, help: string, read: () => number) =>
    new Gauge({
      name,
      help,
      registers: [registry],
      collect() {
        this.set(read());
      },
    });
  gauge('notary_chain_height', 'Height of the last committed block', () => source.height());
  gauge('notary_peers', 'Peers with an open connection', () => source.peers());
  gauge('notary_mempool_transactions', 'Transactions waiting in the mempool', () => source.mempool().size);
  gauge('notary_mempool_bytes', 'Encoded bytes of the transactions in the mempool', () => source.mempool().bytes);
  gauge('notary_outbox_pending', 'Outbox entries certified offline and not yet final or rejected', () =>
    source.outboxPending(),
  );
  gauge('notary_consensus_round', 'Consensus round at the current height (above 0: rounds failed)', () =>
    source.consensusRound(),
  );
  gauge('notary_syncing', '1 while block sync runs', () => (source.syncing() ? 1 : 0));
  gauge(
    'notary_in_sync',
    "1 while the node has evidence its head is the network's (its reads are current); 0 while syncing, behind, its store refuses writes or nothing confirmed its head lately",
    () => (source.headSync === undefined || source.headSync().inSync ? 1 : 0),
  );
  gauge(
    'notary_behind_blocks',
    'Blocks the network is known, by their signatures, to have committed above this node (0 when none are known)',
    () => source.headSync?.().behind?.blocks ?? 0,
  );
  gauge(
    'notary_store_damaged',
    '1 once the node found its store damaged: it signs, proposes and admits nothing until repaired',
    () => (source.damaged?.() ? 1 : 0),
  );
  gauge(
    'notary_disk_free_bytes',
    'Bytes still free on the disk holding the data folder (-1 when the file system would not say)',
    () => source.disk?.().freeBytes ?? -1,
  );
  gauge(
    'notary_disk_writable',
    '1 while the disk takes writes above the reserve; 0 while it is short, full, read-only or the store files are gone: the node then accepts no transactions',
    () => (source.disk === undefined || source.disk().state === 'ok' ? 1 : 0),
  );
  gauge(
    'notary_clock_offset_seconds',
    "This node's clock minus the network's, from the proposals it received (positive: ahead); 0 until measured",
    () => (source.clockOffset?.().offsetMs ?? 0) / 1000,
  );
  gauge(
    'notary_clock_samples',
    'Proposals the clock offset is estimated from',
    () => source.clockOffset?.().samples ?? 0,
  );
  new Gauge({
    name: 'notary_validator_missed_votes',
    help: "Commits of the last 100 blocks missing this validator's signature",
    labelNames: ['validator', 'name'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      for (const entry of await source.missedVotes())
        this.set({ validator: entry.key.slice(0, 16), name: entry.name ?? '' }, entry.missed);
    },
  });
  new Counter({
    name: 'notary_gossip_messages_total',
    help: 'Gossip messages by topic and validation outcome',
    labelNames: ['topic', 'outcome'] as const,
    registers: [registry],
    collect() {
      // The network keeps the running totals; mirror them (a counter has no set()).
      const counters = source.network();
      this.reset();
      for (const topic of TOPIC_KINDS)
        for (const outcome of GOSSIP_OUTCOMES) this.inc({ topic, outcome }, counters[topic][outcome]);
    },
  });
  new Counter({
    name: 'notary_gossip_link_repairs_total',
    help: 'Gossip links to connected peers made again after a stream died under a live connection',
    registers: [registry],
    collect() {
      this.reset();
      this.inc(source.network().links.repaired);
    },
  });
  if (options.processMetrics ?? true) collectDefaultMetrics({ register: registry });
  return { registry, scrape: async () => ({ contentType: registry.contentType, text: await registry.metrics() }) };
}
