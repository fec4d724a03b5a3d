// Figures of issue 16 for the election cryptography (docs/elections.md part A), printed as a
// markdown table: `npx tsx test/bench/election-crypto.ts [--quick] [--tally-ballots N]`. Both group libraries for
// ballots; libsodium (the one the node uses) for the tally. Medians of several runs each.
import {
  CountTable,
  addBallot,
  createBallot,
  deal,
  decryptCounts,
  emptyTotals,
  encodeBallot,
  nobleGroup,
  partialDecrypt,
  qualify,
  scalarFromInteger,
  shareFor,
  sodiumGroup,
  verifyBallot,
  type Ballot,
  type Ciphertext,
  type Group,
} from '../../shared/election/crypto/index.js';

const quick = process.argv.includes('--quick');
/** `--tally-ballots N`: really add N ballots into the totals (1,000,000 takes minutes) instead of extrapolating. */
const tallyAt = process.argv.indexOf('--tally-ballots');
const tallyBallots = tallyAt > 0 ? Number(process.argv[tallyAt + 1]) : undefined;
if (tallyBallots !== undefined && !(Number.isInteger(tallyBallots) && tallyBallots > 0))
  throw new Error('--tally-ballots takes a whole number of ballots');
const BOXES = 6;
const shapes = [{ boxes: BOXES, min: 1, max: 1 }];
const votes = [[0, 0, 1, 0, 0, 0]];

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

/** Runs `action` `runs` times after one warm-up; the median in milliseconds. */
function time(runs: number, action: () => void): number {
  action();
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    action();
    samples.push(performance.now() - start);
  }
  return median(samples);
}

const rows: Array<[string, string, string]> = [];
function row(what: string, library: string, value: string): void {
  rows.push([what, library, value]);
  process.stderr.write(`${what} | ${library} | ${value}\n`);
}
const ms = (value: number) => `${value.toFixed(value < 10 ? 2 : 1)} ms`;

function setup(group: Group) {
  const secretKey = scalarFromInteger(123456789);
  const publicKey = group.multiplyBase(secretKey);
  const context = {
    electionId: new TextEncoder().encode('bench-election'),
    publicKey,
    credential: new Uint8Array(32).fill(7),
  };
  return { context, secretKey };
}

const sodium = await sodiumGroup();
const noble = nobleGroup();

for (const [group, runs] of [
  [sodium, quick ? 5 : 40],
  [noble, quick ? 2 : 6],
] as const) {
  const { context } = setup(group);
  let ballot: Ballot | undefined;
  const create = time(runs, () => {
    ballot = createBallot(group, context, shapes, votes);
  });
  const verify = time(runs, () => verifyBallot(group, context, shapes, ballot as Ballot));
  row(`create a ${BOXES}-box single-choice ballot`, group.name, ms(create));
  row('create, per box', group.name, ms(create / BOXES));
  row(`verify a ${BOXES}-box single-choice ballot`, group.name, ms(verify));
  row('verify, per box', group.name, ms(verify / BOXES));
  row('ballots verified per second on one core', group.name, `${Math.round(1000 / verify)}`);
}

// Homomorphic sum: add one ballot's 6 ciphertexts to the running totals.
{
  const { context } = setup(sodium);
  const ballots = Array.from({ length: 20 }, () => createBallot(sodium, context, shapes, votes));
  const adds = tallyBallots ?? (quick ? 200 : 2000);
  let totals = emptyTotals(shapes);
  const start = performance.now();
  for (let i = 0; i < adds; i++) totals = addBallot(sodium, totals, ballots[i % ballots.length] as Ballot);
  const perBallot = (performance.now() - start) / adds;
  row(`homomorphic sum, per ${BOXES}-box ballot`, 'libsodium', `${(perBallot * 1000).toFixed(0)} µs`);
  if (tallyBallots === undefined)
    row(
      'homomorphic sums of 1,000,000 ballots (extrapolated, one core)',
      'libsodium',
      `${((perBallot * 1e6) / 1000).toFixed(0)} s`,
    );
  else
    row(
      `homomorphic sums of ${tallyBallots.toLocaleString('en')} ballots (measured, one core)`,
      'libsodium',
      `${((perBallot * tallyBallots) / 1000).toFixed(0)} s`,
    );
}

// Decryption of a 1,000,000-ballot tally: 3-of-5 trustees, six totals, the largest 1,000,000.
{
  const group = sodium;
  const parameters = { electionId: new TextEncoder().encode('bench-election'), trustees: 5, threshold: 3 };
  const dealt = [1, 2, 3, 4, 5].map((i) => deal(group, parameters, i));
  const dkg = qualify(
    group,
    parameters,
    dealt.map((d) => d.dealing),
    [],
    [],
  );
  const share = (j: number) =>
    dealt.reduce<Uint8Array>((acc, d) => group.scalarAdd(acc, shareFor(group, d.secret, j)), new Uint8Array(32));
  const counts = [1_000_000, 0, 250_000, 400_000, 300_000, 50_000];
  const totals: Ciphertext[] = counts.map((m, k) => {
    const r = scalarFromInteger(1000 + k);
    return {
      alpha: group.multiplyBase(r),
      beta: group.add(group.multiplyBase(scalarFromInteger(m)), group.multiply(r, dkg.publicKey)),
    };
  });
  const ctx = { electionId: parameters.electionId, publicKey: dkg.publicKey };
  const partialMs = time(quick ? 2 : 5, () => partialDecrypt(group, ctx, 1, share(1), totals));
  row(`one trustee's partial decryption of ${BOXES} totals, with proofs`, 'libsodium', ms(partialMs));
  const partials = [2, 4, 5].map((j) => partialDecrypt(group, ctx, j, share(j), totals));
  let decrypted: number[] = [];
  const decryptMs = time(quick ? 1 : 3, () => {
    decrypted = decryptCounts(group, ctx, 3, dkg.verificationKeys, totals, partials, 1_000_000);
  });
  if (JSON.stringify(decrypted) !== JSON.stringify(counts))
    throw new Error(`decrypted ${decrypted}, expected ${counts}`);
  row(`verify 3 partial decryptions, combine, count ${BOXES} totals (bound 1,000,000)`, 'libsodium', ms(decryptMs));
  for (const group of [sodium, noble]) {
    const bsgs = time(quick ? 1 : 3, () => {
      const table = new CountTable(group, 1_000_000);
      if (table.count(group.multiplyBase(scalarFromInteger(1_000_000))) !== 1_000_000)
        throw new Error('BSGS miscounted');
    });
    row('baby-step giant-step for a count of 1,000,000 (table of 1,001 built in the run)', group.name, ms(bsgs));
  }
}

// Bytes on the wire.
{
  const { context } = setup(sodium);
  const bytes = encodeBallot(createBallot(sodium, context, shapes, votes));
  row(`${BOXES}-box single-choice ballot, CBOR (shared/codec)`, 'either', `${bytes.length} bytes`);
  row(`the same as a hex string (DESIGN decision 1's form)`, 'either', `${bytes.length * 2} bytes`);
  const approval = encodeBallot(
    createBallot(sodium, context, [{ boxes: BOXES, min: 0, max: BOXES }], [[1, 0, 1, 1, 0, 0]]),
  );
  row(`${BOXES}-box approval ballot (0..${BOXES} marks), CBOR`, 'either', `${approval.length} bytes`);
}

console.log(`| figure | library | value |\n|---|---|---|\n${rows.map((r) => `| ${r.join(' | ')} |`).join('\n')}`);
