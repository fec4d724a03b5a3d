// The property registry's reads: an object with its ownership certificate, its history, search.
// Its routes are in shared/modules/property/api.ts.
import type { ApiHandlerPart } from '../../../../shared/api/index.js';
import type { registryQueries } from '../../api/queries.js';
import { found } from '../../api/handlers/found.js';

/** What the property module's handlers take from the node (its parts, and the registry queries). */
export interface PropertyApiComponents {
  queries: Pick<ReturnType<typeof registryQueries>, 'property' | 'propertyHistory' | 'search'>;
}

export function propertyApi({ queries }: PropertyApiComponents) {
  return {
    property: async ({ params: { id } }) =>
      found(await queries.property(id), `no property object ${id} in the registry`),
    propertyHistory: async ({ params: { id } }) =>
      found(await queries.propertyHistory(id), `no property object ${id} in the registry`),
    search: ({ query: { q } }) => queries.search(q),
  } satisfies ApiHandlerPart;
}
