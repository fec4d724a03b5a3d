// The election module on the real ledger (docs/elections.md part B): the commission creates an
// election, five trustees make a 3-of-5 key on chain, offices register credentials, voters
// cast and re-cast, and three trustees' partial decryptions give counts equal to a plain count
// of the last ballots. Each refusal names its reject code.
import { beforeAll, describe, expect, it } from 'vitest';
import { utf8 } from '../../../shared/codec/index.js';
import { sha256, type KeyPair } from '../../../shared/crypto/index.js';
import {
  combineShares,
  createBallot,
  decodeBallot,
  decodeDealing,
  deal,
  encodeBallot,
  encodeComplaint,
  encodeComplaintAnswer,
  encodeDealing,
  encodePartialDecryption,
  openShare,
  partialDecrypt,
  scalarFromInteger,
  sealedBoxes,
  sealShares,
  shareFor,
  sodiumGroup,
  type DealerSecret,
  type DkgParameters,
  type Group,
  type SealedBoxes,
} from '../../../shared/election/crypto/index.js';
import { RejectCode } from '../../../shared/ledger/index.js';
import { ciphertextsOf } from '../../../shared/modules/election/checks.js';
import { loadElectionGroup } from '../../../shared/modules/election/group.js';
import { credentialOf, electionStatusOf, rollOf, tallyOf } from '../../../shared/modules/election/keeper.js';
import { MapStateReader } from '../../../shared/ledger/state.js';
import { keyOf, keys } from '../../support/ledger-fixtures.js';
import { seededRandom } from '../../unit/election-fixtures.js';
import { hex, shapes, StrictLedger, times, trustees, tx, type Trustee } from './fixtures.js';

const registrars = [keys.registrar1, keys.registrar2, keys.registrar3];
const ID = 'ref-2026';
const OTHER = 'mayor-2026';

let group: Group;
let boxes: SealedBoxes;
let board: Trustee[];
let ledger: StrictLedger;
const secrets = new Map<number, DealerSecret>();
const voters = Array.from({ length: 6 }, (_, i) => keyOf(`voter-${i + 1}`));
const outsider = keyOf('voter-of-mayor');

function definition(id: string, overrides: object = {}) {
  return {
    id,
    title: 'Referendum on the city budget',
    contests: [
      { title: 'Approve the budget?', choices: ['yes', 'no'], min: 1, max: 1 },
      { title: 'Council seats', choices: ['Ann', 'Boris', 'Chen'], min: 0, max: 2 },
    ],
    districts: ['Minsk', 'Brest'],
    trustees: board.map((trustee) => ({ key: trustee.key.publicKey, transportKey: hex(trustee.transport.publicKey) })),
    threshold: 3,
    rollMax: 10,
    ...times,
    ...overrides,
  };
}

const parameters = (): DkgParameters => ({ electionId: utf8(ID), trustees: 5, threshold: 3 });
const state = () => new MapStateReader(ledger.state);
const publicKey = () => electionStatusOf(state(), ID)!.publicKey!;

function rejected(outcome: unknown, code: string, sentence?: RegExp): void {
  expect(outcome).toMatchObject({ ok: false, code });
  if (sentence) expect((outcome as { sentence: string }).sentence).toMatch(sentence);
}

function ballotOf(voter: KeyPair, votes: number[][], seed: number, electionId = ID): Uint8Array {
  const context = {
    electionId: utf8(electionId),
    publicKey: publicKey(),
    credential: Buffer.from(voter.publicKey, 'hex'),
  };
  return encodeBallot(createBallot(group, context, shapes, votes, seededRandom(seed)));
}

function dealingOf(dealer: number): Uint8Array {
  const { dealing, secret } = deal(group, parameters(), dealer, seededRandom(100 + dealer));
  secrets.set(dealer, secret);
  const transport = board.map((trustee) => trustee.transport.publicKey);
  return encodeDealing({ ...dealing, sealed: sealShares(group, boxes, parameters(), secret, transport) });
}

/** Trustee j's share x_j, from the sealed shares of the qualified dealers on chain. */
function secretShareOf(j: number, qualified: number[], dealings: Map<number, Uint8Array>): Uint8Array {
  const shares = new Map<number, Uint8Array>();
  for (const i of qualified) {
    if (i === j) shares.set(i, shareFor(group, secrets.get(i)!, j));
    else {
      const message = dealings.get(i)!;
      const sealed = decodeDealing(group, message).sealed.find((share) => share.recipient === j)!;
      shares.set(i, openShare(boxes, parameters(), i, sealed, board[j - 1]!.transport));
    }
  }
  return combineShares(group, qualified, shares);
}

beforeAll(async () => {
  await loadElectionGroup();
  group = await sodiumGroup();
  boxes = await sealedBoxes();
  board = trustees(boxes, 5);
  ledger = new StrictLedger({ protocolVersion: 3 });
});

const dealings = new Map<number, Uint8Array>();
const lastVotes = new Map<string, number[][]>();

describe('an election on the ledger', () => {
  it('is NOT_YET_ENABLED on a chain before protocol 3', () => {
    const old = new StrictLedger({ protocolVersion: 2 });
    rejected(
      old.apply(tx('election.create', definition(ID), ...registrars))[0],
      RejectCode.notYetEnabled,
      /protocol version 3/,
    );
  });

  it('is refused without more than 2/3 of the registrars (QUORUM_NOT_MET) or from a notary (UNEXPECTED_SIGNER)', () => {
    rejected(
      ledger.apply(tx('election.create', definition(ID), keys.registrar1, keys.registrar2))[0],
      RejectCode.quorumNotMet,
    );
    rejected(
      ledger.apply(tx('election.create', definition(ID), ...registrars, keys.notary))[0],
      RejectCode.unexpectedSigner,
    );
  });

  it('is refused when its deadlines, threshold or trustees do not hold together (ELECTION_PARAMETERS_INVALID)', () => {
    const late = definition(ID, { answersUntilMs: times.opensAtMs + 1 });
    rejected(
      ledger.apply(tx('election.create', late, ...registrars))[0],
      RejectCode.parametersInvalid,
      /opensAtMs is before answersUntilMs/,
    );
    const high = definition(ID, { threshold: 6 });
    rejected(
      ledger.apply(tx('election.create', high, ...registrars))[0],
      RejectCode.parametersInvalid,
      /threshold 6 is above the 5/,
    );
    const bounds = definition(ID, { contests: [{ title: 'q', choices: ['a'], min: 2, max: 2 }] });
    rejected(
      ledger.apply(tx('election.create', bounds, ...registrars))[0],
      RejectCode.parametersInvalid,
      /bounds 2..2/,
    );
  });

  it('is created by more than 2/3 of the registrars, once (ELECTION_EXISTS)', () => {
    expect(ledger.apply(tx('election.create', definition(ID), ...registrars))[0]).toMatchObject({ ok: true });
    expect(ledger.apply(tx('election.create', definition(OTHER), ...registrars))[0]).toMatchObject({ ok: true });
    rejected(ledger.apply(tx('election.create', definition(ID), ...registrars))[0], RejectCode.electionExists);
    expect(electionStatusOf(state(), ID)).toMatchObject({ phase: 'keygen' });
    expect(tallyOf(state(), ID)).toMatchObject({ ballots: 0, voters: 0 });
  });
});

describe('the key generation on chain, 3 of 5', () => {
  it('takes one valid dealing per trustee, signed by that trustee', () => {
    for (let i = 1; i <= 5; i++) dealings.set(i, dealingOf(i));
    rejected(
      ledger.apply(tx('election.dkg.deal', { election: ID, dealing: dealings.get(1)! }, board[1]!.key))[0],
      RejectCode.notTrustee,
      /not trustee 1/,
    );
    const outcomes = ledger.apply(
      ...[1, 2, 3, 4, 5].map((i) =>
        tx('election.dkg.deal', { election: ID, dealing: dealings.get(i)! }, board[i - 1]!.key),
      ),
    );
    expect(outcomes.every((outcome) => outcome.ok)).toBe(true);
    rejected(
      ledger.apply(tx('election.dkg.deal', { election: ID, dealing: dealingOf(1) }, board[0]!.key))[0],
      RejectCode.duplicateDealing,
    );
  });

  it('records a complaint and its answer; a wrong answer is refused (ELECTION_DKG_SHARE_INVALID) and stays open', () => {
    const complaint = encodeComplaint({ dealer: 1, recipient: 2 });
    expect(ledger.apply(tx('election.dkg.complain', { election: ID, complaint }, board[1]!.key))[0]).toMatchObject({
      ok: true,
    });
    rejected(
      ledger.apply(tx('election.dkg.complain', { election: ID, complaint }, board[1]!.key))[0],
      RejectCode.duplicateComplaint,
    );
    // trustee 3 complains about dealer 5, who never answers
    const unanswered = encodeComplaint({ dealer: 5, recipient: 3 });
    expect(
      ledger.apply(tx('election.dkg.complain', { election: ID, complaint: unanswered }, board[2]!.key))[0],
    ).toMatchObject({ ok: true });
    const wrong = encodeComplaintAnswer({ dealer: 1, recipient: 2, share: scalarFromInteger(42) });
    rejected(
      ledger.apply(tx('election.dkg.answer', { election: ID, answer: wrong }, board[0]!.key))[0],
      RejectCode.dkgShareInvalid,
      /trustee 1 revealed for trustee 2/,
    );
    const right = encodeComplaintAnswer({ dealer: 1, recipient: 2, share: shareFor(group, secrets.get(1)!, 2) });
    expect(ledger.apply(tx('election.dkg.answer', { election: ID, answer: right }, board[0]!.key))[0]).toMatchObject({
      ok: true,
    });
    rejected(
      ledger.apply(tx('election.dkg.answer', { election: ID, answer: right }, board[0]!.key))[0],
      RejectCode.noComplaint,
    );
  });

  it('refuses a dealing after its deadline (ELECTION_STEP_CLOSED) and the key before the answers close (ELECTION_STEP_NOT_OPEN)', () => {
    ledger.at(times.dealsUntilMs);
    rejected(
      ledger.apply(tx('election.dkg.deal', { election: ID, dealing: dealings.get(2)! }, board[1]!.key))[0],
      RejectCode.stepClosed,
    );
    rejected(ledger.apply(tx('election.key', { election: ID }, board[0]!.key))[0], RejectCode.stepNotOpen);
  });

  it('fixes the key from the state: the dealer of an unanswered complaint is disqualified', () => {
    ledger.at(times.answersUntilMs);
    rejected(ledger.apply(tx('election.key', { election: ID }, keys.alice))[0], RejectCode.notAuthorized);
    expect(ledger.apply(tx('election.key', { election: ID }, keys.registrar2))[0]).toMatchObject({ ok: true });
    const status = electionStatusOf(state(), ID)!;
    expect(status).toMatchObject({ phase: 'voting', qualified: [1, 2, 3, 4] });
    expect(status.disqualified![0]).toMatchObject({ dealer: 5 });
    rejected(ledger.apply(tx('election.key', { election: ID }, board[0]!.key))[0], RejectCode.keyFixed);
  });
});

describe('the roll', () => {
  it('takes credentials from a notary or registrar office, counted per district', () => {
    const minsk = voters.slice(0, 4).map((voter) => voter.publicKey);
    const brest = voters.slice(4).map((voter) => voter.publicKey);
    expect(
      ledger.apply(
        tx('election.credential.register', { election: ID, district: 'Minsk', credentials: minsk }, keys.notary),
      )[0],
    ).toMatchObject({ ok: true });
    expect(
      ledger.apply(
        tx('election.credential.register', { election: ID, district: 'Brest', credentials: brest }, keys.registrar1),
      )[0],
    ).toMatchObject({ ok: true });
    expect(
      ledger.apply(
        tx(
          'election.credential.register',
          { election: OTHER, district: 'Minsk', credentials: [outsider.publicKey] },
          keys.notary,
        ),
      )[0],
    ).toMatchObject({ ok: true });
    expect(rollOf(state(), ID)).toEqual({ size: 6, districts: [4, 2] });
    expect(credentialOf(state(), voters[0]!.publicKey)).toMatchObject({
      election: ID,
      district: 'Minsk',
      office: keys.notary.publicKey,
    });
  });

  it('refuses a credential registered already, in any election (ELECTION_CREDENTIAL_EXISTS)', () => {
    const again = { election: OTHER, district: 'Minsk', credentials: [voters[0]!.publicKey] };
    rejected(
      ledger.apply(tx('election.credential.register', again, keys.notary))[0],
      RejectCode.credentialExists,
      /on the roll of ref-2026/,
    );
  });

  it('refuses an unknown district, a bank, and a roll past its bound', () => {
    const fresh = [keyOf('voter-x').publicKey];
    rejected(
      ledger.apply(
        tx('election.credential.register', { election: ID, district: 'Gomel', credentials: fresh }, keys.notary),
      )[0],
      RejectCode.unknownDistrict,
    );
    rejected(
      ledger.apply(
        tx('election.credential.register', { election: ID, district: 'Minsk', credentials: fresh }, keys.bank),
      )[0],
      RejectCode.notAuthorized,
    );
    const many = Array.from({ length: 5 }, (_, i) => keyOf(`voter-extra-${i}`).publicKey);
    rejected(
      ledger.apply(
        tx('election.credential.register', { election: ID, district: 'Minsk', credentials: many }, keys.notary),
      )[0],
      RejectCode.rollFull,
    );
  });
});

describe('casting', () => {
  const cast = (voter: KeyPair, ballot: Uint8Array, election = ID) =>
    ledger.apply(tx('election.cast', { election, ballot }, voter))[0];

  it('refuses a ballot before the window opens (ELECTION_OUTSIDE_WINDOW)', () => {
    rejected(
      cast(
        voters[0]!,
        ballotOf(
          voters[0]!,
          [
            [1, 0],
            [0, 0, 0],
          ],
          1,
        ),
      ),
      RejectCode.outsideWindow,
      /opens at/,
    );
  });

  it('takes ballots in the window; a re-vote replaces the earlier ballot in the totals', () => {
    ledger.at(times.opensAtMs);
    const plan: [number, number[][]][] = [
      [
        0,
        [
          [1, 0],
          [1, 1, 0],
        ],
      ],
      [
        1,
        [
          [0, 1],
          [0, 0, 1],
        ],
      ],
      [
        2,
        [
          [1, 0],
          [0, 0, 0],
        ],
      ],
      [
        3,
        [
          [1, 0],
          [0, 1, 1],
        ],
      ],
      [
        4,
        [
          [0, 1],
          [1, 0, 0],
        ],
      ],
      [
        0,
        [
          [0, 1],
          [0, 0, 1],
        ],
      ], // voter 1 changes its mind
      [
        1,
        [
          [1, 0],
          [1, 1, 0],
        ],
      ], // and voter 2, twice
      [
        1,
        [
          [0, 1],
          [0, 1, 0],
        ],
      ],
    ];
    plan.forEach(([v, votes], k) => {
      const voter = voters[v]!;
      const ballot = ballotOf(voter, votes, 1000 + k);
      expect(cast(voter, ballot)).toMatchObject({ ok: true });
      lastVotes.set(voter.publicKey, votes);
      expect(credentialOf(state(), voter.publicKey)!.ballot!.hash).toBe(hex(sha256(ballot)));
    });
    expect(tallyOf(state(), ID)).toMatchObject({ ballots: 8, voters: 5 });
  });

  it('refuses a credential on no roll (ELECTION_NOT_ON_ROLL) and one of another election (ELECTION_WRONG_ELECTION)', () => {
    const stranger = keyOf('stranger');
    rejected(
      cast(
        stranger,
        ballotOf(
          stranger,
          [
            [1, 0],
            [0, 0, 0],
          ],
          7,
        ),
      ),
      RejectCode.notOnRoll,
    );
    rejected(
      cast(
        outsider,
        ballotOf(
          outsider,
          [
            [1, 0],
            [0, 0, 0],
          ],
          8,
        ),
      ),
      RejectCode.wrongElection,
      /on the roll of mayor-2026, not ref-2026/,
    );
  });

  it('refuses a ballot made for another election: its first proof fails (ELECTION_PROOF_INVALID, box 0 of contest 0)', () => {
    const voter = voters[5]!;
    rejected(
      cast(
        voter,
        ballotOf(
          voter,
          [
            [1, 0],
            [0, 0, 0],
          ],
          9,
          OTHER,
        ),
      ),
      RejectCode.proofInvalid,
      /box 0 of contest 0/,
    );
  });

  /** A ballot whose proof of box 2 of contest 1 was changed after it was made. */
  const tamperedBallot = (voter: KeyPair, nonce: number) => {
    const ballot = decodeBallot(
      group,
      ballotOf(
        voter,
        [
          [1, 0],
          [1, 0, 0],
        ],
        nonce,
      ),
    );
    ballot.contests[1]!.boxes[2]!.proof.z[0] = scalarFromInteger(7);
    return ballot;
  };

  it('refuses a tampered proof, naming the box (ELECTION_PROOF_INVALID)', () => {
    const voter = voters[5]!;
    const ballot = tamperedBallot(voter, 10);
    rejected(
      cast(voter, encodeBallot(ballot)),
      RejectCode.proofInvalid,
      /the proof of box 2 of contest 1 does not verify/,
    );
    expect(credentialOf(state(), voter.publicKey)!.ballot).toBeUndefined();
  });

  it("applies a certified block's ballot without verifying its proofs again, with every other rule", () => {
    const voter = voters[5]!;
    const tampered = tamperedBallot(voter, 11);
    // on a copy of the chain: the later tests count the ballots cast so far
    const kept = { state: new Map(ledger.state), height: ledger.height, timeMs: ledger.timeMs };
    ledger.certified = true;
    try {
      // more than two thirds of the validators checked the proofs before signing the block (decision #33)
      const stranger = keyOf('stranger');
      rejected(
        cast(
          stranger,
          ballotOf(
            stranger,
            [
              [1, 0],
              [0, 0, 0],
            ],
            12,
          ),
        ),
        RejectCode.notOnRoll,
      );
      expect(cast(voter, encodeBallot(tampered))).toMatchObject({ ok: true });
      expect(credentialOf(state(), voter.publicKey)!.ballot).toBeDefined();
    } finally {
      Object.assign(ledger, kept, { certified: false });
    }
  });

  it('refuses a ballot at the close of the window (ELECTION_OUTSIDE_WINDOW)', () => {
    ledger.at(times.closesAtMs);
    rejected(
      cast(
        voters[5]!,
        ballotOf(
          voters[5]!,
          [
            [1, 0],
            [0, 0, 0],
          ],
          11,
        ),
      ),
      RejectCode.outsideWindow,
      /closed at/,
    );
  });
});

describe('closing and counting', () => {
  const partialOf = (j: number, share: Uint8Array) => {
    const totals = ciphertextsOf(tallyOf(state(), ID)!.totals);
    const context = { electionId: utf8(ID), publicKey: publicKey() };
    return encodePartialDecryption(partialDecrypt(group, context, j, share, totals, seededRandom(500 + j)));
  };
  const decrypt = (j: number, partial: Uint8Array, signer = board[j - 1]!.key) =>
    ledger.apply(tx('election.decrypt', { election: ID, partial }, signer))[0];

  it('closes once, at the end of the window', () => {
    expect(ledger.apply(tx('election.close', { election: ID }, board[2]!.key))[0]).toMatchObject({ ok: true });
    rejected(ledger.apply(tx('election.close', { election: ID }, board[2]!.key))[0], RejectCode.stepClosed);
  });

  it('refuses a wrong partial decryption naming the trustee, and a duplicate', () => {
    const qualified = electionStatusOf(state(), ID)!.qualified!;
    rejected(
      ledger.apply(tx('election.tally', { election: ID }, keys.registrar1))[0],
      RejectCode.tooFewShares,
      /0 valid partial decryptions, 3 are needed/,
    );
    const share1 = secretShareOf(1, qualified, dealings);
    rejected(
      decrypt(1, partialOf(1, group.scalarAdd(share1, scalarFromInteger(1)))),
      RejectCode.shareInvalid,
      /trustee 1's partial decryption of total 0/,
    );
    expect(decrypt(1, partialOf(1, share1))).toMatchObject({ ok: true });
    rejected(decrypt(1, partialOf(1, share1)), RejectCode.duplicateShare, /trustee 1 already posted/);
    rejected(decrypt(2, partialOf(2, secretShareOf(2, qualified, dealings)), board[3]!.key), RejectCode.notTrustee);
    rejected(
      ledger.apply(tx('election.tally', { election: ID }, keys.registrar1))[0],
      RejectCode.tooFewShares,
      /1 valid/,
    );
  });

  it('publishes with t valid shares counts equal to a plain count of the last ballots', () => {
    const qualified = electionStatusOf(state(), ID)!.qualified!;
    // trustee 5's dealing was disqualified, but it holds a share of the key like every trustee
    expect(decrypt(5, partialOf(5, secretShareOf(5, qualified, dealings)))).toMatchObject({ ok: true });
    expect(decrypt(3, partialOf(3, secretShareOf(3, qualified, dealings)))).toMatchObject({ ok: true });
    expect(ledger.apply(tx('election.tally', { election: ID }, board[0]!.key))[0]).toMatchObject({ ok: true });
    const plain = shapes.map((shape, q) =>
      Array.from({ length: shape.boxes }, (_, b) =>
        [...lastVotes.values()].reduce((sum, votes) => sum + votes[q]![b]!, 0),
      ),
    );
    expect(electionStatusOf(state(), ID)).toMatchObject({ phase: 'final', counts: plain, trustees: [1, 3, 5] });
    rejected(decrypt(2, partialOf(2, secretShareOf(2, qualified, dealings))), RejectCode.stepClosed, /final/);
  });
});
