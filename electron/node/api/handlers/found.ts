// The 404 of a read that found nothing, with the sentence that says what is missing.
import { ApiError } from '../errors.js';

export function found<T>(value: T | undefined, message: string): T {
  if (value === undefined) throw new ApiError(404, 'NOT_FOUND', message);
  return value;
}
