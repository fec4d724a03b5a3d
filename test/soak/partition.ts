// Partitions at the kernel (issue 19): 4 validators, each in its own network namespace
// (test/support/netns.ts), while the lab cuts links at a switch, not in the node. Phases, in
// the order given:
//   isolate  node-4 reaches no peer: the other three keep committing transfers, node-4's status
//            says it is cut off (online false), and after healing it catches up
//   split    2–2: no transfer commits during the split, commits resume after healing
//   bridge   node-1 | node-3 + node-4 for 35 s, node-2 sees both halves: commits go on, node-1
//            follows through node-2, counts node-3 and node-4 reachable because node-2 relays
//            their votes, stays online, and what it is sent is final before healing
//   flap     node-4's link down and up every second for 10 s: commits go on, node-4 in sync after
//   loss     for 15 s, 30% of node-4's frames to the others dropped, none the other way: commits go on
// At the end: every transfer submitted is in exactly one block and every node holds the same
// blocks. Needs root and `ip netns`; split, bridge, isolate and loss need `nft` (without it
// isolate pulls the cable instead and the other phases are skipped, saying so).
//
//   npm run soak:partition -- [--phases isolate,split,bridge,flap,loss] [--json FILE]
// The script makes the lab, re-executes itself in the lab's client namespace (the driver must
// reach the nodes' APIs; the root namespace has no address there), and removes the lab at exit.
import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { txHash, type Transaction } from '../../shared/ledger/index.js';
import { devGenesisSale, devParty } from '../../electron/node/dev/demo-registry.js';
import { Devnet, type NodeProcess } from '../support/devnet-harness.js';
import { enterLab } from '../support/netns.js';
import { api, heightOf, oneHistory, sleep, soakLog } from './nemesis.js';

const PHASES = ['isolate', 'split', 'bridge', 'flap', 'loss'] as const;
type Phase = (typeof PHASES)[number];

const { values } = parseArgs({
  options: {
    phases: { type: 'string', default: PHASES.join(',') },
    json: { type: 'string' },
  },
});
const phases = values.phases.split(',').filter(Boolean) as Phase[];
for (const phase of phases) if (!PHASES.includes(phase)) throw new Error(`unknown phase ${phase}`);

const NAMES = ['node-1', 'node-2', 'node-3', 'node-4'];
const lab = await enterLab(NAMES, fileURLToPath(import.meta.url));
const log = soakLog('partition');
const WAIT_MS = 90_000;
const SPLIT_HOLD_MS = 12_000;
const BRIDGE_HOLD_MS = 35_000;
const LOSS_HOLD_MS = 15_000;

const devnet = await Devnet.create({ validators: 4, observers: 0, objects: 200, heartbeatMs: 1_000, lab });
const nodes = devnet.nodes;
const byName = (name: string) => devnet.node(name);
const notary = await devnet.signingKey('node-3');
// devGenesis gives object i to dev party i % 50
const parties = Array.from({ length: 50 }, (_, i) => devParty(i));
const submitted = new Map<string, { node: string; phase: string }>();
let nextObject = 0;

function sale(): Transaction {
  return devGenesisSale(devnet.genesis, parties, nextObject++, { notary });
}

/** The state each node answered a submission with (`pending`, or `outbox` from a node that knows it is cut off). */
const answered = new Map<string, string>();

/** `count` transfers, round robin over `to`; their hashes. */
async function transfers(phase: string, to: NodeProcess[], count: number): Promise<string[]> {
  const hashes: string[] = [];
  for (let i = 0; i < count; i++) {
    const node = to[i % to.length]!;
    const tx = sale();
    const { status, body } = await api<{ status?: { state: string } }>(node, 'POST', '/txs', tx, 10_000);
    if (status !== 202)
      throw new Error(`${node.info.name} refused a transfer in ${phase}: ${status} ${JSON.stringify(body)}`);
    const hash = txHash(tx);
    submitted.set(hash, { node: node.info.name, phase });
    answered.set(hash, body.status?.state ?? 'none');
    hashes.push(hash);
  }
  return hashes;
}

async function finalOn(node: NodeProcess, hashes: string[]): Promise<number> {
  const states = await Promise.all(
    hashes.map((hash) =>
      api<{ state: string }>(node, 'GET', `/txs/${hash}`).then(
        (r) => r.body.state,
        () => 'unreachable',
      ),
    ),
  );
  return states.filter((state) => state === 'final').length;
}

async function until<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = WAIT_MS): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await check().catch(() => undefined);
    if (value !== undefined) return value;
    await sleep(250);
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

const status = (node: NodeProcess) =>
  api<{ height: number; online: boolean; validatorsReachable: number }>(node, 'GET', '/status').then((r) => r.body);
const heights = () => Promise.all(nodes.map(heightOf));

/** Every node final on `hashes` and at the same height as the highest: milliseconds it took. */
async function allCaughtUp(hashes: string[], since: number): Promise<number> {
  await until('every node final on every transfer and at one height', async () => {
    for (const node of nodes) if ((await finalOn(node, hashes)) < hashes.length) return undefined;
    const now = await heights();
    return Math.min(...now) >= Math.max(...now) - 1 ? true : undefined;
  });
  return Date.now() - since;
}

async function isolate(): Promise<Record<string, unknown>> {
  const [cutOff, others] = [byName('node-4'), nodes.filter((node) => node.info.name !== 'node-4')];
  const before = await heights();
  const started = Date.now();
  if (lab.spec.nft) await lab.isolate('node-4');
  else await lab.cut('node-4');
  const hashes = await transfers('isolate', others, 6);
  await until('the three to commit the transfers', async () =>
    (await finalOn(others[0]!, hashes)) === hashes.length ? true : undefined,
  );
  const committedAfterMs = Date.now() - started;
  // Pulled cable (no nft): the driver cannot ask node-4 either.
  const noticed = lab.spec.nft
    ? await until('node-4 to report it is cut off', async () => {
        const view = await status(cutOff);
        return view.online ? undefined : { ...view, afterMs: Date.now() - started };
      })
    : undefined;
  // An office that knows it is cut off keeps what it certifies in its outbox, sent once back.
  const [offline] = noticed ? await transfers('isolate', [cutOff], 1) : [];
  const during = await heights();
  // -1: node-4 did not answer (its link is down)
  const behindBy = during[3]! < 0 ? 'not observable: its link is down' : Math.max(...during.slice(0, 3)) - during[3]!;
  await lab.healAll();
  const healedAt = Date.now();
  const caughtUpMs = await allCaughtUp(offline ? [...hashes, offline] : hashes, healedAt);
  const back = await until('node-4 online again', async () => ((await status(cutOff)).online ? true : undefined));
  return {
    how: lab.spec.nft ? 'nftables: node-4 reaches only the client' : 'link down at the switch',
    heightsBefore: before,
    transfersCommittedByTheThree: hashes.length,
    committedAfterMs,
    node4Noticed: noticed
      ? { afterMs: noticed.afterMs, online: noticed.online, validatorsReachable: noticed.validatorsReachable }
      : 'not observable: its link is down',
    transferToNode4WhileCutOff: offline ? `answered ${answered.get(offline)}, final everywhere after healing` : 'none',
    heightsBeforeHealing: during,
    node4BehindBy: behindBy,
    caughtUpAfterHealingMs: caughtUpMs,
    node4OnlineAgain: back,
  };
}

async function split(): Promise<Record<string, unknown>> {
  const [a, b] = [nodes.slice(0, 2), nodes.slice(2)];
  await lab.split([a.map((node) => node.info.name), b.map((node) => node.info.name)]);
  const started = Date.now();
  const before = await heights();
  const hashes = await transfers('split', [a[0]!, b[0]!, a[1]!, b[1]!], 4);
  await sleep(SPLIT_HOLD_MS);
  const after = await heights();
  const finalDuringSplit = (await Promise.all(nodes.map((node) => finalOn(node, hashes)))).reduce((x, y) => x + y, 0);
  const statuses = await Promise.all(nodes.map(status));
  await lab.healAll();
  const healedAt = Date.now();
  const top = Math.max(...after);
  await until('a new block after healing', async () => (Math.max(...(await heights())) > top ? true : undefined));
  const resumedAfterMs = Date.now() - healedAt;
  const caughtUpMs = await allCaughtUp(hashes, healedAt);
  return {
    groups: '2–2: node-1 + node-2 | node-3 + node-4',
    heldMs: healedAt - started,
    heightsAtSplit: before,
    heightsAtEndOfSplit: after,
    // A block whose precommits were out when the cut came may still land on one side.
    blocksDuringSplit: Math.max(...after) - Math.max(...before),
    transfersSubmittedDuringSplit: hashes.length,
    finalDuringSplit,
    onlineDuringSplit: statuses.map((view) => view.online),
    firstBlockAfterHealingMs: resumedAfterMs,
    allFinalEverywhereAfterHealingMs: caughtUpMs,
  };
}

async function bridge(): Promise<Record<string, unknown>> {
  await lab.split([['node-1'], ['node-3', 'node-4']]);
  const started = Date.now();
  const before = await heights();
  // Held past libp2p's ping timeout (20 s), so node-1's own links to node-3 and node-4 are gone
  // and only node-2 relays between the halves.
  const [alone, majority] = [[byName('node-1')], [byName('node-3'), byName('node-4')]];
  const fromAlone: string[] = [];
  const fromMajority: string[] = [];
  while (Date.now() - started < BRIDGE_HOLD_MS) {
    fromMajority.push(...(await transfers('bridge', majority, 2)));
    fromAlone.push(...(await transfers('bridge', alone, 1)));
    await sleep(3_000);
  }
  await until('the transfers sent to node-3 and node-4 to be final on every node, node-1 included', async () => {
    for (const node of nodes) if ((await finalOn(node, fromMajority)) < fromMajority.length) return undefined;
    return true;
  });
  const settledMs = Date.now() - started;
  const after = await heights();
  const statuses = await Promise.all(nodes.map(status));
  const aloneFinal = await finalOn(byName('node-1'), fromAlone);
  await lab.healAll();
  const healedAt = Date.now();
  // node-1 follows through node-2, which relays the others' votes: it counts them reachable,
  // stays online, and what it certifies goes out at once (before: offline, kept in its outbox).
  const parked = fromAlone.filter((hash) => answered.get(hash) !== 'pending');
  if (parked.length > 0 || aloneFinal < fromAlone.length)
    throw new Error(
      `bridge: node-1 answered ${parked.length} of its ${fromAlone.length} transfers other than pending (${parked.map((hash) => answered.get(hash)).join(', ')}), and ${aloneFinal} were final before healing`,
    );
  return {
    groups: 'node-1 | node-3 + node-4; node-2 sees both',
    heldMs: settledMs,
    heightsBefore: before,
    heightsAfter: after,
    transfersToTheMajorityFinalOnEveryNode: fromMajority.length,
    transfersToNode1: fromAlone.length,
    node1Answered: countBy(fromAlone.map((hash) => answered.get(hash) ?? 'none')),
    node1TransfersFinalBeforeHealing: aloneFinal,
    validatorsReachableAtEnd: statuses.map((view) => view.validatorsReachable),
    onlineAtEnd: statuses.map((view) => view.online),
    allFinalEverywhereAfterHealingMs: await allCaughtUp([...fromAlone, ...fromMajority], healedAt),
  };
}

function countBy(items: string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const item of items) counts[item] = (counts[item] ?? 0) + 1;
  return counts;
}

async function flap(): Promise<Record<string, unknown>> {
  const before = await heights();
  const flapping = lab.flap('node-4', 1_000, 10_000);
  const hashes = await transfers('flap', nodes.slice(0, 3), 6);
  await flapping;
  const healedAt = Date.now();
  const during = await heights();
  await lab.healAll();
  return {
    how: 'node-4 link down 500 ms, up 500 ms, for 10 s',
    heightsBefore: before,
    heightsAtEnd: during,
    caughtUpAfterFlappingMs: await allCaughtUp(hashes, healedAt),
  };
}

async function loss(): Promise<Record<string, unknown>> {
  const before = await heights();
  await lab.loss(
    'node-4',
    nodes.slice(0, 3).map((node) => node.info.name),
    30,
  );
  const started = Date.now();
  // One transfer a second, node-4 among the receivers, for LOSS_HOLD_MS.
  const hashes: string[] = [];
  for (let i = 0; Date.now() - started < LOSS_HOLD_MS; i++) {
    hashes.push(...(await transfers('loss', [nodes[i % nodes.length]!], 1)));
    await sleep(1_000);
  }
  await until('transfers to commit under one-way loss', async () =>
    (await finalOn(byName('node-1'), hashes)) === hashes.length ? true : undefined,
  );
  const committedAfterMs = Date.now() - started;
  const during = await heights();
  await lab.healAll();
  return {
    how: '30% of node-4 → others dropped, none the other way',
    heightsBefore: before,
    heightsAtEnd: during,
    transfers: hashes.length,
    allFinalOnNode1AfterMs: committedAfterMs,
    caughtUpAfterHealingMs: await allCaughtUp(hashes, Date.now()),
  };
}

const RUN: Record<Phase, () => Promise<Record<string, unknown>>> = { isolate, split, bridge, flap, loss };
const NEEDS_NFT: Phase[] = ['split', 'bridge', 'loss'];

let exitCode = 0;
const result: Record<string, unknown> = { nft: lab.spec.nft, phases: {} };
try {
  await devnet.startAll();
  log(`devnet up: ${nodes.map((node) => `${node.info.name} ${node.url}`).join(', ')}`);
  await until('a first block on every node', async () => (Math.min(...(await heights())) >= 1 ? true : undefined));
  for (const phase of phases) {
    if (NEEDS_NFT.includes(phase) && !lab.spec.nft) {
      (result.phases as Record<string, unknown>)[phase] =
        'skipped: nftables is not installed (apt-get install nftables)';
      log(`${phase}: skipped, nftables is not installed`);
      continue;
    }
    log(`${phase}: start`);
    (result.phases as Record<string, unknown>)[phase] = await RUN[phase]();
    log(`${phase}: ${JSON.stringify((result.phases as Record<string, unknown>)[phase])}`);
  }
  await lab.healAll();
  // One history: every transfer in exactly one block, the same block hash at the common height.
  await allCaughtUp([...submitted.keys()], Date.now());
  const { common, oneRoot, seen } = await oneHistory(nodes);
  const doubled = [...seen.entries()].filter(([, count]) => count > 1).length;
  const lost = [...submitted.keys()].filter((hash) => !seen.has(hash)).length;
  Object.assign(result, { submitted: submitted.size, lost, doubled, blocks: common, oneHistory: oneRoot });
  if (lost > 0 || doubled > 0 || !oneRoot) exitCode = 1;
} catch (error) {
  exitCode = 1;
  result.error = (error as Error).message;
  log(`failed: ${(error as Error).stack ?? error}`);
  for (const node of nodes) log(`${node.info.name} log tail:\n${node.log.slice(-2_000)}`);
} finally {
  result.events = lab.events.map((event) => `${event.at.slice(11, 23)} ${event.operation}`);
  result.passed = exitCode === 0;
  console.log(JSON.stringify(result, null, 2));
  if (values.json) await writeFile(values.json, `${JSON.stringify(result, null, 2)}\n`);
  await lab.healAll().catch(() => undefined);
  await devnet.stop();
}
process.exit(exitCode);
