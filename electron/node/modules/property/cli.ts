// The property module's `notary tx` commands: `tx transfer`, `tx register`, and `tx certify`
// (a notary certifies a transfer), and how `tx sign` signs its types (a party's consent to
// a transfer's contract; a registration by the registrar it names).
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { Option } from 'commander';
import { Domain, verify, type KeyPair } from '../../../../shared/crypto/index.js';
import {
  contractHashBytes,
  LIMITS,
  schema,
  short,
  signContract,
  signTransaction,
  txId,
  type Transaction,
  type TxOf,
  type UnsignedTransaction,
} from '../../../../shared/ledger/index.js';
import * as shares from '../../../../shared/modules/property/shares.js';
import { correctionChanges } from '../../../../shared/modules/property/keeper.js';
import { CliError } from '../../cli/errors.js';
import {
  areaM2,
  builder,
  checkExpiry,
  collect,
  envelopeOf,
  owners,
  party,
  plainSign,
  publicKey,
  readTx,
  signerCommand,
  summary,
  text,
  uint,
  unlockKey,
  wholeNumber,
  writeTx,
  type EnvelopeOptions,
  type OutOptions,
  type PartyInput,
  type SigningStep,
  type SignOptions,
} from '../../cli/tx-build.js';

export function transferCommand(): Command {
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

export function registerCommand(): Command {
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

export function certifyCommand(): Command {
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

export function correctCommand(): Command {
  return builder(
    'correct',
    "a registrar corrects an object's address or area, with the reason (the registrar then `tx sign`s it)",
  )
    .requiredOption('--registrar <key>', "the registrar's public key", publicKey)
    .requiredOption('--object <id>', 'the object id (cadastral number)')
    .requiredOption('--object-version <n>', 'the object version now (GET /api/v1/properties/ID)', uint)
    .option('--address <text>', 'the corrected address', text(LIMITS.textLengthMax))
    .option('--area-m2 <m2>', 'the corrected area in square metres, e.g. 54.31', areaM2)
    .requiredOption(
      '--reason <text>',
      'the survey, decision or letter the correction rests on',
      text(LIMITS.textLengthMax),
    )
    .action(
      async (
        options: EnvelopeOptions &
          OutOptions & {
            registrar: string;
            object: string;
            objectVersion: number;
            address?: string;
            areaM2?: number;
            reason: string;
          },
      ) => {
        if (options.address === undefined && options.areaM2 === undefined)
          throw new CliError('Give what to correct: --address TEXT, --area-m2 M2, or both.');
        const tx = await writeTx(
          {
            type: 'property.correct',
            ...(await envelopeOf(options)),
            payload: {
              objectId: options.object,
              objectVersion: options.objectVersion,
              registrar: options.registrar,
              changes: correctionChanges({ address: options.address, areaDm2: options.areaM2 }),
              reason: options.reason,
            },
          },
          options,
        );
        console.log(summary(tx, options.out));
      },
    );
}

/** Signs as the registrar a registration or correction names, and as no one else. */
function asNamedRegistrar(tx: Transaction, key: KeyPair, options: SignOptions): Transaction {
  return plainSign(tx, key, options, (checked) => {
    const registrar = (checked as TxOf<'property.register'> | TxOf<'property.correct'>).payload.registrar;
    const what = checked.type === 'property.correct' ? 'correction' : 'registration';
    if (key.publicKey !== registrar) {
      throw new CliError(`Key ${short(key.publicKey)} is not the registrar this ${what} names (${short(registrar)}).`);
    }
  });
}

/** `notary tx sign` for the property module's types. */
export const propertySigning: Record<string, SigningStep> = {
  transfer: {
    sign: (tx, key, options) => consent(tx as TxOf<'transfer'>, key, options.asHolder === true),
    count: (tx) => `${(tx as TxOf<'transfer'>).payload.consents.length} contract signatures`,
  },
  'property.register': { sign: asNamedRegistrar },
  'property.correct': { sign: asNamedRegistrar },
};
