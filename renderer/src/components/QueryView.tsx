// The four states of a query the screens show, written once: loading, error, empty, content.
// It draws no box of its own (the wrapper is `display: contents`), so the card, stack or
// section around it lays out exactly as if the screen had written the states by hand.
import { Text } from '@mantine/core';
import type { FetchStatus } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { ErrorAlert, Loading } from './common.js';

/** What QueryView reads of a TanStack query result. */
export interface QueryLike<T> {
  data: T | undefined;
  error: unknown;
  isPending: boolean;
  isError: boolean;
  fetchStatus: FetchStatus;
  refetch: () => unknown;
}

export interface QueryViewProps<T> {
  query: QueryLike<T>;
  /** The content, once there is an answer (also while a refetch fails: the last answer stays shown). */
  children: (data: T) => ReactNode;
  /** Shown instead of the content when the answer holds nothing: a sentence (dimmed), or an element made of the answer. */
  empty?: string | ((data: T) => ReactNode);
  /** Whether the answer holds nothing; by default, whether it is an empty list. */
  isEmpty?: (data: T) => boolean;
  /**
   * The error alert: 'retry' offers "Try again"; 'alert' has no button (the screen polls, or
   * the user asks again); 'none' leaves the error to another part of the screen.
   */
  error?: 'retry' | 'alert' | 'none';
  /** False where the screen shows the wait elsewhere (a search button's spinner). */
  loader?: boolean;
}

const isEmptyList = (data: unknown) => Array.isArray(data) && data.length === 0;

export function QueryView<T>({
  query,
  children,
  empty,
  isEmpty = isEmptyList,
  error = 'retry',
  loader = true,
}: QueryViewProps<T>) {
  // a disabled query is pending but idle: nothing is being loaded, so nothing to wait for
  const loading = query.isPending && query.fetchStatus !== 'idle';
  const data = query.data;
  let content: ReactNode = null;
  if (data !== undefined) {
    if (!isEmpty(data)) content = children(data);
    else if (typeof empty === 'string') content = <Text c="dimmed">{empty}</Text>;
    else if (empty) content = empty(data);
  }
  return (
    <div className="query-view" aria-busy={loading || undefined}>
      {loading && loader ? <Loading /> : null}
      {query.isError && error !== 'none' ? (
        <ErrorAlert error={query.error} onRetry={error === 'retry' ? () => void query.refetch() : undefined} />
      ) : null}
      {content}
    </div>
  );
}
