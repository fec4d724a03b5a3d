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
import jsQR from 'jsqr';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import QRCode from 'qrcode';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../support/devnet-harness.js';
import { CHROMIUM_PATH } from '../support/browser.js';
import { ElectionFixture, type CredentialPair } from '../support/election-fixture.js';
import {
  failureScreenshot,
  goHash,
  layoutProblems,
  openUi,
  pageErrors,
  ROOT,
  saveScreenshot,
  seriousViolations,
  settle,
} from './support.js';

const UI_BUILT = existsSync(join(ROOT, 'dist', 'renderer', 'index.html'));
const UI_ID = 'ui-2026';

let fixture: ElectionFixture;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let dir = '';

/**
 * A y4m video (YUV 4:2:0) showing `text` as a QR code, black on white, for Chromium's fake camera
 * (`--use-file-for-fake-video-capture`); it loops the frames.
 */
async function qrVideo(text: string, file: string): Promise<void> {
  const qr = QRCode.create(text, { errorCorrectionLevel: 'M' });
  const size = qr.modules.size;
  const width = 640;
  const height = 480;
  const scale = Math.floor((height - 80) / (size + 8));
  const left = Math.floor((width - size * scale) / 2);
  const top = Math.floor((height - size * scale) / 2);
  const luma = new Uint8Array(width * height).fill(235);
  for (let y = 0; y < size; y++)
    for (let x = 0; x < size; x++)
      if (qr.modules.get(y, x))
        for (let dy = 0; dy < scale; dy++)
          luma.fill(
            16,
            (top + y * scale + dy) * width + left + x * scale,
            (top + y * scale + dy) * width + left + (x + 1) * scale,
          );
  const chroma = new Uint8Array((width / 2) * (height / 2)).fill(128);
  const frame = Buffer.concat([Buffer.from('FRAME\n'), luma, chroma, chroma]);
  const header = Buffer.from(`YUV4MPEG2 W${width} H${height} F10:1 Ip A1:1 C420jpeg\n`);
  await writeFile(file, Buffer.concat([header, ...Array.from({ length: 10 }, () => frame)]));
}

async function checkScreen(name: string): Promise<void> {
  expect(await seriousViolations(page), `${name}: axe`).toEqual([]);
  expect(await layoutProblems(page, name)).toEqual([]);
}

async function txFinal(scope: ReturnType<Page['getByTestId']>): Promise<void> {
  await expect
    .poll(async () => scope.getByTestId('tx-progress').last().getAttribute('data-state'), { timeout: 90_000 })
    .toBe('final');
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
    browser = await chromium.launch({
      executablePath: CHROMIUM_PATH,
      headless: true,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
        '--disable-quic',
        '--use-fake-device-for-media-stream',
        '--use-fake-ui-for-media-stream',
        `--use-file-for-fake-video-capture=${video}`,
      ],
    });
    context = await browser.newContext({
      viewport: { width: 1280, height: 800 },
      locale: 'en-US',
      timezoneId: 'UTC',
      reducedMotion: 'reduce',
      acceptDownloads: true,
    });
    context.setDefaultTimeout(30_000);
    page = await context.newPage();
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
    await form.getByTestId('form-id').fill(UI_ID);
    await expect.poll(() => form.getByTestId('form-id').getAttribute('aria-invalid')).not.toBe('true');
    await form.getByTestId('form-title').fill('Referendum on the park');
    await form.getByTestId('form-contest-title').fill('Build the park?');
    await form.getByTestId('form-contest-choices').fill('Yes\nNo');
    await form.getByTestId('form-districts').fill('Minsk\nBrest');
    // each trustee's office key typed, its transport key loaded from `election trustee-key`'s keystore file
    const names = ['node-2', 'node-3', 'node-4'];
    for (const [k, name] of names.entries()) {
      const file = join(dir, `${UI_ID}-${name}.trustee`);
      await fixture.ok(
        'election',
        'trustee-key',
        '--election',
        UI_ID,
        '--out',
        file,
        '--passphrase-file',
        fixture.passphraseFile,
      );
      const trustee = form.getByTestId('form-trustee').nth(k);
      await trustee.getByTestId('form-trustee-key').fill(fixture.devnet.node(name).info.publicKey);
      await trustee.locator('input[type="file"]').setInputFiles(file);
      const transport = JSON.parse(await readFile(file, 'utf8')).transportKey as string;
      await expect.poll(() => trustee.getByTestId('form-trustee-transport').inputValue()).toBe(transport);
    }
    await form.getByTestId('form-deals-in').fill('30');
    await expect.poll(() => form.getByTestId('form-schedule').count()).toBe(1);
    await checkScreen('election-create');
    await form.getByTestId('form-build').click();
    const signing = page.locator('[data-testid="election-signing"][data-source="built"]');
    await signing.waitFor();
    // this office (a registrar) signs through its node, as on the Governance screen
    await signing.getByTestId('signing-sign').click();
    const quorum = signing.getByTestId('signing-quorum');
    await quorum.waitFor();
    expect(await quorum.getAttribute('data-signatures')).toBe('1');
    expect(await quorum.getAttribute('data-needed')).toBe('2');
    await checkScreen('election-create-signing');
    const saved = page.waitForEvent('download');
    await signing.getByTestId('signing-save').click();
    const partly = join(dir, 'ui-create.1-signed.json');
    await (await saved).saveAs(partly);
    // the next registrar signs the saved file on its own machine
    const file = join(dir, 'ui-create.2-signed.json');
    await fixture.ok(
      'tx',
      'sign',
      partly,
      '--key',
      fixture.keystore('node-2'),
      '--passphrase-file',
      fixture.passphraseFile,
      '--out',
      file,
    );
    await page.getByTestId('election-open').locator('input[type="file"]').setInputFiles(file);
    const opened = page.locator('[data-testid="election-signing"][data-source="file"]');
    await opened.waitFor();
    expect(await opened.getByTestId('signing-count').getAttribute('data-signatures')).toBe('2');
    await opened.getByTestId('signing-submit').click();
    await txFinal(opened);
    await goHash(page, `#/elections/${UI_ID}`);
    await settle(page, 'screen-election');
    await expect.poll(() => page.getByTestId('election-detail').getAttribute('data-phase')).toBe('keygen');
    expect(await page.getByTestId('election-next').getAttribute('data-stage')).toBe('dealing');
    expect(await page.getByTestId('election-next-sentence').textContent()).toMatch(/trustee\(s\) 1, 2, 3 to deal/);
    expect(await page.getByTestId('election-next-command').textContent()).toBe(
      `notary election deal --election ${UI_ID}`,
    );
    await checkScreen('election-keygen');
  }, 180_000);

  it('refuses a malformed, a secret and a duplicate key at once, and submits nothing for them', async () => {
    // from the election's page: its desk link chooses the election
    await goHash(page, `#/elections/${fixture.id}`);
    await settle(page, 'screen-election');
    await page.getByTestId('election-desk-link').click();
    await settle(page, 'screen-election-desk');
    await expect.poll(() => page.getByTestId('desk-election').inputValue()).toMatch(new RegExp(fixture.id));
    await page.getByTestId('desk-district').click();
    await page.getByRole('option', { name: 'Minsk' }).click();
    await page.getByTestId('desk-scanner').waitFor();
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
    await page.getByTestId('desk-camera-start').click();
    await expect.poll(() => page.getByTestId('desk-scanner').getAttribute('data-camera')).toBe('on');
    await page.locator(`[data-testid="desk-entry"][data-key="${camera.publicKey}"]`).waitFor({ timeout: 30_000 });
    expect(await page.locator('[data-testid="desk-entry"]').getByText('Camera').count()).toBe(1);
    await page.getByTestId('desk-camera-stop').click();
    // the same voter again, from a photo of the QR: refused as a duplicate
    await page
      .locator('[data-testid="desk-scanner"] input[type="file"][accept="image/*"]')
      .setInputFiles({ name: 'qr.png', mimeType: 'image/png', buffer: await QRCode.toBuffer(camera.publicKey) });
    await expect.poll(() => message.getAttribute('data-kind')).toBe('duplicate');
    expect(await page.getByTestId('desk-entry').count()).toBe(1);

    // a voter with no device: the desk makes, prints and forgets a credential
    await page.getByTestId('desk-make-credential').click();
    await settle(page, 'screen-print-credential');
    const secretText = (await page.getByTestId('credential-secret-text').textContent())!;
    printed = (JSON.parse(secretText) as CredentialPair[])[0]!;
    expect(await page.getByTestId('credential-public').textContent()).toBe(printed.publicKey);
    // the QR on the sheet carries exactly the text printed beside it
    const drawn = await page.getByTestId('credential-qr').evaluate((canvas: HTMLCanvasElement) => {
      const image = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height);
      return { data: Array.from(image.data), width: image.width, height: image.height };
    });
    expect(jsQR(Uint8ClampedArray.from(drawn.data), drawn.width, drawn.height)?.data).toBe(secretText);
    expect(page.url()).not.toContain(printed.secretKey);
    await checkScreen('election-print-credential');
    await page.getByTestId('credential-printed').click();
    await page.getByTestId('credential-dropped').waitFor();
    expect(await page.getByTestId('credential-secret-text').count()).toBe(0);
    // nothing of the secret in storage
    const stored = await page.evaluate(
      () => JSON.stringify({ ...sessionStorage }) + JSON.stringify({ ...localStorage }),
    );
    expect(stored).not.toContain(printed.secretKey);
    await writeFile(join(dir, 'printed.json'), secretText, { mode: 0o600 });
  }, 120_000);

  it('registers the credentials taken in one transaction, final on the chain', async () => {
    await goHash(page, '#/electionDesk');
    await settle(page, 'screen-election-desk');
    const session = page.getByTestId('desk-session');
    await expect.poll(() => session.getAttribute('data-waiting')).toBe('2');
    await page.getByTestId('desk-register').click();
    const batch = page.getByTestId('desk-batch');
    await batch.waitFor();
    await txFinal(batch);
    const view = await fixture.view();
    expect(view.roll.size).toBe(3);
  }, 120_000);

  it('shows the turnout move after the voters cast', async () => {
    await fixture.cast(camerafile, [{ credential: camera.publicKey, choices: [[1], [0, 2]] }]);
    await fixture.cast(join(dir, 'printed.json'), [{ credential: printed.publicKey, choices: [[2], []] }]);
    // the camera's voter votes again: only this ballot counts
    await fixture.cast(camerafile, [{ credential: camera.publicKey, choices: [[0], [3]] }]);
    await goHash(page, `#/elections/${fixture.id}`);
    await settle(page, 'screen-election');
    const turnout = page.getByTestId('turnout-data');
    await expect.poll(() => turnout.getAttribute('data-ballots'), { timeout: 30_000 }).toBe('3');
    expect(await turnout.getAttribute('data-voters')).toBe('2');
    const minsk = page.locator('[data-testid="turnout-district"][data-district="Minsk"]');
    expect(await minsk.getAttribute('data-voters')).toBe('2');
    await checkScreen('election-turnout');
    await page.getByTestId('election-turnout').scrollIntoViewIfNeeded();
    await saveScreenshot(page, 'commission-turnout');
  }, 180_000);

  it('closes the election from the screen once its window has ended, after a confirmation', async () => {
    await fixture.waitForWindowEnd();
    await goHash(page, `#/elections/${fixture.id}`);
    await settle(page, 'screen-election');
    const button = page.getByTestId('election-close-button');
    await expect.poll(() => button.isEnabled(), { timeout: 30_000 }).toBe(true);
    await button.click();
    await page.getByTestId('election-close-confirm').waitFor();
    expect(await seriousViolations(page)).toEqual([]);
    await page.getByTestId('election-close-confirm').click();
    await txFinal(page.getByTestId('election-close'));
    await expect.poll(() => page.getByTestId('election-detail').getAttribute('data-phase')).toBe('closed');
    expect(await page.getByTestId('election-next').getAttribute('data-stage')).toBe('decrypting');
  }, 600_000);

  it('shows the results equal to the last ballots once two trustees decrypted, and saves the export', async () => {
    for (const node of fixture.devnet.nodes)
      await waitFor(`${node.info.name} to see the close`, async () =>
        (await fixture.view(node.info.name)).phase === 'closed' ? true : undefined,
      );
    await fixture.decrypt();
    await fixture.tally();
    await expect
      .poll(() => page.getByTestId('election-detail').getAttribute('data-phase'), { timeout: 30_000 })
      .toBe('final');
    const counts = async (contest: number) =>
      page
        .locator(`[data-testid="results-contest"][data-contest="${contest}"] [data-testid="results-choice"]`)
        .evaluateAll((rows) => rows.map((row) => Number(row.getAttribute('data-count'))));
    // Mayor: the camera voter's last ballot (Ann) and the printed one's (Chen); Council: Galina
    expect(await counts(0)).toEqual([1, 0, 1]);
    expect(await counts(1)).toEqual([0, 0, 0, 1]);
    expect(await page.getByTestId('election-results').textContent()).toMatch(/50[.,]0 %/);
    await checkScreen('election-results');
    await page.getByTestId('election-results').scrollIntoViewIfNeeded();
    await saveScreenshot(page, 'commission-results');
    const download = page.waitForEvent('download');
    await page.getByTestId('election-export').click();
    const file = join(dir, `${fixture.id}.election-export`);
    await (await download).saveAs(file);
    expect(await fixture.ok('election', 'verify', file)).toMatch(/^VALID:/);
    expect(pageErrors(page)).toEqual([]);
  }, 600_000);
});
