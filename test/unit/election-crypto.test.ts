// Ballots (docs/elections.md A.4, A.5): honest ballots always verify; every cheat and every
// tampered byte is refused with its code, naming the contest and box.
// [REQ-ELECTION-BALLOT.1] [REQ-ELECTION-PROOF.1] [REQ-ELECTION-FS.1] [REQ-ELECTION-ELEMENT.1]
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { encode } from '../../shared/codec/index.js';
import {
  GROUP_ORDER,
  IDENTITY,
  bigintToScalar,
  boxStatement,
  contestStatement,
  createBallot,
  decodeBallot,
  encodeBallot,
  encrypt,
  proveDisjunctive,
  randomScalar,
  sodiumGroup,
  sumCiphertexts,
  verifyBallot,
  type Ballot,
  type BallotContext,
  type ContestEntry,
  type ContestShape,
  type Group,
  type RandomSource,
} from '../../shared/election/crypto/index.js';
import {
  context,
  contestAndVotes,
  flipByte,
  refusal as refusalOf,
  seededRandom,
  singleChoice,
} from './election-fixtures.js';

const refusal = (action: () => unknown) => refusalOf(action, 'expected a refusal, the ballot was accepted');

let group: Group;
beforeAll(async () => {
  group = await sodiumGroup();
});

/**
 * A contest as a cheating voter would build it: any values in the boxes, each box proof made
 * as if the value were min(value, 1), the total proof as if the total were `claimedTotal`.
 */
function cheatingContest(
  ctx: BallotContext,
  q: number,
  shape: ContestShape,
  values: number[],
  claimedTotal: number,
  random: RandomSource,
): ContestEntry {
  const nonces = values.map(() => randomScalar(group, random));
  const ciphertexts = values.map((m, b) => encrypt(group, ctx.publicKey, m, nonces[b]!));
  const boxes = ciphertexts.map((ct, b) => ({
    ...ct,
    proof: proveDisjunctive(
      group,
      ctx.publicKey,
      ct.alpha,
      ct.beta,
      [0, 1],
      Math.min(values[b]!, 1),
      nonces[b]!,
      boxStatement(ctx, q, b, ct),
      random,
    ),
  }));
  const total = sumCiphertexts(group, ciphertexts);
  const totalNonce = nonces.reduce((a, r) => group.scalarAdd(a, r), new Uint8Array(32));
  const allowed = Array.from({ length: shape.max - shape.min + 1 }, (_, i) => shape.min + i);
  const proof = proveDisjunctive(
    group,
    ctx.publicKey,
    total.alpha,
    total.beta,
    allowed,
    Math.max(0, Math.min(allowed.length - 1, claimedTotal - shape.min)),
    totalNonce,
    contestStatement(ctx, q, shape, ciphertexts, total),
    random,
  );
  return { boxes, proof };
}

const elections = fc.array(contestAndVotes, { minLength: 1, maxLength: 3 });

describe('ballots', () => {
  it('an honest ballot always verifies, and survives its wire form unchanged', () => {
    fc.assert(
      fc.property(elections, fc.integer(), (contests, seed) => {
        const ctx = context(group, seed);
        const shapes = contests.map((c) => c.shape);
        const ballot = createBallot(
          group,
          ctx,
          shapes,
          contests.map((c) => c.votes),
          seededRandom(seed),
        );
        verifyBallot(group, ctx, shapes, ballot);
        const bytes = encodeBallot(ballot);
        const decoded = decodeBallot(group, bytes);
        expect(encodeBallot(decoded)).toEqual(bytes);
        verifyBallot(group, ctx, shapes, decoded);
      }),
      { numRuns: 40 },
    );
  });

  it('refuses a box encrypting 2 (ELECTION_PROOF_INVALID, naming that box)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 6 }), fc.nat(), fc.integer(), (boxes, at, seed) => {
        const ctx = context(group, seed);
        const b = at % boxes;
        const shape = { boxes, min: 0, max: boxes };
        const values = Array.from({ length: boxes }, (_, i) => (i === b ? 2 : 0));
        const ballot = { contests: [cheatingContest(ctx, 0, shape, values, 2, seededRandom(seed))] };
        const error = refusal(() => verifyBallot(group, ctx, [shape], ballot));
        expect(error.code).toBe('ELECTION_PROOF_INVALID');
        expect(error.position).toEqual({ contest: 0, box: b });
        expect(error.message).toContain(`box ${b} of contest 0`);
      }),
      { numRuns: 15 },
    );
  });

  it('refuses a total of 2 in a single-choice contest (ELECTION_PROOF_INVALID, naming the contest, no box)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 6 }), fc.integer(), (boxes, seed) => {
        const ctx = context(group, seed);
        const shape = { boxes, min: 1, max: 1 };
        const values = Array.from({ length: boxes }, (_, i) => (i < 2 ? 1 : 0));
        const contests = [singleChoice(3, 0).shape, shape];
        const honest = createBallot(group, ctx, [contests[0]!], [[1, 0, 0]], seededRandom(seed));
        const ballot = {
          contests: [honest.contests[0]!, cheatingContest(ctx, 1, shape, values, 1, seededRandom(seed + 1))],
        };
        const error = refusal(() => verifyBallot(group, ctx, contests, ballot));
        expect(error.code).toBe('ELECTION_PROOF_INVALID');
        expect(error.position).toEqual({ contest: 1 });
      }),
      { numRuns: 15 },
    );
  });

  it('refuses an empty single-choice contest (a total of 0 below min 1)', () => {
    const ctx = context(group, 3);
    const shape = { boxes: 3, min: 1, max: 1 };
    const ballot = { contests: [cheatingContest(ctx, 0, shape, [0, 0, 0], 1, seededRandom(3))] };
    expect(refusal(() => verifyBallot(group, ctx, [shape], ballot)).position).toEqual({ contest: 0 });
  });

  it('refuses a ballot whose proofs were made for another election id or another credential, at its first box', () => {
    fc.assert(
      fc.property(elections, fc.integer(), fc.boolean(), (contests, seed, changeElection) => {
        const ctx = context(group, seed);
        const shapes = contests.map((c) => c.shape);
        const ballot = createBallot(
          group,
          ctx,
          shapes,
          contests.map((c) => c.votes),
          seededRandom(seed),
        );
        const other = changeElection
          ? { ...ctx, electionId: new Uint8Array([...ctx.electionId, 0]) }
          : { ...ctx, credential: flipByte(ctx.credential, seed, 1) };
        const error = refusal(() => verifyBallot(group, other, shapes, ballot));
        expect(error.code).toBe('ELECTION_PROOF_INVALID');
        expect(error.position).toEqual({ contest: 0, box: 0 });
      }),
      { numRuns: 20 },
    );
  });

  it('refuses a box moved to another position with its proof, naming the first moved box', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 6 }), fc.nat(), fc.nat(), fc.integer(), (boxes, x, y, seed) => {
        const i = x % boxes;
        const j = (i + 1 + (y % (boxes - 1))) % boxes;
        const ctx = context(group, seed);
        const { shape, votes } = singleChoice(boxes, i);
        const ballot = createBallot(group, ctx, [shape], [votes], seededRandom(seed));
        const moved = ballot.contests[0]!.boxes.slice();
        [moved[i], moved[j]] = [moved[j]!, moved[i]!];
        const error = refusal(() =>
          verifyBallot(group, ctx, [shape], { contests: [{ ...ballot.contests[0]!, boxes: moved }] }),
        );
        expect(error.code).toBe('ELECTION_PROOF_INVALID');
        expect(error.position).toEqual({ contest: 0, box: Math.min(i, j) });
      }),
      { numRuns: 20 },
    );
  });

  it('refuses a proof made for the same box position in another contest', () => {
    const ctx = context(group, 4);
    const shapes = [singleChoice(2, 0).shape, singleChoice(2, 0).shape];
    const ballot = createBallot(
      group,
      ctx,
      shapes,
      [
        [1, 0],
        [0, 1],
      ],
      seededRandom(4),
    );
    const swapped: Ballot = { contests: [ballot.contests[1]!, ballot.contests[0]!] };
    const error = refusal(() => verifyBallot(group, ctx, shapes, swapped));
    expect(error.code).toBe('ELECTION_PROOF_INVALID');
    expect(error.position).toEqual({ contest: 0, box: 0 });
  });

  it('refuses a re-encrypted ciphertext carrying the old proof, naming that box', () => {
    fc.assert(
      fc.property(
        fc.array(contestAndVotes, { minLength: 1, maxLength: 2 }),
        fc.nat(),
        fc.nat(),
        fc.integer(),
        (contests, qi, bi, seed) => {
          const ctx = context(group, seed);
          const shapes = contests.map((c) => c.shape);
          const ballot = createBallot(
            group,
            ctx,
            shapes,
            contests.map((c) => c.votes),
            seededRandom(seed),
          );
          const q = qi % shapes.length;
          const b = bi % shapes[q]!.boxes;
          const s = randomScalar(group, seededRandom(seed + 17));
          const box = ballot.contests[q]!.boxes[b]!;
          const reEncrypted = {
            ...box,
            alpha: group.add(box.alpha, group.multiplyBase(s)),
            beta: group.add(box.beta, group.multiply(s, ctx.publicKey)),
          };
          const tampered = structuredClone(ballot);
          tampered.contests[q]!.boxes[b] = reEncrypted;
          const error = refusal(() => verifyBallot(group, ctx, shapes, tampered));
          expect(error.code).toBe('ELECTION_PROOF_INVALID');
          expect(error.position).toEqual({ contest: q, box: b });
        },
      ),
      { numRuns: 20 },
    );
  });

  it('refuses any flipped byte in a ciphertext or a box proof, naming that box; in a total proof, naming the contest', () => {
    const fields = ['alpha', 'beta', 'c0', 'c1', 'z0', 'z1', 'total'] as const;
    fc.assert(
      fc.property(
        fc.array(contestAndVotes, { minLength: 1, maxLength: 2 }),
        fc.nat(),
        fc.nat(),
        fc.constantFrom(...fields),
        fc.nat(31),
        fc.integer({ min: 1, max: 255 }),
        fc.integer(),
        (contests, qi, bi, field, at, mask, seed) => {
          const ctx = context(group, seed);
          const shapes = contests.map((c) => c.shape);
          const ballot = createBallot(
            group,
            ctx,
            shapes,
            contests.map((c) => c.votes),
            seededRandom(seed),
          );
          const q = qi % shapes.length;
          const b = bi % shapes[q]!.boxes;
          const tampered = structuredClone(ballot);
          const contest = tampered.contests[q]!;
          const box = contest.boxes[b]!;
          if (field === 'alpha') box.alpha = flipByte(box.alpha, at, mask);
          else if (field === 'beta') box.beta = flipByte(box.beta, at, mask);
          else if (field === 'total') {
            const k = bi % contest.proof.c.length;
            const list = at % 2 === 0 ? contest.proof.c : contest.proof.z;
            list[k] = flipByte(list[k]!, at, mask);
          } else {
            const list = field[0] === 'c' ? box.proof.c : box.proof.z;
            const k = Number(field[1]);
            list[k] = flipByte(list[k]!, at, mask);
          }
          const error = refusal(() => verifyBallot(group, ctx, shapes, tampered));
          expect(['ELECTION_PROOF_INVALID', 'ELECTION_ENCODING_INVALID']).toContain(error.code);
          expect(error.position).toEqual(field === 'total' ? { contest: q } : { contest: q, box: b });
        },
      ),
      { numRuns: 60 },
    );
  });

  it('never accepts a ballot with any byte of its encoding flipped', () => {
    const ctx = context(group, 5);
    const shapes = [{ boxes: 3, min: 0, max: 2 }];
    const bytes = encodeBallot(createBallot(group, ctx, shapes, [[1, 0, 1]], seededRandom(5)));
    fc.assert(
      fc.property(fc.nat(bytes.length - 1), fc.integer({ min: 1, max: 255 }), (at, mask) => {
        const error = refusal(() => verifyBallot(group, ctx, shapes, decodeBallot(group, flipByte(bytes, at, mask))));
        expect(['ELECTION_PROOF_INVALID', 'ELECTION_ENCODING_INVALID', 'ELECTION_BALLOT_SHAPE_INVALID']).toContain(
          error.code,
        );
      }),
      { numRuns: 150 },
    );
  });

  it('refuses a ballot with a box too many or too few (ELECTION_BALLOT_SHAPE_INVALID)', () => {
    const ctx = context(group, 6);
    const { shape, votes } = singleChoice(3, 1);
    const ballot = createBallot(group, ctx, [shape], [votes], seededRandom(6));
    const fewer = { contests: [{ ...ballot.contests[0]!, boxes: ballot.contests[0]!.boxes.slice(0, 2) }] };
    expect(refusal(() => verifyBallot(group, ctx, [shape], fewer)).code).toBe('ELECTION_BALLOT_SHAPE_INVALID');
    expect(refusal(() => verifyBallot(group, ctx, [shape, shape], ballot)).code).toBe('ELECTION_BALLOT_SHAPE_INVALID');
  });

  it('decoding refuses a scalar at or above L, an identity ciphertext, a non-canonical element and an extra key', () => {
    const ctx = context(group, 8);
    const { shape, votes } = singleChoice(2, 0);
    const ballot = createBallot(group, ctx, [shape], [votes], seededRandom(8));
    const wire = () => ({
      v: 1,
      q: structuredClone(ballot).contests.map((c) => ({
        x: c.boxes.map((box) => ({ a: box.alpha, b: box.beta, c: box.proof.c, z: box.proof.z })),
        c: c.proof.c,
        z: c.proof.z,
      })),
    });
    const l = new Uint8Array(32);
    let rest = GROUP_ORDER;
    for (let i = 0; i < 32; i++, rest >>= 8n) l[i] = Number(rest & 0xffn);
    const cases: Array<[string, (w: ReturnType<typeof wire>) => void, string]> = [
      ['a challenge equal to L', (w) => (w.q[0]!.x[1]!.c[0] = l), 'box 1 of contest 0: proof.c[0]'],
      ['alpha the identity', (w) => (w.q[0]!.x[0]!.a = IDENTITY), 'box 0 of contest 0: alpha'],
      [
        'beta a non-canonical encoding',
        (w) => (w.q[0]!.x[0]!.b = new Uint8Array(32).fill(0xff)),
        'box 0 of contest 0: beta',
      ],
      ['an extra key', (w) => Object.assign(w.q[0]!.x[0]!, { e: 1 }), 'box 0 of contest 0'],
      ['a total proof of unequal lengths', (w) => w.q[0]!.z.push(bigintToScalar(1n)), "contest 0's total proof"],
      ['a version 2 ballot', (w) => (w.v = 2), 'ballot.v'],
    ];
    for (const [name, change, field] of cases) {
      const w = wire();
      change(w);
      const error = refusal(() => decodeBallot(group, encode(w)));
      expect(error.code, name).toBe('ELECTION_ENCODING_INVALID');
      expect(error.message, name).toContain(field);
    }
    expect(refusal(() => decodeBallot(group, new Uint8Array(64 * 1024 + 1))).code).toBe('ELECTION_ENCODING_INVALID');
  });

  it('a voter cannot create a ballot outside the contest bounds', () => {
    const ctx = context(group, 9);
    expect(refusal(() => createBallot(group, ctx, [{ boxes: 2, min: 1, max: 1 }], [[1, 1]])).code).toBe(
      'ELECTION_BALLOT_SHAPE_INVALID',
    );
    expect(refusal(() => createBallot(group, ctx, [{ boxes: 2, min: 0, max: 3 }], [[1, 1]])).code).toBe(
      'ELECTION_PARAMETERS_INVALID',
    );
    expect(
      refusal(() => createBallot(group, { ...ctx, publicKey: IDENTITY }, [{ boxes: 1, min: 0, max: 1 }], [[1]])).code,
    ).toBe('ELECTION_PARAMETERS_INVALID');
  });
});
