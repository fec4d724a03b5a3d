// The election queries: one election, the list and the turnout, each read again at every new block (the status event carries the height; the
// shell's event table knows nothing of elections).
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import type { ApiCallError } from '../../../../shared/api/index.js';
import { useApi, useClient, useStatus } from '../../data.js';
import { electionTurnout, listElections, type ElectionSummary, type Turnout } from './api.js';

const ELECTION_KEYS = ['election', 'electionList', 'electionTurnout'];

/** Reads every election query again when the head moves (each block). */
export function useRefreshOnBlock(): number | undefined {
  const height = useStatus().data?.height;
  const queryClient = useQueryClient();
  useEffect(() => {
    if (height === undefined) return;
    void queryClient.invalidateQueries({ predicate: (query) => ELECTION_KEYS.includes(String(query.queryKey[0])) });
  }, [height, queryClient]);
  return height;
}

export function useElection(id: string) {
  return useApi('election', { params: { id } }, { refetchInterval: 10_000 });
}

export function useElectionList() {
  const client = useClient();
  return useQuery<ElectionSummary[], ApiCallError>({
    queryKey: ['electionList'],
    queryFn: () => listElections(client),
    refetchInterval: 10_000,
  });
}

export function useTurnout(id: string, enabled = true) {
  const client = useClient();
  return useQuery<Turnout, ApiCallError>({
    queryKey: ['electionTurnout', id],
    queryFn: () => electionTurnout(client, id),
    enabled,
    refetchInterval: 10_000,
  });
}
