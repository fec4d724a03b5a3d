// Results, once final: the counts per question and choice with their shares, the trustees
// whose partial decryptions made them, and the export anyone checks with `notary election verify`.
import { Button, Card, Group, Progress, Stack, Table, Text, Title } from '@mantine/core';
import { IconDownload } from '@tabler/icons-react';
import { useMutation } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import type { ElectionView } from '../../../../shared/modules/election/api.js';
import { ErrorAlert } from '../../components/common.js';
import { useClient } from '../../data.js';
import { formatNumber } from '../../format.js';
import { electionExport } from './api.js';
import { percentages } from './model.js';

function saveBytes(fileName: string, bytes: Uint8Array): void {
  const url = URL.createObjectURL(new Blob([bytes as Uint8Array<ArrayBuffer>], { type: 'application/octet-stream' }));
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  document.body.append(link);
  link.click();
  link.remove();
  window.setTimeout(() => URL.revokeObjectURL(url), 1_000);
}

export function Results({ view }: { view: ElectionView }) {
  const { t } = useTranslation();
  const client = useClient();
  const save = useMutation({
    mutationFn: async () => saveBytes(`${view.id}.election-export`, await electionExport(client, view.id)),
  });
  const counts = view.counts ?? [];
  return (
    <Card withBorder data-testid="election-results">
      <Stack gap="md">
        <Title order={2} size="h4">
          {t('elections.results.title')}
        </Title>
        <Text size="sm">
          {t('elections.results.final', {
            height: view.finalHeight ?? 0,
            trustees: (view.countedBy ?? []).join(', '),
            voters: view.voters,
          })}
        </Text>
        {view.contests.map((contest, q) => {
          const row = counts[q] ?? [];
          const shares = percentages(row);
          return (
            <div className="table-wrap" key={q}>
              <Title order={3} size="h5" id={`results-contest-${q}`} mb={4}>
                {contest.title}
              </Title>
              <Table aria-labelledby={`results-contest-${q}`} data-testid="results-contest" data-contest={q}>
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>{t('elections.results.choice')}</Table.Th>
                    <Table.Th>{t('elections.results.count')}</Table.Th>
                    <Table.Th>{t('elections.results.share')}</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {contest.choices.map((choice, b) => (
                    <Table.Tr key={b} data-testid="results-choice" data-count={row[b] ?? 0}>
                      <Table.Td>{choice}</Table.Td>
                      <Table.Td>{formatNumber(row[b] ?? 0)}</Table.Td>
                      <Table.Td>
                        <Group gap="xs" wrap="nowrap">
                          <Progress value={shares[b] ?? 0} w={120} aria-hidden />
                          <Text size="sm">{formatNumber(shares[b] ?? 0, 1)} %</Text>
                        </Group>
                      </Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </div>
          );
        })}
        <Group>
          <Button
            leftSection={<IconDownload size={16} aria-hidden />}
            onClick={() => save.mutate()}
            loading={save.isPending}
            data-testid="election-export"
          >
            {t('elections.results.export')}
          </Button>
        </Group>
        <Text size="sm">
          {t('elections.results.verifyHint')}{' '}
          <code className="mono">notary election verify {view.id}.election-export</code>
        </Text>
        {save.isError ? <ErrorAlert error={save.error} /> : null}
      </Stack>
    </Card>
  );
}
