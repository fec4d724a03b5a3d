// Four validator processes and one observer on 127.0.0.1, real libp2p, real LevelDB:
// transfers commit and every node agrees; a validator killed with -9 does not stop the
// others and catches up when restarted; an office cut off certifies into its outbox and,
// reconnected, sees each entry end final or rejected with its reason; strangers are refused.
import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KeyPair } from '../../shared/crypto/index.js';
import { txHash, type PropertyObject, type Transaction } from '../../shared/ledger/index.js';
import { devParty, devTransfer } from '../../electron/node/dev/demo-registry.js';
import { createNetwork } from '../../electron/node/network/index.js';
import { Devnet, percentile, waitFor, type NodeProcess } from '../support/devnet-harness.js';

const OBJECTS = 1_200;
const PARTIES = 50;
const parties = Array.from({ length: PARTIES }, (_, i) => devParty(i));
let devnet: Devnet;
let notaries: KeyPair[];
let burner: ChildProcess | undefined;

/** A CPU-bound process beside the nodes, as on a loaded machine: what must settle settles anyway. */
function burnCpu(): ChildProcess {
  return spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' });
}

function genesisObject(index: number): PropertyObject {
  const input = devnet.genesis.properties![index]!;
  return { ...input, encumbrances: [], version: 1, registeredHeight: 0, updatedHeight: 0 };
}

/** A certified sale of genesis object `index` from its owner to the next party. */
function sale(index: number, notary: KeyPair, options: { buyerOffset?: number; version?: number } = {}): Transaction {
  const object = { ...genesisObject(index), version: options.version ?? 1 };
  const owner = parties.findIndex((party) => party.publicKey === object.owners[0]!.key);
  const buyer = parties[(owner + (options.buyerOffset ?? 1)) % PARTIES]!;
  return devTransfer(object, buyer, parties, {
    chainId: devnet.genesis.chainId,
    nowMs: Date.now(),
    nonce: index * 10 + (options.buyerOffset ?? 1),
    notary,
  });
}

async function heights(nodes: NodeProcess[]): Promise<number[]> {
  return Promise.all(nodes.map(async (node) => (await node.status()).height));
}

/** Watches committed blocks on `node` and records when each transaction hash became final. */
function watchFinality(node: NodeProcess, from: number) {
  const finalAt = new Map<string, number>();
  let next = from;
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      const block = await node.block(next).catch(() => undefined);
      if (block) {
        for (const hash of block.txHashes) finalAt.set(hash, Date.now());
        next++;
      } else await new Promise((resolve) => setTimeout(resolve, 50));
    }
  })();
  return { finalAt, stop: async () => ((stopped = true), await loop) };
}

async function submitAll(
  txs: Transaction[],
  nodes: NodeProcess[],
  concurrency: number,
  submittedAt: Map<string, number>,
) {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < txs.length) {
        const i = next++;
        submittedAt.set(txHash(txs[i]!), Date.now());
        await nodes[i % nodes.length]!.submit(txs[i]!);
      }
    }),
  );
}

beforeAll(async () => {
  devnet = await Devnet.create({ validators: 4, observers: 1, objects: OBJECTS, heartbeatMs: 1_000 });
  await devnet.startAll();
  notaries = [await devnet.signingKey('node-3'), await devnet.signingKey('node-4')];
  await waitFor('the first blocks', async () =>
    (await heights(devnet.nodes)).every((h) => h >= 2) ? true : undefined,
  );
}, 120_000);

afterAll(async () => {
  burner?.kill('SIGKILL');
  await devnet?.stop();
}, 30_000);

describe('devnet of 4 validators and 1 observer', () => {
  it('commits 1,000 transfers submitted across the nodes, and every node ends with the same state root', async () => {
    const validators = devnet.nodes.filter((node) => node.info.role !== 'observer');
    const txs = Array.from({ length: 1_000 }, (_, i) => sale(i, notaries[i % 2]!));
    const watcher = watchFinality(devnet.node('node-1'), (await devnet.node('node-1').status()).height + 1);
    const submittedAt = new Map<string, number>();
    const startedMs = Date.now();
    await submitAll(txs, validators, 16, submittedAt);
    await waitFor(
      '1,000 transfers final',
      async () => (txs.every((tx) => watcher.finalAt.has(txHash(tx))) ? true : undefined),
      180_000,
    );
    await watcher.stop();
    const latencies = txs.map((tx) => watcher.finalAt.get(txHash(tx))! - submittedAt.get(txHash(tx))!);
    const seconds = (Math.max(...watcher.finalAt.values()) - startedMs) / 1000;
    console.log(
      `devnet: 1,000 transfers final in ${seconds.toFixed(1)} s (${(1000 / seconds).toFixed(0)} transfers/s); submit-to-final p50 ${percentile(latencies, 50)} ms, p99 ${percentile(latencies, 99)} ms`,
    );
    const height = Math.min(...(await heights(devnet.nodes)));
    const roots = await Promise.all(devnet.nodes.map(async (node) => (await node.block(height))!.header.stateRoot));
    expect(new Set(roots).size).toBe(1);
    // the operator's view of the network: every peer with its head height, every validator signing
    const peers = (
      await devnet.node('node-1').request<Array<{ peerId: string; height: number | null }>>('GET', '/peers')
    ).body;
    expect(peers).toHaveLength(devnet.nodes.length - 1);
    for (const peer of peers) expect(peer.height).toBeGreaterThanOrEqual(height);
    const validatorsView = (
      await devnet
        .node('node-1')
        .request<{ validators: Array<{ lastSignedHeight: number | null }> }>('GET', '/validators')
    ).body;
    for (const validator of validatorsView.validators) expect(validator.lastSignedHeight).toBeGreaterThan(0);
  }, 240_000);

  it('keeps committing when a validator is killed with -9, and the restarted validator catches up', async () => {
    const victim = devnet.node('node-2');
    const others = devnet.nodes.filter((node) => node !== victim);
    await victim.kill();
    const before = Math.max(...(await heights(others)));
    const load = Array.from({ length: 50 }, (_, i) => sale(1_000 + i, notaries[i % 2]!));
    await submitAll(
      load,
      others.filter((node) => node.info.role !== 'observer'),
      8,
      new Map(),
    );
    await waitFor(
      'three more blocks without node-2',
      async () => ((await heights(others)).every((h) => h >= before + 3) ? true : undefined),
      60_000,
    );
    await victim.start();
    const target = Math.max(...(await heights(others)));
    await waitFor(
      'node-2 catching up',
      async () => ((await victim.status()).height >= target ? true : undefined),
      60_000,
    );
    const [mine, theirs] = await Promise.all([victim.block(target), devnet.node('node-1').block(target)]);
    expect(mine!.hash).toBe(theirs!.hash);
  }, 180_000);

  it('lets an office cut off certify 20 transfers into its outbox; reconnected under CPU load, each ends final or rejected with its reason [REQ-OUT.1] [REQ-OUT.2]', async () => {
    const office = devnet.node('node-4');
    burner = burnCpu();
    const elsewhere = devnet.node('node-1');
    // A loaded node that saw too few validators for a moment answered `outbox` to some of the
    // earlier transfers (REQ-OUT.1): those settle first, and the checks below look at this
    // test's 20 entries only.
    await waitFor(
      'the earlier outbox entries settled',
      async () => ((await office.status()).outbox.pending === 0 ? true : undefined),
      60_000,
    );
    await office.setOffline(true);
    await waitFor('node-4 offline', async () => ((await office.status()).online ? undefined : true), 30_000);
    const offline = Array.from({ length: 20 }, (_, i) => sale(1_100 + i, notaries[1]!));
    for (const tx of offline) expect((await office.submit(tx)).status.state).toBe('outbox');
    // meanwhile another office sells five of the same flats to other buyers
    const conflicting = Array.from({ length: 5 }, (_, i) => sale(1_100 + i, notaries[0]!, { buyerOffset: 2 }));
    for (const tx of conflicting) await elsewhere.submit(tx);
    await waitFor(
      'the conflicting sales final',
      async () => {
        const states = await Promise.all(conflicting.map((tx) => elsewhere.txStatus(txHash(tx))));
        return states.every((state) => state.state === 'final') ? true : undefined;
      },
      60_000,
    );
    expect((await office.status()).outbox.pending).toBe(20);

    await office.setOffline(false);
    const mine = new Set(offline.map((tx) => txHash(tx)));
    const entries = await waitFor(
      'the outbox to settle',
      async () => {
        const view = (await office.outbox()).filter((entry) => mine.has(entry.txHash));
        return view.length === 20 && view.every((entry) => entry.state === 'final' || entry.state === 'rejected')
          ? view
          : undefined;
      },
      90_000,
    );
    const rejected = entries.filter((entry) => entry.state === 'rejected');
    expect(rejected.map((entry) => entry.code)).toEqual(Array(5).fill('STALE_VERSION'));
    expect(new Set(rejected.map((entry) => entry.txHash))).toEqual(
      new Set(offline.slice(0, 5).map((tx) => txHash(tx))),
    );
    for (const tx of offline.slice(5)) expect((await elsewhere.txStatus(txHash(tx))).state).toBe('final');
    burner.kill('SIGKILL');
  }, 240_000);

  it('refuses a peer that is not registered [REQ-NET.2]', async () => {
    const target = devnet.node('node-1');
    const stranger = await createNetwork({ chainId: devnet.genesis.chainId, allowedPeers: [target.info.peerId] });
    try {
      const address = `/ip4/127.0.0.1/tcp/${target.info.port}/p2p/${target.info.peerId}`;
      await stranger.dial(address, { signal: AbortSignal.timeout(5_000) }).catch(() => undefined);
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      expect(stranger.peers().map((peer) => peer.peerId)).not.toContain(target.info.peerId);
      expect((await target.status()).peers).toBe(4);
    } finally {
      await stranger.stop();
    }
  }, 30_000);
});
