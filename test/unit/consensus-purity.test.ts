// DESIGN §5 and STYLE: no clock, randomness or timers inside consensus, so that one seed replays
// a whole simulation. Real time enters through one file (system-clock.ts), the disk through one
// (priv-validator-file-store.ts); everything else gets them injected.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const DIR = join(import.meta.dirname, '../../electron/node/consensus');
const REAL_TIME_FILE = 'system-clock.ts';
const DISK_FILE = 'priv-validator-file-store.ts';
const FORBIDDEN = [
  /Date\.now/,
  /new Date\(/,
  /Math\.random/,
  /performance\.now/,
  /\bsetTimeout\b/,
  /\bsetInterval\b/,
  /\bsetImmediate\b/,
  /process\.hrtime/,
];

async function sources(): Promise<Array<{ name: string; text: string }>> {
  const names = (await readdir(DIR)).filter((name) => name.endsWith('.ts'));
  return Promise.all(names.map(async (name) => ({ name, text: await readFile(join(DIR, name), 'utf8') })));
}

describe('consensus purity', () => {
  it('reads no clock, draws no randomness and sets no timer outside system-clock.ts', async () => {
    const offenders = (await sources())
      .filter(({ name }) => name !== REAL_TIME_FILE)
      .flatMap(({ name, text }) =>
        FORBIDDEN.filter((pattern) => pattern.test(text)).map((pattern) => `${name}: ${pattern.source}`),
      );
    expect(offenders).toEqual([]);
  });

  it('touches Node built-ins only in the file store and the system clock', async () => {
    const offenders = (await sources())
      .filter(({ name }) => name !== DISK_FILE && name !== REAL_TIME_FILE)
      .filter(({ text }) => /from 'node:/.test(text))
      .map(({ name }) => name);
    expect(offenders).toEqual([]);
  });
});
