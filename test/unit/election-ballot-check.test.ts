// Checking a ballot before casting (docs/elections.md C.6, a Benaloh challenge): an honest
// device's opening always passes; any changed vote, randomness byte or ciphertext byte always
// fails, at the crypto level and through the record a second device reads.
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { bytesToHex, hexToBytes } from '../../shared/codec/index.js';
import {
  checkBallotOpening,
  createBallot,
  createOpenedBallot,
  encodeBallot,
  ElectionCryptoError,
  sodiumGroup,
  type Group,
} from '../../shared/election/crypto/index.js';
import {
  BallotCheckError,
  ballotCheckRecord,
  checkBallotRecord,
  parseBallotCheckRecord,
} from '../../shared/election/voter/ballot-check-record.js';
import { context, contestAndVotes, flipByte, refusal, seededRandom } from './election-fixtures.js';

let group: Group;
beforeAll(async () => {
  group = await sodiumGroup();
});

const election = fc.array(contestAndVotes, { minLength: 1, maxLength: 3 });

function made(seed: number, contests: { shape: { boxes: number; min: number; max: number }; votes: number[] }[]) {
  const ctx = context(group, seed);
  const shapes = contests.map((c) => c.shape);
  const votes = contests.map((c) => c.votes);
  const { ballot, opening } = createOpenedBallot(group, ctx, shapes, votes, seededRandom(seed + 1000));
  return { ctx, shapes, votes, ballot, opening };
}

/** The record and the election as the network publishes it, for the second device. */
function recordOf(seed: number, contests: Parameters<typeof made>[1]) {
  const { ctx, shapes, ballot, opening } = made(seed, contests);
  const id = new TextDecoder().decode(ctx.electionId);
  const published = {
    id,
    publicKey: bytesToHex(ctx.publicKey),
    contests: shapes.map((s) => ({ choices: Array.from({ length: s.boxes }, (_, b) => `choice ${b}`), ...s })),
  };
  const record = ballotCheckRecord({
    election: id,
    credential: bytesToHex(ctx.credential),
    publicKey: bytesToHex(ctx.publicKey),
    ballot: encodeBallot(ballot),
    opening,
  });
  return { record, published };
}

describe('the opening of a ballot (createOpenedBallot)', () => {
  it('makes the same bytes as createBallot from the same randomness', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1e6 }), election, (seed, contests) => {
        const { ctx, shapes, votes, ballot } = made(seed, contests);
        const plain = createBallot(group, ctx, shapes, votes, seededRandom(seed + 1000));
        expect(bytesToHex(encodeBallot(ballot))).toBe(bytesToHex(encodeBallot(plain)));
      }),
      { numRuns: 20 },
    );
  });
});

describe('checkBallotOpening', () => {
  it('passes for every honest ballot and its opening', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1e6 }), election, (seed, contests) => {
        const { ctx, shapes, ballot, opening } = made(seed, contests);
        checkBallotOpening(group, ctx, shapes, ballot, opening);
      }),
      { numRuns: 30 },
    );
  });

  it('fails when any one vote is claimed otherwise (ELECTION_BALLOT_CHECK_FAILED or out of bounds)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1e6 }), election, fc.nat(), fc.nat(), (seed, contests, qi, bi) => {
        const { ctx, shapes, ballot, opening } = made(seed, contests);
        const q = qi % shapes.length;
        const b = bi % shapes[q]!.boxes;
        const votes = opening.votes.map((c) => [...c]);
        votes[q]![b] = 1 - votes[q]![b]!;
        const error = refusal(() => checkBallotOpening(group, ctx, shapes, ballot, { ...opening, votes }));
        expect(['ELECTION_BALLOT_CHECK_FAILED', 'ELECTION_BALLOT_SHAPE_INVALID']).toContain(error.code);
        if (error.code === 'ELECTION_BALLOT_CHECK_FAILED') expect(error.position).toEqual({ contest: q, box: b });
      }),
      { numRuns: 30 },
    );
  });

  it('fails when any byte of any randomness is changed', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1e6 }),
        election,
        fc.nat(),
        fc.nat(),
        fc.nat(31),
        fc.integer({ min: 1, max: 255 }),
        (seed, contests, qi, bi, at, mask) => {
          const { ctx, shapes, ballot, opening } = made(seed, contests);
          const q = qi % shapes.length;
          const b = bi % shapes[q]!.boxes;
          const nonces: Uint8Array[][] = opening.nonces.map((c) => c.map((r) => r.slice()));
          nonces[q]![b] = flipByte(nonces[q]![b]!, at, mask);
          const error = refusal(() => checkBallotOpening(group, ctx, shapes, ballot, { ...opening, nonces }));
          expect(['ELECTION_BALLOT_CHECK_FAILED', 'ELECTION_ENCODING_INVALID']).toContain(error.code);
          expect(error.position).toEqual({ contest: q, box: b });
        },
      ),
      { numRuns: 40 },
    );
  });

  it('fails when any byte of any ciphertext is changed', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1e6 }),
        election,
        fc.nat(),
        fc.nat(),
        fc.boolean(),
        fc.nat(31),
        fc.integer({ min: 1, max: 255 }),
        (seed, contests, qi, bi, alpha, at, mask) => {
          const { ctx, shapes, ballot, opening } = made(seed, contests);
          const q = qi % shapes.length;
          const b = bi % shapes[q]!.boxes;
          const box = ballot.contests[q]!.boxes[b]!;
          const changed = alpha
            ? { ...box, alpha: flipByte(box.alpha, at, mask) }
            : { ...box, beta: flipByte(box.beta, at, mask) };
          const tampered = {
            contests: ballot.contests.map((c, k) =>
              k === q ? { ...c, boxes: c.boxes.map((x, j) => (j === b ? changed : x)) } : c,
            ),
          };
          const error = refusal(() => checkBallotOpening(group, ctx, shapes, tampered, opening));
          expect(error.code).toBe('ELECTION_BALLOT_CHECK_FAILED');
          expect(error.position).toEqual({ contest: q, box: b });
        },
      ),
      { numRuns: 40 },
    );
  });

  it('refuses an opening with a box too few', () => {
    const { ctx, shapes, ballot, opening } = made(7, [{ shape: { boxes: 3, min: 1, max: 1 }, votes: [0, 1, 0] }]);
    const error = refusal(() =>
      checkBallotOpening(group, ctx, shapes, ballot, { votes: [[0, 1]], nonces: opening.nonces }),
    );
    expect(error.code).toBe('ELECTION_BALLOT_SHAPE_INVALID');
  });
});

describe('the ballot check record a second device reads', () => {
  const check = (text: string, published: Parameters<typeof checkBallotRecord>[2]) =>
    checkBallotRecord(group, parseBallotCheckRecord(text), published);

  it('passes for every honest record, and names the votes it checked', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1e6 }), election, (seed, contests) => {
        const { record, published } = recordOf(seed, contests);
        const result = check(JSON.stringify(record), published);
        expect(result.votes).toEqual(contests.map((c) => c.votes));
        expect(result.tracker).toBe(record.tracker);
      }),
      { numRuns: 20 },
    );
  });

  it('fails when any hex digit of the ballot, randomness or tracker is changed, or any vote', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1e6 }),
        election,
        fc.constantFrom('ballot', 'randomness', 'tracker', 'votes'),
        fc.nat(),
        (seed, contests, field, at) => {
          const { record, published } = recordOf(seed, contests);
          const changed = structuredClone(record);
          const flipHex = (text: string, k: number) => {
            const i = k % text.length;
            const digit = parseInt(text[i]!, 16) ^ (1 + (k % 15));
            return text.slice(0, i) + digit.toString(16) + text.slice(i + 1);
          };
          if (field === 'ballot') changed.ballot = flipHex(changed.ballot, at);
          if (field === 'tracker') changed.tracker = flipHex(changed.tracker, at);
          if (field === 'randomness') {
            const flat = changed.randomness.flat();
            const k = at % flat.length;
            let n = 0;
            changed.randomness = changed.randomness.map((c) => c.map((r) => (n++ === k ? flipHex(r, at) : r)));
            expect(flat.length).toBeGreaterThan(0);
          }
          if (field === 'votes') {
            const flat = changed.votes.flat();
            const k = at % flat.length;
            let n = 0;
            changed.votes = changed.votes.map((c) => c.map((m) => (n++ === k ? 1 - m : m)));
          }
          let failed: unknown;
          try {
            check(JSON.stringify(changed), published);
          } catch (error) {
            failed = error;
          }
          expect(failed instanceof ElectionCryptoError || failed instanceof BallotCheckError).toBe(true);
        },
      ),
      { numRuns: 40 },
    );
  });

  it('fails when the ballot was changed and its tracker recomputed (the proofs or the opening catch it)', () => {
    const { record } = recordOf(11, [{ shape: { boxes: 4, min: 1, max: 2 }, votes: [1, 0, 1, 0] }]);
    const other = recordOf(12, [{ shape: { boxes: 4, min: 1, max: 2 }, votes: [0, 1, 0, 0] }]);
    // a device that shows one ballot's opening with another ballot (same election key, same credential)
    const swapped = { ...other.record, votes: record.votes, randomness: record.randomness };
    expect(() => check(JSON.stringify(swapped), other.published)).toThrow(ElectionCryptoError);
  });

  it('refuses a record for another election or key than the network publishes', () => {
    const { record, published } = recordOf(5, [{ shape: { boxes: 2, min: 1, max: 1 }, votes: [1, 0] }]);
    expect(() => check(JSON.stringify(record), { ...published, id: 'another' })).toThrow(
      expect.objectContaining({ code: 'BALLOT_CHECK_WRONG_ELECTION' }),
    );
    const otherKey = bytesToHex(group.multiplyBase(hexToBytes(record.randomness[0]![0]!)));
    expect(() => check(JSON.stringify(record), { ...published, publicKey: otherKey })).toThrow(
      expect.objectContaining({ code: 'BALLOT_CHECK_WRONG_ELECTION' }),
    );
  });

  it('refuses text that is not a record, with BALLOT_CHECK_MALFORMED', () => {
    for (const text of ['', 'not json', '{}', JSON.stringify({ format: 'other' }), 'x'.repeat(1_000_000)])
      expect(() => parseBallotCheckRecord(text)).toThrow(expect.objectContaining({ code: 'BALLOT_CHECK_MALFORMED' }));
  });
});
