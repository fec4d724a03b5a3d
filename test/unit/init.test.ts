// `initNode`: a new data folder; with dev, a chain whose only validator is the node's own key.
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  genesisState,
  StateKey,
  type Authority,
  type PropertyObject,
  type ValidatorSchedule,
} from '../../shared/ledger/index.js';
import { Chain } from '../../electron/node/chain/chain.js';
import { DataFiles, readConfig, readGenesis } from '../../electron/node/config.js';
import { devKeys, devObjectId, devParty, devTransfer } from '../../electron/node/dev/demo-registry.js';
import { initNode } from '../../electron/node/setup/init.js';
import { unlockKeystore } from '../../electron/node/keystore/index.js';

const PASSPHRASE = 'an init test passphrase';
let root: string;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'notary-init-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

const mode = async (path: string) => (await stat(path)).mode & 0o777;

describe('initNode --dev', () => {
  it('makes the node the single validator of a dev chain; the dev registrar is suspended [REQ-VAL.1] [REQ-NET.1]', async () => {
    const dataDir = join(root, 'dev-notary');
    const result = await initNode({ dataDir, dev: true, role: 'notary', passphrase: PASSPHRASE, objects: 20 });
    expect(result).toMatchObject({
      dataDir,
      role: 'notary',
      chainId: 'by-registry-dev',
      keystoreFile: join(dataDir, DataFiles.signingKeystore),
    });
    expect(result.peerId).toMatch(/^12D3KooW/);
    const genesis = await readGenesis(dataDir);
    expect(genesis.properties).toHaveLength(20);
    expect(Math.abs(genesis.genesisTimeMs - Date.now())).toBeLessThan(60_000);
    const state = new Map(genesisState(genesis));
    expect((state.get(StateKey.validatorSchedule) as ValidatorSchedule)[0]!.validators).toEqual([result.publicKey]);
    expect(state.get(StateKey.authority(result.publicKey!))).toMatchObject({
      role: 'notary',
      status: 'active',
      peerId: result.peerId,
    });
    expect((state.get(StateKey.authority(devKeys.registrar.publicKey)) as Authority).status).toBe('suspended');
    expect((state.get(StateKey.authority(devKeys.bank.publicKey)) as Authority).status).toBe('active');
    expect(await readConfig(dataDir)).toMatchObject({ role: 'notary', api: { host: '127.0.0.1', port: 0 } });
    expect(await mode(dataDir)).toBe(0o700);
  });

  it('seals the signing key encrypted in a 0600 keystore', async () => {
    const dataDir = join(root, 'dev-notary');
    const path = join(dataDir, DataFiles.signingKeystore);
    expect(await mode(path)).toBe(0o600);
    expect(await mode(join(dataDir, DataFiles.nodeKey))).toBe(0o600);
    const key = await unlockKeystore(path, PASSPHRASE);
    const text = await readFile(path, 'utf8');
    expect(text).not.toContain(key.secretKey);
    expect(JSON.parse(text)).toMatchObject({
      kdf: { name: 'scrypt' },
      cipher: { name: 'aes-256-gcm' },
      publicKey: key.publicKey,
    });
    await expect(unlockKeystore(path, 'not the passphrase')).rejects.toMatchObject({ code: 'WRONG_PASSPHRASE' });
    await expect(stat(join(dataDir, DataFiles.signingKey))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it("accepts a transfer of a dev party's object certified by the node as notary", async () => {
    const dataDir = join(root, 'dev-notary');
    const genesis = await readGenesis(dataDir);
    const notary = await unlockKeystore(join(dataDir, DataFiles.signingKeystore), PASSPHRASE);
    const chain = await Chain.open({ dir: join(root, 'chain-check'), genesis });
    try {
      const object = (await chain.getMany([StateKey.object(devObjectId(3))])).get(
        StateKey.object(devObjectId(3)),
      ) as PropertyObject;
      const parties = Array.from({ length: 50 }, (_, i) => devParty(i));
      const tx = devTransfer(object, devParty(49), parties, {
        chainId: genesis.chainId,
        nowMs: genesis.genesisTimeMs,
        nonce: 1,
        notary,
      });
      const { outcomes } = await chain.propose([tx], {
        timeMs: genesis.genesisTimeMs + 1_000,
        proposer: notary.publicKey,
      });
      expect(outcomes).toEqual([{ txHash: expect.any(String), ok: true }]);
      // the dev notary's well-known key is no authority here
      const other = devTransfer(object, devParty(49), parties, {
        chainId: genesis.chainId,
        nowMs: genesis.genesisTimeMs,
        nonce: 2,
      });
      const refused = await chain.propose([other], {
        timeMs: genesis.genesisTimeMs + 1_000,
        proposer: notary.publicKey,
      });
      expect(refused.outcomes[0]).toMatchObject({ ok: false, code: 'NOTARY_NOT_ACTIVE' });
    } finally {
      await chain.close();
    }
  });

  it('as registrar: the node is the only validator and the dev notary is the suspended one', async () => {
    const dataDir = join(root, 'dev-registrar');
    const result = await initNode({
      dataDir,
      dev: true,
      role: 'registrar',
      name: 'Test registry',
      passphrase: PASSPHRASE,
      objects: 0,
    });
    const state = new Map(genesisState(await readGenesis(dataDir)));
    expect((state.get(StateKey.validatorSchedule) as ValidatorSchedule)[0]!.validators).toEqual([result.publicKey]);
    expect(state.get(StateKey.authority(result.publicKey!))).toMatchObject({
      role: 'registrar',
      name: 'Test registry',
      status: 'active',
    });
    expect((state.get(StateKey.authority(devKeys.notary.publicKey)) as Authority).status).toBe('suspended');
  });
});

describe('initNode refusals and other roles', () => {
  it('refuses a folder that is not empty, and changes nothing in it', async () => {
    const dataDir = join(root, 'busy');
    await mkdir(dataDir);
    await writeFile(join(dataDir, 'notes.txt'), 'mine');
    await expect(initNode({ dataDir, dev: true, role: 'notary', passphrase: PASSPHRASE })).rejects.toMatchObject({
      code: 'DATA_DIR_NOT_EMPTY',
      message: expect.stringMatching(/is not empty/),
    });
    expect(await readdir(dataDir)).toEqual(['notes.txt']);
  });

  it('writes nothing when the passphrase is too short, and refuses a dev observer', async () => {
    const dataDir = join(root, 'short');
    await expect(initNode({ dataDir, dev: true, role: 'notary', passphrase: 'short' })).rejects.toMatchObject({
      code: 'PASSPHRASE_INVALID',
    });
    await expect(stat(dataDir)).rejects.toMatchObject({ code: 'ENOENT' });
    await expect(initNode({ dataDir, dev: true, role: 'observer' })).rejects.toMatchObject({ code: 'INIT_INVALID' });
  });

  it('an observer gets a node key and config but no signing key; without dev there is no genesis', async () => {
    const dataDir = join(root, 'observer');
    const result = await initNode({ dataDir, dev: false, role: 'observer' });
    expect(result).toMatchObject({ publicKey: null, keystoreFile: null, chainId: null });
    expect((await readdir(dataDir)).sort()).toEqual([DataFiles.config, DataFiles.nodeKey]);
  });

  it('a notary for a real network: keystore and config, the genesis left to copy in', async () => {
    const dataDir = join(root, 'network-notary');
    const result = await initNode({
      dataDir,
      dev: false,
      role: 'notary',
      name: 'Notary Ivanova',
      passphrase: PASSPHRASE,
    });
    expect(result).toMatchObject({ chainId: null, name: 'Notary Ivanova' });
    expect((await readdir(dataDir)).sort()).toEqual([DataFiles.config, DataFiles.nodeKey, DataFiles.signingKeystore]);
  });
});
