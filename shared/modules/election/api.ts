// The election module's API routes: an election's public record (phase, key, roll, totals,
// results), the dealings a trustee opens its shares from, a voter's tracker, and the export
// that `notary election verify` checks. Bytes (keys, totals, dealings) are lowercase hex in JSON.
// The node's handlers are in electron/node/modules/election/api.ts.
import { z } from 'zod';
import { hash, publicKey, uint } from '../../ledger/primitives.js';
import { schema } from '../../ledger/index.js';
import type { RouteSpec } from '../../api/route-spec.js';
import { submitResultSchema } from '../../api/contract.js';
import type { ELECTION_API_METHODS } from './api-names.js';
import { contest, electionId, electionPhase, ELECTION_LIMITS } from './types.js';

const hexBytes = (max: number) =>
  z
    .string()
    .max(max * 2)
    .regex(/^([0-9a-f]{2})*$/, 'expected lowercase hex');
const element = z.string().regex(/^[0-9a-f]{64}$/, 'expected a group element as 64 lowercase hex characters');
const timeMs = uint;

export const electionViewSchema = z.strictObject({
  id: electionId,
  title: z.string(),
  contests: z.array(contest),
  districts: z.array(z.string()),
  trustees: z.array(z.strictObject({ key: publicKey, transportKey: z.string() })),
  threshold: uint,
  rollMax: uint,
  dealsUntilMs: timeMs,
  complaintsUntilMs: timeMs,
  answersUntilMs: timeMs,
  opensAtMs: timeMs,
  closesAtMs: timeMs,
  /** The height it was created at. */
  height: uint,
  phase: electionPhase,
  /** The election key, once fixed. */
  publicKey: element.optional(),
  verificationKeys: z.array(element).optional(),
  qualified: z.array(uint).optional(),
  disqualified: z.array(z.strictObject({ dealer: uint, reason: z.string() })).optional(),
  /** Trustees (1-based) whose dealing is on chain. */
  dealt: z.array(uint),
  complaints: z.array(
    z.strictObject({ dealer: uint, recipient: uint, answered: z.boolean(), share: element.optional() }),
  ),
  roll: z.strictObject({ size: uint, districts: z.array(z.strictObject({ name: z.string(), credentials: uint })) }),
  ballots: uint,
  voters: uint,
  /** The homomorphic totals, 64 bytes (α ‖ β) a box, in contest then box order. */
  totals: hexBytes(64 * ELECTION_LIMITS.boxesMax),
  /** Trustees (1-based) whose partial decryption is on chain. */
  decrypted: z.array(uint),
  closedHeight: uint.optional(),
  /** Per contest, per choice: the published counts, once final. */
  counts: z.array(z.array(uint)).optional(),
  countedBy: z.array(uint).optional(),
  finalHeight: uint.optional(),
});
export type ElectionView = z.infer<typeof electionViewSchema>;

export const electionDealingsSchema = z.strictObject({
  election: electionId,
  dealings: z.array(
    z.strictObject({ trustee: uint, height: uint, dealing: hexBytes(ELECTION_LIMITS.dealingBytesMax) }),
  ),
});

export const electionCredentialSchema = z.strictObject({
  credential: publicKey,
  election: electionId,
  district: z.string(),
  /** The office that registered it. */
  office: publicKey,
  height: uint,
  /** The tracker of the credential's last ballot: sha256 of its ballot bytes, and its height. */
  ballot: z.strictObject({ hash, height: uint }).optional(),
});

/** Elections the board lists at most (newest first). */
export const ELECTIONS_LIST_MAX = 100;
/** Ballots on one page of the board at most. */
export const BALLOTS_PAGE_MAX = 100;

export const electionListSchema = z.strictObject({
  /** The chain a ballot is signed for (a voter's page has no other public way to learn it). */
  chainId: z.string(),
  elections: z
    .array(
      z.strictObject({
        id: electionId,
        title: z.string(),
        phase: electionPhase,
        opensAtMs: timeMs,
        closesAtMs: timeMs,
      }),
    )
    .max(ELECTIONS_LIST_MAX),
});

const emptyAs =
  <T>(fallback: T) =>
  (value: T | '') =>
    value === '' ? fallback : value;
export const ballotsQuery = {
  tracker: z
    .union([z.literal(''), z.string().regex(/^[0-9a-f]{4,64}$/, 'a tracker prefix is 4 to 64 lowercase hex digits')])
    .transform(emptyAs<string | undefined>(undefined)),
  after: z
    .union([z.literal(''), z.string().regex(/^(\d{1,12}|[0-9a-f]{4,64})$/, 'after is the cursor of the page before')])
    .transform(emptyAs<string | undefined>(undefined)),
  limit: z
    .union([
      z.literal(''),
      z
        .string()
        .regex(/^\d{1,3}$/, 'limit is a whole number')
        .transform(Number)
        .pipe(z.number().int().min(1).max(BALLOTS_PAGE_MAX)),
    ])
    .transform(emptyAs(50)),
};

export const electionBallotsSchema = z.strictObject({
  election: electionId,
  /** The board holds every block up to this height. */
  height: uint,
  ballots: z
    .array(
      z.strictObject({
        /** sha256 of the ballot's bytes: what the voter's page showed before casting. */
        tracker: hash,
        credential: publicKey,
        district: z.string(),
        height: uint,
        /** The same credential cast a later ballot, which is the one counted. */
        replaced: z.boolean(),
      }),
    )
    .max(BALLOTS_PAGE_MAX),
  /** The cursor of the next page (`after`), when there is one. */
  next: z.string().optional(),
  /** Ballots on the board, or those matching the tracker prefix (counted up to 10,000). */
  total: uint,
});

export const electionTurnoutSchema = z.strictObject({
  election: electionId,
  height: uint,
  ballots: uint,
  voters: uint,
  districts: z.array(z.strictObject({ district: z.string(), registered: uint, voters: uint, ballots: uint })),
  /** Each hour of the voting window (by block time), with the ballots committed in it. */
  hours: z.array(z.strictObject({ startMs: timeMs, ballots: uint })),
});

/** A desk's registration: the voters' public credentials, at most 100 a transaction. */
export const electionRegisterSchema = z.strictObject({
  district: z.string().min(1).max(64),
  credentials: z.array(publicKey).min(1).max(ELECTION_LIMITS.credentialsPerTxMax),
});

/**
 * The trustee's election keystore's passphrase, typed on its own screen and never stored
 * (the node's keystore rule: 8 to 1,024 characters, counted as typed).
 */
export const trusteePassphraseSchema = z.strictObject({
  passphrase: z
    .string()
    .refine((text) => [...text].length >= 8, 'the passphrase has at least 8 characters')
    .refine((text) => [...text].length <= 1024, 'the passphrase has at most 1,024 characters'),
});

/** Whether this node holds the trustee keystore of an election (DATA/trustees/<id>.json). */
export const trusteeKeystoreSchema = z.strictObject({
  election: electionId,
  keystore: z.boolean(),
  /** Its public transport key, the one the definition names for this trustee. */
  transportKey: element.optional(),
});

export const trusteeTransportKeySchema = z.strictObject({ election: electionId, transportKey: element });

/** The complaints `check-shares` sent: one transaction each, with the reason its share failed. */
export const trusteeCheckSchema = z.strictObject({
  election: electionId,
  trustee: uint,
  good: uint,
  /** Trustees who have not dealt yet (their shares are checked later). */
  missing: uint,
  complaints: z.array(z.strictObject({ dealer: uint, problem: z.string(), submitted: submitResultSchema })),
});

export const trusteeAnswersSchema = z.strictObject({
  election: electionId,
  trustee: uint,
  answers: z.array(z.strictObject({ recipient: uint, submitted: submitResultSchema })),
});

/** A step the node signs with this office's key, with no body (as /close). */
const officeStep = (summary: string, path: string) => ({
  method: 'POST' as const,
  path,
  summary,
  params: { id: electionId },
  body: z.strictObject({}),
  bodyOptional: true as const,
  status: 202,
  response: submitResultSchema,
  errors: [409, 422, 503, 507],
});
/** A trustee's step: the keystore's passphrase in the body; the node signs with this office's key. */
const trusteeStep = <R extends z.ZodType>(summary: string, path: string, status: number, response: R) => ({
  method: 'POST' as const,
  path,
  summary,
  params: { id: electionId },
  body: trusteePassphraseSchema,
  bodyHint: '{"passphrase": "…"}: the trustee keystore\'s passphrase (8 to 1,024 characters), never stored',
  status,
  response,
  errors: [404, 409, 422, 503, 507],
});

export const electionRoutes = {
  elections: {
    method: 'GET',
    path: '/elections',
    summary: 'The elections on this chain, newest first (at most 100)',
    status: 200,
    response: electionListSchema,
  },
  election: {
    method: 'GET',
    path: '/elections/{id}',
    summary: "An election's public record: phase, key, roll, totals and, once final, the counts",
    params: { id: electionId },
    status: 200,
    response: electionViewSchema,
    errors: [404],
  },
  electionDealings: {
    method: 'GET',
    path: '/elections/{id}/dealings',
    summary: "The trustees' key-generation dealings on chain (each trustee opens its shares from them)",
    params: { id: electionId },
    status: 200,
    response: electionDealingsSchema,
    errors: [404],
  },
  electionCredential: {
    method: 'GET',
    path: '/election-credentials/{key}',
    summary: "A voter's credential: its election and district and its last ballot's tracker",
    params: { key: publicKey },
    status: 200,
    response: electionCredentialSchema,
    errors: [404],
  },
  electionExport: {
    method: 'GET',
    path: '/elections/{id}/export',
    summary:
      "Everything `notary election verify` checks: the election's records and every one of its transactions (docs/elections.md B.6)",
    params: { id: electionId },
    status: 200,
    response: 'bytes',
    errors: [404, 409],
  },
  electionBallots: {
    method: 'GET',
    path: '/elections/{id}/ballots',
    summary:
      "The public ballot board: every accepted ballot's tracker in cast order, paged, searchable by tracker prefix",
    params: { id: electionId },
    query: ballotsQuery,
    status: 200,
    response: electionBallotsSchema,
    errors: [404, 409],
  },
  electionTurnout: {
    method: 'GET',
    path: '/elections/{id}/turnout',
    summary: 'Turnout: registered credentials, voters and ballots per district, and ballots per hour of the window',
    params: { id: electionId },
    status: 200,
    response: electionTurnoutSchema,
    errors: [404, 409],
  },
  electionCast: {
    method: 'POST',
    path: '/elections/{id}/ballots',
    summary:
      'Cast a ballot: a signed election.cast transaction for this election, as canonical CBOR (application/cbor); nothing else',
    params: { id: electionId },
    body: schema.transaction,
    bodyCheck: 'handler',
    status: 202,
    response: submitResultSchema,
    errors: [404, 409, 413, 422, 503, 507],
  },
  electionRegister: {
    method: 'POST',
    path: '/elections/{id}/credentials',
    summary:
      "Register voters' public credentials in a district: the node signs election.credential.register with this office's key (notary or registrar)",
    params: { id: electionId },
    body: electionRegisterSchema,
    bodyHint: '{"district": "…", "credentials": ["<64 hex>", …]} with 1 to 100 credentials',
    status: 202,
    response: submitResultSchema,
    errors: [409, 422, 503, 507],
  },
  electionClose: {
    method: 'POST',
    path: '/elections/{id}/close',
    summary:
      "Close an election after its window: the node signs election.close with this office's key (a registrar or trustee)",
    params: { id: electionId },
    body: z.strictObject({}),
    bodyOptional: true,
    status: 202,
    response: submitResultSchema,
    errors: [409, 422, 503, 507],
  },
  electionKey: officeStep(
    "Fix the election key after the answers close: the node signs election.key with this office's key (a trustee or registrar)",
    '/elections/{id}/key',
  ),
  electionTally: officeStep(
    "Publish the counts from the partial decryptions on chain: the node signs election.tally with this office's key (a trustee or registrar)",
    '/elections/{id}/tally',
  ),
  electionTrustee: {
    method: 'GET',
    path: '/elections/{id}/trustee',
    summary: "Whether this node holds this office's trustee keystore for the election, and its transport key",
    params: { id: electionId },
    status: 200,
    response: trusteeKeystoreSchema,
    errors: [404],
  },
  electionTrusteeKey: trusteeStep(
    "Make this office's trustee keystore for an election (its X25519 transport key, sealed with the passphrase); answers the transport key for the definition; never overwrites one",
    '/elections/{id}/trustee/key',
    201,
    trusteeTransportKeySchema,
  ),
  electionTrusteeDeal: trusteeStep(
    "Deal this trustee's part of the election key: the polynomial and the dealing are kept in the keystore before the node signs and sends election.dkg.deal",
    '/elections/{id}/trustee/deal',
    202,
    submitResultSchema,
  ),
  electionTrusteeCheck: trusteeStep(
    "Open this trustee's shares from every dealing on chain and complain (election.dkg.complain) about each that fails",
    '/elections/{id}/trustee/check-shares',
    200,
    trusteeCheckSchema,
  ),
  electionTrusteeAnswer: trusteeStep(
    'Answer every open complaint against this trustee by revealing the share in question (election.dkg.answer)',
    '/elections/{id}/trustee/answer',
    200,
    trusteeAnswersSchema,
  ),
  electionTrusteeDecrypt: trusteeStep(
    "This trustee's partial decryption of the closed totals, checked against its verification key, signed and sent (election.decrypt)",
    '/elections/{id}/trustee/decrypt',
    202,
    submitResultSchema,
  ),
} as const satisfies Record<(typeof ELECTION_API_METHODS)[number], RouteSpec>;
