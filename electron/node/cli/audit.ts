// `notary audit`: re-verifies a stopped node's whole chain from genesis (hash links, commit
// certificates, re-execution, stored state, the state tree and the indexes) and names the
// height of any damage. A store that lost committed blocks (STORE_ROLLED_BACK) or is refused
// at open is named by the open's own sentence.
import { stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { Command } from 'commander';
import { auditChain, type AuditPhase } from '../chain/audit.js';
import { DataFiles, genesisPropertiesFile, readGenesis } from '../config.js';
import { createFastVerifier } from '../crypto/fast-verify.js';
import { ChainStore } from '../store/index.js';
import { describeCommand } from './command-descriptions.js';
import { CliError } from './errors.js';

/** A progress line at least this often, even when the percentage stands still (slow disk, huge block). */
const PROGRESS_INTERVAL_MS = 2_000;
/** ...and at most this often, so a short audit prints a line or two, not one per block. */
const PROGRESS_INTERVAL_MIN_MS = 250;

export function auditCommand(): Command {
  return new Command('audit')
    .description(describeCommand('audit'))
    .requiredOption('--data <dir>', 'the node data folder (the node must be stopped)')
    .action(async (options: { data: string }) => {
      const dataDir = resolve(options.data);
      await requireDirectory(dataDir);
      const genesis = await readGenesis(dataDir);
      // createIfMissing false: an audit never creates a store; a locked or damaged one throws its sentence.
      const store = await ChainStore.open(join(dataDir, DataFiles.chain), {
        createIfMissing: false,
        chainId: genesis.chainId,
      });
      try {
        const progress = progressReporter();
        const report = await auditChain(store, genesis, {
          verify: createFastVerifier(),
          onProgress: progress.update,
          onRowsProgress: progress.rows,
          genesisPropertiesFile: await genesisPropertiesFile(dataDir),
        });
        progress.done();
        if (report.ok) {
          console.log(`audit: clean, ${report.headHeight + 1} blocks, ${report.transactions} transactions`);
        } else {
          console.log(`audit: DAMAGE at height ${report.problem?.height}: ${report.problem?.message}`);
          process.exitCode = 1;
        }
      } finally {
        await store.close();
      }
    });
}

async function requireDirectory(dir: string): Promise<void> {
  try {
    if (!(await stat(dir)).isDirectory()) throw new CliError(`${dir} is not a node data folder (it is not a folder).`);
  } catch (error) {
    if (error instanceof CliError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    throw new CliError(
      code === 'ENOENT'
        ? `No node data folder at ${dir}.`
        : `Cannot read the node data folder ${dir}: ${code ?? (error as Error).message}.`,
    );
  }
}

/** A stderr line per percent (at most 4 a second), every two seconds, and at the end; rewritten in place on a terminal. */
function progressReporter() {
  const terminal = process.stderr.isTTY === true;
  let lastPercent = -1;
  let lastMs = performance.now();
  let printed = false;
  return {
    update(height: number, headHeight: number) {
      const percent = headHeight <= 0 ? 100 : Math.floor((height * 100) / headHeight);
      const nowMs = performance.now();
      const elapsedMs = nowMs - lastMs;
      const due = elapsedMs >= PROGRESS_INTERVAL_MS || (percent > lastPercent && elapsedMs >= PROGRESS_INTERVAL_MIN_MS);
      if (!due && height !== headHeight) return;
      lastPercent = percent;
      lastMs = nowMs;
      printed = true;
      const line = `audit: height ${height} / ${headHeight} (${percent}%)`;
      process.stderr.write(terminal ? `\r${line}\u001b[K` : `${line}\n`);
    },
    /** After the blocks: the state tree and index rows checked so far, every two seconds. */
    rows(phase: AuditPhase, checked: number) {
      const nowMs = performance.now();
      if (nowMs - lastMs < PROGRESS_INTERVAL_MS) return;
      lastMs = nowMs;
      printed = true;
      const line = `audit: checking ${phase === 'state tree' ? 'the state tree' : 'the index rows'}, ${checked} rows so far`;
      process.stderr.write(terminal ? `\r${line}\u001b[K` : `${line}\n`);
    },
    done() {
      if (terminal && printed) process.stderr.write('\n');
    },
  };
}
