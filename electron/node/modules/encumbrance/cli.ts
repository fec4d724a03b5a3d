// The encumbrance module's `notary tx encumbrance add | release` builders.
import { Command, Option } from 'commander';
import { LIMITS, schema } from '../../../../shared/ledger/index.js';
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

export function encumbranceCommand(): Command {
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
