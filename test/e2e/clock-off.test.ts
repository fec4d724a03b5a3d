// The office whose computer's clock is off is told so (issue 19, "Clocks"; decision #66): three
// validator processes, one run 5 minutes ahead (NOTARY_TEST_CLOCK_OFFSET_MS). Its Overview
// shows a red alert and its header a badge, with the amount in words, in English, Russian and
// Belarusian; a correct office shows neither.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { be } from '../../renderer/src/i18n/be.js';
import { en } from '../../renderer/src/i18n/en.js';
import { ru } from '../../renderer/src/i18n/ru.js';
import { launchChromium } from '../support/browser.js';
import { Devnet, waitFor, type NodeProcess } from '../support/devnet-harness.js';
import { newPage, openUi, pageErrors, ROOT, saveScreenshot, settle } from './support.js';

const UI_BUILT = existsSync(join(ROOT, 'dist', 'renderer', 'index.html'));
/** Ahead, not behind: with three validators all three must vote, and a clock behind refuses every block. */
const OFFSET_MS = 300_000;

describe.skipIf(!UI_BUILT)('the Overview of an office whose clock is 5 minutes ahead (Chromium)', () => {
  let devnet: Devnet;
  let skewed: NodeProcess;
  let browser: Browser;

  beforeAll(async () => {
    devnet = await Devnet.create({ validators: 3, observers: 0, objects: 10, heartbeatMs: 1_000 });
    skewed = devnet.node('node-3');
    await Promise.all(
      devnet.nodes.map((node) =>
        node === skewed ? node.start([], { NOTARY_TEST_CLOCK_OFFSET_MS: String(OFFSET_MS) }) : node.start(),
      ),
    );
    await waitFor('the skewed office to find its clock off', async () =>
      (await skewed.status()).clock.state === 'off' ? true : undefined,
    );
    browser = await launchChromium();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await devnet?.stop();
  }, 60_000);

  it('says how far ahead and what to do, in English, Russian and Belarusian', { timeout: 120_000 }, async () => {
    const { context, page } = await newPage(browser);
    try {
      await openUi(page, skewed.uiUrl);
      await settle(page, 'screen-overview');
      const alert = page.getByTestId('alert-clock-off');
      await alert.waitFor();
      expect(await alert.textContent()).toContain(en.overview.alerts.clockOffTitle);
      expect(await alert.textContent()).toContain("This computer's clock is 5 minutes ahead of the clocks");
      expect(await alert.textContent()).toContain(en.overview.alerts.clockEffect);
      expect(await page.getByTestId('header-clock-off').textContent()).toBe('Clock off by 5 minutes');
      expect(await page.getByTestId('alert-none').count()).toBe(0);
      await saveScreenshot(page, 'overview-clock-off', { docs: false });
      for (const [label, strings] of [
        ['Русский', ru],
        ['Беларуская', be],
      ] as const) {
        await page.getByTestId('header-language').click();
        await page.getByRole('option', { name: label }).click();
        await expect.poll(() => alert.textContent()).toContain(strings.overview.alerts.clockOffTitle);
        expect(await alert.textContent()).toContain(strings.overview.alerts.clockEffect);
        expect(await page.getByTestId('header-clock-off').textContent()).toMatch(/5/);
      }
      expect(pageErrors(page)).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('shows nothing on an office whose clock is right', { timeout: 60_000 }, async () => {
    const correct = devnet.node('node-1');
    expect((await correct.status()).clock.state).toBe('ok');
    const { context, page } = await newPage(browser);
    try {
      await openUi(page, correct.uiUrl);
      await settle(page, 'screen-overview');
      await page.getByTestId('overview-alerts').waitFor();
      expect(await page.getByTestId('alert-clock-off').count()).toBe(0);
      expect(await page.getByTestId('header-clock-off').count()).toBe(0);
    } finally {
      await context.close();
    }
  });
});
