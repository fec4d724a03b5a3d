// The local HTTP API (DESIGN §7): 127.0.0.1 by default, bearer token from DATA/api-token,
// JSON bodies capped at API_BODY_BYTES_MAX, every input checked before it reaches the node.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { API_BODY_BYTES_MAX, API_PREFIX, type ApiHandlerMap, type BytesAnswer } from '../../../shared/api/index.js';
import { bytesToHex, CodecError, decode } from '../../../shared/codec/index.js';
import { writeFileDurably } from '../config.js';
import { ApiError, toApiError } from './errors.js';
import { eventsUpgradeHandler, type EventHub } from './events.js';
import { dispatch, routeOf } from './router.js';
import { staticUi } from './static-ui.js';

export interface ApiServerOptions {
  host: string;
  port: number;
  tokenFile: string;
  handlers: ApiHandlerMap;
  /** Live events for WebSocket clients at /api/v1/events. */
  events?: EventHub;
  /** The built renderer to serve at / (the browser UI); none: API only. */
  uiDir?: string;
  /** Serve requests from non-loopback addresses too (the token is still required). Default false. */
  allowRemote?: boolean;
  log?: (message: string) => void;
}

/** Reads the API token, creating it (mode 0600) on first start. */
export async function loadApiToken(tokenFile: string): Promise<string> {
  try {
    const token = (await readFile(tokenFile, 'utf8')).trim();
    if (!/^[0-9a-f]{64}$/.test(token))
      throw new ApiError(500, 'TOKEN_INVALID', `${tokenFile} does not hold a 64-hex-character token`);
    return token;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    const token = randomBytes(32).toString('hex');
    await writeFileDurably(tokenFile, `${token}\n`, 0o600);
    return token;
  }
}

// Request bodies are UTF-8 JSON; a byte sequence that is not UTF-8 is refused rather than read
// with replacement characters, which would sign and commit text nobody sent.
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * A body sent as `application/cbor` is canonical CBOR (shared/codec): how a transaction whose
 * payload carries byte strings (an election's ballots and proofs, decision #56) reaches the
 * node, since JSON has no bytes. Anything else is JSON.
 */
function isCbor(request: IncomingMessage): boolean {
  return (request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase() === 'application/cbor';
}

/** A request's body, JSON or canonical CBOR, refused with 413 over `bytesMax`. */
export async function readBody(
  request: IncomingMessage,
  emptyAs?: unknown,
  bytesMax: number = API_BODY_BYTES_MAX,
): Promise<unknown> {
  const declared = Number(request.headers['content-length'] ?? 0);
  if (declared > bytesMax) throw new ApiError(413, 'BODY_TOO_LARGE', `the body is over ${bytesMax} bytes`);
  const chunks: Buffer[] = [];
  let length = 0;
  for await (const chunk of request) {
    length += (chunk as Buffer).length;
    if (length > bytesMax) throw new ApiError(413, 'BODY_TOO_LARGE', `the body is over ${bytesMax} bytes`);
    chunks.push(chunk as Buffer);
  }
  if (length === 0 && emptyAs !== undefined) return emptyAs;
  if (isCbor(request)) {
    try {
      return decode(new Uint8Array(Buffer.concat(chunks)), bytesMax);
    } catch (error) {
      if (error instanceof CodecError) throw new ApiError(400, 'MALFORMED', `the CBOR body: ${error.message}`);
      throw error;
    }
  }
  let text: string;
  try {
    text = strictUtf8.decode(Buffer.concat(chunks));
  } catch {
    throw new ApiError(400, 'MALFORMED', 'the body is not valid UTF-8 text');
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new ApiError(400, 'MALFORMED', 'the body is not valid JSON');
  }
}

/** Bytes inside a JSON answer (a block holding a ballot) are written as lowercase hex. */
function jsonValue(_key: string, value: unknown): unknown {
  return value instanceof Uint8Array ? bytesToHex(value) : value;
}

export function send(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body, jsonValue);
  response.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
  });
  response.end(text);
}

function authorized(request: IncomingMessage, token: Buffer): boolean {
  const header = request.headers.authorization ?? '';
  const presented = Buffer.from(header.startsWith('Bearer ') ? header.slice(7).trim() : '');
  return presented.length === token.length && timingSafeEqual(presented, token);
}

/** Loopback: 127.0.0.0/8 and ::1, also as IPv4-mapped IPv6. */
export function isLoopback(address: string | undefined): boolean {
  if (!address) return false;
  const v4 = address.startsWith('::ffff:') ? address.slice(7) : address;
  return v4.startsWith('127.') || address === '::1';
}

const FORBIDDEN_MESSAGE =
  'this node serves its API to this machine only; start it with api.allowRemote to serve other hosts';

function isApiPath(url: string | undefined): boolean {
  const path = (url ?? '/').split('?')[0]!;
  return path === API_PREFIX || path.startsWith(`${API_PREFIX}/`) || path === '/metrics';
}

async function answer(
  request: IncomingMessage,
  response: ServerResponse,
  token: Buffer,
  options: ApiServerOptions,
  ui: ReturnType<typeof staticUi> | undefined,
): Promise<void> {
  if (!options.allowRemote && !isLoopback(request.socket.remoteAddress)) {
    send(response, 403, { error: { code: 'FORBIDDEN', message: FORBIDDEN_MESSAGE } });
    return;
  }
  if (ui && !isApiPath(request.url)) {
    // the UI's files need no token; anything else outside the API is simply not here
    if (!(await ui(request, response)))
      send(response, 404, { error: { code: 'NOT_FOUND', message: 'no such file in the UI' } });
    return;
  }
  if (!authorized(request, token)) {
    send(response, 401, {
      error: {
        code: 'UNAUTHORIZED',
        message: `send the token from the api-token file in the node's data folder as "Authorization: Bearer <token>"`,
      },
    });
    return;
  }
  const reply = await dispatch(routeOf(request), options.handlers, (emptyAs) => readBody(request, emptyAs));
  if ('json' in reply) send(response, reply.status, reply.json);
  else if ('bytes' in reply) await stream(response, reply.status, reply.bytes);
  else {
    response.writeHead(reply.status, {
      'content-type': reply.contentType,
      'content-length': Buffer.byteLength(reply.text),
      'cache-control': 'no-store',
    });
    response.end(reply.text);
  }
}

/**
 * Streams a file as it is made. An error before the first chunk is still an ordinary JSON
 * error; after it, the connection is cut (the client sees a short body, and a framed file such
 * as an election export is refused as cut).
 */
export async function stream(response: ServerResponse, status: number, answer: BytesAnswer): Promise<void> {
  const iterator = answer.chunks[Symbol.asyncIterator]();
  const first = await iterator.next();
  response.writeHead(status, {
    'content-type': answer.contentType,
    'content-disposition': `attachment; filename="${answer.fileName.replace(/[^A-Za-z0-9._-]/g, '_')}"`,
    'cache-control': 'no-store',
  });
  for (let step = first; !step.done; step = await iterator.next()) {
    if (!response.write(step.value))
      await new Promise<void>((resolve) => {
        response.once('drain', resolve);
        response.once('close', resolve);
      });
    if (response.destroyed) {
      await iterator.return?.();
      return;
    }
  }
  response.end();
}

/** A listen address only this machine reaches: 127.0.0.0/8, ::1 or localhost. */
export function isLoopbackHost(host: string): boolean {
  const bare = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  return bare === 'localhost' || isLoopback(bare);
}

/** A listen address other machines can reach, refused unless the operator opted in. */
export class ApiExposedError extends Error {
  readonly code = 'API_NOT_LOOPBACK' as const;
  constructor(host: string) {
    super(
      `the API would listen on ${host}, which other machines can reach; it serves this machine only (127.0.0.1). ` +
        'To serve other hosts on purpose, set "api": {"allowRemote": true} in config.json (the token is still required, and put TLS in front).',
    );
    this.name = 'ApiExposedError';
  }
}

export async function startApiServer(
  options: ApiServerOptions,
): Promise<{ server: Server; url: string; close(): Promise<void> }> {
  // REJECT: a non-loopback listen address without the documented opt-in (api.allowRemote)
  if (!options.allowRemote && !isLoopbackHost(options.host)) throw new ApiExposedError(options.host);
  const token = Buffer.from(await loadApiToken(options.tokenFile));
  const ui = options.uiDir ? staticUi(options.uiDir) : undefined;
  const server = createServer((request, response) => {
    answer(request, response, token, options, ui).catch((error: unknown) => {
      const apiError = toApiError(error);
      if (apiError.status >= 500)
        options.log?.(`api ${request.method} ${request.url}: ${(error as Error).stack ?? error}`);
      if (response.headersSent) response.destroy();
      else send(response, apiError.status, { error: { code: apiError.code, message: apiError.message } });
    });
  });
  server.requestTimeout = 60_000;
  server.headersTimeout = 40_000;
  // Idle keep-alive connections are closed by the client first (fetch: after 4 s): a server
  // closing at the same moment races a request being sent ("other side closed").
  server.keepAliveTimeout = 30_000;
  server.maxHeadersCount = 64;
  const events =
    options.events &&
    eventsUpgradeHandler(
      options.events,
      token,
      (presented) => presented.length === token.length && timingSafeEqual(presented, token),
    );
  server.on('upgrade', (request, socket, head) => {
    socket.on('error', () => socket.destroy());
    const path = (request.url ?? '/').split('?')[0];
    if (!options.allowRemote && !isLoopback(request.socket.remoteAddress))
      socket.end(`HTTP/1.1 403 Forbidden\r\nConnection: close\r\n\r\n${FORBIDDEN_MESSAGE}\n`);
    else if (!events || path !== `${API_PREFIX}/events`)
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n');
    else events.handle(request, socket, head);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const url = `http://${options.host}:${address.port}`;
  const close = () =>
    new Promise<void>((resolve) => {
      events?.close();
      server.close(() => resolve());
      // Keep-alive clients would otherwise hold the stop for the keep-alive timeout.
      server.closeIdleConnections();
    });
  return { server, url, close };
}
