// Issue 19, "Clocks", the node's part (decision #66): four validator processes and one
// observer, one validator run with its clock 30 s ahead (NOTARY_TEST_CLOCK_OFFSET_MS). That
// office's status, /metrics and log say its clock is off by about +30 s; the others and the
// observer say ok; the chain keeps committing with 1 of 4 skewed, every node agrees on it,
// and no block the skewed validator proposed is committed (the others refuse a block time
// more than 10 s ahead of their clocks).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClockStatus } from '../../shared/api/index.js';
import { Devnet, waitFor, type NodeProcess } from '../support/devnet-harness.js';

const OFFSET_MS = 30_000;
/** Propagation, validation and a loaded machine's queues move a sample by this much at most. */
const TOLERANCE_MS = 2_000;

let devnet: Devnet;
let skewed: NodeProcess;
let others: NodeProcess[];

const clockOf = async (node: NodeProcess): Promise<ClockStatus> => (await node.status()).clock;

beforeAll(async () => {
  devnet = await Devnet.create({ validators: 4, observers: 1, objects: 20, heartbeatMs: 1_000 });
  skewed = devnet.node('node-4');
  others = devnet.nodes.filter((node) => node !== skewed);
  await Promise.all(
    devnet.nodes.map((node) =>
      node === skewed ? node.start([], { NOTARY_TEST_CLOCK_OFFSET_MS: String(OFFSET_MS) }) : node.start(),
    ),
  );
}, 120_000);

afterAll(async () => {
  await devnet?.stop();
}, 30_000);

describe('a devnet of 4 validators and 1 observer, one validator 30 s ahead', () => {
  it('tells the skewed office its clock is about 30 s ahead, in its status, /metrics and log; the others are ok', async () => {
    const clock = await waitFor(
      'the skewed validator to find its clock off',
      async () => {
        const view = await clockOf(skewed);
        return view.state === 'off' ? view : undefined;
      },
      90_000,
    );
    expect(clock.proposers).toBeGreaterThanOrEqual(2);
    expect(Math.abs(clock.offsetMs! - OFFSET_MS)).toBeLessThan(TOLERANCE_MS);
    expect(Math.abs((await skewed.metric('notary_clock_offset_seconds')) * 1000 - OFFSET_MS)).toBeLessThan(
      TOLERANCE_MS,
    );
    expect(await skewed.metric('notary_clock_samples')).toBeGreaterThanOrEqual(2);
    expect(skewed.log).toMatch(/This computer's clock is (29|30|31|32) s ahead of the network's: set it right/);

    // the observer too: it receives the validators' proposals without voting
    const views = await Promise.all(
      devnet.nodes.map(async (node) => `${node.info.name} ${JSON.stringify(await clockOf(node))}`),
    );
    console.log(`clock views:\n${views.join('\n')}`);
    for (const node of others) {
      const view = await waitFor(
        `${node.info.name} to measure its clock`,
        async () => {
          const own = await clockOf(node);
          return own.state === 'unknown' ? undefined : own;
        },
        60_000,
      );
      expect(view.state, node.info.name).toBe('ok');
      expect(Math.abs(view.offsetMs!), node.info.name).toBeLessThan(TOLERANCE_MS);
      expect(Math.abs(await node.metric('notary_clock_offset_seconds')), node.info.name).toBeLessThan(
        TOLERANCE_MS / 1000,
      );
    }
  }, 180_000);

  it('keeps committing with 1 of 4 validators skewed, every node on the same blocks, none proposed by the skewed one', async () => {
    const from = (await others[0]!.status()).height;
    const to = from + 8;
    await waitFor(
      'eight more blocks on every node',
      async () =>
        (await Promise.all(devnet.nodes.map(async (node) => (await node.status()).height))).every((h) => h >= to)
          ? true
          : undefined,
      120_000,
    );
    const skewedKey = (await devnet.signingKey('node-4')).publicKey;
    for (let height = Math.max(1, from - 8); height <= to; height++) {
      const hashes = await Promise.all(devnet.nodes.map(async (node) => (await node.block(height))!.hash));
      expect(new Set(hashes).size, `block ${height}`).toBe(1);
      const block = (await others[0]!.block(height))!;
      expect(block.header.proposer, `block ${height}`).not.toBe(skewedKey);
    }
    expect((await clockOf(skewed)).state).toBe('off');
  }, 150_000);
});
