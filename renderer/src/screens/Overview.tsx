// Overview: online or offline, height, finality lag, peers, outbox, mempool and alerts.
import { Alert, Badge, Card, Code, Group, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { IconAlertTriangle, IconCircleCheck, IconDatabaseX, IconPlugConnectedX } from '@tabler/icons-react';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { ErrorAlert } from '../components/common.js';
import { QueryView } from '../components/QueryView.js';
import { useApi, useNow, useStatus } from '../data.js';
import { formatDuration, formatNumber, formatTime } from '../format.js';
import { ClockOffAlert } from './network/ClockOff.js';
import { DiskTroubleAlert } from './network/DiskTrouble.js';
import { ProtocolStoppedAlert } from './network/ProtocolStopped.js';

/** The shortest silence called a stall, whatever the heartbeat (a block takes a few seconds under load). */
export const STALLED_AFTER_MS = 10_000;

/** No block for longer than 3 of the chain's heartbeats: an idle network still makes one every heartbeat (decision #54). */
export function stalledAfterMs(heartbeatMs: number): number {
  return Math.max(STALLED_AFTER_MS, 3 * heartbeatMs);
}

function Stat({
  label,
  value,
  caption,
  testid,
}: {
  label: string;
  value: ReactNode;
  caption?: ReactNode;
  testid: string;
}) {
  return (
    <Card withBorder padding="md" data-testid={testid}>
      <Text size="sm" c="dimmed">
        {label}
      </Text>
      <Text size="xl" fw={700} mt={4}>
        {value}
      </Text>
      {caption ? (
        <Text size="xs" c="dimmed" mt={2}>
          {caption}
        </Text>
      ) : null}
    </Card>
  );
}

export function Overview() {
  const { t } = useTranslation();
  const now = useNow();
  const status = useStatus();
  const validators = useApi('validators', undefined, { refetchInterval: 10_000 });
  const evidence = useApi('evidence', undefined, { refetchInterval: 30_000 });

  const data = status.data;
  const lagMs = data ? Math.max(0, now - data.headTimeMs) : 0;
  const stalled = data !== undefined && data.online && lagMs > stalledAfterMs(data.params.heartbeatMs);
  const missing = (validators.data?.validators ?? []).filter((validator) => !validator.connected);
  // connected but not signing: more than a tenth of the recent commits lack its vote
  const window = validators.data?.window ?? 0;
  const notVoting = (validators.data?.validators ?? []).filter(
    (validator) => validator.connected && window >= 10 && validator.missedVotes * 10 > window,
  );
  const evidenceCount = evidence.data?.length ?? 0;

  return (
    <Stack data-testid="screen-overview" gap="lg">
      <Title order={1}>{t('overview.title')}</Title>
      {/* with figures to show, a failed refresh is said below them, without hiding them */}
      <QueryView query={status} error={data ? 'none' : 'retry'}>
        {(data) => (
          <>
            <section aria-labelledby="overview-connection">
              <Title order={2} size="h4" id="overview-connection" mb="xs">
                {t('overview.connection')}
              </Title>
              {data.damaged ? (
                <Alert
                  color="red"
                  variant="light"
                  icon={<IconDatabaseX aria-hidden />}
                  data-testid="overview-damaged"
                  title={t('overview.alerts.damagedTitle')}
                >
                  {data.damaged.where}
                </Alert>
              ) : data.online ? (
                <Alert
                  color="green"
                  variant="light"
                  icon={<IconCircleCheck aria-hidden />}
                  data-testid="overview-online"
                  title={t('app.online')}
                >
                  {t('overview.onlineText')}
                </Alert>
              ) : (
                <Alert
                  color="orange"
                  variant="light"
                  icon={<IconPlugConnectedX aria-hidden />}
                  data-testid="overview-offline"
                  title={t('app.offline')}
                >
                  {t('overview.offlineText', { height: data.height, time: formatTime(data.headTimeMs) })}
                </Alert>
              )}
              {data.syncing ? (
                <Badge mt="xs" color="blue" variant="light">
                  {t('overview.syncing')}
                </Badge>
              ) : null}
              {data.snapshotBase !== undefined ? (
                <Text mt="xs" size="sm" c="dimmed" data-testid="overview-snapshot">
                  {t('overview.snapshotBase', { height: formatNumber(data.snapshotBase) })}
                </Text>
              ) : null}
            </section>
            <SimpleGrid cols={{ base: 2, md: 3, lg: 6 }}>
              <Stat testid="stat-height" label={t('overview.height')} value={formatNumber(data.height)} />
              <Stat
                testid="stat-lag"
                label={t('overview.finalityLag')}
                value={t('overview.seconds', { value: formatNumber(lagMs / 1000, 1) })}
              />
              <Stat testid="stat-peers" label={t('overview.peers')} value={formatNumber(data.peers)} />
              <Stat
                testid="stat-validators"
                label={t('overview.validatorsReachable')}
                value={t('overview.ofTotal', { count: data.validatorsReachable, total: data.validators })}
              />
              <Stat testid="stat-mempool" label={t('overview.mempool')} value={formatNumber(data.mempool.size)} />
              <Stat
                testid="stat-outbox"
                label={t('overview.outbox')}
                value={formatNumber(data.outbox.pending)}
                caption={t('overview.outboxCounts', {
                  pending: data.outbox.pending,
                  final: data.outbox.final,
                  rejected: data.outbox.rejected,
                })}
              />
            </SimpleGrid>
            {status.isError ? <ErrorAlert error={status.error} /> : null}
          </>
        )}
      </QueryView>
      <section aria-labelledby="overview-alerts" data-testid="overview-alerts">
        <Title order={2} size="h4" id="overview-alerts" mb="xs">
          {t('overview.alertsTitle')}
        </Title>
        <Stack gap="sm">
          {data ? <ProtocolStoppedAlert protocol={data.protocol} /> : null}
          {data ? <ClockOffAlert clock={data.clock} /> : null}
          {data ? <DiskTroubleAlert disk={data.disk} /> : null}
          {data?.damaged ? (
            <Alert
              color="red"
              icon={<IconDatabaseX aria-hidden />}
              title={t('overview.alerts.damagedTitle')}
              data-testid="alert-damaged"
            >
              <Stack gap="xs">
                <Text size="sm">
                  {t('overview.alerts.damaged', {
                    where: data.damaged.where,
                    what: data.damaged.what,
                    time: formatTime(data.damaged.sinceMs),
                  })}
                </Text>
                <Text size="sm">{t('overview.alerts.damagedRepair')}</Text>
                <Code block data-testid="alert-damaged-repair">
                  {data.damaged.repair}
                </Code>
              </Stack>
            </Alert>
          ) : null}
          {data && !data.online && !data.damaged ? (
            <Alert
              color="orange"
              icon={<IconPlugConnectedX aria-hidden />}
              title={t('overview.alerts.offlineTitle')}
              data-testid="alert-offline"
            >
              {t('overview.offlineText', { height: data.height, time: formatTime(data.headTimeMs) })}
            </Alert>
          ) : null}
          {evidenceCount > 0 ? (
            <Alert
              color="red"
              icon={<IconAlertTriangle aria-hidden />}
              title={t('overview.alerts.equivocationTitle')}
              data-testid="alert-equivocation"
            >
              {t('overview.alerts.equivocationCount', { count: evidenceCount })}
            </Alert>
          ) : null}
          {stalled ? (
            <Alert
              color="red"
              icon={<IconAlertTriangle aria-hidden />}
              title={t('overview.alerts.stalledTitle')}
              data-testid="alert-stalled"
            >
              {t('overview.alerts.stalled', {
                seconds: Math.floor(lagMs / 1000),
                interval: formatDuration(data.params.heartbeatMs),
              })}
            </Alert>
          ) : null}
          {missing.map((validator) => (
            <Alert
              key={validator.key}
              color="yellow"
              icon={<IconAlertTriangle aria-hidden />}
              title={t('overview.alerts.validatorMissingTitle')}
              data-testid="alert-validator-missing"
            >
              {t('overview.alerts.validatorMissing', {
                name: validator.name ?? validator.key.slice(0, 12),
                role: validator.role ? t(`role.${validator.role}`) : t('app.unknown'),
              })}
            </Alert>
          ))}
          {notVoting.map((validator) => (
            <Alert
              key={`votes-${validator.key}`}
              color="yellow"
              icon={<IconAlertTriangle aria-hidden />}
              title={t('overview.alerts.missedVotesTitle')}
              data-testid="alert-missed-votes"
            >
              {t('overview.alerts.missedVotes', {
                name: validator.name ?? validator.key.slice(0, 12),
                missed: validator.missedVotes,
                window,
              })}
            </Alert>
          ))}
          {data &&
          data.online &&
          !data.protocol.stopped &&
          data.clock.state !== 'off' &&
          data.disk.state === 'ok' &&
          !stalled &&
          evidenceCount === 0 &&
          missing.length === 0 &&
          notVoting.length === 0 ? (
            <Group gap="xs" data-testid="alert-none">
              <IconCircleCheck color="var(--mantine-color-green-7)" aria-hidden />
              <Text size="sm">{t('overview.noAlerts')}</Text>
            </Group>
          ) : null}
          {validators.isError ? <ErrorAlert error={validators.error} /> : null}
        </Stack>
      </section>
    </Stack>
  );
}
