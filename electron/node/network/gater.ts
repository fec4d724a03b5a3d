// Permissioned connections: only peers on the allowlist (the on-chain authority registry plus
// the node's config allowlist) may connect, in either direction. Each gate refuses at the
// earliest point that knows the peer id: before dialing for outbound connections, right after
// the encryption handshake (which proves the remote's key) for inbound ones.
import type { ConnectionGater, PeerId } from '@libp2p/interface';
import type { Multiaddr } from '@multiformats/multiaddr';
import { peerIdFromString } from '@libp2p/peer-id';
import { NetworkError, NetworkErrorCode } from './errors.js';

export class PermissionedGater {
  #allowed: ReadonlySet<string> = new Set();
  /** Peers refused until a time (ms since epoch) whatever the allowlist says: disconnected for misbehaving. */
  readonly #bannedUntil = new Map<string, number>();

  constructor(peerIds: Iterable<string> = []) {
    this.setAllowedPeers(peerIds);
  }

  /** Replaces the allowlist; returns the peers that were allowed before and are not now. */
  setAllowedPeers(peerIds: Iterable<string>): string[] {
    const next = new Set<string>();
    for (const id of peerIds) next.add(canonicalPeerId(id));
    const removed = [...this.#allowed].filter((id) => !next.has(id));
    this.#allowed = next;
    return removed;
  }

  allowedPeers(): string[] {
    return [...this.#allowed].sort();
  }

  isAllowed(peerId: PeerId | string): boolean {
    const id = peerId.toString();
    return this.#allowed.has(id) && !this.isBanned(id);
  }

  /** Refuses a peer until `untilMs`, in both directions, even if it is on the allowlist. */
  ban(peerId: string, untilMs: number): void {
    this.#bannedUntil.set(peerId, untilMs);
  }

  isBanned(peerId: string, nowMs = Date.now()): boolean {
    const until = this.#bannedUntil.get(peerId);
    if (until === undefined) return false;
    if (until > nowMs) return true;
    this.#bannedUntil.delete(peerId);
    return false;
  }

  bannedPeers(nowMs = Date.now()): string[] {
    return [...this.#bannedUntil.keys()].filter((id) => this.isBanned(id, nowMs)).sort();
  }

  /**
   * The gater libp2p calls. A plain object of arrow functions: libp2p spreads it over its
   * defaults (`{ ...defaults, ...gater }`), which would drop methods of a class prototype.
   */
  connectionGater(): ConnectionGater {
    const deny = (peerId: PeerId): boolean => !this.isAllowed(peerId);
    return {
      // Outbound: refuse before any dial when we know who we would reach.
      denyDialPeer: deny,
      denyDialMultiaddr: (multiaddr: Multiaddr) => {
        const id = multiaddr.getPeerId();
        return id !== null && !this.isAllowed(id);
      },
      denyOutboundConnection: deny,
      // Inbound: the first gate that knows the remote's peer id, proven by the noise handshake.
      denyInboundConnection: () => false,
      denyInboundEncryptedConnection: deny,
      denyOutboundEncryptedConnection: deny,
      // The list may change while a connection is being upgraded: check again at the end.
      denyInboundUpgradedConnection: deny,
      denyOutboundUpgradedConnection: deny,
    };
  }
}

/** Parses a peer id string and returns its canonical text form; BAD_CONFIG if it is not one. */
export function canonicalPeerId(id: string): string {
  try {
    return peerIdFromString(id).toString();
  } catch (error) {
    throw new NetworkError(NetworkErrorCode.badConfig, `"${id}" is not a peer id (${(error as Error).message})`);
  }
}
