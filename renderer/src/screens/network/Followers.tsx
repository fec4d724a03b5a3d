// The offices outside the validator set (REQ-VAL.1): they certify and follow the chain without
// voting, so a registrar sees at a glance who votes (the validators card) and who follows.
import { Badge, Card, Group, Table, Text, Title } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import type { ValidatorsView } from '../../../../shared/api/index.js';
import { Hash } from '../../components/common.js';
import { VoteStanding } from '../../components/VoteStanding.js';

export function FollowersCard({ view }: { view: ValidatorsView }) {
  const { t } = useTranslation();
  return (
    <Card withBorder data-testid="network-followers">
      <Title order={2} size="h4" mb={4}>
        {t('network.offices.followersTitle')}
      </Title>
      <Text size="sm" c="dimmed" mb="xs">
        {t('network.offices.followersExplain')}
      </Text>
      {view.followers.length === 0 ? (
        <Text size="sm" data-testid="followers-none">
          {t('network.offices.noFollowers')}
        </Text>
      ) : (
        <div className="table-wrap">
          <Table aria-label={t('network.offices.followersTitle')}>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t('network.validatorColumns.name')}</Table.Th>
                <Table.Th>{t('network.validatorColumns.role')}</Table.Th>
                <Table.Th>{t('network.validatorColumns.status')}</Table.Th>
                <Table.Th>{t('network.offices.vote')}</Table.Th>
                <Table.Th>{t('network.validatorColumns.connected')}</Table.Th>
                <Table.Th>{t('network.validatorColumns.key')}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {view.followers.map((follower) => (
                <Table.Tr key={follower.key} data-testid="follower-row" data-role={follower.role ?? ''}>
                  <Table.Td>
                    <Group gap="xs">
                      <Text size="sm">{follower.name ?? t('app.unknown')}</Text>
                      {follower.self ? (
                        <Badge size="xs" variant="outline">
                          {t('network.self')}
                        </Badge>
                      ) : null}
                    </Group>
                  </Table.Td>
                  <Table.Td>{follower.role ? t(`role.${follower.role}`) : '—'}</Table.Td>
                  <Table.Td>{follower.status ? t(`authorityStatus.${follower.status}`) : '—'}</Table.Td>
                  <Table.Td>
                    <VoteStanding votes={false} designated={follower.designated} />
                  </Table.Td>
                  <Table.Td className="nowrap">
                    <Badge color={follower.connected ? 'green' : 'gray'} variant="light">
                      {follower.connected ? t('network.connected') : t('network.disconnected')}
                    </Badge>
                  </Table.Td>
                  <Table.Td>
                    <Hash value={follower.key} />
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </div>
      )}
      {view.followersTruncated ? (
        <Text size="xs" c="dimmed" mt="xs">
          {t('network.offices.truncated', { count: view.followers.length })}
        </Text>
      ) : null}
    </Card>
  );
}
