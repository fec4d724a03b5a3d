// The voter's page: a header with the language switch, the sections (hash routes: #/vote,
// #/board[/tracker], #/turnout, #/results, #/check), the election picker and the section.
// The election is named in the address (?election=ID) so a link or a QR code can point at it.
import { Alert, Badge, Group, Select, Stack, Text } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { PageHeader } from '../common/PageHeader.js';
import { useHashRoute } from '../common/useHash.js';
import { ApiCallError, getElection, listElections } from './api.js';
import { Board } from './Board.js';
import { CheckPage } from './CheckPage.js';
import { currentLanguage, setLanguage, useT } from './i18n/index.js';
import { Results } from './Results.js';
import { Turnout } from './Turnout.js';
import { ErrorAlert, Loading } from './ui.js';
import { VoteFlow } from './Vote.js';

const SECTIONS = ['vote', 'board', 'turnout', 'results', 'check'] as const;
type Section = (typeof SECTIONS)[number];

function parseHash(hash: string): { section: Section; tracker?: string } {
  const [, name, rest] = /^#\/([a-z]+)(?:\/([0-9a-f]{4,64}))?$/.exec(hash) ?? [];
  const section = SECTIONS.find((candidate) => candidate === name) ?? 'vote';
  return section === 'board' && rest ? { section, tracker: rest } : { section };
}

const ELECTION_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

function electionInAddress(): string | undefined {
  const value = new URLSearchParams(window.location.search).get('election') ?? undefined;
  return value && ELECTION_ID.test(value) ? value : undefined;
}

function ElectionPicker({ value, onChange }: { value?: string; onChange: (id: string) => void }) {
  const { t } = useT();
  const list = useQuery({ queryKey: ['elections'], queryFn: listElections, refetchInterval: 30_000 });
  const elections = list.data?.elections ?? [];
  useEffect(() => {
    if (!value && elections.length > 0) onChange((elections.find((e) => e.phase === 'voting') ?? elections[0]!).id);
  }, [value, elections, onChange]);
  if (list.isPending) return <Loading />;
  // a node without the list (404) still serves an election named in the address
  if (list.error && !(list.error instanceof ApiCallError && list.error.status === 404 && value))
    return <ErrorAlert error={list.error} onRetry={() => void list.refetch()} />;
  if (!list.error && elections.length === 0) return <Alert color="gray">{t('election.none')}</Alert>;
  const options = elections.map((e) => ({ value: e.id, label: `${e.title} (${t(`election.phase.${e.phase}`)})` }));
  if (value && !options.some((option) => option.value === value)) options.unshift({ value, label: value });
  return (
    <Select
      label={t('election.choose')}
      placeholder={t('election.pick')}
      data={options}
      value={value ?? null}
      onChange={(id) => id && onChange(id)}
      allowDeselect={false}
      data-testid="election-picker"
      comboboxProps={{ withinPortal: true }}
    />
  );
}

export function VoterApp() {
  const { t } = useT();
  const route = useHashRoute(parseHash);
  const [electionId, setElectionId] = useState(electionInAddress);
  const choose = (id: string) => {
    setElectionId(id);
    const url = new URL(window.location.href);
    url.searchParams.set('election', id);
    window.history.replaceState(null, '', url);
  };
  const election = useQuery({
    queryKey: ['election', electionId],
    queryFn: () => getElection(electionId!),
    enabled: electionId !== undefined,
    refetchInterval: 10_000,
  });

  return (
    <div className="public-page">
      <PageHeader
        heading={t('app.heading')}
        sections={SECTIONS}
        current={route.section}
        label={(section) => t(`nav.${section}`)}
        language={currentLanguage()}
        setLanguage={setLanguage}
      />
      <main id="main-content" tabIndex={-1} style={{ marginTop: 16, outline: 'none' }}>
        <Stack gap="md">
          {route.section !== 'check' ? <ElectionPicker value={electionId} onChange={choose} /> : null}
          {route.section !== 'check' && election.data ? (
            <Group gap="xs">
              <Text size="sm" fw={600} data-testid="election-title">
                {election.data.title}
              </Text>
              <Badge variant="light" data-testid="election-phase" data-phase={election.data.phase}>
                {t(`election.phase.${election.data.phase}`)}
              </Badge>
            </Group>
          ) : null}
          {route.section !== 'check' && election.error ? (
            <ErrorAlert error={election.error} onRetry={() => void election.refetch()} />
          ) : null}
          {route.section === 'check' ? <CheckPage /> : null}
          {route.section === 'vote' && election.data ? (
            <VoteFlow key={election.data.id} election={election.data} />
          ) : null}
          {route.section === 'board' && electionId ? (
            <Board key={`${electionId}-${route.tracker ?? ''}`} election={electionId} highlight={route.tracker} />
          ) : null}
          {route.section === 'turnout' && electionId ? <Turnout election={electionId} /> : null}
          {route.section === 'results' && election.data ? <Results election={election.data} /> : null}
        </Stack>
      </main>
    </div>
  );
}
