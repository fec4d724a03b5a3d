// The soak (issue 7): 4 validator processes and 1 observer under steady load while a nemesis
// kills (-9, then restarts), pauses (SIGSTOP/SIGCONT) or isolates (the operator's network
// switch) a random node every few seconds, never more than one (f = 1 of 4) at once. At the
// end every acknowledged transaction must be committed exactly once, and every node must hold
// the same blocks (so one state root). Prints totals: transactions, faults injected, the
// longest gap without a commit. Exit status 1 if anything was lost, doubled or diverged.
//
//   npm run soak -- --minutes 30 [--rate 4] [--seed 1] [--fault-every-ms 5000] [--json FILE]
import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { txHash, type PropertyObject, type Transaction } from '../../shared/ledger/index.js';
import { devParty, devTransfer } from '../../electron/node/dev/demo-registry.js';
import { Devnet, type NodeProcess } from '../support/devnet-harness.js';
import { seededRandom } from '../support/prng.js';

const { values } = parseArgs({
  options: {
    minutes: { type: 'string', default: '2' },
    rate: { type: 'string', default: '4' },
    seed: { type: 'string', default: String(Date.now() % 100_000) },
    'fault-every-ms': { type: 'string', default: '5000' },
    json: { type: 'string' },
  },
});
const MINUTES = Number(values.minutes);
const RATE = Number(values.rate);
const SEED = Number(values.seed);
const FAULT_EVERY_MS = Number(values['fault-every-ms']);
const REQUEST_MS = 3_000;
const SETTLE_MS = 180_000;
const SETTLE_REQUESTS_IN_FLIGHT = 64;

/** fn over items with at most `limit` calls in flight; results in the items' order. */
async function mapBounded<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        results[i] = await fn(items[i]!);
      }
    }),
  );
  return results;
}

const random = seededRandom(SEED);
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const log = (message: string) => console.log(`[soak ${new Date().toISOString().slice(11, 19)}] ${message}`);

async function api<T>(
  node: NodeProcess,
  method: string,
  path: string,
  body?: unknown,
  timeoutMs = REQUEST_MS,
): Promise<{ status: number; body: T }> {
  const response = await fetch(`${node.url}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${node.token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    signal: AbortSignal.timeout(timeoutMs),
  });
  return { status: response.status, body: (await response.json()) as T };
}

const objects = Math.ceil(MINUTES * 60 * RATE * 1.2) + 500;
const parties = Array.from({ length: 50 }, (_, i) => devParty(i));
log(`seed ${SEED}: ${MINUTES} min, ${RATE} tx/s, a fault every ~${FAULT_EVERY_MS} ms, ${objects} objects`);
const devnet = await Devnet.create({ validators: 4, observers: 1, objects, heartbeatMs: 1_000 });
const nodes = devnet.nodes;
const notary = await devnet.signingKey('node-3');

/** The node under a fault now (at most one), and what is being done to it. */
let faulty: { node: NodeProcess; kind: 'kill' | 'pause' | 'isolate' } | undefined;
/** Nodes that answer: all but one killed or paused (an isolated node answers, and certifies into its outbox). */
const healthy = () => nodes.filter((node) => node !== faulty?.node || faulty.kind === 'isolate');
const faults = { kill: 0, pause: 0, isolate: 0 };
const acknowledged = new Map<string, { tx: Transaction; at: number; node: string; state: string }>();
const totals = { submitted: 0, acknowledged: 0, refused: 0, unreachable: 0, resubmitted: 0 };
let longestGapMs = 0;
const stuck: string[] = [];
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

async function nemesis(): Promise<void> {
  while (!stopping) {
    await sleep(FAULT_EVERY_MS * (0.5 + random()));
    if (stopping) break;
    const node = pick(nodes);
    const kind = pick(['kill', 'pause', 'isolate'] as const);
    const holdMs = 2_000 + random() * 4_000;
    faulty = { node, kind };
    faults[kind]++;
    log(`nemesis: ${kind} ${node.info.name} for ${(holdMs / 1000).toFixed(1)} s`);
    try {
      if (kind === 'kill') {
        await node.kill();
        await sleep(holdMs);
        await node.start();
      } else if (kind === 'pause') {
        node.process!.kill('SIGSTOP');
        await sleep(holdMs);
        node.process!.kill('SIGCONT');
      } else {
        await api(node, 'POST', '/network', { offline: true });
        await sleep(holdMs);
        await api(node, 'POST', '/network', { offline: false });
      }
    } catch (error) {
      stuck.push(`healing ${node.info.name} (${kind}) failed: ${(error as Error).message}`);
      log(`nemesis: ${stuck.at(-1)}`);
    }
    // A healed node is still faulty until it has caught up: only then may the next fault start
    // (otherwise a restarted validator still syncing plus a new fault make two).
    await caughtUp(node);
    faulty = undefined;
  }
}

async function heightOf(node: NodeProcess): Promise<number> {
  return api<{ height: number }>(node, 'GET', '/status').then(
    (r) => r.body.height,
    () => -1,
  );
}

async function caughtUp(node: NodeProcess): Promise<void> {
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    const others = Math.max(...(await Promise.all(nodes.filter((other) => other !== node).map(heightOf))));
    if ((await heightOf(node)) >= others - 1) return;
    await sleep(250);
  }
  // Recorded, not thrown: the run goes on and its end checks fail with the figures.
  const heights = await Promise.all(nodes.map(async (other) => `${other.info.name} ${await heightOf(other)}`));
  stuck.push(`${node.info.name} did not catch up within 120 s of being healed (${heights.join(', ')})`);
  log(`STUCK: ${stuck.at(-1)}\n${node.info.name} log tail:\n${node.log.slice(-4_000)}`);
}

/** The longest time no healthy node saw a new block. */
async function watchCommits(): Promise<void> {
  let best = 0;
  let lastAt = Date.now();
  while (!stopping) {
    const heights = await Promise.all(healthy().map(heightOf));
    const height = Math.max(...heights);
    if (height > best) {
      longestGapMs = Math.max(longestGapMs, Date.now() - lastAt);
      best = height;
      lastAt = Date.now();
    }
    await sleep(200);
  }
  longestGapMs = Math.max(longestGapMs, Date.now() - lastAt);
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
  const tasks = [load(), nemesis(), watchCommits(), resubmitLost()];
  const progress = setInterval(
    () =>
      log(
        `${((Date.now() - started) / 60_000).toFixed(1)} min: ${totals.acknowledged} acknowledged, faults ${JSON.stringify(faults)}, longest gap ${(longestGapMs / 1000).toFixed(1)} s`,
      ),
    30_000,
  );
  await sleep(MINUTES * 60_000);
  stopping = true;
  clearInterval(progress);
  await Promise.all(tasks);
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
  const heights = await Promise.all(
    nodes.map((node) => api<{ height: number }>(node, 'GET', '/status').then((r) => r.body.height)),
  );
  const common = Math.min(...heights);
  const hashes = await Promise.all(
    nodes.map((node) => api<{ hash: string }>(node, 'GET', `/blocks/${common}`).then((r) => r.body.hash)),
  );
  const seen = new Map<string, number>();
  for (let height = 1; height <= common; height++) {
    const block = (await api<{ txHashes: string[] }>(nodes[0]!, 'GET', `/blocks/${height}`, undefined, 10_000)).body;
    for (const hash of block.txHashes) seen.set(hash, (seen.get(hash) ?? 0) + 1);
  }
  const doubled = [...seen.entries()].filter(([, count]) => count > 1).map(([hash]) => hash);
  const lost = [...acknowledged.keys()].filter((hash) => !seen.has(hash));
  // No honest node may have been disconnected for its gossip score (only a faulty sender earns one).
  const scoreBans = nodes
    .map((node) => (node.log.match(/gossip score fell under the graylist threshold/g) ?? []).length)
    .reduce((a, b) => a + b, 0);
  const lowestScore = Math.min(
    ...(await Promise.all(
      nodes.map((node) =>
        api<Array<{ gossipScore: number }>>(node, 'GET', '/peers').then(
          (r) => Math.min(0, ...r.body.map((peer) => peer.gossipScore)),
          () => 0,
        ),
      ),
    )),
  );
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
    faults: { ...faults, total: faults.kill + faults.pause + faults.isolate },
    blocks: common,
    oneStateRoot: new Set(hashes).size === 1,
    honestPeersDisconnectedForScore: scoreBans,
    stuck,
    lowestGossipScore: Number(lowestScore.toFixed(2)),
    longestGapWithoutCommitSeconds: Number((longestGapMs / 1000).toFixed(1)),
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
  for (const node of nodes) if (node.process && node.process.exitCode === null) node.process.kill('SIGCONT');
  await devnet.stop();
}
process.exit(exitCode);
