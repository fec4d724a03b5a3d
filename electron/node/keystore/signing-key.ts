// The node's signing key at start: the encrypted keystore unlocked with its passphrase, or the
// plain key file of a devnet, checked to be a matching ed25519 pair before anything signs.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isPublicKeyHex, publicKeyOf } from '../../../shared/crypto/index.js';
import { DataFiles, type NodeConfig } from '../config.js';
import { KeystoreError } from './errors.js';
import { readKeystore, unlockKeystore } from './keystore.js';

export interface SigningKey {
  publicKey: string;
  secretKey: string;
}

/**
 * The node's signing key: the encrypted keystore `notary init` wrote, unlocked with the
 * passphrase; else the plain 0600 file of a devnet; observers may have neither.
 */
export async function readSigningKey(
  dataDir: string,
  role: NodeConfig['role'],
  passphrase: string | undefined,
): Promise<SigningKey | null> {
  const keystorePath = join(dataDir, DataFiles.signingKeystore);
  try {
    // WRONG_PASSPHRASE, KEYSTORE_PERMISSIONS and KEYSTORE_DAMAGED carry their own sentences.
    if (passphrase !== undefined) return await unlockKeystore(keystorePath, passphrase);
    await readKeystore(keystorePath);
    throw new KeystoreError(
      'KEYSTORE_LOCKED',
      `The signing key in ${keystorePath} is locked: pass --passphrase-file FILE (or set NOTARY_PASSPHRASE_FILE), or start the node in a terminal to type the passphrase.`,
    );
  } catch (error) {
    if (!(error instanceof KeystoreError && error.code === 'KEYSTORE_MISSING')) throw error;
  }
  const path = join(dataDir, DataFiles.signingKey);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      if (role === 'observer') return null;
      throw new Error(
        `No signing key in ${dataDir}: a ${role} node needs ${DataFiles.signingKeystore} (written by notary init) or ${DataFiles.signingKey} (devnet).`,
      );
    }
    throw new Error(`cannot read the signing key at ${path}: ${(error as Error).message}`);
  }
  return parsePlainKey(path, text);
}

/**
 * The office's next key while a rotation is under way (`notary keys rotate`, decision #51):
 * sealed with the same passphrase as the current one, or a devnet's plain file; null if none.
 */
export async function readNextSigningKey(dataDir: string, passphrase: string | undefined): Promise<SigningKey | null> {
  const keystorePath = join(dataDir, DataFiles.signingKeystoreNext);
  try {
    if (passphrase !== undefined) return await unlockKeystore(keystorePath, passphrase);
    await readKeystore(keystorePath);
    throw new KeystoreError(
      'KEYSTORE_LOCKED',
      `The next signing key in ${keystorePath} is locked: start the node with the passphrase of its keystore.`,
    );
  } catch (error) {
    if (!(error instanceof KeystoreError && error.code === 'KEYSTORE_MISSING')) throw error;
  }
  const path = join(dataDir, DataFiles.signingKeyNext);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new Error(`cannot read the next signing key at ${path}: ${(error as Error).message}`);
  }
  return parsePlainKey(path, text);
}

function parsePlainKey(path: string, text: string): SigningKey {
  let key: { publicKey?: unknown; secretKey?: unknown };
  try {
    key = JSON.parse(text) as typeof key;
  } catch {
    throw new Error(`${path} is not valid JSON; restore the signing key from its backup`);
  }
  // A pair whose halves do not match would sign votes every peer rejects: refuse it at start.
  if (
    !isPublicKeyHex(key.publicKey) ||
    typeof key.secretKey !== 'string' ||
    !/^[0-9a-f]{64}$/.test(key.secretKey) ||
    publicKeyOf(key.secretKey) !== key.publicKey
  ) {
    throw new Error(`${path} does not hold a matching ed25519 key pair as hex`);
  }
  return { publicKey: key.publicKey, secretKey: key.secretKey };
}
