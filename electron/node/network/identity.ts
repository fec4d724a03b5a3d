// The node's libp2p identity: an ed25519 private key in the libp2p protobuf form, kept in a
// file only its owner can read (0600). Its peer id is what the authority registry lists, so
// it must survive restarts; losing it means re-registering the peer id on chain.
import { generateKeyPair, privateKeyFromProtobuf, privateKeyToProtobuf } from '@libp2p/crypto/keys';
import type { PrivateKey } from '@libp2p/interface';
import { constants } from 'node:fs';
import { chmod, mkdir, open, readFile, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { NetworkError, NetworkErrorCode } from './errors.js';

/** A protobuf ed25519 private key is 68 bytes; anything much larger is not one. */
const IDENTITY_FILE_BYTES_MAX = 4096;
const OWNER_ONLY = 0o600;

/** Loads the identity key at `path`, or creates one there (mode 0600) if the file does not exist. */
export async function loadOrCreateIdentity(path: string): Promise<PrivateKey> {
  const existing = await loadIdentity(path);
  if (existing) return existing;
  const key = await generateKeyPair('Ed25519');
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  try {
    // 'wx': never overwrite; if another process created it meanwhile, use theirs.
    const file = await open(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, OWNER_ONLY);
    try {
      await file.writeFile(privateKeyToProtobuf(key));
      await file.sync();
    } finally {
      await file.close();
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return (await loadIdentity(path))!;
    throw new NetworkError(
      NetworkErrorCode.badKeyFile,
      `cannot create the identity key file ${path}: ${(error as Error).message}`,
    );
  }
  // The umask may have narrowed the mode further, never widened it; make it exact.
  if (process.platform !== 'win32') await chmod(path, OWNER_ONLY);
  const check = await loadIdentity(path);
  if (!check || !check.equals(key))
    throw new NetworkError(NetworkErrorCode.badKeyFile, `the identity key file ${path} did not read back as written`);
  return key;
}

/** The key at `path`, or undefined if there is no file. Refuses a key others can read, or a non-ed25519 key. */
export async function loadIdentity(path: string): Promise<PrivateKey | undefined> {
  let info;
  try {
    info = await stat(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new NetworkError(
      NetworkErrorCode.badKeyFile,
      `cannot read the identity key file ${path}: ${(error as Error).message}`,
    );
  }
  const fail = (why: string): never => {
    throw new NetworkError(NetworkErrorCode.badKeyFile, `the identity key file ${path} ${why}`);
  };
  if (!info.isFile()) fail('is not a regular file');
  // Like ssh: a private key readable by group or others may already be copied; refuse it.
  if (process.platform !== 'win32' && (info.mode & 0o077) !== 0)
    fail(`is readable by others (mode ${(info.mode & 0o777).toString(8)}); run chmod 600 on it`);
  if (info.size > IDENTITY_FILE_BYTES_MAX) fail(`is ${info.size} bytes, too large for a key`);
  const bytes = await readFile(path);
  let key: PrivateKey;
  try {
    key = privateKeyFromProtobuf(bytes);
  } catch (error) {
    return fail(`does not hold a libp2p private key (${(error as Error).message})`);
  }
  if (key.type !== 'Ed25519') fail(`holds a ${key.type} key; the node uses Ed25519`);
  return key;
}
