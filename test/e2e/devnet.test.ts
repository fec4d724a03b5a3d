// The UI in Chromium against a real 3-validator devnet in processes (node-1 and node-2
// registrars, node-3 the notary): the Network screen shows the peers and validators, and the
// offline path: both registrars stopped, node-3 certifies into its outbox, they come back, final;
// who votes and who follows, and an upgrade the registrars schedule, on the Network screen.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import type { CosignResult, Identity, NodeStatus } from '../../shared/api/index.js';
import { generateKeyPair } from '../../shared/crypto/index.js';
import {
  LATEST_PROTOCOL,
  PROTOCOL_VERSIONS_KNOWN,
  type PropertyObject,
  type Transaction,
} from '../../shared/ledger/index.js';
import { devObjectId } from '../../electron/node/dev/demo-registry.js';
import { en } from '../../renderer/src/i18n/en.js';
import { launchChromium } from '../support/browser.js';
import { Devnet, waitFor, type NodeProcess } from '../support/devnet-harness.js';
import {
  closeAfterTests,
  layoutProblems,
  newPage,
  openContractFile,
  openUi,
  pageErrors,
  ROOT,
  saveScreenshot,
  seriousViolations,
  settle,
  transferDraft,
} from './support.js';

const CHAIN_ID = 'by-registry-devnet';
const UI_BUILT = existsSync(join(ROOT, 'dist', 'renderer', 'index.html'));

let devnet: Devnet;
let notary: NodeProcess;
let registrars: NodeProcess[];
let notaryKey: string;
let browser: Browser;
let context: BrowserContext;
let page: Page;

describe.skipIf(!UI_BUILT)('the UI against a 3-validator devnet (Chromium)', () => {
  beforeAll(async () => {
    devnet = await Devnet.create({ validators: 3, observers: 0, objects: 300 });
    await devnet.startAll();
    const identities = await Promise.all(
      devnet.nodes.map(async (node) => (await node.request<Identity>('GET', '/identity')).body),
    );
    expect(identities.map((identity) => identity.role)).toEqual(['registrar', 'registrar', 'notary']);
    notary = devnet.node('node-3');
    registrars = [devnet.node('node-1'), devnet.node('node-2')];
    notaryKey = identities[2]!.publicKey!;
    // every node sees both others and the chain moves
    await waitFor(
      'a connected devnet making blocks',
      async () => {
        const statuses = await Promise.all(devnet.nodes.map((node) => node.status()));
        return statuses.every((status) => status.peers === 2 && status.height >= 2 && status.online) ? true : undefined;
      },
      60_000,
    );
    browser = await launchChromium();
    ({ context, page } = await newPage(browser));
    await openUi(page, notary.uiUrl);
  }, 120_000);

  closeAfterTests(() => ({ page, context, browser, stop: () => devnet?.stop() }));

  it(
    'the Network screen of node-3 lists its 2 peers by authority and the 3 validators, all connected',
    { timeout: 120_000 },
    async () => {
      await page.getByTestId('nav-network').click();
      await settle(page, 'screen-network');
      await page.getByRole('heading', { level: 1, name: en.network.title }).waitFor();
      const peerRows = page.getByTestId('peer-row');
      await expect.poll(() => peerRows.count(), { timeout: 30_000 }).toBe(2);
      // each peer is named by the authority it belongs to (once the validator set is loaded)
      const peerNames = () =>
        peerRows.evaluateAll((rows) => rows.map((row) => row.querySelector('td')?.textContent ?? '').sort());
      await expect.poll(peerNames, { timeout: 20_000 }).toEqual(['Devnet node-1', 'Devnet node-2']);
      const peerIds = await peerRows.evaluateAll((rows) => rows.map((row) => row.getAttribute('data-peer-id')).sort());
      expect(peerIds).toEqual(registrars.map((node) => node.info.peerId).sort());

      const validatorRows = page.getByTestId('validator-row');
      await expect.poll(() => validatorRows.count()).toBe(3);
      await expect
        .poll(() => page.locator('[data-testid="validator-row"][data-connected="true"]').count(), { timeout: 30_000 })
        .toBe(3);
      const validatorText = (await page.getByTestId('network-validators').textContent()) ?? '';
      for (const name of ['Devnet node-1', 'Devnet node-2', 'Devnet node-3']) expect(validatorText).toContain(name);
      expect(validatorText).toContain(en.network.self);
      // who votes [REQ-VAL.1]: the devnet designates its three validators; its bank follows without voting
      const standings = page.locator('[data-testid="validator-row"] [data-testid="vote-standing"]');
      expect(
        await standings.evaluateAll((marks) =>
          marks.map((mark) => [mark.getAttribute('data-votes'), mark.getAttribute('data-designated')]),
        ),
      ).toEqual([
        ['true', 'true'],
        ['true', 'true'],
        ['true', 'true'],
      ]);
      expect(await standings.first().textContent()).toBe(en.network.offices.votes);
      expect(await page.getByTestId('validators-size').textContent()).toContain(
        en.network.offices.setSize.replace('{{count}}', '3').replace('{{max}}', '100'),
      );
      const followers = page.getByTestId('follower-row');
      await expect.poll(() => followers.count(), { timeout: 20_000 }).toBe(1);
      expect(await followers.getAttribute('data-role')).toBe('observer');
      expect(await followers.getByTestId('vote-standing').getAttribute('data-votes')).toBe('false');
      expect(await followers.getByTestId('vote-standing').textContent()).toBe(en.network.offices.follows);
      // the chain's heartbeat in words (the chain's default; the test nodes override it to see blocks)
      expect(await page.getByTestId('network-heartbeat').textContent()).toBe(
        en.network.heartbeat.replace('{{interval}}', '2 minutes'),
      );
      // the protocol: the latest version, what this node runs, no upgrade scheduled
      const protocol = page.getByTestId('network-protocol');
      expect(await protocol.getAttribute('data-version')).toBe(String(LATEST_PROTOCOL));
      expect(await protocol.getByTestId('protocol-version').textContent()).toBe(
        en.network.protocol.inForce.replace('{{version}}', String(LATEST_PROTOCOL)),
      );
      expect(await protocol.getByTestId('protocol-upgrade').getAttribute('data-scheduled')).toBe('false');
      expect(await protocol.getByTestId('protocol-upgrade').textContent()).toBe(en.network.protocol.noUpgrade);
      // every validator is connected, so its software's versions are known
      await expect
        .poll(() => protocol.getByTestId('protocol-versions').allTextContents(), { timeout: 20_000 })
        .toEqual(Array.from({ length: 3 }, () => PROTOCOL_VERSIONS_KNOWN.join(', ')));
      expect(await page.getByTestId('alert-protocol-stopped').count()).toBe(0);
      // the block-interval chart has points from a live chain (a few more blocks, for a chart worth a screenshot)
      await waitFor('ten blocks', async () => ((await notary.status()).height >= 10 ? true : undefined), 60_000);
      await page.locator('[data-testid="network-interval-chart"] .recharts-line').waitFor();
      await page.waitForTimeout(1_500);
      await saveScreenshot(page, 'network');

      expect(await seriousViolations(page)).toEqual([]);
      expect(await layoutProblems(page, 'network (devnet)')).toEqual([]);
      expect(pageErrors(page)).toEqual([]);
    },
  );

  it(
    'governance: node-1 proposes a new authority, both registrars co-sign it in their own UI with keys that stay in their nodes, it is submitted and final',
    { timeout: 180_000 },
    async () => {
      const newcomer = generateKeyPair();
      const signedBy: string[] = [];
      let file: { name: string; buffer: Buffer } | undefined;
      for (const [i, registrar] of registrars.entries()) {
        const { context: own, page: registrarPage } = await newPage(browser);
        try {
          await openUi(registrarPage, registrar.uiUrl);
          await registrarPage.getByTestId('nav-governance').click();
          await settle(registrarPage, 'screen-governance');
          if (i === 0) {
            // the proposal: add an observer (a bank), so the validator set stays as it is
            await registrarPage.getByLabel(en.governance.key).fill(newcomer.publicKey);
            await registrarPage.getByLabel(en.governance.name).fill('Bank of Brest');
            await registrarPage.getByRole('combobox', { name: en.governance.role }).click();
            await registrarPage.getByRole('option', { name: en.role.observer }).click();
            const [unsigned] = await Promise.all([
              registrarPage.waitForEvent('download'),
              registrarPage.getByTestId('governance-build').click(),
            ]);
            file = { name: unsigned.suggestedFilename(), buffer: await readFile((await unsigned.path())!) };
          }
          await registrarPage
            .locator('[data-testid="governance-submit"] input[type="file"]')
            .setInputFiles({ ...file!, mimeType: 'application/json' });
          await registrarPage.getByTestId('governance-cosign').click();
          const cosigned = registrarPage.getByTestId('governance-cosigned');
          await cosigned.waitFor();
          expect(await cosigned.getAttribute('data-signatures')).toBe(String(i + 1));
          expect(await cosigned.getAttribute('data-needed')).toBe('2');
          const [signed] = await Promise.all([
            registrarPage.waitForEvent('download'),
            registrarPage.getByTestId('governance-download-signed').click(),
          ]);
          file = { name: signed.suggestedFilename(), buffer: await readFile((await signed.path())!) };
          signedBy.push(
            ...(JSON.parse(file.buffer.toString('utf8')) as { signatures: Array<{ key: string }> }).signatures.map(
              (entry) => entry.key,
            ),
          );
          if (i === registrars.length - 1) {
            await registrarPage.getByTestId('governance-submit-button').click();
            await registrarPage.locator('[data-testid="tx-progress"][data-state="final"]').waitFor({ timeout: 60_000 });
            await saveScreenshot(registrarPage, 'governance-final', { docs: false });
          }
          expect(pageErrors(registrarPage)).toEqual([]);
        } finally {
          await own.close();
        }
      }
      // each registrar's own key signed; nobody's private key left its node
      const keys = await Promise.all(
        registrars.map(async (node) => (await node.request<Identity>('GET', '/identity')).body.publicKey),
      );
      expect(new Set(signedBy)).toEqual(new Set(keys));
      // the bank takes part without voting: the Governance screen and the Network screen say so
      await page.getByTestId('nav-governance').click();
      await settle(page, 'screen-governance');
      const bank = page.locator('[data-testid="authority-row"]', { hasText: 'Bank of Brest' });
      await expect.poll(() => bank.getAttribute('data-votes'), { timeout: 30_000 }).toBe('false');
      expect(await bank.getByTestId('vote-standing').textContent()).toBe(en.network.offices.follows);
      expect(await page.locator('[data-testid="authority-row"][data-votes="true"]').count()).toBe(3);
      expect(await page.locator('[data-testid="authority-row"][data-votes="false"]').count()).toBe(2);
      await page.getByTestId('nav-network').click();
      await settle(page, 'screen-network');
      const follower = page.locator('[data-testid="follower-row"]', { hasText: 'Bank of Brest' });
      await follower.waitFor({ timeout: 20_000 });
      expect(await follower.getAttribute('data-role')).toBe('observer');
      expect(await follower.getByTestId('vote-standing').textContent()).toBe(en.network.offices.follows);
      expect(await page.getByTestId('follower-row').count()).toBe(2);
      await page.mouse.move(0, 0); // a hovered navigation link is not what axe should judge
      expect(await seriousViolations(page)).toEqual([]);
      expect(await layoutProblems(page, 'network with a follower (devnet)')).toEqual([]);
    },
  );

  it(
    'offline: with both registrars stopped node-3 certifies into its outbox, labelled so; once they are back the transfer is final [REQ-OUT.1] [REQ-OUT.2]',
    { timeout: 180_000 },
    async () => {
      const object = (await notary.request<{ property: PropertyObject }>('GET', `/properties/${devObjectId(42)}`)).body
        .property;
      const { draft } = transferDraft(object, { chainId: CHAIN_ID, notaryKey, nonce: 42_001 });

      await Promise.all(registrars.map((node) => node.kill()));
      // node-3 alone cannot reach two thirds of the validators: the header says offline
      await page.locator('[data-testid="header-online"][data-online="false"]').waitFor({ timeout: 30_000 });
      expect(await page.getByTestId('header-online').textContent()).toContain(en.app.offline);

      await page.getByTestId('nav-certify').click();
      await openContractFile(page, draft, `transfer-${object.id}.json`);
      const checks = page.getByTestId('certify-checks');
      await checks.waitFor();
      expect(await checks.getAttribute('data-ok')).toBe('true');
      // the button says where the transfer goes, and so does the confirmation
      await page.getByRole('button', { name: en.certify.certifyOffline }).click();
      const dialog = page.getByRole('dialog', { name: en.certify.confirmTitle });
      await dialog.waitFor();
      await dialog.getByText(en.certify.confirmOffline).waitFor();
      await dialog.getByRole('button', { name: en.certify.certifyOffline }).click();

      await page.locator('[data-testid="tx-progress"][data-state="outbox"]').waitFor();
      await page.getByTestId('tx-outbox').getByText(en.certify.resultOutbox).waitFor();
      expect(await page.getByTestId('tx-progress').getByTestId('tx-state').textContent()).toBe(en.txState.outbox);
      const outboxRow = page.getByTestId('outbox-row');
      await expect.poll(() => outboxRow.count(), { timeout: 20_000 }).toBe(1);
      expect(await outboxRow.getByTestId('tx-state').getAttribute('data-state')).toBe('outbox');
      expect(await outboxRow.getByTestId('tx-state').textContent()).toBe(en.txState.outbox);
      const txHash = (await page
        .getByTestId('tx-progress')
        .locator('a[href^="#/explorer/tx/"]')
        .first()
        .getAttribute('href'))!
        .split('/')
        .pop()!;
      expect((await notary.txStatus(txHash)).state).toBe('outbox');
      await saveScreenshot(page, 'certify-outbox', { docs: false });

      // the registrars come back: the outbox is sent and the transfer is final, live
      await Promise.all(registrars.map((node) => node.start()));
      await page.locator('[data-testid="header-online"][data-online="true"]').waitFor({ timeout: 90_000 });
      await page.locator('[data-testid="tx-progress"][data-state="final"]').waitFor({ timeout: 90_000 });
      const status = await notary.txStatus(txHash);
      expect(status.state).toBe('final');
      const height = status.state === 'final' ? status.height : -1;
      expect(await page.getByTestId('tx-progress').getByTestId('tx-state').textContent()).toBe(
        en.txState.finalAt.replace('{{height}}', String(height)),
      );
      await expect
        .poll(() => outboxRow.getByTestId('tx-state').getAttribute('data-state'), { timeout: 30_000 })
        .toBe('final');
      expect(await outboxRow.getByTestId('tx-state').textContent()).toBe(
        en.txState.finalAt.replace('{{height}}', String(height)),
      );
      // every node has it in the same block
      for (const node of registrars)
        await waitFor(
          `${node.info.name} to have the transfer`,
          async () => ((await node.txStatus(txHash)).state === 'final' ? true : undefined),
          30_000,
        );
      expect(pageErrors(page)).toEqual([]);
    },
  );
  it(
    'upgrades: the registrars schedule a protocol no validator runs yet; the Network screen shows it, each validator not running it, and warns [REQ-UPG.1]',
    { timeout: 180_000 },
    async () => {
      const head = (await notary.status()).height;
      const version = LATEST_PROTOCOL + 1;
      // far enough that no node reaches it (and stops) while the suite runs
      const height = head + 50_000;
      let tx: Transaction = {
        type: 'governance.upgrade',
        chainId: CHAIN_ID,
        expiresAtMs: Date.now() + 3_600_000,
        nonce: 77_001,
        signatures: [],
        payload: { schedule: { version, height, name: 'next registry' } },
      } as unknown as Transaction;
      // each registrar co-signs through its own node's API (its key stays in its node)
      for (const registrar of registrars) {
        const { status, body } = await registrar.request<CosignResult>('POST', '/governance/cosign', tx);
        expect(status).toBe(200);
        tx = body.tx;
      }
      const { txHash } = await registrars[0]!.submit(tx);
      await waitFor(
        'the upgrade final on node-3',
        async () => {
          const state = await notary.txStatus(txHash);
          if (state.state === 'rejected') throw new Error(`rejected: ${state.code} ${state.sentence}`);
          return state.state === 'final' ? true : undefined;
        },
        60_000,
      );
      const status: NodeStatus = await notary.status();
      expect(status.protocol.upgrade).toEqual({ version, height, name: 'next registry' });

      await page.getByTestId('nav-network').click();
      await settle(page, 'screen-network');
      const protocol = page.getByTestId('network-protocol');
      const upgrade = protocol.getByTestId('protocol-upgrade');
      await expect.poll(() => upgrade.getAttribute('data-scheduled'), { timeout: 20_000 }).toBe('true');
      expect(await upgrade.getAttribute('data-version')).toBe(String(version));
      const shown = (await upgrade.textContent()) ?? '';
      expect(shown).toContain(`version ${version}`);
      expect(shown).toContain('next registry');
      expect(shown).toContain(`block ${height.toLocaleString('en-US')}`);
      // no validator's software runs it (each is connected, so each is known not to)
      await expect
        .poll(
          () =>
            protocol
              .locator('[data-testid="runs-upgrade"]')
              .evaluateAll((marks) => marks.map((mark) => mark.getAttribute('data-runs'))),
          {
            timeout: 30_000,
          },
        )
        .toEqual(['false', 'false', 'false']);
      await protocol.getByTestId('protocol-quorum-warning').waitFor();
      expect(await protocol.getByTestId('protocol-quorum-warning').textContent()).toContain('Only 0 of 3 validators');
      await protocol.getByTestId('protocol-self-behind').waitFor();
      await saveScreenshot(page, 'network-upgrade', { docs: false });
      expect(await seriousViolations(page)).toEqual([]);
      expect(await layoutProblems(page, 'network with an upgrade (devnet)')).toEqual([]);
      expect(pageErrors(page)).toEqual([]);
    },
  );
});
