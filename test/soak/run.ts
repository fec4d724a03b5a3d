// The soak (issue 7): 4 validator processes and 1 observer under steady load while a nemesis
// kills (-9, then restarts), pauses (SIGSTOP/SIGCONT) or isolates (the operator's network
// switch) a random node every few seconds, never more than one (f = 1 of 4) at once. At the
// end every acknowledged transaction must be committed exactly once, and every node must hold
// the same blocks (so one state root). Prints totals: transactions, faults injected, the
// longest gap without a commit. Exit status 1 if anything was lost, doubled or diverged.
//
//   npm run soak -- --minutes 30 [--rate 4] [--seed 1] [--fault-every-ms 5000] [--json FILE] [--netns]
// --netns (issue 19; root, `ip netns`): each node in its own network namespace, and the nemesis
// isolates at the kernel (nftables) and pulls cables instead of using the node's switch.
import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { txHash, type PropertyObject, type Transaction } from '../../shared/ledger/index.js';
import { devParty, devTransfer } from '../../electron/node/dev/demo-registry.js';
import { Devnet } from '../support/devnet-harness.js';
import { enterLab } from '../support/netns.js';
import { seededRandom } from '../support/prng.js';
import { api, gossipScores, mapBounded, Nemesis, oneHistory, sleep, soakLog } from './nemesis.js';

const { values } = parseArgs({
  options: {
    minutes: { type: 'string', default: '2' },
    rate: { type: 'string', default: '4' },
    seed: { type: 'string', default: String(Date.now() % 100_000) },
    'fault-every-ms': { type: 'string', default: '5000' },
    json: { type: 'string' },
    netns: { type: 'boolean', default: false },
  },
});
const MINUTES = Number(values.minutes);
const RATE = Number(values.rate);
const SEED = Number(values.seed);
const FAULT_EVERY_MS = Number(values['fault-every-ms']);
const SETTLE_MS = 180_000;
const SETTLE_REQUESTS_IN_FLIGHT = 64;

// With --netns the parent makes the lab and runs this script again inside it; only the child goes on.
const lab = values.netns
  ? await enterLab(['node-1', 'node-2', 'node-3', 'node-4', 'observer-1'], fileURLToPath(import.meta.url))
  : undefined;
const random = seededRandom(SEED);
const log = soakLog('soak');

const objects = Math.ceil(MINUTES * 60 * RATE * 1.2) + 500;
const parties = Array.from({ length: 50 }, (_, i) => devParty(i));
log(`seed ${SEED}: ${MINUTES} min, ${RATE} tx/s, a fault every ~${FAULT_EVERY_MS} ms, ${objects} objects`);
const devnet = await Devnet.create({
  validators: 4,
  observers: 1,
  objects,
  heartbeatMs: 1_000,
  ...(lab ? { lab } : {}),
});
const nodes = devnet.nodes;
const notary = await devnet.signingKey('node-3');

const nemesis = new Nemesis(nodes, random, { faultEveryMs: FAULT_EVERY_MS, log, ...(lab ? { lab } : {}) });
const pick = <T>(items: readonly T[]): T => nemesis.pick(items);
const healthy = () => nemesis.healthy();
const acknowledged = new Map<string, { tx: Transaction; at: number; node: string; state: string }>();
const totals = { submitted: 0, acknowledged: 0, refused: 0, unreachable: 0, resubmitted: 0 };
let stopping = false;

function sale(index: number): Transaction {
  const input = devnet.genesis.properties![index]!;
  const object: PropertyObject = { ...input, encumbrances: [], version: 1, registeredHeight: 0, updatedHeight: 0 };
  const owner = parties.findIndex((party) => party.publicKey === object.owners[0]!.key);
  return devTransfer(object, parties[(owner + 1) % parties.length]!, parties, {
    chainId: devnet.genesis.chainId,
    nowMs: Date.now(),
    nonce: index,
    notary,
  });
}

async function submit(tx: Transaction): Promise<boolean> {
  const node = pick(healthy());
  totals.submitted++;
  try {
    const { status, body } = await api<{ state?: string; error?: { code: string } }>(node, 'POST', '/txs', tx);
    if (status === 202) {
      const hash = txHash(tx);
      if (!acknowledged.has(hash)) totals.acknowledged++;
      acknowledged.set(hash, { tx, at: Date.now(), node: node.info.name, state: body.state ?? 'pending' });
      return true;
    }
    totals.refused++;
    if (body.error?.code !== 'ALREADY_PENDING')
      log(`${node.info.name} refused a transfer: ${status} ${JSON.stringify(body)}`);
    return body.error?.code === 'ALREADY_PENDING';
  } catch {
    totals.unreachable++;
    return false;
  }
}

async function load(): Promise<void> {
  let next = 0;
  const interval = 1_000 / RATE;
  while (!stopping && next < objects) {
    const started = Date.now();
    const tx = sale(next++);
    // A submission that found no node answering is tried again on another (same tx, same hash).
    for (let attempt = 0; attempt < 5 && !stopping && !(await submit(tx)); attempt++) await sleep(500);
    await sleep(Math.max(0, interval - (Date.now() - started)));
  }
}

/** An acknowledged transfer that no node knows after a while was lost with a killed node's mempool: the client sends it again. */
async function resubmitLost(): Promise<void> {
  while (!stopping) {
    await sleep(10_000);
    for (const [hash, entry] of acknowledged) {
      if (entry.state === 'final' || Date.now() - entry.at < 20_000) continue;
      const node = pick(healthy());
      const status = await api<{ state: string }>(node, 'GET', `/txs/${hash}`).then(
        (r) => r.body.state,
        () => undefined,
      );
      if (status === 'final') entry.state = 'final';
      else if (status === 'unknown') {
        totals.resubmitted++;
        await submit(entry.tx);
      }
    }
  }
}

let exitCode = 0;
try {
  await devnet.startAll();
  log(`devnet up: ${nodes.map((node) => `${node.info.name} ${node.url}`).join(', ')}`);
  const started = Date.now();
  nemesis.start();
  const tasks = [load(), resubmitLost()];
  const progress = setInterval(
    () =>
      log(
        `${((Date.now() - started) / 60_000).toFixed(1)} min: ${totals.acknowledged} acknowledged, faults ${JSON.stringify(nemesis.faults)}, longest gap ${(nemesis.longestGapMs / 1000).toFixed(1)} s`,
      ),
    30_000,
  );
  await sleep(MINUTES * 60_000);
  stopping = true;
  clearInterval(progress);
  await Promise.all([...tasks, nemesis.stop()]);
  log('load and nemesis stopped; every node healed; settling');

  // Every acknowledged transaction final, on every node.
  const deadline = Date.now() + SETTLE_MS;
  let missing: string[] = [];
  for (const node of nodes) {
    missing = [...acknowledged.keys()];
    while (missing.length > 0 && Date.now() < deadline) {
      // At most SETTLE_REQUESTS_IN_FLIGHT at once: all of them at once (4,785 × 5 nodes in a
      // 20-minute run) ran the soak process out of file descriptors (EMFILE).
      const states = await mapBounded(missing, SETTLE_REQUESTS_IN_FLIGHT, (hash) =>
        api<{ state: string }>(node, 'GET', `/txs/${hash}`).then(
          (r) => r.body.state,
          () => 'unreachable',
        ),
      );
      // Still unknown everywhere once healed: the client's resend, as above.
      for (const [i, s] of states.entries())
        if (s === 'unknown' && node === nodes[0]) await submit(acknowledged.get(missing[i]!)!.tx);
      missing = missing.filter((_, i) => states[i] !== 'final');
      if (missing.length > 0) await sleep(1_000);
    }
    if (missing.length > 0) break;
  }

  // One block history: the same hash at the common height on every node, and each acknowledged
  // transaction in exactly one block of it.
  const { common, oneRoot, seen } = await oneHistory(nodes);
  const doubled = [...seen.entries()].filter(([, count]) => count > 1).map(([hash]) => hash);
  const lost = [...acknowledged.keys()].filter((hash) => !seen.has(hash));
  // No honest node may have been disconnected for its gossip score (only a faulty sender earns one).
  const { bans: scoreBans, lowest: lowestScore } = await gossipScores(nodes);
  const { faults, stuck } = nemesis;
  const result = {
    minutes: MINUTES,
    seed: SEED,
    transactions: {
      ...totals,
      committed: [...acknowledged.keys()].filter((hash) => seen.has(hash)).length,
      lost: lost.length,
      doubled: doubled.length,
      notFinalOnEveryNode: missing.length,
    },
    faults: { ...faults, total: nemesis.totalFaults },
    ...(lab ? { network: lab.spec.nft ? 'network namespaces, nftables' : 'network namespaces, no nftables' } : {}),
    blocks: common,
    oneStateRoot: oneRoot,
    honestPeersDisconnectedForScore: scoreBans,
    stuck,
    lowestGossipScore: lowestScore,
    longestGapWithoutCommitSeconds: Number((nemesis.longestGapMs / 1000).toFixed(1)),
  };
  console.log(JSON.stringify(result, null, 2));
  if (values.json) await writeFile(values.json, `${JSON.stringify(result, null, 2)}\n`);
  if (
    lost.length > 0 ||
    doubled.length > 0 ||
    missing.length > 0 ||
    !result.oneStateRoot ||
    scoreBans > 0 ||
    stuck.length > 0
  ) {
    exitCode = 1;
    log(
      `FAILED: lost ${lost.length}, doubled ${doubled.length}, not final everywhere ${missing.length}, one state root ${result.oneStateRoot}, stuck ${stuck.length}, honest peers disconnected for their score ${scoreBans}`,
    );
    for (const node of nodes) log(`${node.info.name} log tail:\n${node.log.slice(-2_000)}`);
  } else log('passed: nothing lost, nothing doubled, one state root');
} catch (error) {
  exitCode = 1;
  log(`soak failed: ${(error as Error).stack ?? error}`);
} finally {
  nemesis.release();
  await devnet.stop();
}
process.exit(exitCode);
