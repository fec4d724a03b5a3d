// A `pending` answer is a promise kept across a crash (issue 7): transfers certified through the
// HTTP API of a real `notary start` dev node (single validator), the process killed with SIGKILL
// as soon as the answers arrived, restarted: every acknowledged transfer ends final, including
// those the chain had not committed when the process died (re-admitted from DATA/pending.log).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Identity, InboxEntry, PropertyView, SubmitResult } from '../../shared/api/index.js';
import { Chain } from '../../electron/node/chain/chain.js';
import { readGenesis } from '../../electron/node/config.js';
import { devObjectId, devParty, devTransferDraft } from '../../electron/node/dev/demo-registry.js';
import { DEV_PASSPHRASE_FILE, ensureDevNode } from '../../electron/node/dev/dev-node.js';
import type { DevnetNode } from '../../electron/node/dev/devnet.js';
import { NodeProcess, waitFor } from '../support/devnet-harness.js';

const PARTIES = Array.from({ length: 50 }, (_, i) => devParty(i));
const TRANSFERS_PER_ATTEMPT = 12;
const ATTEMPTS_MAX = 6;

let root: string;
let node: NodeProcess;
let startArgs: string[];

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'notary-durable-pending-'));
  const dataDir = join(root, 'node');
  await ensureDevNode(dataDir);
  startArgs = ['--passphrase-file', join(dataDir, DEV_PASSPHRASE_FILE)];
  node = new NodeProcess({
    name: 'dev',
    dataDir,
    role: 'notary',
    validator: true,
    peerId: '',
    publicKey: '',
    port: 0,
  } satisfies DevnetNode);
  await node.start(startArgs);
}, 120_000);

afterAll(async () => {
  await node?.kill();
  await rm(root, { recursive: true, force: true });
});

/** Puts transfer contracts of distinct demo objects into the node's inbox, ready to certify. */
async function inboxDrafts(first: number, count: number): Promise<string[]> {
  const { chainId } = await node.status();
  const notaryKey = (await node.request<Identity>('GET', '/identity')).body.publicKey!;
  const ids: string[] = [];
  for (let index = first; index < first + count; index++) {
    const { body: view } = await node.request<PropertyView>('GET', `/properties/${devObjectId(index)}`);
    const owner = PARTIES.findIndex((party) => party.publicKey === view.property.owners[0]!.key);
    const draft = devTransferDraft(view.property, PARTIES[(owner + 1) % PARTIES.length]!, PARTIES, {
      chainId,
      nowMs: Date.now(),
      nonce: index,
      notaryKey,
    });
    const added = await node.request<InboxEntry>('POST', '/inbox', draft);
    expect(added.status).toBe(201);
    ids.push(added.body.id);
  }
  return ids;
}

/** Hashes of the transfers the dead node's chain had committed. */
async function committedOnDisk(hashes: string[]): Promise<Set<string>> {
  const genesis = await readGenesis(node.info.dataDir);
  const chain = await Chain.open({ dir: join(node.info.dataDir, 'chain'), genesis });
  try {
    const committed = new Set<string>();
    for (const hash of hashes) if (await chain.store.getTxLocation(hash)) committed.add(hash);
    return committed;
  } finally {
    await chain.close();
  }
}

describe('a pending acknowledgement survives kill -9', () => {
  it('re-admits the acknowledged transfers after a SIGKILL and commits them: all final', async () => {
    await waitFor('the first block', async () => ((await node.status()).height >= 1 ? true : undefined), 60_000);
    const acknowledged: string[] = [];
    let uncommittedAtKill: string[] = [];
    // A block may commit within the milliseconds between an answer and the kill; try again with
    // new transfers until at least one acknowledged transfer was not committed when it died.
    for (let attempt = 0; attempt < ATTEMPTS_MAX && uncommittedAtKill.length === 0; attempt++) {
      const ids = await inboxDrafts(10 + attempt * TRANSFERS_PER_ATTEMPT, TRANSFERS_PER_ATTEMPT);
      const requests = ids.map((id) => node.request<SubmitResult>('POST', `/inbox/${id}/certify`, {}));
      await Promise.any(requests);
      const killed = node.kill(); // SIGKILL at the first answer: no graceful stop writes anything
      const answers = (await Promise.allSettled(requests)).flatMap((result) =>
        result.status === 'fulfilled' ? [result.value] : [],
      );
      await killed;
      for (const answer of answers) {
        expect(answer.status).toBe(202);
        expect(answer.body.status).toEqual({ state: 'pending' });
      }
      const hashes = answers.map((answer) => answer.body.txHash);
      acknowledged.push(...hashes);
      const committed = await committedOnDisk(hashes);
      uncommittedAtKill = hashes.filter((hash) => !committed.has(hash));
      await node.start(startArgs);
    }
    expect(uncommittedAtKill.length).toBeGreaterThan(0);
    for (const hash of acknowledged) {
      const status = await waitFor(
        `transfer ${hash} to be final`,
        async () => {
          const current = await node.txStatus(hash);
          expect(current.state).not.toBe('unknown');
          expect(current.state).not.toBe('rejected');
          return current.state === 'final' ? current : undefined;
        },
        60_000,
      );
      expect(status.state).toBe('final');
    }
  }, 240_000);
});
