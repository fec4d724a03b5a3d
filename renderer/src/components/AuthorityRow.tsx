// One authority as the Network screen (validators, followers) and Governance list it: its name
// (marked when it is this node), role, status and how it stands in the vote. Each table adds its
// own cells after these, and its own header cells after AuthorityColumns.
import { Badge, Group, Table, Text, type TableTrProps } from '@mantine/core';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type { FollowerView } from '../../../shared/api/index.js';
import { VoteStanding } from './VoteStanding.js';

/** The header row: the columns of AuthorityRow, then the table's own. */
export function AuthorityColumns({ children }: { children?: ReactNode }) {
  const { t } = useTranslation();
  return (
    <Table.Thead>
      <Table.Tr>
        <Table.Th>{t('network.validatorColumns.name')}</Table.Th>
        <Table.Th>{t('network.validatorColumns.role')}</Table.Th>
        <Table.Th>{t('network.validatorColumns.status')}</Table.Th>
        <Table.Th>{t('network.offices.vote')}</Table.Th>
        {children}
      </Table.Tr>
    </Table.Thead>
  );
}

export interface AuthorityRowProps extends TableTrProps {
  authority: Pick<FollowerView, 'name' | 'self' | 'role' | 'status' | 'designated'>;
  /** In the validator set (it votes on blocks), or a follower. */
  votes: boolean;
}

/** A table row of one authority; `children` are the table's own cells after the shared ones. */
export function AuthorityRow({ authority, votes, children, ...row }: AuthorityRowProps) {
  const { t } = useTranslation();
  return (
    <Table.Tr {...row}>
      <Table.Td>
        <Group gap="xs">
          <Text size="sm">{authority.name ?? t('app.unknown')}</Text>
          {authority.self ? (
            <Badge size="xs" variant="outline">
              {t('network.self')}
            </Badge>
          ) : null}
        </Group>
      </Table.Td>
      <Table.Td>{authority.role ? t(`role.${authority.role}`) : '—'}</Table.Td>
      <Table.Td>{authority.status ? t(`authorityStatus.${authority.status}`) : '—'}</Table.Td>
      <Table.Td>
        <VoteStanding votes={votes} designated={authority.designated} />
      </Table.Td>
      {children}
    </Table.Tr>
  );
}
