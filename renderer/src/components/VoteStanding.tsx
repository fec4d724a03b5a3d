// Whether an authority votes on blocks (REQ-VAL.1), as the Network and Governance screens show it.
import { Badge, Text } from '@mantine/core';
import { useTranslation } from 'react-i18next';

/** How an office stands in the vote: designated by the registrars, or voting by its role (a record from before designation). */
export function VoteStanding({ votes, designated }: { votes: boolean; designated: boolean | null }) {
  const { t } = useTranslation();
  const note = votes
    ? designated === null
      ? t('network.offices.byRole')
      : t('network.offices.designated')
    : designated === true
      ? t('network.offices.designatedSoon')
      : null;
  return (
    <div>
      <Badge
        className="badge-whole"
        color={votes ? 'indigo' : 'gray'}
        variant={votes ? 'filled' : 'light'}
        data-testid="vote-standing"
        data-votes={String(votes)}
        data-designated={String(designated)}
      >
        {votes ? t('network.offices.votes') : t('network.offices.follows')}
      </Badge>
      {note ? (
        <Text size="xs" c="dimmed" mt={2}>
          {note}
        </Text>
      ) : null}
    </div>
  );
}
