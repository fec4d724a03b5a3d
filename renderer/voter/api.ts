// The voter's page talks to the public gateway with relative URLs (`api/v1/...`) and no token.
// One small function per call, each answer checked against its schema, so a node of another
// version is told apart from a broken one. Until the public election routes are on main the
// schemas of the new routes live here; then they move to shared/api (the typed client).
import { z } from 'zod';
import { encode } from '../../shared/codec/index.js';
import { statusSchema, submitResultSchema, txStatusSchema, type TxStatus } from '../../shared/api/contract.js';
import { electionCredentialSchema, electionViewSchema } from '../../shared/modules/election/api.js';
import type { Transaction } from '../../shared/ledger/types.js';

export const API_BASE = 'api/v1';
/** No answer the page reads is larger than this (an election view with 128 boxes is ~30 KiB). */
const ANSWER_BYTES_MAX = 4 * 1024 * 1024;

/** A refused or failed call: the gateway's code and sentence, or the page's own code. */
export class VoterApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'VoterApiError';
  }
}

const errorSchema = z.object({ error: z.object({ code: z.string(), message: z.string() }) });

async function call<T>(path: string, schema: z.ZodType<T>, init?: RequestInit): Promise<T> {
  let response: Response;
  try {
    response = await fetch(`${API_BASE}${path}`, {
      ...init,
      headers: { accept: 'application/json', ...init?.headers },
    });
  } catch (error) {
    throw new VoterApiError(0, 'NETWORK', (error as Error).message);
  }
  const text = await response.text();
  if (text.length > ANSWER_BYTES_MAX) throw new VoterApiError(response.status, 'UNEXPECTED_ANSWER', 'answer too large');
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new VoterApiError(response.status, 'UNEXPECTED_ANSWER', `the server answered ${path} with no JSON`);
  }
  if (!response.ok) {
    const parsed = errorSchema.safeParse(body);
    if (parsed.success) throw new VoterApiError(response.status, parsed.data.error.code, parsed.data.error.message);
    throw new VoterApiError(
      response.status,
      'UNEXPECTED_ANSWER',
      `the server answered ${path} with ${response.status}`,
    );
  }
  const parsed = schema.safeParse(body);
  if (!parsed.success)
    throw new VoterApiError(response.status, 'UNEXPECTED_ANSWER', `the answer to ${path} is not what this page reads`);
  return parsed.data;
}

const id = (value: string) => encodeURIComponent(value);

export const electionPhases = ['keygen', 'voting', 'closed', 'final'] as const;
export const electionListSchema = z.object({
  elections: z
    .array(
      z.object({
        id: z.string(),
        title: z.string(),
        phase: z.enum(electionPhases),
        opensAtMs: z.number().int(),
        closesAtMs: z.number().int(),
      }),
    )
    .max(100),
});
export type ElectionSummary = z.infer<typeof electionListSchema>['elections'][number];

export const ballotPageSchema = z.object({
  ballots: z
    .array(
      z.object({
        tracker: z.string().regex(/^[0-9a-f]{64}$/),
        credential: z.string(),
        district: z.string(),
        height: z.number().int(),
        replaced: z.boolean(),
      }),
    )
    .max(100),
  next: z.string().max(256).optional(),
  total: z.number().int().nonnegative(),
});
export type BallotPage = z.infer<typeof ballotPageSchema>;

export const turnoutSchema = z.object({
  height: z.number().int(),
  districts: z
    .array(
      z.object({
        district: z.string(),
        registered: z.number().int(),
        voters: z.number().int(),
        ballots: z.number().int(),
      }),
    )
    .max(256),
  hours: z.array(z.object({ startMs: z.number().int(), ballots: z.number().int() })).max(31 * 24 + 1),
});
export type Turnout = z.infer<typeof turnoutSchema>;

export const listElections = () => call('/elections', electionListSchema);
export const getElection = (election: string) => call(`/elections/${id(election)}`, electionViewSchema);
export const getCredential = (key: string) => call(`/election-credentials/${id(key)}`, electionCredentialSchema);
export const getTurnout = (election: string) => call(`/elections/${id(election)}/turnout`, turnoutSchema);
export const getTxStatus = (hash: string): Promise<TxStatus> => call(`/txs/${id(hash)}`, txStatusSchema);
/** The chain id the cast is signed for (the node's status). */
export const getChainId = async () => (await call('/status', statusSchema)).chainId;
export const exportUrl = (election: string) => `${API_BASE}/elections/${id(election)}/export`;

export function getBallots(
  election: string,
  options: { tracker?: string; after?: string; limit?: number } = {},
): Promise<BallotPage> {
  const query = new URLSearchParams();
  if (options.tracker) query.set('tracker', options.tracker);
  if (options.after) query.set('after', options.after);
  query.set('limit', String(options.limit ?? 50));
  return call(`/elections/${id(election)}/ballots?${query.toString()}`, ballotPageSchema);
}

/**
 * Sends a signed election.cast as canonical CBOR (decision #58) to the gateway's ballot route.
 * A node of a release without that route answers 404 NOT_FOUND: the same bytes then go to
 * `POST /txs`, which takes a cast as they are (the gateway serves only the ballot route).
 */
export async function castBallot(election: string, tx: Transaction) {
  const init = { method: 'POST', headers: { 'content-type': 'application/cbor' }, body: new Uint8Array(encode(tx)) };
  try {
    return await call(`/elections/${id(election)}/ballots`, submitResultSchema, init);
  } catch (error) {
    if (!(error instanceof VoterApiError && error.status === 404 && error.code === 'NOT_FOUND')) throw error;
    return call('/txs', submitResultSchema, init);
  }
}

/** Whether a credential is on a roll: undefined when the network does not know it (404). */
export async function findCredential(key: string) {
  try {
    return await getCredential(key);
  } catch (error) {
    if (error instanceof VoterApiError && error.status === 404) return undefined;
    throw error;
  }
}
