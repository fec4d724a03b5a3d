// What `notary` loads to start a command. A command loads its own code only (cli/commands.ts):
// `--help` nothing but commander, the offline commands (keys, tx, verify) neither libp2p, nor
// LevelDB, nor the node. Asserted on the modules a real run records, not on a wall-clock time,
// which a shared machine would make flaky (docs/performance.md has the timings). Both ways
// bin/notary.js starts are checked: the sources through tsx, and the bundle `npm run build`
// writes to dist/cli (run the build first), which bin/notary.js takes only while it is fresh.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));
const BIN = join(root, 'bin/notary.js');
const BUNDLE = join(root, 'dist/cli/notary.js');
const RECORDER = join(root, 'test/support/record-modules.mjs');
const PASSPHRASE = 'a demo passphrase';

/** Packages no offline command needs: the network, the store, the node's log, metrics and API server. */
const NODE_ONLY = [
  'libp2p',
  '@libp2p/',
  '@chainsafe/',
  '@multiformats/',
  'classic-level',
  'abstract-level',
  'pino',
  'prom-client',
  'ws',
];

/** tsx and what it loads, when the CLI starts from the sources. */
const TSX = ['tsx', 'get-tsconfig', 'resolve-pkg-maps', 'esbuild'];

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'notary-cli-start-'));
  await writeFile(join(dir, 'p.txt'), `${PASSPHRASE}\n`);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

interface Run {
  code: number;
  stdout: string;
  stderr: string;
  /** Packages loaded (`classic-level`, `@libp2p/tcp`, ...), and files of this repository (`electron/node/cli.ts`). */
  packages: Set<string>;
  files: Set<string>;
}

let runs = 0;
/** Runs `entry args` in a child process that records every module it loads. */
function record(entry: string, args: string[], env: Record<string, string> = {}): Promise<Run> {
  const file = join(dir, `modules-${++runs}.txt`);
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['--import', RECORDER, entry, ...args],
      { cwd: dir, timeout: 30_000, env: { ...process.env, ...env, RECORD_MODULES_FILE: file } },
      (error, stdout, stderr) => {
        if (error && typeof error.code !== 'number') return reject(error);
        readFile(file, 'utf8').then((text) => {
          const packages = new Set<string>();
          const files = new Set<string>();
          for (const url of text.split('\n')) {
            const inPackage = /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url);
            if (inPackage) packages.add(inPackage[1]!);
            else if (url.startsWith('file://') && fileURLToPath(url).startsWith(root))
              files.add(fileURLToPath(url).slice(root.length));
          }
          resolve({ code: typeof error?.code === 'number' ? error.code : 0, stdout, stderr, packages, files });
        }, reject);
      },
    );
  });
}

function nodeOnly(run: Run): string[] {
  return [...run.packages].filter((name) =>
    NODE_ONLY.some((heavy) => (heavy.endsWith('/') ? name.startsWith(heavy) : name === heavy)),
  );
}

// The same checks for both ways the CLI starts.
const starts: { name: string; entry: string; env: Record<string, string> }[] = [
  { name: 'from the sources (tsx)', entry: BIN, env: { NOTARY_CLI_SOURCES: '1' } },
  { name: 'from the bundle (dist/cli)', entry: BUNDLE, env: {} },
];

describe.each(starts)('notary started $name', ({ entry, env }) => {
  beforeAll(() => {
    if (entry === BUNDLE && !existsSync(BUNDLE)) throw new Error('no dist/cli/notary.js: run `npm run build` first');
  });

  it('lists every command for --help with commander alone', async () => {
    const run = await record(entry, ['--help'], env);
    expect(run.code).toBe(0);
    for (const command of ['devnet', 'start', 'init', 'keys', 'tx', 'verify', 'audit', 'status', 'submit', 'receipt'])
      expect(run.stdout).toContain(`  ${command} `);
    expect([...run.packages].filter((name) => !TSX.includes(name))).toEqual(['commander']);
  });

  it('seals a demo party key without the network, the store or the ledger', async () => {
    const run = await record(
      entry,
      ['keys', 'dev-party', '7', '--out', join(dir, `party-${runs}.key`), '--passphrase-file', join(dir, 'p.txt')],
      env,
    );
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^public key [0-9a-f]{64}\n$/);
    expect(nodeOnly(run)).toEqual([]);
    expect(
      [...run.files].filter((file) => file.startsWith('shared/ledger/') || file.startsWith('shared/chain/')),
    ).toEqual([]);
  });

  it('verifies a document offline without the network or the store', async () => {
    await writeFile(join(dir, 'not-a-receipt.json'), '{"kind":"ticket"}');
    const run = await record(entry, ['verify', join(dir, 'not-a-receipt.json')], env);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('INVALID (MALFORMED)');
    expect(nodeOnly(run)).toEqual([]);
  });

  it('builds a transaction without the network or the store', async () => {
    const run = await record(
      entry,
      [
        'tx',
        'encumbrance',
        'release',
        '--chain-id',
        'by-registry-dev',
        '--object',
        'BY-DEV-000007',
        '--object-version',
        '1',
        '--id',
        'm1',
        '--out',
        join(dir, `release-${runs}.json`),
      ],
      env,
    );
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('encumbrance.release written to');
    expect(nodeOnly(run)).toEqual([]);
  });

  it('does load the store for a command that opens it (the recorder sees what it should)', async () => {
    const run = await record(entry, ['audit', '--data', join(dir, 'no-such-node')], env);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('No node data folder');
    expect(nodeOnly(run)).toContain('classic-level');
  });
});

describe('bin/notary.js', () => {
  it('runs the bundle while it is newer than its sources, and the sources once one of them changed', async () => {
    if (!existsSync(BUNDLE)) throw new Error('no dist/cli/notary.js: run `npm run build` first');
    const ran = async () => ((await record(BIN, ['--help'])).files.has('dist/cli/notary.js') ? 'bundle' : 'sources');
    expect(await ran(), 'a source is newer than dist/cli: run `npm run build` first').toBe('bundle');
    // a source edited after the build (its modification time moved past the bundle's), then put back
    const source = join(root, 'electron/node/cli/errors.ts');
    const before = await stat(source);
    const bundleMs = (await stat(BUNDLE)).mtimeMs;
    await utimes(source, before.atime, new Date(bundleMs + 60_000));
    try {
      expect(await ran()).toBe('sources');
    } finally {
      await utimes(source, before.atime, before.mtime);
    }
    expect(await ran()).toBe('bundle');
  });
});
