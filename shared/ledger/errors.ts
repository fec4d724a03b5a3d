// Every rejection has a machine-readable code and a sentence a notary can read
// (DESIGN §4): `STALE_VERSION: object BY-7-0001 changed at height 1203 since ...`.

export const RejectCode = {
  /** The bytes or fields do not form a valid transaction. */
  malformed: 'MALFORMED',
  /** Signed for another chain. */
  wrongChain: 'WRONG_CHAIN',
  /** Its expiry is at or before the block time. */
  expired: 'EXPIRED',
  /** Its expiry is further ahead than the ledger keeps replay records for. */
  expiryTooFar: 'EXPIRY_TOO_FAR',
  /** The same transaction was already committed. */
  replay: 'REPLAY',
  /** A signature does not verify. */
  badSignature: 'BAD_SIGNATURE',
  /** A required signer did not sign. */
  missingSignature: 'MISSING_SIGNATURE',
  /** Someone signed who has no part in this transaction. */
  unexpectedSigner: 'UNEXPECTED_SIGNER',
  /** The signer does not hold the role the transaction needs. */
  notAuthorized: 'NOT_AUTHORIZED',
  /** The certifying notary is unknown, suspended or revoked. */
  notaryNotActive: 'NOTARY_NOT_ACTIVE',
  objectExists: 'OBJECT_EXISTS',
  unknownObject: 'UNKNOWN_OBJECT',
  /** The object (or authority record) changed since the transaction was signed. */
  staleVersion: 'STALE_VERSION',
  /** A seller does not own (enough of) the object. */
  sellerNotOwner: 'SELLER_NOT_OWNER',
  /** Shares do not add up (sold != bought, or owners' shares != 1). */
  sharesMismatch: 'SHARES_MISMATCH',
  /** An arrest, or a mortgage whose holder did not consent, blocks the transfer. */
  encumbered: 'ENCUMBERED',
  /** A sale at price 0: a sale has a price, and a gift is another contract (not yet a transaction). */
  priceZero: 'PRICE_ZERO',
  /** The state duty paid is below the fee schedule. */
  dutyTooLow: 'DUTY_TOO_LOW',
  encumbranceExists: 'ENCUMBRANCE_EXISTS',
  unknownEncumbrance: 'UNKNOWN_ENCUMBRANCE',
  tooManyEncumbrances: 'TOO_MANY_ENCUMBRANCES',
  authorityExists: 'AUTHORITY_EXISTS',
  unknownAuthority: 'UNKNOWN_AUTHORITY',
  authorityRevoked: 'AUTHORITY_REVOKED',
  /** An authority change lacks signatures of more than 2/3 of active registrars. */
  quorumNotMet: 'QUORUM_NOT_MET',
  /** The change would leave no active registrar, so nobody could govern the chain again. */
  noRegistrarsLeft: 'NO_REGISTRARS_LEFT',
} as const;
export type RejectCode = (typeof RejectCode)[keyof typeof RejectCode];

export class LedgerError extends Error {
  constructor(
    readonly code: RejectCode,
    readonly sentence: string,
  ) {
    super(`${code}: ${sentence}`);
    this.name = 'LedgerError';
  }
}

export function reject(code: RejectCode, sentence: string): never {
  throw new LedgerError(code, sentence);
}

export function short(key: string): string {
  return key.length > 16 ? `${key.slice(0, 8)}…${key.slice(-4)}` : key;
}
