// `notary keys new`: a new party signing key, sealed in an encrypted keystore file.
import { resolve } from 'node:path';
import { Command } from 'commander';
import { generateKeyPair } from '../../../shared/crypto/index.js';
import { createKeystore, readPassphrase } from '../keystore/index.js';

export function keysCommand(): Command {
  const keys = new Command('keys').description('signing keys in encrypted keystore files: keys new --out FILE');
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
  return keys;
}
