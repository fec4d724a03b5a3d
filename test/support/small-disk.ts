// A node's data folder on a small file system of its own (issue 19, "A full disk"): a tmpfs of a
// few megabytes mounted over the folder (its files copied in), which a test fills to the last
// byte and frees again. Root only (mount); `smallDiskUnavailable()` says why not elsewhere.
// Mounts are named by the folder; `unmount` (lazy, so a process still holding files does not
// keep it) leaves the folder as it was before the mount.
import { execFile, spawnSync } from 'node:child_process';
import { cp, mkdtemp, open, readdir, rm, statfs, writeFile } from 'node:fs/promises';
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

/** A soak node's disk: room for hours of blocks; only what is written takes memory. */
export const SOAK_DISK_MB = 512;
/** Left free by a fill "to under the reserve": a quarter of a devnet node's reserve (DEVNET_DISK_RESERVE_MB). */
export const SOAK_UNDER_RESERVE_BYTES = 4 * 1024 * 1024;

/** Every node's data folder on a small disk of its own, by node name (the soaks' --disk). */
export async function smallDisks(
  nodes: ReadonlyArray<{ name: string; dataDir: string }>,
  sizeMb = SOAK_DISK_MB,
): Promise<Map<string, SmallDisk>> {
  const disks = new Map<string, SmallDisk>();
  try {
    for (const node of nodes) disks.set(node.name, await SmallDisk.over(node.dataDir, sizeMb));
  } catch (error) {
    for (const disk of disks.values()) await disk.unmount();
    throw error;
  }
  return disks;
}

/** Why an ext4 loop disk cannot be made here (root, losetup, mkfs.ext4, e2fsck), or undefined. */
export function loopDiskUnavailable(): string | undefined {
  const reason = smallDiskUnavailable();
  if (reason) return reason;
  for (const tool of ['losetup', 'mkfs.ext4', 'e2fsck']) {
    const probe = spawnSync(tool, ['-V'], { encoding: 'utf8' });
    if (probe.error) return `\`${tool}\` is not available (${probe.error.message}); install e2fsprogs and mount`;
  }
  const free = spawnSync('losetup', ['-f'], { encoding: 'utf8' });
  if (free.status !== 0) return `no loop device can be made here: ${free.stderr.trim()}`;
  return undefined;
}

/**
 * A node's data folder on an ext4 file system in a file, through a loop device, mounted with
 * errors=remount-ro: `failReadOnly()` reports a file-system error to the kernel, which remounts it
 * read-only, as it does when a disk fails under an office's node. `repair()` is the operator's
 * fix: unmount, e2fsck, mount again (the node stopped first).
 */
export class LoopDisk {
  private constructor(
    readonly dir: string,
    private readonly image: string,
  ) {}

  static async over(dir: string, sizeMb: number): Promise<LoopDisk> {
    const reason = loopDiskUnavailable();
    if (reason) throw new Error(`cannot put ${dir} on a loop disk: ${reason}`);
    const aside = await mkdtemp(join(tmpdir(), 'notary-loop-disk-'));
    const image = `${aside}.img`;
    try {
      await cp(dir, aside, { recursive: true, preserveTimestamps: true });
      await run('truncate', ['-s', `${sizeMb}M`, image]);
      await run('mkfs.ext4', ['-q', '-F', image], { timeout: 60_000 });
      const disk = new LoopDisk(dir, image);
      await disk.#mount();
      await cp(aside, dir, { recursive: true, preserveTimestamps: true });
      return disk;
    } finally {
      await rm(aside, { recursive: true, force: true });
    }
  }

  async #mount(): Promise<void> {
    await run('mount', ['-o', 'loop,errors=remount-ro', this.image, this.dir], { timeout: 30_000 });
  }

  /** The kernel's own read-only remount after a file-system error (ext4's trigger_fs_error). */
  async failReadOnly(): Promise<void> {
    const source = (await run('findmnt', ['-n', '-o', 'SOURCE', this.dir])).stdout.trim();
    const device = source.split('/').at(-1)!;
    await writeFile(`/sys/fs/ext4/${device}/trigger_fs_error`, 'issue 19: the disk failed under the node');
  }

  /** The operator's repair, with the node stopped: unmount, check and fix, mount again. */
  async repair(): Promise<void> {
    await run('umount', [this.dir], { timeout: 30_000 });
    // e2fsck exits 1 when it fixed something: that is the point
    await run('e2fsck', ['-fy', this.image], { timeout: 120_000 }).catch((error: { code?: number }) => {
      if (error.code !== 1) throw error;
    });
    await this.#mount();
  }

  async unmount(): Promise<void> {
    await run('umount', ['-l', this.dir], { timeout: 10_000 }).catch(() => undefined);
    await rm(this.image, { force: true });
  }
}
