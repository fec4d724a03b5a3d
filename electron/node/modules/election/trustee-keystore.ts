// A trustee's election secrets in an encrypted file on the trustee's own machine (issue 16:
// "trustees keep their shares in encrypted keystores and decrypt on their own machines"):
// the X25519 transport key its shares are sealed to and, once it has dealt, its secret
// polynomial. The election key's share x_j is not stored: it is recomputed from these and the
// dealings on chain whenever the trustee decrypts. Sealed as the signing keystore is
// (keystore.ts: scrypt, AES-256-GCM), the election id, trustee slot and transport key bound
// as additional data; rewritten atomically when the polynomial is added.
import { readFile, stat } from 'node:fs/promises';
import { z } from 'zod';
import { bytesToHex, decode, encode, hexToBytes } from '../../../../shared/codec/index.js';
import { electionId } from '../../../../shared/modules/election/types.js';
import { CliError } from '../../cli/errors.js';
import { KeystoreError } from '../../keystore/errors.js';
import {
  checkPassphrase,
  openSecret,
  sealSecret,
  SCRYPT_DEFAULTS,
  type ScryptParams,
} from '../../keystore/keystore.js';
import { writeFileDurably } from '../../store/durable-file.js';

const FORMAT = 'notary-election-trustee/1' as const;
const FILE_BYTES_MAX = 128 * 1024;
const hex = (bytes: number) => z.string().regex(new RegExp(`^[0-9a-f]{${bytes * 2}}$`));

const fileSchema = z.strictObject({
  format: z.literal(FORMAT),
  election: electionId,
  transportKey: hex(32),
  kdf: z.strictObject({
    name: z.literal('scrypt'),
    salt: hex(16),
    N: z
      .number()
      .int()
      .min(2)
      .max(2 ** 20),
    r: z.number().int().min(1).max(32),
    p: z.number().int().min(1).max(16),
  }),
  cipher: z.strictObject({ name: z.literal('aes-256-gcm'), iv: hex(12), tag: hex(16) }),
  ciphertext: z.string().regex(/^([0-9a-f]{2}){1,24576}$/),
});
type TrusteeFile = z.infer<typeof fileSchema>;

export interface TrusteeSecrets {
  election: string;
  transport: { publicKey: Uint8Array; secretKey: Uint8Array };
  /** The trustee's secret polynomial, once it has dealt: f(0) = a_0 … a_{t-1}. */
  dealer?: { dealer: number; coefficients: Uint8Array[] };
  /** The dealing made from it (public), kept so that a retry sends the same one. */
  dealing?: Uint8Array;
}

const secretSchema = z.strictObject({
  transportSecret: z.instanceof(Uint8Array),
  dealer: z
    .strictObject({ dealer: z.number().int().min(1).max(64), coefficients: z.array(z.instanceof(Uint8Array)).max(64) })
    .optional(),
  dealing: z.instanceof(Uint8Array).optional(),
});

function additionalData(file: Pick<TrusteeFile, 'format' | 'election' | 'transportKey' | 'kdf'>): Buffer {
  const { kdf } = file;
  return Buffer.from(
    `${file.format}|${file.election}|${file.transportKey}|scrypt|${kdf.salt}|${kdf.N}|${kdf.r}|${kdf.p}|aes-256-gcm`,
    'utf8',
  );
}

/** Seals the secrets into `path` (mode 0600), replacing the file whole (a new salt and IV each time). */
export async function writeTrusteeKeystore(
  path: string,
  secrets: TrusteeSecrets,
  passphrase: string,
  params: ScryptParams = SCRYPT_DEFAULTS,
): Promise<void> {
  checkPassphrase(passphrase);
  const header = { format: FORMAT, election: secrets.election, transportKey: bytesToHex(secrets.transport.publicKey) };
  const plain = encode({
    transportSecret: secrets.transport.secretKey,
    ...(secrets.dealer ? { dealer: secrets.dealer } : {}),
    ...(secrets.dealing ? { dealing: secrets.dealing } : {}),
  });
  const sealed = await sealSecret(passphrase, plain, (kdf) => additionalData({ ...header, kdf }), params);
  const file: TrusteeFile = { ...header, ...sealed };
  await writeFileDurably(path, `${JSON.stringify(file, null, 2)}\n`, 0o600);
}

/** The file's public part (election and transport key) without the passphrase. */
export async function readTrusteeFile(path: string): Promise<TrusteeFile> {
  let text: string;
  try {
    const info = await stat(path);
    if (info.size > FILE_BYTES_MAX) throw new CliError(`${path} is too large to be a trustee keystore.`);
    text = await readFile(path, 'utf8');
  } catch (error) {
    if (error instanceof CliError) throw error;
    throw new CliError(
      `Cannot read the trustee keystore ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}.`,
    );
  }
  let parsed: z.ZodSafeParseResult<TrusteeFile>;
  try {
    parsed = fileSchema.safeParse(JSON.parse(text));
  } catch {
    throw new CliError(`${path} is not a trustee keystore (not JSON).`);
  }
  if (!parsed.success)
    throw new CliError(`${path} is not a trustee keystore: ${parsed.error.issues[0]?.message ?? 'invalid'}.`);
  return parsed.data;
}

export async function unlockTrusteeKeystore(path: string, passphrase: string): Promise<TrusteeSecrets> {
  const file = await readTrusteeFile(path);
  const plain = await openSecret(path, passphrase, file, additionalData(file));
  const secret = secretSchema.safeParse(decode(new Uint8Array(plain)));
  if (!secret.success || secret.data.transportSecret.length !== 32)
    throw new KeystoreError('KEYSTORE_DAMAGED', `The trustee keystore ${path} is damaged: its secrets do not decode.`);
  return {
    election: file.election,
    transport: { publicKey: hexToBytes(file.transportKey), secretKey: secret.data.transportSecret },
    ...(secret.data.dealer ? { dealer: secret.data.dealer } : {}),
    ...(secret.data.dealing ? { dealing: secret.data.dealing } : {}),
  };
}
