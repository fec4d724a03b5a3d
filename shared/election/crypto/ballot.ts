// A ballot (docs/elections.md A.4): per contest, one ciphertext per box with a proof that it
// holds 0 or 1, and a proof that the contest's total lies in [min, max]. Every challenge hashes
// the election, the key, the voter's credential, the positions and every ciphertext of the
// contest, so no proof can be moved to another ballot, box or election [REQ-ELECTION-FS.1].
import { addCiphertexts, encrypt, sumCiphertexts, zeroCiphertext, type Ciphertext } from './elgamal.js';
import { fail } from './errors.js';
import { ELEMENT_BYTES, isCanonicalScalar, isIdentity, type Group } from './group.js';
import { DOMAIN, randomScalar, systemRandom, u32, type RandomSource } from './hash.js';
import { proveDisjunctive, verifyDisjunctive, type FiatShamir, type SigmaProof } from './proofs.js';

export const CONTESTS_MAX = 16;
export const BOXES_MAX = 64;
export const ELECTION_ID_BYTES_MAX = 64;
export const CREDENTIAL_BYTES = 32;

/** What every proof of one voter's ballot is bound to. */
export interface BallotContext {
  electionId: Uint8Array;
  /** The election public key h. */
  publicKey: Uint8Array;
  /** The voter's credential public key (opaque 32 bytes here; the module checks signatures). */
  credential: Uint8Array;
}

/** A contest (question): its number of boxes and how many of them a voter may mark. */
export interface ContestShape {
  boxes: number;
  min: number;
  max: number;
}

export interface BoxEntry extends Ciphertext {
  proof: SigmaProof;
}

export interface ContestEntry {
  boxes: BoxEntry[];
  /** Proof that the sum of the boxes encrypts a value in [min, max]. */
  proof: SigmaProof;
}

export interface Ballot {
  contests: ContestEntry[];
}

export function checkShapes(shapes: readonly ContestShape[]): void {
  // REJECT: an election with no contest or more than the wire form carries
  if (shapes.length < 1 || shapes.length > CONTESTS_MAX) {
    fail('ELECTION_PARAMETERS_INVALID', `an election has 1 to ${CONTESTS_MAX} contests, not ${shapes.length}`);
  }
  shapes.forEach((shape, q) => {
    const { boxes, min, max } = shape;
    // REJECT: bounds no ballot can meet, or a contest too wide for the wire form
    if (!Number.isInteger(boxes) || boxes < 1 || boxes > BOXES_MAX) {
      fail('ELECTION_PARAMETERS_INVALID', `contest ${q} has ${boxes} boxes, not 1 to ${BOXES_MAX}`, { contest: q });
    }
    if (!Number.isInteger(min) || !Number.isInteger(max) || min < 0 || min > max || max > boxes) {
      fail('ELECTION_PARAMETERS_INVALID', `contest ${q}'s bounds ${min}..${max} do not fit its ${boxes} boxes`, {
        contest: q,
      });
    }
  });
}

export function checkContext(group: Group, context: BallotContext): void {
  const { electionId, publicKey, credential } = context;
  if (!(electionId instanceof Uint8Array) || electionId.length < 1 || electionId.length > ELECTION_ID_BYTES_MAX) {
    fail('ELECTION_PARAMETERS_INVALID', `an election id is 1 to ${ELECTION_ID_BYTES_MAX} bytes`);
  }
  // REJECT: a public key that is not an element, or the identity (it would encrypt in the clear)
  if (!group.isElement(publicKey) || isIdentity(publicKey)) {
    fail('ELECTION_PARAMETERS_INVALID', 'the election public key is not a non-identity ristretto255 element');
  }
  if (!(credential instanceof Uint8Array) || credential.length !== CREDENTIAL_BYTES) {
    fail('ELECTION_PARAMETERS_INVALID', `a credential key is ${CREDENTIAL_BYTES} bytes`);
  }
}

function range(min: number, max: number): number[] {
  return Array.from({ length: max - min + 1 }, (_, i) => min + i);
}

function contestItems(boxes: readonly Ciphertext[]): Uint8Array[] {
  return boxes.flatMap((box) => [box.alpha, box.beta]);
}

/**
 * The Fiat–Shamir statement of box b of contest q (A.4's table): its own ciphertext and its
 * position, as Belenios and ElectionGuard hash, so a changed box fails its own proof.
 */
export function boxStatement(context: BallotContext, q: number, b: number, box: Ciphertext): FiatShamir {
  return {
    domain: DOMAIN.box,
    statement: [context.electionId, context.publicKey, context.credential, u32(q), u32(b), box.alpha, box.beta],
  };
}

/** The Fiat–Shamir statement of contest q's total proof (A.4's table). */
export function contestStatement(
  context: BallotContext,
  q: number,
  shape: ContestShape,
  boxes: readonly Ciphertext[],
  total: Ciphertext,
): FiatShamir {
  return {
    domain: DOMAIN.contest,
    statement: [
      context.electionId,
      context.publicKey,
      context.credential,
      u32(q),
      u32(shape.min),
      u32(shape.max),
      u32(boxes.length),
      ...contestItems(boxes),
      total.alpha,
      total.beta,
    ],
  };
}

/** `votes[q][b]` is 1 if the voter marks box b of contest q. */
export function createBallot(
  group: Group,
  context: BallotContext,
  shapes: readonly ContestShape[],
  votes: readonly (readonly number[])[],
  random: RandomSource = systemRandom,
): Ballot {
  return createOpenedBallot(group, context, shapes, votes, random).ballot;
}

/**
 * What a ballot's encryption used: per contest, per box, the vote and the ElGamal randomness
 * `r_b`. Revealed only for a ballot the voter challenges and never casts (docs/elections.md C.6).
 */
export interface BallotOpening {
  votes: number[][];
  nonces: Uint8Array[][];
}

/**
 * createBallot, also returning the randomness of every box (the same draws in the same order,
 * so the same bytes): the voter's device keeps it to open the ballot if the voter challenges it.
 */
export function createOpenedBallot(
  group: Group,
  context: BallotContext,
  shapes: readonly ContestShape[],
  votes: readonly (readonly number[])[],
  random: RandomSource = systemRandom,
): { ballot: Ballot; opening: BallotOpening } {
  const opening: BallotOpening = { votes: [], nonces: [] };
  checkContext(group, context);
  checkShapes(shapes);
  if (votes.length !== shapes.length) fail('ELECTION_BALLOT_SHAPE_INVALID', 'one list of votes per contest');
  const contests = shapes.map((shape, q): ContestEntry => {
    const marks = votes[q] as readonly number[];
    if (marks.length !== shape.boxes || marks.some((m) => m !== 0 && m !== 1)) {
      fail('ELECTION_BALLOT_SHAPE_INVALID', `contest ${q} needs ${shape.boxes} votes of 0 or 1`, { contest: q });
    }
    const marked = marks.reduce((a, b) => a + b, 0);
    if (marked < shape.min || marked > shape.max) {
      fail('ELECTION_BALLOT_SHAPE_INVALID', `contest ${q} allows ${shape.min} to ${shape.max} marks, not ${marked}`, {
        contest: q,
      });
    }
    const nonces = marks.map(() => randomScalar(group, random));
    opening.votes.push([...marks]);
    opening.nonces.push(nonces);
    const ciphertexts = marks.map((m, b) => encrypt(group, context.publicKey, m, nonces[b] as Uint8Array));
    const boxes = ciphertexts.map((ciphertext, b): BoxEntry => {
      const fs = boxStatement(context, q, b, ciphertext);
      const m = marks[b] as number;
      const proof = proveDisjunctive(
        group,
        context.publicKey,
        ciphertext.alpha,
        ciphertext.beta,
        [0, 1],
        m,
        nonces[b] as Uint8Array,
        fs,
        random,
      );
      return { ...ciphertext, proof };
    });
    const total = sumCiphertexts(group, ciphertexts);
    const totalNonce = nonces.reduce((a, r) => group.scalarAdd(a, r), new Uint8Array(32));
    const proof = proveDisjunctive(
      group,
      context.publicKey,
      total.alpha,
      total.beta,
      range(shape.min, shape.max),
      marked - shape.min,
      totalNonce,
      contestStatement(context, q, shape, ciphertexts, total),
      random,
    );
    return { boxes, proof };
  });
  return { ballot: { contests }, opening };
}

function checkProofScalars(proof: SigmaProof, length: number): boolean {
  return (
    proof.c.length === length &&
    proof.z.length === length &&
    proof.c.every(isCanonicalScalar) &&
    proof.z.every(isCanonicalScalar)
  );
}

function checkBallotElement(group: Group, element: Uint8Array): boolean {
  return (
    element instanceof Uint8Array &&
    element.length === ELEMENT_BYTES &&
    group.isElement(element) &&
    !isIdentity(element)
  );
}

/**
 * [REQ-ELECTION-BALLOT.1] Throws at the first thing that fails, naming the contest and box:
 * the shape, an element or scalar, a box proof, then the contest proof.
 */
export function verifyBallot(
  group: Group,
  context: BallotContext,
  shapes: readonly ContestShape[],
  ballot: Ballot,
): void {
  checkContext(group, context);
  checkShapes(shapes);
  // REJECT: a ballot for another set of contests
  if (ballot.contests.length !== shapes.length) {
    fail(
      'ELECTION_BALLOT_SHAPE_INVALID',
      `the ballot has ${ballot.contests.length} contests, the election has ${shapes.length}`,
    );
  }
  ballot.contests.forEach((contest, q) => {
    const shape = shapes[q] as ContestShape;
    // REJECT: a box too many or too few
    if (contest.boxes.length !== shape.boxes) {
      fail(
        'ELECTION_BALLOT_SHAPE_INVALID',
        `the ballot has ${contest.boxes.length} boxes in contest ${q}, the election has ${shape.boxes}`,
        { contest: q },
      );
    }
    contest.boxes.forEach((box, b) => {
      // REJECT: a ciphertext that is not two non-identity elements (A.1)
      if (!checkBallotElement(group, box.alpha) || !checkBallotElement(group, box.beta)) {
        fail('ELECTION_ENCODING_INVALID', `box ${b} of contest ${q} is not two non-identity ristretto255 elements`, {
          contest: q,
          box: b,
        });
      }
      // REJECT: a proof of the wrong length or with a scalar at or above L
      if (!checkProofScalars(box.proof, 2)) {
        fail('ELECTION_ENCODING_INVALID', `the proof of box ${b} of contest ${q} is not 2 + 2 canonical scalars`, {
          contest: q,
          box: b,
        });
      }
    });
    // REJECT: a contest proof of the wrong length or with a scalar at or above L
    if (!checkProofScalars(contest.proof, shape.max - shape.min + 1)) {
      fail(
        'ELECTION_ENCODING_INVALID',
        `the total proof of contest ${q} is not ${shape.max - shape.min + 1} + ${shape.max - shape.min + 1} canonical scalars`,
        {
          contest: q,
        },
      );
    }
    contest.boxes.forEach((box, b) => {
      // REJECT: a box that does not provably hold 0 or 1, for this election, credential and position
      if (
        !verifyDisjunctive(
          group,
          context.publicKey,
          box.alpha,
          box.beta,
          [0, 1],
          box.proof,
          boxStatement(context, q, b, box),
        )
      ) {
        fail('ELECTION_PROOF_INVALID', `the proof of box ${b} of contest ${q} does not verify`, { contest: q, box: b });
      }
    });
    const total = sumCiphertexts(group, contest.boxes);
    // REJECT: a contest whose marks are not provably within its bounds
    if (
      !verifyDisjunctive(
        group,
        context.publicKey,
        total.alpha,
        total.beta,
        range(shape.min, shape.max),
        contest.proof,
        contestStatement(context, q, shape, contest.boxes, total),
      )
    ) {
      fail('ELECTION_PROOF_INVALID', `the total proof of contest ${q} does not verify`, { contest: q });
    }
  });
}

/** Totals per contest and box, each the encryption of 0 until ballots are added. */
export function emptyTotals(shapes: readonly ContestShape[]): Ciphertext[][] {
  return shapes.map((shape) => Array.from({ length: shape.boxes }, zeroCiphertext));
}

/** Adds a verified ballot's boxes to the totals (a new array; the old one is left as it was). */
export function addBallot(group: Group, totals: readonly (readonly Ciphertext[])[], ballot: Ballot): Ciphertext[][] {
  if (totals.length !== ballot.contests.length) throw new RangeError('totals and ballot differ in contests');
  return totals.map((contest, q) => {
    const boxes = (ballot.contests[q] as ContestEntry).boxes;
    if (boxes.length !== contest.length) throw new RangeError('totals and ballot differ in boxes');
    return contest.map((total, b) => addCiphertexts(group, total, boxes[b] as Ciphertext));
  });
}
