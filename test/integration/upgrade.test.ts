// An upgrade in place on real node processes: a devnet of four validators on protocol 1, one
// of them (node-4) playing an office that did not install the new release
// (NOTARY_PROTOCOL_MAX=1). The registrars schedule protocol 2 at height H; governance.params,
// a type of protocol 2, is refused before H and accepted from H on; node-4 stops at H with its
// sentence in status and log, and again after a restart; the others go on.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ValidatorsView } from '../../shared/api/index.js';
import type { KeyPair } from '../../shared/crypto/index.js';
import {
  PROTOCOL_VERSIONS_KNOWN,
  signTransaction,
  type Transaction,
  type UnsignedTransaction,
} from '../../shared/ledger/index.js';
import { UPGRADE_NOTICE_BLOCKS_MIN } from '../../shared/modules/governance/types.js';
import { Devnet, waitFor, type NodeProcess } from '../support/devnet-harness.js';

const OLD_RELEASE = { NOTARY_PROTOCOL_MAX: '1' };
let devnet: Devnet;
let registrars: KeyPair[];
let oldNode: NodeProcess;
let upgradeHeight: number;

function governanceTx(type: 'governance.upgrade' | 'governance.params', payload: object, nonce: number): Transaction {
  const unsigned = {
    type,
    chainId: devnet.genesis.chainId,
    expiresAtMs: Date.now() + 3_600_000,
    nonce,
    payload,
  } as UnsignedTransaction;
  let signed = { ...unsigned, signatures: [] } as unknown as Transaction;
  for (const registrar of registrars) signed = signTransaction(signed, registrar.secretKey);
  return signed;
}

async function submitted(node: NodeProcess, tx: Transaction) {
  return node.request<{ txHash?: string; error?: { code: string; message: string } }>('POST', '/txs', tx);
}

async function finalOn(node: NodeProcess, hash: string): Promise<number> {
  return waitFor(`${hash} final`, async () => {
    const status = await node.txStatus(hash);
    if (status.state === 'rejected') throw new Error(`rejected: ${status.code} ${status.sentence}`);
    return status.state === 'final' ? status.height : undefined;
  });
}

describe('an upgrade in place on a devnet of four processes', () => {
  beforeAll(async () => {
    devnet = await Devnet.create({ validators: 4, observers: 0, objects: 20, heartbeatMs: 1_000, protocolVersion: 1 });
    registrars = await Promise.all([devnet.signingKey('node-1'), devnet.signingKey('node-2')]);
    oldNode = devnet.node('node-4');
    await Promise.all([
      ...devnet.nodes.filter((node) => node !== oldNode).map((node) => node.start()),
      oldNode.start([], OLD_RELEASE),
    ]);
    await waitFor(
      'a connected devnet making blocks',
      async () => {
        const statuses = await Promise.all(devnet.nodes.map((node) => node.status()));
        return statuses.every((status) => status.peers === 3 && status.height >= 2) ? true : undefined;
      },
      90_000,
    );
  }, 120_000);

  afterAll(async () => {
    await devnet?.stop();
  }, 60_000);

  it('schedules protocol 2 at height H by more than 2/3 of the registrars, and each node says so in its status', async () => {
    const node = devnet.node('node-1');
    expect((await node.status()).protocol).toMatchObject({ version: 1, supported: [...PROTOCOL_VERSIONS_KNOWN] });
    expect((await oldNode.status()).protocol).toMatchObject({ version: 1, supported: [1] });
    upgradeHeight = (await node.status()).height + UPGRADE_NOTICE_BLOCKS_MIN + 6;
    const tx = governanceTx('governance.upgrade', { schedule: { version: 2, height: upgradeHeight, name: 'v2' } }, 1);
    const answer = await submitted(node, tx);
    expect(answer.status, JSON.stringify(answer.body)).toBe(202);
    await finalOn(node, answer.body.txHash!);
    const upgrade = { version: 2, height: upgradeHeight, name: 'v2' };
    await waitFor('every node knows the upgrade', async () => {
      const statuses = await Promise.all(devnet.nodes.map((each) => each.status()));
      return statuses.every((status) => status.protocol.upgrade?.height === upgradeHeight) ? true : undefined;
    });
    expect((await oldNode.status()).protocol.upgrade).toEqual(upgrade);
  }, 90_000);

  it('shows which validators run a release with the upgrade (identify agentVersion protocols=…) [REQ-UPG.2]', async () => {
    const view = await waitFor('node-4 identified', async () => {
      const { body } = await devnet.node('node-1').request<ValidatorsView>('GET', '/validators');
      return body.validators.every((validator) => validator.protocols !== null) ? body : undefined;
    });
    const oldKey = (await devnet.signingKey('node-4')).publicKey;
    for (const validator of view.validators) {
      expect(validator.runsUpgrade, validator.name ?? validator.key).toBe(validator.key !== oldKey);
      expect(validator.designated).toBeNull(); // protocol 1: every active registrar and notary votes
    }
  }, 60_000);

  it('refuses a type of protocol 2 before H (NOT_YET_ENABLED) and accepts it from H on [REQ-UPG.1]', async () => {
    const node = devnet.node('node-1');
    const early = await submitted(node, governanceTx('governance.params', { changes: { heartbeatMs: 2_000 } }, 2));
    expect((await node.status()).height + 1).toBeLessThan(upgradeHeight);
    expect(early.status).toBe(422);
    expect(early.body.error?.code).toBe('NOT_YET_ENABLED');
    await waitFor(
      'height H - 1 committed',
      async () => ((await node.status()).height >= upgradeHeight - 1 ? true : undefined),
      90_000,
    );
    const late = await submitted(node, governanceTx('governance.params', { changes: { heartbeatMs: 2_000 } }, 3));
    expect(late.status, JSON.stringify(late.body)).toBe(202);
    expect(await finalOn(node, late.body.txHash!)).toBeGreaterThanOrEqual(upgradeHeight);
    const status = await node.status();
    expect(status.protocol.version).toBe(2);
    expect(status.protocol.upgrade).toBeUndefined();
    expect(status.params.heartbeatMs).toBe(2_000);
  }, 150_000);

  it('stops the node on the old release at H, with its sentence in status and log, and again after a restart [REQ-UPG.2]', async () => {
    const sentence =
      `This network switches to protocol version 2 at height ${upgradeHeight}; this software supports up to version 1. ` +
      'Install a release that supports protocol 2 and start the node again.';
    const status = await waitFor('node-4 stopped', async () => {
      const current = await oldNode.status();
      return current.protocol.stopped ? current : undefined;
    });
    expect(status.protocol.stopped).toBe(sentence);
    expect(status.height).toBe(upgradeHeight - 1);
    expect(oldNode.log).toContain(sentence);
    // the others go on past H without it
    const node = devnet.node('node-1');
    await waitFor(
      'the network past H',
      async () => ((await node.status()).height > upgradeHeight + 1 ? true : undefined),
      60_000,
    );
    expect((await oldNode.status()).height).toBe(upgradeHeight - 1);
    // a refused submission says the same sentence
    const refused = await submitted(oldNode, governanceTx('governance.params', { changes: { heartbeatMs: 3_000 } }, 4));
    expect(refused.status).toBe(503);
    expect(refused.body.error).toEqual({ code: 'PROTOCOL_UNSUPPORTED', message: sentence });
    // the same release again: the same place, the same sentence, nothing written past it
    await oldNode.kill();
    oldNode.log = '';
    await oldNode.start([], OLD_RELEASE);
    const again = await oldNode.status();
    expect(again.protocol.stopped).toBe(sentence);
    expect(again.height).toBe(upgradeHeight - 1);
  }, 150_000);
});
