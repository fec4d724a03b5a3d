// Typed store errors. Every way the store can refuse to start or to write has a code the
// node maps to an exit status or UI message, and a sentence an operator can act on.
// LevelDB's own errors (codes LEVEL_*) never leave the store raw: they are translated here.
import { describeRow, type RowName } from './keys.js';

export type StoreErrorCode =
  | 'STORE_CORRUPT'
  | 'STORE_VERSION'
  | 'STORE_CHAIN_MISMATCH'
  | 'STORE_LOCKED'
  | 'STORE_MISSING'
  | 'STORE_INVALID_BATCH'
  /** LevelDB opens below the committed head recorded outside it: its log lost committed blocks. */
  | 'STORE_ROLLED_BACK'
  /** The disk refused a read or write that damage does not explain (permissions, disk full). */
  | 'STORE_IO';

export class StoreError extends Error {
  readonly code: StoreErrorCode;
  constructor(code: StoreErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StoreError';
    this.code = code;
  }
}

export const REMEDY = 'Run `notary audit` or re-sync from peers.';

/**
 * Damage found in the store: by LevelDB (a block checksum, a table it cannot read) or by the
 * node's own checks on what it read (a state-tree node not hashing to its key, a state value
 * the tree does not hold, a block or commit that does not match its height). Always code
 * STORE_CORRUPT; `row` names the row (kind and key) when the damage is in one.
 */
export class StoreDamage extends StoreError {
  readonly dir: string;
  readonly row: RowName | undefined;
  /** What is wrong, without the store and the remedy: "does not hash to its key". */
  readonly what: string;
  constructor(dir: string, what: string, row: RowName | undefined, options?: { cause?: unknown }) {
    super(
      'STORE_CORRUPT',
      `The store at ${dir} is corrupt: ${row === undefined ? '' : `${describeRow(row)}: `}${what}. ${REMEDY}`,
      options,
    );
    this.name = 'StoreDamage';
    this.dir = dir;
    this.row = row;
    this.what = what;
  }

  /** "row state-node 3fa2… does not hash to its key" */
  get where(): string {
    return this.row === undefined ? this.dir : describeRow(this.row);
  }
}

export function corruptError(dir: string, what: string, cause?: unknown, row?: RowName): StoreDamage {
  return new StoreDamage(dir, what, row, { cause });
}

/** The StoreDamage inside `error` (itself, or a cause up to 8 deep), if any. */
export function damageOf(error: unknown): StoreDamage | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 8 && current instanceof Error; depth++) {
    if (current instanceof StoreDamage) return current;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

export function invalidBatch(height: unknown, what: string): StoreError {
  return new StoreError(
    'STORE_INVALID_BATCH',
    `Refused to write block ${String(height)}: ${what}; nothing was written.`,
  );
}

interface LevelFailure {
  code: string | undefined;
  message: string;
}

/**
 * abstract-level wraps the LevelDB status in `cause` (open: LEVEL_DATABASE_NOT_OPEN whose
 * cause is LEVEL_LOCKED / LEVEL_CORRUPTION / LEVEL_IO_ERROR). The innermost error carries
 * LevelDB's own sentence, which is what an operator needs to see.
 */
function innermost(error: unknown): LevelFailure {
  let current: unknown = error;
  for (let depth = 0; depth < 8; depth++) {
    const next = (current as { cause?: unknown } | null)?.cause;
    if (!(next instanceof Error)) break;
    current = next;
  }
  const asError = current as { code?: unknown; message?: unknown } | null;
  return {
    code: typeof asError?.code === 'string' ? asError.code : undefined,
    message: typeof asError?.message === 'string' ? asError.message : String(current),
  };
}

/** Maps a failed LevelDB open to the store's codes; damage of any kind is STORE_CORRUPT. */
export function fromOpenError(dir: string, error: unknown): StoreError {
  if (error instanceof StoreError) return error;
  const failure = innermost(error);
  if (failure.code === 'LEVEL_LOCKED') {
    return new StoreError(
      'STORE_LOCKED',
      `Another notary node is using ${dir} (its LevelDB lock is held); stop it first.`,
      {
        cause: error,
      },
    );
  }
  if (/does not exist \(create_if_missing is false\)/.test(failure.message)) {
    return new StoreError('STORE_MISSING', `No store exists at ${dir}.`, { cause: error });
  }
  if (failure.code === 'LEVEL_IO_ERROR' && /Permission denied/i.test(failure.message)) {
    return new StoreError('STORE_IO', `Cannot open the store at ${dir}: LevelDB says "${failure.message}".`, {
      cause: error,
    });
  }
  // Corruption, a missing MANIFEST or table, a garbled CURRENT: LevelDB cannot rebuild the
  // database from its files, so refuse it rather than start from something partial.
  return corruptError(dir, `LevelDB cannot open its files ("${failure.message}")`, error);
}

/**
 * Maps a failed reopen after the disk refused a write (ChainStore.recoverWrites): LevelDB's own
 * corruption is damage; anything else (the disk still full or read-only) is STORE_IO, tried again.
 */
export function fromReopenError(dir: string, error: unknown): StoreError {
  if (error instanceof StoreError) return error;
  const failure = innermost(error);
  if (failure.code === 'LEVEL_CORRUPTION')
    return corruptError(dir, `LevelDB cannot open its files again ("${failure.message}")`, error);
  return new StoreError('STORE_IO', `The store at ${dir} did not open again: ${failure.message}.`, { cause: error });
}

/** Maps a failed read: a damaged or truncated table file is corruption, never a raw crash. */
export function fromReadError(dir: string, what: string, error: unknown, row?: RowName): StoreError {
  if (error instanceof StoreError) return error;
  const failure = innermost(error);
  if (failure.code === 'LEVEL_CORRUPTION' || failure.code === 'LEVEL_IO_ERROR') {
    return corruptError(dir, `reading ${what} failed ("${failure.message}")`, error, row);
  }
  return new StoreError('STORE_IO', `Reading ${what} from the store at ${dir} failed: ${failure.message}.`, {
    cause: error,
  });
}

/** Maps a failed write. The block was not committed; LevelDB refuses further writes after this. */
export function fromWriteError(dir: string, height: number, error: unknown): StoreError {
  const failure = innermost(error);
  if (failure.code === 'LEVEL_CORRUPTION')
    return corruptError(dir, `writing block ${height} failed ("${failure.message}")`, error);
  return new StoreError(
    'STORE_IO',
    `Writing block ${height} to the store at ${dir} failed ("${failure.message}"); the block was not committed. Fix the disk and restart the node.`,
    { cause: error },
  );
}
