// Turnout: per district (registered, voted, ballots) and ballots per hour of the voting window.
import { Stack, Table, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { getTurnout } from './api.js';
import { useT } from './i18n/index.js';
import { ErrorAlert, Loading } from './ui.js';

const percent = (part: number, whole: number, language: string) =>
  whole === 0
    ? '—'
    : new Intl.NumberFormat(language, { style: 'percent', maximumFractionDigits: 1 }).format(part / whole);

export function Turnout({ election }: { election: string }) {
  const { t, language } = useT();
  const turnout = useQuery({
    queryKey: ['turnout', election],
    queryFn: () => getTurnout(election),
    refetchInterval: 15_000,
  });
  if (turnout.isPending) return <Loading />;
  if (turnout.error) return <ErrorAlert error={turnout.error} onRetry={() => void turnout.refetch()} />;
  const { districts, hours, height } = turnout.data;
  const sum = (key: 'registered' | 'voters' | 'ballots') => districts.reduce((total, row) => total + row[key], 0);
  const hourFormat = new Intl.DateTimeFormat(language, { dateStyle: 'short', timeStyle: 'short' });
  return (
    <Stack gap="sm" data-testid="turnout">
      <Title order={2} size="h4">
        {t('turnout.heading')}
      </Title>
      <Text size="sm" c="dimmed">
        {t('turnout.atBlock', { height })}
      </Text>
      <Table className="fit-table" striped data-testid="turnout-districts">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>{t('turnout.district')}</Table.Th>
            <Table.Th>{t('turnout.registered')}</Table.Th>
            <Table.Th>{t('turnout.voters')}</Table.Th>
            <Table.Th>{t('turnout.share')}</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {districts.map((row) => (
            <Table.Tr key={row.district} data-testid="turnout-row" data-district={row.district}>
              <Table.Td>{row.district}</Table.Td>
              <Table.Td>{row.registered}</Table.Td>
              <Table.Td>{row.voters}</Table.Td>
              <Table.Td>{percent(row.voters, row.registered, language)}</Table.Td>
            </Table.Tr>
          ))}
          <Table.Tr>
            <Table.Td fw={600}>{t('turnout.total')}</Table.Td>
            <Table.Td fw={600}>{sum('registered')}</Table.Td>
            <Table.Td fw={600}>{sum('voters')}</Table.Td>
            <Table.Td fw={600}>{percent(sum('voters'), sum('registered'), language)}</Table.Td>
          </Table.Tr>
        </Table.Tbody>
      </Table>
      <Text size="sm" c="dimmed">
        {t('turnout.ballots')}: {sum('ballots')}
      </Text>
      <Title order={3} size="h5">
        {t('turnout.hours')}
      </Title>
      <Table className="fit-table" striped data-testid="turnout-hours">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>{t('turnout.hour')}</Table.Th>
            <Table.Th>{t('turnout.ballots')}</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {hours.map((hour) => (
            <Table.Tr key={hour.startMs}>
              <Table.Td>{hourFormat.format(new Date(hour.startMs))}</Table.Td>
              <Table.Td>{hour.ballots}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Stack>
  );
}
