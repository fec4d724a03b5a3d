// The office whose disk is full is told so (issue 19, "A full disk"; decision #67): three
// validator processes, node-3's data folder on a small tmpfs of its own, filled to the last byte.
// Its Overview shows a red alert and its header a badge, in English, Russian and Belarusian,
// saying that it accepts no transactions until space is freed and then catches up by itself;
// freed, both go away. Root only (mount; CI); skips, saying why, elsewhere.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { be } from '../../renderer/src/i18n/be.js';
import { en } from '../../renderer/src/i18n/en.js';
import { ru } from '../../renderer/src/i18n/ru.js';
import { launchChromium } from '../support/browser.js';
import { Devnet, waitFor, type NodeProcess } from '../support/devnet-harness.js';
import { SmallDisk, smallDiskUnavailable } from '../support/small-disk.js';
import { newPage, openUi, pageErrors, ROOT, saveScreenshot, settle } from './support.js';

const UI_BUILT = existsSync(join(ROOT, 'dist', 'renderer', 'index.html'));
const UNAVAILABLE = smallDiskUnavailable();

describe.skipIf(!UI_BUILT || UNAVAILABLE !== undefined)(
  `the Overview of an office whose disk is full (Chromium)${UNAVAILABLE ? ` (skipped: ${UNAVAILABLE})` : ''}`,
  () => {
    let devnet: Devnet;
    let full: NodeProcess;
    let disk: SmallDisk;
    let browser: Browser;

    beforeAll(async () => {
      devnet = await Devnet.create({ validators: 3, observers: 0, objects: 10, heartbeatMs: 1_000 });
      full = devnet.node('node-3');
      disk = await SmallDisk.over(full.info.dataDir, 48);
      await devnet.startAll();
      browser = await launchChromium();
    }, 120_000);

    afterAll(async () => {
      await browser?.close();
      await Promise.all(devnet?.nodes.map((node) => node.kill()) ?? []);
      await disk?.unmount();
      await devnet?.stop();
    }, 60_000);

    it(
      'says the disk is full and what happens, in English, Russian and Belarusian; freed, it goes',
      { timeout: 120_000 },
      async () => {
        const { context, page } = await newPage(browser);
        try {
          await openUi(page, full.uiUrl);
          await settle(page, 'screen-overview');
          await page.getByTestId('overview-alerts').waitFor();
          expect(await page.getByTestId('alert-disk').count()).toBe(0);
          await disk.fill(0);
          await waitFor('node-3 to see its disk full', async () =>
            (await full.status()).disk.state === 'full' ? true : undefined,
          );
          const alert = page.getByTestId('alert-disk');
          await alert.waitFor({ timeout: 30_000 });
          expect(await alert.getAttribute('data-state')).toBe('full');
          expect(await alert.textContent()).toContain(en.overview.alerts.disk.fullTitle);
          expect(await alert.textContent()).toContain(en.overview.alerts.disk.effect);
          expect(await page.getByTestId('header-disk').textContent()).toBe('Disk full');
          expect(await page.getByTestId('alert-none').count()).toBe(0);
          await saveScreenshot(page, 'overview-disk-full', { docs: false });
          for (const [label, strings] of [
            ['Русский', ru],
            ['Беларуская', be],
          ] as const) {
            await page.getByTestId('header-language').click();
            await page.getByRole('option', { name: label }).click();
            await expect.poll(() => alert.textContent()).toContain(strings.overview.alerts.disk.fullTitle);
            expect(await alert.textContent()).toContain(strings.overview.alerts.disk.effect);
            expect(await page.getByTestId('header-disk').textContent()).toBe(strings.app.disk.full);
          }
          await disk.free();
          await page.getByTestId('alert-disk').waitFor({ state: 'detached', timeout: 30_000 });
          expect(await page.getByTestId('header-disk').count()).toBe(0);
          await page.getByTestId('alert-none').waitFor();
          expect(pageErrors(page)).toEqual([]);
        } finally {
          await context.close();
        }
      },
    );
  },
);
