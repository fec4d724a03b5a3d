// The soak (issue 7): 4 validator processes and 1 observer under steady load while a nemesis
// kills (-9, then restarts), pauses (SIGSTOP/SIGCONT) or isolates (the operator's network
// switch) a random node every few seconds, never more than one (f = 1 of 4) at once. At the
// end every acknowledged transaction must be committed exactly once, and every node must hold
// the same blocks (so one state root). Prints totals: transactions, faults injected, the
// longest gap without a commit. Exit status 1 if anything was lost, doubled or diverged.
// Every client operation (submissions, status queries, and reads of recently transferred objects
// from random healthy nodes) goes into a history that the history checker judges at the end
// (issue 19; docs/reliability.md, "The history checker"); a violation also fails the run.
//
//   npm run soak -- --minutes 30 [--rate 4] [--seed 1] [--fault-every-ms 5000] [--json FILE]
//                   [--reads-per-second 2] [--history FILE.jsonl] [--netns] [--faults kill,pause,isolate,skew,slow,disk]
//                   [--each-kind-first]
// --netns (issue 19; root, `ip netns`): each node in its own network namespace, and the nemesis
// isolates at the kernel (nftables) and pulls cables instead of using the node's switch.
// --faults (issue 19): the kinds the nemesis draws from, among kill, pause, isolate, cut (with
// --netns), skew (a node's clock jumps ±30 s or ±5 min and back; its status must say so) and slow
// (a node stopped in short bursts; it catches up and no peer bans it). Default kill, pause,
// isolate (and cut with --netns), drawn as before so an old seed replays the same faults.
// With `disk` among them (root, mount) each node's data folder is on a tmpfs of its own, and the
// nemesis also fills one (to the last byte, or to under the node's reserve) and frees it again.
// --each-kind-first: every listed kind once first, in a drawn order, then at random (so a short
// run meets each; CI).
import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { txHash, type Transaction } from '../../shared/ledger/index.js';
import { devGenesisSale, devParty } from '../../electron/node/dev/demo-registry.js';
import { Devnet } from '../support/devnet-harness.js';
import { enterLab } from '../support/netns.js';
import { SOAK_DISK_MB, SOAK_UNDER_RESERVE_BYTES, smallDisks } from '../support/small-disk.js';
import { seededRandom } from '../support/prng.js';
import { checkHistory } from './history-checker.js';
import { committedChain, recordedRead, recordedSubmit, recordedTxStatus, verdictLines } from './history-client.js';
import { History } from './history.js';
import { gossipScores, mapBounded, Nemesis, oneHistory, parseFaults, sleep, soakLog } from './nemesis.js';

const { values } = parseArgs({
  options: {
    minutes: { type: 'string', default: '2' },
    rate: { type: 'string', default: '4' },
    seed: { type: 'string', default: String(Date.now() % 100_000) },
    'fault-every-ms': { type: 'string', default: '5000' },
    json: { type: 'string' },
    'reads-per-second': { type: 'string', default: '2' },
    history: { type: 'string' },
    netns: { type: 'boolean', default: false },
    faults: { type: 'string' },
    'each-kind-first': { type: 'boolean', default: false },
  },
});
const MINUTES = Number(values.minutes);
const RATE = Number(values.rate);
const SEED = Number(values.seed);
const FAULT_EVERY_MS = Number(values['fault-every-ms']);
const READS_PER_SECOND = Number(values['reads-per-second']);
const FAULT_KINDS = parseFaults(values.faults, { lab: values.netns });
const READERS = 2;
/** The reader picks among the objects of the last this many acknowledged transfers. */
const RECENT_OBJECTS_MAX = 32;
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
log(
  `seed ${SEED}: ${MINUTES} min, ${RATE} tx/s, a fault every ~${FAULT_EVERY_MS} ms${FAULT_KINDS ? ` (${FAULT_KINDS.join(', ')})` : ''}, ${objects} objects`,
);
const devnet = await Devnet.create({
  validators: 4,
  observers: 1,
  objects,
  heartbeatMs: 1_000,
  ...(lab ? { lab } : {}),
  ...(FAULT_KINDS?.includes('skew') ? { movableClocks: true } : {}),
});
const nodes = devnet.nodes;
const notary = await devnet.signingKey('node-3');

// With the disk fault each node's data folder on a small disk of its own, before any node starts.
const disks = FAULT_KINDS?.includes('disk') ? await smallDisks(nodes.map((node) => node.info)) : undefined;
if (disks) log(`each node's data folder on a ${SOAK_DISK_MB} MB tmpfs of its own`);
const nemesis = new Nemesis(nodes, random, {
  ...{ faultEveryMs: FAULT_EVERY_MS, log },
  ...(lab ? { lab } : {}),
  ...(FAULT_KINDS ? { kinds: FAULT_KINDS } : {}),
  ...(disks ? { disks: { byNode: disks, underReserveBytes: SOAK_UNDER_RESERVE_BYTES } } : {}),
  eachKindFirst: values['each-kind-first'],
});
const pick = <T>(items: readonly T[]): T => nemesis.pick(items);
const healthy = () => nemesis.healthy();
const acknowledged = new Map<string, { tx: Transaction; at: number; node: string; state: string }>();
const totals = { submitted: 0, acknowledged: 0, refused: 0, unreachable: 0, resubmitted: 0 };
const history = new History();
/** Every transaction sent, by hash: the checker's view of the committed ones. */
const sent = new Map<string, Transaction>();
const recentObjects: string[] = [];
// The readers' own stream: the nemesis's draws for a seed stay what they were without readers.
const readerRandom = seededRandom(SEED ^ 0x5eed);
let stopping = false;
/** A client task that failed (the history full, say): the run stops early and fails with it. */
let taskFailure: Error | undefined;

function sale(index: number): Transaction {
  return devGenesisSale(devnet.genesis, parties, index, { notary });
}

async function submit(tx: Transaction, client: string): Promise<boolean> {
  const node = pick(healthy());
  const hash = txHash(tx);
  totals.submitted++;
  sent.set(hash, tx);
  const response = await recordedSubmit(history, client, node, tx, hash);
  if (!response) {
    totals.unreachable++;
    return false;
  }
  const { status, body } = response;
  if (status === 202) {
    if (!acknowledged.has(hash)) totals.acknowledged++;
    acknowledged.set(hash, { tx, at: Date.now(), node: node.info.name, state: body.status?.state ?? 'pending' });
    if (tx.type === 'transfer') {
      recentObjects.push(tx.payload.contract.objectId);
      if (recentObjects.length > RECENT_OBJECTS_MAX) recentObjects.shift();
    }
    return true;
  }
  totals.refused++;
  if (body.error?.code !== 'ALREADY_PENDING')
    log(`${node.info.name} refused a transfer: ${status} ${JSON.stringify(body)}`);
  return body.error?.code === 'ALREADY_PENDING';
}

async function load(): Promise<void> {
  let next = 0;
  const interval = 1_000 / RATE;
  while (!stopping && next < objects) {
    const started = Date.now();
    const tx = sale(next++);
    // A submission that found no node answering is tried again on another (same tx, same hash).
    for (let attempt = 0; attempt < 5 && !stopping && !(await submit(tx, 'load')); attempt++) await sleep(500);
    await sleep(Math.max(0, interval - (Date.now() - started)));
  }
}

/** An acknowledged transfer that no node knows after a while was lost with a killed node's mempool: the client sends it again. */
async function resubmitLost(): Promise<void> {
  while (!stopping) {
    await sleep(10_000);
    for (const [hash, entry] of acknowledged) {
      if (entry.state === 'final' || Date.now() - entry.at < 20_000) continue;
      const status = await recordedTxStatus(history, 'resubmitter', pick(healthy()), hash);
      if (status === 'final') entry.state = 'final';
      else if (status === 'unknown') {
        totals.resubmitted++;
        await submit(entry.tx, 'resubmitter');
      }
    }
  }
}

/** One reader client: objects of recent transfers, each from a random healthy node, one read at a time. */
async function read(client: string): Promise<void> {
  const interval = (1_000 * READERS) / READS_PER_SECOND;
  while (!stopping) {
    const started = Date.now();
    if (recentObjects.length > 0) {
      const objectId = recentObjects[Math.floor(readerRandom() * recentObjects.length)]!;
      const nodes = healthy();
      await recordedRead(history, client, nodes[Math.floor(readerRandom() * nodes.length)]!, objectId);
    }
    await sleep(Math.max(0, interval - (Date.now() - started)));
  }
}

let exitCode = 0;
try {
  await devnet.startAll();
  log(`devnet up: ${nodes.map((node) => `${node.info.name} ${node.url}`).join(', ')}`);
  const started = Date.now();
  nemesis.start();
  const readers = READS_PER_SECOND > 0 ? Array.from({ length: READERS }, (_, i) => read(`reader-${i}`)) : [];
  const tasks = [load(), resubmitLost(), ...readers].map((task) =>
    task.catch((error: unknown) => {
      taskFailure ??= error as Error;
      stopping = true;
    }),
  );
  const progress = setInterval(
    () =>
      log(
        `${((Date.now() - started) / 60_000).toFixed(1)} min: ${totals.acknowledged} acknowledged, faults ${JSON.stringify(nemesis.faults)}, longest gap ${(nemesis.longestGapMs / 1000).toFixed(1)} s`,
      ),
    30_000,
  );
  const endAt = started + MINUTES * 60_000;
  while (!stopping && Date.now() < endAt) await sleep(Math.min(1_000, endAt - Date.now()));
  stopping = true;
  clearInterval(progress);
  await Promise.all([...tasks, nemesis.stop()]);
  if (taskFailure) throw taskFailure;
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
        recordedTxStatus(history, 'settle', node, hash),
      );
      // Still unknown everywhere once healed: the client's resend, as above.
      for (const [i, s] of states.entries())
        if (s === 'unknown' && node === nodes[0]) await submit(acknowledged.get(missing[i]!)!.tx, 'settle');
      missing = missing.filter((_, i) => states[i] !== 'final');
      if (missing.length > 0) await sleep(1_000);
    }
    if (missing.length > 0) break;
  }

  // One block history: the same hash at the common height on every node, and each acknowledged
  // transaction in exactly one block of it.
  const { common, oneRoot, seen, blocks } = await oneHistory(nodes);
  const doubled = [...seen.entries()].filter(([, count]) => count > 1).map(([hash]) => hash);
  const lost = [...acknowledged.keys()].filter((hash) => !seen.has(hash));
  // No honest node may have been disconnected for its gossip score (only a faulty sender earns one).
  const { bans: scoreBans, lowest: lowestScore } = await gossipScores(nodes);
  const { faults, stuck } = nemesis;
  // The history checker over every operation, against the chain to the common height.
  const verdict = checkHistory(history.operations, await committedChain(nodes[0]!, devnet.genesis, blocks, sent));
  for (const line of verdictLines(verdict)) log(line);
  if (values.history) {
    await history.writeJsonl(values.history);
    log(`history: ${history.operations.length} operations written to ${values.history}`);
  }
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
    history: {
      ok: verdict.ok,
      ...verdict.counts,
      violations: verdict.violationsTotal,
      ...(verdict.firstViolation
        ? {
            firstViolation: {
              rule: verdict.firstViolation.rule,
              sentence: verdict.firstViolation.sentence,
              operations: verdict.firstViolation.operations.map((op) => op.id),
            },
          }
        : {}),
    },
  };
  console.log(JSON.stringify(result, null, 2));
  if (values.json) await writeFile(values.json, `${JSON.stringify(result, null, 2)}\n`);
  if (
    lost.length > 0 ||
    doubled.length > 0 ||
    missing.length > 0 ||
    !result.oneStateRoot ||
    scoreBans > 0 ||
    stuck.length > 0 ||
    !verdict.ok
  ) {
    exitCode = 1;
    log(
      `FAILED (seed ${SEED}): lost ${lost.length}, doubled ${doubled.length}, not final everywhere ${missing.length}, one state root ${result.oneStateRoot}, stuck ${stuck.length}, honest peers disconnected for their score ${scoreBans}, history violations ${verdict.violationsTotal}`,
    );
    for (const node of nodes) log(`${node.info.name} log tail:\n${node.log.slice(-2_000)}`);
  } else log('passed: nothing lost, nothing doubled, one state root, the history checker found no violation');
} catch (error) {
  exitCode = 1;
  log(`soak failed: ${(error as Error).stack ?? error}`);
} finally {
  nemesis.release();
  if (disks) {
    await Promise.all(nodes.map((node) => node.kill()));
    for (const disk of disks.values()) await disk.unmount();
  }
  await devnet.stop();
}
process.exit(exitCode);
