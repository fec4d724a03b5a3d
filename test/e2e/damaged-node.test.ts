// The Overview screen of a node that found its store damaged (defects issue, item 1): a red
// alert with where the damage is, what it is and the one command that repairs it, in English,
// Russian and Belarusian; no "offline" or "no alerts" message instead.
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ClassicLevel } from 'classic-level';
import type { Browser } from 'playwright-core';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiClient, httpTransport } from '../../shared/api/index.js';
import { bytesToHex, utf8 } from '../../shared/codec/index.js';
import { sha256 } from '../../shared/crypto/index.js';
import { StateKey } from '../../shared/ledger/index.js';
import { smtLeafHash } from '../../shared/smt/index.js';
import { DataFiles } from '../../electron/node/config.js';
import { devObjectId } from '../../electron/node/dev/demo-registry.js';
import { ensureDevNode } from '../../electron/node/dev/dev-node.js';
import { NotaryNode } from '../../electron/node/node.js';
import { Keys } from '../../electron/node/store/keys.js';
import { be } from '../../renderer/src/i18n/be.js';
import { en } from '../../renderer/src/i18n/en.js';
import { ru } from '../../renderer/src/i18n/ru.js';
import { launchChromium } from '../support/browser.js';
import { newPage, openUi, pageErrors, ROOT, saveScreenshot, settle } from './support.js';

const UI_BUILT = existsSync(join(ROOT, 'dist', 'renderer', 'index.html'));

describe.skipIf(!UI_BUILT)('the Overview of a node with a damaged store (Chromium)', () => {
  let dir: string;
  let node: NotaryNode | undefined;
  let browser: Browser;
  let leafHash: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'notary-e2e-damaged-'));
    const { passphrase } = await ensureDevNode(dir);
    const start = () => NotaryNode.start({ dataDir: dir, passphrase, logger: pino({ level: 'silent' }) });
    node = await start();
    for (const deadline = Date.now() + 15_000; node.chain.head.height < 1 && Date.now() < deadline;)
      await new Promise((r) => setTimeout(r, 50));
    await node.stop();
    // The state-tree leaf of one object's record no longer hashes to its key.
    const db = new ClassicLevel<Uint8Array, Uint8Array>(join(dir, DataFiles.chain), {
      keyEncoding: 'view',
      valueEncoding: 'view',
    });
    await db.open();
    const key = StateKey.object(devObjectId(7));
    const record = (await db.get(Keys.state(key)))!;
    leafHash = bytesToHex(smtLeafHash(sha256(utf8(key)), sha256(record)));
    const bytes = new Uint8Array((await db.get(Keys.smtNode(leafHash)))!);
    bytes[50]! ^= 0x01;
    await db.put(Keys.smtNode(leafHash), bytes);
    await db.close();
    node = await start();
    const token = (await readFile(join(dir, 'api-token'), 'utf8')).trim();
    const api = apiClient(httpTransport({ baseUrl: node.apiUrl, token }));
    for (const deadline = Date.now() + 15_000; !(await api.call('status')).damaged && Date.now() < deadline;)
      await new Promise((r) => setTimeout(r, 50));
    browser = await launchChromium();
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await node?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  }, 60_000);

  it('shows where, what and the repair command, in English, Russian and Belarusian', { timeout: 120_000 }, async () => {
    const { context, page } = await newPage(browser);
    try {
      await openUi(page, (await node!.uiUrl())!);
      await settle(page, 'screen-overview');
      const alert = page.getByTestId('alert-damaged');
      await alert.waitFor();
      await expect.poll(() => alert.textContent()).toContain(`row state-node ${leafHash}`);
      expect(await alert.textContent()).toContain('the node does not hash to its key');
      expect(await page.getByTestId('alert-damaged-repair').textContent()).toBe(`notary repair --data ${dir}`);
      expect(await page.getByTestId('overview-damaged').textContent()).toContain(en.overview.alerts.damagedTitle);
      expect(await page.getByTestId('header-online').textContent()).toContain(en.app.damaged);
      expect(await page.getByTestId('overview-online').count()).toBe(0);
      expect(await page.getByTestId('alert-offline').count()).toBe(0);
      expect(await page.getByTestId('alert-none').count()).toBe(0);
      await saveScreenshot(page, 'overview-damaged', { docs: false });
      for (const [label, strings] of [
        ['Русский', ru],
        ['Беларуская', be],
      ] as const) {
        await page.getByTestId('header-language').click();
        await page.getByRole('option', { name: label }).click();
        await expect.poll(() => alert.textContent()).toContain(strings.overview.alerts.damagedTitle);
        expect(await alert.textContent()).toContain(strings.overview.alerts.damagedRepair);
        expect(await alert.textContent()).toContain(`row state-node ${leafHash}`);
        expect(await page.getByTestId('header-online').textContent()).toContain(strings.app.damaged);
      }
      expect(pageErrors(page)).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
