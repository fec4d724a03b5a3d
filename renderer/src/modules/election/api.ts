// Every call the commission's screens make to the node, one function each, through the typed
// client (shared/api/routes.ts): the office steps the node signs with this office's key
// (registration, close, a registrar's signature on election.create) and the reads.
import { z } from 'zod';
import {
  ApiCallError,
  cosignResultSchema,
  type ApiClient,
  type CosignResult,
  type RouteOutput,
  type SubmitResult,
} from '../../../../shared/api/index.js';
import { publicKey } from '../../../../shared/ledger/primitives.js';
import type { Transaction } from '../../../../shared/ledger/index.js';
import { ELECTION_LIMITS } from '../../../../shared/modules/election/types.js';

export type ElectionSummary = RouteOutput<'elections'>['elections'][number];
export type Turnout = RouteOutput<'electionTurnout'>;

export const registerBodySchema = z.strictObject({
  district: z.string().min(1).max(64),
  credentials: z.array(publicKey).min(1).max(ELECTION_LIMITS.credentialsPerTxMax),
});

export function listElections(client: ApiClient): Promise<ElectionSummary[]> {
  return client.call('elections').then((answer) => answer.elections);
}

export function electionTurnout(client: ApiClient, id: string): Promise<Turnout> {
  return client.call('electionTurnout', { params: { id } });
}

/** The node signs `election.credential.register` with this office's key and submits it (1..100 keys). */
export function registerCredentials(
  client: ApiClient,
  id: string,
  body: z.input<typeof registerBodySchema>,
): Promise<SubmitResult> {
  return client.call('electionRegister', { params: { id }, body: registerBodySchema.parse(body) });
}

/** The node signs `election.close` with this office's key (a registrar or trustee) and submits it. */
export function closeElection(client: ApiClient, id: string): Promise<SubmitResult> {
  return client.call('electionClose', { params: { id }, body: {} });
}

/** The office steps a trustee or registrar sends through its node: fix the key, publish the counts. */
export function officeStep(client: ApiClient, id: string, step: 'key' | 'tally'): Promise<SubmitResult> {
  return client.call(step === 'key' ? 'electionKey' : 'electionTally', { params: { id }, body: {} });
}

export type TrusteeRoute =
  'electionTrusteeDeal' | 'electionTrusteeCheck' | 'electionTrusteeAnswer' | 'electionTrusteeDecrypt';

/** A trustee's step on its own node: the passphrase opens DATA/trustees/<id>.json there and is not kept. */
export function trusteeStep<R extends TrusteeRoute>(
  client: ApiClient,
  route: R,
  id: string,
  passphrase: string,
): Promise<RouteOutput<R>> {
  return client.call(route, { params: { id }, body: { passphrase } } as never) as Promise<RouteOutput<R>>;
}

/** Makes this office's trustee keystore for an election not yet on chain; the transport key for its definition. */
export function makeTrusteeKey(client: ApiClient, id: string, passphrase: string) {
  return client.call('electionTrusteeKey', { params: { id }, body: { passphrase } });
}

/** This registrar office's signature on an election.create: the Governance screen's path (`POST /governance/cosign`). */
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
