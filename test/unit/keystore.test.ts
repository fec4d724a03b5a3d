// The encrypted keystore: a signing key sealed by a passphrase, refused when altered or exposed.
import { chmod, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { generateKeyPair } from '../../shared/crypto/index.js';
import {
  createKeystore,
  readPassphrase,
  SCRYPT_DEFAULTS,
  unlockKeystore,
  type KeystoreFile,
} from '../../electron/node/keystore/index.js';

const PASSPHRASE = 'correct horse battery';
/** Cheaper scrypt for the tests that do not check the defaults. */
const FAST = { N: 2 ** 10, r: 8, p: 1 };
let dir: string;
let path: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'notary-keystore-'));
  path = join(dir, 'key.json');
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function editFile(edit: (file: KeystoreFile) => void) {
  const file = JSON.parse(await readFile(path, 'utf8')) as KeystoreFile;
  edit(file);
  await writeFile(path, JSON.stringify(file), { mode: 0o600 });
}

function flipHex(value: string): string {
  return (value[0] === '0' ? '1' : '0') + value.slice(1);
}

describe('keystore', () => {
  it('unlocks the key it sealed, with the default scrypt parameters stored in the file', async () => {
    const keyPair = generateKeyPair();
    const file = await createKeystore(path, keyPair, PASSPHRASE);
    expect(file.kdf).toMatchObject({ name: 'scrypt', ...SCRYPT_DEFAULTS });
    expect(file).toMatchObject({ version: 1, cipher: { name: 'aes-256-gcm' }, publicKey: keyPair.publicKey });
    expect(await unlockKeystore(path, PASSPHRASE)).toEqual(keyPair);
  });

  it('refuses a wrong passphrase with a clear sentence', async () => {
    await createKeystore(path, generateKeyPair(), PASSPHRASE, FAST);
    await expect(unlockKeystore(path, 'correct horse battery!')).rejects.toMatchObject({
      code: 'WRONG_PASSPHRASE',
      message: expect.stringMatching(/passphrase is wrong/),
    });
  });

  it('refuses an altered ciphertext, tag, iv, salt or public key', async () => {
    await createKeystore(path, generateKeyPair(), PASSPHRASE, FAST);
    const original = await readFile(path, 'utf8');
    const edits: Array<(file: KeystoreFile) => void> = [
      (file) => (file.ciphertext = flipHex(file.ciphertext)),
      (file) => (file.cipher.tag = flipHex(file.cipher.tag)),
      (file) => (file.cipher.iv = flipHex(file.cipher.iv)),
      (file) => (file.kdf.salt = flipHex(file.kdf.salt)),
      (file) => (file.publicKey = generateKeyPair().publicKey),
    ];
    for (const edit of edits) {
      await writeFile(path, original, { mode: 0o600 });
      await editFile(edit);
      await expect(unlockKeystore(path, PASSPHRASE)).rejects.toMatchObject({ code: 'WRONG_PASSPHRASE' });
    }
  });

  it('calls a file that is not a keystore damaged', async () => {
    await createKeystore(path, generateKeyPair(), PASSPHRASE, FAST);
    await editFile((file) => (file.ciphertext = file.ciphertext.slice(2)));
    await expect(unlockKeystore(path, PASSPHRASE)).rejects.toMatchObject({
      code: 'KEYSTORE_DAMAGED',
      message: expect.stringMatching(/damaged: ciphertext/),
    });
    await editFile((file) => (file.kdf.N = 2 ** 30));
    await expect(unlockKeystore(path, PASSPHRASE)).rejects.toMatchObject({ code: 'KEYSTORE_DAMAGED' });
    await writeFile(path, '{"version": 1', { mode: 0o600 });
    await expect(unlockKeystore(path, PASSPHRASE)).rejects.toMatchObject({
      code: 'KEYSTORE_DAMAGED',
      message: expect.stringMatching(/not valid JSON/),
    });
  });

  it.skipIf(process.platform === 'win32')(
    'writes the file with mode 0600 and refuses one others can read',
    async () => {
      await createKeystore(path, generateKeyPair(), PASSPHRASE, FAST);
      expect((await stat(path)).mode & 0o777).toBe(0o600);
      await chmod(path, 0o644);
      await expect(unlockKeystore(path, PASSPHRASE)).rejects.toMatchObject({
        code: 'KEYSTORE_PERMISSIONS',
        message: expect.stringMatching(/0644 .* too open/),
      });
    },
  );

  it('never holds the secret key in clear', async () => {
    const keyPair = generateKeyPair();
    await createKeystore(path, keyPair, PASSPHRASE, FAST);
    const bytes = await readFile(path);
    const text = bytes.toString('utf8').toLowerCase();
    expect(text).not.toContain(keyPair.secretKey);
    expect(bytes.includes(Buffer.from(keyPair.secretKey, 'hex'))).toBe(false);
    expect(text).not.toContain(PASSPHRASE);
  });

  it('never overwrites an existing file, and refuses a short passphrase', async () => {
    await createKeystore(path, generateKeyPair(), PASSPHRASE, FAST);
    await expect(createKeystore(path, generateKeyPair(), PASSPHRASE, FAST)).rejects.toMatchObject({
      code: 'KEYSTORE_EXISTS',
    });
    await expect(createKeystore(join(dir, 'other.json'), generateKeyPair(), 'short', FAST)).rejects.toMatchObject({
      code: 'PASSPHRASE_INVALID',
    });
  });

  it('reads a passphrase from the first line of a file and checks its length', async () => {
    const file = join(dir, 'passphrase');
    await writeFile(file, `${PASSPHRASE}\nignored second line\n`);
    expect(await readPassphrase({ file })).toBe(PASSPHRASE);
    await writeFile(file, 'seven77\n');
    await expect(readPassphrase({ file })).rejects.toMatchObject({
      code: 'PASSPHRASE_INVALID',
      message: expect.stringMatching(/at least 8/),
    });
    await expect(readPassphrase({ file: join(dir, 'missing') })).rejects.toMatchObject({
      code: 'PASSPHRASE_INVALID',
      message: expect.stringMatching(/ENOENT/),
    });
  });
});
