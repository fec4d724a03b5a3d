// An encrypted file holding one ed25519 signing key (DESIGN §7): the seed is sealed with
// AES-256-GCM under a key derived from the passphrase by scrypt. The KDF parameters, the
// public key and the format version are bound to the ciphertext as GCM additional data, so
// changing any of them is detected exactly like changing the ciphertext.
import {
  createCipheriv,
  createDecipheriv,
  randomBytes,
  scrypt as scryptCallback,
  type ScryptOptions,
} from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { z } from 'zod';
import { publicKeyOf, SECRET_KEY_BYTES, type KeyPair } from '../../../shared/crypto/index.js';
import { writeFileDurably } from '../store/durable-file.js';
import { KeystoreError } from './errors.js';

export const KEYSTORE_VERSION = 1 as const;
export const PASSPHRASE_CHARS_MIN = 8;
export const PASSPHRASE_CHARS_MAX = 1024;
/** A keystore file is a few hundred bytes; anything far larger is not one. */
const KEYSTORE_FILE_BYTES_MAX = 64 * 1024;
const SALT_BYTES = 16;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const KEY_BYTES = 32;

export interface ScryptParams {
  N: number;
  r: number;
  p: number;
}

/** 2^15, 8, 1: about 32 MiB and a tenth of a second per unlock on an office PC. */
export const SCRYPT_DEFAULTS: ScryptParams = { N: 2 ** 15, r: 8, p: 1 };
/** Bounds on parameters read from a file, so a hostile file cannot make unlock take hours or gigabytes. */
const SCRYPT_N_MAX = 2 ** 20;
const SCRYPT_MEMORY_BYTES_MAX = 1024 * 1024 * 1024;

const hex = (bytes: number) => z.string().regex(new RegExp(`^[0-9a-f]{${bytes * 2}}$`));
const powerOfTwo = z
  .number()
  .int()
  .min(2)
  .max(SCRYPT_N_MAX)
  .refine((n) => (n & (n - 1)) === 0, 'N must be a power of two');

const keystoreSchema = z.strictObject({
  version: z.literal(KEYSTORE_VERSION),
  kdf: z.strictObject({
    name: z.literal('scrypt'),
    salt: hex(SALT_BYTES),
    N: powerOfTwo,
    r: z.number().int().min(1).max(32),
    p: z.number().int().min(1).max(16),
  }),
  cipher: z.strictObject({ name: z.literal('aes-256-gcm'), iv: hex(IV_BYTES), tag: hex(TAG_BYTES) }),
  ciphertext: hex(SECRET_KEY_BYTES),
  publicKey: hex(32),
});
export type KeystoreFile = z.infer<typeof keystoreSchema>;

export function checkPassphrase(passphrase: string): void {
  // [...] counts characters, not UTF-16 units, so a Cyrillic passphrase is measured as typed.
  const chars = [...passphrase].length;
  if (chars < PASSPHRASE_CHARS_MIN)
    throw new KeystoreError(
      'PASSPHRASE_INVALID',
      `The passphrase is too short: use at least ${PASSPHRASE_CHARS_MIN} characters.`,
    );
  if (chars > PASSPHRASE_CHARS_MAX)
    throw new KeystoreError(
      'PASSPHRASE_INVALID',
      `The passphrase is too long: use at most ${PASSPHRASE_CHARS_MAX} characters.`,
    );
}

function deriveKey(passphrase: string, salt: Buffer, params: ScryptParams): Promise<Buffer> {
  const memoryBytes = 128 * params.N * params.r * params.p;
  if (memoryBytes > SCRYPT_MEMORY_BYTES_MAX)
    throw new KeystoreError('KEYSTORE_DAMAGED', 'The keystore asks for more scrypt memory than allowed.');
  const options: ScryptOptions = { N: params.N, r: params.r, p: params.p, maxmem: memoryBytes + 1024 * 1024 };
  return new Promise((resolve, reject) => {
    scryptCallback(passphrase.normalize('NFC'), salt, KEY_BYTES, options, (error, key) =>
      error ? reject(error) : resolve(key),
    );
  });
}

/** A secret sealed under a passphrase: the KDF's parameters, the cipher's IV and tag, the ciphertext (hex). */
export interface SealedSecret {
  kdf: { name: 'scrypt'; salt: string; N: number; r: number; p: number };
  cipher: { name: 'aes-256-gcm'; iv: string; tag: string };
  ciphertext: string;
}

/**
 * Seals `plain` under `passphrase` with a fresh salt and IV; `additionalData` receives the KDF
 * parameters (with the salt) and returns what GCM binds besides the ciphertext.
 */
export async function sealSecret(
  passphrase: string,
  plain: Uint8Array,
  additionalData: (kdf: SealedSecret['kdf']) => Buffer,
  params: ScryptParams = SCRYPT_DEFAULTS,
): Promise<SealedSecret> {
  const salt = randomBytes(SALT_BYTES);
  const iv = randomBytes(IV_BYTES);
  const kdf = { name: 'scrypt' as const, salt: salt.toString('hex'), ...params };
  const key = await deriveKey(passphrase, salt, params);
  const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(additionalData(kdf));
  const ciphertext = Buffer.concat([cipher.update(plain), cipher.final()]);
  return {
    kdf,
    cipher: { name: 'aes-256-gcm', iv: iv.toString('hex'), tag: cipher.getAuthTag().toString('hex') },
    ciphertext: ciphertext.toString('hex'),
  };
}

/** Opens a sealed secret; a wrong passphrase (or an altered file) is WRONG_PASSPHRASE naming `path`. */
export async function openSecret(
  path: string,
  passphrase: string,
  sealed: SealedSecret,
  additionalData: Buffer,
): Promise<Buffer> {
  const key = await deriveKey(passphrase, Buffer.from(sealed.kdf.salt, 'hex'), sealed.kdf);
  const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(sealed.cipher.iv, 'hex'), {
    authTagLength: TAG_BYTES,
  });
  decipher.setAAD(additionalData);
  decipher.setAuthTag(Buffer.from(sealed.cipher.tag, 'hex'));
  try {
    return Buffer.concat([decipher.update(Buffer.from(sealed.ciphertext, 'hex')), decipher.final()]);
  } catch (error) {
    // GCM cannot tell a wrong passphrase from an altered file; the first is far more common.
    throw new KeystoreError(
      'WRONG_PASSPHRASE',
      `Cannot unlock ${path}: the passphrase is wrong (or the file was altered after it was written).`,
      { cause: error },
    );
  }
}

/** Everything in the file except the secret itself, bound to the ciphertext by GCM. */
function additionalData(file: Pick<KeystoreFile, 'version' | 'kdf' | 'publicKey'>): Buffer {
  const { kdf } = file;
  return Buffer.from(
    `notary-keystore/v${file.version}|scrypt|${kdf.salt}|${kdf.N}|${kdf.r}|${kdf.p}|aes-256-gcm|${file.publicKey}`,
    'utf8',
  );
}

/** Seals a key pair into a new keystore file (mode 0600, written atomically). Never overwrites. */
export async function createKeystore(
  path: string,
  keyPair: KeyPair,
  passphrase: string,
  params: ScryptParams = SCRYPT_DEFAULTS,
): Promise<KeystoreFile> {
  checkPassphrase(passphrase);
  if (publicKeyOf(keyPair.secretKey) !== keyPair.publicKey)
    throw new Error('createKeystore: the public key does not belong to the secret key');
  if (await exists(path))
    throw new KeystoreError(
      'KEYSTORE_EXISTS',
      `${path} already exists; a keystore is never overwritten, choose another file.`,
    );
  const sealed = await sealSecret(
    passphrase,
    Buffer.from(keyPair.secretKey, 'hex'),
    (kdf) => additionalData({ version: KEYSTORE_VERSION, kdf, publicKey: keyPair.publicKey }),
    params,
  );
  const file: KeystoreFile = { version: KEYSTORE_VERSION, ...sealed, publicKey: keyPair.publicKey };
  await writeFileDurably(path, `${JSON.stringify(file, null, 2)}\n`, 0o600);
  // check after writing (TIGER_STYLE): the file on disk must be the one we meant to write.
  const written = keystoreSchema.parse(JSON.parse(await readFile(path, 'utf8')));
  if (written.ciphertext !== file.ciphertext || written.publicKey !== file.publicKey)
    throw new Error(`createKeystore: ${path} reads back differently`);
  return file;
}

/** Opens a keystore file. Refuses a file others can read, as ssh refuses such a private key. */
export async function unlockKeystore(path: string, passphrase: string): Promise<KeyPair> {
  const file = await readKeystore(path);
  const seed = await openSecret(path, passphrase, file, additionalData(file));
  const secretKey = seed.toString('hex');
  if (publicKeyOf(secretKey) !== file.publicKey)
    throw new KeystoreError(
      'KEYSTORE_DAMAGED',
      `The keystore ${path} is damaged: its key does not match its public key.`,
    );
  return { secretKey, publicKey: file.publicKey };
}

/** Reads and checks a keystore file without unlocking it (its public key is readable). */
export async function readKeystore(path: string): Promise<KeystoreFile> {
  let text: string;
  try {
    const info = await stat(path);
    if (!info.isFile()) throw new KeystoreError('KEYSTORE_DAMAGED', `${path} is not a keystore file.`);
    if (info.size > KEYSTORE_FILE_BYTES_MAX)
      throw new KeystoreError('KEYSTORE_DAMAGED', `${path} is too large to be a keystore file.`);
    // mode bits mean nothing on Windows, where the file's ACL protects it instead.
    if (process.platform !== 'win32' && (info.mode & 0o077) !== 0) {
      const mode = (info.mode & 0o777).toString(8).padStart(4, '0');
      throw new KeystoreError(
        'KEYSTORE_PERMISSIONS',
        `Permissions ${mode} for ${path} are too open: a keystore must be readable by its owner only (chmod 600 ${path}).`,
      );
    }
    text = await readFile(path, 'utf8');
  } catch (error) {
    if (error instanceof KeystoreError) throw error;
    if ((error as NodeJS.ErrnoException).code === 'ENOENT')
      throw new KeystoreError('KEYSTORE_MISSING', `No keystore file at ${path}.`, { cause: error });
    throw new KeystoreError('KEYSTORE_DAMAGED', `Cannot read the keystore ${path}: ${(error as Error).message}.`, {
      cause: error,
    });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new KeystoreError('KEYSTORE_DAMAGED', `The keystore ${path} is damaged: it is not valid JSON.`, {
      cause: error,
    });
  }
  // A devnet's plain signing-key.json ({publicKey, secretKey}) is another kind of file, not a
  // damaged keystore: say so, and how to seal it.
  if (json !== null && typeof json === 'object' && 'secretKey' in json && !('kdf' in json)) {
    throw new KeystoreError(
      'KEYSTORE_PLAIN_KEY',
      `${path} is a plain signing key (a devnet's signing-key.json), not an encrypted keystore; it is not damaged. ` +
        `Seal it in a keystore first: notary keys seal ${path} --out notary.keystore.json, then give --key notary.keystore.json.`,
    );
  }
  const parsed = keystoreSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new KeystoreError(
      'KEYSTORE_DAMAGED',
      `The keystore ${path} is damaged: ${issue?.path.join('.') || 'file'}: ${issue?.message}.`,
    );
  }
  return parsed.data;
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
}
