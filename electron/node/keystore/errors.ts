// Typed keystore errors: each code has a sentence an operator can act on.

export type KeystoreErrorCode =
  | 'WRONG_PASSPHRASE'
  | 'KEYSTORE_LOCKED'
  | 'KEYSTORE_DAMAGED'
  | 'KEYSTORE_PLAIN_KEY'
  | 'KEYSTORE_PERMISSIONS'
  | 'KEYSTORE_MISSING'
  | 'KEYSTORE_EXISTS'
  | 'PASSPHRASE_INVALID';

export class KeystoreError extends Error {
  readonly code: KeystoreErrorCode;
  constructor(code: KeystoreErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'KeystoreError';
    this.code = code;
  }
}
