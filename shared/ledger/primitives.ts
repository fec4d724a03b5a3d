// The kernel's schemas: what every transaction, block and record is built from, whatever
// registry system it belongs to. Registry modules (shared/modules/*) build their records and
// payloads from these; this file never imports a module (docs/modules.md).
// Every string, array and number has a bound (TigerBeetle: put a limit on everything).
import { z } from 'zod';

export const LIMITS = {
  idLengthMax: 64,
  textLengthMax: 256,
  nameLengthMax: 128,
  partiesMax: 64,
  ownersMax: 64,
  signaturesMax: 128,
  encumbrancesMax: 16,
  shareDenominatorMax: 1_000_000_000,
  amountMinorMax: Number.MAX_SAFE_INTEGER,
  chainIdLengthMax: 64,
  txBytesMax: 64 * 1024,
  /** How far ahead a transaction may expire; bounds how long replay records must be kept. */
  txLifetimeMaxMs: 30 * 24 * 3600 * 1000,
} as const;

export const hash = z.string().regex(/^[0-9a-f]{64}$/, 'expected 64 lowercase hex characters (a sha256 hash)');
export const publicKey = z
  .string()
  .regex(/^[0-9a-f]{64}$/, 'expected an ed25519 public key as 64 lowercase hex characters');
export const signature = z
  .string()
  .regex(/^[0-9a-f]{128}$/, 'expected an ed25519 signature as 128 lowercase hex characters');
export const chainId = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{0,63}$/, 'a chain id is 1-64 lowercase letters, digits and dashes');
export const text = (max: number) => z.string().min(1).max(max);
export const uint = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);
export const timeMs = uint;
export const amountMinor = uint;

export const uniqueKeys = (list: { key: string }[]) => new Set(list.map((entry) => entry.key)).size === list.length;

/** The replay record the kernel keeps for every committed transaction (`tx/<txId>`). */
export const replayRecord = z.strictObject({ height: uint, expiresAtMs: timeMs });

export const signatureEntry = z.strictObject({ key: publicKey, signature });
export const signatures = z.array(signatureEntry).max(LIMITS.signaturesMax).refine(uniqueKeys, 'a key signed twice');

/** What every transaction carries besides its type and payload; the kernel checks these. */
export const envelope = { chainId, expiresAtMs: timeMs, nonce: uint, signatures };

/** A transaction type's whole schema: `{ type, chainId, expiresAtMs, nonce, signatures, payload }`. */
export function txSchema<const T extends string, P extends z.ZodType>(type: T, payload: P) {
  return z.strictObject({ type: z.literal(type), ...envelope, payload });
}

export const blockHeader = z.strictObject({
  chainId,
  height: uint,
  prevHash: hash,
  timeMs,
  /** Public key of the validator that proposed the block (zeros for genesis). */
  proposer: publicKey,
  txRoot: hash,
  stateRoot: hash,
  validatorsHash: hash,
  appHash: hash,
});

export const commitSignature = z.strictObject({ validator: publicKey, signature });
export const commit = z.strictObject({
  height: uint,
  round: uint,
  blockHash: hash,
  signatures: z.array(commitSignature).max(10_000),
});

export type SignatureEntry = z.infer<typeof signatureEntry>;

/** Any transaction as the kernel sees it: the envelope, a type name and a payload only its module reads. */
export interface AnyTransaction {
  type: string;
  chainId: string;
  expiresAtMs: number;
  nonce: number;
  signatures: SignatureEntry[];
  payload: unknown;
}
export type AnyUnsignedTransaction = Omit<AnyTransaction, 'signatures'>;
