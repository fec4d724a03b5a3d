// The OpenAPI 3.1 document, generated from the route table and its zod schemas.
import { z } from 'zod';
import { apiErrorSchema, API_PREFIX } from './contract.js';
import { apiRoutes, type RouteSpec } from './routes.js';

const ERROR_DESCRIPTIONS: Record<number, string> = {
  400: 'Malformed input; nothing changed',
  401: 'Missing or wrong bearer token',
  403: 'Request from a non-loopback address while remote access is off',
  404: 'Not found',
  409: 'Conflicts with a pending transaction',
  413: 'Body over the size limit',
  422: 'Rejected by the ledger rules (code and sentence)',
  500: 'The node failed to answer',
  503: 'Mempool full',
  507: 'Outbox full',
};

/** Parameters and bodies are documented as the client sends them, responses as the node answers. */
function jsonSchema(type: z.ZodType, io: 'input' | 'output' = 'output'): Record<string, unknown> {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(type, { io, unrepresentable: 'any' }) as Record<
    string,
    unknown
  >;
  return rest;
}

function operation(name: string, route: RouteSpec): Record<string, unknown> {
  const parameters = [
    ...Object.entries(route.params ?? {}).map(([param, type]) => ({
      name: param,
      in: 'path',
      required: true,
      schema: jsonSchema(type, 'input'),
    })),
    ...Object.entries(route.query ?? {}).map(([param, type]) => ({
      name: param,
      in: 'query',
      required: !type.safeParse('').success,
      schema: jsonSchema(type, 'input'),
    })),
  ];
  const ok =
    route.response === 'text'
      ? { description: route.summary, content: { 'text/plain; version=0.0.4': { schema: { type: 'string' } } } }
      : route.response === 'bytes'
        ? {
            description: route.summary,
            content: { 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } },
          }
        : { description: route.summary, content: { 'application/json': { schema: jsonSchema(route.response) } } };
  const errors = Object.fromEntries(
    [...new Set([400, 401, 403, 500, ...(route.errors ?? [])])]
      .sort((a, b) => a - b)
      .map((status) => [String(status), { $ref: `#/components/responses/Error${status}` }]),
  );
  return {
    operationId: name,
    summary: route.summary,
    ...(parameters.length > 0 ? { parameters } : {}),
    ...(route.body
      ? {
          requestBody: { required: true, content: { 'application/json': { schema: jsonSchema(route.body, 'input') } } },
        }
      : {}),
    responses: { [String(route.status)]: ok, ...errors },
  };
}

export function routePath(route: RouteSpec): string {
  return route.root ? route.path : `${API_PREFIX}${route.path}`;
}

export function openApiDocument(
  info: { version: string; serverUrl?: string } = { version: '1' },
): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const [name, route] of Object.entries(apiRoutes) as Array<[string, RouteSpec]>) {
    (paths[routePath(route)] ??= {})[route.method.toLowerCase()] = operation(name, route);
  }
  const statuses = [
    ...new Set(
      Object.values(apiRoutes as Record<string, RouteSpec>).flatMap((route) => [
        400,
        401,
        403,
        500,
        ...(route.errors ?? []),
      ]),
    ),
  ];
  return {
    openapi: '3.1.0',
    info: {
      title: 'Notary node API',
      version: info.version,
      description:
        'The local API of a notary node. Every route, this document and /metrics included, needs the token from DATA/api-token as "Authorization: Bearer <token>".',
    },
    ...(info.serverUrl ? { servers: [{ url: info.serverUrl }] } : {}),
    security: [{ bearer: [] }],
    paths,
    components: {
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', description: 'The 64-hex-character token in DATA/api-token' },
      },
      schemas: { ApiError: jsonSchema(apiErrorSchema) },
      responses: Object.fromEntries(
        statuses
          .sort((a, b) => a - b)
          .map((status) => [
            `Error${status}`,
            {
              description: ERROR_DESCRIPTIONS[status] ?? 'Error',
              content: { 'application/json': { schema: { $ref: '#/components/schemas/ApiError' } } },
            },
          ]),
      ),
    },
  };
}
