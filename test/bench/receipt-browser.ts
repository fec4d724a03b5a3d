// Receipt verification where a citizen runs it: shared/receipt bundled for the browser
// (esbuild, as the voter's and verify pages are) and run in Debian's Chromium, in a page of its
// own, so the figure is the browser's V8 with a page's small heap rather than the bench's
// Node process holding a whole chain (issue 15: "receipt verify p99, in the browser's code").
//
// Each receipt is verified in a task of its own, and the page is traced (Chromium's
// devtools.timeline), so every verification has two times:
// - wall time, as the page's clock saw it (performance.now(), coarsened to 0.1 ms);
// - the page's main-thread CPU time for that task (the trace's thread duration): the
//   verification with the page's own collector and compiler pauses in it, without the time
//   the machine's scheduler gave to other processes.
// On these shared two-core machines the second is the page's cost; the first is also shaped by
// whatever else runs. A control task, a 0.5 ms busy loop that allocates nothing, is timed the
// same way in the same page, so each run shows how far the machine alone moves a wall p99.
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { launchChromium } from '../support/browser.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** The control task's busy loop. */
export const CONTROL_MS = 0.5;

/**
 * What runs in the page, bundled with shared/receipt (a function handed to page.evaluate would
 * carry the test runner's transpiler helpers, which the page does not have). Each verifier's
 * task is a function of its own name, which is how the trace tells them apart.
 */
const PAGE_SCRIPT = `
import { verifyReceipt } from './shared/receipt/index.ts';
import { createSodiumReceiptVerifier } from './shared/receipt/sodium-verifier.ts';
globalThis.runReceiptBench = async ({ receipts, trustedValidators, warmup, controlMs }) => {
  const sodium = await createSodiumReceiptVerifier();
  const check = (receipt, verify) => {
    const outcome = verifyReceipt(receipt, { trustedValidators, ...(verify ? { verify } : {}) });
    if (!outcome.ok) throw new Error('a receipt did not verify in Chromium: ' + JSON.stringify(outcome));
  };
  const tasks = {
    nobleReceiptTask: (receipt) => check(receipt, undefined),
    sodiumReceiptTask: (receipt) => check(receipt, sodium),
    controlTask: () => {
      const start = performance.now();
      let spins = 0;
      while (performance.now() - start < controlMs) spins++;
      return spins;
    },
  };
  // One task per item, each started by a message (no timer clamping), each timed on the page's clock.
  const run = (name, items) =>
    new Promise((resolve, reject) => {
      const work = tasks[name];
      const times = [];
      const channel = new MessageChannel();
      let at = 0;
      const handlers = {
        [name]() {
          try {
            const start = performance.now();
            work(items[at]);
            times.push(performance.now() - start);
          } catch (error) {
            reject(error);
            return;
          }
          at++;
          if (at < items.length) channel.port2.postMessage(0);
          else resolve(times);
        },
      };
      channel.port1.onmessage = handlers[name];
      channel.port2.postMessage(0);
    });
  const all = [...warmup, ...receipts];
  return {
    noble: await run('nobleReceiptTask', all),
    sodium: await run('sodiumReceiptTask', all),
    control: await run('controlTask', all),
  };
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
  /** Wall milliseconds per receipt, in order, after the warm-up. */
  timesMs: number[];
  /** The page's main-thread CPU milliseconds for each of the same tasks (from the trace). */
  cpuMs: number[];
  /** The first verification in a fresh page (cold code, keys not yet precomputed), wall. */
  coldMs: number;
}

export interface BrowserTimings {
  /** The default verifier (@noble, validators' keys precomputed). */
  noble: PageTimings;
  /** libsodium deciding what it accepts, @noble what it refuses (sodium-verifier.ts). */
  sodium: PageTimings;
  /** A CONTROL_MS busy loop per task, timed the same way: the machine's own noise. */
  control: PageTimings;
  chromium: string;
}

interface TraceEvent {
  name: string;
  ph: string;
  ts: number;
  tdur?: number;
  args?: { data?: { functionName?: string } };
}

/** Each named task's main-thread CPU milliseconds, in the order they ran. */
function taskCpuMs(trace: Buffer, name: string): number[] {
  const parsed = JSON.parse(trace.toString('utf8')) as { traceEvents?: TraceEvent[] } | TraceEvent[];
  const events = Array.isArray(parsed) ? parsed : (parsed.traceEvents ?? []);
  return events
    .filter((event) => event.ph === 'X' && event.name === 'FunctionCall' && event.args?.data?.functionName === name)
    .sort((a, b) => a.ts - b.ts)
    .map((event) => (event.tdur ?? Number.NaN) / 1000);
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
    const input = JSON.stringify({ receipts, trustedValidators, warmup, controlMs: CONTROL_MS });
    await browser.startTracing(page, { categories: ['devtools.timeline'] });
    const result = (await page.evaluate(`runReceiptBench(${input})`)) as Record<
      'noble' | 'sodium' | 'control',
      number[]
    >;
    const trace = await browser.stopTracing();
    const timings = (key: 'noble' | 'sodium' | 'control', taskName: string): PageTimings => {
      const times = result[key];
      const cpu = taskCpuMs(trace, taskName);
      if (cpu.length !== times.length || cpu.some(Number.isNaN))
        throw new Error(
          `bench: the trace holds ${cpu.length} ${taskName} tasks with thread times, not ${times.length}`,
        );
      return { coldMs: times[0]!, timesMs: times.slice(warmup.length), cpuMs: cpu.slice(warmup.length) };
    };
    return {
      noble: timings('noble', 'nobleReceiptTask'),
      sodium: timings('sodium', 'sodiumReceiptTask'),
      control: timings('control', 'controlTask'),
      chromium: browser.version(),
    };
  } finally {
    await browser.close();
  }
}
