// The genesis digest of a genesis file, without re-encoding its properties at every open.
// genesisDigest CBOR-encodes every property (~3 s per 100,000 objects here: minutes at 7.4
// million), yet the document only changes when an operator replaces the file. So the digest,
// once it has matched the store's, is kept next to the file (`genesis.json.digest`) with the
// size and sha256 of the file's bytes; a later open hashes the bytes natively (~1 GB/s) and,
// if they are the same, compares the kept digest instead (issue #6).
//
// The kept digest is only ever one that matched the store, so a replaced file (other bytes)
// always falls back to the full comparison, and a damaged or foreign cache only costs that.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import type { Genesis } from '../../../shared/ledger/index.js';
import { genesisDigest } from './genesis-import.js';
import { genesisPropertiesDigest } from './genesis-properties.js';
import { writeFileDurably } from '../store/durable-file.js';

export const GENESIS_DIGEST_CACHE_SUFFIX = '.digest';
const CACHE_BYTES_MAX = 4096;
const HEX_64 = /^[0-9a-f]{64}$/;

interface DigestCache {
  /** Bytes and sha256 of the genesis file the digest was computed from. */
  fileBytes: number;
  fileSha256: string;
  genesisDigest: string;
}

async function fileSha256(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

async function readCache(path: string): Promise<DigestCache | undefined> {
  try {
    const text = await readFile(path, 'utf8');
    if (text.length > CACHE_BYTES_MAX) return undefined;
    const value = JSON.parse(text) as Partial<DigestCache>;
    if (
      !Number.isSafeInteger(value.fileBytes) ||
      !HEX_64.test(String(value.fileSha256)) ||
      !HEX_64.test(String(value.genesisDigest))
    )
      return undefined;
    return value as DigestCache;
  } catch {
    return undefined; // missing or unreadable: compute
  }
}

/** The files' sizes summed, and one sha256 over each file's sha256 (a genesis with an objects file has two). */
async function filesSize(files: string[]): Promise<number> {
  let bytes = 0;
  for (const file of files) bytes += (await stat(file)).size;
  return bytes;
}
async function filesSha256(files: string[]): Promise<string> {
  if (files.length === 1) return fileSha256(files[0]!);
  const hash = createHash('sha256');
  for (const file of files) hash.update(await fileSha256(file));
  return hash.digest('hex');
}

/**
 * The digest to compare with the store's `storedDigest`: the kept one when the file's bytes are
 * those it was kept for, otherwise genesisDigest(genesis), kept if it matches the store.
 * `genesis` must be the document parsed from `file`; with `propertiesFile`, its objects are
 * that file's (genesis-properties.ts), and the kept digest is keyed by both files' bytes.
 */
export async function genesisFileDigest(
  file: string,
  genesis: Genesis,
  storedDigest: string,
  propertiesFile?: string,
): Promise<string> {
  const cachePath = `${file}${GENESIS_DIGEST_CACHE_SUFFIX}`;
  const files = propertiesFile === undefined ? [file] : [file, propertiesFile];
  const [cache, size] = await Promise.all([readCache(cachePath), filesSize(files)]);
  // The size first: a replaced file of another size is not even hashed.
  const sha256 = cache && cache.fileBytes === size ? await filesSha256(files) : undefined;
  if (cache && sha256 === cache.fileSha256 && cache.genesisDigest === storedDigest) return cache.genesisDigest;
  const digest =
    propertiesFile === undefined ? genesisDigest(genesis) : await genesisPropertiesDigest(genesis, propertiesFile);
  if (digest === storedDigest) {
    const kept: DigestCache = {
      fileBytes: size,
      fileSha256: sha256 ?? (await filesSha256(files)),
      genesisDigest: digest,
    };
    try {
      await writeFileDurably(cachePath, `${JSON.stringify(kept)}\n`);
    } catch {
      // a read-only data directory: every open then computes the digest, as before
    }
  }
  return digest;
}
