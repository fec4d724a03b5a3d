// The commission's screens on a devnet of validator processes (Chromium, playwright-core): the
// registrars create an election through the screen (this office signs through its node, saves
// the file, the next registrar signs it with `notary tx sign`, and the screen submits it), a desk scans a voter's credential QR through a fake camera (a y4m made
// from the QR here) and from a photo, refuses malformed, secret and duplicate keys at once,
// prints a sealed credential for a voter with no device and registers both; the turnout moves
// after the voters cast (CLI); the election is closed from the screen after its window; after two
// trustees decrypt (CLI) the results equal the ballots cast and the export verifies.
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import QRCode from 'qrcode';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../support/browser.js';
import { ElectionFixture, type CredentialPair } from '../support/election-fixture.js';
import {
  checkScreen as checkPage,
  closeOnScreen,
  createElectionOnScreen,
  decryptAndTally,
  expectDealing,
  expectTurnout,
  fakeCameraArgs,
  openDesk,
  personContext,
  printCredential,
  qrVideo,
  registerTaken,
  saveAndVerifyExport,
  scanWithCamera,
  screenCounts,
} from './election-support.js';
import { failureScreenshot, goHash, openUi, pageErrors, ROOT, saveScreenshot, settle } from './support.js';

const UI_BUILT = existsSync(join(ROOT, 'dist', 'renderer', 'index.html'));
const UI_ID = 'ui-2026';

let fixture: ElectionFixture;
let browser: Browser;
let page: Page;
let dir = '';

async function checkScreen(name: string): Promise<void> {
  await checkPage(page, name);
}

describe.skipIf(!UI_BUILT)("the commission's screens on a devnet (Chromium)", () => {
  let camera: CredentialPair;
  let printed: CredentialPair;
  let camerafile = '';

  beforeAll(async () => {
    fixture = await ElectionFixture.start({ votingSeconds: 180, log: (line) => console.log(line) });
    // the devnet's own fresh folder: trustee keystores are never overwritten, so no run may reuse one
    dir = join(fixture.dir, 'commission');
    await mkdir(dir, { recursive: true });
    const made = await fixture.credentials(1, 'camera-voter');
    camera = made.pairs[0]!;
    camerafile = made.file;
    const video = join(dir, 'credential-qr.y4m');
    await qrVideo(camera.publicKey, video);
    browser = await launchChromium(fakeCameraArgs(video));
    ({ page } = await personContext(browser));
    // node-1 is a registrar office: it creates, registers and closes
    await openUi(page, fixture.devnet.node('node-1').uiUrl);
  }, 600_000);

  afterEach(async ({ task }) => {
    if (task.result?.state === 'fail' && page) await failureScreenshot(page, task.name);
  });

  afterAll(async () => {
    await browser?.close();
    await fixture?.stop();
  });

  it('lists the election with its stage, and explains it in plain words', async () => {
    await goHash(page, '#/elections');
    await settle(page, 'screen-elections');
    const row = page.locator(`[data-testid="election-row"][data-id="${fixture.id}"]`);
    await expect.poll(() => row.count(), { timeout: 30_000 }).toBe(1);
    expect(await row.getByTestId('election-phase').getAttribute('data-phase')).toBe('voting');
    await checkScreen('elections');
    await row.getByRole('link').click();
    await settle(page, 'screen-election');
    const next = page.getByTestId('election-next');
    expect(await next.getAttribute('data-stage')).toBe('voting');
    expect(await page.getByTestId('election-next-sentence').textContent()).toMatch(/Voting is open until/);
    await checkScreen('election-detail');
  }, 60_000);

  it('creates an election through the screen, the registrars signing the one file in turn', async () => {
    await goHash(page, '#/electionCreate');
    await settle(page, 'screen-election-create');
    const form = page.getByTestId('election-form');
    // checked as it is typed, with the ledger's schema
    await form.getByTestId('form-id').fill('bad id!');
    await expect.poll(() => form.getByTestId('form-id').getAttribute('aria-invalid')).toBe('true');
    await createElectionOnScreen(page, fixture, dir, {
      id: UI_ID,
      title: 'Referendum on the park',
      contests: [{ title: 'Build the park?', choices: ['Yes', 'No'] }],
      districts: ['Minsk', 'Brest'],
      // each trustee's office key typed, its transport key loaded from `election trustee-key`'s keystore file
      trustees: ['node-2', 'node-3', 'node-4'],
      schedule: { dealsIn: 30 * 60 },
      check: checkScreen,
    });
    await expectDealing(page, UI_ID, '1, 2, 3');
    await checkScreen('election-keygen');
  }, 180_000);

  it('refuses a malformed, a secret and a duplicate key at once, and submits nothing for them', async () => {
    // from the election's page: its desk link chooses the election
    await openDesk(page, fixture.id, 'Minsk');
    const message = page.getByTestId('desk-message');
    const typeKey = async (text: string) => {
      await page.getByTestId('desk-typed').fill(text);
      await page.getByTestId('desk-typed-add').click();
    };
    await typeKey('3f2a-not-a-key');
    await expect.poll(() => message.getAttribute('data-kind')).toBe('malformed');
    // a voter showing the secret file by mistake
    await typeKey(await readFile(camerafile, 'utf8'));
    await expect.poll(() => message.getAttribute('data-kind')).toBe('secret');
    // a key some office registered already
    const other = await fixture.credentials(1, 'registered-elsewhere');
    await fixture.register([other.pairs[0]!.publicKey], 'Brest');
    await typeKey(other.pairs[0]!.publicKey);
    await expect.poll(() => message.getAttribute('data-kind')).toBe('onChain');
    expect(await page.getByTestId('desk-entry').count()).toBe(0);
    expect(await page.getByTestId('desk-register').isDisabled()).toBe(true);
    await checkScreen('election-desk');
  }, 120_000);

  it("takes a voter's credential from the camera and a photo, and a sealed printed one", async () => {
    const message = page.getByTestId('desk-message');
    await scanWithCamera(page, camera.publicKey);
    // the same voter again, from a photo of the QR: refused as a duplicate
    await page
      .locator('[data-testid="desk-scanner"] input[type="file"][accept="image/*"]')
      .setInputFiles({ name: 'qr.png', mimeType: 'image/png', buffer: await QRCode.toBuffer(camera.publicKey) });
    await expect.poll(() => message.getAttribute('data-kind')).toBe('duplicate');
    expect(await page.getByTestId('desk-entry').count()).toBe(1);

    // a voter with no device: the desk makes, prints and forgets a credential
    const sheet = await printCredential(page, checkScreen);
    printed = sheet.pair;
    await writeFile(join(dir, 'printed.json'), sheet.text, { mode: 0o600 });
  }, 120_000);

  it('registers the credentials taken in one transaction, final on the chain', async () => {
    await registerTaken(page, 2);
    const view = await fixture.view();
    expect(view.roll.size).toBe(3);
  }, 120_000);

  it('shows the turnout move after the voters cast', async () => {
    await fixture.cast(camerafile, [{ credential: camera.publicKey, choices: [[1], [0, 2]] }]);
    await fixture.cast(join(dir, 'printed.json'), [{ credential: printed.publicKey, choices: [[2], []] }]);
    // the camera's voter votes again: only this ballot counts
    await fixture.cast(camerafile, [{ credential: camera.publicKey, choices: [[0], [3]] }]);
    await expectTurnout(page, fixture.id, { ballots: 3, voters: 2, district: 'Minsk' });
    await checkScreen('election-turnout');
    await page.getByTestId('election-turnout').scrollIntoViewIfNeeded();
    await saveScreenshot(page, 'commission-turnout');
  }, 180_000);

  it('closes the election from the screen once its window has ended, after a confirmation', async () => {
    await closeOnScreen(page, fixture);
  }, 600_000);

  it('shows the results equal to the last ballots once two trustees decrypted, and saves the export', async () => {
    await decryptAndTally(page, fixture);
    // Mayor: the camera voter's last ballot (Ann) and the printed one's (Chen); Council: Galina
    expect(await screenCounts(page, 0)).toEqual([1, 0, 1]);
    expect(await screenCounts(page, 1)).toEqual([0, 0, 0, 1]);
    expect(await page.getByTestId('election-results').textContent()).toMatch(/50[.,]0 %/);
    await checkScreen('election-results');
    await page.getByTestId('election-results').scrollIntoViewIfNeeded();
    await saveScreenshot(page, 'commission-results');
    await saveAndVerifyExport(page, fixture, join(dir, `${fixture.id}.election-export`));
    expect(pageErrors(page)).toEqual([]);
  }, 600_000);
});
