// The election-day soak (issue 17): 4 validator processes and 1 public gateway run an election
// while voters cast through the gateway and the validators at a steady rate (some of them casting
// again), and the nemesis (test/soak/nemesis.ts) kills, pauses and isolates one node at a time.
// Then the window closes, two of three trustees decrypt and the counts are published. It passes
// only if every acknowledged ballot is in exactly one block, the board of every node holds each
// of them once with the last one of each credential counted, the published counts equal a plain
// count of each voter's last acknowledged choices, every node holds one history, and
// `notary election verify` accepts the export. Exit status 1 otherwise; it prints its seed.
//
//   npm run soak:election -- --minutes 10 [--rate 10] [--seed 1] [--fault-every-ms 5000] [--grace-seconds 120] [--json FILE]
//                            [--faults kill,pause,isolate,skew,slow,disk] [--each-kind-first] [--netns]
// --faults (issue 19): the kinds the nemesis draws from (test/soak/nemesis.ts): kill, pause,
// isolate, skew (a node's clock jumps ±30 s or ±5 min and back; its status must say so) and slow
// (a node stopped in short bursts; it catches up and no peer bans it). Default kill, pause,
// isolate, drawn as before so an old seed replays the same faults. With `disk` (root, mount) each
// node's data folder is on a tmpfs of its own, and the nemesis also fills one and frees it.
// --each-kind-first: every listed kind once first, then at random (a short run meets each).
// --netns (root, `ip netns`; test/support/netns.ts): each node in its own network namespace, the
// voters in the client namespace reaching the gateway at its node's address, and the nemesis
// isolating a node at the lab's switch (nftables) and pulling its cable (`cut`).
import { randomInt } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { encode, hexToBytes, utf8 } from '../../shared/codec/index.js';
import { sha256Hex } from '../../shared/crypto/index.js';
import { createBallot, encodeBallot, sodiumGroup } from '../../shared/election/crypto/index.js';
import { signTransaction, txHash, type Transaction } from '../../shared/ledger/index.js';
import { runNotary } from '../support/notary-cli.js';
import type { NodeProcess } from '../support/devnet-harness.js';
import { ElectionFixture, type CredentialPair } from '../support/election-fixture.js';
import { enterLab } from '../support/netns.js';
import { seededRandom } from '../support/prng.js';
import { SOAK_UNDER_RESERVE_BYTES, smallDisks, type SmallDisk } from '../support/small-disk.js';
import { api, gossipScores, mapBounded, Nemesis, oneHistory, parseFaults, sleep, soakLog } from './nemesis.js';

const { values } = parseArgs({
  options: {
    minutes: { type: 'string', default: '2' },
    rate: { type: 'string', default: '4' },
    seed: { type: 'string', default: String(Date.now() % 100_000) },
    'fault-every-ms': { type: 'string', default: '5000' },
    // how long the window stays open after the load stops: a backlog drains before it closes
    'grace-seconds': { type: 'string', default: '120' },
    json: { type: 'string' },
    faults: { type: 'string' },
    'each-kind-first': { type: 'boolean', default: false },
    netns: { type: 'boolean', default: false },
  },
});
const MINUTES = Number(values.minutes);
const RATE = Number(values.rate);
const SEED = Number(values.seed);
const FAULT_EVERY_MS = Number(values['fault-every-ms']);
/** Of the ballots, this share are a voter casting again (the last one counts). */
const REVOTE_SHARE = 0.1;
/** Ballots a second one load loop offers at most (each makes its ballot, then waits for the answer): one, as a voter would, so a slow answer (the machine is shared by five nodes) does not lower the offer. */
const LOAD_PER_LOADER = 1;
const GRACE_SECONDS = Number(values['grace-seconds']);
const FAULT_KINDS = parseFaults(values.faults, { lab: values.netns });
const SETTLE_MS = Math.max(180_000, (GRACE_SECONDS + 60) * 1000);
const CONTESTS = [
  { title: 'Mayor', choices: ['Ann', 'Boris', 'Chen'], min: 1, max: 1 },
  { title: 'Council', choices: ['Dana', 'Egor', 'Fedor'], min: 0, max: 3 },
];
const SHAPES = CONTESTS.map((contest) => ({ boxes: contest.choices.length, min: contest.min, max: contest.max }));

// With --netns the parent makes the lab and runs this script again inside it; only the child goes on.
// The nodes are the fixture's: 4 validators, then the gateway's observer.
const lab = values.netns
  ? await enterLab(['node-1', 'node-2', 'node-3', 'node-4', 'observer-1'], fileURLToPath(import.meta.url))
  : undefined;
const random = seededRandom(SEED);
const log = soakLog('election soak');
const ballotsPlanned = Math.ceil(MINUTES * 60 * RATE * 1.1) + 20;
const votersPlanned = Math.ceil(ballotsPlanned * (1 - REVOTE_SHARE)) + 20;
log(
  `seed ${SEED}: ${MINUTES} min, ${RATE} ballots/s, a fault every ~${FAULT_EVERY_MS} ms${FAULT_KINDS ? ` (${FAULT_KINDS.join(', ')})` : ''}, ${votersPlanned} voters`,
);

let exitCode = 0;
let election: ElectionFixture | undefined;
let nemesis: Nemesis | undefined;
/** With the disk fault: each node's data folder on a small disk of its own, by node name. */
let disks: Map<string, SmallDisk> | undefined;
try {
  election = await ElectionFixture.start({
    id: 'soak-2026',
    contests: CONTESTS,
    districts: ['Minsk', 'Brest'],
    rollMax: votersPlanned + 100,
    votingSeconds: Math.ceil(MINUTES * 60 + GRACE_SECONDS),
    gateway: true,
    gatewayLimits: { perAddressPerMinute: 100_000, perAddressBurst: 10_000 },
    ...(FAULT_KINDS?.includes('skew') ? { movableClocks: true } : {}),
    ...(lab ? { lab } : {}),
    ...(FAULT_KINDS?.includes('disk')
      ? {
          beforeStart: async (devnet: { nodes: Array<{ info: { name: string; dataDir: string } }> }) => {
            disks = await smallDisks(devnet.nodes.map((node) => node.info));
          },
        }
      : {}),
    log,
  });
  const fixture = election;
  const nodes = fixture.devnet.nodes;
  const gateway = fixture.gateway!;
  const { pairs } = await fixture.credentials(votersPlanned);
  for (let i = 0; i < pairs.length; i += 1_000)
    await fixture.register(
      pairs.slice(i, i + 1_000).map((pair) => pair.publicKey),
      i % 2_000 === 0 ? 'Minsk' : 'Brest',
    );
  log(`${pairs.length} credentials registered`);

  const group = await sodiumGroup();
  const view = (await api<{ publicKey: string }>(nodes[0]!, 'GET', `/elections/${fixture.id}`)).body;
  const publicKey = hexToBytes(view.publicKey);
  const chainId = fixture.devnet.genesis.chainId;
  const choose = (): number[][] => [[Math.floor(random() * 3)], [0, 1, 2].filter(() => random() < 0.4)];
  const cast = (pair: CredentialPair, choices: number[][]): Transaction => {
    const marks = choices.map((marked, q) =>
      Array.from({ length: SHAPES[q]!.boxes }, (_, b) => (marked.includes(b) ? 1 : 0)),
    );
    const context = { electionId: utf8(fixture.id), publicKey, credential: hexToBytes(pair.publicKey) };
    const ballot = encodeBallot(createBallot(group, context, SHAPES, marks));
    return signTransaction(
      {
        type: 'election.cast',
        chainId,
        expiresAtMs: Date.now() + 3_600_000,
        nonce: randomInt(0, 2 ** 47),
        payload: { election: fixture.id, ballot },
      } as never,
      pair.secretKey,
    );
  };

  nemesis = new Nemesis(nodes, random, {
    faultEveryMs: FAULT_EVERY_MS,
    log,
    startArgs: (node) => (node === gateway ? fixture.gatewayArgs : []),
    ...(lab ? { lab } : {}),
    ...(FAULT_KINDS ? { kinds: FAULT_KINDS } : {}),
    ...(disks ? { disks: { byNode: disks, underReserveBytes: SOAK_UNDER_RESERVE_BYTES } } : {}),
    eachKindFirst: values['each-kind-first'],
  });
  const faults = nemesis;
  /** Every ballot sent (answered or not: an unanswered one may still be committed), by txHash. */
  const sent = new Map<string, { credential: string; choices: number[][]; tracker: string }>();
  /** The ballots a node answered 202 for: each must be counted exactly once. */
  const acknowledged = new Map<
    string,
    { tx: Transaction; credential: string; choices: number[][]; final: boolean; at: number }
  >();
  const totals = { submitted: 0, acknowledged: 0, refused: 0, unreachable: 0, resubmitted: 0, revotes: 0 };
  let stopping = false;

  /** Through the gateway when it answers (as voters would), else a healthy validator. */
  const submit = async (tx: Transaction, credential: string, choices: number[][]): Promise<boolean> => {
    const healthy = faults.healthy();
    const node: NodeProcess =
      healthy.includes(gateway) && random() < 0.7 ? gateway : faults.pick(healthy.filter((n) => n !== gateway));
    totals.submitted++;
    const ballot = (tx.payload as unknown as { ballot: Uint8Array }).ballot;
    sent.set(txHash(tx), { credential, choices, tracker: sha256Hex(ballot) });
    try {
      const url = node === gateway ? `${gateway.gateway}/api/v1/elections/${fixture.id}/ballots` : `${node.url}/txs`;
      const response = await fetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/cbor',
          ...(node === gateway ? {} : { authorization: `Bearer ${node.token}` }),
        },
        body: Buffer.from(encode(tx)),
        signal: AbortSignal.timeout(3_000),
      });
      const body = (await response.json()) as { error?: { code: string } };
      if (response.status === 202) {
        const hash = txHash(tx);
        if (!acknowledged.has(hash)) {
          totals.acknowledged++;
          acknowledged.set(hash, { tx, credential, choices, final: false, at: Date.now() });
        }
        return true;
      }
      totals.refused++;
      if (body.error?.code !== 'ALREADY_PENDING')
        log(`${node.info.name} refused a ballot: ${response.status} ${JSON.stringify(body)}`);
      return body.error?.code === 'ALREADY_PENDING';
    } catch {
      totals.unreachable++;
      return false;
    }
  };

  const voted: CredentialPair[] = [];
  let nextVoter = 0;
  /** One voter's queue at `rate` a second; several run at once, so a slow answer does not lower the offer. */
  const load = async (rate: number) => {
    const interval = 1_000 / rate;
    while (!stopping && nextVoter < pairs.length) {
      const started = Date.now();
      const again = voted.length > 10 && random() < REVOTE_SHARE;
      const pair = again ? voted[Math.floor(random() * voted.length)]! : pairs[nextVoter++]!;
      if (again) totals.revotes++;
      else voted.push(pair);
      const choices = choose();
      const tx = cast(pair, choices);
      // a ballot no node took is tried again on another (the same ballot, the same hash)
      for (let attempt = 0; attempt < 5 && !stopping && !(await submit(tx, pair.publicKey, choices)); attempt++)
        await sleep(500);
      await sleep(Math.max(0, interval - (Date.now() - started)));
    }
  };

  /** An acknowledged ballot no node knows after a while was lost with a killed node's mempool: the voter's page sends it again. */
  const resubmitLost = async () => {
    while (!stopping) {
      await sleep(10_000);
      for (const [hash, entry] of acknowledged) {
        if (entry.final || Date.now() - entry.at < 20_000) continue;
        const node = faults.pick(faults.healthy().filter((n) => n !== gateway));
        const state = await api<{ state: string }>(node, 'GET', `/txs/${hash}`).then(
          (r) => r.body.state,
          () => undefined,
        );
        if (state === 'final') entry.final = true;
        else if (state === 'unknown') {
          totals.resubmitted++;
          await submit(entry.tx, entry.credential, entry.choices);
        }
      }
    }
  };

  const started = Date.now();
  nemesis.start();
  const loaders = Math.max(1, Math.ceil(RATE / LOAD_PER_LOADER));
  const tasks = [...Array.from({ length: loaders }, () => load(RATE / loaders)), resubmitLost()];
  const progress = setInterval(
    () =>
      log(
        `${((Date.now() - started) / 60_000).toFixed(1)} min: ${totals.acknowledged} ballots acknowledged, faults ${JSON.stringify(faults.faults)}, longest gap ${(faults.longestGapMs / 1000).toFixed(1)} s`,
      ),
    30_000,
  );
  await sleep(MINUTES * 60_000);
  stopping = true;
  clearInterval(progress);
  await Promise.all([...tasks, nemesis.stop()]);
  log('load and nemesis stopped; every node healed; settling');
  const loadStoppedMs = Date.now();

  // every acknowledged ballot final on every validator (a lost one is sent again, as a page would)
  const validators = nodes.filter((n) => n !== gateway);
  const deadline = Date.now() + SETTLE_MS;
  let missing: string[] = [];
  for (const node of validators) {
    missing = [...acknowledged.keys()];
    while (missing.length > 0 && Date.now() < deadline) {
      const states = await mapBounded(missing, 64, (hash) =>
        api<{ state: string }>(node, 'GET', `/txs/${hash}`).then(
          (r) => r.body.state,
          () => 'unreachable',
        ),
      );
      for (const [i, s] of states.entries())
        if (s === 'unknown' && node === validators[0]) {
          const entry = acknowledged.get(missing[i]!)!;
          await submit(entry.tx, entry.credential, entry.choices);
        }
      missing = missing.filter((_, i) => states[i] !== 'final');
      if (missing.length > 0) await sleep(1_000);
    }
    if (missing.length > 0) break;
  }

  const settledSeconds = Number(((Date.now() - loadStoppedMs) / 1000).toFixed(1));
  log(
    missing.length === 0
      ? `every acknowledged ballot final on every validator ${settledSeconds} s after the load stopped`
      : `${missing.length} acknowledged ballots still not final on a validator ${settledSeconds} s after the load stopped`,
  );
  const { common, oneRoot, seen, position } = await oneHistory(nodes);
  const doubled = [...acknowledged.keys()].filter((hash) => (seen.get(hash) ?? 0) > 1);
  const lost = [...acknowledged.keys()].filter((hash) => !seen.has(hash));

  // the chain counts each credential's last committed ballot (in block order), whoever saw it answered
  const lastOf = new Map<string, { hash: string; choices: number[][] }>();
  const committed = [...sent].filter(([hash]) => position.has(hash));
  for (const [hash, entry] of committed.sort((a, b) => position.get(a[0])! - position.get(b[0])!))
    lastOf.set(entry.credential, { hash, choices: entry.choices });
  // each node's board: every committed ballot once, acknowledged ones among them, the last of each credential counted
  const boardFaults: string[] = [];
  for (const node of nodes) {
    const board = new Map<string, { replaced: boolean; credential: string }>();
    let after = '';
    for (let pages = 0; pages < 10_000; pages++) {
      const page = (
        await api<{ ballots: Array<{ tracker: string; credential: string; replaced: boolean }>; next?: string }>(
          node,
          'GET',
          `/elections/${fixture.id}/ballots?limit=100${after ? `&after=${after}` : ''}`,
          undefined,
          10_000,
        )
      ).body;
      for (const ballot of page.ballots) {
        if (board.has(ballot.tracker)) boardFaults.push(`${node.info.name}: tracker ${ballot.tracker} twice`);
        board.set(ballot.tracker, ballot);
      }
      if (!page.next) break;
      after = page.next;
    }
    const absent = [...acknowledged.keys()].filter((hash) => !board.has(sent.get(hash)!.tracker));
    if (absent.length > 0)
      boardFaults.push(`${node.info.name}: ${absent.length} acknowledged ballots not on the board`);
    if (board.size !== committed.length)
      boardFaults.push(`${node.info.name}: ${board.size} ballots on the board, ${committed.length} committed`);
    const counted = [...board].filter(([, ballot]) => !ballot.replaced).map(([tracker]) => tracker);
    const lastTrackers = new Set([...lastOf.values()].map(({ hash }) => sent.get(hash)!.tracker));
    if (counted.length !== lastTrackers.size || counted.some((tracker) => !lastTrackers.has(tracker)))
      boardFaults.push(
        `${node.info.name}: the board counts ${counted.length} ballots, not each voter's last (${lastTrackers.size})`,
      );
  }

  // close, decrypt (2 of 3), publish; the counts are a plain count of each voter's last choices
  await fixture.waitForWindowEnd();
  await fixture.close();
  await fixture.decrypt();
  await fixture.tally();
  const final = await fixture.view();
  const expected = CONTESTS.map((contest) => contest.choices.map(() => 0));
  for (const { choices } of lastOf.values()) choices.forEach((marked, q) => marked.forEach((b) => expected[q]![b]!++));
  const countsEqual = JSON.stringify(final.counts) === JSON.stringify(expected);
  const exportFile = join(fixture.dir, 'soak.export');
  await fixture.ok('election', 'export', ...fixture.node('node-2'), '--election', fixture.id, '--out', exportFile);
  const verified = await runNotary(['election', 'verify', exportFile], { timeoutMs: 300_000 });
  const { bans, lowest } = await gossipScores(nodes);

  const result = {
    minutes: MINUTES,
    rate: RATE,
    // what the load loops managed: ballots sent a second over the load's minutes (answered or not)
    offeredPerSecond: Number((totals.submitted / (MINUTES * 60)).toFixed(1)),
    seed: SEED,
    ballots: {
      ...totals,
      committed: [...acknowledged.keys()].filter((hash) => seen.has(hash)).length,
      lost: lost.length,
      doubled: doubled.length,
      notFinalOnEveryValidator: missing.length,
      finalOnEveryValidatorSecondsAfterLoad: missing.length === 0 ? settledSeconds : null,
      voters: lastOf.size,
    },
    board: boardFaults,
    counts: final.counts,
    countsEqualPlainCount: countsEqual,
    exportVerified: verified.code === 0,
    faults: { ...faults.faults, total: faults.totalFaults },
    ...(lab ? { network: lab.spec.nft ? 'network namespaces, nftables' : 'network namespaces, no nftables' } : {}),
    blocks: common,
    oneStateRoot: oneRoot,
    honestPeersDisconnectedForScore: bans,
    lowestGossipScore: lowest,
    stuck: faults.stuck,
    longestGapWithoutCommitSeconds: Number((faults.longestGapMs / 1000).toFixed(1)),
  };
  console.log(JSON.stringify(result, null, 2));
  if (values.json) await writeFile(values.json, `${JSON.stringify(result, null, 2)}\n`);
  if (
    lost.length > 0 ||
    doubled.length > 0 ||
    missing.length > 0 ||
    boardFaults.length > 0 ||
    !countsEqual ||
    verified.code !== 0 ||
    !oneRoot ||
    bans > 0 ||
    faults.stuck.length > 0
  ) {
    exitCode = 1;
    log(
      `FAILED: lost ${lost.length}, doubled ${doubled.length}, not final everywhere ${missing.length}, board ${boardFaults.join('; ') || 'ok'}, counts equal ${countsEqual}, export verified ${verified.code === 0} (${verified.stdout.slice(0, 300)}), one state root ${oneRoot}, stuck ${faults.stuck.length}, honest peers disconnected ${bans}`,
    );
    for (const node of nodes) log(`${node.info.name} log tail:\n${node.log.slice(-2_000)}`);
  } else log('passed: every acknowledged ballot counted once, the counts a plain count, the export verified');
} catch (error) {
  exitCode = 1;
  log(`election soak failed (seed ${SEED}): ${(error as Error).stack ?? error}`);
} finally {
  nemesis?.release();
  if (disks && election) {
    await Promise.all(election.devnet.nodes.map((node) => node.kill()));
    for (const disk of disks.values()) await disk.unmount();
  }
  await election?.stop();
}
process.exit(exitCode);
