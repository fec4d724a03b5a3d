// Matches a request against the route table of shared/api/routes.ts, checks its input with
// the route's zod schemas (400 before anything runs) and calls the node's handler.
import type { IncomingMessage } from 'node:http';
import { z } from 'zod';
import {
  API_BODY_BYTES_MAX,
  apiRoutes,
  bootstrapUpdateSchema,
  networkSwitchSchema,
  openApiDocument,
  routePath,
  type RouteName,
  type RouteSpec,
} from '../../../shared/api/index.js';
import { ApiError } from './errors.js';
import type { ApiHandlers } from './http-server.js';

export type Reply = { status: number; json: unknown } | { status: number; text: string; contentType: string };

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

function found<T>(value: T | undefined, message: string): T {
  if (value === undefined) throw new ApiError(404, 'NOT_FOUND', message);
  return value;
}

/**
 * Reads a request's JSON body. `emptyAs`: what an absent or zero-length body stands for, on
 * routes whose body carries nothing (certify, remove): `{}` sent or nothing sent mean the same.
 */
export type BodyReader = (emptyAs?: unknown) => Promise<unknown>;

export async function dispatch(match: Match, handlers: ApiHandlers, readBody: BodyReader): Promise<Reply> {
  const { route } = match;
  const param = (name: string) => parseInput(route.params![name]!, match.params[name], `path parameter ${name}`);
  const query = (name: string) =>
    parseInput(route.query![name]!, match.query.get(name) ?? '', `query parameter ${name}`);
  const ok = (json: unknown): Reply => ({ status: route.status, json });
  switch (match.name) {
    case 'status':
      return ok(await handlers.status());
    case 'submit':
      return ok(await handlers.submit(await readBody()));
    case 'txStatus':
      return ok(await handlers.txStatus(param('txHash') as string));
    case 'receipt': {
      const hash = param('txHash') as string;
      return ok(
        found(
          await handlers.receipt(hash),
          `transaction ${hash} is not committed on this node (see GET /api/v1/txs/${hash} for its state)`,
        ),
      );
    }
    case 'blocks': {
      const before = query('before') as number | undefined;
      return ok(await handlers.blocks(before, query('limit') as number));
    }
    case 'identity':
      return ok(await handlers.identity());
    case 'cosign':
      return ok(await handlers.cosign(await readBody()));
    case 'settings':
      return ok(await handlers.settings());
    case 'setBootstrap': {
      const body = parseInput(
        bootstrapUpdateSchema,
        await readBody(),
        'expected {"bootstrap": ["/ip4/HOST/tcp/PORT/p2p/PEER_ID", ...]}',
      );
      return ok(await handlers.setBootstrap(body.bootstrap));
    }
    case 'keystoreBackup':
      return ok(
        found(
          await handlers.keystoreBackup(),
          'this node has no encrypted keystore (an observer, or a devnet node with a plain key file)',
        ),
      );
    case 'inbox':
      return ok(await handlers.inbox());
    case 'inboxAdd':
      return ok(await handlers.inboxAdd(await readBody()));
    case 'inboxChecks': {
      const id = param('id') as string;
      return ok(found(await handlers.inboxChecks(id), `no contract ${id} in the inbox`));
    }
    case 'inboxCertify': {
      const id = param('id') as string;
      parseInput(route.body!, await readBody({}), 'expected an empty JSON object {} or no body');
      return ok(found(await handlers.inboxCertify(id), `no contract ${id} in the inbox`));
    }
    case 'inboxRemove': {
      const id = param('id') as string;
      parseInput(route.body!, await readBody({}), 'expected an empty JSON object {} or no body');
      if (!(await handlers.inboxRemove(id))) throw new ApiError(404, 'NOT_FOUND', `no contract ${id} in the inbox`);
      return ok({ removed: true });
    }
    case 'block': {
      const height = param('height') as number;
      return ok(found(await handlers.block(height), `no block at height ${height} yet`));
    }
    case 'property': {
      const id = param('id') as string;
      return ok(found(await handlers.property(id), `no property object ${id} in the registry`));
    }
    case 'propertyHistory': {
      const id = param('id') as string;
      return ok(found(await handlers.propertyHistory(id), `no property object ${id} in the registry`));
    }
    case 'search':
      return ok(await handlers.search(query('q') as string));
    case 'outbox':
      return ok(await handlers.outbox());
    case 'evidence':
      return ok(await handlers.evidence());
    case 'peers':
      return ok(await handlers.peers());
    case 'validators':
      return ok(await handlers.validators());
    case 'setNetwork': {
      const body = parseInput(networkSwitchSchema, await readBody(), 'expected {"offline": true|false}');
      await handlers.setOffline(body.offline);
      return ok({ offline: body.offline });
    }
    case 'openapi':
      return ok(openApiDocument());
    case 'metrics': {
      const metrics = await handlers.metrics();
      return { status: 200, text: metrics.text, contentType: metrics.contentType };
    }
  }
}

/**
 * One call from another transport (the Electron IPC channel): the same route table, the same
 * input checks and the same handlers as HTTP. `request` is untrusted: it came from a renderer.
 */
export async function dispatchCall(name: unknown, request: unknown, handlers: ApiHandlers): Promise<Reply> {
  if (typeof name !== 'string' || !Object.hasOwn(apiRoutes, name))
    throw new ApiError(404, 'NOT_FOUND', `no API method ${String(name).slice(0, 64)}`);
  const route = apiRoutes[name as RouteName] as RouteSpec;
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
