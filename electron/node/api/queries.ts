// Read-only registry queries behind the API: receipts, properties with certificates, object
// history, search and the validator set. Each answers from committed state only.
import {
  FOLLOWERS_MAX,
  HISTORY_ROWS_MAX,
  SEARCH_RESULTS_MAX,
  SIGNING_WINDOW_BLOCKS,
  type PeerView,
  type PropertyHistory,
  type HeadSync,
  type PropertyView,
  type ReceiptView,
  type SearchResult,
  type ValidatorsView,
} from '../../../shared/api/index.js';
import {
  schema,
  StateKey,
  validatorsAt,
  type Authority,
  type AuthorityIndexEntry,
  type Block,
  type PropertyObject,
  type ValidatorSchedule,
} from '../../../shared/ledger/index.js';
import type { Chain } from '../chain/chain.js';
import { protocolsOfAgent } from '../network/agent.js';
import type { PeerInfo } from '../network/interface.js';

export interface QuerySource {
  chain: Chain;
  peers(): PeerInfo[];
  /** This node's validator key, if it has one. */
  selfKey(): string | undefined;
  /** A connected peer's head height (its sync status). */
  peerHeight(peerId: string): Promise<number>;
  /** The protocol versions this node's software runs. */
  protocols(): readonly number[];
  /** Whether this node's head is the network's, asked of its peers now (head-watch.ts readSync). */
  headSync(): Promise<HeadSync>;
}

export function registryQueries(source: QuerySource) {
  const { chain } = source;
  const object = async (id: string) => (await chain.getRecord(StateKey.object(id))) as PropertyObject | undefined;

  /** The authorities outside the set that may take part (active or suspended), by role then name. */
  async function followersOf(
    voting: ReadonlySet<string>,
    software: (key: string, peerId: string | null) => { protocols: number[] | null; runsUpgrade: boolean | null },
  ): Promise<Pick<ValidatorsView, 'followers' | 'followersTruncated'>> {
    const index = ((await chain.getRecord(StateKey.authorityIndex)) as AuthorityIndexEntry[] | undefined) ?? [];
    const keys = index
      .filter((entry) => !voting.has(entry.key) && (entry.status === 'active' || entry.status === 'suspended'))
      .map((entry) => entry.key);
    const shown = keys.slice(0, FOLLOWERS_MAX);
    const records = await chain.getMany(shown.map((key) => StateKey.authority(key)));
    const peers = new Set(source.peers().map((peer) => peer.peerId));
    const self = source.selfKey();
    const roleOrder = { registrar: 0, notary: 1, observer: 2 } as const;
    const followers = shown.map((key) => {
      const authority = records.get(StateKey.authority(key)) as Authority | undefined;
      if (!authority) throw new Error(`the authority index names ${key}, which has no record`);
      const peerId = authority.peerId ?? null;
      return {
        key,
        name: authority.name,
        role: authority.role,
        status: authority.status,
        peerId,
        connected: key === self || (peerId !== null && peers.has(peerId)),
        self: key === self,
        designated: authority.validator ?? null,
        ...software(key, peerId),
      };
    });
    followers.sort(
      (a, b) => roleOrder[a.role] - roleOrder[b.role] || a.name.localeCompare(b.name) || a.key.localeCompare(b.key),
    );
    return { followers, followersTruncated: keys.length > FOLLOWERS_MAX };
  }

  return {
    receipt: (hash: string): Promise<ReceiptView | undefined> => chain.receipt(hash),

    async property(id: string): Promise<PropertyView | undefined> {
      // Whether the head is the network's, asked once the read has started: the record read after
      // the peers answered is as of that head or later.
      const sync = await source.headSync();
      // The certificate carries the record as of the head, so both come from one read.
      const certificate = await chain.certificate(id);
      return certificate && { property: certificate.object, certificate, ...sync };
    },

    async propertyHistory(id: string): Promise<PropertyHistory | undefined> {
      if (!(await object(id))) return undefined;
      const rows = await chain.store.getObjectHistory(id, { limit: HISTORY_ROWS_MAX + 1 });
      const blocks = new Map<number, Block | undefined>();
      const entries = [];
      for (const row of rows.slice(0, HISTORY_ROWS_MAX)) {
        if (!blocks.has(row.height)) blocks.set(row.height, await chain.getBlock(row.height));
        const tx = blocks.get(row.height)?.txs[row.index];
        if (!tx) throw new Error(`history of ${id} points at a missing transaction at ${row.height}/${row.index}`);
        entries.push({ ...row, type: tx.type });
      }
      return { objectId: id, entries, truncated: rows.length > HISTORY_ROWS_MAX };
    },

    async search(query: string): Promise<SearchResult> {
      const summary = (record: PropertyObject) => ({ id: record.id, kind: record.kind, address: record.address });
      if (schema.objectId.safeParse(query).success) {
        const record = await object(query);
        if (record) return { query, match: 'object', results: [summary(record)], truncated: false };
      }
      if (schema.publicKey.safeParse(query).success) {
        // an office's key finds what it holds under its former keys too (decision #51)
        const office = (await chain.getRecord(StateKey.authority(query))) as Authority | undefined;
        const found = new Set<string>();
        for (const key of [query, ...(office?.formerKeys ?? [])]) {
          if (found.size > SEARCH_RESULTS_MAX) break;
          const limit = SEARCH_RESULTS_MAX + 1 - found.size;
          for (const id of await chain.store.getPartyObjects(key, { limit })) found.add(id);
        }
        const ids = [...found];
        const records = await chain.getMany(ids.slice(0, SEARCH_RESULTS_MAX).map((id) => StateKey.object(id)));
        const results = [...records.values()].map((record) => summary(record as PropertyObject));
        if (results.length > 0) return { query, match: 'owner', results, truncated: ids.length > SEARCH_RESULTS_MAX };
      }
      return { query, match: 'none', results: [], truncated: false };
    },

    async peers(): Promise<PeerView[]> {
      const peers = source.peers();
      // each peer's head, asked now with a short deadline: a slow peer shows no height, not a slow screen
      const heights = await Promise.allSettled(peers.map((peer) => source.peerHeight(peer.peerId)));
      return peers.map((peer, i) => {
        const settled = heights[i]!;
        return {
          ...peer,
          addresses: [...peer.addresses],
          height: settled.status === 'fulfilled' ? settled.value : null,
          protocols: protocolsOfAgent(peer.agentVersion),
        };
      });
    },

    async validators(): Promise<ValidatorsView> {
      const height = chain.head.height + 1;
      const schedule = (await chain.getRecord(StateKey.validatorSchedule)) as ValidatorSchedule;
      const keys = validatorsAt(schedule, height);
      // signing record over the recent window: who signed each commit, among who was due to
      const lastSigned = new Map<string, number>();
      const missed = new Map<string, number>();
      const from = Math.max(1, chain.head.height - SIGNING_WINDOW_BLOCKS + 1);
      for (let h = from; h <= chain.head.height; h++) {
        const commit = await chain.getCommit(h);
        if (!commit) continue;
        const signers = new Set(commit.signatures.map((entry) => entry.validator));
        // the schedule keeps the set in force and later ones: heights before it are not counted
        if (!schedule.some((entry) => entry.fromHeight <= h)) continue;
        for (const key of validatorsAt(schedule, h)) {
          if (signers.has(key)) lastSigned.set(key, h);
          else missed.set(key, (missed.get(key) ?? 0) + 1);
        }
      }
      const authorities = await chain.getMany(keys.map((key) => StateKey.authority(key)));
      const peers = new Map(source.peers().map((peer) => [peer.peerId, peer]));
      const self = source.selfKey();
      const { upgrade } = chain.governance();
      // What each validator's software runs: this node's own, a connected peer's as it advertises.
      const protocolsOf = (key: string, peerId: string | null): number[] | null => {
        if (key === self) return [...source.protocols()];
        const peer = peerId === null ? undefined : peers.get(peerId);
        return peer ? protocolsOfAgent(peer.agentVersion) : null;
      };
      const followers = await followersOf(new Set(keys), (key, peerId) => {
        const protocols = protocolsOf(key, peerId);
        return { protocols, runsUpgrade: upgrade && protocols ? protocols.includes(upgrade.version) : null };
      });
      return {
        height,
        window: chain.head.height - from + 1,
        ...followers,
        validators: keys.map((key) => {
          const authority = authorities.get(StateKey.authority(key)) as Authority | undefined;
          const peerId = authority?.peerId ?? null;
          const protocols = protocolsOf(key, peerId);
          return {
            key,
            name: authority?.name ?? null,
            role: authority?.role ?? null,
            status: authority?.status ?? null,
            peerId,
            connected: key === self || (peerId !== null && peers.has(peerId)),
            self: key === self,
            version: authority?.version ?? null,
            ...(authority?.formerKeys ? { formerKeys: authority.formerKeys } : {}),
            lastSignedHeight: lastSigned.get(key) ?? null,
            missedVotes: missed.get(key) ?? 0,
            designated: authority?.validator ?? null,
            protocols,
            runsUpgrade: upgrade && protocols ? protocols.includes(upgrade.version) : null,
          };
        }),
      };
    },
  };
}
