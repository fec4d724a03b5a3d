// Every call the commission's screens make to the node, one function each. The three office
// steps the node signs (registration, close, a registrar's signature on election.create) are not
// in the typed contract (shared/api/routes.ts) yet: each goes through `nodeRoute` over HTTP until
// its route is there, then becomes one `client.call`.
import { z } from 'zod';
import {
  ApiCallError,
  API_PREFIX,
  cosignResultSchema,
  submitResultSchema,
  type ApiClient,
  type CosignResult,
  type RouteOutput,
  type SubmitResult,
} from '../../../../shared/api/index.js';
import { publicKey } from '../../../../shared/ledger/primitives.js';
import type { Transaction } from '../../../../shared/ledger/index.js';
import { ELECTION_LIMITS } from '../../../../shared/modules/election/types.js';
import type { Connection } from '../../api.js';

type Connected = Exclude<Connection, { kind: 'no-token' }>;

export type ElectionSummary = RouteOutput<'elections'>['elections'][number];
export type Turnout = RouteOutput<'electionTurnout'>;

export const registerBodySchema = z.strictObject({
  district: z.string().min(1).max(64),
  credentials: z.array(publicKey).min(1).max(ELECTION_LIMITS.credentialsPerTxMax),
});

/**
 * One route outside the typed contract, over HTTP with the bearer token; the answer checked
 * with its schema. In the Electron window (IPC) only the contract's methods exist: such a call
 * answers ROUTE_MISSING until the route is added to shared/api/routes.ts.
 */
async function nodeRoute<T>(
  connection: Connected,
  method: 'GET' | 'POST',
  path: string,
  schema: z.ZodType<T>,
  expected: number,
  body?: unknown,
): Promise<T> {
  if (connection.kind !== 'http')
    throw new ApiCallError(0, 'ROUTE_MISSING', `this version of the desktop app has no ${method} ${path}`);
  let response: Response;
  try {
    response = await fetch(`${connection.baseUrl}${API_PREFIX}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${connection.token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  } catch (error) {
    throw new ApiCallError(0, 'UNREACHABLE', `the node does not answer (${(error as Error).message})`);
  }
  const text = await response.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  if (response.status !== expected) {
    const error = (json as { error?: { code?: unknown; message?: unknown } } | undefined)?.error;
    if (response.status === 404 && typeof error?.code !== 'string')
      throw new ApiCallError(404, 'ROUTE_MISSING', `this node has no ${method} ${path} yet`);
    throw new ApiCallError(
      response.status,
      typeof error?.code === 'string' ? error.code : 'UNEXPECTED_ANSWER',
      typeof error?.message === 'string'
        ? error.message
        : `the node answered ${method} ${path} with ${response.status}`,
    );
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success)
    throw new ApiCallError(response.status, 'UNEXPECTED_ANSWER', `the node's answer to ${path} is not understood`);
  return parsed.data;
}

const electionPath = (id: string) => `/elections/${encodeURIComponent(id)}`;

export function listElections(client: ApiClient): Promise<ElectionSummary[]> {
  return client.call('elections').then((answer) => answer.elections);
}

export function electionTurnout(client: ApiClient, id: string): Promise<Turnout> {
  return client.call('electionTurnout', { params: { id } });
}

/**
 * ROUTE NEEDED: `POST /elections/{id}/credentials` `{district, credentials}` (1..100 keys): the
 * node signs `election.credential.register` with this office's key and submits it, answering
 * as `POST /txs` does.
 */
export function registerCredentials(
  connection: Connected,
  id: string,
  body: z.input<typeof registerBodySchema>,
): Promise<SubmitResult> {
  return nodeRoute(
    connection,
    'POST',
    `${electionPath(id)}/credentials`,
    submitResultSchema,
    202,
    registerBodySchema.parse(body),
  );
}

/**
 * ROUTE NEEDED: `POST /elections/{id}/close` (no body): the node signs `election.close` with this
 * office's key (a registrar) and submits it, answering as `POST /txs` does.
 */
export function closeElection(connection: Connected, id: string): Promise<SubmitResult> {
  return nodeRoute(connection, 'POST', `${electionPath(id)}/close`, submitResultSchema, 202, {});
}

/**
 * This registrar office's signature on an election.create: the Governance screen's path
 * (`POST /governance/cosign`). NODE CHANGE NEEDED: the node co-signs only authority.* and
 * governance.* today (NOT_AN_AUTHORITY_CHANGE); election.create needs the same registrars' quorum.
 */
export function cosignCreate(client: ApiClient, tx: Transaction): Promise<CosignResult> {
  return client.call('cosign', { body: tx as never }).then((answer) => cosignResultSchema.parse(answer));
}

export function submitTx(client: ApiClient, tx: Transaction): Promise<SubmitResult> {
  return client.call('submit', { body: tx as never });
}

export function electionExport(client: ApiClient, id: string): Promise<Uint8Array> {
  return client.call('electionExport', { params: { id } });
}

/** Whether a credential is on a roll already (of any election): its record, or null. */
export async function credentialOnChain(client: ApiClient, key: string) {
  try {
    return await client.call('electionCredential', { params: { key } });
  } catch (error) {
    if (error instanceof ApiCallError && error.status === 404) return null;
    throw error;
  }
}
