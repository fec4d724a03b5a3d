// Every HTTP route of the API (DESIGN §7) as data: the server dispatches on it and the
// OpenAPI document is generated from it, so the two cannot drift apart.
import { z } from 'zod';
import * as schema from '../ledger/schema.js';
import {
  blockSummarySchema,
  objectIdParam,
  outboxEntrySchema,
  peersSchema,
  propertyHistorySchema,
  propertyViewSchema,
  receiptViewSchema,
  searchQuerySchema,
  searchResultSchema,
  statusSchema,
  submitResultSchema,
  txHashParam,
  txStatusSchema,
  validatorsViewSchema,
} from './contract.js';

/** Decimal digits only: no sign, no exponent, no hex ("0x10" is not a height). */
export const heightParam = z
  .string()
  .regex(/^\d{1,16}$/, 'a block height is a whole number from 0')
  .transform(Number)
  .pipe(z.number().int().max(Number.MAX_SAFE_INTEGER));
export const networkSwitchSchema = z.strictObject({ offline: z.boolean() });

export interface RouteSpec {
  method: 'GET' | 'POST';
  /** Under API_PREFIX unless `root`; `{name}` marks a path parameter (percent-encoded by the client). */
  path: string;
  root?: boolean;
  summary: string;
  params?: Record<string, z.ZodType>;
  query?: Record<string, z.ZodType>;
  body?: z.ZodType;
  status: number;
  /** JSON unless `text` (the Prometheus exposition format). */
  response: z.ZodType | 'text';
  /** Statuses besides 400/401/403/500 that this route answers with. */
  errors?: number[];
}

export const apiRoutes = {
  status: { method: 'GET', path: '/status', summary: 'Height, peers, online, mempool and outbox of this node', status: 200, response: statusSchema },
  submit: { method: 'POST', path: '/txs', summary: 'Submit a signed transaction (to the mempool, or the outbox when offline)', body: schema.transaction, status: 202, response: submitResultSchema, errors: [409, 413, 422, 503, 507] },
  txStatus: { method: 'GET', path: '/txs/{txHash}', summary: 'pending | outbox | final | rejected (with the reason) | unknown', params: { txHash: txHashParam }, status: 200, response: txStatusSchema },
  receipt: { method: 'GET', path: '/receipts/{txHash}', summary: 'An offline-verifiable receipt of a committed transaction', params: { txHash: txHashParam }, status: 200, response: receiptViewSchema, errors: [404] },
  block: { method: 'GET', path: '/blocks/{height}', summary: 'A committed block: header and transaction hashes', params: { height: heightParam }, status: 200, response: blockSummarySchema, errors: [404] },
  property: { method: 'GET', path: '/properties/{id}', summary: 'The current record of a property object with its ownership certificate', params: { id: objectIdParam }, status: 200, response: propertyViewSchema, errors: [404] },
  propertyHistory: { method: 'GET', path: '/properties/{id}/history', summary: 'The committed transactions on an object, oldest first', params: { id: objectIdParam }, status: 200, response: propertyHistorySchema, errors: [404] },
  search: { method: 'GET', path: '/search', summary: 'Find objects by exact object id or by an owner public key', query: { q: searchQuerySchema }, status: 200, response: searchResultSchema },
  outbox: { method: 'GET', path: '/outbox', summary: 'Transactions certified while offline and what became of them', status: 200, response: z.array(outboxEntrySchema) },
  evidence: { method: 'GET', path: '/evidence', summary: 'Equivocation evidence seen, oldest first', status: 200, response: z.array(z.unknown()) },
  peers: { method: 'GET', path: '/peers', summary: 'Connected peers with latency and gossip score', status: 200, response: peersSchema },
  validators: { method: 'GET', path: '/validators', summary: 'The validator set for the next block, with each authority and whether it is connected', status: 200, response: validatorsViewSchema },
  setNetwork: { method: 'POST', path: '/network', summary: 'Take this office off the network (or back on), as a cut cable would', body: networkSwitchSchema, status: 200, response: networkSwitchSchema },
  openapi: { method: 'GET', path: '/openapi.json', summary: 'This document', status: 200, response: z.record(z.string(), z.unknown()) },
  metrics: { method: 'GET', path: '/metrics', root: true, summary: 'Prometheus metrics (text exposition format)', status: 200, response: 'text' },
} as const satisfies Record<string, RouteSpec>;

export type RouteName = keyof typeof apiRoutes;
