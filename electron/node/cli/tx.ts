// `notary tx ...`: build transactions as JSON files, sign them with keystores and certify
// transfers as the notary. Files are the hand-over between people: a notary's office builds
// a transfer, the seller and the buyer each sign it (`tx sign`), the notary certifies it
// (`tx certify`) and submits it. Every file read is checked against the ledger schemas.
// The builders are each module's (electron/node/modules/<name>/cli.ts); `tx sign` is here.
import { resolve } from 'node:path';
import { Command } from 'commander';
import { NODE_MODULES, signingStepOf } from '../modules/index.js';
import { describeCommand } from './command-descriptions.js';
import { checkExpiry, plainSign, readTx, signerCommand, unlockKey, writeTx, type SignOptions } from './tx-build.js';

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
      const step = signingStepOf(tx.type);
      const signed = step ? step.sign(tx, key, options) : plainSign(tx, key, options);
      const written = await writeTx(signed, options);
      const count = step?.count ? step.count(written) : `${written.signatures.length} signatures`;
      console.log(`signed by ${key.publicKey}: ${written.type} written to ${resolve(options.out)} (${count})`);
    });
}

export function txCommand(): Command {
  const tx = new Command('tx').description(describeCommand('tx'));
  for (const module of NODE_MODULES) for (const command of module.txCommands?.() ?? []) tx.addCommand(command);
  tx.addCommand(signCommand());
  for (const module of NODE_MODULES) for (const command of module.signCommands?.() ?? []) tx.addCommand(command);
  return tx;
}
