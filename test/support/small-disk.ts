// A node's data folder on a small file system of its own (issue 19, "A full disk"): a tmpfs of a
// few megabytes mounted over the folder (its files copied in), which a test fills to the last
// byte and frees again. Root only (mount); `smallDiskUnavailable()` says why not elsewhere.
// Mounts are named by the folder; `unmount` (lazy, so a process still holding files does not
// keep it) leaves the folder as it was before the mount.
import { execFile, spawnSync } from 'node:child_process';
import { cp, mkdtemp, open, readdir, rm, statfs } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const FILLER_PREFIX = '.filler-';
const CHUNK_BYTES = 1024 * 1024;

/** Why a small disk cannot be mounted here, or undefined when it can (Linux, root, `mount`). */
export function smallDiskUnavailable(): string | undefined {
  if (process.platform !== 'linux') return 'a tmpfs mount needs Linux';
  if (process.getuid?.() !== 0) return 'mounting a tmpfs needs root (run as root, as CI does)';
  const probe = spawnSync('mount', ['--version'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) return `\`mount\` is not available: ${probe.error?.message ?? probe.stderr}`;
  return undefined;
}

export class SmallDisk {
  #fillers = 0;

  private constructor(
    readonly dir: string,
    readonly sizeBytes: number,
  ) {}

  /** Mounts a tmpfs of `sizeMb` over `dir`, with `dir`'s files copied onto it. */
  static async over(dir: string, sizeMb: number): Promise<SmallDisk> {
    const reason = smallDiskUnavailable();
    if (reason) throw new Error(`cannot put ${dir} on a small disk: ${reason}`);
    const aside = await mkdtemp(join(tmpdir(), 'notary-small-disk-'));
    try {
      await cp(dir, aside, { recursive: true, preserveTimestamps: true });
      await run('mount', ['-t', 'tmpfs', '-o', `size=${sizeMb}m,mode=0700`, 'tmpfs', dir], { timeout: 10_000 });
      await cp(aside, dir, { recursive: true, preserveTimestamps: true });
    } finally {
      await rm(aside, { recursive: true, force: true });
    }
    return new SmallDisk(dir, sizeMb * 1024 * 1024);
  }

  /** Bytes free on the disk now. */
  async freeBytes(): Promise<number> {
    const info = await statfs(this.dir);
    return info.bavail * info.bsize;
  }

  /**
   * Fills the disk until `leaveBytes` are free (0: until a write fails for space, to the last
   * block). Returns the bytes written.
   */
  async fill(leaveBytes = 0): Promise<number> {
    const file = await open(join(this.dir, `${FILLER_PREFIX}${this.#fillers++}`), 'w');
    let written = 0;
    try {
      for (let chunk = CHUNK_BYTES; chunk >= 4096;) {
        const want = leaveBytes > 0 ? Math.min(chunk, (await this.freeBytes()) - leaveBytes) : chunk;
        if (want < 4096) break;
        try {
          const { bytesWritten } = await file.write(Buffer.alloc(want, 0x5a));
          written += bytesWritten;
          if (bytesWritten < want) chunk = Math.floor(chunk / 2);
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
          chunk = Math.floor(chunk / 2);
        }
      }
      await file.sync().catch(() => undefined);
    } finally {
      await file.close();
    }
    return written;
  }

  /** Removes what `fill` wrote. */
  async free(): Promise<void> {
    for (const name of await readdir(this.dir))
      if (name.startsWith(FILLER_PREFIX)) await rm(join(this.dir, name), { force: true });
  }

  /** Unmounts (lazily: a node still running keeps its files until it stops). */
  async unmount(): Promise<void> {
    await run('umount', ['-l', this.dir], { timeout: 10_000 }).catch(() => undefined);
  }
}
