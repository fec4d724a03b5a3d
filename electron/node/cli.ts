// The `notary` command line (commander). Every error is one clear sentence and a non-zero exit.
// Only commander loads at start; a command's own code is imported when it runs (cli/commands.ts).
import './runtime-check.js';
import { resolve } from 'node:path';
import { Command, Help, InvalidArgumentError } from 'commander';
import { LAZY_COMMANDS, type LazyCommandName } from './cli/commands.js';

function integer(min: number, max: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min || n > max)
      throw new InvalidArgumentError(`expected a whole number from ${min} to ${max}`);
    return n;
  };
}

function hostPort(value: string): { host: string; port: number } {
  const match = /^(.+):(\d{1,5})$/.exec(value);
  if (!match || Number(match[2]) > 65_535) throw new InvalidArgumentError('expected HOST:PORT, e.g. 127.0.0.1:8080');
  return { host: match[1]!, port: Number(match[2]) };
}

const program = new Command()
  .name('notary')
  .description('Notary Network: a node of the national property registry.')
  .showHelpAfterError()
  // the commands not loaded are listed as they would be once loaded
  .configureHelp({
    subcommandTerm: (command) =>
      isLazy(command.name())
        ? LAZY_COMMANDS[command.name() as LazyCommandName].term
        : new Help().subcommandTerm(command),
  });

function isLazy(name: string | undefined): name is LazyCommandName {
  return name !== undefined && Object.hasOwn(LAZY_COMMANDS, name);
}

program
  .command('devnet')
  .description('write keys, genesis and configs for a network of validators, full nodes and observers on 127.0.0.1')
  .requiredOption('--dir <dir>', 'an empty folder for the network')
  .option('--validators <n>', 'validator nodes (registrars and notaries)', integer(1, 64), 4)
  .option(
    '--full-nodes <n>',
    'notary offices that certify and follow without voting (not designated validators)',
    integer(0, 64),
    0,
  )
  .option('--observers <n>', 'observer nodes (banks, courts, read replicas)', integer(0, 64), 0)
  .option('--base-port <port>', 'TCP port of the first node; the others follow', integer(1024, 65_000), 47_000)
  .option('--objects <n>', 'property objects in the genesis registry', integer(0, 10_000_000), 1_000)
  .option(
    '--heartbeat-ms <ms>',
    "the chain's heartbeat: an idle chain makes one block this often (default 120000)",
    integer(1_000, 3_600_000),
  )
  .option(
    '--checkpoint-every-ms <ms>',
    "the chain's checkpoint period, UTC-aligned (default a day)",
    integer(5_000, 31 * 86_400_000), // PARAM_BOUNDS.checkpointEveryMs, not imported: this file loads at every call
  )
  .option(
    '--protocol-version <n>',
    'the protocol of height 1 (default: the latest this release runs); 1 to rehearse an upgrade',
    integer(1, 1_000),
  )
  .action(
    async (options: {
      dir: string;
      validators: number;
      fullNodes: number;
      observers: number;
      basePort: number;
      objects: number;
      heartbeatMs?: number;
      checkpointEveryMs?: number;
      protocolVersion?: number;
    }) => {
      const dir = resolve(options.dir);
      // loaded on use: the offline commands (verify, audit, keys) need not load libp2p
      const { createDevnet } = await import('./dev/devnet.js');
      const { nodes, genesis } = await createDevnet({
        ...options,
        dir,
        ...(options.heartbeatMs ? { chainHeartbeatMs: options.heartbeatMs } : {}),
        ...(options.checkpointEveryMs ? { chainCheckpointEveryMs: options.checkpointEveryMs } : {}),
      });
      console.log(`devnet ${genesis.chainId} written to ${dir}:`);
      for (const node of nodes)
        console.log(
          `  ${node.name.padEnd(12)} ${(node.validator || node.role === 'observer' ? node.role : 'full node').padEnd(9)} tcp ${node.port}  peer ${node.peerId}`,
        );
      console.log(`start each with: npx notary start --data ${dir}/<node>`);
    },
  );

program
  .command('start')
  .description('run a node headless, with its local API')
  .requiredOption('--data <dir>', 'the node data folder')
  .option(
    '--api <host:port>',
    'local API address (default from config, 127.0.0.1 and a free port); an address other machines reach needs api.allowRemote in config.json',
    hostPort,
  )
  .option('--listen <multiaddr>', 'libp2p listen address (overrides the config)')
  .option(
    '--passphrase-file <file>',
    'unlock the signing keystore with the first line of this file (or set NOTARY_PASSPHRASE_FILE); asked on a terminal otherwise',
  )
  .option(
    '--gateway <host:port>',
    "serve the public election gateway there: the voter's page, the public election pages and ballot submissions, no token, nothing else (docs/operations.md); overrides config.gateway's address",
    hostPort,
  )
  .option(
    '--join-snapshot',
    'a data folder without a chain joins from a state snapshot its peers offer (checked against a certified header), then syncs blocks from there',
  )
  .action(
    async (options: {
      data: string;
      api?: { host: string; port: number };
      listen?: string;
      passphraseFile?: string;
      joinSnapshot?: boolean;
      gateway?: { host: string; port: number };
    }) => {
      const dataDir = resolve(options.data);
      const { startPassphrase } = await import('./cli/start-passphrase.js');
      const passphrase = await startPassphrase(dataDir, options.passphraseFile ?? process.env.NOTARY_PASSPHRASE_FILE);
      const { NotaryNode } = await import('./node.js');
      let node: Awaited<ReturnType<typeof NotaryNode.start>>;
      try {
        node = await NotaryNode.start({
          dataDir,
          ...(options.api ? { api: options.api } : {}),
          ...(options.listen ? { listen: [options.listen] } : {}),
          ...(passphrase !== undefined ? { passphrase } : {}),
          ...(options.joinSnapshot ? { joinSnapshot: true } : {}),
          ...(options.gateway ? { gateway: options.gateway } : {}),
        });
      } catch (error) {
        // A damaged store: the sentence, then the one command that re-syncs it.
        const code = (error as { code?: unknown }).code;
        if (code === 'STORE_CORRUPT' || code === 'STORE_ROLLED_BACK') {
          throw new Error(
            `${(error as Error).message} To re-sync it from peers: notary repair --data ${dataDir} (moves the chain folder aside), then start again.`,
            { cause: error },
          );
        }
        throw error;
      }
      let stopping = false;
      const stop = async (signal: string) => {
        if (stopping) return;
        stopping = true;
        console.log(`notary: ${signal}, stopping`);
        await node.stop();
        process.exit(0);
      };
      process.on('SIGINT', () => void stop('SIGINT'));
      process.on('SIGTERM', () => void stop('SIGTERM'));
      console.log(
        `notary: node ${node.config.name} (${node.config.role}) at height ${node.chain.head.height}, peer ${node.network.peerId}`,
      );
      if (node.chain.snapshotBase !== undefined)
        console.log(
          `notary: joined from a snapshot at height ${node.chain.snapshotBase}: blocks and receipts before it are not on this node`,
        );
      console.log(`notary: API ${node.apiUrl}/api/v1 (token in ${dataDir}/api-token)`);
      if (node.apiExposed)
        console.log(
          `notary: WARNING: the API at ${node.apiUrl} is reachable from the network (api.allowRemote is set in config.json); anyone who reaches it with the token controls this node`,
        );
      if (node.gatewayUrl)
        console.log(
          `notary: public election gateway ${node.gatewayUrl}/ (the voter's page, public election pages and ballots only; no token)`,
        );
      const ui = await node.uiUrl();
      console.log(ui ? `notary: UI ${ui}` : 'notary: no UI is served: build it first with npm run build:renderer');
    },
  );

try {
  // the command named (`notary tx sign ...`, or `notary help tx`) is loaded; the others are listed only
  const words = process.argv.slice(2).filter((word) => !word.startsWith('-'));
  const named = words[0] === 'help' ? words[1] : words[0];
  for (const [name, command] of Object.entries(LAZY_COMMANDS)) {
    if (name === named) program.addCommand(await command.load());
    else program.command(name).description(command.description);
  }
  await program.parseAsync(process.argv);
} catch (error) {
  console.error(`notary: ${(error as Error).message}`);
  process.exit(1);
}
