// The property module's API routes: an object with its ownership certificate, its history,
// search (the node's handlers are in electron/node/modules/property/api.ts).
import {
  objectIdParam,
  propertyHistorySchema,
  propertyViewSchema,
  searchQuerySchema,
  searchResultSchema,
} from '../../api/contract.js';
import type { RouteSpec } from '../../api/route-spec.js';
import type { PROPERTY_API_METHODS } from './api-names.js';

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
} as const satisfies Record<(typeof PROPERTY_API_METHODS)[number], RouteSpec>;
