// The local HTTP API (DESIGN §7): 127.0.0.1 by default, bearer token from DATA/api-token,
// JSON bodies capped at API_BODY_BYTES_MAX, every input checked before it reaches the node.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { API_BODY_BYTES_MAX, API_PREFIX, txHashParam, type BlockSummary, type NodeStatus, type OutboxEntryView, type SubmitResult, type TxStatus } from '../../../shared/api/index.js';
import { writeFileAtomic } from '../config.js';
import { ApiError, toApiError } from './errors.js';

export interface ApiHandlers {
  status(): Promise<NodeStatus>;
  submit(tx: unknown): Promise<SubmitResult>;
  txStatus(txHash: string): Promise<TxStatus>;
  outbox(): Promise<OutboxEntryView[]>;
  block(height: number): Promise<BlockSummary | undefined>;
  /** Equivocation evidence this node has seen, oldest first. */
  evidence(): Promise<unknown[]>;
  /** Operator switch: take this office off the network (or back on), as a cut cable would. */
  setOffline(offline: boolean): Promise<void>;
}

export interface ApiServerOptions {
  host: string;
  port: number;
  tokenFile: string;
  handlers: ApiHandlers;
  log?: (message: string) => void;
}

/** Reads the API token, creating it (mode 0600) on first start. */
export async function loadApiToken(tokenFile: string): Promise<string> {
  try {
    const token = (await readFile(tokenFile, 'utf8')).trim();
    if (!/^[0-9a-f]{64}$/.test(token)) throw new ApiError(500, 'TOKEN_INVALID', `${tokenFile} does not hold a 64-hex-character token`);
    return token;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    const token = randomBytes(32).toString('hex');
    await writeFileAtomic(tokenFile, `${token}\n`, 0o600);
    return token;
  }
}

async function readBody(request: IncomingMessage): Promise<unknown> {
  const declared = Number(request.headers['content-length'] ?? 0);
  if (declared > API_BODY_BYTES_MAX) throw new ApiError(413, 'BODY_TOO_LARGE', `the body is over ${API_BODY_BYTES_MAX} bytes`);
  const chunks: Buffer[] = [];
  let length = 0;
  for await (const chunk of request) {
    length += (chunk as Buffer).length;
    if (length > API_BODY_BYTES_MAX) throw new ApiError(413, 'BODY_TOO_LARGE', `the body is over ${API_BODY_BYTES_MAX} bytes`);
    chunks.push(chunk as Buffer);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new ApiError(400, 'MALFORMED', 'the body is not valid JSON');
  }
}

function send(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), 'cache-control': 'no-store' });
  response.end(text);
}

function authorized(request: IncomingMessage, token: Buffer): boolean {
  const header = request.headers.authorization ?? '';
  const presented = Buffer.from(header.startsWith('Bearer ') ? header.slice(7).trim() : '');
  return presented.length === token.length && timingSafeEqual(presented, token);
}

async function route(request: IncomingMessage, handlers: ApiHandlers): Promise<[number, unknown]> {
  const url = new URL(request.url ?? '/', 'http://localhost');
  const path = url.pathname.startsWith(API_PREFIX) ? url.pathname.slice(API_PREFIX.length) : null;
  const method = request.method ?? 'GET';
  if (path === '/status' && method === 'GET') return [200, await handlers.status()];
  if (path === '/txs' && method === 'POST') return [202, await handlers.submit(await readBody(request))];
  if (path?.startsWith('/txs/') && method === 'GET') {
    const hash = txHashParam.safeParse(path.slice('/txs/'.length));
    if (!hash.success) throw new ApiError(400, 'MALFORMED', 'a transaction hash is 64 lowercase hex characters');
    return [200, await handlers.txStatus(hash.data)];
  }
  if (path === '/outbox' && method === 'GET') return [200, await handlers.outbox()];
  if (path === '/evidence' && method === 'GET') return [200, await handlers.evidence()];
  if (path?.startsWith('/blocks/') && method === 'GET') {
    const height = Number(path.slice('/blocks/'.length));
    if (!Number.isSafeInteger(height) || height < 0) throw new ApiError(400, 'MALFORMED', 'a block height is a whole number from 0');
    const block = await handlers.block(height);
    if (!block) throw new ApiError(404, 'NOT_FOUND', `no block at height ${height} yet`);
    return [200, block];
  }
  if (path === '/network' && method === 'POST') {
    const body = (await readBody(request)) as { offline?: unknown };
    if (typeof body?.offline !== 'boolean') throw new ApiError(400, 'MALFORMED', 'expected {"offline": true|false}');
    await handlers.setOffline(body.offline);
    return [200, { offline: body.offline }];
  }
  throw new ApiError(404, 'NOT_FOUND', `no route ${method} ${url.pathname}`);
}

export async function startApiServer(options: ApiServerOptions): Promise<{ server: Server; url: string; close(): Promise<void> }> {
  const token = Buffer.from(await loadApiToken(options.tokenFile));
  const server = createServer((request, response) => {
    if (!authorized(request, token)) {
      send(response, 401, { error: { code: 'UNAUTHORIZED', message: `send the token from ${options.tokenFile} as "Authorization: Bearer <token>"` } });
      return;
    }
    route(request, options.handlers).then(
      ([status, body]) => send(response, status, body),
      (error: unknown) => {
        const apiError = toApiError(error);
        if (apiError.status >= 500) options.log?.(`api ${request.method} ${request.url}: ${(error as Error).stack ?? error}`);
        send(response, apiError.status, { error: { code: apiError.code, message: apiError.message } });
      },
    );
  });
  server.requestTimeout = 30_000;
  server.headersTimeout = 10_000;
  server.maxHeadersCount = 64;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const url = `http://${options.host}:${address.port}`;
  return { server, url, close: () => new Promise((resolve) => server.close(() => resolve())) };
}
