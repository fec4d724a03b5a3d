// `notary repair`: the decided repair of a damaged store (docs/decisions.md #34, #44). The node
// must be stopped; the chain folder is moved aside (kept, for the record and for a chain with
// no other node), and the next `notary start` creates a new store from the genesis and
// re-syncs every block from its peers, each checked against its commit certificate. Nothing
// else in the data folder changes: the keys, the signing record (priv-validator.json, so the
// node never signs twice), the outbox, the inbox and the pending log stay.
import { rename, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { ClassicLevel } from 'classic-level';
import { Command } from 'commander';
import { describeCommand } from './command-descriptions.js';
import { DataFiles } from '../config.js';
import { CliError } from './errors.js';

/** `chain.damaged-20261204T031500Z`: sorts by time, no characters a file system refuses. */
export function damagedFolderName(now: Date): string {
  return `${DataFiles.chain}.damaged-${now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z')}`;
}

export async function repairStore(dataDir: string, now = new Date()): Promise<string> {
  const chainDir = join(dataDir, DataFiles.chain);
  try {
    if (!(await stat(chainDir)).isDirectory()) throw new CliError(`${chainDir} is not a folder; nothing to repair.`);
  } catch (error) {
    if (error instanceof CliError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    throw new CliError(
      code === 'ENOENT'
        ? `No chain folder at ${chainDir}: nothing to repair (the next start re-syncs the chain from its peers).`
        : `Cannot read ${chainDir}: ${code ?? (error as Error).message}.`,
    );
  }
  // A running node holds LevelDB's lock: moving its folder away under it would lose blocks.
  const db = new ClassicLevel(chainDir, { createIfMissing: false });
  try {
    await db.open({ createIfMissing: false });
  } catch (error) {
    const locked = /LEVEL_LOCKED/.test(
      String((error as { cause?: { code?: string } }).cause?.code ?? (error as { code?: string }).code),
    );
    if (locked)
      throw new CliError(
        `A notary node is using ${chainDir} (its LevelDB lock is held): stop it first, then run notary repair again.`,
      );
    // damaged beyond opening: that is what repair is for
  } finally {
    await db.close().catch(() => undefined);
  }
  const aside = join(dataDir, damagedFolderName(now));
  try {
    await rename(chainDir, aside);
  } catch (error) {
    throw new CliError(
      `Could not move ${chainDir} to ${aside}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}.`,
    );
  }
  return aside;
}

export function repairCommand(): Command {
  return new Command('repair')
    .description(describeCommand('repair'))
    .requiredOption('--data <dir>', 'the node data folder')
    .action(async (options: { data: string }) => {
      const dataDir = resolve(options.data);
      const aside = await repairStore(dataDir);
      console.log(
        [
          `repair: moved the chain folder to ${aside}.`,
          `Start the node (notary start --data ${dataDir}): it creates a new store from genesis.json and re-syncs every block from its peers, checking each commit certificate.`,
          `A chain with no other node cannot re-sync: restore the chain folder from a backup instead (or move ${aside} back).`,
        ].join('\n'),
      );
    });
}
