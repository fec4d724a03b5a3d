// What a route of the API is, as data (routes.ts and each registry module's api.ts).
import type { z } from 'zod';

export interface RouteSpec {
  method: 'GET' | 'POST';
  /** Under API_PREFIX unless `root`; `{name}` marks a path parameter (percent-encoded by the client). */
  path: string;
  root?: boolean;
  summary: string;
  params?: Record<string, z.ZodType>;
  query?: Record<string, z.ZodType>;
  body?: z.ZodType;
  /**
   * Who checks the body: the router against `body` (default; a mismatch is a 400 MALFORMED
   * with `bodyHint`), or the handler (`handler`: a transaction, which the ledger's own parser
   * checks and refuses with its reject code and sentence).
   */
  bodyCheck?: 'handler';
  /** The 400's sentence for a body that does not match `body`: what the route expected. */
  bodyHint?: string;
  /** An absent or empty body stands for `{}` (routes whose body carries nothing: `{}` or nothing mean the same). */
  bodyOptional?: true;
  status: number;
  /**
   * JSON unless `text` (the Prometheus exposition format) or `bytes` (a file streamed as it is
   * made, such as an election's export: over HTTP only).
   */
  response: z.ZodType | 'text' | 'bytes';
  /** Statuses besides 400/401/403/500 that this route answers with. */
  errors?: number[];
}
