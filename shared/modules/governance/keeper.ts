// What others may read of the governance module (Cosmos: its keeper): the chain parameters
// and the protocol version in force. Modules listed before governance get both from the
// RuleContext (the kernel asks this module through its `governs` hook); the node reads them
// here to know when it must stop for an upgrade and how long its heartbeat is.
import type { ChainParams } from '../../ledger/module.js';
import type { StateReader } from '../../ledger/overlay.js';
import { LEGACY_PROTOCOL } from '../../ledger/protocol.js';
import { DEFAULT_CHAIN_PARAMS, GovernanceKey, type ProtocolRecord, type ScheduledUpgrade } from './types.js';

/** The chain's parameters: the `cfg/params` record, or the defaults when the chain has none. */
export function chainParams(state: StateReader): ChainParams {
  return (state.get(GovernanceKey.params) as ChainParams | undefined) ?? { ...DEFAULT_CHAIN_PARAMS };
}

/** The `cfg/protocol` record; a chain without one runs version 1 with nothing scheduled. */
export function protocolRecord(state: StateReader): ProtocolRecord {
  return (state.get(GovernanceKey.protocol) as ProtocolRecord | undefined) ?? { version: LEGACY_PROTOCOL };
}

/** The version in force at `height`, given the state before that height's block. */
export function protocolAt(state: StateReader, height: number): number {
  const { version, upgrade } = protocolRecord(state);
  return upgrade && height >= upgrade.height ? upgrade.version : version;
}

/** The upgrade scheduled and not yet in force at `height`, if any. */
export function pendingUpgrade(state: StateReader, height: number): ScheduledUpgrade | undefined {
  const { upgrade } = protocolRecord(state);
  return upgrade && upgrade.height > height ? upgrade : undefined;
}

/** The keys `chainParams`, `protocolRecord`, `protocolAt` and `pendingUpgrade` read. */
export const governanceReads: readonly string[] = [GovernanceKey.params, GovernanceKey.protocol];
