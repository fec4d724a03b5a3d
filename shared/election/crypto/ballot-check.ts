// Checking a ballot before casting (docs/elections.md C.6, a Benaloh challenge): the device
// reveals the votes and the randomness it claims to have encrypted; anyone recomputes each
// box's ElGamal encryption Enc(m; r) = (g^r, g^m · h^r) with the election key and compares it
// byte for byte with the ballot's ciphertext. A challenged ballot is never cast.
import { bytesEqual } from '../../codec/index.js';
import type { Ballot, BallotContext, BallotOpening, ContestShape } from './ballot.js';
import { checkContext, checkShapes } from './ballot.js';
import { encrypt } from './elgamal.js';
import { fail } from './errors.js';
import { SCALAR_BYTES, isCanonicalScalar, isZero, type Group } from './group.js';

/**
 * Throws at the first box whose revealed vote and randomness do not make its ciphertext
 * (`ELECTION_BALLOT_CHECK_FAILED`, naming contest and box), or at a malformed opening.
 */
export function checkBallotOpening(
  group: Group,
  context: BallotContext,
  shapes: readonly ContestShape[],
  ballot: Ballot,
  opening: BallotOpening,
): void {
  checkContext(group, context);
  checkShapes(shapes);
  // REJECT: an opening or ballot for another set of contests
  if (ballot.contests.length !== shapes.length || opening.votes.length !== shapes.length) {
    fail('ELECTION_BALLOT_SHAPE_INVALID', `the ballot and its opening must have ${shapes.length} contests`);
  }
  if (opening.nonces.length !== shapes.length) {
    fail('ELECTION_BALLOT_SHAPE_INVALID', `the opening must have randomness for ${shapes.length} contests`);
  }
  shapes.forEach((shape, q) => {
    const boxes = ballot.contests[q]!.boxes;
    const votes = opening.votes[q]!;
    const nonces = opening.nonces[q]!;
    // REJECT: a box too many or too few anywhere
    if (boxes.length !== shape.boxes || votes.length !== shape.boxes || nonces.length !== shape.boxes) {
      fail('ELECTION_BALLOT_SHAPE_INVALID', `contest ${q} has ${shape.boxes} boxes`, { contest: q });
    }
    // REJECT: claimed votes that no valid ballot holds
    if (votes.some((m) => m !== 0 && m !== 1)) {
      fail('ELECTION_BALLOT_SHAPE_INVALID', `the votes claimed in contest ${q} are not all 0 or 1`, { contest: q });
    }
    const marked = votes.reduce((a, b) => a + b, 0);
    if (marked < shape.min || marked > shape.max) {
      fail('ELECTION_BALLOT_SHAPE_INVALID', `contest ${q} allows ${shape.min} to ${shape.max} marks, not ${marked}`, {
        contest: q,
      });
    }
    boxes.forEach((box, b) => {
      const r = nonces[b]!;
      // REJECT: randomness that is not a canonical non-zero scalar (A.1 draws it non-zero)
      if (!(r instanceof Uint8Array) || r.length !== SCALAR_BYTES || !isCanonicalScalar(r) || isZero(r)) {
        fail('ELECTION_ENCODING_INVALID', `the randomness of box ${b} of contest ${q} is not a canonical scalar`, {
          contest: q,
          box: b,
        });
      }
      const expected = encrypt(group, context.publicKey, votes[b]!, r);
      // REJECT: the device encrypted something else than it claims
      if (!bytesEqual(expected.alpha, box.alpha) || !bytesEqual(expected.beta, box.beta)) {
        fail(
          'ELECTION_BALLOT_CHECK_FAILED',
          `box ${b} of contest ${q} does not hold the vote ${votes[b]} with the randomness revealed`,
          { contest: q, box: b },
        );
      }
    });
  });
}
