// The CLI's client of a running node's local API (DESIGN §7): bearer token from the data
// folder (or a token file), JSON in and out, API errors surfaced as `CODE: message`.
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { API_PREFIX, apiErrorSchema } from '../../../shared/api/index.js';
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
    const url = `${this.baseUrl}${API_PREFIX}${path}`;
    let response: Response;
    try {
      response = await fetch(url, {
        method,
        headers: {
          authorization: `Bearer ${this.token}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
    } catch (error) {
      const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).name;
      if (cause === 'ECONNREFUSED')
        throw new CliError(`Cannot reach the node at ${this.baseUrl}: nothing listens there; is the node running?`);
      if (cause === 'TimeoutError')
        throw new CliError(`The node at ${this.baseUrl} did not answer within ${REQUEST_TIMEOUT_MS / 1000} s.`);
      throw new CliError(`Cannot reach the node at ${this.baseUrl}: ${cause}.`);
    }
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
