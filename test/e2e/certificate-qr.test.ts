// Issue 18 in Chromium against a real devnet (3 validators, an observer office as witness, a
// checkpoint every 15 s): the printed certificate carries the compact QR of a signed checkpoint,
// which survives printing (Chromium's PDF, rasterised by poppler at 300 and 150 dpi, read back by
// jsQR) and verifies on a shelf holding the checkpoint's bundle with the object's owners; and the
// Checkpoints screen lists the checkpoint, downloads its file and bundle, and shows its published form.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import jsQR from 'jsqr';
import pngjs from 'pngjs';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import type { CheckpointSummary, PropertyView } from '../../shared/api/index.js';
import type { PropertyObject } from '../../shared/ledger/index.js';
import {
  CheckpointShelf,
  checkpointId,
  parseCheckpointBundle,
  verifyCheckpoint,
  type KnownWitness,
} from '../../shared/checkpoint/index.js';
import { en } from '../../renderer/src/i18n/en.js';
import { launchChromium } from '../support/browser.js';
import { Devnet, waitFor, type NodeProcess } from '../support/devnet-harness.js';
import {
  closeAfterTests,
  goHash,
  layoutProblems,
  newPage,
  openUi,
  pageErrors,
  ROOT,
  saveScreenshot,
  seriousViolations,
  settle,
  TMP_DIR,
} from './support.js';

const UI_BUILT = existsSync(join(ROOT, 'dist', 'renderer', 'index.html'));
const PDFTOPPM = '/usr/bin/pdftoppm';
const EVERY_MS = 15_000;

let devnet: Devnet;
let node: NodeProcess;
let validators: string[];
let witness: KnownWitness;
let browser: Browser;
let context: BrowserContext;
let page: Page;

async function checkpoints(): Promise<CheckpointSummary[]> {
  const response = await node.request<CheckpointSummary[]>('GET', '/checkpoints');
  expect(response.status).toBe(200);
  return response.body;
}

/** The newest checkpoint of node-1 signed by all three validators and the witness. */
function signedCheckpoint(): Promise<CheckpointSummary> {
  return waitFor(
    'a checkpoint signed by 3 validators and 1 witness',
    async () => (await checkpoints()).find((entry) => entry.validatorsSigned === 3 && entry.witnesses === 1),
    120_000,
  );
}

/** A shelf holding checkpoint `height` (its bundle from node-1), once its witness has signed too. */
async function shelfOf(height: number): Promise<CheckpointShelf> {
  const bundle = await waitFor(
    `checkpoint ${height}'s bundle with 3 validators' and the witness's signatures`,
    async () => {
      const answer = await node.request<unknown>('GET', `/checkpoints/${height}/bundle`);
      const parsed = parseCheckpointBundle(answer.body);
      return parsed.file.signatures.length === 3 && parsed.file.witnesses.length === 1 ? parsed : undefined;
    },
    60_000,
  );
  const shelf = new CheckpointShelf({ trustedValidators: validators, witnesses: [witness] });
  shelf.add(bundle.file, bundle.layer);
  return shelf;
}

/** Rasterises page 1 of a PDF with poppler at `dpi`, and reads the one QR code on it. */
async function qrOnPdf(pdfPath: string, dpi: number): Promise<{ bytes: Uint8Array; version: number }> {
  const prefix = pdfPath.replace(/\.pdf$/, `-${dpi}dpi`);
  execFileSync(PDFTOPPM, ['-r', String(dpi), '-png', '-singlefile', '-f', '1', '-l', '1', pdfPath, prefix], {
    timeout: 60_000,
  });
  const image = pngjs.PNG.sync.read(await readFile(`${prefix}.png`));
  // an A4 page 210 mm wide: the image has the resolution asked for
  expect(Math.abs(image.width / ((210 / 25.4) * dpi) - 1)).toBeLessThan(0.01);
  const read = jsQR(
    new Uint8ClampedArray(image.data.buffer, image.data.byteOffset, image.data.length),
    image.width,
    image.height,
  );
  if (!read) throw new Error(`jsQR found no QR code on the page rasterised at ${dpi} dpi (${prefix}.png)`);
  return { bytes: Uint8Array.from(read.binaryData), version: read.version };
}

describe.skipIf(!UI_BUILT)('the certificate QR and the Checkpoints screen against a devnet (Chromium)', () => {
  beforeAll(async () => {
    if (!existsSync(PDFTOPPM))
      throw new Error(`${PDFTOPPM} is missing: install Debian's poppler-utils (apt-get install poppler-utils)`);
    devnet = await Devnet.create({ validators: 3, observers: 1, objects: 40, chainCheckpointEveryMs: EVERY_MS });
    await devnet.startAll();
    node = devnet.node('node-1');
    validators = ['node-1', 'node-2', 'node-3'].map((name) => devnet.node(name).info.publicKey);
    witness = { key: devnet.node('observer-1').info.publicKey, name: 'Devnet bank (observer-1)' };
    browser = await launchChromium();
    ({ context, page } = await newPage(browser));
    await mkdir(TMP_DIR, { recursive: true });
  }, 180_000);

  closeAfterTests(() => ({ page, context, browser, stop: () => devnet?.stop() }));

  it(
    "prints the certificate with the checkpoint's compact QR (version 15 at most) that reads back from the PDF at 300 and 150 dpi and proves the owners [REQ-CKP.3]",
    { timeout: 300_000 },
    async () => {
      const object = (await node.request<PropertyView>('GET', `/properties/${devnet.genesis.properties![5]!.id}`)).body
        .property as PropertyObject;
      await signedCheckpoint();
      await openUi(page, node.uiUrl);
      await goHash(page, `#/print/certificate/${object.id}`);
      // a checkpoint made moments ago is still gathering signatures: the sheet says so and prints
      // no code until a quorum has signed it, then the code appears
      await settle(page, 'screen-print-certificate');
      const block = page.getByTestId('certificate-qr');
      const height = await waitFor(
        'the certificate to print a QR code',
        async () => {
          const state = await block.getAttribute('data-qr');
          if (state === 'ok') return Number(await block.getAttribute('data-height'));
          if (state === 'unsigned')
            expect(await page.getByTestId('certificate-qr-note').textContent()).toBe(en.print.qrUnsigned);
          // no sale happened: only a checkpoint still being signed leaves the code out
          else expect(state).toBe('pending');
          return undefined;
        },
        120_000,
        500,
      );
      const sheet = page.getByTestId('screen-print-certificate');
      const code = page.getByRole('img', { name: en.print.certificateQrAlt });
      expect(Number(await code.getAttribute('data-version'))).toBeLessThanOrEqual(15);
      const [captionBefore] = en.print.checkpointQrCaption.split('{{height}}');
      expect(await page.getByTestId('certificate-qr-caption').textContent()).toContain(`${captionBefore}${height},`);
      // the whole certificate is no longer a QR code, but stays a download
      expect(await page.getByRole('img', { name: en.print.qrAlt }).count()).toBe(0);
      expect(await sheet.getByRole('button', { name: en.print.downloadCertificate }).isVisible()).toBe(true);
      const problems = (await seriousViolations(page)).map((violation) => `certificate: ${violation}`);
      problems.push(...(await layoutProblems(page, 'certificate')));
      expect(problems).toEqual([]);

      await page.emulateMedia({ media: 'print' });
      expect(await code.isVisible()).toBe(true);
      expect(await page.getByTestId('certificate-qr-caption').isVisible()).toBe(true);
      expect(await sheet.getByRole('button', { name: en.print.downloadCertificate }).isVisible()).toBe(false);
      await saveScreenshot(page, 'certificate');
      const pdfPath = join(TMP_DIR, `certificate-${object.id}-checkpoint.pdf`);
      await page.pdf({ path: pdfPath, format: 'A4', printBackground: true });
      await page.emulateMedia({ media: 'screen' });
      const pdf = await readFile(pdfPath);
      expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
      expect(pdf.toString('latin1').match(/\/Type\s*\/Page[^s]/g)?.length).toBe(1);

      const shelf = await shelfOf(height);
      for (const dpi of [300, 150]) {
        const read = await qrOnPdf(pdfPath, dpi);
        expect(read.version, `the code on paper at ${dpi} dpi`).toBeLessThanOrEqual(15);
        const checked = shelf.verify(read.bytes);
        expect(checked, `the code read at ${dpi} dpi`).toMatchObject({
          ok: true,
          height,
          validatorsSigned: 3,
          validatorsTotal: 3,
          fields: { id: object.id, version: object.version },
        });
        expect(checked.ok && checked.owners).toEqual(object.owners);
        expect(checked.ok && checked.witnesses.map((entry) => entry.name)).toEqual([witness.name]);
      }
      expect(pageErrors(page)).toEqual([]);
    },
  );

  it(
    'the Checkpoints screen lists a checkpoint signed by 3 of 3 validators and 1 witness; its file verifies, its bundle imports, its published form names its id',
    { timeout: 240_000 },
    async () => {
      const checkpoint = await signedCheckpoint();
      await openUi(page, node.uiUrl);
      await page.getByTestId('nav-checkpoints').click();
      await settle(page, 'screen-checkpoints');
      await page.getByRole('heading', { level: 1, name: en.checkpoints.title }).waitFor();
      const row = page.locator(`[data-testid="checkpoint-row"][data-height="${checkpoint.height}"]`);
      await row.waitFor();
      expect(await row.getByTestId('checkpoint-signed').textContent()).toBe(
        en.checkpoints.signedBy.replace('{{signed}}', '3').replace('{{total}}', '3'),
      );
      expect(await row.getByTestId('checkpoint-witnesses').textContent()).toBe('1');
      // the newest can be printed against; the node keeps the statements of the newest two only
      const rows = page.getByTestId('checkpoint-row');
      expect(await rows.first().getAttribute('data-proofs')).toBe('true');
      const printable = await rows.evaluateAll((all) => all.filter((tr) => tr.dataset.proofs === 'true').length);
      expect(printable).toBeLessThanOrEqual(2);

      await row.getByRole('link', { name: String(checkpoint.height), exact: true }).click();
      await page.waitForURL(new RegExp(`#/checkpoints/${checkpoint.height}$`));
      const detail = page.locator(`[data-testid="checkpoint-detail"][data-height="${checkpoint.height}"]`);
      await detail.waitFor();
      await settle(page, 'checkpoint-detail');
      await detail.getByRole('heading', { name: `Checkpoint ${checkpoint.height}` }).waitFor();

      // the file, as a bank or a court keeps it: it verifies against the validators it trusts
      const [fileDownload] = await Promise.all([
        page.waitForEvent('download'),
        detail.getByTestId('checkpoint-download-file').click(),
      ]);
      const file = JSON.parse(await readFile((await fileDownload.path())!, 'utf8')) as unknown;
      const verified = verifyCheckpoint(file, { trustedValidators: validators, witnesses: [witness] });
      expect(verified).toMatchObject({ ok: true, id: checkpoint.id, validatorsSigned: 3, validatorsTotal: 3 });
      expect(verified.ok && verified.witnesses.map((entry) => entry.name)).toEqual([witness.name]);

      // the bundle, as the verification page imports it
      const [bundleDownload] = await Promise.all([
        page.waitForEvent('download'),
        detail.getByTestId('checkpoint-download-bundle').click(),
      ]);
      const bundle = parseCheckpointBundle(JSON.parse(await readFile((await bundleDownload.path())!, 'utf8')));
      expect(checkpointId(bundle.file.body)).toBe(checkpoint.id);
      expect(new CheckpointShelf({ trustedValidators: validators }).add(bundle.file, bundle.layer).height).toBe(
        checkpoint.height,
      );

      // the published form, for a newspaper or a website
      const published = (await detail.getByTestId('checkpoint-published').textContent()) ?? '';
      expect(published).toContain(`${en.checkpoints.published.id}: ${checkpoint.id}`);
      expect(published).toContain(`${en.checkpoints.published.height}: ${checkpoint.height}`);
      expect(published).toContain(`${en.checkpoints.published.chainId}: ${devnet.genesis.chainId}`);
      expect(published).toContain(new Date(checkpoint.timeMs).toISOString().slice(0, 19).replace('T', ' '));
      expect(published).toContain(
        en.checkpoints.published.validators.replace('{{signed}}', '3').replace('{{total}}', '3'),
      );
      await detail.getByTestId('checkpoint-copy-published').waitFor();

      // judged as a reader sees it, not under the pointer that clicked the downloads
      await page.mouse.move(0, 0);
      await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
      const problems = (await seriousViolations(page)).map((violation) => `checkpoints: ${violation}`);
      problems.push(...(await layoutProblems(page, 'checkpoints')));
      expect(problems).toEqual([]);
      await page.evaluate(() => window.scrollTo(0, 0));
      await saveScreenshot(page, 'checkpoints');
      expect(pageErrors(page)).toEqual([]);
    },
  );
});
