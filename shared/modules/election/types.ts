// The election module's records, keys, transactions, limits and reject codes (docs/elections.md
// part B). Pure: schemas only, so the assembled schema imports it without importing a rule.
import { z } from 'zod';
import { codesOf, type RejectCodeSpec } from '../../ledger/errors.js';
import { hash, publicKey, text, timeMs, txSchema, uint } from '../../ledger/primitives.js';

/** Every bound of the module (TigerBeetle: a limit on everything). */
export const ELECTION_LIMITS = {
  contestsMax: 16,
  choicesPerContestMax: 64,
  /** Boxes in all: keeps a ballot (~290 B a box) and a partial decryption inside one transaction. */
  boxesMax: 128,
  trusteesMax: 32,
  districtsMax: 256,
  credentialsPerTxMax: 100,
  rollMax: 10_000_000,
  windowMaxMs: 31 * 24 * 3_600_000,
  ballotBytesMax: 48 * 1024,
  dealingBytesMax: 16 * 1024,
  complaintBytesMax: 128,
  partialBytesMax: 32 * 1024,
} as const;

/** The first protocol version with elections (decision #50: new types come with a version). */
export const ELECTION_PROTOCOL = 3;

/** A CBOR byte string of bounded length (decision #56: ballots and proofs as bytes, not hex). */
export const bytes = (max: number, min = 1) =>
  z
    .instanceof(Uint8Array)
    .refine((value) => value.length >= min && value.length <= max, `expected ${min} to ${max} bytes`);
export const element = bytes(32, 32);

export const electionId = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'an election id is 1-64 letters, digits, dots, dashes, underscores');
const transportKey = z.string().regex(/^[0-9a-f]{64}$/, 'expected an X25519 public key as 64 lowercase hex characters');

export const contest = z.strictObject({
  title: text(256),
  choices: z.array(text(128)).min(1).max(ELECTION_LIMITS.choicesPerContestMax),
  min: uint,
  max: uint,
});

export const trustee = z.strictObject({ key: publicKey, transportKey });

export const electionCreatePayload = z.strictObject({
  id: electionId,
  title: text(256),
  contests: z.array(contest).min(1).max(ELECTION_LIMITS.contestsMax),
  districts: z.array(text(64)).min(1).max(ELECTION_LIMITS.districtsMax),
  trustees: z.array(trustee).min(1).max(ELECTION_LIMITS.trusteesMax),
  threshold: uint.min(1),
  rollMax: uint.min(1).max(ELECTION_LIMITS.rollMax),
  dealsUntilMs: timeMs,
  complaintsUntilMs: timeMs,
  answersUntilMs: timeMs,
  opensAtMs: timeMs,
  closesAtMs: timeMs,
});

/** `elec/def/<id>`: the definition, as created. */
export const electionDefinition = electionCreatePayload.extend({ height: uint });

export const electionPhase = z.enum(['keygen', 'voting', 'closed', 'final']);

/** `elec/status/<id>`: the phase, and what each step fixed. */
export const electionStatus = z.strictObject({
  phase: electionPhase,
  height: uint,
  publicKey: element.optional(),
  verificationKeys: z.array(element).max(ELECTION_LIMITS.trusteesMax).optional(),
  qualified: z.array(uint).max(ELECTION_LIMITS.trusteesMax).optional(),
  disqualified: z
    .array(z.strictObject({ dealer: uint, reason: text(512) }))
    .max(ELECTION_LIMITS.trusteesMax)
    .optional(),
  keyHeight: uint.optional(),
  closedHeight: uint.optional(),
  counts: z.array(z.array(uint).max(ELECTION_LIMITS.choicesPerContestMax)).max(ELECTION_LIMITS.contestsMax).optional(),
  trustees: z.array(uint).max(ELECTION_LIMITS.trusteesMax).optional(),
  finalHeight: uint.optional(),
});

/** `elec/deal/<id>/<i>`. */
export const dealingRecord = z.strictObject({ dealing: bytes(ELECTION_LIMITS.dealingBytesMax), height: uint });

export const complaintEntry = z.strictObject({
  dealer: uint,
  recipient: uint,
  height: uint,
  share: element.optional(),
  answerHeight: uint.optional(),
});
/** `elec/complaints/<id>`: every complaint, sorted by dealer then recipient. */
export const complaintList = z.array(complaintEntry).max(ELECTION_LIMITS.trusteesMax * ELECTION_LIMITS.trusteesMax);

/** `elec/roll/<id>`. */
export const rollRecord = z.strictObject({
  size: uint,
  districts: z.array(uint).max(ELECTION_LIMITS.districtsMax),
});

/** `elec/cred/<key>`: a credential, its election, and its last ballot (the tracker). */
export const credentialRecord = z.strictObject({
  election: electionId,
  district: text(64),
  office: publicKey,
  height: uint,
  ballot: z.strictObject({ hash, height: uint, ciphertexts: bytes(64 * ELECTION_LIMITS.boxesMax, 64) }).optional(),
});

/** `elec/tally/<id>`: the sum of each credential's last ballot, 64 bytes (α ‖ β) a box. */
export const tallyRecord = z.strictObject({
  totals: bytes(64 * ELECTION_LIMITS.boxesMax, 64),
  ballots: uint,
  voters: uint,
});

/** `elec/dec/<id>/<j>`. */
export const decryptionRecord = z.strictObject({ partial: bytes(ELECTION_LIMITS.partialBytesMax), height: uint });

const ofElection = { election: electionId };
export const electionCreateTx = txSchema('election.create', electionCreatePayload);
export const electionDealTx = txSchema(
  'election.dkg.deal',
  z.strictObject({ ...ofElection, dealing: bytes(ELECTION_LIMITS.dealingBytesMax) }),
);
export const electionComplainTx = txSchema(
  'election.dkg.complain',
  z.strictObject({ ...ofElection, complaint: bytes(ELECTION_LIMITS.complaintBytesMax) }),
);
export const electionAnswerTx = txSchema(
  'election.dkg.answer',
  z.strictObject({ ...ofElection, answer: bytes(ELECTION_LIMITS.complaintBytesMax) }),
);
export const electionKeyTx = txSchema('election.key', z.strictObject(ofElection));
export const electionRegisterTx = txSchema(
  'election.credential.register',
  z.strictObject({
    ...ofElection,
    district: text(64),
    credentials: z.array(publicKey).min(1).max(ELECTION_LIMITS.credentialsPerTxMax),
  }),
);
export const electionCastTx = txSchema(
  'election.cast',
  z.strictObject({ ...ofElection, ballot: bytes(ELECTION_LIMITS.ballotBytesMax) }),
);
export const electionCloseTx = txSchema('election.close', z.strictObject(ofElection));
export const electionDecryptTx = txSchema(
  'election.decrypt',
  z.strictObject({ ...ofElection, partial: bytes(ELECTION_LIMITS.partialBytesMax) }),
);
export const electionTallyTx = txSchema('election.tally', z.strictObject(ofElection));

/** The keys this module owns. Prefixes are part of the protocol: never reuse or rename one. */
export const ElectionKey = {
  definition: (id: string) => `elec/def/${id}`,
  status: (id: string) => `elec/status/${id}`,
  dealing: (id: string, trustee: number) => `elec/deal/${id}/${trustee}`,
  complaints: (id: string) => `elec/complaints/${id}`,
  roll: (id: string) => `elec/roll/${id}`,
  credential: (key: string) => `elec/cred/${key}`,
  tally: (id: string) => `elec/tally/${id}`,
  decryption: (id: string, trustee: number) => `elec/dec/${id}/${trustee}`,
} as const;

const spec = <const Code extends string>(code: Code, meaning: string) => ({ code, meaning });
export const ELECTION_CODES = {
  electionExists: spec('ELECTION_EXISTS', 'An election with this id already exists.'),
  electionUnknown: spec('ELECTION_UNKNOWN', 'No election with this id is on this chain.'),
  parametersInvalid: spec(
    'ELECTION_PARAMETERS_INVALID',
    "The election's deadlines, contests, trustees or districts do not hold together.",
  ),
  stepNotOpen: spec(
    'ELECTION_STEP_NOT_OPEN',
    'This step of the election is not open yet at this block time, or the election is not in its phase.',
  ),
  stepClosed: spec('ELECTION_STEP_CLOSED', "This step's deadline has passed, or the step is done already."),
  notTrustee: spec('ELECTION_NOT_TRUSTEE', 'The signer is not the trustee the message names.'),
  duplicateDealing: spec('ELECTION_DUPLICATE_DEALING', "The trustee's key-generation dealing is already on chain."),
  dealingInvalid: spec('ELECTION_DEALING_INVALID', 'A key-generation dealing fails its checks or misses a share.'),
  noDealing: spec('ELECTION_NO_DEALING', 'A complaint against a trustee whose dealing is not on chain.'),
  duplicateComplaint: spec('ELECTION_DUPLICATE_COMPLAINT', 'The same complaint is already on chain.'),
  noComplaint: spec('ELECTION_NO_COMPLAINT', 'An answer to no open complaint.'),
  dkgShareInvalid: spec('ELECTION_DKG_SHARE_INVALID', "A revealed share does not match its dealer's commitments."),
  tooFewQualified: spec('ELECTION_TOO_FEW_QUALIFIED', 'Fewer trustees qualified than the threshold.'),
  keyFixed: spec('ELECTION_KEY_FIXED', 'The election key is fixed already.'),
  keyNotFixed: spec('ELECTION_KEY_NOT_FIXED', 'The election key is not fixed yet.'),
  unknownDistrict: spec('ELECTION_UNKNOWN_DISTRICT', 'The election does not list this district.'),
  credentialExists: spec('ELECTION_CREDENTIAL_EXISTS', 'The credential is already registered, or listed twice.'),
  rollFull: spec('ELECTION_ROLL_FULL', "The roll would exceed the election's maximum."),
  notOnRoll: spec('ELECTION_NOT_ON_ROLL', 'The ballot is signed by no registered credential.'),
  wrongElection: spec('ELECTION_WRONG_ELECTION', "The ballot is for another election than its credential's."),
  outsideWindow: spec('ELECTION_OUTSIDE_WINDOW', 'The ballot is outside the voting window in block time.'),
  encodingInvalid: spec('ELECTION_ENCODING_INVALID', 'A ballot, dealing, complaint or decryption does not decode.'),
  ballotShapeInvalid: spec(
    'ELECTION_BALLOT_SHAPE_INVALID',
    "The ballot's contests or boxes differ from the election's.",
  ),
  proofInvalid: spec('ELECTION_PROOF_INVALID', 'A proof of the ballot fails; the sentence names the box or contest.'),
  duplicateShare: spec('ELECTION_DUPLICATE_SHARE', "The trustee's partial decryption is already on chain."),
  shareInvalid: spec(
    'ELECTION_SHARE_INVALID',
    'A partial decryption whose proof fails; the sentence names the trustee.',
  ),
  tooFewShares: spec('ELECTION_TOO_FEW_SHARES', 'Fewer valid partial decryptions than the threshold.'),
  countOutOfRange: spec('ELECTION_COUNT_OUT_OF_RANGE', 'A decrypted total is no count up to the number of voters.'),
} as const satisfies Record<string, RejectCodeSpec>;
export const ElectionCode = codesOf(ELECTION_CODES);

export type ElectionDefinition = z.infer<typeof electionDefinition>;
export type ElectionStatus = z.infer<typeof electionStatus>;
export type ComplaintEntry = z.infer<typeof complaintEntry>;
export type RollRecord = z.infer<typeof rollRecord>;
export type CredentialRecord = z.infer<typeof credentialRecord>;
export type TallyRecord = z.infer<typeof tallyRecord>;
