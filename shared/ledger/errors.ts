// Every rejection has a machine-readable code and a sentence a notary can read
// (DESIGN §4): `STALE_VERSION: object BY-7-0001 changed at height 1203 since ...`.
// The kernel's codes are here; each module declares its own in its types.ts, and
// shared/ledger/reject-codes.ts assembles them all (RejectCode).

/** A reject code with what it means, as a module declares it. */
export interface RejectCodeSpec {
  code: string;
  meaning: string;
}

/** `{ name: { code, meaning } }` -> `{ name: code }`: the table rules call reject() with. */
export function codesOf<const T extends Record<string, RejectCodeSpec>>(table: T): { [K in keyof T]: T[K]['code'] } {
  return Object.fromEntries(Object.entries(table).map(([name, spec]) => [name, spec.code])) as {
    [K in keyof T]: T[K]['code'];
  };
}

/** The codes every module may use: the envelope, signatures, roles and versions. */
export const KERNEL_CODES = {
  malformed: { code: 'MALFORMED', meaning: 'The bytes or fields do not form a valid transaction.' },
  wrongChain: { code: 'WRONG_CHAIN', meaning: 'Signed for another chain.' },
  expired: { code: 'EXPIRED', meaning: 'Its expiry is at or before the block time.' },
  expiryTooFar: {
    code: 'EXPIRY_TOO_FAR',
    meaning: 'Its expiry is further ahead than the ledger keeps replay records for.',
  },
  notYetEnabled: {
    code: 'NOT_YET_ENABLED',
    meaning:
      'The transaction (or one of its fields) comes with a later protocol version than the chain runs at this height.',
  },
  replay: { code: 'REPLAY', meaning: 'The same transaction was already committed.' },
  badSignature: { code: 'BAD_SIGNATURE', meaning: 'A signature does not verify.' },
  missingSignature: { code: 'MISSING_SIGNATURE', meaning: 'A required signer did not sign.' },
  unexpectedSigner: { code: 'UNEXPECTED_SIGNER', meaning: 'Someone signed who has no part in this transaction.' },
  notAuthorized: { code: 'NOT_AUTHORIZED', meaning: 'The signer does not hold the role the transaction needs.' },
  staleVersion: {
    code: 'STALE_VERSION',
    meaning: 'The record (an object, an authority) changed since the transaction was signed.',
  },
} as const satisfies Record<string, RejectCodeSpec>;
export const KernelCode = codesOf(KERNEL_CODES);

export class LedgerError extends Error {
  constructor(
    readonly code: string,
    readonly sentence: string,
  ) {
    super(`${code}: ${sentence}`);
    this.name = 'LedgerError';
  }
}

export function reject(code: string, sentence: string): never {
  throw new LedgerError(code, sentence);
}

export function short(key: string): string {
  return key.length > 16 ? `${key.slice(0, 8)}…${key.slice(-4)}` : key;
}
