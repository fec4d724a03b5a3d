// Shared by the election-*.test.ts files: a seeded random source, contexts and elections.
import { sha512 } from '@noble/hashes/sha2.js';
import fc from 'fast-check';
import type { BallotContext, ContestShape, Group, RandomSource } from '../../shared/election/crypto/index.js';
import { ElectionCryptoError, scalarFromInteger } from '../../shared/election/crypto/index.js';
import type { ElectionView } from '../../shared/modules/election/api.js';

/** 64 bytes per call from SHA-512(seed ‖ counter): a seed reproduces a run. */
export function seededRandom(seed: number | Uint8Array): RandomSource {
  const seedBytes = typeof seed === 'number' ? new TextEncoder().encode(`seed-${seed}`) : seed;
  let counter = 0;
  return () => {
    const input = new Uint8Array(seedBytes.length + 4);
    input.set(seedBytes);
    new DataView(input.buffer).setUint32(seedBytes.length, counter++);
    return sha512(input);
  };
}

export function keyPair(group: Group, secret: number): { secretKey: Uint8Array; publicKey: Uint8Array } {
  const secretKey = scalarFromInteger(secret);
  return { secretKey, publicKey: group.multiplyBase(secretKey) };
}

export function context(group: Group, seed = 1): BallotContext & { secretKey: Uint8Array } {
  const random = seededRandom(seed);
  const secretKey = group.reduceWide(random());
  return {
    electionId: new TextEncoder().encode(`election-${seed}`),
    publicKey: group.multiplyBase(secretKey),
    credential: random().slice(0, 32),
    secretKey,
  };
}

/** A contest shape and a vote that fits it. */
export const contestAndVotes: fc.Arbitrary<{ shape: ContestShape; votes: number[] }> = fc
  .integer({ min: 1, max: 5 })
  .chain((boxes) =>
    fc.record({
      boxes: fc.constant(boxes),
      bounds: fc.tuple(fc.integer({ min: 0, max: boxes }), fc.integer({ min: 0, max: boxes })),
      marks: fc.shuffledSubarray(Array.from({ length: boxes }, (_, i) => i)),
    }),
  )
  .map(({ boxes, bounds, marks }) => {
    const min = Math.min(...bounds);
    const max = Math.max(...bounds);
    // Clamp the number of marks into [min, max] by taking the first k of a shuffled subarray or adding more.
    const wanted = Math.min(max, Math.max(min, marks.length));
    const chosen = new Set(marks.slice(0, wanted));
    for (let i = 0; chosen.size < wanted; i++) chosen.add(i);
    return { shape: { boxes, min, max }, votes: Array.from({ length: boxes }, (_, i) => (chosen.has(i) ? 1 : 0)) };
  });

/** Single-choice contest of n boxes with a vote for box `choice`. */
export function singleChoice(boxes: number, choice: number): { shape: ContestShape; votes: number[] } {
  return { shape: { boxes, min: 1, max: 1 }, votes: Array.from({ length: boxes }, (_, i) => (i === choice ? 1 : 0)) };
}

export function flipByte(bytes: Uint8Array, position: number, mask: number): Uint8Array {
  const out = bytes.slice();
  const at = ((position % out.length) + out.length) % out.length;
  out[at] = (out[at] as number) ^ (mask & 0xff || 1);
  return out;
}

/** The ElectionCryptoError `action` throws; fails the test when it throws none (or another error). */
export function refusal(action: () => unknown, accepted = 'expected a refusal'): ElectionCryptoError {
  try {
    action();
  } catch (error) {
    if (error instanceof ElectionCryptoError) return error;
    throw error;
  }
  throw new Error(accepted);
}

/**
 * An election's public record as the node answers it (GET /elections/{id}), in key generation,
 * its deadlines 100 ms apart from `nowMs` + 100; the trustees are given by the test.
 */
export function electionView(
  overrides: Partial<ElectionView> & Pick<ElectionView, 'trustees'>,
  nowMs = 1_000_000,
): ElectionView {
  return {
    id: 'city-2026',
    title: 'City',
    contests: [{ title: 'Mayor', choices: ['A', 'B'], min: 1, max: 1 }],
    districts: ['Minsk'],
    threshold: 2,
    rollMax: 100,
    dealsUntilMs: nowMs + 100,
    complaintsUntilMs: nowMs + 200,
    answersUntilMs: nowMs + 300,
    opensAtMs: nowMs + 400,
    closesAtMs: nowMs + 500,
    height: 5,
    phase: 'keygen',
    dealt: [],
    complaints: [],
    roll: { size: 0, districts: [{ name: 'Minsk', credentials: 0 }] },
    ballots: 0,
    voters: 0,
    totals: '',
    decrypted: [],
    ...overrides,
  };
}
