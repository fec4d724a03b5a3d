// The CLI's client of a running node's local API (DESIGN §7): bearer token from the data
// folder (or a token file), JSON in and out, API errors surfaced as `CODE: message`.
import { createWriteStream } from 'node:fs';
import { readFile, rename, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { API_PREFIX, apiErrorSchema, holdsBytes } from '../../../shared/api/index.js';
import { encode } from '../../../shared/codec/index.js';
import { CliError } from './errors.js';

const REQUEST_TIMEOUT_MS = 30_000;
/** Receipts are a few KiB; no answer of the API comes near this. */
const RESPONSE_BYTES_MAX = 16 * 1024 * 1024;
const TOKEN_FILE = 'api-token';

export interface ApiTarget {
  api: string;
  data?: string;
  tokenFile?: string;
}

export interface ApiResponse {
  status: number;
  body: unknown;
}

export class ApiClient {
  private constructor(
    readonly baseUrl: string,
    private readonly token: string,
  ) {}

  static async connect(target: ApiTarget): Promise<ApiClient> {
    return new ApiClient(baseUrlOf(target.api), await readToken(target));
  }

  /** Sends a request; any answer (2xx or not) is returned, only an unreachable node throws. */
  async request(method: 'GET' | 'POST', path: string, body?: unknown): Promise<ApiResponse> {
    // a body carrying bytes (a ballot) goes as canonical CBOR: JSON has no bytes
    const cbor = body !== undefined && holdsBytes(body);
    const response = await this.fetch(method, path, {
      ...(body === undefined
        ? {}
        : cbor
          ? { body: new Uint8Array(encode(body)), contentType: 'application/cbor' }
          : { body: JSON.stringify(body), contentType: 'application/json' }),
      timeoutMs: REQUEST_TIMEOUT_MS,
    });
    const text = await response.text();
    if (text.length > RESPONSE_BYTES_MAX)
      throw new CliError(`The node at ${this.baseUrl} sent an answer over ${RESPONSE_BYTES_MAX} bytes.`);
    let parsed: unknown;
    try {
      parsed = text.length === 0 ? undefined : JSON.parse(text);
    } catch {
      throw new CliError(
        `The node at ${this.baseUrl} answered ${method} ${path} with HTTP ${response.status} and a body that is not JSON.`,
      );
    }
    return { status: response.status, body: parsed };
  }

  private async fetch(
    method: 'GET' | 'POST',
    path: string,
    options: { body?: string | Uint8Array<ArrayBuffer>; contentType?: string; timeoutMs: number },
  ): Promise<Response> {
    try {
      return await fetch(`${this.baseUrl}${API_PREFIX}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${this.token}`,
          ...(options.contentType ? { 'content-type': options.contentType } : {}),
        },
        ...(options.body === undefined ? {} : { body: options.body }),
        signal: AbortSignal.timeout(options.timeoutMs),
      });
    } catch (error) {
      const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).name;
      if (cause === 'ECONNREFUSED')
        throw new CliError(`Cannot reach the node at ${this.baseUrl}: nothing listens there; is the node running?`);
      if (cause === 'TimeoutError')
        throw new CliError(`The node at ${this.baseUrl} did not answer within ${options.timeoutMs / 1000} s.`);
      throw new CliError(`Cannot reach the node at ${this.baseUrl}: ${cause}.`);
    }
  }

  /**
   * Streams a file the node makes (an election's export) to `out`: written beside it first and
   * renamed when whole, so a cut transfer never leaves a file that looks complete.
   */
  async download(path: string, out: string, timeoutMs = 3_600_000): Promise<number> {
    const response = await this.fetch('GET', path, { timeoutMs });
    if (!response.ok || !response.body) {
      const text = await response.text();
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch {
        body = undefined;
      }
      throw new CliError(apiErrorText({ status: response.status, body }));
    }
    const partial = `${out}.partial`;
    let bytes = 0;
    const counted = Readable.fromWeb(response.body as WebReadableStream<Uint8Array>).on(
      'data',
      (chunk: Buffer) => (bytes += chunk.length),
    );
    try {
      await pipeline(counted, createWriteStream(partial, { mode: 0o644 }));
    } catch (error) {
      await rm(partial, { force: true });
      throw new CliError(`The download of ${path} from ${this.baseUrl} broke off: ${(error as Error).message}.`);
    }
    await rename(partial, out);
    return bytes;
  }

  /** Like request, but a non-2xx answer becomes a CliError `CODE: message`. */
  async expectOk(method: 'GET' | 'POST', path: string, body?: unknown): Promise<unknown> {
    const response = await this.request(method, path, body);
    if (response.status >= 200 && response.status < 300) return response.body;
    throw new CliError(apiErrorText(response));
  }
}

export function apiErrorText(response: ApiResponse): string {
  const error = apiErrorSchema.safeParse(response.body);
  return error.success
    ? `${error.data.error.code}: ${error.data.error.message}`
    : `HTTP_${response.status}: the node refused the request`;
}

/** Accepts the printed `http://host:port/api/v1` as well as `http://host:port`. */
function baseUrlOf(api: string): string {
  let url: URL;
  try {
    url = new URL(api);
  } catch {
    throw new CliError(`--api ${api} is not a URL; give the address the node printed, e.g. http://127.0.0.1:8080.`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new CliError(`--api ${api} must be an http:// address.`);
  const path = url.pathname.replace(/\/+$/, '');
  const base = path.endsWith(API_PREFIX) ? path.slice(0, -API_PREFIX.length) : path;
  return `${url.origin}${base}`;
}

async function readToken(target: ApiTarget): Promise<string> {
  if (!target.tokenFile && !target.data)
    throw new CliError('Give --data DIR (the node data folder holding api-token) or --token-file FILE.');
  const path = resolve(target.tokenFile ?? join(target.data!, TOKEN_FILE));
  let token: string;
  try {
    token = (await readFile(path, 'utf8')).trim();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new CliError(
      code === 'ENOENT'
        ? `No API token at ${path}; the node writes it when it first starts.`
        : `Cannot read the API token at ${path}: ${code ?? (error as Error).message}.`,
    );
  }
  if (!/^[0-9a-f]{64}$/.test(token)) throw new CliError(`${path} does not hold an API token (64 hex characters).`);
  return token;
}
