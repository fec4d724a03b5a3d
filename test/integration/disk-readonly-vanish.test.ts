// Issue 19, "A full disk", its other two faults (decision #67), on four validator processes:
// - node-4's data folder on ext4 in a loop device, mounted errors=remount-ro: a file-system error
//   makes the kernel remount it read-only under the running node. The node refuses submissions
//   with DISK_READ_ONLY, says so in status and /metrics, still answers reads, and does not call
//   its store damaged; the operator stops it, runs e2fsck and mounts the disk again, and it
//   starts, catches up, and `notary audit` finds its store whole.
// - node-3's chain and pending log vanish under it (deleted while it runs, as a cleaner or an
//   antivirus would): it refuses submissions with DATA_FILES_MISSING (an acknowledgement written
//   to a deleted file would be lost) and says so; the operator's `notary repair` and a restart
//   re-sync it from its peers.
// Runs as root with loop devices (CI); skips, saying why, elsewhere.
import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DiskStatus } from '../../shared/api/index.js';
import type { KeyPair } from '../../shared/crypto/index.js';
import { devGenesisSale, devParty } from '../../electron/node/dev/demo-registry.js';
import { Devnet, waitFor, type NodeProcess } from '../support/devnet-harness.js';
import { runNotary } from '../support/notary-cli.js';
import { LoopDisk, loopDiskUnavailable } from '../support/small-disk.js';

const UNAVAILABLE = loopDiskUnavailable();

let devnet: Devnet;
let disk: LoopDisk;
let node3: NodeProcess;
let node4: NodeProcess;
let notary: KeyPair;
const parties = Array.from({ length: 10 }, (_, i) => devParty(i));
let nextObject = 0;

const sale = () => devGenesisSale(devnet.genesis, parties, nextObject++, { notary });
const diskOf = async (node: NodeProcess): Promise<DiskStatus> => (await node.status()).disk;
const heightOf = async (node: NodeProcess) => (await node.status()).height;
const highest = async () => Math.max(...(await Promise.all(devnet.nodes.slice(0, 2).map(heightOf))));

const offer = (node: NodeProcess) => node.offer(sale());

async function atTheHead(node: NodeProcess, timeoutMs = 90_000) {
  await waitFor(
    `${node.info.name} at the head`,
    async () => ((await heightOf(node)) >= (await highest()) - 1 ? true : undefined),
    timeoutMs,
  );
}

beforeAll(async () => {
  if (UNAVAILABLE) return;
  devnet = await Devnet.create({ validators: 4, observers: 0, objects: 60, heartbeatMs: 1_000 });
  node3 = devnet.node('node-3');
  node4 = devnet.node('node-4');
  notary = await devnet.signingKey('node-3');
  disk = await LoopDisk.over(node4.info.dataDir, 64);
  await devnet.startAll();
}, 180_000);

afterAll(async () => {
  if (UNAVAILABLE) return;
  await Promise.all(devnet?.nodes.map((node) => node.kill()) ?? []);
  await disk?.unmount();
  await devnet?.stop();
}, 60_000);

describe.skipIf(UNAVAILABLE !== undefined)(
  `a validator whose disk turns read-only, and one whose files vanish${UNAVAILABLE ? ` (skipped: ${UNAVAILABLE})` : ''}`,
  () => {
    it('read-only: refuses with DISK_READ_ONLY, still answers reads, and is not called damaged', async () => {
      expect((await offer(node4)).status).toBe(202);
      await disk.failReadOnly();
      const view = await waitFor('node-4 to see its disk read-only', async () => {
        const seen = await diskOf(node4);
        return seen.state === 'read-only' ? seen : undefined;
      });
      expect(view.sentence).toMatch(/refuses writes \(EROFS\)/);
      const refused = await offer(node4);
      expect(refused).toMatchObject({ status: 507, code: 'DISK_READ_ONLY' });
      expect(await node4.metric('notary_disk_writable')).toBe(0);
      // reads still answer from what it holds
      const head = await heightOf(node4);
      const read = await node4.request<{ header?: { height: number } }>('GET', `/blocks/${head}`);
      expect(read.status, JSON.stringify(read.body)).toBe(200);
      expect(read.body.header?.height).toBe(head);
      // the others go on
      const elsewhere = await offer(devnet.node('node-1'));
      expect(elsewhere.status).toBe(202);
      const before = await highest();
      await waitFor('the others to commit 3 blocks', async () => ((await highest()) >= before + 3 ? true : undefined));
      expect((await node4.status()).damaged).toBeUndefined();
    });

    it('read-only, repaired by the operator (stop, e2fsck, mount): starts, catches up, and its store is whole', async () => {
      await node4.kill();
      await disk.repair();
      const audit = await runNotary(['audit', '--data', node4.info.dataDir], { timeoutMs: 120_000 });
      expect(audit.code, audit.stdout + audit.stderr).toBe(0);
      await node4.start();
      await atTheHead(node4);
      expect((await diskOf(node4)).state).toBe('ok');
      expect((await offer(node4)).status).toBe(202);
    }, 240_000);

    it('files vanish: refuses with DATA_FILES_MISSING and says which; repaired, it re-syncs from its peers', async () => {
      expect((await offer(node3)).status).toBe(202);
      // the folder stays; every file in it goes
      const chainDir = join(node3.info.dataDir, 'chain');
      for (const name of await readdir(chainDir)) await rm(join(chainDir, name), { recursive: true, force: true });
      await rm(join(node3.info.dataDir, 'pending.log'), { force: true });
      const view = await waitFor('node-3 to see its files gone', async () => {
        const seen = await diskOf(node3);
        return seen.state === 'missing' ? seen : undefined;
      });
      expect(view.sentence).toMatch(/files of this node's data folder are gone \(.*chain.CURRENT\)/);
      expect(view.sentence).toMatch(/notary repair --data/);
      expect(await offer(node3)).toMatchObject({ status: 507, code: 'DATA_FILES_MISSING' });
      // the operator: stop, repair (moves what is left of the chain aside), start; it syncs every block
      await node3.kill();
      const repair = await runNotary(['repair', '--data', node3.info.dataDir], { timeoutMs: 60_000 });
      expect(repair.code, repair.stdout + repair.stderr).toBe(0);
      await node3.start();
      await atTheHead(node3);
      expect((await diskOf(node3)).state).toBe('ok');
      const accepted = await offer(node3);
      expect(accepted.status).toBe(202);
      await waitFor('the sale final on node-3', async () =>
        (await node3.txStatus(accepted.hash)).state === 'final' ? true : undefined,
      );
    }, 240_000);
  },
);
