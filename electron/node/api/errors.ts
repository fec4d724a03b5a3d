// One mapping from the node's typed errors to HTTP statuses and API error codes.
import { LedgerError, RejectCode } from '../../../shared/ledger/index.js';
import { MempoolError } from '../mempool/mempool.js';
import { OutboxError } from '../mempool/outbox.js';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export function toApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  if (error instanceof LedgerError)
    return new ApiError(error.code === RejectCode.malformed ? 400 : 422, error.code, error.sentence);
  if (error instanceof MempoolError)
    return new ApiError(error.code === 'MEMPOOL_FULL' ? 503 : 409, error.code, error.message);
  if (error instanceof OutboxError)
    return new ApiError(error.code === 'OUTBOX_FULL' ? 507 : 409, error.code, error.message);
  return new ApiError(500, 'INTERNAL', 'the node failed to answer; its log has the details');
}
