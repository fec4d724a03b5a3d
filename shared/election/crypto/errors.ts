// Errors of the election cryptography (docs/elections.md A.8): a code a program can match, an
// English sentence a person can read, and the position it concerns.

export type ElectionCryptoErrorCode =
  | 'ELECTION_ENCODING_INVALID'
  | 'ELECTION_BALLOT_SHAPE_INVALID'
  | 'ELECTION_PROOF_INVALID'
  | 'ELECTION_PARAMETERS_INVALID'
  | 'ELECTION_DEALING_INVALID'
  | 'ELECTION_DKG_SHARE_INVALID'
  | 'ELECTION_TOO_FEW_QUALIFIED'
  | 'ELECTION_SHARE_INVALID'
  | 'ELECTION_DUPLICATE_SHARE'
  | 'ELECTION_TOO_FEW_SHARES'
  | 'ELECTION_COUNT_OUT_OF_RANGE'
  | 'ELECTION_BALLOT_CHECK_FAILED';

/** Where a failure is: contest and box of a ballot, trustee or dealer of the key, total of a tally. */
export interface ElectionErrorPosition {
  contest?: number;
  box?: number;
  trustee?: number;
  dealer?: number;
  total?: number;
}

export class ElectionCryptoError extends Error {
  readonly code: ElectionCryptoErrorCode;
  readonly position: ElectionErrorPosition;
  constructor(code: ElectionCryptoErrorCode, sentence: string, position: ElectionErrorPosition = {}) {
    super(sentence);
    this.name = 'ElectionCryptoError';
    this.code = code;
    this.position = position;
  }
}

export function fail(code: ElectionCryptoErrorCode, sentence: string, position: ElectionErrorPosition = {}): never {
  throw new ElectionCryptoError(code, sentence, position);
}
