// TanStack Query over the API contract: one query key per method and input, and the live
// events (WebSocket or Electron IPC) turned into cache invalidations.
import { useQuery, useQueryClient, type UseQueryOptions } from '@tanstack/react-query';
import { createContext, useContext, useEffect, useState, type ReactNode } from 'react';
import { notify } from './notify.js';
import {
  apiEventSchema,
  API_PREFIX,
  EVENTS_PROTOCOL,
  TOKEN_PROTOCOL_PREFIX,
  type ApiCallError,
  type ApiClient,
  type ApiEvent,
  type RouteInput,
  type RouteName,
  type RouteOutput,
} from '../../shared/api/index.js';
import type { Connection } from './api.js';
import { i18n } from './i18n/index.js';

type Connected = Exclude<Connection, { kind: 'no-token' }>;
const ConnectionContext = createContext<Connected | null>(null);

export function ConnectionProvider({ connection, children }: { connection: Connected; children: ReactNode }) {
  return <ConnectionContext.Provider value={connection}>{children}</ConnectionContext.Provider>;
}

export function useConnection(): Connected {
  const connection = useContext(ConnectionContext);
  if (!connection) throw new Error('useConnection outside ConnectionProvider');
  return connection;
}

export function useClient(): ApiClient {
  return useConnection().client;
}

export function queryKey<K extends RouteName>(name: K, input?: RouteInput<K>): readonly unknown[] {
  return [name, input ?? null];
}

type QueryOptions<K extends RouteName> = Omit<UseQueryOptions<RouteOutput<K>, ApiCallError>, 'queryKey' | 'queryFn'>;

/** A query of one API method; errors are ApiCallError (translated by <ErrorAlert>). */
export function useApi<K extends RouteName>(name: K, input?: RouteInput<K>, options?: QueryOptions<K>) {
  const client = useClient();
  return useQuery<RouteOutput<K>, ApiCallError>({
    queryKey: queryKey(name, input),
    queryFn: () => client.call(name, input),
    ...options,
  });
}

/** Status: polled every 5 s as the fallback when events do not arrive. */
export function useStatus() {
  return useApi('status', undefined, { refetchInterval: 5_000 });
}

export function useIdentity() {
  return useApi('identity', undefined, { staleTime: 60_000, retry: 1 });
}

/** Current time, ticking: for finality lag and "no block for N s". */
export function useNow(intervalMs = 1_000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = window.setInterval(() => setNow(Date.now()), intervalMs);
    return () => window.clearInterval(timer);
  }, [intervalMs]);
  return now;
}

export type LiveState = 'connecting' | 'live' | 'down';

/** What every block can change; the rest changes only with a block that carries transactions. */
const STALE_ON_EVERY_BLOCK = new Set<string>(['status', 'blocks', 'validators', 'txStatus', 'outbox', 'inboxChecks']);
const STALE_ON_TX_BLOCK = new Set<string>(['property', 'propertyHistory', 'search', 'inbox']);

/** Subscribes to the node's events and invalidates what they change. Answers whether the feed is up. */
export function useLiveEvents(): LiveState {
  const connection = useConnection();
  const queryClient = useQueryClient();
  const [state, setState] = useState<LiveState>('connecting');

  useEffect(() => {
    const onEvent = (event: ApiEvent) => {
      switch (event.type) {
        case 'block':
          void queryClient.invalidateQueries({
            predicate: (query) => {
              const name = String(query.queryKey[0]);
              return STALE_ON_EVERY_BLOCK.has(name) || (event.txHashes.length > 0 && STALE_ON_TX_BLOCK.has(name));
            },
          });
          break;
        case 'tx':
          queryClient.setQueryData(queryKey('txStatus', { params: { txHash: event.txHash } }), event.status);
          void queryClient.invalidateQueries({ queryKey: ['outbox'] });
          void queryClient.invalidateQueries({ queryKey: ['inbox'] });
          void queryClient.invalidateQueries({ queryKey: ['receipt', { params: { txHash: event.txHash } }] });
          break;
        case 'status':
          queryClient.setQueryData(queryKey('status'), event.status);
          break;
        case 'inbox':
          void queryClient.invalidateQueries({ queryKey: ['inbox'] });
          void queryClient.invalidateQueries({ queryKey: ['inboxChecks'] });
          break;
        case 'evidence':
          void queryClient.invalidateQueries({ queryKey: ['evidence'] });
          notify({
            color: 'red',
            title: i18n.t('overview.alerts.equivocationTitle'),
            message: i18n.t('overview.alerts.equivocationAt', { height: event.height }),
          });
          break;
      }
    };
    const accept = (raw: unknown) => {
      const parsed = apiEventSchema.safeParse(raw);
      if (parsed.success) onEvent(parsed.data);
    };

    if (connection.kind === 'electron') {
      setState('live');
      return connection.bridge.onEvent(accept);
    }

    let socket: WebSocket | null = null;
    let timer: number | undefined;
    let attempt = 0;
    let stopped = false;
    const open = () => {
      if (stopped) return;
      setState('connecting');
      const scheme = window.location.protocol === 'https:' ? 'wss' : 'ws';
      try {
        socket = new WebSocket(`${scheme}://${window.location.host}${API_PREFIX}/events`, [
          EVENTS_PROTOCOL,
          `${TOKEN_PROTOCOL_PREFIX}${connection.token}`,
        ]);
      } catch {
        retry();
        return;
      }
      socket.onopen = () => {
        attempt = 0;
        setState('live');
        // catch up on whatever changed while the feed was down
        void queryClient.invalidateQueries();
      };
      socket.onmessage = (message) => {
        if (typeof message.data !== 'string') return;
        try {
          accept(JSON.parse(message.data));
        } catch {
          // not JSON: ignore, the 5 s status poll still runs
        }
      };
      socket.onclose = () => {
        socket = null;
        retry();
      };
    };
    const retry = () => {
      if (stopped) return;
      setState('down');
      const delay = Math.min(30_000, 1_000 * 2 ** attempt) * (0.75 + Math.random() * 0.5);
      attempt = Math.min(attempt + 1, 10);
      timer = window.setTimeout(open, delay);
    };
    open();
    return () => {
      stopped = true;
      window.clearTimeout(timer);
      if (socket) {
        socket.onclose = null;
        socket.close();
      }
    };
  }, [connection, queryClient]);

  return state;
}
