// The offices outside the validator set (REQ-VAL.1): they certify and follow the chain without
// voting, so a registrar sees at a glance who votes (the validators card) and who follows.
import { Badge, Card, Table, Text, Title } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import type { ValidatorsView } from '../../../../shared/api/index.js';
import { AuthorityColumns, AuthorityRow } from '../../components/AuthorityRow.js';
import { Hash } from '../../components/common.js';

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
            <AuthorityColumns>
              <Table.Th>{t('network.validatorColumns.connected')}</Table.Th>
              <Table.Th>{t('network.validatorColumns.key')}</Table.Th>
            </AuthorityColumns>
            <Table.Tbody>
              {view.followers.map((follower) => (
                <AuthorityRow
                  key={follower.key}
                  authority={follower}
                  votes={false}
                  data-testid="follower-row"
                  data-role={follower.role ?? ''}
                >
                  <Table.Td className="nowrap">
                    <Badge color={follower.connected ? 'green' : 'gray'} variant="light">
                      {follower.connected ? t('network.connected') : t('network.disconnected')}
                    </Badge>
                  </Table.Td>
                  <Table.Td>
                    <Hash value={follower.key} />
                  </Table.Td>
                </AuthorityRow>
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
