// Ballot proofs are verified once per process for the same inputs (issue 15, "admission once";
// proof-memo.ts): a ballot admitted to the mempool is not verified again when its block is built
// or validated. The memo must change no answer: every tampering with any input still fails after
// the honest ballot was remembered, and the ledger's refusal is the same as without the memo.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { nobleGroup } from '../../../shared/election/crypto/group-noble.js';
import { createBallot } from '../../../shared/election/crypto/ballot.js';
import { encodeBallot } from '../../../shared/election/crypto/encoding.js';
import { LedgerError } from '../../../shared/ledger/index.js';
import { checkCast } from '../../../shared/modules/election/rules.js';
import { ballotProofs, ProofMemo } from '../../../shared/modules/election/proof-memo.js';
import type { ElectionDefinition, ElectionStatus } from '../../../shared/modules/election/types.js';
import { context, flipByte, seededRandom } from '../../unit/election-fixtures.js';
import { hex, shapes, times } from './fixtures.js';

const group = nobleGroup();
const ctx = context(group, 7);
const definition = {
  id: 'election-7',
  title: 'Memo',
  contests: [
    { title: 'A', choices: ['x', 'y'], min: 1, max: 1 },
    { title: 'B', choices: ['p', 'q', 'r'], min: 0, max: 2 },
  ],
  districts: ['Minsk'],
  trustees: [],
  threshold: 1,
  rollMax: 10,
  ...times,
  height: 1,
} as unknown as ElectionDefinition;
const status = { phase: 'voting', height: 2, publicKey: ctx.publicKey } as ElectionStatus;
const credential = hex(ctx.credential);
const ballotBytes = encodeBallot(
  createBallot(
    group,
    { ...ctx, electionId: new TextEncoder().encode(definition.id) },
    shapes,
    [
      [0, 1],
      [1, 0, 1],
    ],
    seededRandom(3),
  ),
);

const cast = (
  bytes: Uint8Array,
  overrides: { definition?: ElectionDefinition; status?: ElectionStatus; credential?: string } = {},
) =>
  checkCast(
    group,
    overrides.definition ?? definition,
    overrides.status ?? status,
    times.opensAtMs + 1_000,
    overrides.credential ?? credential,
    (overrides.definition ?? definition).id,
    bytes,
  );

function refusedCode(action: () => unknown): string {
  try {
    action();
  } catch (error) {
    if (error instanceof LedgerError) return error.code;
    throw error;
  }
  return 'ACCEPTED';
}

describe('ballot proofs verified once per process', () => {
  it('verifies an honest ballot once, then answers from memory', () => {
    const before = { hits: ballotProofs.hits, misses: ballotProofs.misses };
    cast(ballotBytes);
    cast(ballotBytes);
    cast(ballotBytes);
    expect(ballotProofs.misses - before.misses).toBe(1);
    expect(ballotProofs.hits - before.hits).toBe(2);
  });

  it('still refuses every tampered ballot, other credential, election or key after the honest one is remembered', () => {
    cast(ballotBytes);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: ballotBytes.length - 1 }), fc.integer({ min: 1, max: 255 }), (at, mask) => {
        const tampered = flipByte(ballotBytes, at, mask);
        expect(refusedCode(() => cast(tampered))).not.toBe('ACCEPTED');
      }),
      { numRuns: 60 },
    );
    const other = context(group, 8);
    expect(refusedCode(() => cast(ballotBytes, { credential: hex(other.credential) }))).toBe('ELECTION_PROOF_INVALID');
    expect(
      refusedCode(() =>
        cast(ballotBytes, { status: { ...status, publicKey: other.publicKey as ElectionStatus['publicKey'] } }),
      ),
    ).toBe('ELECTION_PROOF_INVALID');
    expect(refusedCode(() => cast(ballotBytes, { definition: { ...definition, id: 'election-8' } }))).toBe(
      'ELECTION_PROOF_INVALID',
    );
  });

  it('forgets the oldest beyond its bound and never remembers a failure', () => {
    const memo = new ProofMemo(2);
    const inputs = (n: number) => ({
      electionId: new Uint8Array([n]),
      publicKey: new Uint8Array(32),
      credential: new Uint8Array(32),
      shapes,
      ballot: new Uint8Array([n]),
    });
    let runs = 0;
    const pass = () => {
      runs++;
    };
    for (const n of [1, 2, 1, 2]) memo.verifyOnce(inputs(n), pass);
    expect(runs).toBe(2);
    memo.verifyOnce(inputs(3), pass); // forgets 1
    memo.verifyOnce(inputs(1), pass);
    expect(runs).toBe(4);
    expect(memo.size).toBe(2);
    const fail = () => {
      runs++;
      throw new Error('bad proof');
    };
    expect(() => memo.verifyOnce(inputs(9), fail)).toThrow('bad proof');
    expect(() => memo.verifyOnce(inputs(9), fail)).toThrow('bad proof');
    expect(runs).toBe(6);
  });
});

describe("a certified block's ballots (decision #33 carried to ballot proofs)", () => {
  const other = context(group, 9);
  const otherCredential = hex(other.credential);
  const vouched = (bytes: Uint8Array, overrides: { timeMs?: number; registeredIn?: string } = {}) =>
    checkCast(
      group,
      definition,
      status,
      overrides.timeMs ?? times.opensAtMs + 1_000,
      otherCredential,
      'registeredIn' in overrides ? overrides.registeredIn : definition.id,
      bytes,
      'vouched',
    );

  it('are not verified again, while a block this node votes on verifies them', () => {
    // the ballot was proved for another credential: its proofs fail for this one
    expect(refusedCode(() => cast(ballotBytes, { credential: otherCredential }))).toBe('ELECTION_PROOF_INVALID');
    const before = { hits: ballotProofs.hits, misses: ballotProofs.misses };
    expect(refusedCode(() => vouched(ballotBytes))).toBe('ACCEPTED');
    expect({ hits: ballotProofs.hits, misses: ballotProofs.misses }).toEqual(before);
  });

  it('still run every other rule: the roll, the window, the ballot decoding', () => {
    expect(refusedCode(() => vouched(ballotBytes, { registeredIn: undefined }))).toBe('ELECTION_NOT_ON_ROLL');
    expect(refusedCode(() => vouched(ballotBytes, { timeMs: times.closesAtMs }))).toBe('ELECTION_OUTSIDE_WINDOW');
    expect(refusedCode(() => vouched(ballotBytes.subarray(0, 10)))).not.toBe('ACCEPTED');
  });
});
