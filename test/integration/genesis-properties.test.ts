// A national-scale genesis ships its objects in genesis-properties.ndjson, one per line, and
// genesis.json without them (issue #6: a 7.4M-object genesis.json is too large to parse).
// The chain imported from the two files must be the chain of the same document inline; a
// changed objects file is refused; a bad line is named and leaves nothing behind.
import { access, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseGenesis, StateKey, type Genesis } from '../../shared/ledger/index.js';
import { Chain } from '../../electron/node/chain/chain.js';
import { auditChain } from '../../electron/node/chain/audit.js';
import { GenesisDigest, genesisDigest } from '../../electron/node/chain/genesis-import.js';
import {
  GENESIS_PROPERTY_LINE_BYTES_MAX,
  genesisPropertiesDigest,
} from '../../electron/node/chain/genesis-properties.js';
import { createFastVerifier } from '../../electron/node/crypto/fast-verify.js';
import { ChainStore } from '../../electron/node/store/index.js';
import { devGenesis, devObjectId } from '../../electron/node/dev/demo-registry.js';

const dirs: string[] = [];
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'notary-genesis-props-'));
  dirs.push(dir);
  return dir;
}
afterAll(async () => {
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

/** Writes the genesis as two files: the header (no properties) and one object per line. */
async function writeSplit(
  dataDir: string,
  genesis: Genesis,
  lines?: string[],
): Promise<{ genesisFile: string; propertiesFile: string; header: Genesis }> {
  const { properties, ...header } = genesis;
  const genesisFile = join(dataDir, 'genesis.json');
  const propertiesFile = join(dataDir, 'genesis-properties.ndjson');
  await writeFile(genesisFile, `${JSON.stringify(header, null, 2)}\n`);
  await writeFile(
    propertiesFile,
    `${(lines ?? (properties ?? []).map((object) => JSON.stringify(object))).join('\n')}\n`,
  );
  return { genesisFile, propertiesFile, header: parseGenesis(JSON.parse(await readFile(genesisFile, 'utf8'))) };
}

const exists = (path: string) =>
  access(path).then(
    () => true,
    () => false,
  );

describe('a genesis whose objects are in genesis-properties.ndjson', () => {
  it('imports the same chain as the inline document, and reopens without re-encoding the objects', async () => {
    const genesis = devGenesis({ objects: 1_200, parties: 40 });
    const inline = await Chain.open({ dir: join(await tempDir(), 'chain'), genesis });
    const dataDir = await tempDir();
    const { genesisFile, propertiesFile, header } = await writeSplit(dataDir, genesis);
    expect(header.properties).toBeUndefined();
    expect(await genesisPropertiesDigest(header, propertiesFile)).toBe(genesisDigest(genesis));

    const dir = join(dataDir, 'chain');
    const split = await Chain.open({ dir, genesis: header, genesisFile, genesisPropertiesFile: propertiesFile });
    expect(split.head.hash).toBe(inline.head.hash);
    expect(split.head.header.stateRoot).toBe(inline.head.header.stateRoot);
    const key = StateKey.object(devObjectId(777));
    expect(await split.getRecord(key)).toBeDefined();
    expect(await split.getRecord(key)).toEqual(await inline.getRecord(key));
    await split.close();
    await inline.close();

    // the first reopen digests the two files and keeps it; later ones encode no object
    await (await Chain.open({ dir, genesis: header, genesisFile, genesisPropertiesFile: propertiesFile })).close();
    const before = GenesisDigest.propertiesEncoded;
    const again = await Chain.open({ dir, genesis: header, genesisFile, genesisPropertiesFile: propertiesFile });
    expect(GenesisDigest.propertiesEncoded).toBe(before);
    await again.close();

    // the audit replays the genesis from the same files
    const store = await ChainStore.open(dir, { createIfMissing: false, chainId: genesis.chainId });
    try {
      const report = await auditChain(store, header, {
        verify: createFastVerifier(),
        genesisPropertiesFile: propertiesFile,
      });
      expect(report).toMatchObject({ ok: true, headHeight: 0 });
    } finally {
      await store.close();
    }
  });

  it('refuses a store when one line of the objects file changed, even with the digest kept', async () => {
    const genesis = devGenesis({ objects: 50 });
    const dataDir = await tempDir();
    const { genesisFile, propertiesFile, header } = await writeSplit(dataDir, genesis);
    const dir = join(dataDir, 'chain');
    await (await Chain.open({ dir, genesis: header, genesisFile, genesisPropertiesFile: propertiesFile })).close();
    await (await Chain.open({ dir, genesis: header, genesisFile, genesisPropertiesFile: propertiesFile })).close();
    const changed = structuredClone(genesis);
    changed.properties![20]!.address = `${changed.properties![20]!.address} `;
    await writeSplit(dataDir, changed);
    await expect(
      Chain.open({ dir, genesis: header, genesisFile, genesisPropertiesFile: propertiesFile }),
    ).rejects.toMatchObject({ code: 'STORE_CHAIN_MISMATCH' });
  });

  it('names a bad line with its number and leaves no store behind', async () => {
    const genesis = devGenesis({ objects: 20 });
    const lines = genesis.properties!.map((object) => JSON.stringify(object));
    const cases: Array<[string, string[], RegExp]> = [
      ['not JSON', lines.map((line, i) => (i === 6 ? line.slice(0, -3) : line)), /line 7: not a JSON object/],
      [
        'not an object of the registry',
        lines.map((line, i) => (i === 11 ? JSON.stringify({ ...JSON.parse(line), area: 'big' }) : line)),
        /line 12: not a valid genesis object/,
      ],
      [
        'a line too long',
        lines.map((line, i) => (i === 3 ? ' '.repeat(GENESIS_PROPERTY_LINE_BYTES_MAX + 1) + line : line)),
        /line 4: longer than/,
      ],
      ['an object listed twice', [...lines, lines[5]!], /twice/],
    ];
    for (const [what, bad, message] of cases) {
      const dataDir = await tempDir();
      const { genesisFile, propertiesFile, header } = await writeSplit(dataDir, genesis, bad);
      const dir = join(dataDir, 'chain');
      await expect(
        Chain.open({ dir, genesis: header, genesisFile, genesisPropertiesFile: propertiesFile }),
        what,
      ).rejects.toThrow(message);
      expect(await exists(dir), what).toBe(false);
    }
  });

  it('refuses a genesis that lists objects both inline and in the file', async () => {
    const genesis = devGenesis({ objects: 10 });
    const dataDir = await tempDir();
    const { propertiesFile } = await writeSplit(dataDir, genesis);
    const dir = join(dataDir, 'chain');
    await expect(Chain.open({ dir, genesis, genesisPropertiesFile: propertiesFile })).rejects.toMatchObject({
      code: 'GENESIS_INVALID',
    });
    expect(await exists(dir)).toBe(false);
  });
});
