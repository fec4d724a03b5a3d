// The security list of issue 7, the items not already shown elsewhere, end to end through a
// real node's HTTP API (docs/reliability.md maps every item to its test):
//   forged, replayed, cross-chain and expired transactions are rejected with their codes;
//   a suspended notary cannot certify, nor a revoked one, who also cannot be reinstated;
//   requests without the token or with a wrong one are refused.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KeyPair } from '../../shared/crypto/index.js';
import {
  signTransaction,
  StateKey,
  txHash,
  type Authority,
  type PropertyObject,
  type Transaction,
  type UnsignedTransaction,
} from '../../shared/ledger/index.js';
import { devKeys, devObjectId, devParty, devTransfer } from '../../electron/node/dev/demo-registry.js';
import { initNode } from '../../electron/node/setup/init.js';
import { unlockKeystore } from '../../electron/node/keystore/index.js';
import { NotaryNode } from '../../electron/node/node.js';

const PASSPHRASE = 'a registry passphrase for tests';
const parties = Array.from({ length: 50 }, (_, i) => devParty(i));
const dirs: string[] = [];
const nodes: NotaryNode[] = [];

async function devNode(role: 'notary' | 'registrar'): Promise<{ node: NotaryNode; key: KeyPair; token: string }> {
  const dataDir = await mkdtemp(join(tmpdir(), `notary-security-${role}-`));
  dirs.push(dataDir);
  const init = await initNode({ dataDir, dev: true, role, passphrase: PASSPHRASE, objects: 60 });
  const node = await NotaryNode.start({
    dataDir,
    passphrase: PASSPHRASE,
    uiDir: null,
    logger: pino({ level: 'silent' }),
  });
  nodes.push(node);
  const key = await unlockKeystore(init.keystoreFile!, PASSPHRASE);
  const token = (await readFile(join(dataDir, 'api-token'), 'utf8')).trim();
  for (const deadline = Date.now() + 15_000; node.chain.head.height < 1 && Date.now() < deadline;)
    await new Promise((r) => setTimeout(r, 50));
  return { node, key, token };
}

afterAll(async () => {
  for (const node of nodes) await node.stop();
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

async function post(
  node: NotaryNode,
  token: string,
  body: unknown,
): Promise<{ status: number; body: { state?: string; error?: { code: string; message: string } } }> {
  const response = await fetch(`${node.apiUrl}/api/v1/txs`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as never };
}

async function finalOn(node: NotaryNode, hash: string): Promise<void> {
  for (const deadline = Date.now() + 20_000; Date.now() < deadline;) {
    if ((await node.txStatus(hash)).state === 'final') return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${hash} not final`);
}

async function sale(
  node: NotaryNode,
  index: number,
  notary: KeyPair,
  options: { chainId?: string; nowMs?: number; nonce?: number } = {},
): Promise<Transaction> {
  const object = (await node.chain.getRecord(StateKey.object(devObjectId(index)))) as PropertyObject;
  const owner = parties.findIndex((party) => party.publicKey === object.owners[0]!.key);
  return devTransfer(object, parties[(owner + 1) % parties.length]!, parties, {
    chainId: options.chainId ?? node.chain.chainId,
    nowMs: options.nowMs ?? Date.now(),
    nonce: options.nonce ?? index,
    notary,
  });
}

describe('transactions a node refuses (notary dev chain, through POST /api/v1/txs)', () => {
  let node: NotaryNode;
  let notary: KeyPair;
  let token: string;
  beforeAll(async () => {
    ({ node, key: notary, token } = await devNode('notary'));
  });

  it('refuses requests without the token or with a wrong one (401), and changes nothing', async () => {
    const tx = await sale(node, 1, notary);
    for (const authorization of [undefined, 'Bearer ', `Bearer ${'0'.repeat(token.length)}`, token]) {
      const response = await fetch(`${node.apiUrl}/api/v1/txs`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(authorization === undefined ? {} : { authorization }) },
        body: JSON.stringify(tx),
      });
      expect(response.status).toBe(401);
      expect(await response.json()).toMatchObject({ error: { code: 'UNAUTHORIZED' } });
    }
    expect(node.mempool.size).toBe(0);
  });

  it('forged: content changed after signing, or a signature by another key, is BAD_SIGNATURE [REQ-TX.1]', async () => {
    const tx = (await sale(node, 2, notary)) as Transaction & { payload: { duty: { amountMinor: number } } };
    const raised = {
      ...tx,
      payload: { ...tx.payload, duty: { ...tx.payload.duty, amountMinor: tx.payload.duty.amountMinor + 1 } },
    };
    expect(await post(node, token, raised)).toMatchObject({ status: 422, body: { error: { code: 'BAD_SIGNATURE' } } });
    const stolen = {
      ...tx,
      signatures: tx.signatures.map((entry) => ({
        ...entry,
        signature: signTransaction(tx, devKeys.bank.secretKey).signatures.find((s) => s.key === devKeys.bank.publicKey)!
          .signature,
      })),
    };
    expect(await post(node, token, stolen)).toMatchObject({ status: 422, body: { error: { code: 'BAD_SIGNATURE' } } });
  });

  it('cross-chain: a transaction signed for another chain is WRONG_CHAIN [REQ-TX.1]', async () => {
    const tx = await sale(node, 3, notary, { chainId: 'by-registry-other' });
    expect(await post(node, token, tx)).toMatchObject({ status: 422, body: { error: { code: 'WRONG_CHAIN' } } });
  });

  it('expired: a transaction whose expiry passed is EXPIRED; one that expires too far ahead is EXPIRY_TOO_FAR [REQ-TX.1]', async () => {
    const expired = await sale(node, 4, notary, { nowMs: Date.now() - 2 * 86_400_000 });
    expect(await post(node, token, expired)).toMatchObject({ status: 422, body: { error: { code: 'EXPIRED' } } });
    const far = await sale(node, 5, notary, { nowMs: Date.now() + 40 * 86_400_000 });
    expect(await post(node, token, far)).toMatchObject({ status: 422, body: { error: { code: 'EXPIRY_TOO_FAR' } } });
  });

  it('replayed: once final, the same transaction is not applied again, nor a copy re-signed into a new hash (REPLAY) [REQ-TX.1] [REQ-TX.2]', async () => {
    const tx = await sale(node, 6, notary);
    expect(await post(node, token, tx)).toMatchObject({ status: 202 });
    await finalOn(node, txHash(tx));
    const version = ((await node.chain.getRecord(StateKey.object(devObjectId(6)))) as PropertyObject).version;
    const again = await post(node, token, tx);
    expect(again.status).toBeGreaterThanOrEqual(400);
    expect(again.status).toBeLessThan(500);
    expect(again.body.error?.code).toMatch(/REPLAY|STALE_VERSION/);
    // The same content with one more signature: a new txHash, the same txId (REPLAY is checked before signers).
    const copy = signTransaction(tx, devKeys.bank.secretKey);
    expect(txHash(copy)).not.toBe(txHash(tx));
    const replay = await post(node, token, copy);
    expect(replay).toMatchObject({ status: 422, body: { error: { code: 'REPLAY' } } });
    await new Promise((r) => setTimeout(r, 1_500));
    expect(((await node.chain.getRecord(StateKey.object(devObjectId(6)))) as PropertyObject).version).toBe(version);
  });
});

describe('suspended and revoked notaries (registrar dev chain: the dev notary is listed suspended)', () => {
  let node: NotaryNode;
  let registrar: KeyPair;
  let token: string;
  beforeAll(async () => {
    ({ node, key: registrar, token } = await devNode('registrar'));
  });

  async function govern(tx: UnsignedTransaction): Promise<void> {
    const signed = signTransaction(tx, registrar.secretKey);
    expect(await post(node, token, signed)).toMatchObject({ status: 202 });
    await finalOn(node, txHash(signed));
  }

  it('a suspended notary cannot certify (NOTARY_NOT_ACTIVE)', async () => {
    const record = (await node.chain.getRecord(StateKey.authority(devKeys.notary.publicKey))) as Authority;
    expect(record.status).toBe('suspended');
    expect(await post(node, token, await sale(node, 1, devKeys.notary))).toMatchObject({
      status: 422,
      body: { error: { code: 'NOTARY_NOT_ACTIVE' } },
    });
    // Nor a key that is no notary at all (the dev bank, an observer).
    expect(await post(node, token, await sale(node, 2, devKeys.bank))).toMatchObject({
      status: 422,
      body: { error: { code: 'NOTARY_NOT_ACTIVE' } },
    });
  });

  it('a revoked notary cannot certify, and cannot be reinstated (AUTHORITY_REVOKED)', async () => {
    const before = (await node.chain.getRecord(StateKey.authority(devKeys.notary.publicKey))) as Authority;
    const envelope = { chainId: node.chain.chainId, expiresAtMs: Date.now() + 3_600_000 };
    await govern({
      type: 'authority.revoke',
      ...envelope,
      nonce: 1,
      payload: { key: devKeys.notary.publicKey, version: before.version, reason: 'licence withdrawn' },
    } as UnsignedTransaction);
    const revoked = (await node.chain.getRecord(StateKey.authority(devKeys.notary.publicKey))) as Authority;
    expect(revoked.status).toBe('revoked');
    expect(await post(node, token, await sale(node, 3, devKeys.notary))).toMatchObject({
      status: 422,
      body: { error: { code: 'NOTARY_NOT_ACTIVE' } },
    });
    const reinstate = signTransaction(
      {
        type: 'authority.update',
        ...envelope,
        nonce: 2,
        payload: { key: devKeys.notary.publicKey, version: revoked.version, changes: { status: 'active' } },
      } as UnsignedTransaction,
      registrar.secretKey,
    );
    expect(await post(node, token, reinstate)).toMatchObject({
      status: 422,
      body: { error: { code: 'AUTHORITY_REVOKED' } },
    });
  });
});
