// The record a voter's device shows when the voter checks a ballot instead of casting it
// (docs/elections.md C.6): the ballot's bytes, the votes and randomness it claims, and what it
// is bound to. A second device reads it, takes the election's key and questions from the
// network (never from the record), and checks it: the tracker, the proofs and each box's
// encryption. Plain JSON so it can be copied, saved, mailed or typed into another device.
import { z } from 'zod';
import { bytesToHex, hexToBytes, utf8 } from '../../codec/index.js';
import { sha256Hex } from '../../crypto/index.js';
// the files themselves, not crypto/index.js: that loads libsodium, whose WebAssembly the
// voter's page (script-src 'self') may not compile
import { BOXES_MAX, CONTESTS_MAX, verifyBallot, type BallotOpening, type ContestShape } from '../crypto/ballot.js';
import { checkBallotOpening } from '../crypto/ballot-check.js';
import { BALLOT_BYTES_MAX, decodeBallot } from '../crypto/encoding.js';
import type { Group } from '../crypto/group.js';

export const BALLOT_CHECK_FORMAT = 'notary/election/ballot-check/1';
/** A record is at most this long as text: a 64 KiB ballot in hex and the randomness. */
export const BALLOT_CHECK_TEXT_MAX = 2 * BALLOT_BYTES_MAX + 2 * 65 * CONTESTS_MAX * BOXES_MAX + 4096;

const hex = (bytes: number) =>
  z.string().regex(new RegExp(`^[0-9a-f]{${bytes * 2}}$`), `expected ${bytes} bytes as hex`);

export const ballotCheckRecordSchema = z.strictObject({
  format: z.literal(BALLOT_CHECK_FORMAT),
  election: z.string().min(1).max(64),
  /** The voter's credential public key (the proofs are bound to it). */
  credential: hex(32),
  /** The election key the device encrypted with. */
  publicKey: hex(32),
  /** sha256 of the ballot bytes: the tracker the device showed before the voter chose to check. */
  tracker: hex(32),
  ballot: z
    .string()
    .max(2 * BALLOT_BYTES_MAX)
    .regex(/^([0-9a-f]{2})+$/, 'expected the ballot as hex'),
  /** Per contest, per box: 1 where the device says the voter marked the choice. */
  votes: z
    .array(z.array(z.number().int().min(0).max(1)).min(1).max(BOXES_MAX))
    .min(1)
    .max(CONTESTS_MAX),
  /** Per contest, per box: the ElGamal randomness r (32-byte scalar, hex). */
  randomness: z
    .array(z.array(hex(32)).min(1).max(BOXES_MAX))
    .min(1)
    .max(CONTESTS_MAX),
});
export type BallotCheckRecord = z.infer<typeof ballotCheckRecordSchema>;

export class BallotCheckError extends Error {
  constructor(
    readonly code: 'BALLOT_CHECK_MALFORMED' | 'BALLOT_CHECK_WRONG_ELECTION' | 'BALLOT_CHECK_TRACKER',
    sentence: string,
  ) {
    super(sentence);
    this.name = 'BallotCheckError';
  }
}

export function ballotCheckRecord(input: {
  election: string;
  credential: string;
  publicKey: string;
  ballot: Uint8Array;
  opening: BallotOpening;
}): BallotCheckRecord {
  return {
    format: BALLOT_CHECK_FORMAT,
    election: input.election,
    credential: input.credential,
    publicKey: input.publicKey,
    tracker: sha256Hex(input.ballot),
    ballot: bytesToHex(input.ballot),
    votes: input.opening.votes.map((contest) => [...contest]),
    randomness: input.opening.nonces.map((contest) => contest.map(bytesToHex)),
  };
}

export function parseBallotCheckRecord(text: string): BallotCheckRecord {
  // REJECT: more text than any record holds (checked before parsing)
  if (text.length > BALLOT_CHECK_TEXT_MAX)
    throw new BallotCheckError('BALLOT_CHECK_MALFORMED', 'the text is longer than any ballot check record');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new BallotCheckError('BALLOT_CHECK_MALFORMED', 'the text is not a ballot check record (not JSON)');
  }
  const parsed = ballotCheckRecordSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new BallotCheckError(
      'BALLOT_CHECK_MALFORMED',
      `the ballot check record is malformed${issue?.path.length ? ` at ${issue.path.join('.')}` : ''}: ${issue?.message}`,
    );
  }
  return parsed.data;
}

/** The election as the network publishes it: the checker takes the key and questions from here. */
export interface ElectionForCheck {
  id: string;
  publicKey: string;
  contests: readonly { choices: readonly string[]; min: number; max: number }[];
}

/**
 * Checks a record against the election the network publishes: the same election and key, the
 * tracker is the ballot's hash, the ballot's proofs verify, and every box holds the vote
 * claimed with the randomness revealed. Throws a BallotCheckError or an ElectionCryptoError
 * naming the first failure; answers the tracker and the votes checked.
 */
export function checkBallotRecord(
  group: Group,
  record: BallotCheckRecord,
  election: ElectionForCheck,
): { tracker: string; votes: number[][] } {
  // REJECT: a record for another election, or encrypted with another key than the network's
  if (record.election !== election.id)
    throw new BallotCheckError(
      'BALLOT_CHECK_WRONG_ELECTION',
      `the record is for election ${record.election}, not ${election.id}`,
    );
  if (record.publicKey !== election.publicKey)
    throw new BallotCheckError(
      'BALLOT_CHECK_WRONG_ELECTION',
      "the ballot was encrypted with another key than the election's key on the network",
    );
  const bytes = hexToBytes(record.ballot);
  // REJECT: ballot bytes that are not the ones whose tracker the voter saw
  if (sha256Hex(bytes) !== record.tracker)
    throw new BallotCheckError('BALLOT_CHECK_TRACKER', "the ballot's bytes do not have the tracker shown");
  const shapes: ContestShape[] = election.contests.map((contest) => ({
    boxes: contest.choices.length,
    min: contest.min,
    max: contest.max,
  }));
  const context = {
    electionId: utf8(election.id),
    publicKey: hexToBytes(election.publicKey),
    credential: hexToBytes(record.credential),
  };
  const ballot = decodeBallot(group, bytes);
  verifyBallot(group, context, shapes, ballot);
  checkBallotOpening(group, context, shapes, ballot, {
    votes: record.votes,
    nonces: record.randomness.map((contest) => contest.map(hexToBytes)),
  });
  return { tracker: record.tracker, votes: record.votes };
}
