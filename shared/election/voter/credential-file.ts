// A voter's credential file (docs/elections.md C.5): the credential's ed25519 secret sealed
// under a passphrase the voter chooses, with published constructions only: libsodium's
// crypto_pwhash (Argon2id v1.3, RFC 9106) derives the key, crypto_secretbox
// (XSalsa20-Poly1305) seals. Computed with @noble's pure-JS Argon2id and XSalsa20-Poly1305,
// which give libsodium's bytes (test/unit/voter-credential-file.test.ts holds them equal): the
// voter's page runs under `script-src 'self'`, which forbids compiling libsodium's
// WebAssembly. The same JSON text is the file the page offers to download, what it keeps in
// the browser's storage, and what a desk prints for a voter with no device. Everything outside
// the box is repeated inside it and compared on opening, so a changed public key, election or
// parameter is refused even where the box still opens.
import { xsalsa20poly1305 } from '@noble/ciphers/salsa.js';
import { argon2idAsync } from '@noble/hashes/argon2.js';
import { z } from 'zod';
import { bytesToHex, decode, encode, hexToBytes, utf8 } from '../../codec/index.js';
import { generateKeyPair, publicKeyOf, type KeyPair } from '../../crypto/index.js';

export const CREDENTIAL_FILE_FORMAT = 'notary/election/credential/1' as const;
/** RFC 9106's second recommended Argon2id option (t = 3, m = 64 MiB); libsodium runs one lane. */
export const CREDENTIAL_KDF = { algorithm: 'argon2id13', opsLimit: 3, memLimitBytes: 64 * 1024 * 1024 } as const;
/** Bounds a file may ask for: never weaker than libsodium's interactive level, never so costly it hangs a phone. */
const OPS_LIMIT_RANGE = [2, 10] as const;
const MEM_LIMIT_RANGE = [64 * 1024 * 1024, 256 * 1024 * 1024] as const;
export const PASSPHRASE_CHARS_MIN = 8;
export const PASSPHRASE_CHARS_MAX = 1024;
/** Any credential text longer than this is refused before it is parsed. */
export const CREDENTIAL_TEXT_MAX = 4096;

const hex = (bytes: number) =>
  z.string().regex(new RegExp(`^[0-9a-f]{${bytes * 2}}$`), `expected ${bytes} bytes as hex`);

const credentialFileSchema = z.strictObject({
  format: z.literal(CREDENTIAL_FILE_FORMAT),
  /** The credential's public key, as the registration desk scans it. */
  publicKey: hex(32),
  /** The election it was made for, if the voter had chosen one ('' when not). */
  election: z.string().max(64),
  kdf: z.strictObject({
    algorithm: z.literal('argon2id13'),
    opsLimit: z.number().int().min(OPS_LIMIT_RANGE[0]).max(OPS_LIMIT_RANGE[1]),
    memLimitBytes: z.number().int().min(MEM_LIMIT_RANGE[0]).max(MEM_LIMIT_RANGE[1]),
    salt: hex(16),
  }),
  nonce: hex(24),
  /** crypto_secretbox_easy of the canonical CBOR of {format, publicKey, election, kdf without salt, secretKey}. */
  sealed: z.string().regex(/^([0-9a-f]{2}){17,512}$/, 'expected the sealed box as hex'),
});
export type CredentialFile = z.infer<typeof credentialFileSchema>;

export type CredentialFileErrorCode =
  | 'CREDENTIAL_FILE_MALFORMED'
  | 'CREDENTIAL_FILE_DOES_NOT_OPEN'
  | 'CREDENTIAL_FILE_TAMPERED'
  | 'CREDENTIAL_PASSPHRASE_TOO_SHORT';

export class CredentialFileError extends Error {
  constructor(
    readonly code: CredentialFileErrorCode,
    sentence: string,
  ) {
    super(sentence);
    this.name = 'CredentialFileError';
  }
}

/** What the box holds: the secret, and every field outside it, to be compared on opening. */
function inner(file: Omit<CredentialFile, 'nonce' | 'sealed'>, secretKey: string): Uint8Array {
  return encode({
    format: file.format,
    publicKey: hexToBytes(file.publicKey),
    election: file.election,
    kdf: { algorithm: file.kdf.algorithm, opsLimit: file.kdf.opsLimit, memLimitBytes: file.kdf.memLimitBytes },
    secretKey: hexToBytes(secretKey),
  });
}

/** Called with 0..1 while the key is derived (Argon2id takes seconds on a phone). */
export type Progress = (fraction: number) => void;

const SALT_BYTES = 16;
const NONCE_BYTES = 24;
const KEY_BYTES = 32;

/** crypto_pwhash(32, NFC(passphrase), salt, opsLimit, memLimitBytes, ALG_ARGON2ID13): libsodium's one lane, memory in KiB. */
function deriveKey(passphrase: string, kdf: CredentialFile['kdf'], onProgress?: Progress): Promise<Uint8Array> {
  return argon2idAsync(utf8(passphrase.normalize('NFC')), hexToBytes(kdf.salt), {
    t: kdf.opsLimit,
    m: Math.floor(kdf.memLimitBytes / 1024),
    p: 1,
    dkLen: KEY_BYTES,
    ...(onProgress ? { onProgress } : {}),
  });
}

function randomBytes(length: number): Uint8Array {
  const bytes = new Uint8Array(length);
  globalThis.crypto.getRandomValues(bytes);
  return bytes;
}

function checkPassphrase(passphrase: string): void {
  // REJECT: a passphrase a guesser would find quickly, or one too long to be typed
  if ([...passphrase].length < PASSPHRASE_CHARS_MIN || passphrase.length > PASSPHRASE_CHARS_MAX)
    throw new CredentialFileError(
      'CREDENTIAL_PASSPHRASE_TOO_SHORT',
      `a passphrase has ${PASSPHRASE_CHARS_MIN} to ${PASSPHRASE_CHARS_MAX} characters`,
    );
}

/** A fresh credential key pair, as `notary election credentials` makes one. */
export function newCredential(): KeyPair {
  return generateKeyPair();
}

/** Seals a credential's secret under a passphrase; answers the file's JSON text. */
export async function sealCredential(
  pair: KeyPair,
  passphrase: string,
  election = '',
  onProgress?: Progress,
): Promise<string> {
  checkPassphrase(passphrase);
  if (publicKeyOf(pair.secretKey) !== pair.publicKey) throw new Error('the key pair does not match');
  const header = {
    format: CREDENTIAL_FILE_FORMAT,
    publicKey: pair.publicKey,
    election,
    kdf: {
      algorithm: 'argon2id13' as const,
      opsLimit: CREDENTIAL_KDF.opsLimit,
      memLimitBytes: CREDENTIAL_KDF.memLimitBytes,
      salt: bytesToHex(randomBytes(SALT_BYTES)),
    },
  };
  const key = await deriveKey(passphrase, header.kdf, onProgress);
  const nonce = randomBytes(NONCE_BYTES);
  const sealed = xsalsa20poly1305(key, nonce).encrypt(inner(header, pair.secretKey));
  key.fill(0);
  const file: CredentialFile = { ...header, nonce: bytesToHex(nonce), sealed: bytesToHex(sealed) };
  credentialFileSchema.parse(file);
  return `${JSON.stringify(file, null, 1)}\n`;
}

/** A credential text as the voter brings it: a sealed file, or the CLI's plain key pair. */
export type CredentialText = { kind: 'sealed'; file: CredentialFile } | { kind: 'plain'; pair: KeyPair };

function malformed(sentence: string): never {
  throw new CredentialFileError('CREDENTIAL_FILE_MALFORMED', sentence);
}

/**
 * Reads a credential text: the sealed file, or what `notary election credentials --out` writes
 * today (a list holding one key pair, unsealed, or the pair itself).
 */
export function readCredentialText(text: string): CredentialText {
  // REJECT: more text than any credential file holds (checked before parsing)
  if (text.length > CREDENTIAL_TEXT_MAX) malformed('the text is longer than any credential file');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    malformed('the text is not a credential file (not JSON)');
  }
  const pair = Array.isArray(value) && value.length === 1 ? value[0] : value;
  if (pair && typeof pair === 'object' && 'secretKey' in pair && !('format' in pair)) {
    const { secretKey, publicKey } = pair as Record<string, unknown>;
    // REJECT: a plain pair whose halves are not 32-byte keys that belong together
    if (typeof secretKey !== 'string' || !/^[0-9a-f]{64}$/.test(secretKey) || typeof publicKey !== 'string')
      malformed('the key pair is not two 64-character hex keys');
    if (publicKeyOf(secretKey) !== publicKey) malformed('the secret key does not belong to the public key');
    return { kind: 'plain', pair: { secretKey, publicKey } };
  }
  if (Array.isArray(value)) malformed('the file holds several credentials; open it with the CLI');
  const parsed = credentialFileSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    malformed(
      `the credential file is malformed${issue?.path.length ? ` at ${issue.path.join('.')}` : ''}: ${issue?.message}`,
    );
  }
  return { kind: 'sealed', file: parsed.data };
}

/** Opens a sealed file with its passphrase; answers the key pair and the election it names. */
export async function openCredential(
  file: CredentialFile,
  passphrase: string,
  onProgress?: Progress,
): Promise<KeyPair & { election: string }> {
  const key = await deriveKey(passphrase, file.kdf, onProgress);
  let plain: Uint8Array;
  try {
    plain = xsalsa20poly1305(key, hexToBytes(file.nonce)).decrypt(hexToBytes(file.sealed));
  } catch {
    // REJECT: the wrong passphrase, or a changed salt, nonce or box: Poly1305 cannot tell which
    throw new CredentialFileError(
      'CREDENTIAL_FILE_DOES_NOT_OPEN',
      'the file does not open with this passphrase (or it was changed)',
    );
  } finally {
    key.fill(0);
  }
  let secretKey: string;
  try {
    const held = decode(plain, CREDENTIAL_TEXT_MAX) as { secretKey?: unknown };
    if (!(held.secretKey instanceof Uint8Array) || held.secretKey.length !== 32) throw new Error('no secret');
    secretKey = bytesToHex(held.secretKey);
    // REJECT: a field outside the box that is not what was sealed inside it
    if (bytesToHex(inner(file, secretKey)) !== bytesToHex(plain)) throw new Error('header');
  } catch {
    throw new CredentialFileError('CREDENTIAL_FILE_TAMPERED', 'the fields outside the sealed box were changed');
  }
  // REJECT: a secret that does not belong to the public key shown (cannot happen to an honest file)
  if (publicKeyOf(secretKey) !== file.publicKey)
    throw new CredentialFileError('CREDENTIAL_FILE_TAMPERED', 'the secret does not belong to the public key shown');
  return { secretKey, publicKey: file.publicKey, election: file.election };
}
