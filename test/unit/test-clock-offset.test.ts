// A node's clock moved for tests (issue 19, "Clocks"): the fixed offset of
// NOTARY_TEST_CLOCK_OFFSET_MS, and the offset file of NOTARY_TEST_CLOCK_OFFSET_FILE that a test
// rewrites while the node runs (the soak's clock jumps). Development chains only.
import { mkdtemp, rm, writeFile, rename } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  fileOffsetClock,
  parseTestClockOffset,
  TEST_CLOCK_OFFSET_FILE_READ_MS,
  testClockOffsetFile,
  testNodeClock,
} from '../../electron/node/lifecycle/test-clock-offset.js';
import type { NodeProcess } from '../support/devnet-harness.js';
import { moveClock, parseFaults } from '../soak/nemesis.js';
import { VirtualClock } from '../sim/virtual-clock.js';

const START_MS = 1_700_000_000_000;

/** Moves virtual time on by `ms` (running what falls due). */
function advance(clock: VirtualClock, ms: number): void {
  const at = clock.now() + ms;
  clock.setTimer(ms, () => undefined);
  while (clock.now() < at && clock.runNext());
}

function recordingLog() {
  const lines: string[] = [];
  return { lines, warn: (_fields: object, message: string) => void lines.push(message) };
}

let dir: string;
let file: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'notary-clock-offset-'));
  file = join(dir, 'clock-offset-ms');
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** As the soak writes it: another file renamed over, so no reader sees it half-written. */
async function writeOffset(offsetMs: number | string): Promise<void> {
  await writeFile(`${file}.next`, String(offsetMs));
  await rename(`${file}.next`, file);
}

describe('the test clock offset file', () => {
  it('reads a whole number of milliseconds within a day either way, empty meaning 0', () => {
    expect(parseTestClockOffset('30000')).toBe(30_000);
    expect(parseTestClockOffset(' -300000\n')).toBe(-300_000);
    expect(parseTestClockOffset('+5')).toBe(5);
    expect(parseTestClockOffset('')).toBe(0);
    expect(parseTestClockOffset('\n')).toBe(0);
    expect(Object.is(parseTestClockOffset('-0'), 0)).toBe(true);
    expect(parseTestClockOffset('86400000')).toBe(86_400_000);
    expect(parseTestClockOffset('-86400000')).toBe(-86_400_000);
    for (const bad of [
      '86400001',
      '-86400001',
      '5 min',
      '1.5',
      '3e4',
      '0x10',
      'NaN',
      '30000 30000',
      '99999999999999999999',
    ])
      expect(parseTestClockOffset(bad), bad).toBeUndefined();
  });

  it('is refused on a chain other than the development ones, and beside the fixed offset', () => {
    const env = { NOTARY_TEST_CLOCK_OFFSET_FILE: '/tmp/offset' };
    expect(testClockOffsetFile('by-registry-devnet', env)).toBe('/tmp/offset');
    expect(testClockOffsetFile('by-registry-dev', env)).toBe('/tmp/offset');
    expect(testClockOffsetFile('by-registry', {})).toBeUndefined();
    expect(() => testClockOffsetFile('by-registry', env)).toThrow(
      /NOTARY_TEST_CLOCK_OFFSET_FILE is for development networks only/,
    );
    expect(() => testNodeClock('by-registry', new VirtualClock(START_MS), recordingLog(), env)).toThrow(
      /development networks only/,
    );
    expect(() => testClockOffsetFile('by-registry-devnet', { ...env, NOTARY_TEST_CLOCK_OFFSET_MS: '30000' })).toThrow(
      /both set/,
    );
  });

  it('starts at 0 without the file, and follows the file forward and back within its read interval', async () => {
    const base = new VirtualClock(START_MS);
    const log = recordingLog();
    const clock = testNodeClock('by-registry-devnet', base, log, { NOTARY_TEST_CLOCK_OFFSET_FILE: file });
    expect(clock.now()).toBe(START_MS);

    await writeOffset(30_000);
    // read at most every TEST_CLOCK_OFFSET_FILE_READ_MS: not yet
    expect(clock.now()).toBe(START_MS);
    advance(base, TEST_CLOCK_OFFSET_FILE_READ_MS);
    expect(clock.now()).toBe(base.now() + 30_000);

    await writeOffset(-300_000);
    advance(base, TEST_CLOCK_OFFSET_FILE_READ_MS);
    expect(clock.now()).toBe(base.now() - 300_000);

    await writeOffset('');
    advance(base, TEST_CLOCK_OFFSET_FILE_READ_MS);
    expect(clock.now()).toBe(base.now());

    await writeOffset(5_000);
    advance(base, TEST_CLOCK_OFFSET_FILE_READ_MS);
    expect(clock.now()).toBe(base.now() + 5_000);
    await rm(file);
    advance(base, TEST_CLOCK_OFFSET_FILE_READ_MS);
    expect(clock.now()).toBe(base.now());
    expect(log.lines.filter((line) => /clock is moved/.test(line))).toHaveLength(5);
  });

  it('keeps the last good offset when the file holds something else, with one warning until it is good again', async () => {
    const base = new VirtualClock(START_MS);
    const log = recordingLog();
    const clock = fileOffsetClock(base, file, log);
    await writeOffset(30_000);
    expect(clock.now()).toBe(START_MS + 30_000);
    for (const bad of ['thirty seconds', '86400001', '1.5']) {
      await writeOffset(bad);
      advance(base, TEST_CLOCK_OFFSET_FILE_READ_MS);
      expect(clock.now(), bad).toBe(base.now() + 30_000);
    }
    const warnings = log.lines.filter((line) => /the last offset kept/.test(line));
    expect(warnings).toEqual([
      'NOTARY_TEST_CLOCK_OFFSET_FILE: ' +
        `${file} holds "thirty seconds", not a whole number of milliseconds within a day either way; the last offset kept`,
    ]);
    await writeOffset(1_000);
    advance(base, TEST_CLOCK_OFFSET_FILE_READ_MS);
    expect(clock.now()).toBe(base.now() + 1_000);
    await writeOffset('bad again');
    advance(base, TEST_CLOCK_OFFSET_FILE_READ_MS);
    expect(clock.now()).toBe(base.now() + 1_000);
    expect(log.lines.filter((line) => /the last offset kept/.test(line))).toHaveLength(2);
  });

  it('moves the time only: timers stay relative to the computer', async () => {
    const base = new VirtualClock(START_MS);
    const clock = fileOffsetClock(base, file, recordingLog());
    await writeOffset(-300_000);
    const fired: number[] = [];
    clock.setTimer(1_000, () => fired.push(base.now()));
    const cancelled = clock.setTimer(500, () => fired.push(-1));
    clock.clearTimer(cancelled);
    advance(base, 2_000);
    expect(fired).toEqual([START_MS + 1_000]);
    expect(clock.now()).toBe(START_MS + 2_000 - 300_000);
  });

  it('reads the file at most every read interval however often the time is asked', () => {
    const base = new VirtualClock(START_MS);
    let reads = 0;
    const clock = fileOffsetClock(base, file, recordingLog(), () => {
      reads++;
      return '30000';
    });
    for (let i = 0; i < 1_000; i++) clock.now();
    expect(reads).toBe(1);
    advance(base, TEST_CLOCK_OFFSET_FILE_READ_MS - 1);
    clock.now();
    expect(reads).toBe(1);
    advance(base, 1);
    clock.now();
    expect(reads).toBe(2);
  });

  it('keeps the fixed offset of NOTARY_TEST_CLOCK_OFFSET_MS, and is the computer’s clock with neither', () => {
    const base = new VirtualClock(START_MS);
    const log = recordingLog();
    expect(testNodeClock('by-registry-devnet', base, log, { NOTARY_TEST_CLOCK_OFFSET_MS: '30000' }).now()).toBe(
      START_MS + 30_000,
    );
    expect(testNodeClock('by-registry', base, log, {})).toBe(base);
    expect(() => testNodeClock('by-registry', base, log, { NOTARY_TEST_CLOCK_OFFSET_MS: '30000' })).toThrow(
      /development networks only/,
    );
  });
});

describe('the soak’s clock jumps and its fault list', () => {
  it('moves a node’s clock through the file its node reads', async () => {
    const node = { clockOffsetFile: file } as NodeProcess;
    const base = new VirtualClock(START_MS);
    const clock = fileOffsetClock(base, file, recordingLog());
    await moveClock(node, -30_000);
    expect(clock.now()).toBe(START_MS - 30_000);
    await moveClock(node, 0);
    advance(base, TEST_CLOCK_OFFSET_FILE_READ_MS);
    expect(clock.now()).toBe(base.now());
  });

  it('reads --faults as a list of known kinds, cut only in a network lab, and none as the defaults', () => {
    expect(parseFaults(undefined, { lab: false })).toBeUndefined();
    expect(parseFaults('kill,pause,isolate,skew,slow', { lab: false })).toEqual([
      'kill',
      'pause',
      'isolate',
      'skew',
      'slow',
    ]);
    expect(parseFaults('cut, skew', { lab: true })).toEqual(['cut', 'skew']);
    expect(() => parseFaults('cut', { lab: false })).toThrow(/--netns/);
    expect(() => parseFaults('kill,clock', { lab: false })).toThrow(/"clock" is no fault kind/);
    expect(() => parseFaults('slow,slow', { lab: false })).toThrow(/twice/);
    expect(() => parseFaults('', { lab: false })).toThrow(/no fault kind/);
  });
});
