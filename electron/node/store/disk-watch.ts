// The disk under the data folder (issue 19, "A full disk"; decision #67). Every few seconds the
// node asks the file system how much space is left and writes, syncs and removes a small probe
// file beside its stores, and checks that its store's files are still there. While the disk is
// short (under the reserve), full, read-only, or the store's files are gone, the node accepts no
// new transaction (507 with one code: it gives no acknowledgement it cannot make durable), and
// says so in its status, its metrics and the UI. It keeps following and answering reads. When
// the disk takes writes again it recovers by itself: a store that refused a write is opened
// again (ChainStore.recoverWrites) and consensus is restarted at once, then the node syncs what
// it missed.
import { randomBytes } from 'node:crypto';
import { constants as fsConstants } from 'node:fs';
import { open, rm, stat, statfs } from 'node:fs/promises';
import { join } from 'node:path';
import type { DiskState, DiskStatus } from '../../../shared/api/index.js';
import { ApiError } from '../api/errors.js';
import { DataFiles } from '../config.js';
import { every, type Clock } from '../lifecycle/clock.js';
import type { StoreError } from './errors.js';

/** How often the disk is looked at. */
export const DISK_CHECK_MS = 2_000;
/** Free space kept for the blocks the node must still write; submissions stop below it. */
export const DISK_RESERVE_BYTES_DEFAULT = 256 * 1024 * 1024;
/** The probe written, synced and removed at each look. */
const PROBE_FILE = '.disk-probe';
const PROBE_BYTES = 4096;
/** errno codes of a disk that takes no more bytes, and of one that takes no writes at all. */
const FULL_CODES: readonly string[] = ['ENOSPC', 'EDQUOT'];
const READ_ONLY_CODES: readonly string[] = ['EROFS', 'EACCES', 'EPERM'];
const MISSING_CODES: readonly string[] = ['ENOENT', 'ENOTDIR'];

/** What one look at the disk found. */
export interface DiskLook {
  /** Bytes an unprivileged writer may still use; null when the file system would not say. */
  freeBytes: number | null;
  /** The probe's failure (an errno code), or undefined when it was written and removed. */
  probeError: string | undefined;
  /** A store file that should be there and is not (its path), if any. */
  missing: string | undefined;
}

export interface DiskProbe {
  look(): Promise<DiskLook>;
}

/** The real disk under `dataDir`; `storeFiles`: paths that must exist (the store's CURRENT file). */
export function fileSystemProbe(dataDir: string, storeFiles: readonly string[]): DiskProbe {
  return {
    async look() {
      let freeBytes: number | null = null;
      try {
        const info = await statfs(dataDir);
        freeBytes = info.bavail * info.bsize;
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code ?? 'EIO';
        if (MISSING_CODES.includes(code)) return { freeBytes, probeError: code, missing: dataDir };
      }
      let missing: string | undefined;
      for (const path of storeFiles) {
        try {
          await stat(path);
        } catch (error) {
          if (MISSING_CODES.includes((error as NodeJS.ErrnoException).code ?? '')) {
            missing = path;
            break;
          }
        }
      }
      return { freeBytes, probeError: await probe(join(dataDir, PROBE_FILE)), missing };
    },
  };
}

/** Writes, syncs and removes a small file: the errno code of the first step that failed. */
async function probe(path: string): Promise<string | undefined> {
  let file;
  try {
    file = await open(path, fsConstants.O_WRONLY | fsConstants.O_CREAT | fsConstants.O_TRUNC, 0o600);
    await file.write(randomBytes(PROBE_BYTES));
    await file.datasync();
    return undefined;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code ?? 'EIO';
  } finally {
    await file?.close().catch(() => undefined);
    await rm(path, { force: true }).catch(() => undefined);
  }
}

export interface DiskWatchInit {
  dataDir: string;
  /** Free bytes kept in reserve (config disk.reserveMb). */
  reserveBytes: number;
  probe?: DiskProbe;
  /** Between looks (default DISK_CHECK_MS). */
  checkMs?: number;
}

export interface DiskWatchComponents {
  /** The chain's store: whether it refused a write, and how to open it again. */
  chain: { readonly store: { readonly writeRefused: StoreError | undefined; recoverWrites(): Promise<void> } };
  clock: Clock;
  log: {
    info(fields: object, message: string): void;
    warn(fields: object, message: string): void;
    error(fields: object, message: string): void;
  };
}

export function diskWatch(init: DiskWatchInit) {
  return (components: DiskWatchComponents) => new DiskWatch(init, components);
}

/** The state a look gives, before the store's own refusal is considered. */
export function diskStateOf(look: DiskLook, reserveBytes: number): DiskState {
  if (look.missing !== undefined) return 'missing';
  if (look.probeError !== undefined) {
    if (FULL_CODES.includes(look.probeError)) return 'full';
    if (READ_ONLY_CODES.includes(look.probeError)) return 'read-only';
    if (MISSING_CODES.includes(look.probeError)) return 'missing';
    return 'failing';
  }
  if (look.freeBytes !== null && look.freeBytes < reserveBytes) return 'low';
  return 'ok';
}

/** The API code a submission is refused with in each state. */
const REFUSAL_CODE: Record<Exclude<DiskState, 'ok'>, string> = {
  low: 'DISK_FULL',
  full: 'DISK_FULL',
  'read-only': 'DISK_READ_ONLY',
  missing: 'DATA_FILES_MISSING',
  failing: 'DISK_FAILING',
};

export class DiskWatch {
  #look: DiskLook = { freeBytes: null, probeError: undefined, missing: undefined };
  #state: DiskState = 'ok';
  #sinceMs: number;
  #stopTimer: (() => void) | undefined;
  #looking: Promise<void> | undefined;
  #recovered: Array<() => void> = [];
  readonly #probe: DiskProbe;

  constructor(
    private readonly init: DiskWatchInit,
    private readonly components: DiskWatchComponents,
  ) {
    // The store's CURRENT (LevelDB starts empty without it) and the pending log (appends to a
    // removed file would be acknowledged and lost).
    this.#probe =
      init.probe ??
      fileSystemProbe(init.dataDir, [
        join(init.dataDir, DataFiles.chain, 'CURRENT'),
        join(init.dataDir, DataFiles.pendingLog),
      ]);
    this.#sinceMs = components.clock.now();
  }

  get state(): DiskState {
    return this.#state;
  }

  view(): DiskStatus {
    return {
      state: this.#state,
      freeBytes: this.#look.freeBytes,
      reserveBytes: this.init.reserveBytes,
      sinceMs: this.#sinceMs,
      ...(this.#state === 'ok' ? {} : { sentence: this.sentence() }),
    };
  }

  /** Called after the node opened its store again and took writes after a refusal (consensus restarts). */
  onRecovered(listener: () => void): void {
    this.#recovered.push(listener);
  }

  sentence(): string {
    const dir = this.init.dataDir;
    const mb = (bytes: number | null) => (bytes === null ? '?' : `${Math.floor(bytes / (1024 * 1024))} MB`);
    switch (this.#state) {
      case 'ok':
        return `the disk holding ${dir} takes writes`;
      case 'low':
        return `the disk holding ${dir} has ${mb(this.#look.freeBytes)} free, under the ${mb(this.init.reserveBytes)} this node keeps for its blocks; it accepts no new transactions until space is freed, and takes them again by itself`;
      case 'full':
        return `the disk holding ${dir} is full (${this.#look.probeError ?? 'ENOSPC'}); this node accepts no new transactions and may fall behind until space is freed, then catches up by itself`;
      case 'read-only':
        return `the disk holding ${dir} refuses writes (${this.#look.probeError ?? 'EROFS'}); this node accepts no new transactions until it takes writes again, then catches up by itself`;
      case 'missing':
        return `files of this node's data folder are gone (${this.#look.missing ?? dir}); it accepts no new transactions: stop the node, restore the folder from a backup or run \`notary repair --data ${dir}\` to re-sync it from peers`;
      case 'failing':
        return `the disk holding ${dir} fails writes (${this.#look.probeError ?? 'EIO'}); this node accepts no new transactions until it takes writes again`;
    }
  }

  /** REJECT with 507 while the disk cannot keep what the node would acknowledge. */
  refuse(): void {
    if (this.#state !== 'ok') throw new ApiError(507, REFUSAL_CODE[this.#state], `Not accepted: ${this.sentence()}.`);
  }

  /**
   * An error a write on the API's path met: a disk that filled up or turned read-only between two
   * looks is looked at now, and the answer is the refusal (507) instead of a raw errno. Returns
   * the error to throw.
   */
  translate(error: unknown): unknown {
    const code =
      (error as NodeJS.ErrnoException | undefined)?.code ?? (error as { cause?: NodeJS.ErrnoException })?.cause?.code;
    if (code === undefined || ![...FULL_CODES, ...READ_ONLY_CODES].includes(code)) return error;
    this.#look = { ...this.#look, probeError: code };
    this.#setState(diskStateOf(this.#look, this.init.reserveBytes));
    void this.check();
    return this.#state === 'ok'
      ? error
      : new ApiError(507, REFUSAL_CODE[this.#state], `Not accepted: ${this.sentence()}.`);
  }

  start(): void {
    void this.check();
    this.#stopTimer = every(this.components.clock, this.init.checkMs ?? DISK_CHECK_MS, () => void this.check());
  }

  async stop(): Promise<void> {
    this.#stopTimer?.();
    this.#stopTimer = undefined;
    await this.#looking;
  }

  /** One look (one at a time; a call during a look waits for it). */
  check(): Promise<void> {
    this.#looking ??= this.#check().finally(() => (this.#looking = undefined));
    return this.#looking;
  }

  async #check(): Promise<void> {
    const { log } = this.components;
    const { store } = this.components.chain;
    try {
      this.#look = await this.#probe.look();
    } catch (error) {
      log.warn({ err: error }, 'the disk could not be looked at');
      return;
    }
    let state = diskStateOf(this.#look, this.init.reserveBytes);
    // The disk takes writes again after the store refused one: open the store again.
    if ((state === 'ok' || state === 'low') && store.writeRefused) {
      try {
        await store.recoverWrites();
        log.warn({}, 'the store takes writes again after the disk refused one; consensus restarts now');
        for (const listener of this.#recovered) listener();
      } catch (error) {
        log.warn({ err: error }, 'the store does not take writes yet');
        state = 'full';
      }
    }
    this.#setState(state);
  }

  #setState(state: DiskState): void {
    if (state === this.#state) return;
    const { log, clock } = this.components;
    const was = this.#state;
    this.#state = state;
    this.#sinceMs = clock.now();
    if (state === 'ok')
      log.info({ was, freeBytes: this.#look.freeBytes }, 'the disk takes writes again; accepting transactions');
    else log.error({ state, freeBytes: this.#look.freeBytes, probe: this.#look.probeError }, this.sentence());
  }
}
