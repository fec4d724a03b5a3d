// Threshold key and tally (docs/elections.md A.5–A.7): counts equal a plain count; fewer than
// t shares decrypt nothing; a wrong partial decryption is refused and named; DKG complaints.
// [REQ-ELECTION-DKG.1] [REQ-ELECTION-DKG.2] [REQ-ELECTION-DKG.3] [REQ-ELECTION-DKG.4]
// [REQ-ELECTION-DECRYPT.1] [REQ-ELECTION-DECRYPT.2] [REQ-ELECTION-DECRYPT.3]
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { encode } from '../../shared/codec/index.js';
import {
  CountTable,
  addBallot,
  combineShares,
  createBallot,
  deal,
  decodeComplaint,
  decodeComplaintAnswer,
  decodeDealing,
  decodePartialDecryption,
  decryptCounts,
  emptyTotals,
  encodeComplaint,
  encodeComplaintAnswer,
  encodeDealing,
  encodePartialDecryption,
  openShare,
  partialDecrypt,
  qualify,
  scalarFromInteger,
  sealShares,
  sealedBoxes,
  shareFor,
  sodiumGroup,
  verifyBallot,
  verifyShare,
  type Ciphertext,
  type ComplaintAnswer,
  type Complaint,
  type ContestShape,
  type DealerSecret,
  type DkgParameters,
  type DkgResult,
  type Group,
  type PartialDecryption,
  type RandomSource,
  type SealedBoxes,
} from '../../shared/election/crypto/index.js';
import { contestAndVotes, refusal, seededRandom } from './election-fixtures.js';

let group: Group;
let boxes: SealedBoxes;
beforeAll(async () => {
  group = await sodiumGroup();
  boxes = await sealedBoxes();
});

interface Trustees {
  result: DkgResult;
  /** secretShares[j - 1] = x_j. */
  secretShares: Uint8Array[];
  complaints: Complaint[];
  secrets: DealerSecret[];
}

/**
 * Runs the DKG as the trustees would, each on its own machine: deal, seal, open, check,
 * complain, answer. `cheat` makes one dealer seal a wrong share for one recipient and answer
 * the complaint as told.
 */
function runDkg(
  parameters: DkgParameters,
  random: RandomSource,
  cheat?: { dealer: number; recipient: number; answer: 'honest' | 'wrong' | 'none' },
): Trustees {
  const n = parameters.trustees;
  const transport = Array.from({ length: n }, () => boxes.keyPair());
  const dealt = Array.from({ length: n }, (_, k) => deal(group, parameters, k + 1, random));
  const sealed = dealt.map(({ secret }) => {
    const shares = sealShares(
      group,
      boxes,
      parameters,
      secret,
      transport.map((t) => t.publicKey),
    );
    if (cheat?.dealer === secret.dealer) {
      const wrong = group.scalarAdd(shareFor(group, secret, cheat.recipient), scalarFromInteger(1));
      const plaintext = encode({ e: parameters.electionId, i: secret.dealer, j: cheat.recipient, s: wrong });
      const slot = shares.find((s) => s.recipient === cheat.recipient)!;
      slot.box = boxes.seal(plaintext, transport[cheat.recipient - 1]!.publicKey);
    }
    return shares;
  });
  // Every recipient opens and checks every share; a failing one becomes a complaint.
  const complaints: Complaint[] = [];
  const received = new Map<number, Map<number, Uint8Array>>();
  for (let j = 1; j <= n; j++) {
    const mine = new Map<number, Uint8Array>();
    mine.set(j, shareFor(group, dealt[j - 1]!.secret, j));
    for (let i = 1; i <= n; i++) {
      if (i === j) continue;
      const slot = sealed[i - 1]!.find((s) => s.recipient === j)!;
      const share = openShare(boxes, parameters, i, slot, transport[j - 1]!);
      if (verifyShare(group, dealt[i - 1]!.dealing, j, share)) mine.set(i, share);
      else complaints.push({ dealer: i, recipient: j });
    }
    received.set(j, mine);
  }
  const answers: ComplaintAnswer[] = [];
  for (const complaint of complaints) {
    if (cheat?.answer === 'none') continue;
    const honest = shareFor(group, dealt[complaint.dealer - 1]!.secret, complaint.recipient);
    const share = cheat?.answer === 'wrong' ? group.scalarAdd(honest, scalarFromInteger(2)) : honest;
    answers.push({ ...complaint, share });
    // An accuser whose complaint is answered validly uses the revealed share.
    if (verifyShare(group, dealt[complaint.dealer - 1]!.dealing, complaint.recipient, share)) {
      received.get(complaint.recipient)!.set(complaint.dealer, share);
    }
  }
  const result = qualify(
    group,
    parameters,
    dealt.map((d) => d.dealing),
    complaints,
    answers,
  );
  const secretShares = Array.from({ length: n }, (_, k) =>
    combineShares(group, result.qualified, received.get(k + 1)!),
  );
  return { result, secretShares, complaints, secrets: dealt.map((d) => d.secret) };
}

/** Picks `count` distinct trustees 1..n from a shuffle. */
function pick(n: number, count: number, order: number[]): number[] {
  const all = Array.from({ length: n }, (_, k) => k + 1);
  const shuffled = all.sort((a, b) => (order[a % order.length] ?? 0) - (order[b % order.length] ?? 0) || a - b);
  return shuffled.slice(0, count);
}

/** The first `boxes` marks, with marks removed from the end or added from the start to fit [min, max]. */
function fit(marks: boolean[], shape: ContestShape): number[] {
  const votes: number[] = marks.slice(0, shape.boxes).map((m) => (m ? 1 : 0));
  let count = votes.reduce((x, y) => x + y, 0);
  for (let b = votes.length - 1; count > shape.max; b--) {
    if (votes[b] === 1) {
      votes[b] = 0;
      count--;
    }
  }
  for (let b = 0; count < shape.min; b++) {
    if (votes[b] === 0) {
      votes[b] = 1;
      count++;
    }
  }
  return votes;
}

function flatten(totals: Ciphertext[][]): Ciphertext[] {
  return totals.flat();
}

describe('threshold key and tally', () => {
  it('decrypted counts equal a plain count of the ballots summed, for random t-of-n and re-votes', () => {
    const election = fc.record({
      n: fc.integer({ min: 1, max: 4 }),
      tFraction: fc.double({ min: 0, max: 1, noNaN: true }),
      contests: fc.array(contestAndVotes, { minLength: 1, maxLength: 2 }),
      voters: fc.array(
        fc.record({
          marks: fc.array(fc.array(fc.boolean(), { minLength: 5, maxLength: 5 }), { minLength: 2, maxLength: 2 }),
          counted: fc.boolean(),
        }),
        { maxLength: 6 },
      ),
      order: fc.array(fc.integer(), { minLength: 4, maxLength: 4 }),
      extra: fc.nat(),
      seed: fc.integer(),
    });
    fc.assert(
      fc.property(election, ({ n, tFraction, contests, voters, order, extra, seed }) => {
        const t = 1 + Math.floor(tFraction * (n - 1) + 0.5);
        const random = seededRandom(seed);
        const parameters = { electionId: new TextEncoder().encode(`e${seed}`), trustees: n, threshold: t };
        const { result, secretShares } = runDkg(parameters, random);
        expect(result.qualified).toEqual(Array.from({ length: n }, (_, k) => k + 1));
        const shapes: ContestShape[] = contests.map((c) => c.shape);
        // Only the ballots marked `counted` (each credential's last) are summed; the others are
        // the re-voted ones, cast and verified but left out of the totals.
        let totals = emptyTotals(shapes);
        const plain = shapes.map((s) => new Array<number>(s.boxes).fill(0));
        voters.forEach(({ marks, counted }) => {
          const votes = shapes.map((shape, q) => fit(marks[q]!, shape));
          const ctx = {
            electionId: parameters.electionId,
            publicKey: result.publicKey,
            credential: random().slice(0, 32),
          };
          const ballot = createBallot(group, ctx, shapes, votes, random);
          verifyBallot(group, ctx, shapes, ballot);
          if (!counted) return;
          totals = addBallot(group, totals, ballot);
          votes.forEach((vs, q) => vs.forEach((m, b) => (plain[q]![b]! += m)));
        });
        const trustees = pick(n, t + (extra % (n - t + 1)), order);
        const decryptionContext = { electionId: parameters.electionId, publicKey: result.publicKey };
        const partials = trustees.map((j) =>
          partialDecrypt(group, decryptionContext, j, secretShares[j - 1]!, flatten(totals), random),
        );
        const counts = decryptCounts(
          group,
          decryptionContext,
          t,
          result.verificationKeys,
          flatten(totals),
          partials,
          voters.length,
        );
        expect(counts).toEqual(plain.flat());
      }),
      { numRuns: 12 },
    );
  });

  it('fewer than t partial decryptions decrypt nothing (ELECTION_TOO_FEW_SHARES)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 4 }), fc.integer(), (n, seed) => {
        const random = seededRandom(seed);
        const parameters = { electionId: new Uint8Array([7]), trustees: n, threshold: n };
        const { result, secretShares } = runDkg(parameters, random);
        const ctx = { electionId: parameters.electionId, publicKey: result.publicKey };
        const totals = [
          { alpha: group.multiplyBase(scalarFromInteger(5)), beta: group.multiplyBase(scalarFromInteger(9)) },
        ];
        const partials = Array.from({ length: n - 1 }, (_, k) =>
          partialDecrypt(group, ctx, k + 1, secretShares[k]!, totals, random),
        );
        const error = refusal(() => decryptCounts(group, ctx, n, result.verificationKeys, totals, partials, 100));
        expect(error.code).toBe('ELECTION_TOO_FEW_SHARES');
      }),
      { numRuns: 4 },
    );
  });

  it('refuses a wrong partial decryption and names the trustee and the total (ELECTION_SHARE_INVALID)', () => {
    const random = seededRandom(11);
    const parameters = { electionId: new Uint8Array([11]), trustees: 3, threshold: 2 };
    const { result, secretShares } = runDkg(parameters, random);
    const ctx = { electionId: parameters.electionId, publicKey: result.publicKey };
    const shapes = [{ boxes: 3, min: 1, max: 1 }];
    const ballot = createBallot(group, { ...ctx, credential: new Uint8Array(32) }, shapes, [[0, 1, 0]], random);
    const totals = flatten(addBallot(group, emptyTotals(shapes), ballot));
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 3 }),
        fc.nat(2),
        fc.constantFrom('d', 'c', 'z', 'key', 'position'),
        (j, k, how) => {
          const honest = [1, 2, 3].map((i) => partialDecrypt(group, ctx, i, secretShares[i - 1]!, totals, random));
          const bad = structuredClone(honest[j - 1]!) as PartialDecryption;
          const d = bad.decryptions[k]!;
          if (how === 'd') d.d = group.add(d.d, group.multiplyBase(scalarFromInteger(1)));
          if (how === 'c') d.c = group.scalarAdd(d.c, scalarFromInteger(1));
          if (how === 'z') d.z = group.scalarAdd(d.z, scalarFromInteger(1));
          if (how === 'key')
            bad.decryptions = partialDecrypt(group, ctx, j, secretShares[j % 3]!, totals, random).decryptions;
          if (how === 'position')
            [bad.decryptions[0], bad.decryptions[k === 0 ? 1 : k]] = [
              bad.decryptions[k === 0 ? 1 : k]!,
              bad.decryptions[0]!,
            ];
          const partials = honest.map((p) => (p.trustee === j ? bad : p));
          const error = refusal(() => decryptCounts(group, ctx, 2, result.verificationKeys, totals, partials, 10));
          expect(error.code).toBe('ELECTION_SHARE_INVALID');
          expect(error.position.trustee).toBe(j);
          if (how !== 'key' && how !== 'position') expect(error.position.total).toBe(k);
        },
      ),
      { numRuns: 20 },
    );
  });

  it('refuses two partial decryptions from one trustee (ELECTION_DUPLICATE_SHARE)', () => {
    const random = seededRandom(12);
    const parameters = { electionId: new Uint8Array([12]), trustees: 3, threshold: 2 };
    const { result, secretShares } = runDkg(parameters, random);
    const ctx = { electionId: parameters.electionId, publicKey: result.publicKey };
    const totals = [
      { alpha: group.multiplyBase(scalarFromInteger(3)), beta: group.multiplyBase(scalarFromInteger(4)) },
    ];
    const once = partialDecrypt(group, ctx, 2, secretShares[1]!, totals, random);
    const error = refusal(() => decryptCounts(group, ctx, 2, result.verificationKeys, totals, [once, once], 10));
    expect(error.code).toBe('ELECTION_DUPLICATE_SHARE');
    expect(error.position.trustee).toBe(2);
  });

  it('a dealer whose complaint is answered with a valid share stays qualified, and the key decrypts', () => {
    const random = seededRandom(13);
    const parameters = { electionId: new Uint8Array([13]), trustees: 4, threshold: 3 };
    const { result, secretShares, complaints } = runDkg(parameters, random, {
      dealer: 2,
      recipient: 4,
      answer: 'honest',
    });
    expect(complaints).toEqual([{ dealer: 2, recipient: 4 }]);
    expect(result.qualified).toEqual([1, 2, 3, 4]);
    const ctx = { electionId: parameters.electionId, publicKey: result.publicKey };
    const total = {
      alpha: group.multiplyBase(scalarFromInteger(8)),
      beta: group.add(
        group.multiplyBase(scalarFromInteger(42)),
        group.multiply(scalarFromInteger(8), result.publicKey),
      ),
    };
    const partials = [2, 3, 4].map((j) => partialDecrypt(group, ctx, j, secretShares[j - 1]!, [total], random));
    expect(decryptCounts(group, ctx, 3, result.verificationKeys, [total], partials, 100)).toEqual([42]);
  });

  it('a dealer who answers a complaint with a wrong share, or not at all, is disqualified and the rest decrypt', () => {
    for (const answer of ['wrong', 'none'] as const) {
      const random = seededRandom(answer === 'wrong' ? 14 : 15);
      const parameters = { electionId: new Uint8Array([14]), trustees: 4, threshold: 2 };
      const { result, secretShares } = runDkg(parameters, random, { dealer: 3, recipient: 1, answer });
      expect(result.qualified, answer).toEqual([1, 2, 4]);
      expect(result.disqualified.map((d) => d.dealer)).toEqual([3]);
      const ctx = { electionId: parameters.electionId, publicKey: result.publicKey };
      const total = {
        alpha: group.multiplyBase(scalarFromInteger(5)),
        beta: group.add(
          group.multiplyBase(scalarFromInteger(7)),
          group.multiply(scalarFromInteger(5), result.publicKey),
        ),
      };
      // Trustee 3 still holds a valid share of the qualified dealers' key and may decrypt.
      const partials = [1, 3].map((j) => partialDecrypt(group, ctx, j, secretShares[j - 1]!, [total], random));
      expect(decryptCounts(group, ctx, 2, result.verificationKeys, [total], partials, 10), answer).toEqual([7]);
    }
  });

  it('disqualifies a dealing whose proof of knowledge was made for another dealer or election, and refuses too few qualified', () => {
    const random = seededRandom(16);
    const parameters = { electionId: new Uint8Array([16]), trustees: 3, threshold: 2 };
    const dealings = [1, 2, 3].map((i) => deal(group, parameters, i, random).dealing);
    const relabelled = { ...dealings[1]!, dealer: 1 };
    const otherElection = deal(group, { ...parameters, electionId: new Uint8Array([17]) }, 3, random).dealing;
    const result = qualify(group, parameters, [dealings[0]!, dealings[1]!, otherElection], [], []);
    expect(result.qualified).toEqual([1, 2]);
    expect(result.disqualified).toEqual([
      { dealer: 3, reason: "trustee 3's proof of knowledge of its key part does not verify" },
    ]);
    const error = refusal(() => qualify(group, parameters, [relabelled, dealings[1]!, otherElection], [], []));
    expect(error.code).toBe('ELECTION_TOO_FEW_QUALIFIED');
  });

  it('a sealed share opened in another slot or for another election is refused (ELECTION_DKG_SHARE_INVALID)', () => {
    const random = seededRandom(18);
    const parameters = { electionId: new Uint8Array([18]), trustees: 3, threshold: 2 };
    const transport = [1, 2, 3].map(() => boxes.keyPair());
    const { secret } = deal(group, parameters, 1, random);
    const sealed = sealShares(
      group,
      boxes,
      parameters,
      secret,
      transport.map((t) => t.publicKey),
    );
    expect(openShare(boxes, parameters, 1, sealed[0]!, transport[1]!)).toEqual(shareFor(group, secret, 2));
    const cases = [
      () => openShare(boxes, parameters, 2, sealed[0]!, transport[1]!),
      () => openShare(boxes, { ...parameters, electionId: new Uint8Array([19]) }, 1, sealed[0]!, transport[1]!),
      () => openShare(boxes, parameters, 1, sealed[0]!, transport[2]!),
      () => openShare(boxes, parameters, 1, { recipient: 3, box: sealed[0]!.box }, transport[2]!),
    ];
    for (const open of cases) expect(refusal(open).code).toBe('ELECTION_DKG_SHARE_INVALID');
  });

  it('counts by baby-step giant-step up to the bound and refuses one above it (ELECTION_COUNT_OUT_OF_RANGE)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 5000 }), fc.nat(), (bound, at) => {
        const table = new CountTable(group, bound);
        const m = at % (bound + 1);
        expect(table.count(group.multiplyBase(scalarFromInteger(m)))).toBe(m);
        expect(table.count(group.multiplyBase(scalarFromInteger(bound)))).toBe(bound);
        expect(refusal(() => table.count(group.multiplyBase(scalarFromInteger(bound + 1)))).code).toBe(
          'ELECTION_COUNT_OUT_OF_RANGE',
        );
      }),
      { numRuns: 15 },
    );
  });

  it('DKG messages and partial decryptions survive their wire forms, and their decoders check every field', () => {
    const random = seededRandom(20);
    const parameters = { electionId: new Uint8Array([20]), trustees: 3, threshold: 2 };
    const transport = [1, 2, 3].map(() => boxes.keyPair());
    const { dealing, secret } = deal(group, parameters, 2, random);
    const message = {
      ...dealing,
      sealed: sealShares(
        group,
        boxes,
        parameters,
        secret,
        transport.map((t) => t.publicKey),
      ),
    };
    const bytes = encodeDealing(message);
    expect(encodeDealing(decodeDealing(group, bytes))).toEqual(bytes);
    const complaint = { dealer: 2, recipient: 3 };
    expect(decodeComplaint(encodeComplaint(complaint))).toEqual(complaint);
    const answer = { ...complaint, share: shareFor(group, secret, 3) };
    expect(decodeComplaintAnswer(encodeComplaintAnswer(answer))).toEqual(answer);
    const partial = partialDecrypt(
      group,
      { electionId: parameters.electionId, publicKey: dealing.commitments[0]! },
      1,
      secret.coefficients[0]!,
      emptyTotals([{ boxes: 2, min: 0, max: 2 }])[0]!,
      random,
    );
    const partialBytes = encodePartialDecryption(partial);
    expect(encodePartialDecryption(decodePartialDecryption(group, partialBytes))).toEqual(partialBytes);

    const refusals: Array<[string, () => unknown]> = [
      [
        'a share addressed to the dealer',
        () => decodeDealing(group, encodeDealing({ ...message, sealed: [{ recipient: 2, box: new Uint8Array(60) }] })),
      ],
      [
        'shares out of order',
        () => decodeDealing(group, encodeDealing({ ...message, sealed: [...message.sealed].reverse() })),
      ],
      [
        'an identity commitment',
        () =>
          decodeDealing(
            group,
            encodeDealing({ ...message, commitments: [new Uint8Array(32), ...message.commitments.slice(1)] }),
          ),
      ],
      ['a dealer 0', () => decodeDealing(group, encodeDealing({ ...message, dealer: 0 }))],
      ['a complaint against oneself', () => decodeComplaint(encodeComplaint({ dealer: 2, recipient: 2 }))],
      [
        'an answer with a share of 33 bytes',
        () => decodeComplaintAnswer(encode({ v: 1, i: 2, j: 3, s: new Uint8Array(33) })),
      ],
      [
        'a partial decryption with no totals',
        () => decodePartialDecryption(group, encodePartialDecryption({ trustee: 1, decryptions: [] })),
      ],
      [
        'a non-canonical CBOR',
        () => decodeComplaint(new Uint8Array([0xa3, 0x61, 0x69, 0x18, 0x02, 0x61, 0x6a, 0x03, 0x61, 0x76, 0x01])),
      ],
    ];
    for (const [name, action] of refusals) expect(refusal(action).code, name).toBe('ELECTION_ENCODING_INVALID');
  });
});
