// `notary keys new`: a new party signing key, sealed in an encrypted keystore file; `notary keys
// rotate`: the office's next key and its planned rotation (keys-rotate.ts).
import { resolve } from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { generateKeyPair, isPublicKeyHex, publicKeyOf } from '../../../shared/crypto/index.js';
import { devParty } from '../dev/dev-keys.js';
import { createKeystore, readPassphrase } from '../keystore/index.js';
import { describeCommand } from './command-descriptions.js';
import { CliError } from './errors.js';
import { readJsonFile } from './files.js';
import type { RotateOptions } from './keys-rotate.js';

export function keysCommand(): Command {
  const keys = new Command('keys').description(describeCommand('keys'));
  keys
    .command('new')
    .description('create a new signing key in an encrypted keystore file (mode 0600) and print its public key')
    .requiredOption('--out <file>', 'the keystore file to create (never overwritten)')
    .option('--passphrase-file <file>', 'read the passphrase from the first line of this file instead of asking')
    .action(async (options: { out: string; passphraseFile?: string }) => {
      const out = resolve(options.out);
      const passphrase = await readPassphrase({
        file: options.passphraseFile,
        confirm: true,
        prompt: `Passphrase for the new key in ${out}: `,
      });
      const keyPair = generateKeyPair();
      await createKeystore(out, keyPair, passphrase);
      console.log(`public key ${keyPair.publicKey}`);
      console.error(`notary: keystore written to ${out}; keep its passphrase safe, it cannot be recovered.`);
    });
  keys
    .command('dev-party')
    .description(
      'seal a demo party key of the dev chain (well known: development only) in a keystore, to sign demo contracts; party N owns the demo objects BY-DEV-… whose number is N modulo 50',
    )
    .argument('<index>', 'the demo party, 0 to 49')
    .requiredOption('--out <file>', 'the keystore file to create (never overwritten)')
    .option('--passphrase-file <file>', 'read the passphrase from the first line of this file instead of asking')
    .action(async (index: string, options: { out: string; passphraseFile?: string }) => {
      const n = Number(index);
      if (!/^\d{1,2}$/.test(index) || n > 49)
        throw new CliError(`${index} is not a demo party: give a number from 0 to 49.`);
      const out = resolve(options.out);
      const passphrase = await readPassphrase({
        file: options.passphraseFile,
        confirm: true,
        prompt: `Passphrase for demo party ${n} in ${out}: `,
      });
      const keyPair = devParty(n);
      await createKeystore(out, keyPair, passphrase);
      console.log(`public key ${keyPair.publicKey}`);
      console.error(`notary: demo party ${n} sealed in ${out}; its key is public knowledge, for the dev chain only.`);
    });
  keys
    .command('seal')
    .description(
      "seal a plain signing key file (a devnet's DATA/signing-key.json: development only) in an encrypted keystore, to sign or certify with it",
    )
    .argument('<file>', 'the plain key file, JSON {"publicKey", "secretKey"} as hex')
    .requiredOption('--out <file>', 'the keystore file to create (never overwritten)')
    .option('--passphrase-file <file>', 'read the passphrase from the first line of this file instead of asking')
    .action(async (file: string, options: { out: string; passphraseFile?: string }) => {
      const path = resolve(file);
      const json = (await readJsonFile(path, 'plain signing key')) as {
        publicKey?: unknown;
        secretKey?: unknown;
      } | null;
      const secretKey = json?.secretKey;
      // REJECT: halves that do not match would sign what every peer refuses
      if (
        typeof secretKey !== 'string' ||
        !/^[0-9a-f]{64}$/.test(secretKey) ||
        !isPublicKeyHex(json?.publicKey) ||
        publicKeyOf(secretKey) !== json.publicKey
      ) {
        throw new CliError(
          `${path} does not hold a plain key pair {"publicKey", "secretKey"} as matching hex (a devnet's signing-key.json).`,
        );
      }
      const out = resolve(options.out);
      const passphrase = await readPassphrase({
        file: options.passphraseFile,
        confirm: true,
        prompt: `Passphrase for the key sealed in ${out}: `,
      });
      await createKeystore(out, { publicKey: json.publicKey, secretKey }, passphrase);
      console.log(`public key ${json.publicKey}`);
      console.error(
        `notary: the key of ${path} sealed in ${out}; the plain file is still there (a devnet's node reads it).`,
      );
    });
  keys
    .command('rotate')
    .description(
      "make the office's next signing key in this node's keystore and write the key rotation, signed by the current key, for the registrars to co-sign",
    )
    .requiredOption('--data <dir>', 'the node data folder: its key, and the chain id of its genesis.json')
    .requiredOption('--version <n>', "the office's authority record version now (GET /api/v1/validators)", count(1))
    .requiredOption('--out <file>', 'the JSON file to write')
    .option('--force', 'overwrite --out if it exists')
    .option('--expires-in-hours <h>', 'hours until the transaction expires (at most 720)', count(1, 720), 24)
    .option('--nonce <n>', 'a number making the transaction unique (random by default)', count(0))
    .option('--peer-id <id>', "the node's libp2p peer id, when it changes with the key")
    .option('--passphrase-file <file>', 'read the passphrase from the first line of this file instead of asking')
    .action(async (options: RotateOptions) => {
      // loaded here: the other keys commands never load the ledger
      const { rotateKeys } = await import('./keys-rotate.js');
      await rotateKeys(options);
    });
  return keys;
}

function count(min: number, max = Number.MAX_SAFE_INTEGER) {
  return (value: string): number => {
    const n = /^\d+$/.test(value) ? Number(value) : Number.NaN;
    if (!Number.isSafeInteger(n) || n < min || n > max)
      throw new InvalidArgumentError(`expected a whole number from ${min} to ${max}`);
    return n;
  };
}
