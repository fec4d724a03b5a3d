// A validator office rotates its key on a devnet of four real node processes (decision #51):
// `notary keys rotate` makes the next key and the rotation signed by the old key, the registrars
// co-sign, and the chain keeps committing; the old key votes up to H + 1, the new key from H + 2,
// the old key is refused for transactions and retired from the node's folder, and a restart
// after the switch keeps signing with the new key.
import { execFile } from 'node:child_process';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BlockDetail } from '../../shared/api/index.js';
import { generateKeyPair, type KeyPair } from '../../shared/crypto/index.js';
import { signTransaction, type Transaction } from '../../shared/ledger/index.js';
import { devGenesisSale, devParty } from '../../electron/node/dev/demo-registry.js';
import { Devnet, waitFor, type NodeProcess } from '../support/devnet-harness.js';

const CLI = fileURLToPath(new URL('../../electron/node/cli.ts', import.meta.url));
const run = promisify(execFile);
const parties = Array.from({ length: 50 }, (_, i) => devParty(i));

let devnet: Devnet;
let office: NodeProcess;
let oldKey: KeyPair;
let newKey: string;
let rotatedAt: number;

async function head(node: NodeProcess): Promise<number> {
  return (await node.status()).height;
}

async function commitSigners(node: NodeProcess, height: number): Promise<string[]> {
  const { body } = await node.request<BlockDetail>('GET', `/blocks/${height}`);
  return body.commit?.signatures.map((entry) => entry.validator) ?? [];
}

function sale(index: number, notary: KeyPair): Transaction {
  return devGenesisSale(devnet.genesis, parties, index, { nonce: 7_000 + index, notary });
}

beforeAll(async () => {
  devnet = await Devnet.create({ validators: 4, observers: 0, objects: 20, heartbeatMs: 500 });
  await devnet.startAll();
  office = devnet.node('node-4'); // a notary, one of the four validators
  oldKey = await devnet.signingKey('node-4');
  await waitFor('the first blocks', async () => ((await head(devnet.node('node-1'))) >= 2 ? true : undefined));
}, 120_000);

afterAll(async () => {
  await devnet?.stop();
}, 30_000);

describe('a validator rotates its key on a running devnet', () => {
  it('keeps committing, the new key votes from H + 2 and the old key never again', async () => {
    // the office prepares the rotation, then restarts holding both keys
    await office.kill();
    const file = join(devnet.dir, 'rotate.json');
    const made = await run(process.execPath, [
      ...['--import', 'tsx', CLI, 'keys', 'rotate', '--data', office.info.dataDir],
      ...['--version', '1', '--out', file],
    ]);
    newKey = /new key ([0-9a-f]{64})/.exec(made.stdout)![1]!;
    await office.start();
    // both registrars co-sign (more than 2/3 of two) and one submits
    let tx = JSON.parse(await readFile(file, 'utf8')) as Transaction;
    expect(tx.signatures.map((entry) => entry.key)).toEqual([oldKey.publicKey]);
    for (const registrar of ['node-1', 'node-2'])
      tx = signTransaction(tx, (await devnet.signingKey(registrar)).secretKey);
    const submitted = await devnet.node('node-1').submit(tx);
    const final = await waitFor('the rotation final', async () => {
      const status = await devnet.node('node-1').txStatus(submitted.txHash);
      if (status.state === 'rejected') throw new Error(`rotation rejected: ${status.code} ${status.sentence}`);
      return status.state === 'final' ? status : undefined;
    });
    rotatedAt = final.height;
    // the chain goes on: a new-key commit signature at or after H + 2, none of the old key from H + 2
    const signedByNewKey = await waitFor(
      'a commit signed by the new key',
      async () => {
        const top = await head(devnet.node('node-1'));
        for (let h = rotatedAt + 2; h <= top; h++)
          if ((await commitSigners(devnet.node('node-1'), h)).includes(newKey)) return h;
        return undefined;
      },
      60_000,
    );
    expect(signedByNewKey).toBeGreaterThanOrEqual(rotatedAt + 2);
    expect(office.log).toMatch(/the validator signs with its new key/);
    const top = await head(devnet.node('node-1'));
    for (let h = rotatedAt + 2; h <= top; h++)
      expect(await commitSigners(devnet.node('node-1'), h)).not.toContain(oldKey.publicKey);
    const view = (
      await devnet
        .node('node-1')
        .request<{ validators: Array<{ key: string; formerKeys?: string[] }> }>('GET', '/validators')
    ).body;
    expect(view.validators).toHaveLength(4);
    expect(view.validators.find((validator) => validator.key === newKey)?.formerKeys).toEqual([oldKey.publicKey]);
  }, 180_000);

  it('refuses a transfer the old key certifies (KEY_ROTATED) and commits one the new key certifies', async () => {
    const refused = await devnet
      .node('node-1')
      .request<{ status?: { state: string; code?: string }; error?: { code: string } }>(
        'POST',
        '/txs',
        sale(0, oldKey),
      );
    expect(JSON.stringify(refused.body)).toContain('KEY_ROTATED');
    const newPair = JSON.parse(await readFile(join(office.info.dataDir, 'signing-key.json'), 'utf8')) as KeyPair;
    expect(newPair.publicKey).toBe(newKey);
    const accepted = await office.submit(sale(1, newPair));
    await waitFor('the new key’s transfer final', async () =>
      (await office.txStatus(accepted.txHash)).state === 'final' ? true : undefined,
    );
  }, 60_000);

  it('retires the old key from the office’s folder, and keeps signing with the new key after a restart', async () => {
    const retired = await readdir(join(office.info.dataDir, 'retired-keys'));
    expect(retired).toEqual([`${oldKey.publicKey}.json`]);
    await office.kill();
    await office.start();
    const from = await head(devnet.node('node-1'));
    const signedAgain = await waitFor(
      'a commit signed by the restarted new key',
      async () => {
        const top = await head(devnet.node('node-1'));
        for (let h = from + 1; h <= top; h++)
          if ((await commitSigners(devnet.node('node-1'), h)).includes(newKey)) return h;
        return undefined;
      },
      60_000,
    );
    expect(signedAgain).toBeGreaterThan(from);
    expect(office.log).not.toMatch(/DOUBLE_SIGN|KEY_RETIRED/);
  }, 90_000);

  it('moves an office that lost its key on the registrars’ signatures alone; its reinstalled node follows, then votes from H + 2', async () => {
    const lost = devnet.node('node-3');
    const lostKey = await devnet.signingKey('node-3');
    // the key is gone: the office installs a new one in the same folder (its signing state stays)
    await lost.kill();
    const replacement = generateKeyPair();
    await writeFile(join(lost.info.dataDir, 'signing-key.json'), JSON.stringify(replacement), { mode: 0o600 });
    await lost.start();
    const file = join(devnet.dir, 'rotate-lost.json');
    await run(process.execPath, [
      ...['--import', 'tsx', CLI, 'tx', 'authority', 'rotate', '--data', devnet.node('node-1').info.dataDir],
      ...['--key', lostKey.publicKey, '--version', '1', '--new-key', replacement.publicKey],
      ...['--rotation', 'lost', '--out', file],
    ]);
    let tx = JSON.parse(await readFile(file, 'utf8')) as Transaction;
    for (const registrar of ['node-1', 'node-2'])
      tx = signTransaction(tx, (await devnet.signingKey(registrar)).secretKey);
    const submitted = await devnet.node('node-2').submit(tx);
    const final = await waitFor('the lost-key rotation final', async () => {
      const status = await devnet.node('node-2').txStatus(submitted.txHash);
      if (status.state === 'rejected') throw new Error(`rotation rejected: ${status.code} ${status.sentence}`);
      return status.state === 'final' ? status : undefined;
    });
    const signed = await waitFor(
      'a commit signed by the replacement key',
      async () => {
        const top = await head(devnet.node('node-1'));
        for (let h = final.height + 2; h <= top; h++)
          if ((await commitSigners(devnet.node('node-1'), h)).includes(replacement.publicKey)) return h;
        return undefined;
      },
      60_000,
    );
    expect(signed).toBeGreaterThanOrEqual(final.height + 2);
    for (let h = final.height; h <= (await head(devnet.node('node-1'))); h++)
      expect(await commitSigners(devnet.node('node-1'), h)).not.toContain(lostKey.publicKey);
    expect(lost.log).toMatch(/the validator signs with its new key/);
  }, 150_000);
});
