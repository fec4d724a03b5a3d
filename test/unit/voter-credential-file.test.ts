// A voter's credential file (docs/elections.md C.5): an honest file opens to the same key pair
// with its passphrase; a wrong passphrase, any changed character and any malformed text are
// refused with a code, and never open to another secret.
import fc from 'fast-check';
import sodium from 'libsodium-wrappers-sumo';
import { describe, expect, it } from 'vitest';
import { bytesToHex, decode, hexToBytes } from '../../shared/codec/index.js';
import { generateKeyPair } from '../../shared/crypto/index.js';
import {
  CREDENTIAL_FILE_FORMAT,
  CredentialFileError,
  openCredential,
  readCredentialText,
  sealCredential,
} from '../../shared/election/voter/credential-file.js';

const passphrase = 'correct horse battery';

async function refusal(action: () => Promise<unknown> | unknown): Promise<CredentialFileError> {
  try {
    await action();
  } catch (error) {
    if (error instanceof CredentialFileError) return error;
    throw error;
  }
  throw new Error('expected a refusal, the credential opened');
}

function sealedOf(text: string) {
  const read = readCredentialText(text);
  if (read.kind !== 'sealed') throw new Error('expected a sealed file');
  return read.file;
}

describe('the credential file', () => {
  it('opens with its passphrase to the key pair and election it was sealed with', async () => {
    const pair = generateKeyPair();
    const text = await sealCredential(pair, passphrase, 'ref-2026');
    const file = sealedOf(text);
    expect(file.format).toBe(CREDENTIAL_FILE_FORMAT);
    expect(file.publicKey).toBe(pair.publicKey);
    expect(text).not.toContain(pair.secretKey);
    expect(await openCredential(file, passphrase)).toEqual({ ...pair, election: 'ref-2026' });
  });

  it("is libsodium's construction: crypto_pwhash (Argon2id) and crypto_secretbox_open_easy open it alone", async () => {
    await sodium.ready;
    const pair = generateKeyPair();
    const file = sealedOf(await sealCredential(pair, passphrase, 'ref-2026'));
    const key = sodium.crypto_pwhash(
      32,
      passphrase,
      hexToBytes(file.kdf.salt),
      file.kdf.opsLimit,
      file.kdf.memLimitBytes,
      sodium.crypto_pwhash_ALG_ARGON2ID13,
    );
    const plain = sodium.crypto_secretbox_open_easy(hexToBytes(file.sealed), hexToBytes(file.nonce), key);
    const inner = decode(plain) as { secretKey: Uint8Array; publicKey: Uint8Array; election: string };
    expect(bytesToHex(inner.secretKey)).toBe(pair.secretKey);
    expect(bytesToHex(inner.publicKey)).toBe(pair.publicKey);
    expect(inner.election).toBe('ref-2026');
  });

  it("reports the key derivation's progress up to 1", async () => {
    const seen: number[] = [];
    const file = sealedOf(await sealCredential(generateKeyPair(), passphrase, '', (fraction) => seen.push(fraction)));
    expect(seen.length).toBeGreaterThan(1);
    expect(Math.max(...seen)).toBeCloseTo(1, 1);
    await openCredential(file, passphrase);
  });

  it('opens a passphrase in another Unicode normal form (NFC before hashing)', async () => {
    const pair = generateKeyPair();
    const file = sealedOf(await sealCredential(pair, 'пароль-\u0439ў-2026'));
    expect((await openCredential(file, 'пароль-\u0438\u0306ў-2026')).secretKey).toBe(pair.secretKey);
  });

  it('refuses a wrong passphrase with CREDENTIAL_FILE_DOES_NOT_OPEN', async () => {
    const file = sealedOf(await sealCredential(generateKeyPair(), passphrase));
    expect((await refusal(() => openCredential(file, `${passphrase}!`))).code).toBe('CREDENTIAL_FILE_DOES_NOT_OPEN');
  });

  it('refuses a passphrase under 8 characters with CREDENTIAL_PASSPHRASE_TOO_SHORT', async () => {
    expect((await refusal(() => sealCredential(generateKeyPair(), 'short'))).code).toBe(
      'CREDENTIAL_PASSPHRASE_TOO_SHORT',
    );
  });

  it('never opens after any one character of the file is changed', async () => {
    const pair = generateKeyPair();
    const text = await sealCredential(pair, passphrase, 'ref-2026');
    const file = sealedOf(text);
    const fields = ['publicKey', 'election', 'salt', 'nonce', 'sealed', 'opsLimit', 'memLimitBytes'] as const;
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...fields), fc.nat(), fc.integer({ min: 1, max: 15 }), async (field, at, by) => {
        const changed = structuredClone(file);
        const flipHex = (value: string) => {
          const i = at % value.length;
          return value.slice(0, i) + (parseInt(value[i]!, 16) ^ by).toString(16) + value.slice(i + 1);
        };
        if (field === 'publicKey') changed.publicKey = flipHex(changed.publicKey);
        if (field === 'election') changed.election = `ref-202${by % 10}x`;
        if (field === 'salt') changed.kdf.salt = flipHex(changed.kdf.salt);
        if (field === 'nonce') changed.nonce = flipHex(changed.nonce);
        if (field === 'sealed') changed.sealed = flipHex(changed.sealed);
        if (field === 'opsLimit') changed.kdf.opsLimit = 2 + (by % 2) * 2; // 2 or 4, never the 3 sealed with
        if (field === 'memLimitBytes') changed.kdf.memLimitBytes += 1024 * by;
        const error = await refusal(async () => openCredential(sealedOf(JSON.stringify(changed)), passphrase));
        expect(['CREDENTIAL_FILE_DOES_NOT_OPEN', 'CREDENTIAL_FILE_TAMPERED', 'CREDENTIAL_FILE_MALFORMED']).toContain(
          error.code,
        );
      }),
      { numRuns: 14 },
    );
  }, 60_000);

  it('names a changed public key or election as CREDENTIAL_FILE_TAMPERED (the box still opens)', async () => {
    const file = sealedOf(await sealCredential(generateKeyPair(), passphrase, 'ref-2026'));
    const other = generateKeyPair().publicKey;
    expect((await refusal(() => openCredential({ ...file, publicKey: other }, passphrase))).code).toBe(
      'CREDENTIAL_FILE_TAMPERED',
    );
    expect((await refusal(() => openCredential({ ...file, election: 'mayor-2026' }, passphrase))).code).toBe(
      'CREDENTIAL_FILE_TAMPERED',
    );
  });

  it('refuses malformed text and parameters outside the bounds with CREDENTIAL_FILE_MALFORMED', async () => {
    const file = sealedOf(await sealCredential(generateKeyPair(), passphrase));
    const bad = [
      '',
      'not json',
      '{}',
      'x'.repeat(10_000),
      JSON.stringify({ ...file, format: 'other' }),
      JSON.stringify({ ...file, extra: 1 }),
      JSON.stringify({ ...file, kdf: { ...file.kdf, opsLimit: 1 } }),
      JSON.stringify({ ...file, kdf: { ...file.kdf, memLimitBytes: 1024 ** 3 } }),
      JSON.stringify({ ...file, nonce: 'zz' }),
      JSON.stringify([generateKeyPair(), generateKeyPair()]),
      JSON.stringify({ secretKey: generateKeyPair().secretKey, publicKey: generateKeyPair().publicKey }),
    ];
    for (const text of bad)
      expect((await refusal(() => readCredentialText(text))).code).toBe('CREDENTIAL_FILE_MALFORMED');
  });

  it("reads the CLI's plain credential file (`election credentials --out`), a list of one key pair", () => {
    const pair = generateKeyPair();
    expect(readCredentialText(JSON.stringify([pair], null, 1))).toEqual({ kind: 'plain', pair });
    expect(readCredentialText(JSON.stringify(pair))).toEqual({ kind: 'plain', pair });
  });
});
