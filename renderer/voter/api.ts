// The voter's page talks to the public gateway with relative URLs (`api/v1/...`) and no token,
// through the typed client of the API contract (shared/api): each answer is checked against
// its route's schema, so a node of another version is told apart from a broken one.
import {
  ApiCallError,
  apiClient,
  holdsBytes,
  requestPath,
  type ApiTransport,
  type RouteOutput,
} from '../../shared/api/index.js';
import { apiRoutes } from '../../shared/api/routes.js';
import { encode } from '../../shared/codec/index.js';
import type { Transaction } from '../../shared/ledger/types.js';

export { ApiCallError };

/** Relative to the page, no token: the page works wherever the gateway mounts it. */
const relativeTransport: ApiTransport = async (name, request) => {
  const route = apiRoutes[name];
  const headers: Record<string, string> = { accept: 'application/json' };
  let body: Uint8Array<ArrayBuffer> | string | undefined;
  if (route.method === 'POST' && holdsBytes(request.body)) {
    headers['content-type'] = 'application/cbor';
    body = new Uint8Array(encode(request.body));
  } else if (route.method === 'POST') {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(request.body ?? {});
  }
  let response: Response;
  try {
    response = await fetch(requestPath(name, request).replace(/^\//, ''), {
      method: route.method,
      headers,
      ...(body === undefined ? {} : { body }),
    });
  } catch (error) {
    throw new ApiCallError(0, 'UNREACHABLE', (error as Error).message);
  }
  const text = await response.text();
  let json: unknown;
  try {
    json = text.length > 0 ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: response.status, body: json };
};

const client = apiClient(relativeTransport);

export type ElectionSummary = RouteOutput<'elections'>['elections'][number];
export type BallotPage = RouteOutput<'electionBallots'>;
export type Turnout = RouteOutput<'electionTurnout'>;

export const listElections = () => client.call('elections');
export const getElection = (id: string) => client.call('election', { params: { id } });
export const getTurnout = (id: string) => client.call('electionTurnout', { params: { id } });
export const getTxStatus = (txHash: string) => client.call('txStatus', { params: { txHash } });
export const exportUrl = (id: string) => requestPath('electionExport', { params: { id } }).replace(/^\//, '');

export function getBallots(
  id: string,
  options: { tracker?: string; after?: string; limit?: number } = {},
): Promise<BallotPage> {
  return client.call('electionBallots', {
    params: { id },
    query: { tracker: options.tracker ?? '', after: options.after ?? '', limit: options.limit ?? 50 },
  });
}

/** Sends a signed election.cast as canonical CBOR (decision #58). */
export const castBallot = (id: string, tx: Transaction) => client.call('electionCast', { params: { id }, body: tx });

/** Whether a credential is on a roll: null when the network does not know it (404; a query's data is never undefined). */
export async function findCredential(key: string) {
  try {
    return await client.call('electionCredential', { params: { key } });
  } catch (error) {
    if (error instanceof ApiCallError && error.status === 404) return null;
    throw error;
  }
}

let chainId: string | undefined;

/** The chain id a cast is signed for: `GET /elections` names it (the gateway has no status route). Kept for the page's life. */
export async function getChainId(): Promise<string> {
  chainId ??= (await client.call('elections')).chainId;
  return chainId;
}
