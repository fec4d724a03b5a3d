// Issue 19, "A full disk" (decision #67): four validator processes, node-4's data folder on a
// 48 MB tmpfs of its own. Filled to under its reserve, node-4 refuses submissions with
// DISK_FULL (no acknowledgement it cannot keep) and keeps following; filled to the last byte, its
// store refuses a block and it falls behind, saying so in status and /metrics, while the other
// three commit. Freed, it opens its store again by itself, catches up and accepts transactions;
// `notary audit` then finds its store whole. Throughout, it calls itself in sync only when it is
// (decision #69: a 45-minute soak, seed 45045, found a full-disk node and a just-restarted one
// reading as current while blocks behind). Runs as root (mount; CI); skips, saying why, elsewhere.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DiskStatus, PropertyView } from '../../shared/api/index.js';
import type { KeyPair } from '../../shared/crypto/index.js';
import { devGenesisSale, devObjectId, devParty } from '../../electron/node/dev/demo-registry.js';
import { Devnet, waitFor, type NodeProcess } from '../support/devnet-harness.js';
import { runNotary } from '../support/notary-cli.js';
import { SmallDisk, smallDiskUnavailable } from '../support/small-disk.js';

const UNAVAILABLE = smallDiskUnavailable();
const DISK_MB = 48;
/** The devnet's reserve (DEVNET_DISK_RESERVE_MB is 16): filled to leave 4 MB is under it. */
const LEAVE_UNDER_RESERVE_BYTES = 4 * 1024 * 1024;

let devnet: Devnet;
let disk: SmallDisk;
let node4: NodeProcess;
let others: NodeProcess[];
let notary: KeyPair;
const parties = Array.from({ length: 10 }, (_, i) => devParty(i));
let nextObject = 0;

const sale = () => devGenesisSale(devnet.genesis, parties, nextObject++, { notary });
const diskOf = async (node: NodeProcess): Promise<DiskStatus> => (await node.status()).disk;
const heightOf = async (node: NodeProcess) => (await node.status()).height;
const highest = async () => Math.max(...(await Promise.all(others.map(heightOf))));

/** A record read on `node`: what the answer says of being in sync. */
const read = async (node: NodeProcess) =>
  (await node.request<PropertyView>('GET', `/properties/${devObjectId(59)}`)).body;
/**
 * Until the node's status, its metric and a record read all say it is in sync: each may say
 * "behind" for the instant a block is committed elsewhere and not yet here (a loaded machine
 * stretches that instant; stop 27's CI pre-check met it once).
 */
const inSync = (node: NodeProcess) =>
  waitFor(`${node.info.name} in sync in its status, metrics and reads`, async () =>
    (await node.status()).inSync && (await node.metric('notary_in_sync')) === 1 && (await read(node)).inSync
      ? true
      : undefined,
  );

/** Submits a sale to `node`: its HTTP status and error code. */
const offer = (node: NodeProcess) => node.offer(sale());

async function finalOn(node: NodeProcess, hash: string) {
  return waitFor(`${hash.slice(0, 8)} final on ${node.info.name}`, async () => {
    const status = await node.txStatus(hash);
    return status.state === 'final' ? status : undefined;
  });
}

beforeAll(async () => {
  if (UNAVAILABLE) return;
  devnet = await Devnet.create({ validators: 4, observers: 0, objects: 60, heartbeatMs: 1_000 });
  node4 = devnet.node('node-4');
  others = devnet.nodes.filter((node) => node !== node4);
  notary = await devnet.signingKey('node-3');
  disk = await SmallDisk.over(node4.info.dataDir, DISK_MB);
  await devnet.startAll();
}, 180_000);

afterAll(async () => {
  if (UNAVAILABLE) return;
  await Promise.all(devnet?.nodes.map((node) => node.kill()) ?? []);
  await disk?.unmount();
  await devnet?.stop();
}, 60_000);

describe.skipIf(UNAVAILABLE !== undefined)(
  `a validator whose disk fills up${UNAVAILABLE ? ` (skipped: ${UNAVAILABLE})` : ''}`,
  () => {
    it('takes transactions while the disk has room', async () => {
      expect((await diskOf(node4)).state).toBe('ok');
      expect(await node4.metric('notary_disk_writable')).toBe(1);
      await inSync(node4);
      const accepted = await offer(node4);
      expect(accepted.status).toBe(202);
      await finalOn(node4, accepted.hash);
    });

    it('under its reserve: refuses submissions with DISK_FULL and keeps following', async () => {
      await disk.fill(LEAVE_UNDER_RESERVE_BYTES);
      const low = await waitFor('node-4 to see its disk short', async () => {
        const view = await diskOf(node4);
        return view.state === 'low' ? view : undefined;
      });
      expect(low.freeBytes).toBeLessThan(low.reserveBytes);
      expect(low.sentence).toMatch(/accepts no new transactions until space is freed/);
      const refused = await offer(node4);
      expect(refused).toMatchObject({ status: 507, code: 'DISK_FULL' });
      expect(refused.message).toMatch(/under the 16 MB this node keeps/);
      expect(await node4.metric('notary_disk_writable')).toBe(0);
      // the others certify; node-4 still commits their blocks
      const elsewhere = await offer(others[0]!);
      expect(elsewhere.status).toBe(202);
      await finalOn(node4, elsewhere.hash);
    });

    it('full to the last byte: says so, falls behind while the others commit, and writes nothing half', async () => {
      await disk.fill(0);
      const full = await waitFor('node-4 to see its disk full', async () => {
        const view = await diskOf(node4);
        return view.state === 'full' ? view : undefined;
      });
      expect(full.sentence).toMatch(/is full \(ENOSPC\)/);
      expect(await offer(node4)).toMatchObject({ status: 507, code: 'DISK_FULL' });
      const stuckAt = await heightOf(node4);
      // the three others keep certifying
      const during = [await offer(others[0]!), await offer(others[1]!), await offer(others[2]!)];
      for (const offered of during) expect(offered.status).toBe(202);
      for (const offered of during) await finalOn(others[0]!, offered.hash);
      await waitFor('the others 5 blocks past node-4', async () =>
        (await highest()) >= stuckAt + 5 ? true : undefined,
      );
      // node-4 could not write them: its store refused a block, so it is behind (or at most a block further)
      expect(await heightOf(node4)).toBeLessThanOrEqual(stuckAt + 1);
      expect(node4.log).toMatch(/ENOSPC|no space left/i);
      const status = await node4.status();
      expect(status.damaged).toBeUndefined();
      // it says it is not in sync, in its status, its metrics and each record it reads
      expect(status).toMatchObject({ online: true, inSync: false, behind: { reason: 'store' } });
      expect(await read(node4)).toMatchObject({ inSync: false, behind: { reason: 'store' } });
      expect(await node4.metric('notary_in_sync')).toBe(0);
    });

    it('freed: opens its store again by itself, catches up and takes transactions again', async () => {
      const freedAt = Date.now();
      await disk.free();
      await waitFor('node-4 to see its disk take writes', async () =>
        (await diskOf(node4)).state === 'ok' ? true : undefined,
      );
      await waitFor(
        'node-4 to catch up',
        async () => ((await heightOf(node4)) >= (await highest()) - 1 ? true : undefined),
        90_000,
      );
      expect(node4.log).toMatch(/the store takes writes again after the disk refused one/);
      console.log(`node-4 caught up ${((Date.now() - freedAt) / 1000).toFixed(1)} s after the disk was freed`);
      const accepted = await offer(node4);
      expect(accepted.status).toBe(202);
      await finalOn(others[0]!, accepted.hash);
      await finalOn(node4, accepted.hash);
      expect(await node4.metric('notary_disk_writable')).toBe(1);
      expect((await node4.status()).damaged).toBeUndefined();
      await inSync(node4);
    }, 120_000);

    it('leaves a store `notary audit` finds whole, and that starts again', async () => {
      const stoppedAt = await heightOf(node4);
      await node4.kill();
      const audit = await runNotary(['audit', '--data', node4.info.dataDir], { timeoutMs: 120_000 });
      expect(audit.code, audit.stdout + audit.stderr).toBe(0);
      await waitFor('the others 3 blocks past node-4', async () =>
        (await highest()) >= stoppedAt + 3 ? true : undefined,
      );
      await node4.start();
      // restarted blocks behind: until it caught up, no answer says it is in sync (seed 45045's
      // node-4 said so 4 s after a restart, 3 blocks behind); a block's race is allowed
      const samples: string[] = [];
      const stale: string[] = [];
      await waitFor(
        'node-4 at the head again, in sync',
        async () => {
          const before = await highest();
          const [status, view] = await Promise.all([node4.status(), read(node4)]);
          const sample = `${status.height}/${before}${status.inSync ? ' in sync' : ` ${status.behind?.reason}`}`;
          samples.push(sample);
          if (status.inSync && status.height < before - 1) stale.push(`status ${sample}`);
          if (view.inSync && view.certificate.header.height < before - 1)
            stale.push(`read as of ${view.certificate.header.height}/${before}`);
          return status.inSync && status.height >= (await highest()) - 1 ? true : undefined;
        },
        60_000,
        100,
      );
      console.log(`node-4 after its restart (its height/the others' before): ${samples.join(', ')}`);
      expect(stale, samples.join(', ')).toEqual([]);
      expect(samples[0]).not.toMatch(/in sync$/);
    }, 180_000);
  },
);
