// The node's keys through a rotation (decision #51): transactions move to the new key with the
// block that rotates it, the validator's keys follow the schedule, and the old key's keystore is
// archived, still encrypted, once no scheduled height needs it.
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { generateKeyPair } from '../../shared/crypto/index.js';
import { StateKey, type Authority, type ValidatorSchedule } from '../../shared/ledger/index.js';
import { DataFiles } from '../../electron/node/config.js';
import { createKeystore, unlockKeystore } from '../../electron/node/keystore/index.js';
import { completeKeyRetirement, KeyRing, prepareNextKey } from '../../electron/node/keystore/key-ring.js';
import { readNextSigningKey } from '../../electron/node/keystore/signing-key.js';

const PASSPHRASE = 'correct horse battery';
const SCRYPT_FAST = { N: 2 ** 10, r: 8, p: 1 };
const oldKey = generateKeyPair();
const newKey = generateKeyPair();
const other = generateKeyPair();

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'key-ring-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function office(key: string, extra: Partial<Authority> = {}): Authority {
  return { key, role: 'notary', name: 'Notary Ivanova', status: 'active', version: 1, sinceHeight: 0, ...extra };
}

/** The chain as the ring reads it: the office rotated at block 10, the seat moving at 12. */
function chainAt(height: number, rotated: boolean) {
  const records = new Map<string, unknown>();
  const schedule: ValidatorSchedule = rotated
    ? [
        { fromHeight: 0, validators: [oldKey.publicKey, other.publicKey].sort() },
        { fromHeight: 12, validators: [newKey.publicKey, other.publicKey].sort() },
      ]
    : [{ fromHeight: 0, validators: [oldKey.publicKey, other.publicKey].sort() }];
  records.set(StateKey.validatorSchedule, schedule);
  if (rotated) {
    records.set(
      StateKey.authority(oldKey.publicKey),
      office(oldKey.publicKey, { status: 'rotated', rotatedTo: newKey.publicKey, rotation: 'planned', version: 2 }),
    );
    records.set(StateKey.authority(newKey.publicKey), office(newKey.publicKey, { formerKeys: [oldKey.publicKey] }));
  } else {
    records.set(StateKey.authority(oldKey.publicKey), office(oldKey.publicKey));
  }
  return { head: { height }, getRecord: (key: string) => Promise.resolve(records.get(key)) };
}

async function sealedPair() {
  await createKeystore(join(dir, DataFiles.signingKeystore), oldKey, PASSPHRASE, SCRYPT_FAST);
  await createKeystore(join(dir, DataFiles.signingKeystoreNext), newKey, PASSPHRASE, SCRYPT_FAST);
}

describe('KeyRing', () => {
  it('signs transactions with the current key until the chain rotates it, then with the new key', async () => {
    await sealedPair();
    const ring = new KeyRing(dir, oldKey, newKey);
    const seen = ring.live;
    expect(await ring.refresh(chainAt(9, false))).toBeUndefined();
    expect(seen.publicKey).toBe(oldKey.publicKey);
    expect(await ring.refresh(chainAt(10, true))).toBeUndefined();
    expect(seen.publicKey).toBe(newKey.publicKey);
    expect(seen.secretKey).toBe(newKey.secretKey);
    // both keys stay for the validator until the seat moves
    expect(ring.consensusKeys().map((key) => key.publicKey)).toEqual([newKey.publicKey, oldKey.publicKey]);
  });

  it('retires the old key only once no scheduled height needs it (old key votes up to H + 1)', async () => {
    await sealedPair();
    const ring = new KeyRing(dir, oldKey, newKey);
    expect(await ring.refresh(chainAt(10, true))).toBeUndefined(); // height 11 is the old key's
    expect(ring.consensusKeys()).toHaveLength(2);
    expect(await ring.refresh(chainAt(11, true))).toBe(oldKey.publicKey); // height 12 is the new key's
    expect(ring.consensusKeys().map((key) => key.publicKey)).toEqual([newKey.publicKey]);
    // the new key is now the node's keystore; the old one is archived, still sealed
    expect((await unlockKeystore(join(dir, DataFiles.signingKeystore), PASSPHRASE)).publicKey).toBe(newKey.publicKey);
    await expect(stat(join(dir, DataFiles.signingKeystoreNext))).rejects.toThrow();
    const archived = join(dir, DataFiles.retiredKeys, `${oldKey.publicKey}.keystore.json`);
    expect(JSON.parse(await readFile(archived, 'utf8'))).not.toHaveProperty('secretKey');
    expect((await unlockKeystore(archived, PASSPHRASE)).publicKey).toBe(oldKey.publicKey);
  });

  it('finishes a retirement a crash interrupted between its two renames', async () => {
    await sealedPair();
    await rm(join(dir, DataFiles.signingKeystore)); // as if moved to the archive just before the crash
    await completeKeyRetirement(dir);
    expect((await unlockKeystore(join(dir, DataFiles.signingKeystore), PASSPHRASE)).publicKey).toBe(newKey.publicKey);
    expect(await readdir(dir)).not.toContain(DataFiles.signingKeystoreNext);
  });
});

describe('prepareNextKey (notary keys rotate)', () => {
  it('seals the next key with the passphrase of the current one, and keeps it when run again', async () => {
    await createKeystore(join(dir, DataFiles.signingKeystore), oldKey, PASSPHRASE, SCRYPT_FAST);
    const first = await prepareNextKey(dir, oldKey, PASSPHRASE);
    expect(first.created).toBe(true);
    expect((await readNextSigningKey(dir, PASSPHRASE))?.publicKey).toBe(first.next.publicKey);
    const again = await prepareNextKey(dir, oldKey, PASSPHRASE);
    expect(again).toEqual({ next: first.next, created: false });
  });

  it("gives a devnet's plain key a plain next key, readable by its owner only", async () => {
    const { next } = await prepareNextKey(dir, oldKey, undefined);
    const path = join(dir, DataFiles.signingKeyNext);
    expect(JSON.parse(await readFile(path, 'utf8'))).toEqual(next);
    if (process.platform !== 'win32') expect((await stat(path)).mode & 0o077).toBe(0);
  });
});
