// Turnout, live: ballots and voters per district and per hour of the voting window, read again
// at every block (hooks.ts). Numbers in tables; the bars only draw them again for the eye.
import { Card, Group, Progress, SimpleGrid, Stack, Table, Text, Title } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import type { ElectionView } from '../../../../shared/modules/election/api.js';
import { QueryView } from '../../components/QueryView.js';
import { formatNumber, formatShortTime } from '../../format.js';
import { useTurnout } from './hooks.js';

const percent = (part: number, whole: number) => (whole === 0 ? 0 : (part / whole) * 100);

export function TurnoutView({ view }: { view: ElectionView }) {
  const { t } = useTranslation();
  const query = useTurnout(view.id);
  return (
    <Card withBorder data-testid="election-turnout">
      <Stack gap="sm">
        <Title order={2} size="h4">
          {t('elections.turnout.title')}
        </Title>
        <QueryView query={query} error="alert">
          {(turnout) => {
            const registered = turnout.districts.reduce((sum, d) => sum + d.registered, 0);
            const { voters, ballots } = turnout;
            const busiest = Math.max(1, ...turnout.hours.map((hour) => hour.ballots));
            return (
              <Stack gap="md" data-testid="turnout-data" data-ballots={ballots} data-voters={voters}>
                <Text size="sm">
                  {t('elections.turnout.summary', {
                    voters: formatNumber(voters),
                    registered: formatNumber(registered),
                    percent: formatNumber(percent(voters, registered), 1),
                    ballots: formatNumber(ballots),
                    height: turnout.height,
                  })}
                </Text>
                <SimpleGrid cols={{ base: 1, lg: 2 }} spacing="lg">
                  <div className="table-wrap">
                    <Table aria-label={t('elections.turnout.byDistrict')} data-testid="turnout-districts">
                      <Table.Thead>
                        <Table.Tr>
                          <Table.Th>{t('elections.district')}</Table.Th>
                          <Table.Th>{t('elections.registered')}</Table.Th>
                          <Table.Th>{t('elections.turnout.voters')}</Table.Th>
                          <Table.Th>{t('elections.turnout.ballots')}</Table.Th>
                          <Table.Th>{t('elections.turnout.share')}</Table.Th>
                        </Table.Tr>
                      </Table.Thead>
                      <Table.Tbody>
                        {turnout.districts.map((district) => (
                          <Table.Tr
                            key={district.district}
                            data-testid="turnout-district"
                            data-district={district.district}
                            data-ballots={district.ballots}
                            data-voters={district.voters}
                          >
                            <Table.Td>{district.district}</Table.Td>
                            <Table.Td>{formatNumber(district.registered)}</Table.Td>
                            <Table.Td>{formatNumber(district.voters)}</Table.Td>
                            <Table.Td>{formatNumber(district.ballots)}</Table.Td>
                            <Table.Td>
                              <Group gap="xs" wrap="nowrap">
                                <Progress value={percent(district.voters, district.registered)} w={60} aria-hidden />
                                <Text size="sm">
                                  {formatNumber(percent(district.voters, district.registered), 1)} %
                                </Text>
                              </Group>
                            </Table.Td>
                          </Table.Tr>
                        ))}
                      </Table.Tbody>
                    </Table>
                  </div>
                  <div className="table-wrap">
                    {turnout.hours.length === 0 ? (
                      <Text c="dimmed" size="sm">
                        {t('elections.turnout.noHours')}
                      </Text>
                    ) : (
                      <Table aria-label={t('elections.turnout.byHour')} data-testid="turnout-hours">
                        <Table.Thead>
                          <Table.Tr>
                            <Table.Th>{t('elections.turnout.hour')}</Table.Th>
                            <Table.Th>{t('elections.turnout.ballots')}</Table.Th>
                          </Table.Tr>
                        </Table.Thead>
                        <Table.Tbody>
                          {turnout.hours.slice(-48).map((hour) => (
                            <Table.Tr key={hour.startMs}>
                              <Table.Td>{formatShortTime(hour.startMs)}</Table.Td>
                              <Table.Td>
                                <Group gap="xs" wrap="nowrap">
                                  <Progress value={(hour.ballots / busiest) * 100} w={120} aria-hidden />
                                  <Text size="sm">{formatNumber(hour.ballots)}</Text>
                                </Group>
                              </Table.Td>
                            </Table.Tr>
                          ))}
                        </Table.Tbody>
                      </Table>
                    )}
                  </div>
                </SimpleGrid>
              </Stack>
            );
          }}
        </QueryView>
      </Stack>
    </Card>
  );
}
