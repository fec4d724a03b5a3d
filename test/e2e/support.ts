// Shared pieces of the UI suite: a browser context per test, hash navigation, waiting for a
// screen to settle, axe-core and layout checks, screenshots, and transfer drafts to certify.
import AxeBuilder from '@axe-core/playwright';
import { copyFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import QRCode from 'qrcode';
import { afterAll, afterEach, expect } from 'vitest';
import type { PropertyObject } from '../../shared/ledger/index.js';
import { devParty, devTransferDraft } from '../../electron/node/dev/demo-registry.js';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const TMP_DIR = join(ROOT, 'tmp', 'e2e');
export const SCREENSHOT_DIR = join(ROOT, 'tmp', 'screenshots');
export const DOCS_SCREENSHOT_DIR = join(ROOT, 'docs', 'screenshots');
export const VIEWPORTS = [
  { width: 1280, height: 800 },
  { width: 1920, height: 1080 },
] as const;

export const parties = Array.from({ length: 50 }, (_, i) => devParty(i));

/**
 * A fresh context (own localStorage and sessionStorage) at 1280×800, English, UTC; 20 s a step
 * unless `timeoutMs`; downloads accepted unless `acceptDownloads: false`. Records page errors (`pageErrors`).
 */
export async function newPage(
  browser: Browser,
  options: { acceptDownloads?: boolean; timeoutMs?: number } = {},
): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({
    viewport: VIEWPORTS[0],
    locale: 'en-US',
    timezoneId: 'UTC',
    reducedMotion: 'reduce',
    acceptDownloads: options.acceptDownloads ?? true,
  });
  context.setDefaultTimeout(options.timeoutMs ?? 20_000);
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  (page as Page & { uncaught?: string[] }).uncaught = errors;
  return { context, page };
}

/** Uncaught exceptions the page has thrown so far. */
export function pageErrors(page: Page): string[] {
  return (page as Page & { uncaught?: string[] }).uncaught ?? [];
}

/** Opens the address the node printed (token in the fragment) and waits for the overview. */
export async function openUi(page: Page, uiUrl: string): Promise<void> {
  await page.goto(uiUrl);
  await page.getByTestId('screen-overview').waitFor({ timeout: 60_000 });
  // the UI moves the token out of the address bar at once (decision #27)
  expect(page.url()).not.toContain('token=');
}

/** Goes to a hash route (`#/registry/BY-DEV-000001`) in the same document, as a link would. */
export async function goHash(page: Page, hash: string): Promise<void> {
  await page.evaluate((target) => {
    window.location.hash = target;
  }, hash);
}

/** Waits for the screen's root and for its loaders (Mantine's Loader) to go. */
export async function settle(page: Page, testid: string): Promise<void> {
  await page.getByTestId(testid).waitFor();
  try {
    await page.waitForFunction(
      () =>
        Array.from(document.querySelectorAll('main .mantine-Loader-root')).every(
          (element) => (element as HTMLElement).offsetParent === null,
        ),
      undefined,
      { timeout: 20_000 },
    );
  } catch (error) {
    const loading = await page.evaluate(() =>
      Array.from(document.querySelectorAll('main .mantine-Loader-root')).map(
        (element) => element.closest('[data-testid]')?.getAttribute('data-testid') ?? element.outerHTML.slice(0, 120),
      ),
    );
    throw new Error(`${testid} still loading after 20 s (${loading.join(', ')}) at ${page.url()}`, { cause: error });
  }
  await page.evaluate(() => document.fonts.ready);
}

/** Serious and critical axe-core violations (WCAG 2.x A/AA and best practice), described for a failure message. */
export async function seriousViolations(page: Page): Promise<string[]> {
  // a dialog still fading in has half-transparent text: judge the page once its transitions ended
  await page.evaluate(() =>
    Promise.all(
      document
        .getAnimations()
        // a spinner turns for ever: wait only for what ends
        .filter((animation) => Number.isFinite(animation.effect?.getComputedTiming().endTime ?? Infinity))
        .map((animation) => animation.finished.catch(() => undefined)),
    ),
  );
  const results = await new AxeBuilder({ page }).analyze();
  return results.violations
    .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
    .map(
      (violation) =>
        `${violation.impact} ${violation.id}: ${violation.help} — ${violation.nodes
          .slice(0, 5)
          .map((node) => node.target.join(' '))
          .join(' | ')}`,
    );
}

/** How far the page overflows horizontally at its current viewport (0 when it does not). */
export async function horizontalOverflow(page: Page): Promise<number> {
  return page.evaluate(() => Math.max(0, document.documentElement.scrollWidth - window.innerWidth));
}

/** The elements sticking out to the right of the viewport, to say what overflows. */
export async function overflowingElements(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const out: string[] = [];
    for (const element of Array.from(document.querySelectorAll('body *'))) {
      const rect = element.getBoundingClientRect();
      if (rect.right > window.innerWidth + 1 && rect.width > 0) {
        const id = element.getAttribute('data-testid');
        out.push(
          `${element.tagName.toLowerCase()}${id ? `[data-testid=${id}]` : ''}${element.className && typeof element.className === 'string' ? `.${element.className.split(' ')[0]}` : ''} right=${Math.round(rect.right)}`,
        );
      }
      if (out.length >= 8) break;
    }
    return out;
  });
}

/**
 * Checks a screen at each viewport (both desktop ones unless told): no horizontal overflow, and
 * whatever `more` finds there; returns the problems found. The viewport is restored after.
 */
export async function layoutProblems(
  page: Page,
  name: string,
  viewports: ReadonlyArray<{ width: number; height: number }> = VIEWPORTS,
  more?: (viewport: { width: number; height: number }) => Promise<string[]>,
): Promise<string[]> {
  const problems: string[] = [];
  const original = page.viewportSize();
  for (const viewport of viewports) {
    await page.setViewportSize(viewport);
    await page.waitForTimeout(150);
    const overflow = await horizontalOverflow(page);
    if (overflow > 0)
      problems.push(
        `${name} at ${viewport.width}×${viewport.height} overflows by ${overflow}px: ${(await overflowingElements(page)).join(', ')}`,
      );
    if (more) problems.push(...(await more(viewport)));
  }
  if (original) await page.setViewportSize(original);
  return problems;
}

/**
 * Saves the viewport (1280×800) as tmp/screenshots/<name>.png, and as docs/screenshots/<name>.png
 * when UPDATE_SCREENSHOTS=1 (unless `docs: false`). Notifications, tooltips and the caret are hidden, animations stopped.
 */
export async function saveScreenshot(page: Page, name: string, options: { docs?: boolean } = {}): Promise<void> {
  await mkdir(SCREENSHOT_DIR, { recursive: true });
  const path = join(SCREENSHOT_DIR, `${name}.png`);
  await page.mouse.move(0, 0);
  await page.screenshot({
    path,
    animations: 'disabled',
    caret: 'hide',
    style: '.mantine-Notifications-root, .mantine-Tooltip-tooltip { display: none !important; }',
  });
  if (process.env.UPDATE_SCREENSHOTS === '1' && options.docs !== false) {
    await mkdir(DOCS_SCREENSHOT_DIR, { recursive: true });
    await copyFile(path, join(DOCS_SCREENSHOT_DIR, `${name}.png`));
  }
}

/** The sale of `object` by its sole owner to the next demo party, as the parties bring it to a notary. */
export function transferDraft(object: PropertyObject, options: { chainId: string; notaryKey: string; nonce: number }) {
  const ownerIndex = parties.findIndex((party) => party.publicKey === object.owners[0]!.key);
  if (ownerIndex < 0) throw new Error(`the owner of ${object.id} is not a demo party`);
  const buyer = parties[(ownerIndex + 1) % parties.length]!;
  const draft = devTransferDraft(object, buyer, parties, {
    chainId: options.chainId,
    nowMs: Date.now(),
    nonce: options.nonce,
    notaryKey: options.notaryKey,
  });
  return { draft, buyer };
}

/** Puts a contract into the Certify screen the way a notary does: the "open a file" input. */
export async function openContractFile(page: Page, draft: unknown, fileName = 'transfer.json'): Promise<string> {
  await settle(page, 'screen-certify');
  await page.locator('[data-testid="certify-add"] input[type="file"]').setInputFiles({
    name: fileName,
    mimeType: 'application/json',
    buffer: Buffer.from(JSON.stringify(draft, null, 2)),
  });
  // the UI opens the new entry: #/certify/<id>
  await page.waitForURL(/#\/certify\/[0-9a-f]{64}$/);
  const id = /#\/certify\/([0-9a-f]{64})$/.exec(page.url())![1]!;
  await page.locator(`[data-testid="certify-detail"][data-id="${id}"]`).waitFor();
  return id;
}

/**
 * Records every state the transaction-progress view shows (data-state), from now on, so a
 * short-lived "pending" is seen even if it lasts one frame.
 */
export async function recordTxStates(page: Page): Promise<void> {
  await page.evaluate(() => {
    const seen: string[] = [];
    (window as unknown as { __txStates: string[] }).__txStates = seen;
    const note = () => {
      for (const element of Array.from(document.querySelectorAll('[data-testid="tx-progress"]'))) {
        const state = element.getAttribute('data-state');
        if (state && seen[seen.length - 1] !== state) seen.push(state);
      }
    };
    new MutationObserver(note).observe(document.body, {
      subtree: true,
      childList: true,
      attributes: true,
      attributeFilter: ['data-state'],
    });
    note();
  });
}

export async function recordedTxStates(page: Page): Promise<string[]> {
  return page.evaluate(() => (window as unknown as { __txStates?: string[] }).__txStates ?? []);
}

/** On a failed test: what the page showed, in tmp/e2e/failures/. */
export async function failureScreenshot(page: Page, testName: string): Promise<void> {
  const dir = join(TMP_DIR, 'failures');
  await mkdir(dir, { recursive: true });
  await page
    .screenshot({ path: join(dir, `${testName.replace(/[^A-Za-z0-9-]+/g, '-').slice(0, 80)}.png`), fullPage: true })
    .catch(() => undefined);
}

/**
 * The hooks of a file that drives one page through its tests: a failed test's screenshot, then
 * at the end the page's context and the browser closed and what they ran against stopped.
 */
export function closeAfterTests(
  parts: () => { page?: Page; context?: BrowserContext; browser?: Browser; stop?: () => Promise<void> },
): void {
  afterEach(async ({ task }) => {
    const { page } = parts();
    if (task.result?.state === 'fail' && page) await failureScreenshot(page, task.name);
  });
  afterAll(async () => {
    const { context, browser, stop } = parts();
    await context?.close();
    await browser?.close();
    await stop?.();
  }, 60_000);
}

/** Every JSON answer the page gets from API URLs matching `pattern`, in order (to know what it shows). */
export function collectAnswers(page: Page, pattern: RegExp): unknown[] {
  const answers: unknown[] = [];
  page.on('response', (response) => {
    if (pattern.test(response.url()) && response.ok()) {
      response.json().then(
        (json: unknown) => answers.push(json),
        () => undefined,
      );
    }
  });
  return answers;
}

/**
 * The text a QR code drawn on a canvas carries, among candidates: each candidate document is
 * encoded as the UI does (NOTARY1: + base64url(deflate-raw(JSON)), deflated by this same
 * browser), drawn as a QR matrix (level M) and compared module by module with the canvas.
 * Answers the matching text, or undefined when none matches.
 */
export async function qrTextOnCanvas(page: Page, canvas: Locator, candidates: unknown[]): Promise<string | undefined> {
  const drawn = await canvas.evaluate((element: HTMLCanvasElement) => {
    const data = element.getContext('2d')!.getImageData(0, 0, element.width, element.height).data;
    let dark = '';
    for (let i = 0; i < data.length; i += 4) dark += data[i]! < 128 ? '1' : '0';
    return { width: element.width, height: element.height, dark };
  });
  for (const candidate of [...candidates].reverse()) {
    const text = await page.evaluate(async (json) => {
      const stream = new Blob([new TextEncoder().encode(json)])
        .stream()
        .pipeThrough(new CompressionStream('deflate-raw'));
      const bytes = new Uint8Array(await new Response(stream).arrayBuffer());
      let binary = '';
      for (const byte of bytes) binary += String.fromCharCode(byte);
      return `NOTARY1:${btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')}`;
    }, JSON.stringify(candidate));
    let modules: { size: number; data: Uint8Array };
    try {
      modules = QRCode.create(text, { errorCorrectionLevel: 'M' }).modules as unknown as {
        size: number;
        data: Uint8Array;
      };
    } catch {
      continue;
    }
    const margin = 4;
    const scale = drawn.width / (modules.size + 2 * margin);
    if (!Number.isInteger(scale) || drawn.height !== drawn.width) continue;
    let same = true;
    for (let row = 0; row < modules.size && same; row++) {
      for (let col = 0; col < modules.size; col++) {
        const x = (col + margin) * scale + Math.floor(scale / 2);
        const y = (row + margin) * scale + Math.floor(scale / 2);
        if ((drawn.dark[y * drawn.width + x] === '1') !== (modules.data[row * modules.size + col] === 1)) {
          same = false;
          break;
        }
      }
    }
    if (same) return text;
  }
  return undefined;
}
