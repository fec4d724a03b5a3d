// election (issue 17, "The load"): a devnet of 4 validator processes and 1 public gateway runs an
// election whose ballots have 6 boxes; ballots made and signed beforehand (as voters' browsers
// would) are offered through the gateway's ballot route at the same-run limit and at half of it.
// The limit: 2 cores x ballot verifications a second on one core / 4 validators, each
// verification what a node does for a ballot (decode, the proofs of every box, the credential's
// signature). Figures: committed ballots/s as a ratio to the limit, and submit-to-final p50 and p99
// at half the limit (target: ratio >= 0.5, p99 <= 2 s).
import { randomInt } from 'node:crypto';
import { hexToBytes, encode, utf8 } from '../../shared/codec/index.js';
import { Domain, sha256Hex } from '../../shared/crypto/index.js';
import { createFastVerifier } from '../../electron/node/crypto/fast-verify.js';
import {
  createBallot,
  decodeBallot,
  encodeBallot,
  sodiumGroup,
  verifyBallot,
  type Group,
} from '../../shared/election/crypto/index.js';
import { signTransaction, txHash, txIdBytes, type Transaction } from '../../shared/ledger/index.js';
import { waitFor } from '../support/devnet-harness.js';
import { ElectionFixture } from '../support/election-fixture.js';
import { coresUsed, cpuSeconds, figure, log, percentile, watchFinality, type Figure } from './common.js';
import { stopGracefully } from './network.js';

/** One contest of six choices, any number marked: six boxes a ballot. */
const CONTESTS = [{ title: 'Council', choices: ['A', 'B', 'C', 'D', 'E', 'F'], min: 0, max: 6 }];
const SHAPES = [{ boxes: 6, min: 0, max: 6 }];
const SUBMITTERS = 128;

interface Phase {
  /** Each process's CPU seconds a second through the phase (the machine has 2). */
  cpu: string;
  offered: number;
  offeredRate: number;
  final: number;
  committedRate: number;
  latencies: number[];
  drained: boolean;
}

/** What one node does for one ballot, per second on one core: decode, verify every proof, check the signature. */
function ballotVerifiesPerSecond(
  group: Group,
  samples: Transaction[],
  context: (tx: Transaction) => never,
  minMs: number,
) {
  const verifySignature = createFastVerifier({ cacheEntries: 0 });
  let operations = 0;
  const start = performance.now();
  while (performance.now() - start < minMs) {
    const tx = samples[operations % samples.length]!;
    const payload = tx.payload as unknown as { ballot: Uint8Array };
    verifyBallot(group, context(tx), SHAPES, decodeBallot(group, payload.ballot));
    const signature = tx.signatures[0]!;
    verifySignature({
      publicKey: signature.key,
      signature: signature.signature,
      domain: Domain.tx,
      chainId: tx.chainId,
      message: txIdBytes(tx),
    });
    operations++;
  }
  return (operations * 1000) / (performance.now() - start);
}

export async function benchElection(options: {
  throughputSeconds: number;
  latencySeconds: number;
  drainMs: number;
  countsMax: number;
}): Promise<Figure[]> {
  log('election: a devnet of 4 validators and 1 gateway, the election created and its key made');
  // With BENCH_PROFILE_DIR set, the nodes run under --cpu-prof (and write their profiles at the end)
  const profileDir = process.env.BENCH_PROFILE_DIR;
  const nodeOptions = process.env.NODE_OPTIONS;
  if (profileDir) process.env.NODE_OPTIONS = `${nodeOptions ?? ''} --cpu-prof --cpu-prof-dir=${profileDir}`.trim();
  const starting = ElectionFixture.start({
    id: 'bench-2026',
    contests: CONTESTS,
    districts: ['Minsk'],
    votingSeconds: 3_600,
    rollMax: 100_000,
    gateway: true,
    gatewayLimits: { perAddressPerMinute: 100_000, perAddressBurst: 10_000, connectionsMax: 10_000 },
    log,
  });
  // the nodes are started inside: the CLI runs after them need no profile
  const election = await starting.finally(() => {
    if (nodeOptions === undefined) delete process.env.NODE_OPTIONS;
    else process.env.NODE_OPTIONS = nodeOptions;
  });
  try {
    const group = await sodiumGroup();
    const view = await election.devnet.node('node-1').request<{ publicKey: string }>('GET', `/elections/bench-2026`);
    const publicKey = hexToBytes(view.body.publicKey);
    const chainId = election.devnet.genesis.chainId;
    const contextOf = (credential: string) => ({
      electionId: utf8(election.id),
      publicKey,
      credential: hexToBytes(credential),
    });

    // the limit, measured first on a handful of ballots, then the ballots for the run
    const probe = await election.credentials(16, 'probe');
    const makeBallot = (pair: { publicKey: string; secretKey: string }) => {
      const marks = [Array.from({ length: 6 }, () => randomInt(0, 2))];
      const ballot = encodeBallot(createBallot(group, contextOf(pair.publicKey), SHAPES, marks));
      return signTransaction(
        {
          type: 'election.cast',
          chainId,
          expiresAtMs: Date.now() + 3_600_000,
          nonce: randomInt(0, 2 ** 47),
          payload: { election: election.id, ballot },
        } as never,
        pair.secretKey,
      );
    };
    const samples = probe.pairs.map(makeBallot);
    const perCore = ballotVerifiesPerSecond(group, samples, (tx) => contextOf(tx.signatures[0]!.key) as never, 1_000);
    const limit = (2 * perCore) / 4;
    log(`election: ${perCore.toFixed(0)} ballot verifications/s on one core; limit ${limit.toFixed(1)} ballots/s`);
    const counts = [
      Math.min(options.countsMax, Math.ceil(limit * options.throughputSeconds)),
      Math.min(options.countsMax, Math.ceil((limit / 2) * options.latencySeconds)),
    ];
    const voters = await election.credentials(counts[0]! + counts[1]!, 'voters');
    for (let i = 0; i < voters.pairs.length; i += 1_000)
      await election.register(voters.pairs.slice(i, i + 1_000).map((pair) => pair.publicKey));
    log(`election: ${voters.pairs.length} credentials registered; making their ballots`);
    const ballots = voters.pairs.map((pair) => {
      const tx = makeBallot(pair);
      return { tx, hash: txHash(tx), body: encode(tx) };
    });

    const watcher = election.devnet.node('node-1');
    const finality = await watchFinality(watcher);
    const finalAt = finality.finalAt;
    const gateway = election.gateway!.gateway;
    const refusals = new Map<string, number>();
    const phases: Phase[] = [];
    let offset = 0;
    for (const [p, rate] of [limit, limit / 2].entries()) {
      const batch = ballots.slice(offset, offset + counts[p]!);
      offset += counts[p]!;
      const submittedAt = new Map<string, number>();
      const cpuBefore = cpuSeconds(election.devnet.nodes);
      const startedMs = Date.now();
      let index = 0;
      await Promise.all(
        Array.from({ length: SUBMITTERS }, async () => {
          while (index < batch.length) {
            const i = index++;
            const waitMs = startedMs + (i * 1000) / rate - Date.now();
            if (waitMs > 0) await new Promise((resolve) => setTimeout(resolve, waitMs));
            const ballot = batch[i]!;
            submittedAt.set(ballot.hash, Date.now());
            const response = await fetch(`${gateway}/api/v1/elections/${election.id}/ballots`, {
              method: 'POST',
              headers: { 'content-type': 'application/cbor' },
              body: Buffer.from(ballot.body),
            });
            if (response.status !== 202) {
              const code =
                ((await response.json()) as { error?: { code?: string } }).error?.code ?? String(response.status);
              refusals.set(code, (refusals.get(code) ?? 0) + 1);
            } else await response.arrayBuffer();
          }
        }),
      );
      const offeredSeconds = (Date.now() - startedMs) / 1000;
      const hashes = [...submittedAt.keys()];
      const deadline = Date.now() + options.drainMs;
      while (Date.now() < deadline && !hashes.every((hash) => finalAt.has(hash)))
        await new Promise((resolve) => setTimeout(resolve, 50));
      const final = hashes.filter((hash) => finalAt.has(hash));
      const drained = final.length === hashes.length;
      const endMs = drained ? Math.max(...final.map((hash) => finalAt.get(hash)!)) : deadline;
      const cpuAfter = cpuSeconds(election.devnet.nodes);
      const wallSeconds = (endMs - startedMs) / 1000;
      const cpu = coresUsed(cpuBefore, cpuAfter, wallSeconds);
      log(`election: phase ${p + 1} cores used (CPU seconds a second): ${cpu}`);
      phases.push({
        cpu,
        offered: batch.length,
        offeredRate: batch.length / offeredSeconds,
        final: final.length,
        committedRate: final.length / ((endMs - startedMs) / 1000),
        latencies: hashes.map((hash) => (finalAt.get(hash) ?? deadline) - submittedAt.get(hash)!),
        drained,
      });
      log(
        `election: phase ${p + 1} offered ${batch.length} at ${phases[p]!.offeredRate.toFixed(1)} ballots/s, final ${final.length}, committed ${phases[p]!.committedRate.toFixed(1)} ballots/s`,
      );
    }
    await finality.stop();
    // every ballot final is on the board of the gateway's node, with the tracker its voter saw
    const board = await waitFor('the gateway board to hold the ballots', async () => {
      const response = await fetch(`${gateway}/api/v1/elections/${election.id}/turnout`);
      const body = (await response.json()) as { ballots: number };
      return body.ballots >= phases.reduce((sum, phase) => sum + phase.final, 0) ? body : undefined;
    });
    const first = ballots[0]!;
    const tracker = sha256Hex((first.tx.payload as unknown as { ballot: Uint8Array }).ballot);
    const found = (await (
      await fetch(`${gateway}/api/v1/elections/${election.id}/ballots?tracker=${tracker}`)
    ).json()) as { ballots: Array<{ tracker: string }> };
    if (finalAt.has(first.hash) && found.ballots[0]?.tracker !== tracker)
      throw new Error('a final ballot is missing from the board');
    if (profileDir) await stopGracefully(election.devnet);
    const [busy, half] = phases as [Phase, Phase];
    const p99 = percentile(half.latencies, 99);
    const refused = [...refusals].map(([code, n]) => `${n} ${code}`).join(', ') || 'none';
    return [
      figure({
        figure: 'election',
        what: `4 validators + 1 gateway, 6-box ballots offered ${busy.offered} at ${busy.offeredRate.toFixed(1)}/s through the gateway: committed ballots/s`,
        value: busy.committedRate,
        unit: 'ballots/s',
        limit,
        target: 'ratio >= 0.5',
        met: busy.committedRate / limit >= 0.5,
        note: `limit = 2 cores x ${perCore.toFixed(0)} ballot verifications/s on one core / 4 validators; ${busy.final}/${busy.offered} final; refused: ${refused}; board holds ${board.ballots}; cores used: ${busy.cpu}`,
      }),
      figure({
        figure: 'election',
        what: `ballot submit-to-final p50 at half the limit (${half.offered} offered at ${half.offeredRate.toFixed(1)}/s)`,
        value: percentile(half.latencies, 50) / 1000,
        unit: 's',
        note: `${half.final}/${half.offered} final; committed ${half.committedRate.toFixed(1)} ballots/s`,
      }),
      figure({
        figure: 'election',
        what: 'ballot submit-to-final p99 at half the limit',
        value: p99 / 1000,
        unit: 's',
        target: '<= 2 s',
        met: p99 <= 2_000 && half.drained,
        ...(half.drained ? {} : { note: `not every ballot was final within the drain: p99 is a lower bound` }),
      }),
    ];
  } finally {
    await election.stop();
  }
}
