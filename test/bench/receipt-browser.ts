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

async function bundle(): Promise<string> {
  const result = await build({
    stdin: {
      contents: "import { verifyReceipt } from './shared/receipt/index.ts'; globalThis.verifyReceipt = verifyReceipt;",
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

export interface BrowserTimings {
  /** Milliseconds per receipt, in order. */
  timesMs: number[];
  /** The first verification in a fresh page (cold code, keys not yet precomputed). */
  coldMs: number;
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
    const result = await page.evaluate(
      ({ receipts, trustedValidators, warmup }) => {
        type Verify = (receipt: unknown, options: { trustedValidators: string[] }) => { ok: boolean };
        const verify = (globalThis as unknown as { verifyReceipt: Verify }).verifyReceipt;
        const once = (receipt: unknown) => {
          const start = performance.now();
          const outcome = verify(receipt, { trustedValidators });
          const ms = performance.now() - start;
          if (!outcome.ok) throw new Error(`a receipt did not verify in Chromium: ${JSON.stringify(outcome)}`);
          return ms;
        };
        const coldMs = once(warmup[0]);
        for (const receipt of warmup.slice(1)) once(receipt);
        return { coldMs, timesMs: receipts.map(once) };
      },
      { receipts, trustedValidators, warmup },
    );
    return { ...result, chromium: browser.version() };
  } finally {
    await browser.close();
  }
}
