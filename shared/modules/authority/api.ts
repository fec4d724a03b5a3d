// The authority module's API routes: a registrar office co-signs an authority change (the
// node's handler is in electron/node/modules/authority/api.ts).
import * as schema from '../../ledger/schema.js';
import { cosignResultSchema } from '../../api/contract.js';
import type { RouteSpec } from '../../api/route-spec.js';
import type { AUTHORITY_API_METHODS } from './api-names.js';

export const authorityRoutes = {
  cosign: {
    method: 'POST',
    path: '/governance/cosign',
    summary:
      "Add this registrar office's signature to an authority change; answers how many of the needed signatures it carries",
    body: schema.transaction,
    bodyCheck: 'handler',
    status: 200,
    response: cosignResultSchema,
    errors: [409, 422],
  },
} as const satisfies Record<(typeof AUTHORITY_API_METHODS)[number], RouteSpec>;
