// Matches a request against the route table of shared/api/routes.ts, checks its input with
// the route's zod schemas (400 before anything runs) and calls the node's handler.
import type { IncomingMessage } from 'node:http';
import type { z } from 'zod';
import { apiRoutes, networkSwitchSchema, openApiDocument, routePath, type RouteName, type RouteSpec } from '../../../shared/api/index.js';
import { ApiError } from './errors.js';
import type { ApiHandlers } from './http-server.js';

export type Reply = { status: number; json: unknown } | { status: number; text: string; contentType: string };

interface Match {
  name: RouteName;
  route: RouteSpec;
  params: Record<string, string>;
  query: URLSearchParams;
}

const table = (Object.entries(apiRoutes) as Array<[RouteName, RouteSpec]>).map(([name, route]) => ({ name, route, segments: routePath(route).split('/').slice(1) }));

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

export async function dispatch(match: Match, handlers: ApiHandlers, readBody: () => Promise<unknown>): Promise<Reply> {
  const { route } = match;
  const param = (name: string) => parseInput(route.params![name]!, match.params[name], `path parameter ${name}`);
  const query = (name: string) => parseInput(route.query![name]!, match.query.get(name) ?? '', `query parameter ${name}`);
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
      return ok(found(await handlers.receipt(hash), `transaction ${hash} is not committed on this node (see GET /api/v1/txs/${hash} for its state)`));
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

export function routeOf(request: IncomingMessage): Match {
  const method = request.method ?? 'GET';
  const match = matchRoute(method, request.url ?? '/');
  if (!match) throw new ApiError(404, 'NOT_FOUND', `no route ${method} ${new URL(request.url ?? '/', 'http://localhost').pathname}; see GET /api/v1/openapi.json`);
  return match;
}
