// The trustee's ceremony on its own screen (Chromium, playwright-core, a devnet of validator
// processes): node-2 is a trustee whose keystore its node made (DATA/trustees/<id>.json). Its
// election screen walks it through dealing, checking its shares, fixing the key, decrypting the
// closed totals and publishing the results, each transaction followed to final; a wrong
// passphrase is refused with a sentence and sends nothing. The other trustees act through their
// nodes' routes. On the list screen a trustee makes its keystore for an election in preparation.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../support/devnet-harness.js';
import { launchChromium } from '../support/browser.js';
import { ElectionFixture } from '../support/election-fixture.js';
import {
  failureScreenshot,
  goHash,
  layoutProblems,
  newPage,
  openUi,
  ROOT,
  seriousViolations,
  settle,
} from './support.js';

const UI_BUILT = existsSync(join(ROOT, 'dist', 'renderer', 'index.html'));
const ID = 'trustee-ui-2026';
const PASSPHRASE = ElectionFixture.TRUSTEE_PASSPHRASE;

let fixture: ElectionFixture;
let browser: Browser;
let page: Page;

const panel = () => page.getByTestId('election-trustee');
const stage = () => panel().getAttribute('data-stage');

async function checkScreen(name: string): Promise<void> {
  expect(await seriousViolations(page), `${name}: axe`).toEqual([]);
  expect(await layoutProblems(page, name)).toEqual([]);
}

/** Types the passphrase, sends the step, and waits until every transaction it sent is final. */
async function runStep(expected: string, sends = true): Promise<void> {
  await expect.poll(stage, { timeout: 60_000 }).toBe(expected);
  await panel().getByTestId('election-trustee-passphrase').fill(PASSPHRASE);
  await panel().getByTestId('election-trustee-submit').click();
  if (sends) await followToFinal(expected);
}

async function followToFinal(step: string): Promise<void> {
  const sent = panel().locator(`[data-testid="election-trustee-sent"][data-step="${step}"]`);
  await expect.poll(() => sent.count(), { timeout: 30_000 }).toBeGreaterThan(0);
  await expect
    .poll(async () => sent.getByTestId('tx-progress').last().getAttribute('data-state'), { timeout: 90_000 })
    .toBe('final');
  // the passphrase is never kept on the screen. Read in one step: the field may leave the screen
  // as the stage moves on, between a count and a read (CI saw inputValue wait 30 s for it)
  const kept = await panel()
    .getByTestId('election-trustee-passphrase')
    .evaluateAll((inputs) => inputs.map((input) => (input as HTMLInputElement).value));
  expect(kept.filter((value) => value !== '')).toEqual([]);
}

describe.skipIf(!UI_BUILT)("the trustee's screen on a devnet (Chromium)", () => {
  beforeAll(async () => {
    fixture = await ElectionFixture.start({
      id: ID,
      contests: [{ title: 'Park', choices: ['Yes', 'No'], min: 1, max: 1 }],
      phase: 'keygen',
      trusteesOn: 'node',
      dealsSeconds: 90,
      votingSeconds: 90,
      log: (line) => console.log(line),
    });
    browser = await launchChromium();
    page = (await newPage(browser)).page;
    page.context().setDefaultTimeout(30_000);
    // node-2 is trustee 1 of the election
    await openUi(page, fixture.devnet.node('node-2').uiUrl);
  }, 600_000);

  afterEach(async ({ task }) => {
    if (task.result?.state === 'fail' && page) await failureScreenshot(page, task.name);
  });

  afterAll(async () => {
    await browser?.close();
    await fixture?.stop();
  });

  it('deals from the screen, and refuses a wrong passphrase without sending anything', async () => {
    await goHash(page, `#/elections/${ID}`);
    await settle(page, 'screen-election');
    await expect.poll(stage, { timeout: 30_000 }).toBe('deal');
    expect(await panel().getAttribute('data-trustee')).toBe('1');
    await checkScreen('trustee-deal');
    await panel().getByTestId('election-trustee-passphrase').fill('not the passphrase');
    await panel().getByTestId('election-trustee-submit').click();
    await expect.poll(() => panel().getByTestId('error-alert').textContent()).toMatch(/passphrase is wrong/);
    expect((await fixture.view()).dealt).toEqual([]);
    await checkScreen('trustee-wrong-passphrase');
    await runStep('deal');
    // final where the screen sent it; node-2's view follows its own commit and board index (a loaded
    // machine took more than the poll's default second)
    await expect.poll(async () => (await fixture.view('node-2')).dealt, { timeout: 30_000 }).toEqual([1]);
  }, 180_000);

  it('checks the shares once every trustee dealt, then fixes the key after the answers close', async () => {
    await fixture.trusteeStep('node-3', 'deal');
    await fixture.trusteeStep('node-4', 'deal');
    await waitFor('node-2 to see every dealing', async () =>
      (await fixture.view('node-2')).dealt.length === 3 ? true : undefined,
    );
    await runStep('check', false);
    await expect
      .poll(() => panel().getByTestId('election-trustee-checked').textContent())
      .toMatch(/3 key parts open; 0 complaints sent; 0 trustees have not dealt yet/);
    await checkScreen('trustee-check');
    const { answersUntilMs } = await fixture.view();
    await waitFor(
      'the answers to close',
      async () => (Date.now() > answersUntilMs + 2_000 ? true : undefined),
      180_000,
    );
    await expect.poll(stage, { timeout: 30_000 }).toBe('key');
    await panel().getByTestId('election-trustee-submit').click();
    await followToFinal('key');
    await expect
      .poll(() => page.getByTestId('election-detail').getAttribute('data-phase'), { timeout: 30_000 })
      .toBe('voting');
    await expect.poll(stage).toBe('waitVoting');
  }, 300_000);

  it('decrypts the closed totals from the screen and publishes results equal to the ballots', async () => {
    const { file, pairs } = await fixture.credentials(3);
    await fixture.register(pairs.map((pair) => pair.publicKey));
    await fixture.cast(
      file,
      pairs.map((pair, k) => ({ credential: pair.publicKey, choices: [[k === 0 ? 1 : 0]] })),
    );
    await fixture.waitForWindowEnd();
    await fixture.close();
    await runStep('decrypt');
    await checkScreen('trustee-decrypt');
    await expect.poll(stage).toBe('waitDecryptions');
    await fixture.trusteeStep('node-3', 'decrypt');
    await expect.poll(stage, { timeout: 30_000 }).toBe('tally');
    await panel().getByTestId('election-trustee-submit').click();
    await followToFinal('tally');
    await expect
      .poll(() => page.getByTestId('election-detail').getAttribute('data-phase'), { timeout: 30_000 })
      .toBe('final');
    expect((await fixture.view()).counts).toEqual([[2, 1]]);
    await expect.poll(stage).toBe('done');
    await checkScreen('trustee-done');
  }, 900_000);

  it('makes a trustee keystore for an election in preparation, shows its transport key, and never makes a second', async () => {
    await goHash(page, '#/elections');
    await settle(page, 'screen-elections');
    const card = page.getByTestId('trustee-key');
    await card.getByTestId('trustee-key-election').fill('bad id!');
    expect(await card.getByTestId('trustee-key-make').isDisabled()).toBe(true);
    await card.getByTestId('trustee-key-election').fill('next-2027');
    await card.getByTestId('trustee-key-passphrase').fill(PASSPHRASE);
    await card.getByTestId('trustee-key-again').fill(PASSPHRASE);
    await checkScreen('trustee-key');
    await card.getByTestId('trustee-key-make').click();
    const shown = await card.getByTestId('trustee-key-transport').textContent();
    const kept = JSON.parse(
      await readFile(join(fixture.devnet.node('node-2').info.dataDir, 'trustees', 'next-2027.json'), 'utf8'),
    ) as { transportKey: string };
    expect(shown).toBe(kept.transportKey);
    await checkScreen('trustee-key-made');
    await card.getByTestId('trustee-key-passphrase').fill(PASSPHRASE);
    await card.getByTestId('trustee-key-again').fill(PASSPHRASE);
    await card.getByTestId('trustee-key-make').click();
    await expect.poll(() => card.getByTestId('error-alert').textContent()).toMatch(/never replaced/);
  }, 120_000);
});
