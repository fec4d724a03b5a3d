// The node's signing keys through a key rotation (authority.rotate, decision #51). Before the
// rotation is final the office signs with its current key; from the block that rotates it, its
// transactions are signed with the next key (the old one is refused by the ledger), while the
// validator signs with whichever key is in the validator set of each height: the old key up to
// H + 1, the new key from H + 2. Once no height ahead needs the old key, its keystore moves to
// DATA/retired-keys (still encrypted, never used to sign again) and the next key becomes the
// node's signing key file.
import { mkdir, rename, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Authority, ValidatorSchedule } from '../../../shared/ledger/index.js';
import { StateKey } from '../../../shared/ledger/index.js';
import { DataFiles, type NodeConfig } from '../config.js';
import { generateKeyPair } from '../../../shared/crypto/index.js';
import { syncDirectory, writeFileDurably } from '../store/durable-file.js';
import { createKeystore } from './keystore.js';
import { readNextSigningKey, readSigningKey, type SigningKey } from './signing-key.js';

/** What the ring reads of the chain: records by state key, at the head. */
export interface KeyRingChain {
  head: { height: number };
  getRecord(key: string): Promise<unknown>;
}

export class KeyRing {
  #office: SigningKey;
  #other: SigningKey | null;
  /** The office's key as the parts that sign transactions see it: follows the rotation. */
  readonly live: SigningKey;

  constructor(
    readonly dataDir: string,
    current: SigningKey,
    next: SigningKey | null,
  ) {
    if (next && next.publicKey === current.publicKey) throw new Error('the next signing key is the current one');
    this.#office = current;
    this.#other = next;
    const office = () => this.#office;
    this.live = {
      get publicKey() {
        return office().publicKey;
      },
      get secretKey() {
        return office().secretKey;
      },
    };
  }

  /** Keys the validator may sign with, the office's own first. */
  consensusKeys(): SigningKey[] {
    return this.#other ? [this.#office, this.#other] : [this.#office];
  }

  /** The key the office's transactions are signed with now. */
  get officeKey(): string {
    return this.#office.publicKey;
  }

  /** A rotation is under way: the node holds a second key. */
  get rotating(): boolean {
    return this.#other !== null;
  }

  /**
   * Follows the chain after a commit (and at start): the office key moves to the next key once
   * the chain rotated the current one to it, and the old key retires once no scheduled height
   * has it among its validators. Returns the key it retired, if any.
   */
  async refresh(chain: KeyRingChain): Promise<string | undefined> {
    const other = this.#other;
    if (!other) return undefined;
    const record = (await chain.getRecord(StateKey.authority(this.#office.publicKey))) as Authority | undefined;
    if (record?.status === 'rotated' && record.rotatedTo === other.publicKey) {
      this.#other = this.#office;
      this.#office = other;
    }
    const successor = (await chain.getRecord(StateKey.authority(this.#office.publicKey))) as Authority | undefined;
    const old = this.#other;
    if (!old || !successor?.formerKeys?.includes(old.publicKey)) return undefined;
    const schedule = (await chain.getRecord(StateKey.validatorSchedule)) as ValidatorSchedule;
    const next = chain.head.height + 1;
    // the set in force at the next height and every later one scheduled: none may need the old key
    const needed = schedule.some(
      (entry, i) =>
        (entry.fromHeight >= next || (schedule[i + 1]?.fromHeight ?? Infinity) > next) &&
        entry.validators.includes(old.publicKey),
    );
    if (needed) return undefined;
    await retireKeyFiles(this.dataDir, old.publicKey);
    this.#other = null;
    return old.publicKey;
  }
}

/**
 * Moves the old key's file to DATA/retired-keys/<publicKey>.keystore.json (or .json for a
 * devnet's plain key) and the next key's file into the signing key's place, each rename made
 * durable. A crash between the two leaves the next file in place, and start repeats the step.
 */
export async function retireKeyFiles(dataDir: string, oldKey: string): Promise<void> {
  const archive = join(dataDir, DataFiles.retiredKeys);
  await mkdir(archive, { recursive: true, mode: 0o700 });
  const sealed = await exists(join(dataDir, DataFiles.signingKeystoreNext));
  const [current, next, archived] = sealed
    ? [DataFiles.signingKeystore, DataFiles.signingKeystoreNext, `${oldKey}.keystore.json`]
    : [DataFiles.signingKey, DataFiles.signingKeyNext, `${oldKey}.json`];
  if (await exists(join(dataDir, current))) {
    await rename(join(dataDir, current), join(archive, archived));
    await syncDirectory(archive);
  }
  if (await exists(join(dataDir, next))) await rename(join(dataDir, next), join(dataDir, current));
  await syncDirectory(dataDir);
}

/** At start: a retirement a crash interrupted between its two renames is finished. */
export async function completeKeyRetirement(dataDir: string): Promise<void> {
  for (const [current, next] of [
    [DataFiles.signingKeystore, DataFiles.signingKeystoreNext],
    [DataFiles.signingKey, DataFiles.signingKeyNext],
  ] as const) {
    if (!(await exists(join(dataDir, current))) && (await exists(join(dataDir, next)))) {
      await rename(join(dataDir, next), join(dataDir, current));
      await syncDirectory(dataDir);
    }
  }
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

/**
 * The office's next key for `notary keys rotate`: created beside the current one, sealed with
 * the same passphrase (a devnet's plain key gets a plain next key, mode 0600), or the one a
 * previous run created, so running it again (the first transaction expired) keeps one next key.
 */
export async function prepareNextKey(
  dataDir: string,
  current: SigningKey,
  passphrase: string | undefined,
): Promise<{ next: SigningKey; created: boolean }> {
  const existing = await readNextSigningKey(dataDir, passphrase);
  if (existing) {
    if (existing.publicKey === current.publicKey) throw new Error('the next signing key is the current one');
    return { next: existing, created: false };
  }
  const next = generateKeyPair();
  if (passphrase !== undefined) await createKeystore(join(dataDir, DataFiles.signingKeystoreNext), next, passphrase);
  else await writeFileDurably(join(dataDir, DataFiles.signingKeyNext), `${JSON.stringify(next, null, 2)}\n`, 0o600);
  return { next, created: true };
}

/**
 * The node's keys at start: a retirement a crash interrupted is finished first, then the
 * current key and, during a rotation, the next one. Null for a node without a signing key.
 */
export async function openKeyRing(
  dataDir: string,
  role: NodeConfig['role'],
  passphrase: string | undefined,
): Promise<KeyRing | null> {
  await completeKeyRetirement(dataDir);
  const current = await readSigningKey(dataDir, role, passphrase);
  if (!current) return null;
  return new KeyRing(dataDir, current, await readNextSigningKey(dataDir, passphrase));
}

/**
 * During a rotation: after each commit, retire the old key once no scheduled height needs it.
 * A failed file move is tried again at the next commit; it never fails the commit.
 */
export async function retireRotatedKey(
  keys: KeyRing,
  chain: KeyRingChain,
  committer: { onCommitted(listener: () => Promise<void>): unknown },
  log: { warn(fields: object, message: string): void; error(fields: object, message: string): void },
): Promise<void> {
  if (!keys.rotating) return;
  await keys.refresh(chain);
  committer.onCommitted(async () => {
    const retired = await keys
      .refresh(chain)
      .catch((error: unknown) => void log.error({ err: error }, 'retiring the rotated key failed'));
    if (retired) log.warn({ retired, key: keys.officeKey }, 'the rotated key is retired to DATA/retired-keys');
  });
}
