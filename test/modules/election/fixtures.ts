// The election tests' world: the registry of ledger-fixtures on protocol 3, five trustees with
// their transport keys, and a ledger whose reader throws on a key the rules did not declare
// (as the node's prefetched view does), so a missing `keysOf` fails here.
import type { KeyPair } from '../../../shared/crypto/index.js';
import type { ContestShape, SealedBoxes } from '../../../shared/election/crypto/index.js';
import type { Transaction, UnsignedTransaction } from '../../../shared/ledger/index.js';
import { envelope, GENESIS_TIME_MS, keyOf, PrefetchedLedger, signedBy } from '../../support/ledger-fixtures.js';

export const SECOND_MS = 1_000;
export const T0 = GENESIS_TIME_MS;

/** The test election's deadlines: keygen in the first 300 s, the window from 400 s to 1,000 s. */
export const times = {
  dealsUntilMs: T0 + 100 * SECOND_MS,
  complaintsUntilMs: T0 + 200 * SECOND_MS,
  answersUntilMs: T0 + 300 * SECOND_MS,
  opensAtMs: T0 + 400 * SECOND_MS,
  closesAtMs: T0 + 1_000 * SECOND_MS,
};
/** Two contests: a single choice of 2, and 0 to 2 marks of 3. */
export const shapes: ContestShape[] = [
  { boxes: 2, min: 1, max: 1 },
  { boxes: 3, min: 0, max: 2 },
];

export class StrictLedger extends PrefetchedLedger {
  /** The next block is at `timeMs` exactly. */
  at(timeMs: number): this {
    this.timeMs = timeMs - SECOND_MS;
    return this;
  }
}

export interface Trustee {
  key: KeyPair;
  transport: { publicKey: Uint8Array; secretKey: Uint8Array };
}

export function trustees(boxes: SealedBoxes, count: number): Trustee[] {
  return Array.from({ length: count }, (_, i) => ({ key: keyOf(`trustee-${i + 1}`), transport: boxes.keyPair() }));
}

export function tx(type: string, payload: object, ...signers: KeyPair[]): Transaction {
  return signedBy({ type, ...envelope(), payload } as unknown as UnsignedTransaction, ...signers);
}

export function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex');
}
