// Matches a request against the route table of shared/api/routes.ts, checks its input with
// the route's zod schemas (400 before anything runs) and calls the route's one handler: no
// route is named here, so a new route needs only its line in the table and its handler.
import type { IncomingMessage } from 'node:http';
import { z } from 'zod';
import {
  API_BODY_BYTES_MAX,
  apiRoutes,
  routePath,
  type ApiHandlerMap,
  type RouteName,
  type RouteSpec,
  type BytesAnswer,
  type TextAnswer,
} from '../../../shared/api/index.js';
import { ApiError } from './errors.js';

export type Reply =
  | { status: number; json: unknown }
  | { status: number; text: string; contentType: string }
  | { status: number; bytes: BytesAnswer };

interface Match {
  name: RouteName;
  route: RouteSpec;
  params: Record<string, string>;
  query: URLSearchParams;
}

const table = (Object.entries(apiRoutes) as Array<[RouteName, RouteSpec]>).map(([name, route]) => ({
  name,
  route,
  segments: routePath(route).split('/').slice(1),
}));

/** Path segments are matched raw and decoded one by one, so an object id may hold an encoded "/". */
export function matchRoute(method: string, rawUrl: string): Match | undefined {
  const url = new URL(rawUrl, 'http://localhost');
  const segments = url.pathname.split('/').slice(1);
  for (const { name, route, segments: template } of table) {
    if (route.method !== method || template.length !== segments.length) continue;
    const params: Record<string, string> = {};
    const matched = template.every((part, i) => {
      const segment = segments[i]!;
      if (part.startsWith('{')) {
        params[part.slice(1, -1)] = decodeSegment(segment);
        return segment.length > 0;
      }
      return part === segment;
    });
    if (matched) return { name, route, params, query: url.searchParams };
  }
  return undefined;
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new ApiError(400, 'MALFORMED', `the path segment "${segment}" is not valid percent-encoding`);
  }
}

function parseInput<T extends z.ZodType>(type: T, value: unknown, what: string): z.output<T> {
  const result = type.safeParse(value);
  if (!result.success) throw new ApiError(400, 'MALFORMED', `${what}: ${result.error.issues[0]?.message ?? 'invalid'}`);
  return result.data;
}

/**
 * Reads a request's JSON body. `emptyAs`: what an absent or zero-length body stands for, on
 * routes whose body carries nothing (certify, remove): `{}` sent or nothing sent mean the same.
 */
export type BodyReader = (emptyAs?: unknown) => Promise<unknown>;

function parseEach(shape: Record<string, z.ZodType>, value: (name: string) => unknown, what: string) {
  const parsed: Record<string, unknown> = {};
  for (const [name, type] of Object.entries(shape)) parsed[name] = parseInput(type, value(name), `${what} ${name}`);
  return parsed;
}

/** The route's input checked against its schemas (400 before the handler runs), then its one handler. */
export async function dispatch(match: Match, handlers: ApiHandlerMap, readBody: BodyReader): Promise<Reply> {
  const { route } = match;
  const input: { params?: Record<string, unknown>; query?: Record<string, unknown>; body?: unknown } = {};
  if (route.params) input.params = parseEach(route.params, (name) => match.params[name], 'path parameter');
  if (route.query) input.query = parseEach(route.query, (name) => match.query.get(name) ?? '', 'query parameter');
  if (route.body) {
    const body = await readBody(route.bodyOptional ? {} : undefined);
    input.body = route.bodyCheck === 'handler' ? body : parseInput(route.body, body, route.bodyHint ?? 'the body');
  }
  const handler = handlers[match.name] as (input: unknown) => Promise<unknown>;
  const output = await handler(input);
  if (route.response === 'bytes') return { status: route.status, bytes: output as BytesAnswer };
  if (route.response !== 'text') return { status: route.status, json: output };
  const { text, contentType } = output as TextAnswer;
  return { status: route.status, text, contentType };
}

/**
 * One call from another transport (the Electron IPC channel): the same route table, the same
 * input checks and the same handlers as HTTP. `request` is untrusted: it came from a renderer.
 */
export async function dispatchCall(name: unknown, request: unknown, handlers: ApiHandlerMap): Promise<Reply> {
  if (typeof name !== 'string' || !Object.hasOwn(apiRoutes, name))
    throw new ApiError(404, 'NOT_FOUND', `no API method ${String(name).slice(0, 64)}`);
  const route = apiRoutes[name as RouteName] as RouteSpec;
  // REJECT: a streamed file over IPC (it would be held whole in both processes); HTTP serves it
  if (route.response === 'bytes')
    throw new ApiError(404, 'NOT_OVER_IPC', `${name} is a file download: fetch it over the HTTP API`);
  const input = parseInput(callRequestSchema, request ?? {}, 'the request');
  const params: Record<string, string> = {};
  for (const [key, value] of Object.entries(input.params ?? {})) params[key] = String(value);
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(input.query ?? {})) if (value !== undefined) query.set(key, String(value));
  for (const key of Object.keys(route.params ?? {}))
    if (!(key in params)) throw new ApiError(400, 'MALFORMED', `path parameter ${key}: missing`);
  const readBody: BodyReader = async (emptyAs) => {
    if (input.body === undefined && emptyAs !== undefined) return emptyAs;
    if (input.body === undefined) throw new ApiError(400, 'MALFORMED', 'the body is missing');
    if (JSON.stringify(input.body).length > API_BODY_BYTES_MAX)
      throw new ApiError(413, 'BODY_TOO_LARGE', `the body is over ${API_BODY_BYTES_MAX} bytes`);
    return input.body;
  };
  return dispatch({ name: name as RouteName, route, params, query }, handlers, readBody);
}

const scalar = z.union([z.string().max(1024), z.number()]);
const callRequestSchema = z.strictObject({
  params: z.record(z.string().max(64), scalar).optional(),
  query: z.record(z.string().max(64), z.union([scalar, z.undefined()])).optional(),
  body: z.unknown().optional(),
});

export function routeOf(request: IncomingMessage): Match {
  const method = request.method ?? 'GET';
  const match = matchRoute(method, request.url ?? '/');
  if (!match)
    throw new ApiError(
      404,
      'NOT_FOUND',
      `no route ${method} ${new URL(request.url ?? '/', 'http://localhost').pathname}; see GET /api/v1/openapi.json`,
    );
  return match;
}
