// A node run with its clock off, for tests (issue 19, "Clocks"): NOTARY_TEST_CLOCK_OFFSET_MS
// moves the node's injected clock (decision #48) by that many milliseconds, on a development
// chain only. Safe because it makes the node exactly as wrong as a computer whose clock is
// set wrong, which any office can already be and the protocol tolerates (decision #66): it
// changes no rule, no message and nothing any other node accepts. Refused on every other
// chain, at start and loudly, so a variable left set on an office's computer is noticed.
//
// NOTARY_TEST_CLOCK_OFFSET_FILE names a file holding the offset instead, read again while the
// node runs, so a test (the soak's nemesis) can jump the clock forward and back as an operator
// or a bad time server would (libfaketime's timestamp file, without an LD_PRELOAD). Only now()
// moves: timers stay relative, as they do when a computer's clock is set.
import { readFileSync } from 'node:fs';
import type { Clock } from '../consensus/interfaces.js';
import { DEV_CHAIN_ID, DEVNET_CHAIN_ID } from '../dev/demo-registry.js';
import { monotonicOf, offsetClock } from './clock.js';

export const TEST_CLOCK_OFFSET_ENV = 'NOTARY_TEST_CLOCK_OFFSET_MS';
export const TEST_CLOCK_OFFSET_FILE_ENV = 'NOTARY_TEST_CLOCK_OFFSET_FILE';
/** A day either way: enough for any test, and no overflow in anything that adds to the time. */
const TEST_CLOCK_OFFSET_MAX_MS = 86_400_000;
/** The offset file is read again at most this often, when the time is asked: a jump shows within it. */
export const TEST_CLOCK_OFFSET_FILE_READ_MS = 250;
const DEVELOPMENT_CHAINS: readonly string[] = [DEV_CHAIN_ID, DEVNET_CHAIN_ID];

interface WarnLog {
  warn(fields: object, message: string): void;
}

/** The offset the environment asks for on this chain (0 when unset); throws where it is refused. */
export function testClockOffsetMs(chainId: string, env: NodeJS.ProcessEnv = process.env): number {
  const value = env[TEST_CLOCK_OFFSET_ENV];
  if (value === undefined || value === '') return 0;
  const offsetMs = parseTestClockOffset(value);
  if (offsetMs === undefined)
    throw new Error(`${TEST_CLOCK_OFFSET_ENV}=${value} is not a whole number of milliseconds within a day either way`);
  refuseOutsideDevelopment(TEST_CLOCK_OFFSET_ENV, chainId);
  return offsetMs;
}

/** The offset file the environment names on this chain, if any; throws where it is refused. */
export function testClockOffsetFile(chainId: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const path = env[TEST_CLOCK_OFFSET_FILE_ENV];
  if (path === undefined || path === '') return undefined;
  refuseOutsideDevelopment(TEST_CLOCK_OFFSET_FILE_ENV, chainId);
  // REJECT: two sources of one offset; which one wins would be a guess
  if (env[TEST_CLOCK_OFFSET_ENV] !== undefined && env[TEST_CLOCK_OFFSET_ENV] !== '')
    throw new Error(`${TEST_CLOCK_OFFSET_ENV} and ${TEST_CLOCK_OFFSET_FILE_ENV} are both set: unset one`);
  return path;
}

/**
 * An offset as text (the variable's value or the file's content): a whole number of
 * milliseconds within a day either way, surrounding blanks allowed, empty meaning 0.
 * Undefined for anything else.
 */
export function parseTestClockOffset(text: string): number | undefined {
  const trimmed = text.trim();
  if (trimmed === '') return 0;
  if (!/^[+-]?\d+$/.test(trimmed)) return undefined;
  const offsetMs = Number(trimmed);
  if (!Number.isSafeInteger(offsetMs) || Math.abs(offsetMs) > TEST_CLOCK_OFFSET_MAX_MS) return undefined;
  return offsetMs === 0 ? 0 : offsetMs; // never -0
}

/**
 * The node's clock: `base` itself, or moved as the environment asks (a fixed offset, or the
 * offset file's). Throws where it is refused, before the node opens anything.
 */
export function testNodeClock(chainId: string, base: Clock, log: WarnLog, env: NodeJS.ProcessEnv = process.env): Clock {
  const path = testClockOffsetFile(chainId, env);
  if (path !== undefined) {
    log.warn({ file: path }, `${TEST_CLOCK_OFFSET_FILE_ENV}: this node's clock moves as that file says`);
    return fileOffsetClock(base, path, log);
  }
  const offsetMs = testClockOffsetMs(chainId, env);
  if (offsetMs !== 0) log.warn({ offsetMs }, `${TEST_CLOCK_OFFSET_ENV}: this node's clock is moved`);
  return offsetClock(base, offsetMs);
}

/**
 * `base` moved by the offset in the file at `path`, read again at most every
 * TEST_CLOCK_OFFSET_FILE_READ_MS when the time is asked (a file of a few bytes: reading it is
 * cheaper than a timer the node would have to stop). A missing or empty file is 0; content that
 * is no offset keeps the last good one, with one warning until the file is good again. A writer
 * should replace the file (write another, rename it over), or a reader may see it half-written.
 */
export function fileOffsetClock(
  base: Clock,
  path: string,
  log: WarnLog,
  read: (path: string) => string = (file) => readFileSync(file, 'utf8'),
): Clock {
  let offsetMs = 0;
  let readAtMs = Number.NEGATIVE_INFINITY;
  let warned = false;
  const refresh = (nowMs: number) => {
    // the base clock stepped back (it is a computer's): read again rather than wait for it
    if (nowMs - readAtMs < TEST_CLOCK_OFFSET_FILE_READ_MS && nowMs >= readAtMs) return;
    readAtMs = nowMs;
    const next = readOffset(path, read);
    if (typeof next === 'string') {
      if (!warned) log.warn({ file: path, offsetMs }, `${TEST_CLOCK_OFFSET_FILE_ENV}: ${next}; the last offset kept`);
      warned = true;
      return;
    }
    warned = false;
    if (next === offsetMs) return;
    log.warn({ offsetMs: next, was: offsetMs }, `${TEST_CLOCK_OFFSET_FILE_ENV}: this node's clock is moved`);
    offsetMs = next;
  };
  return {
    now: () => {
      const nowMs = base.now();
      refresh(nowMs);
      return nowMs + offsetMs;
    },
    monotonic: monotonicOf(base),
    setTimer: (delayMs, callback) => base.setTimer(delayMs, callback),
    clearTimer: (id) => base.clearTimer(id),
  };
}

/** The file's offset, or a sentence saying why there is none. */
function readOffset(path: string, read: (path: string) => string): number | string {
  let text: string;
  try {
    text = read(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    return `${path} could not be read (${(error as Error).message})`;
  }
  const offsetMs = parseTestClockOffset(text);
  if (offsetMs === undefined)
    return `${path} holds ${JSON.stringify(text.slice(0, 40))}, not a whole number of milliseconds within a day either way`;
  return offsetMs;
}

function refuseOutsideDevelopment(variable: string, chainId: string): void {
  // REJECT: a test's clock on a registry's chain (a variable left set on an office's computer)
  if (!DEVELOPMENT_CHAINS.includes(chainId))
    throw new Error(
      `${variable} is for development networks only (${DEVELOPMENT_CHAINS.join(', ')}), not ${chainId}: unset it`,
    );
}
