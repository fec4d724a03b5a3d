// `notary init`: a new node data folder (node key, config, encrypted signing key; with --dev a
// single-validator dev chain), then the exact command that starts it.
import { resolve } from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import { DataFiles } from '../config.js';
import { readPassphrase } from '../keystore/index.js';
import { describeCommand } from './command-descriptions.js';
import { CliError } from './errors.js';

function objectCount(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 1_000_000)
    throw new InvalidArgumentError('expected a whole number from 0 to 1000000');
  return n;
}

interface InitCliOptions {
  data: string;
  dev?: boolean;
  role: 'registrar' | 'notary' | 'observer';
  name?: string;
  passphraseFile?: string;
  objects?: number;
}

export function initCommand(): Command {
  return new Command('init')
    .description(describeCommand('init'))
    .requiredOption('--data <dir>', 'a new or empty folder for the node')
    .option('--dev', 'also write a dev chain genesis (300 demo objects) on which this node is the only validator')
    .addOption(
      new Option('--role <role>', 'what the node is').choices(['registrar', 'notary', 'observer']).default('notary'),
    )
    .option('--name <name>', 'the office name shown to other nodes')
    .option(
      '--passphrase-file <file>',
      'read the signing key passphrase from the first line of this file instead of asking',
    )
    .option('--objects <n>', 'demo property objects in a --dev genesis', objectCount)
    .action(async (options: InitCliOptions) => {
      const dataDir = resolve(options.data);
      const { InitError, initNode } = await import('../setup/init.js');
      // observers sign nothing, so they are never asked for a passphrase
      const passphrase =
        options.role === 'observer'
          ? undefined
          : await readPassphrase({
              file: options.passphraseFile,
              confirm: true,
              prompt: `Passphrase for the signing key of ${dataDir}: `,
            });
      let result;
      try {
        result = await initNode({
          dataDir,
          dev: options.dev === true,
          role: options.role,
          passphrase,
          ...(options.name !== undefined ? { name: options.name } : {}),
          ...(options.objects !== undefined ? { objects: options.objects } : {}),
        });
      } catch (error) {
        if (error instanceof InitError) throw new CliError(error.message);
        throw error;
      }
      console.log(`node ${result.name} (${result.role}) initialised in ${result.dataDir}`);
      if (result.publicKey) console.log(`public key ${result.publicKey}`);
      console.log(`peer id ${result.peerId}`);
      if (result.keystoreFile)
        console.log(`signing key sealed in ${result.keystoreFile}; keep its passphrase safe, it cannot be recovered`);
      if (result.chainId) {
        console.log(
          `dev chain ${result.chainId}: this node is its only validator (development only: demo parties use well-known keys)`,
        );
      } else {
        console.log(
          `next: copy the network's ${DataFiles.genesis} into ${result.dataDir}, add the network's bootstrap peers (multiaddrs with /p2p/<peer id>) and a reachable listen address to ${result.dataDir}/${DataFiles.config},`,
        );
        console.log(`      and give the registrars your public key and peer id so the network admits this node`);
      }
      console.log(`start it with: npx notary start --data ${result.dataDir}`);
    });
}
