// A typed client of the API contract over any transport: HTTP (the browser UI, the CLI,
// other systems) or Electron IPC (the desktop window). The renderer talks only to this.
import type { z } from 'zod';
import { encode } from '../codec/index.js';
import { apiErrorSchema, API_PREFIX } from './contract.js';
import { API_METHOD_NAMES, type NotaryBridge } from './methods.js';
import { apiRoutes, type RouteName } from './routes.js';

type Routes = typeof apiRoutes;
type Shape = Record<string, z.ZodType>;
/** Path and query values travel as text; numbers (heights, limits) are written out for you. */
type TextOf<S extends Shape> = { [K in keyof S]: string | number };
type ParamsPart<R> = R extends { params: infer P extends Shape } ? { params: TextOf<P> } : { params?: undefined };
type QueryPart<R> = R extends { query: infer Q extends Shape } ? { query?: Partial<TextOf<Q>> } : { query?: undefined };
type BodyPart<R> = R extends { body: infer B extends z.ZodType } ? { body: z.input<B> } : { body?: undefined };

/** What a call carries: path parameters, query parameters and a JSON body, as the route declares. */
export type RouteInput<K extends RouteName> = ParamsPart<Routes[K]> & QueryPart<Routes[K]> & BodyPart<Routes[K]>;
export type RouteOutput<K extends RouteName> = Routes[K]['response'] extends z.ZodType
  ? z.output<Routes[K]['response']>
  : Routes[K]['response'] extends 'bytes'
    ? Uint8Array
    : string;
/** A plain, serialisable request: what crosses the IPC boundary. */
export interface ApiRequest {
  params?: Record<string, string | number>;
  query?: Record<string, string | number | undefined>;
  body?: unknown;
}

/** Every method's name: the preload exposes exactly these. */
export const API_METHODS: readonly RouteName[] = API_METHOD_NAMES;

/** A failed call: the node's HTTP status, its error code and its sentence. */
export class ApiCallError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiCallError';
  }
}

/** Sends one request and answers with the status and the decoded JSON (or text) body. */
export type ApiTransport = (name: RouteName, request: ApiRequest) => Promise<{ status: number; body: unknown }>;

export interface ApiClient {
  call<K extends RouteName>(name: K, input?: RouteInput<K>): Promise<RouteOutput<K>>;
}

export function apiClient(transport: ApiTransport): ApiClient {
  return {
    async call(name, input) {
      const route = apiRoutes[name];
      const { status, body } = await transport(name, (input ?? {}) as ApiRequest);
      if (status !== route.status) {
        const parsed = apiErrorSchema.safeParse(body);
        if (parsed.success) throw new ApiCallError(status, parsed.data.error.code, parsed.data.error.message);
        throw new ApiCallError(status, 'UNEXPECTED_ANSWER', `the node answered ${name} with status ${status}`);
      }
      if (route.response === 'text' || route.response === 'bytes') return body as never;
      const parsed = (route.response as z.ZodType).safeParse(body);
      if (!parsed.success)
        throw new ApiCallError(
          status,
          'UNEXPECTED_ANSWER',
          `the node's answer to ${name} does not match this version of the API`,
        );
      return parsed.data as never;
    },
  };
}

/** The URL path and query string of a call, parameters percent-encoded. */
export function requestPath(name: RouteName, request: ApiRequest): string {
  const route = apiRoutes[name] as { path: string; root?: boolean };
  const path = route.path.replace(/\{(\w+)\}/g, (_, param: string) => {
    const value = request.params?.[param];
    if (value === undefined) throw new ApiCallError(0, 'MALFORMED', `${name} needs the path parameter ${param}`);
    return encodeURIComponent(String(value));
  });
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(request.query ?? {}))
    if (value !== undefined) query.set(key, String(value));
  const search = query.size > 0 ? `?${query.toString()}` : '';
  return `${route.root ? '' : API_PREFIX}${path}${search}`;
}

/** True when a value holds bytes anywhere (JSON cannot carry them; CBOR can). */
export function holdsBytes(value: unknown, depth = 0): boolean {
  if (value instanceof Uint8Array) return true;
  if (depth > 32 || value === null || typeof value !== 'object') return false;
  return Object.values(value).some((item) => holdsBytes(item, depth + 1));
}

/** HTTP transport with the bearer token; `fetch` is the platform's (browser or Node). */
export function httpTransport(options: { baseUrl: string; token: string; fetch?: typeof fetch }): ApiTransport {
  const doFetch = options.fetch ?? fetch;
  return async (name, request) => {
    const route = apiRoutes[name];
    const headers: Record<string, string> = { authorization: `Bearer ${options.token}` };
    let body: string | Uint8Array<ArrayBuffer> | undefined;
    if (route.method === 'POST' && holdsBytes(request.body)) {
      // a transaction carrying byte strings (a ballot): canonical CBOR, as the node decodes it
      headers['content-type'] = 'application/cbor';
      body = new Uint8Array(encode(request.body));
    } else if (route.method === 'POST') {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(request.body ?? {});
    }
    let response: Response;
    try {
      response = await doFetch(`${options.baseUrl}${requestPath(name, request)}`, {
        method: route.method,
        headers,
        ...(body === undefined ? {} : { body }),
      });
    } catch (error) {
      throw new ApiCallError(
        0,
        'UNREACHABLE',
        `the node at ${options.baseUrl} does not answer (${(error as Error).message})`,
      );
    }
    if (route.response === 'bytes' && response.ok)
      return { status: response.status, body: new Uint8Array(await response.arrayBuffer()) };
    const text = await response.text();
    if (route.response === 'text' && response.ok) return { status: response.status, body: text };
    let json: unknown;
    try {
      json = text.length > 0 ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    return { status: response.status, body: json };
  };
}

/** Electron IPC transport: the functions the preload put on `window.notary`. */
export function ipcTransport(bridge: Pick<NotaryBridge, 'api'>): ApiTransport {
  return (name, request) => bridge.api[name](request);
}
