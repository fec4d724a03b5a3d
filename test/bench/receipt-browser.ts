// Receipt verification where a citizen runs it: shared/receipt bundled for the browser
// (esbuild, as the voter's and verify pages are) and run in Debian's Chromium, in a page of its
// own, so the figure is the browser's V8 with a page's small heap rather than the bench's
// Node process holding a whole chain (issue 15: "receipt verify p99, in the browser's code").
// Chromium's performance.now() is coarsened (to 0.1 ms without cross-origin isolation): ample
// for a 2 ms target.
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { launchChromium } from '../support/browser.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/**
 * What runs in the page, bundled with shared/receipt (a function handed to page.evaluate would
 * carry the test runner's transpiler helpers, which the page does not have).
 */
const PAGE_SCRIPT = `
import { verifyReceipt } from './shared/receipt/index.ts';
import { createSodiumReceiptVerifier } from './shared/receipt/sodium-verifier.ts';
globalThis.runReceiptBench = async ({ receipts, trustedValidators, warmup }) => {
  const run = (verify) => {
    const once = (receipt) => {
      const start = performance.now();
      const outcome = verifyReceipt(receipt, { trustedValidators, ...(verify ? { verify } : {}) });
      const ms = performance.now() - start;
      if (!outcome.ok) throw new Error('a receipt did not verify in Chromium: ' + JSON.stringify(outcome));
      return ms;
    };
    const coldMs = once(warmup[0]);
    for (const receipt of warmup.slice(1)) once(receipt);
    return { coldMs, timesMs: receipts.map(once) };
  };
  const noble = run(undefined);
  const sodium = run(await createSodiumReceiptVerifier());
  return { noble, sodium };
};
`;

async function bundle(): Promise<string> {
  const result = await build({
    stdin: {
      contents: PAGE_SCRIPT,
      resolveDir: ROOT,
      loader: 'ts',
    },
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: 'es2022',
    write: false,
    logLevel: 'silent',
  });
  return result.outputFiles[0]!.text;
}

export interface PageTimings {
  /** Milliseconds per receipt, in order. */
  timesMs: number[];
  /** The first verification in a fresh page (cold code, keys not yet precomputed). */
  coldMs: number;
}

export interface BrowserTimings {
  /** The default verifier (@noble, validators' keys precomputed). */
  noble: PageTimings;
  /** libsodium deciding what it accepts, @noble what it refuses (sodium-verifier.ts). */
  sodium: PageTimings;
  chromium: string;
}

/** Verifies `receipts` (JSON values) in a fresh Chromium page after `warmup` others; every one must verify. */
export async function verifyInChromium(
  receipts: unknown[],
  trustedValidators: string[],
  warmup: unknown[],
): Promise<BrowserTimings> {
  const code = await bundle();
  const browser = await launchChromium();
  try {
    const page = await browser.newPage();
    await page.setContent('<!doctype html><title>receipt bench</title>');
    await page.addScriptTag({ content: code });
    const input = JSON.stringify({ receipts, trustedValidators, warmup });
    const result = (await page.evaluate(`runReceiptBench(${input})`)) as Omit<BrowserTimings, 'chromium'>;
    return { ...result, chromium: browser.version() };
  } finally {
    await browser.close();
  }
}
