// Encrypted keystores for signing keys (scrypt + AES-256-GCM) and where their passphrases come from.
export { KeystoreError, type KeystoreErrorCode } from './errors.js';
export {
  checkPassphrase,
  createKeystore,
  KEYSTORE_VERSION,
  PASSPHRASE_CHARS_MAX,
  PASSPHRASE_CHARS_MIN,
  readKeystore,
  SCRYPT_DEFAULTS,
  unlockKeystore,
  type KeystoreFile,
  type ScryptParams,
} from './keystore.js';
export { readPassphrase, type PassphraseSource } from './passphrase.js';
