// The governance module's `notary tx governance upgrade | cancel-upgrade | params` builders.
// Like authority changes, each is co-signed by more than 2/3 of the active registrars
// (`notary tx sign`, or the Governance screen's co-sign), then submitted once.
import { Command } from 'commander';
import { LATEST_PROTOCOL } from '../../../../shared/ledger/index.js';
import { PARAM_BOUNDS, UPGRADE_NOTICE_BLOCKS_MIN } from '../../../../shared/modules/governance/types.js';
import { CliError } from '../../cli/errors.js';
import {
  builder,
  envelopeOf,
  summary,
  text,
  uint,
  wholeNumber,
  writeTx,
  type EnvelopeOptions,
  type OutOptions,
} from '../../cli/tx-build.js';

const version = wholeNumber(2, 1_000);

export function governanceCommand(): Command {
  const command = new Command('governance').description(
    "the chain's protocol upgrades and parameters, co-signed by more than 2/3 of the active registrars: governance upgrade | cancel-upgrade | params",
  );
  command.addCommand(
    builder('upgrade', 'schedule a protocol upgrade: from --height on, blocks follow the rules of --version')
      .requiredOption('--version <n>', 'the protocol version to switch to', version)
      .requiredOption(
        '--height <h>',
        `the first height under the new rules (at least ${UPGRADE_NOTICE_BLOCKS_MIN} blocks after the block that carries this)`,
        uint,
      )
      .option('--name <text>', 'what the release notes call it', text(64))
      .action(async (options: EnvelopeOptions & OutOptions & { version: number; height: number; name?: string }) => {
        const schedule = {
          version: options.version,
          height: options.height,
          ...(options.name ? { name: options.name } : {}),
        };
        const tx = await writeTx(
          { type: 'governance.upgrade', ...(await envelopeOf(options)), payload: { schedule } },
          options,
        );
        console.log(summary(tx, options.out));
        // Registrars may schedule a version newer than this release: say so, it is easy to mistype.
        if (options.version > LATEST_PROTOCOL)
          console.log(
            `Note: this release runs up to protocol ${LATEST_PROTOCOL}; every office needs a release with protocol ${options.version} before height ${options.height}.`,
          );
      }),
  );
  command.addCommand(
    builder('cancel-upgrade', 'cancel the scheduled upgrade (name it as GET /api/v1/status shows it)')
      .requiredOption('--version <n>', 'its protocol version', version)
      .requiredOption('--height <h>', 'its height', uint)
      .action(async (options: EnvelopeOptions & OutOptions & { version: number; height: number }) => {
        const tx = await writeTx(
          {
            type: 'governance.upgrade',
            ...(await envelopeOf(options)),
            payload: { cancel: { version: options.version, height: options.height } },
          },
          options,
        );
        console.log(summary(tx, options.out));
      }),
  );
  command.addCommand(
    builder('params', "change the chain's parameters (protocol 2)")
      .option(
        '--max-validators <n>',
        'the most validators governance may designate',
        wholeNumber(PARAM_BOUNDS.maxValidators.min, PARAM_BOUNDS.maxValidators.max),
      )
      .option(
        '--heartbeat-ms <ms>',
        'how long validators wait for a transaction before an empty block',
        wholeNumber(PARAM_BOUNDS.heartbeatMs.min, PARAM_BOUNDS.heartbeatMs.max),
      )
      .action(async (options: EnvelopeOptions & OutOptions & { maxValidators?: number; heartbeatMs?: number }) => {
        const changes = {
          ...(options.maxValidators !== undefined ? { maxValidators: options.maxValidators } : {}),
          ...(options.heartbeatMs !== undefined ? { heartbeatMs: options.heartbeatMs } : {}),
        };
        if (Object.keys(changes).length === 0)
          throw new CliError('Give at least one change: --max-validators or --heartbeat-ms.');
        const tx = await writeTx(
          { type: 'governance.params', ...(await envelopeOf(options)), payload: { changes } },
          options,
        );
        console.log(summary(tx, options.out));
      }),
  );
  return command;
}
