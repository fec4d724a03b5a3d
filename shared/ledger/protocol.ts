// The protocol versions this software knows: the rules a block is executed under. A chain
// starts at one version and moves to the next at a height its registrars schedule
// (governance.upgrade); a node whose software does not know the version a height needs stops
// before that height (docs/operations.md, "Scheduling a protocol upgrade").
// The kernel's: the version in force reaches every rule (RuleContext.protocol) and the appHash.

/** Every chain made before protocol versions existed runs version 1, and replays as it was. */
export const LEGACY_PROTOCOL = 1;

/** What each version adds, for the operator's status and docs/protocol.md. */
export const PROTOCOL_VERSIONS = {
  1: 'the registry as launched: active registrars and notaries vote',
  2: 'validators designated by governance (at most maxValidators), chain parameters by governance',
  3: 'elections and referenda: encrypted ballots, a threshold key made on chain, re-voting, a verifiable tally',
} as const satisfies Record<number, string>;

export type ProtocolVersion = keyof typeof PROTOCOL_VERSIONS;

/** Ascending. The node advertises these to its peers (libp2p identify's agentVersion). */
export const PROTOCOL_VERSIONS_KNOWN: readonly number[] = Object.keys(PROTOCOL_VERSIONS)
  .map(Number)
  .sort((a, b) => a - b);

/** The version a new chain (`notary init`, `notary devnet`) starts at. */
export const LATEST_PROTOCOL: number = PROTOCOL_VERSIONS_KNOWN[PROTOCOL_VERSIONS_KNOWN.length - 1]!;
