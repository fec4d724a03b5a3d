// A trustee's election keystore (docs/elections.md C.3): the transport key and, once dealt, the
// polynomial and the dealing, sealed under a passphrase; a wrong passphrase, another election's
// name or transport key written into the file, or a changed byte of the ciphertext all refuse
// to open, and nothing half-written is ever read.
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { unlockTrusteeKeystore, writeTrusteeKeystore } from '../../electron/node/modules/election/trustee-keystore.js';

let dir: string;
const FAST = { N: 2 ** 10, r: 8, p: 1 };
const PASSPHRASE = 'trustee passphrase';
const secrets = {
  election: 'city-2026',
  transport: { publicKey: new Uint8Array(32).fill(7), secretKey: new Uint8Array(32).fill(9) },
};

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'notary-trustee-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function edited(path: string, change: (file: Record<string, string>) => void): Promise<void> {
  const file = JSON.parse(await readFile(path, 'utf8')) as Record<string, string>;
  change(file);
  await writeFile(path, JSON.stringify(file));
}

describe('the trustee keystore', () => {
  it('keeps the transport key, then the polynomial and the dealing, readable only with the passphrase (mode 0600)', async () => {
    const path = join(dir, 'trustee.keystore');
    await writeTrusteeKeystore(path, secrets, PASSPHRASE, FAST);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect(await unlockTrusteeKeystore(path, PASSPHRASE)).toEqual(secrets);
    const dealt = {
      ...secrets,
      dealer: { dealer: 2, coefficients: [new Uint8Array(32).fill(1), new Uint8Array(32).fill(2)] },
      dealing: Uint8Array.of(1, 2, 3),
    };
    await writeTrusteeKeystore(path, dealt, PASSPHRASE, FAST);
    expect(await unlockTrusteeKeystore(path, PASSPHRASE)).toEqual(dealt);
    await expect(unlockTrusteeKeystore(path, 'another passphrase')).rejects.toMatchObject({ code: 'WRONG_PASSPHRASE' });
  });

  it('refuses a file whose election, transport key or ciphertext was changed', async () => {
    const path = join(dir, 'trustee.keystore');
    await writeTrusteeKeystore(path, secrets, PASSPHRASE, FAST);
    const original = await readFile(path, 'utf8');
    const changes: Array<(file: Record<string, string>) => void> = [
      (file) => (file.election = 'other-2026'),
      (file) => (file.transportKey = '08'.repeat(32)),
      (file) => (file.ciphertext = `${file.ciphertext!.slice(0, -2)}${file.ciphertext!.endsWith('00') ? '01' : '00'}`),
    ];
    for (const change of changes) {
      await writeFile(path, original);
      await edited(path, change);
      await expect(unlockTrusteeKeystore(path, PASSPHRASE)).rejects.toMatchObject({ code: 'WRONG_PASSPHRASE' });
    }
  });
});
