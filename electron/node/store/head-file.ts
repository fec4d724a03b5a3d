// The committed head height, kept also outside LevelDB (issue 7, gap 2).
//
// LevelDB drops a torn or damaged tail of its write-ahead log without a word, so a store whose
// log lost its newest batches opens, whole and consistent, at an earlier head: a single-node
// chain would lose committed blocks silently. After each committed block's synced batch, a
// durable store also records { height, blockHash } in this small file (temp + fsync + rename +
// fsync of the folder); at open a LevelDB head below it is refused with STORE_ROLLED_BACK.
//
// The file lives inside the chain folder, next to LevelDB's files (LevelDB ignores names it does
// not own), so the decided repair - move the chain folder aside and re-sync - moves it along.
// It may lag LevelDB by one block (a crash between the batch and the file): that is accepted.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileDurably } from './durable-file.js';
import { StoreError, corruptError } from './errors.js';
import { isHash64 } from './keys.js';

export const HEAD_FILE_NAME = 'committed-head.json';
const HEAD_FILE_BYTES_MAX = 4096;

export interface RecordedHead {
  height: number;
  blockHash: string;
}

export function headFilePath(dir: string): string {
  return join(dir, HEAD_FILE_NAME);
}

/** The recorded head, or undefined when the store never recorded one (new, scratch, or older). */
export async function readHeadFile(dir: string): Promise<RecordedHead | undefined> {
  const path = headFilePath(dir);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    throw new StoreError('STORE_IO', `Cannot read ${path}: ${code ?? (error as Error).message}.`, { cause: error });
  }
  let value: unknown;
  try {
    value = text.length <= HEAD_FILE_BYTES_MAX ? JSON.parse(text) : undefined;
  } catch {
    value = undefined;
  }
  const record = value as Partial<RecordedHead> | undefined;
  if (
    typeof record !== 'object' ||
    record === null ||
    !Number.isSafeInteger(record.height) ||
    (record.height as number) < 0 ||
    !isHash64(record.blockHash)
  ) {
    // Written by rename, so never torn: a damaged file means a damaged disk.
    throw corruptError(
      dir,
      `its committed-head file ${path} is not {"height", "blockHash"} JSON; delete it only if the disk is sound`,
    );
  }
  return { height: record.height as number, blockHash: record.blockHash as string };
}

/** Durable replace: the old or the new record survives a crash, never a mix. */
export async function writeHeadFile(dir: string, head: RecordedHead): Promise<void> {
  await writeFileDurably(headFilePath(dir), `${JSON.stringify({ height: head.height, blockHash: head.blockHash })}\n`);
}

/**
 * Open-time check against the LevelDB head. Below the record: committed blocks were lost.
 * At or above it (the file lags by at most the block a crash interrupted): the recorded
 * block must be the one the store holds at that height.
 */
export function checkAgainstRecord(
  dir: string,
  headHeight: number,
  recorded: RecordedHead,
  storedHeightOfRecordedHash: number | undefined,
): void {
  if (headHeight < recorded.height) {
    const lost =
      headHeight + 1 === recorded.height ? `block ${recorded.height}` : `blocks ${headHeight + 1}..${recorded.height}`;
    throw new StoreError(
      'STORE_ROLLED_BACK',
      `The store at ${dir} lost committed ${lost}: LevelDB opens at height ${headHeight} (its write-ahead log was truncated or damaged) but block ${recorded.height} was committed (${HEAD_FILE_NAME}). ` +
        `Move the chain folder aside (mv ${dir} ${dir}.damaged) and start the node: it re-syncs every block from its peers (a chain with no other node: restore the folder from a backup).`,
    );
  }
  if (storedHeightOfRecordedHash !== recorded.height) {
    throw corruptError(
      dir,
      `its committed-head file names block ${recorded.blockHash} at height ${recorded.height}, which the store does not hold at that height`,
    );
  }
}
