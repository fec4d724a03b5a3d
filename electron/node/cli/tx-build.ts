// The parts every `notary tx` builder shares: option parsers, the envelope (chain id,
// expiry, nonce), writing a checked transaction file, and reading and signing one. Each
// module's builders (electron/node/modules/<name>/cli.ts) are made of these.
import { randomInt } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { isPublicKeyHex, type KeyPair } from '../../../shared/crypto/index.js';
import {
  LedgerError,
  LIMITS,
  parseTransaction,
  schema,
  short,
  signTransaction,
  txId,
  type Owner,
  type Share,
  type Transaction,
} from '../../../shared/ledger/index.js';
import { areaDm2FromM2 } from '../../../shared/modules/property/area.js';
import { readGenesis, writeFileDurably } from '../config.js';
import { readPassphrase, unlockKeystore } from '../keystore/index.js';
import { CliError } from './errors.js';
import { readJsonFile } from './files.js';

export const HOUR_MS = 3_600_000;
export const EXPIRY_HOURS_MAX = LIMITS.txLifetimeMaxMs / HOUR_MS;

// ---- option parsers ---------------------------------------------------------------------

export function wholeNumber(min: number, max: number) {
  return (value: string): number => {
    const n = /^\d+$/.test(value) ? Number(value) : Number.NaN;
    if (!Number.isSafeInteger(n) || n < min || n > max)
      throw new InvalidArgumentError(`expected a whole number from ${min} to ${max}`);
    return n;
  };
}
export const uint = wholeNumber(0, Number.MAX_SAFE_INTEGER);

export function publicKey(value: string): string {
  if (!isPublicKeyHex(value)) throw new InvalidArgumentError('expected a public key (64 lowercase hex characters)');
  return value;
}

export interface PartyInput {
  key: string;
  share?: Share;
}

/** KEY or KEY=num/den. */
export function party(value: string): PartyInput {
  const [key, fraction, ...rest] = value.split('=');
  if (rest.length > 0 || key === undefined || !isPublicKeyHex(key))
    throw new InvalidArgumentError(`expected KEY or KEY=num/den, KEY being 64 lowercase hex characters`);
  if (fraction === undefined) return { key };
  const match = /^(\d{1,10})\/(\d{1,10})$/.exec(fraction);
  const parsed = match ? schema.share.safeParse([Number(match[1]), Number(match[2])]) : undefined;
  if (!parsed?.success)
    throw new InvalidArgumentError(
      `the share ${fraction} is not a fraction num/den between 0 and 1 (den at most ${LIMITS.shareDenominatorMax})`,
    );
  return { key, share: parsed.data as Share };
}

export function collect<T>(parse: (value: string) => T) {
  return (value: string, previous: T[] | undefined): T[] => [...(previous ?? []), parse(value)];
}

/** 54.2 or 54.20 (m²) -> 5420 dm², exact. */
export function areaM2(value: string): number {
  const areaDm2 = areaDm2FromM2(value);
  if (areaDm2 === undefined)
    throw new InvalidArgumentError('expected square metres with at most two decimals, e.g. 54.2');
  return areaDm2;
}

export function text(max: number) {
  return (value: string): string => {
    if (value.length < 1 || value.length > max) throw new InvalidArgumentError(`expected 1 to ${max} characters`);
    return value;
  };
}

// ---- shared parts of every builder -----------------------------------------------------

export interface EnvelopeOptions {
  chainId?: string;
  data?: string;
  expiresInHours: number;
  nonce?: number;
}

export interface OutOptions {
  out: string;
  force?: boolean;
}

export function builder(name: string, description: string): Command {
  return new Command(name)
    .description(description)
    .option('--chain-id <id>', 'the chain the transaction is for')
    .option('--data <dir>', 'a node data folder: the chain id is read from its genesis.json')
    .option(
      '--expires-in-hours <h>',
      `hours until the transaction expires (at most ${EXPIRY_HOURS_MAX})`,
      wholeNumber(1, EXPIRY_HOURS_MAX),
      24,
    )
    .option('--nonce <n>', 'a number making the transaction unique (random by default)', uint)
    .requiredOption('--out <file>', 'the JSON file to write')
    .option('--force', 'overwrite --out if it exists');
}

export async function envelopeOf(
  options: EnvelopeOptions,
): Promise<{ chainId: string; expiresAtMs: number; nonce: number; signatures: [] }> {
  if ((options.chainId === undefined) === (options.data === undefined))
    throw new CliError('Give the chain as --chain-id ID or --data DIR (its genesis.json), one of the two.');
  let chainId = options.chainId;
  if (chainId === undefined) {
    try {
      chainId = (await readGenesis(resolve(options.data!))).chainId;
    } catch (error) {
      throw new CliError(`Cannot take the chain id from ${options.data}: ${(error as Error).message}.`);
    }
  } else if (!schema.chainId.safeParse(chainId).success) {
    throw new CliError(`--chain-id ${chainId} is not a chain id (1-64 lowercase letters, digits and dashes).`);
  }
  return {
    chainId,
    expiresAtMs: Date.now() + options.expiresInHours * HOUR_MS,
    nonce: options.nonce ?? randomInt(0, 2 ** 47),
    signatures: [],
  };
}

/** Checks the built or signed transaction against the ledger schema, then writes it (never over a file unless --force). */
export async function writeTx(value: unknown, options: OutOptions): Promise<Transaction> {
  let tx: Transaction;
  try {
    tx = parseTransaction(value);
  } catch (error) {
    throw new CliError(`The transaction is not valid, nothing was written: ${reason(error)}.`);
  }
  const out = resolve(options.out);
  if (!options.force && (await exists(out)))
    throw new CliError(`${out} already exists; choose another --out file or add --force to overwrite it.`);
  await writeFileDurably(out, `${JSON.stringify(tx, null, 2)}\n`);
  return tx;
}

export function reason(error: unknown): string {
  return error instanceof LedgerError ? error.sentence : (error as Error).message;
}

export async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw new CliError(`Cannot check ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}.`);
  }
}

export async function readTx(file: string): Promise<Transaction> {
  const path = resolve(file);
  const json = await readJsonFile(path, 'transaction');
  try {
    return parseTransaction(json);
  } catch (error) {
    throw new CliError(`${path} is not a transaction this ledger accepts: ${reason(error)}.`);
  }
}

export async function unlockKey(keystore: string, passphraseFile: string | undefined): Promise<KeyPair> {
  const path = resolve(keystore);
  const passphrase = await readPassphrase({ file: passphraseFile, prompt: `Passphrase of ${path}: ` });
  return unlockKeystore(path, passphrase);
}

/** Owners with their shares; a lone party without a share takes `whole`. */
export function owners(list: PartyInput[], whole: Share, flag: string): Owner[] {
  if (list.length === 1 && list[0]!.share === undefined) return [{ key: list[0]!.key, share: whole }];
  const missing = list.find((entry) => entry.share === undefined);
  if (missing)
    throw new CliError(
      `With more than one ${flag}, give each one's share as ${flag} KEY=num/den (${short(missing.key)} has none).`,
    );
  return list.map((entry) => ({ key: entry.key, share: entry.share! }));
}

export function summary(tx: Transaction, out: string): string {
  return `${tx.type} written to ${resolve(out)} (tx id ${txId(tx)}, chain ${tx.chainId}, expires ${new Date(tx.expiresAtMs).toISOString()})`;
}

// ---- signing ------------------------------------------------------------------------------

export interface SignOptions extends OutOptions {
  key: string;
  passphraseFile?: string;
  asHolder?: boolean;
  allowExpired?: boolean;
}

export const EXPIRY_WARNING_MS = HOUR_MS;

/**
 * A signature on an expired transaction is wasted: the ledger refuses it (EXPIRED). Refused
 * unless --allow-expired; one about to expire is signed with a warning.
 */
export function checkExpiry(tx: Transaction, options: SignOptions, nowMs = Date.now()): void {
  const leftMs = tx.expiresAtMs - nowMs;
  const at = new Date(tx.expiresAtMs).toISOString();
  if (leftMs <= 0 && !options.allowExpired) {
    throw new CliError(
      `This ${tx.type} expired at ${at} (${formatDuration(-leftMs)} ago); the ledger refuses it (EXPIRED). Build it again with a later --expires-in-hours, or sign it anyway with --allow-expired.`,
    );
  }
  if (leftMs <= 0)
    console.error(
      `notary: warning: this ${tx.type} expired at ${at}; signed anyway (--allow-expired), but the ledger refuses it (EXPIRED).`,
    );
  else if (leftMs < EXPIRY_WARNING_MS)
    console.error(
      `notary: warning: this ${tx.type} expires at ${at}, in ${formatDuration(leftMs)}; it must be final by then.`,
    );
}

export function formatDuration(ms: number): string {
  const minutes = Math.max(1, Math.round(ms / 60_000));
  if (minutes < 120) return `${minutes} min`;
  const hours = Math.round(minutes / 60);
  return hours < 48 ? `${hours} h` : `${Math.round(hours / 24)} days`;
}

export function signerCommand(name: string, description: string): Command {
  return new Command(name)
    .description(description)
    .argument('<file>', 'the transaction JSON file')
    .requiredOption(
      '--key <keystore>',
      "the signer's keystore file (notary keys new, or DATA/signing-key.keystore.json)",
    )
    .option(
      '--passphrase-file <file>',
      'read the keystore passphrase from the first line of this file instead of asking',
    )
    .requiredOption('--out <file>', 'the JSON file to write')
    .option('--force', 'overwrite --out if it exists')
    .option('--allow-expired', 'sign even though the transaction has expired (the ledger will refuse it)');
}

/**
 * `notary tx sign` for a transaction type whose module has no signing step of its own: one
 * signature over the transaction, once per key, after the module's `check` (if any).
 */
export function plainSign(
  tx: Transaction,
  key: KeyPair,
  options: SignOptions,
  check?: (tx: Transaction, key: KeyPair) => void,
): Transaction {
  if (options.asHolder) throw new CliError('--as-holder applies to transfers only.');
  if (tx.signatures.some((entry) => entry.key === key.publicKey))
    throw new CliError(`Key ${short(key.publicKey)} has already signed this ${tx.type}.`);
  check?.(tx, key);
  return signTransaction(tx, key.secretKey);
}

/** How a module signs one of its transaction types, when it is not `plainSign`. */
export interface SigningStep {
  sign(tx: Transaction, key: KeyPair, options: SignOptions): Transaction;
  /** What the signed file now holds, e.g. "3 contract signatures". */
  count?(tx: Transaction): string;
}
