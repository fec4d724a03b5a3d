// `notary tx ...`: build transactions as JSON files, sign them with keystores and certify
// transfers as the notary. Files are the hand-over between people: a notary's office builds
// a transfer, the seller and the buyer each sign it (`tx sign`), the notary certifies it
// (`tx certify`) and submits it. Every file read is checked against the ledger schemas.
import { randomInt } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import { Domain, isPublicKeyHex, verify, type KeyPair } from '../../../shared/crypto/index.js';
import {
  contractHashBytes,
  LedgerError,
  LIMITS,
  parseTransaction,
  schema,
  short,
  signContract,
  signTransaction,
  txId,
  type Owner,
  type Share,
  type Transaction,
  type TxOf,
  type UnsignedTransaction,
} from '../../../shared/ledger/index.js';
import * as shares from '../../../shared/ledger/shares.js';
import { readGenesis, writeFileDurably } from '../config.js';
import { readPassphrase, unlockKeystore } from '../keystore/index.js';
import { describeCommand } from './command-descriptions.js';
import { CliError } from './errors.js';
import { readJsonFile } from './files.js';

const HOUR_MS = 3_600_000;
const EXPIRY_HOURS_MAX = LIMITS.txLifetimeMaxMs / HOUR_MS;

// ---- option parsers ---------------------------------------------------------------------

function wholeNumber(min: number, max: number) {
  return (value: string): number => {
    const n = /^\d+$/.test(value) ? Number(value) : Number.NaN;
    if (!Number.isSafeInteger(n) || n < min || n > max)
      throw new InvalidArgumentError(`expected a whole number from ${min} to ${max}`);
    return n;
  };
}
const uint = wholeNumber(0, Number.MAX_SAFE_INTEGER);

function publicKey(value: string): string {
  if (!isPublicKeyHex(value)) throw new InvalidArgumentError('expected a public key (64 lowercase hex characters)');
  return value;
}

interface PartyInput {
  key: string;
  share?: Share;
}

/** KEY or KEY=num/den. */
function party(value: string): PartyInput {
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

function collect<T>(parse: (value: string) => T) {
  return (value: string, previous: T[] | undefined): T[] => [...(previous ?? []), parse(value)];
}

/** 54.2 or 54.20 (m²) -> 5420 dm², exact. */
function areaM2(value: string): number {
  const match = /^(\d{1,12})(?:\.(\d{1,2}))?$/.exec(value);
  if (!match) throw new InvalidArgumentError('expected square metres with at most two decimals, e.g. 54.2');
  return Number(match[1]) * 100 + Number((match[2] ?? '').padEnd(2, '0'));
}

function text(max: number) {
  return (value: string): string => {
    if (value.length < 1 || value.length > max) throw new InvalidArgumentError(`expected 1 to ${max} characters`);
    return value;
  };
}

// ---- shared parts of every builder -----------------------------------------------------

interface EnvelopeOptions {
  chainId?: string;
  data?: string;
  expiresInHours: number;
  nonce?: number;
}

interface OutOptions {
  out: string;
  force?: boolean;
}

function builder(name: string, description: string): Command {
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

async function envelopeOf(
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
async function writeTx(value: unknown, options: OutOptions): Promise<Transaction> {
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

function reason(error: unknown): string {
  return error instanceof LedgerError ? error.sentence : (error as Error).message;
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw new CliError(`Cannot check ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}.`);
  }
}

async function readTx(file: string): Promise<Transaction> {
  const path = resolve(file);
  const json = await readJsonFile(path, 'transaction');
  try {
    return parseTransaction(json);
  } catch (error) {
    throw new CliError(`${path} is not a transaction this ledger accepts: ${reason(error)}.`);
  }
}

async function unlockKey(keystore: string, passphraseFile: string | undefined): Promise<KeyPair> {
  const path = resolve(keystore);
  const passphrase = await readPassphrase({ file: passphraseFile, prompt: `Passphrase of ${path}: ` });
  return unlockKeystore(path, passphrase);
}

/** Owners with their shares; a lone party without a share takes `whole`. */
function owners(list: PartyInput[], whole: Share, flag: string): Owner[] {
  if (list.length === 1 && list[0]!.share === undefined) return [{ key: list[0]!.key, share: whole }];
  const missing = list.find((entry) => entry.share === undefined);
  if (missing)
    throw new CliError(
      `With more than one ${flag}, give each one's share as ${flag} KEY=num/den (${short(missing.key)} has none).`,
    );
  return list.map((entry) => ({ key: entry.key, share: entry.share! }));
}

function summary(tx: Transaction, out: string): string {
  return `${tx.type} written to ${resolve(out)} (tx id ${txId(tx)}, chain ${tx.chainId}, expires ${new Date(tx.expiresAtMs).toISOString()})`;
}

// ---- builders ---------------------------------------------------------------------------

function transferCommand(): Command {
  return builder('transfer', 'an unsigned transfer: sellers and buyers then `tx sign` it, the notary `tx certify` it')
    .requiredOption('--object <id>', 'the property object id')
    .requiredOption('--object-version <n>', 'the object version the parties saw (GET /api/v1/properties/ID)', uint)
    .requiredOption(
      '--seller <key[=num/den]>',
      'a seller and the share sold (repeat for several; a lone seller sells 1/1 by default)',
      collect(party),
    )
    .requiredOption(
      '--buyer <key[=num/den]>',
      'a buyer and the share bought (repeat for several; a lone buyer takes what the sellers sell)',
      collect(party),
    )
    .requiredOption(
      '--price <minor>',
      'the contract price in kopecks (BYN minor units), above 0: a transfer is a sale',
      wholeNumber(1, Number.MAX_SAFE_INTEGER),
    )
    .requiredOption('--notary <key>', 'the public key of the notary who certifies it', publicKey)
    .requiredOption('--duty-ref <ref>', 'the state duty payment reference', text(LIMITS.idLengthMax))
    .requiredOption('--duty <minor>', 'the state duty paid, in kopecks', uint)
    .action(
      async (
        options: EnvelopeOptions &
          OutOptions & {
            object: string;
            objectVersion: number;
            seller: PartyInput[];
            buyer: PartyInput[];
            price: number;
            notary: string;
            dutyRef: string;
            duty: number;
          },
      ) => {
        const sellers = owners(options.seller, [1, 1], '--seller');
        const sold = shares.toShare(shares.sum(sellers.map((seller) => seller.share)));
        const buyers = owners(options.buyer, sold, '--buyer');
        const tx = await writeTx(
          {
            type: 'transfer',
            ...(await envelopeOf(options)),
            payload: {
              contract: {
                objectId: options.object,
                objectVersion: options.objectVersion,
                sellers,
                buyers,
                priceMinor: options.price,
                currency: 'BYN',
              },
              consents: [],
              notary: options.notary,
              duty: { reference: options.dutyRef, amountMinor: options.duty },
            },
          },
          options,
        );
        console.log(summary(tx, options.out));
        console.log(
          'next: each seller and buyer runs `notary tx sign FILE --key THEIR_KEYSTORE --out FILE`, then the notary `notary tx certify`',
        );
      },
    );
}

function registerCommand(): Command {
  return builder('register', 'a registrar registers a property object (the registrar then `tx sign`s it)')
    .requiredOption('--registrar <key>', "the registrar's public key", publicKey)
    .requiredOption('--object <id>', 'the new object id (cadastral number)')
    .addOption(
      new Option('--kind <kind>', 'the kind of object').choices(schema.propertyKind.options).makeOptionMandatory(),
    )
    .requiredOption('--address <text>', 'its address', text(LIMITS.textLengthMax))
    .requiredOption('--area-m2 <m2>', 'its area in square metres, e.g. 54.2', areaM2)
    .requiredOption('--owner <key[=num/den]>', 'an owner and their share (repeat for several)', collect(party))
    .action(
      async (
        options: EnvelopeOptions &
          OutOptions & {
            registrar: string;
            object: string;
            kind: string;
            address: string;
            areaM2: number;
            owner: PartyInput[];
          },
      ) => {
        const list = owners(options.owner, [1, 1], '--owner');
        const total = shares.sum(list.map((owner) => owner.share));
        if (shares.compare(total, shares.ONE) !== 0)
          throw new CliError(`The owners' shares add up to ${total.n}/${total.d}, not 1.`);
        const tx = await writeTx(
          {
            type: 'property.register',
            ...(await envelopeOf(options)),
            payload: {
              object: {
                id: options.object,
                kind: options.kind,
                address: options.address,
                areaDm2: options.areaM2,
                owners: list,
              },
              registrar: options.registrar,
            },
          },
          options,
        );
        console.log(summary(tx, options.out));
      },
    );
}

function encumbranceCommand(): Command {
  const command = new Command('encumbrance').description(
    'record or lift a mortgage or arrest: encumbrance add | release',
  );
  command.addCommand(
    builder('add', 'a bank records a mortgage (owners co-sign) or a court an arrest; the holder then `tx sign`s it')
      .requiredOption('--object <id>', 'the property object id')
      .requiredOption('--object-version <n>', 'the object version now', uint)
      .requiredOption('--id <id>', 'an id for the encumbrance, unique on the object', text(LIMITS.idLengthMax))
      .addOption(
        new Option('--kind <kind>', 'mortgage or arrest').choices(schema.encumbranceKind.options).makeOptionMandatory(),
      )
      .requiredOption('--holder <key>', 'the bank or court (an active authority)', publicKey)
      .requiredOption('--reference <ref>', 'the loan agreement or court order number', text(LIMITS.idLengthMax))
      .action(
        async (
          options: EnvelopeOptions &
            OutOptions & {
              object: string;
              objectVersion: number;
              id: string;
              kind: string;
              holder: string;
              reference: string;
            },
        ) => {
          const tx = await writeTx(
            {
              type: 'encumbrance.add',
              ...(await envelopeOf(options)),
              payload: {
                objectId: options.object,
                objectVersion: options.objectVersion,
                encumbrance: {
                  id: options.id,
                  kind: options.kind,
                  holder: options.holder,
                  reference: options.reference,
                },
              },
            },
            options,
          );
          console.log(summary(tx, options.out));
        },
      ),
  );
  command.addCommand(
    builder('release', 'the holder lifts a mortgage or arrest (the holder then `tx sign`s it)')
      .requiredOption('--object <id>', 'the property object id')
      .requiredOption('--object-version <n>', 'the object version now', uint)
      .requiredOption('--id <id>', 'the encumbrance id', text(LIMITS.idLengthMax))
      .action(async (options: EnvelopeOptions & OutOptions & { object: string; objectVersion: number; id: string }) => {
        const tx = await writeTx(
          {
            type: 'encumbrance.release',
            ...(await envelopeOf(options)),
            payload: { objectId: options.object, objectVersion: options.objectVersion, encumbranceId: options.id },
          },
          options,
        );
        console.log(summary(tx, options.out));
      }),
  );
  return command;
}

function authorityCommand(): Command {
  const command = new Command('authority').description(
    'membership changes, co-signed by more than 2/3 of the active registrars: authority add | update | revoke',
  );
  const roleOption = () => new Option('--role <role>', 'registrar, notary or observer').choices(schema.role.options);
  command.addCommand(
    builder('add', 'register a new registrar, notary or observer (bank, court)')
      .requiredOption('--key <key>', 'its public key', publicKey)
      .addOption(roleOption().makeOptionMandatory())
      .requiredOption('--name <name>', 'the office name', text(LIMITS.nameLengthMax))
      .option('--peer-id <id>', 'the libp2p peer id of its node', text(128))
      .action(
        async (
          options: EnvelopeOptions & OutOptions & { key: string; role: string; name: string; peerId?: string },
        ) => {
          const authority = {
            key: options.key,
            role: options.role,
            name: options.name,
            ...(options.peerId ? { peerId: options.peerId } : {}),
          };
          const tx = await writeTx(
            { type: 'authority.add', ...(await envelopeOf(options)), payload: { authority } },
            options,
          );
          console.log(summary(tx, options.out));
        },
      ),
  );
  command.addCommand(
    builder('update', "change an authority's role, name, status (active / suspended) or peer id")
      .requiredOption('--key <key>', 'its public key', publicKey)
      .requiredOption('--version <n>', 'its record version now (GET /api/v1/validators)', uint)
      .addOption(roleOption())
      .option('--name <name>', 'a new office name', text(LIMITS.nameLengthMax))
      .addOption(new Option('--status <status>', 'suspend or reactivate').choices(['active', 'suspended']))
      .option('--peer-id <id>', 'a new libp2p peer id', text(128))
      .action(
        async (
          options: EnvelopeOptions &
            OutOptions & {
              key: string;
              version: number;
              role?: string;
              name?: string;
              status?: string;
              peerId?: string;
            },
        ) => {
          const changes = {
            ...(options.role ? { role: options.role } : {}),
            ...(options.name ? { name: options.name } : {}),
            ...(options.status ? { status: options.status } : {}),
            ...(options.peerId ? { peerId: options.peerId } : {}),
          };
          if (Object.keys(changes).length === 0)
            throw new CliError('Give at least one change: --role, --name, --status or --peer-id.');
          const tx = await writeTx(
            {
              type: 'authority.update',
              ...(await envelopeOf(options)),
              payload: { key: options.key, version: options.version, changes },
            },
            options,
          );
          console.log(summary(tx, options.out));
        },
      ),
  );
  command.addCommand(
    builder('revoke', 'revoke an authority for good (suspension is the reversible step)')
      .requiredOption('--key <key>', 'its public key', publicKey)
      .requiredOption('--version <n>', 'its record version now', uint)
      .requiredOption('--reason <text>', 'why', text(LIMITS.textLengthMax))
      .action(async (options: EnvelopeOptions & OutOptions & { key: string; version: number; reason: string }) => {
        const tx = await writeTx(
          {
            type: 'authority.revoke',
            ...(await envelopeOf(options)),
            payload: { key: options.key, version: options.version, reason: options.reason },
          },
          options,
        );
        console.log(summary(tx, options.out));
      }),
  );
  return command;
}

// ---- signing ------------------------------------------------------------------------------

interface SignOptions extends OutOptions {
  key: string;
  passphraseFile?: string;
  asHolder?: boolean;
  allowExpired?: boolean;
}

const EXPIRY_WARNING_MS = HOUR_MS;

/**
 * A signature on an expired transaction is wasted: the ledger refuses it (EXPIRED). Refused
 * unless --allow-expired; one about to expire is signed with a warning.
 */
function checkExpiry(tx: Transaction, options: SignOptions, nowMs = Date.now()): void {
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

function formatDuration(ms: number): string {
  const minutes = Math.max(1, Math.round(ms / 60_000));
  if (minutes < 120) return `${minutes} min`;
  const hours = Math.round(minutes / 60);
  return hours < 48 ? `${hours} h` : `${Math.round(hours / 24)} days`;
}

function signerCommand(name: string, description: string): Command {
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

function signCommand(): Command {
  return signerCommand(
    'sign',
    "sign a transaction: a seller's or buyer's consent to a transfer contract, or a signature on any other transaction",
  )
    .option(
      '--as-holder',
      "consent to a transfer as the holder of the object's mortgage (the bank), not as a seller or buyer",
    )
    .action(async (file: string, options: SignOptions) => {
      const tx = await readTx(file);
      checkExpiry(tx, options);
      const key = await unlockKey(options.key, options.passphraseFile);
      let signed: Transaction;
      if (tx.type === 'transfer') {
        signed = consent(tx, key, options.asHolder === true);
      } else {
        if (options.asHolder) throw new CliError('--as-holder applies to transfers only.');
        if (tx.signatures.some((entry) => entry.key === key.publicKey))
          throw new CliError(`Key ${short(key.publicKey)} has already signed this ${tx.type}.`);
        if (tx.type === 'property.register' && key.publicKey !== tx.payload.registrar) {
          throw new CliError(
            `Key ${short(key.publicKey)} is not the registrar this registration names (${short(tx.payload.registrar)}).`,
          );
        }
        signed = signTransaction(tx, key.secretKey);
      }
      const written = await writeTx(signed, options);
      const count =
        written.type === 'transfer'
          ? `${written.payload.consents.length} contract signatures`
          : `${written.signatures.length} signatures`;
      console.log(`signed by ${key.publicKey}: ${written.type} written to ${resolve(options.out)} (${count})`);
    });
}

function consent(tx: TxOf<'transfer'>, key: KeyPair, asHolder: boolean): Transaction {
  const { contract, consents } = tx.payload;
  // consents are part of what the notary signs: one added after certification would void it
  if (tx.signatures.length > 0)
    throw new CliError(
      'This transfer is already certified by the notary; the parties sign before certification, so build it again.',
    );
  const isParty = [...contract.sellers, ...contract.buyers].some((entry) => entry.key === key.publicKey);
  if (!isParty && !asHolder) {
    throw new CliError(
      `Key ${short(key.publicKey)} is neither a seller nor a buyer of this contract (a bank consenting as mortgage holder adds --as-holder).`,
    );
  }
  if (consents.some((entry) => entry.key === key.publicKey))
    throw new CliError(`Key ${short(key.publicKey)} has already signed this contract.`);
  const unsigned: UnsignedTransaction = {
    ...tx,
    payload: { ...tx.payload, consents: [...consents, signContract(contract, tx.chainId, key.secretKey)] },
  };
  return { ...unsigned, signatures: [] } as Transaction;
}

function certifyCommand(): Command {
  return signerCommand(
    'certify',
    'certify a transfer as its notary, once every seller and buyer has signed the contract',
  ).action(async (file: string, options: SignOptions) => {
    const tx = await readTx(file);
    if (tx.type !== 'transfer')
      throw new CliError(`Only a transfer is certified; this is a ${tx.type} (sign it with \`notary tx sign\`).`);
    checkExpiry(tx, options);
    const { contract, consents, notary } = tx.payload;
    const contractHash = contractHashBytes(contract);
    for (const entry of consents) {
      if (
        !verify({
          publicKey: entry.key,
          signature: entry.signature,
          domain: Domain.contract,
          chainId: tx.chainId,
          message: contractHash,
        })
      ) {
        throw new CliError(
          `The contract signature of ${short(entry.key)} does not verify; the contract changed after it was signed.`,
        );
      }
    }
    const signedBy = new Set(consents.map((entry) => entry.key));
    const missing = [
      ...contract.sellers.map((entry) => ({ ...entry, who: 'seller' })),
      ...contract.buyers.map((entry) => ({ ...entry, who: 'buyer' })),
    ].filter((entry) => !signedBy.has(entry.key));
    if (missing.length > 0) {
      throw new CliError(
        `The contract is not signed yet by ${missing.map((entry) => `${entry.who} ${entry.key}`).join(', ')}.`,
      );
    }
    const key = await unlockKey(options.key, options.passphraseFile);
    if (key.publicKey !== notary)
      throw new CliError(
        `Key ${short(key.publicKey)} is not the notary this transfer names (${short(notary)}); only that notary certifies it.`,
      );
    if (tx.signatures.some((entry) => entry.key === key.publicKey))
      throw new CliError('This transfer is already certified by this notary.');
    const written = await writeTx(signTransaction(tx, key.secretKey), options);
    console.log(
      `certified by notary ${key.publicKey}: transfer of ${contract.objectId} written to ${resolve(options.out)} (tx id ${txId(written)})`,
    );
    console.log(`next: notary submit ${options.out} --api URL --data DIR`);
  });
}

export function txCommand(): Command {
  const tx = new Command('tx').description(describeCommand('tx'));
  tx.addCommand(transferCommand());
  tx.addCommand(registerCommand());
  tx.addCommand(encumbranceCommand());
  tx.addCommand(authorityCommand());
  tx.addCommand(signCommand());
  tx.addCommand(certifyCommand());
  return tx;
}
