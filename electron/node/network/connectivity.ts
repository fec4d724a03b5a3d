// Whom this office talks to and whether that is enough: the admitted peers (every authority's
// peer id plus the config allowlist), the bootstrap peers dialled again when lost, the
// operator's offline switch, and reachability (more than 2/3 of the next validators, each
// connected directly or heard from lately through a peer that relays its consensus messages).
import {
  StateKey,
  validatorsAt,
  type Authority,
  type AuthorityIndexEntry,
  type ValidatorSchedule,
} from '../../../shared/ledger/index.js';
import type { ConsensusMessage } from '../../../shared/chain/index.js';
import type { Chain } from '../chain/chain.js';
import type { Committer } from '../chain/committer.js';
import type { NodeConfig } from '../config.js';
import { every, type Clock } from '../lifecycle/clock.js';
import { Listeners, type Listener } from '../lifecycle/listeners.js';
import type { NetworkLogger } from './interface.js';
import type { NotaryNetwork } from './network.js';

/** How often lost connections to known peers are dialled again (a cable plugged back in, a restarted office). */
export const REDIAL_INTERVAL_MS = 3_000;
/**
 * A validator whose signed consensus message reached this node this recently counts as reachable
 * without a direct connection: a peer relays between us (a bridge across a partial partition;
 * issue 19). Short, so an isolated node still goes offline as soon as its own links are gone.
 */
export const HEARD_WINDOW_MS = 15_000;
/** Validator keys remembered as heard at most (more than any validator set). */
const HEARD_KEYS_MAX = 1_024;

export interface Reachability {
  validators: number;
  reachable: number;
  online: boolean;
}

export interface ConnectivityComponents {
  chain: Pick<Chain, 'head' | 'getRecord' | 'getMany'>;
  network: Pick<NotaryNetwork, 'peerId' | 'peers' | 'setAllowedPeers' | 'dial' | 'libp2p'>;
  committer: Pick<Committer, 'onCommitted'>;
  /** The bootstrap list may change while running (setBootstrap): read at each use. */
  config: Pick<NodeConfig, 'bootstrap' | 'allowlist'>;
  /** This node's validator key, if it has one. */
  selfKey: string | undefined;
  clock: Clock;
  log: NetworkLogger;
}

export function connectivity() {
  return (components: ConnectivityComponents) => new Connectivity(components);
}

export class Connectivity {
  #offline = false;
  #validatorPeersCache: { height: number; peers: Promise<{ key: string; peerId: string | undefined }[]> } | undefined;
  #stopRedial: (() => void) | undefined;
  readonly #backOnline = new Listeners<void>();
  readonly #peerConnected = new Listeners<void>();
  /** When each validator's last consensus message reached this node, by key. */
  readonly #heard = new Map<string, number>();

  constructor(private readonly components: ConnectivityComponents) {
    // A committed authority change may admit or drop peers.
    components.committer.onCommitted(async ({ block }) => {
      if (block.txs.some((tx) => tx.type.startsWith('authority.'))) await this.refreshAllowedPeers();
    });
  }

  get offline(): boolean {
    return this.#offline;
  }

  /** The operator put the office back on the network. */
  onBackOnline(listener: Listener<void>): () => void {
    return this.#backOnline.add(listener);
  }

  /** A peer connected: it may have missed what was sent before. */
  onPeerConnected(listener: Listener<void>): () => void {
    return this.#peerConnected.add(listener);
  }

  async start(): Promise<void> {
    const { network, log, clock } = this.components;
    await this.refreshAllowedPeers();
    network.libp2p.addEventListener('peer:disconnect', (event) =>
      log.info({ peer: event.detail.toString() }, 'peer disconnected'),
    );
    network.libp2p.addEventListener('peer:connect', (event) => {
      log.info({ peer: event.detail.toString() }, 'peer connected');
      this.#peerConnected.emit(undefined, (error) => log.warn({ err: error }, 'after a peer connected'));
    });
    this.#stopRedial = every(clock, REDIAL_INTERVAL_MS, () => this.redial());
  }

  stop(): void {
    this.#stopRedial?.();
  }

  /** A consensus message whose signature verified reached this node (directly or relayed). */
  heard(message: ConsensusMessage): void {
    const key = 'validator' in message ? message.validator : message.proposer;
    this.#heard.delete(key);
    if (this.#heard.size >= HEARD_KEYS_MAX) this.#heard.delete(this.#heard.keys().next().value!);
    this.#heard.set(key, this.components.clock.now());
  }

  /**
   * Whether this node reaches more than 2/3 of the validators (itself included): connected to
   * directly, or heard from within HEARD_WINDOW_MS through a relaying peer (off the network by
   * the operator's switch, nothing is heard).
   */
  async reachability(): Promise<Reachability> {
    const validators = await this.#validatorPeers();
    const connected = new Set(this.components.network.peers().map((peer) => peer.peerId));
    const since = this.components.clock.now() - HEARD_WINDOW_MS;
    let reachable = 0;
    for (const { key, peerId } of validators) {
      // itself by key, or by its node's peer id (its key may have rotated since start)
      const self = key === this.components.selfKey || peerId === this.components.network.peerId;
      const heard = (this.#heard.get(key) ?? Number.NEGATIVE_INFINITY) >= since;
      if (self || (peerId !== undefined && connected.has(peerId)) || heard) reachable++;
    }
    const online = !this.#offline && reachable * 3 > validators.length * 2;
    return { validators: validators.length, reachable, online };
  }

  /** The operator's switch: off the network as a cut cable would be, or back on. */
  async setOffline(offline: boolean): Promise<void> {
    const { network, config, log } = this.components;
    this.#offline = offline;
    // what was heard before the switch was thrown says nothing about the way back
    if (offline) this.#heard.clear();
    await this.refreshAllowedPeers();
    if (!offline) {
      this.#backOnline.emit(undefined, (error) => log.warn({ err: error }, 'after coming back online'));
      for (const address of config.bootstrap) network.dial(address).catch(() => undefined);
    }
    log.warn({ offline }, offline ? 'taken off the network by the operator' : 'back on the network');
  }

  /** Admitted peers: every active or suspended authority's peer id (a revoked or rotated key's record is no longer the office's), plus the config allowlist; none when offline. */
  async refreshAllowedPeers(): Promise<void> {
    const { chain, network, config } = this.components;
    if (this.#offline) {
      await network.setAllowedPeers([]);
      return;
    }
    const index = ((await chain.getRecord(StateKey.authorityIndex)) as AuthorityIndexEntry[] | undefined) ?? [];
    const active = index
      .filter((entry) => entry.status === 'active' || entry.status === 'suspended')
      .map((entry) => StateKey.authority(entry.key));
    const records = await chain.getMany(active);
    const peers = new Set(config.allowlist);
    for (const record of records.values()) {
      const peerId = (record as Authority).peerId;
      if (peerId && peerId !== network.peerId) peers.add(peerId);
    }
    await network.setAllowedPeers(peers);
  }

  /** Dials every bootstrap peer we are not connected to (one attempt each per interval). */
  redial(): void {
    const { network, config, log } = this.components;
    if (this.#offline) return;
    const connected = new Set(network.peers().map((peer) => peer.peerId));
    for (const address of config.bootstrap) {
      const peerId = address.slice(address.lastIndexOf('/p2p/') + 5);
      if (connected.has(peerId)) continue;
      network
        .dial(address, { signal: AbortSignal.timeout(REDIAL_INTERVAL_MS) })
        .catch((error: unknown) => log.debug({ err: error, address }, 'redial failed'));
    }
  }

  /**
   * The next height's validators with their registered peer ids. Read once per head height, not
   * per submission (two LevelDB reads each): only a committed block changes the schedule or an
   * authority record, and connections and the offline switch are checked live by the caller.
   */
  #validatorPeers(): Promise<{ key: string; peerId: string | undefined }[]> {
    const { chain } = this.components;
    const height = chain.head.height;
    if (this.#validatorPeersCache?.height === height) return this.#validatorPeersCache.peers;
    const peers = (async () => {
      const schedule = (await chain.getRecord(StateKey.validatorSchedule)) as ValidatorSchedule;
      const validators = validatorsAt(schedule, height + 1);
      const authorities = await chain.getMany(validators.map((key) => StateKey.authority(key)));
      return validators.map((key) => ({
        key,
        peerId: (authorities.get(StateKey.authority(key)) as Authority | undefined)?.peerId,
      }));
    })();
    this.#validatorPeersCache = { height, peers };
    peers.catch(() => {
      if (this.#validatorPeersCache?.peers === peers) this.#validatorPeersCache = undefined;
    });
    return peers;
  }
}
