// A consensus driver that halts (its commit failed: a disk error, a race) is replaced by a
// fresh one after a sync, so the node does not sit "online" with a frozen height (found by
// the 30-minute soak, docs/reliability.md).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureDevNode } from '../../electron/node/dev/dev-node.js';
import { NotaryNode } from '../../electron/node/node.js';
import { waitFor } from '../support/devnet-harness.js';

let dir: string;
let node: NotaryNode;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'notary-recovery-'));
  const { passphrase } = await ensureDevNode(dir);
  node = await NotaryNode.start({ dataDir: dir, passphrase, uiDir: null, logger: pino({ level: 'silent' }) });
});

afterAll(async () => {
  await node?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('a halted consensus driver', () => {
  it('is replaced by a fresh one, and the chain goes on committing', async () => {
    await waitFor('the first block', async () => (node.chain.head.height >= 1 ? true : undefined), 15_000);
    // the next commit fails once, as a full disk or a racing writer would make it
    const commit = node.chain.commit.bind(node.chain);
    let failed = 0;
    node.chain.commit = async (...args) => {
      if (failed === 0) {
        failed++;
        throw new Error('simulated disk failure');
      }
      return commit(...args);
    };
    const stuckAt = node.chain.head.height;
    await waitFor('the halt', async () => (node.consensusHalts === 1 ? true : undefined), 15_000);
    await waitFor(
      'blocks after the restart',
      async () => (node.chain.head.height >= stuckAt + 3 ? true : undefined),
      60_000,
    );
    expect(failed).toBe(1);
    expect(node.consensusHalts).toBe(1);
    expect((await node.status()).height).toBeGreaterThanOrEqual(stuckAt + 3);
  }, 90_000);
});
