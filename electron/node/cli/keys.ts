// `notary keys new`: a new party signing key, sealed in an encrypted keystore file.
import { resolve } from 'node:path';
import { Command } from 'commander';
import { generateKeyPair } from '../../../shared/crypto/index.js';
import { devParty } from '../dev/dev-keys.js';
import { createKeystore, readPassphrase } from '../keystore/index.js';
import { describeCommand } from './commands.js';
import { CliError } from './errors.js';

export function keysCommand(): Command {
  const keys = new Command('keys').description(describeCommand('keys'));
  keys
    .command('new')
    .description('create a new signing key in an encrypted keystore file (mode 0600) and print its public key')
    .requiredOption('--out <file>', 'the keystore file to create (never overwritten)')
    .option('--passphrase-file <file>', 'read the passphrase from the first line of this file instead of asking')
    .action(async (options: { out: string; passphraseFile?: string }) => {
      const out = resolve(options.out);
      const passphrase = await readPassphrase({ file: options.passphraseFile, confirm: true, prompt: `Passphrase for the new key in ${out}: ` });
      const keyPair = generateKeyPair();
      await createKeystore(out, keyPair, passphrase);
      console.log(`public key ${keyPair.publicKey}`);
      console.error(`notary: keystore written to ${out}; keep its passphrase safe, it cannot be recovered.`);
    });
  keys
    .command('dev-party')
    .description('seal a demo party key of the dev chain (well known: development only) in a keystore, to sign demo contracts; party N owns the demo objects BY-DEV-… whose number is N modulo 50')
    .argument('<index>', 'the demo party, 0 to 49')
    .requiredOption('--out <file>', 'the keystore file to create (never overwritten)')
    .option('--passphrase-file <file>', 'read the passphrase from the first line of this file instead of asking')
    .action(async (index: string, options: { out: string; passphraseFile?: string }) => {
      const n = Number(index);
      if (!/^\d{1,2}$/.test(index) || n > 49) throw new CliError(`${index} is not a demo party: give a number from 0 to 49.`);
      const out = resolve(options.out);
      const passphrase = await readPassphrase({ file: options.passphraseFile, confirm: true, prompt: `Passphrase for demo party ${n} in ${out}: ` });
      const keyPair = devParty(n);
      await createKeystore(out, keyPair, passphrase);
      console.log(`public key ${keyPair.publicKey}`);
      console.error(`notary: demo party ${n} sealed in ${out}; its key is public knowledge, for the dev chain only.`);
    });
  return keys;
}
