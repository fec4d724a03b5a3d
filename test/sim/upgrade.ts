// An upgrade height in the simulator: the plan is the simulation's, not the state's. From
// `height` on, protocol `version` is in force and the transaction types it `enables` are
// accepted; below it a block carrying one is invalid and a proposer leaves them waiting. A node
// whose software knows versions only below `version` stops when it reaches `height`, with one
// sentence naming the version it needs.
//
// The real path (governance.upgrade writes cfg/protocol, the kernel's `sinceProtocol` refuses
// with NOT_YET_ENABLED, ProtocolWatch stops old software) is tested on real node processes in
// test/integration/upgrade.test.ts; here the plan stands in for that schedule so the simulator
// measures what it is for: that 331 nodes switch at exactly the height, on time, under faults.
// `protocolAt` is the one seam: answering it from a simulated cfg/protocol row would change
// nothing the simulator measures.
import type { Transaction, TransactionType } from '../../shared/ledger/index.js';

export interface UpgradePlan {
  height: number;
  version: number;
  /** Transaction types refused below `height` and accepted from it. */
  enables: readonly TransactionType[];
}

/** What one node runs: the plan its chain follows and the highest version its software knows. */
export interface SimProtocol {
  plan: UpgradePlan;
  knownVersionMax: number;
}

export const PROTOCOL_VERSION_GENESIS = 1;

export class UpgradeRequiredError extends Error {
  constructor(
    readonly height: number,
    readonly version: number,
  ) {
    super(
      `this node stops at height ${height}: the network switches to protocol version ${version} there, which this software does not know; install a version that supports protocol ${version}`,
    );
    this.name = 'UpgradeRequiredError';
  }
}

/** The protocol version in force at `height`. */
export function protocolAt(plan: UpgradePlan, height: number): number {
  return height >= plan.height ? plan.version : PROTOCOL_VERSION_GENESIS;
}

/** Why `tx` cannot be in a block at `height`, or null when it may. */
export function upgradeRefusal(plan: UpgradePlan, tx: Transaction, height: number): string | null {
  // REJECT: a transaction type the protocol in force at this height does not have yet.
  if (protocolAt(plan, height) < plan.version && plan.enables.includes(tx.type))
    return `${tx.type} is enabled by protocol ${plan.version} from height ${plan.height}`;
  return null;
}

/** Throws UpgradeRequiredError when this node's software cannot run `height`. */
export function checkSoftware(protocol: SimProtocol, height: number): void {
  const version = protocolAt(protocol.plan, height);
  if (version > protocol.knownVersionMax) throw new UpgradeRequiredError(height, version);
}
