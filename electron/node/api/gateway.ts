// The public election gateway (docs/operations.md "A public gateway", issue 17): a second HTTP
// listener an operator may expose to voters. It serves the voter's page, the public election
// pages' reads and ballot submissions, and the citizen's verification page (renderer/verify.html)
// with the checkpoints it imports, with no token; every other route of the node is absent
// (404, as an unknown path), not merely refused. Bounded everywhere: the body (one ballot), the
// requests of one client address (a token bucket), the open connections, and the share of the
// mempool one election's ballots may hold. A ballot is checked in full by the node before it is
// gossiped (the submission path), so a gateway cannot stuff or change ballots: the chain checks
// every credential's signature and every proof. What it can do is refuse service, which the
// voter sees.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ApiHandlerMap } from '../../../shared/api/index.js';
import { ELECTION_LIMITS } from '../../../shared/modules/election/types.js';
import { ApiError, toApiError } from './errors.js';
import { readBody, send, stream } from './http-server.js';
import { dispatch, routeOf } from './router.js';
import { staticUi } from './static-ui.js';

/**
 * The only routes a gateway has: the public election reads, a transaction's status, casting, and
 * the checkpoints a citizen's verification page imports (read-only, issue 18).
 */
export const GATEWAY_ROUTES = [
  'elections',
  'election',
  'electionBallots',
  'electionTurnout',
  'electionCredential',
  'electionExport',
  'electionCast',
  'txStatus',
  'checkpoints',
  'checkpointBundle',
] as const;

/** Routes any page may read from another origin (a verification page hosted elsewhere): public, read-only data. */
const CROSS_ORIGIN_ROUTES = new Set<string>(['checkpoints', 'checkpointBundle']);

/** One ballot (at most 48 KiB) in its signed transaction, with room for the envelope. */
export const GATEWAY_BODY_BYTES_MAX = ELECTION_LIMITS.ballotBytesMax + 16 * 1024;
/** Client addresses whose buckets are remembered; the least recently seen is forgotten first. */
export const GATEWAY_ADDRESSES_MAX = 100_000;
/** Exports streamed at once (each reads every block of its election). */
export const GATEWAY_EXPORTS_MAX = 2;

/** What config.json's `gateway` defaults to, for an address given on the command line. */
export const GATEWAY_DEFAULTS: GatewayLimits = {
  perAddressPerMinute: 120,
  perAddressBurst: 30,
  connectionsMax: 1_000,
  electionMempoolShare: 0.5,
};

export interface GatewayLimits {
  perAddressPerMinute: number;
  perAddressBurst: number;
  connectionsMax: number;
  electionMempoolShare: number;
}

export interface GatewayOptions extends GatewayLimits {
  host: string;
  port: number;
  handlers: ApiHandlerMap;
  /** The built renderer; the gateway serves its voter.html, verify.html and their assets only. */
  uiDir?: string;
  mempool: { pendingIn(lane: string): number; readonly capacity: number };
  /** Milliseconds since the epoch (the rate buckets refill by it). */
  now?: () => number;
  log?: (message: string) => void;
}

/** A token bucket per client address: `burst` requests at once, refilled at `perMinute`. */
export class AddressBuckets {
  readonly #buckets = new Map<string, { tokens: number; atMs: number }>();

  constructor(
    private readonly perMinute: number,
    private readonly burst: number,
    private readonly now: () => number,
    private readonly addressesMax = GATEWAY_ADDRESSES_MAX,
  ) {}

  /** Takes one token; answers the seconds to wait when there is none. */
  take(address: string): { ok: true } | { ok: false; retryAfterSeconds: number } {
    const nowMs = this.now();
    const bucket = this.#buckets.get(address) ?? { tokens: this.burst, atMs: nowMs };
    bucket.tokens = Math.min(this.burst, bucket.tokens + ((nowMs - bucket.atMs) * this.perMinute) / 60_000);
    bucket.atMs = nowMs;
    // least recently seen last out: re-insert at the end of the map's order
    this.#buckets.delete(address);
    this.#buckets.set(address, bucket);
    if (this.#buckets.size > this.addressesMax) this.#buckets.delete(this.#buckets.keys().next().value!);
    if (bucket.tokens < 1)
      return { ok: false, retryAfterSeconds: Math.ceil(((1 - bucket.tokens) * 60) / this.perMinute) };
    bucket.tokens -= 1;
    return { ok: true };
  }

  get size(): number {
    return this.#buckets.size;
  }
}

const ALLOWED = new Set<string>(GATEWAY_ROUTES);
const API_PATH = /^\/api\/v1(\/|$)/;

/** The voter's page, the citizen's verification page with what installs it on a phone, and their assets. */
const PAGE_FILES = new Set([
  '/',
  '/voter.html',
  '/verify.html',
  '/verify.webmanifest',
  '/verify-sw.js',
  '/verify-icon.svg',
  '/favicon.svg',
]);

function isPagePath(pathname: string): boolean {
  return PAGE_FILES.has(pathname) || pathname.startsWith('/assets/');
}

export async function startGateway(
  options: GatewayOptions,
): Promise<{ server: Server; url: string; close(): Promise<void> }> {
  const now = options.now ?? Date.now;
  const buckets = new AddressBuckets(options.perAddressPerMinute, options.perAddressBurst, now);
  const page = options.uiDir ? staticUi(options.uiDir, 'voter.html') : undefined;
  let exporting = 0;

  const answer = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const address = request.socket.remoteAddress ?? 'unknown';
    const taken = buckets.take(address);
    // REJECT: one address asking faster than its bucket refills
    if (!taken.ok) {
      response.setHeader('retry-after', String(taken.retryAfterSeconds));
      throw new ApiError(
        429,
        'RATE_LIMITED',
        `too many requests from this address; try again in ${taken.retryAfterSeconds} s`,
      );
    }
    const pathname = new URL(request.url ?? '/', 'http://gateway').pathname;
    if (!API_PATH.test(pathname)) {
      if (page && isPagePath(pathname) && (await page(request, response))) return;
      throw new ApiError(404, 'NOT_FOUND', 'no such page on this gateway');
    }
    const match = routeOf(request);
    // REJECT: every route but the public election and checkpoint ones is absent here
    if (!ALLOWED.has(match.name))
      throw new ApiError(404, 'NOT_FOUND', `no route ${request.method} ${pathname} on this gateway`);
    if (CROSS_ORIGIN_ROUTES.has(match.name)) response.setHeader('access-control-allow-origin', '*');
    if (match.name === 'electionCast') {
      const lane = `election:${match.params.id ?? ''}`;
      const waiting = options.mempool.pendingIn(lane);
      // REJECT: one election's ballots already hold their share of the node's mempool
      if (waiting >= Math.floor(options.mempool.capacity * options.electionMempoolShare)) {
        response.setHeader('retry-after', '5');
        throw new ApiError(
          503,
          'ELECTION_BUSY',
          `the network is taking many ballots now (${waiting} waiting for a block); try again in a few seconds`,
        );
      }
    }
    if (match.name === 'electionExport') {
      // REJECT: more exports at once than the gateway streams
      if (exporting >= GATEWAY_EXPORTS_MAX)
        throw new ApiError(503, 'BUSY', 'other exports are being streamed; try again in a minute');
      exporting++;
    }
    try {
      const reply = await dispatch(match, options.handlers, (emptyAs) =>
        readBody(request, emptyAs, GATEWAY_BODY_BYTES_MAX),
      );
      if ('json' in reply) send(response, reply.status, reply.json);
      else if ('bytes' in reply) await stream(response, reply.status, reply.bytes);
      else throw new ApiError(404, 'NOT_FOUND', 'no such route on this gateway');
    } finally {
      if (match.name === 'electionExport') exporting--;
    }
  };

  const server = createServer((request, response) => {
    answer(request, response).catch((error: unknown) => {
      const apiError = toApiError(error);
      if (apiError.status >= 500 && apiError.status !== 503)
        options.log?.(`gateway ${request.method} ${request.url}: ${(error as Error).stack ?? error}`);
      if (response.headersSent) response.destroy();
      else send(response, apiError.status, { error: { code: apiError.code, message: apiError.message } });
    });
  });
  server.maxConnections = options.connectionsMax;
  server.requestTimeout = 30_000;
  server.headersTimeout = 20_000;
  server.keepAliveTimeout = 30_000;
  server.maxHeadersCount = 64;
  // no WebSocket or other upgrade on a gateway
  server.on('upgrade', (_request, socket) => {
    socket.on('error', () => socket.destroy());
    socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  const url = `http://${host}:${address.port}`;
  const close = () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeIdleConnections();
    });
  return { server, url, close };
}

/** The gateway as a part of the node's lifecycle: listens at start, closes at stop. */
export class GatewayPart {
  #server: Awaited<ReturnType<typeof startGateway>> | undefined;

  constructor(private readonly options: GatewayOptions) {}

  get url(): string | undefined {
    return this.#server?.url;
  }

  async start(): Promise<void> {
    this.#server = await startGateway(this.options);
  }

  async stop(): Promise<void> {
    await this.#server?.close();
    this.#server = undefined;
  }
}

/**
 * The gateway a node serves, if any: config.json's `gateway`, or the address given on the command
 * line (`notary start --gateway`) with config's limits or the defaults.
 */
export function publicGateway(
  configured: (GatewayLimits & { host: string; port: number }) | undefined,
  override: { host: string; port: number } | undefined,
  parts: Pick<GatewayOptions, 'handlers' | 'mempool'> & {
    uiDir: string | undefined;
    log: { warn(message: string): void };
  },
): GatewayPart | undefined {
  const settings = override ? { ...GATEWAY_DEFAULTS, ...configured, ...override } : configured;
  if (!settings) return undefined;
  return new GatewayPart({
    ...settings,
    handlers: parts.handlers,
    mempool: parts.mempool,
    ...(parts.uiDir ? { uiDir: parts.uiDir } : {}),
    log: (message) => parts.log.warn(message),
  });
}
