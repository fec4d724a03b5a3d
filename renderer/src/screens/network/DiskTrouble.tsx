// The disk under this office's data folder cannot keep what the node would accept (decision #67):
// short of space, full, read-only, or the store's files gone. Shown on the Overview and Network
// screens, and as a header badge, until the disk takes writes again; the node recovers by itself.
import { Alert, Stack, Text } from '@mantine/core';
import { IconDatabaseExclamation } from '@tabler/icons-react';
import { useTranslation } from 'react-i18next';
import type { DiskStatus } from '../../../../shared/api/index.js';
import { formatNumber } from '../../format.js';

/** Free space in whole megabytes, as a person reads it ("112 MB"); "?" when unknown. */
export function megabytes(bytes: number | null): string {
  return bytes === null ? '?' : formatNumber(Math.floor(bytes / (1024 * 1024)));
}

export function DiskTroubleAlert({ disk }: { disk: DiskStatus }) {
  const { t } = useTranslation();
  if (disk.state === 'ok') return null;
  const values = { free: megabytes(disk.freeBytes), reserve: megabytes(disk.reserveBytes) };
  return (
    <Alert
      color="red"
      icon={<IconDatabaseExclamation aria-hidden />}
      title={t(`overview.alerts.disk.${disk.state}Title`)}
      data-testid="alert-disk"
      data-state={disk.state}
      role="alert"
    >
      <Stack gap="xs">
        <Text size="sm">{t(`overview.alerts.disk.${disk.state}`, values)}</Text>
        <Text size="sm">{t('overview.alerts.disk.effect')}</Text>
      </Stack>
    </Alert>
  );
}
