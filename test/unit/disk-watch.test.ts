// The disk watch (decision #67): each look's state, the refusal a submission gets in it, a raw
// errno met on a write turned into that refusal, and the store opened again when the disk takes
// writes after refusing one. The real file system is in test/integration/full-disk.test.ts.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../electron/node/lifecycle/clock.js';
import { StoreError } from '../../electron/node/store/errors.js';
import {
  DiskWatch,
  diskStateOf,
  fileSystemProbe,
  type DiskLook,
  type DiskWatchComponents,
} from '../../electron/node/store/disk-watch.js';

const MB = 1024 * 1024;
const RESERVE = 16 * MB;
const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };
const look = (fields: Partial<DiskLook>): DiskLook => ({
  freeBytes: 100 * MB,
  probeError: undefined,
  missing: undefined,
  ...fields,
});

function watchWith(looks: DiskLook[], store: DiskWatchComponents['chain']['store']) {
  let next = 0;
  const probe = { look: async () => looks[Math.min(next++, looks.length - 1)]! };
  return new DiskWatch(
    { dataDir: '/data', reserveBytes: RESERVE, probe },
    { chain: { store }, clock: systemClock(), log: quiet },
  );
}

class FakeStore {
  writeRefused: StoreError | undefined;
  reopened = 0;
  failReopen = false;
  async recoverWrites(): Promise<void> {
    this.reopened++;
    if (this.failReopen) throw new StoreError('STORE_IO', 'still full');
    this.writeRefused = undefined;
  }
}

describe('each look at the disk gives one state', () => {
  it.each([
    ['room above the reserve', look({}), 'ok'],
    ['free space under the reserve', look({ freeBytes: RESERVE - 1 }), 'low'],
    ['a probe refused for space', look({ probeError: 'ENOSPC', freeBytes: 0 }), 'full'],
    ['a quota reached', look({ probeError: 'EDQUOT' }), 'full'],
    ['a read-only file system', look({ probeError: 'EROFS' }), 'read-only'],
    ['a folder without write permission', look({ probeError: 'EACCES' }), 'read-only'],
    ['the store file gone', look({ missing: '/data/chain/CURRENT' }), 'missing'],
    ['the data folder gone', look({ probeError: 'ENOENT' }), 'missing'],
    ['an I/O error', look({ probeError: 'EIO' }), 'failing'],
    ['a file system that does not say its free space', look({ freeBytes: null }), 'ok'],
  ] as const)('%s: %s', (_what, seen, state) => {
    expect(diskStateOf(seen, RESERVE)).toBe(state);
  });
});

describe('the disk watch', () => {
  it('refuses submissions with one code per state, and takes them again when the disk does', async () => {
    const watch = watchWith(
      [
        look({ freeBytes: 4 * MB }),
        look({ probeError: 'ENOSPC', freeBytes: 0 }),
        look({ probeError: 'EROFS' }),
        look({}),
      ],
      new FakeStore(),
    );
    const refusal = () => {
      try {
        watch.refuse();
        return undefined;
      } catch (error) {
        return error as { status: number; code: string; message: string };
      }
    };
    await watch.check();
    expect(watch.view()).toMatchObject({ state: 'low', freeBytes: 4 * MB, reserveBytes: RESERVE });
    expect(refusal()).toMatchObject({ status: 507, code: 'DISK_FULL' });
    expect(refusal()?.message).toMatch(/has 4 MB free, under the 16 MB this node keeps/);
    await watch.check();
    expect(refusal()).toMatchObject({ status: 507, code: 'DISK_FULL' });
    expect(watch.view().sentence).toMatch(/is full \(ENOSPC\)/);
    await watch.check();
    expect(refusal()).toMatchObject({ status: 507, code: 'DISK_READ_ONLY' });
    await watch.check();
    expect(refusal()).toBeUndefined();
    expect(watch.view()).not.toHaveProperty('sentence');
  });

  it('turns a raw ENOSPC met on a write into the refusal, and leaves other errors alone', async () => {
    const watch = watchWith([look({})], new FakeStore());
    const enospc = Object.assign(new Error('write ENOSPC'), { code: 'ENOSPC' });
    expect(watch.translate(enospc)).toMatchObject({ status: 507, code: 'DISK_FULL' });
    expect(watch.state).toBe('full');
    const other = new Error('something else');
    expect(watch.translate(other)).toBe(other);
  });

  it('opens the store again once the disk takes writes, and tells consensus', async () => {
    const store = new FakeStore();
    store.writeRefused = new StoreError('STORE_IO', 'Writing block 7 failed (ENOSPC)');
    const watch = watchWith([look({ probeError: 'ENOSPC', freeBytes: 0 }), look({}), look({})], store);
    let resumed = 0;
    watch.onRecovered(() => resumed++);
    await watch.check();
    expect(store.reopened).toBe(0); // not while the disk is still full
    store.failReopen = true;
    await watch.check();
    expect(store.reopened).toBe(1);
    expect(watch.state).toBe('full'); // the store does not take writes yet: still refusing
    expect(resumed).toBe(0);
    store.failReopen = false;
    await watch.check();
    expect(store.reopened).toBe(2);
    expect(watch.state).toBe('ok');
    expect(resumed).toBe(1);
  });
});

describe('the file system probe', () => {
  let dir: string | undefined;
  afterEach(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('reads free space, writes and removes its probe, and names a store file that is gone', async () => {
    dir = await mkdtemp(join(tmpdir(), 'disk-watch-'));
    const seen = await fileSystemProbe(dir, [join(dir, 'chain', 'CURRENT')]).look();
    expect(seen.freeBytes).toBeGreaterThan(0);
    expect(seen.probeError).toBeUndefined();
    expect(seen.missing).toBe(join(dir, 'chain', 'CURRENT'));
    expect(await fileSystemProbe(join(dir, 'gone'), []).look()).toMatchObject({ missing: join(dir, 'gone') });
  });
});
