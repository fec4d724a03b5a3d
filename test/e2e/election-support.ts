// Shared by the election journeys in Chromium (the commission's screens, the voter's page, and the
// whole election end to end): a person's browser context, the checks every step makes, a fake
// camera showing a QR code, and the steps a commission and a voter take on their screens.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import jsQR from 'jsqr';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import QRCode from 'qrcode';
import { expect } from 'vitest';
import type { CredentialPair, ElectionFixture } from '../support/election-fixture.js';
import { goHash, layoutProblems, newPage, seriousViolations, settle } from './support.js';

export const PHONE = { width: 360, height: 740 };
export const DESKTOP = { width: 1280, height: 800 };

/** A person's own browser (storage, downloads): 1280×800, English, UTC, 30 s a step; page errors recorded (`pageErrors`). */
export function personContext(browser: Browser): Promise<{ context: BrowserContext; page: Page }> {
  return newPage(browser, { acceptDownloads: true, timeoutMs: 30_000 });
}

/** A commission screen: axe-clean, and no horizontal overflow at 1280×800 and 1920×1080. */
export async function checkScreen(page: Page, name: string): Promise<void> {
  expect(await seriousViolations(page), `${name}: axe`).toEqual([]);
  expect(await layoutProblems(page, name)).toEqual([]);
}

/** The voter's page: axe-clean and no horizontal overflow at 360×740 and 1280×800; returns what is wrong. */
/**
 * The public pages' languages with the table of each (ru, be, then en again): switched through
 * the page's language menu, back to English last.
 */
export function publicLanguages<T>(tables: { en: T; ru: T; be: T }) {
  return [
    { code: 'ru', label: 'Русский', table: tables.ru },
    { code: 'be', label: 'Беларуская', table: tables.be },
    { code: 'en', label: 'English', table: tables.en },
  ] as const;
}

/** Switches a public page to the language its menu names `label`, and waits for the page's `lang`. */
export async function chooseLanguage(page: Page, code: string, label: string): Promise<void> {
  await page.getByTestId('language').click();
  await page.getByRole('option', { name: label }).click();
  await expect.poll(() => page.evaluate(() => document.documentElement.lang)).toBe(code);
}

export function pageProblems(page: Page, step: string): Promise<string[]> {
  return layoutProblems(page, step, [PHONE, DESKTOP], async (viewport) =>
    (await seriousViolations(page)).map((violation) => `${step} at ${viewport.width}: ${violation}`),
  );
}

/** Waits until the last transaction progress in `scope` says final. */
export async function txFinal(scope: Locator): Promise<void> {
  await expect
    .poll(async () => scope.getByTestId('tx-progress').last().getAttribute('data-state'), { timeout: 90_000 })
    .toBe('final');
}

// --- the fake camera ---------------------------------------------------------------------------

const VIDEO_WIDTH = 640;
const VIDEO_HEIGHT = 480;

/** Chromium switches: getUserMedia answers at once with a camera playing the y4m `video` (read when the camera starts). */
export function fakeCameraArgs(video: string): string[] {
  return [
    '--use-fake-device-for-media-stream',
    '--use-fake-ui-for-media-stream',
    `--use-file-for-fake-video-capture=${video}`,
  ];
}

/**
 * Writes a y4m video (YUV 4:2:0, 640×480, 10 frames, looped by Chromium) showing `gray` (one byte
 * a pixel, 0 black) centred on white, enlarged by the largest whole factor that leaves a margin.
 */
export async function grayVideo(gray: Uint8Array, width: number, height: number, file: string): Promise<void> {
  const scale = Math.max(1, Math.floor(Math.min((VIDEO_WIDTH - 80) / width, (VIDEO_HEIGHT - 80) / height)));
  const left = Math.floor((VIDEO_WIDTH - width * scale) / 2);
  const top = Math.floor((VIDEO_HEIGHT - height * scale) / 2);
  const luma = new Uint8Array(VIDEO_WIDTH * VIDEO_HEIGHT).fill(235);
  for (let y = 0; y < height * scale; y++)
    for (let x = 0; x < width * scale; x++)
      luma[(top + y) * VIDEO_WIDTH + left + x] =
        16 + Math.round((gray[Math.floor(y / scale) * width + Math.floor(x / scale)]! * 219) / 255);
  const chroma = new Uint8Array((VIDEO_WIDTH / 2) * (VIDEO_HEIGHT / 2)).fill(128);
  const frame = Buffer.concat([Buffer.from('FRAME\n'), luma, chroma, chroma]);
  const header = Buffer.from(`YUV4MPEG2 W${VIDEO_WIDTH} H${VIDEO_HEIGHT} F10:1 Ip A1:1 C420jpeg\n`);
  await writeFile(file, Buffer.concat([header, ...Array.from({ length: 10 }, () => frame)]));
}

/** A y4m video showing `content` as a QR code (text, or bytes in byte mode; level M, 4 modules of quiet zone), black on white. */
export async function qrVideo(content: string | Uint8Array, file: string): Promise<void> {
  const segments = typeof content === 'string' ? content : [{ data: Buffer.from(content), mode: 'byte' as const }];
  const modules = QRCode.create(segments, { errorCorrectionLevel: 'M' }).modules;
  const size = modules.size + 8;
  const gray = new Uint8Array(size * size).fill(255);
  for (let y = 0; y < modules.size; y++)
    for (let x = 0; x < modules.size; x++) if (modules.get(y, x)) gray[(y + 4) * size + x + 4] = 0;
  await grayVideo(gray, size, size, file);
}

/** A y4m video of the image `img` exactly as a page shows it (its pixels, as a phone's screen held to the camera). */
export async function imageVideo(img: Locator, file: string): Promise<void> {
  const { width, height, gray } = await img.evaluate(async (element: HTMLImageElement) => {
    await element.decode();
    const canvas = document.createElement('canvas');
    canvas.width = element.naturalWidth;
    canvas.height = element.naturalHeight;
    const context = canvas.getContext('2d')!;
    context.fillStyle = '#fff';
    context.fillRect(0, 0, canvas.width, canvas.height);
    context.drawImage(element, 0, 0);
    const data = context.getImageData(0, 0, canvas.width, canvas.height).data;
    const out: number[] = [];
    for (let i = 0; i < data.length; i += 4) out.push(Math.round((data[i]! + data[i + 1]! + data[i + 2]!) / 3));
    return { width: canvas.width, height: canvas.height, gray: out };
  });
  await grayVideo(Uint8Array.from(gray), width, height, file);
}

// --- the commission's screens ------------------------------------------------------------------

export interface ScreenElection {
  id: string;
  title: string;
  contests: Array<{ title: string; choices: string[] }>;
  districts: string[];
  /** The fixture's node names of the trustees, in order. */
  trustees: string[];
  threshold?: number;
  /** Seconds; left as the form has them when not given. */
  schedule?: { dealsIn?: number; complaintsIn?: number; answersIn?: number; votingFor?: number };
  /** Called on the filled form (`election-create`) and on the signing card (`election-create-signing`). */
  check?: (name: string) => Promise<void>;
}

/**
 * The commission creates an election on the CreateElection screen of the office `page` shows
 * (node-1, a registrar): the form filled (each trustee's transport key loaded from the keystore
 * `election trustee-key` wrote, in `dir`), built, signed through this office's node, saved; the
 * next registrar (node-2) signs the file with `notary tx sign`; the screen submits it, final.
 */
export async function createElectionOnScreen(
  page: Page,
  fixture: ElectionFixture,
  dir: string,
  election: ScreenElection,
): Promise<void> {
  await goHash(page, '#/electionCreate');
  await settle(page, 'screen-election-create');
  const form = page.getByTestId('election-form');
  await form.getByTestId('form-id').fill(election.id);
  await expect.poll(() => form.getByTestId('form-id').getAttribute('aria-invalid')).not.toBe('true');
  await form.getByTestId('form-title').fill(election.title);
  for (const [q, contest] of election.contests.entries()) {
    if (q > 0) await form.getByRole('button', { name: 'Add a question' }).click();
    await form.getByTestId('form-contest-title').nth(q).fill(contest.title);
    await form.getByTestId('form-contest-choices').nth(q).fill(contest.choices.join('\n'));
  }
  await form.getByTestId('form-districts').fill(election.districts.join('\n'));
  for (const [k, name] of election.trustees.entries()) {
    // the fixture's own election: its keystore, so that `fixture.fixKey` and `decrypt` use it
    const file =
      election.id === fixture.id ? fixture.trusteeKeystore(name) : join(dir, `${election.id}-${name}.trustee`);
    const { key, transportKey } = await fixture.trusteeKey(name, { election: election.id, out: file });
    const trustee = form.getByTestId('form-trustee').nth(k);
    await trustee.getByTestId('form-trustee-key').fill(key);
    await trustee.locator('input[type="file"]').setInputFiles(file);
    await expect.poll(() => trustee.getByTestId('form-trustee-transport').inputValue()).toBe(transportKey);
  }
  if (election.threshold !== undefined) await form.getByTestId('form-threshold').fill(String(election.threshold));
  const durations = [
    ['form-deals-in', election.schedule?.dealsIn],
    ['form-complaints-in', election.schedule?.complaintsIn],
    ['form-answers-in', election.schedule?.answersIn],
    ['form-voting-for', election.schedule?.votingFor],
  ] as const;
  for (const [testid, seconds] of durations) {
    if (seconds === undefined) continue;
    await form.getByTestId(`${testid}-unit`).selectOption('s');
    await form.getByTestId(testid).fill(String(seconds));
  }
  await expect.poll(() => form.getByTestId('form-schedule').count()).toBe(1);
  await election.check?.('election-create');
  await form.getByTestId('form-build').click();
  const signing = page.locator('[data-testid="election-signing"][data-source="built"]');
  await signing.waitFor();
  // this office (a registrar) signs through its node, as on the Governance screen
  await signing.getByTestId('signing-sign').click();
  const quorum = signing.getByTestId('signing-quorum');
  await quorum.waitFor();
  expect(await quorum.getAttribute('data-signatures')).toBe('1');
  expect(await quorum.getAttribute('data-needed')).toBe('2');
  await election.check?.('election-create-signing');
  const saved = page.waitForEvent('download');
  await signing.getByTestId('signing-save').click();
  const partly = join(dir, `${election.id}-create.1-signed.json`);
  await (await saved).saveAs(partly);
  // the next registrar signs the saved file on its own machine
  const file = join(dir, `${election.id}-create.2-signed.json`);
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
}

/** The election's page in key generation: every trustee still to deal, and the command to do it. */
export async function expectDealing(page: Page, id: string, trustees: string): Promise<void> {
  await goHash(page, `#/elections/${id}`);
  await settle(page, 'screen-election');
  await expect.poll(() => page.getByTestId('election-detail').getAttribute('data-phase')).toBe('keygen');
  expect(await page.getByTestId('election-next').getAttribute('data-stage')).toBe('dealing');
  expect(await page.getByTestId('election-next-sentence').textContent()).toMatch(
    new RegExp(`trustee\\(s\\) ${trustees} to deal`),
  );
  expect(await page.getByTestId('election-next-command').textContent()).toBe(`notary election deal --election ${id}`);
}

/** From the election's page to its desk (the link chooses the election), in `district`, the scanner shown. */
export async function openDesk(page: Page, id: string, district: string): Promise<void> {
  await goHash(page, `#/elections/${id}`);
  await settle(page, 'screen-election');
  await page.getByTestId('election-desk-link').click();
  await settle(page, 'screen-election-desk');
  await expect.poll(() => page.getByTestId('desk-election').inputValue()).toMatch(new RegExp(id));
  await page.getByTestId('desk-district').click();
  await page.getByRole('option', { name: district }).click();
  await page.getByTestId('desk-scanner').waitFor();
}

/** The desk's camera on until it has taken `publicKey` (listed as from the camera), then off. */
export async function scanWithCamera(page: Page, publicKey: string): Promise<void> {
  await page.getByTestId('desk-camera-start').click();
  await expect.poll(() => page.getByTestId('desk-scanner').getAttribute('data-camera')).toBe('on');
  await page.locator(`[data-testid="desk-entry"][data-key="${publicKey}"]`).waitFor({ timeout: 60_000 });
  expect(await page.locator(`[data-testid="desk-entry"][data-key="${publicKey}"]`).getByText('Camera').count()).toBe(1);
  await page.getByTestId('desk-camera-stop').click();
}

/**
 * A voter with no device: the desk makes a credential, prints it (its QR carries exactly the
 * secret text printed beside it) and forgets it. Answers the credential and the printed text.
 */
export async function printCredential(
  page: Page,
  check?: (name: string) => Promise<void>,
): Promise<{ pair: CredentialPair; text: string }> {
  await page.getByTestId('desk-make-credential').click();
  await settle(page, 'screen-print-credential');
  const text = (await page.getByTestId('credential-secret-text').textContent())!;
  const pair = (JSON.parse(text) as CredentialPair[])[0]!;
  expect(await page.getByTestId('credential-public').textContent()).toBe(pair.publicKey);
  const drawn = await page.getByTestId('credential-qr').evaluate((canvas: HTMLCanvasElement) => {
    const image = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height);
    return { data: Array.from(image.data), width: image.width, height: image.height };
  });
  expect(jsQR(Uint8ClampedArray.from(drawn.data), drawn.width, drawn.height)?.data).toBe(text);
  expect(page.url()).not.toContain(pair.secretKey);
  await check?.('election-print-credential');
  await page.getByTestId('credential-printed').click();
  await page.getByTestId('credential-dropped').waitFor();
  expect(await page.getByTestId('credential-secret-text').count()).toBe(0);
  // nothing of the secret in storage
  const stored = await page.evaluate(() => JSON.stringify({ ...sessionStorage }) + JSON.stringify({ ...localStorage }));
  expect(stored).not.toContain(pair.secretKey);
  return { pair, text };
}

/** The desk registers the `waiting` credentials it took in one transaction, final on the chain. */
export async function registerTaken(page: Page, waiting: number): Promise<void> {
  await goHash(page, '#/electionDesk');
  await settle(page, 'screen-election-desk');
  await expect.poll(() => page.getByTestId('desk-session').getAttribute('data-waiting')).toBe(String(waiting));
  await page.getByTestId('desk-register').click();
  const batch = page.getByTestId('desk-batch');
  await batch.waitFor();
  await txFinal(batch);
}

/** The turnout on the election's page, once it counts `ballots` ballots of `voters` voters, all in `district`. */
export async function expectTurnout(
  page: Page,
  id: string,
  counted: { ballots: number; voters: number; district: string },
): Promise<void> {
  await goHash(page, `#/elections/${id}`);
  await settle(page, 'screen-election');
  const turnout = page.getByTestId('turnout-data');
  await expect.poll(() => turnout.getAttribute('data-ballots'), { timeout: 30_000 }).toBe(String(counted.ballots));
  expect(await turnout.getAttribute('data-voters')).toBe(String(counted.voters));
  const district = page.locator(`[data-testid="turnout-district"][data-district="${counted.district}"]`);
  expect(await district.getAttribute('data-voters')).toBe(String(counted.voters));
}

/** Once the window has ended, closes the election from its page after a confirmation (axe-checked); final. */
export async function closeOnScreen(page: Page, fixture: ElectionFixture): Promise<void> {
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
}

/**
 * After the close: every node has it (a trustee decrypts from its own), the fixture's quorum of
 * trustees decrypts (CLI), the counts are published, and the election's page says final.
 */
export async function decryptAndTally(page: Page, fixture: ElectionFixture): Promise<void> {
  for (const node of fixture.devnet.nodes)
    await expect
      .poll(async () => (await fixture.view(node.info.name)).phase, { timeout: 120_000, interval: 1_000 })
      .toBe('closed');
  await fixture.decrypt();
  await fixture.tally();
  await expect
    .poll(() => page.getByTestId('election-detail').getAttribute('data-phase'), { timeout: 60_000 })
    .toBe('final');
}

/** The counts of contest `contest` on the commission's results, in the order of its choices. */
export async function screenCounts(page: Page, contest: number): Promise<number[]> {
  return page
    .locator(`[data-testid="results-contest"][data-contest="${contest}"] [data-testid="results-choice"]`)
    .evaluateAll((rows) => rows.map((row) => Number(row.getAttribute('data-count'))));
}

/** Saves the export from the results (the screen's button) as `file`, and has `notary election verify` judge it. */
export async function saveAndVerifyExport(page: Page, fixture: ElectionFixture, file: string): Promise<void> {
  const download = page.waitForEvent('download');
  await page.getByTestId('election-export').click();
  await (await download).saveAs(file);
  expect(await fixture.ok('election', 'verify', file)).toMatch(/^VALID:/);
}

// --- the voter's page --------------------------------------------------------------------------

/** On the voter's credential step: a new credential made and sealed with `passphrase`; answers its public key. */
export async function makeCredential(page: Page, passphrase: string): Promise<string> {
  await page.getByTestId('credential-make').click();
  await page.getByTestId('make-passphrase').fill(passphrase);
  await page.getByTestId('make-passphrase-repeat').fill(passphrase);
  await page.getByTestId('make-seal').click();
  await page.getByTestId('credential-made').waitFor({ timeout: 60_000 });
  const publicKey = (await page.getByTestId('credential-public-key').textContent())!.trim();
  expect(publicKey).toMatch(/^[0-9a-f]{64}$/);
  return publicKey;
}

/** Unlocks the credential this browser keeps sealed (the first) with `passphrase`; waits for its roll status. */
export async function unlockKept(page: Page, passphrase: string): Promise<void> {
  await page.getByTestId('kept-unlock').first().click();
  await page.getByTestId('unlock-passphrase').fill(passphrase);
  await page.getByTestId('unlock-submit').click();
  await page.getByTestId('roll-status').waitFor({ timeout: 60_000 });
}

/** The encrypted ballot's tracker, once the page shows one. */
export async function ballotTracker(page: Page): Promise<string> {
  await expect
    .poll(async () => (await page.getByTestId('ballot-tracker').textContent())?.trim(), { timeout: 60_000 })
    .toMatch(/^[0-9a-f]{64}$/);
  return (await page.getByTestId('ballot-tracker').textContent())!.trim();
}

/** Casts the encrypted ballot shown and follows it to final; answers its tracker. */
export async function castFinal(page: Page): Promise<string> {
  const tracker = await ballotTracker(page);
  await page.getByTestId('cast-button').click();
  await page.getByTestId('cast-final').waitFor({ timeout: 180_000 });
  expect((await page.getByTestId('cast-tracker').textContent())!.trim()).toBe(tracker);
  return tracker;
}

/** The voter's page's results of contest `contest`: choice and count, cell by cell. */
export async function pageResults(page: Page, contest: number): Promise<string[]> {
  return page.getByTestId(`results-contest-${contest}`).locator('[data-testid="results-row"] td').allTextContents();
}
