// Elections (the commission): every election with its phase and window (#/elections), and one
// election (#/elections/<id>): where it stands and who acts next, its trustees and roll, the
// turnout, the close, and the results with the export anyone checks.
import { Anchor, Badge, Button, Card, Group, Stack, Table, Text, Title } from '@mantine/core';
import { IconPlus } from '@tabler/icons-react';
import { useTranslation } from 'react-i18next';
import type { ElectionView } from '../../../../shared/modules/election/api.js';
import { Hash } from '../../components/common.js';
import { QueryView } from '../../components/QueryView.js';
import { useNow } from '../../data.js';
import { formatNumber, formatShortTime, formatTime } from '../../format.js';
import { href } from '../../router.js';
import type { ScreenProps } from '../types.js';
import { CloseElection } from './CloseElection.js';
import { useElection, useElectionList, useRefreshOnBlock } from './hooks.js';
import { nextStep } from './model.js';
import { Results } from './Results.js';
import { TrusteeKeyCard, TrusteePanel } from './TrusteePanel.js';
import { TurnoutView } from './Turnout.js';

const PHASE_COLORS = { keygen: 'yellow', voting: 'green', closed: 'orange', final: 'indigo' } as const;

export function PhaseBadge({ phase }: { phase: ElectionView['phase'] }) {
  const { t } = useTranslation();
  return (
    <Badge color={PHASE_COLORS[phase]} variant="light" data-testid="election-phase" data-phase={phase}>
      {t(`elections.phase.${phase}`)}
    </Badge>
  );
}

function ElectionList() {
  const { t } = useTranslation();
  const list = useElectionList();
  return (
    <Stack gap="lg" data-testid="screen-elections">
      <Group justify="space-between">
        <Title order={1}>{t('elections.title')}</Title>
        <Button component="a" href={href('electionCreate')} leftSection={<IconPlus size={16} aria-hidden />}>
          {t('elections.create')}
        </Button>
      </Group>
      <Text>{t('elections.explain')}</Text>
      <Card withBorder>
        <QueryView query={list} empty={t('elections.none')}>
          {(elections) => (
            <div className="table-wrap">
              <Table aria-label={t('elections.title')} data-testid="election-list">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>{t('elections.columns.title')}</Table.Th>
                    <Table.Th>{t('elections.columns.phase')}</Table.Th>
                    <Table.Th>{t('elections.columns.window')}</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {elections.map((election) => (
                    <Table.Tr key={election.id} data-testid="election-row" data-id={election.id}>
                      <Table.Td>
                        <Anchor href={href('elections', election.id)}>{election.title}</Anchor>
                        <Text size="xs" c="dimmed" className="mono">
                          {election.id}
                        </Text>
                      </Table.Td>
                      <Table.Td>
                        <PhaseBadge phase={election.phase} />
                      </Table.Td>
                      <Table.Td>
                        {t('elections.windowRange', {
                          from: formatShortTime(election.opensAtMs),
                          to: formatShortTime(election.closesAtMs),
                        })}
                      </Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </div>
          )}
        </QueryView>
      </Card>
      <TrusteeKeyCard />
    </Stack>
  );
}

/** Where the election stands, in words, and who must act next with the command a trustee runs. */
function NextStepCard({ view }: { view: ElectionView }) {
  const { t } = useTranslation();
  const now = useNow(1_000);
  const step = nextStep(view, now);
  const trustees = step.trustees.join(', ');
  const until = step.untilMs === undefined ? '' : formatTime(step.untilMs);
  return (
    <Card withBorder data-testid="election-next" data-stage={step.stage}>
      <Stack gap="xs">
        <Title order={2} size="h4">
          {t('elections.whereTitle')}
        </Title>
        <Text>{t(`elections.phaseExplain.${view.phase}`)}</Text>
        <Text fw={600} data-testid="election-next-sentence">
          {t(`elections.next.${step.stage}`, {
            trustees,
            count: step.trustees.length,
            until,
            threshold: view.threshold,
            decrypted: view.decrypted.length,
          })}
        </Text>
        {step.command && step.who === 'trustees' ? (
          <Text size="sm">
            {t('elections.trusteeRuns')}{' '}
            <code className="mono" data-testid="election-next-command">
              notary election {step.command} --election {view.id}
            </code>
          </Text>
        ) : null}
        {step.command && step.who === 'registrar' ? (
          <Text size="sm">
            {t('elections.registrarRuns')}{' '}
            <code className="mono" data-testid="election-next-command">
              notary election {step.command} --election {view.id}
            </code>
          </Text>
        ) : null}
      </Stack>
    </Card>
  );
}

function Timeline({ view }: { view: ElectionView }) {
  const { t } = useTranslation();
  const rows = [
    ['dealsUntil', view.dealsUntilMs],
    ['complaintsUntil', view.complaintsUntilMs],
    ['answersUntil', view.answersUntilMs],
    ['opensAt', view.opensAtMs],
    ['closesAt', view.closesAtMs],
  ] as const;
  return (
    <Card withBorder>
      <Title order={2} size="h4" mb="xs">
        {t('elections.timeline')}
      </Title>
      <Table aria-label={t('elections.timeline')}>
        <Table.Tbody>
          {rows.map(([name, ms]) => (
            <Table.Tr key={name}>
              <Table.Th scope="row">{t(`elections.times.${name}`)}</Table.Th>
              <Table.Td>{formatTime(ms)}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Card>
  );
}

function Trustees({ view }: { view: ElectionView }) {
  const { t } = useTranslation();
  const yes = t('elections.yes');
  return (
    <Card withBorder data-testid="election-trustees">
      <Title order={2} size="h4" mb="xs">
        {t('elections.trustees', { threshold: view.threshold, count: view.trustees.length })}
      </Title>
      <div className="table-wrap">
        <Table aria-label={t('elections.trusteesTable')}>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t('elections.trusteeColumns.number')}</Table.Th>
              <Table.Th>{t('elections.trusteeColumns.key')}</Table.Th>
              <Table.Th>{t('elections.trusteeColumns.dealt')}</Table.Th>
              <Table.Th>{t('elections.trusteeColumns.qualified')}</Table.Th>
              <Table.Th>{t('elections.trusteeColumns.decrypted')}</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {view.trustees.map((trustee, k) => (
              <Table.Tr key={trustee.key}>
                <Table.Td>{k + 1}</Table.Td>
                <Table.Td>
                  <Hash value={trustee.key} />
                </Table.Td>
                <Table.Td>{view.dealt.includes(k + 1) ? yes : '—'}</Table.Td>
                <Table.Td>{view.qualified ? (view.qualified.includes(k + 1) ? yes : t('elections.no')) : '—'}</Table.Td>
                <Table.Td>{view.decrypted.includes(k + 1) ? yes : '—'}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </div>
    </Card>
  );
}

function Roll({ view }: { view: ElectionView }) {
  const { t } = useTranslation();
  return (
    <Card withBorder data-testid="election-roll">
      <Title order={2} size="h4" mb="xs">
        {t('elections.roll')}
      </Title>
      <Text size="sm" mb="xs" data-testid="election-totals" data-ballots={view.ballots} data-voters={view.voters}>
        {t('elections.rollSummary', {
          size: formatNumber(view.roll.size),
          max: formatNumber(view.rollMax),
          voters: formatNumber(view.voters),
          ballots: formatNumber(view.ballots),
        })}
      </Text>
      <Table aria-label={t('elections.roll')}>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>{t('elections.district')}</Table.Th>
            <Table.Th>{t('elections.registered')}</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {view.roll.districts.map((district) => (
            <Table.Tr key={district.name}>
              <Table.Td>{district.name}</Table.Td>
              <Table.Td>{formatNumber(district.credentials)}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Card>
  );
}

function ElectionDetail({ id }: { id: string }) {
  const { t } = useTranslation();
  const query = useElection(id);
  return (
    <Stack gap="lg" data-testid="screen-election">
      <Anchor href={href('elections')} size="sm">
        {t('elections.backToList')}
      </Anchor>
      <QueryView query={query}>
        {(view) => (
          <Stack gap="lg" data-testid="election-detail" data-phase={view.phase}>
            <Group gap="sm" wrap="wrap">
              <Title order={1}>{view.title}</Title>
              <PhaseBadge phase={view.phase} />
            </Group>
            <Text size="sm" c="dimmed">
              {t('elections.idLine', { id: view.id, height: view.height })}
            </Text>
            <NextStepCard view={view} />
            <TrusteePanel view={view} />
            {view.phase === 'keygen' || view.phase === 'voting' ? (
              <Group>
                <Button
                  component="a"
                  variant="light"
                  href={href('electionDesk', view.id)}
                  data-testid="election-desk-link"
                >
                  {t('elections.registerVoters')}
                </Button>
              </Group>
            ) : null}
            {/* kept once closed, so the close this office sent shows its progress to final */}
            {view.phase === 'voting' || view.phase === 'closed' ? <CloseElection view={view} /> : null}
            {view.phase === 'final' ? <Results view={view} /> : null}
            {view.phase !== 'keygen' ? <TurnoutView view={view} /> : null}
            <Roll view={view} />
            <Trustees view={view} />
            <Timeline view={view} />
          </Stack>
        )}
      </QueryView>
    </Stack>
  );
}

export function Elections({ parts }: ScreenProps) {
  useRefreshOnBlock();
  const [id] = parts;
  return id ? <ElectionDetail id={id} /> : <ElectionList />;
}
