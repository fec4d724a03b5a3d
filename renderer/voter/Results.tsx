// Results once final: counts per choice, the trustees whose decryptions were used, the export
// and how anyone checks it offline with `notary election verify FILE`.
import { Alert, Anchor, Stack, Table, Text, Title } from '@mantine/core';
import type { ElectionView } from '../../shared/modules/election/api.js';
import { exportUrl } from './api.js';
import { useT } from './i18n/index.js';

export function Results({ election }: { election: ElectionView }) {
  const { t } = useT();
  return (
    <Stack gap="sm" data-testid="results">
      <Title order={2} size="h4">
        {t('results.heading')}
      </Title>
      <Text size="sm" c="dimmed">
        {t('results.ballots', { ballots: election.ballots, voters: election.voters, size: election.roll.size })}
      </Text>
      {election.phase !== 'final' || !election.counts ? (
        <Alert color="gray" variant="light" data-testid="results-pending">
          {t('results.notFinal')}
        </Alert>
      ) : (
        <>
          {election.contests.map((contest, q) => (
            <Stack gap={4} key={q}>
              <Title order={3} size="h5">
                {contest.title}
              </Title>
              <Table className="fit-table" striped data-testid={`results-contest-${q}`}>
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>{t('results.choice')}</Table.Th>
                    <Table.Th style={{ width: '6em' }}>{t('results.votes')}</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {contest.choices.map((choice, b) => (
                    <Table.Tr key={b} data-testid="results-row">
                      <Table.Td>{choice}</Table.Td>
                      <Table.Td>{election.counts![q]?.[b] ?? '—'}</Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Stack>
          ))}
          <Text size="sm" data-testid="results-trustees">
            {t('results.trustees', { list: (election.countedBy ?? []).join(', ') })}
          </Text>
        </>
      )}
      <Anchor href={exportUrl(election.id)} download={`${election.id}.export`} data-testid="results-export">
        {t('results.export')}
      </Anchor>
      <Text size="sm">{t('results.howTo')}</Text>
    </Stack>
  );
}
