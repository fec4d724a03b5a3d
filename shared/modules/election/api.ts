// The election module's API routes: an election's public record (phase, key, roll, totals,
// results), the dealings a trustee opens its shares from, a voter's tracker, and the export
// that `notary election verify` checks. Bytes (keys, totals, dealings) are lowercase hex in JSON.
// The node's handlers are in electron/node/modules/election/api.ts.
import { z } from 'zod';
import { hash, publicKey, uint } from '../../ledger/primitives.js';
import type { RouteSpec } from '../../api/route-spec.js';
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

export const electionRoutes = {
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
} as const satisfies Record<(typeof ELECTION_API_METHODS)[number], RouteSpec>;
