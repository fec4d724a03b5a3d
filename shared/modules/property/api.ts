// The property module's API routes: an object with its ownership certificate, its history,
// search (the node's handlers are in electron/node/modules/property/api.ts).
import { z } from 'zod';
import { LIMITS, text, uint } from '../../ledger/primitives.js';
import {
  objectIdParam,
  submitResultSchema,
  propertyHistorySchema,
  propertyViewSchema,
  searchQuerySchema,
  searchResultSchema,
} from '../../api/contract.js';
import type { RouteSpec } from '../../api/route-spec.js';
import type { PROPERTY_API_METHODS } from './api-names.js';

/** What a registrar office sends to correct an object: the version it saw, what changes, and why. */
export const correctionRequestSchema = z
  .strictObject({
    objectVersion: uint,
    address: text(LIMITS.textLengthMax).optional(),
    areaDm2: uint.optional(),
    reason: text(LIMITS.textLengthMax),
  })
  .refine(
    (request) => request.address !== undefined || request.areaDm2 !== undefined,
    'a correction changes the address, the area or both',
  );
export type CorrectionRequest = z.infer<typeof correctionRequestSchema>;

export const propertyRoutes = {
  property: {
    method: 'GET',
    path: '/properties/{id}',
    summary: 'The current record of a property object with its ownership certificate',
    params: { id: objectIdParam },
    status: 200,
    response: propertyViewSchema,
    errors: [404],
  },
  propertyHistory: {
    method: 'GET',
    path: '/properties/{id}/history',
    summary: 'The committed transactions on an object, oldest first',
    params: { id: objectIdParam },
    status: 200,
    response: propertyHistorySchema,
    errors: [404],
  },
  search: {
    method: 'GET',
    path: '/search',
    summary: 'Find objects by exact object id or by an owner public key',
    query: { q: searchQuerySchema },
    status: 200,
    response: searchResultSchema,
  },
  correctProperty: {
    method: 'POST',
    path: '/properties/{id}/correct',
    summary:
      "This registrar office corrects an object's address or area, giving the reason: the node signs property.correct with its key and submits it",
    params: { id: objectIdParam },
    body: correctionRequestSchema,
    bodyHint: 'expected {"objectVersion": N, "address"?: "...", "areaDm2"?: N, "reason": "..."}',
    status: 202,
    response: submitResultSchema,
    errors: [409, 422, 503],
  },
} as const satisfies Record<(typeof PROPERTY_API_METHODS)[number], RouteSpec>;
