// Network: peers (mapped to authorities), who votes and who follows, the protocol and its
// scheduled upgrade, block-interval and throughput charts.
import { Badge, Card, Group, SimpleGrid, Stack, Table, Text, Title } from '@mantine/core';
import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import {
  Bar,
  BarChart,
  CartesianGrid,
  Line,
  LineChart,
  ResponsiveContainer,
  Tooltip as ChartTooltip,
  XAxis,
  YAxis,
} from 'recharts';
import { AuthorityColumns, AuthorityRow } from '../components/AuthorityRow.js';
import { Hash } from '../components/common.js';
import { QueryView } from '../components/QueryView.js';
import { useApi, useStatus } from '../data.js';
import { formatDuration, formatNumber, formatShortTime } from '../format.js';
import { FollowersCard } from './network/Followers.js';
import { ProtocolCard } from './network/Protocol.js';
import { ClockOffAlert } from './network/ClockOff.js';
import { DiskTroubleAlert } from './network/DiskTrouble.js';
import { ProtocolStoppedAlert } from './network/ProtocolStopped.js';

function Charts() {
  const { t } = useTranslation();
  const blocks = useApi('blocks', { query: { limit: '50' } }, { refetchInterval: 10_000 });
  const points = useMemo(() => {
    const list = [...(blocks.data?.blocks ?? [])].sort((a, b) => a.header.height - b.header.height);
    return list.slice(1).map((block, index) => ({
      height: block.header.height,
      interval: Math.max(0, (block.header.timeMs - (list[index]?.header.timeMs ?? block.header.timeMs)) / 1000),
      txs: block.txCount,
    }));
  }, [blocks.data]);
  return (
    <SimpleGrid cols={{ base: 1, lg: 2 }}>
      <Card withBorder data-testid="network-interval-chart">
        <Title order={2} size="h5" mb="xs" id="chart-interval">
          {t('network.intervalChart')}
        </Title>
        <QueryView query={blocks} error="alert" isEmpty={() => points.length === 0}>
          {() => (
            <div className="chart-box" role="img" aria-labelledby="chart-interval">
              <ResponsiveContainer width="100%" height="100%">
                <LineChart data={points} margin={{ top: 8, right: 16, bottom: 8, left: 0 }}>
                  <CartesianGrid strokeDasharray="3 3" />
                  <XAxis dataKey="height" fontSize={12} />
                  <YAxis fontSize={12} unit=" s" />
                  <ChartTooltip
                    formatter={(value) => [`${formatNumber(Number(value), 2)} s`, t('network.intervalAxis')]}
                    labelFormatter={(label) => `${t('network.block')} ${String(label)}`}
                  />
                  <Line
                    type="monotone"
                    dataKey="interval"
                    stroke="var(--mantine-color-indigo-6)"
                    dot={false}
                    isAnimationActive={false}
                  />
                </LineChart>
              </ResponsiveContainer>
            </div>
          )}
        </QueryView>
      </Card>
      <Card withBorder data-testid="network-throughput-chart">
        <Title order={2} size="h5" mb="xs" id="chart-throughput">
          {t('network.throughputChart')}
        </Title>
        <QueryView query={blocks} error="none" isEmpty={() => points.length === 0}>
          {() => (
            <div className="chart-box" role="img" aria-labelledby="chart-throughput">
              <ResponsiveContainer width="100%" height="100%">
                <BarChart data={points} margin={{ top: 8, right: 16, bottom: 8, left: 0 }}>
                  <CartesianGrid strokeDasharray="3 3" />
                  <XAxis dataKey="height" fontSize={12} />
                  <YAxis fontSize={12} allowDecimals={false} />
                  <ChartTooltip
                    formatter={(value) => [formatNumber(Number(value)), t('network.txAxis')]}
                    labelFormatter={(label) => `${t('network.block')} ${String(label)}`}
                  />
                  <Bar dataKey="txs" fill="var(--mantine-color-teal-6)" isAnimationActive={false} />
                </BarChart>
              </ResponsiveContainer>
            </div>
          )}
        </QueryView>
      </Card>
    </SimpleGrid>
  );
}

export function NetworkScreen() {
  const { t } = useTranslation();
  const status = useStatus();
  const peers = useApi('peers', undefined, { refetchInterval: 5_000 });
  const validators = useApi('validators', undefined, { refetchInterval: 5_000 });
  const byPeerId = useMemo(
    () => new Map((validators.data?.validators ?? []).filter((v) => v.peerId).map((v) => [v.peerId as string, v])),
    [validators.data],
  );

  return (
    <Stack data-testid="screen-network" gap="lg">
      <Title order={1}>{t('network.title')}</Title>
      {status.data ? <ProtocolStoppedAlert protocol={status.data.protocol} /> : null}
      {status.data ? <ClockOffAlert clock={status.data.clock} /> : null}
      {status.data ? <DiskTroubleAlert disk={status.data.disk} /> : null}
      {status.data ? (
        <Group gap="sm">
          <Badge
            variant="light"
            color={status.data.syncing ? 'blue' : 'green'}
            data-testid="network-syncing"
            data-syncing={String(status.data.syncing)}
          >
            {status.data.syncing ? t('network.syncing') : t('network.synced')}
          </Badge>
          <Text size="sm" data-testid="network-mempool">
            {t('network.mempool', { size: status.data.mempool.size, bytes: formatNumber(status.data.mempool.bytes) })}
          </Text>
          <Text size="sm" data-testid="network-heartbeat" data-heartbeat-ms={status.data.params.heartbeatMs}>
            {t('network.heartbeat', { interval: formatDuration(status.data.params.heartbeatMs) })}
          </Text>
        </Group>
      ) : null}

      <Card withBorder data-testid="network-peers">
        <Title order={2} size="h4" mb="xs">
          {t('network.peers')}
        </Title>
        <QueryView query={peers} empty={t('network.noPeers')}>
          {(list) => (
            <div className="table-wrap">
              <Table aria-label={t('network.peers')}>
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>{t('network.peerColumns.authority')}</Table.Th>
                    <Table.Th>{t('network.peerColumns.role')}</Table.Th>
                    <Table.Th>{t('network.peerColumns.peerId')}</Table.Th>
                    <Table.Th>{t('network.peerColumns.addresses')}</Table.Th>
                    <Table.Th>{t('network.peerColumns.latency')}</Table.Th>
                    <Table.Th>{t('network.peerColumns.height')}</Table.Th>
                    <Table.Th>{t('network.peerColumns.since')}</Table.Th>
                    <Table.Th>{t('network.peerColumns.score')}</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {list.map((peer) => {
                    const authority = byPeerId.get(peer.peerId);
                    return (
                      <Table.Tr key={peer.peerId} data-testid="peer-row" data-peer-id={peer.peerId}>
                        <Table.Td>
                          {authority?.name ?? (
                            <Text c="dimmed" size="sm">
                              {t('network.unknownPeer')}
                            </Text>
                          )}
                        </Table.Td>
                        <Table.Td>{authority?.role ? t(`role.${authority.role}`) : '—'}</Table.Td>
                        <Table.Td>
                          <Hash value={peer.peerId} />
                        </Table.Td>
                        <Table.Td>
                          {peer.addresses.map((address) => {
                            // the peer id has its own column: show the transport part only
                            const shown = address.replace(/\/p2p\/[^/]+$/, '');
                            return (
                              <Text key={address} size="xs" className="mono" title={address}>
                                {/* a line may break after a slash, never inside a number */}
                                {shown.split('/').join('/\u200b')}
                              </Text>
                            );
                          })}
                        </Table.Td>
                        <Table.Td>
                          {peer.latencyMs === null
                            ? '—'
                            : t('network.latencyValue', { value: formatNumber(peer.latencyMs) })}
                        </Table.Td>
                        <Table.Td>{peer.height ?? '—'}</Table.Td>
                        <Table.Td className="nowrap">{formatShortTime(peer.connectedSinceMs)}</Table.Td>
                        <Table.Td>{formatNumber(peer.gossipScore, 2)}</Table.Td>
                      </Table.Tr>
                    );
                  })}
                </Table.Tbody>
              </Table>
            </div>
          )}
        </QueryView>
      </Card>

      <Card withBorder data-testid="network-validators">
        <Title order={2} size="h4" mb={4}>
          {t('network.validators')}
        </Title>
        {validators.data ? (
          <>
            <Text size="sm" mb={4} data-testid="validators-size">
              {status.data
                ? t('network.offices.setSize', {
                    count: validators.data.validators.length,
                    max: status.data.params.maxValidators,
                  })
                : null}{' '}
              {t('network.offices.votersExplain')}
            </Text>
            <Text size="sm" c="dimmed" mb="xs">
              {t('network.validatorsFor', { height: validators.data.height })} ·{' '}
              {t('network.signingWindow', { count: validators.data.window })}
            </Text>
          </>
        ) : null}
        <QueryView query={validators}>
          {(data) => (
            <div className="table-wrap">
              <Table aria-label={t('network.validators')}>
                <AuthorityColumns>
                  <Table.Th>{t('network.validatorColumns.connected')}</Table.Th>
                  <Table.Th>{t('network.validatorColumns.lastSigned')}</Table.Th>
                  <Table.Th>{t('network.validatorColumns.missed')}</Table.Th>
                  <Table.Th>{t('network.validatorColumns.key')}</Table.Th>
                </AuthorityColumns>
                <Table.Tbody>
                  {data.validators.map((validator) => (
                    <AuthorityRow
                      key={validator.key}
                      authority={validator}
                      votes
                      data-testid="validator-row"
                      data-connected={String(validator.connected)}
                    >
                      <Table.Td className="nowrap">
                        <Badge color={validator.connected ? 'green' : 'red'} variant="light">
                          {validator.connected ? t('network.connected') : t('network.disconnected')}
                        </Badge>
                      </Table.Td>
                      <Table.Td>{validator.lastSignedHeight ?? '—'}</Table.Td>
                      <Table.Td data-testid="validator-missed">
                        <Badge color={validator.missedVotes === 0 ? 'gray' : 'orange'} variant="light">
                          {validator.missedVotes}
                        </Badge>
                      </Table.Td>
                      <Table.Td>
                        <Hash value={validator.key} />
                        {validator.formerKeys ? (
                          <Stack gap={0} data-testid="validator-former-keys">
                            <Text size="xs" c="dimmed">
                              {t('network.formerKeys')}
                            </Text>
                            {validator.formerKeys.map((key) => (
                              <Hash key={key} value={key} />
                            ))}
                          </Stack>
                        ) : null}
                      </Table.Td>
                    </AuthorityRow>
                  ))}
                </Table.Tbody>
              </Table>
            </div>
          )}
        </QueryView>
      </Card>

      {validators.data ? <FollowersCard view={validators.data} /> : null}

      {status.data ? <ProtocolCard status={status.data} validators={validators.data} /> : null}

      <Charts />
    </Stack>
  );
}
