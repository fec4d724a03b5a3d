// Checkpoints fetched from a node the user names: its list, and one checkpoint's bundle. A node's
// public gateway serves both with no token (docs/api.md "Checkpoints"); the address may be the
// page's own origin or any other node that allows it.
import { z } from 'zod';
import { checkpointSummarySchema, type CheckpointSummary } from '../../shared/api/contract.js';

/** A node's answer waits this long at most: a bundle is a few megabytes at worst. */
const FETCH_TIMEOUT_MS = 60_000;
/** The newest checkpoints a list shows. */
export const CHECKPOINTS_LISTED_MAX = 20;

export class RemoteError extends Error {
  constructor(
    readonly code: 'BAD_URL' | 'UNREACHABLE' | 'NOT_FOUND' | 'UNEXPECTED',
    message: string,
  ) {
    super(message);
    this.name = 'RemoteError';
  }
}

/**
 * The API base of a node from what a person typed: "gateway.example.by", "http://10.0.0.5:8081/",
 * or the API's own address ("…/api/v1"). Only http and https.
 */
export function nodeBase(typed: string): string {
  const text = typed.trim();
  if (text === '') throw new RemoteError('BAD_URL', 'no address');
  let url: URL;
  try {
    url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `https://${text}`);
  } catch {
    throw new RemoteError('BAD_URL', `"${text}" is not an address`);
  }
  // REJECT: anything but a web address (file:, javascript:, data:)
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new RemoteError('BAD_URL', `"${text}" is not an http or https address`);
  const path = url.pathname.replace(/\/+$/, '').replace(/\/api\/v1$/, '');
  return `${url.origin}${path}/api/v1`;
}

async function getJson(url: string): Promise<unknown> {
  let response: Response;
  try {
    response = await fetch(url, {
      headers: { accept: 'application/json' },
      signal: AbortSignal.timeout(FETCH_TIMEOUT_MS),
    });
  } catch (error) {
    throw new RemoteError('UNREACHABLE', `${url}: ${(error as Error).message}`);
  }
  if (response.status === 404) throw new RemoteError('NOT_FOUND', `${url}: 404`);
  if (!response.ok) throw new RemoteError('UNEXPECTED', `${url}: HTTP ${response.status}`);
  try {
    return await response.json();
  } catch {
    throw new RemoteError('UNEXPECTED', `${url}: not JSON`);
  }
}

/** A node's checkpoints, newest first, at most CHECKPOINTS_LISTED_MAX. */
export function readCheckpointList(answer: unknown): CheckpointSummary[] {
  const parsed = z.array(checkpointSummarySchema.loose()).safeParse(answer);
  if (!parsed.success) throw new RemoteError('UNEXPECTED', 'the checkpoint list is not one');
  return [...parsed.data].sort((a, b) => b.height - a.height).slice(0, CHECKPOINTS_LISTED_MAX);
}

export async function listCheckpoints(base: string): Promise<CheckpointSummary[]> {
  return readCheckpointList(await getJson(`${base}/checkpoints`));
}

/** A checkpoint's bundle as the node sends it: check it with CheckpointShelf before keeping it. */
export function fetchBundle(base: string, height: number): Promise<unknown> {
  return getJson(`${base}/checkpoints/${height}/bundle`);
}
