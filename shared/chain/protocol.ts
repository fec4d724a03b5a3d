// Whether this software may execute a height: the protocol version the chain requires there
// against the versions the software knows. A node stops before a height it does not know the
// rules of, and says so in one sentence (docs/operations.md, "Scheduling a protocol upgrade").
import { protocolAt } from '../ledger/apply.js';
import type { StateReader } from '../ledger/overlay.js';
import { protocolRecord } from '../modules/governance/keeper.js';

/** Why this software stops before a height: the version it needs there. */
export interface ProtocolStop {
  /** The version the chain runs from `height` on. */
  version: number;
  /** The first height under that version this node would have to execute. */
  height: number;
  /** The highest version this software runs. */
  supportedMax: number;
  sentence: string;
}

/** The stop before `height`, or undefined when this software knows the version in force there. */
export function protocolStopAt(state: StateReader, height: number, supportedMax: number): ProtocolStop | undefined {
  const version = protocolAt(state, height);
  if (version <= supportedMax) return undefined;
  const { upgrade } = protocolRecord(state);
  // Either the scheduled upgrade's height has come, or the chain ran this version before this
  // node's head (a genesis at a later version): then the node stops at the very next height.
  const switchHeight = upgrade && upgrade.version === version && height >= upgrade.height ? upgrade.height : height;
  const sentence =
    `This network switches to protocol version ${version} at height ${switchHeight}; ` +
    `this software supports up to version ${supportedMax}. ` +
    `Install a release that supports protocol ${version} and start the node again.`;
  return { version, height: switchHeight, supportedMax, sentence };
}

/** A height this software cannot execute was asked of it: nothing was executed or written. */
export class ProtocolUnsupportedError extends Error {
  readonly code = 'PROTOCOL_UNSUPPORTED' as const;
  constructor(readonly stop: ProtocolStop) {
    super(stop.sentence);
    this.name = 'ProtocolUnsupportedError';
  }
}
