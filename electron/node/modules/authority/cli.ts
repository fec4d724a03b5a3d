// The authority module's `notary tx authority add | update | revoke | rotate` builders.
import { Command, Option } from 'commander';
import { LIMITS, schema } from '../../../../shared/ledger/index.js';
import { CliError } from '../../cli/errors.js';
import {
  builder,
  envelopeOf,
  publicKey,
  summary,
  text,
  uint,
  writeTx,
  type EnvelopeOptions,
  type OutOptions,
} from '../../cli/tx-build.js';

export function authorityCommand(): Command {
  const command = new Command('authority').description(
    'membership changes, co-signed by more than 2/3 of the active registrars: authority add | update | revoke | rotate',
  );
  const roleOption = () => new Option('--role <role>', 'registrar, notary or observer').choices(schema.role.options);
  // Designation (protocol 2): the office votes on blocks, or follows and certifies without voting.
  const validatorOption = (what: string) => new Option('--validator <yes|no>', what).choices(['yes', 'no']);
  command.addCommand(
    builder('add', 'register a new registrar, notary or observer (bank, court)')
      .requiredOption('--key <key>', 'its public key', publicKey)
      .addOption(roleOption().makeOptionMandatory())
      .requiredOption('--name <name>', 'the office name', text(LIMITS.nameLengthMax))
      .option('--peer-id <id>', 'the libp2p peer id of its node', text(128))
      .addOption(validatorOption('from protocol 2: designate it a validator (default no: it follows without voting)'))
      .action(
        async (
          options: EnvelopeOptions &
            OutOptions & { key: string; role: string; name: string; peerId?: string; validator?: 'yes' | 'no' },
        ) => {
          const authority = {
            key: options.key,
            role: options.role,
            name: options.name,
            ...(options.peerId ? { peerId: options.peerId } : {}),
            ...(options.validator ? { validator: options.validator === 'yes' } : {}),
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
    builder(
      'update',
      "change an authority's role, name, status (active / suspended), peer id, or (protocol 2) whether it is a validator",
    )
      .requiredOption('--key <key>', 'its public key', publicKey)
      .requiredOption('--version <n>', 'its record version now (GET /api/v1/validators)', uint)
      .addOption(roleOption())
      .option('--name <name>', 'a new office name', text(LIMITS.nameLengthMax))
      .addOption(new Option('--status <status>', 'suspend or reactivate').choices(['active', 'suspended']))
      .option('--peer-id <id>', 'a new libp2p peer id', text(128))
      .addOption(
        validatorOption('from protocol 2: designate it a validator (yes) or withdraw it (no); takes effect at H + 2'),
      )
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
              validator?: 'yes' | 'no';
            },
        ) => {
          const changes = {
            ...(options.role ? { role: options.role } : {}),
            ...(options.name ? { name: options.name } : {}),
            ...(options.status ? { status: options.status } : {}),
            ...(options.peerId ? { peerId: options.peerId } : {}),
            ...(options.validator ? { validator: options.validator === 'yes' } : {}),
          };
          if (Object.keys(changes).length === 0)
            throw new CliError('Give at least one change: --role, --name, --status, --peer-id or --validator.');
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
  command.addCommand(
    builder(
      'rotate',
      "move an office to a new signing key, keeping its name, role, seat and records (the office's own node makes a planned one with notary keys rotate)",
    )
      .requiredOption('--key <key>', 'its current public key', publicKey)
      .requiredOption('--version <n>', 'its record version now', uint)
      .requiredOption('--new-key <key>', 'the public key it moves to (never registered before)', publicKey)
      .addOption(
        new Option('--rotation <kind>', 'planned: its current key signs too; lost: the registrars alone')
          .choices(schema.rotation.options)
          .makeOptionMandatory(),
      )
      .option('--peer-id <id>', "its node's libp2p peer id, when it changes with the key", text(128))
      .action(
        async (
          options: EnvelopeOptions &
            OutOptions & { key: string; version: number; newKey: string; rotation: string; peerId?: string },
        ) => {
          const payload = {
            key: options.key,
            version: options.version,
            newKey: options.newKey,
            rotation: options.rotation,
            ...(options.peerId ? { peerId: options.peerId } : {}),
          };
          const tx = await writeTx({ type: 'authority.rotate', ...(await envelopeOf(options)), payload }, options);
          console.log(summary(tx, options.out));
        },
      ),
  );
  return command;
}
