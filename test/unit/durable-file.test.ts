// Every file the node writes goes through writeFileDurably (temp file, sync, rename, sync the
// folder): the old content or the new, never half, and never a leftover's permissions.
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { writeFileDurably } from '../../electron/node/store/durable-file.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'notary-durable-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('writeFileDurably', () => {
  it('replaces a file whole and leaves no temporary file behind', async () => {
    const path = join(dir, 'config.json');
    await writeFileDurably(path, 'old\n');
    await writeFileDurably(path, 'new\n');
    expect(await readFile(path, 'utf8')).toBe('new\n');
    expect(await readdir(dir)).toEqual(['config.json']);
  });

  it('gives a secret file its 0600 mode even when a crash left a readable temporary file with its name', async () => {
    const path = join(dir, 'api-token');
    await writeFile(`${path}.tmp-${process.pid}`, 'half a token', { mode: 0o644 });
    await writeFileDurably(path, 'a'.repeat(64), 0o600);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect(await readdir(dir)).toEqual(['api-token']);
  });

  it('refuses to write into a folder that does not exist, changing nothing', async () => {
    await expect(writeFileDurably(join(dir, 'missing', 'inbox.json'), '{}')).rejects.toMatchObject({ code: 'ENOENT' });
    expect(await readdir(dir)).toEqual([]);
  });
});
