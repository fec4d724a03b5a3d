// TanStack Query's client for the pages that ask a node (the desktop app, the voter's page).
import { QueryClient } from '@tanstack/react-query';
import { ApiCallError } from '../../shared/api/index.js';

/** Queries retried twice, except after an answer: a 4xx, or one this UI does not read (a node of another version). */
export function pageQueryClient() {
  return new QueryClient({
    defaultOptions: {
      queries: {
        staleTime: 2_000,
        retry: (count, error) =>
          !(
            error instanceof ApiCallError &&
            ((error.status >= 400 && error.status < 500) || error.code === 'UNEXPECTED_ANSWER')
          ) && count < 2,
      },
    },
  });
}
