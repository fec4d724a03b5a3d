// Typed errors of the network layer. Gossip validators throw GossipValidationError (or the
// ledger's and codec's own typed errors); one function maps them to Accept / Ignore / Reject
// (gossip/validation.ts).

export const NetworkErrorCode = {
  /** A configuration value (multiaddr, peer id, key file, limit) is invalid. */
  badConfig: 'BAD_CONFIG',
  /** The identity or swarm key file exists but cannot be used. */
  badKeyFile: 'BAD_KEY_FILE',
  /** We refuse to send a message over its topic's byte limit. */
  messageTooLarge: 'MESSAGE_TOO_LARGE',
  /** The remote peer broke the sync protocol (bad frame, wrong heights, over a limit). */
  protocolViolation: 'PROTOCOL_VIOLATION',
  /** The remote peer answered a sync request with an error frame. */
  remoteError: 'REMOTE_ERROR',
  /** A request did not complete in time. */
  timeout: 'TIMEOUT',
  /** The network is not started (or already stopped). */
  notStarted: 'NOT_STARTED',
} as const;
export type NetworkErrorCode = (typeof NetworkErrorCode)[keyof typeof NetworkErrorCode];

export class NetworkError extends Error {
  constructor(
    readonly code: NetworkErrorCode,
    message: string,
    /** For REMOTE_ERROR: the code the peer sent. */
    readonly remoteCode?: string,
  ) {
    super(`${code}: ${message}`);
    this.name = 'NetworkError';
  }
}

/** What gossipsub does with a message; see toGossipAction. */
export const GossipAction = {
  /** Valid: deliver to the handler and forward to mesh peers. */
  accept: 'accept',
  /** Not useful now (already known, stale, too early, our queue is full): drop, no penalty. */
  ignore: 'ignore',
  /** Invalid whatever our state: drop, never forward, and lower the sender's score. */
  reject: 'reject',
} as const;
export type GossipAction = (typeof GossipAction)[keyof typeof GossipAction];

/** Thrown by a topic validator that knows exactly what should happen to a message. */
export class GossipValidationError extends Error {
  constructor(
    readonly action: typeof GossipAction.ignore | typeof GossipAction.reject,
    /** A short machine-readable reason, counted in metrics: `ALREADY_KNOWN`, `STALE`, `BAD_SIGNATURE`. */
    readonly code: string,
    message: string,
  ) {
    super(`${code}: ${message}`);
    this.name = 'GossipValidationError';
  }
}
