// The node's side of the contract as a type: one handler per route of routes.ts, called with the
// route's input as its zod schemas parse it, answering the route's response. The map is
// assembled from parts (one per area: the chain's reads, the inbox, later a registry module's
// folder), and a route with no handler, or with two, does not compile.
import type { z } from 'zod';
import { apiRoutes, type RouteName } from './routes.js';

type Routes = typeof apiRoutes;
type Shape = Record<string, z.ZodType>;
type Parsed<S extends Shape> = { -readonly [K in keyof S]: z.output<S[K]> };
type ParamsOf<R> = R extends { params: infer P extends Shape } ? { params: Parsed<P> } : unknown;
type QueryOf<R> = R extends { query: infer Q extends Shape } ? { query: Parsed<Q> } : unknown;
/** A body the handler checks itself (`bodyCheck: 'handler'`) arrives as sent. */
type BodyOf<R> = R extends { body: infer B extends z.ZodType }
  ? { body: R extends { bodyCheck: 'handler' } ? unknown : z.output<B> }
  : unknown;

/** What a route's handler is called with: `params`, `query` and `body`, those the route declares. */
export type HandlerInput<K extends RouteName> = ParamsOf<Routes[K]> & QueryOf<Routes[K]> & BodyOf<Routes[K]>;

/** A text answer (the Prometheus exposition) with its content type. */
export interface TextAnswer {
  contentType: string;
  text: string;
}

/** A file streamed as it is made (an election's export), with its content type. */
export interface BytesAnswer {
  contentType: string;
  /** The name a client saves it under. */
  fileName: string;
  chunks: AsyncIterable<Uint8Array>;
}

export type HandlerOutput<K extends RouteName> = Routes[K]['response'] extends z.ZodType
  ? z.output<Routes[K]['response']>
  : Routes[K]['response'] extends 'bytes'
    ? BytesAnswer
    : TextAnswer;

/** Answers one route, or throws (an ApiError with its status, or a typed error the server maps). */
export type ApiHandler<K extends RouteName> = (input: HandlerInput<K>) => Promise<HandlerOutput<K>>;

/** Every route's handler: what the HTTP server and the Electron IPC channel call. */
export type ApiHandlerMap = { [K in RouteName]: ApiHandler<K> };

/** The handlers of one area's routes. */
export type ApiHandlerPart = Partial<ApiHandlerMap>;

type NamesOf<P> = keyof P & RouteName;
type Repeated<Parts extends readonly unknown[], Seen = never> = Parts extends readonly [infer Head, ...infer Tail]
  ? (NamesOf<Head> & Seen) | Repeated<Tail, Seen | NamesOf<Head>>
  : never;
type Covered<Parts extends readonly unknown[]> = Parts extends readonly [infer Head, ...infer Tail]
  ? NamesOf<Head> | Covered<Tail>
  : never;

/** The parts themselves when they cover every route exactly once; otherwise a type naming what is missing or repeated. */
export type EveryRouteOnce<Parts extends readonly unknown[]> = [Repeated<Parts>] extends [never]
  ? [Exclude<RouteName, Covered<Parts>>] extends [never]
    ? Parts
    : { 'routes without a handler': Exclude<RouteName, Covered<Parts>> }
  : { 'routes with two handlers': Repeated<Parts> };

/**
 * One map from the areas' parts. Compile time: every route has exactly one handler. Run time:
 * the same, asserted (a part assembled from a loosely typed value cannot slip through).
 */
export function mergeHandlers<const Parts extends readonly ApiHandlerPart[]>(
  ...parts: Parts & EveryRouteOnce<Parts>
): ApiHandlerMap {
  const merged: Record<string, unknown> = {};
  for (const part of parts as readonly ApiHandlerPart[]) {
    for (const [name, handler] of Object.entries(part)) {
      if (Object.hasOwn(merged, name)) throw new Error(`the API route ${name} has two handlers`);
      merged[name] = handler;
    }
  }
  const routeNames = Object.keys(apiRoutes) as RouteName[];
  const missing = routeNames.filter((name) => typeof merged[name] !== 'function');
  if (missing.length > 0) throw new Error(`the API routes ${missing.join(', ')} have no handler`);
  const extra = Object.keys(merged).filter((name) => !routeNames.includes(name as RouteName));
  if (extra.length > 0) throw new Error(`handlers for routes that do not exist: ${extra.join(', ')}`);
  return merged as ApiHandlerMap;
}
