// The Protocol card: the version in force, what this node runs, the upgrade the registrars
// scheduled and whether each validator's software runs it (REQ-UPG.1, REQ-UPG.2).
import { Alert, Badge, Card, Group, Stack, Table, Text, Title } from '@mantine/core';
import { IconAlertTriangle } from '@tabler/icons-react';
import { useTranslation } from 'react-i18next';
import type { NodeStatus, ValidatorsView } from '../../../../shared/api/index.js';
import { formatNumber } from '../../format.js';

type Upgrade = NonNullable<NodeStatus['protocol']['upgrade']>;

/** Consensus needs more than two thirds of the validators: fewer running the upgrade stop the chain at its height. */
export function upgradeHasQuorum(running: number, total: number): boolean {
  return running * 3 > total * 2;
}

function RunsUpgrade({ runs }: { runs: boolean | null }) {
  const { t } = useTranslation();
  if (runs === null)
    return (
      <Badge color="gray" variant="light" data-testid="runs-upgrade" data-runs="unknown">
        {t('network.protocol.runsUnknown')}
      </Badge>
    );
  return (
    <Badge color={runs ? 'green' : 'red'} variant="light" data-testid="runs-upgrade" data-runs={String(runs)}>
      {runs ? t('network.protocol.runs') : t('network.protocol.runsNot')}
    </Badge>
  );
}

function UpgradeWarnings({
  upgrade,
  supported,
  validators,
}: {
  upgrade: Upgrade;
  supported: readonly number[];
  validators: ValidatorsView['validators'];
}) {
  const { t } = useTranslation();
  const running = validators.filter((validator) => validator.runsUpgrade === true).length;
  return (
    <>
      {!supported.includes(upgrade.version) ? (
        <Alert color="red" icon={<IconAlertTriangle aria-hidden />} data-testid="protocol-self-behind">
          {t('network.protocol.selfBehind', { version: upgrade.version, height: upgrade.height })}
        </Alert>
      ) : null}
      {!upgradeHasQuorum(running, validators.length) ? (
        <Alert color="orange" icon={<IconAlertTriangle aria-hidden />} data-testid="protocol-quorum-warning">
          {t('network.protocol.fewRun', {
            running,
            total: validators.length,
            version: upgrade.version,
            height: upgrade.height,
          })}
        </Alert>
      ) : null}
    </>
  );
}

export function ProtocolCard({ status, validators }: { status: NodeStatus; validators: ValidatorsView | undefined }) {
  const { t } = useTranslation();
  const { version, supported, upgrade } = status.protocol;
  const list = validators?.validators ?? [];
  return (
    <Card withBorder data-testid="network-protocol" data-version={version}>
      <Title order={2} size="h4" mb="xs">
        {t('network.protocol.title')}
      </Title>
      <Stack gap="xs">
        <Text size="sm" data-testid="protocol-version">
          {t('network.protocol.inForce', { version })}
        </Text>
        <Text size="sm" data-testid="protocol-supported">
          {t('network.protocol.supported', { versions: supported.join(', ') })}
        </Text>
        {upgrade ? (
          <Text size="sm" fw={500} data-testid="protocol-upgrade" data-scheduled="true" data-version={upgrade.version}>
            {upgrade.name
              ? t('network.protocol.upgradeNamed', {
                  version: upgrade.version,
                  name: upgrade.name,
                  height: formatNumber(upgrade.height),
                  blocks: formatNumber(Math.max(0, upgrade.height - status.height)),
                })
              : t('network.protocol.upgrade', {
                  version: upgrade.version,
                  height: formatNumber(upgrade.height),
                  blocks: formatNumber(Math.max(0, upgrade.height - status.height)),
                })}
          </Text>
        ) : (
          <Text size="sm" data-testid="protocol-upgrade" data-scheduled="false">
            {t('network.protocol.noUpgrade')}
          </Text>
        )}
        {upgrade && validators ? <UpgradeWarnings upgrade={upgrade} supported={supported} validators={list} /> : null}
        {list.length > 0 ? (
          <div className="table-wrap">
            <Table aria-label={t('network.protocol.software')}>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>{t('network.validatorColumns.name')}</Table.Th>
                  <Table.Th>{t('network.protocol.columns.versions')}</Table.Th>
                  {upgrade ? (
                    <Table.Th>{t('network.protocol.columns.runsUpgrade', { version: upgrade.version })}</Table.Th>
                  ) : null}
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {list.map((validator) => (
                  <Table.Tr key={validator.key} data-testid="protocol-row">
                    <Table.Td>{validator.name ?? t('app.unknown')}</Table.Td>
                    <Table.Td data-testid="protocol-versions">
                      {validator.protocols ? validator.protocols.join(', ') : t('network.protocol.versionsUnknown')}
                    </Table.Td>
                    {upgrade ? (
                      <Table.Td>
                        <RunsUpgrade runs={validator.runsUpgrade} />
                      </Table.Td>
                    ) : null}
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </div>
        ) : null}
        <Group gap="xs">
          <Text size="xs" c="dimmed">
            {t('network.protocol.unknownHint')}
          </Text>
        </Group>
      </Stack>
    </Card>
  );
}
